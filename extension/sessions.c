/*
 * sessions.c
 *		Login sessions: POST /logout, POST /token, and the session a password login starts.
 *
 * A token names its session ("sid"); tm_caller() accepts it only while that row exists, the
 * session has not reached expires_at and the account is open. So logging out, a password
 * change or closing the account revokes tokens at once, and a token never works for a later
 * account of the same name (issue 10, item 3).
 */
#include "ticketmonster.h"

#include <time.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"

/* The account's sessions that are over go whenever it starts a new one. */
static TmStatement insert_session = {
	"WITH over AS (DELETE FROM sessions WHERE username = $1"
	" AND expires_at <= pg_catalog.now()) "
	"INSERT INTO sessions (username, expires_at)"
	" VALUES ($1, pg_catalog.now() + pg_catalog.make_interval(secs => $2))"
	" RETURNING id, pg_catalog.floor(extract(epoch FROM expires_at))::int8",
	2, {TEXTOID, INT4OID}
};

static TmStatement end_sessions = {
	"DELETE FROM sessions WHERE username = $1",
	1, {TEXTOID}
};

static TmStatement end_session = {
	"DELETE FROM sessions WHERE id = $1",
	1, {INT8OID}
};

/* Locked, so that a renewal and a logout of the session happen one after the other. */
static TmStatement lock_session = {
	"SELECT pg_catalog.floor(extract(epoch FROM expires_at))::int8 FROM sessions"
	" WHERE id = $1 AND expires_at > pg_catalog.now() FOR UPDATE",
	1, {INT8OID}
};

static TmStatement token_response = {
	"SELECT pg_catalog.jsonb_build_object('token', $1::text)",
	1, {TEXTOID}
};

static TmStatement logout_response = {
	"SELECT pg_catalog.jsonb_build_object('message', 'logged out', 'sessions_ended', $1::int8)",
	1, {INT8OID}
};

/* A token of the session: TOKEN_TTL from now, but never past the session's end. */
static char *
session_token(const char *username, int64 session_id, int64 session_end)
{
	int64		expires = (int64) time(NULL) + tm_token_ttl;

	return tm_token_issue(username, session_id, Min(expires, session_end));
}

/* A new session of the account (a password login), and its first token. */
char *
tm_session_start(const char *username)
{
	Datum		args[2];
	bool		isnull;
	int64		id;
	int64		end;

	args[0] = TM_TEXT(username);
	args[1] = Int32GetDatum(tm_token_max_age);
	tm_execute(&insert_session, args, NULL);
	id = DatumGetInt64(tm_result(1, &isnull));
	end = DatumGetInt64(tm_result(2, &isnull));
	return session_token(username, id, end);
}

/* Every session of the account: all its tokens stop working. */
void
tm_sessions_end(const char *username)
{
	Datum		args[1];

	args[0] = TM_TEXT(username);
	tm_execute(&end_sessions, args, NULL);
}

static void
require_session(const TmCaller *caller)
{
	if (caller->is_console)
		ereport(ERROR,
				(errcode(ERRCODE_TM_INVALID_INPUT),
				 errmsg("the console has no session"),
				 errhint("Send a token.")));
}

/* tm_logout(token, body): ends the token's session, or with {"everywhere": true} all of the account's. */
PG_FUNCTION_INFO_V1(tm_logout);
Datum
tm_logout(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Jsonb	   *body;
	Datum		args[1];
	uint64		ended;
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	require_session(&caller);
	body = tm_body(fcinfo, 1);
	if (tm_body_bool(body, "everywhere"))
	{
		args[0] = TM_TEXT(caller.username);
		ended = tm_execute(&end_sessions, args, NULL);
	}
	else
	{
		args[0] = Int64GetDatum(caller.session_id);
		ended = tm_execute(&end_session, args, NULL);
	}
	args[0] = Int64GetDatum((int64) ended);
	response = tm_execute_jsonb(&logout_response, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}

/*
 * tm_token_renew(token): a new token of the same session with a fresh lifetime, so that an
 * active session slides; never beyond TOKEN_MAX_AGE after its password login.
 */
PG_FUNCTION_INFO_V1(tm_token_renew);
Datum
tm_token_renew(PG_FUNCTION_ARGS)
{
	TmCaller	caller;
	Datum		args[1];
	bool		isnull;
	int64		end;
	Jsonb	   *response;

	SPI_connect();
	caller = tm_caller(fcinfo, 0);
	require_session(&caller);
	args[0] = Int64GetDatum(caller.session_id);
	if (tm_execute(&lock_session, args, NULL) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_TM_UNAUTHENTICATED),
				 errmsg("the session of this token has ended"),
				 errhint("Log in again to get a new token.")));
	end = DatumGetInt64(tm_result(1, &isnull));
	args[0] = TM_TEXT(session_token(caller.username, caller.session_id, end));
	response = tm_execute_jsonb(&token_response, args, NULL);
	SPI_finish();
	PG_RETURN_JSONB_P(response);
}
