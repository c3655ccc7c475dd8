/* SPDX-License-Identifier: ISC */
/*
 * The BMI2/ADX product and square modulo the P-256 field prime, inline so
 * that the point formulas (p256.c) run them without a call; p256n.c wraps
 * them as p256n_fp_mul and p256n_fp_sqr. Call them only when cpu_level()
 * is at least CPU_ADX. Constant time: no branch or address depends on a
 * value (the final subtraction is undone by conditional moves, data flow
 * rather than control flow). Nothing here knows about points.
 */
#ifndef SKM_LIB_P256N_ADX_H
#define SKM_LIB_P256N_ADX_H

#include <stdint.h>

#include "lib/p256n.h"

#if defined(__x86_64__)
/* p's top limb, a memory operand of mulx (each file its own copy) */
static const uint64_t p256n_adx_p3 = 0xffffffff00000001ULL;

/* lo:hi = rdx src; lo on the CF chain into X, hi on the OF chain into Y */
#define P256N_FMAC(src, X, Y)						\
	"mulxq " src ", %[lo], %[hi]\n\t"				\
	"adcxq %[lo], %[" X "]\n\t"					\
	"adoxq %[hi], %[" Y "]\n\t"

/*
 * The product for m = p (SOS): first the 512-bit a b, one row per limb of
 * b, then four Montgomery steps. n0 = 1, so step k's multiplier mm is t_k
 * itself, and p's form turns most of mm p into shifts: with p0 = 2^64 - 1,
 * p1 = 2^32 - 1 and p2 = 0, t_k + mm (p0 + p1 2^64) = mm 2^96, so a step
 * adds mm << 32 at t_k+1, mm >> 32 at t_k+2 and mm p3 (one mulx) at t_k+3,
 * t_k+4, and the carry ripples to t7. For a < 2^256 and b < p the sum
 * stays below 2^512 until the last step, whose carry is the top bit. No
 * branch or address depends on a value.
 */
#define P256N_PROW0							\
	"movq 0(%[b]), %%rdx\n\t"					\
	"mulxq 0(%[a]), %[t0], %[t1]\n\t"				\
	"mulxq 8(%[a]), %[lo], %[t2]\n\t"				\
	"addq %[lo], %[t1]\n\t"						\
	"mulxq 16(%[a]), %[lo], %[t3]\n\t"				\
	"adcq %[lo], %[t2]\n\t"						\
	"mulxq 24(%[a]), %[lo], %[t4]\n\t"				\
	"adcq %[lo], %[t3]\n\t"						\
	"adcq $0, %[t4]\n\t"
/* row i: T0..T4 = t_i..t_i+4, T4 still free; xor zeroes it and both flags */
#define P256N_PROW(off, T0, T1, T2, T3, T4)				\
	"movq " #off "(%[b]), %%rdx\n\t"				\
	"xorl %k[" T4 "], %k[" T4 "]\n\t"				\
	P256N_FMAC("0(%[a])", T0, T1)					\
	P256N_FMAC("8(%[a])", T1, T2)					\
	P256N_FMAC("16(%[a])", T2, T3)					\
	P256N_FMAC("24(%[a])", T3, T4)					\
	"adcq $0, %[" T4 "]\n\t"
/* step k: K = t_k (free afterwards), K1..K4 = t_k+1..t_k+4 */
#define P256N_PSTEP(K, K1, K2, K3, K4)					\
	"movq %[" K "], %%rdx\n\t"					\
	"mulxq %[p3], %[lo], %[hi]\n\t"					\
	"shlq $32, %[" K "]\n\t"					\
	"shrq $32, %%rdx\n\t"						\
	"addq %[" K "], %[" K1 "]\n\t"					\
	"adcq %%rdx, %[" K2 "]\n\t"					\
	"adcq %[lo], %[" K3 "]\n\t"					\
	"adcq %[hi], %[" K4 "]\n\t"

