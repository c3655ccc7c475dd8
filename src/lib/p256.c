/* SPDX-License-Identifier: ISC */
/*
 * Constant-time [k]G on P-256 over p256n field arithmetic. OpenSSL's
 * EC_POINT_mul is not used for secret scalars because its scalar handling
 * (BN_bin2bn, BN_num_bits) branches on the value, which memcheck reports.
 * Method: signed 7-bit windows over a table of 37 x 64 affine multiples
 * of G built once (148 KiB), a full scan of each table row, and Jacobian mixed
 * additions whose only exceptional case reachable for 0 <= k < q (adding
 * to the point at infinity) is resolved by a masked select; see
 * p256_mul_g. The table itself is built with the complete projective
 * formulas of Renes, Costello and Batina (EUROCRYPT 2016, algorithm 4).
 * For p256_mul2_eq the same constant-time walk serves the secret scalar's
 * half; the public half walks a table of a fixed public point (a KPAK)
 * with 9-bit windows (29 x 256 entries, 464 KiB) in variable time, its
 * additions paired with those of the secret half so that the processor
 * overlaps them, and algorithm 4 joins the two sums.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/err.h"
#include "lib/cpu.h"
#include "lib/p256.h"
#include "lib/p256n.h"
#include "lib/p256n_adx.h"

#define WIN	7
#define NWIN	37		/* ceil(257 / WIN): the recoding may carry one bit */
#define NTAB	64		/* |digit| <= 2^(WIN-1) */

/*
 * The public half of p256_mul2_eq reads single entries, not rows, so its
 * table of T affords wider windows: 29 additions instead of 37.
 */
#define VWIN	9
#define VNWIN	29		/* ceil(257 / VWIN) */
#define VNTAB	256

#define FP	(&p256n_p)

const uint8_t p256_g[65] = {
	0x04,
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
	0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
	0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
	0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a,
	0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce,
	0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5,
};

/* b in Montgomery form mod p */
static const uint64_t curve_b[4] = {
	0xd89cdf6229c4bddfULL, 0xacf005cd78843090ULL,
	0xe5a220abf7212ed6ULL, 0xdc30061d04874834ULL,
};

struct proj {
	uint64_t x[4], y[4], z[4];
};

struct aff {
	uint64_t x[4], y[4];
};

/* [i][d-1] = d 2^(WIN i) G, for the constant-time comb */
struct g_tab {
	struct aff t[NWIN][NTAB];
};

/* [i][d-1] = d 2^(VWIN i) T for a fixed public point T (a KMS's KPAK) */
struct p256_tab {
	struct aff t[VNWIN][VNTAB];
};

static struct g_tab g_tab;
static int g_ok;
static int g_avx2;		/* row_select_avx2 usable */
static CRYPTO_ONCE g_once = CRYPTO_ONCE_STATIC_INIT;
static EC_GROUP *g_group;

#define MUL(r, a, b)	p256n_fp_mul((r), (a), (b))
#define SQR(r, a)	p256n_fp_sqr((r), (a))
#define ADD(r, a, b)	p256n_fp_add((r), (a), (b))
#define SUB(r, a, b)	p256n_fp_sub((r), (a), (b))

/* RCB16 algorithm 4: complete projective addition, a = -3 */
static void
proj_add(struct proj *r, const struct proj *p, const struct proj *q)
{
	uint64_t t0[4], t1[4], t2[4], t3[4], t4[4], x3[4], y3[4], z3[4];

	MUL(t0, p->x, q->x); MUL(t1, p->y, q->y); MUL(t2, p->z, q->z);
	ADD(t3, p->x, p->y); ADD(t4, q->x, q->y); MUL(t3, t3, t4);
	ADD(t4, t0, t1); SUB(t3, t3, t4); ADD(t4, p->y, p->z);
	ADD(x3, q->y, q->z); MUL(t4, t4, x3); ADD(x3, t1, t2);
	SUB(t4, t4, x3); ADD(x3, p->x, p->z); ADD(y3, q->x, q->z);
	MUL(x3, x3, y3); ADD(y3, t0, t2); SUB(y3, x3, y3);
	MUL(z3, curve_b, t2); SUB(x3, y3, z3); ADD(z3, x3, x3);
	ADD(x3, x3, z3); SUB(z3, t1, x3); ADD(x3, t1, x3);
	MUL(y3, curve_b, y3); ADD(t1, t2, t2); ADD(t2, t1, t2);
	SUB(y3, y3, t2); SUB(y3, y3, t0); ADD(t1, y3, y3);
	ADD(y3, t1, y3); ADD(t1, t0, t0); ADD(t0, t1, t0);
	SUB(t0, t0, t2); MUL(t1, t4, y3); MUL(t2, t0, y3);
	MUL(y3, x3, z3); ADD(y3, y3, t2); MUL(x3, t3, x3);
	SUB(x3, x3, t1); MUL(z3, t4, z3); MUL(t1, t3, t0);
	ADD(z3, z3, t1);
	memcpy(r->x, x3, sizeof(x3));
	memcpy(r->y, y3, sizeof(y3));
	memcpy(r->z, z3, sizeof(z3));
}

