/*
 * import.c
 *		tm_import(source, options): the original Flask app's rows, as one JSON document that
 *		`ticketmonster-web import` reads from its database, validated and inserted in the
 *		caller's transaction, with a report of what was read, imported, changed and skipped.
 *
 * Every rule about the original's data lives here (docs/import.md says them in prose): a
 * row is imported whole or skipped with a reason, and a skipped row takes the rows that
 * depend on it along (an event's line-up and orders, an account's orders). The only changes
 * made to values are listed in the report's "adjusted". Ids are kept where the target has
 * them free, so old links keep working; the identity sequences continue after them.
 */
#include "import.h"

#include <errno.h>
#include <limits.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#define USERNAME_KEY_MAX 256	/* longer source names are skipped before any lookup */

/* The tables of the report, in the order they are imported. */
typedef enum ImportTable
{
	T_ACCOUNTS, T_ARTISTS, T_EVENTS, T_LINKS, T_ORDERS, T_COUNT
} ImportTable;

static const char *const table_names[T_COUNT] = {
	"accounts", "artists", "events", "event_artists", "orders"
};

typedef struct Counts
{
	int			read;
	int			imported;
	int			skipped;
} Counts;

/* Everything the report says, built while importing (in the function's memory context). */
typedef struct Report
{
	Counts		counts[T_COUNT];
	StringInfoData skipped;		/* JSON array elements, comma-separated */
	StringInfoData adjusted;
	StringInfoData renumbered;
	int			n_skipped;
	int			n_adjusted;
} Report;

typedef struct AccountEntry
{
	char		key[USERNAME_KEY_MAX];
	bool		imported;
	bool		is_admin;
	bool		skipped_in_source;	/* read, but not imported: its orders say so */
} AccountEntry;

typedef struct EventEntry
{
	int32		key;			/* the source's id */
	int32		new_id;
	bool		imported;
	int32		left;
	int64		sold;			/* tickets of its imported orders */
} EventEntry;

typedef struct ArtistEntry
{
	int32		key;
	int32		new_id;
	bool		imported;
} ArtistEntry;

typedef struct IdEntry
{
	int32		key;
} IdEntry;

typedef struct LinkKey
{
	int32		event_id;
	int32		artist_id;
} LinkKey;

typedef struct Importer
{
	Report		report;
	HTAB	   *accounts;		/* by source username */
	HTAB	   *case_folded;	/* lower-case username -> how many accounts have it */
	HTAB	   *events;			/* by source id */
	HTAB	   *artists;
	HTAB	   *links;			/* pairs already imported */
	HTAB	   *order_ids;		/* source order ids seen */
	int32		next_id[T_COUNT];	/* for rows whose id is taken in the target */
} Importer;

/*
 * The only statements that write. EXCLUSIVE locks keep every other writer out while the
 * target is checked and filled, and let readers go on.
 */
static TmStatement lock_tables = {
	"LOCK TABLE accounts, artists, events, event_artists, orders, imports IN EXCLUSIVE MODE",
	0, {}
};

static TmStatement digest_of = {
	"SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($1::text, 'UTF8')), 'hex')",
	1, {JSONBOID}
};

static TmStatement earlier_import = {
	"SELECT pg_catalog.to_char(imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	" FROM imports WHERE source_digest = $1",
	1, {TEXTOID}
};

/* Admin and staff accounts made before the import (create-admin, create-staff) are not data. */
static TmStatement target_data = {
	"SELECT (SELECT pg_catalog.count(*) FROM accounts WHERE role = 'user'),"
	" (SELECT pg_catalog.count(*) FROM events), (SELECT pg_catalog.count(*) FROM artists),"
	" (SELECT pg_catalog.count(*) FROM orders)",
	0, {}
};

static TmStatement max_ids = {
	"SELECT (SELECT coalesce(pg_catalog.max(id), 0) FROM artists),"
	" (SELECT coalesce(pg_catalog.max(id), 0) FROM events),"
	" (SELECT coalesce(pg_catalog.max(id), 0) FROM orders)",
	0, {}
};

static TmStatement insert_account = {
	"INSERT INTO accounts (username, password_hash, role, available_money)"
	" VALUES ($1, $2, CASE WHEN $3 THEN 'admin' ELSE 'user' END, $4)"
	" ON CONFLICT DO NOTHING RETURNING 1",
	4, {TEXTOID, TEXTOID, BOOLOID, INT4OID}
};

