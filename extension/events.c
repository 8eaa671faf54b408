/*
 * events.c
 *		Events and their artists: GET /events, GET /event/<id>, POST /event, PUT /event/<id>,
 *		DELETE /event/<id>, GET /event/<id>/artists, GET /event/<id>/artist/<artist_id>,
 *		POST /event/<id>/artist, DELETE /event/<id>/artist/<artist_id>.
 */
#include "ticketmonster.h"

#include "access/xact.h"
#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/resowner.h"

/* The six fields of an event in a request body, validated. */
typedef struct EventFields
{
	char	   *name;
	char	   *place;
	char	   *city;
	DateADT		date;
	int32		price;
	int32		tickets;
} EventFields;

static TmStatement select_events = {
	"SELECT pg_catalog.jsonb_build_object('events', " TM_EVENT_LIST ") FROM " TM_EVENTS_FROM,
	0, {}
};

static TmStatement select_event = {
	"SELECT pg_catalog.jsonb_build_object('event', " TM_EVENT_JSON ") FROM " TM_EVENTS_FROM
	" WHERE e.id = $1",
	1, {INT4OID}
};

static TmStatement select_event_artists = {
	"SELECT pg_catalog.jsonb_build_object('artists', coalesce(ea.artists, '[]')) FROM " TM_EVENTS_FROM
	" WHERE e.id = $1",
	1, {INT4OID}
};

static TmStatement select_event_artist = {
	"SELECT pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON ") FROM event_artists l"
	" JOIN artists a ON a.id = l.artist_id WHERE l.event_id = $1 AND l.artist_id = $2",
	2, {INT4OID, INT4OID}
};

static TmStatement insert_event = {
	"INSERT INTO events (name, place, city, date, price, tickets_left)"
	" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name, date, city) DO NOTHING RETURNING id",
	6, {TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID}
};

/* Does nothing both when the event is gone and when another event has its new key. */
/*
 * Tickets left plus tickets sold must stay within 32 bits, or deleting a buyer's account
 * could not put its tickets back on sale.
 */
#define TICKETS_SOLD "(SELECT COALESCE(pg_catalog.sum(o.tickets_bought), 0) FROM orders o WHERE o.event_id = $1)"

static TmStatement update_event = {
	"UPDATE events SET name = $2, place = $3, city = $4, date = $5, price = $6,"
	" tickets_left = $7 WHERE id = $1 AND NOT EXISTS (SELECT FROM events d"
	" WHERE d.name = $2 AND d.date = $5 AND d.city = $4 AND d.id <> $1)"
	" AND $7::int8 + " TICKETS_SOLD " <= 2147483647",
	7, {INT4OID, TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID}
};

static TmStatement event_key_used = {
	"SELECT FROM events WHERE name = $2 AND date = $5 AND city = $4 AND id <> $1",
	7, {INT4OID, TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID}
};

static TmStatement tickets_sold = {
	"SELECT " TICKETS_SOLD,
	1, {INT4OID}
};

static TmStatement event_exists = {
	"SELECT FROM events WHERE id = $1",
	1, {INT4OID}
};

static TmStatement event_buyers = {
	"SELECT coalesce(pg_catalog.array_agg(DISTINCT username ORDER BY username), '{}')"
	" FROM orders WHERE event_id = $1",
	1, {INT4OID}
};

static TmStatement lock_buyers = {
	"SELECT FROM accounts WHERE username = ANY ($1) ORDER BY username FOR UPDATE",
	1, {TEXTARRAYOID}
};

static TmStatement lock_event = {
	"SELECT FROM events WHERE id = $1 FOR UPDATE",
	1, {INT4OID}
};

static TmStatement new_buyer = {
	"SELECT FROM orders WHERE event_id = $1 AND username <> ALL ($2) LIMIT 1",
	2, {INT4OID, TEXTARRAYOID}
};

/* The int8 products cannot overflow; a sum beyond any balance fails the column's range. */
static TmStatement refund_orders = {
	"WITH gone AS (DELETE FROM orders WHERE event_id = $1"
	" RETURNING username, tickets_bought::int8 * price AS paid) "
	"UPDATE accounts a SET available_money = a.available_money + r.paid"
	" FROM (SELECT username, pg_catalog.sum(paid)::int8 AS paid FROM gone GROUP BY username) r"
	" WHERE a.username = r.username",
	1, {INT4OID}
};

