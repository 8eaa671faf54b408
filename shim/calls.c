/*
 * calls.c -- requests waiting for database calls, and public reads served from memory.
 *
 * A Flight is one database call (a DbJob, db_queue.c) and the requests waiting for it, their
 * connections suspended. When the call is over, its reply becomes one Answer (answer.h),
 * shared by every waiter, and each waiter's connection is resumed.
 *
 * Public reads (routes.h: the same answer for everyone) are keyed by route and arguments:
 * - stored: a 200 answer is kept and served from memory, without a database call, while it
 *   is younger than CACHE_MAX_AGE_MS counted from the moment its call was QUEUED (before the
 *   query's snapshot), so no stored answer is ever older than that, notification or not;
 *   time-dependent fields (an event's `past`) are covered by the same bound;
 * - single flight: concurrent misses on one key join the flight under way, if it started
 *   after the last invalidation and within the same age bound, so one database call answers
 *   them all;
 * - invalidation: the extension's triggers NOTIFY when public data change, at commit
 *   (cache_listener.c); each notification drops every stored answer and bumps `generation`.
 *   A flight remembers the generation it started in and stores its answer only if it is
 *   still current: a call that began before a change and ended after its notification may
 *   hold the old data, so it is served to its waiters (who asked before the change was
 *   known) and never stored;
 * - sales: they change ticket counts without a notification (one at every commit would make
 *   purchases commit one at a time, docs/caching.md). Instead the web process that sold
 *   announces it once its call is over (cache_listener.c); each announcement bumps
 *   `announced`, and a stored answer whose call was queued before the last one is refreshed
 *   by the next request that finds it, at most every SALE_REFRESH_MIN_MS, while it is still
 *   served from memory. A sale nobody announced (made in psql) shows within the age bound;
 * - failure: while the listener is not LISTENing (`listening` false: its connection lost,
 *   the database restarting), nothing is stored, served from memory, or joined: every
 *   request goes to the database. It becomes true only after the listener LISTENs again and
 *   everything was dropped (calls_set_listening), so a change missed in between is not served.
 *
 * One mutex guards flights, waiters, the table and both counters. A connection is suspended
 * under it and resumed only under it, so a call can never resume a connection before it was
 * suspended. Requests that are not public reads use flights too, alone and unkeyed.
 */
#include "calls.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_listener.h"
#include "config.h"
#include "db_queue.h"
#include "decimal.h"

enum { BUCKETS = 1024, MAX_STORED = 8192, SALE_REFRESH_MIN_MS = 20 };

typedef struct Slot
{
	struct Slot *next;
	uint64_t	hash;
	char	   *key;
	Answer	   *answer;			/* stored, or NULL */
	uint64_t	answer_announced;	/* `announced` when its call was queued */
	struct Flight *flight;		/* the call under way others may join, or NULL */
} Slot;

typedef struct Flight
{
	DbJob		job;			/* first: the job's done callback finds its flight */
	struct Flight *prev;		/* among all flights (the shutdown answers their waiters) */
	struct Flight *next;
	const Route *route;
	Slot	   *slot;			/* a public read's slot while it is the one to join; else NULL */
	uint64_t	generation;		/* when it was queued */
	uint64_t	announced;		/* when it was queued */
	bool		storable;		/* a public read queued while listening */
	struct timespec born;
	Waiter	   *waiters;
} Flight;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Slot *table[BUCKETS];
static unsigned int slot_count;
static unsigned int stored_count;
static uint64_t generation;
static uint64_t announced;
static bool listening;
static Flight *flights;

static double
age_ms(const struct timespec *born)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double) (now.tv_sec - born->tv_sec) * 1e3 + (double) (now.tv_nsec - born->tv_nsec) / 1e6;
}

/* Route index and arguments, separated by a byte no argument holds (they are decoded text). */
static char *
make_key(const Route *route, const char *const *values, int nvalues, uint64_t *hash)
{
	size_t		len = 24;
	char	   *key;
	char	   *p;

	for (int i = 0; i < nvalues; i++)
		len += (values[i] ? strlen(values[i]) : 0) + 2;
	key = malloc(len);
	if (!key)
		return NULL;
	p = put_decimal(key, route_index(route));
	for (int i = 0; i < nvalues; i++)
	{
		/* \x1f before a value, \x1e for NULL: "" and NULL are different keys */
		*p++ = values[i] ? '\x1f' : '\x1e';
		if (values[i])
			p = stpcpy(p, values[i]);
	}
	*p = '\0';
	*hash = 0xcbf29ce484222325ULL;
	for (const char *c = key; *c; c++)
		*hash = (*hash ^ (unsigned char) *c) * 0x100000001b3ULL;
	return key;
}

