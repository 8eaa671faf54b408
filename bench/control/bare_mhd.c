/*
 * bare_mhd.c -- the benchmark's control: libmicrohttpd alone, answering every request with
 * the same bytes from memory, configured as the web process configures it (shim/main.c:
 * poll, HTTP_THREADS threads, a 16 KiB pool per connection, suspend/resume allowed).
 * No routing, no log line, no cache lookup: what this machine, wrk and the library do by
 * themselves, measured in the same run as the web process, so that its p99 reads against
 * a floor and not only against a target. A request whose Accept-Encoding names gzip gets
 * the gzip bytes, as the web process sends them.
 *
 * Usage: bare_mhd PORT BODY-FILE GZIP-BODY-FILE THREADS; serves until killed.
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *plain;
static struct MHD_Response *gzipped;

static enum MHD_Result
answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **state)
{
	(void) cls;
	(void) url;
	(void) method;
	(void) version;
	(void) upload_data;
	(void) upload_data_size;
	if (!*state)
	{
		*state = connection;	/* the head is in; answer on the next call, as the shim does */
		return MHD_YES;
	}
	const char *accept = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
													 MHD_HTTP_HEADER_ACCEPT_ENCODING);

	return MHD_queue_response(connection, MHD_HTTP_OK, accept && strstr(accept, "gzip") ? gzipped : plain);
}

static char *
read_file(const char *path, size_t *size)
{
	FILE	   *file = fopen(path, "rb");
	char	   *data = NULL;
	long		length;

	if (file && fseek(file, 0, SEEK_END) == 0 && (length = ftell(file)) >= 0 &&
		fseek(file, 0, SEEK_SET) == 0 && (data = malloc((size_t) length + 1)) &&
		fread(data, 1, (size_t) length, file) == (size_t) length)
		*size = (size_t) length;
	else
	{
		free(data);
		data = NULL;
	}
	if (file)
		fclose(file);
	return data;
}

int
main(int argc, char **argv)
{
	size_t		size = 0;
	size_t		gzip_size = 0;
	char	   *body = argc == 5 ? read_file(argv[2], &size) : NULL;
	char	   *gzip_body = argc == 5 ? read_file(argv[3], &gzip_size) : NULL;
	struct MHD_Daemon *daemon;

	if (!body || !gzip_body)
	{
		fprintf(stderr, "usage: %s PORT BODY-FILE GZIP-BODY-FILE THREADS\n", argv[0]);
		return 2;
	}
	plain = MHD_create_response_from_buffer(size, body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(plain, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	gzipped = MHD_create_response_from_buffer(gzip_size, gzip_body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(gzipped, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(gzipped, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	daemon = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME,
							  (uint16_t) atoi(argv[1]), NULL, NULL, answer, NULL,
							  MHD_OPTION_THREAD_POOL_SIZE, (unsigned int) atoi(argv[4]),
							  MHD_OPTION_CONNECTION_LIMIT, 1000u,
							  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) (16 * 1024),
							  MHD_OPTION_END);
	if (!daemon)
	{
		fprintf(stderr, "%s: cannot listen on port %s\n", argv[0], argv[1]);
		return 1;
	}
	pause();
	return 0;
}