/* Its links go with it (ON DELETE CASCADE); its orders are gone already. */
static TmStatement delete_event = {
	"DELETE FROM events WHERE id = $1 "
	"RETURNING pg_catalog.jsonb_build_object('message', pg_catalog.format('event %s deleted', id))",
	1, {INT4OID}
};

/* Key share: the event cannot be deleted before the link is made. */
static TmStatement key_share_event = {
	"SELECT FROM events WHERE id = $1 FOR KEY SHARE",
	1, {INT4OID}
};

static TmStatement insert_link = {
	"INSERT INTO event_artists (event_id, artist_id) VALUES ($1, $2)"
	" ON CONFLICT DO NOTHING RETURNING 1",
	2, {INT4OID, INT4OID}
};

static TmStatement delete_link = {
	"DELETE FROM event_artists WHERE event_id = $1 AND artist_id = $2 RETURNING"
	" pg_catalog.jsonb_build_object('message', pg_catalog.format('artist %s removed from event %s', artist_id, event_id))",
	2, {INT4OID, INT4OID}
};

static void
event_not_found(int32 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("event %d does not exist", id)));
}

static void
event_key_taken(const EventFields *fields)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_DUPLICATE),
			 errmsg("an event named \"%s\" already takes place in %s on that date",
					fields->name, fields->city)));
}

static void
link_not_found(int32 event_id, int32 artist_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("artist %d is not in event %d", artist_id, event_id)));
}

static EventFields
body_event(Jsonb *body)
{
	EventFields fields;

	fields.name = tm_body_text(body, "name", TM_NAME_MAX);
	fields.place = tm_body_text(body, "place", TM_PLACE_MAX);
	fields.city = tm_body_text(body, "city", TM_PLACE_MAX);
	fields.date = tm_body_date(body, "date");
	fields.price = tm_body_int(body, "price", 0);
	fields.tickets = tm_body_int(body, "total_available_tickets", 0);
	return fields;
}

/* Runs one of the statements above that take the event id as $1; 404 without a row. */
static Jsonb *
event_result(TmStatement *stmt, int32 id)
{
	Datum		args[1] = {Int32GetDatum(id)};
	Jsonb	   *result = tm_execute_jsonb(stmt, args, NULL);

	if (result == NULL)
		event_not_found(id);
	return result;
}

