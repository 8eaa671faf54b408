/*
 * db.c -- per-thread connections and the call runner.
 *
 * Each database thread (db_queue.c: WEB_CONCURRENCY of them, the pool) owns one connection,
 * made on first use and prepared with every route's statement. The HTTP threads never touch
 * a connection: they queue the call and suspend the request (db_queue.c). The shim
 * knows no signing key: the extension keeps its keys where only its owner reads them.
 *
 * With READ_DATABASE_URL set, each thread owns a second connection for public reads (a
 * read-only route that takes no token: the same answer for everyone), which may be a standby;
 * everything that names the caller (a buyer's balance and orders) and every write stays on
 * DATABASE_URL, so a buyer always reads their own writes. With several hosts in DATABASE_URL
 * and target_session_attrs=read-write, libpq finds the primary on each (re)connection, which
 * is how the shim follows a failover (docs/ha.md).
 */
#include "db.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "errors.h"
#include "log_escape.h"

enum { MAX_SERIALIZATION_RETRIES = 3 };

/* Where a call runs: the primary (DATABASE_URL) or the public-read pool (READ_DATABASE_URL). */
typedef enum Pool
{
	POOL_PRIMARY,
	POOL_READ,
	POOL_COUNT
} Pool;

static pthread_key_t connection_key[POOL_COUNT];

/*
 * Why a call failed, copied out of libpq (no PGresult is kept): an ERROR, or the last WARNING
 * of a call that returned NULL. A function whose failure must still commit its side effects
 * (a wrong password is counted) reports the failure as a WARNING carrying the SQLSTATE and
 * returns NULL; the shim answers that exactly as that ERROR (docs/errors.md).
 */
typedef struct Diagnostic
{
	bool		present;
	bool		from_extension;	/* raised by the extension, not by PostgreSQL */
	char		sqlstate[6];
	char		message[1024];
	char		detail[1024];
	char		hint[512];
} Diagnostic;

/* The last WARNING of this thread's current call, kept by its connection's notice receiver. */
static __thread Diagnostic thread_warning;

/*
 * Whether this thread's current call raised the NOTICE SQLSTATE_ALREADY_EXISTS: its result is
 * a resource that already existed exactly as asked (a repeated POST /artist), answered 200
 * instead of the route's 201 (docs/errors.md).
 */
static __thread bool thread_already_existed;

static void
close_connection(void *conn)
{
	PQfinish(conn);
}

void
db_init(void)
{
	for (int pool = 0; pool < POOL_COUNT; pool++)
		pthread_key_create(&connection_key[pool], close_connection);
}

static const char *
pool_url(Pool pool)
{
	return pool == POOL_READ ? config.read_database_url : config.database_url;
}

/* Public data may come from a standby; anything that takes the caller's token may not. */
static Pool
pool_for(const Route *route)
{
	if (!*config.read_database_url || !route->read_only)
		return POOL_PRIMARY;
	for (int i = 0; route->args[i] != ARG_END; i++)
		if (route->args[i] == ARG_TOKEN)
			return POOL_PRIMARY;
	return POOL_READ;
}

static PGconn *
connect_now(const char *url, const char *application_name)
{
	char		options[256];
	const char *keywords[12];
	const char *values[12];
	int			n = 0;

	/*
	 * Failures reported as WARNINGs, and the NOTICE of a resource that already existed, must
	 * reach the shim, whatever the role's setting says.
	 */
	snprintf(options, sizeof(options), "-c ticketmonster.token_ttl=%d -c ticketmonster.token_max_age=%d"
			 " -c client_min_messages=notice", config.token_ttl, config.token_max_age);

	/* Defaults first: values given by DATABASE_URL come later and win... */
	keywords[n] = "fallback_application_name", values[n++] = application_name;
	keywords[n] = "connect_timeout", values[n++] = "5";
	/*
	 * A database machine that vanishes (power, network) leaves no FIN behind: keepalives let
	 * an idle or waiting connection notice within about 10 s instead of the kernel's 2 hours,
	 * so the thread reconnects to the new primary. Closing our end never cancels the query.
	 */
	keywords[n] = "keepalives_idle", values[n++] = "4";
	keywords[n] = "keepalives_interval", values[n++] = "2";
	keywords[n] = "keepalives_count", values[n++] = "3";
	/* The URL is libpq's to parse: several hosts, target_session_attrs, sslmode, ... */
	if (*url)
		keywords[n] = "dbname", values[n++] = url;
	/* ...except these, which the shim needs whatever the URL says. */
	keywords[n] = "client_encoding", values[n++] = "UTF8";
	keywords[n] = "options", values[n++] = options;
	keywords[n] = NULL, values[n] = NULL;
	return PQconnectdbParams(keywords, values, 1);
}

