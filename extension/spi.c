/*
 * spi.c
 *		Prepared statements through SPI: planned once per backend, arguments always bound.
 */
#include "ticketmonster.h"

#include "commands/extension.h"
#include "utils/builtins.h"

/*
 * The library serves exactly the SQL objects of its own version. After a package upgrade
 * and before ALTER EXTENSION ... UPDATE, a database still has the old version's tables and
 * functions: refuse clearly rather than run statements written for another schema. Checked
 * once per backend, when its first statement is prepared; the update script itself may
 * call the library while the catalog still shows the old version.
 */
static void
tm_require_matching_schema(void)
{
	static bool checked = false;
	bool		isnull;
	char	   *installed;

	if (checked || creating_extension)
		return;
	if (SPI_execute("SELECT extversion FROM pg_catalog.pg_extension"
					" WHERE extname OPERATOR(pg_catalog.=) 'ticketmonster'", true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "the ticketmonster extension is not installed in this database");
	installed = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1, &isnull));
	if (strcmp(installed, TM_EXTVERSION) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ticketmonster's SQL objects are at version %s but its library is at %s",
						installed, TM_EXTVERSION),
				 errhint("Run ALTER EXTENSION ticketmonster UPDATE as the extension's owner.")));
	checked = true;
}

static SPIPlanPtr
tm_plan(TmStatement *stmt)
{
	if (stmt->plan == NULL)
	{
		SPIPlanPtr	plan;

		tm_require_matching_schema();
		plan = SPI_prepare_cursor(stmt->sql, stmt->nargs, stmt->argtypes,
								  stmt->generic_plan ? CURSOR_OPT_GENERIC_PLAN : 0);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 stmt->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		stmt->plan = plan;
	}
	return stmt->plan;
}

/* Run the statement; returns the number of rows it returned or changed. */
uint64
tm_execute(TmStatement *stmt, Datum *values, const char *nulls)
{
	int			rc = SPI_execute_plan(tm_plan(stmt), values, nulls, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 stmt->sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/* Column (1-based) of the first row of the last result. */
Datum
tm_result(int column, bool *isnull)
{
	Assert(SPI_processed > 0);
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, isnull);
}

/*
 * Run a statement whose first column is jsonb; returns the first row's value, copied out
 * of SPI's memory so that it outlives SPI_finish(), or NULL when there is no row.
 */
Jsonb *
tm_execute_jsonb(TmStatement *stmt, Datum *values, const char *nulls)
{
	bool		isnull;
	Datum		value;

	if (tm_execute(stmt, values, nulls) == 0)
		return NULL;
	value = tm_result(1, &isnull);
	if (isnull)
		return NULL;

	/*
	 * Values under 127 bytes come with a short header, which DatumGetJsonbP() expands in a
	 * fresh copy in the current memory context: do that here, before the copy out, or it
	 * would happen later in SPI's memory and vanish with SPI_finish().
	 */
	value = PointerGetDatum(DatumGetJsonbP(value));
	return (Jsonb *) DatumGetPointer(SPI_datumTransfer(value, false, -1));
}
