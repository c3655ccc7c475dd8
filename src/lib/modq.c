/* SPDX-License-Identifier: ISC */
/*
 * Scalar arithmetic modulo q for SAKKE: reduction of hash outputs and
 * identifiers, a + z, r * b and the inverses of RFC 6508 6.1.1. Built on the
 * Montgomery core in fp1024.c; no secret-dependent branch or index.
 */
#include "lib/modq.h"

#include <string.h>

#define N FP1024_LIMBS

/* r = a - m when a >= m, else a; m is public. */
static void
modq_csub(uint64_t a[N], const uint64_t m[N])
{
	uint64_t t[N];

	fp1024_cmov(a, t, fp1024_sub_raw(t, a, m) - 1);
}

void
modq_from_bytes(uint64_t r[N], const uint8_t *in, size_t len)
{
	uint64_t m2[N], m4[N];
	int i;

	/* Any 1024-bit value is below 8q (q > 2^1021): subtract 4q, 2q, q. */
	for (i = 0; i < N; i++) {
		m2[i] = fp1024_q.m[i] << 1 | (i ? fp1024_q.m[i - 1] >> 63 : 0);
		m4[i] = fp1024_q.m[i] << 2 | (i ? fp1024_q.m[i - 1] >> 62 : 0);
	}
	fp1024_from_bytes(r, in, len);
	modq_csub(r, m4);
	modq_csub(r, m2);
	modq_csub(r, fp1024_q.m);
}

uint64_t
modq_is_secret_range(const uint64_t a[N])
{
	static const uint64_t two[N] = { 2 };

	return fp1024_lt(a, fp1024_q.m) & ~fp1024_lt(a, two);
}

void
modq_add(uint64_t r[N], const uint64_t a[N], const uint64_t b[N])
{
	fp1024_add(r, a, b, &fp1024_q);
}

void
modq_mul(uint64_t r[N], const uint64_t a[N], const uint64_t b[N])
{
	uint64_t t[N];

	/* (a b / R) * R^2 / R = a b. */
	fp1024_mul(t, a, b, &fp1024_q);
	fp1024_mul(r, t, fp1024_q.rr, &fp1024_q);
}

void
modq_inv(uint64_t r[N], const uint64_t a[N])
{
	uint64_t t[N];

	fp1024_to_mont(t, a, &fp1024_q);
	fp1024_inv(t, t, &fp1024_q);
	fp1024_from_mont(r, t, &fp1024_q);
}

void
modq_inv_batch(uint64_t (*a)[N], uint64_t (*tmp)[N], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fp1024_to_mont(a[i], a[i], &fp1024_q);
	fp1024_inv_batch(a, tmp, n, &fp1024_q);
	for (i = 0; i < n; i++)
		fp1024_from_mont(a[i], a[i], &fp1024_q);
}

int
modq_nwin(int w)
{
	/*
	 * w * nwin >= 1023 leaves the top window of a k < 2^1022 below
	 * 2^(w-1), so its digit absorbs the incoming carry.
	 */
	return (1023 + w - 1) / w;
}

void
modq_recode_step_w(uint64_t *mag, uint64_t *neg, uint64_t *carry,
    const uint64_t k[N], int i, int w)
{
	uint64_t bits = 0, v;
	int off = w * i;

	if (off / 64 < N) {
		bits = k[off / 64] >> (off % 64);
		if (off % 64 > 64 - w && off / 64 + 1 < N)
			bits |= k[off / 64 + 1] << (64 - off % 64);
	}
	v = (bits & (((uint64_t)1 << w) - 1)) + *carry;
	/* v > 2^(w-1): borrow from the next window. */
	*carry = (v + ((uint64_t)1 << (w - 1)) - 1) >> w;
	v -= *carry << w;
	*neg = 0 - (v >> 63);
	*mag = (v ^ *neg) - *neg;
}

void
modq_recode_step(uint64_t *mag, uint64_t *neg, uint64_t *carry, const uint64_t k[N],
    int i)
{
	modq_recode_step_w(mag, neg, carry, k, i, 5);
}

void
modq_recode(uint64_t mag[MODQ_NWIN], uint64_t neg[MODQ_NWIN], const uint64_t k[N])
{
	uint64_t carry = 0;
	int i;

	for (i = 0; i < MODQ_NWIN; i++)
		modq_recode_step(&mag[i], &neg[i], &carry, k, i);
}
