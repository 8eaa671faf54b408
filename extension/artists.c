/*
 * artists.c
 *		Artists: GET /artists, GET /artist/<id>, GET /artist/<id>/events, POST /artist,
 *		PUT /artist/<id>, DELETE /artist/<id>, and the artist a POST /event/<id>/artist
 *		names.
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"

static const char *const genres[] = {
	"REGGAE", "POP", "TRAP", "HIP HOP", "ROCK", "INDIE", "HEAVY", "ELECTRONIC", "OTHER"
};

/* The three fields of an artist in a request body, validated. */
typedef struct ArtistFields
{
	char	   *name;
	char	   *country;
	const char *genre;			/* one of genres[] */
} ArtistFields;

static TmStatement select_artists = {
	"SELECT pg_catalog.jsonb_build_object('artists', coalesce(pg_catalog.jsonb_agg(" TM_ARTIST_JSON
	" ORDER BY a.name), '[]')) FROM artists a",
	0, {}
};

static TmStatement select_artist = {
	"SELECT pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON ") FROM artists a WHERE a.id = $1",
	1, {INT4OID}
};

/* The live events the artist plays in (event_json.c makes the list of them). */
static TmStatement select_artist_events = {
	TM_EVENT_ROWS(TM_EVENT_LIVE " AND e.id IN (SELECT p.event_id FROM event_artists p WHERE p.artist_id = $1)"),
	1, {INT4OID}
};

static TmStatement select_artist_exists = {
	"SELECT 1 FROM artists WHERE id = $1",
	1, {INT4OID}
};

static TmStatement insert_artist = {
	"INSERT INTO artists AS a (name, country, genre) VALUES ($1, $2, $3) "
	"ON CONFLICT (name) DO NOTHING "
	"RETURNING pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON ")",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

/* The artist of that name, and whether its country and genre are these. */
static TmStatement select_artist_named = {
	"SELECT pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON "), a.country = $2 AND a.genre = $3 "
	"FROM artists a WHERE a.name = $1",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

/* Does nothing both when the artist is gone and when the new name is taken: see below. */
static TmStatement update_artist = {
	"UPDATE artists a SET name = $2, country = $3, genre = $4 WHERE a.id = $1"
	" AND NOT EXISTS (SELECT FROM artists d WHERE d.name = $2 AND d.id <> $1) "
	"RETURNING pg_catalog.jsonb_build_object('artist', " TM_ARTIST_JSON ")",
	4, {INT4OID, TEXTOID, TEXTOID, TEXTOID}
};

static TmStatement artist_exists = {
	"SELECT FROM artists WHERE id = $1",
	1, {INT4OID}
};

/*
 * The live events that show the artist, their versions moved on (an event's version names
 * its body, artists included: events.c), in ascending id as every writer of events locks
 * them. Run while the artist is locked (lock_artist), so that no link to it comes meanwhile.
 */
static TmStatement bump_artist_events = {
	"UPDATE events e SET version = e.version + 1 FROM (SELECT e.id FROM events e"
	" JOIN event_artists l ON l.event_id = e.id WHERE l.artist_id = $1 AND e.deleted_at IS NULL"
	" ORDER BY e.id FOR NO KEY UPDATE OF e) locked WHERE e.id = locked.id",
	1, {INT4OID}
};

/* Before an edit or a deletion: links take the artist's key share lock, which this waits for. */
static TmStatement lock_artist = {
	"SELECT FROM artists WHERE id = $1 FOR UPDATE",
	1, {INT4OID}, true
};

/* Its links go with it (ON DELETE CASCADE). */
static TmStatement delete_artist = {
	"DELETE FROM artists WHERE id = $1 "
	"RETURNING pg_catalog.jsonb_build_object('message', pg_catalog.format('artist %s deleted', id))",
	1, {INT4OID}
};

/* Key share: the artist cannot be deleted or renamed before the link is made. */
static TmStatement lock_artist_by_id = {
	"SELECT id FROM artists WHERE id = $1 FOR KEY SHARE",
	1, {INT4OID}
};

static TmStatement lock_artist_by_name = {
	"SELECT id FROM artists WHERE name = $1 FOR KEY SHARE",
	1, {TEXTOID}
};

static TmStatement create_artist_for_link = {
	"INSERT INTO artists (name, country, genre) VALUES ($1, $2, $3) "
	"ON CONFLICT (name) DO NOTHING RETURNING id",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

static void
artist_not_found(int32 id)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("artist %d does not exist", id)));
}

static void
artist_name_taken(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_DUPLICATE),
			 errmsg("an artist named \"%s\" already exists", name)));
}

/* The genre in its stored upper-case spelling, whatever the case it was written in. */
static const char *
body_genre(Jsonb *body)
{
	char	   *genre = tm_body_text(body, "genre", TM_NAME_MAX);

	for (size_t i = 0; i < lengthof(genres); i++)
		if (pg_strcasecmp(genre, genres[i]) == 0)
			return genres[i];
	ereport(ERROR,
			(errcode(ERRCODE_TM_INVALID_INPUT),
			 errmsg("\"genre\" must be a known genre, not \"%s\"", genre),
			 errhint("Use one of REGGAE, POP, TRAP, HIP HOP, ROCK, INDIE, HEAVY, "
					 "ELECTRONIC, OTHER (in any letter case).")));
	return NULL;				/* keep the compiler quiet */
}