/*
 * The field product and square inside jac_add_aff_with: the BMI2/ADX
 * code inline when adx is set (a constant after inlining), else the
 * dispatching call.
 */
static inline __attribute__((always_inline)) void
fmul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], int adx)
{
#if defined(__x86_64__)
	if (adx) {
		p256n_fp_mul_adx(r, a, b);
		return;
	}
#endif
	p256n_fp_mul(r, a, b);
}

static inline __attribute__((always_inline)) void
fsqr(uint64_t r[4], const uint64_t a[4], int adx)
{
#if defined(__x86_64__)
	if (adx) {
		p256n_fp_sqr_adx(r, a);
		return;
	}
#endif
	p256n_fp_sqr(r, a);
}

static inline __attribute__((always_inline)) void
fadd(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], int adx)
{
#if defined(__x86_64__)
	if (adx) {
		p256n_fp_add_adx(r, a, b);
		return;
	}
#endif
	p256n_fp_add(r, a, b);
}

/*
 * Jacobian acc + affine q, madd-2007-bl (7M + 4S). Wrong when acc = q or
 * acc is infinity, and gives Z = 0 for acc = -q; p256_mul_g rules out the
 * first and masks the second. The combs spend most of their time here, so
 * it is compiled once per arithmetic level (jac_add_aff picks one).
 */
static inline __attribute__((always_inline)) void
jac_add_aff_with(struct proj *r, const struct proj *p, const struct aff *q, int adx)
{
	uint64_t z1z1[4], u2[4], s2[4], h[4], hh[4], i[4], j[4], rr[4], v[4], t[4];

	fsqr(z1z1, p->z, adx);
	fmul(u2, q->x, z1z1, adx);
	fmul(s2, p->z, z1z1, adx);
	fmul(s2, s2, q->y, adx);
	SUB(h, u2, p->x);
	fsqr(hh, h, adx);
	fadd(i, hh, hh, adx);
	fadd(i, i, i, adx);
	fmul(j, h, i, adx);
	SUB(rr, s2, p->y);
	fadd(rr, rr, rr, adx);
	fmul(v, p->x, i, adx);
	/* Z3 first: it reads Z1, which may alias r */
	fadd(t, p->z, h, adx);
	fsqr(t, t, adx);
	SUB(t, t, z1z1);
	SUB(r->z, t, hh);
	/* Y1 J before Y1 is overwritten */
	fmul(s2, p->y, j, adx);
	fsqr(t, rr, adx);
	SUB(t, t, j);
	SUB(t, t, v);
	SUB(r->x, t, v);
	SUB(t, v, r->x);
	fmul(t, rr, t, adx);
	fadd(s2, s2, s2, adx);
	SUB(r->y, t, s2);
}

static void
jac_add_aff_portable(struct proj *r, const struct proj *p, const struct aff *q)
{
	jac_add_aff_with(r, p, q, 0);
}

#if defined(__x86_64__)
static void
jac_add_aff_adx(struct proj *r, const struct proj *p, const struct aff *q)
{
	jac_add_aff_with(r, p, q, 1);
}
#endif

static void
jac_add_aff(struct proj *r, const struct proj *p, const struct aff *q)
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		jac_add_aff_adx(r, p, q);
		return;
	}
#endif
	jac_add_aff_portable(r, p, q);
}

