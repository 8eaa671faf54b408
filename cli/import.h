/*
 * import.h -- `ticketmonster-web import SOURCE`: the original Flask app's data brought in
 * through the extension's tm_import() (docs/import.md).
 */
#ifndef TM_IMPORT_H
#define TM_IMPORT_H

#include <jansson.h>
#include <stddef.h>

/* The subcommand; argv[0] is "import". Returns the process's exit status. */
int			import_main(int argc, char **argv);

/*
 * import_source.c: reads the source into tm_import()'s document
 * {"link_table", "accounts", "artists", "events", "event_artists", "orders"}, each table an
 * array of row objects keyed by the original's column names. NULL on failure, with one
 * line in `error`.
 */
json_t	   *import_read_postgres(const char *url, char *error, size_t error_size);
json_t	   *import_read_sqlite(const char *path, char *error, size_t error_size);

/* The columns tm_import() reads, per table of the original app (NULL-terminated). */
typedef struct ImportTableSpec
{
	const char *table;
	const char *order_by;
	const char *columns[8];
} ImportTableSpec;

extern const ImportTableSpec import_tables[];	/* ends with a NULL table */

#endif