/* An artist exactly like the row: the same artist (as an identical POST /artist is). */
static TmStatement same_artist = {
	"SELECT id FROM artists WHERE name = $2 AND country = $3 AND genre = $4",
	4, {INT4OID, TEXTOID, TEXTOID, TEXTOID}
};

static TmStatement artist_id_taken = {
	"SELECT FROM artists WHERE id = $1", 1, {INT4OID}
};

static TmStatement insert_artist = {
	"INSERT INTO artists (id, name, country, genre) OVERRIDING SYSTEM VALUE"
	" VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
	4, {INT4OID, TEXTOID, TEXTOID, TEXTOID}
};

static TmStatement event_id_taken = {
	"SELECT FROM events WHERE id = $1", 1, {INT4OID}
};

static TmStatement insert_event = {
	"INSERT INTO events (id, name, place, city, date, price, tickets_left)"
	" OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" ON CONFLICT DO NOTHING RETURNING 1",
	7, {INT4OID, TEXTOID, TEXTOID, TEXTOID, DATEOID, INT4OID, INT4OID}
};

static TmStatement insert_link = {
	"INSERT INTO event_artists (event_id, artist_id) VALUES ($1, $2)"
	" ON CONFLICT DO NOTHING RETURNING 1",
	2, {INT4OID, INT4OID}
};

static TmStatement order_id_taken = {
	"SELECT FROM orders WHERE id = $1", 1, {INT4OID}
};

/*
 * An order of the original, confirmed, with one ticket (and its code) per ticket bought, and
 * counted as sold by its event, so that capacity = left + sold as for every sale. The
 * original kept no price per order: the event's price is the only one known.
 */
static TmStatement insert_order = {
	"WITH o AS (INSERT INTO orders (id, username, event_id, tickets_bought, price)"
	" OVERRIDING SYSTEM VALUE SELECT $1, $2, $3, $4, price FROM events WHERE id = $3"
	" RETURNING id), "
	"t AS (INSERT INTO tickets (order_id) SELECT o.id FROM o, pg_catalog.generate_series(1, $4)), "
	"e AS (UPDATE events SET tickets_sold = tickets_sold + $4 WHERE id = $3) "
	"SELECT FROM o",
	4, {INT4OID, TEXTOID, INT4OID, INT4OID}
};

/*
 * The sequences continue after every id of the source too, imported or skipped, so that a
 * new row never takes the id an old link means. setval is not transactional, so a dry run
 * never gets here.
 */
static TmStatement continue_sequences = {
	"SELECT pg_catalog.setval(s, greatest(m, coalesce(pg_catalog.pg_sequence_last_value(s), 0)))"
	" FROM (SELECT pg_catalog.pg_get_serial_sequence(t, 'id')::regclass AS s, m FROM (VALUES"
	" ('artists', greatest($1, (SELECT pg_catalog.max(id) FROM artists))),"
	" ('events', greatest($2, (SELECT pg_catalog.max(id) FROM events))),"
	" ('orders', greatest($3, (SELECT pg_catalog.max(id) FROM orders)))) v(t, m)) x WHERE m > 0",
	3, {INT4OID, INT4OID, INT4OID}
};

static TmStatement record_import = {
	"INSERT INTO imports (source_digest, report) VALUES ($1, $2)",
	2, {TEXTOID, JSONBOID}
};

static const char *const genres[] = {
	"REGGAE", "POP", "TRAP", "HIP HOP", "ROCK", "INDIE", "HEAVY", "ELECTRONIC", "OTHER"
};

/* ---- the report ---- */

static void
append_json_item(StringInfo list, int *n, const char *table, const char *row,
				 const char *field, const char *text)
{
	if (list->len > 0)
		appendStringInfoChar(list, ',');
	appendStringInfoString(list, "{\"table\":");
	escape_json(list, table);
	appendStringInfoString(list, ",\"row\":");
	escape_json(list, row);
	appendStringInfo(list, ",\"%s\":", field);
	escape_json(list, text);
	appendStringInfoChar(list, '}');
	if (n)
		(*n)++;
}

static void skip(Importer *im, ImportTable t, const char *row, const char *fmt,...) pg_attribute_printf(4, 5);

/* The row is not imported; the report says which and why. */
static void
skip(Importer *im, ImportTable t, const char *row, const char *fmt,...)
{
	StringInfoData reason;

	initStringInfo(&reason);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&reason, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&reason, needed);
	}
	im->report.counts[t].skipped++;
	append_json_item(&im->report.skipped, &im->report.n_skipped, table_names[t], row,
					 "reason", reason.data);
}

