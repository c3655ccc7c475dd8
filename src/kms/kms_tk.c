/* SPDX-License-Identifier: ISC */
/*
 * The TrK and InK of identities and of their devices for the server (TS
 * 33.180 D.1). A request names a key by its ID; kms_tk_find() picks the
 * record of the caller (its own or one of its devices') that holds it.
 *
 * Unsealed records are kept in a bounded table in the secure heap, each
 * beside the sealed value it was opened from. A request reads its
 * identity's records (no unsealing) and uses a kept entry only while the
 * store still holds that very value: skmsctl seals every change anew
 * under a fresh nonce or deletes the record, so a key set, rotated or
 * removed applies at the next request without a signal or a reload, and
 * the entries of records gone are cleansed when their identity is next
 * read. A PKCS#11 token's key is set aside once skmsd is up (server.c
 * says why); for that case kms_tk_hold() unseals every record while the
 * token session is open and kms_tk_find() answers from those, unchecked,
 * until the next hold replaces them. Never logs a key.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
#include "common/err.h"
#include "store/store.h"
#include "store/tk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* Records kept unsealed for requests (file or passphrase key), 1 KiB each. */
#define KMS_TKC_MAX	KMS_TK_KEPT_MAX

/* One record's keys; keys points into the secure heap. */
struct kms_tkc_ent {
	uint8_t *key;			/* the record's key */
	size_t klen;
	uint8_t *sealed;		/* the value opened; NULL when held */
	size_t slen;
	uint64_t used;			/* clock of the last use, for eviction */
	uint64_t seen;			/* the scan that last found the record */
	struct store_tk *keys;		/* SECRET */
};

struct kms_tkc {
	pthread_mutex_t mu;		/* readers copy out under it */
	struct kms_tkc_ent *e;		/* sorted by key */
	size_t n;
	size_t cap;
	uint64_t clock;
	int held;			/* e from kms_tk_hold(): unbounded, unchecked */
};

static int
kms_tkc_keycmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static void
kms_tkc_ent_free(struct kms_tkc_ent *e)
{
	OPENSSL_secure_clear_free(e->keys, sizeof(*e->keys));
	free(e->key);
	free(e->sealed);
	memset(e, 0, sizeof(*e));
}

static void
kms_tkc_ents_free(struct kms_tkc_ent *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kms_tkc_ent_free(&e[i]);
	free(e);
}

/* The first entry whose key is not below key. */
static size_t
kms_tkc_lower(const struct kms_tkc *c, const uint8_t *key, size_t klen)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kms_tkc_keycmp(c->e[mid].key, c->e[mid].klen, key, klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether entry i is one of the records of the identity whose key is p (plen octets). */
static int
kms_tkc_of(const struct kms_tkc *c, size_t i, const uint8_t *p, size_t plen)
{
	const struct kms_tkc_ent *e = &c->e[i];

	return i < c->n && e->klen >= plen && memcmp(e->key, p, plen) == 0 &&
	    (e->klen == plen || e->key[plen] == '\0');
}

static void
kms_tkc_remove(struct kms_tkc *c, size_t i)
{
	kms_tkc_ent_free(&c->e[i]);
	memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(*c->e));
	c->n--;
}

int
kms_tkc_new(struct kms *k)
{
	if ((k->tkc = calloc(1, sizeof(*k->tkc))) == NULL)
		return SKM_ENOMEM;
	pthread_mutex_init(&k->tkc->mu, NULL);
	return 0;
}

void
kms_tkc_free(struct kms *k)
{
	if (k->tkc == NULL)
		return;
	kms_tkc_ents_free(k->tkc->e, k->tkc->n);
	pthread_mutex_destroy(&k->tkc->mu);
	free(k->tkc);
	k->tkc = NULL;
}

void
kms_tk_forget(const struct kms *k)
{
	struct kms_tkc *c = k->tkc;
	struct kms_tkc_ent *e;
	size_t n;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->held) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	e = c->e;
	n = c->n;
	c->e = NULL;
	c->n = c->cap = 0;
	pthread_mutex_unlock(&c->mu);
	kms_tkc_ents_free(e, n);
}

size_t
kms_tk_kept(const struct kms *k)
{
	size_t n;

	if (k->tkc == NULL)
		return 0;
	pthread_mutex_lock(&k->tkc->mu);
	n = k->tkc->n;
	pthread_mutex_unlock(&k->tkc->mu);
	return n;
}

/*
 * Keeps keys (copied) opened from the sealed value of the record key:
 * replaces an entry of the same key, else takes a free place or that of
 * the entry used least recently. Memory failures only lose the entry.
 */
