/* SPDX-License-Identifier: ISC */
/*
 * Montgomery arithmetic modulo 1024-bit odd moduli (p and q of SAKKE
 * parameter set 1). Every function runs in time independent of the limb
 * values: carries are propagated arithmetically and selections use masks.
 * This file must not hold curve, pairing or protocol logic.
 */
#include "lib/fp1024.h"
#include "lib/cpu.h"
#include "lib/fp1024_ifma.h"
#include "lib/safegcd.h"

#include <string.h>

typedef unsigned __int128 u128;	/* local helper type, not exported */

#define N FP1024_LIMBS

const struct fp1024_mod fp1024_p = {
	.m = {
		0x666d807afea85febULL, 0x80c5df10ac7ace87ULL, 0xfce3e82389857db0ULL, 0x9f94d6af56971f1fULL,
		0xa7cf3c521c3c09aaULL, 0xb6aff4a831852a82ULL, 0x512ac5cd65681ce1ULL, 0xe26c6487326b4cd4ULL,
		0x356d27f4a666a6d0ULL, 0xe791b39ff7c88a19ULL, 0x228730d531a59cb0ULL, 0xf40aab27e2fc0f1bULL,
		0xbe9ae358b3e01a2eULL, 0x416c0ce19cb48261ULL, 0x65c61198dad0657aULL, 0x997abb1f0a563fdaULL,
	},
	.n0 = 0x290420077c8f2f3dULL,
	.rr = {
		0xe199c8ceed17b0a1ULL, 0x7ffd8b4be3620f7fULL, 0xca865d5f4f76e245ULL, 0x623ff8dc27ecf5cbULL,
		0x229900e1d19bb697ULL, 0xed6aef26ea40c71fULL, 0xa3aed42cc906365cULL, 0x17d461b69eab6451ULL,
		0x2009367d7d666da9ULL, 0x8bcad1dcb63c1d56ULL, 0x5a126231c31a92dcULL, 0x5fb41b0eb8d94c5bULL,
		0xc113d394843f623cULL, 0x5d8d8e74f159f1ebULL, 0xae4ba7edb5d48c14ULL, 0x191640b9698af16aULL,
	},
	.one = {
		0x99927f850157a015ULL, 0x7f3a20ef53853178ULL, 0x031c17dc767a824fULL, 0x606b2950a968e0e0ULL,
		0x5830c3ade3c3f655ULL, 0x49500b57ce7ad57dULL, 0xaed53a329a97e31eULL, 0x1d939b78cd94b32bULL,
		0xca92d80b5999592fULL, 0x186e4c60083775e6ULL, 0xdd78cf2ace5a634fULL, 0x0bf554d81d03f0e4ULL,
		0x41651ca74c1fe5d1ULL, 0xbe93f31e634b7d9eULL, 0x9a39ee67252f9a85ULL, 0x668544e0f5a9c025ULL,
	},
};

const struct fp1024_mod fp1024_q = {
	.m = {
		0xd99b601ebfaa17fbULL, 0x203177c42b1eb3a1ULL, 0xff38fa08e2615f6cULL, 0xa7e535abd5a5c7c7ULL,
		0xa9f3cf14870f026aULL, 0x6dabfd2a0c614aa0ULL, 0x144ab173595a0738ULL, 0x389b1921cc9ad335ULL,
		0x4d5b49fd2999a9b4ULL, 0x39e46ce7fdf22286ULL, 0xc8a1cc354c69672cULL, 0xbd02aac9f8bf03c6ULL,
		0x6fa6b8d62cf8068bULL, 0x905b0338672d2098ULL, 0x9971846636b4195eULL, 0x265eaec7c2958ff6ULL,
	},
	.n0 = 0xb8a1d17d46eaa4cdULL,
	.rr = {
		0xda18351aab65130dULL, 0x53d2a86ff2ea3168ULL, 0x9cf2730004b7e984ULL, 0x7df33bab26caacf6ULL,
		0xbd9ffef9a4e7d523ULL, 0xe4baf1d588717ce0ULL, 0x24b1bbc4bc93533aULL, 0x9ad2dc261db57a34ULL,
		0x422970b3838d8f48ULL, 0x890491f5401df1e3ULL, 0xf3d2a16bbcb013beULL, 0x9b9de76d5595e10bULL,
		0x58d7c6f9f724bb45ULL, 0xb2074f8f97cac807ULL, 0x76271e07c569cadcULL, 0x14274810a10f335fULL,
	},
	.one = {
		0xe65bbf478203701eULL, 0x3ed73166fd47ca34ULL, 0x04aa23cab1b7c377ULL, 0x10a0bdf8fe1d5150ULL,
		0x04492584d5a5f180ULL, 0x6df81103b5b8403cULL, 0x863fd74be7e3d4adULL, 0xac5d6935345f0cc1ULL,
		0x2fdc4411066605c6ULL, 0xa4a572900c5330daULL, 0x4c3536c0358794f6ULL, 0x91efff442b85e957ULL,
		0x6217aafaf22fd8b9ULL, 0x9dddecad94f13c6dULL, 0x6756e59ab7c767c8ULL, 0x19c7e751707ea038ULL,
	},
};

