/*
 * cache_listener.c -- see cache_listener.h.
 *
 * One thread, one connection to DATABASE_URL (the primary: notifications are not sent on a
 * standby), named ticketmonster-web-listener. The extension's statement-level triggers on
 * the public tables NOTIFY CACHE_CHANNEL, which PostgreSQL delivers when the transaction
 * commits, whoever made the change (the API or an admin in psql). Every notification read
 * drops everything stored (all notifications pending at once: one drop).
 *
 * Sales are announced on SALES_CHANNEL instead, by the web process that made them, once their
 * call is over: a database thread only raises `sale_pending` and wakes this thread, which
 * sends one NOTIFY for all the sales since its last one, at most every
 * SALE_ANNOUNCE_INTERVAL_MS. Each is a transaction of its own on this connection, committed
 * without waiting for the disk (synchronous_commit off: a lost announcement costs freshness
 * only, within the age bound), so no purchase waits for it or for the notification lock.
 *
 * Failure: when the connection is lost (terminated, the database restarting, keepalives
 * finding a vanished host) the cache stops serving from memory at once
 * (calls_set_listening(false)); the thread reconnects, LISTENs, and only then clears and
 * enables the cache again. A notification lost without the connection failing is covered
 * by the age bound of stored answers (calls.c).
 */
#include "cache_listener.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "calls.h"
#include "config.h"
#include "db.h"
#include "monotonic.h"

enum { RECONNECT_PAUSE_MS = 500, SALE_ANNOUNCE_INTERVAL_MS = 10 };

static pthread_t thread;
static bool started;
static int	wake_pipe[2] = {-1, -1};	/* both ends non-blocking */
static atomic_bool stopping;
static atomic_bool sale_pending;

static void
wake(void)
{
	while (write(wake_pipe[1], "x", 1) < 0 && errno == EINTR)
		;						/* a full pipe is a wake-up already pending */
}

/*
 * Waits until `fd` is readable (true), or the thread is woken (to stop, or to announce a
 * sale) or `ms` passed (false). *stop: the process is stopping.
 */
static bool
wait_readable(int fd, int ms, bool *stop)
{
	struct pollfd fds[2] = {{.fd = wake_pipe[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
	int			n = poll(fds, fd >= 0 ? 2 : 1, ms);
	char		drain[64];

	if (n > 0 && (fds[0].revents & POLLIN))
		while (read(wake_pipe[0], drain, sizeof(drain)) > 0)
			;
	*stop = atomic_load(&stopping);
	return n > 0 && !*stop && fd >= 0 && fds[1].revents;
}

/* The sales since the last announcement, in one NOTIFY; false if the connection failed. */
static bool
announce(PGconn *conn)
{
	PGresult   *res;
	bool		ok;

	atomic_store(&sale_pending, false);
	res = PQexec(conn, "NOTIFY " SALES_CHANNEL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	return ok;
}

/* Handles the notifications libpq has read: sales refresh, anything else drops. */
static void
take_notifications(PGconn *conn)
{
	PGnotify   *notify;
	bool		changed = false;
	bool		sold = false;

	while ((notify = PQnotifies(conn)) != NULL)
	{
		if (strcmp(notify->relname, SALES_CHANNEL) == 0)
			sold = true;
		else
			changed = true;
		PQfreemem(notify);
	}
	if (changed)
		calls_invalidate();
	if (sold)
		calls_sale_announced();
}

/* Listens on a working connection until it fails or the process stops; true: stop. */
static bool
listen_on(PGconn *conn)
{
	PGresult   *res = PQexec(conn, "SET synchronous_commit = off; LISTEN " CACHE_CHANNEL
							 "; LISTEN " SALES_CHANNEL);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	bool		stop = false;
	long long	next_announce = 0;

	PQclear(res);
	if (!ok)
		return false;
	/* From here every later commit is notified: drop what may predate it, then serve. */
	calls_set_listening(true);
	for (;;)
	{
		int			timeout = -1;

		if (atomic_load(&sale_pending))
		{
			long long	now = monotonic_ms();

			if (now >= next_announce)
			{
				if (!announce(conn))
					break;
				take_notifications(conn);	/* those libpq read while announcing */
				next_announce = now + SALE_ANNOUNCE_INTERVAL_MS;
			}
			else
				timeout = (int) (next_announce - now);
		}
		if (wait_readable(PQsocket(conn), timeout, &stop) &&
			(!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK))
			break;
		if (stop)
			break;
		take_notifications(conn);
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
		/* The pause, whatever wakes the thread meanwhile (sales are announced once back). */
		for (long long until = monotonic_ms() + RECONNECT_PAUSE_MS; !stop && monotonic_ms() < until;)
			wait_readable(-1, (int) (until - monotonic_ms()), &stop);
	}
	return NULL;
}

bool
cache_listener_start(void)
{
	if (config.cache_max_age_ms == 0)
		return true;
	if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return false;
	started = pthread_create(&thread, NULL, listener_main, NULL) == 0;
	return started;
}

void
cache_listener_announce_sale(void)
{
	if (started && !atomic_exchange(&sale_pending, true))
		wake();
}

void
cache_listener_stop(void)
{
	if (!started)
		return;
	atomic_store(&stopping, true);
	wake();
	pthread_join(thread, NULL);
	started = false;
	close(wake_pipe[0]);
	close(wake_pipe[1]);
}
