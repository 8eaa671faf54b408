/*
 * address_limit.h -- at most config.password_requests_per_address password-hashing requests
 * of one client address in progress at once (issue 10, item 8).
 *
 * Hashing a password keeps a worker busy for a long time (130-215 ms), so a client sending a
 * few logins at once would otherwise hold every worker and stall every other request. A
 * request over its address's limit is suspended (MHD_suspend_connection: it holds no worker)
 * and queued; when a request of that address finishes hashing, it hands its slot to the
 * first one waiting and resumes it. Clients see no error, only their own requests in turn.
 * The queue is bounded by the per-address connection limit. The address is the client's as
 * the extension's throttling sees it: behind a proxy, with TRUST_PROXY, the forwarded one.
 */
#ifndef TM_ADDRESS_LIMIT_H
#define TM_ADDRESS_LIMIT_H

#include <microhttpd.h>
#include <stdbool.h>

#include "client_addr.h"

typedef struct LimitTicket
{
	struct LimitTicket *next;	/* in its address's queue */
	struct MHD_Connection *connection;
	char		address[CLIENT_ADDR_SIZE];	/* client_addr_of_request() */
	bool		holds;			/* a slot of its address is this request's */
	bool		waiting;		/* queued, its connection suspended */
	bool		refused;		/* the process is stopping: no turn will come */
} LimitTicket;

/*
 * Takes a slot for `ticket` (connection and address filled in). True: it holds one, go on.
 * False: it is queued and its connection suspended; return MHD_YES from the handler, which
 * MHD calls again once the ticket holds a slot. Or, once limit_release_waiters() has run,
 * false with `refused` set and nothing suspended: answer 503.
 */
bool		limit_acquire(LimitTicket *ticket);

/* Gives the ticket's slot to the next request of its address, or frees it. */
void		limit_release(LimitTicket *ticket);

/* The request is over, however it ended: leaves the queue and gives back any slot. */
void		limit_forget(LimitTicket *ticket);

/*
 * At shutdown, after the grace period: resumes every request still waiting for a slot and
 * refuses every later one (the handler answers them 503), since MHD cannot stop with
 * suspended connections.
 */
void		limit_release_waiters(void);

#endif
