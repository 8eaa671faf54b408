/*
 * throttle.c
 *		Limits per client address: failed logins per account and address, failed logins per
 *		address across accounts, and sign-ups per address.
 *
 * The web process passes the client's address (the TCP peer, or with TRUST_PROXY the last
 * X-Forwarded-For hop) as the last argument of tm_login, tm_account_create and
 * tm_account_password. A lockout holds back the address that caused it and nobody else, so
 * someone guessing an account's password never locks its owner out (issue 10, item 7).
 *
 * Windows are fixed from their first failure: a lockout ends when its window does, however
 * many attempts follow. Failures must commit even though the call fails, so the callers
 * report them as a WARNING and NULL (docs/errors.md); refusals are plain ERRORs (TM005),
 * whose detail "Try again in N seconds." the shim turns into Retry-After.
 */
#include "ticketmonster.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#define LOGIN_MAX_FAILURES		10	/* per account and address */
#define ADDRESS_MAX_FAILURES	50	/* per address across accounts: a shared NAT's typos pass */
#define LOGIN_WINDOW_SECONDS	300
#define CLIENT_ADDR_MAX			100 /* an IPv6 address with a zone fits */
#define ADVISORY_LOCK_CLASS		21581	/* "TM": the first key of the sign-up locks */

/* Seconds left of a window that has reached $2 failures, NULL when there is none. */
#define SECONDS_LEFT(max_param) \
	"CASE WHEN failures >= " max_param " AND pg_catalog.now() < window_start" \
	" + pg_catalog.make_interval(secs => $3) THEN pg_catalog.ceil(extract(epoch FROM" \
	" window_start + pg_catalog.make_interval(secs => $3) - pg_catalog.now()))::int END"

/*
 * The account's row for this address, locked so that concurrent attempts are counted one
 * after the other (concurrent-failed-logins.spec).
 */
static TmStatement account_lockout = {
	"SELECT " SECONDS_LEFT("$4") " FROM login_failures"
	" WHERE username = $1 AND client_addr = $2 FOR UPDATE",
	4, {TEXTOID, TEXTOID, INT4OID, INT4OID}
};

/* Not locked: a successful login must not queue behind the address's other attempts. */
static TmStatement address_lockout = {
	"SELECT " SECONDS_LEFT("$2") " FROM address_failures WHERE client_addr = $1",
	3, {TEXTOID, INT4OID, INT4OID}
};

#define NEXT_IN_WINDOW(table) \
	"failures = CASE WHEN " table ".window_start + pg_catalog.make_interval(secs => $3)" \
	" <= pg_catalog.now() THEN 1 ELSE " table ".failures + 1 END, " \
	"window_start = CASE WHEN " table ".window_start + pg_catalog.make_interval(secs => $3)" \
	" <= pg_catalog.now() THEN pg_catalog.now() ELSE " table ".window_start END"

static TmStatement count_account_failure = {
	"INSERT INTO login_failures AS f (username, client_addr, failures, window_start)"
	" VALUES ($1, $2, 1, pg_catalog.now()) "
	"ON CONFLICT (username, client_addr) DO UPDATE SET " NEXT_IN_WINDOW("f"),
	3, {TEXTOID, TEXTOID, INT4OID}
};

/* $1 (the username) is unused: both statements take the same arguments. */
static TmStatement count_address_failure = {
	"INSERT INTO address_failures AS f (client_addr, failures, window_start)"
	" VALUES ($2, 1, pg_catalog.now()) "
	"ON CONFLICT (client_addr) DO UPDATE SET " NEXT_IN_WINDOW("f"),
	3, {TEXTOID, TEXTOID, INT4OID}
};

static TmStatement reset_account_failures = {
	"DELETE FROM login_failures WHERE username = $1 AND client_addr = $2",
	2, {TEXTOID, TEXTOID}
};

/* Sign-ups of one address, one after the other; a hash collision only serialises more. */
static TmStatement lock_signups = {
	"SELECT pg_catalog.pg_advisory_xact_lock(" CppAsString2(ADVISORY_LOCK_CLASS) ","
	" pg_catalog.hashtext($1))",
	1, {TEXTOID}
};

static TmStatement recent_signups = {
	"SELECT pg_catalog.count(*)::int4, pg_catalog.ceil(extract(epoch FROM"
	" pg_catalog.min(created_at) + interval '1 hour' - pg_catalog.now()))::int4"
	" FROM signups WHERE client_addr = $1"
	" AND created_at > pg_catalog.now() - interval '1 hour'",
	1, {TEXTOID}
};

