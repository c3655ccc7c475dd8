/* SPDX-License-Identifier: ISC */
/*
 * The seven receiver checks of client/accept.c: a GMK that passes them is
 * stored (also with hidden identities and from a notification document),
 * and each check fails on its own, naming itself, with nothing stored:
 * stale timestamp and replay, wrong receiver, wrong signer, tampered SAKKE
 * data, tampered key parameters, duplicate GMK-ID, group not in the
 * profile, GMS not the group's server. Also the parallel GMS sender.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/accept.h"
#include "client/gmksend.h"
#include "client/gmkstore.h"
#include "client/notify.h"
#include "client/profile.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/eccsi.h"
#include "lib/kdf.h"
#include "lib/mikey.h"
#include "lib/mikey_gmk.h"
#include "lib/mikey_kp.h"
#include "lib/period.h"
#include "gmk_fixture.h"
#include "testlib.h"

/* ---- the receiver checks ---- */

static int
alice_rsk_for(void *arg, uint64_t no, uint8_t rsk[SAKKE_POINT_LEN], char *why, size_t whylen)
{
	(void)arg;
	if (no != period_no) {
		snprintf(why, whylen, "not provisioned");
		return SKM_ENOTFOUND;
	}
	memcpy(rsk, alice_rsk, SAKKE_POINT_LEN);
	return 0;
}

static void
keys_alice(struct accept_keys *k)
{
	memset(k, 0, sizeof(*k));
	k->my_uri = ALICE;
	k->kms_uri = KMS;
	k->key_period = PERIOD;
	k->key_offset = 0;
	k->kpak = kpak;
	k->z = sakke_kms_pub(skms);
	k->rsk = alice_rsk_for;
}

/* What one test message carries; zero values pick the defaults. */
struct msgspec {
	const char *to;
	const struct eccsi_signer *signer;
	const uint8_t *signer_uid;
	int64_t t;
	uint8_t gmk_byte;
	uint32_t gmk_id;
	const char *groups[2];
	int no_kp;
	int hide;
	const uint8_t *gmk;		/* with its SED, made beforehand */
	const uint8_t *sed;
};

static uint8_t *
make_msg(const struct msgspec *ms, size_t *len)
{
	struct mikey_gmk_send s;
	struct mikey_kp kp;
	uint8_t gmk[MIKEY_GMK_LEN], uid[UID_LEN], *msg = NULL;
	const char *to = ms->to != NULL ? ms->to : ALICE;
	uint64_t no;

	memset(gmk, ms->gmk_byte != 0 ? ms->gmk_byte : 0x5a, sizeof(gmk));
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.activation = (uint64_t)now;
	kp.text = (char *)"test";
	kp.groups[0] = (char *)(ms->groups[0] != NULL ? ms->groups[0] : "g1");
	kp.groups[1] = (char *)ms->groups[1];
	kp.ngroups = ms->groups[1] != NULL ? 2 : 1;
	ck_assert_int_eq(period_number(time_unix_to_ntp(ms->t != 0 ? ms->t : now), PERIOD, 0,
	    &no), 0);
	uid_for(to, no, uid);
	memset(&s, 0, sizeof(s));
	s.signer = ms->signer != NULL ? ms->signer : gms_signer;
	s.gms_uri = GMS;
	s.gms_uid = ms->signer_uid != NULL ? ms->signer_uid : gms_uid;
	s.user_uri = to;
	s.user_uid = uid;
	s.kms_uri = KMS;
	s.z = sakke_kms_pub(skms);
	s.ts = time_unix_to_ntp(ms->t != 0 ? ms->t : now) << 32;
	s.gmk = ms->gmk != NULL ? ms->gmk : gmk;
	s.sed = ms->sed;
	s.gmk_id = ms->gmk_id != 0 ? ms->gmk_id : 0x0df9bc39;
	s.kp = ms->no_kp ? NULL : &kp;
	s.hide = ms->hide;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, len), 0);
	return msg;
}

/* Signs msg again after a test changed it, as a GMS that sent it would have. */
static void
resign(uint8_t *msg, size_t len)
{
	struct mikey_imsg m;
	char why[128];

	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(eccsi_sign(gms_signer, msg, m.signed_len, msg + m.signed_len), 0);
}

