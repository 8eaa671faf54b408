/*
 * caller.c
 *		Who is calling, and what they may do. Every API function decides here, so a second
 *		client of the SQL API meets the same rules as the web process.
 */
#include "ticketmonster.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

/*
 * The token's session, if it still runs, and its open account's stored spelling and role. A
 * session belongs to one account row, so no token outlives the account it was issued to.
 */
static TmStatement session_account = {
	"SELECT a.username, a.role FROM sessions s JOIN accounts a ON a.username = s.username"
	" WHERE s.id = $1 AND s.username = $2 AND s.expires_at > pg_catalog.now()"
	" AND a.closed_at IS NULL",
	2, {INT8OID, TEXTOID}
};

/* The stored spelling of the open account a name means, whatever its letter case. */
static TmStatement stored_name = {
	"SELECT username FROM accounts"
	" WHERE pg_catalog.lower(username) = pg_catalog.lower($1) AND closed_at IS NULL",
	1, {TEXTOID}
};

/*
 * The psql admin console: inside these SECURITY DEFINER functions GetUserId() is the
 * extension's owner and GetOuterUserId() the calling role, so only a role with the
 * owner's privileges is the console.
 */
bool
tm_is_console(void)
{
	return has_privs_of_role(GetOuterUserId(), GetUserId());
}

/* For what only the console may do, whatever EXECUTE privileges say. */
void
tm_require_console(void)
{
	if (!tm_is_console())
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only the database console may do this"),
				 errhint("Connect with psql as the owner of the ticketmonster extension.")));
}

/*
 * Identify the caller from the token argument. Call after SPI_connect().
 *
 * A NULL token is the console (see tm_is_console()). The web process sends '' for
 * "no token".
 */
TmCaller
tm_caller(FunctionCallInfo fcinfo, int token_argno)
{
	TmCaller	caller = {0};
	char	   *token;
	TmToken		verified;
	char	   *role;
	Datum		args[2];
	bool		isnull;

	if (tm_arg_is_null(fcinfo, token_argno))
	{
		if (!tm_is_console())
			ereport(ERROR,
					(errcode(ERRCODE_TM_UNAUTHENTICATED),
					 errmsg("authentication required"),
					 errhint("Log in and send the token.")));
		caller.is_admin = caller.is_console = true;
		return caller;
	}

	token = text_to_cstring(PG_GETARG_TEXT_PP(token_argno));
	if (token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("authentication required"),
				 errhint("Log in and send the token.")));
	verified = tm_token_verify(token);

	/* The role comes from the account, not the token. */
	args[0] = Int64GetDatum(verified.session_id);
	args[1] = TM_TEXT(verified.username);
	if (tm_execute(&session_account, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("the session of this token has ended"),
				 errhint("Log in again to get a new token.")));
	caller.session_id = verified.session_id;
	caller.username = TextDatumGetCString(tm_result(1, &isnull));
	role = TextDatumGetCString(tm_result(2, &isnull));
	caller.is_admin = strcmp(role, "admin") == 0;
	caller.is_staff = strcmp(role, "staff") == 0;
	return caller;
}

/*
 * A username argument (a path segment): the stored spelling of the open account it means in
 * any letter case, or the argument itself when there is none (the caller then answers 404).
 * Call after SPI_connect().
 */
char *
tm_arg_username(FunctionCallInfo fcinfo, int argno)
{
	char	   *given = tm_arg_text(fcinfo, argno, "username");
	Datum		args[1];
	bool		isnull;

	args[0] = TM_TEXT(given);
	if (tm_execute(&stored_name, args, NULL) == 0)
		return given;
	return TextDatumGetCString(tm_result(1, &isnull));
}

void
tm_require_admin(const TmCaller *caller)
{
	if (!caller->is_admin)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only admins may do this")));
}

/* Door staff: staff or admins (check-in). */
void
tm_require_door_staff(const TmCaller *caller)
{
	if (!caller->is_staff && !caller->is_admin)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only door staff or admins may do this")));
}

/*
 * The named account itself, or an admin. Names match in any letter case (caller->username is
 * the stored spelling; `username` may be a path segment as the client spelled it).
 */
void
tm_require_owner(const TmCaller *caller, const char *username)
{
	if (!caller->is_admin && pg_strcasecmp(caller->username, username) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only %s or an admin may do this", username)));
}
