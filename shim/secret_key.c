/*
 * secret_key.c -- refuses the keys an attacker would try first: the development key of this
 * source, short keys, and keys of low variety (one character repeated, a short pattern
 * repeated, a handful of distinct characters), whatever their length.
 */
#include "secret_key.h"

#include <stdbool.h>
#include <string.h>

const char	development_secret_key[] = "ticketmonster-development-key-not-for-production";

/*
 * At least this many distinct characters: `openssl rand -hex 16` (32 hex digits) has about
 * 14.6 on average and fewer than 9 with a probability under 1e-6.
 */
enum { MIN_DISTINCT_CHARACTERS = 9 };

/* True if `key` (length n) is a shorter string repeated, e.g. "abcabcabc..." or "0123..." twice. */
static bool
is_repetition(const char *key, size_t n)
{
	for (size_t period = 1; period <= n / 2; period++)
	{
		size_t		i = period;

		while (i < n && key[i] == key[i - period])
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static size_t
distinct_characters(const char *key)
{
	bool		seen[256] = {false};
	size_t		count = 0;

	for (const unsigned char *p = (const unsigned char *) key; *p; p++)
		if (!seen[*p])
			seen[*p] = true, count++;
	return count;
}

const char *
secret_key_weakness(const char *key)
{
	size_t		n = key ? strlen(key) : 0;

	if (n == 0)
		return "not set";
	if (strcmp(key, development_secret_key) == 0 || strstr(key, "development-key"))
		return "the development key published in the source code";
	if (n < MIN_SECRET_KEY_LENGTH)
		return "shorter than 32 characters";
	if (distinct_characters(key) < MIN_DISTINCT_CHARACTERS || is_repetition(key, n))
		return "of low variety (too few distinct characters, or a pattern repeated)";
	return NULL;
}
