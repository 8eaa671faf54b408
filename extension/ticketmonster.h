/*
 * ticketmonster.h
 *		What the files of the extension share: error codes, the caller's identity,
 *		request-body accessors and prepared-statement helpers.
 */
#ifndef TICKETMONSTER_H
#define TICKETMONSTER_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/date.h"
#include "utils/jsonb.h"

/*
 * The extension's own errors, and only they, name TM_ERROR_ROUTINE as the routine that raised
 * them (PG_DIAG_SOURCE_FUNCTION). ereport() passes PG_FUNCNAME_MACRO to errfinish(), so
 * redefining it here marks every ereport and elog of the files that include this header, and
 * nothing PostgreSQL raises itself. The shim sends a client the message of marked errors only;
 * PostgreSQL's own errors (a missing privilege, a library that cannot load: whatever their
 * SQLSTATE) reach it without their text (docs/errors.md). Verbose server logs show this name
 * where they would show the C function; the file and line still say where it was raised.
 */
#define TM_ERROR_ROUTINE "ticketmonster"
#undef PG_FUNCNAME_MACRO
#define PG_FUNCNAME_MACRO TM_ERROR_ROUTINE

/*
 * SQLSTATEs of the API. The shim derives the HTTP status from the SQLSTATE alone
 * (docs/errors.md is the table; shim/errors.c implements it). A failure whose side effects
 * must still commit is a WARNING with one of these codes and a NULL result instead of an
 * ERROR; the shim answers it exactly as the ERROR (docs/errors.md).
 */
#define ERRCODE_TM_INVALID_INPUT		ERRCODE_INVALID_PARAMETER_VALUE	/* 22023: 400 */
#define ERRCODE_TM_UNAUTHENTICATED		ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION	/* 28000: 401 */
#define ERRCODE_TM_WRONG_PASSWORD		ERRCODE_INVALID_PASSWORD	/* 28P01: 400, as the original */
#define ERRCODE_TM_FORBIDDEN			ERRCODE_INSUFFICIENT_PRIVILEGE	/* 42501: 403 */
#define ERRCODE_TM_NOT_FOUND			ERRCODE_NO_DATA_FOUND	/* P0002: 404 */
#define ERRCODE_TM_DUPLICATE			ERRCODE_UNIQUE_VIOLATION	/* 23505: 409 */
#define ERRCODE_TM_SOLD_OUT				MAKE_SQLSTATE('T','M','0','0','1')	/* 409 */
#define ERRCODE_TM_INSUFFICIENT_FUNDS	MAKE_SQLSTATE('T','M','0','0','2')	/* 409 */
#define ERRCODE_TM_PRICE_CHANGED		MAKE_SQLSTATE('T','M','0','0','3')	/* 409 */
#define ERRCODE_TM_IDEMPOTENCY_REUSED	MAKE_SQLSTATE('T','M','0','0','4')	/* 422 */
#define ERRCODE_TM_TOO_MANY_ATTEMPTS	MAKE_SQLSTATE('T','M','0','0','5')	/* 429, detail "Try again in N seconds." */
#define ERRCODE_TM_WEAK_PASSWORD		MAKE_SQLSTATE('T','M','0','1','0')	/* 400 */
/* events, orders and tickets: TM020-TM039 */
#define ERRCODE_TM_STALE_VERSION		MAKE_SQLSTATE('T','M','0','2','0')	/* 412 */
#define ERRCODE_TM_CAPACITY_BELOW_SOLD	MAKE_SQLSTATE('T','M','0','2','1')	/* 409 */
#define ERRCODE_TM_LIMIT_EXCEEDED		MAKE_SQLSTATE('T','M','0','2','2')	/* 409 */
#define ERRCODE_TM_EVENT_OVER			MAKE_SQLSTATE('T','M','0','2','3')	/* 409 */
#define ERRCODE_TM_NOT_CANCELLABLE		MAKE_SQLSTATE('T','M','0','2','4')	/* 409 */
#define ERRCODE_TM_ALREADY_CANCELLED	MAKE_SQLSTATE('T','M','0','2','5')	/* 409 */
#define ERRCODE_TM_ALREADY_CHECKED_IN	MAKE_SQLSTATE('T','M','0','2','6')	/* 409, detail {"checked_in_at": ...} */
#define ERRCODE_TM_TICKET_NOT_VALID		MAKE_SQLSTATE('T','M','0','2','7')	/* 409 */
#define ERRCODE_TM_WRONG_EVENT			MAKE_SQLSTATE('T','M','0','2','8')	/* 409 */

/*
 * Not an error: a NOTICE with this code says that a call's result is a resource that
 * already existed exactly as asked (a repeated POST /artist); the shim answers 200
 * instead of 201 (docs/errors.md).
 */
#define ERRCODE_TM_ALREADY_EXISTS		MAKE_SQLSTATE('T','M','0','4','0')

/* Limits of the contract (the table constraints repeat them). */
#define TM_NAME_MAX		30			/* usernames, event and artist names */
#define TM_PLACE_MAX	100			/* places, cities, countries */
#define TM_PASSWORD_MAX	256
#define TM_PASSWORD_MIN	8			/* characters, for new passwords only */

/* Usernames appear in URL paths, so they keep to characters that need no escaping there. */
#define TM_USERNAME_CHARS \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-@+"

/* module.c: settings */
extern int	tm_token_ttl;
extern int	tm_token_max_age;
extern int	tm_password_cost;
extern int	tm_initial_credit;
extern int	tm_signups_per_hour;
extern int	tm_cancel_before_hours;

