/*
 * accounts.c
 *		Accounts and logging in: POST /account, POST /login, GET /account/<username>,
 *		GET /accounts, DELETE /account/<username>, and the console's tm_create_admin().
 */
#include "ticketmonster.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

/* The account shape of the contract; never the password hash. */
#define ACCOUNT_JSON \
	"pg_catalog.jsonb_build_object('username', username, 'role', role, " \
	"'is_admin', is_admin::int, 'available_money', available_money)"

static TmStatement args_body = {
	"SELECT pg_catalog.jsonb_build_object('username', $1::text, 'password', $2::text)",
	2, {TEXTOID, TEXTOID}
};

/* A name taken in any letter case, by an open or a closed account, conflicts. */
static TmStatement insert_account = {
	"INSERT INTO accounts (username, password_hash, role, available_money)"
	" VALUES ($1, $2, $3, $4) "
	"ON CONFLICT DO NOTHING "
	"RETURNING pg_catalog.jsonb_build_object('account', " ACCOUNT_JSON ")",
	4, {TEXTOID, TEXTOID, TEXTOID, INT4OID}
};

/*
 * KEY SHARE keeps the account (and so the foreign keys of login_failures and sessions) while
 * the password is checked, in the extension's lock order: account rows first, then
 * login_failures, then address_failures.
 */
static TmStatement select_login = {
	"SELECT password_hash, is_admin, username, role FROM accounts"
	" WHERE pg_catalog.lower(username) = pg_catalog.lower($1) AND closed_at IS NULL"
	" FOR KEY SHARE",
	1, {TEXTOID}
};

/* A password change: the row is locked, since it is about to change. */
static TmStatement select_for_password_change = {
	"SELECT password_hash FROM accounts WHERE username = $1 AND closed_at IS NULL FOR UPDATE",
	1, {TEXTOID}
};

static TmStatement set_password = {
	"UPDATE accounts SET password_hash = $2 WHERE username = $1"
	" RETURNING pg_catalog.jsonb_build_object('account', " ACCOUNT_JSON ", 'token', $3::text)",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

/* Only if the hash is still the one verified, so a concurrent password change wins. */
static TmStatement update_hash = {
	"UPDATE accounts SET password_hash = $3 WHERE username = $1 AND password_hash = $2",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

static TmStatement login_response = {
	"SELECT pg_catalog.jsonb_build_object('token', $1::text, 'username', $2::text,"
	" 'is_admin', $3::int, 'role', $4::text)",
	4, {TEXTOID, TEXTOID, BOOLOID, TEXTOID}
};

static TmStatement select_account = {
	"SELECT pg_catalog.jsonb_build_object('account', " ACCOUNT_JSON ") FROM accounts"
	" WHERE username = $1 AND closed_at IS NULL",
	1, {TEXTOID}
};

static TmStatement select_accounts = {
	"SELECT pg_catalog.jsonb_build_object('accounts', "
	"coalesce(pg_catalog.jsonb_agg(" ACCOUNT_JSON " ORDER BY username), '[]')) FROM accounts"
	" WHERE closed_at IS NULL",
	0, {}
};

static TmStatement lock_account = {
	"SELECT FROM accounts WHERE username = $1 AND closed_at IS NULL FOR UPDATE",
	1, {TEXTOID}
};

/* The extension's lock order: account rows before event rows, events in ascending id. */
/* The extension's lock order: the account (locked already), the events, then the orders. */
static TmStatement lock_order_events = {
	"SELECT id FROM events WHERE id IN (SELECT event_id FROM orders WHERE username = $1"
	" AND status = 'confirmed') ORDER BY id FOR UPDATE",
	1, {TEXTOID}
};

/*
 * Accounts are never deleted with their history: closing one refunds its confirmed orders,
 * which stay (refunded) in the admins' views, and puts their tickets back on sale (those of
 * events already over too: they are simply no longer sold). The money goes back to the
 * closed account, so that what it spent still equals what its orders cost.
 */
static TmStatement refund_orders = {
	"WITH gone AS (UPDATE orders SET status = 'refunded', ended_at = pg_catalog.now()"
	" WHERE username = $1 AND status = 'confirmed'"
	" RETURNING event_id, tickets_bought, tickets_bought::int8 * price AS paid), "
	"restock AS (UPDATE events SET tickets_left = tickets_left + returned.tickets,"
	" tickets_sold = tickets_sold - returned.tickets, version = version + 1"
	" FROM (SELECT event_id, pg_catalog.sum(tickets_bought) AS tickets FROM gone GROUP BY event_id) returned"
	" WHERE events.id = returned.event_id) "
	"UPDATE accounts SET available_money = available_money + (SELECT pg_catalog.sum(paid)::int8 FROM gone)"
	" WHERE username = $1 AND EXISTS (SELECT FROM gone)",
	1, {TEXTOID}
};

/* What only an open account needs goes: its failed logins and its idempotency keys. */
static TmStatement forget_failures = {
	"DELETE FROM login_failures WHERE username = $1",
	1, {TEXTOID}
};

static TmStatement forget_keys = {
	"DELETE FROM idempotency_keys WHERE username = $1",
	1, {TEXTOID}
};

/* Closed, not deleted: its name stays taken and its orders keep their buyer. */
static TmStatement close_account = {
	"UPDATE accounts SET closed_at = pg_catalog.now() WHERE username = $1 AND closed_at IS NULL "
	"RETURNING pg_catalog.jsonb_build_object('message', pg_catalog.format('account %s deleted', username))",
	1, {TEXTOID}
};

static void account_not_found(const char *username) pg_attribute_noreturn();

static void
account_not_found(const char *username)
{
	ereport(ERROR,
			(errcode(ERRCODE_TM_NOT_FOUND),
			 errmsg("account \"%s\" does not exist", username)));
}

/*
 * A new password (sign-up, console, password change): at least TM_PASSWORD_MIN characters
 * and not the username in any letter case. Old and imported passwords are never checked.
 */
void
tm_require_strong_password(const char *password, const char *username)
{
	if (pg_mbstrlen(password) < TM_PASSWORD_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_TM_WEAK_PASSWORD),
				 errmsg("the password must have at least %d characters", TM_PASSWORD_MIN)));
	if (pg_strcasecmp(password, username) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_WEAK_PASSWORD),
				 errmsg("the password must not be the username")));
}

