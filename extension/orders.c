/*
 * orders.c
 *		Buying tickets, one line or a whole cart, and listing orders.
 *
 * A purchase is correct at READ COMMITTED without retries because every check that matters
 * is the WHERE clause of the UPDATE that acts on it: the debit only happens if the money is
 * there, a line only sells if the tickets are there at the price the debit was computed
 * with. A row lock taken by such an UPDATE makes a concurrent buyer wait and then
 * re-evaluate the condition against the committed row.
 *
 * Lock order of the whole extension, so that no two API operations deadlock: account
 * rows (or, for a link or an artist's edit, the artist's row) before event rows, events in
 * ascending id, then order rows, then ticket rows. A
 * purchase takes its account row (key share for the idempotency key, which it claims next,
 * then the debit), then each event, inserting its order and tickets. Holding the account
 * row from the debit to the commit is also what makes max_tickets_per_account hold across
 * concurrent carts of one account: a purchase counts the account's orders only after
 * taking it, when every earlier purchase of that account has committed.
 */
#include "ticketmonster.h"

#include "catalog.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#define TM_CART_MAX 100
#define TM_IDEMPOTENCY_KEY_MAX 255

/*
 * An order as the API shows it; "o" is an orders row, "e" its events row, `tickets` their
 * tickets (TM_TICKETS_JSON). Only its buyer and admins ever see an order, so its tickets'
 * codes come with it.
 */
#define ORDER_JSON_WITH(tickets) \
	"pg_catalog.jsonb_build_object('id', o.id, 'username', o.username, " \
	"'event_id', o.event_id, 'id_event', o.event_id, 'event_name', e.name, " \
	"'event_city', e.city, 'event_date', e.date, " \
	"'tickets_bought', o.tickets_bought, 'price', o.price, 'status', o.status, " \
	"'created_at', " TM_UTC("o.created_at") ", 'tickets', " tickets ")"
#define ORDER_JSON ORDER_JSON_WITH(TM_ORDER_TICKETS)

/* Keys expire after a day, as the idempotency keys of payment APIs do. */
#define KEY_EXPIRED "created_at < pg_catalog.now() - interval '24 hours'"

/* Canonical text of the jsonb body $3: equal requests hash equal whatever their layout. */
#define REQUEST_HASH "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to($3::text, 'UTF8')), 'hex')"

/*
 * Claim the key for this request. The account's row is key-share locked first so that a
 * concurrent account deletion makes this insert nothing (and the purchase a 404) instead
 * of failing its foreign key; ON CONFLICT waits for an in-flight request with the same
 * key, and takes over an expired key in place. Other expired keys of the user go too.
 */
static TmStatement claim_key = {
	"WITH expired AS (DELETE FROM idempotency_keys"
	" WHERE username = $1 AND key <> $2 AND " KEY_EXPIRED ") "
	"INSERT INTO idempotency_keys (username, key, request_hash, response) "
	"SELECT username, $2, " REQUEST_HASH ", 'null' FROM accounts"
	" WHERE username = $1 AND role = 'user' AND closed_at IS NULL FOR KEY SHARE "
	"ON CONFLICT (username, key) DO UPDATE"
	" SET request_hash = excluded.request_hash, response = 'null', created_at = pg_catalog.now()"
	" WHERE idempotency_keys." KEY_EXPIRED " "
	"RETURNING 1",
	3, {TEXTOID, TEXTOID, JSONBOID}
};

static TmStatement claimed_key = {
	"SELECT request_hash = " REQUEST_HASH ", response FROM idempotency_keys"
	" WHERE username = $1 AND key = $2",
	3, {TEXTOID, TEXTOID, JSONBOID}
};

static TmStatement store_response = {
	"UPDATE idempotency_keys SET response = $3 WHERE username = $1 AND key = $2",
	3, {TEXTOID, TEXTOID, JSONBOID}
};