/* A 192-bit accumulator (lo, mid, hi) += x * y; no data-dependent branch. */
#if defined(__x86_64__)
#define ACC(x, y) do {							\
	uint64_t ax_ = (x), dx_;					\
	__asm__("mulq %[yy]\n\t"					\
	    "addq %%rax, %[lo]\n\t"					\
	    "adcq %%rdx, %[mid]\n\t"					\
	    "adcq $0, %[hi]"						\
	    : [lo] "+r" (lo), [mid] "+r" (mid), [hi] "+r" (hi),	\
	      "+a" (ax_), "=d" (dx_)					\
	    : [yy] "rm" ((uint64_t)(y))					\
	    : "cc");							\
} while (0)
#else
#define ACC(x, y) do {							\
	u128 pp_ = (u128)(x) * (y);					\
	u128 s_ = ((u128)mid << 64 | lo) + pp_;				\
	hi += (uint64_t)(s_ < pp_);					\
	lo = (uint64_t)s_;						\
	mid = (uint64_t)(s_ >> 64);					\
} while (0)
#endif

/* r = t - m if that does not borrow past the top word c, else t. */
static void
fp1024_final_sub(uint64_t r[N], const uint64_t t[N], uint64_t c,
    const struct fp1024_mod *md)
{
	uint64_t s[N], keep;
	int i;

	keep = 0 - (uint64_t)(fp1024_sub_raw(s, t, md->m) > c);
	for (i = 0; i < N; i++)
		r[i] = (t[i] & keep) | (s[i] & ~keep);
}

void
fp1024_mul_generic(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
	uint64_t q[N], t[N], lo = 0, mid = 0, hi = 0;
	const uint64_t *n = md->m;
	int i, j;

	/*
	 * Product scanning with the reduction folded in (Koc's FIPS): column
	 * i of a * b + q * m, where q[i] makes the column's low word zero.
	 */
#pragma GCC unroll 16
	for (i = 0; i < N; i++) {
#pragma GCC unroll 16
		for (j = 0; j < i; j++) {
			ACC(a[j], b[i - j]);
			ACC(q[j], n[i - j]);
		}
		ACC(a[i], b[0]);
		q[i] = lo * md->n0;
		ACC(q[i], n[0]);
		lo = mid;
		mid = hi;
		hi = 0;
	}
#pragma GCC unroll 16
	for (i = N; i < 2 * N - 1; i++) {
#pragma GCC unroll 16
		for (j = i - N + 1; j < N; j++) {
			ACC(a[j], b[i - j]);
			ACC(q[j], n[i - j]);
		}
		t[i - N] = lo;
		lo = mid;
		mid = hi;
		hi = 0;
	}
	t[N - 1] = lo;
	/* The result is below 2m; mid holds its bit 1024. */
	fp1024_final_sub(r, t, mid, md);
}

void
fp1024_sqr_generic(uint64_t r[N], const uint64_t a[N],
    const struct fp1024_mod *md)
{
	/* A dedicated portable squaring measured slower than this product. */
	fp1024_mul_generic(r, a, a, md);
}