static void
kms_tkc_put(struct kms_tkc *c, const struct store_tk_rec *r, const struct store_tk *keys,
    uint64_t scan)
{
	struct kms_tkc_ent ne, *e;
	size_t i, old;

	memset(&ne, 0, sizeof(ne));
	if ((ne.key = malloc(r->klen)) == NULL || (ne.sealed = malloc(r->vlen)) == NULL ||
	    (ne.keys = OPENSSL_secure_malloc(sizeof(*ne.keys))) == NULL) {
		kms_tkc_ent_free(&ne);
		return;
	}
	memcpy(ne.key, r->key, r->klen);
	ne.klen = r->klen;
	memcpy(ne.sealed, r->val, r->vlen);
	ne.slen = r->vlen;
	memcpy(ne.keys, keys, sizeof(*keys));
	ne.seen = scan;
	pthread_mutex_lock(&c->mu);
	if (c->held)
		goto drop;
	ne.used = ++c->clock;
	i = kms_tkc_lower(c, ne.key, ne.klen);
	if (i < c->n && kms_tkc_keycmp(c->e[i].key, c->e[i].klen, ne.key, ne.klen) == 0) {
		kms_tkc_ent_free(&c->e[i]);
		c->e[i] = ne;
		pthread_mutex_unlock(&c->mu);
		return;
	}
	if (c->n == KMS_TKC_MAX) {
		for (old = 0, i = 1; i < c->n; i++)
			if (c->e[i].used < c->e[old].used)
				old = i;
		kms_tkc_remove(c, old);
	}
	if (c->n == c->cap) {
		size_t cap = c->cap != 0 ? 2 * c->cap : 16;

		if ((e = reallocarray(c->e, cap, sizeof(*e))) == NULL)
			goto drop;
		c->e = e;
		c->cap = cap;
	}
	i = kms_tkc_lower(c, ne.key, ne.klen);
	memmove(&c->e[i + 1], &c->e[i], (c->n - i) * sizeof(*c->e));
	c->e[i] = ne;
	c->n++;
	pthread_mutex_unlock(&c->mu);
	return;
drop:
	pthread_mutex_unlock(&c->mu);
	kms_tkc_ent_free(&ne);
}

