/*
 * spi.c
 *		Prepared statements through SPI: planned once per backend, arguments always bound.
 */
#include "ticketmonster.h"

static SPIPlanPtr
tm_plan(TmStatement *stmt)
{
	if (stmt->plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(stmt->sql, stmt->nargs, stmt->argtypes);

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