/*
 * Validate a {username, password} body and insert the account with that role; returns
 * {"account": ...}. A sign-up from a client address counts towards its hourly limit. New accounts start with ticketmonster.initial_credit.
 */
static Jsonb *
create_account(Jsonb *body, const char *role, const char *client_addr)
{
	char	   *username = tm_body_text(body, "username", TM_NAME_MAX);
	char	   *password = tm_body_password(body, "password", TM_PASSWORD_MAX);
	Datum		args[4];
	Jsonb	   *account;

	if (strspn(username, TM_USERNAME_CHARS) != strlen(username))
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("\"username\" may contain only ASCII letters, digits and _ . - @ +")));
	tm_require_strong_password(password, username);
	tm_signup_admit(client_addr);

	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(tm_password_hash(password));
	args[2] = TM_TEXT(role);
	args[3] = Int32GetDatum(tm_initial_credit);
	account = tm_execute_jsonb(&insert_account, args, NULL);
	if (account == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_TM_DUPLICATE),
				 errmsg("username \"%s\" is taken", username),
				 errhint("Choose another username.")));
	return account;
}

/*
 * Imported hashes (sha512_crypt, sha256_crypt, bcrypt) are replaced by yescrypt ones
 * while the password is at hand, so old schemes disappear as their users log in.
 */
static void
upgrade_hash(const char *username, const char *password, const char *hash)
{
	Datum		args[3];

	if (strncmp(hash, "$y$", 3) == 0)
		return;
	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(hash);
	args[2] = TM_TEXT(tm_password_hash(password));
	tm_execute(&update_hash, args, NULL);
}

PG_FUNCTION_INFO_V1(tm_account_create);
Datum
tm_account_create(PG_FUNCTION_ARGS)
{
	Jsonb	   *body;
	char	   *client_addr;
	Jsonb	   *account;

	SPI_connect();
	body = tm_body(fcinfo, 0);
	client_addr = tm_arg_client_addr(fcinfo, 1);
	account = create_account(body, "user", client_addr);
	SPI_finish();
	PG_RETURN_JSONB_P(account);
}

/* tm_create_admin and tm_create_staff: (username, password) from the console only. */
static Jsonb *
create_from_console(FunctionCallInfo fcinfo, const char *role)
{
	Datum		args[2];
	char		nulls[2];

	tm_require_console();
	for (int i = 0; i < 2; i++)
	{
		nulls[i] = tm_arg_is_null(fcinfo, i) ? 'n' : ' ';
		args[i] = PG_GETARG_DATUM(i);
	}
	return create_account(tm_execute_jsonb(&args_body, args, nulls), role, NULL);
}

