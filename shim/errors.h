/*
 * errors.h -- the one place where a SQLSTATE becomes an HTTP status (docs/errors.md).
 */
#ifndef TM_ERRORS_H
#define TM_ERRORS_H

#include <stdbool.h>

typedef struct HttpError
{
	unsigned int status;
	const char *code;			/* the body's "code" */
} HttpError;

/*
 * Not an error: the NOTICE by which a call that returns a result says the resource already
 * existed exactly as asked, so the answer is 200 rather than the route's 201 (docs/errors.md).
 */
#define SQLSTATE_ALREADY_EXISTS "TM040"

/*
 * docs/errors.md, row by row; a NULL or unknown SQLSTATE is a bug: 500 internal.
 * `from_extension`: the error was raised by the extension itself (db.c tells by its routine
 * field). PostgreSQL's own errors map only where the SQLSTATE alone says what happened to the
 * request (invalid input, a conflict, busy, unavailable); any other is a 500.
 */
HttpError	error_for_sqlstate(const char *sqlstate, bool from_extension);

/*
 * The message for a client of an error that PostgreSQL raised itself (its own text can show
 * file paths, object names and settings, so it goes to the log only).
 */
const char *error_generic_message(unsigned int status);

/* Serialization failure or deadlock: the shim runs the call again. */
bool		sqlstate_is_retryable(const char *sqlstate);

/* The server says it ended the session (terminated, shutting down): nothing was committed. */
bool		sqlstate_is_session_ended(const char *sqlstate);

/*
 * The seconds of Retry-After that an error carries: for TM005 (too many attempts), the first
 * integer of its detail ("Try again in N seconds."); 0 for every other SQLSTATE.
 */
unsigned int sqlstate_retry_after(const char *sqlstate, const char *detail);

/*
 * The body of an error: {"message", "code"} plus "detail" and "hint" when given.
 * Returns a malloc'd string.
 */
char	   *error_body(const char *message, const char *code, const char *detail, const char *hint);

#endif
