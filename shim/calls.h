/*
 * calls.h -- requests waiting for database calls, and the public reads kept in memory
 * (the design: calls.c).
 */
#ifndef TM_CALLS_H
#define TM_CALLS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "answer.h"
#include "routes.h"

struct Flight;

/* A request's place in a call; part of the request, zeroed at its start. */
typedef struct Waiter
{
	struct Waiter *next;		/* among its flight's waiters */
	struct Flight *flight;		/* while waiting */
	struct MHD_Connection *connection;
	Answer	   *answer;			/* set when the call is over (or was answered from memory) */
} Waiter;

typedef enum CallStart
{
	CALL_ANSWERED,				/* waiter->answer is set: answer now */
	CALL_WAITING,				/* the connection is suspended; MHD calls again with the answer */
	CALL_BUSY,					/* the database queue is full: answer 503 busy */
} CallStart;

/* The route's call with `values`, for the request of `waiter` (its connection set). */
CallStart	calls_start(const Route *route, const char *const *values, int nvalues, Waiter *waiter);

/* The request is over, however it ended: leaves its flight, drops its answer. */
void		calls_forget(Waiter *waiter);

/*
 * From the notification listener (cache_listener.c): something public changed, drop every
 * stored answer and let no call that started before now store its answer.
 */
void		calls_invalidate(void);

/*
 * From the notification listener: a web process announced a sale (or a cancellation, a closed
 * account): stored answers are refreshed by the next request that finds them (calls.c).
 */
void		calls_sale_announced(void);

/*
 * From the notification listener: `listening` true once it LISTENs again (everything is
 * dropped first), false when its connection is lost (then nothing is served from memory).
 */
void		calls_set_listening(bool listening);

/* Shutdown: every waiting request is answered 503 now (its call may still finish). */
void		calls_release_waiters(void);

/* At exit, once no request and no database thread is left: frees the stored answers. */
void		calls_free_all(void);

#endif
