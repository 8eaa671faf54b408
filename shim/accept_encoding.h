/*
 * accept_encoding.h -- whether a client takes a gzip-compressed body (answer.h keeps one).
 */
#ifndef TM_ACCEPT_ENCODING_H
#define TM_ACCEPT_ENCODING_H

#include <stdbool.h>

/*
 * Does this Accept-Encoding header value (RFC 9110 12.5.3) accept gzip? "gzip" or "x-gzip"
 * with a non-zero weight, or else "*" with one. NULL (no header): no; identity always does.
 */
bool		accepts_gzip(const char *accept_encoding);

#endif
