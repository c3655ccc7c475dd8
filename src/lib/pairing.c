/* SPDX-License-Identifier: ISC */
/*
 * The pairing of RFC 6508 3.2: a Miller loop over q - 1 with a projective
 * F_p^2 accumulator, and the final exponentiation c = (p + 1) / q = 4 with
 * the projective reduction x2 / x1. The loop runs over the non-adjacent
 * form of q - 1 instead of its bits: the extra vertical lines that a signed
 * digit brings evaluate into F_p* at the distorted point (-x, iy) and the
 * final exponentiation removes them, so the value is the RFC's. Lines are
 * scaled so their i-part is the second point's y: any F_p* factor is killed
 * the same way. Also the fixed-base powers of g = <P, P> used by
 * encapsulation. Must not branch on or index by secret data: the loop shape
 * depends only on q.
 */
#include "lib/pairing.h"

#include <openssl/crypto.h>
#include <string.h>

#include "common/err.h"
#include "lib/ct.h"
#include "lib/fpp.h"
#include "lib/fp2.h"
#include "lib/modq.h"

#define N	FP1024_LIMBS
#define P	(&fp1024_p)
#define NAF_MAX	(64 * N + 1)

struct pairing_lines {
	size_t n;
	int secret;
	uint64_t l[][2][N];	/* line i: t = l[i][0] x + l[i][1], value t + i y */
};

/* Signed windows of g^k: g^(j 2^(w i)) for j = 1..2^(w-1) per row. */
#define GT_W	6
#define GT_ROW	(1 << (GT_W - 1))
#define GT_NWIN	((1023 + GT_W - 1) / GT_W)	/* modq_nwin(GT_W) */

struct gtab {
	uint64_t e[GT_NWIN][GT_ROW][N];	/* g^((j + 1) 2^(w i)) as the class of 1 + i e */
};

const uint64_t pairing_g[N] = {
	0xcde0fab36461ea46ULL, 0x3c8cae87b7a0042aULL, 0xe3720f20b9b7b040ULL, 0xd682c033a7942bccULL,
	0xb4f1a32bcafa1ffaULL, 0x55df0460b4a9fd74ULL, 0xb99dfb0138c78433ULL, 0xee0faed1828eab90ULL,
	0x7072da8f541721beULL, 0xcbfda85d5d00ef57ULL, 0x449ae9563f8bc446ULL, 0x371e94744c96fedaULL,
	0x27fabe658e015a87ULL, 0xc6a87bd1fb94c41eULL, 0x148f15867d623068ULL, 0x66fc2a432b6ea392ULL,
};

/* The NAF digits of q - 1, least significant first; returns their count. */
static int
naf_qm1(int8_t d[NAF_MAX])
{
	static const uint64_t one[N] = { 1 };
	uint64_t n[N + 1], t[N];
	int len = 0, i;

	fp1024_sub_raw(t, fp1024_q.m, one);
	memcpy(n, t, sizeof(t));
	n[N] = 0;
	while (!(fp1024_is_zero(n) & 1) || n[N] != 0) {
		int8_t v = 0;

		if (n[0] & 1) {
			v = (n[0] & 2) ? -1 : 1;
			if (v == 1) {
				n[0] &= ~(uint64_t)1;
			} else {
				/* n += 1 */
				for (i = 0; i <= N && ++n[i] == 0; i++)
					;
			}
		}
		d[len++] = v;
		for (i = 0; i < N; i++)
			n[i] = n[i] >> 1 | n[i + 1] << 63;
		n[N] >>= 1;
	}
	return len;
}

/*
 * Tangent at c (Jacobian) and c <- 2c. RFC 6508 3.2 step 2 scaled by Z^6:
 * t = 3(X^2 - Z^4)(x Z^2 + X) - 2Y^2, s = 2 Y Z^3 (times the point's y).
 */
