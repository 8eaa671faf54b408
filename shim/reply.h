/*
 * reply.h -- what a request's processing produces before it becomes an MHD response.
 */
#ifndef TM_REPLY_H
#define TM_REPLY_H

#include <stddef.h>

typedef struct Reply
{
	unsigned int status;
	/*
	 * The body: JSON text, malloc'd, or (pg_result set) the value inside libpq's result,
	 * which is kept instead of copied and freed with it.
	 */
	char	   *body;
	size_t		body_len;		/* 0: strlen(body) */
	void	   *pg_result;		/* a PGresult that owns body, or NULL */
	unsigned int retry_after;	/* seconds for Retry-After; 0: none (503 has its own default) */
	char		etag[32];		/* ETag header value; "" for none */
	const char *content_type;	/* NULL: JSON */
} Reply;

/* An error reply in the common body shape (errors.h). */
void		reply_error(Reply *reply, unsigned int status, const char *code, const char *message);

/* The 503 of a request that the web process, stopping, will not serve: Retry-After 1 s. */
void		reply_shutting_down(Reply *reply);

/* Replaces the body with malloc'd `body` (freeing the old one). */
void		reply_set_body(Reply *reply, char *body);

/* Frees the body (and its PGresult); the reply is empty afterwards. */
void		reply_clear(Reply *reply);

#endif
