/*
 * answer.h -- the outcome of a database call, ready to serve: shared by every request that
 * waited for that call and, for a public read, kept by the cache (calls.c). Reference-counted;
 * immutable once made. A public read's MHD response is built once with all its headers and
 * queued as it is for every request that needs no per-request header.
 */
#ifndef TM_ANSWER_H
#define TM_ANSWER_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "reply.h"
#include "routes.h"

typedef struct Answer
{
	atomic_uint refs;
	Reply		reply;			/* status, body (maybe inside libpq's result), etag, ... */
	bool		public_read;	/* the same for everyone: Cache-Control no-cache, not no-store */
	bool		revalidates;	/* its ETag names this body: If-None-Match can be answered 304 */
	struct timespec born;		/* when the call that made it was queued (CLOCK_MONOTONIC) */
	struct MHD_Response *shared;	/* public reads: the whole response, headers included */
	struct MHD_Response *shared_not_modified;	/* ... and its 304 */

	/*
	 * A public read of GZIP_MIN_BYTES or more whose ETag is a digest of its body: the body
	 * also compressed, once, for the clients that accept gzip (accept_encoding.h). That
	 * representation has an ETag of its own, as RFC 9110 8.8.1 asks of a strong one.
	 */
	char	   *gzip_body;		/* owned by shared_gzip */
	size_t		gzip_len;
	char		gzip_etag[40];
	struct MHD_Response *shared_gzip;
	struct MHD_Response *shared_gzip_not_modified;
} Answer;

/*
 * Makes an answer of `reply` (taken over: the reply is empty afterwards) for `route`: the
 * ETag (a route's version, or a digest of a public read's body), a JSON string as text.
 */
Answer	   *answer_new(const Route *route, Reply *reply, const struct timespec *born);

/* The shutdown's 503 (reply_shutting_down) as an answer, for the requests waiting for one. */
Answer	   *answer_shutting_down(void);

Answer	   *answer_ref(Answer *answer);
void		answer_unref(Answer *answer);

/* Is the answer served gzip-compressed to a request with this Accept-Encoding? */
bool		answer_in_gzip(const Answer *answer, const char *accept_encoding);

/* Does If-None-Match name the representation served (gzip: answer_in_gzip)? */
bool		answer_not_modified(const Answer *answer, bool gzip, const char *if_none_match);

/* A public read's response built once (answer_new), for queueing as it is. */
struct MHD_Response *answer_shared(const Answer *answer, bool gzip, bool not_modified);

/*
 * A new MHD response of the answer (the body is not copied: the response holds a reference),
 * with its content headers and the security headers, but no CORS header.
 */
struct MHD_Response *answer_response(Answer *answer, bool gzip, bool not_modified);

/* The headers every response carries (docs/security.md). */
void		answer_add_security_headers(struct MHD_Response *response);

/*
 * The headers a reply's status calls for: Cache-Control (a public read's 200 may be kept if
 * revalidated; anything else can carry tokens, balances or orders), WWW-Authenticate,
 * Retry-After, ETag, and the security headers.
 */
void		answer_add_reply_headers(struct MHD_Response *response, const Reply *reply, bool public_read);

#endif
