/* SPDX-License-Identifier: ISC */
/*
 * The SAKKE curve E: y^2 = x^3 - 3x over F_p (RFC 6508 2.1, RFC 6509 App. A).
 * Jacobian doubling uses the a = -3 shortcut; additions are made complete in
 * constant time by computing the doubling as well and selecting with masks.
 * Fixed-base tables use signed w-bit windows: row i holds [j 2^(w i)]B for
 * j = 1..2^(w-1) in affine form, and a table read scans the whole row. Must not
 * branch on or index by scalar bits; only public points may be rejected
 * early by ecp1024_decode() and ecp1024_check_order().
 */
#include "lib/ecp1024.h"

#include <openssl/crypto.h>
#include <string.h>

#include "common/err.h"
#include "lib/cpu.h"
#include "lib/ct.h"
#include "lib/ecp1024_int.h"
#include "lib/fpp.h"
#include "lib/modq.h"

#define N	FP1024_LIMBS
#define P	(&fp1024_p)

const struct ecp_aff ecp1024_gen = {
	.x = {
		0xbf9c7ec6e0162bc2ULL, 0xddecc6e310a89289ULL, 0x5d599df09e499d81ULL, 0x9a96ea286d358218ULL,
		0x01aec7d370c5f8dbULL, 0xe72e49958cf5d066ULL, 0xc2e7297d3e91d7f8ULL, 0x8621db92da9f2f5aULL,
		0x4b26c8675a5679edULL, 0x233385df2c56aac1ULL, 0xb88e74d4c6a13f99ULL, 0x1214b173ffa8ec11ULL,
		0xa0386a271f3f9fefULL, 0xbd9b1b4ec0e7b44eULL, 0xafe528dceecd3496ULL, 0x8dfff96a1c49f80bULL,
	},
	.y = {
		0xb4a4753ac03c0c83ULL, 0x68e69d18abcdcd75ULL, 0xe3839b88f775b649ULL, 0x803f949abf58f352ULL,
		0x5f702679bd0bc15cULL, 0x85bf5d168ff298c2ULL, 0x3f6ebd98c6c7976eULL, 0x20618af445e3e1b4ULL,
		0x67d5598e54e64093ULL, 0xb047283b504fed9eULL, 0x450cabfd70d87517ULL, 0x47d628bf3f5addbeULL,
		0x0037ef3078cb4ccaULL, 0x4e148d3c6b1c4908ULL, 0xe256d3294fcfd837ULL, 0x2aa1207bde3c01f3ULL,
	},
};

static void
ecp_cmov(struct ecp *r, const struct ecp *a, uint64_t mask)
{
	fp1024_cmov(r->x, a->x, mask);
	fp1024_cmov(r->y, a->y, mask);
	fp1024_cmov(r->z, a->z, mask);
}

int
ecp1024_decode(struct ecp_aff *r, const uint8_t in[ECP1024_POINT_LEN])
{
	uint64_t x[N], y[N], l[N], t[N];
	uint64_t ok;

	fp1024_from_bytes(x, in + 1, FP1024_BYTES);
	fp1024_from_bytes(y, in + 1 + FP1024_BYTES, FP1024_BYTES);
	/* RFC 6508 2.1: uncompressed points only, coordinates below p. */
	ok = (((uint64_t)(in[0] ^ 0x04) + 0xff) >> 8) - 1;
	ok &= fp1024_lt(x, P->m) & fp1024_lt(y, P->m);
	fp1024_to_mont(x, x, P);
	fp1024_to_mont(y, y, P);
	/* y^2 = x^3 - 3x = x (x^2 - 3) */
	fp_sqr(l, y);
	fp_sqr(t, x);
	fp_sub(t, t, P->one);
	fp_sub(t, t, P->one);
	fp_sub(t, t, P->one);
	fp_mul(t, t, x);
	ok &= fp1024_eq(l, t);
	/* A secret point (an RSK) stays secret: only the verdict is public. */
	ct_declassify(&ok, sizeof(ok));
	if (!ok)
		return SKM_EPOINT;
	fp1024_copy(r->x, x);
	fp1024_copy(r->y, y);
	return 0;
}

