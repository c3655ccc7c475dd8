/* SPDX-License-Identifier: ISC */
/*
 * The group key state of a VAL client and a GMS: the user profile, the
 * GMK store (the active-GMK choice, a GMK shared by two groups kept when
 * one is left), the replay cache, the notification documents, the GMS
 * state, and the GUK-ID and DPCK vectors. The receiver checks are in
 * test_accept.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/gms.h"
#include "client/gmkstore.h"
#include "client/notify.h"
#include "client/profile.h"
#include "client/replay.h"
#include "common/err.h"
#include "lib/kdf.h"
#include "lib/mikey_kp.h"
#include "gmk_fixture.h"
#include "testlib.h"

/* ---- profile ---- */

START_TEST(profile_round_trip)
{
	struct profile *p, *q;
	char path[256];
	FILE *f;

	ck_assert_int_eq(profile_load(&p, dir), 0);
	ck_assert_uint_eq(p->n, 0);
	ck_assert_int_eq(profile_add(p, "g1", GMS), 0);
	ck_assert_int_eq(profile_add(p, "g2", "sip:other@example.org"), 0);
	ck_assert_int_eq(profile_add(p, "g2", GMS), 0);	/* changes the URI */
	ck_assert_int_eq(profile_add(p, "bad group", GMS), SKM_EINVAL);
	ck_assert_int_eq(profile_add(p, "g3", ""), SKM_EINVAL);
	ck_assert_int_eq(profile_save(p, dir), 0);
	ck_assert_int_eq(profile_load(&q, dir), 0);
	ck_assert_uint_eq(q->n, 2);
	ck_assert_str_eq(profile_gms(q, "g2"), GMS);
	ck_assert_ptr_null(profile_gms(q, "g3"));
	ck_assert_int_eq(profile_remove(q, "g1"), 0);
	ck_assert_int_eq(profile_remove(q, "g1"), SKM_ENOTFOUND);
	ck_assert_ptr_null(profile_gms(q, "g1"));
	profile_free(p);
	profile_free(q);

	/* A damaged file is an error, never a smaller profile. */
	snprintf(path, sizeof(path), "%s/groups", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("g1 sip:gms@example.org\ng2\n", f);
	fclose(f);
	chmod(path, 0600);
	ck_assert_int_eq(profile_load(&p, dir), SKM_EPARSE);
}
END_TEST

/* ---- gmkstore ---- */

static struct gmkstore_rec *
rec_make(uint32_t id, int64_t activation, const char *g1, const char *g2)
{
	struct gmkstore_rec *r = gmkstore_rec_new();

	ck_assert_ptr_nonnull(r);
	memset(r->gmk, (int)(id & 0xff), sizeof(r->gmk));
	r->gmk_id = id;
	r->guk_id = id ^ 0x0123456;
	r->randlen = 16;
	memset(r->rand, 0xa5, 16);
	r->status = MIKEY_KP_STATUS_VALID;
	r->timestamp = now;
	r->activation = activation;
	strcpy(r->gms, GMS);
	strcpy(r->text, "text with spaces");
	strcpy(r->groups[r->ngroups++], g1);
	if (g2 != NULL)
		strcpy(r->groups[r->ngroups++], g2);
	return r;
}

START_TEST(gmkstore_round_trip)
{
	struct gmkstore_rec *r = rec_make(0x0abcdef1, now, "g1", "g2"), *s = NULL;
	struct gmkstore_rec **recs;
	char path[256];
	struct stat st;
	size_t n;

	ck_assert_int_eq(gmkstore_put(dir, r, 0), 0);
	ck_assert_int_eq(gmkstore_put(dir, r, 0), SKM_EEXIST);
	snprintf(path, sizeof(path), "%s/gmk/0abcdef1", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(gmkstore_get(dir, 0x0abcdef1, &s), 0);
	ck_assert_mem_eq(s->gmk, r->gmk, sizeof(r->gmk));
	ck_assert_uint_eq(s->guk_id, r->guk_id);
	ck_assert_uint_eq(s->randlen, 16);
	ck_assert_mem_eq(s->rand, r->rand, 16);
	ck_assert_str_eq(s->text, "text with spaces");
	ck_assert_str_eq(s->gms, GMS);
	ck_assert_uint_eq(s->ngroups, 2);
	ck_assert_str_eq(s->groups[1], "g2");
	ck_assert_int_eq(s->activation, now);
	gmkstore_rec_free(s);
	ck_assert_int_eq(gmkstore_get(dir, 0x01, &s), SKM_ENOTFOUND);

	ck_assert_int_eq(gmkstore_list(dir, &recs, &n), 0);
	ck_assert_uint_eq(n, 1);
	gmkstore_list_free(recs, n);
	ck_assert_int_eq(gmkstore_erase(dir, 0x0abcdef1), 0);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(gmkstore_erase(dir, 0x0abcdef1), SKM_ENOTFOUND);
	gmkstore_rec_free(r);
}
END_TEST

START_TEST(gmkstore_active_of_three)
{
	struct gmkstore_rec *r[4];
	struct gmkstore_rec **recs;
	size_t n, i;
	long a;

	r[0] = rec_make(0x01000001, now - 1000, "g1", NULL);
	r[1] = rec_make(0x01000002, now - 10, "g1", NULL);
	r[2] = rec_make(0x01000003, now + 500, "g1", NULL);
	r[3] = rec_make(0x01000004, now - 5, "g2", NULL);	/* another group */
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(gmkstore_put(dir, r[i], 0), 0);
		gmkstore_rec_free(r[i]);
	}
	ck_assert_int_eq(gmkstore_list(dir, &recs, &n), 0);
	ck_assert_uint_eq(n, 4);
	a = gmkstore_active(recs, n, "g1", now);
	ck_assert_int_ge(a, 0);
	ck_assert_uint_eq(recs[a]->gmk_id, 0x01000002);
	a = gmkstore_active(recs, n, "g1", now + 500);
	ck_assert_uint_eq(recs[a]->gmk_id, 0x01000003);
	ck_assert_int_eq(gmkstore_active(recs, n, "g1", now - 2000), -1);
	ck_assert_int_eq(gmkstore_active(recs, n, "g3", now), -1);
	/* A revoked or expired GMK is never the active one. */
	recs[1]->status = 0;
	a = gmkstore_active(recs, n, "g1", now);
	ck_assert_uint_eq(recs[a]->gmk_id, 0x01000001);
	recs[0]->expiry = now - 1;
	ck_assert_int_eq(gmkstore_active(recs, n, "g1", now), -1);
	gmkstore_list_free(recs, n);
}
END_TEST

/*
 * Two GMKs made within one second have the same activation and T seconds:
 * the T fraction, kept through the store, picks the later, in either order.
 */
START_TEST(gmkstore_active_same_second)
{
	struct gmkstore_rec *r[2];
	struct gmkstore_rec **recs;
	size_t n, i;
	long a;
	int order;

	for (order = 0; order < 2; order++) {
		r[0] = rec_make(order ? 0x02000002 : 0x02000001, now, "g5", NULL);
		r[1] = rec_make(order ? 0x02000001 : 0x02000002, now, "g5", NULL);
		r[0]->timestamp_frac = order ? 0x90000000u : 0x10000000u;
		r[1]->timestamp_frac = order ? 0x10000000u : 0x90000000u;
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(gmkstore_put(dir, r[i], 0), 0);
			gmkstore_rec_free(r[i]);
		}
		ck_assert_int_eq(gmkstore_list(dir, &recs, &n), 0);
		a = gmkstore_active(recs, n, "g5", now);
		ck_assert_int_ge(a, 0);
		/* 0x02000002 always carries the later fraction. */
		ck_assert_uint_eq(recs[a]->gmk_id, 0x02000002);
		ck_assert_uint_eq(recs[a]->timestamp_frac, 0x90000000u);
		gmkstore_list_free(recs, n);
		ck_assert_int_eq(gmkstore_erase(dir, 0x02000001), 0);
		ck_assert_int_eq(gmkstore_erase(dir, 0x02000002), 0);
	}
}
END_TEST

