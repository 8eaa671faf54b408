/*
 * events.c
 *		Events and their artists: GET /events, GET /event/<id>, POST /event, PUT /event/<id>,
 *		DELETE /event/<id>, GET /event/<id>/artists, GET /event/<id>/artist/<artist_id>,
 *		POST /event/<id>/artist, DELETE /event/<id>/artist/<artist_id>.
 */
#include "ticketmonster.h"

#include <ctype.h>

#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

/*
 * The fields of an event in a request body, validated. For the optional ones, "given" is
 * whether the body names them at all: a PUT of an old client, which knows only the six
 * fields of 1.0, leaves the others as they are; a JSON null clears them.
 */
typedef struct EventFields
{
	char	   *name;
	char	   *place;
	char	   *city;
	DateADT		date;
	int32		price;
	bool		has_capacity;	/* capacity: the tickets on sale in total */
	int32		capacity;
	bool		has_left;		/* total_available_tickets: what is left (1.0's meaning) */
	int32		left;
	bool		time_given;
	char	   *time;			/* "HH:MM", or NULL */
	bool		max_given;
	int32		max_per_account;	/* 0: no limit */
	bool		image_given;
	char	   *image_url;		/* NULL: none */
} EventFields;

#define TM_IMAGE_URL_MAX 200

static TmStatement select_events = {
	TM_EVENT_ROWS(TM_EVENT_LIVE " AND ($1 = 'all' OR ($1 = 'past') = " TM_EVENT_PAST ")"),
	1, {TEXTOID}
};

static TmStatement select_event = {
	TM_EVENT_ROWS("e.id = $1 AND " TM_EVENT_LIVE),
	1, {INT4OID}
};

static TmStatement select_event_artists = {
	"SELECT pg_catalog.jsonb_build_object('artists', coalesce((SELECT pg_catalog.jsonb_agg(" TM_ARTIST_JSON
	" ORDER BY a.name) FROM event_artists l JOIN artists a ON a.id = l.artist_id WHERE l.event_id = e.id), '[]'))"
	" FROM events e WHERE e.id = $1 AND " TM_EVENT_LIVE,
	1, {INT4OID}
};

static TmStatement select_event_artist = {
	"SELECT pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON ") FROM event_artists l"
	" JOIN artists a ON a.id = l.artist_id JOIN events e ON e.id = l.event_id"
	" WHERE l.event_id = $1 AND l.artist_id = $2 AND " TM_EVENT_LIVE,
	2, {INT4OID, INT4OID}
};

/* On create, capacity and what is left are the same: nothing is sold yet. */
static TmStatement insert_event = {
	"INSERT INTO events (name, place, city, date, price, tickets_left, start_time,"
	" max_tickets_per_account, image_url)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7::time, $8, $9)"
	" ON CONFLICT (name, date, city) WHERE deleted_at IS NULL DO NOTHING RETURNING id",
	9, {TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID, TEXTOID, INT4OID, TEXTOID}
};

/* The live event, locked for an edit: its version (as text, compared with If-Match), sold. */
static TmStatement lock_event_for_edit = {
	"SELECT version::text, tickets_sold FROM events"
	" WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
	1, {INT4OID}
};

/*
 * $7: a new capacity (NULL: none given), $8: a new count of what is left (1.0's meaning,
 * used when no capacity is given). What is sold stays sold either way.
 */
static TmStatement update_event = {
	"UPDATE events SET name = $2, place = $3, city = $4, date = $5, price = $6,"
	" tickets_left = coalesce($7 - tickets_sold, $8),"
	" start_time = CASE WHEN $9 THEN $10::time ELSE start_time END,"
	" max_tickets_per_account = CASE WHEN $11 THEN $12 ELSE max_tickets_per_account END,"
	" image_url = CASE WHEN $13 THEN $14 ELSE image_url END,"
	" version = version + 1"
	" WHERE id = $1",
	14, {INT4OID, TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID, INT4OID,
		BOOLOID, TEXTOID, BOOLOID, INT4OID, BOOLOID, TEXTOID}
};

static TmStatement event_key_used = {
	"SELECT FROM events WHERE name = $2 AND date = $5 AND city = $4 AND id <> $1"
	" AND deleted_at IS NULL",
	5, {INT4OID, TEXTOID, TEXTOID, TEXTOID, DATEOID}
};

/* Buyers whose money goes back: those of the confirmed orders. */
static TmStatement event_buyers = {
	"SELECT coalesce(pg_catalog.array_agg(DISTINCT username ORDER BY username), '{}')"
	" FROM orders WHERE event_id = $1 AND status = 'confirmed'",
	1, {INT4OID}
};

