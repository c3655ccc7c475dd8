/* SPDX-License-Identifier: ISC */
/*
 * src/lib SAKKE batched RSK derivation: batches of several sizes equal the
 * single derivation entry by entry, the RFC 6508 Appendix A key comes out
 * of a batch, and refused entries (no key, bad length) and repeated
 * identifiers inside a batch leave the other entries intact. Batched
 * encapsulation: equal to single encapsulations (degenerate identifiers
 * included), decapsulated by the receivers, and the same from threads
 * sharing one public key.
 */
#include <check.h>
#include <pthread.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "lib/fp1024.h"
#include "lib/sakke.h"
#include "testlib.h"

#define N	FP1024_LIMBS
#define MAXB	1000
#define IDLEN	32

static uint8_t ids[MAXB][IDLEN];
static uint8_t rsks[MAXB][SAKKE_POINT_LEN];
static const uint8_t *idp[MAXB];
static size_t idl[MAXB];
static int st[MAXB];
static uint8_t ssvs[MAXB][SAKKE_SSV_LEN];
static uint8_t seds[MAXB][SAKKE_SED_LEN];

static void
fill_random(size_t n)
{
	size_t i;

	ck_assert_int_eq(RAND_bytes(&ids[0][0], (int)(n * IDLEN)), 1);
	for (i = 0; i < n; i++) {
		idp[i] = ids[i];
		idl[i] = IDLEN;
	}
}

/* Entry i of the last batch against sakke_rsk_derive(). */
static void
check_entry(const struct sakke_kms *kms, size_t i)
{
	uint8_t one[SAKKE_POINT_LEN];

	ck_assert_int_eq(st[i], 0);
	ck_assert_int_eq(sakke_rsk_derive(kms, idp[i], idl[i], one), 0);
	ck_assert_mem_eq(rsks[i], one, SAKKE_POINT_LEN);
}

/*
 * Sizes around the edges of the shared inversions (1, 2, 3), an odd size,
 * the server's precompute batch and the benchmark's; the largest is
 * checked on a spread of entries to keep the test quick.
 */
START_TEST(sizes)
{
	static const size_t sz[] = { 1, 2, 3, 17, 256, MAXB };
	struct sakke_kms *kms;
	size_t i, j, step;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	for (j = 0; j < sizeof(sz) / sizeof(sz[0]); j++) {
		fill_random(sz[j]);
		ck_assert_int_eq(sakke_rsk_derive_batch(kms, sz[j], idp, idl, rsks, st), 0);
		step = sz[j] > 256 ? 37 : 1;
		for (i = 0; i < sz[j]; i += step)
			check_entry(kms, i);
		check_entry(kms, sz[j] - 1);
		ck_assert_int_eq(sakke_rsk_validate(sakke_kms_pub(kms), idp[0], idl[0],
		    rsks[0]), 0);
	}
	sakke_kms_free(kms);
}
END_TEST

/* RFC 6508 Appendix A: K_b derived as one entry among random ones. */
START_TEST(rfc_vector_in_batch)
{
	struct vec *v = vec_load("rfc6508.txt");
	const uint8_t *z, *b, *kb;
	size_t zlen, blen, len;
	struct sakke_kms *kms;

	z = vec_bytes(v, "z", &zlen);
	b = vec_bytes(v, "b", &blen);
	kb = vec_bytes(v, "K_b", &len);
	ck_assert_uint_eq(len, SAKKE_POINT_LEN);
	ck_assert_int_eq(sakke_kms_load(&kms, z, zlen), 0);
	fill_random(9);
	idp[4] = b;
	idl[4] = blen;
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 9, idp, idl, rsks, st), 0);
	ck_assert_int_eq(st[4], 0);
	ck_assert_mem_eq(rsks[4], kb, SAKKE_POINT_LEN);
	check_entry(kms, 3);
	check_entry(kms, 5);
	sakke_kms_free(kms);
	vec_free(v);
}
END_TEST

/*
 * z = q - 5 so identifier 5 has no key (a + z = 0 mod q): the entry is
 * refused with SKM_EZERO and zeroed, an empty identifier with SKM_ELEN,
 * and neither disturbs the shared inversions of the others.
 */