/* Admins and door staff are made from psql only, never through the API. */
PG_FUNCTION_INFO_V1(tm_create_admin);
Datum
tm_create_admin(PG_FUNCTION_ARGS)
{
	Jsonb	   *account;

	SPI_connect();
	account = create_from_console(fcinfo, "admin");
	SPI_finish();
	PG_RETURN_JSONB_P(account);
}

PG_FUNCTION_INFO_V1(tm_create_staff);
Datum
tm_create_staff(PG_FUNCTION_ARGS)
{
	Jsonb	   *account;

	SPI_connect();
	account = create_from_console(fcinfo, "staff");
	SPI_finish();
	PG_RETURN_JSONB_P(account);
}

/*
 * A hash of the current cost that no password matches in practice, so that a login for a
 * name that does not exist does the same work as one for a name that does: the answer's time
 * tells nothing about which names exist (the 404 does, as the original app's did).
 */
static const char *
unknown_name_hash(void)
{
	static char *hash = NULL;
	static int	hash_cost = 0;

	if (hash == NULL || hash_cost != tm_password_cost)
	{
		char	   *made = tm_password_hash("no account has this password, it is random enough");

		if (hash != NULL)
			pfree(hash);
		hash = MemoryContextStrdup(TopMemoryContext, made);
		hash_cost = tm_password_cost;
	}
	return hash;
}

/*
 * tm_login(body, client_addr). Failures must count, so they are no ERROR (which would roll
 * the count back): a WARNING with the SQLSTATE and a NULL result, which the shim answers as
 * that ERROR once the transaction has committed (docs/errors.md).
 */
