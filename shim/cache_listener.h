/*
 * cache_listener.h -- the connection that LISTENs for the extension's notifications of
 * changed public data, and drops the public reads kept in memory (calls.c) when one comes.
 */
#ifndef TM_CACHE_LISTENER_H
#define TM_CACHE_LISTENER_H

#include <stdbool.h>

/* The channel of the extension's triggers (sql/ticketmonster.sql, tm_public_changed). */
#define CACHE_CHANNEL "ticketmonster_public"

/* Starts the listener thread (nothing when CACHE_MAX_AGE_MS is 0); false if it cannot. */
bool		cache_listener_start(void);

/* Stops it and closes its connection. */
void		cache_listener_stop(void);

#endif
