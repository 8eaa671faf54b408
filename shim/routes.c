/*
 * routes.c -- the route table (every path of API.md) and the matcher.
 */
#include "routes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_ID_BODY		{ARG_TOKEN, ARG_PATH1, ARG_BODY}
#define TOKEN_ID			{ARG_TOKEN, ARG_PATH1}
#define ORDER_ARGS			{ARG_TOKEN, ARG_PATH1, ARG_BODY, ARG_IDEMPOTENCY_KEY}
#define TOKEN_ID_BODY_IF_MATCH	{ARG_TOKEN, ARG_PATH1, ARG_BODY, ARG_IF_MATCH}
/* A purchase, and the purchases that queued together (extension/order_batch.c). */
#define ORDER_SQL			"SELECT tm_order_create($1, $2, $3::jsonb, $4)"
#define ORDER_BATCH_SQL		"SELECT * FROM tm_order_create_batch($1, $2, $3, $4)"

static unsigned int order_event(const char *const *values);

const Route routes[] = {
	/* The shim's own: liveness needs no database, readiness does. */
	{"GET", "/healthz", NULL, {0}, 200, true},
	{"GET", "/readyz", "SELECT '{\"status\": \"ready\"}'::jsonb", {0}, 200, true},

	{"POST", "/login", "SELECT tm_login($1::jsonb, $2)", {ARG_BODY, ARG_CLIENT_ADDR}, 200, false},
	{"POST", "/logout", "SELECT tm_logout($1, $2::jsonb)", {ARG_TOKEN, ARG_BODY}, 200, false},
	{"POST", "/token", "SELECT tm_token_renew($1)", {ARG_TOKEN}, 200, false},
	{"POST", "/account", "SELECT tm_account_create($1::jsonb, $2)", {ARG_BODY, ARG_CLIENT_ADDR}, 201, false},
	/* The original app's other sign-up path: the body with the path's username (issue 9). */
	{"POST", "/account/{str}", "SELECT tm_account_create(tm_account_path_body($1, $2::jsonb), $3)",
	 {ARG_PATH1, ARG_BODY, ARG_CLIENT_ADDR}, 201, false},
	/*
	 * With LEGACY_CLIENTS, a request without a token reads the account as the original app
	 * served it to anyone; with a token, or with the setting off, the owner rule applies.
	 */
	{"GET", "/account/{str}",
	 "SELECT CASE WHEN $3 AND $1 = '' THEN tm_account_legacy($2) ELSE tm_account($1, $2) END",
	 {ARG_TOKEN, ARG_PATH1, ARG_LEGACY_CLIENTS}, 200, true},
	{"PUT", "/account/{str}", "SELECT tm_account_password($1, $2, $3::jsonb, $4)",
	 {ARG_TOKEN, ARG_PATH1, ARG_BODY, ARG_CLIENT_ADDR}, 200, false},
	{"DELETE", "/account/{str}", "SELECT tm_account_delete($1, $2)", TOKEN_ID, 200, false},
	{"GET", "/accounts", "SELECT tm_accounts($1)", {ARG_TOKEN}, 200, true},

	{"GET", "/events", "SELECT tm_events($1)", {ARG_QUERY}, 200, true, "when"},
	{"POST", "/event", "SELECT tm_event_create($1, $2::jsonb)", {ARG_TOKEN, ARG_BODY}, 201, false},
	{"GET", "/event/{int}", "SELECT tm_event($1::int)", {ARG_PATH1}, 200, true, NULL, "event"},
	{"PUT", "/event/{int}", "SELECT tm_event_update($1, $2::int, $3::jsonb, $4)",
	 TOKEN_ID_BODY_IF_MATCH, 200, false, NULL, "event"},
	{"DELETE", "/event/{int}", "SELECT tm_event_delete($1, $2::int)", TOKEN_ID, 200, false},
	{"GET", "/event/{int}/artists", "SELECT tm_event_artists($1::int)", {ARG_PATH1}, 200, true},
	{"POST", "/event/{int}/artist", "SELECT tm_event_artist_add($1, $2::int, $3::jsonb)",
	 TOKEN_ID_BODY, 201, false},
	{"GET", "/event/{int}/artist/{int}", "SELECT tm_event_artist($1::int, $2::int)",
	 {ARG_PATH1, ARG_PATH2}, 200, true},
	{"DELETE", "/event/{int}/artist/{int}", "SELECT tm_event_artist_remove($1, $2::int, $3::int)",
	 {ARG_TOKEN, ARG_PATH1, ARG_PATH2}, 200, false},

	{"GET", "/artists", "SELECT tm_artists()", {0}, 200, true},
	{"POST", "/artist", "SELECT tm_artist_create($1, $2::jsonb)", {ARG_TOKEN, ARG_BODY}, 201, false},
	{"GET", "/artist/{int}", "SELECT tm_artist($1::int)", {ARG_PATH1}, 200, true},
	{"PUT", "/artist/{int}", "SELECT tm_artist_update($1, $2::int, $3::jsonb)", TOKEN_ID_BODY, 200, false},
	{"DELETE", "/artist/{int}", "SELECT tm_artist_delete($1, $2::int)", TOKEN_ID, 200, false},
	{"GET", "/artist/{int}/events", "SELECT tm_artist_events($1::int)", {ARG_PATH1}, 200, true},

	/* /order/<username> is the original app's spelling; clients of it still use it. */
	{"POST", "/orders/{str}", ORDER_SQL, ORDER_ARGS, 201, false, NULL, NULL, NULL, ORDER_BATCH_SQL, order_event},
	{"POST", "/order/{str}", ORDER_SQL, ORDER_ARGS, 201, false, NULL, NULL, NULL, ORDER_BATCH_SQL, order_event},
	{"GET", "/orders/{str}", "SELECT tm_account_orders($1, $2)", TOKEN_ID, 200, true},
	{"GET", "/order/{str}", "SELECT tm_account_orders($1, $2)", TOKEN_ID, 200, true},
	{"GET", "/orders", "SELECT tm_orders($1)", {ARG_TOKEN}, 200, true},
	{"POST", "/orders/{str}/{int}/cancel", "SELECT tm_order_cancel($1, $2, $3::int)",
	 {ARG_TOKEN, ARG_PATH1, ARG_PATH2}, 200, false},
	{"POST", "/checkin", "SELECT tm_checkin($1, $2::jsonb)", {ARG_TOKEN, ARG_BODY}, 200, false},

	/* The organiser's figures; ?format=csv makes tm_sales return the CSV as a JSON string. */
	{"GET", "/sales", "SELECT tm_sales($1, $2)", {ARG_TOKEN, ARG_QUERY}, 200, true, "format",
	 NULL, "text/csv; charset=utf-8"},
	{"GET", "/sales/daily", "SELECT tm_sales_daily($1, $2::int)", {ARG_TOKEN, ARG_QUERY}, 200, true,
	 "event_id"},
};

