/*
 * peer_address.c -- see peer_address.h.
 */
#include "peer_address.h"

#include <netinet/in.h>
#include <sys/socket.h>

void
peer_address(struct MHD_Connection *connection, char out[PEER_ADDRESS_MAX])
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, out, PEER_ADDRESS_MAX);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, out, PEER_ADDRESS_MAX);
}
