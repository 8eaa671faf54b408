/*
 * peer_address.h -- the TCP peer of a connection as text, the key of the per-address limits.
 */
#ifndef TM_PEER_ADDRESS_H
#define TM_PEER_ADDRESS_H

#include <arpa/inet.h>
#include <microhttpd.h>

enum { PEER_ADDRESS_MAX = INET6_ADDRSTRLEN };

/* "127.0.0.1", "::1", ...; "" if unknown. */
void		peer_address(struct MHD_Connection *connection, char out[PEER_ADDRESS_MAX]);

#endif