/* No lock: the price is checked again by the UPDATE that sells. */
static TmStatement event_prices = {
	"SELECT id, price FROM events WHERE id = ANY ($1) AND deleted_at IS NULL ORDER BY id",
	1, {INT4ARRAYOID}, true
};

/* A total beyond any balance (read_prices() saturates it) simply matches no row. */
static TmStatement debit = {
	"UPDATE accounts SET available_money = available_money - $2"
	" WHERE username = $1 AND role = 'user' AND closed_at IS NULL AND available_money >= $2",
	2, {TEXTOID, INT8OID}, true
};

static TmStatement account_state = {
	"SELECT role <> 'user', available_money FROM accounts WHERE username = $1 AND closed_at IS NULL",
	1, {TEXTOID}
};

/*
 * Sells a line if the event is live, not over, has the tickets at the price the debit was
 * computed with, and the account stays within the event's limit; inserts the order and
 * its tickets (with their codes, the column's default). Returns the order as the API shows
 * it, built from what the statement wrote: its own inserts are not visible to it otherwise.
 */
#define CONFIRMED_TICKETS \
	"(SELECT coalesce(pg_catalog.sum(c.tickets_bought), 0) FROM orders c" \
	" WHERE c.username = $1 AND c.event_id = $2 AND c.status = 'confirmed')"

static TmStatement sell_line = {
	"WITH e AS (UPDATE events e SET tickets_left = tickets_left - $3,"
	" tickets_sold = tickets_sold + $3, version = version + 1"
	" WHERE id = $2 AND deleted_at IS NULL AND tickets_left >= $3 AND price = $4"
	" AND NOT " TM_EVENT_PAST
	" AND (max_tickets_per_account IS NULL"
	" OR $3::int8 + " CONFIRMED_TICKETS " <= max_tickets_per_account)"
	" RETURNING *), "
	"o AS (INSERT INTO orders (username, event_id, tickets_bought, price)"
	" SELECT $1, id, $3, $4 FROM e RETURNING *), "
	"t AS (INSERT INTO tickets (order_id) SELECT o.id FROM o, pg_catalog.generate_series(1, $3)"
	" RETURNING code, checked_in_at) "
	"SELECT " ORDER_JSON_WITH(TM_TICKETS_JSON("t")) " FROM o, e",
	4, {TEXTOID, INT4OID, INT4OID, INT4OID}, true
};

/* Why a sale failed, on the committed row. */
static TmStatement event_state = {
	"SELECT tickets_left, price, " TM_EVENT_PAST ", max_tickets_per_account, "
	CONFIRMED_TICKETS " FROM events e WHERE id = $2 AND deleted_at IS NULL",
	2, {TEXTOID, INT4OID}
};

static TmStatement account_orders = {
	"SELECT pg_catalog.jsonb_build_object('orders', COALESCE((SELECT pg_catalog.jsonb_agg(" ORDER_JSON
	" ORDER BY o.created_at DESC, o.id DESC)"
	" FROM orders o JOIN events e ON e.id = o.event_id"
	" WHERE o.username = a.username), '[]'))"
	" FROM accounts a WHERE a.username = $1 AND a.closed_at IS NULL",
	1, {TEXTOID}
};

static TmStatement all_orders = {
	"SELECT pg_catalog.jsonb_build_object('orders', COALESCE(pg_catalog.jsonb_agg(" ORDER_JSON
	" ORDER BY o.created_at DESC, o.id DESC), '[]'))"
	" FROM orders o JOIN events e ON e.id = o.event_id",
	0
};

/* One line of a purchase. */
typedef struct OrderLine
{
	int32		event_id;
	int32		tickets;
	int32		price;			/* per ticket, as read before buying */
	Jsonb	   *order;			/* the order it became */
} OrderLine;

/* The whole request: lines in the order the client listed them. */
struct TmPurchase
{
	const char *username;		/* the buyer's stored spelling */
	Jsonb	   *body;
	char	   *idempotency_key;	/* NULL: none */
	bool		is_cart;
	int			nlines;
	OrderLine  *lines;
	OrderLine **by_event;		/* the same lines in ascending event id: the lock order */
};