START_TEST(refused_entries)
{
	static const uint8_t zero_rsk[SAKKE_POINT_LEN];
	uint64_t zl[N], five[N] = { 5 };
	uint8_t qb[SAKKE_FE_LEN], id5[IDLEN] = { 0 };
	struct sakke_kms *kms;
	size_t i;

	fp1024_sub_raw(zl, fp1024_q.m, five);
	fp1024_to_bytes(qb, zl);
	ck_assert_int_eq(sakke_kms_load(&kms, qb, sizeof(qb)), 0);
	id5[IDLEN - 1] = 5;
	fill_random(17);
	idp[0] = id5;
	idp[8] = id5;
	idl[11] = 0;
	idp[16] = id5;
	memset(rsks, 0xa5, sizeof(rsks[0]) * 17);
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 17, idp, idl, rsks, st), 0);
	for (i = 0; i < 17; i++) {
		if (i == 0 || i == 8 || i == 16) {
			ck_assert_int_eq(st[i], SKM_EZERO);
			ck_assert_mem_eq(rsks[i], zero_rsk, SAKKE_POINT_LEN);
		} else if (i == 11) {
			ck_assert_int_eq(st[i], SKM_ELEN);
			ck_assert_mem_eq(rsks[i], zero_rsk, SAKKE_POINT_LEN);
		} else {
			check_entry(kms, i);
		}
	}
	/* A batch of refused entries only. */
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 1, idp, idl, rsks, st), 0);
	ck_assert_int_eq(st[0], SKM_EZERO);
	sakke_kms_free(kms);
}
END_TEST

/* The same identifier several times, adjacent and apart: equal keys. */
START_TEST(duplicates)
{
	struct sakke_kms *kms;
	size_t i;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	fill_random(8);
	idp[1] = ids[0];
	idp[2] = ids[0];
	idp[7] = ids[0];
	idp[5] = ids[4];
	ck_assert_int_eq(sakke_rsk_derive_batch(kms, 8, idp, idl, rsks, st), 0);
	for (i = 0; i < 8; i++)
		check_entry(kms, i);
	ck_assert_mem_eq(rsks[1], rsks[0], SAKKE_POINT_LEN);
	ck_assert_mem_eq(rsks[7], rsks[0], SAKKE_POINT_LEN);
	ck_assert_mem_eq(rsks[5], rsks[4], SAKKE_POINT_LEN);
	ck_assert(memcmp(rsks[3], rsks[0], SAKKE_POINT_LEN) != 0);
	sakke_kms_free(kms);
}
END_TEST

/* Entry i of the last encapsulation batch against sakke_encapsulate(). */
static void
check_sed(const struct sakke_pub *pub, const uint8_t *const *ip, const size_t *il,
    const uint8_t (*sv)[SAKKE_SSV_LEN], const uint8_t (*sd)[SAKKE_SED_LEN],
    const int *stat, size_t i)
{
	uint8_t one[SAKKE_SED_LEN];

	ck_assert_int_eq(stat[i], 0);
	ck_assert_int_eq(sakke_encapsulate(pub, ip[i], il[i], sv[i], one), 0);
	ck_assert_mem_eq(sd[i], one, SAKKE_SED_LEN);
}

/*
 * Sizes 1, 2, 5 and 33 equal single encapsulations; two receivers of a
 * batch get their SSVs back.
 */
START_TEST(encap_equals_single)
{
	static const size_t sz[] = { 1, 2, 5, 33 };
	struct sakke_kms *kms;
	const struct sakke_pub *pub;
	struct sakke_user *user;
	uint8_t rsk[SAKKE_POINT_LEN], back[SAKKE_SSV_LEN];
	size_t i, j;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	pub = sakke_kms_pub(kms);
	for (j = 0; j < sizeof(sz) / sizeof(sz[0]); j++) {
		fill_random(sz[j]);
		ck_assert_int_eq(RAND_bytes(&ssvs[0][0], (int)(sz[j] * SAKKE_SSV_LEN)), 1);
		ck_assert_int_eq(sakke_encapsulate_batch(pub, sz[j], idp, idl,
		    (const uint8_t (*)[SAKKE_SSV_LEN])ssvs, seds, st), 0);
		for (i = 0; i < sz[j]; i++)
			check_sed(pub, idp, idl, (const uint8_t (*)[SAKKE_SSV_LEN])ssvs,
			    (const uint8_t (*)[SAKKE_SED_LEN])seds, st, i);
	}
	for (i = 0; i < 33; i += 32) {
		ck_assert_int_eq(sakke_rsk_derive(kms, idp[i], idl[i], rsk), 0);
		ck_assert_int_eq(sakke_user_new(&user, pub, idp[i], idl[i], rsk), 0);
		ck_assert_int_eq(sakke_decapsulate(user, seds[i], back), 0);
		ck_assert_mem_eq(back, ssvs[i], SAKKE_SSV_LEN);
		sakke_user_free(user);
	}
	ck_assert_int_eq(sakke_encapsulate_batch(pub, 0, idp, idl,
	    (const uint8_t (*)[SAKKE_SSV_LEN])ssvs, seds, st), 0);
	sakke_kms_free(kms);
}
END_TEST

/*
 * z = q - 5: identifier 5 makes R infinity ([b]P + Z_S = 0), identifier 0
 * makes [r b]P infinity, an identifier equal to one of 129 octets and an
 * empty one are refused; the others are untouched and all match single
 * encapsulation.
 */
