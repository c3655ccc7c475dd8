/* SPDX-License-Identifier: ISC */
/*
 * The generations of an open domain: loading and unsealing them, picking
 * the one of a key period or of a time, and picking up those another
 * process added while this one runs. Generations are only ever appended,
 * so readers take the count with an acquire load and read the entries
 * below it without a lock; the one appender at a time holds the mutex. A
 * generation purged from the store stays loaded until the process ends:
 * it serves no period of the window by the time it may be purged.
 *
 * An emergency rollover (kms_rollover() with revoke_current) changes what
 * was published: the generation it revokes gets its flag and perhaps an
 * earlier effective time, and a scheduled generation it replaced is gone
 * from the store. Those changes are made with atomic stores before the new
 * generation is appended, in an order that keeps the effective times
 * ascending at every step, and a replaced one is marked withdrawn, which
 * every lookup skips: so a reader sees the list before or after, never an
 * unordered one.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"
#include "store/kek.h"
#include "store/secrets.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

struct kms_gens {
	pthread_mutex_t mu;		/* one appender */
	struct kms_gen gen[GENERATION_MAX];
	atomic_size_t n;		/* published entries */
	atomic_uint_fast64_t serial;	/* the store's serial last loaded */
	struct kek *kek;		/* SECRET; NULL when public or set aside */
	int secrets;			/* opened with the master secrets */
};

static int
kms_gen_unseal(struct store_txn *t, const struct kek *kek, struct kms_gen *g,
    char *why, size_t whylen)
{
	uint8_t plain[KMS_SECRETS_LEN], kpak[ECCSI_POINT_LEN], z[SAKKE_POINT_LEN];
	size_t len = 0;
	int rc;

	rc = store_secrets_get_gen(t, g->rec.id, kek, plain, sizeof(plain), &len);
	if (rc != 0) {
		snprintf(why, whylen, rc == SKM_EVERIFY ? "master secrets of generation "
		    "%u do not unseal: wrong key-encryption key or damaged store" :
		    "master secrets of generation %u: %s", (unsigned)g->rec.id,
		    skm_strerror(rc));
		goto out;
	}
	if (len != KMS_SECRETS_LEN) {
		snprintf(why, whylen, "master secrets of generation %u have %zu octets, "
		    "not %d", (unsigned)g->rec.id, len, KMS_SECRETS_LEN);
		rc = SKM_ESTORE;
		goto out;
	}
	if ((rc = eccsi_kms_load(&g->eccsi, plain, plain + ECCSI_SCALAR_LEN)) != 0 ||
	    (rc = sakke_kms_load(&g->sakke, plain + ECCSI_SCALAR_LEN + ECCSI_PRF_KEY_LEN,
	    SAKKE_FE_LEN)) != 0) {
		snprintf(why, whylen, "master secrets of generation %u: %s",
		    (unsigned)g->rec.id, skm_strerror(rc));
		goto out;
	}
	/* The unsealed secrets must reproduce the published keys. */
	if ((rc = eccsi_kms_kpak(g->eccsi, kpak)) != 0 ||
	    (rc = sakke_pub_export(sakke_kms_pub(g->sakke), z)) != 0)
		goto out;
	if (memcmp(kpak, g->rec.kpak, sizeof(kpak)) != 0 ||
	    memcmp(z, g->rec.z, sizeof(z)) != 0) {
		snprintf(why, whylen, "master secrets of generation %u do not match "
		    "its public keys", (unsigned)g->rec.id);
		rc = SKM_EVERIFY;
	}
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc != 0) {
		sakke_kms_free(g->sakke);
		eccsi_kms_free(g->eccsi);
		g->sakke = NULL;
		g->eccsi = NULL;
	}
	return rc;
}

/*
 * Takes up what an emergency rollover changed in loaded generations (list:
 * the store's n): revocations and effective times first, then withdraws a
 * loaded one the store no longer has that a later one now precedes. The
 * caller holds mu and appends the new generations afterwards.
 */
