/*
 * reply.c -- see reply.h.
 */
#include "reply.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "errors.h"

void
reply_error(Reply *reply, unsigned int status, const char *code, const char *message)
{
	reply_clear(reply);
	*reply = (Reply) {.status = status, .body = error_body(message, code, NULL, NULL)};
}

void
reply_shutting_down(Reply *reply)
{
	reply_error(reply, 503, "unavailable", "the server is shutting down, try again");
	reply->retry_after = 1;
}

void
reply_set_body(Reply *reply, char *body)
{
	if (reply->pg_result)
		PQclear(reply->pg_result);
	else
		free(reply->body);
	reply->pg_result = NULL;
	reply->body = body;
	reply->body_len = 0;
}

void
reply_clear(Reply *reply)
{
	reply_set_body(reply, NULL);
	*reply = (Reply) {0};
}
