/*
 * errors.c -- SQLSTATE -> HTTP status and error body, exactly as docs/errors.md says.
 * Only the SQLSTATE decides; the message text never does.
 */
#include "errors.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct SqlstateRule
{
	const char *prefix;			/* a whole SQLSTATE, or its two-character class */
	unsigned int status;
	const char *code;
} SqlstateRule;

/* Whole codes before classes: the first matching prefix wins. */
static const SqlstateRule rules[] = {
	{"28P01", 400, "wrong_password"},
	{"28000", 401, "unauthenticated"},
	{"42501", 403, "forbidden"},
	{"P0002", 404, "not_found"},
	{"TM001", 409, "sold_out"},
	{"TM002", 409, "insufficient_funds"},
	{"TM003", 409, "price_changed"},
	{"TM004", 422, "idempotency_key_reused"},
	{"TM005", 429, "too_many_attempts"},
	{"TM010", 400, "weak_password"},
	{"TM020", 412, "stale_version"},
	{"TM021", 409, "capacity_below_sold"},
	{"TM022", 409, "limit_exceeded"},
	{"TM023", 409, "event_over"},
	{"TM024", 409, "not_cancellable"},
	{"TM025", 409, "already_cancelled"},
	{"TM026", 409, "already_checked_in"},
	{"TM027", 409, "ticket_not_valid"},
	{"TM028", 409, "wrong_event"},
	{"40001", 503, "busy"},
	{"40P01", 503, "busy"},
	{"57P01", 503, "unavailable"},
	{"57P02", 503, "unavailable"},
	{"57P03", 503, "unavailable"},
	{"22", 400, "invalid_input"},
	{"23", 409, "conflict"},
	{"08", 503, "unavailable"},
};

/*
 * The SQLSTATEs that mean the same whether the extension or PostgreSQL itself raised them:
 * they say what happened to the request (bad input, a conflict, busy, unavailable) and no more.
 */
static const char *const postgres_too[] = {"22", "23", "40001", "40P01", "57P01", "57P02", "57P03", "08"};

static bool
mapped_from_postgres(const char *sqlstate)
{
	for (size_t i = 0; i < sizeof(postgres_too) / sizeof(postgres_too[0]); i++)
		if (strncmp(sqlstate, postgres_too[i], strlen(postgres_too[i])) == 0)
			return true;
	return false;
}

HttpError
error_for_sqlstate(const char *sqlstate, bool from_extension)
{
	if (sqlstate && strlen(sqlstate) == 5 && (from_extension || mapped_from_postgres(sqlstate)))
	{
		for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
			if (strncmp(sqlstate, rules[i].prefix, strlen(rules[i].prefix)) == 0)
				return (HttpError) {rules[i].status, rules[i].code};
	}
	return (HttpError) {500, "internal"};
}

const char *
error_generic_message(unsigned int status)
{
	switch (status)
	{
		case 400:
			return "invalid input";
		case 409:
			return "the request conflicts with the current data";
		case 503:
			return "the database is busy or unavailable, try again shortly";
		default:
			return "internal error";
	}
}

bool
sqlstate_is_retryable(const char *sqlstate)
{
	return sqlstate && (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0);
}

/*
 * The extension says how long a TM005 lockout lasts in its detail, "Try again in N seconds."
 * (docs/errors.md): N, the first integer of the detail, is the Retry-After. Only for TM005,
 * and only a sane N; anything else has no Retry-After of its own.
 */
unsigned int
sqlstate_retry_after(const char *sqlstate, const char *detail)
{
	unsigned long seconds;

	if (!sqlstate || strcmp(sqlstate, "TM005") != 0 || !detail)
		return 0;
	detail += strcspn(detail, "0123456789");
	if (!*detail)
		return 0;
	seconds = strtoul(detail, NULL, 10);
	return seconds >= 1 && seconds <= 86400 ? (unsigned int) seconds : 0;
}

bool
sqlstate_is_session_ended(const char *sqlstate)
{
	return sqlstate && (strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P02") == 0 ||
						strcmp(sqlstate, "57P03") == 0);
}

char *
error_body(const char *message, const char *code, const char *detail, const char *hint)
{
	json_t	   *body = json_object();
	char	   *text;

	json_t	   *fields = detail && *detail == '{' ? json_loads(detail, 0, NULL) : NULL;

	/*
	 * A detail that is a JSON object carries fields of the error for clients (e.g. the
	 * checked_in_at of an already_checked_in): they join the body, message and code first.
	 */
	if (json_is_object(fields))
	{
		json_object_update(body, fields);
		detail = NULL;
	}
	json_decref(fields);
	json_object_set_new(body, "message", json_string(message ? message : "error"));
	json_object_set_new(body, "code", json_string(code));
	if (detail && *detail)
		json_object_set_new(body, "detail", json_string(detail));
	if (hint && *hint)
		json_object_set_new(body, "hint", json_string(hint));
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}