const size_t route_count = sizeof(routes) / sizeof(routes[0]);

/* An event id as the body gives it: a number, or a numeric string (form posts); else 0. */
static unsigned int
event_id_of(const json_t *line)
{
	const json_t *id = json_object_get(line, "event_id");

	if (!id)
		id = json_object_get(line, "id_event");
	if (json_is_integer(id))
		return (unsigned int) json_integer_value(id);
	return json_is_string(id) ? (unsigned int) strtoul(json_string_value(id), NULL, 10) : 0;
}

/*
 * The batch key of a purchase: its (first) event. Purchases of one event all update its row,
 * so they gain from one transaction; purchases of other events need not wait for it. Only a
 * hint: the extension takes every lock a batch needs whatever its key.
 */
static unsigned int
order_event(const char *const *values)
{
	json_t	   *body = json_loads(values[2] ? values[2] : "", 0, NULL);	/* ORDER_ARGS */
	const json_t *cart = json_object_get(body, "orders");
	unsigned int id = event_id_of(json_is_array(cart) ? json_array_get(cart, 0) : body);

	json_decref(body);
	return id;
}

size_t
route_index(const Route *route)
{
	return (size_t) (route - routes);
}

bool
route_is_public_read(const Route *route)
{
	if (!route->sql || !route->read_only || strcmp(route->pattern, "/readyz") == 0)
		return false;
	for (int i = 0; route->args[i] != ARG_END; i++)
		if (route->args[i] == ARG_TOKEN)
			return false;
	return true;
}

