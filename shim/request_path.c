/*
 * request_path.c -- see request_path.h.
 */
#include "request_path.h"

void
request_path_collapse_slashes(char *path)
{
	char	   *out = path;

	for (const char *in = path; *in; in++)
		if (*in != '/' || out == path || out[-1] != '/')
			*out++ = *in;
	*out = '\0';
}