static int
member_of(void *arg, const char *group)
{
	return profile_gms(arg, group) != NULL;
}

START_TEST(gmkstore_shared_gmk_kept)
{
	struct gmkstore_rec *shared = rec_make(0x02000001, now - 10, "g1", "g2");
	struct gmkstore_rec *only1 = rec_make(0x02000002, now - 5, "g1", NULL);
	struct gmkstore_rec *s;
	struct profile *p;
	size_t erased, kept;

	ck_assert_int_eq(gmkstore_put(dir, shared, 0), 0);
	ck_assert_int_eq(gmkstore_put(dir, only1, 0), 0);
	ck_assert_int_eq(profile_load(&p, dir), 0);
	ck_assert_int_eq(profile_add(p, "g2", GMS), 0);	/* g1 already removed */
	ck_assert_int_eq(gmkstore_drop_group(dir, "g1", member_of, p, &erased, &kept), 0);
	ck_assert_uint_eq(erased, 1);
	ck_assert_uint_eq(kept, 1);
	ck_assert_int_eq(gmkstore_get(dir, 0x02000002, &s), SKM_ENOTFOUND);
	ck_assert_int_eq(gmkstore_get(dir, 0x02000001, &s), 0);
	ck_assert_uint_eq(s->ngroups, 1);
	ck_assert_str_eq(s->groups[0], "g2");
	ck_assert_mem_eq(s->gmk, shared->gmk, sizeof(s->gmk));
	gmkstore_rec_free(s);
	/* Leaving g2 too erases the shared GMK. */
	ck_assert_int_eq(profile_remove(p, "g2"), 0);
	ck_assert_int_eq(gmkstore_drop_group(dir, "g2", member_of, p, &erased, &kept), 0);
	ck_assert_uint_eq(erased, 1);
	ck_assert_uint_eq(count_files("gmk"), 0);
	profile_free(p);
	gmkstore_rec_free(shared);
	gmkstore_rec_free(only1);
}
END_TEST

