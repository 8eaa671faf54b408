/*
 * reply.c -- see reply.h.
 */
#include "reply.h"

#include <stddef.h>

#include "errors.h"

void
reply_error(Reply *reply, unsigned int status, const char *code, const char *message)
{
	*reply = (Reply) {.status = status, .body = error_body(message, code, NULL, NULL)};
}
