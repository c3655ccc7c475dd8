/* SPDX-License-Identifier: ISC */
/*
 * Capped exponential back-off with jitter. The doubling stops once the cap
 * is reached, so a long outage neither overflows nor stops retrying.
 */
#include <openssl/rand.h>

#include "client/backoff.h"

int64_t
backoff_delay(int64_t min, int64_t max, unsigned fails, uint64_t rnd)
{
	int64_t d;
	unsigned i;

	if (max < 1)
		max = 1;
	if (min < 1)
		min = 1;
	if (min > max)
		min = max;
	d = min;
	for (i = 1; i < fails && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	/* Jitter: a uniform share of up to half the delay comes off. */
	d -= (int64_t)(rnd % (uint64_t)(d / 2 + 1));
	return d < 1 ? 1 : d;
}

int64_t
backoff_next(int64_t min, int64_t max, unsigned fails)
{
	uint64_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return backoff_delay(min, max, fails, r);
}
