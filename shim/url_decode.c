/*
 * url_decode.c -- see url_decode.h.
 */
#include "url_decode.h"

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
url_decode(char *s, bool plus_is_space)
{
	char	   *out = s;

	for (const char *in = s; *in; in++)
	{
		if (*in == '%' && hex_value(in[1]) >= 0 && hex_value(in[2]) >= 0)
		{
			int			byte = hex_value(in[1]) * 16 + hex_value(in[2]);

			if (byte != 0)
			{
				*out++ = (char) byte;
				in += 2;
				continue;
			}
		}
		*out++ = (plus_is_space && *in == '+') ? ' ' : *in;
	}
	*out = '\0';
	return (size_t) (out - s);
}
