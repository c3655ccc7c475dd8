/* SPDX-License-Identifier: ISC */
/*
 * Connections by source (server/peers.c): the limit refuses one more and
 * counts nothing for it, a drop gives the slot back and forgets a source
 * with none open, IPv6 counts per /64 and IPv4-mapped as IPv4, other
 * families have no source, and the table grows past its first size.
 */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "common/err.h"
#include "server/peers.h"

static struct peers_key
key4(const char *addr)
{
	struct sockaddr_in s4;
	struct peers_key k;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, addr, &s4.sin_addr), 1);
	ck_assert_int_eq(peers_key((struct sockaddr *)&s4, &k), 0);
	return k;
}

static struct peers_key
key6(const char *addr)
{
	struct sockaddr_in6 s6;
	struct peers_key k;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &s6.sin6_addr), 1);
	ck_assert_int_eq(peers_key((struct sockaddr *)&s6, &k), 0);
	return k;
}

START_TEST(peers_limit_and_drop)
{
	struct peers *p;
	struct peers_key a = key4("192.0.2.1"), b = key4("192.0.2.2");

	ck_assert_int_eq(peers_new(16, &p), 0);
	ck_assert_int_eq(peers_take(p, &a, 2), 0);
	ck_assert_int_eq(peers_take(p, &a, 2), 0);
	ck_assert_int_eq(peers_take(p, &a, 2), SKM_EBUSY);
	ck_assert_uint_eq(peers_count(p, &a), 2);
	/* Another source is not held back. */
	ck_assert_int_eq(peers_take(p, &b, 2), 0);
	ck_assert_uint_eq(peers_sources(p), 2);
	peers_drop(p, &a);
	ck_assert_uint_eq(peers_count(p, &a), 1);
	ck_assert_int_eq(peers_take(p, &a, 2), 0);
	/* A limit raised at reload applies to the next connection. */
	ck_assert_int_eq(peers_take(p, &a, 3), 0);
	ck_assert_uint_eq(peers_count(p, &a), 3);
	peers_drop(p, &a);
	peers_drop(p, &a);
	peers_drop(p, &a);
	peers_drop(p, &b);
	ck_assert_uint_eq(peers_count(p, &a), 0);
	ck_assert_uint_eq(peers_sources(p), 0);
	/* 0: no limit. */
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(peers_take(p, &a, 0), 0);
	ck_assert_uint_eq(peers_count(p, &a), 1000);
	peers_free(p);
}
END_TEST

START_TEST(peers_sources_by_family)
{
	struct peers *p;
	struct peers_key h1 = key6("2001:db8:1:2::10"), h2 = key6("2001:db8:1:2:aaaa::1");
	struct peers_key other = key6("2001:db8:1:3::10");
	struct peers_key mapped = key6("::ffff:192.0.2.7"), v4 = key4("192.0.2.7");
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "x" };
	struct peers_key k;

	ck_assert_int_eq(peers_new(4, &p), 0);
	/* One /64: one source. */
	ck_assert_int_eq(peers_take(p, &h1, 1), 0);
	ck_assert_int_eq(peers_take(p, &h2, 1), SKM_EBUSY);
	ck_assert_int_eq(peers_take(p, &other, 1), 0);
	/* An IPv4-mapped address is its IPv4 address. */
	ck_assert_int_eq(peers_take(p, &v4, 1), 0);
	ck_assert_int_eq(peers_take(p, &mapped, 1), SKM_EBUSY);
	/* Loopback is a source like any other. */
	k = key4("127.0.0.1");
	ck_assert_int_eq(peers_take(p, &k, 1), 0);
	ck_assert_int_eq(peers_take(p, &k, 1), SKM_EBUSY);
	ck_assert_int_eq(peers_key((struct sockaddr *)&un, &k), SKM_EINVAL);
	peers_free(p);
}
END_TEST

START_TEST(peers_grow)
{
	struct peers *p;
	struct peers_key k;
	char addr[32];
	int i;

	ck_assert_int_eq(peers_new(1, &p), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
		k = key4(addr);
		ck_assert_int_eq(peers_take(p, &k, 1), 0);
	}
	ck_assert_uint_eq(peers_sources(p), 5000);
	for (i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
		k = key4(addr);
		ck_assert_uint_eq(peers_count(p, &k), 1);
		ck_assert_int_eq(peers_take(p, &k, 1), SKM_EBUSY);
		if (i % 2 == 0)
			peers_drop(p, &k);
	}
	ck_assert_uint_eq(peers_sources(p), 2500);
	peers_free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("peers");
	TCase *tc = tcase_create("peers");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, peers_limit_and_drop);
	tcase_add_test(tc, peers_sources_by_family);
	tcase_add_test(tc, peers_grow);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
