/* SPDX-License-Identifier: ISC */
/*
 * Montgomery arithmetic mod the P-256 order q and prime p, four limbs, in
 * constant time: carries and borrows become masks, never branches. Used
 * for every operation on ECCSI secrets (KSAK, v, SSK, j) and for the
 * fixed-base field arithmetic. Must not grow data-dependent shortcuts;
 * the one variable-time function, p256n_inv_vartime, says so in its name
 * and serves public values only.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "lib/cpu.h"
#include "lib/p256n.h"
#include "lib/p256n_adx.h"
#include "lib/safegcd.h"

typedef unsigned __int128 u128;

/* the limb helpers must melt into straight-line code with constant moduli */
#define P256N_INLINE	static inline __attribute__((always_inline))

const struct p256n_mod p256n_q = {
	.m = { 0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL,
	    0xffffffffffffffffULL, 0xffffffff00000000ULL },
	.n0 = 0xccd1c8aaee00bc4fULL,
	.r2 = { 0x83244c95be79eea2ULL, 0x4699799c49bd6fa6ULL,
	    0x2845b2392b6bec59ULL, 0x66e12d94f3d95620ULL },
	.r3 = { 0xac8ebec90b65a624ULL, 0x111f28ae0c0555c9ULL,
	    0x2543b9246ba5e93fULL, 0x503a54e76407be65ULL },
	.one = { 0x0c46353d039cdaafULL, 0x4319055258e8617bULL,
	    0x0000000000000000ULL, 0x00000000ffffffffULL },
};

const struct p256n_mod p256n_p = {
	.m = { 0xffffffffffffffffULL, 0x00000000ffffffffULL,
	    0x0000000000000000ULL, 0xffffffff00000001ULL },
	.n0 = 0x1ULL,
	.r2 = { 0x0000000000000003ULL, 0xfffffffbffffffffULL,
	    0xfffffffffffffffeULL, 0x00000004fffffffdULL },
	.r3 = { 0xfffffffd0000000aULL, 0xffffffedfffffff7ULL,
	    0x00000005fffffffcULL, 0x0000001800000001ULL },
	.one = { 0x0000000000000001ULL, 0xffffffff00000000ULL,
	    0xffffffffffffffffULL, 0x00000000fffffffeULL },
};

void
p256n_from_bytes(uint64_t r[4], const uint8_t in[32])
{
	int i, j;

	for (i = 0; i < 4; i++) {
		uint64_t w = 0;

		for (j = 0; j < 8; j++)
			w = w << 8 | in[(3 - i) * 8 + j];
		r[i] = w;
	}
}