static TmStatement lock_buyers = {
	"SELECT FROM accounts WHERE username = ANY ($1) ORDER BY username FOR UPDATE",
	1, {TEXTARRAYOID}
};

static TmStatement lock_event = {
	"SELECT FROM events WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
	1, {INT4OID}
};

static TmStatement new_buyer = {
	"SELECT FROM orders WHERE event_id = $1 AND status = 'confirmed'"
	" AND username <> ALL ($2) LIMIT 1",
	2, {INT4OID, TEXTARRAYOID}
};

/*
 * Every confirmed order of the event becomes refunded and its money goes back. The int8
 * products cannot overflow; a sum beyond any balance fails the column's range.
 */
static TmStatement refund_orders = {
	"WITH gone AS (UPDATE orders SET status = 'refunded', ended_at = pg_catalog.now()"
	" WHERE event_id = $1 AND status = 'confirmed'"
	" RETURNING username, tickets_bought::int8 * price AS paid) "
	"UPDATE accounts a SET available_money = a.available_money + r.paid"
	" FROM (SELECT username, pg_catalog.sum(paid)::int8 AS paid FROM gone GROUP BY username) r"
	" WHERE a.username = r.username",
	1, {INT4OID}
};

/*
 * The event is kept, marked, for the histories of its buyers: the API answers 404 for it.
 * Its tickets are all unsold again, so that capacity = sold + left still holds.
 */
static TmStatement delete_event = {
	"UPDATE events SET deleted_at = pg_catalog.now(), tickets_left = tickets_left + tickets_sold,"
	" tickets_sold = 0, version = version + 1"
	" WHERE id = $1 AND deleted_at IS NULL "
	"RETURNING pg_catalog.jsonb_build_object('message', pg_catalog.format('event %s deleted', id))",
	1, {INT4OID}
};

/*
 * An event's body shows its artists, and its version names its body (the ETag that
 * If-None-Match is answered with): linking or unlinking one is a change of the event.
 */
static TmStatement bump_event = {
	"UPDATE events SET version = version + 1 WHERE id = $1 AND deleted_at IS NULL",
	1, {INT4OID}, true
};

static TmStatement insert_link = {
	"INSERT INTO event_artists (event_id, artist_id) VALUES ($1, $2)"
	" ON CONFLICT DO NOTHING RETURNING 1",
	2, {INT4OID, INT4OID}
};

static TmStatement delete_link = {
	"WITH l AS (DELETE FROM event_artists l USING events e WHERE e.id = l.event_id AND " TM_EVENT_LIVE
	" AND l.event_id = $1 AND l.artist_id = $2 RETURNING l.event_id, l.artist_id), "
	"bumped AS (UPDATE events e SET version = e.version + 1 FROM l WHERE e.id = l.event_id) "
	"SELECT pg_catalog.jsonb_build_object('message',"
	" pg_catalog.format('artist %s removed from event %s', l.artist_id, l.event_id)) FROM l",
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

/* "HH:MM", 00:00 to 23:59. */
static char *
body_time(Jsonb *body, const char *field)
{
	char	   *text = tm_body_text(body, field, TM_PLACE_MAX);

	if (strlen(text) != 5 || text[2] != ':' ||
		!isdigit((unsigned char) text[0]) || !isdigit((unsigned char) text[1]) ||
		!isdigit((unsigned char) text[3]) || !isdigit((unsigned char) text[4]) ||
		atoi(text) > 23 || atoi(text + 3) > 59)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be a time of day written HH:MM", field)));
	return text;
}

/*
 * A path under /static/ (the frontend's own files), so that an event page never makes the
 * browser fetch from elsewhere; the table's constraint says the same.
 */
static char *
body_image_url(Jsonb *body, const char *field)
{
	char	   *text = tm_body_text(body, field, TM_IMAGE_URL_MAX);
	const char *rest = text + strlen("/static/");
	bool		ok = strncmp(text, "/static/", strlen("/static/")) == 0 && *rest != '\0' &&
		*rest != '.' && *rest != '/' && strlen(text) <= TM_IMAGE_URL_MAX - 1 &&
		strstr(text, "..") == NULL && strstr(text, "//") == NULL;

	for (const char *p = rest; ok && *p; p++)
		ok = isalnum((unsigned char) *p) || strchr("._/-", *p) != NULL;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"%s\" must be a path under /static/ (letters, digits, . _ - /)", field),
				 errhint("Put the image in the frontend's static folder.")));
	return text;
}

/*
 * The fields of POST and PUT. `capacity` or `total_available_tickets` (at least one) gives
 * the stock; the optional fields are read only when given.
 */
