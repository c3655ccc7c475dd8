/* SPDX-License-Identifier: ISC */
/*
 * Connections by source (see peers.h): a hash table of chains with one
 * entry per source that has a connection open. The hash is seeded per
 * process so a client choosing its addresses (an IPv6 prefix holder has
 * many) cannot aim them at one chain. The table doubles when it holds
 * more sources than chains; it never shrinks, and is sized at start for
 * server.max-connections, which bounds the sources open at once.
 */
#include "config.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/err.h"
#include "server/peers.h"

#define PEERS_MIN	64	/* chains, at least */

struct peers_ent {
	struct peers_ent *next;
	struct peers_key key;
	unsigned n;			/* connections open from key */
};

struct peers {
	pthread_mutex_t mu;
	struct peers_ent **tab;
	size_t size;			/* chains, a power of two */
	size_t count;			/* entries */
	uint64_t seed;
};

int
peers_key(const struct sockaddr *sa, struct peers_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		k->a[10] = k->a[11] = 0xff;
		memcpy(k->a + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			memcpy(k->a, &s6->sin6_addr, 16);
		else
			memcpy(k->a, &s6->sin6_addr, 8);
		return 0;
	}
	return SKM_EINVAL;
}

static size_t
peers_hash(const struct peers *p, const struct peers_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ p->seed;
	size_t i;

	for (i = 0; i < sizeof(k->a); i++)
		h = (h ^ k->a[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	return (size_t)(h & (p->size - 1));
}

int
peers_new(unsigned expect, struct peers **out)
{
	struct peers *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return SKM_ENOMEM;
	for (p->size = PEERS_MIN; p->size < expect && p->size < ((size_t)1 << 30); )
		p->size *= 2;
	if ((p->tab = calloc(p->size, sizeof(*p->tab))) == NULL) {
		free(p);
		return SKM_ENOMEM;
	}
	if (RAND_bytes((unsigned char *)&p->seed, sizeof(p->seed)) != 1) {
		free(p->tab);
		free(p);
		return SKM_ECRYPTO;
	}
	pthread_mutex_init(&p->mu, NULL);
	*out = p;
	return 0;
}

void
peers_free(struct peers *p)
{
	struct peers_ent *e, *next;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->size; i++)
		for (e = p->tab[i]; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	pthread_mutex_destroy(&p->mu);
	free(p->tab);
	free(p);
}

/* The link pointing at k's entry, or at the NULL ending its chain. */
static struct peers_ent **
peers_slot(struct peers *p, const struct peers_key *k)
{
	struct peers_ent **pp = &p->tab[peers_hash(p, k)];

	while (*pp != NULL && memcmp(&(*pp)->key, k, sizeof(*k)) != 0)
		pp = &(*pp)->next;
	return pp;
}

/* Twice the chains; on no memory the table stays as it is, only slower. */
static void
peers_grow(struct peers *p)
{
	struct peers_ent **old = p->tab, *e, *next;
	size_t oldsize = p->size, i;

	if ((p->tab = calloc(2 * oldsize, sizeof(*p->tab))) == NULL) {
		p->tab = old;
		return;
	}
	p->size = 2 * oldsize;
	for (i = 0; i < oldsize; i++)
		for (e = old[i]; e != NULL; e = next) {
			size_t h = peers_hash(p, &e->key);

			next = e->next;
			e->next = p->tab[h];
			p->tab[h] = e;
		}
	free(old);
}

int
peers_take(struct peers *p, const struct peers_key *k, unsigned limit)
{
	struct peers_ent **pp, *e;
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	pp = peers_slot(p, k);
	if ((e = *pp) != NULL) {
		if (limit != 0 && e->n >= limit)
			rc = SKM_EBUSY;
		else
			e->n++;
		goto out;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	e->key = *k;
	e->n = 1;
	*pp = e;
	if (++p->count > p->size)
		peers_grow(p);
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void
peers_drop(struct peers *p, const struct peers_key *k)
{
	struct peers_ent **pp, *e;

	pthread_mutex_lock(&p->mu);
	pp = peers_slot(p, k);
	if ((e = *pp) != NULL && --e->n == 0) {
		*pp = e->next;
		free(e);
		p->count--;
	}
	pthread_mutex_unlock(&p->mu);
}

unsigned
peers_count(struct peers *p, const struct peers_key *k)
{
	struct peers_ent *e;
	unsigned n;

	pthread_mutex_lock(&p->mu);
	e = *peers_slot(p, k);
	n = e != NULL ? e->n : 0;
	pthread_mutex_unlock(&p->mu);
	return n;
}

unsigned
peers_sources(struct peers *p)
{
	unsigned n;

	pthread_mutex_lock(&p->mu);
	n = (unsigned)p->count;
	pthread_mutex_unlock(&p->mu);
	return n;
}
