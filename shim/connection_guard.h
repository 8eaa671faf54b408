/*
 * connection_guard.h -- deadlines for what a client sends (issue 10, item 1).
 *
 * MHD's own timeout only closes a connection that is silent for a whole period, so a client
 * sending one header line or one body byte every few seconds holds its connection for ever.
 * Here every connection has a deadline: its request head must be complete within
 * HEAD_TIMEOUT seconds (counted from the accept, or from the end of its previous request on a
 * kept-alive connection), then its body within BODY_TIMEOUT seconds. While the shim works on
 * the request and sends the answer there is no deadline (MHD's inactivity timeout stays).
 * A watchdog thread shuts down the socket of a connection past its deadline; MHD then sees
 * the peer gone and closes it as usual. (The per-address connection limit is MHD's own
 * MHD_OPTION_PER_IP_CONNECTION_LIMIT, set in main.c.)
 */
#ifndef TM_CONNECTION_GUARD_H
#define TM_CONNECTION_GUARD_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>

/* Starts the watchdog thread; false if it cannot. */
bool		guard_start(void);

/* Stops the watchdog; call after MHD_stop_daemon (every connection is closed by then). */
void		guard_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION: a connection's guard is made at accept and freed at close. */
void		guard_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
						 enum MHD_ConnectionNotificationCode code);

/*
 * MHD_OPTION_EXTERNAL_LOGGER: MHD's messages to stderr, except its line for every connection
 * refused over a limit, which an attack would repeat a thousand times a second: those are
 * counted and reported once a second with the connections cut.
 */
void		guard_log(void *cls, const char *format, va_list ap);

/* The request head is in: from now on the body deadline counts. */
void		guard_head_received(struct MHD_Connection *connection);

/* The body is in and the shim works on the request: no deadline until it is complete. */
void		guard_request_dispatched(struct MHD_Connection *connection);

/* The request is over: the next request head (keep-alive) has its own deadline from now. */
void		guard_request_completed(struct MHD_Connection *connection);

#endif
