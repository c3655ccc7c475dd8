/* SPDX-License-Identifier: ISC */
/*
 * The GMS store on a real LMDB in a temporary directory: membership
 * changes and the deliveries they queue (implicit, explicit after the
 * subscription, removal with and without rekey), polling with the
 * back-off, answers (idempotent, never another member's), I_MESSAGEs made
 * and made anew when old, a second process's view through the change
 * counter; and the back-off schedule as a table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "gms/gstore.h"

static char dir[64];
static struct gstore *st;

static void
setup(void)
{
	char why[256];

	snprintf(dir, sizeof(dir), "/tmp/test_gstore.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	strcat(dir, "/s");
	ck_assert_int_eq(gstore_open(dir, GSTORE_CREATE, 16 << 20, &st, why, sizeof(why)), 0);
}

static void
teardown(void)
{
	char cmd[128];

	gstore_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strlen(dir) - 2), dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct gstore_gmk
gmk_of(uint32_t id, int64_t activation)
{
	struct gstore_gmk g;

	memset(&g, 0, sizeof(g));
	g.id = id;
	g.activation = activation;
	memset(g.key, (int)id, sizeof(g.key));
	return g;
}

/* Marks every unmade delivery as made (a fake I_MESSAGE) at now. */
static size_t
make_all(int64_t now)
{
	struct gstore_dlv *d = NULL;
	size_t n = 0, i;

	ck_assert_int_eq(gstore_unmade(st, 0, &d, &n), 0);
	for (i = 0; i < n; i++) {
		d[i].imsg = malloc(3);
		memcpy(d[i].imsg, "msg", 3);
		d[i].imsg_len = 3;
	}
	ck_assert_int_eq(gstore_made(st, d, n, now), 0);
	gstore_dlvs_free(d, n);
	return n;
}

static size_t
poll_n(const char *user, int64_t now, struct gstore_dlv **d)
{
	size_t n = 0;

	ck_assert_int_eq(gstore_poll(st, user, now, 1, 8, 120, 256, d, &n), 0);
	return n;
}

START_TEST(backoff_table)
{
	static const struct { unsigned min, max, attempt, want; } t[] = {
		{ 1, 60, 1, 1 }, { 1, 60, 2, 2 }, { 1, 60, 3, 4 }, { 1, 60, 6, 32 },
		{ 1, 60, 7, 60 }, { 1, 60, 100, 60 }, { 5, 12, 1, 5 }, { 5, 12, 2, 10 },
		{ 5, 12, 3, 12 }, { 7, 7, 1, 7 }, { 3, 60, 4000000000u, 60 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_uint_eq(gstore_backoff(t[i].min, t[i].max, t[i].attempt), t[i].want);
}
END_TEST

START_TEST(implicit_and_explicit)
{
	const char *uris[] = { "sip:a@x", "sip:b@x" }, *c[] = { "sip:c@x" };
	struct gstore_gmk g = gmk_of(0x0100, 0);
	struct gstore_dlv *d = NULL;
	size_t bad, q;

	ck_assert_int_eq(gstore_group_create(st, "g1", 1), 0);
	ck_assert_int_eq(gstore_group_create(st, "g1", 0), SKM_EEXIST);
	ck_assert_int_eq(gstore_group_create(st, "bad id", 0), SKM_EINVAL);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 2, 0, 100, &bad, &q), 0);
	ck_assert_uint_eq(q, 0);			/* no GMK yet */
	ck_assert_int_eq(gstore_member_add(st, "g1", c, 1, 1, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris + 1, 1, 0, 100, &bad, &q),
	    SKM_EEXIST);
	ck_assert_int_eq(gstore_member_add(st, "g9", c, 1, 0, 100, &bad, &q), SKM_ENOTFOUND);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	ck_assert_uint_eq(q, 2);			/* a and b, not c */
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), SKM_EEXIST);
	/* Not made yet: nothing due. */
	ck_assert_uint_eq(poll_n("sip:a@x", 100, &d), 0);
	ck_assert_uint_eq(make_all(100), 2);
	ck_assert_uint_eq(poll_n("sip:c@x", 100, &d), 0);
	ck_assert_int_eq(gstore_subscribe(st, "g1", "sip:c@x", 1, 100, &q), 0);
	ck_assert_uint_eq(q, 1);
	ck_assert_int_eq(gstore_subscribe(st, "g1", "sip:c@x", 1, 100, &q), 0);
	ck_assert_uint_eq(q, 0);			/* deduplicated by GMK-ID */
	ck_assert_int_eq(gstore_subscribe(st, "g1", "sip:z@x", 1, 100, &q), SKM_ENOTFOUND);
	ck_assert_uint_eq(make_all(100), 1);
	ck_assert_uint_eq(poll_n("sip:c@x", 100, &d), 1);
	ck_assert_uint_eq(d[0].gmk_id, 0x0100);
	ck_assert_int_eq(d[0].kind, GSTORE_KIND_GMK);
	ck_assert_uint_eq(d[0].attempts, 1);
	ck_assert_mem_eq(d[0].imsg, "msg", 3);
	gstore_dlvs_free(d, 1);
}
END_TEST

