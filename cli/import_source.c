/*
 * import_source.c -- reads the original Flask app's database, PostgreSQL (Heroku) or SQLite
 * (development's data.db), into the one JSON document tm_import() takes. Nothing here
 * judges a value: the source's rows go as they are (PostgreSQL values as text, SQLite values
 * with their storage class), and the extension decides what each one means. What this file
 * checks is that the source has the original's tables and columns, and it finds the table
 * that links events and artists, whose name varies between deployments, by its two
 * foreign keys.
 */
#include "import.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const ImportTableSpec import_tables[] = {
	{"accounts", "username", {"username", "password", "is_admin", "available_money", NULL}},
	{"artists", "id", {"id", "name", "country", "genre", NULL}},
	{"events", "id", {"id", "name", "place", "city", "date", "price", "total_available_tickets", NULL}},
	{"orders", "id", {"id", "username", "id_event", "tickets_bought", NULL}},
	{NULL, NULL, {NULL}}
};

#define NOT_ORIGINAL "this is not the original TicketMonster app's database"

/* The link table: its name and its two foreign-key columns. */
typedef struct Link
{
	char		table[256];
	char		event_column[256];
	char		artist_column[256];
	int			candidates;
	char		names[512];		/* the candidates, for the error when there are several */
} Link;

static void
link_candidate(Link *link, const char *table, const char *event_column, const char *artist_column)
{
	size_t		used = strlen(link->names);

	if (link->candidates++ == 0)
	{
		snprintf(link->table, sizeof(link->table), "%s", table);
		snprintf(link->event_column, sizeof(link->event_column), "%s", event_column);
		snprintf(link->artist_column, sizeof(link->artist_column), "%s", artist_column);
	}
	snprintf(link->names + used, sizeof(link->names) - used, "%s%s", used ? ", " : "", table);
}

static bool
link_found(const Link *link, char *error, size_t error_size)
{
	if (link->candidates == 1)
		return true;
	if (link->candidates == 0)
		snprintf(error, error_size, "no table links events and artists (one with a foreign key "
				 "to each): " NOT_ORIGINAL);
	else
		snprintf(error, error_size, "several tables link events and artists (%s): cannot tell "
				 "which one is the line-ups", link->names);
	return false;
}

/* The document with its empty arrays. */
static json_t *
new_document(const Link *link)
{
	json_t	   *doc = json_object();

	json_object_set_new(doc, "link_table", json_string(link->table));
	for (const ImportTableSpec *t = import_tables; t->table; t++)
		json_object_set_new(doc, t->table, json_array());
	json_object_set_new(doc, "event_artists", json_array());
	return doc;
}

/* ---- PostgreSQL ---- */

/* The first line of a libpq error, without the "ERROR:  " prefix. */
static void
first_line(char *out, size_t size, const char *message)
{
	size_t		len;

	if (strncmp(message, "ERROR:  ", 8) == 0)
		message += 8;
	len = strcspn(message, "\n");
	snprintf(out, size, "%.*s", (int) len, message);
}

static bool
pg_ok(PGconn *conn, PGresult *res, char *error, size_t error_size)
{
	ExecStatusType status = PQresultStatus(res);

	if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
		return true;
	first_line(error, error_size, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	return false;
}

/* Every column the table needs is there. */
static bool
pg_check_table(PGconn *conn, const ImportTableSpec *t, char *error, size_t error_size)
{
	const char *params[1] = {t->table};
	PGresult   *res = PQexecParams(conn,
								   "SELECT a.attname FROM pg_catalog.pg_attribute a"
								   " WHERE a.attrelid = pg_catalog.to_regclass($1)"
								   " AND a.attnum > 0 AND NOT a.attisdropped",
								   1, NULL, params, NULL, NULL, 0);
	bool		ok = pg_ok(conn, res, error, error_size);

	if (ok && PQntuples(res) == 0)
	{
		snprintf(error, error_size, "the source has no table \"%s\": " NOT_ORIGINAL, t->table);
		ok = false;
	}
	for (int c = 0; ok && t->columns[c]; c++)
	{
		bool		found = false;

		for (int r = 0; r < PQntuples(res) && !found; r++)
			found = strcmp(PQgetvalue(res, r, 0), t->columns[c]) == 0;
		if (!found)
		{
			snprintf(error, error_size, "table \"%s\" of the source has no column \"%s\": "
					 NOT_ORIGINAL, t->table, t->columns[c]);
			ok = false;
		}
	}
	PQclear(res);
	return ok;
}

static bool
pg_find_link(PGconn *conn, Link *link, char *error, size_t error_size)
{
	PGresult   *res = PQexec(conn,
							 "SELECT c.conrelid::pg_catalog.regclass::text,"
							 " max(a.attname) FILTER (WHERE c.confrelid = 'events'::pg_catalog.regclass),"
							 " max(a.attname) FILTER (WHERE c.confrelid = 'artists'::pg_catalog.regclass)"
							 " FROM pg_catalog.pg_constraint c JOIN pg_catalog.pg_attribute a"
							 " ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
							 " WHERE c.contype = 'f' AND pg_catalog.cardinality(c.conkey) = 1"
							 " AND c.confrelid IN ('events'::pg_catalog.regclass, 'artists'::pg_catalog.regclass)"
							 " GROUP BY c.conrelid"
							 " HAVING count(*) FILTER (WHERE c.confrelid = 'events'::pg_catalog.regclass) = 1"
							 " AND count(*) FILTER (WHERE c.confrelid = 'artists'::pg_catalog.regclass) = 1"
							 " ORDER BY 1");
	bool		ok = pg_ok(conn, res, error, error_size);

	for (int r = 0; ok && r < PQntuples(res); r++)
		link_candidate(link, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2));
	PQclear(res);
	return ok && link_found(link, error, error_size);
}