/* event_id, or id_event as the original app's clients call it; event_id wins if both. */
static void
parse_line(Jsonb *line, OrderLine *result)
{
	const char *field = tm_body_has(line, "event_id") || !tm_body_has(line, "id_event")
		? "event_id" : "id_event";

	result->event_id = tm_body_int(line, field, 1);
	result->tickets = tm_body_int(line, "tickets_bought", 1);
	result->price = 0;
	result->order = NULL;
}

static void
parse_cart(Jsonb *body, TmPurchase *purchase)
{
	JsonbValue *cart = getKeyJsonValueFromContainer(&body->root, "orders", strlen("orders"), NULL);
	int			n;

	if (cart->type != jbvBinary || !JsonContainerIsArray(cart->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"orders\" must be an array of order lines")));
	n = JsonContainerSize(cart->val.binary.data);
	if (n < 1 || n > TM_CART_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("a cart must have between 1 and %d lines", TM_CART_MAX)));

	purchase->nlines = n;
	purchase->lines = palloc(n * sizeof(OrderLine));
	for (int i = 0; i < n; i++)
	{
		JsonbValue *line = getIthJsonbValueFromContainer(cart->val.binary.data, i);

		if (line->type != jbvBinary || !JsonContainerIsObject(line->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("line %d of the cart must be an object", i + 1)));
		parse_line(JsonbValueToJsonb(line), &purchase->lines[i]);
	}
}

static int
compare_event_ids(const void *a, const void *b)
{
	const OrderLine *x = *(OrderLine *const *) a;
	const OrderLine *y = *(OrderLine *const *) b;

	return (x->event_id > y->event_id) - (x->event_id < y->event_id);
}

/* A body is one line, or {"orders": [line, ...]}; each event at most once. */
static void
parse_purchase(Jsonb *body, TmPurchase *purchase)
{
	purchase->is_cart = tm_body_has(body, "orders");
	if (purchase->is_cart)
		parse_cart(body, purchase);
	else
	{
		purchase->nlines = 1;
		purchase->lines = palloc(sizeof(OrderLine));
		parse_line(body, &purchase->lines[0]);
	}

	purchase->by_event = palloc(purchase->nlines * sizeof(OrderLine *));
	for (int i = 0; i < purchase->nlines; i++)
		purchase->by_event[i] = &purchase->lines[i];
	qsort(purchase->by_event, purchase->nlines, sizeof(OrderLine *), compare_event_ids);
	for (int i = 1; i < purchase->nlines; i++)
		if (purchase->by_event[i]->event_id == purchase->by_event[i - 1]->event_id)
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("event %d appears twice in the cart",
							purchase->by_event[i]->event_id),
					 errhint("Buy several tickets of an event in one line.")));
}

static void
event_not_found(int32 event_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("event %d does not exist", event_id)));
}

/*
 * Prices of every line's event, in one query; returns the total cost. A line costs at most
 * (2^31 - 1)^2, but a cart of several can pass 2^63: the total then saturates at
 * PG_INT64_MAX, beyond any balance all the same, instead of wrapping round to a small one.
 */
static int64
read_prices(TmPurchase *purchase)
{
	Datum	   *ids = palloc(purchase->nlines * sizeof(Datum));
	Datum		args[1];
	uint64		nrows;
	int64		total = 0;

	for (int i = 0; i < purchase->nlines; i++)
		ids[i] = Int32GetDatum(purchase->by_event[i]->event_id);
	args[0] = PointerGetDatum(construct_array(ids, purchase->nlines, INT4OID,
											  sizeof(int32), true, TYPALIGN_INT));
	nrows = tm_execute(&event_prices, args, NULL);

	/* Both sides are in ascending id: the first line without its row is missing. */
	for (int i = 0; i < purchase->nlines; i++)
	{
		OrderLine  *line = purchase->by_event[i];
		bool		isnull;

		if ((uint64) i >= nrows ||
			DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc,
										1, &isnull)) != line->event_id)
			event_not_found(line->event_id);
		line->price = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
												  SPI_tuptable->tupdesc, 2, &isnull));
		if (pg_add_s64_overflow(total, (int64) line->price * line->tickets, &total))
			total = PG_INT64_MAX;
	}
	return total;
}