bool
route_hashes_password(const Route *route)
{
	return (strcmp(route->method, "POST") == 0 || strcmp(route->method, "PUT") == 0) &&
		(strcmp(route->pattern, "/login") == 0 || strncmp(route->pattern, "/account", 8) == 0);
}

bool
route_changes_public(const Route *route)
{
	return route_changes_counts(route) || (!route->read_only &&
		(strncmp(route->pattern, "/event", 6) == 0 || strncmp(route->pattern, "/artist", 7) == 0));
}

bool
route_changes_counts(const Route *route)
{
	/* Sales and cancellations, and a closed account's tickets go back on sale. */
	return !route->read_only && (strncmp(route->pattern, "/order", 6) == 0 ||
		(strcmp(route->method, "DELETE") == 0 && strncmp(route->pattern, "/account", 8) == 0));
}

static bool
all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * Does `path` have the shape of `pattern`? Fills the parameters. Segments are split on '/'
 * of the decoded path, so an encoded slash (%2F) inside a {str} does not match.
 */
static bool
pattern_matches(const char *pattern, const char *path, char params[][ROUTE_PARAM_MAX])
{
	int			nparams = 0;

	while (*pattern && *path)
	{
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++, path++;
		/* Most routes differ from the path at a segment's first byte: no need to measure. */
		if (*pattern != '{' && *pattern != *path)
			return false;

		const char *pattern_end = strchrnul(pattern, '/');
		const char *path_end = strchrnul(path, '/');
		size_t		pattern_len = (size_t) (pattern_end - pattern);
		size_t		path_len = (size_t) (path_end - path);
		bool		is_int = pattern_len == 5 && strncmp(pattern, "{int}", 5) == 0;
		bool		is_str = pattern_len == 5 && strncmp(pattern, "{str}", 5) == 0;

		if (is_int || is_str)
		{
			if (path_len == 0 || path_len >= ROUTE_PARAM_MAX || nparams == ROUTE_MAX_PARAMS)
				return false;
			if (is_int && !all_digits(path, path_len))
				return false;
			memcpy(params[nparams], path, path_len);
			params[nparams][path_len] = '\0';
			nparams++;
		}
		else if (pattern_len != path_len || strncmp(pattern, path, path_len) != 0)
			return false;
		pattern = pattern_end;
		path = path_end;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Appends `text` to the NUL-terminated `list` of `size` bytes, as much of it as fits. */
static void
append(char *list, size_t size, const char *text)
{
	size_t		used = strlen(list);
	size_t		n = strlen(text);

	if (n >= size - used)
		n = size - used - 1;
	memcpy(list + used, text, n);
	list[used + n] = '\0';
}

void
route_find(const char *method, const char *path, RouteMatch *match)
{
	const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
	char		scratch[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];

	memset(match, 0, sizeof(*match));
	for (size_t i = 0; i < route_count; i++)
	{
		const Route *r = &routes[i];

		if (!pattern_matches(r->pattern, path, scratch))
			continue;
		if (!match->path_known)
			append(match->allow, sizeof(match->allow), "OPTIONS");
		match->path_known = true;
		append(match->allow, sizeof(match->allow), ", ");
		append(match->allow, sizeof(match->allow), r->method);
		if (strcmp(r->method, "GET") == 0)
			append(match->allow, sizeof(match->allow), ", HEAD");
		if (!match->route && strcmp(r->method, wanted) == 0)
		{
			match->route = r;
			memcpy(match->params, scratch, sizeof(scratch));
		}
	}
}
