/* SPDX-License-Identifier: ISC */
/*
 * The crypto benchmark behind 'make bench': time per operation and ops/s on
 * one core for every libskm operation a KMS or a client runs, and the same
 * figure in units of M, one 1024-bit BN_mod_mul_montgomery of OpenSSL
 * measured in the same run, so that figures compare across machines. Not a
 * test: it asserts only that every operation succeeds. The last lines are
 * whole key sets (RSK + SSK/PVT) in the batch form skmsd's precomputation
 * uses, on one core and then on every online core, one thread each.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/rand.h>

#include "lib/eccsi.h"
#include "lib/cpu.h"
#include "lib/sakke.h"
#include "lib/version.h"

#define BATCH 1000
#define ENC_BATCH 100		/* receivers of one group key */

/* SAKKE parameter set 1 prime (RFC 6509 Appendix A), the modulus for M. */
static const char bench_p_hex[] =
    "997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2E"
    "F40AAB27E2FC0F1B228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0"
    "E26C6487326B4CD4512AC5CD65681CE1B6AFF4A831852A82A7CF3C521C3C09AA"
    "9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87666D807AFEA85FEB";

struct bench_ctx {
	struct sakke_kms *kms;
	const struct sakke_pub *pub;
	struct sakke_user *user;
	struct eccsi_kms *ekms;
	struct eccsi_signer *signer;
	uint8_t kpak[ECCSI_POINT_LEN];
	uint8_t id[32];
	uint8_t rsk[SAKKE_POINT_LEN];
	uint8_t ssk[ECCSI_SCALAR_LEN];
	uint8_t pvt[ECCSI_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN];
	uint8_t sed[SAKKE_SED_LEN];
	uint8_t sig[ECCSI_SIG_LEN];
	uint8_t msg[700];
	uint8_t batch_ids[BATCH][32];
	const uint8_t *batch_ptrs[BATCH];
	size_t batch_lens[BATCH];
	uint8_t (*batch_rsks)[SAKKE_POINT_LEN];
	int batch_status[BATCH];
	uint8_t enc_ssvs[ENC_BATCH][SAKKE_SSV_LEN];
	uint8_t enc_seds[ENC_BATCH][SAKKE_SED_LEN];
};

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bench_check(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "bench-crypto: %s failed (%d)\n", what, rc);
		exit(1);
	}
}

/* Seconds per BN_mod_mul_montgomery on the 1024-bit SAKKE prime. */
static double
bench_unit_m(double min_time)
{
	BN_CTX *ctx = BN_CTX_new();
	BN_MONT_CTX *mont = BN_MONT_CTX_new();
	BIGNUM *p = NULL, *a = BN_new(), *b = BN_new();
	double t0, t;
	long i, n = 0;

	if (ctx == NULL || mont == NULL || a == NULL || b == NULL ||
	    !BN_hex2bn(&p, bench_p_hex) || !BN_MONT_CTX_set(mont, p, ctx) ||
	    !BN_rand_range(a, p) || !BN_rand_range(b, p) ||
	    !BN_to_montgomery(a, a, mont, ctx) || !BN_to_montgomery(b, b, mont, ctx))
		bench_check(-1, "OpenSSL set-up");
	t0 = bench_now();
	do {
		for (i = 0; i < 10000; i++)
			BN_mod_mul_montgomery(a, a, b, mont, ctx);
		n += i;
		t = bench_now() - t0;
	} while (t < min_time);
	BN_free(a);
	BN_free(b);
	BN_free(p);
	BN_MONT_CTX_free(mont);
	BN_CTX_free(ctx);
	return t / (double)n;
}

typedef int (*bench_fn)(struct bench_ctx *c, long i);

static int
op_rsk_derive(struct bench_ctx *c, long i)
{
	uint8_t id[32], rsk[SAKKE_POINT_LEN];

	memcpy(id, c->id, sizeof(id));
	id[0] = (uint8_t)i;
	return sakke_rsk_derive(c->kms, id, sizeof(id), rsk);
}