PG_FUNCTION_INFO_V1(tm_events);
Datum
tm_events(PG_FUNCTION_ARGS)
{
	Jsonb	   *result;

	SPI_connect();
	result = tm_execute_jsonb(&select_events, NULL, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event);
Datum
tm_event(PG_FUNCTION_ARGS)
{
	int32		id = tm_arg_int(fcinfo, 0, "the event id");
	Jsonb	   *result;

	SPI_connect();
	result = event_result(&select_event, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event_artists);
Datum
tm_event_artists(PG_FUNCTION_ARGS)
{
	int32		id = tm_arg_int(fcinfo, 0, "the event id");
	Jsonb	   *result;

	SPI_connect();
	result = event_result(&select_event_artists, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event_artist);
Datum
tm_event_artist(PG_FUNCTION_ARGS)
{
	Datum		args[2];
	Jsonb	   *result;

	args[0] = Int32GetDatum(tm_arg_int(fcinfo, 0, "the event id"));
	args[1] = Int32GetDatum(tm_arg_int(fcinfo, 1, "the artist id"));
	SPI_connect();
	result = tm_execute_jsonb(&select_event_artist, args, NULL);
	if (result == NULL)
		link_not_found(DatumGetInt32(args[0]), DatumGetInt32(args[1]));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event_create);
Datum
tm_event_create(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	EventFields fields;
	Datum		args[6];
	bool		isnull;
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	fields = body_event(tm_body(fcinfo, 1));

	args[0] = TM_TEXT(fields.name);
	args[1] = TM_TEXT(fields.place);
	args[2] = TM_TEXT(fields.city);
	args[3] = DateADTGetDatum(fields.date);
	args[4] = Int32GetDatum(fields.price);
	args[5] = Int32GetDatum(fields.tickets);
	if (tm_execute(&insert_event, args, NULL) == 0)
		event_key_taken(&fields);
	result = event_result(&select_event, DatumGetInt32(tm_result(1, &isnull)));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/* The event's row alone is locked: its orders keep the price they were bought at. */
PG_FUNCTION_INFO_V1(tm_event_update);
Datum
tm_event_update(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	int32		id;
	EventFields fields;
	Datum		args[7];
	Jsonb	   *result;
	bool		isnull;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	id = tm_arg_int(fcinfo, 1, "the event id");
	fields = body_event(tm_body(fcinfo, 2));

	args[0] = Int32GetDatum(id);
	args[1] = TM_TEXT(fields.name);
	args[2] = TM_TEXT(fields.place);
	args[3] = TM_TEXT(fields.city);
	args[4] = DateADTGetDatum(fields.date);
	args[5] = Int32GetDatum(fields.price);
	args[6] = Int32GetDatum(fields.tickets);
	if (tm_execute(&update_event, args, NULL) == 0)
	{
		/* Nothing updated: a missing event, a taken (name, date, city), or too many tickets. */
		if (tm_execute(&event_exists, args, NULL) == 0)
			event_not_found(id);
		if (tm_execute(&event_key_used, args, NULL) > 0)
			event_key_taken(&fields);
		tm_execute(&tickets_sold, args, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"total_available_tickets\" plus the tickets already sold must be at most 2147483647"),
				 errdetail(INT64_FORMAT " tickets of event %d are sold.",
						   DatumGetInt64(tm_result(1, &isnull)), id)));
	}
	result = event_result(&select_event, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/*
 * One attempt at locking the accounts of the event's buyers, then the event. Returns
 * false when a purchase committed between listing the buyers and locking the event, so
 * that some buyer's account is not locked.
 */
static bool
lock_buyers_then_event(int32 id)
{
	Datum		args[2];
	bool		isnull;

	args[0] = Int32GetDatum(id);
	tm_execute(&event_buyers, args, NULL);
	args[1] = tm_result(1, &isnull);
	tm_execute(&lock_buyers, &args[1], NULL);
	if (tm_execute(&lock_event, args, NULL) == 0)
		event_not_found(id);
	return tm_execute(&new_buyer, args, NULL) == 0;
}

/*
 * Lock every buyer's account and then the event, following the extension's lock order
 * (accounts before events), for refunding the buyers.
 *
 * The buyers are only known by reading the orders, and a purchase holds its buyer's
 * account while it waits for the event; so once this holds the event it must not wait
 * for an account, or the two deadlock. Each attempt runs in a subtransaction: when a
 * purchase by a new buyer committed before the event was locked, the attempt is rolled
 * back, which releases its row locks, and the next one lists that buyer too. Once the
 * event is locked no purchase of it can commit, so the list is final.
 */
static void
lock_for_delete(int32 id)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	bool		locked = false;

	while (!locked)
	{
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(oldcontext);
		PG_TRY();
		{
			locked = lock_buyers_then_event(id);
		}
		PG_CATCH();
		{
			/* Close the subtransaction here, so that a caller's handler sees its own. */
			ErrorData  *edata;

			MemoryContextSwitchTo(oldcontext);
			edata = CopyErrorData();
			FlushErrorState();
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(oldcontext);
			CurrentResourceOwner = oldowner;
			ReThrowError(edata);
		}
		PG_END_TRY();

		if (locked)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		CHECK_FOR_INTERRUPTS();
	}
}

PG_FUNCTION_INFO_V1(tm_event_delete);
Datum
tm_event_delete(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	int32		id;
	Datum		args[1];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	id = tm_arg_int(fcinfo, 1, "the event id");

	lock_for_delete(id);
	args[0] = Int32GetDatum(id);
	tm_execute(&refund_orders, args, NULL);
	result = event_result(&delete_event, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event_artist_add);
Datum
tm_event_artist_add(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	int32		id;
	Jsonb	   *body;
	Datum		args[2];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	id = tm_arg_int(fcinfo, 1, "the event id");
	body = tm_body(fcinfo, 2);

	/* Events before artists, the order in which the link's foreign keys lock them. */
	args[0] = Int32GetDatum(id);
	if (tm_execute(&key_share_event, args, NULL) == 0)
		event_not_found(id);
	args[1] = Int32GetDatum(tm_artist_for_link(body));
	if (tm_execute(&insert_link, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_DUPLICATE),
				 errmsg("artist %d is already in event %d", DatumGetInt32(args[1]), id)));
	result = event_result(&select_event, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_event_artist_remove);
Datum
tm_event_artist_remove(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Datum		args[2];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	args[0] = Int32GetDatum(tm_arg_int(fcinfo, 1, "the event id"));
	args[1] = Int32GetDatum(tm_arg_int(fcinfo, 2, "the artist id"));

	result = tm_execute_jsonb(&delete_link, args, NULL);
	if (result == NULL)
		link_not_found(DatumGetInt32(args[0]), DatumGetInt32(args[1]));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}
