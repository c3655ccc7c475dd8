/* SPDX-License-Identifier: ISC */
/*
 * The GMS service's request paths and wait parameter as tables: every
 * endpoint, percent-decoding, and each refusal.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "gms/gmsd_route.h"

START_TEST(paths)
{
	static const struct {
		const char *path;
		int rc;
		enum gmsd_ep ep;
		const char *user, *group, *id;
	} t[] = {
		{ "/gm/v1/members/sip:a@x.org/notifications", 0, GMSD_NOTIFICATIONS,
		    "sip:a@x.org", "", "" },
		{ "/gm/v1/members/sip%3Aa%40x.org/notifications", 0, GMSD_NOTIFICATIONS,
		    "sip:a@x.org", "", "" },
		{ "/gm/v1/members/sip:a@x/notifications/17/response", 0, GMSD_RESPONSE,
		    "sip:a@x", "", "17" },
		{ "/gm/v1/members/sip:a@x/notifications/a_B-9/response", 0, GMSD_RESPONSE,
		    "sip:a@x", "", "a_B-9" },
		{ "/gm/v1/members/sip:a@x/groups", 0, GMSD_GROUPS, "sip:a@x", "", "" },
		{ "/gm/v1/members/sip:a@x/groups/g%2F1/subscription", 0, GMSD_SUBSCRIPTION,
		    "sip:a@x", "g/1", "" },
		{ "/gm/v1/members/sip:a@x/notifications/1.2/response", SKM_EINVAL, 0, NULL,
		    NULL, NULL },
		{ "/gm/v1/members/sip:a@x/notifications//response", SKM_EINVAL, 0, NULL, NULL,
		    NULL },
		{ "/gm/v1/members/sip%20a/notifications", SKM_EINVAL, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip%0a/notifications", SKM_EINVAL, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip%zz/notifications", SKM_EINVAL, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip%4/notifications", SKM_EINVAL, 0, NULL, NULL, NULL },
		{ "/gm/v1/members//notifications", SKM_EINVAL, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip:a@x/groups//subscription", SKM_EINVAL, 0, NULL, NULL,
		    NULL },
		{ "/gm/v1/members/sip:a@x", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip:a@x/", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip:a@x/notifications/", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/sip:a@x/other", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v1/groups", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v2/members/sip:a@x/groups", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
		{ "/gm/v1/members/a/b/c/d/e/f/g", SKM_ENOTFOUND, 0, NULL, NULL, NULL },
	};
	struct gmsd_route rt;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(gmsd_route_parse(t[i].path, &rt, &why) == t[i].rc, "%s",
		    t[i].path);
		if (t[i].rc != 0)
			continue;
		ck_assert_int_eq(rt.ep, t[i].ep);
		ck_assert_str_eq(rt.user, t[i].user);
		ck_assert_str_eq(rt.group, t[i].group);
		ck_assert_str_eq(rt.id, t[i].id);
	}
}
END_TEST

START_TEST(long_segments)
{
	char path[1200], id[70];
	struct gmsd_route rt;
	const char *why;

	memset(id, 'a', 64);
	id[64] = '\0';
	snprintf(path, sizeof(path), "/gm/v1/members/u/notifications/%s/response", id);
	ck_assert_int_eq(gmsd_route_parse(path, &rt, &why), 0);
	snprintf(path, sizeof(path), "/gm/v1/members/u/notifications/%sa/response", id);
	ck_assert_int_eq(gmsd_route_parse(path, &rt, &why), SKM_EINVAL);
	ck_assert_str_eq(why, "bad delivery ID");
	memset(path, 0, sizeof(path));
	strcpy(path, "/gm/v1/members/");
	memset(path + strlen(path), 'u', GSTORE_URI_MAX);
	strcat(path, "/groups");
	ck_assert_int_eq(gmsd_route_parse(path, &rt, &why), 0);
	ck_assert_uint_eq(strlen(rt.user), GSTORE_URI_MAX);
	strcpy(path, "/gm/v1/members/");
	memset(path + strlen(path), 'u', GSTORE_URI_MAX + 1);
	strcat(path, "/groups");
	ck_assert_int_eq(gmsd_route_parse(path, &rt, &why), SKM_EINVAL);
	ck_assert_str_eq(why, "path segment too long");
}
END_TEST

START_TEST(wait)
{
	static const struct { const char *uri; int rc; unsigned want; } t[] = {
		{ "/p", 0, GMSD_WAIT_DEFAULT }, { "/p?", 0, GMSD_WAIT_DEFAULT },
		{ "/p?wait=0", 0, 0 }, { "/p?wait=60", 0, 60 }, { "/p?x=1&wait=7", 0, 7 },
		{ "/p?wait=7&x=1", 0, 7 }, { "/p?waits=9", 0, GMSD_WAIT_DEFAULT },
		{ "/p?wait=61", SKM_EINVAL, 0 }, { "/p?wait=", SKM_EINVAL, 0 },
		{ "/p?wait=-1", SKM_EINVAL, 0 }, { "/p?wait=100", SKM_EINVAL, 0 },
		{ "/p?wait=1s", SKM_EINVAL, 0 },
	};
	unsigned w;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(gmsd_route_wait(t[i].uri, &w) == t[i].rc, "%s", t[i].uri);
		if (t[i].rc == 0)
			ck_assert_uint_eq(w, t[i].want);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("gmsd_route");
	TCase *tc = tcase_create("gmsd_route");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, paths);
	tcase_add_test(tc, long_segments);
	tcase_add_test(tc, wait);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