static void
adjust(Importer *im, ImportTable t, const char *row, const char *change)
{
	append_json_item(&im->report.adjusted, &im->report.n_adjusted, table_names[t], row,
					 "change", change);
}

static void
renumber(Importer *im, ImportTable t, int32 from, int32 to)
{
	StringInfo	list = &im->report.renumbered;

	if (list->len > 0)
		appendStringInfoChar(list, ',');
	appendStringInfo(list, "{\"table\":\"%s\",\"from\":%d,\"to\":%d}", table_names[t], from, to);
}

static HTAB *
int_table(const char *name, Size entrysize, Size keysize)
{
	HASHCTL		ctl;

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static HTAB *
string_table(const char *name, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = USERNAME_KEY_MAX;
	ctl.entrysize = entrysize;
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 256, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

static char *
ascii_lower(const char *s)
{
	char	   *l = pstrdup(s);

	for (char *p = l; *p; p++)
		*p = pg_ascii_tolower((unsigned char) *p);
	return l;
}

/* ---- accounts ---- */

#define CRYPT_ALPHABET "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/*
 * The shape of the original's sha512_crypt and sha256_crypt hashes ($6$ / $5$, optional
 * rounds=N$, a salt of up to 16 characters, 86 or 43 characters of hash), so that a damaged
 * one is reported instead of imported as an account nobody can log in to. Checked by shape:
 * computing a hash per account would take hours for a large import.
 */
static bool
crypt_hash_well_formed(const char *hash)
{
	size_t		hash_len;
	const char *p, *salt_end;

	if (strncmp(hash, "$6$", 3) == 0)
		hash_len = 86;
	else if (strncmp(hash, "$5$", 3) == 0)
		hash_len = 43;
	else
		return true;			/* bcrypt, yescrypt: libxcrypt's own checks decide */
	p = hash + 3;
	if (strncmp(p, "rounds=", 7) == 0)
	{
		p += 7;
		if (strspn(p, "0123456789") == 0)
			return false;
		p += strspn(p, "0123456789");
		if (*p++ != '$')
			return false;
	}
	salt_end = strchr(p, '$');
	if (salt_end == NULL || salt_end - p > 16 || strspn(p, CRYPT_ALPHABET) != (size_t) (salt_end - p))
		return false;
	p = salt_end + 1;
	return strlen(p) == hash_len && strspn(p, CRYPT_ALPHABET) == hash_len;
}

static const char *
check_account(Jsonb *row, char **username, char **hash, bool *is_admin, int32 *money,
			  const char **money_change)
{
	const char *why;
	bool		isnull;

	*money_change = NULL;
	if ((why = import_get_string(row, "username", username)))
		return why;
	/* The name is what its owner types to log in: changed by nothing, not even trimming. */
	if ((*username)[0] == '\0')
		return "username is empty";
	if (strlen(*username) >= USERNAME_KEY_MAX || pg_mbstrlen(*username) > TM_NAME_MAX)
		return psprintf("username is longer than %d characters", TM_NAME_MAX);
	if (strspn(*username, TM_USERNAME_CHARS) != strlen(*username))
		return "username has characters other than ASCII letters, digits and _ . - @ +";
	if ((why = import_get_string(row, "password", hash)))
		return why;
	if (!tm_password_hash_verifiable(*hash))
		return "password is not a password hash this server verifies (sha512_crypt, sha256_crypt, bcrypt, yescrypt)";
	if (!crypt_hash_well_formed(*hash))
		return "password is a damaged sha512_crypt or sha256_crypt hash";
	if ((why = import_get_flag(row, "is_admin", is_admin)))
		return why;
	if ((why = import_get_int(row, "available_money", money, &isnull)))
		return why;
	if (isnull)
	{
		*money = 0;
		*money_change = "available_money NULL set to 0";
	}
	else if (*money < 0)
	{
		*money_change = psprintf("available_money %d set to 0 (a debt the original app let happen)", *money);
		*money = 0;
	}
	return NULL;
}

typedef struct FoldedEntry
{
	char		key[USERNAME_KEY_MAX];
	int			count;			/* importable accounts with this lower-case name */
} FoldedEntry;

/* An account row after its checks: why it cannot be imported, or its values. */
typedef struct CheckedAccount
{
	char	   *label;
	const char *why;
	char	   *username;
	char	   *hash;
	bool		is_admin;
	int32		money;
	const char *money_change;
} CheckedAccount;

static void
import_accounts(Importer *im, JsonbContainer *rows)
{
	int			n = import_row_count(rows);
	CheckedAccount *checked = palloc0(sizeof(CheckedAccount) * n);

	im->report.counts[T_ACCOUNTS].read = n;

	/* First pass: the checks, and which importable names differ only in letter case. */
	for (int i = 0; i < n; i++)
	{
		CheckedAccount *a = &checked[i];
		Jsonb	   *row = import_row_at(rows, i);
		bool		found;
		FoldedEntry *folded;

		a->label = psprintf("#%d", i + 1);
		if (row == NULL)
		{
			a->why = "not a row object";
			continue;
		}
		a->why = check_account(row, &a->username, &a->hash, &a->is_admin, &a->money,
							   &a->money_change);
		if (a->username && strlen(a->username) < USERNAME_KEY_MAX)
		{
			AccountEntry *entry = hash_search(im->accounts, a->username, HASH_ENTER, &found);

			a->label = a->username;
			if (!found)
				entry->imported = entry->skipped_in_source = entry->is_admin = false;
		}
		if (a->why)
			continue;
		folded = hash_search(im->case_folded, ascii_lower(a->username), HASH_ENTER, &found);
		folded->count = found ? folded->count + 1 : 1;
	}

	for (int i = 0; i < n; i++)
	{
		CheckedAccount *a = &checked[i];
		AccountEntry *entry = NULL;
		FoldedEntry *folded;
		Datum		args[4];

		if (a->username && strlen(a->username) < USERNAME_KEY_MAX)
			entry = hash_search(im->accounts, a->username, HASH_FIND, NULL);
		if (a->why)
		{
			skip(im, T_ACCOUNTS, a->label, "%s", a->why);
			if (entry)
				entry->skipped_in_source = true;
			continue;
		}
		if (entry->imported || entry->skipped_in_source)
		{
			skip(im, T_ACCOUNTS, a->label, "a second account of the same name");
			continue;
		}
		folded = hash_search(im->case_folded, ascii_lower(a->username), HASH_FIND, NULL);
		if (folded->count > 1)
		{
			/* Which of them would be the real one cannot be known: neither is imported. */
			skip(im, T_ACCOUNTS, a->label,
				 "another account's username differs only in letter case, and usernames are unique regardless of case");
			entry->skipped_in_source = true;
			continue;
		}
		args[0] = TM_TEXT(a->username);
		args[1] = TM_TEXT(a->hash);
		args[2] = BoolGetDatum(a->is_admin);
		args[3] = Int32GetDatum(a->money);
		if (tm_execute(&insert_account, args, NULL) == 0)
		{
			skip(im, T_ACCOUNTS, a->label, "the username is taken in this database");
			entry->skipped_in_source = true;
			continue;
		}
		if (a->money_change)
			adjust(im, T_ACCOUNTS, a->label, a->money_change);
		entry->imported = true;
		entry->is_admin = a->is_admin;
		im->report.counts[T_ACCOUNTS].imported++;
	}
}

/* ---- artists ---- */

/*
 * A free id: the source's if the target does not use it, else the next unused one (taken
 * only once the row is in: see imported()).
 */
static int32
free_id(Importer *im, ImportTable t, TmStatement *taken, int32 id)
{
	Datum		args[1] = {Int32GetDatum(id)};

	if (tm_execute(taken, args, NULL) == 0)
		return id;
	return im->next_id[t];
}

/* The row is in, under new_id: count it, and list it if its id changed. */
static void
imported(Importer *im, ImportTable t, int32 id, int32 new_id)
{
	if (new_id != id)
	{
		renumber(im, t, id, new_id);
		im->next_id[t]++;
	}
	im->report.counts[t].imported++;
}

static void
import_artists(Importer *im, JsonbContainer *rows)
{
	int			n = import_row_count(rows);

	im->report.counts[T_ARTISTS].read = n;
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *row = import_row_at(rows, i);
		char	   *label = import_row_label_int(row, "id", i);
		int32		id;
		char	   *name, *country, *genre_text;
		const char *genre = NULL;
		const char *why;
		ArtistEntry *entry;
		bool		found;
		Datum		args[4];

		if (row == NULL)
		{
			skip(im, T_ARTISTS, label, "not a row object");
			continue;
		}
		if ((why = import_get_required_int(row, "id", 1, &id)))
		{
			skip(im, T_ARTISTS, label, "%s", why);
			continue;
		}
		/* Known from here on, so that its links say it was skipped rather than absent. */
		entry = hash_search(im->artists, &id, HASH_ENTER, &found);
		if (found)
		{
			skip(im, T_ARTISTS, label, "a second artist with the same id");
			continue;
		}
		entry->imported = false;
		if ((why = import_get_text(row, "name", TM_NAME_MAX, &name)) ||
			(why = import_get_text(row, "country", TM_PLACE_MAX, &country)) ||
			(why = import_get_text(row, "genre", 30, &genre_text)))
		{
			skip(im, T_ARTISTS, label, "%s", why);
			continue;
		}
		for (size_t g = 0; g < lengthof(genres); g++)
			if (pg_strcasecmp(genre_text, genres[g]) == 0)
				genre = genres[g];
		if (genre == NULL)
		{
			skip(im, T_ARTISTS, label, "genre \"%s\" is not one of REGGAE, POP, TRAP, HIP HOP, ROCK, INDIE, HEAVY, ELECTRONIC, OTHER", genre_text);
			continue;
		}
		args[1] = TM_TEXT(name);
		args[2] = TM_TEXT(country);
		args[3] = TM_TEXT(genre);
		if (tm_execute(&same_artist, args, NULL) > 0)
		{
			bool		isnull;

			entry->new_id = DatumGetInt32(tm_result(1, &isnull));
			entry->imported = true;
			adjust(im, T_ARTISTS, label,
				   psprintf("the same artist as artist %d already here: its line-ups link to that one",
							entry->new_id));
			if (entry->new_id != id)
				renumber(im, T_ARTISTS, id, entry->new_id);
			im->report.counts[T_ARTISTS].imported++;
			continue;
		}
		entry->new_id = free_id(im, T_ARTISTS, &artist_id_taken, id);
		args[0] = Int32GetDatum(entry->new_id);
		if (tm_execute(&insert_artist, args, NULL) == 0)
		{
			skip(im, T_ARTISTS, label, "another artist is named \"%s\" already, with another country or genre", name);
			continue;
		}
		entry->imported = true;
		imported(im, T_ARTISTS, id, entry->new_id);
	}
}