static int
op_rsk_validate(struct bench_ctx *c, long i)
{
	return sakke_rsk_validate(c->pub, c->id, sizeof(c->id), c->rsk);
}

static int
op_encapsulate(struct bench_ctx *c, long i)
{
	uint8_t ssv[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN];

	memcpy(ssv, c->ssv, sizeof(ssv));
	ssv[0] = (uint8_t)i;
	return sakke_encapsulate(c->pub, c->id, sizeof(c->id), ssv, sed);
}

static int
op_decapsulate(struct bench_ctx *c, long i)
{
	uint8_t out[SAKKE_SSV_LEN];

	return sakke_decapsulate(c->user, c->sed, out);
}

static int
op_user_new(struct bench_ctx *c, long i)
{
	struct sakke_user *u = NULL;
	int rc = sakke_user_new(&u, c->pub, c->id, sizeof(c->id), c->rsk);

	sakke_user_free(u);
	return rc;
}

static int
op_ssk_derive(struct bench_ctx *c, long i)
{
	uint8_t id[32], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];

	memcpy(id, c->id, sizeof(id));
	id[1] = (uint8_t)i;
	return eccsi_ssk_derive(c->ekms, id, sizeof(id), ssk, pvt);
}

static int
op_ssk_validate(struct bench_ctx *c, long i)
{
	return eccsi_ssk_validate(c->kpak, c->id, sizeof(c->id), c->ssk, c->pvt);
}

static int
op_sign(struct bench_ctx *c, long i)
{
	return eccsi_sign(c->signer, c->msg, sizeof(c->msg), c->sig);
}

static int
op_verify(struct bench_ctx *c, long i)
{
	return eccsi_verify(c->kpak, c->id, sizeof(c->id), c->msg, sizeof(c->msg), c->sig);
}

static int
op_rsk_batch(struct bench_ctx *c, long i)
{
	size_t k;
	int rc;

	c->batch_ids[0][0] = (uint8_t)i;
	rc = sakke_rsk_derive_batch(c->kms, BATCH, c->batch_ptrs, c->batch_lens,
	    c->batch_rsks, c->batch_status);
	for (k = 0; rc == 0 && k < BATCH; k++)
		rc = c->batch_status[k];
	return rc;
}

static int
op_encapsulate_batch(struct bench_ctx *c, long i)
{
	size_t k;
	int rc;

	c->enc_ssvs[0][0] = (uint8_t)i;
	rc = sakke_encapsulate_batch(c->pub, ENC_BATCH, c->batch_ptrs, c->batch_lens,
	    (const uint8_t (*)[SAKKE_SSV_LEN])c->enc_ssvs, c->enc_seds,
	    c->batch_status);
	for (k = 0; rc == 0 && k < ENC_BATCH; k++)
		rc = c->batch_status[k];
	return rc;
}

/* Key sets in the batch form of kms_keyset_derive_batch: RSKs, then SSK/PVT. */
static int
keyset_batch(const struct sakke_kms *kms, const struct eccsi_kms *ekms,
    const uint8_t *const ids[], const size_t lens[], uint8_t (*rsks)[SAKKE_POINT_LEN],
    int status[])
{
	uint8_t ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	size_t k;
	int rc;

	rc = sakke_rsk_derive_batch(kms, BATCH, ids, lens, rsks, status);
	for (k = 0; rc == 0 && k < BATCH; k++)
		if ((rc = status[k]) == 0)
			rc = eccsi_ssk_derive(ekms, ids[k], lens[k], ssk, pvt);
	return rc;
}

static int
op_keyset_batch(struct bench_ctx *c, long i)
{
	c->batch_ids[0][0] = (uint8_t)i;
	return keyset_batch(c->kms, c->ekms, c->batch_ptrs, c->batch_lens, c->batch_rsks,
	    c->batch_status);
}

struct bench_thread {
	pthread_t tid;
	const struct bench_ctx *c;
	double min_time;
	long sets;
	int rc;
};

