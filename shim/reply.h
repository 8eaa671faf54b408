/*
 * reply.h -- what a request's processing produces before it becomes an MHD response.
 */
#ifndef TM_REPLY_H
#define TM_REPLY_H

typedef struct Reply
{
	unsigned int status;
	char	   *body;			/* malloc'd JSON text */
	unsigned int retry_after;	/* seconds for Retry-After; 0: none (503 has its own default) */
	char		etag[32];		/* ETag header value; "" for none */
	const char *content_type;	/* NULL: JSON */
} Reply;

/* An error reply in the common body shape (errors.h). */
void		reply_error(Reply *reply, unsigned int status, const char *code, const char *message);

#endif