/* ---- events ---- */

static void
import_events(Importer *im, JsonbContainer *rows)
{
	int			n = import_row_count(rows);

	im->report.counts[T_EVENTS].read = n;
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *row = import_row_at(rows, i);
		char	   *label = import_row_label_int(row, "id", i);
		int32		id, price, left;
		char	   *name, *place, *city;
		DateADT		date = 0;
		const char *why;
		EventEntry *entry;
		bool		found;
		Datum		args[7];

		if (row == NULL)
		{
			skip(im, T_EVENTS, label, "not a row object");
			continue;
		}
		if ((why = import_get_required_int(row, "id", 1, &id)))
		{
			skip(im, T_EVENTS, label, "%s", why);
			continue;
		}
		/* Known from here on, so that its links and orders say it was skipped. */
		entry = hash_search(im->events, &id, HASH_ENTER, &found);
		if (found)
		{
			skip(im, T_EVENTS, label, "a second event with the same id");
			continue;
		}
		entry->imported = false;
		if ((why = import_get_text(row, "name", TM_NAME_MAX, &name)) ||
			(why = import_get_text(row, "place", TM_PLACE_MAX, &place)) ||
			(why = import_get_text(row, "city", TM_PLACE_MAX, &city)) ||
			(why = import_get_date(row, "date", &date)) ||
			(why = import_get_required_int(row, "price", 0, &price)) ||
			(why = import_get_required_int(row, "total_available_tickets", 0, &left)))
		{
			skip(im, T_EVENTS, label, "%s", why);
			continue;
		}
		entry->left = left;
		entry->sold = 0;
		entry->new_id = free_id(im, T_EVENTS, &event_id_taken, id);
		args[0] = Int32GetDatum(entry->new_id);
		args[1] = TM_TEXT(name);
		args[2] = TM_TEXT(place);
		args[3] = TM_TEXT(city);
		args[4] = DateADTGetDatum(date);
		args[5] = Int32GetDatum(price);
		args[6] = Int32GetDatum(left);
		if (tm_execute(&insert_event, args, NULL) == 0)
		{
			skip(im, T_EVENTS, label, "an event with the same name, date and city exists already");
			continue;
		}
		entry->imported = true;
		imported(im, T_EVENTS, id, entry->new_id);
	}
}

