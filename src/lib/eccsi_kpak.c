/* SPDX-License-Identifier: ISC */
/*
 * A small process-wide cache of KPAK tables (public data only): a few
 * entries, reference counted so that an entry in use is never freed, the
 * least recently used free entry replaced. Tables are built outside the
 * lock; when every entry is in use the caller gets a table of its own.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "lib/eccsi_kpak.h"

#define KPAK_SLOTS	4

struct eccsi_kpak {
	uint8_t kpak[ECCSI_POINT_LEN];
	struct p256_tab *tab;
	unsigned int refs;
	uint64_t used;
	int cached;
};

static struct eccsi_kpak slots[KPAK_SLOTS];
static uint64_t clock_now;
static CRYPTO_RWLOCK *lock;
static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;

static void
lock_init(void)
{
	lock = CRYPTO_THREAD_lock_new();
}

/* The slot holding kpak, with a reference taken; under the lock. */
static struct eccsi_kpak *
slot_find(const uint8_t kpak[ECCSI_POINT_LEN])
{
	int i;

	for (i = 0; i < KPAK_SLOTS; i++)
		if (slots[i].tab != NULL &&
		    memcmp(slots[i].kpak, kpak, ECCSI_POINT_LEN) == 0) {
			slots[i].refs++;
			slots[i].used = ++clock_now;
			return &slots[i];
		}
	return NULL;
}

struct eccsi_kpak *
eccsi_kpak_get(const uint8_t kpak[ECCSI_POINT_LEN])
{
	struct eccsi_kpak *k = NULL, *own;
	struct p256_tab *tab, *old = NULL;
	int i;

	if (!CRYPTO_THREAD_run_once(&once, lock_init) || lock == NULL)
		return NULL;
	if (!CRYPTO_THREAD_write_lock(lock))
		return NULL;
	k = slot_find(kpak);
	CRYPTO_THREAD_unlock(lock);
	if (k != NULL)
		return k;
	if ((tab = p256_tab_new(kpak)) == NULL)
		return NULL;
	if (!CRYPTO_THREAD_write_lock(lock)) {
		p256_tab_free(tab);
		return NULL;
	}
	/* another thread may have built it meanwhile */
	if ((k = slot_find(kpak)) == NULL) {
		for (i = 0; i < KPAK_SLOTS; i++)
			if (slots[i].refs == 0 && (k == NULL || slots[i].used < k->used))
				k = &slots[i];
		if (k != NULL) {
			old = k->tab;
			memcpy(k->kpak, kpak, ECCSI_POINT_LEN);
			k->tab = tab;
			k->refs = 1;
			k->used = ++clock_now;
			k->cached = 1;
			tab = NULL;
		}
	}
	CRYPTO_THREAD_unlock(lock);
	p256_tab_free(old);
	if (k != NULL) {
		p256_tab_free(tab);
		return k;
	}
	if ((own = OPENSSL_zalloc(sizeof(*own))) == NULL) {
		p256_tab_free(tab);
		return NULL;
	}
	memcpy(own->kpak, kpak, ECCSI_POINT_LEN);
	own->tab = tab;
	return own;
}

const struct p256_tab *
eccsi_kpak_tab(const struct eccsi_kpak *k)
{
	return k->tab;
}

void
eccsi_kpak_put(struct eccsi_kpak *k)
{
	if (k == NULL)
		return;
	if (!k->cached) {
		p256_tab_free(k->tab);
		OPENSSL_free(k);
		return;
	}
	if (CRYPTO_THREAD_write_lock(lock)) {
		k->refs--;
		CRYPTO_THREAD_unlock(lock);
	}
}