static void
profile_with(const char *g1, const char *gms1, const char *g2, const char *gms2)
{
	struct profile *p;

	ck_assert_int_eq(profile_load(&p, dir), 0);
	if (g1 != NULL)
		ck_assert_int_eq(profile_add(p, g1, gms1), 0);
	if (g2 != NULL)
		ck_assert_int_eq(profile_add(p, g2, gms2), 0);
	ck_assert_int_eq(profile_save(p, dir), 0);
	profile_free(p);
}

static int
run(const uint8_t *msg, size_t len, const char *group, struct accept_result *r)
{
	struct accept_keys k;
	struct accept_opts o = { now, ACCEPT_WINDOW_DEFAULT, group, 0 };

	keys_alice(&k);
	return accept_run(dir, &k, &o, msg, len, r);
}

/* As run, at another time and as skmc listen does (redelivery). */
static int
run_listen(const uint8_t *msg, size_t len, int64_t at, struct accept_result *r)
{
	struct accept_keys k;
	struct accept_opts o = { at, ACCEPT_WINDOW_DEFAULT, NULL, 1 };

	keys_alice(&k);
	return accept_run(dir, &k, &o, msg, len, r);
}

/* The check failed with its reason, and nothing was stored. */
static void
refused(const uint8_t *msg, size_t len, enum accept_check c, const char *reason,
    size_t stored)
{
	struct accept_result r;

	ck_assert_int_ne(run(msg, len, NULL, &r), 0);
	ck_assert_int_eq(r.check, c);
	ck_assert_ptr_null(r.rec);
	ck_assert_msg(strncmp(r.why, "check ", 6) == 0 && strstr(r.why, accept_check_name(c)),
	    "reason '%s' does not name check %d", r.why, (int)c);
	ck_assert_msg(strstr(r.why, reason) != NULL, "reason '%s' lacks '%s'", r.why, reason);
	ck_assert_uint_eq(count_files("gmk"), stored);
	if (stored == 0)
		ck_assert_int_eq(file_exists("replay"), 0);
}

START_TEST(accept_ok_and_replay)
{
	struct msgspec ms = { .groups = { "g1", "g2" } };
	struct accept_result r;
	uint8_t *msg, gmk[MIKEY_GMK_LEN];
	size_t len;
	uint32_t guk;

	profile_with("g1", GMS, "g2", GMS);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(run(msg, len, NULL, &r), 0);
	ck_assert_int_eq(r.check, ACCEPT_OK);
	ck_assert_ptr_nonnull(r.rec);
	memset(gmk, 0x5a, sizeof(gmk));
	ck_assert_mem_eq(r.rec->gmk, gmk, sizeof(gmk));
	ck_assert_uint_eq(r.rec->gmk_id, 0x0df9bc39);
	ck_assert_int_eq(kdf_guk_id(gmk, 0x0df9bc39, ALICE, strlen(ALICE), &guk), 0);
	ck_assert_uint_eq(r.rec->guk_id, guk);
	ck_assert_uint_eq(r.rec->ngroups, 2);
	ck_assert_str_eq(r.rec->text, "test");
	ck_assert_str_eq(r.rec->gms, GMS);
	ck_assert_uint_eq(r.rec->randlen, MIKEY_RAND_LEN);
	gmkstore_rec_free(r.rec);
	ck_assert_uint_eq(count_files("gmk"), 1);
	/* The same message again is a replay (check 1). */
	refused(msg, len, ACCEPT_MESSAGE, "replay", 1);
	OPENSSL_free(msg);
}
END_TEST

/*
 * A GMS service delivers at least once: the same GMK again (the same
 * message, or after the window) is success for skmc listen, with nothing
 * written; a file given to gmk accept twice stays a replay; another GMK
 * under a stored GMK-ID and a stale message never accepted stay refused.
 */
