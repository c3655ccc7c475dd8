/* SPDX-License-Identifier: ISC */
/*
 * The kms layer across a rollover, on a real LMDB: a domain made as
 * before rollovers opens with its one generation; kms_rollover's checks
 * (past boundary, scheduled twice, CertUri in use, validity) change
 * nothing when they refuse; a domain opened before the rollover picks it
 * up with kms_refresh; each period is derived with its own generation and
 * its key set names that certificate; Init's certificates before and
 * after; kms_purge_retired refuses while the window reaches the old
 * secrets and purges them once it does not.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "kms/kms.h"
#include "store/kek.h"
#include "store/store.h"
#include "store_fixture.h"

#define PERIOD	60
#define NOW	2000000000	/* a period starts at 1999999980 */

START_TEST(rollover)
{
	struct kms_domain_params p = { .kms_uri = "kms.example.org", .key_period = PERIOD,
	    .cert_uri = "cert.kms.example.org", .valid_from = NOW - 100,
	    .valid_to = NOW + 100000 };
	struct kms_rollover_params rp;
	struct generation_rec g;
	struct kmsxml_cert cert;
	struct kmsxml_keyset x;
	struct kms_keyset ks;
	struct kek_ref ref;
	struct kek *kek = NULL;
	struct store *st = NULL;
	struct kms *k = NULL, *k2 = NULL;
	uint64_t cur, bno;
	int64_t start, end, b;
	uint32_t ids[GENERATION_MAX];
	char why[512];
	size_t added, n;

	ck_assert_int_eq(kek_file_create(fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ref, fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &kek, why, sizeof(why)), 0);
	ck_assert_int_eq(store_open(fix_path("st"), STORE_CREATE, &st), 0);
	ck_assert_int_eq(kms_domain_create(st, &p, &ref, kek, "test", NOW), 0);
	kek_free(kek);

	/* As every store before rollovers: one generation, current. */
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k, why, sizeof(why)), 0);
	ck_assert_uint_eq(kms_gen_count(k), 1);
	ck_assert_int_eq(kms_gen_state(k, 0, NOW), GENERATION_CURRENT);
	ck_assert_int_eq(kms_cert_next(k, NOW, &cert), SKM_ENOTFOUND);
	ck_assert_int_eq(kms_period_at(k, NOW, &cur, &start, &end), 0);
	b = end + PERIOD;	/* the boundary: the start of the period after next */
	bno = cur + 2;

	/* Refusals. */
	memset(&rp, 0, sizeof(rp));
	rp.at = start - 1;
	ck_assert_int_eq(kms_rollover(k, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "begun"));
	rp.at = end + 1;
	rp.cert_uri = "cert.kms.example.org";
	ck_assert_int_eq(kms_rollover(k, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_EEXIST);
	rp.cert_uri = NULL;
	rp.valid_to = b;
	ck_assert_int_eq(kms_rollover(k, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_EINVAL);
	rp.valid_to = 0;
	ck_assert_int_eq(kms_open_public(st, &k2), 0);
	ck_assert_uint_eq(kms_gen_count(k2), 1);
	kms_free(k2);

	/* A time inside a period: the next boundary after it. */
	ck_assert_int_eq(kms_rollover(k, st, &rp, "test", NOW, &g, why, sizeof(why)), 0);
	ck_assert_uint_eq(g.id, 1);
	ck_assert(g.effective == b);
	ck_assert_int_eq(g.valid_from, b);
	ck_assert_int_eq(g.valid_to, b + 100100);
	ck_assert_str_eq(g.cert_uri, "cert.kms.example.org.g1");
	rp.at = b + PERIOD;
	rp.cert_uri = "cert2.kms.example.org";
	ck_assert_int_eq(kms_rollover(k, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_ESTATE);
	ck_assert_ptr_nonnull(strstr(why, "already scheduled"));

	/* k was opened before: it picks the rollover up, once. */
	ck_assert_uint_eq(kms_gen_count(k), 1);
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 0);
	ck_assert_uint_eq(kms_gen_count(k), 2);
	ck_assert_int_eq(kms_gen_state(k, 1, NOW), GENERATION_NEXT);
	ck_assert_int_eq(kms_gen_state(k, 1, b), GENERATION_CURRENT);
	ck_assert_int_eq(kms_gen_state(k, 0, b), GENERATION_RETIRED);

	/* Init: the certificate in force, and the next one until the boundary. */
	kms_cert(k, b - 1, &cert);
	ck_assert_str_eq(cert.cert_uri, "cert.kms.example.org");
	ck_assert_int_eq(kms_cert_next(k, b - 1, &cert), 0);
	ck_assert_str_eq(cert.cert_uri, "cert.kms.example.org.g1");
	ck_assert_int_eq(cert.valid_from, b);
	kms_cert(k, b, &cert);
	ck_assert_str_eq(cert.cert_uri, "cert.kms.example.org.g1");
	ck_assert_int_eq(kms_cert_next(k, b, &cert), SKM_ENOTFOUND);

	/* The last period before the boundary and the first after it. */
	ck_assert_int_eq(kms_keyset_derive(k, "sip:a@example.org", 17, bno - 1, &ks), 0);
	ck_assert_uint_eq(ks.gen, 0);
	kms_keyset_xml(k, &ks, "sip:a@example.org", &x);
	ck_assert_str_eq(x.cert_uri, "cert.kms.example.org");
	kms_keyset_clear(&ks);
	ck_assert_int_eq(kms_keyset_derive(k, "sip:a@example.org", 17, bno, &ks), 0);
	ck_assert_uint_eq(ks.gen, 1);
	kms_keyset_xml(k, &ks, "sip:a@example.org", &x);
	ck_assert_str_eq(x.cert_uri, "cert.kms.example.org.g1");
	kms_keyset_clear(&ks);
	{
		const char *uris[1] = { "sip:a@example.org" };
		size_t lens[1] = { 17 };
		struct kms_keyset bs[1], one;
		int status[1];

		ck_assert_int_eq(kms_keyset_derive_batch(k, 1, uris, lens, bno, bs,
		    status), 0);
		ck_assert_int_eq(status[0], 0);
		ck_assert_uint_eq(bs[0].gen, 1);
		ck_assert_int_eq(kms_keyset_derive(k, uris[0], 17, bno, &one), 0);
		ck_assert_mem_eq(bs[0].rsk, one.rsk, sizeof(one.rsk));
		ck_assert_mem_eq(bs[0].ssk, one.ssk, sizeof(one.ssk));
		kms_keyset_clear(&bs[0]);
		kms_keyset_clear(&one);
	}

	/* Purge: nothing retired before the boundary; refused while the window reaches it. */
	ck_assert_int_eq(kms_purge_retired(k, st, start, "test", NOW, ids, GENERATION_MAX,
	    &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(kms_purge_retired(k, st, b - PERIOD, "test", b, ids,
	    GENERATION_MAX, &n, why, sizeof(why)), SKM_ESTATE);
	ck_assert_ptr_nonnull(strstr(why, "still reaches"));
	ck_assert_int_eq(kms_purge_retired(k, st, b, "test", b, ids, GENERATION_MAX, &n,
	    why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(ids[0], 0);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k2, why, sizeof(why)), 0);
	ck_assert_uint_eq(kms_gen_count(k2), 1);
	ck_assert_int_eq(kms_keyset_derive(k2, "sip:a@example.org", 17, bno - 1, &ks),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(kms_keyset_derive(k2, "sip:a@example.org", 17, bno, &ks), 0);
	kms_keyset_clear(&ks);
	kms_free(k2);
	kms_free(k);
	store_close(st);
}
END_TEST

/*
 * An emergency rollover (--now --revoke-current): from the start of the
 * current period, replacing a scheduled one; a domain opened before picks
 * up the revocation, the withdrawal and the new generation; a second one
 * in the same period moves the first back so it keeps no period.
 */
START_TEST(emergency)
{
	struct kms_domain_params p = { .kms_uri = "kms.example.org", .key_period = PERIOD,
	    .cert_uri = "cert.kms.example.org", .valid_from = NOW - 100,
	    .valid_to = NOW + 100000 };
	struct kms_rollover_params rp;
	struct generation_rec g;
	struct kmsxml_cert cert;
	struct kms_keyset ks;
	struct kek_ref ref;
	struct kek *kek = NULL;
	struct store *st = NULL;
	struct kms *k = NULL, *ctl = NULL, *k2 = NULL;
	const struct kms_gen *kg;
	uint64_t cur;
	int64_t start, end;
	char why[512];
	size_t added;

	ck_assert_int_eq(kek_file_create(fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ref, fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &kek, why, sizeof(why)), 0);
	ck_assert_int_eq(store_open(fix_path("st"), STORE_CREATE, &st), 0);
	ck_assert_int_eq(kms_domain_create(st, &p, &ref, kek, "test", NOW), 0);
	kek_free(kek);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k, why, sizeof(why)), 0);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &ctl, why, sizeof(why)), 0);
	ck_assert_int_eq(kms_period_at(k, NOW, &cur, &start, &end), 0);

	/* --revoke-current alone changes nothing. */
	memset(&rp, 0, sizeof(rp));
	rp.revoke_current = 1;
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "only with --now"));
	memset(&rp, 0, sizeof(rp));
	rp.immediate = 1;
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW, &g, why, sizeof(why)),
	    SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "only with --revoke-current"));
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 0);

	/* A rollover scheduled two periods ahead, seen by k. */
	memset(&rp, 0, sizeof(rp));
	rp.at = end + PERIOD;
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW, &g, why, sizeof(why)), 0);
	ck_assert_uint_eq(g.id, 1);
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(kms_gen_of_period(k, cur + 2)->rec.id, 1);
	ck_assert_int_eq(kms_keyset_derive(k, "sip:a@example.org", 17, cur, &ks), 0);
	ck_assert_uint_eq(ks.gen, 0);
	kms_keyset_clear(&ks);

	/* The emergency: from this period's start, replacing generation 1. */
	memset(&rp, 0, sizeof(rp));
	rp.immediate = 1;
	rp.revoke_current = 1;
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW, &g, why, sizeof(why)), 0);
	ck_assert_uint_eq(g.id, 2);
	ck_assert(g.effective == start);
	ck_assert_int_eq(g.valid_from, start);
	ck_assert_str_eq(g.cert_uri, "cert.kms.example.org.g2");
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(kms_gen_of_period(k, cur)->rec.id, 2);
	ck_assert_uint_eq(kms_gen_of_period(k, cur + 2)->rec.id, 2);
	ck_assert_uint_eq(kms_gen_of_period(k, cur - 1)->rec.id, 0);
	ck_assert_ptr_nonnull(kg = kms_gen_by_id(k, 1));
	ck_assert_int_eq(kg->withdrawn, 1);
	ck_assert_int_eq(kms_gen_revoked(kms_gen_by_id(k, 0)), 1);
	ck_assert_int_eq(kms_gen_revoked(kms_gen_by_id(k, 2)), 0);
	kms_cert(k, NOW, &cert);
	ck_assert_str_eq(cert.cert_uri, "cert.kms.example.org.g2");
	ck_assert_int_eq(cert.revoked, 0);
	ck_assert_int_eq(kms_cert_next(k, NOW, &cert), SKM_ENOTFOUND);
	kms_gen_cert(k, kms_gen_by_id(k, 0), &cert);
	ck_assert_int_eq(cert.revoked, 1);
	/* Nothing is issued under the revoked certificate, of any period. */
	ck_assert_int_eq(kms_validity_period(k, cur - 1), SKM_EREVOKED);
	ck_assert_int_eq(kms_validity_period(k, cur), 0);
	ck_assert_int_eq(kms_keyset_derive(k, "sip:a@example.org", 17, cur, &ks), 0);
	ck_assert_uint_eq(ks.gen, 2);
	kms_keyset_clear(&ks);

	/* As a new process sees it. */
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k2, why, sizeof(why)), 0);
	ck_assert_uint_eq(kms_gen_count(k2), 2);
	ck_assert_int_eq(kms_gen_revoked(kms_gen_at(k2, 0)), 1);
	ck_assert_uint_eq(kms_gen_of_period(k2, cur)->rec.id, 2);
	kms_free(k2);

	/* A second emergency in the same period: generation 2 gives it up. */
	ck_assert_int_eq(kms_refresh(ctl, st, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW + 1, &g, why, sizeof(why)),
	    0);
	ck_assert_uint_eq(g.id, 3);
	ck_assert(g.effective == start);
	ck_assert_int_eq(kms_refresh(k, st, &added, why, sizeof(why)), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_uint_eq(kms_gen_of_period(k, cur)->rec.id, 3);
	ck_assert_uint_eq(kms_gen_of_period(k, cur - 1)->rec.id, 0);
	ck_assert_int_eq(kms_gen_revoked(kms_gen_by_id(k, 2)), 1);
	ck_assert(kms_gen_by_id(k, 2)->rec.effective == start - PERIOD / 2);
	ck_assert_int_eq(kms_gen_state(k, 3, NOW + 1), GENERATION_CURRENT);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k2, why, sizeof(why)), 0);
	ck_assert_uint_eq(kms_gen_count(k2), 3);
	ck_assert_uint_eq(kms_gen_of_period(k2, cur)->rec.id, 3);
	kms_free(k2);

	/*
	 * A domain whose key is set aside (a PKCS#11 key between reloads)
	 * cannot load the next emergency's secrets, but stops serving the
	 * revoked generation at once.
	 */
	ck_assert_int_eq(kms_refresh(ctl, st, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(kms_open(st, NULL, NULL, &k2, why, sizeof(why)), 0);
	kms_kek_adopt(k2, NULL);
	ck_assert_int_eq(kms_rollover(ctl, st, &rp, "test", NOW + 2, &g, why, sizeof(why)),
	    0);
	ck_assert_uint_eq(g.id, 4);
	ck_assert_int_eq(kms_refresh(k2, st, &added, why, sizeof(why)), SKM_ESTATE);
	ck_assert_uint_eq(added, 0);
	ck_assert_uint_eq(kms_gen_of_period(k2, cur)->rec.id, 3);
	ck_assert(kms_gen_of_period(k2, cur)->rec.effective == start - PERIOD / 4);
	ck_assert_uint_eq(kms_gen_of_period(k2, cur - 1)->rec.id, 0);
	ck_assert_int_eq(kms_gen_revoked(kms_gen_of_period(k2, cur)), 1);
	ck_assert_int_eq(kms_validity_period(k2, cur), SKM_EREVOKED);
	kms_free(k2);
	kms_free(ctl);
	kms_free(k);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kms_rollover");
	TCase *tc = tcase_create("rollover");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rollover);
	tcase_add_test(tc, emergency);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
