/*
 * catalog.h
 *		The event and artist objects of the API as SQL fragments, written once and shared by
 *		events.c and artists.c.
 */
#ifndef TM_CATALOG_H
#define TM_CATALOG_H

#include "ticketmonster.h"

/* An artist; "a" is an artists row. */
#define TM_ARTIST_JSON \
	"pg_catalog.jsonb_build_object('id', a.id, 'name', a.name, 'country', a.country, 'genre', a.genre)"

/*
 * Events "e" beside the array of their artists, ea.artists (NULL when none). The links
 * are aggregated per event in one pass, which is what the whole list needs; a condition on
 * e.id is carried into the grouped subquery, so a single event reads only its own links.
 */
#define TM_EVENTS_FROM \
	"events e LEFT JOIN (" \
	"SELECT l.event_id, pg_catalog.jsonb_agg(" TM_ARTIST_JSON " ORDER BY a.name) AS artists" \
	" FROM event_artists l JOIN artists a ON a.id = l.artist_id GROUP BY l.event_id) ea" \
	" ON ea.event_id = e.id"

/*
 * Has event "e" started? With no start time, once its date is over. Local time of the
 * database (its TimeZone setting), as dates and times of events are written.
 */
#define TM_EVENT_PAST \
	"(e.date + coalesce(e.start_time, time '24:00') <= localtimestamp)"

/* Cancelled (deleted) events stay for their orders but are gone from the API. */
#define TM_EVENT_LIVE "e.deleted_at IS NULL"

/* An event, over TM_EVENTS_FROM. to_char, not a cast: a cast would follow DateStyle. */
#define TM_EVENT_JSON \
	"pg_catalog.jsonb_build_object('id', e.id, 'name', e.name, 'place', e.place, 'city', e.city, " \
	"'date', pg_catalog.to_char(e.date::timestamp, 'YYYY-MM-DD'), 'price', e.price, " \
	"'total_available_tickets', e.tickets_left, 'capacity', e.tickets_left + e.tickets_sold, " \
	"'time', pg_catalog.to_char(e.start_time, 'HH24:MI'), " \
	"'max_tickets_per_account', e.max_tickets_per_account, 'version', e.version, " \
	"'past', " TM_EVENT_PAST ", 'image_url', e.image_url, " \
	"'artists', coalesce(ea.artists, '[]'))"

/* Events in the order the API lists them, as the value of an aggregate over TM_EVENTS_FROM. */
#define TM_EVENT_LIST \
	"coalesce(pg_catalog.jsonb_agg(" TM_EVENT_JSON " ORDER BY e.date, e.start_time NULLS LAST, e.id), '[]')"

/* A timestamptz as ISO 8601 in UTC, whatever the session's TimeZone. */
#define TM_UTC(x) \
	"pg_catalog.to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Tickets "t" (of `from`) with their codes, as a JSON array: for their buyer and admins only. */
#define TM_TICKETS_JSON(from) \
	"(SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('code', t.code, 'checked_in_at', " \
	TM_UTC("t.checked_in_at") ") ORDER BY t.code), '[]') FROM " from ")"

/* The tickets of order "o". */
#define TM_ORDER_TICKETS TM_TICKETS_JSON("tickets t WHERE t.order_id = o.id")

/* artists.c: the artist a link request names, key-share locked until the link is made */
extern int32 tm_artist_for_link(Jsonb *body);

#endif							/* TM_CATALOG_H */