#if defined(__x86_64__)
/*
 * BMI2/ADX path: separated operand scanning (full product, then Montgomery
 * reduction) so that squaring can skip the symmetric half of the product.
 * Each row runs two independent carry chains, CF (adcx) for the low words
 * of the limb products and OF (adox) for the high words; mov leaves both
 * flags alone. Control flow depends only on the row index, never on a limb
 * value, so this path is as constant-time as the portable one.
 */
/* t[j] += lo(rdx * s[j]) on CF, t[j + 1] += hi on OF; X holds t[j]. */
#define STEP(j, X, Y)							\
	"movq 8*" #j "+8(%[t]), %[" Y "]\n\t"				\
	"mulxq 8*" #j "(%[s]), %[lo], %[hi]\n\t"			\
	"adcxq %[lo], %[" X "]\n\t"					\
	"adoxq %[hi], %[" Y "]\n\t"					\
	"movq %[" X "], 8*" #j "(%[t])\n\t"
#define SE(j)	STEP(j, "x", "y")
#define SO(j)	STEP(j, "y", "x")
#define R1	SE(0)
#define R2	R1 SO(1)
#define R3	R2 SE(2)
#define R4	R3 SO(3)
#define R5	R4 SE(4)
#define R6	R5 SO(5)
#define R7	R6 SE(6)
#define R8	R7 SO(7)
#define R9	R8 SE(8)
#define R10	R9 SO(9)
#define R11	R10 SE(10)
#define R12	R11 SO(11)
#define R13	R12 SE(12)
#define R14	R13 SO(13)
#define R15	R14 SE(14)
#define R16	R15 SO(15)

/*
 * t[0..len] += d * s[0..len-1] where t[len] is zero on entry, so no carry
 * can leave it. Y names the register that holds t[len] after the last step.
 */
#define ROWASM(steps, Y, len)						\
	__asm__ volatile("xorl %k[z], %k[z]\n\t"			\
	    "movq (%[t]), %[x]\n\t"					\
	    steps							\
	    "adcxq %[z], %[" Y "]\n\t"					\
	    "movq %[" Y "], 8*" #len "(%[t])\n\t"			\
	    : [x] "=&r" (x), [y] "=&r" (y), [lo] "=&r" (lo),		\
	      [hi] "=&r" (hi), [z] "=&r" (z)				\
	    : [t] "r" (t), [s] "r" (s), "d" (d)				\
	    : "cc", "memory")

static inline void
fp1024_row16_adx(uint64_t *t, const uint64_t *s, uint64_t d)
{
	uint64_t x, y, lo, hi, z;

	ROWASM(R16, "x", 16);
}

static void
fp1024_row_adx(uint64_t *t, const uint64_t *s, uint64_t d, int len)
{
	uint64_t x, y, lo, hi, z;

	switch (len) {
	case 1: ROWASM(R1, "y", 1); break;
	case 2: ROWASM(R2, "x", 2); break;
	case 3: ROWASM(R3, "y", 3); break;
	case 4: ROWASM(R4, "x", 4); break;
	case 5: ROWASM(R5, "y", 5); break;
	case 6: ROWASM(R6, "x", 6); break;
	case 7: ROWASM(R7, "y", 7); break;
	case 8: ROWASM(R8, "x", 8); break;
	case 9: ROWASM(R9, "y", 9); break;
	case 10: ROWASM(R10, "x", 10); break;
	case 11: ROWASM(R11, "y", 11); break;
	case 12: ROWASM(R12, "x", 12); break;
	case 13: ROWASM(R13, "y", 13); break;
	case 14: ROWASM(R14, "x", 14); break;
	case 15: ROWASM(R15, "y", 15); break;
	default: ROWASM(R16, "x", 16); break;
	}
}

/*
 * Montgomery reduction of the 2048-bit t in place: row i adds m * modulus
 * at word i so that word becomes zero. The carry out of row i belongs to
 * word i + 17, which row i + 1 adds as it closes its top word t[i + 17].
 * The result t[16..31] + c 2^1024 is below 2m.
 */