void
ecp1024_encode(uint8_t out[ECP1024_POINT_LEN], const struct ecp_aff *a)
{
	uint64_t t[N];

	out[0] = 0x04;
	fp1024_from_mont(t, a->x, P);
	fp1024_to_bytes(out + 1, t);
	fp1024_from_mont(t, a->y, P);
	fp1024_to_bytes(out + 1 + FP1024_BYTES, t);
}

void
ecp1024_from_aff(struct ecp *r, const struct ecp_aff *a)
{
	fp1024_copy(r->x, a->x);
	fp1024_copy(r->y, a->y);
	fp1024_copy(r->z, P->one);
}

void
ecp1024_to_aff(struct ecp_aff *r, const struct ecp *a)
{
	uint64_t zi[N], zi2[N];

	fp1024_inv(zi, a->z, P);
	fp_sqr(zi2, zi);
	fp_mul(r->x, a->x, zi2);
	fp_mul(zi2, zi2, zi);
	fp_mul(r->y, a->y, zi2);
}

void
ecp1024_to_aff_batch(struct ecp_aff *r, const struct ecp *a, size_t n,
    uint64_t (*tmp)[N])
{
	uint64_t zi2[N];
	size_t i;

	for (i = 0; i < n; i++)
		fp1024_copy(tmp[i], a[i].z);
	fp1024_inv_batch(tmp, tmp + n, n, P);
	for (i = 0; i < n; i++) {
		fp_sqr(zi2, tmp[i]);
		fp_mul(r[i].x, a[i].x, zi2);
		fp_mul(zi2, zi2, tmp[i]);
		fp_mul(r[i].y, a[i].y, zi2);
	}
}

void
ecp1024_dbl(struct ecp *r, const struct ecp *a)
{
	uint64_t delta[N], gamma[N], beta[N], alpha[N], t[N], u[N];

	/* dbl-2001-b for a = -3: alpha = 3 (X - Z^2)(X + Z^2). */
	fp_sqr(delta, a->z);
	fp_sqr(gamma, a->y);
	fp_mul(beta, a->x, gamma);
	fp_sub(t, a->x, delta);
	fp_add(u, a->x, delta);
	fp_mul(alpha, t, u);
	fp_add(t, alpha, alpha);
	fp_add(alpha, alpha, t);
	fp_mul(r->z, a->y, a->z);
	fp_add(r->z, r->z, r->z);
	fp_add(beta, beta, beta);
	fp_add(beta, beta, beta);		/* 4 beta */
	fp_sqr(r->x, alpha);
	fp_add(t, beta, beta);
	fp_sub(r->x, r->x, t);
	fp_sub(t, beta, r->x);
	fp_mul(t, alpha, t);
	fp_sqr(gamma, gamma);
	fp_add(gamma, gamma, gamma);
	fp_add(gamma, gamma, gamma);
	fp_add(gamma, gamma, gamma);		/* 8 gamma^2 */
	fp_sub(r->y, t, gamma);
}

uint64_t
ecp1024_is_inf(const struct ecp *a)
{
	return fp1024_is_zero(a->z);
}

/* add-2007-bl without the special cases: a, b finite and a != +-b. */
static void
ecp_add_generic(struct ecp *res, const struct ecp *a, const struct ecp *b,
    uint64_t h[N], uint64_t rr[N])
{
	uint64_t z1z1[N], z2z2[N], u1[N], u2[N], s1[N], s2[N], i[N], j[N], v[N],
	    t[N];

	fp_sqr(z1z1, a->z);
	fp_sqr(z2z2, b->z);
	fp_mul(u1, a->x, z2z2);
	fp_mul(u2, b->x, z1z1);
	fp_mul(s1, a->y, b->z);
	fp_mul(s1, s1, z2z2);
	fp_mul(s2, b->y, a->z);
	fp_mul(s2, s2, z1z1);
	fp_sub(h, u2, u1);
	fp_add(i, h, h);
	fp_sqr(i, i);
	fp_mul(j, h, i);
	fp_sub(rr, s2, s1);
	fp_add(rr, rr, rr);
	fp_mul(v, u1, i);
	fp_mul(t, a->z, b->z);
	fp_mul(t, t, h);
	fp_add(res->z, t, t);
	fp_sqr(res->x, rr);
	fp_sub(res->x, res->x, j);
	fp_sub(res->x, res->x, v);
	fp_sub(res->x, res->x, v);
	fp_sub(t, v, res->x);
	fp_mul(t, rr, t);
	fp_mul(s1, s1, j);
	fp_add(s1, s1, s1);
	fp_sub(res->y, t, s1);
}

