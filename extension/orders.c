/*
 * orders.c
 *		Buying tickets, one line or a whole cart, and listing orders.
 *
 * A purchase is correct at READ COMMITTED without retries because every check that matters
 * is the WHERE clause of the UPDATE that acts on it: the debit only happens if the money is
 * there, a line only sells if the tickets are there at the price the debit was computed
 * with. A row lock taken by such an UPDATE makes a concurrent buyer wait and then
 * re-evaluate the condition against the committed row. A batch of purchases
 * (order_batch.c) locks those rows first and writes each once, after its last purchase;
 * its purchases check the same conditions, less what the batch sold and charged before them.
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
#include "lib/qunique.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"

#define TM_CART_MAX 100
#define TM_IDEMPOTENCY_KEY_MAX 255

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

/* No lock: the price is checked again by the statement that sells. */
static TmStatement event_prices = {
	"SELECT id, price FROM events WHERE id = ANY ($1) AND deleted_at IS NULL ORDER BY id",
	1, {INT4ARRAYOID}, true
};

/*
 * Who can pay $2: a user's open account with the money (`money`: what the account has). A
 * total beyond any balance (read_prices() saturates it) simply matches no row.
 */
#define DEBIT_RULES(money) \
	"username = $1 AND role = 'user' AND closed_at IS NULL AND " money " >= $2"

/* A purchase alone: the debit writes, and locks, the account's row. */
static TmStatement debit = {
	"UPDATE accounts SET available_money = available_money - $2 WHERE " DEBIT_RULES("available_money"),
	2, {TEXTOID, INT8OID}, true
};

/* A purchase of a batch: the account is locked already and charged once (write_charges). */
static TmStatement debit_in_batch = {
	"SELECT FROM accounts WHERE " DEBIT_RULES("available_money - $3"),
	3, {TEXTOID, INT8OID, INT8OID}, true
};

static TmStatement write_charges = {
	"UPDATE accounts SET available_money = available_money - $2 WHERE username = $1",
	2, {TEXTOID, INT8OID}, true
};

static TmStatement account_state = {
	"SELECT role <> 'user', available_money FROM accounts WHERE username = $1 AND closed_at IS NULL",
	1, {TEXTOID}
};

/*
 * Selling a line: one statement, made of the fragments below, checks the sale's rules on the
 * event's row, inserts the order and its tickets (with their codes, the column's default), and
 * returns the order as the API shows it, built from what the statement wrote: its own inserts
 * are not visible to it otherwise.
 */
#define CONFIRMED_TICKETS \
	"(SELECT coalesce(pg_catalog.sum(c.tickets_bought), 0) FROM orders c" \
	" WHERE c.username = $1 AND c.event_id = $2 AND c.status = 'confirmed')"

/*
 * The rules of a sale, on events row "e": live, not over, enough tickets at the price the
 * debit was computed with (`tickets_left`: the tickets the event has), and the account within
 * the event's limit.
 */
#define SALE_RULES(tickets_left) \
	"id = $2 AND deleted_at IS NULL AND " tickets_left " >= $3 AND price = $4" \
	" AND NOT " TM_EVENT_PAST \
	" AND (max_tickets_per_account IS NULL" \
	" OR $3::int8 + " CONFIRMED_TICKETS " <= max_tickets_per_account)"

/* The order and its tickets of the line that "e" sells, and the order as the API shows it. */
#define SALE_INSERTS \
	"o AS (INSERT INTO orders (username, event_id, tickets_bought, price)" \
	" SELECT $1, id, $3, $4 FROM e RETURNING *), " \
	"t AS (INSERT INTO tickets (order_id) SELECT o.id FROM o, pg_catalog.generate_series(1, $3)" \
	" RETURNING code, checked_in_at) " \
	"SELECT " TM_ORDER_JSON_WITH(TM_TICKETS_JSON("t")) " FROM o, e"

/* A purchase alone: the event's row is written, and locked, by the sale itself. */
static TmStatement sell_line = {
	"WITH e AS (UPDATE events e SET tickets_left = tickets_left - $3,"
	" tickets_sold = tickets_sold + $3, version = version + 1"
	" WHERE " SALE_RULES("tickets_left") " RETURNING *), " SALE_INSERTS,
	4, {TEXTOID, INT4OID, INT4OID, INT4OID}, true
};

/*
 * A purchase of a batch: the event's row is locked already, and written once after all the
 * batch's purchases (write_sales), so the rules count the batch's earlier sales ($5).
 */
static TmStatement sell_line_in_batch = {
	"WITH e AS (SELECT * FROM events e WHERE " SALE_RULES("tickets_left - $5") "), " SALE_INSERTS,
	5, {TEXTOID, INT4OID, INT4OID, INT4OID, INT4OID}, true
};

static TmStatement write_sales = {
	"UPDATE events SET tickets_left = tickets_left - $2, tickets_sold = tickets_sold + $2,"
	" version = version + $3 WHERE id = $1",
	3, {INT4OID, INT4OID, INT4OID}, true
};