/* the temporaries of one mixed addition */
struct madd_tmp {
	uint64_t z1z1[4], u2[4], s2[4], h[4], hh[4], i[4], j[4], rr[4], v[4], t[4];
};

/*
 * Two independent mixed additions r[k] = p[k] + q[k] (k = 0, 1), the
 * formula of jac_add_aff_with advanced step by step side by side, so that
 * the processor overlaps the products of one with those of the other.
 * r[k] may alias p[k].
 */
static inline __attribute__((always_inline)) void
jac_add_aff2_with(struct proj *const r[2], const struct proj *const p[2],
    const struct aff *const q[2], int adx)
{
	struct madd_tmp w[2];
	int k;

	for (k = 0; k < 2; k++)
		fsqr(w[k].z1z1, p[k]->z, adx);
	for (k = 0; k < 2; k++)
		fmul(w[k].u2, q[k]->x, w[k].z1z1, adx);
	for (k = 0; k < 2; k++)
		fmul(w[k].s2, p[k]->z, w[k].z1z1, adx);
	for (k = 0; k < 2; k++)
		fmul(w[k].s2, w[k].s2, q[k]->y, adx);
	for (k = 0; k < 2; k++) {
		SUB(w[k].h, w[k].u2, p[k]->x);
		fsqr(w[k].hh, w[k].h, adx);
	}
	for (k = 0; k < 2; k++) {
		fadd(w[k].i, w[k].hh, w[k].hh, adx);
		fadd(w[k].i, w[k].i, w[k].i, adx);
		fmul(w[k].j, w[k].h, w[k].i, adx);
	}
	for (k = 0; k < 2; k++) {
		SUB(w[k].rr, w[k].s2, p[k]->y);
		fadd(w[k].rr, w[k].rr, w[k].rr, adx);
		fmul(w[k].v, p[k]->x, w[k].i, adx);
	}
	/* Z3 first: it reads Z1, which may alias r */
	for (k = 0; k < 2; k++) {
		fadd(w[k].t, p[k]->z, w[k].h, adx);
		fsqr(w[k].t, w[k].t, adx);
	}
	for (k = 0; k < 2; k++) {
		SUB(w[k].t, w[k].t, w[k].z1z1);
		SUB(r[k]->z, w[k].t, w[k].hh);
	}
	/* Y1 J before Y1 is overwritten */
	for (k = 0; k < 2; k++)
		fmul(w[k].s2, p[k]->y, w[k].j, adx);
	for (k = 0; k < 2; k++)
		fsqr(w[k].t, w[k].rr, adx);
	for (k = 0; k < 2; k++) {
		SUB(w[k].t, w[k].t, w[k].j);
		SUB(w[k].t, w[k].t, w[k].v);
		SUB(r[k]->x, w[k].t, w[k].v);
		SUB(w[k].t, w[k].v, r[k]->x);
		fmul(w[k].t, w[k].rr, w[k].t, adx);
	}
	for (k = 0; k < 2; k++) {
		fadd(w[k].s2, w[k].s2, w[k].s2, adx);
		SUB(r[k]->y, w[k].t, w[k].s2);
	}
}

static void
jac_add_aff2_portable(struct proj *const r[2], const struct proj *const p[2],
    const struct aff *const q[2])
{
	jac_add_aff2_with(r, p, q, 0);
}

#if defined(__x86_64__)
static void
jac_add_aff2_adx(struct proj *const r[2], const struct proj *const p[2],
    const struct aff *const q[2])
{
	jac_add_aff2_with(r, p, q, 1);
}
#endif

static void
jac_add_aff2(struct proj *const r[2], const struct proj *const p[2],
    const struct aff *const q[2])
{
#if defined(__x86_64__)
	if (cpu_level() >= CPU_ADX) {
		jac_add_aff2_adx(r, p, q);
		return;
	}
#endif
	jac_add_aff2_portable(r, p, q);
}

/*
 * n points of a row to affine with a single inversion (Montgomery's
 * trick); pre is room for n partial products.
 */
