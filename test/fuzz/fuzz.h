/*
 * fuzz.h -- what the libFuzzer targets (test/fuzz/fuzz_*.c) share: a property check that
 * crashes loudly, so that libFuzzer saves the input that broke it.
 */
#ifndef TM_FUZZ_H
#define TM_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

#endif