void
ecp1024_add(struct ecp *r, const struct ecp *a, const struct ecp *b)
{
	uint64_t h[N], rr[N], inf1, inf2, same;
	struct ecp res, d;

	ecp_add_generic(&res, a, b, h, rr);
	/* H = 0 and r = 0: a == b, the formula degenerates; use doubling. */
	inf1 = ecp1024_is_inf(a);
	inf2 = ecp1024_is_inf(b);
	same = fp1024_is_zero(h) & fp1024_is_zero(rr) & ~inf1 & ~inf2;
	ecp1024_dbl(&d, a);
	ecp_cmov(&res, &d, same);
	ecp_cmov(&res, b, inf1);
	ecp_cmov(&res, a, inf2);
	*r = res;
}

/*
 * r = a + b for an affine b. When complete is zero the caller guarantees
 * a != +-b unless a is infinity (see ecp1024_table_mul); a may be infinity
 * either way. complete is a public flag.
 */
static void
ecp_madd(struct ecp *r, const struct ecp *a, const struct ecp_aff *b, int complete)
{
	uint64_t z1z1[N], u2[N], s2[N], h[N], hh[N], i[N], j[N], rr[N], v[N],
	    t[N];
	uint64_t inf1, same;
	struct ecp res, d, bj;

	/* madd-2007-bl */
	fp_sqr(z1z1, a->z);
	fp_mul(u2, b->x, z1z1);
	fp_mul(s2, b->y, a->z);
	fp_mul(s2, s2, z1z1);
	fp_sub(h, u2, a->x);
	fp_sqr(hh, h);
	fp_add(i, hh, hh);
	fp_add(i, i, i);
	fp_mul(j, h, i);
	fp_sub(rr, s2, a->y);
	fp_add(rr, rr, rr);
	fp_mul(v, a->x, i);
	fp_sqr(res.x, rr);
	fp_sub(res.x, res.x, j);
	fp_sub(res.x, res.x, v);
	fp_sub(res.x, res.x, v);
	fp_sub(t, v, res.x);
	fp_mul(t, rr, t);
	fp_mul(u2, a->y, j);
	fp_add(u2, u2, u2);
	fp_sub(res.y, t, u2);
	fp_mul(t, a->z, h);
	fp_add(res.z, t, t);

	inf1 = ecp1024_is_inf(a);
	if (complete) {
		same = fp1024_is_zero(h) & fp1024_is_zero(rr) & ~inf1;
		ecp1024_dbl(&d, a);
		ecp_cmov(&res, &d, same);
	}
	ecp1024_from_aff(&bj, b);
	ecp_cmov(&res, &bj, inf1);
	*r = res;
}

uint64_t
ecp1024_eq_aff(const struct ecp *a, const struct ecp_aff *b)
{
	uint64_t z2[N], t[N], ok;

	/* X = x Z^2 and Y = y Z^3 with Z != 0. */
	fp_sqr(z2, a->z);
	fp_mul(t, b->x, z2);
	ok = fp1024_eq(t, a->x);
	fp_mul(z2, z2, a->z);
	fp_mul(t, b->y, z2);
	ok &= fp1024_eq(t, a->y);
	return ok & ~ecp1024_is_inf(a);
}

void
ecp1024_mul(struct ecp *r, const struct ecp_aff *a, const uint64_t k[N])
{
	struct ecp tab[16], acc, sel;
	uint64_t w;
	int i, j;

	/* Fixed 4-bit windows from the top; every row is read for each window. */
	memset(&tab[0], 0, sizeof(tab[0]));
	ecp1024_from_aff(&tab[1], a);
	for (i = 2; i < 16; i++)
		ecp1024_add(&tab[i], &tab[i - 1], &tab[1]);
	memset(&acc, 0, sizeof(acc));
	for (i = 16 * N - 1; i >= 0; i--) {
		for (j = 0; j < 4; j++)
			ecp1024_dbl(&acc, &acc);
		w = (k[i / 16] >> (4 * (i % 16))) & 15;
		memset(&sel, 0, sizeof(sel));
		for (j = 0; j < 16; j++)
			ecp_cmov(&sel, &tab[j], (((w ^ (uint64_t)j) + 0xff) >> 8) - 1);
		ecp1024_add(&acc, &acc, &sel);
	}
	*r = acc;
}

