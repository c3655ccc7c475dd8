/* SPDX-License-Identifier: ISC */
/* Inside the kms module: the generations behind struct kms (kms_gen.c). */
#ifndef SKM_KMS_KMS_IMPL_H
#define SKM_KMS_KMS_IMPL_H

#include <stddef.h>

#include "kms/kms.h"

struct store_txn;

/*
 * Sets up k->gens and loads every generation of the store through t,
 * unsealing with kek (kept for kms_refresh(); NULL: public only, and then
 * it is not kept). Takes kek: it is freed with k.
 */
int kms_gens_open(struct kms *k, struct store_txn *t, struct kek *kek, char *why,
    size_t whylen);

/* The key-encryption key k was opened with; NULL when opened public. */
const struct kek *kms_gens_kek(const struct kms *k);

/*
 * Calls fn with the key-encryption key under the lock that kms_kek_adopt()
 * takes; SKM_ESTATE without calling it when the key is set aside.
 */
int kms_gens_with_kek(const struct kms *k, int (*fn)(const struct kek *, void *),
    void *arg);

/*
 * The held TrK and InK of kms_tk_hold() (kms_tk.c): set up empty (0 or
 * SKM_ENOMEM), and cleansed and freed.
 */
int kms_tkc_new(struct kms *k);
void kms_tkc_free(struct kms *k);

/* Frees k->gens, its secrets and its key. */
void kms_gens_free(struct kms *k);

#endif
