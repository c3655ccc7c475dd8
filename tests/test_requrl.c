/* SPDX-License-Identifier: ISC */
/*
 * src/server/requrl: ClientReqUrl is https://, the Host the client named
 * (or the KMS URI), and the target, in ASCII whatever the request held.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "server/requrl.h"

#define KMS	"kms.example.org"

static const struct url_case {
	const char *host, *target, *want;
} url_cases[] = {
	{ "127.0.0.1:8443", "/keymanagement/identity/v1/init",
	    "https://127.0.0.1:8443/keymanagement/identity/v1/init" },
	{ "kms.example.org", "/keymanagement/identity/v1/keyprov/sip:a@example.org/"
	    "D6B4323200000000", "https://kms.example.org/keymanagement/identity/v1/"
	    "keyprov/sip:a@example.org/D6B4323200000000" },
	{ "[::1]:443", "/x", "https://[::1]:443/x" },
	/* A Host that could not be the authority: the KMS URI stands for it. */
	{ NULL, "/x", "https://" KMS "/x" },
	{ "", "/x", "https://" KMS "/x" },
	{ "\xff\xfe", "/x", "https://" KMS "/x" },
	{ "a\x01" "b", "/x", "https://" KMS "/x" },
	{ "a%00b", "/x", "https://" KMS "/x" },
	{ "\xc0\xae", "/x", "https://" KMS "/x" },
	{ "evil.example/phish", "/x", "https://" KMS "/x" },
	{ "a@b", "/x", "https://" KMS "/x" },
	{ "a b", "/x", "https://" KMS "/x" },
	/* The target: octets outside a URL percent-encoded, escapes kept. */
	{ "h", "/\xff\xfe", "https://h/%FF%FE" },
	{ "h", "/a\x01" "b", "https://h/a%01b" },
	{ "h", "/\xc0\xaf", "https://h/%C0%AF" },
	{ "h", "/\xc3\xa9", "https://h/%C3%A9" },
	{ "h", "/a%00b", "https://h/a%00b" },
	{ "h", "/a%3Ab%3a", "https://h/a%3Ab%3a" },
	{ "h", "/a%zz", "https://h/a%25zz" },
	{ "h", "/a%4", "https://h/a%254" },
	{ "h", "/a%", "https://h/a%25" },
	{ "h", "/a b\"<>\\{}|^`#", "https://h/a%20b%22%3C%3E%5C%7B%7D%7C%5E%60%23" },
	{ "h", "/init?debug=1&x=y", "https://h/init?debug=1&x=y" },
	{ "h", "/-._~!$&'()*+,;=:@", "https://h/-._~!$&'()*+,;=:@" },
	/* Absolute form names its own authority (RFC 9112 3.2.2). */
	{ "h", "https://x.example/p", "https://x.example/p" },
	{ "h", "http://x.example:80/p\xff", "http://x.example:80/p%FF" },
	{ "h", "://x", "https://h/://x" },
	/* No target (the request line could not be read) or an odd one. */
	{ "h", NULL, "https://h" },
	{ "h", "", "https://h" },
	{ "h", "*", "https://h/*" },
	{ "h", "x/y", "https://h/x/y" },
};

START_TEST(url_table)
{
	const struct url_case *c = &url_cases[_i];
	char out[REQURL_MAX];

	requrl_build(out, sizeof(out), c->host, c->host != NULL ? strlen(c->host) : 0,
	    KMS, c->target, c->target != NULL ? strlen(c->target) : 0);
	ck_assert_msg(strcmp(out, c->want) == 0, "case %d: %s", _i, out);
}
END_TEST

/* Every octet in the target: the URL is printable ASCII. */
START_TEST(url_every_octet)
{
	char target[257], out[REQURL_MAX];
	size_t i;
	int c;

	target[0] = '/';
	for (c = 0; c < 256; c++)
		target[c + 1] = (char)c;
	requrl_build(out, sizeof(out), "h", 1, KMS, target, sizeof(target));
	for (i = 0; out[i] != '\0'; i++)
		ck_assert(out[i] > 0x20 && out[i] < 0x7f);
	/* 0x00 comes first: encoded, not an end. */
	ck_assert(strncmp(out, "https://h/%00%01", 16) == 0);
}
END_TEST

/* A short buffer cuts the URL before an escape, never inside one. */
START_TEST(url_bounded)
{
	char full[64], out[64];
	size_t cap, n;

	requrl_build(full, sizeof(full), "h", 1, KMS, "/\xff\xff\xff", 4);
	ck_assert_str_eq(full, "https://h/%FF%FF%FF");
	for (cap = 1; cap <= strlen(full) + 1; cap++) {
		memset(out, 'z', sizeof(out));
		requrl_build(out, cap, "h", 1, KMS, "/\xff\xff\xff", 4);
		n = strlen(out);
		ck_assert_uint_lt(n, cap);
		ck_assert(strncmp(out, full, n) == 0);
		ck_assert(n < 10 || (n - 10) % 3 == 0);
	}
}
END_TEST

START_TEST(host_check)
{
	char big[REQURL_HOST_MAX + 2];

	ck_assert_int_eq(requrl_host_ok("kms.example.org:8443", 20), 1);
	ck_assert_int_eq(requrl_host_ok("[2001:db8::1]", 13), 1);
	ck_assert_int_eq(requrl_host_ok(NULL, 0), 0);
	ck_assert_int_eq(requrl_host_ok("", 0), 0);
	ck_assert_int_eq(requrl_host_ok("a\0b", 3), 0);
	ck_assert_int_eq(requrl_host_ok("a%00", 4), 0);
	ck_assert_int_eq(requrl_host_ok("\xff", 1), 0);
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(requrl_host_ok(big, REQURL_HOST_MAX), 1);
	ck_assert_int_eq(requrl_host_ok(big, REQURL_HOST_MAX + 1), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("requrl");
	TCase *tc = tcase_create("url");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, url_table, 0, (int)(sizeof(url_cases) / sizeof(url_cases[0])));
	tcase_add_test(tc, url_every_octet);
	tcase_add_test(tc, url_bounded);
	tcase_add_test(tc, host_check);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
