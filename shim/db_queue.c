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
 * Lanes. Public reads (routes.h) are short and shared by everyone waiting for them (a
 * cache fill, calls.c), while a login hashes a password for 150 ms: so a database thread
 * takes a public read first, but after FAST_LANE_RUN of them in a row it takes the oldest
 * job of the other lanes, so that no lane can starve another. 16 logins then do not hold
 * back the reads of an on-sale page.
 *
 * Password work (login, sign-up, password change: route_hashes_password) has a lane that
 * runs at most PASSWORD_CALLS_AT_ONCE calls at a time. Each is ~150 ms of a database core;
 * WEB_CONCURRENCY of them at once would take every core of a small database machine (and,
 * on one machine, the web process's) from the sales and reads beside them. Logins queue
 * instead, and processes add up. Two, not one: a login stuck on a lock (an account being
 * deleted) must not hold up every other login of the process.
 *
 * Group commit. Purchases (routes with a batch_sql) wait in a lane of their own, and a
 * database thread takes all that are waiting there, up to DB_BATCH_MAX, as one call in one
 * transaction (db_call_batch; extension/order_batch.c). Purchases of an on-sale event all
 * update its row, so each would wait for the previous one's commit and its flush to disk:
 * the database sells one purchase per flush however many connections buy. As one batch they
 * share the flush and the round trip, and while a batch runs the next one gathers. A batch
 * holds all its rows until it commits, so batches that share an event would run one after
 * the other anyway: purchases go to one of BATCH_LANES lanes by their event (the route's
 * batch_key), each lane runs one batch at a time, and lanes run in parallel. A purchase that
 * comes alone runs alone.
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

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"

enum { FAST_LANE_RUN = 4, BATCH_LANES = 2, PASSWORD_CALLS_AT_ONCE = 2 };

typedef struct Lane
{
	DbJob	   *head;
	DbJob	   *tail;
	unsigned int running;		/* jobs or batches of it running (counted where limited) */
} Lane;

/* Lanes from LANE_PASSWORD on limit what runs at once (lane_limit). */
enum { LANE_FAST, LANE_OTHER, LANE_PASSWORD, LANE_BATCH, LANE_COUNT = LANE_BATCH + BATCH_LANES };

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

static unsigned int
lane_limit(int lane)
{
	return lane >= LANE_BATCH ? 1 : lane == LANE_PASSWORD ? PASSWORD_CALLS_AT_ONCE : UINT_MAX;
}

/* With the lock held: whether a database thread may take the lane's first job now. */
static bool
lane_ready(int lane)
{
	return lanes[lane].head && lanes[lane].running < lane_limit(lane);
}

/*
 * With the lock held: of the lanes from `first` on that have a job (and, if `ready`, may be
 * taken now), the one whose first job has waited longest; -1 if none.
 */
static int
oldest_lane(int first, bool ready)
{
	int			oldest = -1;

	for (int lane = first; lane < LANE_COUNT; lane++)
		if ((ready ? lane_ready(lane) : lanes[lane].head != NULL) &&
			(oldest < 0 || ms_between(&lanes[lane].head->queued, &lanes[oldest].head->queued) > 0))
			oldest = lane;
	return oldest;
}

/*
 * With the lock held: the next work for a database thread (see "Lanes" and "Group commit"),
 * or NULL: one job, or a batch of jobs linked by `next`. A lane that runs one at a time is
 * counted as running until the thread is done with what it took (db_thread_main).
 */
static DbJob *
pop(void)
{
	int			other = oldest_lane(LANE_OTHER, true);
	bool		fast = lane_ready(LANE_FAST) && (fast_in_a_row < FAST_LANE_RUN || other < 0);
	DbJob	   *first;

	fast_in_a_row = fast ? fast_in_a_row + 1 : 0;
	if (fast)
		return pop_lane(LANE_FAST);
	if (other < 0)
		return NULL;
	first = pop_lane(other);
	if (other >= LANE_BATCH)
	{
		DbJob	   *last = first;

		for (int n = 1; n < DB_BATCH_MAX && lanes[other].head &&
			 strcmp(lanes[other].head->route->batch_sql, first->route->batch_sql) == 0; n++)
			last = last->next = pop_lane(other);
	}
	if (other >= LANE_PASSWORD)
		lanes[other].running++;
	return first;
}

static void
answer_busy(DbJob *job)
{
	reply_error(&job->reply, 503, "busy", "the server is busy, try again shortly");
	job->reply.retry_after = 1;
	job->done(job);
}

/* Whether the job waited past the deadline when a database thread took it (then answered). */
static bool
answered_late(DbJob *job)
{
	clock_gettime(CLOCK_MONOTONIC, &job->started);
	/* The deadline thread may not have looked yet: the deadline holds here too. */
	if (ms_between(&job->queued, &job->started) <= config.db_queue_timeout_ms)
		return false;
	answer_busy(job);
	return true;
}

/* Runs a batch of jobs (linked by `next`) as one call, or one job alone, and answers each. */
static void
run_batch(DbJob *first)
{
	DbJob	   *jobs[DB_BATCH_MAX];
	const char *const *values[DB_BATCH_MAX];
	Reply	   *replies[DB_BATCH_MAX];
	int			count = 0;

	for (DbJob *job = first, *next; job; job = next)
	{
		next = job->next;
		job->next = NULL;
		if (answered_late(job))
			continue;
		jobs[count] = job;
		values[count] = (const char *const *) job->values;
		replies[count++] = &job->reply;
	}
	if (count == 1)
		db_call(jobs[0]->route, values[0], jobs[0]->nvalues, replies[0]);
	else if (count > 1)
		db_call_batch(jobs[0]->route, count, values, jobs[0]->nvalues, replies);
	for (int i = 0; i < count; i++)
		jobs[i]->done(jobs[i]);
}

static void *
db_thread_main(void *arg)
{
	(void) arg;
	for (;;)
	{
		DbJob	   *job;
		int			lane;

		pthread_mutex_lock(&lock);
		while (!(job = pop()) && !stopping)
			pthread_cond_wait(&work_ready, &lock);
		pthread_mutex_unlock(&lock);
		if (!job)
			break;				/* stopping, nothing left */
		lane = job->lane;
		if (lane >= LANE_BATCH)
			run_batch(job);
		else if (!answered_late(job))
		{
			db_call(job->route, (const char *const *) job->values, job->nvalues, &job->reply);
			job->done(job);
		}
		if (lane >= LANE_PASSWORD)
		{
			pthread_mutex_lock(&lock);
			lanes[lane].running--;
			pthread_cond_signal(&work_ready);
			pthread_mutex_unlock(&lock);
		}
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
		int			lane = oldest_lane(0, false);
		DbJob	   *head = lane < 0 ? NULL : lanes[lane].head;

		if (!head)
		{
			pthread_cond_wait(&head_changed, &lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ms_between(&head->queued, &now) > config.db_queue_timeout_ms)
		{
			/* Each lane is FIFO: the oldest of their heads is the first to expire. */
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
	job->lane = route_is_public_read(job->route) ? LANE_FAST :
		job->route->batch_sql ? LANE_BATCH + (int) (job->route->batch_key(values) % BATCH_LANES) :
		route_hashes_password(job->route) ? LANE_PASSWORD : LANE_OTHER;
	clock_gettime(CLOCK_MONOTONIC, &job->queued);
	pthread_mutex_lock(&lock);
	accepted = !stopping && queued < config.db_queue_limit;
	if (accepted)
	{
		Lane	   *lane = &lanes[job->lane];

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
		for (int lane = 0; lane < LANE_COUNT && !(job = pop_lane(lane)); lane++)
			;
		pthread_cond_broadcast(&work_ready);
		pthread_mutex_unlock(&lock);
		if (!job)
			return;
		reply_shutting_down(&job->reply);
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
