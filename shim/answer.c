/*
 * answer.c -- see answer.h.
 */
#include "answer.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "accept_encoding.h"

/*
 * Smaller bodies go out as they are: a few hundred bytes saved would not pay for the
 * Content-Encoding and Vary headers. JSON compresses about ten times at zlib's fastest level,
 * which costs ~3 µs per KiB, once per database answer and on a database thread.
 */
enum { GZIP_MIN_BYTES = 1024, GZIP_LEVEL = Z_BEST_SPEED };

/*
 * Sent with every response (docs/security.md). The page loads only its own scripts, styles
 * and images (plus data: images), runs no inline script or style attribute, cannot be framed,
 * and sends no Referer; nothing is ever sniffed into another type.
 */
static const char CONTENT_SECURITY_POLICY[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";

void
answer_add_security_headers(struct MHD_Response *response)
{
	MHD_add_response_header(response, "Content-Security-Policy", CONTENT_SECURITY_POLICY);
	MHD_add_response_header(response, "X-Frame-Options", "DENY");
	MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
}

static size_t
body_length(const Reply *reply)
{
	return reply->body_len ? reply->body_len : (reply->body ? strlen(reply->body) : 0);
}

/*
 * A route with `etag_of` names the object of its body whose "version" is the resource's
 * version: it becomes the strong ETag, which clients send back in If-Match.
 *
 * Returns whether that version names this very body, so that If-None-Match may be answered
 * with it. An event's version moves with every change of its body (edits, sales, its
 * artists: extension/events.c, artists.c) but one: its start turns "past" true on its own.
 * So it names the body until the event has started.
 */
static bool
set_version_etag(const Route *route, Reply *reply)
{
	json_t	   *body;
	json_t	   *object;
	json_t	   *version;
	bool		names_body = false;

	if (!route->etag_of || reply->status >= 300 || !reply->body)
		return false;
	body = json_loadb(reply->body, body_length(reply), 0, NULL);
	object = json_object_get(body, route->etag_of);
	version = json_object_get(object, "version");
	if (json_is_integer(version))
	{
		snprintf(reply->etag, sizeof(reply->etag), "\"%lld\"",
				 (long long) json_integer_value(version));
		names_body = json_is_false(json_object_get(object, "past"));
	}
	json_decref(body);
	return names_body;
}

/* A route with `text_type` answers a result that is a JSON string as that text (a CSV). */
static void
set_text_body(const Route *route, Reply *reply)
{
	json_t	   *value;

	if (!route->text_type || reply->status >= 300 || !reply->body)
		return;
	value = json_loadb(reply->body, body_length(reply), JSON_DECODE_ANY, NULL);
	if (json_is_string(value))
	{
		reply_set_body(reply, strndup(json_string_value(value), json_string_length(value)));
		reply->content_type = route->text_type;
	}
	json_decref(value);
}

/* A strong entity tag of the body's bytes: 64-bit FNV-1a, in hex. */
static void
set_content_etag(Reply *reply)
{
	uint64_t	hash = 0xcbf29ce484222325ULL;
	size_t		len = body_length(reply);

	for (size_t i = 0; i < len; i++)
		hash = (hash ^ (unsigned char) reply->body[i]) * 0x100000001b3ULL;
	snprintf(reply->etag, sizeof(reply->etag), "\"%016" PRIx64 "\"", hash);
}

/* Keeps the body gzip-compressed too (Answer.gzip_body), if that makes it smaller. */
static void
compress_body(Answer *answer)
{
	const Reply *reply = &answer->reply;
	size_t		len = body_length(reply);
	size_t		etag_len = strlen(reply->etag);
	z_stream	stream = {0};
	uLong		room;
	unsigned char *out;

	/* 15 + 16: the largest window, in a gzip wrapper (RFC 1952) */
	if (len < GZIP_MIN_BYTES || len > UINT32_MAX || etag_len < 2 ||
		deflateInit2(&stream, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	room = deflateBound(&stream, (uLong) len);
	out = malloc(room);
	if (!out)
		abort();
	stream.next_in = (unsigned char *) reply->body;
	stream.avail_in = (uInt) len;
	stream.next_out = out;
	stream.avail_out = (uInt) room;
	if (deflate(&stream, Z_FINISH) == Z_STREAM_END && stream.total_out < len)
	{
		answer->gzip_body = (char *) out;
		answer->gzip_len = stream.total_out;
		/* "<digest>" becomes "<digest>-gzip" */
		snprintf(answer->gzip_etag, sizeof(answer->gzip_etag), "%.*s-gzip\"",
				 (int) etag_len - 1, reply->etag);
	}
	else
		free(out);
	deflateEnd(&stream);
}

static void
release_from_response(void *cls)
{
	answer_unref(cls);
}

static void
free_storage(Answer *answer)
{
	reply_clear(&answer->reply);
	free(answer);
}

/* The shared response's body is the answer's: freed once MHD is done with that response. */
static void
free_storage_from_response(void *cls)
{
	free_storage(cls);
}

/* answer_add_reply_headers, with the ETag of the representation sent. */
static void
add_reply_headers(struct MHD_Response *response, const Reply *reply, bool public_read,
				  const char *etag)
{
	/*
	 * Public reads are the same for everyone: a browser may keep them but must ask again
	 * each time (the ETag makes that a 304). Everything else can carry tokens, balances or
	 * orders: no cache may keep it.
	 */
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL,
							public_read && reply->status == 200 ? "no-cache" : "no-store");
	if (reply->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (reply->retry_after)
	{
		char		seconds[16];

		snprintf(seconds, sizeof(seconds), "%u", reply->retry_after);
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
	}
	else if (reply->status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, "2");
	if (etag[0])
		MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, etag);
	answer_add_security_headers(response);
}

void
answer_add_reply_headers(struct MHD_Response *response, const Reply *reply, bool public_read)
{
	add_reply_headers(response, reply, public_read, reply->etag);
}

/*
 * `shared`: one of the answer's own responses, which hold no reference (they would keep the
 * answer alive for ever). The plain one frees the answer's storage when the last connection
 * sending it is done; the gzip one, its compressed body.
 */
static struct MHD_Response *
build_response(Answer *answer, bool gzip, bool not_modified, bool shared)
{
	const Reply *reply = &answer->reply;
	struct MHD_Response *response;

	if (not_modified)
		response = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
	else if (gzip && shared)
		response = MHD_create_response_from_buffer(answer->gzip_len, answer->gzip_body,
												   MHD_RESPMEM_MUST_FREE);
	else if (gzip)
		response = MHD_create_response_from_buffer_with_free_callback_cls(
			answer->gzip_len, answer->gzip_body, release_from_response, answer_ref(answer));
	else
		/* The body stays where it is (maybe libpq's result) until MHD is done with it. */
		response = MHD_create_response_from_buffer_with_free_callback_cls(
			body_length(reply), reply->body ? reply->body : (char *) "",
			shared ? free_storage_from_response : release_from_response,
			shared ? answer : answer_ref(answer));
	if (!not_modified)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
								reply->content_type ? reply->content_type : "application/json; charset=utf-8");
	if (gzip && !not_modified)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	/* Which one a cache may hand out depends on the request's Accept-Encoding. */
	if (answer->gzip_body)
		MHD_add_response_header(response, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	add_reply_headers(response, reply, answer->public_read, gzip ? answer->gzip_etag : reply->etag);
	return response;
}

Answer *
answer_new(const Route *route, Reply *reply, const struct timespec *born)
{
	Answer	   *answer = calloc(1, sizeof(Answer));
	bool		version_names_body;

	if (!answer)
		abort();				/* as jansson and libpq do: out of memory ends the process */
	atomic_init(&answer->refs, 1);
	answer->reply = *reply;
	*reply = (Reply) {0};
	answer->born = *born;
	answer->public_read = route_is_public_read(route);
	version_names_body = set_version_etag(route, &answer->reply);
	set_text_body(route, &answer->reply);
	if (answer->public_read && answer->reply.status == 200)
	{
		/* An event's ETag is its version, which If-Match compares (API.md). */
		if (!answer->reply.etag[0])
		{
			set_content_etag(&answer->reply);
			answer->revalidates = true;
			compress_body(answer);
		}
		else
			answer->revalidates = version_names_body;
		answer->shared = build_response(answer, false, false, true);
		answer->shared_not_modified =
			answer->revalidates ? build_response(answer, false, true, true) : NULL;
		if (answer->gzip_body)
		{
			answer->shared_gzip = build_response(answer, true, false, true);
			answer->shared_gzip_not_modified = build_response(answer, true, true, true);
		}
	}
	return answer;
}

Answer *
answer_shutting_down(void)
{
	Answer	   *answer = calloc(1, sizeof(Answer));

	if (!answer)
		abort();
	atomic_init(&answer->refs, 1);
	reply_shutting_down(&answer->reply);
	clock_gettime(CLOCK_MONOTONIC, &answer->born);
	return answer;
}

Answer *
answer_ref(Answer *answer)
{
	atomic_fetch_add(&answer->refs, 1);
	return answer;
}

void
answer_unref(Answer *answer)
{
	if (!answer || atomic_fetch_sub(&answer->refs, 1) != 1)
		return;
	if (answer->shared_gzip_not_modified)
		MHD_destroy_response(answer->shared_gzip_not_modified);
	if (answer->shared_gzip)
		MHD_destroy_response(answer->shared_gzip);	/* frees gzip_body after its last send */
	if (answer->shared_not_modified)
		MHD_destroy_response(answer->shared_not_modified);
	if (answer->shared)
		MHD_destroy_response(answer->shared);	/* frees the storage, now or after its last send */
	else
		free_storage(answer);
}

bool
answer_in_gzip(const Answer *answer, const char *accept_encoding)
{
	return answer->gzip_body && accepts_gzip(accept_encoding);
}

bool
answer_not_modified(const Answer *answer, bool gzip, const char *if_none_match)
{
	const char *tag = gzip ? answer->gzip_etag : answer->reply.etag;
	size_t		len = strlen(tag);

	if (!answer->revalidates || !if_none_match || !len)
		return false;
	if (strcmp(if_none_match, "*") == 0)
		return true;
	/* A list of tags; W/ ones compare weakly, which is equal text for If-None-Match. */
	for (const char *p = strstr(if_none_match, tag); p; p = strstr(p + 1, tag))
		if (p[len] == '\0' || p[len] == ',' || p[len] == ' ')
			return true;
	return false;
}

struct MHD_Response *
answer_shared(const Answer *answer, bool gzip, bool not_modified)
{
	if (gzip)
		return not_modified ? answer->shared_gzip_not_modified : answer->shared_gzip;
	return not_modified ? answer->shared_not_modified : answer->shared;
}

struct MHD_Response *
answer_response(Answer *answer, bool gzip, bool not_modified)
{
	return build_response(answer, gzip, not_modified, false);
}