static void
fp1024_redc_adx(uint64_t r[N], uint64_t t[2 * N + 1],
    const struct fp1024_mod *md)
{
	const uint64_t *s = md->m;
	uint64_t x, y, lo, hi, z, c = 0, *tt;
	int i;

	for (i = 0; i < N; i++) {
		uint64_t d = t[i] * md->n0;

		tt = t + i;
		__asm__ volatile("xorl %k[z], %k[z]\n\t"
		    "movq (%[t]), %[x]\n\t"
		    R16
		    "adcxq %[c], %[x]\n\t"
		    "movq %[x], 8*16(%[t])\n\t"
		    "movl $0, %k[c]\n\t"
		    "adcxq %[z], %[c]\n\t"
		    "adoxq %[z], %[c]\n\t"
		    : [x] "=&r" (x), [y] "=&r" (y), [lo] "=&r" (lo),
		      [hi] "=&r" (hi), [z] "=&r" (z), [c] "+&r" (c)
		    : [t] "r" (tt), [s] "r" (s), "d" (d)
		    : "cc", "memory");
	}
	fp1024_final_sub(r, t + N, c, md);
}

/* r = (a b + c d) / R: the sum is below 2 m^2, so one reduction serves. */
static void
fp1024_mul_sum_adx(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const uint64_t c[N], const uint64_t d[N], const struct fp1024_mod *md)
{
	uint64_t t[2 * N + 1], u[2 * N + 1], carry = 0;
	u128 x;
	int i;

	memset(t, 0, sizeof(t));
	memset(u, 0, sizeof(u));
	for (i = 0; i < N; i++) {
		fp1024_row16_adx(t + i, b, a[i]);
		fp1024_row16_adx(u + i, d, c[i]);
	}
	for (i = 0; i < 2 * N; i++) {
		x = (u128)t[i] + u[i] + carry;
		t[i] = (uint64_t)x;
		carry = (uint64_t)(x >> 64);
	}
	/*
	 * For m < 0.7 R the reduction leaves m (2m / R + 1) < 2.4 m, below
	 * 2R, and one subtraction brings that below R: a second conditional
	 * subtraction finishes the job.
	 */
	fp1024_redc_adx(r, t, md);
	fp1024_final_sub(r, r, 0, md);
}

static void
fp1024_mul_adx(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
	uint64_t t[2 * N + 1];
	int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < N; i++)
		fp1024_row16_adx(t + i, b, a[i]);
	fp1024_redc_adx(r, t, md);
}

static void
fp1024_sqr_adx(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
	uint64_t t[2 * N + 1], x, y, lo, hi, z;
	int i;

	/* The products a[i] a[j], i < j, once each; then 2t + the squares. */
	memset(t, 0, sizeof(t));
	for (i = 0; i < N - 1; i++)
		fp1024_row_adx(t + 2 * i + 1, a + i + 1, a[i], N - 1 - i);
	__asm__ volatile("xorl %k[z], %k[z]\n\t"
#define DIAG(i)								\
	    "movq 8*" #i "(%[a]), %%rdx\n\t"				\
	    "mulxq %%rdx, %[lo], %[hi]\n\t"				\
	    "movq 16*" #i "(%[t]), %[x]\n\t"				\
	    "movq 16*" #i "+8(%[t]), %[y]\n\t"				\
	    "adcxq %[x], %[x]\n\t"					\
	    "adoxq %[lo], %[x]\n\t"					\
	    "adcxq %[y], %[y]\n\t"					\
	    "adoxq %[hi], %[y]\n\t"					\
	    "movq %[x], 16*" #i "(%[t])\n\t"				\
	    "movq %[y], 16*" #i "+8(%[t])\n\t"
	    DIAG(0) DIAG(1) DIAG(2) DIAG(3) DIAG(4) DIAG(5) DIAG(6) DIAG(7)
	    DIAG(8) DIAG(9) DIAG(10) DIAG(11) DIAG(12) DIAG(13) DIAG(14)
	    DIAG(15)
#undef DIAG
	    : [x] "=&r" (x), [y] "=&r" (y), [lo] "=&r" (lo),
	      [hi] "=&r" (hi), [z] "=&r" (z)
	    : [t] "r" (t), [a] "r" (a)
	    : "rdx", "cc", "memory");
	fp1024_redc_adx(r, t, md);
}
#endif

void
fp1024_mul(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
#if defined(__x86_64__)
	uint64_t t[N + 1];

	switch (cpu_level()) {
	case CPU_IFMA:
		fp1024_ifma_mul(t, a, b, md);
		fp1024_final_sub(r, t, t[N], md);
		return;
	case CPU_ADX:
		fp1024_mul_adx(r, a, b, md);
		return;
	default:
		break;
	}
#endif
	fp1024_mul_generic(r, a, b, md);
}

