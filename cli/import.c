/*
 * import.c -- `ticketmonster-web import SOURCE [--dry-run] [--into-existing-data] [--strict]
 * [--json]`: reads the original app's database (import_source.c) and hands it to the
 * extension's tm_import() in one transaction on ADMIN_DATABASE_URL, as the extension's owner.
 * Every rule about the data is the extension's; this prints its report. Exit status: 0 done
 * (imported, checked by a dry run, or already imported), 1 refused or failed, 2 bad usage.
 */
#include "import.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PROGRAM "ticketmonster-web import"

typedef struct ImportOptions
{
	const char *source;
	bool		dry_run;
	bool		into_existing_data;
	bool		strict;
	bool		json;
} ImportOptions;

static void
usage(FILE *out)
{
	fprintf(out,
			"usage: ticketmonster-web import SOURCE [--dry-run] [--into-existing-data] [--strict] [--json]\n"
			"\n"
			"Imports the users, events, artists, line-ups and orders of the original TicketMonster\n"
			"app into the database of ADMIN_DATABASE_URL (a role owning the extension), in one\n"
			"transaction, and prints what was read, imported, changed and skipped (docs/import.md).\n"
			"\n"
			"  SOURCE                a postgres:// or postgresql:// URL, or the path of a SQLite file\n"
			"                        (or its SQLAlchemy URI, sqlite:///data.db)\n"
			"  --dry-run             check everything and print the report; write nothing\n"
			"  --into-existing-data  import beside the events, artists and users already there\n"
			"                        (refused otherwise); taken ids get new ones, listed\n"
			"  --strict              refuse the whole import if any row would be skipped or changed\n"
			"  --json                print the report as JSON\n");
}

static bool
parse_options(int argc, char **argv, ImportOptions *options)
{
	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--dry-run") == 0)
			options->dry_run = true;
		else if (strcmp(argv[i], "--into-existing-data") == 0)
			options->into_existing_data = true;
		else if (strcmp(argv[i], "--strict") == 0)
			options->strict = true;
		else if (strcmp(argv[i], "--json") == 0)
			options->json = true;
		else if (argv[i][0] == '-' || options->source)
		{
			fprintf(stderr, PROGRAM ": unexpected argument \"%s\" (see --help)\n", argv[i]);
			return false;
		}
		else
			options->source = argv[i];
	}
	if (!options->source)
	{
		fprintf(stderr, PROGRAM ": which SOURCE? (a postgres:// URL or a SQLite file; see --help)\n");
		return false;
	}
	return true;
}

static bool
is_postgres_url(const char *source)
{
	return strncmp(source, "postgres://", 11) == 0 || strncmp(source, "postgresql://", 13) == 0;
}

/* One line: the extension's message, then its hint. */
static void
print_error(PGconn *conn, PGresult *res)
{
	const char *message = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *text = message ? message : PQerrorMessage(conn);

	fprintf(stderr, PROGRAM ": %.*s%s%s\n", (int) strcspn(text, "\n"), text,
			hint ? ". " : "", hint ? hint : "");
}

static bool
exec_ok(PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		print_error(conn, res);
	PQclear(res);
	return ok;
}

static void
print_list(json_t *report, const char *key, const char *title, const char *field)
{
	json_t	   *list = json_object_get(report, key);
	size_t		i;
	json_t	   *item;

	if (json_array_size(list) == 0)
		return;
	printf("%s:\n", title);
	json_array_foreach(list, i, item)
		printf("  %s %s: %s\n", json_string_value(json_object_get(item, "table")),
			   json_string_value(json_object_get(item, "row")),
			   json_string_value(json_object_get(item, field)));
}

/* The order of tm_import()'s work: what a row depends on comes before it. */
static const char *const table_order[] = {"accounts", "artists", "events", "event_artists", "orders"};

