/*
 * db.c -- per-thread connections and the call runner.
 *
 * Each MHD worker thread owns one connection, made on first use and prepared with every
 * route's statement, so a request never waits for another thread's connection. The secret
 * key travels as a startup option, so it is in no SQL text and no statement log.
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

enum { MAX_SERIALIZATION_RETRIES = 3 };

static pthread_key_t connection_key;

static void
close_connection(void *conn)
{
	PQfinish(conn);
}

void
db_init(void)
{
	pthread_key_create(&connection_key, close_connection);
}

/* Appends `value` to `out`, escaping what libpq's "options" splits on. */
static void
append_option_value(char *out, size_t size, const char *value)
{
	size_t		used = strlen(out);

	for (; *value && used + 2 < size; value++)
	{
		if (*value == ' ' || *value == '\\')
			out[used++] = '\\';
		out[used++] = *value;
	}
	out[used] = '\0';
}

static PGconn *
connect_now(void)
{
	char		options[1024] = "-c ticketmonster.secret_key=";
	char		ttl[64];
	const char *keywords[8];
	const char *values[8];
	int			n = 0;

	append_option_value(options, sizeof(options), config.secret_key);
	snprintf(ttl, sizeof(ttl), " -c ticketmonster.token_ttl=%d", config.token_ttl);
	strncat(options, ttl, sizeof(options) - strlen(options) - 1);

	/* Defaults first: values given by DATABASE_URL come later and win... */
	keywords[n] = "fallback_application_name", values[n++] = "ticketmonster-web";
	keywords[n] = "connect_timeout", values[n++] = "5";
	if (*config.database_url)
		keywords[n] = "dbname", values[n++] = config.database_url;
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

/* Logs a connection problem once per thread until the connection works again. */
static __thread bool thread_reported_down;

static void
report_down(const char *what)
{
	if (thread_reported_down)
		return;
	thread_reported_down = true;
	fprintf(stderr, "ticketmonster-web: database unavailable: %s\n", what);
}

static bool
prepare_statements(PGconn *conn)
{
	for (size_t i = 0; i < route_count; i++)
	{
		char		name[32];
		PGresult   *res;
		bool		ok;

		if (!routes[i].sql)
			continue;
		snprintf(name, sizeof(name), "r%zu", i);
		res = PQprepare(conn, name, routes[i].sql, 0, NULL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		if (!ok)
			report_down(PQresultErrorMessage(res));
		PQclear(res);
		if (!ok)
			return false;
	}
	return true;
}

/* This thread's working connection, made now if needed; NULL if the database is out of reach. */
static PGconn *
thread_connection(void)
{
	PGconn	   *conn = pthread_getspecific(connection_key);

	/* A backend that died while idle has left an error and EOF on the socket: notice now. */
	if (conn && (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK))
	{
		PQfinish(conn);
		pthread_setspecific(connection_key, NULL);
		conn = NULL;
	}
	if (conn)
		return conn;

	conn = connect_now();
	if (PQstatus(conn) != CONNECTION_OK)
	{
		report_down(PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	if (is_superuser(conn) && config.production)
	{
		report_down("the database role is a superuser, which would act as the admin console; "
					"connect as a role granted ticketmonster_web");
		PQfinish(conn);
		return NULL;
	}
	if (!prepare_statements(conn))
	{
		PQfinish(conn);
		return NULL;
	}
	if (thread_reported_down)
		fprintf(stderr, "ticketmonster-web: database connection restored\n");
	thread_reported_down = false;
	pthread_setspecific(connection_key, conn);
	return conn;
}

static void
drop_thread_connection(void)
{
	PGconn	   *conn = pthread_getspecific(connection_key);

	pthread_setspecific(connection_key, NULL);
	PQfinish(conn);
}

bool
db_startup_check(void)
{
	PGconn	   *conn = connect_now();
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

static void
reply_from_error(PGresult *res, Reply *reply)
{
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	HttpError	error = error_for_sqlstate(sqlstate);

	reply->status = error.status;
	if (error.status == 500)
	{
		/* A bug: the details go to the log, not to the client. */
		fprintf(stderr, "ticketmonster-web: internal error %s: %s", sqlstate ? sqlstate : "(none)",
				PQresultErrorMessage(res));
		reply->body = error_body("internal error", error.code, NULL, NULL);
		return;
	}
	reply->body = error_body(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY), error.code,
							 PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
							 PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
}

/* Sleeps a few random milliseconds, more after each try, so that retries do not collide again. */
static void
backoff(int attempt)
{
	struct timespec ts = {0, (long) (rand() % 5 + 1) * attempt * 1000000L};

	nanosleep(&ts, NULL);
}

/* The single result of a statement; NULL when the connection broke before one arrived. */
static PGresult *
await_result(PGconn *conn)
{
	PGresult   *first = PQgetResult(conn);
	PGresult   *more;

	while ((more = PQgetResult(conn)) != NULL)
		PQclear(more);
	return first;
}

void
db_call(const Route *route, const char *const *values, int nvalues, Reply *reply)
{
	char		name[32];
	bool		reconnected = false;
	int			serialization_retries = 0;

	snprintf(name, sizeof(name), "r%zu", route_index(route));
	for (;;)
	{
		PGconn	   *conn = thread_connection();
		PGresult   *res;
		const char *sqlstate;

		if (!conn)
		{
			reply_error(reply, 503, "unavailable", "the database is unavailable, try again shortly");
			return;
		}
		if (!PQsendQueryPrepared(conn, name, nvalues, values, NULL, NULL, 0))
		{
			/* Nothing reached the server: always safe to try once more on a new connection. */
			drop_thread_connection();
			if (!reconnected)
			{
				reconnected = true;
				continue;
			}
			reply_error(reply, 503, "unavailable", "the database is unavailable, try again shortly");
			return;
		}
		res = await_result(conn);
		if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
			{
				reply->status = route->success_status;
				reply->body = strdup(PQgetvalue(res, 0, 0));
			}
			else
				reply_error(reply, 500, "internal", "the function returned no result");
			PQclear(res);
			return;
		}

		sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
		if (PQstatus(conn) != CONNECTION_OK)
		{
			/*
			 * The connection broke during the call. If the server said it ended the session,
			 * the statement did not commit; a read can always run again. Otherwise a write
			 * might have committed just before the break, and running it again could buy twice.
			 */
			bool		safe = sqlstate_is_session_ended(sqlstate) || route->read_only;

			PQclear(res);
			drop_thread_connection();
			if (safe && !reconnected)
			{
				reconnected = true;
				continue;
			}
			reply_error(reply, 503, "unavailable", "the database connection was lost, try again");
			return;
		}
		if (sqlstate_is_retryable(sqlstate) && serialization_retries < MAX_SERIALIZATION_RETRIES)
		{
			PQclear(res);
			backoff(++serialization_retries);
			continue;
		}
		if (res)
			reply_from_error(res, reply);
		else
			reply_error(reply, 500, "internal", "no result from the database");
		PQclear(res);
		return;
	}
}
