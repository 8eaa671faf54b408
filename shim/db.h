/*
 * db.h -- one libpq connection per database thread (db_queue.c), and the runner of one API call.
 */
#ifndef TM_DB_H
#define TM_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "reply.h"
#include "routes.h"

/* Once, before the server threads start. */
void		db_init(void);

/*
 * At startup: connect once to check the role. False (and a message) when the process must
 * not serve: a superuser role in production. An unreachable database is not fatal.
 */
bool		db_startup_check(void);

/*
 * A new connection to DATABASE_URL for the cache's notifications (cache_listener.c), named
 * ticketmonster-web-listener unless the URL names it; check PQstatus.
 */
PGconn	   *db_connect_listener(void);

/*
 * Runs the route's statement with `values` (NULL entries are SQL NULL) as one transaction on
 * this database thread's connection, reconnecting and retrying where that is safe, and turns the
 * outcome into a reply.
 */
void		db_call(const Route *route, const char *const *values, int nvalues, Reply *reply);

/* At most this many calls in one db_call_batch (the extension's own limit is higher). */
enum { DB_BATCH_MAX = 32 };

/*
 * Runs `count` calls of a route with a batch_sql (routes.h) as one call of it, in one
 * transaction: values[i] are call i's `nvalues` arguments, replies[i] gets its answer, each
 * exactly what db_call would answer for it alone. A call whose own failure was a deadlock or
 * a serialization failure, and every call of a batch that failed as a whole, runs again
 * alone through db_call.
 */
void		db_call_batch(const Route *route, int count, const char *const *const *values, int nvalues,
						  Reply *const *replies);

#endif