static void
line_dbl(struct ecp *c, uint64_t la[N], uint64_t lb[N], uint64_t lc[N])
{
	uint64_t delta[N], gamma[N], beta[N], alpha[N], t[N], u[N];

	fp_sqr(delta, c->z);
	fp_sqr(gamma, c->y);
	fp_mul(beta, c->x, gamma);
	fp_sub(t, c->x, delta);
	fp_add(u, c->x, delta);
	fp_mul(alpha, t, u);
	fp_add(t, alpha, alpha);
	fp_add(alpha, alpha, t);
	fp_mul(la, alpha, delta);
	fp_mul(lb, alpha, c->x);
	fp_add(t, gamma, gamma);
	fp_sub(lb, lb, t);
	fp_mul(c->z, c->y, c->z);
	fp_add(c->z, c->z, c->z);
	fp_mul(lc, c->z, delta);
	fp_add(beta, beta, beta);
	fp_add(beta, beta, beta);
	fp_sqr(c->x, alpha);
	fp_add(t, beta, beta);
	fp_sub(c->x, c->x, t);
	fp_sub(t, beta, c->x);
	fp_mul(t, alpha, t);
	fp_sqr(gamma, gamma);
	fp_add(gamma, gamma, gamma);
	fp_add(gamma, gamma, gamma);
	fp_add(gamma, gamma, gamma);
	fp_sub(c->y, t, gamma);
}

/*
 * Chord through c (Jacobian) and (x, y), and c <- c + (x, y). RFC 6508 3.2
 * step 4 scaled by -2 Z^3: t = 2(y Z^3 - Y) X' + 2(X Z y - x Y), s = 2 Z H.
 */
static void
line_add(struct ecp *c, const uint64_t x[N], const uint64_t y[N], uint64_t la[N],
    uint64_t lb[N], uint64_t lc[N])
{
	uint64_t z1z1[N], zy[N], s2[N], u2[N], h[N], hh[N], i4[N], j[N], rr[N],
	    v[N], t[N];

	fp_sqr(z1z1, c->z);
	fp_mul(zy, c->z, y);
	fp_mul(s2, zy, z1z1);
	fp_mul(u2, x, z1z1);
	fp_sub(h, u2, c->x);
	fp_sqr(hh, h);
	fp_add(i4, hh, hh);
	fp_add(i4, i4, i4);
	fp_mul(j, h, i4);
	fp_sub(rr, s2, c->y);
	fp_add(rr, rr, rr);
	fp_mul(v, c->x, i4);
	fp1024_copy(la, rr);
	fp_mul(t, c->x, zy);
	fp_mul(u2, x, c->y);
	fp_sub(t, t, u2);
	fp_add(lb, t, t);
	fp_mul(t, c->z, h);
	fp_add(c->z, t, t);
	fp1024_copy(lc, c->z);
	fp_sqr(c->x, rr);
	fp_sub(c->x, c->x, j);
	fp_sub(c->x, c->x, v);
	fp_sub(c->x, c->x, v);
	fp_sub(t, v, c->x);
	fp_mul(t, rr, t);
	fp_mul(u2, c->y, j);
	fp_add(u2, u2, u2);
	fp_sub(c->y, t, u2);
}

