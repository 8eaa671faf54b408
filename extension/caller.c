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

static TmStatement account_role = {
	"SELECT is_admin FROM accounts WHERE username = $1", 1, {TEXTOID}
};

/*
 * The psql admin console: inside these SECURITY DEFINER functions GetUserId() is the
 * extension's owner and GetOuterUserId() the calling role, so only a role with the
 * owner's privileges is the console.
 */
static bool
is_console(void)
{
	return has_privs_of_role(GetOuterUserId(), GetUserId());
}

/* For what only the console may do, whatever EXECUTE privileges say. */
void
tm_require_console(void)
{
	if (!is_console())
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only the database console may do this"),
				 errhint("Connect with psql as the owner of the ticketmonster extension.")));
}

/*
 * Identify the caller from the token argument. Call after SPI_connect().
 *
 * A NULL token is the console (see is_console()). The web process sends '' for
 * "no token".
 */
TmCaller
tm_caller(FunctionCallInfo fcinfo, int token_argno)
{
	TmCaller	caller = {NULL, false, false};
	char	   *token;
	char	   *username;
	Datum		args[1];
	bool		isnull;

	if (PG_ARGISNULL(token_argno))
	{
		if (!is_console())
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
	username = tm_token_subject(token);

	/* The role comes from the account, not the token, and a deleted account is locked out. */
	args[0] = TM_TEXT(username);
	if (tm_execute(&account_role, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("the account of this token no longer exists")));
	caller.username = username;
	caller.is_admin = DatumGetBool(tm_result(1, &isnull));
	return caller;
}

void
tm_require_admin(const TmCaller *caller)
{
	if (!caller->is_admin)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only admins may do this")));
}

/* The named account itself, or an admin. */
void
tm_require_owner(const TmCaller *caller, const char *username)
{
	if (!caller->is_admin && strcmp(caller->username, username) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_FORBIDDEN),
				 errmsg("only %s or an admin may do this", username)));
}
