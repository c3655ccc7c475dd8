/* SPDX-License-Identifier: ISC */
/*
 * Trust and secret files (common/trustfile.c): each rule on the file and on
 * the directories on the way to it, symbolic links, and that a FIFO or a
 * device is refused without blocking. Owner rules need a second uid, which
 * only root can give a file: as another user those checks are skipped.
 */
#define _GNU_SOURCE	/* nftw, mkdtemp */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/secfile.h"
#include "common/trustfile.h"

/* nobody on Debian and most others; any uid that is neither root nor us. */
#define OTHER_UID	((uid_t)65534)

static char base[512];
static char why[1024];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof(base), "%s/skms-trustfile.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(base));
	/* A regression that blocks fails the test instead of hanging it. */
	alarm(20);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void
teardown(void)
{
	alarm(0);
	nftw(base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* base/name, in one of a few rotating static buffers. */
static const char *
at(const char *name)
{
	static char bufs[4][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", base, name);
	return b;
}

static void
put(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(at(name), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(at(name), mode), 0);
}

static void
dir(const char *name, mode_t mode)
{
	ck_assert_int_eq(mkdir(at(name), 0700), 0);
	ck_assert_int_eq(chmod(at(name), mode), 0);
}

/* trustfile_open() of path gives want; a refusal's reason contains text. */
static void
check_open(const char *path, enum trustfile_kind kind, uid_t also, int want,
    const char *text)
{
	int fd = 42, rc;

	why[0] = '\0';
	rc = trustfile_open(path, kind, also, &fd, why, sizeof(why));
	ck_assert_msg(rc == want, "%s: %d, want %d (%s)", path, rc, want, why);
	if (want == 0) {
		ck_assert_int_ge(fd, 0);
		close(fd);
	} else {
		ck_assert_int_eq(fd, -1);
		ck_assert_msg(strstr(why, text) != NULL, "'%s' lacks '%s'", why, text);
	}
}

START_TEST(file_modes)
{
	char want[PATH_MAX + 64];

	put("k", "key\n", 0644);
	check_open(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	snprintf(want, sizeof(want), "%s: mode 0644 allows group or other access", at("k"));
	check_open(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(chmod(at("k"), 0666), 0);
	snprintf(want, sizeof(want), "%s: mode 0666 allows group or other write", at("k"));
	check_open(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(chmod(at("k"), 0620), 0);
	check_open(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "mode 0620");
	ck_assert_int_eq(chmod(at("k"), 0602), 0);
	check_open(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "mode 0602");
	ck_assert_int_eq(chmod(at("k"), 0600), 0);
	check_open(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, 0, NULL);
	ck_assert_int_eq(chmod(at("k"), 0400), 0);
	check_open(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, 0, NULL);
	ck_assert_int_eq(chmod(at("k"), 0640), 0);
	check_open(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM, "mode 0640");
	/* The old entry point is the secret kind. */
	ck_assert_int_eq(secfile_open(at("k"), &(int){ 0 }, why, sizeof(why)), SKM_EPERM);
}
END_TEST

START_TEST(file_owner)
{
	char want[PATH_MAX + 64];

	if (geteuid() != 0)
		return;
	put("k", "key\n", 0644);
	ck_assert_int_eq(chown(at("k"), OTHER_UID, (gid_t)-1), 0);
	snprintf(want, sizeof(want), "%s: owned by uid %lu, not by root or uid 0", at("k"),
	    (unsigned long)OTHER_UID);
	check_open(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	check_open(at("k"), TRUSTFILE_TRUST, 1234, SKM_EPERM, "not by root, uid 0 or uid 1234");
	/* The service user may own it. */
	check_open(at("k"), TRUSTFILE_TRUST, OTHER_UID, 0, NULL);
	ck_assert_int_eq(chmod(at("k"), 0600), 0);
	check_open(at("k"), TRUSTFILE_SECRET, OTHER_UID, 0, NULL);
	check_open(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM, "owned by uid");
}
END_TEST

START_TEST(dir_rules)
{
	char want[PATH_MAX + 64];

	dir("g", 0770);
	put("g/k", "key\n", 0644);
	snprintf(want, sizeof(want), "%s: writable by group or others", at("g"));
	check_open(at("g/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	check_open(at("g/k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM, want);
	/* Any level above counts, not only the file's own directory. */
	dir("g/sub", 0755);
	put("g/sub/k", "key\n", 0644);
	check_open(at("g/sub/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(chmod(at("g"), 0757), 0);
	check_open(at("g/sub/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(chmod(at("g"), 0755), 0);
	check_open(at("g/sub/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	/* World-writable and sticky is as /tmp when it is root's. */
	ck_assert_int_eq(chmod(at("g"), 01777), 0);
	if (geteuid() == 0) {
		check_open(at("g/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
		ck_assert_int_eq(chown(at("g"), OTHER_UID, (gid_t)-1), 0);
		/* Its owner could remove our file and put his own in its place. */
		check_open(at("g/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM,
		    "owned by uid");
		check_open(at("g/k"), TRUSTFILE_TRUST, OTHER_UID, SKM_EPERM,
		    "writable by group or others");
		ck_assert_int_eq(chmod(at("g"), 0755), 0);
		check_open(at("g/k"), TRUSTFILE_TRUST, OTHER_UID, 0, NULL);
	} else {
		check_open(at("g/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM,
		    "writable by group or others");
	}
}
END_TEST

START_TEST(not_regular)
{
	char want[PATH_MAX + 64];

	/* No writer: a blocking open would wait here until the alarm. */
	ck_assert_int_eq(mkfifo(at("fifo"), 0644), 0);
	snprintf(want, sizeof(want), "%s: not a regular file", at("fifo"));
	check_open(at("fifo"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	check_open(at("fifo"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(secfile_open(at("fifo"), &(int){ 0 }, why, sizeof(why)), SKM_EPERM);
	check_open("/dev/null", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM,
	    "/dev/null: not a regular file");
	dir("d", 0755);
	check_open(at("d"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "not a regular file");
	check_open(at("d/"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "not a regular file");
	check_open(at("d/."), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "not a regular file");
	check_open("/", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "not a regular file");
	put("k", "key\n", 0644);
	check_open(at("k/"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, "not a regular file");
	check_open(at("k/x"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_ENOTFOUND,
	    "is not a directory");
	check_open(at("none"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_ENOTFOUND,
	    "cannot open: No such file or directory");
	check_open(at("none/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_ENOTFOUND,
	    "cannot open");
	check_open("", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EINVAL, "no file name");
}
END_TEST

START_TEST(links)
{
	char want[PATH_MAX + 64];

	dir("ok", 0755);
	put("ok/k", "key\n", 0644);
	/* A link to a good file, from a good directory: trust yes, secret no. */
	ck_assert_int_eq(symlink(at("ok/k"), at("abs")), 0);
	ck_assert_int_eq(symlink("ok/../ok/./k", at("rel")), 0);
	check_open(at("abs"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	check_open(at("rel"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	ck_assert_int_eq(chmod(at("ok/k"), 0600), 0);
	check_open(at("abs"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, SKM_EPERM,
	    "a symbolic link");
	ck_assert_int_eq(chmod(at("ok/k"), 0644), 0);
	/* A linked directory on the way is followed for either kind. */
	ck_assert_int_eq(symlink("ok", at("dl")), 0);
	check_open(at("dl/k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	/* The target's directories are checked... */
	dir("bad", 0777);
	put("bad/k", "key\n", 0644);
	ck_assert_int_eq(symlink("bad/k", at("tobad")), 0);
	snprintf(want, sizeof(want), "%s: writable by group or others", at("bad"));
	check_open(at("tobad"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	/* ...and so is a directory holding a link, whose owner could re-point it. */
	ck_assert_int_eq(symlink(at("ok/k"), at("bad/l")), 0);
	check_open(at("bad/l"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	ck_assert_int_eq(symlink(at("bad/l"), at("chain")), 0);
	check_open(at("chain"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM, want);
	/* A loop ends. */
	ck_assert_int_eq(symlink("loop2", at("loop1")), 0);
	ck_assert_int_eq(symlink("loop1", at("loop2")), 0);
	check_open(at("loop1"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM,
	    "too many symbolic links");
	ck_assert_int_eq(symlink("none", at("dangling")), 0);
	check_open(at("dangling"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_ENOTFOUND,
	    "cannot open");
}
END_TEST

START_TEST(relative)
{
	char cwd[PATH_MAX];

	dir("ok", 0755);
	put("ok/k", "key\n", 0644);
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(at("ok")), 0);
	check_open("k", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	check_open("./../ok/k", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, 0, NULL);
	/* The working directory's own chain counts too. */
	ck_assert_int_eq(chmod(at("ok"), 0775), 0);
	check_open("k", TRUSTFILE_TRUST, TRUSTFILE_NO_UID, SKM_EPERM,
	    "writable by group or others");
	ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

START_TEST(read_whole)
{
	uint8_t buf[8];
	size_t len = 99;

	put("k", "abcd", 0644);
	ck_assert_int_eq(trustfile_read(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, buf, 4,
	    &len, why, sizeof(why)), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	ck_assert_int_eq(trustfile_read(at("k"), TRUSTFILE_TRUST, TRUSTFILE_NO_UID, buf, 3,
	    &len, why, sizeof(why)), SKM_ELEN);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(trustfile_read(at("k"), TRUSTFILE_SECRET, TRUSTFILE_NO_UID, buf,
	    sizeof(buf), &len, why, sizeof(why)), SKM_EPERM);
	ck_assert_int_eq(trustfile_uid("root"), 0);
	ck_assert_int_eq(trustfile_uid(""), TRUSTFILE_NO_UID);
	ck_assert_int_eq(trustfile_uid(NULL), TRUSTFILE_NO_UID);
	ck_assert_int_eq(trustfile_uid("no-such-user-of-skms"), TRUSTFILE_NO_UID);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trustfile");
	TCase *tc = tcase_create("rules");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, file_modes);
	tcase_add_test(tc, file_owner);
	tcase_add_test(tc, dir_rules);
	tcase_add_test(tc, not_regular);
	tcase_add_test(tc, links);
	tcase_add_test(tc, relative);
	tcase_add_test(tc, read_whole);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
