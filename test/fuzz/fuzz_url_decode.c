/*
 * fuzz_url_decode.c -- libFuzzer target for url_decode (test/fuzz/run).
 *
 * Input: the bytes of a path, query field or form field, up to the first NUL (MHD and
 * parse_form hand url_decode C strings). Both modes, '+' kept and '+' as a space, are
 * checked against a reference decoder written differently: the same bytes out, the
 * returned length is the string's, never longer than the input, never a NUL inside.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url_decode.h"
#include "fuzz.h"

/* "%XY" with two hex digits that are not "00": the byte, else -1. */
static int
escape_at(const char *s)
{
	char		hex[3];
	char	   *end;
	long		byte;

	if (s[0] != '%' || !isxdigit((unsigned char) s[1]) || !isxdigit((unsigned char) s[2]))
		return -1;
	hex[0] = s[1], hex[1] = s[2], hex[2] = '\0';
	byte = strtol(hex, &end, 16);
	return *end == '\0' && byte > 0 ? (int) byte : -1;
}

static size_t
reference_decode(const char *in, char *out, int plus_is_space)
{
	size_t		n = 0;

	while (*in)
	{
		int			byte = escape_at(in);

		if (byte > 0)
		{
			out[n++] = (char) byte;
			in += 3;
		}
		else
		{
			out[n++] = plus_is_space && *in == '+' ? ' ' : *in;
			in++;
		}
	}
	out[n] = '\0';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *input = strndup((const char *) data, size);
	size_t		input_len = strlen(input);
	char	   *s = malloc(input_len + 1);
	char	   *expected = malloc(input_len + 1);

	for (int plus_is_space = 0; plus_is_space <= 1; plus_is_space++)
	{
		size_t		len;
		size_t		expected_len;

		memcpy(s, input, input_len + 1);
		len = url_decode(s, plus_is_space);
		CHECK(len <= input_len);
		CHECK(strlen(s) == len);
		expected_len = reference_decode(input, expected, plus_is_space);
		CHECK(len == expected_len);
		CHECK(memcmp(s, expected, len) == 0);
		/* Nothing to decode: the string is left exactly as it was. */
		if (!strchr(input, '%') && !(plus_is_space && strchr(input, '+')))
			CHECK(strcmp(s, input) == 0);
	}
	free(expected);
	free(s);
	free(input);
	return 0;
}
