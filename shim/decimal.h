/*
 * decimal.h -- an unsigned number in decimal, for text built on every request (the log line,
 * a cache key) without printf: its format parsing was about 5% of the web process's CPU per
 * cached GET /events.
 */
#ifndef TM_DECIMAL_H
#define TM_DECIMAL_H

/* Writes `value` at `out` (at most 20 digits, no NUL); returns the end. */
static inline char *
put_decimal(char *out, unsigned long long value)
{
	char		digits[20];
	int			n = 0;

	do
		digits[n++] = (char) ('0' + value % 10);
	while ((value /= 10) != 0);
	while (n > 0)
		*out++ = digits[--n];
	return out;
}

#endif
