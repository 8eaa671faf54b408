/*
 * main.c -- ticketmonster-web: read the configuration, serve until SIGTERM or SIGINT, then
 * stop accepting, let in-flight requests finish and exit 0. With arguments, it runs one of
 * the operator's commands instead (cli/: migrate, create-admin, create-staff).
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "address_limit.h"
#include "cache_listener.h"
#include "calls.h"
#include "config.h"
#include "connection_guard.h"
#include "db.h"
#include "db_queue.h"
#include "handler.h"
#include "url_decode.h"

enum
{
	/*
	 * A connection silent this long is closed. Clients that do send, slowly, meet the head
	 * and body deadlines of connection_guard.c; this still covers a client that stops
	 * reading our answer. CONNECTION_LIMIT (config.h) stays well under the default 1024
	 * descriptors, with room for libpq.
	 */
	CONNECTION_TIMEOUT_SECONDS = 30,
	SHUTDOWN_GRACE_MS = 8000,	/* Heroku sends SIGKILL 30 s after SIGTERM; we promise 10 s */
	ANSWER_GRACE_MS = 2000,		/* for the 503s of requests still waiting after the grace */

	/*
	 * MHD's per-connection pool holds headers and read chunks only (bodies go to our own
	 * buffer). MHD zeroes it on every keep-alive request, and it is most of the memory at
	 * many connections: half the 32 KiB default still fits any header a browser sends.
	 */
	CONNECTION_MEMORY_BYTES = 16 * 1024,
};

/* MHD's decoding of paths and query fields, without ever producing a NUL byte. */
static size_t
unescape(void *cls, struct MHD_Connection *connection, char *s)
{
	(void) cls;
	(void) connection;
	return url_decode(s, false);
}

static struct MHD_Daemon *
start_daemon(void)
{
	/*
	 * Suspending lets a request wait for its turn (address_limit.c) or for the database
	 * (calls.c) without holding an HTTP thread.
	 *
	 * poll(), not epoll: libmicrohttpd 0.9.75's epoll loop, after an epoll_wait that returned
	 * its maximum of 128 events, waits again with the full timeout before serving them. A
	 * thread whose ready connections number exactly 128 then stalls until some other event
	 * (a new connection, the connection timeout): a bare MHD server with 2 threads and 256
	 * wrk connections split 128/128 served 4,011 requests a second instead of ~70,000, and at
	 * other splits the shorter stalls made GET /events' p99 at 256 connections swing from 7.6
	 * to 13.2 ms; with poll it stayed within 7.7-9.0 ms (bench/profile-notes.md). poll costs
	 * a scan of the thread's connections per round, at most CONNECTION_LIMIT / HTTP_THREADS.
	 * And poll's loop reads a client's half-close (shutdown(SHUT_WR) after its request)
	 * before the request is answered: a request that waits for the database is then
	 * dropped, as if the client had left. Browsers, curl and routers keep their side open.
	 *
	 * Each HTTP thread accepts for itself, up to 10 connections at a time, so their shares
	 * are uneven (256 connections opened at once split 65/35 once). An accept thread handing
	 * connections to MHD_add_connection would spread them evenly; with epoll, 128 of them
	 * added at once met the stall above. With poll it has not been tried.
	 */
	return MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
							(uint16_t) config.port, NULL, NULL, handle_request, NULL,
							/* First, so that MHD prints nothing by itself (connection_guard.h). */
							MHD_OPTION_EXTERNAL_LOGGER, guard_log, NULL,
							MHD_OPTION_THREAD_POOL_SIZE, config.http_threads,
							MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) CONNECTION_TIMEOUT_SECONDS,
							MHD_OPTION_CONNECTION_LIMIT, (unsigned int) CONNECTION_LIMIT,
							/* One address cannot take the whole process's connections. */
							MHD_OPTION_PER_IP_CONNECTION_LIMIT, config.max_connections_per_address,
							MHD_OPTION_NOTIFY_CONNECTION, guard_notify, NULL,
							MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) CONNECTION_MEMORY_BYTES,
							MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
							MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
							MHD_OPTION_END);
}

/* Waits until no request is in progress, or the grace period is over. */
static void
drain_requests(int grace_ms)
{
	struct timespec tick = {0, 20 * 1000000L};

	for (int waited = 0; requests_in_flight() > 0 && waited < grace_ms; waited += 20)
		nanosleep(&tick, NULL);
}

int
main(int argc, char **argv)
{
	sigset_t	stop_signals;
	int			signal_number;
	struct MHD_Daemon *daemon;
	MHD_socket	listener;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	{
		config_print_help(argv[0]);
		cli_print_help();
		return 0;
	}
	/* `ticketmonster-web COMMAND ...`: an operator's command (cli/), not the server */
	if (argc > 1)
		return cli_run(argc - 1, argv + 1);
	if (!config_load())
		return 1;

	/* Blocked here, so every thread inherits the mask and only sigwait() below sees them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	db_init();
	if (!db_startup_check())
		return 1;
	if (!guard_start() || !dbq_start() || !cache_listener_start())
	{
		fprintf(stderr, "ticketmonster-web: cannot start its threads\n");
		return 1;
	}
	daemon = start_daemon();
	if (!daemon)
	{
		fprintf(stderr, "ticketmonster-web: cannot listen on port %u\n", config.port);
		return 1;
	}
	/* The bound port, not the configured one: PORT=0 lets the kernel pick it. */
	printf("ticketmonster-web: listening on port %u with %u HTTP threads and %u database connections\n",
		   (unsigned int) MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT)->port,
		   config.http_threads, config.web_concurrency);
	fflush(stdout);

	sigwait(&stop_signals, &signal_number);
	printf("ticketmonster-web: %s received, finishing requests in flight\n",
		   signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
	fflush(stdout);
	handler_begin_shutdown();
	/* Closing the listening socket makes new connections fail at once instead of hanging. */
	listener = MHD_quiesce_daemon(daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	drain_requests(SHUTDOWN_GRACE_MS);
	/*
	 * Past the grace period: requests still waiting for their address's turn or for the
	 * database are answered 503 (MHD cannot stop with suspended connections), then the
	 * database threads finish their call.
	 */
	limit_release_waiters();
	dbq_fail_queued();
	calls_release_waiters();
	/* Their connections were resumed: let MHD's threads send those answers before closing. */
	drain_requests(ANSWER_GRACE_MS);
	MHD_stop_daemon(daemon);
	dbq_stop(SHUTDOWN_GRACE_MS);
	cache_listener_stop();
	calls_free_all();
	guard_stop();
	printf("ticketmonster-web: stopped\n");
	fflush(stdout);
	return 0;
}