int
ecp1024_check_order(const struct ecp_aff *a)
{
	struct ecp t;

	ecp1024_mul(&t, a, fp1024_q.m);
	return ecp1024_is_inf(&t) ? 0 : SKM_EPOINT;
}

int
ecp1024_table_new(struct ecp_table **tp, const struct ecp_aff *base, int w)
{
	struct ecp_table *t = NULL;
	struct ecp *jac = NULL;
	struct ecp_aff *rows = NULL, *e0, *prev;
	uint64_t (*den)[N] = NULL, lam[N], num[N], x3[N], y3[N];
	size_t nwin, row, i, j;
	int k, err = SKM_EINVAL;

	*tp = NULL;
	if (w < ECP1024_TABLE_WMIN || w > ECP1024_TABLE_WMAX)
		goto out;
	err = SKM_ENOMEM;
	nwin = (size_t)modq_nwin(w);
	row = (size_t)1 << (w - 1);
	t = OPENSSL_malloc(sizeof(*t) + nwin * row * sizeof(t->e[0]));
	jac = OPENSSL_malloc(nwin * sizeof(*jac));
	rows = OPENSSL_malloc(nwin * sizeof(*rows));
	den = OPENSSL_malloc(2 * nwin * sizeof(*den));
	if (t == NULL || jac == NULL || rows == NULL || den == NULL)
		goto out;
	t->w = w;
	t->nwin = (int)nwin;
	t->row = (int)row;
	t->x8 = NULL;
	/* Row points [2^(w i)]base by doubling, made affine together. */
	ecp1024_from_aff(&jac[0], base);
	for (i = 1; i < nwin; i++)
		for (jac[i] = jac[i - 1], k = 0; k < w; k++)
			ecp1024_dbl(&jac[i], &jac[i]);
	ecp1024_to_aff_batch(rows, jac, nwin, den);
	for (i = 0; i < nwin; i++)
		t->e[i * row] = rows[i];
	/*
	 * Entry j of every row from entry j - 1, all rows side by side in
	 * affine form with one shared inversion: a tangent for j = 1 (y != 0,
	 * the point has odd order), then chords with the row point, exact
	 * because [j]B != +-B and both are finite for 2 <= j < 2^(w-1) < q.
	 */
	for (j = 1; j < row; j++) {
		for (i = 0; i < nwin; i++) {
			e0 = &t->e[i * row];
			if (j == 1)
				fp_add(den[i], e0->y, e0->y);
			else
				fp_sub(den[i], e0->x, e0[j - 1].x);
		}
		fp1024_inv_batch(den, den + nwin, nwin, P);
		for (i = 0; i < nwin; i++) {
			e0 = &t->e[i * row];
			prev = &e0[j - 1];
			if (j == 1) {
				/* 3 x^2 + a with a = -3 */
				fp_sqr(num, e0->x);
				fp_sub(num, num, P->one);
				fp_add(x3, num, num);
				fp_add(num, num, x3);
			} else {
				fp_sub(num, e0->y, prev->y);
			}
			fp_mul(lam, num, den[i]);
			fp_sqr(x3, lam);
			fp_sub(x3, x3, prev->x);
			fp_sub(x3, x3, e0->x);
			fp_sub(y3, prev->x, x3);
			fp_mul(y3, lam, y3);
			fp_sub(e0[j].y, y3, prev->y);
			fp1024_copy(e0[j].x, x3);
		}
	}
	*tp = t;
	t = NULL;
	err = 0;
out:
	OPENSSL_free(den);
	OPENSSL_free(rows);
	OPENSSL_free(jac);
	OPENSSL_free(t);
	return err;
}

void
ecp1024_table_free(struct ecp_table *t)
{
	if (t != NULL)
		ecp1024_table_free(t->x8);
	OPENSSL_free(t);
}

int
ecp1024_table_width(const struct ecp_table *t)
{
	return t->w;
}