/* An account that cannot buy is an error here; returns the money of one that can. */
static int32
buyer_money(const char *username)
{
	Datum		args[1];
	bool		isnull;

	args[0] = TM_TEXT(username);
	if (tm_execute(&account_state, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_FOUND),
				 errmsg("account \"%s\" does not exist", username)));
	if (DatumGetBool(tm_result(1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only users can buy tickets, not admins or door staff")));
	return DatumGetInt32(tm_result(2, &isnull));
}

/* After a debit matched no row: why. */
static void
debit_failed(const char *username, int64 total)
{
	int32		available = buyer_money(username);

	ereport(ERROR,
			(errcode(ERRCODE_TM_INSUFFICIENT_FUNDS),
			 errmsg("not enough money"),
			 errdetail("Costs " INT64_FORMAT ", available %d.", total, available)));
}

/* After selling a line matched no event row: why, judged on the committed row. */
static void
sale_failed(const char *username, const OrderLine *line)
{
	Datum		args[2];
	bool		isnull;
	int32		tickets_left;
	int32		price;
	int32		max;
	int64		bought;
	bool		bought_isnull;

	args[0] = TM_TEXT(username);
	args[1] = Int32GetDatum(line->event_id);
	if (tm_execute(&event_state, args, NULL) == 0)
		event_not_found(line->event_id);
	tickets_left = DatumGetInt32(tm_result(1, &isnull));
	price = DatumGetInt32(tm_result(2, &isnull));
	if (DatumGetBool(tm_result(3, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_TM_EVENT_OVER),
				 errmsg("event %d is over: its tickets are no longer sold", line->event_id)));
	if (price != line->price)
		ereport(ERROR,
				(errcode(ERRCODE_TM_PRICE_CHANGED),
				 errmsg("the price of event %d changed while buying", line->event_id),
				 errdetail("It was %d and is now %d.", line->price, price),
				 errhint("Buy again at the new price.")));
	/* Stable while this purchase holds the account: only it could add to or cancel them. */
	max = DatumGetInt32(tm_result(4, &isnull));
	bought = DatumGetInt64(tm_result(5, &bought_isnull));
	if (!isnull && bought + line->tickets > max)
		ereport(ERROR,
				(errcode(ERRCODE_TM_LIMIT_EXCEEDED),
				 errmsg("at most %d tickets of event %d per account", max, line->event_id),
				 errdetail(INT64_FORMAT " bought already.", bought)));

	/*
	 * Otherwise it was sold out when the sale ran, even if a cancellation has put tickets
	 * back since: this statement sees a later snapshot than the sale's.
	 */
	ereport(ERROR,
			(errcode(ERRCODE_TM_SOLD_OUT),
			 errmsg("not enough tickets left for event %d", line->event_id),
			 errdetail("%d left.", tickets_left)));
}

/* Money first, then each event in ascending id: the extension's lock order. */
static void
buy(TmPurchase *purchase)
{
	int64		total = read_prices(purchase);
	Datum		args[4];

	args[0] = TM_TEXT(purchase->username);
	args[1] = Int64GetDatum(total);
	if (tm_execute(&debit, args, NULL) == 0)
		debit_failed(purchase->username, total);

	for (int i = 0; i < purchase->nlines; i++)
	{
		OrderLine  *line = purchase->by_event[i];

		args[1] = Int32GetDatum(line->event_id);
		args[2] = Int32GetDatum(line->tickets);
		args[3] = Int32GetDatum(line->price);
		line->order = tm_execute_jsonb(&sell_line, args, NULL);
		if (line->order == NULL)
			sale_failed(purchase->username, line);
	}
}

/* {"order": order} or {"orders": [order, ...]} in the order the client listed. */
static Jsonb *
purchase_response(const TmPurchase *purchase)
{
	JsonbParseState *state = NULL;
	JsonbValue	key;
	JsonbValue *result;

	key.type = jbvString;
	key.val.string.val = purchase->is_cart ? "orders" : "order";
	key.val.string.len = strlen(key.val.string.val);

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	pushJsonbValue(&state, WJB_KEY, &key);
	if (purchase->is_cart)
		pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	for (int i = 0; i < purchase->nlines; i++)
	{
		Jsonb	   *order = purchase->lines[i].order;
		JsonbValue	value;

		value.type = jbvBinary;
		value.val.binary.data = &order->root;
		value.val.binary.len = VARSIZE(order) - VARHDRSZ;
		pushJsonbValue(&state, purchase->is_cart ? WJB_ELEM : WJB_VALUE, &value);
	}
	if (purchase->is_cart)
		pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);

	/* Built in SPI's memory: copy it out so that it survives SPI_finish(). */
	return DatumGetJsonbP(SPI_datumTransfer(JsonbPGetDatum(JsonbValueToJsonb(result)),
											false, -1));
}

/*
 * Claim the Idempotency-Key inside the purchase's transaction, so that it commits or rolls
 * back with the purchase. Returns the stored response of an earlier request with the same
 * key and body, or NULL when this request is the first and must buy.
 */
static Jsonb *
claim_idempotency_key(const char *username, const char *key, Jsonb *body)
{
	Datum		args[3];
	bool		isnull;

	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(key);
	args[2] = JsonbPGetDatum(body);
	if (tm_execute(&claim_key, args, NULL) > 0)
		return NULL;

	/* Nothing claimed: the key is taken, or there is no account to buy for. */
	if (tm_execute(&claimed_key, args, NULL) == 0)
	{
		buyer_money(username);
		elog(ERROR, "idempotency key \"%s\" neither claimed nor found", key);
	}
	if (!DatumGetBool(tm_result(1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_TM_IDEMPOTENCY_REUSED),
				 errmsg("idempotency key \"%s\" was already used for a different request",
						key),
				 errhint("Send a new key with a new request.")));
	return DatumGetJsonbP(SPI_datumTransfer(tm_result(2, &isnull), false, -1));
}

static void
store_idempotent_response(const char *username, const char *key, Jsonb *response)
{
	Datum		args[3];

	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(key);
	args[2] = JsonbPGetDatum(response);
	tm_execute(&store_response, args, NULL);
}

static char *
idempotency_key_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *key;
	int			len;

	if (tm_arg_is_null(fcinfo, argno))
		return NULL;
	key = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	len = pg_mbstrlen(key);
	if (len < 1 || len > TM_IDEMPOTENCY_KEY_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("the idempotency key must have between 1 and %d characters",
						TM_IDEMPOTENCY_KEY_MAX)));
	return key;
}