PG_FUNCTION_INFO_V1(tm_login);
Datum
tm_login(PG_FUNCTION_ARGS)
{
	Jsonb	   *body;
	char	   *username;
	char	   *password;
	char	   *client_addr;
	char	   *hash;
	bool		is_admin;
	char	   *role;
	bool		isnull;
	Datum		args[4];
	Jsonb	   *response;

	SPI_connect();
	body = tm_body(fcinfo, 0);
	username = tm_body_text(body, "username", TM_NAME_MAX);
	password = tm_body_password(body, "password", TM_PASSWORD_MAX);
	client_addr = tm_arg_client_addr(fcinfo, 1);
	tm_refuse_locked_address(client_addr);

	args[0] = TM_TEXT(username);
	if (tm_execute(&select_login, args, NULL) == 0)
	{
		(void) tm_password_verify(password, unknown_name_hash());
		tm_count_login_failure(NULL, client_addr);
		SPI_finish();
		ereport(WARNING,
				(errcode(ERRCODE_TM_NOT_FOUND),
				 errmsg("account \"%s\" does not exist", username)));
		PG_RETURN_NULL();
	}
	hash = TextDatumGetCString(tm_result(1, &isnull));
	is_admin = DatumGetBool(tm_result(2, &isnull));
	/* the stored spelling from here on */
	username = TextDatumGetCString(tm_result(3, &isnull));
	role = TextDatumGetCString(tm_result(4, &isnull));

	tm_refuse_locked_account(username, client_addr);
	if (!tm_password_verify(password, hash))
	{
		tm_count_login_failure(username, client_addr);
		SPI_finish();
		ereport(WARNING,
				(errcode(ERRCODE_TM_WRONG_PASSWORD),
				 errmsg("wrong password")));
		PG_RETURN_NULL();
	}
	tm_forget_login_failures(username, client_addr);
	upgrade_hash(username, password, hash);

	args[0] = TM_TEXT(tm_session_start(username));
	args[1] = TM_TEXT(username);
	args[2] = BoolGetDatum(is_admin);
	args[3] = TM_TEXT(role);
	response = tm_execute_jsonb(&login_response, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

/*
 * tm_account_password(token, username, {password, new_password}, client_addr): the owner
 * changes their password. Every session of the account ends (all tokens issued before are
 * revoked) and a new one starts: the answer carries its token. A wrong old password counts as
 * a failed login of that address (a stolen token must not make guessing cheap).
 */
PG_FUNCTION_INFO_V1(tm_account_password);
Datum
tm_account_password(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	char	   *username;
	Jsonb	   *body;
	char	   *old_password;
	char	   *new_password;
	char	   *client_addr;
	char	   *hash;
	bool		isnull;
	Datum		args[3];
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	username = tm_arg_username(fcinfo, 1);
	if (caller.is_console || pg_strcasecmp(caller.username, username) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only %s may change their password", username)));
	body = tm_body(fcinfo, 2);
	old_password = tm_body_password(body, "password", TM_PASSWORD_MAX);
	new_password = tm_body_password(body, "new_password", TM_PASSWORD_MAX);
	tm_require_strong_password(new_password, username);
	client_addr = tm_arg_client_addr(fcinfo, 3);
	tm_refuse_locked_address(client_addr);

	args[0] = TM_TEXT(username);
	if (tm_execute(&select_for_password_change, args, NULL) == 0)
		account_not_found(username);
	hash = TextDatumGetCString(tm_result(1, &isnull));
	tm_refuse_locked_account(username, client_addr);
	if (!tm_password_verify(old_password, hash))
	{
		tm_count_login_failure(username, client_addr);
		SPI_finish();
		ereport(WARNING,
				(errcode(ERRCODE_TM_WRONG_PASSWORD),
				 errmsg("wrong password"),
				 errhint("\"password\" is the current password, \"new_password\" the new one.")));
		PG_RETURN_NULL();
	}
	tm_forget_login_failures(username, client_addr);
	tm_sessions_end(username);
	args[1] = TM_TEXT(tm_password_hash(new_password));
	args[2] = TM_TEXT(tm_session_start(username));
	response = tm_execute_jsonb(&set_password, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

PG_FUNCTION_INFO_V1(tm_account);
Datum
tm_account(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	char	   *username;
	Datum		args[1];
	Jsonb	   *account;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	username = tm_arg_username(fcinfo, 1);
	tm_require_owner(&caller, username);
	args[0] = TM_TEXT(username);
	account = tm_execute_jsonb(&select_account, args, NULL);
	if (account == NULL)
		account_not_found(username);
	SPI_finish();
	PG_RETURN_JSONB_P(account);
}

PG_FUNCTION_INFO_V1(tm_accounts);
Datum
tm_accounts(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Jsonb	   *accounts;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	accounts = tm_execute_jsonb(&select_accounts, NULL, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(accounts);
}

/* Closing: its confirmed orders are refunded and kept, their tickets go back on sale. */
PG_FUNCTION_INFO_V1(tm_account_delete);
Datum
tm_account_delete(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	char	   *username;
	Datum		args[1];
	Jsonb	   *message;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	tm_require_admin(&caller);
	username = tm_arg_username(fcinfo, 1);
	args[0] = TM_TEXT(username);
	if (tm_execute(&lock_account, args, NULL) == 0)
		account_not_found(username);
	tm_execute(&lock_order_events, args, NULL);
	tm_execute(&refund_orders, args, NULL);
	tm_execute(&forget_failures, args, NULL);
	tm_execute(&forget_keys, args, NULL);
	message = tm_execute_jsonb(&close_account, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(message);
}

/*
 * Clients of the original app (issue 9).
 */

static TmStatement body_with_username = {
	"SELECT $1 || pg_catalog.jsonb_build_object('username', $2::text)",
	2, {JSONBOID, TEXTOID}
};

/*
 * POST /account/<username>, the original app's other way to sign up: the body for
 * tm_account_create, with the path's username. A username in the body must be the same.
 */
PG_FUNCTION_INFO_V1(tm_account_path_body);
Datum
tm_account_path_body(PG_FUNCTION_ARGS)
{
	char	   *username = tm_arg_text(fcinfo, 0, "username");
	Jsonb	   *body = tm_body(fcinfo, 1);
	Datum		args[2];
	Jsonb	   *result;

	if (tm_body_has(body, "username"))
	{
		char	   *given = tm_body_text(body, "username", TM_NAME_MAX);

		if (strcmp(given, username) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_TM_INVALID_INPUT),
					 errmsg("the body's \"username\" \"%s\" is not the path's \"%s\"", given, username),
					 errhint("Leave \"username\" out of the body, or send the same name.")));
	}
	SPI_connect();
	args[0] = JsonbPGetDatum(body);
	args[1] = TM_TEXT(username);
	result = tm_execute_jsonb(&body_with_username, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}

/*
 * GET /account/<username> without a token, when the web process runs with LEGACY_CLIENTS:
 * the original app served the account to anyone, and its frontends read the balance and
 * the admin flag that way right after logging in. The web role may call this, so whoever
 * holds that role (or reaches a web process with the setting on) reads every balance:
 * the privacy cost the README states.
 */
PG_FUNCTION_INFO_V1(tm_account_legacy);
Datum
tm_account_legacy(PG_FUNCTION_ARGS)
{
	char	   *username;
	Datum		args[1];
	Jsonb	   *account;

	SPI_connect();
	username = tm_arg_username(fcinfo, 0);
	args[0] = TM_TEXT(username);
	account = tm_execute_jsonb(&select_account, args, NULL);
	if (account == NULL)
		account_not_found(username);
	SPI_finish();
	PG_RETURN_JSONB_P(account);
}
