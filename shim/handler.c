/*
 * handler.c -- a request's life: accumulate the body (capped), find the route, start the call
 * or serve a file, answer, and log one line when MHD reports the request complete. Runs on
 * the HTTP threads only, which never wait for the database: a call suspends the request
 * until its answer is there (calls.c, db_queue.c).
 */
#include "handler.h"

#include <errno.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "address_limit.h"
#include "answer.h"
#include "auth_header.h"
#include "calls.h"
#include "client_addr.h"
#include "config.h"
#include "connection_guard.h"
#include "cors.h"
#include "decimal.h"
#include "log_escape.h"
#include "reply.h"
#include "request_fields.h"
#include "request_path.h"
#include "routes.h"
#include "static_files.h"

typedef struct Request
{
	struct timespec started;
	char		method[16];
	char	   *path;			/* percent-decoded, slashes collapsed, no query string */
	char	   *body;
	size_t		body_len;
	bool		body_too_large;
	bool		bad_framing;	/* its length is ambiguous: answered 400, connection closed */
	unsigned int status;		/* 0 until a response is queued */
	LimitTicket password_slot;	/* for requests that hash a password (address_limit.h) */
	Waiter		waiter;			/* its database call (calls.h) */
} Request;

static atomic_uint in_flight;
static atomic_bool shutting_down;

unsigned int
requests_in_flight(void)
{
	return atomic_load(&in_flight);
}

void
handler_begin_shutdown(void)
{
	atomic_store(&shutting_down, true);
}

static const char *
header(struct MHD_Connection *connection, const char *name)
{
	return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

/* Queues and releases `response`, with the per-request headers (CORS, closing). */
static enum MHD_Result
queue_built(struct MHD_Connection *connection, Request *req, unsigned int status,
			struct MHD_Response *response)
{
	enum MHD_Result result;

	cors_add_headers(connection, response);
	if (atomic_load(&shutting_down) || req->bad_framing)
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	req->status = status;
	result = MHD_queue_response(connection, status, response);
	MHD_destroy_response(response);
	return result;
}

/* The same, for a response built here: with the security headers every response carries. */
static enum MHD_Result
queue(struct MHD_Connection *connection, Request *req, unsigned int status,
	  struct MHD_Response *response)
{
	answer_add_security_headers(response);
	return queue_built(connection, req, status, response);
}

/* A JSON reply, with the headers its status calls for. `allow` is for 405. */
static enum MHD_Result
queue_reply(struct MHD_Connection *connection, Request *req, Reply *reply, const char *allow)
{
	struct MHD_Response *response =
		MHD_create_response_from_buffer(strlen(reply->body), reply->body, MHD_RESPMEM_MUST_FREE);

	reply->body = NULL;			/* MHD's now */

	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
							reply->content_type ? reply->content_type : "application/json; charset=utf-8");
	if (allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	/* Not a stored public read: answered here, never kept (no-store). */
	answer_add_reply_headers(response, reply, false);
	return queue_built(connection, req, reply->status, response);
}

static enum MHD_Result
queue_error(struct MHD_Connection *connection, Request *req, unsigned int status,
			const char *code, const char *message, const char *allow)
{
	Reply		reply = {0};

	reply_error(&reply, status, code, message);
	return queue_reply(connection, req, &reply, allow);
}

/* OPTIONS: CORS preflight, or just the path's methods. */
static enum MHD_Result
answer_options(struct MHD_Connection *connection, Request *req, const RouteMatch *match)
{
	struct MHD_Response *response;

	if (!match->path_known)
		return queue_error(connection, req, MHD_HTTP_NOT_FOUND, "not_found", "no such route", NULL);
	response = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, match->allow);
	if (header(connection, "Access-Control-Request-Method"))
		cors_add_preflight_headers(connection, response, match->allow);
	return queue(connection, req, MHD_HTTP_NO_CONTENT, response);
}

static enum MHD_Result
answer_file(struct MHD_Connection *connection, Request *req, const char *relative)
{
	unsigned int status;
	struct MHD_Response *response = static_file_response(connection, relative, &status);

	if (!response)
		return queue_error(connection, req, MHD_HTTP_NOT_FOUND, "not_found", "no such file", NULL);
	return queue(connection, req, status, response);
}

