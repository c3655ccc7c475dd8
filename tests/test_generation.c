/* SPDX-License-Identifier: ISC */
/*
 * Generations of master secrets and Root certificates: the state function
 * (table at every boundary, and brute force against a direct definition
 * over small time lines), and the records in a real LMDB: the implicit
 * first generation of a store made before rollovers, adding, the change
 * serial, sealed secrets per generation, deleting.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/domain.h"
#include "store/generation.h"
#include "store/generation_state.h"
#include "store/kek.h"
#include "store/secrets.h"
#include "store/store.h"
#include "store_fixture.h"

#define NX	GENERATION_NEXT
#define CU	GENERATION_CURRENT
#define RT	GENERATION_RETIRED
#define F	GENERATION_FIRST

static const struct state_case {
	int64_t eff[3];
	size_t n, i;
	int64_t now;
	enum generation_state want;
} state_cases[] = {
	/* One generation: current at any time. */
	{ { F }, 1, 0, INT64_MIN, CU },
	{ { F }, 1, 0, 0, CU },
	{ { F }, 1, 0, INT64_MAX, CU },
	/* A rollover at 100: before, at and after it. */
	{ { F, 100 }, 2, 0, 99, CU },
	{ { F, 100 }, 2, 1, 99, NX },
	{ { F, 100 }, 2, 0, 100, RT },
	{ { F, 100 }, 2, 1, 100, CU },
	{ { F, 100 }, 2, 0, 101, RT },
	{ { F, 100 }, 2, 1, 101, CU },
	/* Two rollovers. */
	{ { F, 100, 200 }, 3, 0, 150, RT },
	{ { F, 100, 200 }, 3, 1, 150, CU },
	{ { F, 100, 200 }, 3, 2, 150, NX },
	{ { F, 100, 200 }, 3, 1, 199, CU },
	{ { F, 100, 200 }, 3, 1, 200, RT },
	{ { F, 100, 200 }, 3, 2, 200, CU },
	{ { F, 100, 200 }, 3, 0, 50, CU },
	{ { F, 100, 200 }, 3, 2, 50, NX },
	/* The first one purged: the oldest left is next until it takes effect. */
	{ { 100, 200 }, 2, 0, 99, NX },
	{ { 100, 200 }, 2, 0, 100, CU },
	/* Out of range and unordered lists are never served. */
	{ { F, 100 }, 2, 2, 150, RT },
	{ { 100, 100 }, 2, 0, 150, RT },
	{ { 200, 100 }, 2, 1, 150, RT },
};

START_TEST(state_table)
{
	const struct state_case *c = &state_cases[_i];

	ck_assert_int_eq(generation_state(c->eff, c->n, c->i, c->now), c->want);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(generation_state_name(NX), "next");
	ck_assert_str_eq(generation_state_name(CU), "current");
	ck_assert_str_eq(generation_state_name(RT), "retired");
	ck_assert_str_eq(generation_state_name((enum generation_state)9), "unknown");
}
END_TEST

/*
 * Every ascending list of up to 4 effective times drawn from 0..5 (the
 * first possibly GENERATION_FIRST), every index and every time -1..6:
 * exactly one generation is current once the first has taken effect, the
 * period mapping agrees with the states, and purgeable means retired with
 * no period from oldest on mapping to it.
 */
START_TEST(brute_force)
{
	int64_t eff[4], now, oldest, s;
	unsigned mask, first;
	size_t n, i, k, at;
	int ncur, rc, reach;

	for (first = 0; first <= 1; first++)
		for (mask = 1; mask < 64; mask++) {
			n = 0;
			if (first)
				eff[n++] = F;
			for (k = 0; k < 6 && n < 4; k++)
				if (mask & (1u << k))
					eff[n++] = (int64_t)k;
			for (now = -1; now <= 6; now++) {
				ncur = 0;
				for (i = 0; i < n; i++) {
					enum generation_state want;

					if (now < eff[i])
						want = NX;
					else if (i + 1 < n && now >= eff[i + 1])
						want = RT;
					else
						want = CU;
					ck_assert_int_eq(generation_state(eff, n, i, now),
					    want);
					ncur += want == CU;
				}
				ck_assert_int_eq(ncur, now >= eff[0] ? 1 : 0);
				/* The generation of a period starting at now is the current one. */
				rc = generation_for(eff, n, now, &at);
				if (now < eff[0]) {
					ck_assert_int_eq(rc, SKM_ENOTFOUND);
				} else {
					ck_assert_int_eq(rc, 0);
					ck_assert_int_eq(generation_state(eff, n, at, now), CU);
				}
				for (oldest = -1; oldest <= now; oldest++)
					for (i = 0; i < n; i++) {
						reach = 0;
						for (s = oldest; s <= 6; s++)
							if (generation_for(eff, n, s, &at) == 0 &&
							    at == i)
								reach = 1;
						ck_assert_int_eq(generation_purgeable(eff, n, i,
						    now, oldest), generation_state(eff, n, i,
						    now) == RT && !reach);
					}
			}
		}
}
END_TEST