/*
 * Row i of the table for digit (mag, neg): every entry is read and masked
 * into an OR accumulator over whole rows of limbs, a branch-free loop the
 * compiler vectorises (with wide windows the scan is a sizeable share of
 * a multiplication). The AVX2 clone doubles the width where the CPU has
 * it; both read the same memory in the same order.
 */
typedef uint64_t ecp_v4 __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default")))
static void
ecp_row_scan(uint64_t out[2 * N], const uint64_t *row, int len, uint64_t mag)
{
	ecp_v4 acc[2 * N / 4], v, m;
	int j, l;

	memset(acc, 0, sizeof(acc));
	for (j = 0; j < len; j++) {
		m = (ecp_v4){ 0, 0, 0, 0 } +
		    ((((mag ^ (uint64_t)(j + 1)) + 0xff) >> 8) - 1);
#pragma GCC unroll 8
		for (l = 0; l < 2 * N / 4; l++) {
			memcpy(&v, row + (size_t)j * 2 * N + 4 * l, sizeof(v));
			acc[l] |= v & m;
		}
	}
	memcpy(out, acc, sizeof(acc));
	OPENSSL_cleanse(acc, sizeof(acc));
}

void
ecp1024_table_select(struct ecp_aff *sel, const struct ecp_table *t, int i, uint64_t mag,
    uint64_t neg)
{
	uint64_t acc[2 * N];

	ecp_row_scan(acc, t->e[(size_t)i * (size_t)t->row].x, t->row, mag);
	fp1024_copy(sel->x, acc);
	fp1024_cneg(sel->y, acc + N, neg, P);
	OPENSSL_cleanse(acc, sizeof(acc));
}

void
ecp1024_table_mul(struct ecp *r, const struct ecp_table *t, const uint64_t k[N])
{
	struct ecp acc, sum;
	struct ecp_aff sel;
	uint64_t mag, neg, carry = 0, zero;
	int i;

	memset(&acc, 0, sizeof(acc));
	for (i = 0; i < t->nwin; i++) {
		modq_recode_step_w(&mag, &neg, &carry, k, i, t->w);
		zero = ((mag | (0 - mag)) >> 63) - 1;
		ecp1024_table_select(&sel, t, i, mag, neg);
		/*
		 * Below the top row the accumulator is [s]base with
		 * |s| < 2^(w i) and the entry is [d 2^(w i)]base with
		 * 1 <= |d| <= 2^(w-1), and |s +- d 2^(w i)| <
		 * (2^(w-1) + 1) 2^(w i) < q (w nwin < 1022 + w): they never
		 * meet, so only the top row needs the complete addition.
		 */
		ecp_madd(&sum, &acc, &sel, i == t->nwin - 1);
		ecp_cmov(&acc, &sum, ~zero);
	}
	OPENSSL_cleanse(&mag, sizeof(mag));
	OPENSSL_cleanse(&neg, sizeof(neg));
	OPENSSL_cleanse(&carry, sizeof(carry));
	*r = acc;
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&sum, sizeof(sum));
}

/*
 * Every row but the top one of ecp_table_mul_lanes, for any CPU: acc[s]
 * (affine) and inf[s] (all ones while acc[s] is infinity) after the rows,
 * carry[s] the recoding's carry into the top row. SKM_ENOMEM.
 *
 * Below the top row the accumulator never meets +-entry (see
 * ecp1024_table_mul), so the affine chord formula is exact whenever the
 * accumulator is finite and the digit nonzero; other lanes feed 1 to the
 * shared inversion and keep or take a point by mask.
 */