/* the four steps on t0..t7; the top bit lands in t3, the result in t4..t7 */
#define P256N_PREDC							\
	P256N_PSTEP("t0", "t1", "t2", "t3", "t4")			\
	"adcq $0, %[t5]\n\t"						\
	"adcq $0, %[t6]\n\t"						\
	"adcq $0, %[t7]\n\t"						\
	P256N_PSTEP("t1", "t2", "t3", "t4", "t5")			\
	"adcq $0, %[t6]\n\t"						\
	"adcq $0, %[t7]\n\t"						\
	P256N_PSTEP("t2", "t3", "t4", "t5", "t6")			\
	"adcq $0, %[t7]\n\t"						\
	P256N_PSTEP("t3", "t4", "t5", "t6", "t7")			\
	"movl $0, %k[t3]\n\t"						\
	"adcq $0, %[t3]\n\t"						\
	P256N_PFINAL

/*
 * t4..t7 (top bit t3) minus p, kept unless that borrows: conditional
 * moves, no branch; t0..t2, lo and hi are free by now.
 */
#define P256N_PFINAL							\
	"movq %[t4], %[lo]\n\t"					\
	"movq %[t5], %[hi]\n\t"					\
	"movq %[t6], %[t0]\n\t"					\
	"movq %[t7], %[t1]\n\t"					\
	"movl $0xffffffff, %k[t2]\n\t"					\
	"subq $-1, %[t4]\n\t"						\
	"sbbq %[t2], %[t5]\n\t"					\
	"sbbq $0, %[t6]\n\t"						\
	"sbbq %[p3], %[t7]\n\t"					\
	"sbbq $0, %[t3]\n\t"						\
	"cmovcq %[lo], %[t4]\n\t"					\
	"cmovcq %[hi], %[t5]\n\t"					\
	"cmovcq %[t0], %[t6]\n\t"					\
	"cmovcq %[t1], %[t7]\n\t"

static inline __attribute__((always_inline)) void
p256n_fp_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;

	__asm__ volatile(
	    P256N_PROW0
	    P256N_PROW(8, "t1", "t2", "t3", "t4", "t5")
	    P256N_PROW(16, "t2", "t3", "t4", "t5", "t6")
	    P256N_PROW(24, "t3", "t4", "t5", "t6", "t7")
	    P256N_PREDC
	    : [t0] "=&r" (t0), [t1] "=&r" (t1), [t2] "=&r" (t2),
	      [t3] "=&r" (t3), [t4] "=&r" (t4), [t5] "=&r" (t5),
	      [t6] "=&r" (t6), [t7] "=&r" (t7), [lo] "=&r" (lo), [hi] "=&r" (hi)
	    : [a] "r" (a), [b] "r" (b), [p3] "m" (p256n_adx_p3)
	    : "rdx", "cc", "memory");
	r[0] = t4;
	r[1] = t5;
	r[2] = t6;
	r[3] = t7;
}

/*
 * The square for m = p, a < p: the six cross products once, doubled on
 * the CF chain while the OF chain adds the four squares, then the same
 * reduction. Ten mulx instead of sixteen.
 */
