/*
 * connection_guard.c -- see connection_guard.h.
 *
 * The guards form one list under one mutex. The watchdog never closes a descriptor (MHD owns
 * it), it only calls shutdown() on it, under the mutex; a guard leaves the list under the same
 * mutex in MHD's "closed" notification, which MHD sends before it closes the descriptor, so
 * the watchdog can never shut down a descriptor number that a new connection reuses.
 *
 * A guard's deadline changes three times per request, so it is one atomic word, set without
 * the mutex: the HTTP threads never wait for each other, or for the watchdog's walk, here.
 */
#include "connection_guard.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "monotonic.h"

typedef struct Guard
{
	struct Guard *prev;
	struct Guard *next;
	int			fd;
	atomic_llong deadline;		/* deadline_word(): when, and which deadline it is */
	bool		cut;			/* already shut down */
} Guard;

enum { WATCHDOG_TICK_MS = 100, REPORT_EVERY_MS = 1000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static Guard *guards;
static bool stopping;
static bool started;
static pthread_t watchdog;

/* What the watchdog has done, and MHD refused, since the last report (one line a second). */
static unsigned int cut_heads;
static unsigned int cut_bodies;
static atomic_uint refused;
static long long last_report_ms;

/* Coarse monotonic milliseconds and whether it is the body's deadline, in one word; 0: none. */
static long long
deadline_word(unsigned int seconds, bool in_body)
{
	return seconds ? (monotonic_coarse_ms() + (long long) seconds * 1000) * 2 + in_body : 0;
}

static Guard *
guard_of(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void
set_deadline(struct MHD_Connection *connection, unsigned int seconds, bool in_body)
{
	Guard	   *guard = guard_of(connection);

	if (guard)
		atomic_store_explicit(&guard->deadline, deadline_word(seconds, in_body), memory_order_relaxed);
}

void
guard_head_received(struct MHD_Connection *connection)
{
	set_deadline(connection, config.body_timeout, true);
}

void
guard_request_dispatched(struct MHD_Connection *connection)
{
	set_deadline(connection, 0, false);
}

void
guard_request_completed(struct MHD_Connection *connection)
{
	set_deadline(connection, config.head_timeout, false);
}

void
guard_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
			 enum MHD_ConnectionNotificationCode code)
{
	Guard	   *guard;

	(void) cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
	{
		const union MHD_ConnectionInfo *info =
			MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);

		guard = calloc(1, sizeof(Guard));
		if (!guard || !info)
		{
			free(guard);
			return;
		}
		guard->fd = info->connect_fd;
		atomic_init(&guard->deadline, deadline_word(config.head_timeout, false));
		pthread_mutex_lock(&lock);
		guard->next = guards;
		if (guards)
			guards->prev = guard;
		guards = guard;
		pthread_mutex_unlock(&lock);
		*socket_context = guard;
		return;
	}
	guard = *socket_context;
	if (!guard)
		return;
	pthread_mutex_lock(&lock);
	if (guard->prev)
		guard->prev->next = guard->next;
	else
		guards = guard->next;
	if (guard->next)
		guard->next->prev = guard->prev;
	pthread_mutex_unlock(&lock);
	free(guard);
	*socket_context = NULL;
}

/* Shuts down every connection past its deadline; called with the lock held. */
static void
cut_late_connections(void)
{
	long long	now = monotonic_coarse_ms();

	for (Guard *g = guards; g; g = g->next)
	{
		long long	deadline = atomic_load_explicit(&g->deadline, memory_order_relaxed);

		if (g->cut || deadline == 0 || now < deadline / 2)
			continue;
		shutdown(g->fd, SHUT_RDWR);
		g->cut = true;
		if (deadline % 2)
			cut_bodies++;
		else
			cut_heads++;
	}
}

/* At most one line a second, however many connections an attack costs: the log stays readable. */
static void
report(void)
{
	long long	now = monotonic_coarse_ms();
	unsigned int refused_now;

	if (now - last_report_ms < REPORT_EVERY_MS)
		return;
	refused_now = atomic_exchange(&refused, 0);
	if (cut_heads || cut_bodies || refused_now)
	{
		fprintf(stderr, "ticketmonster-web: closed %u connection(s) whose request head took over "
				"%u s, %u whose body took over %u s; refused %u over the connection limits\n",
				cut_heads, config.head_timeout, cut_bodies, config.body_timeout, refused_now);
		fflush(stderr);
	}
	cut_heads = cut_bodies = 0;
	last_report_ms = now;
}

void
guard_log(void *cls, const char *format, va_list ap)
{
	(void) cls;
	/* MHD's message for each connection over a limit: counted, reported by the watchdog. */
	if (strstr(format, "connection limit"))
	{
		atomic_fetch_add(&refused, 1);
		return;
	}
	vfprintf(stderr, format, ap);
}

static void *
watchdog_main(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&lock);
	while (!stopping)
	{
		struct timespec until;

		cut_late_connections();
		report();
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += WATCHDOG_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L)
		{
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

bool
guard_start(void)
{
	started = pthread_create(&watchdog, NULL, watchdog_main, NULL) == 0;
	return started;
}

void
guard_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(watchdog, NULL);
	started = false;
}