static ArtistFields
body_artist(Jsonb *body)
{
	ArtistFields fields;

	fields.name = tm_body_text(body, "name", TM_NAME_MAX);
	fields.country = tm_body_text(body, "country", TM_PLACE_MAX);
	fields.genre = body_genre(body);
	return fields;
}

/* Runs one of the statements above that take the artist id as $1; 404 without a row. */
static Jsonb *
artist_result(TmStatement *stmt, int32 id)
{
	Datum		args[1] = {Int32GetDatum(id)};
	Jsonb	   *result = tm_execute_jsonb(stmt, args, NULL);

	if (result == NULL)
		artist_not_found(id);
	return result;
}

PG_FUNCTION_INFO_V1(tm_artists);
Datum
tm_artists(PG_FUNCTION_ARGS)
{
	Jsonb	   *result;

	SPI_connect();
	result = tm_execute_jsonb(&select_artists, NULL, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_artist);
Datum
tm_artist(PG_FUNCTION_ARGS)
{
	int32		id = tm_arg_int(fcinfo, 0, "the artist id");
	Jsonb	   *result;

	SPI_connect();
	result = artist_result(&select_artist, id);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_artist_events);
Datum
tm_artist_events(PG_FUNCTION_ARGS)
{
	int32		id = tm_arg_int(fcinfo, 0, "the artist id");
	Datum		args[1] = {Int32GetDatum(id)};
	Jsonb	   *result;

	SPI_connect();
	/* 404 for no such artist; an empty list when it plays nowhere */
	if (tm_execute(&select_artist_exists, args, NULL) == 0)
		artist_not_found(id);
	result = tm_event_list(&select_artist_events, args);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_artist_create);
Datum
tm_artist_create(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	ArtistFields fields;
	Datum		args[3];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	fields = body_artist(tm_body(fcinfo, 1));

	args[0] = TM_TEXT(fields.name);
	args[1] = TM_TEXT(fields.country);
	args[2] = TM_TEXT(fields.genre);

	/*
	 * A taken name is a conflict, unless that artist is exactly the one asked for: then this
	 * is a retried create, or one that raced POST /event/<id>/artist creating the same
	 * artist, and the answer is that artist (200 through the NOTICE, docs/errors.md). An
	 * artist deleted between the two statements makes the next round insert it.
	 */
	while ((result = tm_execute_jsonb(&insert_artist, args, NULL)) == NULL)
	{
		bool		isnull;

		result = tm_execute_jsonb(&select_artist_named, args, NULL);
		if (result == NULL)
		{
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		if (!DatumGetBool(tm_result(2, &isnull)))
			artist_name_taken(fields.name);
		ereport(NOTICE,
				(errcode(ERRCODE_TM_ALREADY_EXISTS),
				 errmsg("artist \"%s\" already exists with this country and genre", fields.name)));
		break;
	}
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_artist_update);
Datum
tm_artist_update(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	int32		id;
	ArtistFields fields;
	Datum		args[4];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	id = tm_arg_int(fcinfo, 1, "the artist id");
	fields = body_artist(tm_body(fcinfo, 2));

	args[0] = Int32GetDatum(id);
	args[1] = TM_TEXT(fields.name);
	args[2] = TM_TEXT(fields.country);
	args[3] = TM_TEXT(fields.genre);
	tm_execute(&lock_artist, args, NULL);
	result = tm_execute_jsonb(&update_artist, args, NULL);
	if (result == NULL)
	{
		/* Nothing updated: tell a missing artist from a taken name. */
		if (tm_execute(&artist_exists, args, NULL) == 0)
			artist_not_found(id);
		artist_name_taken(fields.name);
	}
	tm_execute(&bump_artist_events, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

PG_FUNCTION_INFO_V1(tm_artist_delete);
Datum
tm_artist_delete(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Datum		args[1];
	Jsonb	   *result;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	args[0] = Int32GetDatum(tm_arg_int(fcinfo, 1, "the artist id"));
	if (tm_execute(&lock_artist, args, NULL) > 0)
		tm_execute(&bump_artist_events, args, NULL);
	result = artist_result(&delete_artist, DatumGetInt32(args[0]));
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/*
 * The artist of a link request: {"id"} of an existing artist, or {name, country, genre}
 * of the artist with that name, created when there is none. Call after SPI_connect().
 *
 * An artist created concurrently makes the insert do nothing, and one deleted
 * concurrently makes the lookup find nothing; either way the next round sees the outcome.
 */
int32
tm_artist_for_link(Jsonb *body)
{
	ArtistFields fields;
	Datum		args[3];
	bool		isnull;

	if (tm_body_has(body, "id"))
	{
		args[0] = Int32GetDatum(tm_body_int(body, "id", 1));
		if (tm_execute(&lock_artist_by_id, args, NULL) == 0)
			artist_not_found(DatumGetInt32(args[0]));
		return DatumGetInt32(args[0]);
	}

	fields = body_artist(body);
	args[0] = TM_TEXT(fields.name);
	args[1] = TM_TEXT(fields.country);
	args[2] = TM_TEXT(fields.genre);
	while (tm_execute(&lock_artist_by_name, args, NULL) == 0 &&
		   tm_execute(&create_artist_for_link, args, NULL) == 0)
		CHECK_FOR_INTERRUPTS();
	return DatumGetInt32(tm_result(1, &isnull));
}