/* One core's share: batches of its own identifiers until min_time has passed. */
static void *
bench_thread_run(void *arg)
{
	struct bench_thread *t = arg;
	static const size_t len = 32;
	uint8_t (*ids)[32], (*rsks)[SAKKE_POINT_LEN];
	const uint8_t *ptrs[BATCH];
	size_t lens[BATCH], k;
	int status[BATCH];
	double t0;

	ids = calloc(BATCH, 32);
	rsks = calloc(BATCH, SAKKE_POINT_LEN);
	if (ids == NULL || rsks == NULL) {
		t->rc = -1;
		goto out;
	}
	for (k = 0; k < BATCH; k++) {
		memcpy(ids[k], t->c->batch_ids[k], 32);
		ids[k][1] = (uint8_t)(uintptr_t)t;
		ptrs[k] = ids[k];
		lens[k] = len;
	}
	t0 = bench_now();
	do {
		ids[0][0] = (uint8_t)t->sets;
		if ((t->rc = keyset_batch(t->c->kms, t->c->ekms, ptrs, lens, rsks, status)) != 0)
			break;
		t->sets += BATCH;
	} while (bench_now() - t0 < t->min_time);
out:
	free(rsks);
	free(ids);
	return NULL;
}

/* Key sets per second with one thread on each online core. */
static void
bench_all_cores(const struct bench_ctx *c, double min_time)
{
	struct bench_thread *th;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), i, sets = 0;
	double t0, t;

	if (ncpu < 1)
		ncpu = 1;
	if ((th = calloc((size_t)ncpu, sizeof(*th))) == NULL)
		bench_check(-1, "allocation");
	t0 = bench_now();
	for (i = 0; i < ncpu; i++) {
		th[i].c = c;
		th[i].min_time = min_time;
		if (pthread_create(&th[i].tid, NULL, bench_thread_run, &th[i]) != 0)
			bench_check(-1, "pthread_create");
	}
	for (i = 0; i < ncpu; i++) {
		pthread_join(th[i].tid, NULL);
		bench_check(th[i].rc, "key set batch (threads)");
		sets += th[i].sets;
	}
	t = bench_now() - t0;
	printf("key sets, all cores (%ld) %10.0f key sets/s\n", ncpu, (double)sets / t);
	free(th);
}

static void
bench_run(struct bench_ctx *c, const char *name, bench_fn fn, long per_call,
    double min_time, double m)
{
	double t0, t, per_op;
	long n = 0;

	t0 = bench_now();
	do {
		bench_check(fn(c, n), name);
		n++;
		t = bench_now() - t0;
	} while (t < min_time || n < 3);
	per_op = t / (double)(n * per_call);
	printf("%-24s %10.1f us %10.0f ops/s %10.0f M\n", name, per_op * 1e6,
	    1.0 / per_op, per_op / m);
	fflush(stdout);
}

static void
bench_setup(struct bench_ctx *c)
{
	size_t k;

	bench_check(RAND_bytes(c->id, sizeof(c->id)) == 1 ? 0 : -1, "random");
	bench_check(RAND_bytes(c->msg, sizeof(c->msg)) == 1 ? 0 : -1, "random");
	bench_check(sakke_kms_generate(&c->kms), "sakke_kms_generate");
	c->pub = sakke_kms_pub(c->kms);
	bench_check(sakke_rsk_derive(c->kms, c->id, sizeof(c->id), c->rsk), "sakke_rsk_derive");
	bench_check(sakke_user_new(&c->user, c->pub, c->id, sizeof(c->id), c->rsk),
	    "sakke_user_new");
	bench_check(sakke_encapsulate(c->pub, c->id, sizeof(c->id), c->ssv, c->sed),
	    "sakke_encapsulate");
	bench_check(eccsi_kms_generate(&c->ekms), "eccsi_kms_generate");
	bench_check(eccsi_kms_kpak(c->ekms, c->kpak), "eccsi_kms_kpak");
	bench_check(eccsi_ssk_derive(c->ekms, c->id, sizeof(c->id), c->ssk, c->pvt),
	    "eccsi_ssk_derive");
	bench_check(eccsi_signer_new(&c->signer, c->kpak, c->id, sizeof(c->id), c->ssk,
	    c->pvt), "eccsi_signer_new");
	bench_check(eccsi_sign(c->signer, c->msg, sizeof(c->msg), c->sig), "eccsi_sign");
	bench_check(RAND_bytes(&c->enc_ssvs[0][0], sizeof(c->enc_ssvs)) == 1 ? 0 : -1,
	    "random");
	c->batch_rsks = calloc(BATCH, SAKKE_POINT_LEN);
	bench_check(c->batch_rsks == NULL ? -1 : 0, "allocation");
	for (k = 0; k < BATCH; k++) {
		bench_check(RAND_bytes(c->batch_ids[k], 32) == 1 ? 0 : -1, "random");
		c->batch_ptrs[k] = c->batch_ids[k];
		c->batch_lens[k] = 32;
	}
}

