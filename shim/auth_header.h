/*
 * auth_header.h -- the login token out of an Authorization header.
 */
#ifndef TM_AUTH_HEADER_H
#define TM_AUTH_HEADER_H

/*
 * "Bearer <token>", or "Basic base64(<token>:<anything>)" as the original app's clients
 * send it. Returns a malloc'd token; "" when there is none, never NULL, because a SQL NULL
 * token would mean the admin console.
 */
char	   *token_from_authorization(const char *header);

#endif