/* ---- line-ups ---- */

static void
import_links(Importer *im, JsonbContainer *rows)
{
	int			n = import_row_count(rows);

	im->report.counts[T_LINKS].read = n;
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *row = import_row_at(rows, i);
		int32		event_id = 0, artist_id = 0;
		const char *why = NULL;
		char	   *label;
		EventEntry *event;
		ArtistEntry *artist;
		LinkKey		key;
		bool		found;
		Datum		args[2];

		if (row == NULL)
			why = "not a row object";
		else if ((why = import_get_required_int(row, "event_id", 1, &event_id)) == NULL)
			why = import_get_required_int(row, "artist_id", 1, &artist_id);
		label = psprintf("event %d, artist %d", event_id, artist_id);
		if (why)
		{
			skip(im, T_LINKS, row ? label : psprintf("#%d", i + 1), "%s", why);
			continue;
		}
		event = hash_search(im->events, &event_id, HASH_FIND, NULL);
		artist = hash_search(im->artists, &artist_id, HASH_FIND, NULL);
		if (event == NULL || !event->imported)
		{
			skip(im, T_LINKS, label, event ? "its event was not imported" : "its event does not exist in the source");
			continue;
		}
		if (artist == NULL || !artist->imported)
		{
			skip(im, T_LINKS, label, artist ? "its artist was not imported" : "its artist does not exist in the source");
			continue;
		}
		key.event_id = event->new_id;
		key.artist_id = artist->new_id;
		hash_search(im->links, &key, HASH_ENTER, &found);
		args[0] = Int32GetDatum(key.event_id);
		args[1] = Int32GetDatum(key.artist_id);
		if (found || tm_execute(&insert_link, args, NULL) == 0)
		{
			skip(im, T_LINKS, label, "the same pair again (imported once)");
			continue;
		}
		im->report.counts[T_LINKS].imported++;
	}
}

