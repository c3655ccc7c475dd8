/* SPDX-License-Identifier: ISC */
/*
 * SipHash-2-4 as specified in "SipHash: a fast short-input PRF" (see
 * siphash.h): words are read little-endian whatever the host order, and
 * the last word carries the input length in its top octet.
 */
#include "common/siphash.h"

#define ROTL(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

struct siphash_state {
	uint64_t v0, v1, v2, v3;
};

static void
siphash_round(struct siphash_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

/* Two compression rounds per word. */
static void
siphash_word(struct siphash_state *s, uint64_t m)
{
	s->v3 ^= m;
	siphash_round(s);
	siphash_round(s);
	s->v0 ^= m;
}

/* Written out so that the compiler makes it one load on a little-endian host. */
static uint64_t
siphash_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/* The last n < 8 octets. */
static uint64_t
siphash_tail(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	while (n-- > 0)
		w = (w << 8) | p[n];
	return w;
}

uint64_t
siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len)
{
	const uint8_t *p = in;
	uint64_t k0 = siphash_le64(key), k1 = siphash_le64(key + 8);
	struct siphash_state s = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	size_t left = len;

	for (; left >= 8; p += 8, left -= 8)
		siphash_word(&s, siphash_le64(p));
	siphash_word(&s, siphash_tail(p, left) | ((uint64_t)(len & 0xff) << 56));
	/* Four finalisation rounds. */
	s.v2 ^= 0xff;
	siphash_round(&s);
	siphash_round(&s);
	siphash_round(&s);
	siphash_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