/* ---- replay ---- */

START_TEST(replay_cache)
{
	uint8_t d1[REPLAY_DIGEST_LEN], d2[REPLAY_DIGEST_LEN];

	ck_assert_int_eq(replay_digest((const uint8_t *)"one", 3, d1), 0);
	ck_assert_int_eq(replay_digest((const uint8_t *)"two", 3, d2), 0);
	ck_assert_int_eq(replay_check(dir, d1), 0);
	ck_assert_int_eq(replay_add(dir, d1, now + 100, now), 0);
	ck_assert_int_eq(replay_check(dir, d1), SKM_EEXIST);
	ck_assert_int_eq(replay_check(dir, d2), 0);
	/* Adding later drops entries whose time has passed. */
	ck_assert_int_eq(replay_add(dir, d2, now + 1000, now + 200), 0);
	ck_assert_int_eq(replay_check(dir, d1), 0);
	ck_assert_int_eq(replay_check(dir, d2), SKM_EEXIST);
}
END_TEST

/* ---- notify ---- */

START_TEST(notify_round_trip)
{
	static const uint8_t imsg[] = { 0x01, 0x1a, 0x05, 0x01, 0xde, 0xad };
	struct notify_req req;
	char *doc, *b64, buf[256], why[128];
	size_t len, blen;

	ck_assert_int_eq(notify_req_write("sip:g&s@x", "g<1>", imsg, sizeof(imsg), &doc,
	    &len), 0);
	ck_assert_ptr_nonnull(strstr(doc, "g&amp;s"));
	ck_assert_int_eq(notify_input((uint8_t *)doc, len, &req, why, sizeof(why)), 0);
	ck_assert_str_eq(req.requester, "sip:g&s@x");
	ck_assert_str_eq(req.group, "g<1>");
	ck_assert_uint_eq(req.imsglen, sizeof(imsg));
	ck_assert_mem_eq(req.imsg, imsg, sizeof(imsg));
	notify_req_clear(&req);
	free(doc);

	/* Bare base64, with the SDP prefix, and binary. */
	ck_assert_int_eq(notify_b64_encode(imsg, sizeof(imsg), &b64, &blen), 0);
	snprintf(buf, sizeof(buf), "mikey %s\n", b64);
	ck_assert_int_eq(notify_input((uint8_t *)buf, strlen(buf), &req, why, sizeof(why)), 0);
	ck_assert_ptr_null(req.group);
	ck_assert_mem_eq(req.imsg, imsg, sizeof(imsg));
	notify_req_clear(&req);
	ck_assert_int_eq(notify_input((uint8_t *)b64, blen, &req, why, sizeof(why)), 0);
	notify_req_clear(&req);
	free(b64);
	ck_assert_int_eq(notify_input(imsg, sizeof(imsg), &req, why, sizeof(why)), 0);
	ck_assert_uint_eq(req.imsglen, sizeof(imsg));
	notify_req_clear(&req);

	/* Refused: DOCTYPE (entities), a missing element, bad base64, junk. */
	strcpy(buf, "<!DOCTYPE x [<!ENTITY e \"g\">]><NotifyGroupConfigurationRequest "
	    "xmlns=\"" NOTIFY_NS "\"><RequesterIdentity>&e;</RequesterIdentity>"
	    "<ValGroupId>g</ValGroupId><GroupRelatedKeyMaterial>ARo=</GroupRelatedKeyMaterial>"
	    "</NotifyGroupConfigurationRequest>");
	ck_assert_int_eq(notify_input((uint8_t *)buf, strlen(buf), &req, why, sizeof(why)),
	    SKM_EPARSE);
	ck_assert_ptr_nonnull(strstr(why, "DOCTYPE"));
	strcpy(buf, "<NotifyGroupConfigurationRequest xmlns=\"" NOTIFY_NS "\">"
	    "<ValGroupId>g</ValGroupId><GroupRelatedKeyMaterial>ARo=</GroupRelatedKeyMaterial>"
	    "</NotifyGroupConfigurationRequest>");
	ck_assert_int_eq(notify_input((uint8_t *)buf, strlen(buf), &req, why, sizeof(why)),
	    SKM_EPARSE);
	strcpy(buf, "<NotifyGroupConfigurationRequest xmlns=\"" NOTIFY_NS "\">"
	    "<RequesterIdentity>x</RequesterIdentity><ValGroupId>g</ValGroupId>"
	    "<GroupRelatedKeyMaterial>A*o=</GroupRelatedKeyMaterial>"
	    "</NotifyGroupConfigurationRequest>");
	ck_assert_int_eq(notify_input((uint8_t *)buf, strlen(buf), &req, why, sizeof(why)),
	    SKM_EPARSE);
	ck_assert_int_eq(notify_input((const uint8_t *)"ab=c", 4, &req, why, sizeof(why)),
	    SKM_EPARSE);

	ck_assert_int_eq(notify_resp_write("g1", 0, "check 3 signature: x<y", &doc, &len), 0);
	ck_assert_ptr_nonnull(strstr(doc, "<Result>failure</Result>"));
	ck_assert_ptr_nonnull(strstr(doc, "x&lt;y"));
	free(doc);
	ck_assert_int_eq(notify_resp_write("g1", 1, NULL, &doc, &len), 0);
	ck_assert_ptr_nonnull(strstr(doc, "<Result>success</Result>"));
	ck_assert_ptr_null(strstr(doc, "Reason"));
	free(doc);
}
END_TEST