typedef struct QueryFields
{
	json_t	   *object;
	bool		valid;
} QueryFields;

static enum MHD_Result
collect_query_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	QueryFields *fields = cls;

	(void) kind;
	if (!request_fields_add_query(fields->object, key, value))
		fields->valid = false;
	return MHD_YES;
}

/*
 * The answer of the request's call: from memory as it was built, when nothing of this request
 * must be added to it; else a response of its own around the same body.
 */
static enum MHD_Result
queue_answer(struct MHD_Connection *connection, Request *req)
{
	Answer	   *answer = req->waiter.answer;
	bool		gzip = answer_in_gzip(answer, header(connection, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	bool		not_modified =
		answer_not_modified(answer, gzip, header(connection, MHD_HTTP_HEADER_IF_NONE_MATCH));
	unsigned int status = not_modified ? MHD_HTTP_NOT_MODIFIED : answer->reply.status;

	limit_release(&req->password_slot);
	if (answer->shared && !config.cors_origins && !atomic_load(&shutting_down))
	{
		req->status = status;
		return MHD_queue_response(connection, status, answer_shared(answer, gzip, not_modified));
	}
	return queue_built(connection, req, status, answer_response(answer, gzip, not_modified));
}

/* Starts the route's tm_* call with its arguments gathered from the request. */
static enum MHD_Result
answer_call(struct MHD_Connection *connection, Request *req, const RouteMatch *match)
{
	const Route *route = match->route;
	const char *values[ROUTE_MAX_ARGS] = {0};
	char	   *token = NULL;
	char	   *fields = NULL;
	char		client_addr[CLIENT_ADDR_SIZE];
	int			n = 0;
	Reply		reply = {0};

	/* They take a slot of their address (address_limit.h). */
	if (route_hashes_password(route))
	{
		req->password_slot.connection = connection;
		client_addr_of_request(connection, config.trust_proxy, req->password_slot.address);
		if (!limit_acquire(&req->password_slot))
		{
			if (!req->password_slot.refused)
				return MHD_YES;	/* suspended: MHD calls again when it is our turn */
			reply_shutting_down(&reply);
			goto done;
		}
	}
	for (const RouteArg *arg = route->args; *arg != ARG_END; arg++, n++)
	{
		switch (*arg)
		{
			case ARG_TOKEN:
				token = token_from_authorization(header(connection, MHD_HTTP_HEADER_AUTHORIZATION));
				values[n] = token;
				break;
			case ARG_PATH1:
				values[n] = match->params[0];
				break;
			case ARG_PATH2:
				values[n] = match->params[1];
				break;
			case ARG_IDEMPOTENCY_KEY:
				values[n] = header(connection, "Idempotency-Key");
				break;
			case ARG_CLIENT_ADDR:
				client_addr_of_request(connection, config.trust_proxy, client_addr);
				values[n] = client_addr;
				break;
			case ARG_IF_MATCH:
				values[n] = header(connection, MHD_HTTP_HEADER_IF_MATCH);
				break;
			case ARG_QUERY:
				values[n] = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND,
														route->query);
				break;
			case ARG_LEGACY_CLIENTS:
				values[n] = config.legacy_clients ? "true" : "false";
				break;
			case ARG_BODY:
				{
					QueryFields query = {json_object(), true};

					MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_query_field, &query);
					if (!query.valid)
					{
						json_decref(query.object);
						reply_error(&reply, 400, "invalid_input", "query fields must be UTF-8 text");
						goto done;
					}
					fields = request_fields_json(header(connection, MHD_HTTP_HEADER_CONTENT_TYPE),
												 req->body, req->body_len, query.object, &reply);
					if (!fields)
						goto done;
					values[n] = fields;
				}
				break;
			case ARG_END:
				break;
		}
	}
	req->waiter.connection = connection;
	switch (calls_start(route, values, n, &req->waiter))
	{
		case CALL_ANSWERED:
			free(token);
			free(fields);
			return queue_answer(connection, req);
		case CALL_WAITING:
			/* suspended: MHD calls again once req->waiter.answer is set */
			free(token);
			free(fields);
			return MHD_YES;
		case CALL_BUSY:
			limit_release(&req->password_slot);
			reply_error(&reply, 503, "busy", "the server is busy, try again shortly");
			reply.retry_after = 1;
			break;
	}
done:
	free(token);
	free(fields);
	return queue_reply(connection, req, &reply, NULL);
}