START_TEST(accept_redelivery)
{
	struct msgspec ms = { .gmk_id = 0x01234567 };
	struct accept_result r;
	uint8_t *msg, *other, *stale;
	size_t len, olen, slen;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(run_listen(msg, len, now, &r), 0);
	ck_assert_int_eq(r.redelivered, 0);
	gmkstore_rec_free(r.rec);
	ck_assert_msg(run_listen(msg, len, now, &r) == 0, "%s", r.why);
	ck_assert_int_eq(r.check, ACCEPT_OK);
	ck_assert_int_eq(r.redelivered, 1);
	ck_assert_str_eq(r.group, "g1");
	ck_assert_uint_eq(r.rec->gmk_id, 0x01234567);
	gmkstore_rec_free(r.rec);
	/* After the window, too (the GMS retried a lost answer). */
	ck_assert_msg(run_listen(msg, len, now + 3 * ACCEPT_WINDOW_DEFAULT, &r) == 0, "%s",
	    r.why);
	ck_assert_int_eq(r.redelivered, 1);
	gmkstore_rec_free(r.rec);
	ck_assert_uint_eq(count_files("gmk"), 1);
	refused(msg, len, ACCEPT_MESSAGE, "replay", 1);
	ms.gmk_byte = 0x77;
	other = make_msg(&ms, &olen);
	ck_assert_int_ne(run_listen(other, olen, now, &r), 0);
	ck_assert_int_eq(r.check, ACCEPT_KEY);
	ck_assert_ptr_null(strstr(r.why, "replay"));
	ms.gmk_byte = 0;
	ms.gmk_id = 0x02345678;
	ms.t = now - 2 * ACCEPT_WINDOW_DEFAULT;
	stale = make_msg(&ms, &slen);
	ck_assert_int_ne(run_listen(stale, slen, now, &r), 0);
	ck_assert_int_eq(r.check, ACCEPT_MESSAGE);
	ck_assert_msg(strstr(r.why, "check 1 message: timestamp") == r.why, "%s", r.why);
	ck_assert_uint_eq(count_files("gmk"), 1);
	OPENSSL_free(stale);
	OPENSSL_free(other);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(accept_hidden_identities)
{
	struct msgspec ms = { .hide = 1, .no_kp = 1 };
	struct accept_result r;
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	/* No key parameters: the group comes from the notification or --group. */
	refused(msg, len, ACCEPT_GROUP, "no VAL group ID", 0);
	ck_assert_int_eq(run(msg, len, "g1", &r), 0);
	ck_assert_str_eq(r.rec->gms, GMS);
	ck_assert_str_eq(r.rec->groups[0], "g1");
	ck_assert_int_eq(r.rec->activation, r.rec->timestamp);
	gmkstore_rec_free(r.rec);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(accept_notification_document)
{
	struct msgspec ms = { .no_kp = 1 };
	struct accept_result r;
	uint8_t *msg;
	char *doc;
	size_t len, doclen;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(notify_req_write(GMS, "g1", msg, len, &doc, &doclen), 0);
	ck_assert_int_eq(run((uint8_t *)doc, doclen, NULL, &r), 0);
	ck_assert_str_eq(r.group, "g1");
	ck_assert_str_eq(r.rec->groups[0], "g1");
	gmkstore_rec_free(r.rec);
	free(doc);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(refuse_stale_timestamp)
{
	struct msgspec ms = { .t = 0 };
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	ms.t = now - 2 * ACCEPT_WINDOW_DEFAULT;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_MESSAGE, "outside the window", 0);
	OPENSSL_free(msg);
	ms.t = now + 2 * ACCEPT_WINDOW_DEFAULT;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_MESSAGE, "outside the window", 0);
	OPENSSL_free(msg);
	/* Garbage is refused by check 1 too. */
	refused((const uint8_t *)"\x01\x1a\x00", 3, ACCEPT_MESSAGE, "I_MESSAGE", 0);
}
END_TEST

START_TEST(refuse_wrong_receiver)
{
	struct msgspec ms = { .to = BOB };
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_RECEIVER, BOB, 0);
	OPENSSL_free(msg);
	ms.hide = 1;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_RECEIVER, "another UID", 0);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(refuse_wrong_signer)
{
	struct msgspec ms = { .signer = NULL };
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	/* Mallory signs with her own key but names the GMS in IDRi. */
	ms.signer = mallory_signer;
	ms.signer_uid = mallory_uid;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_SIGNATURE, "does not verify for " GMS, 0);
	OPENSSL_free(msg);
	/* Hidden, her UID is no GMS of the profile. */
	ms.hide = 1;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_SIGNATURE, "no GMS of the user profile", 0);
	OPENSSL_free(msg);
}
END_TEST

