/*
 * order_cancel.c
 *		tm_order_cancel: a buyer (or an admin) cancels an order, gets its money back, and its
 *		tickets go back on sale.
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

/*
 * Its locks, in the extension's lock order (orders.c): its buyer's account, then its event,
 * then the order itself. The order's row lock is what a check-in takes (shared) before it
 * marks a ticket, so a cancel and a check-in of the same order see each other committed.
 */
static TmStatement order_event = {
	"SELECT event_id FROM orders WHERE id = $1 AND username = $2",
	2, {INT4OID, TEXTOID}
};

static TmStatement lock_buyer = {
	"SELECT FROM accounts WHERE username = $1 FOR UPDATE",
	1, {TEXTOID}
};

static TmStatement lock_order_event = {
	"SELECT FROM events WHERE id = $1 FOR UPDATE",
	1, {INT4OID}
};

static TmStatement lock_order = {
	"SELECT FROM orders WHERE id = $1 FOR UPDATE",
	1, {INT4OID}
};

/*
 * What decides whether the locked order can be cancelled: its status, whether a ticket of
 * it was checked in, and whether its event starts within cancel_before_hours ($2). Without
 * a start time an event starts at the beginning of its day. A statement of its own, after
 * the lock: its snapshot then includes a check-in that committed while the lock waited.
 */
static TmStatement order_state = {
	"SELECT o.status, EXISTS (SELECT FROM tickets t WHERE t.order_id = o.id"
	" AND t.checked_in_at IS NOT NULL),"
	" e.date + coalesce(e.start_time, time '00:00') - pg_catalog.make_interval(hours => $2) <= localtimestamp"
	" FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1",
	2, {INT4OID, INT4OID}
};

/* Marks it, gives the money back and puts the tickets back on sale; returns the refund. */
static TmStatement cancel_order = {
	"WITH o AS (UPDATE orders SET status = 'cancelled', ended_at = pg_catalog.now() WHERE id = $1"
	" RETURNING username, event_id, tickets_bought, tickets_bought::int8 * price AS refund), "
	"a AS (UPDATE accounts a SET available_money = a.available_money + o.refund FROM o"
	" WHERE a.username = o.username), "
	"e AS (UPDATE events e SET tickets_left = tickets_left + o.tickets_bought,"
	" tickets_sold = tickets_sold - o.tickets_bought, version = version + 1"
	" FROM o WHERE e.id = o.event_id) "
	"SELECT refund FROM o",
	1, {INT4OID}
};

static TmStatement cancel_response = {
	"SELECT pg_catalog.jsonb_build_object('order', " TM_ORDER_JSON ", 'refund', $2::int8)"
	" FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1",
	2, {INT4OID, INT8OID}
};

static void
order_not_found(int32 order_id, const char *username)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("account \"%s\" has no order %d", username, order_id)));
}

PG_FUNCTION_INFO_V1(tm_order_cancel);

/* tm_order_cancel(token, username, order_id): the buyer (or an admin, or the console) */
Datum
tm_order_cancel(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	char	   *username;
	int32		order_id;
	Datum		args[2];
	bool		isnull;
	char	   *status;
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	username = tm_arg_username(fcinfo, 1);
	order_id = tm_arg_int(fcinfo, 2, "the order id");
	tm_require_owner(&caller, username);

	args[0] = Int32GetDatum(order_id);
	args[1] = TM_TEXT(username);
	if (tm_execute(&order_event, args, NULL) == 0)
		order_not_found(order_id, username);
	args[0] = tm_result(1, &isnull);
	tm_execute(&lock_buyer, &args[1], NULL);
	tm_execute(&lock_order_event, args, NULL);

	args[0] = Int32GetDatum(order_id);
	args[1] = Int32GetDatum(tm_cancel_before_hours);
	tm_execute(&lock_order, args, NULL);
	if (tm_execute(&order_state, args, NULL) == 0)
		order_not_found(order_id, username);
	status = TextDatumGetCString(tm_result(1, &isnull));
	if (strcmp(status, "confirmed") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_ALREADY_CANCELLED),
				 errmsg("order %d is %s already", order_id, status)));
	if (DatumGetBool(tm_result(2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_CANCELLABLE),
				 errmsg("order %d cannot be cancelled: a ticket of it was checked in", order_id)));
	if (DatumGetBool(tm_result(3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_CANCELLABLE),
				 errmsg("order %d cannot be cancelled: its event starts within %d hours",
						order_id, tm_cancel_before_hours)));

	tm_execute(&cancel_order, args, NULL);
	args[1] = tm_result(1, &isnull);
	response = tm_execute_jsonb(&cancel_response, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}