/* With the lock held. */
static Slot *
find_slot(const char *key, uint64_t hash, Slot ***link_out)
{
	Slot	  **link = &table[hash % BUCKETS];

	for (; *link; link = &(*link)->next)
		if ((*link)->hash == hash && strcmp((*link)->key, key) == 0)
			break;
	if (link_out)
		*link_out = link;
	return *link;
}

/* With the lock held: removes a slot that holds nothing. */
static void
drop_slot_if_empty(Slot *slot)
{
	Slot	  **link;

	if (slot->answer || slot->flight)
		return;
	find_slot(slot->key, slot->hash, &link);
	*link = slot->next;
	free(slot->key);
	free(slot);
	slot_count--;
}

/* With the lock held. */
static void
drop_stored(Slot *slot)
{
	if (!slot->answer)
		return;
	answer_unref(slot->answer);
	slot->answer = NULL;
	stored_count--;
}

static void
flight_unlink(Flight *flight)
{
	if (flight->prev)
		flight->prev->next = flight->next;
	else
		flights = flight->next;
	if (flight->next)
		flight->next->prev = flight->prev;
}

/* With the lock held: hands `answer` to every waiter and resumes them. */
static void
resume_waiters(Flight *flight, Answer *answer)
{
	Waiter	   *waiter = flight->waiters;

	flight->waiters = NULL;
	while (waiter)
	{
		Waiter	   *next = waiter->next;

		waiter->next = NULL;
		waiter->flight = NULL;
		waiter->answer = answer_ref(answer);
		MHD_resume_connection(waiter->connection);
		waiter = next;
	}
}

static void invalidate_locked(void);

/* DbJob.done: from a database thread, or the deadline thread. */
static void
flight_done(DbJob *job)
{
	Flight	   *flight = (Flight *) job;
	Answer	   *answer = answer_new(flight->route, &job->reply, &flight->born);

	dbq_job_clear(job);
	pthread_mutex_lock(&lock);
	flight_unlink(flight);
	/*
	 * Read your writes on this process: a change it made is never answered from its memory
	 * afterwards (other processes learn it from the notification, or a sale within their age
	 * bound).
	 */
	if (route_changes_public(flight->route) && answer->reply.status < 300)
		invalidate_locked();
	if (flight->slot)
	{
		Slot	   *slot = flight->slot;

		slot->flight = NULL;
		if (flight->storable && listening && flight->generation == generation &&
			answer->reply.status == 200 && answer->shared &&
			age_ms(&flight->born) < config.cache_max_age_ms &&
			(slot->answer || stored_count < MAX_STORED))
		{
			drop_stored(slot);
			slot->answer = answer_ref(answer);
			slot->answer_announced = flight->announced;
			stored_count++;
		}
		drop_slot_if_empty(slot);
	}
	resume_waiters(flight, answer);
	pthread_mutex_unlock(&lock);
	if (route_changes_counts(flight->route) && answer->reply.status < 300)
		cache_listener_announce_sale();
	answer_unref(answer);
	free(flight);
}

/*
 * With the lock held: a new flight for `waiter`, queued, its connection suspended; with no
 * waiter, a refresh of the slot's answer that nobody waits for.
 */
static CallStart
fly(const Route *route, const char *const *values, int nvalues, Waiter *waiter, Slot *slot)
{
	Flight	   *flight = calloc(1, sizeof(Flight));

	if (!flight)
		return CALL_BUSY;
	flight->route = route;
	flight->job.route = route;
	flight->job.done = flight_done;
	flight->generation = generation;
	flight->announced = announced;
	flight->storable = slot != NULL;
	clock_gettime(CLOCK_MONOTONIC, &flight->born);
	if (!dbq_submit(&flight->job, values, nvalues))
	{
		free(flight);
		return CALL_BUSY;
	}
	if (slot)
	{
		/* A flight too old to join stays the concern of its own waiters only. */
		if (slot->flight)
			slot->flight->slot = NULL;
		slot->flight = flight;
		flight->slot = slot;
	}
	flight->next = flights;
	if (flights)
		flights->prev = flight;
	flights = flight;
	if (!waiter)
		return CALL_ANSWERED;
	waiter->next = NULL;
	waiter->flight = flight;
	flight->waiters = waiter;
	MHD_suspend_connection(waiter->connection);
	return CALL_WAITING;
}