/* Only users buy, each for themselves; the console buys for anyone. */
static void
require_buyer(const TmCaller *caller, const char *username)
{
	if (caller->is_console)
		return;
	if (caller->is_admin || caller->is_staff)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("%s cannot buy tickets", caller->is_admin ? "admins" : "door staff")));
	tm_require_owner(caller, username);
}

/*
 * The checks that need no lock (the token, the buyer, the body) and the parsed request, from
 * the arguments (token, username, body, idempotency_key).
 */
TmPurchase *
tm_purchase_parse(FunctionCallInfo fcinfo)
{
	TmPurchase *purchase = palloc(sizeof(TmPurchase));
	TmCaller	caller = tm_caller(fcinfo, 0);

	purchase->username = tm_arg_username(fcinfo, 1);
	require_buyer(&caller, purchase->username);
	purchase->body = tm_body(fcinfo, 2);
	parse_purchase(purchase->body, purchase);
	purchase->idempotency_key = idempotency_key_arg(fcinfo, 3);
	return purchase;
}

/* Buys, or replays the response stored under the idempotency key; returns the response. */
Jsonb *
tm_purchase_complete(TmPurchase *purchase)
{
	const char *key = purchase->idempotency_key;
	Jsonb	   *response = NULL;

	if (key != NULL)
		response = claim_idempotency_key(purchase->username, key, purchase->body);
	if (response == NULL)
	{
		buy(purchase);
		response = purchase_response(purchase);
		if (key != NULL)
			store_idempotent_response(purchase->username, key, response);
	}
	return response;
}