static bool
accepts_html(struct MHD_Connection *connection)
{
	const char *accept = header(connection, MHD_HTTP_HEADER_ACCEPT);

	return accept && strcasestr(accept, "text/html");
}

/* MHD_GET_ARGUMENT_KIND iterator: sets *cls when a query field is a password. */
static enum MHD_Result
find_password_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void) kind;
	(void) value;
	if (strcasecmp(key, "password") == 0 || strcasecmp(key, "new_password") == 0)
	{
		*(bool *) cls = true;
		return MHD_NO;
	}
	return MHD_YES;
}

static enum MHD_Result
dispatch(struct MHD_Connection *connection, Request *req)
{
	RouteMatch	match;
	bool		is_get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	bool		password_in_query = false;

	guard_request_dispatched(connection);
	if (req->bad_framing)
		return queue_error(connection, req, MHD_HTTP_BAD_REQUEST, "bad_request",
						   "a request may have one Content-Length, or Transfer-Encoding, not both "
						   "and not two", NULL);
	if (req->body_too_large)
		return queue_error(connection, req, MHD_HTTP_CONTENT_TOO_LARGE, "payload_too_large",
						   "the request body is larger than 64 KiB", NULL);
	/* Query strings end up in logs and browser histories: secrets travel in bodies only. */
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, find_password_field, &password_in_query);
	if (password_in_query)
		return queue_error(connection, req, MHD_HTTP_BAD_REQUEST, "invalid_input",
						   "passwords are accepted only in the request body, never in the URL", NULL);
	route_find(req->method, req->path, &match);
	if (strcmp(req->method, "OPTIONS") == 0)
		return answer_options(connection, req, &match);
	if (match.route && !match.route->sql)
	{
		Reply		alive = {.status = 200, .body = strdup("{\"status\":\"ok\"}")};

		return queue_reply(connection, req, &alive, NULL);
	}
	if (match.route)
		return answer_call(connection, req, &match);
	if (is_get && strcmp(req->path, "/") == 0)
		return answer_file(connection, req, "index.html");
	if (is_get && strcmp(req->path, "/openapi.json") == 0)
		return answer_file(connection, req, "openapi.json");
	if (is_get && strncmp(req->path, "/static/", 8) == 0)
		return answer_file(connection, req, req->path + 8);
	/* History-mode routing: a browser reloading a page of the app gets the app. */
	if (is_get && accepts_html(connection))
		return answer_file(connection, req, "index.html");
	if (match.path_known)
		return queue_error(connection, req, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
						   "method not allowed on this path", match.allow);
	return queue_error(connection, req, MHD_HTTP_NOT_FOUND, "not_found", "no such route", NULL);
}

typedef struct FramingHeaders
{
	unsigned int content_length;
	unsigned int transfer_encoding;
} FramingHeaders;

static enum MHD_Result
count_framing_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	FramingHeaders *count = cls;

	(void) kind;
	(void) value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		count->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		count->transfer_encoding++;
	return MHD_YES;
}

/*
 * Two Content-Lengths, or Content-Length with Transfer-Encoding: a proxy in front may frame
 * the request otherwise than we do, which is how requests are smuggled past it (RFC 9112
 * 6.3). Such a request is refused and its connection closed, whatever follows on it.
 */
static bool
framing_is_ambiguous(struct MHD_Connection *connection)
{
	FramingHeaders count = {0, 0};

	MHD_get_connection_values(connection, MHD_HEADER_KIND, count_framing_header, &count);
	return count.content_length > 1 || count.transfer_encoding > 1 ||
		(count.content_length && count.transfer_encoding);
}

