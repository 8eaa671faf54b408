/*
 * cors.c -- see cors.h. Preflights are cached by browsers for a day, so an API call from
 * another origin costs one extra round trip per day, not per request.
 */
#include "cors.h"

#include <string.h>

#include "config.h"

/* Is `origin` in the comma-separated CORS_ORIGINS (spaces around entries ignored)? */
static bool
origin_listed(const char *origin)
{
	size_t		origin_len = strlen(origin);

	for (const char *p = config.cors_origins; *p;)
	{
		const char *end;
		const char *last;

		while (*p == ' ' || *p == ',')
			p++;
		end = strchrnul(p, ',');
		last = end;
		while (last > p && last[-1] == ' ')
			last--;
		if ((size_t) (last - p) == origin_len && origin_len > 0 && strncmp(p, origin, origin_len) == 0)
			return true;
		p = end;
	}
	return false;
}

/* What Access-Control-Allow-Origin says for this request, or NULL for no CORS. */
static const char *
allowed_origin(struct MHD_Connection *connection)
{
	const char *origin = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin");

	if (!config.cors_origins || !origin)
		return NULL;
	if (strcmp(config.cors_origins, "*") == 0)
		return "*";
	return origin_listed(origin) ? origin : NULL;
}

bool
cors_add_headers(struct MHD_Connection *connection, struct MHD_Response *response)
{
	const char *allowed = allowed_origin(connection);

	/* The answer depends on Origin unless every origin is allowed: caches must know. */
	if (config.cors_origins && strcmp(config.cors_origins, "*") != 0)
		MHD_add_response_header(response, "Vary", "Origin");
	if (!allowed)
		return false;
	MHD_add_response_header(response, "Access-Control-Allow-Origin", allowed);
	/* A client of another origin edits an event with the ETag it read (If-Match). */
	MHD_add_response_header(response, "Access-Control-Expose-Headers", "ETag");
	return true;
}

void
cors_add_preflight_headers(struct MHD_Connection *connection, struct MHD_Response *response,
						   const char *allow)
{
	if (!allowed_origin(connection))
		return;
	MHD_add_response_header(response, "Access-Control-Allow-Methods", allow);
	MHD_add_response_header(response, "Access-Control-Allow-Headers",
							"Authorization, Content-Type, Idempotency-Key, If-Match");
	MHD_add_response_header(response, "Access-Control-Max-Age", "86400");
}
