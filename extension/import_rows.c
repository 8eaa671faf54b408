/*
 * import_rows.c
 *		The fields of the original app's rows, as tm_import() (import.c) reads them from its
 *		source document: what each one is, or why it cannot be used.
 */
#include "import.h"

#include <errno.h>
#include <limits.h>

#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

/* ---- fields of a source row ---- */

/*
 * Each getter returns NULL when the field is usable, or why it is not. The reader sends
 * what the source holds: PostgreSQL values as text, SQLite values with their storage class
 * (a SQLite column may hold anything), so numbers are accepted as numbers or digits.
 */
static JsonbValue *
field(Jsonb *row, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&row->root, name, strlen(name), NULL);

	return (v == NULL || v->type == jbvNull) ? NULL : v;
}

const char *
import_get_string(Jsonb *row, const char *name, char **out)
{
	JsonbValue *v = field(row, name);

	if (v == NULL)
		return psprintf("%s is missing", name);
	if (v->type != jbvString)
		return psprintf("%s is not text", name);
	*out = pnstrdup(v->val.string.val, v->val.string.len);
	return NULL;
}

/* Trimmed, as the API trims what it is sent, and within the column's limit. */
const char *
import_get_text(Jsonb *row, const char *name, int max_chars, char **out)
{
	const char *why = import_get_string(row, name, out);
	char	   *s;
	int			len;

	if (why)
		return why;
	s = *out;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	*out = pnstrdup(s, len);
	if (len == 0)
		return psprintf("%s is empty", name);
	if (pg_mbstrlen(*out) > max_chars)
		return psprintf("%s \"%s\" is longer than %d characters", name, *out, max_chars);
	return NULL;
}

static bool
parse_whole(const char *s, int64 *out)
{
	char	   *end;
	long long	n;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return false;
	errno = 0;
	n = strtoll(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || *end != '\0' || n < INT_MIN || n > INT_MAX)
		return false;
	*out = n;
	return true;
}

/* *isnull set when the value is NULL (then NULL is returned as "usable"). */
const char *
import_get_int(Jsonb *row, const char *name, int32 *out, bool *isnull)
{
	JsonbValue *v = field(row, name);
	char	   *text;
	int64		n;

	*isnull = (v == NULL);
	if (v == NULL)
		return NULL;
	if (v->type == jbvNumeric)
		text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	else if (v->type == jbvString)
		text = pnstrdup(v->val.string.val, v->val.string.len);
	else
		return psprintf("%s is not a number", name);
	if (!parse_whole(text, &n))
		return psprintf("%s \"%s\" is not a whole number within 32 bits", name, text);
	*out = (int32) n;
	return NULL;
}

const char *
import_get_required_int(Jsonb *row, const char *name, int32 min, int32 *out)
{
	bool		isnull;
	const char *why = import_get_int(row, name, out, &isnull);

	if (why)
		return why;
	if (isnull)
		return psprintf("%s is missing", name);
	if (*out < min)
		return psprintf("%s %d is below %d", name, *out, min);
	return NULL;
}

/* is_admin: an Integer 0/1 in the original's models; a boolean in some deployments. */
const char *
import_get_flag(Jsonb *row, const char *name, bool *out)
{
	JsonbValue *v = field(row, name);
	int32		n;
	bool		isnull;
	const char *why;

	if (v != NULL && v->type == jbvBool)
	{
		*out = v->val.boolean;
		return NULL;
	}
	if (v != NULL && v->type == jbvString)
	{
		char	   *s = pnstrdup(v->val.string.val, v->val.string.len);

		if (pg_strcasecmp(s, "t") == 0 || pg_strcasecmp(s, "true") == 0)
			return (*out = true, NULL);
		if (pg_strcasecmp(s, "f") == 0 || pg_strcasecmp(s, "false") == 0)
			return (*out = false, NULL);
	}
	why = import_get_int(row, name, &n, &isnull);
	if (why == NULL && !isnull && (n == 0 || n == 1))
		return (*out = (n == 1), NULL);
	return psprintf("%s is neither 0 nor 1", name);
}

/* The original's event dates are strings; only a real calendar date YYYY-MM-DD is one. */
const char *
import_get_date(Jsonb *row, const char *name, DateADT *out)
{
	char	   *text;
	const char *why = import_get_text(row, name, 30, &text);
	int			y, m, d, jy, jm, jd;
	char		tail;

	if (why)
		return why;
	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
		text[4] != '-' || text[7] != '-')
		return psprintf("%s \"%s\" is not a date written YYYY-MM-DD", name, text);
	j2date(date2j(y, m, d), &jy, &jm, &jd);
	if (y < 1 || jy != y || jm != m || jd != d)
		return psprintf("%s \"%s\" is not a calendar date", name, text);
	*out = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
	return NULL;
}

/* ---- the source document ---- */

/* The rows of one table: an array of objects, required. */
JsonbContainer *
import_rows_of(Jsonb *source, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&source->root, name, strlen(name), NULL);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("the source has no \"%s\" array", name)));
	return v->val.binary.data;
}

int
import_row_count(JsonbContainer *rows)
{
	return JsonContainerSize(rows);
}

/* Row i as a Jsonb object of its own, or NULL when it is not an object. */
Jsonb *
import_row_at(JsonbContainer *rows, int i)
{
	JsonbValue *v = getIthJsonbValueFromContainer(rows, i);

	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return JsonbValueToJsonb(v);
}

char *
import_row_label_int(Jsonb *row, const char *name, int i)
{
	int32		id;
	bool		isnull;

	if (row && import_get_int(row, name, &id, &isnull) == NULL && !isnull)
		return psprintf("%d", id);
	return psprintf("#%d", i + 1);
}

