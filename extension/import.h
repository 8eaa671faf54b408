/*
 * import.h
 *		What import.c and import_rows.c share: reading the fields of the original app's rows
 *		in tm_import()'s source document.
 */
#ifndef TM_IMPORT_H
#define TM_IMPORT_H

#include "ticketmonster.h"

#include "utils/date.h"
#include "utils/jsonb.h"

/*
 * Each getter returns NULL when the field is usable, or why it is not (a palloc'd sentence
 * for the report).
 */
extern const char *import_get_string(Jsonb *row, const char *name, char **out);
extern const char *import_get_text(Jsonb *row, const char *name, int max_chars, char **out);
extern const char *import_get_int(Jsonb *row, const char *name, int32 *out, bool *isnull);
extern const char *import_get_required_int(Jsonb *row, const char *name, int32 min, int32 *out);
extern const char *import_get_flag(Jsonb *row, const char *name, bool *out);
extern const char *import_get_date(Jsonb *row, const char *name, DateADT *out);

/* The source document: its tables (arrays of row objects) and their rows. */
extern JsonbContainer *import_rows_of(Jsonb *source, const char *name);
extern int	import_row_count(JsonbContainer *rows);
extern Jsonb *import_row_at(JsonbContainer *rows, int i);
extern char *import_row_label_int(Jsonb *row, const char *name, int i);

#endif							/* TM_IMPORT_H */