/* ---- gms state ---- */

START_TEST(gms_state_round_trip)
{
	static const uint8_t gmk[GMS_GMK_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	    14, 15, 16 };
	struct gms *g, *h;
	struct gms_group *grp;
	struct gms_member *m;

	ck_assert_int_eq(gms_load(&g, dir), 0);
	ck_assert_int_eq(gms_group_add(g, "g1", 1), 0);
	ck_assert_int_eq(gms_group_add(g, "g1", 0), SKM_EEXIST);
	ck_assert_int_eq(gms_group_add(g, "g2", 0), 0);
	grp = gms_group_find(g, "g1");
	ck_assert_int_eq(gms_member_add(grp, ALICE, GMS_IMPLICIT), 0);
	ck_assert_int_eq(gms_member_add(grp, BOB, GMS_EXPLICIT), 0);
	ck_assert_int_eq(gms_member_add(grp, BOB, GMS_IMPLICIT), SKM_EEXIST);
	ck_assert_int_eq(gms_member_add(grp, MALLORY, GMS_EXPLICIT), 0);
	gms_member_find(grp, MALLORY)->subscribed = 1;
	ck_assert_int_eq(gms_group_set_gmk(grp, gmk, 0x0badcafe, now + 60), 0);
	ck_assert_int_eq(gms_save(g, dir), 0);
	ck_assert_int_eq(gms_load(&h, dir), 0);
	ck_assert_uint_eq(h->n, 2);
	grp = gms_group_find(h, "g1");
	ck_assert_int_eq(grp->rekey_on_removal, 1);
	ck_assert_int_eq(gms_group_find(h, "g2")->rekey_on_removal, 0);
	ck_assert_uint_eq(grp->nmembers, 3);
	ck_assert_int_eq(gms_member_authorised(gms_member_find(grp, ALICE)), 1);
	ck_assert_int_eq(gms_member_authorised(gms_member_find(grp, BOB)), 0);
	m = gms_member_find(grp, MALLORY);
	ck_assert_int_eq(m->aff, GMS_EXPLICIT);
	ck_assert_int_eq(gms_member_authorised(m), 1);
	ck_assert_int_eq(grp->has_gmk, 1);
	ck_assert_uint_eq(grp->gmk_id, 0x0badcafe);
	ck_assert_mem_eq(grp->gmk, gmk, sizeof(gmk));
	ck_assert_int_eq(grp->activation, now + 60);
	ck_assert_int_eq(gms_member_remove(grp, BOB), 0);
	ck_assert_int_eq(gms_member_remove(grp, BOB), SKM_ENOTFOUND);
	ck_assert_int_eq(gms_group_remove(h, "g2"), 0);
	ck_assert_ptr_null(gms_group_find(h, "g2"));
	gms_free(g);
	gms_free(h);
}
END_TEST

