/*
 * fuzz_routes.c -- libFuzzer target for route_find (test/fuzz/run).
 *
 * Input: "METHOD /path" as on a request line; the path is percent-decoded first, as MHD
 * does with the shim's unescape callback, its repeated slashes collapsed as the handler
 * does, and the method cut to the 15 bytes the handler keeps. Checked: the collapsed path
 * has no "//" and keeps every other byte in order; a matched route has the wanted method
 * (HEAD: GET); its pattern with the parameters put back is exactly the path; {int}
 * parameters are decimal digits, {str} ones non-empty without '/'; Allow lists a method
 * exactly when that method's route matched; path_known is exactly "some route has this path".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request_path.h"
#include "routes.h"
#include "url_decode.h"
#include "fuzz.h"

/* Is `method` one of the comma-separated methods of `allow`? */
static int
allow_lists(const char *allow, const char *method)
{
	size_t		len = strlen(method);

	for (const char *p = allow; *p;)
	{
		const char *end = strchrnul(p, ',');

		if ((size_t) (end - p) == len && strncmp(p, method, len) == 0)
			return 1;
		p = *end ? end + 2 : end;
	}
	return 0;
}

/* The pattern with {int}/{str} replaced by the parameters, in order. */
static void
rebuild(const Route *route, const RouteMatch *match, char *out, size_t size)
{
	const char *p = route->pattern;
	size_t		n = 0;
	int			param = 0;

	out[0] = '\0';
	while (*p)
	{
		if (strncmp(p, "{int}", 5) == 0 || strncmp(p, "{str}", 5) == 0)
		{
			const char *value = match->params[param];

			CHECK(param < ROUTE_MAX_PARAMS);
			CHECK(memchr(value, '\0', ROUTE_PARAM_MAX) != NULL);
			CHECK(value[0] != '\0');
			CHECK(strchr(value, '/') == NULL);
			if (p[1] == 'i')
				CHECK(strspn(value, "0123456789") == strlen(value));
			n += (size_t) snprintf(out + n, n < size ? size - n : 0, "%s", value);
			param++;
			p += 5;
		}
		else
		{
			if (n + 1 < size)
				out[n] = *p, out[n + 1] = '\0';
			n++;
			p++;
		}
		CHECK(n < size);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *line = strndup((const char *) data, size);
	char	   *space = strchr(line, ' ');
	char		method[16];
	char	   *path;
	const char *wanted;
	RouteMatch	match;
	int			any_path_match = 0;

	if (!space)
	{
		free(line);
		return 0;
	}
	*space = '\0';
	snprintf(method, sizeof(method), "%s", line);
	path = space + 1;
	url_decode(path, false);
	{
		char	   *before = strdup(path);
		size_t		j = 0;

		request_path_collapse_slashes(path);
		CHECK(strstr(path, "//") == NULL);
		/* the same bytes but for dropped slashes, each right after another slash */
		for (size_t i = 0; before[i]; i++)
		{
			if (before[i] == '/' && i > 0 && before[i - 1] == '/')
				continue;
			CHECK(path[j] == before[i]);
			j++;
		}
		CHECK(path[j] == '\0');
		free(before);
	}
	wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;

	route_find(method, path, &match);

	CHECK(memchr(match.allow, '\0', sizeof(match.allow)) != NULL);
	CHECK(match.path_known == (strncmp(match.allow, "OPTIONS", 7) == 0));
	if (match.route)
	{
		char		rebuilt[2 * ROUTE_PARAM_MAX + 64];

		CHECK(match.path_known);
		CHECK(strcmp(match.route->method, wanted) == 0);
		CHECK(route_index(match.route) < route_count);
		rebuild(match.route, &match, rebuilt, sizeof(rebuilt));
		CHECK(strcmp(rebuilt, path) == 0);
	}
	/* Exactly the methods of the routes whose pattern takes this path are allowed. */
	for (size_t i = 0; i < route_count; i++)
	{
		RouteMatch	other;

		route_find(routes[i].method, path, &other);
		CHECK(other.path_known == match.path_known);
		CHECK(strcmp(other.allow, match.allow) == 0);
		if (other.route)
		{
			any_path_match = 1;
			CHECK(allow_lists(match.allow, routes[i].method));
			if (strcmp(routes[i].method, wanted) == 0)
				CHECK(match.route != NULL);
		}
	}
	CHECK(any_path_match == match.path_known);
	if (match.path_known && strcmp(method, "OPTIONS") != 0)
		CHECK(allow_lists(match.allow, method) == (match.route != NULL));
	free(line);
	return 0;
}