START_TEST(encap_degenerate)
{
	static const uint8_t zero_sed[SAKKE_SED_LEN];
	uint64_t zl[N], five[N] = { 5 };
	uint8_t qb[SAKKE_FE_LEN], id5[IDLEN] = { 0 }, id0[IDLEN] = { 0 };
	uint8_t longid[SAKKE_ID_MAX + 1];
	struct sakke_kms *kms;
	const struct sakke_pub *pub;
	size_t i;

	fp1024_sub_raw(zl, fp1024_q.m, five);
	fp1024_to_bytes(qb, zl);
	ck_assert_int_eq(sakke_kms_load(&kms, qb, sizeof(qb)), 0);
	pub = sakke_kms_pub(kms);
	id5[IDLEN - 1] = 5;
	memset(longid, 1, sizeof(longid));
	fill_random(9);
	ck_assert_int_eq(RAND_bytes(&ssvs[0][0], 9 * SAKKE_SSV_LEN), 1);
	idp[1] = id5;
	idp[3] = id0;
	idl[5] = 0;
	idp[7] = longid;
	idl[7] = sizeof(longid);
	memset(seds, 0xa5, 9 * sizeof(seds[0]));
	ck_assert_int_eq(sakke_encapsulate_batch(pub, 9, idp, idl,
	    (const uint8_t (*)[SAKKE_SSV_LEN])ssvs, seds, st), 0);
	for (i = 0; i < 9; i++) {
		if (i == 5 || i == 7) {
			ck_assert_int_eq(st[i], SKM_ELEN);
			ck_assert_mem_eq(seds[i], zero_sed, SAKKE_SED_LEN);
			continue;
		}
		check_sed(pub, idp, idl, (const uint8_t (*)[SAKKE_SSV_LEN])ssvs,
		    (const uint8_t (*)[SAKKE_SED_LEN])seds, st, i);
	}
	/* R = infinity travels as 04 || 0 || 0, as the single path writes it. */
	ck_assert_int_eq(seds[1][0], 0x04);
	ck_assert_mem_eq(seds[1] + 1, zero_sed, 2 * SAKKE_FE_LEN);
	sakke_kms_free(kms);
}
END_TEST

#define THREADS	2
#define PER_THREAD 6

struct encap_job {
	const struct sakke_pub *pub;
	uint8_t ids[PER_THREAD][IDLEN];
	const uint8_t *idp[PER_THREAD];
	size_t idl[PER_THREAD];
	uint8_t ssvs[PER_THREAD][SAKKE_SSV_LEN];
	uint8_t seds[PER_THREAD][SAKKE_SED_LEN];
	int st[PER_THREAD];
	int rc;
};

static void *
encap_thread(void *arg)
{
	struct encap_job *j = arg;
	int k;

	for (k = 0; k < 3 && j->rc == 0; k++)
		j->rc = sakke_encapsulate_batch(j->pub, PER_THREAD, j->idp, j->idl,
		    (const uint8_t (*)[SAKKE_SSV_LEN])j->ssvs, j->seds, j->st);
	return NULL;
}

/* Threads batching on one pub at once get the single results. */
START_TEST(encap_threads)
{
	static struct encap_job jobs[THREADS];
	pthread_t th[THREADS];
	struct sakke_kms *kms;
	size_t i;
	int t;

	ck_assert_int_eq(sakke_kms_generate(&kms), 0);
	for (t = 0; t < THREADS; t++) {
		jobs[t].pub = sakke_kms_pub(kms);
		ck_assert_int_eq(RAND_bytes(&jobs[t].ids[0][0], sizeof(jobs[t].ids)), 1);
		ck_assert_int_eq(RAND_bytes(&jobs[t].ssvs[0][0], sizeof(jobs[t].ssvs)), 1);
		for (i = 0; i < PER_THREAD; i++) {
			jobs[t].idp[i] = jobs[t].ids[i];
			jobs[t].idl[i] = IDLEN;
		}
	}
	for (t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, encap_thread, &jobs[t]), 0);
	for (t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_join(th[t], NULL), 0);
	for (t = 0; t < THREADS; t++) {
		ck_assert_int_eq(jobs[t].rc, 0);
		for (i = 0; i < PER_THREAD; i++)
			check_sed(jobs[t].pub, jobs[t].idp, jobs[t].idl,
			    (const uint8_t (*)[SAKKE_SSV_LEN])jobs[t].ssvs,
			    (const uint8_t (*)[SAKKE_SED_LEN])jobs[t].seds, jobs[t].st, i);
	}
	sakke_kms_free(kms);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sakke_batch");
	TCase *tc = tcase_create("sakke_batch");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, rfc_vector_in_batch);
	tcase_add_test(tc, refused_entries);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, encap_equals_single);
	tcase_add_test(tc, encap_degenerate);
	tcase_add_test(tc, encap_threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