START_TEST(guk_and_dpck_vectors)
{
	struct vec *v = vec_load("3gpp.txt");
	const uint8_t *gmk, *p0, *id, *guk, *dpck;
	uint8_t out[16];
	size_t n, p0len;
	uint32_t got, gmk_id, want;

	gmk = vec_bytes(v, "guk.GMK", &n);
	ck_assert_uint_eq(n, 16);
	id = vec_bytes(v, "guk.GMK-ID", &n);
	gmk_id = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
	p0 = vec_bytes(v, "guk.P0", &p0len);
	guk = vec_bytes(v, "guk.GUK-ID", &n);
	want = (uint32_t)guk[0] << 24 | (uint32_t)guk[1] << 16 | (uint32_t)guk[2] << 8 | guk[3];
	ck_assert_int_eq(kdf_guk_id(gmk, gmk_id, (const char *)p0, p0len, &got), 0);
	ck_assert_uint_eq(got, want);
	/* The receiver maps the GUK-ID back with its own URI. */
	ck_assert_int_eq(kdf_guk_id(gmk, want, (const char *)p0, p0len, &got), 0);
	ck_assert_uint_eq(got, gmk_id);
	dpck = vec_bytes(v, "dpck.DPCK", &n);
	ck_assert_int_eq(kdf_dpck(gmk, want, out), 0);
	ck_assert_mem_eq(out, dpck, 16);
	vec_free(v);
}
END_TEST

static Suite *
gmk_suite(void)
{
	Suite *s = suite_create("gmk");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, profile_round_trip);
	tcase_add_test(tc, gmkstore_round_trip);
	tcase_add_test(tc, gmkstore_active_of_three);
	tcase_add_test(tc, gmkstore_active_same_second);
	tcase_add_test(tc, gmkstore_shared_gmk_kept);
	tcase_add_test(tc, replay_cache);
	tcase_add_test(tc, notify_round_trip);
	tcase_add_test(tc, gms_state_round_trip);
	tcase_add_test(tc, guk_and_dpck_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gmk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