static int
ecp_rows(struct ecp_aff *acc, uint64_t *inf, uint64_t *carry,
    const struct ecp_table *t1, size_t n1, const struct ecp_table *t2,
    const uint64_t (*k)[N], size_t n)
{
	const struct ecp_table *t;
	struct ecp_aff *sel;
	uint64_t (*den)[N], (*tmp)[N], *use;
	uint64_t mag, neg, nz, lam[N], x3[N], y3[N], d[N];
	size_t s;
	int i, err = SKM_ENOMEM;

	sel = OPENSSL_zalloc(n * sizeof(*sel));
	den = OPENSSL_zalloc(n * sizeof(*den));
	tmp = OPENSSL_zalloc(n * sizeof(*tmp));
	use = OPENSSL_zalloc(n * sizeof(*use));
	if (sel == NULL || den == NULL || tmp == NULL || use == NULL)
		goto out;
	for (i = 0; i < t1->nwin - 1; i++) {
		for (s = 0; s < n; s++) {
			t = s < n1 ? t1 : t2;
			modq_recode_step_w(&mag, &neg, &carry[s], k[s], i, t->w);
			ecp1024_table_select(&sel[s], t, i, mag, neg);
			nz = ~(((mag | (0 - mag)) >> 63) - 1);
			use[s] = nz & ~inf[s];
			fp_sub(den[s], sel[s].x, acc[s].x);
			fp1024_cmov(den[s], P->one, ~use[s]);
			/* A first nonzero digit takes the entry as it is. */
			fp1024_cmov(acc[s].x, sel[s].x, nz & inf[s]);
			fp1024_cmov(acc[s].y, sel[s].y, nz & inf[s]);
			inf[s] &= ~nz;
		}
		fp1024_inv_batch(den, tmp, n, P);
		for (s = 0; s < n; s++) {
			fp_sub(d, sel[s].y, acc[s].y);
			fp_mul(lam, d, den[s]);
			fp_sqr(x3, lam);
			fp_sub(x3, x3, acc[s].x);
			fp_sub(x3, x3, sel[s].x);
			fp_sub(d, acc[s].x, x3);
			fp_mul(y3, lam, d);
			fp_sub(y3, y3, acc[s].y);
			fp1024_cmov(acc[s].x, x3, use[s]);
			fp1024_cmov(acc[s].y, y3, use[s]);
		}
	}
	err = 0;
out:
	OPENSSL_clear_free(sel, n * sizeof(*sel));
	OPENSSL_clear_free(den, n * sizeof(*den));
	OPENSSL_clear_free(tmp, n * sizeof(*tmp));
	OPENSSL_clear_free(use, n * sizeof(*use));
	OPENSSL_cleanse(lam, sizeof(lam));
	OPENSSL_cleanse(d, sizeof(d));
	return err;
}

/*
 * r[s] = [k[s]]tab (Jacobian; infinity for k[s] = 0) for n lanes, lane s
 * on t1 when s < n1 and on t2 otherwise (same width). The additions of
 * all lanes run side by side in affine form with one shared inversion per
 * window. Constant time in the scalars (k[s] < q).
 */
static int
ecp_table_mul_lanes(struct ecp *r, const struct ecp_table *t1, size_t n1,
    const struct ecp_table *t2, const uint64_t (*k)[N], size_t n)
{
	const struct ecp_table *t;
	struct ecp_aff *acc = NULL, sel;
	struct ecp sum;
	uint64_t *w = NULL, *inf, *carry, mag, neg, nz;
	size_t s;
	int err = SKM_ENOMEM;

	if (t1->w != t2->w)
		return SKM_EINVAL;
	/* Transient workspace, cleansed on free. */
	acc = OPENSSL_zalloc(n * sizeof(*acc));
	w = OPENSSL_zalloc(2 * n * sizeof(*w));
	if (acc == NULL || w == NULL)
		goto out;
	inf = w;
	carry = w + n;
	for (s = 0; s < n; s++)
		inf[s] = ~(uint64_t)0;
#if defined(__x86_64__)
	if (cpu_level() == CPU_IFMA && ecp1024_x8_table(t1) != NULL &&
	    ecp1024_x8_table(t2) != NULL)
		err = ecp1024_x8_rows(acc, inf, carry, t1, n1, t2, k, n);
	else
#endif
		err = ecp_rows(acc, inf, carry, t1, n1, t2, k, n);
	if (err != 0)
		goto out;
	/* The top row may meet the accumulator: complete Jacobian addition. */
	for (s = 0; s < n; s++) {
		t = s < n1 ? t1 : t2;
		modq_recode_step_w(&mag, &neg, &carry[s], k[s], t->nwin - 1, t->w);
		ecp1024_table_select(&sel, t, t->nwin - 1, mag, neg);
		ecp1024_from_aff(&r[s], &acc[s]);
		fp1024_cmov(r[s].z, (uint64_t[N]){ 0 }, inf[s]);
		ecp_madd(&sum, &r[s], &sel, 1);
		nz = ~(((mag | (0 - mag)) >> 63) - 1);
		ecp_cmov(&r[s], &sum, nz);
	}
	err = 0;
out:
	OPENSSL_clear_free(acc, n * sizeof(*acc));
	OPENSSL_clear_free(w, 2 * n * sizeof(*w));
	OPENSSL_cleanse(&sel, sizeof(sel));
	OPENSSL_cleanse(&sum, sizeof(sum));
	return err;
}

