/*
 * monotonic.h -- the monotonic clock in milliseconds, for deadlines and pauses (never the
 * wall clock, which can jump). The coarse clock, which the kernel advances at each tick (a
 * few ms): deadlines of seconds need no finer one, and a connection's are set three times
 * per request.
 */
#ifndef TM_MONOTONIC_H
#define TM_MONOTONIC_H

#include <time.h>

static inline long long
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