static inline __attribute__((always_inline)) void
p256n_fp_sqr_adx(uint64_t r[4], const uint64_t a[4])
{
	uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi;

	__asm__ volatile(
	    /* a0 (a1, a2, a3) at t1..t4 */
	    "movq 0(%[a]), %%rdx\n\t"
	    "mulxq 8(%[a]), %[t1], %[t2]\n\t"
	    "mulxq 16(%[a]), %[lo], %[t3]\n\t"
	    "addq %[lo], %[t2]\n\t"
	    "mulxq 24(%[a]), %[lo], %[t4]\n\t"
	    "adcq %[lo], %[t3]\n\t"
	    "adcq $0, %[t4]\n\t"
	    /* a1 (a2, a3) at t3..t5 */
	    "movq 8(%[a]), %%rdx\n\t"
	    "xorl %k[t5], %k[t5]\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[t3]\n\t"
	    "adoxq %[hi], %[t4]\n\t"
	    "mulxq 24(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[t4]\n\t"
	    "adoxq %[hi], %[t5]\n\t"
	    "adcq $0, %[t5]\n\t"
	    /* a2 a3 at t5, t6 */
	    "movq 16(%[a]), %%rdx\n\t"
	    "mulxq 24(%[a]), %[lo], %[t6]\n\t"
	    "addq %[lo], %[t5]\n\t"
	    "adcq $0, %[t6]\n\t"
	    /* 2 (t1..t6) on CF, plus a_i^2 on OF */
	    "xorl %k[t7], %k[t7]\n\t"
	    "movq 0(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[t0], %[hi]\n\t"
	    "adcxq %[t1], %[t1]\n\t"
	    "adoxq %[hi], %[t1]\n\t"
	    "movq 8(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcxq %[t2], %[t2]\n\t"
	    "adoxq %[lo], %[t2]\n\t"
	    "adcxq %[t3], %[t3]\n\t"
	    "adoxq %[hi], %[t3]\n\t"
	    "movq 16(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcxq %[t4], %[t4]\n\t"
	    "adoxq %[lo], %[t4]\n\t"
	    "adcxq %[t5], %[t5]\n\t"
	    "adoxq %[hi], %[t5]\n\t"
	    "movq 24(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcxq %[t6], %[t6]\n\t"
	    "adoxq %[lo], %[t6]\n\t"
	    "adcxq %[t7], %[t7]\n\t"
	    "adoxq %[hi], %[t7]\n\t"
	    P256N_PREDC
	    : [t0] "=&r" (t0), [t1] "=&r" (t1), [t2] "=&r" (t2),
	      [t3] "=&r" (t3), [t4] "=&r" (t4), [t5] "=&r" (t5),
	      [t6] "=&r" (t6), [t7] "=&r" (t7), [lo] "=&r" (lo), [hi] "=&r" (hi)
	    : [a] "r" (a), [p3] "m" (p256n_adx_p3)
	    : "rdx", "cc", "memory");
	r[0] = t4;
	r[1] = t5;
	r[2] = t6;
	r[3] = t7;
}
/*
 * r = a + b mod p, a and b below p: the sum, and the sum minus p kept
 * unless that borrows (conditional moves). Fewer instructions than the
 * portable p256n_fp_add, whose selects compilers turn into vector moves.
 */
static inline __attribute__((always_inline)) void
p256n_fp_add_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t s0 = a[0], s1 = a[1], s2 = a[2], s3 = a[3], d0, d1, d2, d3, top, p1;

	__asm__(
	    "xorl %k[top], %k[top]\n\t"
	    "addq 0(%[b]), %[s0]\n\t"
	    "adcq 8(%[b]), %[s1]\n\t"
	    "adcq 16(%[b]), %[s2]\n\t"
	    "adcq 24(%[b]), %[s3]\n\t"
	    "adcq $0, %[top]\n\t"
	    "movq %[s0], %[d0]\n\t"
	    "movq %[s1], %[d1]\n\t"
	    "movq %[s2], %[d2]\n\t"
	    "movq %[s3], %[d3]\n\t"
	    "movl $0xffffffff, %k[p1]\n\t"
	    "subq $-1, %[d0]\n\t"
	    "sbbq %[p1], %[d1]\n\t"
	    "sbbq $0, %[d2]\n\t"
	    "sbbq %[p3], %[d3]\n\t"
	    "sbbq $0, %[top]\n\t"
	    "cmovcq %[s0], %[d0]\n\t"
	    "cmovcq %[s1], %[d1]\n\t"
	    "cmovcq %[s2], %[d2]\n\t"
	    "cmovcq %[s3], %[d3]\n\t"
	    : [s0] "+&r" (s0), [s1] "+&r" (s1), [s2] "+&r" (s2), [s3] "+&r" (s3),
	      [d0] "=&r" (d0), [d1] "=&r" (d1), [d2] "=&r" (d2), [d3] "=&r" (d3),
	      [top] "=&r" (top), [p1] "=&r" (p1)
	    : [b] "r" (b), [p3] "m" (p256n_adx_p3)
	    : "cc", "memory");
	r[0] = d0;
	r[1] = d1;
	r[2] = d2;
	r[3] = d3;
}
#endif

#endif
