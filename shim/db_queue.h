/*
 * db_queue.h -- the bounded queue of database work and the pool of threads that run it
 * (the design: db_queue.c).
 */
#ifndef TM_DB_QUEUE_H
#define TM_DB_QUEUE_H

#include <stdbool.h>
#include <time.h>

#include "reply.h"
#include "routes.h"

/*
 * One API call waiting for, or running on, a database connection. The submitter fills
 * route, values and done; the queue fills reply and calls done exactly once, from a database
 * thread or from the deadline thread, with no lock of the queue held.
 */
typedef struct DbJob
{
	struct DbJob *next;			/* in the queue */
	const Route *route;
	char	   *values[ROUTE_MAX_ARGS];	/* owned copies; NULL entries are SQL NULL */
	int			nvalues;
	int			lane;			/* the queue's lane for it (db_queue.c) */
	struct timespec queued;		/* CLOCK_MONOTONIC */
	struct timespec started;	/* when a database thread took it (the query's start) */
	Reply		reply;
	void		(*done) (struct DbJob *job);
} DbJob;

/* Starts config.web_concurrency database threads and the deadline thread; false if not. */
bool		dbq_start(void);

/*
 * Copies `values` into the job and queues it. False when the queue is full (or stopping):
 * nothing was queued and done will not be called; answer 503 busy.
 */
bool		dbq_submit(DbJob *job, const char *const *values, int nvalues);

/* Shutdown, step 1: every job still queued is answered 503 now (its done is called). */
void		dbq_fail_queued(void);

/*
 * Shutdown, step 2: the database threads finish the job they run and exit; waits for them
 * up to `grace_ms` (a call stuck on a lock is not waited for beyond it).
 */
void		dbq_stop(int grace_ms);

/* Frees a job's copies of its values and its reply's body. */
void		dbq_job_clear(DbJob *job);

#endif
