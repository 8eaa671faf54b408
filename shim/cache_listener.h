/*
 * cache_listener.h -- the connection between this web process's memory and the others': it
 * LISTENs for the extension's notifications of changed public data (which drop the public
 * reads kept in memory, calls.c) and for the other web processes' announced sales, and it
 * announces this process's own sales.
 */
#ifndef TM_CACHE_LISTENER_H
#define TM_CACHE_LISTENER_H

#include <stdbool.h>

/* The channel of the extension's triggers (sql/ticketmonster.sql, tm_public_changed). */
#define CACHE_CHANNEL "ticketmonster_public"

/* The channel on which web processes announce the sales they made (docs/caching.md). */
#define SALES_CHANNEL "ticketmonster_sales"

/* Starts the listener thread (nothing when CACHE_MAX_AGE_MS is 0); false if it cannot. */
bool		cache_listener_start(void);

/*
 * A sale (or a cancellation, a closed account) of this process committed: the listener
 * announces it soon, at most one announcement per SALE_ANNOUNCE_INTERVAL_MS. Never blocks.
 */
void		cache_listener_announce_sale(void);

/* Stops it and closes its connection. */
void		cache_listener_stop(void);

#endif
