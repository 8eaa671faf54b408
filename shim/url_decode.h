/*
 * url_decode.h -- percent-decoding that never produces a NUL byte.
 */
#ifndef TM_URL_DECODE_H
#define TM_URL_DECODE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Decodes %XX in place (and '+' as a space when `plus_is_space`); returns the new length.
 * "%00" and malformed escapes stay as they are: a decoded NUL would cut the C string short
 * and make "/static/x.html%00.png" look like "/static/x.html".
 */
size_t		url_decode(char *s, bool plus_is_space);

#endif