static void
kms_gens_update(struct kms_gens *gs, const struct generation_rec *list, size_t n)
{
	size_t have = atomic_load(&gs->n), i, j;

	for (i = 0; i < have; i++) {
		struct kms_gen *g = &gs->gen[i];

		for (j = 0; j < n && list[j].id != g->rec.id; j++)
			;
		if (j == n)
			continue;
		if (list[j].effective < g->rec.effective)
			__atomic_store_n(&g->rec.effective, list[j].effective,
			    __ATOMIC_RELEASE);
		if (list[j].revoked && !kms_gen_revoked(g))
			__atomic_store_n(&g->rec.revoked, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < have; i++) {
		struct kms_gen *g = &gs->gen[i];
		int gone = 1;

		for (j = 0; j < n; j++)
			if (list[j].id == g->rec.id)
				gone = 0;
		for (j = 0; gone && j < n; j++)
			if (list[j].id > g->rec.id && list[j].effective <= g->rec.effective)
				__atomic_store_n(&g->withdrawn, 1, __ATOMIC_RELEASE);
	}
}

/*
 * kms_gens_update() alone, for a domain that cannot load new generations
 * yet (its key set aside): a revoked generation stops serving at once,
 * and with no successor loaded its periods are refused. The serial stays,
 * so the new generations are loaded once the key is back.
 */
static void
kms_gens_revocations(struct kms_gens *gs, struct store_txn *t)
{
	struct generation_rec *list;
	size_t n;

	if ((list = calloc(GENERATION_MAX, sizeof(*list))) == NULL)
		return;
	if (store_generation_list(t, list, GENERATION_MAX, &n) == 0)
		kms_gens_update(gs, list, n);
	free(list);
}

/* Appends the generations of t newer than the loaded ones; the caller holds mu. */
static int
kms_gens_load(struct kms_gens *gs, struct store_txn *t, size_t *added, char *why,
    size_t whylen)
{
	struct generation_rec *list;
	size_t n, have = atomic_load(&gs->n), i;
	uint64_t serial;
	int rc;

	*added = 0;
	if ((list = calloc(GENERATION_MAX, sizeof(*list))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_generation_serial(t, &serial)) != 0 ||
	    (rc = store_generation_list(t, list, GENERATION_MAX, &n)) != 0) {
		snprintf(why, whylen, "generations: %s", skm_strerror(rc));
		goto out;
	}
	kms_gens_update(gs, list, n);
	for (i = 0; i < n && rc == 0; i++) {
		struct kms_gen *g;

		if (have > 0 && list[i].id <= gs->gen[have - 1].rec.id)
			continue;
		if (have == GENERATION_MAX) {
			snprintf(why, whylen, "more than %d generations", GENERATION_MAX);
			rc = SKM_ELEN;
			break;
		}
		g = &gs->gen[have];
		memset(g, 0, sizeof(*g));
		g->rec = list[i];
		if (gs->kek != NULL &&
		    (rc = kms_gen_unseal(t, gs->kek, g, why, whylen)) != 0)
			break;
		have++;
		(*added)++;
		/* Entries below the count are complete before it is published. */
		atomic_store_explicit(&gs->n, have, memory_order_release);
	}
	/* A generation that did not load is not retried until the store changes. */
	atomic_store(&gs->serial, serial);
out:
	free(list);
	return rc;
}

int
kms_gens_open(struct kms *k, struct store_txn *t, struct kek *kek, char *why,
    size_t whylen)
{
	struct kms_gens *gs;
	size_t added;
	int rc;

	if ((gs = OPENSSL_zalloc(sizeof(*gs))) == NULL) {
		kek_free(kek);
		return SKM_ENOMEM;
	}
	if (pthread_mutex_init(&gs->mu, NULL) != 0) {
		OPENSSL_free(gs);
		kek_free(kek);
		return SKM_ENOMEM;
	}
	gs->kek = kek;
	gs->secrets = kek != NULL;
	k->gens = gs;
	rc = kms_gens_load(gs, t, &added, why, whylen);
	if (rc == 0 && added == 0) {
		snprintf(why, whylen, "no generation of master secrets");
		rc = SKM_ESTORE;
	}
	return rc;
}

void
kms_gens_free(struct kms *k)
{
	struct kms_gens *gs = k->gens;
	size_t i;

	if (gs == NULL)
		return;
	for (i = 0; i < atomic_load(&gs->n); i++) {
		sakke_kms_free(gs->gen[i].sakke);
		eccsi_kms_free(gs->gen[i].eccsi);
	}
	kek_free(gs->kek);
	pthread_mutex_destroy(&gs->mu);
	OPENSSL_free(gs);
	k->gens = NULL;
}

void
kms_kek_adopt(const struct kms *k, struct kek *kek)
{
	struct kms_gens *gs = k->gens;
	struct kek *old;

	pthread_mutex_lock(&gs->mu);
	old = gs->kek;
	gs->kek = kek;
	pthread_mutex_unlock(&gs->mu);
	kek_free(old);
}

const struct kek *
kms_gens_kek(const struct kms *k)
{
	return k->gens->kek;
}

int
kms_gens_with_kek(const struct kms *k, int (*fn)(const struct kek *, void *), void *arg)
{
	struct kms_gens *gs = k->gens;
	int rc;

	/* The key cannot be swapped or freed (kms_kek_adopt) while fn uses it. */
	pthread_mutex_lock(&gs->mu);
	rc = gs->kek != NULL ? fn(gs->kek, arg) : SKM_ESTATE;
	pthread_mutex_unlock(&gs->mu);
	return rc;
}

int
kms_refresh(const struct kms *k, struct store *st, size_t *added, char *why,
    size_t whylen)
{
	struct kms_gens *gs = k->gens;
	struct store_txn t;
	uint64_t serial;
	size_t n = 0;
	int rc;

	if (added != NULL)
		*added = 0;
	why[0] = '\0';
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		return rc;
	rc = store_generation_serial(&t, &serial);
	if (rc == 0 && serial != atomic_load(&gs->serial)) {
		pthread_mutex_lock(&gs->mu);
		/*
		 * A domain whose key was set aside (kms_kek_adopt(k, NULL)) must
		 * not publish a generation without its secrets: it waits for the
		 * key to come back.
		 */
		if (gs->secrets && gs->kek == NULL) {
			/* A revocation needs no key: it applies at once. */
			kms_gens_revocations(gs, &t);
			snprintf(why, whylen, "a new generation of master secrets waits for "
			    "the key-encryption key: reload (SIGHUP) to unseal it");
			rc = SKM_ESTATE;
		} else if (serial != atomic_load(&gs->serial))
			rc = kms_gens_load(gs, &t, &n, why, whylen);
		pthread_mutex_unlock(&gs->mu);
	}
	store_txn_abort(&t);
	if (added != NULL)
		*added = n;
	return rc;
}

uint64_t
kms_gen_serial(const struct kms *k)
{
	return atomic_load(&k->gens->serial);
}

size_t
kms_gen_count(const struct kms *k)
{
	return atomic_load_explicit(&k->gens->n, memory_order_acquire);
}

const struct kms_gen *
kms_gen_at(const struct kms *k, size_t i)
{
	return i < kms_gen_count(k) ? &k->gens->gen[i] : NULL;
}

int
kms_gen_revoked(const struct kms_gen *g)
{
	return __atomic_load_n(&g->rec.revoked, __ATOMIC_ACQUIRE);
}

/*
 * The effective-from times of the published generations that were not
 * withdrawn, in eff, and their indexes in idx; returns their count.
 */
static size_t
kms_gen_eff(const struct kms *k, int64_t *eff, size_t *idx)
{
	size_t n = kms_gen_count(k), i, m = 0;

	for (i = 0; i < n; i++) {
		const struct kms_gen *g = &k->gens->gen[i];

		if (__atomic_load_n(&g->withdrawn, __ATOMIC_ACQUIRE))
			continue;
		eff[m] = __atomic_load_n(&g->rec.effective, __ATOMIC_ACQUIRE);
		idx[m++] = i;
	}
	return m;
}

enum generation_state
kms_gen_state(const struct kms *k, size_t i, int64_t now)
{
	int64_t eff[GENERATION_MAX];
	size_t idx[GENERATION_MAX], n = kms_gen_eff(k, eff, idx), j;

	for (j = 0; j < n; j++)
		if (idx[j] == i)
			return generation_state(eff, n, j, now);
	return GENERATION_RETIRED;
}

const struct kms_gen *
kms_gen_of_period(const struct kms *k, uint64_t period_no)
{
	int64_t eff[GENERATION_MAX], start, end;
	size_t idx[GENERATION_MAX], n = kms_gen_eff(k, eff, idx), i;

	if (kms_period_bounds(k, period_no, &start, &end) != 0 ||
	    generation_for(eff, n, start, &i) != 0)
		return NULL;
	return &k->gens->gen[idx[i]];
}

const struct kms_gen *
kms_gen_by_id(const struct kms *k, uint32_t id)
{
	size_t n = kms_gen_count(k), i;

	for (i = 0; i < n; i++)
		if (k->gens->gen[i].rec.id == id)
			return &k->gens->gen[i];
	return NULL;
}

void
kms_gen_cert(const struct kms *k, const struct kms_gen *g, struct kmsxml_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->role = "Root";
	c->cert_uri = g->rec.cert_uri[0] != '\0' ? g->rec.cert_uri : NULL;
	c->kms_uri = k->domain.kms_uri;
	c->issuer = k->domain.issuer[0] != '\0' ? k->domain.issuer : NULL;
	c->valid_from = g->rec.valid_from;
	c->valid_to = g->rec.valid_to;
	c->revoked = kms_gen_revoked(g);
	c->user_key_period = k->domain.user_key_period;
	c->user_key_offset = k->domain.user_key_offset;
	memcpy(c->pub_enc_key, g->rec.z, sizeof(c->pub_enc_key));
	memcpy(c->pub_auth_key, g->rec.kpak, sizeof(c->pub_auth_key));
	c->domains = k->domains;
	c->ndomains = k->domain.n_domains;
}

void
kms_cert(const struct kms *k, int64_t now, struct kmsxml_cert *c)
{
	int64_t eff[GENERATION_MAX];
	size_t idx[GENERATION_MAX], n = kms_gen_eff(k, eff, idx), i;

	/* Before the oldest kept generation takes effect, that one. */
	if (generation_for(eff, n, now, &i) != 0)
		i = 0;
	kms_gen_cert(k, &k->gens->gen[idx[i]], c);
}

int
kms_cert_next(const struct kms *k, int64_t now, struct kmsxml_cert *c)
{
	int64_t eff[GENERATION_MAX];
	size_t idx[GENERATION_MAX], n = kms_gen_eff(k, eff, idx), i;

	/* The first generation still to take effect: at most one is scheduled. */
	for (i = 0; i < n; i++)
		if (generation_state(eff, n, i, now) == GENERATION_NEXT) {
			kms_gen_cert(k, &k->gens->gen[idx[i]], c);
			return 0;
		}
	return SKM_ENOTFOUND;
}
