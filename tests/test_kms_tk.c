/* SPDX-License-Identifier: ISC */
/*
 * kms_tk_find on a real LMDB: the record of an identity or of one of its
 * devices that holds the key a request names; records kept unsealed are
 * used only while the store holds the same sealed record, so a key
 * changed or removed by another writer applies at the next call, a
 * removed record's copy is cleansed, and the copies stay within
 * KMS_TK_KEPT_MAX however many records are read.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/err.h"
#include "kms/kms.h"
#include "store/kek.h"
#include "store/store.h"
#include "store/tk.h"
#include "store_fixture.h"

#define NOW	2000000000

static const char *A = "sip:alice@example.org";

static int
match_trk(const struct store_tk *tk, const char *device, void *arg)
{
	(void)device;
	return tk->slot[STORE_TK_TRK].set && strcmp(tk->slot[STORE_TK_TRK].id, arg) == 0;
}

/* Writes uri and device's record with a TrK named id (NULL: removes it), its key into key. */
static void
put(struct kms *k, struct store *st, const char *uri, const char *device, const char *id,
    uint8_t key[STORE_TK_KEY_LEN])
{
	struct store_tk tk;
	struct store_txn t;

	memset(&tk, 0, sizeof(tk));
	if (id != NULL) {
		tk.slot[STORE_TK_TRK].set = 1;
		snprintf(tk.slot[STORE_TK_TRK].id, sizeof(tk.slot[0].id), "%s", id);
		ck_assert_int_eq(RAND_bytes(key, STORE_TK_KEY_LEN), 1);
		memcpy(tk.slot[STORE_TK_TRK].key, key, STORE_TK_KEY_LEN);
	}
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(kms_tk_put_txn(k, &t, uri, strlen(uri), device, &tk), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
}

static struct kms *
open_domain(struct store **stp)
{
	struct kms_domain_params p = { .kms_uri = "kms.example.org", .key_period = 60,
	    .cert_uri = "cert.kms.example.org", .valid_from = NOW - 100,
	    .valid_to = NOW + 100000 };
	struct kek_ref ref;
	struct kek *kek = NULL;
	struct kms *k = NULL;
	char why[512];

	ck_assert_int_eq(kek_file_create(fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ref, fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &kek, why, sizeof(why)), 0);
	ck_assert_int_eq(store_open(fix_path("st"), STORE_CREATE, stp), 0);
	ck_assert_int_eq(kms_domain_create(*stp, &p, &ref, kek, "test", NOW), 0);
	kek_free(kek);
	ck_assert_int_eq(kms_open(*stp, NULL, NULL, &k, why, sizeof(why)), 0);
	return k;
}

START_TEST(devices)
{
	struct store *st = NULL;
	struct kms *k = open_domain(&st), *ctl = NULL;
	struct store_tk got;
	uint8_t own[32], phone[32], radio[32], phone2[32], other[32];
	char dev[STORE_TK_DEVICE_MAX + 1], why[512];

	/* skmsctl writes through a kms of its own, as another process would. */
	ck_assert_int_eq(kms_open(st, NULL, NULL, &ctl, why, sizeof(why)), 0);
	put(ctl, st, A, NULL, "tk.own", own);
	put(ctl, st, A, "phone", "tk.phone", phone);
	put(ctl, st, A, "radio", "tk.radio", radio);
	put(ctl, st, "sip:alice@example.org.uk", "phone", "tk.other", other);

	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.radio", &got, dev), 0);
	ck_assert_str_eq(dev, "radio");
	ck_assert_mem_eq(got.slot[STORE_TK_TRK].key, radio, 32);
	ck_assert_uint_eq(kms_tk_kept(k), 3);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.own", &got, dev), 0);
	ck_assert_str_eq(dev, "");
	ck_assert_mem_eq(got.slot[STORE_TK_TRK].key, own, 32);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), NULL, NULL, &got, dev), 0);
	ck_assert_str_eq(dev, "");
	/* Another identity's ID, one whose URI starts with this one included. */
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.other", &got, dev),
	    SKM_ENOTFOUND);
	ck_assert_str_eq(dev, "");
	ck_assert(!got.slot[STORE_TK_TRK].set);

	/* A key changed by another writer under the same ID: the new one at once. */
	put(ctl, st, A, "phone", "tk.phone", phone2);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.phone", &got, dev), 0);
	ck_assert_str_eq(dev, "phone");
	ck_assert_mem_eq(got.slot[STORE_TK_TRK].key, phone2, 32);
	ck_assert_mem_ne(got.slot[STORE_TK_TRK].key, phone, 32);
	ck_assert_uint_eq(kms_tk_kept(k), 3);

	/* A device removed: refused, its copy gone, the others served. */
	put(ctl, st, A, "phone", NULL, phone);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.phone", &got, dev),
	    SKM_ENOTFOUND);
	ck_assert_uint_eq(kms_tk_kept(k), 2);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), match_trk, "tk.radio", &got, dev), 0);
	ck_assert_mem_eq(got.slot[STORE_TK_TRK].key, radio, 32);

	/* Everything removed: no record at all. */
	put(ctl, st, A, NULL, NULL, own);
	put(ctl, st, A, "radio", NULL, radio);
	ck_assert_int_eq(kms_tk_find(k, st, A, strlen(A), NULL, NULL, &got, dev),
	    SKM_ENOTFOUND);
	ck_assert_uint_eq(kms_tk_kept(k), 0);
	kms_free(ctl);
	kms_free(k);
	store_close(st);
}
END_TEST

START_TEST(bounded)
{
	struct store *st = NULL;
	struct kms *k = open_domain(&st);
	struct store_tk got;
	uint8_t key[32], last[32];
	char uri[64], dev[STORE_TK_DEVICE_MAX + 1];
	size_t i, n = KMS_TK_KEPT_MAX + 40;

	/* More identities than copies kept, each read once, then the first again. */
	for (i = 0; i < n; i++) {
		snprintf(uri, sizeof(uri), "sip:u%zu@example.org", i);
		put(k, st, uri, "d", uri + 4, i == 0 ? last : key);
		ck_assert_int_eq(kms_tk_find(k, st, uri, strlen(uri), match_trk, uri + 4, &got,
		    dev), 0);
		ck_assert_uint_le(kms_tk_kept(k), KMS_TK_KEPT_MAX);
	}
	ck_assert_uint_eq(kms_tk_kept(k), KMS_TK_KEPT_MAX);
	ck_assert_int_eq(kms_tk_find(k, st, "sip:u0@example.org", 18, match_trk,
	    "u0@example.org", &got, dev), 0);
	ck_assert_str_eq(dev, "d");
	ck_assert_mem_eq(got.slot[STORE_TK_TRK].key, last, 32);
	ck_assert_uint_eq(kms_tk_kept(k), KMS_TK_KEPT_MAX);
	kms_tk_forget(k);
	ck_assert_uint_eq(kms_tk_kept(k), 0);
	kms_free(k);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kms_tk");
	TCase *tc = tcase_create("kms_tk");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, devices);
	tcase_add_test(tc, bounded);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
