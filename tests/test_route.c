/* SPDX-License-Identifier: ISC */
/* src/server route and errmap: KMS interface paths and the refusal table. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/errmap.h"
#include "server/route.h"

#define P ROUTE_PREFIX

struct route_case {
	const char *path;
	enum errmap_id want;
	enum route_ep ep;
	const char *uri;	/* expected decoded URI, NULL for none */
	uint64_t time;		/* expected NTP timestamp when has_time */
	int has_time;
	long long cachenum;	/* -1 for none */
};

static const struct route_case route_cases[] = {
	/* accepted */
	{ P "init", ERRMAP_OK, ROUTE_INIT, NULL, 0, 0, -1 },
	{ P "keyprov", ERRMAP_OK, ROUTE_KEYPROV, NULL, 0, 0, -1 },
	{ P "certcache", ERRMAP_OK, ROUTE_CERTCACHE, NULL, 0, 0, -1 },
	{ P "certcache/0", ERRMAP_OK, ROUTE_CERTCACHE, NULL, 0, 0, 0 },
	{ P "certcache/42", ERRMAP_OK, ROUTE_CERTCACHE, NULL, 0, 0, 42 },
	{ P "certcache/18446744073709551615", ERRMAP_OK, ROUTE_CERTCACHE, NULL, 0, 0, -2 },
	{ P "keyprov/sip:alice@example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "sip:alice@example.org", 0, 0, -1 },
	{ P "keyprov/sip%3Auser%40example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "sip:user@example.org", 0, 0, -1 },
	{ P "keyprov/sip%3auser%40example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "sip:user@example.org", 0, 0, -1 },
	/* 33.179 D.2 example 4 */
	{ P "keyprov/sip%3Auser%40example.org/D6B4323200000000", ERRMAP_OK,
	    ROUTE_KEYPROV, "sip:user@example.org", 0xD6B4323200000000ULL, 1, -1 },
	/* the deployed client: raw URI, lower-case hex */
	{ P "keyprov/sip:alice@example.org/ec898da800000000", ERRMAP_OK, ROUTE_KEYPROV,
	    "sip:alice@example.org", 0xec898da800000000ULL, 1, -1 },
	{ P "keyprov/https://gms.example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "https://gms.example.org", 0, 0, -1 },
	{ P "keyprov/https://gms.example.org/EC898DA800000001", ERRMAP_OK, ROUTE_KEYPROV,
	    "https://gms.example.org", 0xEC898DA800000001ULL, 1, -1 },
	{ P "keyprov/https%3A%2F%2Fgms.example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "https://gms.example.org", 0, 0, -1 },
	{ P "keyprov/tel:+15551234", ERRMAP_OK, ROUTE_KEYPROV, "tel:+15551234", 0, 0, -1 },
	/* unknown paths */
	{ "/", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ "", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ "/keymanagement/identity/v1", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ "/keymanagement/identity/v2/init", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P, ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "Init", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "initx", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "cert", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "redirect", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "..", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	{ P "%69nit", ERRMAP_NOT_FOUND, 0, NULL, 0, 0, -1 },
	/* extra and empty segments */
	{ P "init/", ERRMAP_EXTRA_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "init/x", ERRMAP_EXTRA_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "/init", ERRMAP_EMPTY_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "keyprov/", ERRMAP_EMPTY_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "keyprov//D6B4323200000000", ERRMAP_EMPTY_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a@example.org/", ERRMAP_EMPTY_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a@example.org/D6B4323200000000/x", ERRMAP_EXTRA_SEGMENT, 0,
	    NULL, 0, 0, -1 },
	{ P "keyprov/sip:a@example.org/D6B4323200000000/", ERRMAP_EXTRA_SEGMENT, 0,
	    NULL, 0, 0, -1 },
	{ P "certcache/", ERRMAP_EMPTY_SEGMENT, 0, NULL, 0, 0, -1 },
	{ P "certcache/1/2", ERRMAP_EXTRA_SEGMENT, 0, NULL, 0, 0, -1 },
	/* bad percent-encoding */
	{ P "keyprov/sip%3", ERRMAP_BAD_ESCAPE, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip%", ERRMAP_BAD_ESCAPE, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip%zz", ERRMAP_BAD_ESCAPE, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip%3g", ERRMAP_BAD_ESCAPE, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%00@example.org", ERRMAP_ENCODED_NUL, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%2F@example.org", ERRMAP_ENCODED_SLASH, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%2f..%2f@example.org", ERRMAP_ENCODED_SLASH, 0, NULL, 0, 0, -1 },
	/* identities uri_check refuses */
	{ P "keyprov/alice", ERRMAP_OK, ROUTE_KEYPROV, "alice", 0, 0, -1 },
	{ P "keyprov/sip:a%20b@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%0d%0aX:y@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%ff@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%C0%AF@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%ED%A0%80@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	/* U+FFFE and U+FFFF are UTF-8 but no XML could carry the identity */
	{ P "keyprov/sip:a%EF%BF%BE@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%EF%BF%BF@example.org", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a%EF%BF%BD@example.org", ERRMAP_OK, ROUTE_KEYPROV,
	    "sip:a\xef\xbf\xbd@example.org", 0, 0, -1 },
	{ P "keyprov/ftp:x", ERRMAP_BAD_URI, 0, NULL, 0, 0, -1 },
	/* characters that are never in a path */
	{ P "keyprov/sip:a b@example.org", ERRMAP_PATH_CHARS, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a\"@example.org", ERRMAP_PATH_CHARS, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a<b>@example.org", ERRMAP_PATH_CHARS, 0, NULL, 0, 0, -1 },
	{ P "init\r\nX-Injected: 1", ERRMAP_PATH_CHARS, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:\xc3\xa9@example.org", ERRMAP_PATH_CHARS, 0, NULL, 0, 0, -1 },
	/* times */
	{ P "keyprov/sip:a@example.org/D6B43232", ERRMAP_TIME_LENGTH, 0, NULL, 0, 0, -1 },
	{ P "keyprov/sip:a@example.org/D6B43232000000000", ERRMAP_TIME_LENGTH, 0, NULL,
	    0, 0, -1 },
	{ P "keyprov/sip:a@example.org/D6B432320000000G", ERRMAP_TIME_HEX, 0, NULL, 0, 0,
	    -1 },
	{ P "keyprov/sip:a@example.org/-6B4323200000000", ERRMAP_TIME_HEX, 0, NULL, 0, 0,
	    -1 },
	{ P "keyprov/sip:a@example.org/%446B432320000000", ERRMAP_TIME_LENGTH, 0, NULL, 0,
	    0, -1 },
	{ P "keyprov/sip:a@example.org/0xB4323200000000", ERRMAP_TIME_HEX, 0, NULL, 0, 0,
	    -1 },
	/* CacheNum */
	{ P "certcache/-1", ERRMAP_CACHENUM, 0, NULL, 0, 0, -1 },
	{ P "certcache/+1", ERRMAP_CACHENUM, 0, NULL, 0, 0, -1 },
	{ P "certcache/01", ERRMAP_CACHENUM, 0, NULL, 0, 0, -1 },
	{ P "certcache/1a", ERRMAP_CACHENUM, 0, NULL, 0, 0, -1 },
	{ P "certcache/0x10", ERRMAP_CACHENUM, 0, NULL, 0, 0, -1 },
	{ P "certcache/18446744073709551616", ERRMAP_CACHENUM_RANGE, 0, NULL, 0, 0, -1 },
	{ P "certcache/99999999999999999999999", ERRMAP_CACHENUM_RANGE, 0, NULL, 0, 0,
	    -1 },
};

START_TEST(route_table)
{
	const struct route_case *c = &route_cases[_i];
	struct route rt;
	enum errmap_id got;

	got = route_parse(c->path, &rt);
	ck_assert_msg(got == c->want, "%s: got %d, want %d", c->path, got, c->want);
	if (c->want != ERRMAP_OK)
		return;
	ck_assert_int_eq(rt.ep, c->ep);
	ck_assert_int_eq(rt.has_uri, c->uri != NULL);
	if (c->uri != NULL) {
		ck_assert_str_eq(rt.uri, c->uri);
		ck_assert_uint_eq(rt.uri_len, strlen(c->uri));
	}
	ck_assert_int_eq(rt.has_time, c->has_time);
	if (c->has_time)
		ck_assert_uint_eq(rt.ntp_time, c->time);
	ck_assert_int_eq(rt.has_cachenum, c->cachenum != -1);
	if (c->cachenum >= 0)
		ck_assert_uint_eq(rt.cachenum, (uint64_t)c->cachenum);
	if (c->cachenum == -2)
		ck_assert_uint_eq(rt.cachenum, UINT64_MAX);
}
END_TEST

/* The longest identity is URI_MAX octets, raw or encoded; one more is refused. */
START_TEST(route_uri_length)
{
	static char path[4 * URI_MAX + 64];
	struct route rt;
	size_t n;

	n = (size_t)snprintf(path, sizeof(path), "%skeyprov/sip:", ROUTE_PREFIX);
	memset(path + n, 'a', URI_MAX - 4 - 12);
	n += URI_MAX - 4 - 12;
	memcpy(path + n, "@example.org", 13);
	ck_assert_int_eq(route_parse(path, &rt), ERRMAP_OK);
	ck_assert_uint_eq(rt.uri_len, URI_MAX);
	memmove(path + n + 1, path + n, 13);
	path[n] = 'a';
	ck_assert_int_eq(route_parse(path, &rt), ERRMAP_URI_TOO_LONG);
	n = (size_t)snprintf(path, sizeof(path), "%skeyprov/sip:", ROUTE_PREFIX);
	while (n + 3 < sizeof(path) - 16) {
		memcpy(path + n, "%61", 3);
		n += 3;
	}
	memcpy(path + n, "@example.org", 13);
	ck_assert_int_eq(route_parse(path, &rt), ERRMAP_URI_TOO_LONG);
}
END_TEST

/* A parse that fails leaves no half-filled route to act on. */
START_TEST(route_cleared)
{
	struct route rt;

	memset(&rt, 0x5a, sizeof(rt));
	ck_assert_int_eq(route_parse(P "nothing", &rt), ERRMAP_NOT_FOUND);
	ck_assert_int_eq(rt.has_uri, 0);
	ck_assert_int_eq(rt.has_time, 0);
	ck_assert_int_eq(route_parse(NULL, &rt), ERRMAP_NOT_FOUND);
}
END_TEST

START_TEST(errmap_rows)
{
	enum errmap_id a, b;

	for (a = ERRMAP_OK + 1; a < ERRMAP_COUNT; a++) {
		const struct errmap_entry *e = errmap_get(a);

		ck_assert_msg(e->msg != NULL && e->msg[0] != '\0', "row %d empty", a);
		ck_assert_int_ge(e->status, 400);
		ck_assert_int_le(e->status, 599);
		ck_assert_int_eq(e->code / 100, e->status);
		for (b = a + 1; b < ERRMAP_COUNT; b++)
			ck_assert_int_ne(e->code, errmap_get(b)->code);
	}
	ck_assert_int_eq(errmap_get(ERRMAP_COUNT)->status, 500);
	ck_assert_int_eq(errmap_get(ERRMAP_METHOD)->status, 405);
	ck_assert_int_eq(errmap_get(ERRMAP_TOKEN_MISSING)->status, 401);
	ck_assert_int_eq(errmap_get(ERRMAP_OTHER_IDENTITY)->status, 403);
	ck_assert_int_eq(errmap_get(ERRMAP_REVOKED)->status, 403);
	ck_assert_int_eq(errmap_get(ERRMAP_OUTSIDE_WINDOW)->status, 403);
	ck_assert_int_eq(errmap_get(ERRMAP_CERT_VALIDITY)->status, 403);
	ck_assert_int_eq(errmap_get(ERRMAP_BODY_TOO_LARGE)->status, 413);
	ck_assert_int_eq(errmap_get(ERRMAP_CONTENT_TYPE)->status, 415);
	ck_assert_int_eq(errmap_get(ERRMAP_AUDIT)->status, 503);
	ck_assert_int_eq(errmap_get(ERRMAP_OVERLOADED)->status, 503);
	ck_assert_int_eq(errmap_get(ERRMAP_RATE_LIMITED)->status, 429);
	ck_assert_int_eq(errmap_get(ERRMAP_REQUEST_TIMEOUT)->status, 408);
}
END_TEST

/* RFC 6750 3: the challenge, and nothing a caller can inject into it. */
START_TEST(errmap_challenge)
{
	const char *hv[6];
	const char *const *h;
	char buf[256];

	h = errmap_headers(ERRMAP_TOKEN_MISSING, NULL, hv, buf, sizeof(buf));
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h[0], "WWW-Authenticate");
	ck_assert_str_eq(h[1], "Bearer realm=\"skms\"");
	ck_assert_ptr_null(h[2]);
	/* One description whatever failed: the reason is for the log only. */
	h = errmap_headers(ERRMAP_TOKEN_INVALID, "token expired", hv, buf, sizeof(buf));
	ck_assert_str_eq(h[1], "Bearer realm=\"skms\", error=\"invalid_token\", "
	    "error_description=\"access token refused\"");
	h = errmap_headers(ERRMAP_METHOD, NULL, hv, buf, sizeof(buf));
	ck_assert_str_eq(h[0], "Allow");
	ck_assert_str_eq(h[1], "POST");
	/* RFC 9110 10.2.3: Retry-After is delay-seconds, nothing else. */
	h = errmap_headers(ERRMAP_RATE_LIMITED, "600", hv, buf, sizeof(buf));
	ck_assert_str_eq(h[0], "Retry-After");
	ck_assert_str_eq(h[1], "600");
	ck_assert_ptr_null(h[2]);
	h = errmap_headers(ERRMAP_RATE_LIMITED, "1\r\nX: y", hv, buf, sizeof(buf));
	ck_assert_str_eq(h[1], "1");
	h = errmap_headers(ERRMAP_RATE_LIMITED, NULL, hv, buf, sizeof(buf));
	ck_assert_str_eq(h[1], "1");
	ck_assert_ptr_null(errmap_headers(ERRMAP_REVOKED, NULL, hv, buf, sizeof(buf)));
	ck_assert_ptr_null(errmap_headers(ERRMAP_BAD_URI, NULL, hv, buf, sizeof(buf)));
}
END_TEST

static Suite *
route_suite(void)
{
	Suite *s = suite_create("route");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, route_table, 0,
	    (int)(sizeof(route_cases) / sizeof(route_cases[0])));
	tcase_add_test(tc, route_uri_length);
	tcase_add_test(tc, route_cleared);
	tcase_add_test(tc, errmap_rows);
	tcase_add_test(tc, errmap_challenge);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(route_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