/*
 * After an emergency rollover the receiver's keys come from the new
 * certificate; a message signed under the revoked one is refused as such.
 */
START_TEST(refuse_revoked_signer)
{
	struct msgspec ms = { .signer = NULL };
	struct accept_keys k;
	struct accept_opts o = { now, ACCEPT_WINDOW_DEFAULT, NULL, 0 };
	struct accept_result r;
	struct eccsi_kms *next = NULL;
	uint8_t kpak2[ECCSI_POINT_LEN], *msg;
	const uint8_t *rk[1] = { kpak };
	const char *ru[1] = { "cert.kms.example.org" };
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	ck_assert_int_eq(eccsi_kms_generate(&next), 0);
	ck_assert_int_eq(eccsi_kms_kpak(next, kpak2), 0);
	eccsi_kms_free(next);
	keys_alice(&k);
	k.kpak = kpak2;
	k.revoked_uri = ru;
	k.revoked_kpak = rk;
	k.nrevoked = 1;
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(accept_run(dir, &k, &o, msg, len, &r), SKM_EREVOKED);
	ck_assert_int_eq(r.check, ACCEPT_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(r.why, GMS " signed under certificate "
	    "cert.kms.example.org, which the KMS revoked"));
	ck_assert_uint_eq(count_files("gmk"), 0);
	/* A forged signature is no revocation. */
	ms.signer = mallory_signer;
	ms.signer_uid = mallory_uid;
	OPENSSL_free(msg);
	msg = make_msg(&ms, &len);
	ck_assert_int_ne(accept_run(dir, &k, &o, msg, len, &r), 0);
	ck_assert_int_eq(r.check, ACCEPT_SIGNATURE);
	ck_assert_ptr_nonnull(strstr(r.why, "does not verify for " GMS));
	OPENSSL_free(msg);
}
END_TEST

START_TEST(refuse_tampered_sakke)
{
	struct msgspec ms = { .to = NULL };
	struct mikey_imsg m;
	char why[128];
	uint8_t *msg;
	size_t len, off;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	off = (size_t)(m.sakke.data - msg) + SAKKE_POINT_LEN + 3;	/* in H */
	msg[off] ^= 0x40;
	resign(msg, len);
	refused(msg, len, ACCEPT_KEY, "do not decrypt", 0);
	OPENSSL_free(msg);
}
END_TEST

/* msg with n octets from offset cut of its SAKKE data left out, signed again. */
static uint8_t *
sakke_cut(const uint8_t *msg, size_t len, size_t cut, size_t n, size_t *outlen)
{
	struct mikey_imsg m;
	uint8_t *out;
	size_t at;
	char why[128];

	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	at = (size_t)(m.sakke.data - msg);
	ck_assert_ptr_nonnull(out = OPENSSL_malloc(len - n));
	memcpy(out, msg, at + cut);
	memcpy(out + at + cut, msg + at + cut + n, len - at - cut - n);
	out[at - 2] = (uint8_t)((m.sakke.len - n) >> 8);
	out[at - 1] = (uint8_t)(m.sakke.len - n);
	*outlen = len - n;
	if (m.sakke.len - n >= MIKEY_SAKKE_DATA_MIN)
		resign(out, *outlen);
	return out;
}

/*
 * A deployed sender writes H at its minimal length: 272 octets of SAKKE
 * data when H starts with a zero octet. Accepted, with the GMK it carries.
 */
