/*
 * event_json.c
 *		Events as the API shows them, built here from plain rows.
 *
 * The list of events is what every web process refreshes while tickets sell (up to 50 times a
 * second, docs/caching.md) and people reload it. Built in SQL with jsonb_build_object and
 * jsonb_agg, a list of 50 events took 2.9 ms, mostly those variadic functions' per-call work;
 * built here from one query's rows, 1.3 ms (its output included).
 * The value is the same: jsonb orders an object's keys itself, whatever order they come in.
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

/* The columns of TM_EVENT_ROWS, 1-based. */
enum
{
	COL_ID = 1, COL_NAME, COL_PLACE, COL_CITY, COL_DATE, COL_PRICE, COL_LEFT, COL_CAPACITY,
	COL_TIME, COL_MAX_PER_ACCOUNT, COL_VERSION, COL_PAST, COL_IMAGE_URL,
	COL_ARTIST_ID, COL_ARTIST_NAME, COL_ARTIST_COUNTRY, COL_ARTIST_GENRE,
	COL_COUNT = COL_ARTIST_GENRE
};

typedef enum ValueKind
{
	KIND_INT, KIND_TEXT, KIND_BOOL
} ValueKind;

typedef struct Field
{
	const char *key;
	int			column;
	ValueKind	kind;
} Field;

static const Field event_fields[] = {
	{"id", COL_ID, KIND_INT},
	{"name", COL_NAME, KIND_TEXT},
	{"place", COL_PLACE, KIND_TEXT},
	{"city", COL_CITY, KIND_TEXT},
	{"date", COL_DATE, KIND_TEXT},
	{"price", COL_PRICE, KIND_INT},
	{"total_available_tickets", COL_LEFT, KIND_INT},
	{"capacity", COL_CAPACITY, KIND_INT},
	{"time", COL_TIME, KIND_TEXT},
	{"max_tickets_per_account", COL_MAX_PER_ACCOUNT, KIND_INT},
	{"version", COL_VERSION, KIND_INT},
	{"past", COL_PAST, KIND_BOOL},
	{"image_url", COL_IMAGE_URL, KIND_TEXT},
};

static const Field artist_fields[] = {
	{"id", COL_ARTIST_ID, KIND_INT},
	{"name", COL_ARTIST_NAME, KIND_TEXT},
	{"country", COL_ARTIST_COUNTRY, KIND_TEXT},
	{"genre", COL_ARTIST_GENRE, KIND_TEXT},
};

static void
push_key(JsonbParseState **state, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &v);
}

/* One row of the last result, its columns taken apart once. */
typedef struct Row
{
	Datum		values[COL_COUNT];
	bool		nulls[COL_COUNT];
} Row;

/* The fields of a row, as keys and values of the open object. */
static void
push_fields(JsonbParseState **state, const Field *fields, int nfields, const Row *row)
{
	for (int i = 0; i < nfields; i++)
	{
		Datum		d = row->values[fields[i].column - 1];
		JsonbValue	v;

		push_key(state, fields[i].key);
		if (row->nulls[fields[i].column - 1])
			v.type = jbvNull;
		else if (fields[i].kind == KIND_INT)
		{
			v.type = jbvNumeric;
			v.val.numeric = int64_to_numeric(DatumGetInt32(d));
		}
		else if (fields[i].kind == KIND_BOOL)
		{
			v.type = jbvBool;
			v.val.boolean = DatumGetBool(d);
		}
		else
		{
			text	   *t = DatumGetTextPP(d);

			v.type = jbvString;
			v.val.string.val = VARDATA_ANY(t);
			v.val.string.len = VARSIZE_ANY_EXHDR(t);
		}
		pushJsonbValue(state, WJB_VALUE, &v);
	}
}

/* The event of rows[0..n-1]: one row per artist, or one with NULL artist columns. */
static void
push_event(JsonbParseState **state, const Row *rows, int n)
{
	pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
	push_fields(state, event_fields, lengthof(event_fields), &rows[0]);
	push_key(state, "artists");
	pushJsonbValue(state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < n; i++)
	{
		if (rows[i].nulls[COL_ARTIST_ID - 1])
			continue;
		pushJsonbValue(state, WJB_BEGIN_OBJECT, NULL);
		push_fields(state, artist_fields, lengthof(artist_fields), &rows[i]);
		pushJsonbValue(state, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(state, WJB_END_ARRAY, NULL);
	pushJsonbValue(state, WJB_END_OBJECT, NULL);
}

/* Pushes the events of the last result, in its order (an event's rows are adjacent). */
static int
push_events(JsonbParseState **state)
{
	uint64		nrows = SPI_processed;
	Row		   *rows = palloc(Max(nrows, 1) * sizeof(Row));
	int			nevents = 0;

	/* heap_deform_tuple fills as many columns as the result has */
	if (SPI_tuptable->tupdesc->natts != COL_COUNT)
		elog(ERROR, "an event row has %d columns, not %d", SPI_tuptable->tupdesc->natts, COL_COUNT);
	for (uint64 i = 0; i < nrows; i++)
		heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, rows[i].values, rows[i].nulls);
	for (uint64 first = 0, end; first < nrows; first = end)
	{
		for (end = first + 1; end < nrows; end++)
			if (DatumGetInt32(rows[end].values[COL_ID - 1]) != DatumGetInt32(rows[first].values[COL_ID - 1]))
				break;
		push_event(state, &rows[first], (int) (end - first));
		nevents++;
	}
	return nevents;
}

/* The object being finished as a jsonb, copied out of SPI's memory (see tm_execute_jsonb). */
static Jsonb *
finish(JsonbParseState **state)
{
	Jsonb	   *result = JsonbValueToJsonb(pushJsonbValue(state, WJB_END_OBJECT, NULL));

	return (Jsonb *) DatumGetPointer(SPI_datumTransfer(PointerGetDatum(result), false, -1));
}

/* {"events": [...]}: the events `stmt` (TM_EVENT_ROWS) selects, in its order. */
Jsonb *
tm_event_list(TmStatement *stmt, Datum *args)
{
	JsonbParseState *state = NULL;

	tm_execute(stmt, args, NULL);
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_key(&state, "events");
	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	push_events(&state);
	pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	return finish(&state);
}

/* {"event": {...}}: the one event `stmt` (TM_EVENT_ROWS) selects, or NULL if none. */
Jsonb *
tm_event_one(TmStatement *stmt, Datum *args)
{
	JsonbParseState *state = NULL;

	if (tm_execute(stmt, args, NULL) == 0)
		return NULL;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	push_key(&state, "event");
	if (push_events(&state) != 1)
		elog(ERROR, "one event expected");
	return finish(&state);
}