static EventFields
body_event(Jsonb *body)
{
	EventFields fields;

	fields.name = tm_body_text(body, "name", TM_NAME_MAX);
	fields.place = tm_body_text(body, "place", TM_PLACE_MAX);
	fields.city = tm_body_text(body, "city", TM_PLACE_MAX);
	fields.date = tm_body_date(body, "date");
	fields.price = tm_body_int(body, "price", 0);
	fields.has_capacity = tm_body_has(body, "capacity");
	fields.capacity = fields.has_capacity ? tm_body_int(body, "capacity", 0) : 0;
	fields.has_left = tm_body_has(body, "total_available_tickets") || !fields.has_capacity;
	fields.left = fields.has_left ? tm_body_int(body, "total_available_tickets", 0) : 0;

	fields.time_given = tm_body_given(body, "time");
	fields.time = tm_body_has(body, "time") ? body_time(body, "time") : NULL;
	fields.max_given = tm_body_given(body, "max_tickets_per_account");
	fields.max_per_account = tm_body_has(body, "max_tickets_per_account")
		? tm_body_int(body, "max_tickets_per_account", 1) : 0;
	fields.image_given = tm_body_given(body, "image_url");
	fields.image_url = tm_body_has(body, "image_url") ? body_image_url(body, "image_url") : NULL;
	return fields;
}

/* The body of POST or PUT; clients of the original app may say "available_tickets". */
static Jsonb *
event_body(FunctionCallInfo fcinfo, int argno)
{
	return tm_body_alias(tm_body(fcinfo, argno), "total_available_tickets", "available_tickets");
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

/* An event as GET /event/<id> shows it; 404 when there is none (or it was deleted). */
static Jsonb *
live_event(int32 id)
{
	Datum		args[1] = {Int32GetDatum(id)};
	Jsonb	   *result = tm_event_one(&select_event, args);

	if (result == NULL)
		event_not_found(id);
	return result;
}

/* tm_events(when): "upcoming", "past" or "all" (the default, as 1.0 listed them). */
PG_FUNCTION_INFO_V1(tm_events);
Datum
tm_events(PG_FUNCTION_ARGS)
{
	char	   *when = tm_arg_is_null(fcinfo, 0) ? "all" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	Datum		args[1];
	Jsonb	   *result;

	if (when[0] == '\0')
		when = "all";
	if (strcmp(when, "all") != 0 && strcmp(when, "upcoming") != 0 && strcmp(when, "past") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"when\" must be upcoming, past or all")));
	args[0] = TM_TEXT(when);
	SPI_connect();
	result = tm_event_list(&select_events, args);
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
	result = live_event(id);
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
	Datum		args[9];
	char		nulls[9] = "         ";
	bool		isnull;
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	fields = body_event(event_body(fcinfo, 1));

	args[0] = TM_TEXT(fields.name);
	args[1] = TM_TEXT(fields.place);
	args[2] = TM_TEXT(fields.city);
	args[3] = DateADTGetDatum(fields.date);
	args[4] = Int32GetDatum(fields.price);
	args[5] = Int32GetDatum(fields.has_capacity ? fields.capacity : fields.left);
	args[6] = fields.time ? TM_TEXT(fields.time) : (nulls[6] = 'n', (Datum) 0);
	args[7] = fields.max_per_account ? Int32GetDatum(fields.max_per_account)
		: (nulls[7] = 'n', (Datum) 0);
	args[8] = fields.image_url ? TM_TEXT(fields.image_url) : (nulls[8] = 'n', (Datum) 0);
	if (tm_execute(&insert_event, args, nulls) == 0)
		event_key_taken(&fields);
	result = live_event(DatumGetInt32(tm_result(1, &isnull)));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/*
 * Does the client's precondition hold for the event's current version? `if_match` is the
 * If-Match header (a list of entity tags, or *), `version` a version field of the body;
 * either may be absent (NULL). Entity tags are compared strongly, as If-Match requires:
 * a weak one never matches.
 */
static bool
precondition_holds(const char *if_match, const char *version, const char *current)
{
	if (version != NULL && strcmp(version, current) != 0)
		return false;
	if (if_match != NULL)
	{
		char	   *list = pstrdup(if_match);
		char	   *saveptr = NULL;
		bool		matched = false;

		for (char *tag = strtok_r(list, ",", &saveptr); tag && !matched;
			 tag = strtok_r(NULL, ",", &saveptr))
		{
			size_t		len;

			while (isspace((unsigned char) *tag))
				tag++;
			len = strlen(tag);
			while (len > 0 && isspace((unsigned char) tag[len - 1]))
				tag[--len] = '\0';
			if (strcmp(tag, "*") == 0)
				matched = true;
			else if (len >= 2 && tag[0] == '"' && tag[len - 1] == '"')
				matched = len - 2 == strlen(current) && strncmp(tag + 1, current, len - 2) == 0;
		}
		return matched;
	}
	return true;
}

