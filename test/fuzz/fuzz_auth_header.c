/*
 * fuzz_auth_header.c -- libFuzzer target for token_from_authorization (test/fuzz/run).
 *
 * Input: an Authorization header value, up to the first NUL (no input: no header). The
 * token is never NULL and never longer than the header; a Bearer token is the rest of the
 * header; a Basic token has no ':' and no NUL cut it short. Then the input's bytes are the
 * token of a "Basic base64(token:secret)" header, standard and URL-safe, padded or not,
 * which must give the token back exactly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth_header.h"
#include "fuzz.h"

static char *
base64_encode(const uint8_t *in, size_t len, int url_safe, int padded)
{
	const char *alphabet = url_safe
		? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	   *out = malloc(len / 3 * 4 + 5);
	size_t		n = 0;

	for (size_t i = 0; i < len; i += 3)
	{
		uint32_t	group = (uint32_t) in[i] << 16;
		size_t		chunk = len - i < 3 ? len - i : 3;

		if (chunk > 1)
			group |= (uint32_t) in[i + 1] << 8;
		if (chunk > 2)
			group |= in[i + 2];
		for (size_t k = 0; k < 4; k++)
		{
			if (k <= chunk)
				out[n++] = alphabet[(group >> (18 - 6 * k)) & 63];
			else if (padded)
				out[n++] = '=';
		}
	}
	out[n] = '\0';
	return out;
}

static void
check_header(const char *header)
{
	char	   *token = token_from_authorization(header);
	const char *rest;

	CHECK(token != NULL);
	if (!header)
	{
		CHECK(token[0] == '\0');
		free(token);
		return;
	}
	CHECK(strlen(token) <= strlen(header));
	rest = header + strspn(header, " \t");
	if (strncasecmp(rest, "Bearer ", 7) == 0)
		CHECK(strcmp(token, rest + 7 + strspn(rest + 7, " \t")) == 0);
	else if (strncasecmp(rest, "Basic ", 6) == 0)
		CHECK(strchr(token, ':') == NULL);
	else
		CHECK(token[0] == '\0');
	free(token);
}

static void
check_basic_round_trip(const uint8_t *data, size_t size)
{
	/* A NUL or ':' cannot be part of a token: the colon ends it, a NUL is refused. */
	size_t		token_len = 0;
	uint8_t    *credentials = malloc(size + 8);

	while (token_len < size && data[token_len] != '\0' && data[token_len] != ':')
		token_len++;
	memcpy(credentials, data, token_len);
	memcpy(credentials + token_len, ":secret", 7);
	for (int variant = 0; variant < 4; variant++)
	{
		char	   *encoded = base64_encode(credentials, token_len + 7, variant & 1, variant & 2);
		char	   *header = malloc(strlen(encoded) + 16);
		char	   *token;

		sprintf(header, "%sBasic %s", variant == 3 ? " " : "", encoded);
		token = token_from_authorization(header);
		CHECK(token != NULL);
		CHECK(strlen(token) == token_len);
		CHECK(memcmp(token, data, token_len) == 0);
		free(token);
		free(header);
		free(encoded);
	}
	free(credentials);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *header = size ? strndup((const char *) data, size) : NULL;

	check_header(header);
	free(header);
	check_basic_round_trip(data, size);
	return 0;
}
