/*
 * log_escape.h -- a client-supplied field made safe for the one-line log (issue 10, item 15).
 */
#ifndef TM_LOG_ESCAPE_H
#define TM_LOG_ESCAPE_H

#include <stddef.h>

/*
 * Copies `in` to `out` (`size` bytes, always NUL-terminated) with every byte that could forge
 * or garble a log line written as \xHH: control characters, space, DEL, bytes >= 0x80, the
 * backslash itself and the double quote. What is left is printable ASCII without separators,
 * so one log field stays one field. A cut-off escape is never left half-written.
 */
void		log_escape(const char *in, char *out, size_t size);

/* The same for free text (a database message): spaces and quotes stay as they are. */
void		log_escape_text(const char *in, char *out, size_t size);

#endif