static void
row_to_aff(struct aff *row, const struct proj *pts, uint64_t (*pre)[4], int n)
{
	uint64_t inv[4], zi[4];
	int d;

	memcpy(pre[0], pts[0].z, sizeof(pre[0]));
	for (d = 1; d < n; d++)
		MUL(pre[d], pre[d - 1], pts[d].z);
	p256n_inv(FP, inv, pre[n - 1]);
	for (d = n - 1; d >= 0; d--) {
		if (d > 0) {
			MUL(zi, inv, pre[d - 1]);
			MUL(inv, inv, pts[d].z);
		} else
			memcpy(zi, inv, sizeof(zi));
		MUL(row[d].x, pts[d].x, zi);
		MUL(row[d].y, pts[d].y, zi);
	}
}

/*
 * Fills t, nwin rows of 2^(win - 1) entries, with d 2^(win i) P for P =
 * base (Montgomery form, Z = 1); 0, or SKM_ENOMEM for the scratch space.
 */
static int
table_build(struct aff *t, int win, int nwin, const struct proj *p)
{
	struct proj base = *p, *pts;
	uint64_t (*pre)[4];
	int i, d, n = 1 << (win - 1);

	pts = OPENSSL_malloc(sizeof(*pts) * (size_t)n);
	pre = OPENSSL_malloc(sizeof(*pre) * (size_t)n);
	if (pts == NULL || pre == NULL) {
		OPENSSL_free(pts);
		OPENSSL_free(pre);
		return SKM_ENOMEM;
	}
	for (i = 0; i < nwin; i++) {
		pts[0] = base;
		for (d = 1; d < n; d++)
			proj_add(&pts[d], &pts[d - 1], &base);
		row_to_aff(t + (size_t)i * (size_t)n, pts, pre, n);
		for (d = 0; d < win; d++)
			proj_add(&base, &base, &base);
	}
	OPENSSL_free(pts);
	OPENSSL_free(pre);
	return 0;
}

/* An encoded point's coordinates into Montgomery form, Z = 1. */
static void
point_load(struct proj *r, const uint8_t pt[65])
{
	uint64_t v[4];

	p256n_from_bytes(v, pt + 1);
	p256n_to_mont(FP, r->x, v);
	p256n_from_bytes(v, pt + 33);
	p256n_to_mont(FP, r->y, v);
	memcpy(r->z, FP->one, sizeof(r->z));
}

