/*
 * request_fields.h -- a request's input as the one JSON object the tm_* functions take.
 */
#ifndef TM_REQUEST_FIELDS_H
#define TM_REQUEST_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "reply.h"

/*
 * Merges the body (JSON object, or form-encoded for the original app's clients) over the
 * query-string fields (`query`, an object of strings, consumed). On success returns the
 * compact JSON text (malloc'd); on bad input returns NULL with a 400 in `reply`.
 */
char	   *request_fields_json(const char *content_type, const char *body, size_t body_len,
								json_t *query, Reply *reply);

/*
 * Adds one query-string field (a NULL value is "") to `query`, the object that
 * request_fields_json takes; false, leaving `query` as it was, if the key or value is not
 * UTF-8 text.
 */
bool		request_fields_add_query(json_t *query, const char *key, const char *value);

#endif
