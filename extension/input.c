/*
 * input.c
 *		Fields of request bodies and function arguments, validated once, here.
 *
 * Clients of the original app send numbers as JSON numbers or as numeric strings (form
 * posts), so integers are accepted in both forms; everything else is strict.
 */
#include "ticketmonster.h"

#include <ctype.h>
#include <limits.h>

#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/numeric.h"

#define invalid_input(...) \
	ereport(ERROR, (errcode(ERRCODE_TM_INVALID_INPUT), errmsg(__VA_ARGS__)))

/* The body argument; SQL NULL counts as an empty object. */
Jsonb *
tm_body(FunctionCallInfo fcinfo, int argno)
{
	Jsonb	   *body;

	if (tm_arg_is_null(fcinfo, argno))
		return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	body = PG_GETARG_JSONB_P(argno);
	if (!JB_ROOT_IS_OBJECT(body))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("request body must be a JSON object")));
	return body;
}

/* The field's value, or NULL when it is absent or JSON null. */
static JsonbValue *
body_field(Jsonb *body, const char *field)
{
	JsonbValue *value = getKeyJsonValueFromContainer(&body->root, field, strlen(field), NULL);

	if (value != NULL && value->type == jbvNull)
		return NULL;
	return value;
}

bool
tm_body_has(Jsonb *body, const char *field)
{
	return body_field(body, field) != NULL;
}

/* A JSON true or false; absent or null is false. */
bool
tm_body_bool(Jsonb *body, const char *field)
{
	JsonbValue *value = body_field(body, field);

	if (value == NULL)
		return false;
	if (value->type != jbvBool)
		invalid_input("\"%s\" must be true or false", field);
	return value->val.boolean;
}

/* Is the field there at all, JSON null included ("clear it" rather than "leave it")? */
bool
tm_body_given(Jsonb *body, const char *field)
{
	return getKeyJsonValueFromContainer(&body->root, field, strlen(field), NULL) != NULL;
}

/* Copy of the string with leading and trailing white space removed. */
static char *
trimmed(const char *s, int len)
{
	while (len > 0 && isspace((unsigned char) *s))
		s++, len--;
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	return pnstrdup(s, len);
}

static JsonbValue *
string_field(Jsonb *body, const char *field)
{
	JsonbValue *value = body_field(body, field);

	if (value == NULL)
		invalid_input("\"%s\" is required", field);
	if (value->type != jbvString)
		invalid_input("\"%s\" must be a string", field);
	return value;
}

char *
tm_body_text(Jsonb *body, const char *field, int max_chars)
{
	JsonbValue *value = string_field(body, field);
	char	   *text;

	text = trimmed(value->val.string.val, value->val.string.len);
	if (text[0] == '\0')
		invalid_input("\"%s\" must not be empty", field);
	if (pg_mbstrlen(text) > max_chars)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be at most %d characters", field, max_chars)));
	return text;
}

/*
 * A password, not trimmed: its spaces are part of it. Bounded in bytes, since it is
 * hashed as bytes.
 */
char *
tm_body_password(Jsonb *body, const char *field, int max_bytes)
{
	JsonbValue *value = string_field(body, field);

	if (value->val.string.len == 0)
		invalid_input("\"%s\" must not be empty", field);
	if (value->val.string.len > max_bytes)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be at most %d bytes", field, max_bytes)));
	return pnstrdup(value->val.string.val, value->val.string.len);
}

/* Strict decimal integer: optional sign, digits, nothing else. */
static bool
parse_int32(const char *s, int32 *result)
{
	const char *p = s;
	int64		n = 0;
	bool		negative = false;

	if (*p == '-' || *p == '+')
		negative = (*p++ == '-');
	if (!isdigit((unsigned char) *p))
		return false;
	for (; isdigit((unsigned char) *p); p++)
	{
		n = n * 10 + (*p - '0');
		if (n > (int64) INT_MAX + 1)
			return false;
	}
	if (*p != '\0')
		return false;
	n = negative ? -n : n;
	if (n < INT_MIN || n > INT_MAX)
		return false;
	*result = (int32) n;
	return true;
}

