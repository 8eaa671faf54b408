/*
 * routes.h -- the API as data: which HTTP method and path calls which tm_* function with
 * which arguments. The shim knows nothing else about the API.
 */
#ifndef TM_ROUTES_H
#define TM_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

/* Where each bound parameter of a route's SQL comes from, in order ($1, $2, ...). */
typedef enum RouteArg
{
	ARG_END = 0,
	ARG_TOKEN,					/* the Authorization header's token, '' when absent */
	ARG_PATH1,					/* the first {int}/{str} segment of the path */
	ARG_PATH2,					/* the second */
	ARG_BODY,					/* the request's fields as one JSON object */
	ARG_IDEMPOTENCY_KEY,		/* the Idempotency-Key header, NULL when absent */
	ARG_CLIENT_ADDR,			/* the client's address: the TCP peer, or with TRUST_PROXY the
								 * last X-Forwarded-For address (client_addr.c) */
	ARG_IF_MATCH,				/* the If-Match header, NULL when absent */
	ARG_QUERY,					/* the query-string field named by the route's `query`, NULL when absent */
	ARG_LEGACY_CLIENTS,			/* 'true' or 'false': the LEGACY_CLIENTS setting */
} RouteArg;

enum { ROUTE_MAX_ARGS = 4, ROUTE_MAX_PARAMS = 2, ROUTE_PARAM_MAX = 256 };

typedef struct Route
{
	const char *method;
	const char *pattern;		/* segments: literal, {int} (decimal digits) or {str} */
	const char *sql;			/* NULL for the shim's own endpoints */
	RouteArg	args[ROUTE_MAX_ARGS + 1];
	unsigned int success_status;
	bool		read_only;		/* safe to run again after a lost connection */
	const char *query;			/* ARG_QUERY's field name */
	const char *etag_of;		/* ETag: "<version>" from the body's <etag_of>.version, if set */
	const char *text_type;		/* a result that is a JSON string is sent as this text type */
	/*
	 * Calls of this route that wait in the queue together run as one call of this SQL, which
	 * takes each argument as an array (one element per call) and returns one row per call:
	 * its result, or its error's fields (db_call_batch). NULL: one call at a time.
	 */
	const char *batch_sql;
	/*
	 * Which batches a call may join (values are its arguments): calls with equal keys wait in
	 * the same lane and share batches; calls in other lanes run in batches beside them.
	 */
	unsigned int (*batch_key) (const char *const *values);
} Route;

extern const Route routes[];
extern const size_t route_count;

typedef struct RouteMatch
{
	const Route *route;			/* NULL: no route for this method and path */
	char		params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
	bool		path_known;		/* some route has this path, with another method */
	char		allow[64];		/* the methods of this path, for 405 and OPTIONS */
} RouteMatch;

/* Matches a percent-decoded path; HEAD matches GET routes. */
void		route_find(const char *method, const char *path, RouteMatch *match);

/*
 * A public read (API.md, "Caching"): a read that takes no token, the same answer for everyone,
 * which may come from a standby and from the web process's memory. /readyz is not one: it
 * checks the database.
 */
bool		route_is_public_read(const Route *route);

/* Login, sign-up and password change: they hash a password, about 150 ms of CPU. */
bool		route_hashes_password(const Route *route);

/*
 * A call that can change what public reads answer (events, artists, ticket counts): when one
 * ends, this process drops its public reads at once, so that its client reads its own write
 * without waiting for the database's notification (calls.c).
 */
bool		route_changes_public(const Route *route);

/*
 * Of those, the calls that change ticket counts (sales, cancellations, closed accounts), which
 * the database does not notify (docs/caching.md): the web process announces them itself.
 */
bool		route_changes_counts(const Route *route);

/* The index of a route in `routes`, which names its prepared statement. */
size_t		route_index(const Route *route);

#endif
