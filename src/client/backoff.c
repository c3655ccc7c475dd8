/* SPDX-License-Identifier: ISC */
/*
 * Capped exponential back-off with jitter. The doubling stops once the cap
 * is reached, so a long outage neither overflows nor stops retrying.
 */
#include <openssl/rand.h>

#include "client/backoff.h"

int64_t
backoff_delay(int64_t min_ms, int64_t max_ms, unsigned fails, uint64_t rnd)
{
	int64_t d;
	unsigned i;

	if (max_ms < 1)
		max_ms = 1;
	if (min_ms < 1)
		min_ms = 1;
	if (min_ms > max_ms)
		min_ms = max_ms;
	d = min_ms;
	for (i = 1; i < fails && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* Jitter: a uniform share of up to half the delay comes off. */
	d -= (int64_t)(rnd % (uint64_t)(d / 2 + 1));
	return d < 1 ? 1 : d;
}

int64_t
backoff_next(int64_t min_ms, int64_t max_ms, unsigned fails)
{
	uint64_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return backoff_delay(min_ms, max_ms, fails, r);
}
