/*
 * sales.c
 *		The organiser's figures, for admins: GET /sales (per event, with totals; also as
 *		CSV) and GET /sales/daily (tickets and revenue per day, for the dashboard's chart).
 *
 * Each answer is one statement over orders and tickets, so its rows and totals come from
 * one snapshot and agree with each other. "sold" and "revenue" count confirmed orders;
 * cancelled and refunded orders count as refunds. A day's figures are the orders bought
 * that day (UTC) that are still confirmed, so the days add up to "sold" and "revenue".
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

/*
 * One row per event, cancelled (deleted) events included: their orders are refunds. A
 * cancelled event has nothing on sale, so its capacity and tickets left count as 0.
 */
#define TM_SALES_ROWS \
	"WITH rows AS (" \
	" SELECT e.id, e.name, e.date, e.deleted_at IS NOT NULL AS cancelled," \
	"  CASE WHEN e.deleted_at IS NULL THEN e.tickets_left + e.tickets_sold ELSE 0 END AS capacity," \
	"  coalesce(o.sold, 0) AS sold," \
	"  CASE WHEN e.deleted_at IS NULL THEN e.tickets_left ELSE 0 END AS left_," \
	"  coalesce(o.revenue, 0) AS revenue," \
	"  coalesce(o.refunded_tickets, 0) AS refunded_tickets," \
	"  coalesce(o.refunded_amount, 0) AS refunded_amount," \
	"  coalesce(c.checked_in, 0) AS checked_in" \
	" FROM events e" \
	" LEFT JOIN (SELECT event_id," \
	"   pg_catalog.sum(tickets_bought) FILTER (WHERE status = 'confirmed') AS sold," \
	"   pg_catalog.sum(tickets_bought::int8 * price) FILTER (WHERE status = 'confirmed') AS revenue," \
	"   pg_catalog.sum(tickets_bought) FILTER (WHERE status <> 'confirmed') AS refunded_tickets," \
	"   pg_catalog.sum(tickets_bought::int8 * price) FILTER (WHERE status <> 'confirmed') AS refunded_amount" \
	"  FROM orders GROUP BY event_id) o ON o.event_id = e.id" \
	" LEFT JOIN (SELECT o.event_id, pg_catalog.count(*) AS checked_in" \
	"  FROM tickets t JOIN orders o ON o.id = t.order_id" \
	"  WHERE t.checked_in_at IS NOT NULL GROUP BY o.event_id) c ON c.event_id = e.id)"

static TmStatement sales_json = {
	TM_SALES_ROWS
	" SELECT pg_catalog.jsonb_build_object("
	"'events', coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
	"  'id', id, 'name', name, 'date', pg_catalog.to_char(date, 'YYYY-MM-DD'), 'cancelled', cancelled,"
	"  'capacity', capacity, 'sold', sold, 'left', left_, 'revenue', revenue,"
	"  'refunded_tickets', refunded_tickets, 'refunded_amount', refunded_amount,"
	"  'checked_in', checked_in) ORDER BY date, id), '[]'),"
	" 'totals', pg_catalog.jsonb_build_object("
	"  'events', pg_catalog.count(*) FILTER (WHERE NOT cancelled),"
	"  'capacity', coalesce(pg_catalog.sum(capacity), 0), 'sold', coalesce(pg_catalog.sum(sold), 0),"
	"  'left', coalesce(pg_catalog.sum(left_), 0), 'revenue', coalesce(pg_catalog.sum(revenue), 0),"
	"  'refunded_tickets', coalesce(pg_catalog.sum(refunded_tickets), 0),"
	"  'refunded_amount', coalesce(pg_catalog.sum(refunded_amount), 0),"
	"  'checked_in', coalesce(pg_catalog.sum(checked_in), 0)))"
	" FROM rows",
	0, {}
};

/*
 * The same rows as CSV (RFC 4180: CRLF, every name quoted). A name that a spreadsheet would
 * read as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, so opening the
 * file never runs what an admin typed as an event name.
 */
#define TM_CSV_TEXT(x) \
	"'\"' || pg_catalog.replace(CASE WHEN " x " ~ '^[=+@\\t\\r-]' THEN '''' || " x " ELSE " x " END," \
	" '\"', '\"\"') || '\"'"

static TmStatement sales_csv = {
	TM_SALES_ROWS
	" SELECT pg_catalog.to_jsonb('id,name,date,cancelled,capacity,sold,left,revenue,refunded_tickets,"
	"refunded_amount,checked_in' || E'\\r\\n' || coalesce(pg_catalog.string_agg(pg_catalog.concat_ws(',',"
	"  id, " TM_CSV_TEXT("name") ", pg_catalog.to_char(date, 'YYYY-MM-DD'), cancelled::text, capacity, sold,"
	"  left_, revenue, refunded_tickets, refunded_amount, checked_in) || E'\\r\\n',"
	"  '' ORDER BY date, id), ''))"
	" FROM rows",
	0, {}
};

/* Every day from the first sale to the last, days without sales included (a chart's axis). */
static TmStatement sales_daily = {
	"WITH sales AS ("
	" SELECT (created_at AT TIME ZONE 'UTC')::date AS day, tickets_bought, price"
	" FROM orders WHERE status = 'confirmed' AND ($1 IS NULL OR event_id = $1)),"
	" days AS (SELECT d::date AS day FROM pg_catalog.generate_series((SELECT pg_catalog.min(day) FROM sales),"
	"  (SELECT pg_catalog.max(day) FROM sales), interval '1 day') AS d)"
	" SELECT pg_catalog.jsonb_build_object('days', coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object("
	"  'day', pg_catalog.to_char(days.day, 'YYYY-MM-DD'), 'tickets', coalesce(s.tickets, 0),"
	"  'revenue', coalesce(s.revenue, 0)) ORDER BY days.day), '[]'))"
	" FROM days LEFT JOIN (SELECT day, pg_catalog.sum(tickets_bought) AS tickets,"
	"  pg_catalog.sum(tickets_bought::int8 * price) AS revenue FROM sales GROUP BY day) s"
	" ON s.day = days.day",
	1, {INT4OID}
};

static TmStatement event_exists = {
	"SELECT 1 FROM events WHERE id = $1",
	1, {INT4OID}
};

PG_FUNCTION_INFO_V1(tm_sales);

/* tm_sales(token, format): format NULL or 'json' → the object; 'csv' → a JSON string of CSV */
Datum
tm_sales(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	const char *format = tm_arg_is_null(fcinfo, 1) ? "json" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	Jsonb	   *response;

	if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("unknown format \"%s\"", format),
				 errhint("Use format=csv, or leave it out for JSON.")));

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	response = tm_execute_jsonb(strcmp(format, "csv") == 0 ? &sales_csv : &sales_json, NULL, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

PG_FUNCTION_INFO_V1(tm_sales_daily);

/* tm_sales_daily(token, event_id): every event's sales when event_id is NULL */
Datum
tm_sales_daily(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Datum		args[1];
	char		nulls[1] = {tm_arg_is_null(fcinfo, 1) ? 'n' : ' '};
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	args[0] = tm_arg_is_null(fcinfo, 1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	if (!tm_arg_is_null(fcinfo, 1) && tm_execute(&event_exists, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_FOUND),
				 errmsg("event %d does not exist", PG_GETARG_INT32(1))));
	response = tm_execute_jsonb(&sales_daily, args, nulls);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}