static void
bench_teardown(struct bench_ctx *c)
{
	sakke_user_free(c->user);
	sakke_kms_free(c->kms);
	eccsi_signer_free(c->signer);
	eccsi_kms_free(c->ekms);
	free(c->batch_rsks);
}

int
main(int argc, char *argv[])
{
	static struct bench_ctx c;
	double min_time = 1.0, m;
	int i, f;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			min_time = 0.05;
		else if (strcmp(argv[i], "--version") == 0) {
			printf("bench-crypto %s\n", skm_version());
			return 0;
		} else if (strcmp(argv[i], "--arith") == 0 && i + 1 < argc) {
			/* Compare the arithmetic levels on one machine. */
			f = cpu_level_parse(argv[i + 1]);
			if (f < 0 || cpu_level_set((enum cpu_level)f) != 0) {
				fprintf(stderr, "bench-crypto: %s: unknown, or "
				    "not on this CPU\n", argv[i + 1]);
				return 2;
			}
			i++;
		} else {
			fprintf(stderr, "usage: bench-crypto [--quick] "
			    "[--arith portable | bmi2-adx | avx512ifma] | "
			    "--version\n");
			return 2;
		}
	}
	bench_setup(&c);
	m = bench_unit_m(min_time);
	printf("M = one 1024-bit BN_mod_mul_montgomery (OpenSSL %s): %.1f ns\n",
	    OPENSSL_VERSION_STR, m * 1e9);
	printf("arithmetic: %s\n\n", cpu_level_name(cpu_level()));
	printf("%-24s %13s %16s %12s\n", "operation", "time/op", "rate", "cost");
	bench_run(&c, "sakke rsk derive", op_rsk_derive, 1, min_time, m);
	bench_run(&c, "sakke rsk derive batch", op_rsk_batch, BATCH, min_time, m);
	bench_run(&c, "sakke rsk validate", op_rsk_validate, 1, min_time, m);
	bench_run(&c, "sakke encapsulate", op_encapsulate, 1, min_time, m);
	bench_run(&c, "sakke encapsulate batch", op_encapsulate_batch, ENC_BATCH,
	    min_time, m);
	bench_run(&c, "sakke user precompute", op_user_new, 1, min_time, m);
	bench_run(&c, "sakke decapsulate", op_decapsulate, 1, min_time, m);
	bench_run(&c, "eccsi ssk/pvt derive", op_ssk_derive, 1, min_time, m);
	bench_run(&c, "eccsi ssk validate", op_ssk_validate, 1, min_time, m);
	bench_run(&c, "eccsi sign", op_sign, 1, min_time, m);
	bench_run(&c, "eccsi verify", op_verify, 1, min_time, m);
	bench_run(&c, "key set batch", op_keyset_batch, BATCH, min_time, m);
	bench_all_cores(&c, min_time < 1.0 ? 0.2 : 2.0);
	bench_teardown(&c);
	return 0;
}