START_TEST(accept_short_h)
{
	uint8_t ssv[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN], uid[UID_LEN];
	struct msgspec ms = { .gmk = ssv, .sed = sed };
	struct accept_result r;
	uint8_t *msg, *cut;
	size_t len, cutlen;

	profile_with("g1", GMS, NULL, NULL);
	uid_for(ALICE, period_no, uid);
	test_sakke_short_h(sakke_kms_pub(skms), uid, UID_LEN, ssv, sed);
	msg = make_msg(&ms, &len);
	cut = sakke_cut(msg, len, SAKKE_POINT_LEN, 1, &cutlen);
	ck_assert_msg(run(cut, cutlen, NULL, &r) == 0, "%s", r.why);
	ck_assert_int_eq(r.check, ACCEPT_OK);
	ck_assert_ptr_nonnull(r.rec);
	ck_assert_mem_eq(r.rec->gmk, ssv, MIKEY_GMK_LEN);
	ck_assert_uint_eq(r.rec->gmk_id, 0x0df9bc39);
	gmkstore_rec_free(r.rec);
	ck_assert_uint_eq(count_files("gmk"), 1);
	OPENSSL_free(cut);
	OPENSSL_free(msg);
}
END_TEST

/* SAKKE data of R alone, of 274 octets, or with H cut wrongly: refused. */
START_TEST(refuse_sakke_length)
{
	uint8_t ssv[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN], uid[UID_LEN], *big;
	struct msgspec ms = { .gmk = ssv, .sed = sed };
	struct mikey_imsg m;
	uint8_t *msg, *cut;
	size_t len, cutlen, at;
	char why[128];

	profile_with("g1", GMS, NULL, NULL);
	uid_for(ALICE, period_no, uid);
	test_sakke_short_h(sakke_kms_pub(skms), uid, UID_LEN, ssv, sed);
	msg = make_msg(&ms, &len);
	/* 257: no H at all */
	cut = sakke_cut(msg, len, SAKKE_POINT_LEN, SAKKE_SSV_LEN, &cutlen);
	refused(cut, cutlen, ACCEPT_MESSAGE,
	    "data length 257, expected 258 to 273 (R of 257 octets, H of 1 to 16)", 0);
	OPENSSL_free(cut);
	/* 272, H's last octet left out: H is wrong, TEST = R refuses it */
	cut = sakke_cut(msg, len, SAKKE_SED_LEN - 1, 1, &cutlen);
	refused(cut, cutlen, ACCEPT_KEY, "do not decrypt", 0);
	OPENSSL_free(cut);
	/* 274: a zero octet more in front of H */
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	at = (size_t)(m.sakke.data - msg);
	ck_assert_ptr_nonnull(big = OPENSSL_malloc(len + 1));
	memcpy(big, msg, at + SAKKE_POINT_LEN);
	big[at + SAKKE_POINT_LEN] = 0;
	memcpy(big + at + SAKKE_POINT_LEN + 1, msg + at + SAKKE_POINT_LEN,
	    len - at - SAKKE_POINT_LEN);
	big[at - 2] = (SAKKE_SED_LEN + 1) >> 8;
	big[at - 1] = (SAKKE_SED_LEN + 1) & 0xff;
	refused(big, len + 1, ACCEPT_MESSAGE,
	    "data length 274, expected 258 to 273 (R of 257 octets, H of 1 to 16)", 0);
	OPENSSL_free(big);
	OPENSSL_free(msg);
}
END_TEST

/* 2036-03-01 12:00:00 UTC, after the 32-bit NTP seconds wrapped (era 1). */
#define T2036	2087985600LL

static uint8_t rsk2036[SAKKE_POINT_LEN];
static uint64_t no2036;

static int
rsk_2036(void *arg, uint64_t no, uint8_t rsk[SAKKE_POINT_LEN], char *why, size_t whylen)
{
	(void)arg;
	if (no != no2036) {
		snprintf(why, whylen, "not provisioned");
		return SKM_ENOTFOUND;
	}
	memcpy(rsk, rsk2036, SAKKE_POINT_LEN);
	return 0;
}

/*
 * The T payload carries NTP seconds in 32 bits: a message sent in 2036
 * after the wrap is read in era 1, with the keys of its period.
 */
