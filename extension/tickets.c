/*
 * tickets.c
 *		Door check-in: POST /checkin {code, event_id?}, for staff and admins.
 *
 * Exactly one scan of a ticket ever succeeds: the check-in is one conditional UPDATE
 * (checked_in_at IS NULL), so a concurrent second scan waits for the first's row lock and
 * then finds the ticket used. Before it, the order's row is locked in share mode and its
 * status read: a cancellation (which locks the order for update, then looks for checked-in
 * tickets) and a check-in of the same order thus always see each other committed. Orders
 * before tickets: the tail of the extension's lock order (orders.c).
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

#define TM_CODE_MAX 64

static TmStatement ticket_order = {
	"SELECT order_id FROM tickets WHERE code = $1",
	1, {TEXTOID}
};

static TmStatement lock_order = {
	"SELECT status, event_id FROM orders WHERE id = $1 FOR SHARE",
	1, {INT4OID}
};

static TmStatement check_in = {
	"UPDATE tickets SET checked_in_at = pg_catalog.now() WHERE code = $1 AND checked_in_at IS NULL"
	" RETURNING 1",
	1, {TEXTOID}
};

static TmStatement first_check_in = {
	"SELECT pg_catalog.jsonb_build_object('checked_in_at', " TM_UTC("checked_in_at") ")::text"
	" FROM tickets WHERE code = $1",
	1, {TEXTOID}
};

static TmStatement checkin_response = {
	"SELECT pg_catalog.jsonb_build_object("
	"'ticket', pg_catalog.jsonb_build_object('code', t.code, 'checked_in_at', " TM_UTC("t.checked_in_at") "),"
	" 'order', pg_catalog.jsonb_build_object('id', o.id, 'username', o.username, 'event_id', o.event_id,"
	" 'event_name', e.name, 'event_date', pg_catalog.to_char(e.date::timestamp, 'YYYY-MM-DD')))"
	" FROM tickets t JOIN orders o ON o.id = t.order_id JOIN events e ON e.id = o.event_id"
	" WHERE t.code = $1",
	1, {TEXTOID}
};

PG_FUNCTION_INFO_V1(tm_checkin);

/* tm_checkin(token, body) */
Datum
tm_checkin(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Jsonb	   *body;
	char	   *code;
	int32		event_id = 0;
	Datum		args[1];
	bool		isnull;
	char	   *status;
	int32		order_event;
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_door_staff(&caller);
	body = tm_body(fcinfo, 1);
	code = tm_body_text(body, "code", TM_CODE_MAX);
	if (tm_body_has(body, "event_id"))
		event_id = tm_body_int(body, "event_id", 1);

	args[0] = TM_TEXT(code);
	if (tm_execute(&ticket_order, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_FOUND),
				 errmsg("no ticket has this code")));
	args[0] = tm_result(1, &isnull);
	tm_execute(&lock_order, args, NULL);
	status = TextDatumGetCString(tm_result(1, &isnull));
	order_event = DatumGetInt32(tm_result(2, &isnull));

	if (event_id != 0 && event_id != order_event)
		ereport(ERROR,
				(errcode(ERRCODE_TM_WRONG_EVENT),
				 errmsg("this ticket is for event %d, not event %d", order_event, event_id)));
	if (strcmp(status, "confirmed") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_TICKET_NOT_VALID),
				 errmsg("this ticket is not valid: its order was %s", status)));

	args[0] = TM_TEXT(code);
	if (tm_execute(&check_in, args, NULL) == 0)
	{
		/* The detail is a JSON object: the shim adds its fields to the error body. */
		tm_execute(&first_check_in, args, NULL);
		ereport(ERROR,
				(errcode(ERRCODE_TM_ALREADY_CHECKED_IN),
				 errmsg("this ticket was already checked in"),
				 errdetail("%s", TextDatumGetCString(tm_result(1, &isnull)))));
	}
	response = tm_execute_jsonb(&checkin_response, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}