static Request *
request_begin(struct MHD_Connection *connection, const char *url, const char *method)
{
	Request    *req = calloc(1, sizeof(Request));
	const char *length = header(connection, MHD_HTTP_HEADER_CONTENT_LENGTH);

	clock_gettime(CLOCK_MONOTONIC, &req->started);
	strncpy(req->method, method, sizeof(req->method) - 1);	/* calloc'd: terminated */
	req->path = strdup(url);
	request_path_collapse_slashes(req->path);
	/* Refuse an announced oversized body before reading any of it. */
	req->bad_framing = framing_is_ambiguous(connection);
	if (length && strtoull(length, NULL, 10) > MAX_BODY_BYTES)
		req->body_too_large = true;
	atomic_fetch_add(&in_flight, 1);
	return req;
}

static void
request_append_body(Request *req, const char *data, size_t size)
{
	if (req->body_too_large)
		return;
	if (req->body_len + size > MAX_BODY_BYTES)
	{
		req->body_too_large = true;
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
		return;
	}
	req->body = realloc(req->body, req->body_len + size + 1);
	memcpy(req->body + req->body_len, data, size);
	req->body_len += size;
	req->body[req->body_len] = '\0';
}

enum MHD_Result
handle_request(void *cls, struct MHD_Connection *connection, const char *url,
			   const char *method, const char *version, const char *upload_data,
			   size_t *upload_data_size, void **request_state)
{
	Request    *req = *request_state;

	(void) cls;
	(void) version;
	if (!req)
	{
		*request_state = req = request_begin(connection, url, method);
		guard_head_received(connection);
		if (req->body_too_large || req->bad_framing)
			return dispatch(connection, req);
		return MHD_YES;
	}
	if (req->status)
	{
		/* Already answered (413 up front): discard whatever body still arrives. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size)
	{
		request_append_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* Resumed with the answer of its call. */
	if (req->waiter.answer)
		return queue_answer(connection, req);
	if (req->waiter.flight)
		return MHD_YES;
	return dispatch(connection, req);
}

/*
 * A request's log line, with one write(2) and not through stdio: stdout's lock would make
 * the HTTP threads wait for each other's writes. A line (at most ~1 KiB, under PIPE_BUF) written
 * at once never interleaves with another's in a pipe (Heroku's log router) or an O_APPEND file.
 */
static void
log_request(const Request *req)
{
	struct timespec now;
	long long	tenths_ms;
	char		method[4 * sizeof(req->method)];
	char		path[1024];
	char		line[sizeof(method) + sizeof(path) + 64];
	char	   *end;
	int			len;

	clock_gettime(CLOCK_MONOTONIC, &now);
	tenths_ms = ((long long) (now.tv_sec - req->started.tv_sec) * 1000000000LL +
				 (now.tv_nsec - req->started.tv_nsec) + 50000) / 100000;
	/* Every client-chosen field escaped, so that no line or field can be forged. */
	log_escape(req->method, method, sizeof(method));
	log_escape(req->path, path, sizeof(path));
	end = stpcpy(line, method);
	*end++ = ' ';
	end = stpcpy(end, path);
	*end++ = ' ';
	end = put_decimal(end, req->status);
	*end++ = ' ';
	end = put_decimal(end, (unsigned long long) tenths_ms / 10);
	*end++ = '.';
	end = put_decimal(end, (unsigned long long) tenths_ms % 10);
	end = stpcpy(end, "ms\n");
	len = (int) (end - line);
	for (const char *p = line; len > 0;)
	{
		ssize_t		written = write(STDOUT_FILENO, p, (size_t) len);

		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			break;				/* a log that cannot be written must not fail the request */
		p += written;
		len -= (int) written;
	}
}

void
request_completed(void *cls, struct MHD_Connection *connection, void **request_state,
				   enum MHD_RequestTerminationCode why)
{
	Request    *req = *request_state;

	(void) cls;
	(void) why;
	guard_request_completed(connection);
	if (!req)
		return;
	limit_forget(&req->password_slot);
	calls_forget(&req->waiter);
	log_request(req);
	free(req->path);
	free(req->body);
	free(req);
	*request_state = NULL;
	atomic_fetch_sub(&in_flight, 1);
}
