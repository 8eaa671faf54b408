/*
 * catalog.h
 *		The event, artist and order objects of the API, written once and shared by the files
 *		that show them: SQL fragments, and the rows event_json.c makes events of.
 */
#ifndef TM_CATALOG_H
#define TM_CATALOG_H

#include "ticketmonster.h"

/* An artist; "a" is an artists row. */
#define TM_ARTIST_JSON \
	"pg_catalog.jsonb_build_object('id', a.id, 'name', a.name, 'country', a.country, 'genre', a.genre)"

/*
 * Has event "e" started? With no start time, once its date is over. Local time of the
 * database (its TimeZone setting), as dates and times of events are written.
 */
#define TM_EVENT_PAST \
	"(e.date + coalesce(e.start_time, time '24:00') <= localtimestamp)"

/* Cancelled (deleted) events stay for their orders but are gone from the API. */
#define TM_EVENT_LIVE "e.deleted_at IS NULL"

/*
 * The rows event_json.c makes events of: each event "e" that `where` selects, once per artist
 * (in name order) or once with NULL artist columns, in the order the API lists events.
 * to_char, not a cast: a cast would follow DateStyle.
 */
#define TM_EVENT_ROWS(where) \
	"SELECT e.id, e.name, e.place, e.city, pg_catalog.to_char(e.date::timestamp, 'YYYY-MM-DD'), " \
	"e.price, e.tickets_left, e.tickets_left + e.tickets_sold, pg_catalog.to_char(e.start_time, 'HH24:MI'), " \
	"e.max_tickets_per_account, e.version, " TM_EVENT_PAST ", e.image_url, " \
	"a.id, a.name, a.country, a.genre" \
	" FROM events e LEFT JOIN event_artists l ON l.event_id = e.id LEFT JOIN artists a ON a.id = l.artist_id" \
	" WHERE " where " ORDER BY e.date, e.start_time NULLS LAST, e.id, a.name, a.id"

/* event_json.c: {"events": [...]} and {"event": {...}} (NULL without a row) of such a statement */
extern Jsonb *tm_event_list(TmStatement *stmt, Datum *args);
extern Jsonb *tm_event_one(TmStatement *stmt, Datum *args);

/* A timestamptz as ISO 8601 in UTC, whatever the session's TimeZone. */
#define TM_UTC(x) \
	"pg_catalog.to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Tickets "t" (of `from`) with their codes, as a JSON array: for their buyer and admins only. */
#define TM_TICKETS_JSON(from) \
	"(SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('code', t.code, 'checked_in_at', " \
	TM_UTC("t.checked_in_at") ") ORDER BY t.code), '[]') FROM " from ")"

/* The tickets of order "o". */
#define TM_ORDER_TICKETS TM_TICKETS_JSON("tickets t WHERE t.order_id = o.id")

/*
 * An order as the API shows it; "o" is an orders row, "e" its events row, `tickets` their
 * tickets (TM_TICKETS_JSON). Only its buyer and admins ever see an order, so its tickets'
 * codes come with it.
 */
#define TM_ORDER_JSON_WITH(tickets) \
	"pg_catalog.jsonb_build_object('id', o.id, 'username', o.username, " \
	"'event_id', o.event_id, 'id_event', o.event_id, 'event_name', e.name, " \
	"'event_city', e.city, 'event_date', e.date, " \
	"'tickets_bought', o.tickets_bought, 'price', o.price, 'status', o.status, " \
	"'created_at', " TM_UTC("o.created_at") ", 'tickets', " tickets ")"
#define TM_ORDER_JSON TM_ORDER_JSON_WITH(TM_ORDER_TICKETS)

/* artists.c: the artist a link request names, key-share locked until the link is made */
extern int32 tm_artist_for_link(Jsonb *body);

#endif							/* TM_CATALOG_H */