int
pairing_lines_new(struct pairing_lines **lp, const struct ecp_aff *a, int secret)
{
	struct pairing_lines *L = NULL;
	uint64_t (*lc)[N] = NULL, negy[N], ok;
	struct ecp_aff na;
	struct ecp c;
	int8_t d[NAF_MAX];
	size_t n, k;
	int len, i, err = SKM_ENOMEM;

	*lp = NULL;
	len = naf_qm1(d);
	n = (size_t)len - 1;
	for (i = 0; i < len - 1; i++)
		n += d[i] != 0;
	if (secret)
		L = OPENSSL_secure_zalloc(sizeof(*L) + n * sizeof(L->l[0]));
	else
		L = OPENSSL_zalloc(sizeof(*L) + n * sizeof(L->l[0]));
	lc = OPENSSL_zalloc(2 * n * sizeof(*lc));
	if (L == NULL || lc == NULL)
		goto out;
	L->n = n;
	L->secret = secret;
	fp1024_neg(negy, a->y, P);
	ecp1024_from_aff(&c, a);
	k = 0;
	for (i = len - 2; i >= 0; i--) {
		line_dbl(&c, L->l[k][0], L->l[k][1], lc[k]);
		k++;
		if (d[i] != 0) {
			line_add(&c, a->x, d[i] > 0 ? a->y : negy, L->l[k][0],
			    L->l[k][1], lc[k]);
			k++;
		}
	}
	/* [q - 1]a = -a iff a has order q (a point of order q, as RFC 6508 requires). */
	fp1024_copy(na.x, a->x);
	fp1024_copy(na.y, negy);
	ok = ecp1024_eq_aff(&c, &na);
	ct_declassify(&ok, sizeof(ok));
	if (!ok) {
		err = SKM_EPOINT;
		goto out;
	}
	/* Normalise each line so that its i-part is exactly y. */
	fp1024_inv_batch(lc, lc + n, n, P);
	for (k = 0; k < n; k++) {
		fp_mul(L->l[k][0], L->l[k][0], lc[k]);
		fp_mul(L->l[k][1], L->l[k][1], lc[k]);
	}
	*lp = L;
	L = NULL;
	err = 0;
out:
	OPENSSL_clear_free(lc, 2 * n * sizeof(*lc));
	OPENSSL_cleanse(&c, sizeof(c));
	pairing_lines_free(L);
	return err;
}

void
pairing_lines_free(struct pairing_lines *L)
{
	if (L == NULL)
		return;
	if (L->secret)
		OPENSSL_secure_clear_free(L, sizeof(*L) + L->n * sizeof(L->l[0]));
	else
		OPENSSL_free(L);
}

/* RFC 6508 3.2: v^c with c = 4, then x2 / x1; output a plain integer. */
static void
final_exp(uint64_t w[N], struct fp2 *v)
{
	uint64_t inv[N];

	fp2_sqr(v, v);
	fp2_sqr(v, v);
	fp1024_inv(inv, v->a, P);
	fp_mul(w, v->b, inv);
	fp1024_from_mont(w, w, P);
}

/*
 * The Miller value f_(q-1, a)(distorted b) up to F_p*, before c = 4. Each
 * line t + i y is divided by y (an F_p* factor) so that it multiplies as
 * t / y + i: with X = x / y and Y = 1 / y, t / y = l0 X + l1 Y.
 */
static void
pairing_miller(struct fp2 *v, const struct pairing_lines *L, const struct ecp_aff *b)
{
	uint64_t t[N], yi[N], xy[N];
	int8_t d[NAF_MAX];
	size_t k = 0;
	int len, i;

	len = naf_qm1(d);
	fp1024_inv(yi, b->y, P);
	fp_mul(xy, b->x, yi);
	fp2_set_one(v);
	for (i = len - 2; i >= 0; i--) {
		fp2_sqr(v, v);
		fp1024_mul_sum(t, L->l[k][0], xy, L->l[k][1], yi, P);
		fp2_mul_line(v, v, t);
		k++;
		if (d[i] != 0) {
			fp1024_mul_sum(t, L->l[k][0], xy, L->l[k][1], yi, P);
			fp2_mul_line(v, v, t);
			k++;
		}
	}
	OPENSSL_cleanse(t, sizeof(t));
}

void
pairing_eval(uint64_t w[N], const struct pairing_lines *L, const struct ecp_aff *b)
{
	struct fp2 v;

	pairing_miller(&v, L, b);
	final_exp(w, &v);
	OPENSSL_cleanse(&v, sizeof(v));
}