int
ecp1024_table_mul_batch(struct ecp_aff *r, const struct ecp_table *t,
    const uint64_t (*k)[N], size_t n)
{
	struct ecp *jac = NULL;
	uint64_t (*tmp)[N] = NULL;
	int err = SKM_ENOMEM;

	if (n == 0)
		return 0;
	jac = OPENSSL_zalloc(n * sizeof(*jac));
	tmp = OPENSSL_zalloc(2 * n * sizeof(*tmp));
	if (jac == NULL || tmp == NULL)
		goto out;
	if ((err = ecp_table_mul_lanes(jac, t, n, t, k, n)) != 0)
		goto out;
	ecp1024_to_aff_batch(r, jac, n, tmp);
out:
	OPENSSL_clear_free(jac, n * sizeof(*jac));
	OPENSSL_clear_free(tmp, 2 * n * sizeof(*tmp));
	return err;
}

int
ecp1024_table_mul2_batch(struct ecp_aff *r, const struct ecp_table *t1,
    const uint64_t (*k1)[N], const struct ecp_table *t2, const uint64_t (*k2)[N],
    size_t n)
{
	struct ecp *jac = NULL;
	uint64_t (*k)[N] = NULL, (*tmp)[N] = NULL, *inf = NULL;
	size_t s;
	int err = SKM_ENOMEM;

	if (n == 0)
		return 0;
	jac = OPENSSL_zalloc(2 * n * sizeof(*jac));
	k = OPENSSL_zalloc(2 * n * sizeof(*k));
	tmp = OPENSSL_zalloc(2 * n * sizeof(*tmp));
	inf = OPENSSL_zalloc(n * sizeof(*inf));
	if (jac == NULL || k == NULL || tmp == NULL || inf == NULL)
		goto out;
	memcpy(k, k1, n * sizeof(*k));
	memcpy(k + n, k2, n * sizeof(*k));
	/* Both products of every entry share each window's inversion. */
	if ((err = ecp_table_mul_lanes(jac, t1, n, t2, (const uint64_t (*)[N])k,
	    2 * n)) != 0)
		goto out;
	/*
	 * The sum may be infinity or a doubling (k1 base1 = +-k2 base2): the
	 * complete addition, and 1 in place of a zero Z so one infinite entry
	 * cannot zero the shared inversion; that entry becomes (0, 0).
	 */
	for (s = 0; s < n; s++) {
		ecp1024_add(&jac[s], &jac[s], &jac[n + s]);
		inf[s] = ecp1024_is_inf(&jac[s]);
		fp1024_cmov(jac[s].z, P->one, inf[s]);
	}
	ecp1024_to_aff_batch(r, jac, n, tmp);
	for (s = 0; s < n; s++) {
		fp1024_cmov(r[s].x, (uint64_t[N]){ 0 }, inf[s]);
		fp1024_cmov(r[s].y, (uint64_t[N]){ 0 }, inf[s]);
	}
out:
	OPENSSL_clear_free(jac, 2 * n * sizeof(*jac));
	OPENSSL_clear_free(k, 2 * n * sizeof(*k));
	OPENSSL_clear_free(tmp, 2 * n * sizeof(*tmp));
	OPENSSL_clear_free(inf, n * sizeof(*inf));
	return err;
}

static struct ecp_table *gen_table;
static CRYPTO_ONCE gen_once = CRYPTO_ONCE_STATIC_INIT;

static void
gen_table_init(void)
{
	if (ecp1024_table_new(&gen_table, &ecp1024_gen, ECP1024_TABLE_W) != 0)
		gen_table = NULL;
}

const struct ecp_table *
ecp1024_table_gen(void)
{
	if (!CRYPTO_THREAD_run_once(&gen_once, gen_table_init))
		return NULL;
	return gen_table;
}