/* Why a sale failed, on the committed row. */
static TmStatement event_state = {
	"SELECT tickets_left, price, " TM_EVENT_PAST ", max_tickets_per_account, "
	CONFIRMED_TICKETS " FROM events e WHERE id = $2 AND deleted_at IS NULL",
	2, {TEXTOID, INT4OID}
};

static TmStatement account_orders = {
	"SELECT pg_catalog.jsonb_build_object('orders', COALESCE((SELECT pg_catalog.jsonb_agg(" TM_ORDER_JSON
	" ORDER BY o.created_at DESC, o.id DESC)"
	" FROM orders o JOIN events e ON e.id = o.event_id"
	" WHERE o.username = a.username), '[]'))"
	" FROM accounts a WHERE a.username = $1 AND a.closed_at IS NULL",
	1, {TEXTOID}
};

static TmStatement all_orders = {
	"SELECT pg_catalog.jsonb_build_object('orders', COALESCE(pg_catalog.jsonb_agg(" TM_ORDER_JSON
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
	int64		total;			/* what it costs, at the prices read before buying */
	OrderLine **by_event;		/* the same lines in ascending event id: the lock order */
};

/*
 * The sales of a batch that their rows do not show yet: the batch holds its buyers' and its
 * events' rows locked, and writes each once, after its last purchase (tm_sales_write).
 */
struct TmSales
{
	int			nbuyers;
	const char **buyers;		/* ascending */
	int64	   *charged;		/* debited from each */

