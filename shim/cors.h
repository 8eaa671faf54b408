/*
 * cors.h -- cross-origin access, for a web page served from another origin (CORS_ORIGINS).
 */
#ifndef TM_CORS_H
#define TM_CORS_H

#include <microhttpd.h>
#include <stdbool.h>

/* Adds Access-Control-Allow-Origin (and Vary) when the request's Origin is allowed. */
bool		cors_add_headers(struct MHD_Connection *connection, struct MHD_Response *response);

/* Adds the preflight headers (but not the origin: cors_add_headers does that) for `allow`. */
void		cors_add_preflight_headers(struct MHD_Connection *connection,
									   struct MHD_Response *response, const char *allow);

#endif
