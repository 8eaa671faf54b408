/*
 * monotonic.h -- the monotonic clock in milliseconds, for deadlines and pauses (never the
 * wall clock, which can jump).
 */
#ifndef TM_MONOTONIC_H
#define TM_MONOTONIC_H

#include <time.h>

static inline long long
clock_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline long long
monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/*
 * The same clock as the kernel last advanced it, at its tick (a few ms): cheaper to read,
 * for deadlines of seconds read on every request (connection_guard.c).
 */
static inline long long
monotonic_coarse_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC_COARSE);
}

#endif