void
p256n_to_bytes(uint8_t out[32], const uint64_t a[4])
{
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			out[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

uint64_t
p256n_lt(const uint64_t a[4], const uint64_t b[4])
{
	uint64_t borrow = 0;
	int i;

	for (i = 0; i < 4; i++) {
		u128 d = (u128)a[i] - b[i] - borrow;

		borrow = (uint64_t)(d >> 64) & 1;
	}
	return 0 - borrow;
}

uint64_t
p256n_is_zero(const uint64_t a[4])
{
	uint64_t x = a[0] | a[1] | a[2] | a[3];

	/* x | -x has the top bit set iff x != 0 */
	return ((x | (0 - x)) >> 63) - 1;
}

/* r = t - m if t >= m (t given as 4 limbs and a top carry), else t. */
P256N_INLINE void
reduce_once(const struct p256n_mod *md, uint64_t r[4], uint64_t t0, uint64_t t1,
    uint64_t t2, uint64_t t3, uint64_t top)
{
	uint64_t d0, d1, d2, d3, borrow = 0, keep;

	d0 = p256n_sbb(t0, md->m[0], &borrow);
	d1 = p256n_sbb(t1, md->m[1], &borrow);
	d2 = p256n_sbb(t2, md->m[2], &borrow);
	d3 = p256n_sbb(t3, md->m[3], &borrow);
	/* keep t iff the 5-limb difference top - borrow went negative */
	keep = 0 - (~top & borrow & 1);
	r[0] = (t0 & keep) | (d0 & ~keep);
	r[1] = (t1 & keep) | (d1 & ~keep);
	r[2] = (t2 & keep) | (d2 & ~keep);
	r[3] = (t3 & keep) | (d3 & ~keep);
}

P256N_INLINE uint64_t
mac(uint64_t a, uint64_t b, uint64_t c, uint64_t *carry)
{
	u128 t = (u128)a * b + c + *carry;

	*carry = (uint64_t)(t >> 64);
	return (uint64_t)t;
}

/*
 * One Montgomery step on t0..t4: add mm m so that t0 becomes 0. *hi
 * carries the overflow of the previous step, which belongs at t4. For p,
 * n0 = 1 and m = (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1): mm = t0 and
 * t0 + mm m[0] = mm 2^64, so two multiplications do.
 */
P256N_INLINE void
redc_step(const struct p256n_mod *md, int is_p, uint64_t *t0, uint64_t *t1,
    uint64_t *t2, uint64_t *t3, uint64_t *t4, uint64_t *hi)
{
	uint64_t mm, c = 0, c2;

	if (is_p) {
		mm = *t0;
		c = mm;
		*t1 = mac(mm, md->m[1], *t1, &c);
		c2 = 0;
		*t2 = p256n_adc(*t2, c, &c2);
		c = c2;
		*t3 = mac(mm, md->m[3], *t3, &c);
	} else {
		mm = *t0 * md->n0;
		(void)mac(mm, md->m[0], *t0, &c);
		*t1 = mac(mm, md->m[1], *t1, &c);
		*t2 = mac(mm, md->m[2], *t2, &c);
		*t3 = mac(mm, md->m[3], *t3, &c);
	}
	c2 = *hi;
	*t4 = p256n_adc(*t4, c, &c2);
	*hi = c2;
}

/* One row of the product: t0..t4 += a b (t4 receives the top limb). */
P256N_INLINE void
mul_row(const uint64_t a[4], uint64_t b, uint64_t *t0, uint64_t *t1, uint64_t *t2,
    uint64_t *t3, uint64_t *t4)
{
	uint64_t c = 0;

	*t0 = mac(a[0], b, *t0, &c);
	*t1 = mac(a[1], b, *t1, &c);
	*t2 = mac(a[2], b, *t2, &c);
	*t3 = mac(a[3], b, *t3, &c);
	*t4 = c;
}

/* Four Montgomery steps on the 512-bit t0..t7, then the final subtraction. */
P256N_INLINE void
mont_redc(const struct p256n_mod *md, int is_p, uint64_t r[4], uint64_t t0,
    uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4, uint64_t t5, uint64_t t6,
    uint64_t t7)
{
	uint64_t hi = 0;

	redc_step(md, is_p, &t0, &t1, &t2, &t3, &t4, &hi);
	redc_step(md, is_p, &t1, &t2, &t3, &t4, &t5, &hi);
	redc_step(md, is_p, &t2, &t3, &t4, &t5, &t6, &hi);
	redc_step(md, is_p, &t3, &t4, &t5, &t6, &t7, &hi);
	reduce_once(md, r, t4, t5, t6, t7, hi);
}

/* Written out limb by limb: compilers keep it in registers at -O2. */
P256N_INLINE void
mont_mul(const struct p256n_mod *md, int is_p, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4, t5, t6, t7;

	/* SOS: the 512-bit product, then the reduction */
	mul_row(a, b[0], &t0, &t1, &t2, &t3, &t4);
	mul_row(a, b[1], &t1, &t2, &t3, &t4, &t5);
	mul_row(a, b[2], &t2, &t3, &t4, &t5, &t6);
	mul_row(a, b[3], &t3, &t4, &t5, &t6, &t7);
	mont_redc(md, is_p, r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* The square: six cross products doubled plus four squares. */
P256N_INLINE void
mont_sqr(const struct p256n_mod *md, int is_p, uint64_t r[4], const uint64_t a[4])
{
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7, c = 0;
	u128 sq;

	t1 = mac(a[0], a[1], 0, &c);
	t2 = mac(a[0], a[2], 0, &c);
	t3 = mac(a[0], a[3], 0, &c);
	t4 = c;
	c = 0;
	t3 = mac(a[1], a[2], t3, &c);
	t4 = mac(a[1], a[3], t4, &c);
	t5 = c;
	c = 0;
	t5 = mac(a[2], a[3], t5, &c);
	t6 = c;
	t7 = t6 >> 63;
	t6 = t6 << 1 | t5 >> 63;
	t5 = t5 << 1 | t4 >> 63;
	t4 = t4 << 1 | t3 >> 63;
	t3 = t3 << 1 | t2 >> 63;
	t2 = t2 << 1 | t1 >> 63;
	t1 <<= 1;
	c = 0;
	sq = (u128)a[0] * a[0];
	t0 = (uint64_t)sq;
	t1 = p256n_adc(t1, (uint64_t)(sq >> 64), &c);
	sq = (u128)a[1] * a[1];
	t2 = p256n_adc(t2, (uint64_t)sq, &c);
	t3 = p256n_adc(t3, (uint64_t)(sq >> 64), &c);
	sq = (u128)a[2] * a[2];
	t4 = p256n_adc(t4, (uint64_t)sq, &c);
	t5 = p256n_adc(t5, (uint64_t)(sq >> 64), &c);
	sq = (u128)a[3] * a[3];
	t6 = p256n_adc(t6, (uint64_t)sq, &c);
	t7 = p256n_adc(t7, (uint64_t)(sq >> 64), &c);
	mont_redc(md, is_p, r, t0, t1, t2, t3, t4, t5, t6, t7);
}

#if defined(__x86_64__)
/*
 * The BMI2/ADX product (cpu_level() >= CPU_ADX): CIOS, each row adding
 * a b_i and then mm m with mm = t0 n0, so t0 becomes zero and the row's
 * words shift down one. The two carry chains run on CF (adcx, low words)
 * and OF (adox, high words). Six registers rotate through the roles t0..t5:
 * the zeroed t0 of one row is the empty t5 of the next. Control flow and
 * addresses never depend on a value.
 */
#define P256N_MAC(src, X, Y)						\
	"mulxq " src ", %[lo], %[hi]\n\t"				\
	"adcxq %[lo], %[" X "]\n\t"					\
	"adoxq %[hi], %[" Y "]\n\t"
#define P256N_TAIL(T4, T5)						\
	"adoxq %[z], %[" T5 "]\n\t"					\
	"adcxq %[z], %[" T4 "]\n\t"					\
	"adcxq %[z], %[" T5 "]\n\t"
#define P256N_ROW(off, T0, T1, T2, T3, T4, T5)				\
	"movq " #off "(%[b]), %%rdx\n\t"				\
	"xorl %k[z], %k[z]\n\t"						\
	P256N_MAC("0(%[a])", T0, T1)					\
	P256N_MAC("8(%[a])", T1, T2)					\
	P256N_MAC("16(%[a])", T2, T3)					\
	P256N_MAC("24(%[a])", T3, T4)					\
	P256N_TAIL(T4, T5)						\
	"movq %[" T0 "], %%rdx\n\t"					\
	"imulq %[n0], %%rdx\n\t"					\
	"xorl %k[z], %k[z]\n\t"						\
	P256N_MAC("0(%[m])", T0, T1)					\
	P256N_MAC("8(%[m])", T1, T2)					\
	P256N_MAC("16(%[m])", T2, T3)					\
	P256N_MAC("24(%[m])", T3, T4)					\
	P256N_TAIL(T4, T5)

/* a < 2^256, b < m (or the reverse): the result before reduce_once is < 2m. */
static void
mont_mul_adx(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, lo, hi, z;

	__asm__ volatile(
	    P256N_ROW(0, "r0", "r1", "r2", "r3", "r4", "r5")
	    P256N_ROW(8, "r1", "r2", "r3", "r4", "r5", "r0")
	    P256N_ROW(16, "r2", "r3", "r4", "r5", "r0", "r1")
	    P256N_ROW(24, "r3", "r4", "r5", "r0", "r1", "r2")
	    : [r0] "+&r" (r0), [r1] "+&r" (r1), [r2] "+&r" (r2),
	      [r3] "+&r" (r3), [r4] "+&r" (r4), [r5] "+&r" (r5),
	      [lo] "=&r" (lo), [hi] "=&r" (hi), [z] "=&r" (z)
	    : [a] "r" (a), [b] "r" (b), [m] "r" (md->m), [n0] "m" (md->n0)
	    : "rdx", "cc", "memory");
	reduce_once(md, r, r4, r5, r0, r1, r2);
}
#endif

void
p256n_mul(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		mont_mul_adx(md, r, a, b);
		return;
	}
#endif
	/* constant moduli let the compiler fold m and n0 into the code */
	if (md == &p256n_p)
		p256n_fp_mul(r, a, b);
	else if (md == &p256n_q)
		mont_mul(&p256n_q, 0, r, a, b);
	else
		mont_mul(md, 0, r, a, b);
}

void
p256n_sqr(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4])
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		mont_mul_adx(md, r, a, a);
		return;
	}
#endif
	if (md == &p256n_p)
		p256n_fp_sqr(r, a);
	else if (md == &p256n_q)
		mont_sqr(&p256n_q, 0, r, a);
	else
		mont_sqr(md, 0, r, a);
}