/* ---- orders ---- */

static void
import_orders(Importer *im, JsonbContainer *rows)
{
	int			n = import_row_count(rows);

	im->report.counts[T_ORDERS].read = n;
	for (int i = 0; i < n; i++)
	{
		Jsonb	   *row = import_row_at(rows, i);
		char	   *label = import_row_label_int(row, "id", i);
		int32		id, id_event, tickets, new_id;
		char	   *username;
		const char *why;
		AccountEntry *account;
		EventEntry *event;
		bool		found;
		Datum		args[4];

		if (row == NULL)
		{
			skip(im, T_ORDERS, label, "not a row object");
			continue;
		}
		if ((why = import_get_required_int(row, "id", 1, &id)) ||
			(why = import_get_string(row, "username", &username)) ||
			(why = import_get_required_int(row, "id_event", 1, &id_event)) ||
			(why = import_get_required_int(row, "tickets_bought", 1, &tickets)))
		{
			skip(im, T_ORDERS, label, "%s", why);
			continue;
		}
		account = strlen(username) < USERNAME_KEY_MAX ?
			hash_search(im->accounts, username, HASH_FIND, NULL) : NULL;
		if (account == NULL || !account->imported)
		{
			skip(im, T_ORDERS, label, account ? "its account \"%s\" was not imported" :
				 "its account \"%s\" does not exist in the source", username);
			continue;
		}
		if (account->is_admin)
		{
			/* Only users buy: an order of an admin would break the rules every sale keeps. */
			skip(im, T_ORDERS, label, "its account \"%s\" is an admin, and admins do not buy tickets", username);
			continue;
		}
		event = hash_search(im->events, &id_event, HASH_FIND, NULL);
		if (event == NULL || !event->imported)
		{
			/* The original deleted events and kept their orders, without refunds. */
			skip(im, T_ORDERS, label, event ? "its event %d was not imported" :
				 "its event %d does not exist in the source (deleted in the original app)", id_event);
			continue;
		}
		/* Stock plus tickets sold stays within 32 bits, as for every event. */
		if (event->left + event->sold + tickets > INT_MAX)
		{
			skip(im, T_ORDERS, label, "its tickets would put event %d beyond %d tickets", id_event, INT_MAX);
			continue;
		}
		hash_search(im->order_ids, &id, HASH_ENTER, &found);
		if (found)
		{
			skip(im, T_ORDERS, label, "a second order with the same id");
			continue;
		}
		new_id = free_id(im, T_ORDERS, &order_id_taken, id);
		args[0] = Int32GetDatum(new_id);
		args[1] = TM_TEXT(username);
		args[2] = Int32GetDatum(event->new_id);
		args[3] = Int32GetDatum(tickets);
		tm_execute(&insert_order, args, NULL);
		event->sold += tickets;
		imported(im, T_ORDERS, id, new_id);
	}
}

