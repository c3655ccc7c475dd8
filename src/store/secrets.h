/* SPDX-License-Identifier: ISC */
/*
 * The master secrets record: one opaque octet string (the caller's, e.g.
 * KSAK || PRF key || z) sealed under the key-encryption key, one record
 * per generation of the domain (store/generation.h). The store never sees
 * it in clear except in the caller's buffers. Every sealed record of the
 * store has a key starting with STORE_C_SECRETS or STORE_C_TK (the
 * transport and integrity keys of tk.h, sealed the same way): a re-seal
 * visits those key ranges.
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

/* As store_secrets_put() and _get() for generation gen (0: the domain's first). */
int store_secrets_put_gen(struct store_txn *t, uint32_t gen, const struct kek *kek,
    const uint8_t *plain, size_t len);
int store_secrets_get_gen(struct store_txn *t, uint32_t gen, const struct kek *kek,
    uint8_t *buf, size_t cap, size_t *len);

/* Deletes the sealed secrets of generation gen; a missing record is SKM_ENOTFOUND. */
int store_secrets_del_gen(struct store_txn *t, uint32_t gen);

#endif