/* The kept keys of record r when its sealed value is still the one opened. */
static int
kms_tkc_get(struct kms_tkc *c, const struct store_tk_rec *r, struct store_tk *out,
    uint64_t scan)
{
	struct kms_tkc_ent *e;
	size_t i;
	int hit = 0;

	pthread_mutex_lock(&c->mu);
	i = kms_tkc_lower(c, r->key, r->klen);
	e = i < c->n ? &c->e[i] : NULL;
	if (e != NULL && !c->held && kms_tkc_keycmp(e->key, e->klen, r->key, r->klen) == 0 &&
	    e->slen == r->vlen && memcmp(e->sealed, r->val, r->vlen) == 0) {
		memcpy(out, e->keys, sizeof(*out));
		e->used = ++c->clock;
		e->seen = scan;
		hit = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return hit;
}

/* Cleanses the entries of the identity (key prefix p) that the scan did not find. */
static void
kms_tkc_sweep(struct kms_tkc *c, const uint8_t *p, size_t plen, uint64_t scan)
{
	size_t i;

	pthread_mutex_lock(&c->mu);
	if (!c->held) {
		i = kms_tkc_lower(c, p, plen);
		while (kms_tkc_of(c, i, p, plen)) {
			if (c->e[i].seen != scan)
				kms_tkc_remove(c, i);
			else
				i++;
		}
	}
	pthread_mutex_unlock(&c->mu);
}

struct kms_tk_find {
	const struct kms *k;
	struct store_txn *t;
	const struct kek *kek;
	const char *uri;
	size_t len;
	kms_tk_match_fn *match;
	void *arg;
	struct store_tk *out;
	char *device;			/* STORE_TK_DEVICE_MAX + 1, or NULL */
	struct store_tk *tmp;		/* SECRET */
	const uint8_t *p;		/* the key prefix of the identity's records */
	size_t plen;
	uint64_t scan;
	int found;
};

static void
kms_tk_found(struct kms_tk_find *f, const struct store_tk *tk, const char *device)
{
	memcpy(f->out, tk, sizeof(*f->out));
	if (f->device != NULL)
		snprintf(f->device, STORE_TK_DEVICE_MAX + 1, "%s", device);
	f->found = 1;
}

static int
kms_tk_find_one(const struct store_tk_rec *r, void *arg)
{
	struct kms_tk_find *f = arg;
	int rc;

	if (!kms_tkc_get(f->k->tkc, r, f->tmp, f->scan)) {
		if ((rc = store_tk_open(f->kek, r->key, r->klen, r->val, r->vlen, f->tmp)) != 0)
			return rc;
		kms_tkc_put(f->k->tkc, r, f->tmp, f->scan);
	}
	/* Every record is visited, so that the sweep knows which are gone. */
	if (!f->found && (f->match == NULL || f->match(f->tmp, r->device, f->arg)))
		kms_tk_found(f, f->tmp, r->device);
	OPENSSL_cleanse(f->tmp, sizeof(*f->tmp));
	return 0;
}

/*
 * The scan and its sweep run under the domain's key lock (kms_gens_with_kek),
 * so that no other scan of the identity marks entries in between.
 */
static int
kms_tk_find_kek(const struct kek *kek, void *arg)
{
	struct kms_tk_find *f = arg;
	int rc;

	f->kek = kek;
	rc = store_tk_each(f->t, (const uint8_t *)f->uri, f->len, kms_tk_find_one, f);
	if (rc == 0)
		kms_tkc_sweep(f->k->tkc, f->p, f->plen, f->scan);
	return rc;
}

/* Stops at a record of the identity that kms_tk_hold() did not hold. */
static int
kms_tk_unheld(const struct store_tk_rec *r, void *arg)
{
	struct kms_tkc *c = arg;
	size_t i;
	int held;

	pthread_mutex_lock(&c->mu);
	i = kms_tkc_lower(c, r->key, r->klen);
	held = i < c->n && kms_tkc_keycmp(c->e[i].key, c->e[i].klen, r->key, r->klen) == 0;
	pthread_mutex_unlock(&c->mu);
	return held ? 0 : SKM_ESTATE;
}

/*
 * The key set aside: a held record that matches, or, when none does,
 * SKM_ESTATE if the identity has a record added since the last hold (not
 * usable before the next), SKM_ENOTFOUND if not.
 */
static int
kms_tk_find_held(struct kms_tk_find *f, const uint8_t *p, size_t plen)
{
	struct kms_tkc *c = f->k->tkc;
	char dev[STORE_TK_DEVICE_MAX + 1];
	size_t i, dlen;
	int rc;

	pthread_mutex_lock(&c->mu);
	for (i = kms_tkc_lower(c, p, plen); c->held && kms_tkc_of(c, i, p, plen); i++) {
		dlen = c->e[i].klen > plen ? c->e[i].klen - plen - 1 : 0;
		memcpy(dev, c->e[i].key + plen + (dlen > 0), dlen);
		dev[dlen] = '\0';
		if (f->match == NULL || f->match(c->e[i].keys, dev, f->arg)) {
			kms_tk_found(f, c->e[i].keys, dev);
			break;
		}
	}
	pthread_mutex_unlock(&c->mu);
	if (f->found)
		return 0;
	rc = store_tk_each(f->t, (const uint8_t *)f->uri, f->len, kms_tk_unheld, c);
	return rc != 0 ? rc : SKM_ENOTFOUND;
}

int
kms_tk_find(const struct kms *k, struct store *st, const char *uri, size_t len,
    kms_tk_match_fn *match, void *arg, struct store_tk *out, char *device)
{
	struct kms_tk_find f;
	struct store_txn t;
	uint8_t p[STORE_KEY_MAX];
	size_t plen;
	int rc;

	memset(&f, 0, sizeof(f));
	if (device != NULL)
		device[0] = '\0';
	if (k->tkc == NULL)
		return SKM_ESTATE;
	if ((plen = store_tk_key(p, (const uint8_t *)uri, len, NULL)) == 0)
		return SKM_ELEN;
	if ((f.tmp = OPENSSL_secure_malloc(sizeof(*f.tmp))) == NULL)
		return SKM_ENOMEM;
	f.k = k;
	f.t = &t;
	f.uri = uri;
	f.len = len;
	f.match = match;
	f.arg = arg;
	f.out = out;
	f.device = device;
	f.p = p;
	f.plen = plen;
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		goto out;
	pthread_mutex_lock(&k->tkc->mu);
	f.scan = ++k->tkc->clock;
	pthread_mutex_unlock(&k->tkc->mu);
	rc = kms_gens_with_kek(k, kms_tk_find_kek, &f);
	if (rc == SKM_ESTATE) {
		f.found = 0;
		rc = kms_tk_find_held(&f, p, plen);
	} else if (rc == 0 && !f.found)
		rc = SKM_ENOTFOUND;
	store_txn_abort(&t);
out:
	OPENSSL_secure_clear_free(f.tmp, sizeof(*f.tmp));
	if (rc != 0) {
		OPENSSL_cleanse(out, sizeof(*out));
		if (device != NULL)
			device[0] = '\0';
	}
	return rc;
}

struct kms_tk_read {
	struct store_txn *t;
	const struct store_tk *in;	/* to write, or NULL: read */
	const char *uri;
	size_t len;
	const char *device;
	struct store_tk *out;
};

static int
kms_tk_read(const struct kek *kek, void *arg)
{
	struct kms_tk_read *r = arg;

	if (r->in != NULL)
		return store_tk_put(r->t, kek, (const uint8_t *)r->uri, r->len, r->device, r->in);
	return store_tk_get(r->t, kek, (const uint8_t *)r->uri, r->len, r->device, r->out);
}

int
kms_tk_get_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const char *device, struct store_tk *out)
{
	struct kms_tk_read r = { t, NULL, uri, len, device, out };
	int rc;

	rc = kms_gens_with_kek(k, kms_tk_read, &r);
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
kms_tk_put_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const char *device, const struct store_tk *tk)
{
	struct kms_tk_read r = { t, tk, uri, len, device, NULL };

	return kms_gens_with_kek(k, kms_tk_read, &r);
}