static void
table_init(void)
{
	struct proj base;

	if ((g_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL)
		return;
	point_load(&base, p256_g);
	if (table_build(&g_tab.t[0][0], WIN, NWIN, &base) != 0)
		return;
#if defined(__x86_64__)
	__builtin_cpu_init();
	g_avx2 = __builtin_cpu_supports("avx2") != 0;
#endif
	g_ok = 1;
}

static int
p256_init(void)
{
	return CRYPTO_THREAD_run_once(&g_once, table_init) && g_ok;
}

const EC_GROUP *
p256_group(void)
{
	return p256_init() ? g_group : NULL;
}

/* All-ones if a == b, else zero; a, b < 2^32. */
static uint64_t
eq_mask(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

	return ((x | (0 - x)) >> 63) - 1;
}

static void
row_select_c(struct aff *r, const struct aff *row, uint64_t idx)
{
	uint64_t x0 = 0, x1 = 0, x2 = 0, x3 = 0, y0 = 0, y1 = 0, y2 = 0, y3 = 0;
	int e;

	for (e = 0; e < NTAB; e++) {
		uint64_t m = eq_mask(idx, (uint64_t)e + 1);

		x0 |= row[e].x[0] & m;
		x1 |= row[e].x[1] & m;
		x2 |= row[e].x[2] & m;
		x3 |= row[e].x[3] & m;
		y0 |= row[e].y[0] & m;
		y1 |= row[e].y[1] & m;
		y2 |= row[e].y[2] & m;
		y3 |= row[e].y[3] & m;
	}
	r->x[0] = x0;
	r->x[1] = x1;
	r->x[2] = x2;
	r->x[3] = x3;
	r->y[0] = y0;
	r->y[1] = y1;
	r->y[2] = y2;
	r->y[3] = y3;
}

#if defined(__x86_64__)
/*
 * row_select with AVX2 where the CPU has it (memcheck's CPU does, so
 * tests/ct.sh checks this path): a point per
 * two 256-bit loads, the entry chosen by a vector compare and mask, never
 * by a branch or an index.
 */
__attribute__((target("avx2"))) static void
row_select_avx2(struct aff *r, const struct aff *row, uint64_t idx)
{
	__m256i ax = _mm256_setzero_si256(), ay = _mm256_setzero_si256();
	__m256i want = _mm256_set1_epi64x((long long)idx), e1 = _mm256_set1_epi64x(1);
	__m256i cur = e1, m;
	int e;

	for (e = 0; e < NTAB; e++) {
		m = _mm256_cmpeq_epi64(cur, want);
		ax = _mm256_or_si256(ax, _mm256_and_si256(m,
		    _mm256_loadu_si256((const __m256i *)row[e].x)));
		ay = _mm256_or_si256(ay, _mm256_and_si256(m,
		    _mm256_loadu_si256((const __m256i *)row[e].y)));
		cur = _mm256_add_epi64(cur, e1);
	}
	_mm256_storeu_si256((__m256i *)r->x, ax);
	_mm256_storeu_si256((__m256i *)r->y, ay);
}
#endif

/* r = row[idx - 1], or zero for idx 0, reading every entry */
static void
row_select(struct aff *r, const struct aff *row, uint64_t idx)
{
#if defined(__x86_64__)
	if (g_avx2) {
		row_select_avx2(r, row, idx);
		return;
	}
#endif
	row_select_c(r, row, idx);
}

/*
 * The magnitude of signed window i (win bits) of kw (5 limbs, the top one
 * zero), in constant time: *neg is 1 for a negative digit, and *carry
 * goes from one window to the next (0 before window 0). Digits lie in
 * [-2^(win-1), 2^(win-1)] and sum_i d_i 2^(win i) = kw for any 256-bit kw.
 */
static uint64_t
window_digit(const uint64_t kw[5], int i, unsigned int win, uint64_t *carry,
    uint64_t *neg)
{
	unsigned int bit = win * (unsigned int)i;
	uint64_t w, d, gt;

	/* window bits at a public position */
	w = kw[bit / 64] >> (bit % 64);
	if (bit % 64 > 64 - win)
		w |= kw[bit / 64 + 1] << (64 - bit % 64);
	d = (w & ((1u << win) - 1)) + *carry;
	/* digits above 2^(win-1) become negative, borrowing from the next */
	gt = ((uint64_t)(1u << (win - 1)) - d) >> 63;
	*carry = gt;
	*neg = gt;
	return ((0 - gt) & ((1u << win) - d)) | (~(0 - gt) & d);
}

/*
 * [k]T in Jacobian coordinates over the table of a fixed public point T,
 * in variable time for a public 0 <= k < q, one window per vt_step call:
 * zero digits skipped, entries looked up directly. The mixed additions
 * meet no exception, by the argument in comb_ct, which holds for 9-bit
 * windows too: the last one starts at bit 252 as well (9 x 28 = 7 x 36),
 * with a digit of at most 16. inf is 1 while acc is the point at infinity.
 */
struct vt_walk {
	struct proj *acc;
	const struct p256_tab *tab;
	const uint64_t *kw;
	uint64_t carry;
	int inf;
};

/*
 * Window i of the walk: the entry to add to acc, in *pt, and 1; or 0 when
 * there is nothing to add (a zero digit, or the first entry, which
 * becomes acc itself).
 */
static int
vt_step(struct vt_walk *vt, int i, struct aff *pt)
{
	uint64_t neg, absd, zero[4] = { 0 };

	if (i >= VNWIN || (absd = window_digit(vt->kw, i, VWIN, &vt->carry, &neg)) == 0)
		return 0;
	*pt = vt->tab->t[i][absd - 1];
	if (neg)
		SUB(pt->y, zero, pt->y);
	if (!vt->inf)
		return 1;
	memcpy(vt->acc->x, pt->x, sizeof(pt->x));
	memcpy(vt->acc->y, pt->y, sizeof(pt->y));
	memcpy(vt->acc->z, FP->one, sizeof(vt->acc->z));
	vt->inf = 0;
	return 0;
}

/*
 * acc = [k]P in Jacobian coordinates over the table of P (a point of order
 * q), in constant time for 0 <= k < q: every row scanned, an addition on
 * every window. Returns all-ones if acc is the point at infinity (k = 0;
 * acc is then not a point), else 0; the mask is as secret as k.
 * With vt, the public walk runs alongside: where it has an entry to add,
 * the two additions go through jac_add_aff2. Whether it has one depends
 * on its public scalar only.
 */
static uint64_t
comb_ct(struct proj *acc, const struct g_tab *tab, const uint64_t kw[5],
    struct vt_walk *vt)
{
	struct proj sum, *rs[2];
	const struct proj *ps[2];
	const struct aff *qs[2];
	struct aff pt, pt2;
	uint64_t carry = 0, inf = ~(uint64_t)0, ny[4];
	int i, pair;

	/* acc holds sum_{i' < i} d_i' 2^(WIN i') P; inf says it is still O */
	memset(acc, 0, sizeof(*acc));
	for (i = 0; i < NWIN; i++) {
		uint64_t gt, absd, use;

		absd = window_digit(kw, i, WIN, &carry, &gt);
		row_select(&pt, tab->t[i], absd);
		memset(ny, 0, sizeof(ny));
		SUB(ny, ny, pt.y);
		p256n_select(pt.y, ny, pt.y, 0 - gt);
		pair = vt != NULL && vt_step(vt, i, &pt2);
		if (i == 0) {
			/* acc = the first entry, no addition: inf while it is O */
			memcpy(acc->x, pt.x, sizeof(pt.x));
			memcpy(acc->y, pt.y, sizeof(pt.y));
			memcpy(acc->z, FP->one, sizeof(acc->z));
			inf = eq_mask(absd, 0);
			continue;
		}
		/*
		 * jac_add_aff's exceptions, for 0 <= k < q: at i <= 35, |acc| <
		 * 2^(7i - 1) <= |d 2^(7i)| <= 2^(7i + 6) < q/2 as integers, so
		 * acc = +-pt only if acc = O. At i = 36, 0 <= d <= 16 and
		 * acc = pt (mod q) with |acc| < 2^251 forces acc = 2^256 - q,
		 * d = 16 and so k = acc + 2^256 >= q. acc = -pt means k = 0.
		 */
		if (pair) {
			rs[0] = &sum;
			rs[1] = vt->acc;
			ps[0] = acc;
			ps[1] = vt->acc;
			qs[0] = &pt;
			qs[1] = &pt2;
			jac_add_aff2(rs, ps, qs);
		} else
			jac_add_aff(&sum, acc, &pt);
		p256n_select(sum.x, pt.x, sum.x, inf);
		p256n_select(sum.y, pt.y, sum.y, inf);
		p256n_select(sum.z, FP->one, sum.z, inf);
		use = ~eq_mask(absd, 0);
		p256n_select(acc->x, sum.x, acc->x, use);
		p256n_select(acc->y, sum.y, acc->y, use);
		p256n_select(acc->z, sum.z, acc->z, use);
		inf &= ~use;
	}
	OPENSSL_cleanse(&sum, sizeof(sum));
	OPENSSL_cleanse(&pt, sizeof(pt));
	return inf | p256n_is_zero(acc->z);
}

uint64_t
p256_mul_g(uint8_t out[65], const uint8_t k[32])
{
	struct proj acc;
	struct aff pt;
	uint64_t kw[5], inf, zi[4], zi2[4];

	if (!p256_init()) {
		/* cannot happen after the first call; report infinity */
		memset(out, 0, 65);
		return ~(uint64_t)0;
	}
	p256n_from_bytes(kw, k);
	kw[4] = 0;
	inf = comb_ct(&acc, &g_tab, kw, NULL);
	p256n_inv(FP, zi, acc.z);
	SQR(zi2, zi);
	MUL(pt.x, acc.x, zi2);
	MUL(zi2, zi2, zi);
	MUL(pt.y, acc.y, zi2);
	p256n_from_mont(FP, pt.x, pt.x);
	p256n_from_mont(FP, pt.y, pt.y);
	out[0] = (uint8_t)(0x04 & ~inf);
	p256n_to_bytes(out + 1, pt.x);
	p256n_to_bytes(out + 33, pt.y);
	OPENSSL_cleanse(kw, sizeof(kw));
	OPENSSL_cleanse(&acc, sizeof(acc));
	OPENSSL_cleanse(&pt, sizeof(pt));
	OPENSSL_cleanse(zi, sizeof(zi));
	OPENSSL_cleanse(zi2, sizeof(zi2));
	return inf;
}

/* All-ones if a == b, else zero (four limbs, constant time). */
static uint64_t
eq4_mask(const uint64_t a[4], const uint64_t b[4])
{
	uint64_t x = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]);

	return ((x | (0 - x)) >> 63) - 1;
}