START_TEST(accept_ntp_era1)
{
	struct mikey_gmk_send s;
	struct accept_keys k;
	struct accept_opts o = { T2036 + 30, ACCEPT_WINDOW_DEFAULT, "g1", 0 };
	struct accept_result r;
	struct eccsi_signer *gms;
	uint8_t gmk[MIKEY_GMK_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	uint8_t gms2036[UID_LEN], alice2036[UID_LEN], *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	ck_assert_uint_gt(time_unix_to_ntp(T2036), 0xffffffffULL);
	ck_assert_int_eq(period_number(time_unix_to_ntp(T2036), PERIOD, 0, &no2036), 0);
	uid_for(GMS, no2036, gms2036);
	uid_for(ALICE, no2036, alice2036);
	ck_assert_int_eq(eccsi_ssk_derive(ekms, gms2036, UID_LEN, ssk, pvt), 0);
	ck_assert_int_eq(eccsi_signer_new(&gms, kpak, gms2036, UID_LEN, ssk, pvt), 0);
	ck_assert_int_eq(sakke_rsk_derive(skms, alice2036, UID_LEN, rsk2036), 0);
	memset(gmk, 0x36, sizeof(gmk));
	memset(&s, 0, sizeof(s));
	s.signer = gms;
	s.gms_uri = GMS;
	s.gms_uid = gms2036;
	s.user_uri = ALICE;
	s.user_uid = alice2036;
	s.kms_uri = KMS;
	s.z = sakke_kms_pub(skms);
	s.ts = time_unix_to_ntp(T2036) << 32;	/* the wire keeps 32 bits */
	s.gmk = gmk;
	s.gmk_id = 0x0df9bc39;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	keys_alice(&k);
	k.rsk = rsk_2036;
	ck_assert_msg(accept_run(dir, &k, &o, msg, len, &r) == 0, "%s", r.why);
	ck_assert_ptr_nonnull(r.rec);
	ck_assert_mem_eq(r.rec->gmk, gmk, sizeof(gmk));
	ck_assert_int_eq(r.rec->timestamp, T2036);
	ck_assert_int_eq(r.rec->activation, T2036);
	gmkstore_rec_free(r.rec);
	OPENSSL_free(msg);
	eccsi_signer_free(gms);
	OPENSSL_cleanse(ssk, sizeof(ssk));
}
END_TEST

START_TEST(refuse_tampered_parameters)
{
	struct msgspec ms = { .to = NULL };
	struct mikey_imsg m;
	char why[128];
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(m.has_kp, 1);
	msg[(size_t)(m.kp.data - msg) + m.kp.len - 20] ^= 0x01;	/* ciphertext */
	resign(msg, len);
	refused(msg, len, ACCEPT_PARAMETERS, "do not decrypt", 0);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(refuse_duplicate_gmk_id)
{
	struct msgspec ms = { .gmk_id = 0x01234567 };
	struct accept_result r;
	struct gmkstore_rec *s;
	uint8_t *msg, gmk[MIKEY_GMK_LEN];
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	ck_assert_int_eq(run(msg, len, NULL, &r), 0);
	gmkstore_rec_free(r.rec);
	OPENSSL_free(msg);
	/* Another GMK under the same GMK-ID. */
	ms.gmk_byte = 0x77;
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_KEY, "already stored for another GMK", 1);
	OPENSSL_free(msg);
	ck_assert_int_eq(gmkstore_get(dir, 0x01234567, &s), 0);
	memset(gmk, 0x5a, sizeof(gmk));
	ck_assert_mem_eq(s->gmk, gmk, sizeof(gmk));
	gmkstore_rec_free(s);
}
END_TEST

START_TEST(refuse_group_not_in_profile)
{
	struct msgspec ms = { .groups = { "g1", "g9" } };
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_GROUP, "'g9' is not in the user profile", 0);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(refuse_gms_not_group_server)
{
	struct msgspec ms = { .groups = { "g1", "g2" } };
	uint8_t *msg;
	size_t len;

	profile_with("g1", GMS, "g2", "sip:other-gms@example.org");
	msg = make_msg(&ms, &len);
	refused(msg, len, ACCEPT_GROUP, "GMS of VAL group 'g2' is sip:other-gms", 0);
	OPENSSL_free(msg);
}
END_TEST

/* ---- the GMS sender ---- */

START_TEST(gmksend_three_members)
{
	static const char *const uris[] = { ALICE, BOB, "sip:a/b@example.org" };
	static const char *const clash[] = { "sip:a_b@x", "sip:a:b@x" };
	struct gmksend_result res[3];
	struct mikey_kp kp;
	struct gmksend s;
	struct accept_result r;
	uint8_t gmk[MIKEY_GMK_LEN];
	char out[128], path[512], *doc;
	size_t len;

	profile_with("g1", GMS, NULL, NULL);
	memset(gmk, 0x33, sizeof(gmk));
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.groups[0] = (char *)"g1";
	kp.ngroups = 1;
	memset(&s, 0, sizeof(s));
	s.signer = gms_signer;
	s.z = sakke_kms_pub(skms);
	s.gms_uri = GMS;
	memcpy(s.gms_uid, gms_uid, UID_LEN);
	s.kms_uri = KMS;
	s.key_period = PERIOD;
	s.period_no = period_no;
	s.ts = time_unix_to_ntp(now) << 32;
	s.gmk = gmk;
	s.gmk_id = 0x0c0ffee0;
	s.kp = &kp;
	s.group = "g1";
	snprintf(out, sizeof(out), "%s/out", dir);
	s.outdir = out;
	s.threads = 2;
	ck_assert_int_eq(gmksend_run(&s, uris, 3, res), 0);
	ck_assert_str_eq(res[0].file, "sip_alice@example.org.xml");
	ck_assert_str_eq(res[2].file, "sip_a_b@example.org.xml");
	ck_assert_uint_eq(count_files("out"), 3);
	/* Alice accepts hers. */
	snprintf(path, sizeof(path), "%s/%s", out, res[0].file);
	{
		FILE *f = fopen(path, "r");

		ck_assert_ptr_nonnull(f);
		doc = malloc(NOTIFY_MAX_LEN);
		len = fread(doc, 1, NOTIFY_MAX_LEN, f);
		fclose(f);
	}
	ck_assert_int_eq(run((uint8_t *)doc, len, NULL, &r), 0);
	ck_assert_uint_eq(r.rec->gmk_id, 0x0c0ffee0);
	ck_assert_mem_eq(r.rec->gmk, gmk, sizeof(gmk));
	gmkstore_rec_free(r.rec);
	free(doc);
	/* Bob's is not for Alice. */
	snprintf(path, sizeof(path), "%s/%s", out, res[1].file);
	ck_assert_int_eq(access(path, R_OK), 0);
	/* Names that clash get their index. */
	ck_assert_int_eq(gmksend_run(&s, clash, 2, res), 0);
	ck_assert_str_eq(res[0].file, "sip_a_b@x-0.xml");
	ck_assert_str_eq(res[1].file, "sip_a_b@x-1.xml");
}
END_TEST

static Suite *
accept_suite(void)
{
	Suite *s = suite_create("accept");
	TCase *ta = tcase_create("accept");

	tcase_set_timeout(ta, 60);
	tcase_add_unchecked_fixture(ta, domain_setup, domain_teardown);
	tcase_add_checked_fixture(ta, dir_setup, dir_teardown);
	tcase_add_test(ta, accept_ok_and_replay);
	tcase_add_test(ta, accept_redelivery);
	tcase_add_test(ta, accept_hidden_identities);
	tcase_add_test(ta, accept_notification_document);
	tcase_add_test(ta, refuse_stale_timestamp);
	tcase_add_test(ta, refuse_wrong_receiver);
	tcase_add_test(ta, refuse_wrong_signer);
	tcase_add_test(ta, refuse_revoked_signer);
	tcase_add_test(ta, refuse_tampered_sakke);
	tcase_add_test(ta, refuse_tampered_parameters);
	tcase_add_test(ta, accept_short_h);
	tcase_add_test(ta, refuse_sakke_length);
	tcase_add_test(ta, accept_ntp_era1);
	tcase_add_test(ta, refuse_duplicate_gmk_id);
	tcase_add_test(ta, refuse_group_not_in_profile);
	tcase_add_test(ta, refuse_gms_not_group_server);
	tcase_add_test(ta, gmksend_three_members);
	suite_add_tcase(s, ta);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(accept_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