static void
print_report(json_t *report, const ImportOptions *options, const char *link_table)
{
	const char *status = json_string_value(json_object_get(report, "status"));
	json_t	   *tables = json_object_get(report, "tables");
	json_t	   *renumbered = json_object_get(report, "renumbered");
	const char *name;
	json_t	   *counts;
	size_t		i;
	json_t	   *item;

	if (options->json)
	{
		json_object_set_new(report, "link_table", json_string(link_table));
		char	   *text = json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS);

		puts(text);
		free(text);
		return;
	}
	if (status && strcmp(status, "already_imported") == 0)
	{
		printf("import: this source was imported already, on %s: nothing to do (no-op)\n",
			   json_string_value(json_object_get(report, "imported_at")));
		return;
	}
	printf("import: from %s (line-ups in table %s)\n", is_postgres_url(options->source) ?
		   "a PostgreSQL database" : options->source, link_table);
	printf("  %-14s %8s %8s %8s\n", "", "read", "imported", "skipped");
	for (size_t t = 0; t < sizeof(table_order) / sizeof(table_order[0]); t++)
	{
		name = table_order[t];
		counts = json_object_get(tables, name);
		printf("  %-14s %8lld %8lld %8lld\n", name,
			   (long long) json_integer_value(json_object_get(counts, "read")),
			   (long long) json_integer_value(json_object_get(counts, "imported")),
			   (long long) json_integer_value(json_object_get(counts, "skipped")));
	}
	print_list(report, "skipped", "skipped", "reason");
	print_list(report, "adjusted", "changed", "change");
	if (json_array_size(renumbered) > 0)
	{
		printf("new ids (the old one was taken in this database):\n");
		json_array_foreach(renumbered, i, item)
			printf("  %s %lld -> %lld\n", json_string_value(json_object_get(item, "table")),
				   (long long) json_integer_value(json_object_get(item, "from")),
				   (long long) json_integer_value(json_object_get(item, "to")));
	}
	printf(options->dry_run ? "import: dry run, nothing written\n" : "import: committed\n");
}

/* tm_import() in one transaction on the target; prints the report. */
static int
import_into_target(const char *document, const ImportOptions *options, const char *link_table)
{
	PGconn	   *conn = cli_admin_connect("import");
	PGresult   *res;
	char	   *opts;
	const char *params[2];
	json_t	   *report = NULL;
	int			status = 1;

	if (!conn)
		return 1;
	report = json_pack("{s:b, s:b, s:b}", "dry_run", options->dry_run,
					   "into_existing_data", options->into_existing_data, "strict", options->strict);
	opts = json_dumps(report, JSON_COMPACT);
	json_decref(report);
	report = NULL;
	params[0] = document;
	params[1] = opts;
	if (exec_ok(conn, "BEGIN"))
	{
		res = PQexecParams(conn, "SELECT tm_import($1::jsonb, $2::jsonb)", 2, NULL, params,
						   NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			report = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		else
			print_error(conn, res);
		PQclear(res);
		/* a dry run wrote nothing anyway (the extension rolled its work back) */
		if (report && exec_ok(conn, options->dry_run ? "ROLLBACK" : "COMMIT"))
		{
			print_report(report, options, link_table);
			status = 0;
		}
	}
	json_decref(report);
	free(opts);
	PQfinish(conn);
	return status;
}

int
import_main(int argc, char **argv)
{
	ImportOptions options = {0};
	char		error[1024] = "";
	json_t	   *document;
	char	   *text;
	int			status;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	{
		usage(stdout);
		return 0;
	}
	if (!parse_options(argc, argv, &options))
		return 2;

	/* Flask-SQLAlchemy's own spelling of a SQLite file, as the old app's config has it */
	if (strncmp(options.source, "sqlite:///", 10) == 0)
		options.source += 10;
	document = is_postgres_url(options.source) ?
		import_read_postgres(options.source, error, sizeof(error)) :
		import_read_sqlite(options.source, error, sizeof(error));
	if (!document)
	{
		fprintf(stderr, PROGRAM ": %s\n", error);
		return 1;
	}
	text = json_dumps(document, JSON_COMPACT);
	status = import_into_target(text, &options,
								json_string_value(json_object_get(document, "link_table")));
	free(text);
	json_decref(document);
	return status;
}