/* ---- the whole import ---- */

static void
import_all(Importer *im, Jsonb *source)
{
	JsonbContainer *accounts = import_rows_of(source, "accounts");
	JsonbContainer *artists = import_rows_of(source, "artists");
	JsonbContainer *events = import_rows_of(source, "events");
	JsonbContainer *links = import_rows_of(source, "event_artists");
	JsonbContainer *orders = import_rows_of(source, "orders");
	bool		isnull;

	tm_execute(&max_ids, NULL, NULL);
	im->next_id[T_ARTISTS] = DatumGetInt32(tm_result(1, &isnull)) + 1;
	im->next_id[T_EVENTS] = DatumGetInt32(tm_result(2, &isnull)) + 1;
	im->next_id[T_ORDERS] = DatumGetInt32(tm_result(3, &isnull)) + 1;
	/* Renumbered rows go after every id of the source too, so that none of them collides. */
	for (int i = 0; i < import_row_count(artists); i++)
	{
		Jsonb	   *row = import_row_at(artists, i);
		int32		id;

		if (row && import_get_int(row, "id", &id, &isnull) == NULL && !isnull && id >= im->next_id[T_ARTISTS])
			im->next_id[T_ARTISTS] = id + 1;
	}
	for (int i = 0; i < import_row_count(events); i++)
	{
		Jsonb	   *row = import_row_at(events, i);
		int32		id;

		if (row && import_get_int(row, "id", &id, &isnull) == NULL && !isnull && id >= im->next_id[T_EVENTS])
			im->next_id[T_EVENTS] = id + 1;
	}
	for (int i = 0; i < import_row_count(orders); i++)
	{
		Jsonb	   *row = import_row_at(orders, i);
		int32		id;

		if (row && import_get_int(row, "id", &id, &isnull) == NULL && !isnull && id >= im->next_id[T_ORDERS])
			im->next_id[T_ORDERS] = id + 1;
	}

	import_accounts(im, accounts);
	import_artists(im, artists);
	import_events(im, events);
	import_links(im, links);
	import_orders(im, orders);
}

typedef struct ImportJob
{
	Importer   *im;
	Jsonb	   *source;
} ImportJob;

/* The body of a dry run: everything checked, then the subtransaction rolled back. */
static bool
import_and_discard(void *arg)
{
	ImportJob  *job = arg;

	import_all(job->im, job->source);
	return false;
}

/* Runs import_all in a subtransaction that is rolled back: everything checked, nothing kept. */
static void
import_dry(Importer *im, Jsonb *source)
{
	ImportJob	job = {im, source};

	tm_in_subtransaction(import_and_discard, &job);
}

static bool
option(Jsonb *options, const char *name)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&options->root, name, strlen(name), NULL);

	if (v == NULL || v->type == jbvNull)
		return false;
	if (v->type != jbvBool)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("option \"%s\" must be true or false", name)));
	return v->val.boolean;
}

/*
 * The report, built in SPI's memory, copied to the caller's and SPI closed: SPI_finish()
 * frees everything allocated since SPI_connect(), and a returned pointer into it is read
 * later by whoever called (the SQL fuzz found the crash).
 */
static Jsonb *
outlive_spi(Jsonb *report)
{
	Jsonb	   *copy = DatumGetJsonbP(SPI_datumTransfer(JsonbPGetDatum(report), false, -1));

	SPI_finish();
	return copy;
}

static Jsonb *
report_json(Importer *im, const char *status, bool dry_run, const char *digest)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"status\":\"%s\",\"dry_run\":%s,\"source_digest\":\"%s\",\"tables\":{",
					 status, dry_run ? "true" : "false", digest);
	for (int t = 0; t < T_COUNT; t++)
		appendStringInfo(&buf, "%s\"%s\":{\"read\":%d,\"imported\":%d,\"skipped\":%d}",
						 t ? "," : "", table_names[t], im->report.counts[t].read,
						 im->report.counts[t].imported, im->report.counts[t].skipped);
	appendStringInfo(&buf, "},\"skipped\":[%s],\"adjusted\":[%s],\"renumbered\":[%s]}",
					 im->report.skipped.data, im->report.adjusted.data, im->report.renumbered.data);
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