static TmStatement record_signup = {
	"WITH old AS (DELETE FROM signups WHERE client_addr = $1"
	" AND created_at <= pg_catalog.now() - interval '1 hour') "
	"INSERT INTO signups (client_addr) VALUES ($1)",
	1, {TEXTOID}
};

static void too_many(const char *what, int32 seconds) pg_attribute_noreturn();

static void
too_many(const char *what, int32 seconds)
{
	/* The shim's Retry-After is the number in this detail (docs/errors.md). */
	ereport(ERROR,
			(errcode(ERRCODE_TM_TOO_MANY_ATTEMPTS),
			 errmsg("%s", what),
			 errdetail("Try again in %d seconds.", Max(seconds, 1))));
}

/*
 * The client address argument: NULL from the console when it gives none (an operator at the
 * console has no address to slow down: only the per-account count applies, under ''); ''
 * for any other caller that gives none, so that leaving it out never escapes a limit.
 */
char *
tm_arg_client_addr(FunctionCallInfo fcinfo, int argno)
{
	char	   *addr;

	if (tm_arg_is_null(fcinfo, argno))
		return tm_is_console() ? NULL : pstrdup("");
	addr = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strlen(addr) > CLIENT_ADDR_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("the client address is longer than %d bytes", CLIENT_ADDR_MAX)));
	return addr;
}

/* An address over its ceiling of failures across accounts waits for its window to end. */
void
tm_refuse_locked_address(const char *client_addr)
{
	Datum		args[3];
	bool		isnull;
	int32		seconds;

	if (client_addr == NULL)
		return;
	args[0] = TM_TEXT(client_addr);
	args[1] = Int32GetDatum(ADDRESS_MAX_FAILURES);
	args[2] = Int32GetDatum(LOGIN_WINDOW_SECONDS);
	if (tm_execute(&address_lockout, args, NULL) == 0)
		return;
	seconds = DatumGetInt32(tm_result(1, &isnull));
	if (!isnull)
		too_many("too many failed logins from this address", seconds);
}

/*
 * Ten failures for the account from this address lock this address out of it until the
 * window ends. Takes the account's row for the address (call with the account row locked).
 */
void
tm_refuse_locked_account(const char *username, const char *client_addr)
{
	Datum		args[4];
	bool		isnull;
	int32		seconds;

	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(client_addr != NULL ? client_addr : "");
	args[2] = Int32GetDatum(LOGIN_WINDOW_SECONDS);
	args[3] = Int32GetDatum(LOGIN_MAX_FAILURES);
	if (tm_execute(&account_lockout, args, NULL) == 0)
		return;
	seconds = DatumGetInt32(tm_result(1, &isnull));
	if (!isnull)
		ereport(ERROR,
				(errcode(ERRCODE_TM_TOO_MANY_ATTEMPTS),
				 errmsg("too many failed logins for \"%s\"", username),
				 errdetail("Try again in %d seconds.", Max(seconds, 1))));
}

/* One more failure of the address, and of the account from it when there is one. */
void
tm_count_login_failure(const char *username, const char *client_addr)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};

	args[0] = username != NULL ? TM_TEXT(username) : (Datum) 0;
	nulls[0] = username != NULL ? ' ' : 'n';
	args[1] = TM_TEXT(client_addr != NULL ? client_addr : "");
	args[2] = Int32GetDatum(LOGIN_WINDOW_SECONDS);
	if (username != NULL)
		tm_execute(&count_account_failure, args, nulls);
	if (client_addr != NULL)
		tm_execute(&count_address_failure, args, nulls);
}

void
tm_forget_login_failures(const char *username, const char *client_addr)
{
	Datum		args[2];

	args[0] = TM_TEXT(username);
	args[1] = TM_TEXT(client_addr != NULL ? client_addr : "");
	tm_execute(&reset_account_failures, args, NULL);
}

/*
 * Admit one more sign-up from the address, or refuse it (TM005) when it has had
 * ticketmonster.signups_per_hour within the last hour. Concurrent sign-ups of an address are
 * serialised by a transaction-level advisory lock, so the limit holds under any concurrency
 * (signups-at-limit.spec). The console without an address and a limit of 0 are not limited.
 */
void
tm_signup_admit(const char *client_addr)
{
	Datum		args[1];
	bool		isnull;

	if (client_addr == NULL || tm_signups_per_hour == 0)
		return;
	args[0] = TM_TEXT(client_addr);
	tm_execute(&lock_signups, args, NULL);
	tm_execute(&recent_signups, args, NULL);
	if (DatumGetInt32(tm_result(1, &isnull)) >= tm_signups_per_hour)
		too_many("too many new accounts from this address", DatumGetInt32(tm_result(2, &isnull)));
	tm_execute(&record_signup, args, NULL);
}
