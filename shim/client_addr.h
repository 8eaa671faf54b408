/*
 * client_addr.h -- the address of the client a request comes from, as the extension's
 * throttling sees it (route argument ARG_CLIENT_ADDR).
 */
#ifndef TM_CLIENT_ADDR_H
#define TM_CLIENT_ADDR_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

enum { CLIENT_ADDR_SIZE = 64 };	/* INET6_ADDRSTRLEN (46) and some */

/*
 * The last address of an X-Forwarded-For value (the one the proxy in front of us appended),
 * in canonical form; false when it is not an IPv4 or IPv6 address.
 */
bool		client_addr_last_forwarded(const char *forwarded_for, char out[CLIENT_ADDR_SIZE]);

/*
 * The request's client: the TCP peer, or with `trust_proxy` the last X-Forwarded-For address
 * (of the last such header) when there is a valid one. Always fills `out` (possibly "").
 */
void		client_addr_of_request(struct MHD_Connection *connection, bool trust_proxy,
								   char out[CLIENT_ADDR_SIZE]);

#endif
