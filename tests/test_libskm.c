/* SPDX-License-Identifier: ISC */
/*
 * The public API of the shared libskm, called through the library only
 * (the keys come from the suite's KMS domain in gmk_fixture): UID and key
 * period as the internal functions give them, SAKKE and ECCSI round trips
 * and refusals, and a GMK made by one handle and accepted by another, with
 * and without identity hiding and key parameters, each receiver check
 * failing on its own with its name.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <skm/skm.h>

#include "gmk_fixture.h"

static uint8_t z[SKM_SAKKE_POINT_LEN];
static uint8_t gms_ssk[SKM_ECCSI_SCALAR_LEN], gms_pvt[SKM_ECCSI_POINT_LEN];
static uint8_t bob_rsk[SKM_SAKKE_POINT_LEN];
static const uint8_t gmk1[SKM_GMK_LEN] = "0123456789abcdef";
#define GMK_ID	0x0abcdef1u

static void
setup(void)
{
	domain_setup();
	ck_assert_int_eq(sakke_pub_export(sakke_kms_pub(skms), z), 0);
	ck_assert_int_eq(eccsi_ssk_derive(ekms, gms_uid, UID_LEN, gms_ssk, gms_pvt), 0);
	ck_assert_int_eq(sakke_rsk_derive(skms, bob_uid, UID_LEN, bob_rsk), 0);
}

static void
teardown(void)
{
	domain_teardown();
}

static struct skm_gmk_sender *
sender(void)
{
	struct skm_gmk_sender *s = NULL;

	ck_assert_int_eq(skm_gmk_sender_new(&s, GMS, KMS, PERIOD, 0, kpak, z), 0);
	ck_assert_int_eq(skm_gmk_sender_add_keys(s, period_no, gms_ssk, gms_pvt), 0);
	return s;
}

static struct skm_gmk_receiver *
receiver(const char *uri, const uint8_t *rsk)
{
	struct skm_gmk_receiver *r = NULL;

	ck_assert_int_eq(skm_gmk_receiver_new(&r, uri, KMS, PERIOD, 0, kpak, z), 0);
	if (rsk != NULL)
		ck_assert_int_eq(skm_gmk_receiver_add_rsk(r, period_no, rsk), 0);
	return r;
}

START_TEST(uid_matches_internal)
{
	uint8_t a[SKM_UID_LEN];
	uint64_t no;

	ck_assert_int_eq(skm_uid(ALICE, KMS, PERIOD, 0, period_no, a), 0);
	ck_assert_mem_eq(a, alice_uid, SKM_UID_LEN);
	ck_assert_int_eq(skm_uid_period(PERIOD, 0, now, &no), 0);
	ck_assert_uint_eq(no, period_no);
	ck_assert_int_eq(skm_uid("", KMS, PERIOD, 0, 1, a), SKM_EINVAL);
	ck_assert_int_eq(skm_uid(ALICE, KMS, 0, 0, 1, a), SKM_EINVAL);
	ck_assert_int_eq(skm_uid_period(PERIOD, 0, -2208988801LL, &no), SKM_ERANGE);
	ck_assert_str_eq(skm_strerror(SKM_EVERIFY), "verification failed");
	ck_assert_str_eq(skm_strerror(12345), "unknown error");
}
END_TEST

START_TEST(sakke_round_trip)
{
	struct skm_sakke_pub *pub = NULL;
	struct skm_sakke_user *user = NULL;
	uint8_t ssv[SKM_SAKKE_SSV_LEN], out[SKM_SAKKE_SSV_LEN], sed[SKM_SAKKE_SED_LEN];
	uint8_t bad[SKM_SAKKE_POINT_LEN];

	memset(ssv, 0x5a, sizeof(ssv));
	ck_assert_int_eq(skm_sakke_pub_new(&pub, z), 0);
	ck_assert_int_eq(skm_sakke_rsk_validate(pub, alice_uid, UID_LEN, alice_rsk), 0);
	ck_assert_int_ne(skm_sakke_rsk_validate(pub, bob_uid, UID_LEN, alice_rsk), 0);
	memcpy(bad, alice_rsk, sizeof(bad));
	bad[100] ^= 1;
	ck_assert_int_ne(skm_sakke_rsk_validate(pub, alice_uid, UID_LEN, bad), 0);
	ck_assert_int_eq(skm_sakke_rsk_validate(pub, alice_uid, 0, alice_rsk), SKM_EINVAL);
	ck_assert_int_eq(skm_sakke_encapsulate(pub, alice_uid, UID_LEN, ssv, sed), 0);
	ck_assert_int_eq(skm_sakke_user_new(&user, pub, alice_uid, UID_LEN, alice_rsk), 0);
	ck_assert_int_eq(skm_sakke_decapsulate(user, sed, out), 0);
	ck_assert_mem_eq(out, ssv, sizeof(ssv));
	sed[SKM_SAKKE_SED_LEN - 1] ^= 1;
	ck_assert_int_eq(skm_sakke_decapsulate(user, sed, out), SKM_EVERIFY);
	skm_sakke_user_free(user);
	ck_assert_int_ne(skm_sakke_user_new(&user, pub, bob_uid, UID_LEN, alice_rsk), 0);
	ck_assert_ptr_null(user);
	skm_sakke_pub_free(pub);
	memset(bad, 0, sizeof(bad));
	ck_assert_int_eq(skm_sakke_pub_new(&pub, bad), SKM_EPOINT);
	skm_sakke_pub_free(NULL);
	skm_sakke_user_free(NULL);
}
END_TEST

START_TEST(eccsi_round_trip)
{
	struct skm_eccsi_signer *s = NULL;
	uint8_t sig[SKM_ECCSI_SIG_LEN], bad[SKM_ECCSI_SCALAR_LEN];
	const uint8_t msg[] = "a message";

	ck_assert_int_eq(skm_eccsi_ssk_validate(kpak, gms_uid, UID_LEN, gms_ssk, gms_pvt), 0);
	memcpy(bad, gms_ssk, sizeof(bad));
	bad[31] ^= 1;
	ck_assert_int_eq(skm_eccsi_ssk_validate(kpak, gms_uid, UID_LEN, bad, gms_pvt),
	    SKM_EVERIFY);
	ck_assert_int_ne(skm_eccsi_signer_new(&s, kpak, alice_uid, UID_LEN, gms_ssk, gms_pvt),
	    0);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(skm_eccsi_signer_new(&s, kpak, gms_uid, UID_LEN, gms_ssk, gms_pvt), 0);
	ck_assert_int_eq(skm_eccsi_sign(s, msg, sizeof(msg), sig), 0);
	ck_assert_int_eq(skm_eccsi_verify(kpak, gms_uid, UID_LEN, msg, sizeof(msg), sig), 0);
	ck_assert_int_eq(skm_eccsi_verify(kpak, alice_uid, UID_LEN, msg, sizeof(msg), sig),
	    SKM_EVERIFY);
	ck_assert_int_eq(skm_eccsi_verify(kpak, gms_uid, UID_LEN, msg, sizeof(msg) - 1, sig),
	    SKM_EVERIFY);
	skm_eccsi_signer_free(s);
	skm_eccsi_signer_free(NULL);
}
END_TEST

START_TEST(gmk_make_accept)
{
	struct skm_gmk_sender *s = sender();
	struct skm_gmk_receiver *r = receiver(ALICE, alice_rsk);
	struct skm_gmk *g = NULL;
	uint8_t *msg = NULL, key[SKM_GMK_LEN];
	size_t len = 0;
	char why[512];

	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now, "g1", now + 60, now + 3600,
	    0, &msg, &len), 0);
	ck_assert_int_eq(skm_gmk_accept(r, msg, len, now, SKM_GMK_WINDOW_DEFAULT, &g, why,
	    sizeof(why)), 0);
	skm_gmk_key(g, key);
	ck_assert_mem_eq(key, gmk1, SKM_GMK_LEN);
	ck_assert_uint_eq(skm_gmk_id(g), GMK_ID);
	ck_assert_str_eq(skm_gmk_initiator(g), GMS);
	ck_assert_int_eq(skm_gmk_timestamp(g), now);
	ck_assert_int_eq(skm_gmk_activation(g), now + 60);
	ck_assert_int_eq(skm_gmk_expiry(g), now + 3600);
	ck_assert_uint_eq(skm_gmk_status(g), SKM_GMK_STATUS_VALID);
	ck_assert_ptr_null(skm_gmk_text(g));
	ck_assert_uint_eq(skm_gmk_group_count(g), 1);
	ck_assert_str_eq(skm_gmk_group(g, 0), "g1");
	ck_assert_ptr_null(skm_gmk_group(g, 1));
	ck_assert_ptr_null(skm_gmk_group_hint(g));
	skm_gmk_free(g);
	g = NULL;

	/* without key parameters: activation is the timestamp, no group */
	skm_free(msg);
	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now, NULL, 0, 0, 0, &msg, &len),
	    0);
	ck_assert_int_eq(skm_gmk_accept(r, msg, len, now + 10, 60, &g, why, sizeof(why)), 0);
	ck_assert_int_eq(skm_gmk_activation(g), now);
	ck_assert_uint_eq(skm_gmk_group_count(g), 0);
	skm_gmk_free(g);
	skm_free(msg);
	skm_gmk_receiver_free(r);
	skm_gmk_sender_free(s);
	OPENSSL_cleanse(key, sizeof(key));
}
END_TEST