P256N_INLINE void
mod_add(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	uint64_t s0, s1, s2, s3, carry = 0;

	s0 = p256n_adc(a[0], b[0], &carry);
	s1 = p256n_adc(a[1], b[1], &carry);
	s2 = p256n_adc(a[2], b[2], &carry);
	s3 = p256n_adc(a[3], b[3], &carry);
	reduce_once(md, r, s0, s1, s2, s3, carry);
}

P256N_INLINE void
mod_sub(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	uint64_t d0, d1, d2, d3, borrow = 0, mask, carry = 0;

	d0 = p256n_sbb(a[0], b[0], &borrow);
	d1 = p256n_sbb(a[1], b[1], &borrow);
	d2 = p256n_sbb(a[2], b[2], &borrow);
	d3 = p256n_sbb(a[3], b[3], &borrow);
	/* add m back when the difference went negative */
	mask = 0 - borrow;
	r[0] = p256n_adc(d0, md->m[0] & mask, &carry);
	r[1] = p256n_adc(d1, md->m[1] & mask, &carry);
	r[2] = p256n_adc(d2, md->m[2] & mask, &carry);
	r[3] = p256n_adc(d3, md->m[3] & mask, &carry);
}

void
p256n_add(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	mod_add(md, r, a, b);
}

void
p256n_sub(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4],
    const uint64_t b[4])
{
	mod_sub(md, r, a, b);
}

