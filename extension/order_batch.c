/*
 * order_batch.c
 *		tm_order_create_batch(tokens, usernames, bodies, idempotency_keys): several purchases
 *		in one transaction (a group commit), each kept or undone whole on its own.
 *
 * Purchases of one event all update that event's row, so each waits for the previous one's
 * commit, and a commit waits until its WAL is flushed: one event sells at most one purchase
 * per flush, however many connections buy. The web process therefore sends the purchases
 * that queued while its previous call ran as one call of this function (shim/db_queue.c): one
 * transaction, one flush, one round trip for all of them. A purchase that arrives alone is a
 * batch of one.
 *
 * Each purchase is tm_order_create's, run in a subtransaction of its own: one that fails
 * (sold out, not enough money, a bad token) is rolled back alone and its error is its row of
 * the result, and the others go on. They commit together, or (the commit fails) none does;
 * either way no purchase is half-written. Before buying, every row lock of the batch is taken
 * in the extension's lock order (tm_purchases_lock), so that two batches never deadlock, and
 * each purchase then waits for nothing. Holding those rows, the batch writes what it charged
 * and sold once per account and per event, after the last purchase (tm_sales_write), where a
 * purchase alone writes them as it buys.
 */
#include "ticketmonster.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

/*
 * Each purchase's subtransaction gets a transaction id of its own. A backend advertises up to
 * 64 of them (PGPROC_MAX_CACHED_SUBXIDS); beyond that every snapshot taken meanwhile, in every
 * backend, must look them up in pg_subtrans. So a batch stays below.
 */
#define TM_BATCH_MAX 60

enum { ARG_TOKEN, ARG_USERNAME, ARG_BODY, ARG_KEY, ARG_COUNT };

/* One purchase of the batch and what became of it. */
typedef struct BatchItem
{
	Datum		args[ARG_COUNT];
	bool		nulls[ARG_COUNT];
	TmSales    *sales;			/* the batch's */
	TmPurchase *purchase;		/* once parsed */
	Jsonb	   *response;		/* once bought */
	ErrorData  *error;			/* or why not */
} BatchItem;

/* tm_order_create's arguments, the body parsed here: a malformed one fails its item alone. */
static bool
parse_item(void *arg)
{
	BatchItem  *item = arg;
	LOCAL_FCINFO(fcinfo, ARG_COUNT);

	InitFunctionCallInfoData(*fcinfo, NULL, ARG_COUNT, InvalidOid, NULL, NULL);
	for (int i = 0; i < ARG_COUNT; i++)
	{
		fcinfo->args[i].value = item->args[i];
		fcinfo->args[i].isnull = item->nulls[i];
	}
	if (!item->nulls[ARG_BODY])
		fcinfo->args[ARG_BODY].value =
			DirectFunctionCall1(jsonb_in, CStringGetDatum(TextDatumGetCString(item->args[ARG_BODY])));
	item->purchase = tm_purchase_parse(fcinfo);
	return true;
}

static bool
buy_item(void *arg)
{
	BatchItem  *item = arg;

	item->response = tm_purchase_complete(item->purchase, item->sales);
	return true;
}

/*
 * Runs step(item) in a subtransaction; an error rolls it back and becomes the item's result.
 * A cancellation (statement_timeout, pg_cancel_backend) is the batch's, not the item's.
 */
static void
run_item_step(bool (*step) (void *arg), BatchItem *item, MemoryContext results)
{
	MemoryContext oldcontext = CurrentMemoryContext;

	PG_TRY();
	{
		tm_in_subtransaction(step, item);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(results);
		item->error = CopyErrorData();
		if (item->error->sqlerrcode == ERRCODE_QUERY_CANCELED)
			PG_RE_THROW();
		FlushErrorState();
		MemoryContextSwitchTo(oldcontext);
	}
	PG_END_TRY();
}

/* The four arrays, one element per purchase, as the batch's items. */
static BatchItem *
batch_items(FunctionCallInfo fcinfo, int *count)
{
	BatchItem  *items = NULL;

	*count = -1;
	for (int arg = 0; arg < ARG_COUNT; arg++)
	{
		ArrayType  *array;
		Datum	   *values;
		bool	   *nulls;
		int			n;

		if (PG_ARGISNULL(arg))
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("the arrays of a batch must not be NULL")));
		array = PG_GETARG_ARRAYTYPE_P(arg);
		if (ARR_NDIM(array) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("the arrays of a batch must have one dimension")));
		deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &n);
		if (*count == -1)
		{
			if (n > TM_BATCH_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_TM_INVALID_INPUT),
						 errmsg("a batch has at most %d purchases", TM_BATCH_MAX)));
			*count = n;
			items = palloc0(Max(n, 1) * sizeof(BatchItem));
		}
		else if (n != *count)
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("the arrays of a batch must have the same length")));
		for (int i = 0; i < n; i++)
		{
			items[i].args[arg] = values[i];
			items[i].nulls[arg] = nulls[i];
		}
	}
	return items;
}

/* (response, sqlstate, message, detail, hint, raised_by_extension): one of the two halves. */
static void
put_result(ReturnSetInfo *rsinfo, const BatchItem *item)
{
	Datum		values[6] = {0};
	bool		nulls[6] = {true, true, true, true, true, true};

	if (item->error == NULL)
	{
		values[0] = JsonbPGetDatum(item->response);
		nulls[0] = false;
	}
	else
	{
		const ErrorData *error = item->error;
		const char *fields[4] = {
			unpack_sql_state(error->sqlerrcode), error->message, error->detail, error->hint
		};

		for (int i = 0; i < 4; i++)
			if (fields[i] != NULL)
			{
				values[1 + i] = CStringGetTextDatum(fields[i]);
				nulls[1 + i] = false;
			}
		values[5] = BoolGetDatum(error->funcname && strcmp(error->funcname, TM_ERROR_ROUTINE) == 0);
		nulls[5] = false;
	}
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

PG_FUNCTION_INFO_V1(tm_order_create_batch);

/*
 * tm_order_create_batch(tokens, usernames, bodies, idempotency_keys): row i is purchase i's
 * response, or its error's fields.
 */
Datum
tm_order_create_batch(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext results = CurrentMemoryContext;
	BatchItem  *items;
	TmPurchase **parsed;
	TmSales    *sales;
	int			count;
	int			nparsed = 0;

	InitMaterializedSRF(fcinfo, 0);
	items = batch_items(fcinfo, &count);
	parsed = palloc(Max(count, 1) * sizeof(TmPurchase *));

	SPI_connect();
	for (int i = 0; i < count; i++)
	{
		run_item_step(parse_item, &items[i], results);
		if (items[i].error == NULL)
			parsed[nparsed++] = items[i].purchase;
	}
	if (nparsed > 0)
	{
		sales = tm_purchases_lock(parsed, nparsed);
		for (int i = 0; i < count; i++)
			if (items[i].error == NULL)
			{
				items[i].sales = sales;
				run_item_step(buy_item, &items[i], results);
			}
		tm_sales_write(sales);
	}
	SPI_finish();

	for (int i = 0; i < count; i++)
		put_result(rsinfo, &items[i]);
	return (Datum) 0;
}