/*
 * caller.c: who is calling. A NULL token is the admin console, allowed only to a
 * database role with the privileges of the extension's owner; any other token must be
 * a valid one of an existing account.
 */
typedef struct TmCaller
{
	const char *username;		/* the stored spelling; NULL for the console */
	bool		is_admin;		/* true for admins and for the console */
	bool		is_staff;		/* door staff (role 'staff'); admins are not staff */
	bool		is_console;
	int64		session_id;		/* the token's session (logout, renewal); 0 for the console */
} TmCaller;

extern TmCaller tm_caller(FunctionCallInfo fcinfo, int token_argno);
extern char *tm_arg_username(FunctionCallInfo fcinfo, int argno);
extern void tm_require_admin(const TmCaller *caller);
extern void tm_require_door_staff(const TmCaller *caller);
extern void tm_require_owner(const TmCaller *caller, const char *username);
extern void tm_require_console(void);
extern bool tm_is_console(void);

/* accounts.c */
extern void tm_require_strong_password(const char *password, const char *username);

/* jwt.c: HS256 tokens signed with the current key of signing_keys, naming it as "kid" */
typedef struct TmToken
{
	char	   *username;		/* "sub" */
	int64		session_id;		/* "sid": a row of sessions */
} TmToken;

extern char *tm_token_issue(const char *username, int64 session_id, int64 expires);
extern TmToken tm_token_verify(const char *token);

/* sessions.c: login sessions (the tokens of a password login and their renewals) */
extern char *tm_session_start(const char *username);
extern void tm_sessions_end(const char *username);

/*
 * throttle.c: failed logins per account and client address, per address across accounts,
 * and sign-ups per address. `client_addr` is NULL for the console without an address.
 */
extern char *tm_arg_client_addr(FunctionCallInfo fcinfo, int argno);
extern void tm_refuse_locked_address(const char *client_addr);
extern void tm_refuse_locked_account(const char *username, const char *client_addr);
extern void tm_count_login_failure(const char *username, const char *client_addr);
extern void tm_forget_login_failures(const char *username, const char *client_addr);
extern void tm_signup_admit(const char *client_addr);

/*
 * orders.c: a purchase in two steps, the checks that need no lock and then the sale, so that
 * order_batch.c can run several in one transaction: tm_purchases_lock() first takes all
 * their row locks in the extension's lock order, and tm_sales_write() writes what they sold
 * and charged once, after the last.
 */
typedef struct TmPurchase TmPurchase;
typedef struct TmSales TmSales;

extern TmPurchase *tm_purchase_parse(FunctionCallInfo fcinfo);
extern TmSales *tm_purchases_lock(TmPurchase *const *purchases, int count);
extern Jsonb *tm_purchase_complete(TmPurchase *purchase, TmSales *sales);
extern void tm_sales_write(const TmSales *sales);

/* password.c: slow salted hashes through libxcrypt */
extern char *tm_password_hash(const char *password);
extern bool tm_password_verify(const char *password, const char *hash);
extern bool tm_password_hash_verifiable(const char *hash);

/* input.c: fields of a request body, validated; every failure is ERRCODE_TM_INVALID_INPUT */
extern Jsonb *tm_body(FunctionCallInfo fcinfo, int argno);
extern bool tm_body_has(Jsonb *body, const char *field);
extern bool tm_body_bool(Jsonb *body, const char *field);
extern bool tm_body_given(Jsonb *body, const char *field);
extern char *tm_body_text(Jsonb *body, const char *field, int max_chars);
extern char *tm_body_password(Jsonb *body, const char *field, int max_bytes);
extern int32 tm_body_int(Jsonb *body, const char *field, int32 min);
extern DateADT tm_body_date(Jsonb *body, const char *field);
extern Jsonb *tm_body_alias(Jsonb *body, const char *field, const char *alias);
extern bool tm_arg_is_null(FunctionCallInfo fcinfo, int argno);
extern char *tm_arg_text(FunctionCallInfo fcinfo, int argno, const char *what);
extern int32 tm_arg_int(FunctionCallInfo fcinfo, int argno, const char *what);

/*
 * spi.c: statements prepared once per backend and kept. Call between SPI_connect()
 * and SPI_finish(). Arguments are always bound, never spliced into the SQL.
 */
#define TM_MAX_ARGS 16

typedef struct TmStatement
{
	const char *sql;
	int			nargs;
	Oid			argtypes[TM_MAX_ARGS];

	/*
	 * Plan once for any arguments. Left to choose, the plan cache plans some statements (a
	 * CTE that changes rows) afresh for every call; a generic plan is made once, with the
	 * table sizes of that moment, so only for statements whose every scan is by key.
	 */
	bool		generic_plan;
	SPIPlanPtr	plan;			/* prepared on first use */
} TmStatement;

extern uint64 tm_execute(TmStatement *stmt, Datum *values, const char *nulls);
extern Jsonb *tm_execute_jsonb(TmStatement *stmt, Datum *values, const char *nulls);
extern Datum tm_result(int column, bool *isnull);

#define TM_TEXT(s)	PointerGetDatum(cstring_to_text(s))

/* subtransaction.c: work kept when body returns true, rolled back when false or on error. */
extern bool tm_in_subtransaction(bool (*body) (void *arg), void *arg);

#endif							/* TICKETMONSTER_H */
