/*
 * db_queue.c -- the database never blocks the HTTP side (issue 14).
 *
 * Two kinds of threads. MHD's threads (HTTP_THREADS) only do I/O and answers from memory:
 * static files, /healthz, errors found in the request, cached public reads. Everything that
 * needs the database becomes a DbJob in ONE bounded FIFO queue, and its HTTP connection is
 * suspended (MHD_suspend_connection, calls.c) so that it holds no HTTP thread while it waits.
 * WEB_CONCURRENCY database threads take jobs from the queue; each owns its connection (and
 * one to READ_DATABASE_URL if set: db.c), so the pool of database connections is exactly
 * WEB_CONCURRENCY, and everything db.c does per call stays as it was: prepared statements,
 * retries of serialization failures, reconnection, the ambiguous-commit 503, failover. When
 * a job is done its `done` callback resumes the waiting connection(s), and the HTTP thread
 * sends the answer.
 *
 * Two lanes. Public reads (routes.h) are short and shared by everyone waiting for them (a
 * cache fill, calls.c), while a login hashes a password for 150 ms: so a database thread
 * takes a public read first, but after FAST_LANE_RUN of them in a row it takes the oldest
 * other job, so that neither lane can starve the other. 16 logins then do not hold back
 * the reads of an on-sale page.
 *
 * Bounds. At most DB_QUEUE_LIMIT jobs wait: one more is refused at once (503 busy). A job
 * that has waited DB_QUEUE_TIMEOUT_MS without reaching a connection is answered 503 busy +
 * Retry-After by the deadline thread, even when every database thread is stuck (a table
 * lock, a database that stopped answering): so no client waits unboundedly and no pile-up
 * grows. A job that has started is never cancelled (docs/ha.md: a cancelled commit can
 * still commit), so the deadline is a deadline for waiting, not for running.
 *
 * Lock order: calls.c's lock may be held while submitting (the queue's lock is taken inside
 * it); `done` callbacks are called without the queue's lock, and take calls.c's.
 */
#include "db_queue.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"

enum { FAST_LANE_RUN = 4 };

typedef struct Lane
{
	DbJob	   *head;
	DbJob	   *tail;
} Lane;

enum { LANE_FAST, LANE_OTHER, LANE_COUNT };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready;	/* a job was queued, or stopping */
static pthread_cond_t head_changed;	/* for the deadline thread */
static Lane lanes[LANE_COUNT];
static unsigned int fast_in_a_row;
static unsigned int queued;
static bool stopping;
static bool deadline_stopping;

static pthread_t *db_threads;
static unsigned int db_thread_count;
static pthread_t deadline_thread;

static double
ms_between(const struct timespec *from, const struct timespec *to)
{
	return (double) (to->tv_sec - from->tv_sec) * 1e3 + (double) (to->tv_nsec - from->tv_nsec) / 1e6;
}

/* With the lock held: the first job of `lane`, taken out of it, or NULL. */
static DbJob *
pop_lane(int lane)
{
	DbJob	   *job = lanes[lane].head;

	if (!job)
		return NULL;
	lanes[lane].head = job->next;
	if (!lanes[lane].head)
		lanes[lane].tail = NULL;
	job->next = NULL;
	queued--;
	pthread_cond_signal(&head_changed);
	return job;
}

/* With the lock held: the next job for a database thread (see "Two lanes"), or NULL. */
static DbJob *
pop(void)
{
	bool		fast = lanes[LANE_FAST].head &&
		(fast_in_a_row < FAST_LANE_RUN || !lanes[LANE_OTHER].head);

	fast_in_a_row = fast ? fast_in_a_row + 1 : 0;
	return pop_lane(fast ? LANE_FAST : LANE_OTHER);
}

/* With the lock held: the job that has waited longest, for the deadline thread, or NULL. */
static DbJob *
oldest(int *lane)
{
	DbJob	   *fast = lanes[LANE_FAST].head;
	DbJob	   *other = lanes[LANE_OTHER].head;

	*lane = fast && (!other || ms_between(&fast->queued, &other->queued) >= 0) ? LANE_FAST : LANE_OTHER;
	return lanes[*lane].head;
}

static void
answer_busy(DbJob *job)
{
	reply_error(&job->reply, 503, "busy", "the server is busy, try again shortly");
	job->reply.retry_after = 1;
	job->done(job);
}