static bool
is_superuser(PGconn *conn)
{
	const char *value = PQparameterStatus(conn, "is_superuser");

	return value && strcmp(value, "on") == 0;
}

/* Logs a connection problem once per thread and pool until the connection works again. */
static __thread bool thread_reported_down[POOL_COUNT];

static void
report_down(Pool pool, const char *what)
{
	if (thread_reported_down[pool])
		return;
	thread_reported_down[pool] = true;
	fprintf(stderr, "ticketmonster-web: %s unavailable: %s\n",
			pool == POOL_READ ? "read database" : "database", what);
}

static bool
prepare(Pool pool, PGconn *conn, const char *name, const char *sql)
{
	PGresult   *res = PQprepare(conn, name, sql, 0, NULL);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		report_down(pool, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/* Route i's statement is "r<i>", its batch statement "b<i>". */
static bool
prepare_statements(Pool pool, PGconn *conn)
{
	for (size_t i = 0; i < route_count; i++)
	{
		char		name[32];

		snprintf(name, sizeof(name), "r%zu", i);
		if (routes[i].sql && !prepare(pool, conn, name, routes[i].sql))
			return false;
		snprintf(name, sizeof(name), "b%zu", i);
		if (routes[i].batch_sql && pool == POOL_PRIMARY && !prepare(pool, conn, name, routes[i].batch_sql))
			return false;
	}
	return true;
}

/* Copies `src` into `dst`, cut if need be at a character boundary (the text is UTF-8). */
static void
copy_field(char *dst, size_t size, const char *src)
{
	size_t		len = src ? strlen(src) : 0;

	if (len >= size)
	{
		len = size - 1;
		while (len > 0 && ((unsigned char) src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, src ? src : "", len);
	dst[len] = '\0';
}

/* An ERROR or WARNING as a Diagnostic; libpq's own errors have only their whole message. */
static void
diagnostic_from_result(Diagnostic *diag, const PGresult *res)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	const char *routine = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);

	diag->present = true;
	/* The extension marks its own errors so (TM_ERROR_ROUTINE, extension/ticketmonster.h). */
	diag->from_extension = routine && strcmp(routine, "ticketmonster") == 0;
	copy_field(diag->sqlstate, sizeof(diag->sqlstate), PQresultErrorField(res, PG_DIAG_SQLSTATE));
	copy_field(diag->message, sizeof(diag->message), primary ? primary : PQresultErrorMessage(res));
	for (size_t len = strlen(diag->message); len > 0 && diag->message[len - 1] == '\n'; len--)
		diag->message[len - 1] = '\0';
	copy_field(diag->detail, sizeof(diag->detail), PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	copy_field(diag->hint, sizeof(diag->hint), PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
}

/*
 * The notice receiver of every connection: keeps the last WARNING and notes the NOTICE of a
 * resource that already existed; ignores the rest.
 */
static void
keep_warning(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (!severity || !sqlstate)
		return;
	if (strcmp(severity, "WARNING") == 0)
		diagnostic_from_result(arg, res);
	else if (strcmp(severity, "NOTICE") == 0 && strcmp(sqlstate, SQLSTATE_ALREADY_EXISTS) == 0)
		thread_already_existed = true;
}

/* This thread's working connection, made now if needed; NULL if the database is out of reach. */
static PGconn *
thread_connection(Pool pool)
{
	PGconn	   *conn = pthread_getspecific(connection_key[pool]);

	/* A backend that died while idle has left an error and EOF on the socket: notice now. */
	if (conn && (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK))
	{
		PQfinish(conn);
		pthread_setspecific(connection_key[pool], NULL);
		conn = NULL;
	}
	if (conn)
		return conn;

	conn = connect_now(pool_url(pool), "ticketmonster-web");
	if (PQstatus(conn) != CONNECTION_OK)
	{
		report_down(pool, PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeReceiver(conn, keep_warning, &thread_warning);
	if (is_superuser(conn) && config.production)
	{
		report_down(pool, "the database role is a superuser, which would act as the admin console; "
					"connect as a role granted ticketmonster_web");
		PQfinish(conn);
		return NULL;
	}
	if (!prepare_statements(pool, conn))
	{
		PQfinish(conn);
		return NULL;
	}
	if (thread_reported_down[pool])
		fprintf(stderr, "ticketmonster-web: %s connection restored\n",
				pool == POOL_READ ? "read database" : "database");
	thread_reported_down[pool] = false;
	pthread_setspecific(connection_key[pool], conn);
	return conn;
}

static void
drop_thread_connection(Pool pool)
{
	PGconn	   *conn = pthread_getspecific(connection_key[pool]);

	pthread_setspecific(connection_key[pool], NULL);
	PQfinish(conn);
}

PGconn *
db_connect_listener(void)
{
	return connect_now(config.database_url, "ticketmonster-web-listener");
}

bool
db_startup_check(void)
{
	PGconn	   *conn = connect_now(config.database_url, "ticketmonster-web");
	bool		ok = true;

	if (PQstatus(conn) != CONNECTION_OK)
		fprintf(stderr, "ticketmonster-web: warning: database not reachable yet (%s); "
				"serving 503 until it is\n", PQerrorMessage(conn));
	else if (is_superuser(conn))
	{
		if (config.production)
		{
			fprintf(stderr, "ticketmonster-web: DATABASE_URL connects as a superuser, which the "
					"extension treats as the admin console; in production, connect as a login "
					"role granted ticketmonster_web. Refusing to start.\n");
			ok = false;
		}
		else
			fprintf(stderr, "ticketmonster-web: warning: connected as a database superuser; "
					"use a role granted ticketmonster_web in production\n");
	}
	PQfinish(conn);
	return ok;
}

/* The answer to a failed call, whether its failure was an ERROR or a WARNING and NULL. */
static void
reply_from_diagnostic(const Diagnostic *diag, Reply *reply)
{
	HttpError	error = error_for_sqlstate(diag->sqlstate, diag->from_extension);

	reply->status = error.status;
	reply->retry_after = 0;
	if (error.status == 500 || !diag->from_extension)
	{
		/*
		 * A bug, or PostgreSQL's own words (paths, names, settings): the details go to the
		 * log, escaped since they can quote the client's input, and not to the client.
		 */
		char		message[sizeof(diag->message)];
		char		detail[sizeof(diag->detail)];

		log_escape_text(diag->message, message, sizeof(message));
		log_escape_text(diag->detail, detail, sizeof(detail));
		fprintf(stderr, "ticketmonster-web: %s error %s from %s: %s%s%s\n",
				error.status == 500 ? "internal" : "answered", *diag->sqlstate ? diag->sqlstate : "(none)",
				diag->from_extension ? "the extension" : "PostgreSQL",
				message, *detail ? " DETAIL: " : "", detail);
		reply->body = error_body(error_generic_message(error.status), error.code, NULL, NULL);
		return;
	}
	reply->body = error_body(diag->message, error.code, diag->detail, diag->hint);
	reply->retry_after = sqlstate_retry_after(diag->sqlstate, diag->detail);
}

/* Sleeps a few random milliseconds, more after each try, so that retries do not collide again. */
static void
backoff(int attempt)
{
	struct timespec ts = {0, (long) (rand() % 5 + 1) * attempt * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * The single result of a statement, or the error that ended it; NULL when the connection
 * broke before anything arrived. The function's row comes before the commit (at Sync): an
 * error after it (FATAL of a terminated backend, a failed commit) means the statement did
 * not commit, or that nobody knows whether it did, so that error is what counts, not the
 * row. `row_arrived` says whether the row came: once it has, the commit had begun.
 */
static PGresult *
await_result(PGconn *conn, bool *row_arrived)
{
	PGresult   *first = PQgetResult(conn);
	PGresult   *more;

	*row_arrived = first && PQresultStatus(first) == PGRES_TUPLES_OK;
	while ((more = PQgetResult(conn)) != NULL)
	{
		if (first && PQresultStatus(first) == PGRES_TUPLES_OK &&
			PQresultStatus(more) != PGRES_TUPLES_OK && PQresultStatus(more) != PGRES_COMMAND_OK)
		{
			PQclear(first);
			first = more;
		}
		else
			PQclear(more);
	}
	return first;
}

/*
 * Runs prepared statement `name` on this thread's connection of `pool` and waits for its
 * outcome, on a new connection once if the first broke where that is safe (`*reconnected`
 * says whether that chance was taken; a caller that runs the call again keeps it). True:
 * `*result` is what came (NULL if nothing did) on a connection still working: a row, an
 * ERROR, or a NULL row with a WARNING (thread_warning). False: the call could not be run, or
 * its connection broke with an outcome that is not known, and `reply` says so.
 */
static bool
run_prepared(const Route *route, Pool pool, const char *name, const char *const *values,
			 int nvalues, bool *reconnected, PGresult **result, Reply *reply)
{
	for (;;)
	{
		PGconn	   *conn = thread_connection(pool);
		PGresult   *res;
		bool		row_arrived;
		bool		safe;

		if (!conn)
		{
			reply_error(reply, 503, "unavailable", "the database is unavailable, try again shortly");
			return false;
		}
		thread_warning.present = false;
		thread_already_existed = false;
		if (!PQsendQueryPrepared(conn, name, nvalues, values, NULL, NULL, 0))
		{
			/* Nothing reached the server: always safe to try once more on a new connection. */
			drop_thread_connection(pool);
			if (!*reconnected)
			{
				*reconnected = true;
				continue;
			}
			reply_error(reply, 503, "unavailable", "the database is unavailable, try again shortly");
			return false;
		}
		/*
		 * From here on the call is never cancelled (no PQcancel, no statement_timeout from the
		 * shim): a commit waiting for its synchronous standby would, if cancelled, stay
		 * committed on the primary alone and come back as a success (docs/ha.md).
		 */
		res = await_result(conn, &row_arrived);
		/*
		 * A row is a success only once the server said the statement is over (ReadyForQuery):
		 * it committed.
		 */
		if (PQstatus(conn) == CONNECTION_OK)
		{
			*result = res;
			return true;
		}

		/*
		 * The connection broke during the call. A read can always run again. A write runs
		 * again only if the server ended the session before the statement's row, which
		 * precedes the commit: it never committed. Once the row came, the commit was under
		 * way (maybe done locally, maybe waiting for the synchronous standby, maybe on a
		 * primary that just died): the outcome is unknown, so neither a success nor a
		 * refusal may be answered, and running it again could buy twice. 503: the client's
		 * retry with the same Idempotency-Key finds out which it was.
		 */
		safe = route->read_only ||
			(sqlstate_is_session_ended(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL) &&
			 !row_arrived);
		PQclear(res);
		drop_thread_connection(pool);
		if (safe && !*reconnected)
		{
			*reconnected = true;
			continue;
		}
		reply_error(reply, 503, "unavailable", "the database connection was lost, try again");
		return false;
	}
}

void
db_call(const Route *route, const char *const *values, int nvalues, Reply *reply)
{
	char		name[32];
	bool		reconnected = false;
	int			serialization_retries = 0;
	Pool		pool = pool_for(route);

	snprintf(name, sizeof(name), "r%zu", route_index(route));
	for (;;)
	{
		PGresult   *res;
		const char *sqlstate;

		if (!run_prepared(route, pool, name, values, nvalues, &reconnected, &res, reply))
			return;
		/*
		 * A NULL row with a WARNING is a failure that committed its side effects, answered as
		 * if the WARNING's SQLSTATE had been an ERROR (and never run again).
		 */
		if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
			{
				/* The body stays in libpq's result, which the reply now owns: no copy. */
				reply->status = thread_already_existed ? 200 : route->success_status;
				reply->body = PQgetvalue(res, 0, 0);
				reply->body_len = (size_t) PQgetlength(res, 0, 0);
				reply->pg_result = res;
				return;
			}
			else if (PQntuples(res) == 1 && thread_warning.present)
				reply_from_diagnostic(&thread_warning, reply);
			else
				reply_error(reply, 500, "internal", "the function returned no result");
			PQclear(res);
			return;
		}

		sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (sqlstate_is_retryable(sqlstate) && serialization_retries < MAX_SERIALIZATION_RETRIES)
		{
			PQclear(res);
			backoff(++serialization_retries);
			continue;
		}
		if (res)
		{
			Diagnostic	error = {0};

			diagnostic_from_result(&error, res);
			reply_from_diagnostic(&error, reply);
		}
		else
			reply_error(reply, 500, "internal", "no result from the database");
		PQclear(res);
		return;
	}
}

/*
 * A text[] literal of argument `arg` of each call: every element double-quoted with '"' and
 * '\\' escaped, so that no value can end its element early (array_in's syntax); NULL unquoted.
 * malloc'd.
 */
static char *
array_literal(const char *const *const *values, int count, int arg)
{
	size_t		size = 3;
	char	   *literal;
	char	   *out;

	for (int i = 0; i < count; i++)
		size += values[i][arg] ? 2 * strlen(values[i][arg]) + 3 : 5;
	out = literal = malloc(size);
	if (!literal)
		return NULL;
	*out++ = '{';
	for (int i = 0; i < count; i++)
	{
		if (i > 0)
			*out++ = ',';
		if (!values[i][arg])
		{
			memcpy(out, "NULL", 4);
			out += 4;
			continue;
		}
		*out++ = '"';
		for (const char *c = values[i][arg]; *c; c++)
		{
			if (*c == '"' || *c == '\\')
				*out++ = '\\';
			*out++ = *c;
		}
		*out++ = '"';
	}
	*out++ = '}';
	*out = '\0';
	return literal;
}

/*
 * Row i of a batch's result as call i's reply: its result (copied: the replies cannot share
 * one PGresult), or its error answered as db_call answers that error. True when the error is
 * one that the call, run again alone, may not meet (a deadlock, a serialization failure).
 */
static bool
reply_from_batch_row(const Route *route, const PGresult *res, int row, Reply *reply)
{
	Diagnostic	error = {0};

	if (!PQgetisnull(res, row, 0))
	{
		reply->status = route->success_status;
		reply_set_body(reply, strndup(PQgetvalue(res, row, 0), (size_t) PQgetlength(res, row, 0)));
		if (!reply->body)
			reply_error(reply, 500, "internal", "out of memory");
		return false;
	}
	error.present = true;
	copy_field(error.sqlstate, sizeof(error.sqlstate), PQgetvalue(res, row, 1));
	copy_field(error.message, sizeof(error.message), PQgetvalue(res, row, 2));
	copy_field(error.detail, sizeof(error.detail), PQgetvalue(res, row, 3));
	copy_field(error.hint, sizeof(error.hint), PQgetvalue(res, row, 4));
	error.from_extension = strcmp(PQgetvalue(res, row, 5), "t") == 0;
	if (sqlstate_is_retryable(error.sqlstate))
		return true;
	reply_from_diagnostic(&error, reply);
	return false;
}

static void
reply_all_error(Reply *const *replies, int count, unsigned int status, const char *code, const char *message)
{
	for (int i = 0; i < count; i++)
		reply_error(replies[i], status, code, message);
}

void
db_call_batch(const Route *route, int count, const char *const *const *values, int nvalues,
			  Reply *const *replies)
{
	char	   *arrays[ROUTE_MAX_ARGS] = {0};
	char		name[32];
	bool		reconnected = false;
	bool		alone[DB_BATCH_MAX] = {0};
	PGresult   *res;

	for (int arg = 0; arg < nvalues; arg++)
		if (!(arrays[arg] = array_literal(values, count, arg)))
		{
			reply_all_error(replies, count, 500, "internal", "out of memory");
			goto done;
		}
	snprintf(name, sizeof(name), "b%zu", route_index(route));
	if (!run_prepared(route, POOL_PRIMARY, name, (const char *const *) arrays, nvalues, &reconnected,
					  &res, replies[0]))
	{
		/* Not run, or its outcome unknown: the same answer for each call. */
		for (int i = 1; i < count; i++)
		{
			replies[i]->status = replies[0]->status;
			replies[i]->retry_after = replies[0]->retry_after;
			reply_set_body(replies[i], strdup(replies[0]->body));
			if (!replies[i]->body)
				reply_error(replies[i], 500, "internal", "out of memory");
		}
		goto done;
	}
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
	{
		/* It committed: whatever the rows say, nothing of it may run again. */
		if (PQntuples(res) == count && PQnfields(res) == 6)
			for (int i = 0; i < count; i++)
				alone[i] = reply_from_batch_row(route, res, i, replies[i]);
		else
			reply_all_error(replies, count, 500, "internal", "the batch returned a result of another shape");
	}
	else
	{
		/*
		 * The batch failed as a whole (a deadlock while taking its locks, a schema of another
		 * version) and nothing of it committed: each call runs alone and gets its own answer.
		 */
		for (int i = 0; i < count; i++)
			alone[i] = true;
	}
	PQclear(res);
	for (int i = 0; i < count; i++)
		if (alone[i])
		{
			reply_clear(replies[i]);
			db_call(route, values[i], nvalues, replies[i]);
		}
done:
	for (int arg = 0; arg < nvalues; arg++)
		free(arrays[arg]);
}
