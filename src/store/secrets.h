/* SPDX-License-Identifier: ISC */
/*
 * The master secrets record: one opaque octet string (the caller's, e.g.
 * KSAK || PRF key || z) sealed under the key-encryption key. The store
 * never sees it in clear except in the caller's buffers.
 */
#ifndef SKM_STORE_SECRETS_H
#define SKM_STORE_SECRETS_H

#include <stddef.h>
#include <stdint.h>

struct store_txn;
struct kek;

#define STORE_SECRETS_MAX	1024

/* Seals len octets (at most STORE_SECRETS_MAX) under kek and stores them, replacing any. */
int store_secrets_put(struct store_txn *t, const struct kek *kek,
    const uint8_t *plain, size_t len);

/*
 * Unseals the stored secrets into buf (cap octets); *len gets the length.
 * A wrong key or any altered octet of the record is SKM_EVERIFY and buf
 * holds nothing. The caller owns buf and OPENSSL_cleanse()s it after use.
 */
int store_secrets_get(struct store_txn *t, const struct kek *kek,
    uint8_t *buf, size_t cap, size_t *len);

#endif