CallStart
calls_start(const Route *route, const char *const *values, int nvalues, Waiter *waiter)
{
	CallStart	start;
	Slot	   *slot = NULL;
	char	   *key = NULL;
	uint64_t	hash = 0;

	if (route_is_public_read(route) && config.cache_max_age_ms > 0)
		key = make_key(route, values, nvalues, &hash);
	pthread_mutex_lock(&lock);
	if (key && listening)
	{
		double		age;

		slot = find_slot(key, hash, NULL);
		age = slot && slot->answer ? age_ms(&slot->answer->born) : 0;
		if (slot && slot->answer && age < config.cache_max_age_ms)
		{
			/*
			 * Refresh ahead: past half its life, or after a sale was announced, the first
			 * request that finds it starts a new call and is answered from memory, like the
			 * others, until that call's answer replaces this one. So a key read all the time
			 * never makes anyone wait.
			 */
			bool		due = age > config.cache_max_age_ms / 2.0 ||
				(slot->answer_announced != announced && age >= SALE_REFRESH_MIN_MS);

			if (due && !(slot->flight && slot->flight->generation == generation))
				fly(route, values, nvalues, NULL, slot);
			waiter->answer = answer_ref(slot->answer);
			pthread_mutex_unlock(&lock);
			free(key);
			return CALL_ANSWERED;
		}
		if (slot && slot->flight && slot->flight->generation == generation &&
			age_ms(&slot->flight->born) < config.cache_max_age_ms)
		{
			/* Single flight: this request waits for the call under way. */
			waiter->flight = slot->flight;
			waiter->next = slot->flight->waiters;
			slot->flight->waiters = waiter;
			MHD_suspend_connection(waiter->connection);
			pthread_mutex_unlock(&lock);
			free(key);
			return CALL_WAITING;
		}
		if (slot)
			drop_stored(slot);	/* too old */
		else if ((slot = calloc(1, sizeof(Slot))) != NULL)
		{
			slot->key = key;
			slot->hash = hash;
			key = NULL;
			slot->next = table[hash % BUCKETS];
			table[hash % BUCKETS] = slot;
			slot_count++;
		}
	}
	start = fly(route, values, nvalues, waiter, slot);
	if (slot)
		drop_slot_if_empty(slot);
	pthread_mutex_unlock(&lock);
	free(key);
	return start;
}

void
calls_forget(Waiter *waiter)
{
	if (waiter->flight)
	{
		pthread_mutex_lock(&lock);
		if (waiter->flight)
		{
			Waiter	  **link = &waiter->flight->waiters;

			while (*link && *link != waiter)
				link = &(*link)->next;
			if (*link)
				*link = waiter->next;
			waiter->flight = NULL;
		}
		pthread_mutex_unlock(&lock);
	}
	answer_unref(waiter->answer);
	waiter->answer = NULL;
}

/* With the lock held: drops every stored answer, and no earlier flight may store or be joined. */
static void
invalidate_locked(void)
{
	generation++;
	if (!stored_count)
		return;
	for (int i = 0; i < BUCKETS; i++)
	{
		Slot	   *slot = table[i];

		while (slot)
		{
			Slot	   *next = slot->next;

			drop_stored(slot);
			drop_slot_if_empty(slot);
			slot = next;
		}
	}
}

void
calls_invalidate(void)
{
	pthread_mutex_lock(&lock);
	invalidate_locked();
	pthread_mutex_unlock(&lock);
}

void
calls_sale_announced(void)
{
	pthread_mutex_lock(&lock);
	announced++;
	pthread_mutex_unlock(&lock);
}

void
calls_set_listening(bool now_listening)
{
	pthread_mutex_lock(&lock);
	invalidate_locked();
	listening = now_listening;
	pthread_mutex_unlock(&lock);
}

void
calls_release_waiters(void)
{
	Answer	   *answer = answer_shutting_down();

	pthread_mutex_lock(&lock);
	for (Flight *flight = flights; flight; flight = flight->next)
		resume_waiters(flight, answer);
	pthread_mutex_unlock(&lock);
	answer_unref(answer);
}

void
calls_free_all(void)
{
	pthread_mutex_lock(&lock);
	listening = false;
	invalidate_locked();
	pthread_mutex_unlock(&lock);
}
