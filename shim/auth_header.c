/*
 * auth_header.c -- see auth_header.h. The token is only extracted here; the extension
 * decides whether it is valid.
 */
#include "auth_header.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard or URL-safe base64, padding optional; NULL if malformed. */
static char *
base64_decode(const char *in)
{
	size_t		len = strlen(in);
	char	   *out = malloc(len * 3 / 4 + 4);
	size_t		used = 0;
	unsigned int bits = 0;
	int			nbits = 0;

	for (size_t i = 0; i < len && in[i] != '='; i++)
	{
		int			v = base64_value(in[i]);

		if (v < 0)
		{
			free(out);
			return NULL;
		}
		bits = (bits << 6) | (unsigned int) v;
		nbits += 6;
		if (nbits >= 8)
		{
			nbits -= 8;
			out[used++] = (char) ((bits >> nbits) & 0xFF);
		}
	}
	out[used] = '\0';
	/* A NUL inside would silently shorten the token; treat it as malformed. */
	if (strlen(out) != used)
	{
		free(out);
		return NULL;
	}
	return out;
}

static const char *
skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

char *
token_from_authorization(const char *header)
{
	if (!header)
		return strdup("");
	header = skip_spaces(header);
	if (strncasecmp(header, "Bearer ", 7) == 0)
		return strdup(skip_spaces(header + 7));
	if (strncasecmp(header, "Basic ", 6) == 0)
	{
		char	   *credentials = base64_decode(skip_spaces(header + 6));
		char	   *colon;

		if (!credentials)
			return strdup("");
		colon = strchr(credentials, ':');
		if (colon)
			*colon = '\0';
		return credentials;
	}
	/* An unknown scheme carries no token we understand: the caller is anonymous. */
	return strdup("");
}