void
fp1024_mul_sum(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const uint64_t c[N], const uint64_t d[N], const struct fp1024_mod *md)
{
	uint64_t t[N + 1];

#if defined(__x86_64__)
	/*
	 * For m < 0.7 R one reduction leaves m (2m / R + 1) < 2.4 m: the
	 * first subtraction brings that below 1.4 m < R, a second below m.
	 */
	if (md->m[N - 1] < 0xb333333333333333ULL) {
		switch (cpu_level()) {
		case CPU_IFMA:
			fp1024_ifma_mul_sum(t, a, b, c, d, md);
			fp1024_final_sub(r, t, t[N], md);
			fp1024_final_sub(r, r, 0, md);
			return;
		case CPU_ADX:
			fp1024_mul_sum_adx(r, a, b, c, d, md);
			return;
		default:
			break;
		}
	}
#endif
	fp1024_mul(t, a, b, md);
	fp1024_mul(r, c, d, md);
	fp1024_add(r, r, t, md);
}

void
fp1024_sqr(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
#if defined(__x86_64__)
	switch (cpu_level()) {
	case CPU_IFMA:
		fp1024_mul(r, a, a, md);
		return;
	case CPU_ADX:
		fp1024_sqr_adx(r, a, md);
		return;
	default:
		break;
	}
#endif
	fp1024_sqr_generic(r, a, md);
}

/*
 * Carry chains through the add-with-carry builtins where the compiler has
 * them: it then emits one adc or sbb per limb instead of 128-bit sums.
 */
#if defined(__x86_64__)
#define ADDC(c, x, y, r)	__builtin_ia32_addcarryx_u64((c), (x), (y), \
				    (unsigned long long *)(r))
#define SUBB(c, x, y, r)	__builtin_ia32_sbb_u64((c), (x), (y), \
				    (unsigned long long *)(r))
#else
static unsigned char
addc_portable(unsigned char c, uint64_t x, uint64_t y, uint64_t *r)
{
	u128 s = (u128)x + y + c;

	*r = (uint64_t)s;
	return (unsigned char)(s >> 64);
}

static unsigned char
subb_portable(unsigned char c, uint64_t x, uint64_t y, uint64_t *r)
{
	u128 d = (u128)x - y - c;

	*r = (uint64_t)d;
	return (unsigned char)((d >> 64) & 1);
}
#define ADDC(c, x, y, r)	addc_portable((c), (x), (y), (r))
#define SUBB(c, x, y, r)	subb_portable((c), (x), (y), (r))
#endif

uint64_t
fp1024_sub_raw(uint64_t r[N], const uint64_t a[N], const uint64_t b[N])
{
	unsigned char borrow = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		borrow = SUBB(borrow, a[i], b[i], &r[i]);
	return borrow;
}

void
fp1024_add(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
	uint64_t t[N], s[N], keep;
	unsigned char carry = 0, borrow = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		carry = ADDC(carry, a[i], b[i], &t[i]);
#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		borrow = SUBB(borrow, t[i], md->m[i], &s[i]);
	keep = 0 - (uint64_t)(borrow > carry);
#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		r[i] = (t[i] & keep) | (s[i] & ~keep);
}

void
fp1024_sub(uint64_t r[N], const uint64_t a[N], const uint64_t b[N],
    const struct fp1024_mod *md)
{
	uint64_t t[N], mask;
	unsigned char borrow = 0, carry = 0;
	int i;

#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		borrow = SUBB(borrow, a[i], b[i], &t[i]);
	mask = 0 - (uint64_t)borrow;
#pragma GCC unroll 16
	for (i = 0; i < N; i++)
		carry = ADDC(carry, t[i], md->m[i] & mask, &r[i]);
}

void
fp1024_neg(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
	fp1024_cneg(r, a, ~(uint64_t)0, md);
}

