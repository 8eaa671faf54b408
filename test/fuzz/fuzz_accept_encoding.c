/*
 * fuzz_accept_encoding.c -- libFuzzer target for accepts_gzip (test/fuzz/run).
 *
 * Input: an Accept-Encoding header value, up to the first NUL. Besides reading no byte it
 * should not (ASan), the answer must:
 * - be no when the value names neither gzip (in any case) nor "*";
 * - be yes once ", gzip" is appended: any mention with a weight above zero accepts it;
 * - be no once ", gzip;q=0" is appended to a value that does not name gzip;
 * - not change when the value is upper-cased (codings and "q" are case-insensitive).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "accept_encoding.h"
#include "fuzz.h"

static char *
with_suffix(const char *value, const char *suffix)
{
	size_t		len = strlen(value);
	char	   *out = malloc(len + strlen(suffix) + 1);

	memcpy(out, value, len);
	strcpy(out + len, suffix);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *value = strndup((const char *) data, size);
	char	   *upper = strdup(value);
	char	   *gzip_added = with_suffix(value, ", gzip");
	char	   *gzip_refused = with_suffix(value, ", gzip;q=0");
	bool		names_gzip;

	for (char *p = upper; *p; p++)
		*p = (char) toupper((unsigned char) *p);
	names_gzip = strstr(upper, "GZIP") != NULL;

	if (!names_gzip && !strchr(value, '*'))
		CHECK(!accepts_gzip(value));
	CHECK(accepts_gzip(gzip_added));
	if (!names_gzip)
		CHECK(!accepts_gzip(gzip_refused));
	CHECK(accepts_gzip(upper) == accepts_gzip(value));

	free(gzip_refused);
	free(gzip_added);
	free(upper);
	free(value);
	return 0;
}