static void *
db_thread_main(void *arg)
{
	(void) arg;
	for (;;)
	{
		DbJob	   *job;

		pthread_mutex_lock(&lock);
		while (!queued && !stopping)
			pthread_cond_wait(&work_ready, &lock);
		job = pop();
		pthread_mutex_unlock(&lock);
		if (!job)
			break;				/* stopping, nothing left */
		clock_gettime(CLOCK_MONOTONIC, &job->started);
		/* The deadline thread may not have looked yet: the deadline holds here too. */
		if (ms_between(&job->queued, &job->started) > config.db_queue_timeout_ms)
		{
			answer_busy(job);
			continue;
		}
		db_call(job->route, (const char *const *) job->values, job->nvalues, &job->reply);
		job->done(job);
	}
	return NULL;
}

/* Answers 503 busy to every job that has waited past the deadline; sleeps until the next. */
static void *
deadline_thread_main(void *arg)
{
	(void) arg;
	pthread_mutex_lock(&lock);
	while (!deadline_stopping)
	{
		struct timespec now;
		int			lane;
		DbJob	   *head = oldest(&lane);

		if (!head)
		{
			pthread_cond_wait(&head_changed, &lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ms_between(&head->queued, &now) > config.db_queue_timeout_ms)
		{
			/* Each lane is FIFO: the older of their heads is the first to expire. */
			DbJob	   *job = pop_lane(lane);

			pthread_mutex_unlock(&lock);
			job->started = now;
			answer_busy(job);
			pthread_mutex_lock(&lock);
		}
		else
		{
			struct timespec until = head->queued;
			long long	ns = (long long) until.tv_nsec + (long long) (config.db_queue_timeout_ms + 1) * 1000000LL;

			until.tv_sec += (time_t) (ns / 1000000000LL);
			until.tv_nsec = (long) (ns % 1000000000LL);
			pthread_cond_timedwait(&head_changed, &lock, &until);
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

bool
dbq_start(void)
{
	pthread_condattr_t attr;

	/* Deadlines are measured on the monotonic clock: a change of the date moves none. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&work_ready, &attr);
	pthread_cond_init(&head_changed, &attr);
	pthread_condattr_destroy(&attr);

	db_threads = calloc(config.web_concurrency, sizeof(pthread_t));
	if (!db_threads)
		return false;
	for (; db_thread_count < config.web_concurrency; db_thread_count++)
		if (pthread_create(&db_threads[db_thread_count], NULL, db_thread_main, NULL) != 0)
			return false;
	return pthread_create(&deadline_thread, NULL, deadline_thread_main, NULL) == 0;
}

bool
dbq_submit(DbJob *job, const char *const *values, int nvalues)
{
	bool		accepted;

	job->next = NULL;
	job->nvalues = nvalues;
	for (int i = 0; i < nvalues; i++)
		job->values[i] = values[i] ? strdup(values[i]) : NULL;
	clock_gettime(CLOCK_MONOTONIC, &job->queued);
	pthread_mutex_lock(&lock);
	accepted = !stopping && queued < config.db_queue_limit;
	if (accepted)
	{
		Lane	   *lane = &lanes[route_is_public_read(job->route) ? LANE_FAST : LANE_OTHER];

		if (lane->tail)
			lane->tail->next = job;
		else
			lane->head = job;
		lane->tail = job;
		queued++;
		pthread_cond_signal(&work_ready);
		if (lane->head == job)
			pthread_cond_signal(&head_changed);
	}
	pthread_mutex_unlock(&lock);
	if (!accepted)
		dbq_job_clear(job);
	return accepted;
}

void
dbq_fail_queued(void)
{
	for (;;)
	{
		DbJob	   *job;

		pthread_mutex_lock(&lock);
		stopping = true;
		job = pop();
		pthread_cond_broadcast(&work_ready);
		pthread_mutex_unlock(&lock);
		if (!job)
			return;
		reply_error(&job->reply, 503, "unavailable", "the server is shutting down, try again");
		job->done(job);
	}
}

void
dbq_stop(int grace_ms)
{
	struct timespec until;

	dbq_fail_queued();
	pthread_mutex_lock(&lock);
	deadline_stopping = true;
	pthread_cond_broadcast(&head_changed);
	pthread_mutex_unlock(&lock);
	pthread_join(deadline_thread, NULL);

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_ms / 1000;
	for (unsigned int i = 0; i < db_thread_count; i++)
		if (pthread_timedjoin_np(db_threads[i], NULL, &until) != 0)
			fprintf(stderr, "ticketmonster-web: a database call is still running at exit\n");
	free(db_threads);
	db_threads = NULL;
	db_thread_count = 0;
}

void
dbq_job_clear(DbJob *job)
{
	for (int i = 0; i < job->nvalues; i++)
	{
		free(job->values[i]);
		job->values[i] = NULL;
	}
	job->nvalues = 0;
	reply_clear(&job->reply);
}
