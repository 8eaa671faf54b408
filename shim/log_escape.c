/*
 * log_escape.c -- see log_escape.h.
 */
#include "log_escape.h"

#include <stdbool.h>
#include <stdio.h>

static bool
is_plain(unsigned char c, bool keep_spaces)
{
	if (keep_spaces)
		return c >= 0x20 && c < 0x7f && c != '\\';
	return c > 0x20 && c < 0x7f && c != '\\' && c != '"';
}

static void
escape(const char *in, char *out, size_t size, bool keep_spaces)
{
	size_t		used = 0;

	if (size == 0)
		return;
	for (const unsigned char *p = (const unsigned char *) (in ? in : ""); *p; p++)
	{
		if (is_plain(*p, keep_spaces))
		{
			if (used + 1 >= size)
				break;
			out[used++] = (char) *p;
		}
		else
		{
			if (used + 4 >= size)
				break;
			snprintf(out + used, 5, "\\x%02x", *p);
			used += 4;
		}
	}
	out[used] = '\0';
}

void
log_escape(const char *in, char *out, size_t size)
{
	escape(in, out, size, false);
}

void
log_escape_text(const char *in, char *out, size_t size)
{
	escape(in, out, size, true);
}