/* The row locks of tm_purchases_lock(), each table's in key order. */
static TmStatement lock_buyers = {
	"SELECT FROM accounts WHERE username = ANY ($1) ORDER BY username FOR NO KEY UPDATE",
	1, {TEXTARRAYOID}, true
};

static TmStatement lock_events = {
	"SELECT FROM events WHERE id = ANY ($1) ORDER BY id FOR NO KEY UPDATE",
	1, {INT4ARRAYOID}, true
};

/*
 * Takes, in the extension's lock order, every row lock that the purchases will take: all
 * their buyers' accounts, then all their events in ascending id. Several purchases in one
 * transaction would otherwise take them in the order the purchases come (an event, then the
 * next buyer's account), and two such transactions could deadlock.
 *
 * Locks only: updating the rows to the values they have would add a row version and its WAL
 * per row and spare the purchases nothing. The new version carries the transaction's lock
 * too, so each purchase's subtransaction updates the row through a MultiXact either way
 * (pageinspect shows it).
 */
void
tm_purchases_lock(TmPurchase *const *purchases, int count)
{
	Datum	   *buyers = palloc(count * sizeof(Datum));
	Datum	   *events;
	int			nevents = 0;
	Datum		args[1];

	for (int i = 0; i < count; i++)
	{
		buyers[i] = TM_TEXT(purchases[i]->username);
		nevents += purchases[i]->nlines;
	}
	events = palloc(nevents * sizeof(Datum));
	nevents = 0;
	for (int i = 0; i < count; i++)
		for (int j = 0; j < purchases[i]->nlines; j++)
			events[nevents++] = Int32GetDatum(purchases[i]->lines[j].event_id);

	args[0] = PointerGetDatum(construct_array(buyers, count, TEXTOID, -1, false, TYPALIGN_INT));
	tm_execute(&lock_buyers, args, NULL);
	args[0] = PointerGetDatum(construct_array(events, nevents, INT4OID,
											  sizeof(int32), true, TYPALIGN_INT));
	tm_execute(&lock_events, args, NULL);
}

PG_FUNCTION_INFO_V1(tm_order_create);

/* tm_order_create(token, username, body, idempotency_key) */
Datum
tm_order_create(PG_FUNCTION_ARGS)
{
	Jsonb	   *response;

	SPI_connect();
	response = tm_purchase_complete(tm_purchase_parse(fcinfo));
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

PG_FUNCTION_INFO_V1(tm_account_orders);

/* tm_account_orders(token, username): newest first */
Datum
tm_account_orders(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	char	   *username;
	Datum		args[1];
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	username = tm_arg_username(fcinfo, 1);
	tm_require_owner(&caller, username);
	args[0] = TM_TEXT(username);
	response = tm_execute_jsonb(&account_orders, args, NULL);
	if (response == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_TM_NOT_FOUND),
				 errmsg("account \"%s\" does not exist", username)));
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

PG_FUNCTION_INFO_V1(tm_orders);

/* tm_orders(token): every order, newest first; admins only */
Datum
tm_orders(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	response = tm_execute_jsonb(&all_orders, NULL, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

/*
 * Cancelling an order: its buyer's account, then its event, then the order itself, in the
 * extension's lock order. The order's row lock is what a check-in takes (shared) before it
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
	"SELECT pg_catalog.jsonb_build_object('order', " ORDER_JSON ", 'refund', $2::int8)"
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