/*
 * The portable field products out of line, so that the dispatch below
 * compiles to a test and a tail call with no register saves of its own:
 * the point formulas call it about 1,200 times per ECCSI derivation.
 */
static __attribute__((noinline)) void
fp_mul_portable(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	mont_mul(&p256n_p, 1, r, a, b);
}

static __attribute__((noinline)) void
fp_sqr_portable(uint64_t r[4], const uint64_t a[4])
{
	mont_sqr(&p256n_p, 1, r, a);
}

/* The field prime with its constants folded in, for the point formulas. */
void
p256n_fp_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		p256n_fp_mul_adx(r, a, b);
		return;
	}
#endif
	fp_mul_portable(r, a, b);
}

void
p256n_fp_sqr(uint64_t r[4], const uint64_t a[4])
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		p256n_fp_sqr_adx(r, a);
		return;
	}
#endif
	fp_sqr_portable(r, a);
}

void
p256n_to_mont(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4])
{
	p256n_mul(md, r, a, md->r2);
}

void
p256n_from_mont(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4])
{
	static const uint64_t one[4] = { 1, 0, 0, 0 };

	p256n_mul(md, r, a, one);
}

void
p256n_reduce512(const struct p256n_mod *md, uint64_t r[4], const uint8_t in[64])
{
	uint64_t hi[4], lo[4], t[4];

	/* (hi R + lo) R = hi R^3 R^-1 + lo R^2 R^-1 */
	p256n_from_bytes(hi, in);
	p256n_from_bytes(lo, in + 32);
	p256n_mul(md, t, hi, md->r3);
	p256n_mul(md, r, lo, md->r2);
	p256n_add(md, r, r, t);
}

/*
 * a = x R in, x^-1 R out: safegcd gives (x R)^-1 = x^-1 R^-1, and one
 * product with R^3 lifts it back. Constant time, like the rest.
 */
void
p256n_inv(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4])
{
	uint64_t t[4];

	safegcd_inv256(t, a, md->m);
	p256n_mul(md, r, t, md->r3);
	OPENSSL_cleanse(t, sizeof(t));
}

/* As p256n_inv, in variable time: the value is public. */
void
p256n_inv_vartime(const struct p256n_mod *md, uint64_t r[4], const uint64_t a[4])
{
	uint64_t t[4];

	safegcd_inv256_var(t, a, md->m);
	p256n_mul(md, r, t, md->r3);
}