void
fp1024_cneg(uint64_t r[N], const uint64_t a[N], uint64_t mask,
    const struct fp1024_mod *md)
{
	uint64_t t[N];

	/* m - a is m for a == 0; keep 0 there so the result stays < m. */
	fp1024_sub_raw(t, md->m, a);
	mask &= ~fp1024_is_zero(a);
	fp1024_cmov(t, a, ~mask);
	fp1024_copy(r, t);
}

void
fp1024_copy(uint64_t r[N], const uint64_t a[N])
{
	memmove(r, a, N * sizeof(uint64_t));
}

void
fp1024_cmov(uint64_t r[N], const uint64_t a[N], uint64_t mask)
{
	int i;

	for (i = 0; i < N; i++)
		r[i] ^= (r[i] ^ a[i]) & mask;
}

uint64_t
fp1024_is_zero(const uint64_t a[N])
{
	uint64_t acc = 0;
	int i;

	for (i = 0; i < N; i++)
		acc |= a[i];
	/* (acc | -acc) has its top bit set iff acc != 0. */
	return ((acc | (0 - acc)) >> 63) - 1;
}

uint64_t
fp1024_eq(const uint64_t a[N], const uint64_t b[N])
{
	uint64_t d[N];
	int i;

	for (i = 0; i < N; i++)
		d[i] = a[i] ^ b[i];
	return fp1024_is_zero(d);
}

uint64_t
fp1024_lt(const uint64_t a[N], const uint64_t b[N])
{
	uint64_t t[N];

	return 0 - fp1024_sub_raw(t, a, b);
}

void
fp1024_to_mont(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
	fp1024_mul(r, a, md->rr, md);
}

void
fp1024_from_mont(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
	static const uint64_t one[N] = { 1 };

	fp1024_mul(r, a, one, md);
}

void
fp1024_from_bytes(uint64_t r[N], const uint8_t *in, size_t len)
{
	size_t i;

	memset(r, 0, N * sizeof(uint64_t));
	for (i = 0; i < len && i < FP1024_BYTES; i++)
		r[i / 8] |= (uint64_t)in[len - 1 - i] << (8 * (i % 8));
}

void
fp1024_to_bytes(uint8_t out[FP1024_BYTES], const uint64_t a[N])
{
	int i;

	for (i = 0; i < FP1024_BYTES; i++)
		out[FP1024_BYTES - 1 - i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

void
fp1024_pow_public(uint64_t r[N], const uint64_t a[N], const uint64_t e[N],
    const struct fp1024_mod *md)
{
	uint64_t tab[16][N], acc[N];
	unsigned int w;
	int i, k;

	/* Fixed 4-bit windows; only the public exponent picks table rows. */
	fp1024_copy(tab[0], md->one);
	fp1024_copy(tab[1], a);
	for (i = 2; i < 16; i++)
		fp1024_mul(tab[i], tab[i - 1], a, md);
	fp1024_copy(acc, md->one);
	for (i = 16 * N - 1; i >= 0; i--) {
		for (k = 0; k < 4; k++)
			fp1024_sqr(acc, acc, md);
		w = (unsigned int)(e[i / 16] >> (4 * (i % 16))) & 15;
		fp1024_mul(acc, acc, tab[w], md);
	}
	fp1024_copy(r, acc);
}

void
fp1024_inv(uint64_t r[N], const uint64_t a[N], const struct fp1024_mod *md)
{
	uint64_t t[N], r3[N];

	/* safegcd gives (a R)^-1; times R^3 / R gives a^-1 R. */
	safegcd_inv(t, a, md->m);
	fp1024_mul(r3, md->rr, md->rr, md);
	fp1024_mul(r, t, r3, md);
}

void
fp1024_inv_batch(uint64_t (*a)[N], uint64_t (*tmp)[N], size_t n,
    const struct fp1024_mod *md)
{
	uint64_t inv[N], t[N];
	size_t i;

	if (n == 0)
		return;
	fp1024_copy(tmp[0], a[0]);
	for (i = 1; i < n; i++)
		fp1024_mul(tmp[i], tmp[i - 1], a[i], md);
	fp1024_inv(inv, tmp[n - 1], md);
	for (i = n - 1; i > 0; i--) {
		fp1024_mul(t, inv, tmp[i - 1], md);
		fp1024_mul(inv, inv, a[i], md);
		fp1024_copy(a[i], t);
	}
	fp1024_copy(a[0], inv);
}
