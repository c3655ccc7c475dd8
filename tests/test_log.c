/* SPDX-License-Identifier: ISC */
/*
 * src/server/log: every line leaves as printable ASCII, request data
 * escaped as \xHH, whichever function logs it; escapes are never cut.
 * Lines are stamped on a plain stderr, not on the journal's stream, and
 * log.format json frames each as one JSON object.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Is p "YYYY-MM-DDTHH:MM:SS" (the start of an RFC 3339 UTC time)? */
static int
is_stamp(const char *p)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? p[i] < '0' || p[i] > '9' : p[i] != shape[i])
			return 0;
	return 1;
}

/* Removes "YYYY-MM-DDTHH:MM:SSZ " from the start of each line, checking each has one. */
static void
unstamp(char *buf)
{
	char *line = buf, *nl;
	size_t len = strlen("YYYY-MM-DDTHH:MM:SSZ ");

	while (*line != '\0') {
		ck_assert_msg(is_stamp(line) && line[len - 2] == 'Z' && line[len - 1] == ' ',
		    "line without a timestamp: %.40s", line);
		memmove(line, line + len, strlen(line + len) + 1);
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		line = nl + 1;
	}
}

/* Points stderr at a new temporary file; returns it, *saved the old stderr. */
static FILE *
capture(int *saved)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(*saved = dup(2), 0);
	ck_assert_int_eq(dup2(fileno(f), 2), 2);
	return f;
}

static void
release(FILE *f, int saved)
{
	dup2(saved, 2);
	close(saved);
	fclose(f);
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
	unsetenv("JOURNAL_STREAM");
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_DEBUG);
	log_set_format(CONF_LOG_TEXT);
	log_info("%s: %s %d: %s", "127.0.0.1:1", "/\xff\xfe\x01", 404, "no such resource");
	log_warnx("host %s", "a\r\nforged: line");
	errno = ENOENT;
	log_warn("open %s", "/\xc0\xaf");
	log_debug("debug %s", "\x1b[2J");
	read_log(f, buf, sizeof(buf));
	dup2(saved, 2);
	close(saved);
	fclose(f);
	unstamp(buf);
	ck_assert_str_eq(buf, want);
	for (i = 0; buf[i] != '\0'; i++)
		ck_assert(buf[i] == '\n' || (buf[i] >= 0x20 && buf[i] < 0x7f));
}
END_TEST

/* 2023-11-14T22:13:20.123Z */
#define MS	1700000000123LL

static const struct line_case {
	enum conf_log_format format;
	enum log_dest dest;
	enum conf_log_level level;
	const char *msg, *want;
} line_cases[] = {
	{ CONF_LOG_TEXT, LOG_DEST_STDERR, CONF_LOG_INFO, "serving",
	    "2023-11-14T22:13:20Z t: serving\n" },
	{ CONF_LOG_TEXT, LOG_DEST_JOURNAL, CONF_LOG_INFO, "serving", "<6>serving\n" },
	{ CONF_LOG_TEXT, LOG_DEST_JOURNAL, CONF_LOG_WARNING, "w", "<4>w\n" },
	{ CONF_LOG_TEXT, LOG_DEST_JOURNAL, CONF_LOG_ERROR, "e", "<3>e\n" },
	{ CONF_LOG_TEXT, LOG_DEST_JOURNAL, CONF_LOG_DEBUG, "d", "<7>d\n" },
	{ CONF_LOG_TEXT, LOG_DEST_SYSLOG, CONF_LOG_NOTICE, "n", "n" },
	{ CONF_LOG_JSON, LOG_DEST_STDERR, CONF_LOG_INFO, "serving",
	    "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"info\",\"msg\":\"serving\"}\n" },
	/* Quotes, and the backslashes of the log's own \xHH escapes. */
	{ CONF_LOG_JSON, LOG_DEST_STDERR, CONF_LOG_WARNING,
	    "claim \"sub\" of a\\x0d\\x0ab \\xff\\x5c",
	    "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"warning\","
	    "\"msg\":\"claim \\\"sub\\\" of a\\\\x0d\\\\x0ab \\\\xff\\\\x5c\"}\n" },
	/* Control octets never reach it from log_escape, but are escaped all the same. */
	{ CONF_LOG_JSON, LOG_DEST_STDERR, CONF_LOG_ERROR, "a\x01\x1f\tb",
	    "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"error\","
	    "\"msg\":\"a\\u0001\\u001f\\u0009b\"}\n" },
	{ CONF_LOG_JSON, LOG_DEST_JOURNAL, CONF_LOG_NOTICE, "n",
	    "<5>{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"notice\",\"msg\":\"n\"}\n" },
	{ CONF_LOG_JSON, LOG_DEST_SYSLOG, CONF_LOG_DEBUG, "",
	    "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"debug\",\"msg\":\"\"}" },
};

START_TEST(line_table)
{
	const struct line_case *c = &line_cases[_i];
	const struct log_style st = { "t", c->format, c->dest };
	char out[256];

	ck_assert_uint_eq(log_line(out, sizeof(out), &st, c->level, MS, c->msg),
	    strlen(c->want));
	ck_assert_str_eq(out, c->want);
}
END_TEST