/* The rows of a SELECT as objects named by `names`, every value as text (or null). */
static bool
pg_read_rows(PGconn *conn, const char *sql, const char *const *names, json_t *into,
			 char *error, size_t error_size)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = pg_ok(conn, res, error, error_size);

	for (int r = 0; ok && r < PQntuples(res); r++)
	{
		json_t	   *row = json_object();

		for (int c = 0; c < PQnfields(res); c++)
			json_object_set_new(row, names[c], PQgetisnull(res, r, c) ? json_null() :
								json_string(PQgetvalue(res, r, c)));
		json_array_append_new(into, row);
	}
	PQclear(res);
	return ok;
}

static bool
pg_read_all(PGconn *conn, json_t *doc, const Link *link, char *error, size_t error_size)
{
	static const char *const link_names[] = {"event_id", "artist_id"};
	char		sql[2048];
	char	   *event_column, *artist_column;
	bool		ok;

	for (const ImportTableSpec *t = import_tables; t->table; t++)
	{
		size_t		used = snprintf(sql, sizeof(sql), "SELECT ");

		/* fixed names, checked above; ::text so that every type reads the same way */
		for (int c = 0; t->columns[c]; c++)
			used += snprintf(sql + used, sizeof(sql) - used, "%s%s::text", c ? ", " : "", t->columns[c]);
		/* qualified: the bare name would be the ::text output column */
		snprintf(sql + used, sizeof(sql) - used, " FROM %s ORDER BY %s.%s%s", t->table, t->table,
				 t->order_by, strcmp(t->order_by, "username") == 0 ? " COLLATE \"C\"" : "");
		if (!pg_read_rows(conn, sql, t->columns, json_object_get(doc, t->table), error, error_size))
			return false;
	}

	/* regclass::text is already a quoted (and if need be qualified) name */
	event_column = PQescapeIdentifier(conn, link->event_column, strlen(link->event_column));
	artist_column = PQescapeIdentifier(conn, link->artist_column, strlen(link->artist_column));
	snprintf(sql, sizeof(sql), "SELECT %s::text, %s::text FROM %s l ORDER BY l.%s, l.%s",
			 event_column, artist_column, link->table, event_column, artist_column);
	PQfreemem(event_column);
	PQfreemem(artist_column);
	ok = pg_read_rows(conn, sql, link_names, json_object_get(doc, "event_artists"), error, error_size);
	return ok;
}

