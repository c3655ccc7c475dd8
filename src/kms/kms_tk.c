/* SPDX-License-Identifier: ISC */
/*
 * An identity's TrK and InK for the server (TS 33.180 D.1): read and
 * unsealed per request, so a key set or rotated with skmsctl applies at
 * the next request without a reload. A PKCS#11 token's key is set aside
 * once skmsd is up (server.c says why); for that case kms_tk_hold()
 * unseals every identity's keys while the token session is open and
 * kms_tk_get() answers from those, in the secure heap, until the next
 * hold replaces them. Never logs a key.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
#include "common/err.h"
#include "store/store.h"
#include "store/tk.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* One identity's held keys; keys points into the secure heap. */
struct kms_tkc_ent {
	char *uri;
	size_t len;
	struct store_tk *keys;		/* SECRET */
};

struct kms_tkc {
	pthread_mutex_t mu;		/* readers copy out under it; hold swaps under it */
	struct kms_tkc_ent *e;		/* sorted by kms_tkc_cmp */
	size_t n;
};

static int
kms_tkc_cmp(const void *a, const void *b)
{
	const struct kms_tkc_ent *x = a, *y = b;
	int c = memcmp(x->uri, y->uri, x->len < y->len ? x->len : y->len);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void
kms_tkc_ents_free(struct kms_tkc_ent *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		OPENSSL_secure_clear_free(e[i].keys, sizeof(*e[i].keys));
		free(e[i].uri);
	}
	free(e);
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

struct kms_tk_read {
	struct store *st;
	struct store_txn *t;		/* the caller's, or NULL: one of our own */
	const struct store_tk *in;	/* to write, or NULL: read */
	const char *uri;
	size_t len;
	struct store_tk *out;
};

static int
kms_tk_read(const struct kek *kek, void *arg)
{
	struct kms_tk_read *r = arg;
	struct store_txn t;
	int rc;

	if (r->t != NULL && r->in != NULL)
		return store_tk_put(r->t, kek, (const uint8_t *)r->uri, r->len, r->in);
	if (r->t != NULL)
		return store_tk_get(r->t, kek, (const uint8_t *)r->uri, r->len, r->out);
	if ((rc = store_txn_begin(r->st, 0, &t)) != 0)
		return rc;
	rc = store_tk_get(&t, kek, (const uint8_t *)r->uri, r->len, r->out);
	store_txn_abort(&t);
	return rc;
}

/*
 * The key set aside: the held keys, or, for an identity holding none, a
 * record added since the last hold (SKM_ESTATE: not usable before the
 * next) or none at all.
 */
static int
kms_tk_held(const struct kms *k, struct store *st, const char *uri, size_t len,
    struct store_tk *out)
{
	struct kms_tkc_ent key = { (char *)uri, len, NULL }, *e;
	struct store_txn t;
	int rc;

	if (k->tkc == NULL)
		return SKM_ESTATE;
	pthread_mutex_lock(&k->tkc->mu);
	/* bsearch() and qsort() take no NULL array, even empty. */
	e = k->tkc->n == 0 ? NULL :
	    bsearch(&key, k->tkc->e, k->tkc->n, sizeof(*e), kms_tkc_cmp);
	if (e != NULL)
		memcpy(out, e->keys, sizeof(*out));
	pthread_mutex_unlock(&k->tkc->mu);
	if (e != NULL)
		return 0;
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		return rc;
	rc = store_tk_has(&t, (const uint8_t *)uri, len);
	store_txn_abort(&t);
	return rc == 0 ? SKM_ESTATE : rc;
}

int
kms_tk_get(const struct kms *k, struct store *st, const char *uri, size_t len,
    struct store_tk *out)
{
	struct kms_tk_read r = { st, NULL, NULL, uri, len, out };
	int rc;

	rc = kms_gens_with_kek(k, kms_tk_read, &r);
	if (rc == SKM_ESTATE)
		rc = kms_tk_held(k, st, uri, len, out);
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
kms_tk_get_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    struct store_tk *out)
{
	struct kms_tk_read r = { NULL, t, NULL, uri, len, out };
	int rc;

	rc = kms_gens_with_kek(k, kms_tk_read, &r);
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
kms_tk_put_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const struct store_tk *tk)
{
	struct kms_tk_read r = { NULL, t, tk, uri, len, NULL };

	return kms_gens_with_kek(k, kms_tk_read, &r);
}

/* Building the held keys: every URI of the store, unsealed under the key. */
struct kms_tk_all {
	struct store_txn *t;
	const struct kek *kek;
	struct kms_tkc_ent *e;
	size_t n;
	size_t cap;
	int rc;
};

static int
kms_tk_all_one(const char *uri, size_t len, void *arg)
{
	struct kms_tk_all *a = arg;
	struct kms_tkc_ent *e;
	size_t cap;

	if (a->n == a->cap) {
		cap = a->cap != 0 ? 2 * a->cap : 16;
		if ((e = reallocarray(a->e, cap, sizeof(*e))) == NULL)
			goto nomem;
		a->e = e;
		a->cap = cap;
	}
	e = &a->e[a->n];
	memset(e, 0, sizeof(*e));
	if ((e->uri = malloc(len + 1)) == NULL)
		goto nomem;
	memcpy(e->uri, uri, len);
	e->uri[len] = '\0';
	e->len = len;
	a->n++;
	if ((e->keys = OPENSSL_secure_zalloc(sizeof(*e->keys))) == NULL)
		goto nomem;
	if ((a->rc = store_tk_get(a->t, a->kek, (const uint8_t *)uri, len, e->keys)) != 0)
		return 1;
	return 0;
nomem:
	a->rc = SKM_ENOMEM;
	return 1;
}

static int
kms_tk_all(const struct kek *kek, void *arg)
{
	struct kms_tk_all *a = arg;
	int rc;

	a->kek = kek;
	if ((rc = store_tk_list(a->t, kms_tk_all_one, a)) != 0 && a->rc == 0)
		a->rc = rc;
	return a->rc;
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
	if (a.n > 1)
		qsort(a.e, a.n, sizeof(*a.e), kms_tkc_cmp);
	pthread_mutex_lock(&k->tkc->mu);
	old = k->tkc->e;
	oldn = k->tkc->n;
	k->tkc->e = a.e;
	k->tkc->n = a.n;
	pthread_mutex_unlock(&k->tkc->mu);
	kms_tkc_ents_free(old, oldn);
	*count = a.n;
	return 0;
}