/* Milliseconds are zero-padded, and a time on a second has .000. */
START_TEST(line_millis)
{
	const struct log_style st = { "t", CONF_LOG_JSON, LOG_DEST_STDERR };
	char out[256];

	log_line(out, sizeof(out), &st, CONF_LOG_INFO, 1700000000007LL, "x");
	ck_assert_ptr_nonnull(strstr(out, "\"time\":\"2023-11-14T22:13:20.007Z\""));
	log_line(out, sizeof(out), &st, CONF_LOG_INFO, 1700000000000LL, "x");
	ck_assert_ptr_nonnull(strstr(out, "\"time\":\"2023-11-14T22:13:20.000Z\""));
}
END_TEST

/* A line cut short is still one object: no escape split, closed, one newline. */
START_TEST(line_json_bounded)
{
	const struct log_style st = { "t", CONF_LOG_JSON, LOG_DEST_STDERR };
	const char *head = "{\"time\":\"2023-11-14T22:13:20.123Z\",\"level\":\"info\",\"msg\":\"";
	char out[128];
	size_t h = strlen(head), cap, n;

	for (cap = h + 4; cap <= h + 12; cap++) {
		n = log_line(out, cap, &st, CONF_LOG_INFO, MS, "\"\"\"\"\"\"");
		ck_assert_uint_eq(n, strlen(out));
		ck_assert_uint_lt(n, cap);
		ck_assert_int_eq(strncmp(out, head, h), 0);
		ck_assert_str_eq(out + n - 3, "\"}\n");
		/* Whole \" pairs only. */
		ck_assert_uint_eq((n - h - 3) % 2, 0);
	}
	ck_assert_uint_eq(log_line(out, h, &st, CONF_LOG_INFO, MS, "x"), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Through the logging functions: each line one object, its msg escaped twice over. */
START_TEST(lines_json)
{
	static const char *const tail =
	    "\",\"level\":\"warning\",\"msg\":\"host a\\\\x0d\\\\x0a\\\"forged\\\": "
	    "line\\\\x5c\\\\xff\"}\n";
	char buf[1024];
	int saved;
	FILE *f = capture(&saved);

	unsetenv("JOURNAL_STREAM");
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_INFO);
	log_set_format(CONF_LOG_JSON);
	log_warnx("host %s", "a\r\n\"forged\": line\\\xff");
	log_debug("not at this level");
	read_log(f, buf, sizeof(buf));
	release(f, saved);
	log_set_format(CONF_LOG_TEXT);
	ck_assert_int_eq(strncmp(buf, "{\"time\":\"", 9), 0);
	ck_assert(is_stamp(buf + 9));
	ck_assert_int_eq(strncmp(buf + 9 + 19, ".", 1), 0);
	ck_assert_str_eq(buf + 9 + 24, tail);
}
END_TEST

/* JOURNAL_STREAM naming stderr's device and inode: no timestamp, a priority. */
START_TEST(journal_stream)
{
	static const char *const bad[] = {
		"", ":", "1:", ":1", "x:1", "1:x", "1:2x", "-1:2", "1 :2",
	};
	char buf[1024], env[64];
	struct stat sb;
	int saved;
	size_t i, n;
	FILE *f = capture(&saved);

	ck_assert_int_eq(fstat(2, &sb), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", env, 1), 0);
	ck_assert_int_eq(log_journal_stream(2), 1);
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_INFO);
	log_set_format(CONF_LOG_TEXT);
	log_info("to the %s", "journal");
	log_warnx("warned");
	/* Another inode on the same device: a stream systemd gave someone else. */
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)sb.st_dev,
	    (unsigned long long)sb.st_ino + 1);
	ck_assert_int_eq(setenv("JOURNAL_STREAM", env, 1), 0);
	ck_assert_int_eq(log_journal_stream(2), 0);
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_INFO);
	log_info("stamped");
	read_log(f, buf, sizeof(buf));
	n = strlen("<6>to the journal\n<4>warned\n");
	ck_assert_int_eq(strncmp(buf, "<6>to the journal\n<4>warned\n", n), 0);
	unstamp(buf + n);
	ck_assert_str_eq(buf + n, "t: stamped\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(setenv("JOURNAL_STREAM", bad[i], 1), 0);
		ck_assert_msg(log_journal_stream(2) == 0, "'%s' taken", bad[i]);
	}
	unsetenv("JOURNAL_STREAM");
	ck_assert_int_eq(log_journal_stream(2), 0);
	release(f, saved);
	log_init("t", CONF_LOG_STDERR, CONF_FAC_DAEMON, CONF_LOG_INFO);
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
	tcase_add_loop_test(tc, line_table, 0,
	    (int)(sizeof(line_cases) / sizeof(line_cases[0])));
	tcase_add_test(tc, line_millis);
	tcase_add_test(tc, line_json_bounded);
	tcase_add_test(tc, lines_json);
	tcase_add_test(tc, journal_stream);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