json_t *
import_read_postgres(const char *url, char *error, size_t error_size)
{
	/* The URL's own settings come first; these override only what they name. */
	const char *keywords[] = {"dbname", "connect_timeout", "client_encoding", "application_name", NULL};
	const char *values[] = {url, "10", "UTF8", "ticketmonster-import", NULL};
	PGconn	   *conn = PQconnectdbParams(keywords, values, 1);
	Link		link = {0};
	json_t	   *doc = NULL;
	PGresult   *res;
	bool		ok;
	char		message[512];

	if (PQstatus(conn) != CONNECTION_OK)
	{
		first_line(message, sizeof(message), PQerrorMessage(conn));
		snprintf(error, error_size, "cannot connect to the source database: %s", message);
		PQfinish(conn);
		return NULL;
	}
	/* One snapshot, so that orders and events agree even while the old app still runs. */
	/* ISO, so that a date column some deployment used reads as YYYY-MM-DD whatever its DateStyle */
	res = PQexec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL DateStyle = ISO");
	ok = pg_ok(conn, res, error, error_size);
	PQclear(res);
	for (const ImportTableSpec *t = import_tables; ok && t->table; t++)
		ok = pg_check_table(conn, t, error, error_size);
	ok = ok && pg_find_link(conn, &link, error, error_size);
	if (ok)
	{
		doc = new_document(&link);
		if (!pg_read_all(conn, doc, &link, error, error_size))
		{
			json_decref(doc);
			doc = NULL;
		}
	}
	PQfinish(conn);
	return doc;
}

/* ---- SQLite ---- */

/* A value with its storage class; what is not text or a number cannot be one in our tables. */
static json_t *
sqlite_value(sqlite3_stmt *stmt, int c)
{
	json_t	   *text;

	switch (sqlite3_column_type(stmt, c))
	{
		case SQLITE_NULL:
			return json_null();
		case SQLITE_INTEGER:
			return json_integer(sqlite3_column_int64(stmt, c));
		case SQLITE_FLOAT:
			return json_real(sqlite3_column_double(stmt, c));
		case SQLITE_TEXT:
			text = json_stringn((const char *) sqlite3_column_text(stmt, c),
								(size_t) sqlite3_column_bytes(stmt, c));
			if (text)
				return text;
			return json_pack("{s:s}", "unreadable", "text that is not UTF-8");
		default:
			return json_pack("{s:s}", "unreadable", "a BLOB");
	}
}

static bool
sqlite_fail(sqlite3 *db, const char *what, char *error, size_t error_size)
{
	snprintf(error, error_size, "%s: %s", what, sqlite3_errmsg(db));
	return false;
}

/* Runs `sql` (with `param` as ?1 when given), calling `row` for each result row. */
static bool
sqlite_each(sqlite3 *db, const char *sql, const char *param,
			bool (*row) (sqlite3_stmt *, void *), void *arg, char *error, size_t error_size)
{
	sqlite3_stmt *stmt;
	int			rc;
	bool		ok = true;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return sqlite_fail(db, "reading the SQLite source", error, error_size);
	if (param)
		sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		ok = row(stmt, arg);
	if (ok && rc != SQLITE_DONE)
		ok = sqlite_fail(db, "reading the SQLite source", error, error_size);
	sqlite3_finalize(stmt);
	return ok;
}

typedef struct ColumnCheck
{
	const char *wanted;
	bool		found;
	int			columns;
} ColumnCheck;

static bool
column_row(sqlite3_stmt *stmt, void *arg)
{
	ColumnCheck *check = arg;

	check->columns++;
	if (sqlite3_stricmp((const char *) sqlite3_column_text(stmt, 0), check->wanted) == 0)
		check->found = true;
	return true;
}

static bool
sqlite_check_table(sqlite3 *db, const ImportTableSpec *t, char *error, size_t error_size)
{
	for (int c = 0; t->columns[c]; c++)
	{
		ColumnCheck check = {t->columns[c], false, 0};

		if (!sqlite_each(db, "SELECT name FROM pragma_table_info(?1)", t->table, column_row, &check,
						 error, error_size))
			return false;
		if (check.columns == 0)
		{
			snprintf(error, error_size, "the source has no table \"%s\": " NOT_ORIGINAL, t->table);
			return false;
		}
		if (!check.found)
		{
			snprintf(error, error_size, "table \"%s\" of the source has no column \"%s\": "
					 NOT_ORIGINAL, t->table, t->columns[c]);
			return false;
		}
	}
	return true;
}

/* Foreign keys to events and artists, grouped by table (the query orders them so). */
typedef struct LinkScan
{
	Link	   *link;
	char		table[256];
	char		event_column[256];
	char		artist_column[256];
	int			to_events;
	int			to_artists;
} LinkScan;

static void
link_scan_flush(LinkScan *scan)
{
	if (scan->table[0] && scan->to_events == 1 && scan->to_artists == 1)
		link_candidate(scan->link, scan->table, scan->event_column, scan->artist_column);
	scan->table[0] = '\0';
	scan->to_events = scan->to_artists = 0;
}

