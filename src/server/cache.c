/* SPDX-License-Identifier: ISC */
/*
 * Sealed key-set cache: a hash table of chains for lookup and a doubly
 * linked list for LRU order. Sealing keeps key material out of ordinary
 * heap pages (core dumps, swap): only the 32-octet key is in the secure
 * heap. Nonces are a per-entry counter: one key, never reused, within the
 * 2^64 bound. The hash is seeded per process so a caller cannot aim
 * identities at one chain. The cipher is fetched once and each thread
 * keeps one cipher context, reset after every use so no key schedule
 * outlives an operation in ordinary memory.
 */
#include "server/cache.h"
#include "common/err.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define CACHE_KEY_LEN	32
#define CACHE_IV_LEN	12
#define CACHE_TAG_LEN	16

struct cache_ent {
	struct cache_ent *hnext;		/* hash chain */
	struct cache_ent *prev, *next;		/* LRU: head is most recent */
	uint64_t period_no;
	uint32_t gen;				/* the key set's generation (public) */
	uint32_t hash;
	uint8_t iv[CACHE_IV_LEN];
	uint8_t tag[CACHE_TAG_LEN];
	uint8_t sealed[sizeof(struct kms_keyset)];
	size_t uri_len;
	char uri[];
};

struct cache {
	pthread_mutex_t mu;
	unsigned max, count;
	size_t nbuckets;
	struct cache_ent **buckets;
	struct cache_ent *head, *tail;
	uint8_t *key;				/* SECRET, secure heap */
	uint64_t seed;
	uint64_t nonce;
	EVP_CIPHER *aead;
};

static pthread_key_t cache_ctx_key;
static pthread_once_t cache_ctx_once = PTHREAD_ONCE_INIT;
static int cache_ctx_ok;

static void
cache_ctx_free(void *ctx)
{
	EVP_CIPHER_CTX_free(ctx);
}

static void
cache_ctx_init(void)
{
	cache_ctx_ok = pthread_key_create(&cache_ctx_key, cache_ctx_free) == 0;
}

/* The calling thread's cipher context, made on first use. */
static EVP_CIPHER_CTX *
cache_ctx(void)
{
	EVP_CIPHER_CTX *ctx;

	pthread_once(&cache_ctx_once, cache_ctx_init);
	if (!cache_ctx_ok)
		return NULL;
	if ((ctx = pthread_getspecific(cache_ctx_key)) != NULL)
		return ctx;
	if ((ctx = EVP_CIPHER_CTX_new()) != NULL &&
	    pthread_setspecific(cache_ctx_key, ctx) != 0) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

static uint32_t
cache_hash(const struct cache *c, const char *uri, size_t len, uint64_t period_no)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ c->seed;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (uint8_t)uri[i]) * 0x100000001b3ULL;
	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(period_no >> (8 * i))) * 0x100000001b3ULL;
	return (uint32_t)(h ^ (h >> 32));
}

/* The associated data binds a sealed set to its slot: URI || period. */
static int
cache_crypt(const struct cache *c, int enc, const struct cache_ent *e,
    const uint8_t *in, uint8_t *out, uint8_t tag[CACHE_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	uint8_t pno[8];
	int n, ok, i;

	for (i = 0; i < 8; i++)
		pno[i] = (uint8_t)(e->period_no >> (56 - 8 * i));
	if ((ctx = cache_ctx()) == NULL)
		return SKM_ENOMEM;
	ok = EVP_CipherInit_ex(ctx, c->aead, NULL, c->key, e->iv, enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)e->uri, (int)e->uri_len) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &n, pno, sizeof(pno)) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)sizeof(struct kms_keyset)) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CACHE_TAG_LEN, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + n, &n) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CACHE_TAG_LEN, tag) == 1;
	/* Cleanses the key schedule; the context itself stays for the next call. */
	EVP_CIPHER_CTX_reset(ctx);
	return ok ? 0 : (enc ? SKM_ECRYPTO : SKM_EVERIFY);
}