/* Every record of one identity or of all, unsealed in turn (skmsctl). */
struct kms_tk_each {
	struct store_txn *t;
	const struct kek *kek;
	const char *uri;
	size_t len;
	kms_tk_each_fn *fn;
	void *arg;
	struct store_tk *tk;		/* SECRET */
};

static int
kms_tk_each_one(const struct store_tk_rec *r, void *arg)
{
	struct kms_tk_each *e = arg;
	int rc;

	if ((rc = store_tk_open(e->kek, r->key, r->klen, r->val, r->vlen, e->tk)) != 0)
		return rc;
	rc = e->fn(r->uri, r->len, r->device, e->tk, e->arg);
	OPENSSL_cleanse(e->tk, sizeof(*e->tk));
	return rc;
}

static int
kms_tk_each_kek(const struct kek *kek, void *arg)
{
	struct kms_tk_each *e = arg;

	e->kek = kek;
	return store_tk_each(e->t, (const uint8_t *)e->uri, e->len, kms_tk_each_one, e);
}

int
kms_tk_each_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    kms_tk_each_fn *fn, void *arg)
{
	struct kms_tk_each e = { t, NULL, uri, len, fn, arg, NULL };
	int rc;

	if ((e.tk = OPENSSL_secure_zalloc(sizeof(*e.tk))) == NULL)
		return SKM_ENOMEM;
	rc = kms_gens_with_kek(k, kms_tk_each_kek, &e);
	OPENSSL_secure_clear_free(e.tk, sizeof(*e.tk));
	return rc;
}

/* Building the held keys: every record of the store, unsealed under the key. */
struct kms_tk_all {
	const struct kek *kek;
	struct store_txn *t;
	struct kms_tkc_ent *e;
	size_t n;
	size_t cap;
};

static int
kms_tk_all_one(const struct store_tk_rec *r, void *arg)
{
	struct kms_tk_all *a = arg;
	struct kms_tkc_ent *e;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap != 0 ? 2 * a->cap : 16;
		if ((e = reallocarray(a->e, cap, sizeof(*e))) == NULL)
			return SKM_ENOMEM;
		a->e = e;
		a->cap = cap;
	}
	e = &a->e[a->n];
	memset(e, 0, sizeof(*e));
	a->n++;
	if ((e->key = malloc(r->klen)) == NULL)
		return SKM_ENOMEM;
	memcpy(e->key, r->key, r->klen);
	e->klen = r->klen;
	if ((e->keys = OPENSSL_secure_zalloc(sizeof(*e->keys))) == NULL)
		return SKM_ENOMEM;
	return store_tk_open(a->kek, r->key, r->klen, r->val, r->vlen, e->keys);
}

static int
kms_tk_all(const struct kek *kek, void *arg)
{
	struct kms_tk_all *a = arg;

	a->kek = kek;
	return store_tk_each(a->t, NULL, 0, kms_tk_all_one, a);
}

int
kms_tk_hold(const struct kms *k, struct store *st, size_t *count)
{
	struct kms_tk_all a;
	struct store_txn t;
	struct kms_tkc_ent *old;
	size_t oldn;
	int rc;

	*count = 0;
	if (k->tkc == NULL)
		return SKM_ESTATE;
	memset(&a, 0, sizeof(a));
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		return rc;
	a.t = &t;
	rc = kms_gens_with_kek(k, kms_tk_all, &a);
	store_txn_abort(&t);
	if (rc != 0) {
		kms_tkc_ents_free(a.e, a.n);
		return rc;
	}
	/* store_tk_each() gives the records in key order already. */
	pthread_mutex_lock(&k->tkc->mu);
	old = k->tkc->e;
	oldn = k->tkc->n;
	k->tkc->e = a.e;
	k->tkc->n = a.n;
	k->tkc->cap = a.cap;
	k->tkc->held = 1;
	pthread_mutex_unlock(&k->tkc->mu);
	kms_tkc_ents_free(old, oldn);
	*count = a.n;
	return 0;
}