static bool
link_row(sqlite3_stmt *stmt, void *arg)
{
	LinkScan   *scan = arg;
	const char *table = (const char *) sqlite3_column_text(stmt, 0);
	const char *target = (const char *) sqlite3_column_text(stmt, 1);
	const char *column = (const char *) sqlite3_column_text(stmt, 2);

	if (strcmp(table, scan->table) != 0)
	{
		link_scan_flush(scan);
		snprintf(scan->table, sizeof(scan->table), "%s", table);
	}
	if (strcmp(target, "events") == 0 && scan->to_events++ == 0)
		snprintf(scan->event_column, sizeof(scan->event_column), "%s", column);
	if (strcmp(target, "artists") == 0 && scan->to_artists++ == 0)
		snprintf(scan->artist_column, sizeof(scan->artist_column), "%s", column);
	return true;
}

static bool
sqlite_find_link(sqlite3 *db, Link *link, char *error, size_t error_size)
{
	LinkScan	scan = {.link = link};

	if (!sqlite_each(db,
					 "SELECT m.name, lower(f.\"table\"), f.\"from\" FROM sqlite_master m"
					 " JOIN pragma_foreign_key_list(m.name) f"
					 " WHERE m.type = 'table' AND lower(f.\"table\") IN ('events', 'artists')"
					 " ORDER BY m.name",
					 NULL, link_row, &scan, error, error_size))
		return false;
	link_scan_flush(&scan);
	return link_found(link, error, error_size);
}

typedef struct RowsInto
{
	const char *const *names;
	json_t	   *array;
} RowsInto;

static bool
data_row(sqlite3_stmt *stmt, void *arg)
{
	RowsInto   *into = arg;
	json_t	   *row = json_object();

	for (int c = 0; c < sqlite3_column_count(stmt); c++)
		json_object_set_new(row, into->names[c], sqlite_value(stmt, c));
	json_array_append_new(into->array, row);
	return true;
}

/* An identifier quoted for SQLite, into a buffer. */
static void
quote_into(char *out, size_t size, const char *name)
{
	size_t		o = 0;

	if (size < 3)
		return;
	out[o++] = '"';
	for (const char *p = name; *p && o + 3 < size; p++)
	{
		if (*p == '"')
			out[o++] = '"';
		out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static bool
sqlite_read_all(sqlite3 *db, json_t *doc, const Link *link, char *error, size_t error_size)
{
	static const char *const link_names[] = {"event_id", "artist_id"};
	char		sql[2048];
	char		table[600], event_column[600], artist_column[600];
	RowsInto	into;

	for (const ImportTableSpec *t = import_tables; t->table; t++)
	{
		size_t		used = snprintf(sql, sizeof(sql), "SELECT ");

		for (int c = 0; t->columns[c]; c++)
			used += snprintf(sql + used, sizeof(sql) - used, "%s\"%s\"", c ? ", " : "", t->columns[c]);
		snprintf(sql + used, sizeof(sql) - used, " FROM \"%s\" ORDER BY \"%s\"", t->table, t->order_by);
		into.names = t->columns;
		into.array = json_object_get(doc, t->table);
		if (!sqlite_each(db, sql, NULL, data_row, &into, error, error_size))
			return false;
	}
	quote_into(table, sizeof(table), link->table);
	quote_into(event_column, sizeof(event_column), link->event_column);
	quote_into(artist_column, sizeof(artist_column), link->artist_column);
	snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s ORDER BY 1, 2", event_column, artist_column, table);
	into.names = link_names;
	into.array = json_object_get(doc, "event_artists");
	return sqlite_each(db, sql, NULL, data_row, &into, error, error_size);
}

json_t *
import_read_sqlite(const char *path, char *error, size_t error_size)
{
	sqlite3    *db = NULL;
	Link		link = {0};
	json_t	   *doc = NULL;
	bool		ok;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
	{
		snprintf(error, error_size, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	/* SQLite reads the file lazily: its first statement tells whether it is a database. */
	ok = sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok)
		snprintf(error, error_size, "%s is not a SQLite database (%s)", path, sqlite3_errmsg(db));
	for (const ImportTableSpec *t = import_tables; ok && t->table; t++)
		ok = sqlite_check_table(db, t, error, error_size);
	ok = ok && sqlite_find_link(db, &link, error, error_size);
	if (ok)
	{
		doc = new_document(&link);
		if (!sqlite_read_all(db, doc, &link, error, error_size))
		{
			json_decref(doc);
			doc = NULL;
		}
	}
	sqlite3_close(db);
	return doc;
}
