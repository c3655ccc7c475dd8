/* SPDX-License-Identifier: ISC */
/*
 * The master secrets record: one opaque octet string (the caller's, e.g.
 * KSAK || PRF key || z) sealed under the key-encryption key. The store
 * never sees it in clear except in the caller's buffers. Every sealed
 * record lives in the STORE_C_SECRETS class, its key starting with that
 * octet, so that store_secrets_reseal() finds them all.
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

/*
 * Re-seals every record of the STORE_C_SECRETS class: unseals it under
 * from and seals it under to, in the write transaction t, so that a
 * commit moves all of them at once and an abort none. *n (may be NULL)
 * gets the number of records. A record that does not open under from is
 * SKM_EVERIFY (sticky): from is not the key the store is sealed under.
 * Plaintext lives only in a secure-heap buffer, cleansed after each record.
 */
int store_secrets_reseal(struct store_txn *t, const struct kek *from,
    const struct kek *to, size_t *n);

#endif