void
pairing_eval_pow_mul(uint64_t w[N], const struct pairing_lines *l1,
    const uint64_t e[N], const struct pairing_lines *l2, const struct ecp_aff *b)
{
	struct fp2 v1, v2, tab[16];
	unsigned int x;
	int i, top, k;

	/*
	 * The final exponentiation is a homomorphism, so raise the Miller
	 * value instead of the pairing. Fixed 4-bit windows over the public
	 * exponent; rows are picked by its digits only.
	 */
	pairing_miller(&v1, l1, b);
	pairing_miller(&v2, l2, b);
	fp2_set_one(&tab[0]);
	tab[1] = v1;
	for (i = 2; i < 16; i++)
		fp2_mul(&tab[i], &tab[i - 1], &v1);
	for (top = 16 * N - 1; top > 0; top--)
		if ((e[top / 16] >> (4 * (top % 16))) & 15)
			break;
	fp2_set_one(&v1);
	for (i = top; i >= 0; i--) {
		for (k = 0; k < 4; k++)
			fp2_sqr(&v1, &v1);
		x = (unsigned int)(e[i / 16] >> (4 * (i % 16))) & 15;
		fp2_mul(&v1, &v1, &tab[x]);
	}
	fp2_mul(&v1, &v1, &v2);
	final_exp(w, &v1);
	OPENSSL_cleanse(&v1, sizeof(v1));
	OPENSSL_cleanse(&v2, sizeof(v2));
	OPENSSL_cleanse(tab, sizeof(tab));
}

static struct pairing_lines *gen_lines;
static CRYPTO_ONCE gen_lines_once = CRYPTO_ONCE_STATIC_INIT;

static void
gen_lines_init(void)
{
	if (pairing_lines_new(&gen_lines, &ecp1024_gen, 0) != 0)
		gen_lines = NULL;
}

const struct pairing_lines *
pairing_lines_gen(void)
{
	if (!CRYPTO_THREAD_run_once(&gen_lines_once, gen_lines_init))
		return NULL;
	return gen_lines;
}

static struct gtab *gtab;
static CRYPTO_ONCE gtab_once = CRYPTO_ONCE_STATIC_INIT;

static void
gtab_init(void)
{
	struct fp2 *x = NULL, base;
	uint64_t (*tmp)[N] = NULL;
	struct gtab *t = NULL;
	size_t n = (size_t)GT_NWIN * GT_ROW, i, j;

	t = OPENSSL_malloc(sizeof(*t));
	x = OPENSSL_malloc(n * sizeof(*x));
	tmp = OPENSSL_malloc(2 * n * sizeof(*tmp));
	if (t == NULL || x == NULL || tmp == NULL)
		goto out;
	/* g as the class of 1 + i g (RFC 6508 3.2 reduction x2 / x1 = g). */
	fp1024_copy(base.a, P->one);
	fp1024_to_mont(base.b, pairing_g, P);
	for (i = 0; i < GT_NWIN; i++) {
		x[GT_ROW * i] = base;
		for (j = 1; j < GT_ROW; j++)
			fp2_mul(&x[GT_ROW * i + j], &x[GT_ROW * i + j - 1], &base);
		fp2_sqr(&base, &x[GT_ROW * i + GT_ROW - 1]);
	}
	for (i = 0; i < n; i++)
		fp1024_copy(tmp[i], x[i].a);
	fp1024_inv_batch(tmp, tmp + n, n, P);
	for (i = 0; i < n; i++)
		fp_mul(t->e[i / GT_ROW][i % GT_ROW], x[i].b, tmp[i]);
	gtab = t;
	t = NULL;
out:
	OPENSSL_free(tmp);
	OPENSSL_free(x);
	OPENSSL_free(t);
}

typedef uint64_t gt_v4 __attribute__((vector_size(32)));

/*
 * Entry mag of a row (0 for mag = 0): every entry is read and masked in,
 * a branch-free loop over whole entries that the compiler vectorises.
 */