/*
 * tm_import(source jsonb, options jsonb) RETURNS jsonb, console only.
 *
 * options: dry_run (check and report, write nothing), into_existing_data (import beside
 * what the database holds; else such a database is refused), strict (refuse the whole
 * import if any row would be skipped or adjusted). The same source imported again is a
 * no-op answered {"status": "already_imported", "imported_at": ...}.
 */
PG_FUNCTION_INFO_V1(tm_import);
Datum
tm_import(PG_FUNCTION_ARGS)
{
	Jsonb	   *source;
	Jsonb	   *options;
	bool		dry_run, into_existing, strict;
	Importer	im;
	Datum		args[2];
	bool		isnull;
	char	   *digest;
	Jsonb	   *report;

	SPI_connect();
	tm_require_console();
	source = tm_body(fcinfo, 0);
	options = tm_body(fcinfo, 1);
	dry_run = option(options, "dry_run");
	into_existing = option(options, "into_existing_data");
	strict = option(options, "strict");

	tm_execute(&lock_tables, NULL, NULL);
	args[0] = JsonbPGetDatum(source);
	tm_execute(&digest_of, args, NULL);
	digest = TextDatumGetCString(tm_result(1, &isnull));

	memset(&im, 0, sizeof(im));
	initStringInfo(&im.report.skipped);
	initStringInfo(&im.report.adjusted);
	initStringInfo(&im.report.renumbered);

	args[0] = TM_TEXT(digest);
	if (tm_execute(&earlier_import, args, NULL) > 0)
	{
		char	   *at = TextDatumGetCString(tm_result(1, &isnull));
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "{\"status\":\"already_imported\",\"dry_run\":%s,"
						 "\"source_digest\":\"%s\",\"imported_at\":\"%s\"}",
						 dry_run ? "true" : "false", digest, at);
		report = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
		PG_RETURN_JSONB_P(outlive_spi(report));
	}

	tm_execute(&target_data, NULL, NULL);
	if (!into_existing)
	{
		int64		users = DatumGetInt64(tm_result(1, &isnull));
		int64		events = DatumGetInt64(tm_result(2, &isnull));
		int64		artists = DatumGetInt64(tm_result(3, &isnull));
		int64		orders = DatumGetInt64(tm_result(4, &isnull));

		if (users + events + artists + orders > 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the database already has data (" INT64_FORMAT " user accounts, "
							INT64_FORMAT " events, " INT64_FORMAT " artists, " INT64_FORMAT " orders)",
							users, events, artists, orders),
					 errhint("Import into a new database, or ask for the rows to go beside the existing ones (option into_existing_data, ticketmonster-web import --into-existing-data).")));
	}

	im.accounts = string_table("import accounts", sizeof(AccountEntry));
	im.case_folded = string_table("import folded usernames", sizeof(FoldedEntry));
	im.events = int_table("import events", sizeof(EventEntry), sizeof(int32));
	im.artists = int_table("import artists", sizeof(ArtistEntry), sizeof(int32));
	im.links = int_table("import links", sizeof(LinkKey), sizeof(LinkKey));
	im.order_ids = int_table("import order ids", sizeof(IdEntry), sizeof(int32));

	if (dry_run)
		import_dry(&im, source);
	else
		import_all(&im, source);

	if (strict && (im.report.n_skipped > 0 || im.report.n_adjusted > 0))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("%d source rows would be skipped and %d changed, and the import is strict",
						im.report.n_skipped, im.report.n_adjusted),
				 errhint("Run it as a dry run to see them, fix them in the source, and import again.")));

	report = report_json(&im, dry_run ? "checked" : "imported", dry_run, digest);
	if (!dry_run)
	{
		Datum		last_ids[3] = {Int32GetDatum(im.next_id[T_ARTISTS] - 1),
			Int32GetDatum(im.next_id[T_EVENTS] - 1), Int32GetDatum(im.next_id[T_ORDERS] - 1)};

		tm_execute(&continue_sequences, last_ids, NULL);
		args[0] = TM_TEXT(digest);
		args[1] = JsonbPGetDatum(report);
		tm_execute(&record_import, args, NULL);
	}
	PG_RETURN_JSONB_P(outlive_spi(report));
}