int32
tm_body_int(Jsonb *body, const char *field, int32 min)
{
	JsonbValue *value = body_field(body, field);
	char	   *digits;
	int32		result;

	if (value == NULL)
		invalid_input("\"%s\" is required", field);
	if (value->type == jbvNumeric)
		digits = DatumGetCString(DirectFunctionCall1(numeric_out,
													 NumericGetDatum(value->val.numeric)));
	else if (value->type == jbvString)
		digits = trimmed(value->val.string.val, value->val.string.len);
	else
		invalid_input("\"%s\" must be an integer", field);

	if (!parse_int32(digits, &result))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be an integer between %d and %d", field, min, INT_MAX)));
	if (result < min)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be at least %d", field, min)));
	return result;
}

/* Exactly YYYY-MM-DD: four digits, dash, two digits, dash, two digits. */
static bool
is_iso_date(const char *text)
{
	if (strlen(text) != 10)
		return false;
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? text[i] != '-' : !isdigit((unsigned char) text[i]))
			return false;
	return true;
}

/* A real calendar date written YYYY-MM-DD. */
DateADT
tm_body_date(Jsonb *body, const char *field)
{
	char	   *text = tm_body_text(body, field, TM_PLACE_MAX);
	int			year,
				month,
				day,
				y,
				m,
				d;
	int			jd;

	if (!is_iso_date(text))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be a date written YYYY-MM-DD", field)));
	year = atoi(text);
	month = atoi(text + 5);
	day = atoi(text + 8);

	/* Converting to a Julian day and back catches 2021-02-30 and month 13. */
	jd = date2j(year, month, day);
	j2date(jd, &y, &m, &d);
	if (year < 1 || y != year || m != month || d != day)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" is not a calendar date: %s", field, text)));
	return jd - POSTGRES_EPOCH_JDATE;
}

/*
 * The body with `field` also under its alias: $1 with $2 renamed to $3, and whether the
 * two agree (true when $3 is absent or null).
 */
static TmStatement rename_field = {
	"SELECT ($1 - $2) || pg_catalog.jsonb_build_object($3, $1 -> $2), "
	"coalesce($1 -> $3 IN ('null', $1 -> $2), true)",
	3, {JSONBOID, TEXTOID, TEXTOID}
};

/*
 * The body with `alias` renamed to `field`, for clients of the original app that spell a
 * field another way; giving both with different values is invalid input. Call after
 * SPI_connect().
 */
Jsonb *
tm_body_alias(Jsonb *body, const char *field, const char *alias)
{
	Datum		args[3] = {JsonbPGetDatum(body), CStringGetTextDatum(alias), CStringGetTextDatum(field)};
	Jsonb	   *renamed;
	bool		isnull;

	if (!tm_body_has(body, alias))
		return body;
	renamed = tm_execute_jsonb(&rename_field, args, NULL);
	if (!DatumGetBool(tm_result(2, &isnull)))
		invalid_input("\"%s\" and \"%s\" are the same field: give one, or both equal", field, alias);
	return renamed;
}

/*
 * Whether argument argno is SQL NULL: every argument is read after this. A call with fewer
 * arguments than the function reads comes from SQL objects of another version (the package
 * was upgraded, ALTER EXTENSION ... UPDATE not yet run; spi.c refuses those too, but only
 * once a statement runs): refused before anything reads past the arguments.
 */
bool
tm_arg_is_null(FunctionCallInfo fcinfo, int argno)
{
	if (argno >= PG_NARGS())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ticketmonster's SQL objects are not at its library's version %s", TM_EXTVERSION),
				 errdetail("The function was called with %d arguments and reads argument %d.",
						   PG_NARGS(), argno + 1),
				 errhint("Run ALTER EXTENSION ticketmonster UPDATE as the extension's owner.")));
	return PG_ARGISNULL(argno);
}

char *
tm_arg_text(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (tm_arg_is_null(fcinfo, argno))
		invalid_input("%s is required", what);
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

int32
tm_arg_int(FunctionCallInfo fcinfo, int argno, const char *what)
{
	if (tm_arg_is_null(fcinfo, argno))
		invalid_input("%s is required", what);
	return PG_GETARG_INT32(argno);
}