START_TEST(gmk_refusals)
{
	struct skm_gmk_sender *s = sender();
	struct skm_gmk_receiver *a = receiver(ALICE, alice_rsk);
	struct skm_gmk_receiver *b = receiver(BOB, bob_rsk);
	struct skm_gmk_receiver *nokey = receiver(ALICE, NULL);
	struct skm_gmk *g = NULL;
	uint8_t *msg = NULL, *hidden = NULL;
	size_t len, hlen;
	char why[512];

	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now, "g1", 0, 0, 0, &msg, &len),
	    0);
	/* check 1: garbage, and a timestamp outside the window */
	ck_assert_int_eq(skm_gmk_accept(a, msg, 20, now, 300, &g, why, sizeof(why)),
	    SKM_EPARSE);
	ck_assert_msg(strncmp(why, "check 1 message: ", 17) == 0, "%s", why);
	ck_assert_int_eq(skm_gmk_accept(a, msg, len, now + 301, 300, &g, why, sizeof(why)),
	    SKM_ERANGE);
	ck_assert_msg(strncmp(why, "check 1 message: ", 17) == 0, "%s", why);
	/* check 2: another receiver; no RSK for the period */
	ck_assert_int_eq(skm_gmk_accept(b, msg, len, now, 300, &g, why, sizeof(why)), SKM_EAUTH);
	ck_assert_msg(strncmp(why, "check 2 receiver: ", 18) == 0, "%s", why);
	ck_assert_int_eq(skm_gmk_accept(nokey, msg, len, now, 300, &g, why, sizeof(why)),
	    SKM_ENOTFOUND);
	ck_assert_msg(strncmp(why, "check 2 receiver: ", 18) == 0, "%s", why);
	/* check 3: a tampered signature */
	msg[len - 70] ^= 1;
	ck_assert_int_eq(skm_gmk_accept(a, msg, len, now, 300, &g, why, sizeof(why)),
	    SKM_EVERIFY);
	ck_assert_msg(strncmp(why, "check 3 signature: ", 19) == 0, "%s", why);
	ck_assert_ptr_null(g);
	/* check 3: a hidden initiator only from a GMS the receiver names */
	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now, "g1", 0, 0,
	    SKM_GMK_HIDE_IDS, &hidden, &hlen), 0);
	ck_assert_int_eq(skm_gmk_accept(a, hidden, hlen, now, 300, &g, why, sizeof(why)),
	    SKM_EAUTH);
	ck_assert_msg(strncmp(why, "check 3 signature: ", 19) == 0, "%s", why);
	ck_assert_int_eq(skm_gmk_receiver_add_gms(a, MALLORY), 0);
	ck_assert_int_eq(skm_gmk_receiver_add_gms(a, GMS), 0);
	ck_assert_int_eq(skm_gmk_accept(a, hidden, hlen, now, 300, &g, why, sizeof(why)), 0);
	ck_assert_str_eq(skm_gmk_initiator(g), GMS);
	skm_gmk_free(g);
	/* the sender's own refusals */
	skm_free(msg);
	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, 0x1abcdef1u, now, NULL, 0, 0, 0, &msg,
	    &len), SKM_EINVAL);
	ck_assert_ptr_null(msg);
	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now + (int64_t)PERIOD, NULL, 0, 0,
	    0, &msg, &len), SKM_ENOTFOUND);
	ck_assert_int_eq(skm_gmk_make(s, ALICE, gmk1, GMK_ID, now, NULL, 0, 0, 0x8, &msg, &len),
	    SKM_EINVAL);
	ck_assert_int_eq(skm_gmk_sender_add_keys(s, period_no + 1, gms_ssk, gms_pvt),
	    SKM_EVERIFY);
	ck_assert_int_ne(skm_gmk_receiver_add_rsk(b, period_no, alice_rsk), 0);
	skm_free(hidden);
	skm_gmk_receiver_free(nokey);
	skm_gmk_receiver_free(b);
	skm_gmk_receiver_free(a);
	skm_gmk_sender_free(s);
	skm_gmk_free(NULL);
	skm_free(NULL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("libskm");
	TCase *tc = tcase_create("api");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, uid_matches_internal);
	tcase_add_test(tc, sakke_round_trip);
	tcase_add_test(tc, eccsi_round_trip);
	tcase_add_test(tc, gmk_make_accept);
	tcase_add_test(tc, gmk_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
