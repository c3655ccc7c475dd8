/* SPDX-License-Identifier: ISC */
/*
 * src/server/log: every line leaves as printable ASCII, request data
 * escaped as \xHH, whichever function logs it; escapes are never cut.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/log.h"

static const struct esc_case {
	const char *in, *want;
} esc_cases[] = {
	{ "", "" },
	{ "plain text: /keymanagement/identity/v1/init 404", "plain text: /keymanagement/identity/v1/init 404" },
	{ "\xff\xfe", "\\xff\\xfe" },
	{ "a\x01" "b", "a\\x01b" },
	{ "\t\r\n", "\\x09\\x0d\\x0a" },
	{ "\x1b[31mred", "\\x1b[31mred" },
	{ "\x7f", "\\x7f" },
	{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong '/' */
	{ "\xc3\xa9", "\\xc3\\xa9" },			/* valid UTF-8 is escaped too */
	{ "a\\x41", "a\\x5cx41" },			/* a backslash cannot fake an escape */
	{ "%00 and ~", "%00 and ~" },
};

START_TEST(escape_table)
{
	const struct esc_case *c = &esc_cases[_i];
	char out[128];

	ck_assert_uint_eq(log_escape(c->in, out, sizeof(out)), strlen(c->want));
	ck_assert_str_eq(out, c->want);
}
END_TEST

/* Every octet: printable ASCII out, and the escapes read back to the input. */
START_TEST(escape_every_octet)
{
	char in[256], out[1024], back[256];
	size_t n, i, j = 0;
	int c;

	for (c = 1; c < 256; c++)
		in[c - 1] = (char)c;
	in[255] = '\0';
	n = log_escape(in, out, sizeof(out));
	ck_assert_uint_eq(n, strlen(out));
	for (i = 0; i < n; i++)
		ck_assert_msg(out[i] >= 0x20 && out[i] < 0x7f, "octet %zu not printable", i);
	for (i = 0; i < n; j++) {
		if (out[i] == '\\') {
			unsigned v;

			ck_assert_int_eq(out[i + 1], 'x');
			ck_assert_int_eq(sscanf(out + i + 2, "%2x", &v), 1);
			back[j] = (char)v;
			i += 4;
		} else
			back[j] = out[i++];
	}
	back[j] = '\0';
	ck_assert_str_eq(back, in);
}
END_TEST

/* A short buffer ends before an escape that does not fit, never inside one. */
START_TEST(escape_bounded)
{
	char out[8];

	memset(out, 'z', sizeof(out));
	ck_assert_uint_eq(log_escape("\xff\xff", out, 6), 4);
	ck_assert_str_eq(out, "\\xff");
	ck_assert_uint_eq(log_escape("ab\xff", out, 6), 2);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(log_escape("abcdefgh", out, 6), 5);
	ck_assert_str_eq(out, "abcde");
	ck_assert_uint_eq(log_escape("abc", out, 1), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(log_escape("abc", out, 0), 0);
}
END_TEST

/* Reads what the logger wrote to stderr (a temporary file) since fd was set up. */
static void
read_log(FILE *f, char *buf, size_t cap)
{
	size_t n;

	fflush(stderr);
	rewind(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
}

/*
 * The logging functions themselves: a path and a header value as a client
 * sent them come out escaped through each of them, on one line each.
 */
START_TEST(lines_escaped)
{
	static const char *const want =
	    "t: 127.0.0.1:1: /\\xff\\xfe\\x01 404: no such resource\n"
	    "t: host a\\x0d\\x0aforged: line\n"
	    "t: open /\\xc0\\xaf: No such file or directory\n"
	    "t: debug \\x1b[2J\n";
	char buf[1024];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t i;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fileno(f), 2), 2);
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_DEBUG);
	log_info("%s: %s %d: %s", "127.0.0.1:1", "/\xff\xfe\x01", 404, "no such resource");
	log_warnx("host %s", "a\r\nforged: line");
	errno = ENOENT;
	log_warn("open %s", "/\xc0\xaf");
	log_debug("debug %s", "\x1b[2J");
	read_log(f, buf, sizeof(buf));
	dup2(saved, 2);
	close(saved);
	fclose(f);
	ck_assert_str_eq(buf, want);
	for (i = 0; buf[i] != '\0'; i++)
		ck_assert(buf[i] == '\n' || (buf[i] >= 0x20 && buf[i] < 0x7f));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("escape");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, escape_table, 0,
	    (int)(sizeof(esc_cases) / sizeof(esc_cases[0])));
	tcase_add_test(tc, escape_every_octet);
	tcase_add_test(tc, escape_bounded);
	tcase_add_test(tc, lines_escaped);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