/* The body's "version" as canonical decimal text, or NULL when absent. */
static char *
body_version(Jsonb *body)
{
	if (!tm_body_has(body, "version"))
		return NULL;
	return psprintf("%d", tm_body_int(body, "version", 1));
}

/*
 * tm_event_update(token, id, body, if_match). The event's row alone is locked, first, so
 * that the version checked is the one replaced: a sale in between makes a stale edit a 412
 * instead of putting sold tickets back on sale. Orders keep the price they were bought at.
 */
PG_FUNCTION_INFO_V1(tm_event_update);
Datum
tm_event_update(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	int32		id;
	Jsonb	   *body;
	EventFields fields;
	char	   *if_match;
	char	   *current;
	int32		sold;
	Datum		args[14];
	char		nulls[14] = "              ";
	Jsonb	   *result;
	bool		isnull;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	id = tm_arg_int(fcinfo, 1, "the event id");
	body = event_body(fcinfo, 2);
	fields = body_event(body);
	if_match = tm_arg_is_null(fcinfo, 3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));

	args[0] = Int32GetDatum(id);
	if (tm_execute(&lock_event_for_edit, args, NULL) == 0)
		event_not_found(id);
	current = TextDatumGetCString(tm_result(1, &isnull));
	sold = DatumGetInt32(tm_result(2, &isnull));
	if (!precondition_holds(if_match, body_version(body), current))
		ereport(ERROR,
				(errcode(ERRCODE_TM_STALE_VERSION),
				 errmsg("event %d changed since it was read", id),
				 errdetail("Its version is now %s.", current),
				 errhint("Read the event again and redo the edit on what it is now.")));
	if (fields.has_capacity && fields.capacity < sold)
		ereport(ERROR,
				(errcode(ERRCODE_TM_CAPACITY_BELOW_SOLD),
				 errmsg("event %d has %d tickets sold, more than a capacity of %d",
						id, sold, fields.capacity)));
	if (!fields.has_capacity && (int64) fields.left + sold > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"total_available_tickets\" plus the tickets already sold must be at most 2147483647"),
				 errdetail("%d tickets of event %d are sold.", sold, id)));

	args[1] = TM_TEXT(fields.name);
	args[2] = TM_TEXT(fields.place);
	args[3] = TM_TEXT(fields.city);
	args[4] = DateADTGetDatum(fields.date);
	if (tm_execute(&event_key_used, args, NULL) > 0)
		event_key_taken(&fields);
	args[5] = Int32GetDatum(fields.price);
	args[6] = fields.has_capacity ? Int32GetDatum(fields.capacity) : (nulls[6] = 'n', (Datum) 0);
	args[7] = Int32GetDatum(fields.left);
	args[8] = BoolGetDatum(fields.time_given);
	args[9] = fields.time ? TM_TEXT(fields.time) : (nulls[9] = 'n', (Datum) 0);
	args[10] = BoolGetDatum(fields.max_given);
	args[11] = fields.max_per_account ? Int32GetDatum(fields.max_per_account)
		: (nulls[11] = 'n', (Datum) 0);
	args[12] = BoolGetDatum(fields.image_given);
	args[13] = fields.image_url ? TM_TEXT(fields.image_url) : (nulls[13] = 'n', (Datum) 0);
	tm_execute(&update_event, args, nulls);
	result = live_event(id);
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
static bool
lock_buyers_then_event_attempt(void *id)
{
	return lock_buyers_then_event(*(int32 *) id);
}

static void
lock_for_delete(int32 id)
{
	while (!tm_in_subtransaction(lock_buyers_then_event_attempt, &id))
		CHECK_FOR_INTERRUPTS();
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

	/*
	 * The artist, then the event: an artist's edit holds the artist while it changes the
	 * versions of its events (artists.c), so links take them in that order too.
	 */
	args[1] = Int32GetDatum(tm_artist_for_link(body));
	args[0] = Int32GetDatum(id);
	if (tm_execute(&bump_event, args, NULL) == 0)
		event_not_found(id);
	if (tm_execute(&insert_link, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_DUPLICATE),
				 errmsg("artist %d is already in event %d", DatumGetInt32(args[1]), id)));
	result = live_event(id);
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
