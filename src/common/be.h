/* SPDX-License-Identifier: ISC */
/*
 * Big-endian integers of 1 to 8 octets in octet strings: the journal,
 * MIKEY payloads and store keys all lay numbers out this way.
 */
#ifndef SKM_COMMON_BE_H
#define SKM_COMMON_BE_H

#include <stddef.h>
#include <stdint.h>

/* The low n octets of v to p[0..n-1], most significant first. */
static inline void
be_put(uint8_t *p, uint64_t v, size_t n)
{
	while (n > 0) {
		p[--n] = (uint8_t)v;
		v >>= 8;
	}
}

/* The n octets at p, most significant first. */
static inline uint64_t
be_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

#endif