	int			nevents;
	int32	   *event_ids;		/* ascending */
	int32	   *tickets;		/* sold of each */
	int32	   *orders;			/* its orders: the event's version moves by as many */
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
compare_int32(const void *a, const void *b)
{
	int32		x = *(const int32 *) a;
	int32		y = *(const int32 *) b;

	return (x > y) - (x < y);
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
compare_event_ids(const void *a, const void *b)
{
	const OrderLine *x = *(OrderLine *const *) a;
	const OrderLine *y = *(OrderLine *const *) b;

	return compare_int32(&x->event_id, &y->event_id);
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

/* After a debit matched no row: why; `unwritten` is what the batch charged already. */
static void
debit_failed(const char *username, int64 total, int64 unwritten)
{
	int64		available = buyer_money(username) - unwritten;

	ereport(ERROR,
			(errcode(ERRCODE_TM_INSUFFICIENT_FUNDS),
			 errmsg("not enough money"),
			 errdetail("Costs " INT64_FORMAT ", available " INT64_FORMAT ".", total, available)));
}

/*
 * After selling a line matched no event row: why, judged on the committed row, less the
 * `unwritten` tickets that the batch sold of it.
 */
static void
sale_failed(const char *username, const OrderLine *line, int32 unwritten)
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
	tickets_left = DatumGetInt32(tm_result(1, &isnull)) - unwritten;
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

/* Where the batch counts what it charged a buyer. */
static int
buyer_slot(const TmSales *sales, const char *username)
{
	const char **found = bsearch(&username, sales->buyers, sales->nbuyers, sizeof(char *),
								compare_strings);

	Assert(found != NULL);
	return found - sales->buyers;
}

/* Where the batch counts its sales of an event. */
static int
event_slot(const TmSales *sales, int32 event_id)
{
	int32	   *found = bsearch(&event_id, sales->event_ids, sales->nevents, sizeof(int32),
								compare_int32);

	Assert(found != NULL);
	return found - sales->event_ids;
}

/* Debits a purchase's total, alone (`sales` NULL) or as part of a batch. */
static void
pay(const char *username, int64 total, const TmSales *sales)
{
	Datum		args[3];
	int64		unwritten = 0;
	uint64		paid;

	args[0] = TM_TEXT(username);
	args[1] = Int64GetDatum(total);
	if (sales == NULL)
		paid = tm_execute(&debit, args, NULL);
	else
	{
		unwritten = sales->charged[buyer_slot(sales, username)];
		args[2] = Int64GetDatum(unwritten);
		paid = tm_execute(&debit_in_batch, args, NULL);
	}
	if (paid == 0)
		debit_failed(username, total, unwritten);
}

/* Sells a line, alone (`sales` NULL) or as part of a batch. */
static void
sell(const char *username, OrderLine *line, const TmSales *sales)
{
	Datum		args[5];
	int32		unwritten = 0;

	args[0] = TM_TEXT(username);
	args[1] = Int32GetDatum(line->event_id);
	args[2] = Int32GetDatum(line->tickets);
	args[3] = Int32GetDatum(line->price);
	if (sales == NULL)
		line->order = tm_execute_jsonb(&sell_line, args, NULL);
	else
	{
		unwritten = sales->tickets[event_slot(sales, line->event_id)];
		args[4] = Int32GetDatum(unwritten);
		line->order = tm_execute_jsonb(&sell_line_in_batch, args, NULL);
	}
	if (line->order == NULL)
		sale_failed(username, line, unwritten);
}

/* Money first, then each event in ascending id: the extension's lock order. */
static void
buy(TmPurchase *purchase, const TmSales *sales)
{
	purchase->total = read_prices(purchase);
	pay(purchase->username, purchase->total, sales);
	for (int i = 0; i < purchase->nlines; i++)
		sell(purchase->username, purchase->by_event[i], sales);
}

/* Counts a bought purchase as the batch's sales. */
static void
count_sales(TmSales *sales, const TmPurchase *purchase)
{
	sales->charged[buyer_slot(sales, purchase->username)] += purchase->total;
	for (int i = 0; i < purchase->nlines; i++)
	{
		const OrderLine *line = &purchase->lines[i];
		int			slot = event_slot(sales, line->event_id);

		sales->tickets[slot] += line->tickets;
		sales->orders[slot]++;
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

/*
 * Buys, or replays the response stored under the idempotency key; returns the response. A
 * purchase of a batch (`sales` not NULL) adds what it sold to the batch's sales.
 */
Jsonb *
tm_purchase_complete(TmPurchase *purchase, TmSales *sales)
{
	const char *key = purchase->idempotency_key;
	Jsonb	   *response = NULL;

	if (key != NULL)
		response = claim_idempotency_key(purchase->username, key, purchase->body);
	if (response == NULL)
	{
		buy(purchase, sales);
		response = purchase_response(purchase);
		if (key != NULL)
			store_idempotent_response(purchase->username, key, response);
		if (sales != NULL)
			count_sales(sales, purchase);
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
 * next buyer's account), and two such transactions could deadlock. Returns the batch's
 * sales, none yet.
 *
 * Holding these rows until the commit is also what lets the batch write each of them once,
 * after its last purchase. Written by every purchase, an event's row would get a version per
 * purchase, each a longer chain for the next one to walk; and an account's row, locked here
 * and written in a purchase's subtransaction, a MultiXact for every later reader to look up.
 */
TmSales *
tm_purchases_lock(TmPurchase *const *purchases, int count)
{
	TmSales    *sales = palloc(sizeof(TmSales));
	Datum	   *keys;
	int			nevents = 0;
	Datum		args[1];

	sales->buyers = palloc(count * sizeof(const char *));
	for (int i = 0; i < count; i++)
	{
		sales->buyers[i] = purchases[i]->username;
		nevents += purchases[i]->nlines;
	}
	qsort(sales->buyers, count, sizeof(char *), compare_strings);
	sales->nbuyers = qunique(sales->buyers, count, sizeof(char *), compare_strings);

	sales->event_ids = palloc(nevents * sizeof(int32));
	nevents = 0;
	for (int i = 0; i < count; i++)
		for (int j = 0; j < purchases[i]->nlines; j++)
			sales->event_ids[nevents++] = purchases[i]->lines[j].event_id;
	qsort(sales->event_ids, nevents, sizeof(int32), compare_int32);
	sales->nevents = qunique(sales->event_ids, nevents, sizeof(int32), compare_int32);

	keys = palloc(Max(sales->nbuyers, sales->nevents) * sizeof(Datum));
	for (int i = 0; i < sales->nbuyers; i++)
		keys[i] = TM_TEXT(sales->buyers[i]);
	args[0] = PointerGetDatum(construct_array(keys, sales->nbuyers, TEXTOID, -1, false, TYPALIGN_INT));
	tm_execute(&lock_buyers, args, NULL);
	for (int i = 0; i < sales->nevents; i++)
		keys[i] = Int32GetDatum(sales->event_ids[i]);
	args[0] = PointerGetDatum(construct_array(keys, sales->nevents, INT4OID,
											  sizeof(int32), true, TYPALIGN_INT));
	tm_execute(&lock_events, args, NULL);

	sales->charged = palloc0(sales->nbuyers * sizeof(int64));
	sales->tickets = palloc0(sales->nevents * sizeof(int32));
	sales->orders = palloc0(sales->nevents * sizeof(int32));
	return sales;
}

/* Writes the batch's sales, each locked row once: the buyers' debits, then the events'. */
void
tm_sales_write(const TmSales *sales)
{
	Datum		args[3];

	for (int i = 0; i < sales->nbuyers; i++)
	{
		if (sales->charged[i] == 0)
			continue;
		args[0] = TM_TEXT(sales->buyers[i]);
		args[1] = Int64GetDatum(sales->charged[i]);
		if (tm_execute(&write_charges, args, NULL) != 1)
			elog(ERROR, "account \"%s\", locked by its purchases, was not charged",
				 sales->buyers[i]);
	}
	for (int i = 0; i < sales->nevents; i++)
	{
		if (sales->orders[i] == 0)
			continue;
		args[0] = Int32GetDatum(sales->event_ids[i]);
		args[1] = Int32GetDatum(sales->tickets[i]);
		args[2] = Int32GetDatum(sales->orders[i]);
		if (tm_execute(&write_sales, args, NULL) != 1)
			elog(ERROR, "event %d, locked by its sales, was not updated", sales->event_ids[i]);
	}
}

PG_FUNCTION_INFO_V1(tm_order_create);

/* tm_order_create(token, username, body, idempotency_key) */
Datum
tm_order_create(PG_FUNCTION_ARGS)
{
	Jsonb	   *response;

	SPI_connect();
	response = tm_purchase_complete(tm_purchase_parse(fcinfo), NULL);
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