START_TEST(poll_backoff_and_answers)
{
	const char *uris[] = { "sip:a@x", "sip:b@x" };
	struct gstore_gmk g = gmk_of(0x0200, 0);
	struct gstore_dlv *d = NULL;
	size_t bad, q, n;
	uint64_t id, counts[3], c0, c1;
	int64_t when;
	int first;

	ck_assert_int_eq(gstore_group_create(st, "g1", 0), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 2, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	make_all(100);
	/* First send at once; then 1, 2, 4, 8, 8 s later (retry 1..8). */
	ck_assert_int_eq(gstore_changes(st, &c0), 0);
	ck_assert_uint_eq(poll_n("sip:a@x", 100, &d), 1);
	id = d[0].id;
	gstore_dlvs_free(d, 1);
	/* A send makes nothing due: the daemon is not woken by its own sends. */
	ck_assert_int_eq(gstore_changes(st, &c1), 0);
	ck_assert_uint_eq(c0, c1);
	ck_assert_int_eq(gstore_next_due(st, "sip:a@x", &when), 0);
	ck_assert_int_eq(when, 101);
	ck_assert_uint_eq(poll_n("sip:a@x", 100, &d), 0);
	ck_assert_uint_eq(poll_n("sip:a@x", 101, &d), 1);
	gstore_dlvs_free(d, 1);
	ck_assert_uint_eq(poll_n("sip:a@x", 102, &d), 0);
	ck_assert_uint_eq(poll_n("sip:a@x", 103, &d), 1);
	ck_assert_uint_eq(d[0].attempts, 3);
	ck_assert_int_eq(d[0].next_send, 107);
	gstore_dlvs_free(d, 1);
	/* Answers: never another member's, the group must match, first one stays. */
	ck_assert_int_eq(gstore_answer(st, "sip:b@x", id, "g1", 1, NULL, 104, NULL), SKM_ENOTFOUND);
	ck_assert_int_eq(gstore_answer(st, "sip:a@x", id + 100, "g1", 1, NULL, 104, NULL),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(gstore_answer(st, "sip:a@x", id, "g2", 1, NULL, 104, NULL), SKM_EINVAL);
	ck_assert_int_eq(gstore_answer(st, "sip:a@x", id, "g1", 0, "check 3: bad", 104, &first),
	    0);
	ck_assert_int_eq(first, 1);
	ck_assert_int_eq(gstore_answer(st, "sip:a@x", id, "g1", 1, NULL, 105, &first), 0);
	ck_assert_int_eq(first, 0);
	ck_assert_int_eq(gstore_dlvs(st, "sip:a@x", NULL, &d, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(d[0].state, GSTORE_FAILURE);
	ck_assert_str_eq(d[0].reason, "check 3: bad");
	ck_assert_int_eq(d[0].answered, 104);
	gstore_dlvs_free(d, n);
	/* Answered: never sent again. */
	ck_assert_uint_eq(poll_n("sip:a@x", 1000, &d), 0);
	/* Not sent yet (b never polled): unknown to an answer. */
	ck_assert_int_eq(gstore_dlvs(st, "sip:b@x", NULL, &d, &n), 0);
	ck_assert_int_eq(gstore_answer(st, "sip:b@x", d[0].id, "g1", 1, NULL, 104, NULL),
	    SKM_ENOTFOUND);
	gstore_dlvs_free(d, n);
	ck_assert_int_eq(gstore_count(st, counts), 0);
	ck_assert_uint_eq(counts[GSTORE_PENDING], 1);
	ck_assert_uint_eq(counts[GSTORE_FAILURE], 1);
	/* Purged: answered ones before the time go, pending ones stay. */
	ck_assert_int_eq(gstore_purge(st, 104, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(gstore_purge(st, 105, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(gstore_count(st, counts), 0);
	ck_assert_uint_eq(counts[GSTORE_FAILURE], 0);
	ck_assert_uint_eq(counts[GSTORE_PENDING], 1);
}
END_TEST

START_TEST(removal_with_rekey)
{
	const char *uris[] = { "sip:a@x", "sip:b@x", "sip:c@x" };
	struct gstore_gmk g1 = gmk_of(0x0301, 0), g2 = gmk_of(0x0302, 0);
	struct gstore_group grp;
	struct gstore_dlv *d = NULL;
	size_t bad, q, n;

	ck_assert_int_eq(gstore_group_create(st, "g1", 1), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 3, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g1, 100, &q), 0);
	ck_assert_int_eq(gstore_member_remove(st, "g1", "sip:c@x", &g2, 100, &q), 0);
	ck_assert_uint_eq(q, 3);			/* c's removal, a and b's new GMK */
	ck_assert_int_eq(gstore_member_remove(st, "g1", "sip:c@x", &g2, 100, &q),
	    SKM_ENOTFOUND);
	make_all(100);
	/* c: its unsent GMK was dropped, only the removal is due. */
	ck_assert_uint_eq(poll_n("sip:c@x", 100, &d), 1);
	ck_assert_int_eq(d[0].kind, GSTORE_KIND_REMOVAL);
	ck_assert_str_eq(d[0].group, "g1");
	gstore_dlvs_free(d, 1);
	ck_assert_uint_eq(poll_n("sip:a@x", 100, &d), 2);
	ck_assert_uint_eq(d[0].gmk_id, 0x0301);
	ck_assert_uint_eq(d[1].gmk_id, 0x0302);
	gstore_dlvs_free(d, 2);
	ck_assert_int_eq(gstore_group_get(st, "g1", &grp), 0);
	ck_assert_uint_eq(grp.ngmk, 2);
	ck_assert_mem_eq(grp.gmk[1].key, g2.key, GSTORE_GMK_LEN);
	/* Without the profile: no new GMK. */
	ck_assert_int_eq(gstore_group_create(st, "g2", 0), 0);
	ck_assert_int_eq(gstore_member_add(st, "g2", uris, 2, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g2", &g1, 100, &q), 0);
	ck_assert_int_eq(gstore_member_remove(st, "g2", "sip:b@x", &g2, 100, &q), 0);
	ck_assert_uint_eq(q, 1);
	ck_assert_int_eq(gstore_group_delete(st, "g2"), 0);
	ck_assert_int_eq(gstore_group_delete(st, "g2"), SKM_ENOTFOUND);
	ck_assert_int_eq(gstore_dlvs(st, NULL, "g2", &d, &n), 0);
	ck_assert_uint_eq(n, 1);			/* b, removed before, is still told */
	gstore_dlvs_free(d, n);
}
END_TEST

START_TEST(added_again_gets_the_gmk_again)
{
	const char *uris[] = { "sip:a@x" };
	struct gstore_gmk g = gmk_of(0x0500, 0);
	struct gstore_dlv *d = NULL;
	size_t bad, q;

	ck_assert_int_eq(gstore_group_create(st, "g1", 0), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 1, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	make_all(100);
	ck_assert_uint_eq(poll_n("sip:a@x", 100, &d), 1);
	ck_assert_int_eq(gstore_answer(st, "sip:a@x", d[0].id, "g1", 1, NULL, 100, NULL), 0);
	gstore_dlvs_free(d, 1);
	/* Accepted: subscribing or adding again sends nothing... */
	ck_assert_int_eq(gstore_subscribe(st, "g1", "sip:a@x", 1, 100, &q), 0);
	ck_assert_uint_eq(q, 0);
	/* ...but a removed member was told to erase it: added again, it gets it again. */
	ck_assert_int_eq(gstore_member_remove(st, "g1", "sip:a@x", NULL, 100, &q), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 1, 0, 100, &bad, &q), 0);
	ck_assert_uint_eq(q, 1);
}
END_TEST

/* Whether the store's data file holds 16 octets of b in a row. */
static int
file_has_run(uint8_t b)
{
	char path[128];
	uint8_t buf[4096];
	size_t n, i, run = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < n; i++)
			if ((run = buf[i] == b ? run + 1 : 0) == GSTORE_GMK_LEN) {
				fclose(f);
				return 1;
			}
	fclose(f);
	return 0;
}

static void
write_key(const char *name, uint8_t fill, char *path, size_t cap)
{
	uint8_t key[GSTORE_KEK_LEN];
	FILE *f;

	snprintf(path, cap, "%.*s/%s", (int)(strlen(dir) - 2), dir, name);
	memset(key, fill, sizeof(key));
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	ck_assert_int_eq(fchmod(fileno(f), 0600), 0);
	ck_assert_uint_eq(fwrite(key, 1, sizeof(key), f), sizeof(key));
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(sealed_gmks)
{
	const char *uris[] = { "sip:a@x" };
	struct gstore_gmk g = gmk_of(0x06a7, 0), g2 = gmk_of(0x06b8, 0);
	struct gstore_group grp;
	struct gstore *other = NULL;
	char kek[256], wrong[256], why[256];
	size_t bad, q;

	write_key("kek", 0x11, kek, sizeof(kek));
	write_key("wrong", 0x22, wrong, sizeof(wrong));
	ck_assert_int_eq(gstore_set_kek(st, kek, why, sizeof(why)), 0);
	ck_assert_int_eq(gstore_group_create(st, "g1", 0), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 1, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	ck_assert_int_eq(gstore_group_get(st, "g1", &grp), 0);
	ck_assert_mem_eq(grp.gmk[0].key, g.key, GSTORE_GMK_LEN);
	/* Sealed: the GMK's octets are nowhere in the file. */
	ck_assert(!file_has_run(0xa7));
	/* Without the key: readable, locked, not writable. */
	ck_assert_int_eq(gstore_open(dir, 0, 16 << 20, &other, why, sizeof(why)), 0);
	ck_assert_int_eq(gstore_group_get(other, "g1", &grp), 0);
	ck_assert(grp.locked);
	ck_assert_uint_eq(grp.gmk[0].id, 0x06a7);
	ck_assert_int_eq(grp.gmk[0].key[0], 0);
	ck_assert_int_eq(gstore_rekey(other, "g1", &g2, 100, &q), SKM_EPERM);
	/* Another key does not open it. */
	ck_assert_int_eq(gstore_set_kek(other, wrong, why, sizeof(why)), 0);
	ck_assert_int_eq(gstore_group_get(other, "g1", &grp), SKM_EVERIFY);
	ck_assert_int_eq(gstore_set_kek(other, kek, why, sizeof(why)), 0);
	ck_assert_int_eq(gstore_group_get(other, "g1", &grp), 0);
	ck_assert(!grp.locked);
	ck_assert_mem_eq(grp.gmk[0].key, g.key, GSTORE_GMK_LEN);
	gstore_close(other);
	/* A key file open to others or of the wrong size is refused. */
	ck_assert_int_eq(chmod(kek, 0644), 0);
	ck_assert_int_ne(gstore_set_kek(st, kek, why, sizeof(why)), 0);
	ck_assert_int_eq(chmod(kek, 0600), 0);
	ck_assert_int_eq(truncate(kek, 31), 0);
	ck_assert_int_ne(gstore_set_kek(st, kek, why, sizeof(why)), 0);
}
END_TEST

START_TEST(unsealed_gmks_in_the_clear)
{
	struct gstore_gmk g = gmk_of(0x06a7, 0);
	size_t q;

	/* The scan above finds an unsealed GMK: what 'nowhere' is measured with. */
	ck_assert_int_eq(gstore_group_create(st, "g1", 0), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	ck_assert(file_has_run(0xa7));
}
END_TEST

START_TEST(old_imessage_made_again)
{
	const char *uris[] = { "sip:a@x" };
	struct gstore_gmk g = gmk_of(0x0400, 0);
	struct gstore_dlv *d = NULL;
	size_t bad, q;

	ck_assert_int_eq(gstore_group_create(st, "g1", 0), 0);
	ck_assert_int_eq(gstore_member_add(st, "g1", uris, 1, 0, 100, &bad, &q), 0);
	ck_assert_int_eq(gstore_rekey(st, "g1", &g, 100, &q), 0);
	ck_assert_uint_eq(make_all(100), 1);
	/* Offline for longer than the age bound: made anew, then sent. */
	ck_assert_uint_eq(poll_n("sip:a@x", 1000, &d), 0);
	ck_assert_uint_eq(make_all(1000), 1);
	ck_assert_uint_eq(poll_n("sip:a@x", 1000, &d), 1);
	ck_assert_int_eq(d[0].made, 1000);
	ck_assert_uint_eq(d[0].attempts, 1);
	gstore_dlvs_free(d, 1);
}
END_TEST

START_TEST(second_process_sees_changes)
{
	struct gstore *other = NULL;
	char why[256];
	uint64_t c0, c1;

	ck_assert_int_eq(gstore_changes(st, &c0), 0);
	ck_assert_int_eq(gstore_open(dir, GSTORE_LAZY, 16 << 20, &other, why, sizeof(why)), 0);
	ck_assert_int_eq(gstore_group_create(other, "g1", 0), 0);
	ck_assert_int_eq(gstore_changes(st, &c1), 0);
	ck_assert_uint_gt(c1, c0);
	/* A refused change changes nothing, the counter included. */
	ck_assert_int_eq(gstore_group_create(other, "g1", 0), SKM_EEXIST);
	ck_assert_int_eq(gstore_changes(st, &c0), 0);
	ck_assert_uint_eq(c0, c1);
	gstore_close(other);
}
END_TEST

START_TEST(files_private_and_ids)
{
	struct stat sb;
	char path[128], text[GSTORE_ID_LEN];
	uint64_t id;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 077, 0);
	gstore_id_text(12345, text);
	ck_assert_str_eq(text, "12345");
	ck_assert_int_eq(gstore_id_parse("12345", &id), 0);
	ck_assert_uint_eq(id, 12345);
	ck_assert_int_eq(gstore_id_parse("0", &id), SKM_EINVAL);
	ck_assert_int_eq(gstore_id_parse("1a", &id), SKM_EINVAL);
	ck_assert_int_eq(gstore_id_parse("", &id), SKM_EINVAL);
	ck_assert_int_eq(gstore_id_parse("99999999999999999999", &id), SKM_EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("gstore");
	TCase *tc = tcase_create("gstore");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, backoff_table);
	tcase_add_test(tc, implicit_and_explicit);
	tcase_add_test(tc, poll_backoff_and_answers);
	tcase_add_test(tc, removal_with_rekey);
	tcase_add_test(tc, added_again_gets_the_gmk_again);
	tcase_add_test(tc, sealed_gmks);
	tcase_add_test(tc, unsealed_gmks_in_the_clear);
	tcase_add_test(tc, old_imessage_made_again);
	tcase_add_test(tc, second_process_sees_changes);
	tcase_add_test(tc, files_private_and_ids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