int
p256_point_check(const uint8_t pt[65])
{
	uint64_t x[4], y[4], l[4], r[4], t[4];

	if (pt[0] != 0x04)
		return SKM_EPOINT;
	p256n_from_bytes(x, pt + 1);
	p256n_from_bytes(y, pt + 33);
	if (!(p256n_lt(x, FP->m) & p256n_lt(y, FP->m)))
		return SKM_EPOINT;
	/* y^2 = x^3 - 3x + b; (0, 0), the only octets infinity could take, is off it */
	p256n_to_mont(FP, x, x);
	p256n_to_mont(FP, y, y);
	SQR(l, y);
	SQR(r, x);
	MUL(r, r, x);
	ADD(t, x, x);
	ADD(t, t, x);
	SUB(r, r, t);
	ADD(r, r, curve_b);
	return eq4_mask(l, r) ? 0 : SKM_EPOINT;
}

struct p256_tab *
p256_tab_new(const uint8_t pt[65])
{
	struct p256_tab *tab;
	struct proj base;

	if (!p256_init() || p256_point_check(pt) != 0)
		return NULL;
	if ((tab = OPENSSL_malloc(sizeof(*tab))) == NULL)
		return NULL;
	point_load(&base, pt);
	if (table_build(&tab->t[0][0], VWIN, VNWIN, &base) != 0) {
		OPENSSL_free(tab);
		return NULL;
	}
	return tab;
}

