/* SPDX-License-Identifier: ISC */
/*
 * Reconnection delays of a client that keeps a channel to a server open:
 * exponential from a first delay, capped, and jittered downwards by up to
 * half so that a fleet cut off at once does not come back at once. A pure
 * function of its inputs; the caller draws the randomness and sleeps.
 */
#ifndef SKM_CLIENT_BACKOFF_H
#define SKM_CLIENT_BACKOFF_H

#include <stdint.h>

/*
 * The delay before attempt fails + 1, after fails (>= 1) failures in a
 * row, in the unit of min and max (skmc listen: ms, skmc watch: s):
 * min * 2^(fails - 1), at most max, less rnd % (that / 2 + 1); never
 * below 1 nor above max. min > max is taken as max.
 */
int64_t backoff_delay(int64_t min, int64_t max, unsigned fails, uint64_t rnd);

/* backoff_delay with a fresh random value (OpenSSL RAND; 0 if it fails). */
int64_t backoff_next(int64_t min, int64_t max, unsigned fails);

#endif