int
cache_new(unsigned max_entries, struct cache **out)
{
	struct cache *c;
	int rc = SKM_ENOMEM;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SKM_ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	c->max = max_entries;
	c->nbuckets = 64;
	while (c->nbuckets < max_entries && c->nbuckets < ((size_t)1 << 24))
		c->nbuckets <<= 1;
	if ((c->buckets = calloc(c->nbuckets, sizeof(*c->buckets))) == NULL ||
	    (c->key = OPENSSL_secure_malloc(CACHE_KEY_LEN)) == NULL)
		goto out;
	if ((c->aead = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL) {
		rc = SKM_ECRYPTO;
		goto out;
	}
	if (RAND_priv_bytes(c->key, CACHE_KEY_LEN) != 1 ||
	    RAND_bytes((uint8_t *)&c->seed, sizeof(c->seed)) != 1) {
		rc = SKM_ECRYPTO;
		goto out;
	}
	*out = c;
	c = NULL;
	rc = 0;
out:
	cache_free(c);
	return rc;
}

static struct cache_ent **
cache_slot(struct cache *c, const char *uri, size_t len, uint64_t period_no,
    uint32_t h)
{
	struct cache_ent **pp = &c->buckets[h & (c->nbuckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if ((*pp)->hash == h && (*pp)->period_no == period_no &&
		    (*pp)->uri_len == len && memcmp((*pp)->uri, uri, len) == 0)
			break;
	return pp;
}

static void
cache_unlink_lru(struct cache *c, struct cache_ent *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
cache_push_lru(struct cache *c, struct cache_ent *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	c->head = e;
	if (c->tail == NULL)
		c->tail = e;
}

static void
cache_remove(struct cache *c, struct cache_ent *e)
{
	struct cache_ent **pp = cache_slot(c, e->uri, e->uri_len, e->period_no, e->hash);

	if (*pp == e)
		*pp = e->hnext;
	cache_unlink_lru(c, e);
	c->count--;
	OPENSSL_cleanse(e->sealed, sizeof(e->sealed));
	free(e);
}

int
cache_get(struct cache *c, const char *uri, size_t len, uint64_t period_no,
    struct kms_keyset *ks)
{
	uint32_t h = cache_hash(c, uri, len, period_no);
	struct cache_ent *e;
	int rc = SKM_ENOTFOUND;

	pthread_mutex_lock(&c->mu);
	if ((e = *cache_slot(c, uri, len, period_no, h)) != NULL) {
		rc = cache_crypt(c, 0, e, e->sealed, (uint8_t *)ks, e->tag);
		if (rc == 0) {
			cache_unlink_lru(c, e);
			cache_push_lru(c, e);
		} else
			cache_remove(c, e);
	}
	pthread_mutex_unlock(&c->mu);
	if (rc != 0)
		OPENSSL_cleanse(ks, sizeof(*ks));
	return rc;
}

int
cache_has(struct cache *c, const char *uri, size_t len, uint64_t period_no)
{
	uint32_t h = cache_hash(c, uri, len, period_no);
	int found;

	pthread_mutex_lock(&c->mu);
	found = *cache_slot(c, uri, len, period_no, h) != NULL;
	pthread_mutex_unlock(&c->mu);
	return found;
}

int
cache_put(struct cache *c, const char *uri, size_t len, const struct kms_keyset *ks)
{
	uint32_t h = cache_hash(c, uri, len, ks->period_no);
	struct cache_ent *e, **pp;
	int rc = 0, i;

	if (c->max == 0)
		return 0;
	if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL)
		return SKM_ENOMEM;
	memcpy(e->uri, uri, len);
	e->uri_len = len;
	e->period_no = ks->period_no;
	e->gen = ks->gen;
	e->hash = h;
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < 8; i++)
		e->iv[4 + i] = (uint8_t)(c->nonce >> (56 - 8 * i));
	c->nonce++;
	if ((rc = cache_crypt(c, 1, e, (const uint8_t *)ks, e->sealed, e->tag)) != 0) {
		pthread_mutex_unlock(&c->mu);
		OPENSSL_cleanse(e->sealed, sizeof(e->sealed));
		free(e);
		return rc;
	}
	pp = cache_slot(c, uri, len, ks->period_no, h);
	if (*pp != NULL)
		cache_remove(c, *pp);
	while (c->count >= c->max && c->tail != NULL)
		cache_remove(c, c->tail);
	pp = &c->buckets[h & (c->nbuckets - 1)];
	e->hnext = *pp;
	*pp = e;
	cache_push_lru(c, e);
	c->count++;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

unsigned
cache_drop(struct cache *c, int (*stale)(void *arg, uint64_t period_no, uint32_t gen),
    void *arg)
{
	struct cache_ent *e, *next;
	unsigned n = 0;

	pthread_mutex_lock(&c->mu);
	for (e = c->head; e != NULL; e = next) {
		next = e->next;
		if (stale(arg, e->period_no, e->gen)) {
			cache_remove(c, e);
			n++;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return n;
}

unsigned
cache_count(struct cache *c)
{
	unsigned n;

	pthread_mutex_lock(&c->mu);
	n = c->count;
	pthread_mutex_unlock(&c->mu);
	return n;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	while (c->head != NULL)
		cache_remove(c, c->head);
	free(c->buckets);
	if (c->key != NULL)
		OPENSSL_secure_clear_free(c->key, CACHE_KEY_LEN);
	EVP_CIPHER_free(c->aead);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