void
p256_tab_free(struct p256_tab *tab)
{
	OPENSSL_free(tab);
}

/* Jacobian (X:Y:Z) to projective (XZ : Y : Z^3), or (0:1:0) under mask inf. */
static void
jac_to_proj(struct proj *r, const struct proj *j, uint64_t inf)
{
	uint64_t zero[4] = { 0 }, z2[4];

	SQR(z2, j->z);
	MUL(r->x, j->x, j->z);
	MUL(r->z, z2, j->z);
	p256n_select(r->x, zero, r->x, inf);
	p256n_select(r->y, FP->one, j->y, inf);
	p256n_select(r->z, zero, r->z, inf);
}

/*
 * [u]G by comb_ct (constant time, u is secret) and [w]T by the vt_walk
 * alongside it (public), both in Jacobian coordinates with the cheaper mixed additions,
 * then joined by the complete projective addition, which takes any two
 * points (the two halves may meet), and compared with P projectively,
 * without an inversion.
 */
uint64_t
p256_mul2_eq(const uint8_t u[32], const struct p256_tab *tab, const uint8_t w[32],
    const uint8_t pt[65])
{
	struct proj acc, acc2, p;
	uint64_t ku[5], kw[5], t[4], inf, eq;
	struct vt_walk vt;

	if (!p256_init())
		return 0;
	p256n_from_bytes(ku, u);
	ku[4] = 0;
	p256n_from_bytes(kw, w);
	kw[4] = 0;
	memset(&acc2, 0, sizeof(acc2));
	vt.acc = &acc2;
	vt.tab = tab;
	vt.kw = kw;
	vt.carry = 0;
	vt.inf = 1;
	inf = comb_ct(&acc, &g_tab, ku, &vt);
	jac_to_proj(&acc, &acc, inf);
	jac_to_proj(&acc2, &acc2, vt.inf ? ~(uint64_t)0 : 0);
	proj_add(&acc, &acc, &acc2);
	/* (X:Y:Z) == (x, y) iff Z != 0, X = x Z and Y = y Z */
	point_load(&p, pt);
	MUL(t, p.x, acc.z);
	eq = eq4_mask(t, acc.x);
	MUL(t, p.y, acc.z);
	eq &= eq4_mask(t, acc.y) & ~p256n_is_zero(acc.z);
	OPENSSL_cleanse(ku, sizeof(ku));
	OPENSSL_cleanse(&acc, sizeof(acc));
	return eq;
}
