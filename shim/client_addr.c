/*
 * client_addr.c -- the client address that the extension throttles sign-ups and logins by.
 *
 * Behind Heroku's router (TRUST_PROXY=true) every TCP peer is the router, and the router
 * appends the address it saw to X-Forwarded-For: only that last entry is trustworthy, since a
 * client can send any X-Forwarded-For of its own, which the router keeps in front. Without
 * TRUST_PROXY the header is ignored altogether, or anyone could pick their address.
 */
#include "client_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Canonical text of an IPv4 or IPv6 address given as text; false if it is neither. */
static bool
canonical(const char *text, char out[CLIENT_ADDR_SIZE])
{
	struct in_addr v4;
	struct in6_addr v6;

	if (inet_pton(AF_INET, text, &v4) == 1)
		return inet_ntop(AF_INET, &v4, out, CLIENT_ADDR_SIZE) != NULL;
	if (inet_pton(AF_INET6, text, &v6) == 1)
	{
		/* an IPv4 client seen through an IPv6 socket is that IPv4 client */
		if (IN6_IS_ADDR_V4MAPPED(&v6))
			return inet_ntop(AF_INET, &v6.s6_addr[12], out, CLIENT_ADDR_SIZE) != NULL;
		return inet_ntop(AF_INET6, &v6, out, CLIENT_ADDR_SIZE) != NULL;
	}
	return false;
}

bool
client_addr_last_forwarded(const char *forwarded_for, char out[CLIENT_ADDR_SIZE])
{
	const char *start;
	const char *end;
	char		entry[CLIENT_ADDR_SIZE];
	size_t		len;

	if (!forwarded_for)
		return false;
	start = strrchr(forwarded_for, ',');
	start = start ? start + 1 : forwarded_for;
	end = start + strlen(start);
	while (*start == ' ' || *start == '\t')
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t) (end - start);
	if (len == 0 || len >= sizeof(entry))
		return false;
	memcpy(entry, start, len);
	entry[len] = '\0';
	return canonical(entry, out);
}

static void
peer_address(const struct sockaddr *sa, char out[CLIENT_ADDR_SIZE])
{
	char		text[CLIENT_ADDR_SIZE] = "";

	out[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, text, sizeof(text));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, text, sizeof(text));
	if (!*text || !canonical(text, out))
		out[0] = '\0';
}

/* Keeps the value of the last X-Forwarded-For header. */
static enum MHD_Result
last_forwarded_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	const char **last = cls;

	(void) kind;
	if (key && strcasecmp(key, "X-Forwarded-For") == 0)
		*last = value;
	return MHD_YES;
}

void
client_addr_of_request(struct MHD_Connection *connection, bool trust_proxy,
					   char out[CLIENT_ADDR_SIZE])
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	if (trust_proxy)
	{
		const char *forwarded = NULL;

		MHD_get_connection_values(connection, MHD_HEADER_KIND, last_forwarded_header, &forwarded);
		if (client_addr_last_forwarded(forwarded, out))
			return;
	}
	peer_address(info ? info->client_addr : NULL, out);
}
