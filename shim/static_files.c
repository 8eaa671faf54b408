/*
 * static_files.c -- see static_files.h. Every path is resolved with realpath and must
 * land inside STATIC_DIR, so no encoding of "..", slashes or symlinks escapes it.
 */
#include "static_files.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

static const struct
{
	const char *extension;
	const char *type;
}			content_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".json", "application/json; charset=utf-8"},
	{".txt", "text/plain; charset=utf-8"},
	{".woff2", "font/woff2"},
};

static const char *
content_type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(content_types) / sizeof(content_types[0]); i++)
		if (strcasecmp(dot, content_types[i].extension) == 0)
			return content_types[i].type;
	return "application/octet-stream";
}

int
static_file_open(const char *root, const char *relative, struct stat *st)
{
	char		joined[PATH_MAX];
	char		resolved[PATH_MAX];
	size_t		root_len = strlen(root);
	int			fd;

	/* Backslashes and leftover "%00"s are never part of a file name we serve. */
	if (root_len == 0 || strchr(relative, '\\') || strchr(relative, '%'))
		return -1;
	if ((size_t) snprintf(joined, sizeof(joined), "%s/%s", root, relative) >= sizeof(joined))
		return -1;
	if (!realpath(joined, resolved))
		return -1;
	if (strncmp(resolved, root, root_len) != 0 || resolved[root_len] != '/')
		return -1;
	/* O_NONBLOCK: opening a FIFO must not hang a worker; it is refused just below. */
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
	{
		close(fd);
		return -1;
	}
	return fd;
}

static bool
client_copy_is_current(struct MHD_Connection *connection, const char *etag, time_t mtime)
{
	const char *if_none_match = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
															MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *if_modified_since = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
																MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	struct tm	tm;

	/* If-None-Match, when present, decides alone (RFC 9110 13.2.2). */
	if (if_none_match)
		return strstr(if_none_match, etag) != NULL || strcmp(if_none_match, "*") == 0;
	if (if_modified_since)
	{
		memset(&tm, 0, sizeof(tm));
		if (strptime(if_modified_since, "%a, %d %b %Y %H:%M:%S GMT", &tm))
			return mtime <= timegm(&tm);
	}
	return false;
}

struct MHD_Response *
static_file_response(struct MHD_Connection *connection, const char *relative, unsigned int *status)
{
	struct stat st;
	int			fd = static_file_open(config.static_dir, relative, &st);
	char		etag[64];
	char		last_modified[64];
	struct tm	tm;
	struct MHD_Response *response;

	if (fd < 0)
		return NULL;
	snprintf(etag, sizeof(etag), "\"%" PRIxMAX "-%" PRIxMAX "-%lx\"", (uintmax_t) st.st_size,
			 (uintmax_t) st.st_mtim.tv_sec, (unsigned long) st.st_mtim.tv_nsec);
	strftime(last_modified, sizeof(last_modified), "%a, %d %b %Y %H:%M:%S GMT",
			 gmtime_r(&st.st_mtim.tv_sec, &tm));

	if (client_copy_is_current(connection, etag, st.st_mtim.tv_sec))
	{
		close(fd);
		response = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
		*status = MHD_HTTP_NOT_MODIFIED;
	}
	else
	{
		/* MHD owns and closes the descriptor from here on. */
		response = MHD_create_response_from_fd((uint64_t) st.st_size, fd);
		if (!response)
		{
			close(fd);
			return NULL;
		}
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type_of(relative));
		*status = MHD_HTTP_OK;
	}
	MHD_add_response_header(response, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(response, MHD_HTTP_HEADER_LAST_MODIFIED, last_modified);
	/* Always revalidate: the page has no build step that would fingerprint file names. */
	MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return response;
}