__attribute__((target_clones("avx2", "default")))
static void
gtab_scan(uint64_t out[N], const uint64_t (*row)[N], uint64_t mag)
{
	gt_v4 acc[N / 4], v, m;
	int j, l;

	memset(acc, 0, sizeof(acc));
	for (j = 0; j < GT_ROW; j++) {
		m = (gt_v4){ 0, 0, 0, 0 } +
		    ((((mag ^ (uint64_t)(j + 1)) + 0xff) >> 8) - 1);
#pragma GCC unroll 4
		for (l = 0; l < N / 4; l++) {
			memcpy(&v, row[j] + 4 * l, sizeof(v));
			acc[l] |= v & m;
		}
	}
	memcpy(out, acc, sizeof(acc));
	OPENSSL_cleanse(acc, sizeof(acc));
}

/* acc = g^k as a class of F_p^2* / F_p* (not normalised). */
static void
gtab_pow(struct fp2 *acc, const uint64_t k[N])
{
	uint64_t mag, neg, carry = 0, sel[N], m;
	struct fp2 t;
	int i;

	fp2_set_one(acc);
	for (i = 0; i < GT_NWIN; i++) {
		modq_recode_step_w(&mag, &neg, &carry, k, i, GT_W);
		gtab_scan(sel, gtab->e[i], mag);
		/* g^-e is the conjugate class: 1 - i e. */
		fp1024_cneg(sel, sel, neg, P);
		fp2_mul_norm(&t, acc, sel);
		m = ((mag | (0 - mag)) >> 63) - 1;
		fp2_cmov(acc, &t, ~m);
	}
	OPENSSL_cleanse(&mag, sizeof(mag));
	OPENSSL_cleanse(&neg, sizeof(neg));
	OPENSSL_cleanse(&carry, sizeof(carry));
	OPENSSL_cleanse(&t, sizeof(t));
	OPENSSL_cleanse(sel, sizeof(sel));
}

int
pairing_gpow(uint64_t w[N], const uint64_t k[N])
{
	uint64_t inv[N];
	struct fp2 acc;

	if (!CRYPTO_THREAD_run_once(&gtab_once, gtab_init) || gtab == NULL)
		return SKM_ENOMEM;
	gtab_pow(&acc, k);
	fp1024_inv(inv, acc.a, P);
	fp_mul(w, acc.b, inv);
	fp1024_from_mont(w, w, P);
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_cleanse(inv, sizeof(inv));
	return 0;
}

int
pairing_gpow_batch(uint64_t (*w)[N], const uint64_t (*k)[N], size_t n)
{
	uint64_t (*x1)[N] = NULL, (*tmp)[N] = NULL;
	struct fp2 acc;
	size_t i;
	int err = SKM_ENOMEM;

	if (n == 0)
		return 0;
	if (!CRYPTO_THREAD_run_once(&gtab_once, gtab_init) || gtab == NULL)
		return SKM_ENOMEM;
	x1 = OPENSSL_zalloc(n * sizeof(*x1));
	tmp = OPENSSL_zalloc(n * sizeof(*tmp));
	if (x1 == NULL || tmp == NULL)
		goto out;
	/*
	 * x1 is never zero: the class of g^k has odd order and the class of
	 * i (x1 = 0) has order 2, so one shared inversion serves all.
	 */
	for (i = 0; i < n; i++) {
		gtab_pow(&acc, k[i]);
		fp1024_copy(x1[i], acc.a);
		fp1024_copy(w[i], acc.b);
	}
	fp1024_inv_batch(x1, tmp, n, P);
	for (i = 0; i < n; i++) {
		fp_mul(w[i], w[i], x1[i]);
		fp1024_from_mont(w[i], w[i], P);
	}
	err = 0;
out:
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_clear_free(x1, n * sizeof(*x1));
	OPENSSL_clear_free(tmp, n * sizeof(*tmp));
	return err;
}
