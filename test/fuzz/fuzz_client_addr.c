/*
 * fuzz_client_addr.c -- libFuzzer target for client_addr_last_forwarded (test/fuzz/run).
 *
 * Input: an X-Forwarded-For value up to the first NUL. Checked against a reference written
 * differently (scan back from the end, trim, inet_pton): an address comes out exactly when
 * the last entry is one; it is then canonical (parsing it again gives itself), short, and
 * free of commas and blanks, so that no client can make it carry anything else.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client_addr.h"
#include "fuzz.h"

static int
reference_valid(const char *value)
{
	const char *end = value + strlen(value);
	const char *start = end;
	char		entry[CLIENT_ADDR_SIZE];
	unsigned char buf[sizeof(struct in6_addr)];
	size_t		len;

	while (start > value && start[-1] != ',')
		start--;
	while (*start == ' ' || *start == '\t')
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t) (end - start);
	if (len == 0 || len >= sizeof(entry))
		return 0;
	memcpy(entry, start, len);
	entry[len] = '\0';
	return inet_pton(AF_INET, entry, buf) == 1 || inet_pton(AF_INET6, entry, buf) == 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *input = strndup((const char *) data, size);
	char		out[CLIENT_ADDR_SIZE];
	char		again[CLIENT_ADDR_SIZE];
	int			ok = client_addr_last_forwarded(input, out);

	CHECK(ok == reference_valid(input));
	if (ok)
	{
		CHECK(strlen(out) > 0 && strlen(out) < CLIENT_ADDR_SIZE);
		CHECK(strpbrk(out, ", \t\r\n") == NULL);
		CHECK(client_addr_last_forwarded(out, again));
		CHECK(strcmp(out, again) == 0);
	}
	free(input);
	return 0;
}
