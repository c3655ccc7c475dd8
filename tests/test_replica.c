/* SPDX-License-Identifier: ISC */
/*
 * src/server/replica: which records a cluster node takes from the
 * database. The following itself runs against a real PostgreSQL server
 * in tests/skmsd_cluster.sh.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "server/replica.h"
#include "store/store.h"

/* The shared records are taken; the node's own (audit, counters, marks) never. */
START_TEST(replicated_classes)
{
	static const struct {
		uint8_t key[3];
		size_t len;
		int want;
	} cases[] = {
		{ { STORE_C_DOMAIN }, 1, 1 },
		{ { STORE_C_SECRETS, 0, 1 }, 3, 1 },
		{ { STORE_C_GENERATION, 0, 0 }, 3, 1 },
		{ { STORE_C_IDENTITY, 's', 'i' }, 3, 1 },
		{ { STORE_C_PERIOD, 0, 2 }, 3, 1 },
		{ { STORE_C_CERT, 'c' }, 2, 1 },
		{ { STORE_C_META, STORE_META_CACHENUM }, 2, 1 },
		{ { STORE_C_META, STORE_META_GENERATION_SERIAL }, 2, 1 },
		{ { STORE_C_AUDIT, 0, 1 }, 3, 0 },
		{ { STORE_C_META, STORE_META_SCHEMA }, 2, 0 },
		{ { STORE_C_META, STORE_META_AUDIT_SEQ }, 2, 0 },
		{ { STORE_C_META, STORE_META_AUDIT_JOURNAL }, 2, 0 },
		{ { STORE_C_META, STORE_META_REPLICA }, 2, 0 },
		{ { STORE_C_META, STORE_META_CACHENUM, 0 }, 3, 0 },
		{ { STORE_C_META }, 1, 0 },
		{ { 0 }, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(replica_replicated(cases[i].key, cases[i].len) == cases[i].want,
		    "case %zu", i);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("replica");
	TCase *tc = tcase_create("classes");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, replicated_classes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
