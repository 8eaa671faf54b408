/*
 * cache_listener.c -- see cache_listener.h.
 *
 * One thread, one connection to DATABASE_URL (the primary: notifications are not sent on a
 * standby), named ticketmonster-web-listener. The extension's statement-level triggers on
 * the public tables NOTIFY CACHE_CHANNEL, which PostgreSQL delivers when the transaction
 * commits, whoever made the change (the API or an admin in psql). Every notification read
 * drops everything stored (all notifications pending at once: one drop).
 *
 * Failure: when the connection is lost (terminated, the database restarting, keepalives
 * finding a vanished host) the cache stops serving from memory at once
 * (calls_set_listening(false)); the thread reconnects, LISTENs, and only then clears and
 * enables the cache again. A notification lost without the connection failing is covered
 * by the age bound of stored answers (calls.c).
 */
#include "cache_listener.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "calls.h"
#include "config.h"
#include "db.h"

enum { RECONNECT_PAUSE_MS = 500 };

static pthread_t thread;
static bool started;
static int stop_pipe[2] = {-1, -1};

/* Waits until `fd` is readable (true) or the stop pipe is written or `ms` passed (false). */
static bool
wait_readable(int fd, int ms, bool *stop)
{
	struct pollfd fds[2] = {{.fd = stop_pipe[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
	int			n = poll(fds, fd >= 0 ? 2 : 1, ms);

	*stop = n > 0 && (fds[0].revents & POLLIN);
	return n > 0 && !*stop && fds[1].revents;
}

/* Listens on a working connection until it fails or the process stops; true: stop. */
static bool
listen_on(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "LISTEN " CACHE_CHANNEL);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	bool		stop = false;

	PQclear(res);
	if (!ok)
		return false;
	/* From here every later commit is notified: drop what may predate it, then serve. */
	calls_set_listening(true);
	for (;;)
	{
		PGnotify   *notify;
		bool		changed = false;

		if (!wait_readable(PQsocket(conn), -1, &stop))
		{
			if (stop)
				break;
			continue;
		}
		if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK)
			break;
		while ((notify = PQnotifies(conn)) != NULL)
		{
			changed = true;
			PQfreemem(notify);
		}
		if (changed)
			calls_invalidate();
	}
	calls_set_listening(false);
	return stop;
}

static void *
listener_main(void *arg)
{
	bool		reported = false;
	bool		stop = false;

	(void) arg;
	while (!stop)
	{
		PGconn	   *conn = db_connect_listener();

		if (PQstatus(conn) == CONNECTION_OK)
		{
			if (reported)
				fprintf(stderr, "ticketmonster-web: notification connection restored; caching again\n");
			reported = false;
			stop = listen_on(conn);
		}
		if (!stop && !reported)
		{
			fprintf(stderr, "ticketmonster-web: notification connection lost (%s); public reads "
					"go to the database until it is back\n", PQerrorMessage(conn));
			reported = true;
		}
		PQfinish(conn);
		if (!stop)
			wait_readable(-1, RECONNECT_PAUSE_MS, &stop);
	}
	return NULL;
}

bool
cache_listener_start(void)
{
	if (config.cache_max_age_ms == 0)
		return true;
	if (pipe(stop_pipe) != 0)
		return false;
	started = pthread_create(&thread, NULL, listener_main, NULL) == 0;
	return started;
}

void
cache_listener_stop(void)
{
	if (!started)
		return;
	while (write(stop_pipe[1], "x", 1) < 0 && errno == EINTR)
		;
	pthread_join(thread, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	started = false;
}