static void
sample_domain(struct domain_rec *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	strcpy(d->kms_uri, "kms.example.org");
	d->user_key_period = 86400;
	d->user_key_offset = 0;
	d->user_id_format = 2;
	d->parameter_set = 1;
	strcpy(d->cert_uri, "kms.example.org/cert/1");
	d->valid_from = 1700000000;
	d->valid_to = 1800000000;
	for (i = 0; i < DOMAIN_Z_LEN; i++)
		d->z[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < DOMAIN_KPAK_LEN; i++)
		d->kpak[i] = (uint8_t)(i * 13 + 5);
	ck_assert_int_eq(kek_file_ref(&d->kek, fix_path("kek.key")), 0);
}

START_TEST(store_generations)
{
	struct store *st = NULL;
	struct domain_rec *d = calloc(1, sizeof(*d));
	struct generation_rec *g = calloc(GENERATION_MAX + 1, sizeof(*g)), ng;
	struct store_txn t;
	struct kek_ref ref;
	struct kek *kek = NULL;
	char why[512];
	uint8_t s0[32], s1[32], buf[64];
	uint64_t serial;
	size_t n, len, i;

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(kek_file_create(fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ref, fix_path("kek.key")), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &kek, why, sizeof(why)), 0);
	ck_assert_int_eq(store_open(fix_path("gen"), STORE_CREATE, &st), 0);
	memset(s0, 0x11, sizeof(s0));
	memset(s1, 0x22, sizeof(s1));

	/* No domain: no generation. */
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n), SKM_ENOTFOUND);
	store_txn_abort(&t);

	/* A store as made before rollovers: the domain and its one sealed record. */
	sample_domain(d);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_domain_put(&t, d, 0), 0);
	ck_assert_int_eq(store_secrets_put(&t, kek, s0, sizeof(s0)), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(g[0].id, 0);
	ck_assert(g[0].effective == GENERATION_FIRST);
	ck_assert_str_eq(g[0].cert_uri, "kms.example.org/cert/1");
	ck_assert_int_eq(g[0].valid_to, 1800000000);
	ck_assert_mem_eq(g[0].z, d->z, DOMAIN_Z_LEN);
	ck_assert_mem_eq(g[0].kpak, d->kpak, DOMAIN_KPAK_LEN);
	ck_assert_int_eq(store_generation_serial(&t, &serial), 0);
	ck_assert_uint_eq(serial, 0);
	/* Generation 0's secrets are the record every older store has. */
	ck_assert_int_eq(store_secrets_get_gen(&t, 0, kek, buf, sizeof(buf), &len), 0);
	ck_assert_mem_eq(buf, s0, sizeof(s0));
	ck_assert_int_eq(store_secrets_get_gen(&t, 1, kek, buf, sizeof(buf), &len),
	    SKM_ENOTFOUND);
	store_txn_abort(&t);

	/* A rollover: generation 1 from 2000000000. */
	memset(&ng, 0, sizeof(ng));
	ng.id = 1;
	ng.effective = 2000000000;
	ng.created = 1900000000;
	strcpy(ng.cert_uri, "kms.example.org/cert/1.g1");
	ng.valid_from = 2000000000;
	ng.valid_to = 2100000000;
	memset(ng.z, 0x04, sizeof(ng.z));
	memset(ng.kpak, 0x05, sizeof(ng.kpak));
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_generation_add(&t, &ng), 0);
	ck_assert_int_eq(store_secrets_put_gen(&t, 1, kek, s1, sizeof(s1)), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(g[0].id, 0);
	ck_assert(g[0].effective == GENERATION_FIRST);
	ck_assert_str_eq(g[0].cert_uri, "kms.example.org/cert/1");
	ck_assert_mem_eq(g[0].z, d->z, DOMAIN_Z_LEN);
	ck_assert_mem_eq(&g[1], &ng, sizeof(ng));
	ck_assert_int_eq(store_generation_serial(&t, &serial), 0);
	ck_assert_uint_eq(serial, 1);
	ck_assert_int_eq(store_secrets_get_gen(&t, 1, kek, buf, sizeof(buf), &len), 0);
	ck_assert_mem_eq(buf, s1, sizeof(s1));
	ck_assert_int_eq(store_secrets_get_gen(&t, 0, kek, buf, sizeof(buf), &len), 0);
	ck_assert_mem_eq(buf, s0, sizeof(s0));
	/* Too small an array is an error, not a silent cut. */
	ck_assert_int_eq(store_generation_list(&t, g, 1, &n), SKM_ELEN);
	store_txn_abort(&t);

	/* Out of order: an id or an effective time not above the last is refused. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ng.id = 2;
	ng.effective = 2000000000;
	ck_assert_int_eq(store_generation_add(&t, &ng), SKM_EINVAL);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ng.id = 1;
	ng.effective = 2000000100;
	ck_assert_int_eq(store_generation_add(&t, &ng), SKM_EINVAL);
	store_txn_abort(&t);

	/*
	 * Revoking (aborted, to leave the store as the checks below expect):
	 * the flag and an effective time that keeps the list ascending; each
	 * refusal fails the transaction.
	 */
	{
		static const struct {
			uint32_t id;
			int64_t eff;
			int rc;
		} bad[] = {
			{ 5, 2000000000, SKM_ENOTFOUND },
			{ 0, 1000, SKM_EINVAL },		/* generation 0 keeps all time */
			{ 1, GENERATION_FIRST, SKM_EINVAL },	/* not above generation 0 */
		};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
			ck_assert_int_eq(store_generation_revoke(&t, bad[i].id, bad[i].eff),
			    bad[i].rc);
			ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n),
			    bad[i].rc);
			store_txn_abort(&t);
		}
	}
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_generation_revoke(&t, 0, GENERATION_FIRST), 0);
	ck_assert_int_eq(store_generation_revoke(&t, 1, 1999999999), 0);
	ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(g[0].revoked, 1);
	ck_assert(g[0].effective == GENERATION_FIRST);
	ck_assert_int_eq(g[1].revoked, 1);
	ck_assert(g[1].effective == 1999999999);
	ck_assert_str_eq(g[1].cert_uri, "kms.example.org/cert/1.g1");
	ck_assert_mem_eq(g[1].kpak, ng.kpak, sizeof(ng.kpak));
	ck_assert_int_eq(store_generation_serial(&t, &serial), 0);
	ck_assert_uint_eq(serial, 3);
	store_txn_abort(&t);

	/* Up to GENERATION_MAX in all. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 2; i < GENERATION_MAX; i++) {
		ng.id = (uint32_t)i;
		ng.effective = 2000000000 + (int64_t)i;
		ck_assert_int_eq(store_generation_add(&t, &ng), 0);
	}
	ng.id = GENERATION_MAX;
	ng.effective = 2000000000 + GENERATION_MAX;
	ck_assert_int_eq(store_generation_add(&t, &ng), SKM_ELEN);
	store_txn_abort(&t);

	/* Purging generation 0 takes its record and its secrets. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_generation_del(&t, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_generation_list(&t, g, GENERATION_MAX, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(g[0].id, 1);
	ck_assert_int_eq(store_secrets_get_gen(&t, 0, kek, buf, sizeof(buf), &len),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(store_generation_serial(&t, &serial), 0);
	ck_assert_uint_eq(serial, 2);
	store_txn_abort(&t);
	/* Deleting a missing generation is a failure. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_generation_del(&t, 0), SKM_ENOTFOUND);
	store_txn_abort(&t);

	/* A sealed value moved to another generation does not open. */
	{
		const uint8_t k0[] = { STORE_C_SECRETS, 0, 0, 0, 1 };
		const uint8_t k5[] = { STORE_C_SECRETS, 0, 0, 0, 5 };
		const uint8_t *v;
		uint8_t copy[256];
		size_t vlen;

		ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
		ck_assert_int_eq(store_txn_get(&t, k0, sizeof(k0), &v, &vlen), 0);
		ck_assert_uint_le(vlen, sizeof(copy));
		memcpy(copy, v, vlen);
		ck_assert_int_eq(store_txn_put(&t, k5, sizeof(k5), copy, vlen, 0), 0);
		ck_assert_int_eq(store_secrets_get_gen(&t, 5, kek, buf, sizeof(buf),
		    &len), SKM_EVERIFY);
		store_txn_abort(&t);
	}

	kek_free(kek);
	store_close(st);
	free(d);
	free(g);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("generation");
	TCase *tc = tcase_create("state");
	TCase *ts = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, state_table, 0,
	    (int)(sizeof(state_cases) / sizeof(state_cases[0])));
	tcase_add_test(tc, state_names);
	tcase_add_test(tc, brute_force);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(ts, fix_setup, fix_teardown);
	tcase_add_test(ts, store_generations);
	suite_add_tcase(s, ts);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
