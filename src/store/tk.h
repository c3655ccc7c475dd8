/* SPDX-License-Identifier: ISC */
/*
 * The Transport Key (TrK) and Integrity Key (InK) of an identity, for the
 * security extension of TS 33.180 D.1: each 256 bits with its ID, plus the
 * next TrK and InK of a rotation, waiting to be delivered wrapped under
 * the current TrK. Key: STORE_C_TK || URI. Value: version(1) || the four
 * slots sealed under the key-encryption key as the master secrets are
 * (secrets.c: the associated data is the record key and the version, and
 * a key-encryption key rotation re-seals them). IDs are sealed too: the
 * record says nothing without the key-encryption key.
 */
#ifndef SKM_STORE_TK_H
#define SKM_STORE_TK_H

#include <stddef.h>
#include <stdint.h>

struct kek;
struct store_txn;

#define STORE_TK_KEY_LEN	32
#define STORE_TK_ID_MAX		128	/* octets of an ID */

struct store_tk_slot {
	int set;
	char id[STORE_TK_ID_MAX + 1];
	uint8_t key[STORE_TK_KEY_LEN];	/* SECRET */
};

enum store_tk_which {
	STORE_TK_TRK,		/* the current TrK */
	STORE_TK_TRK_NEXT,	/* a new TrK to deliver (NewTransportKey) */
	STORE_TK_INK,		/* the current InK */
	STORE_TK_INK_NEXT,	/* a new InK to deliver (NewIntegrityKey) */
	STORE_TK_SLOTS
};

/* SECRET as a whole: cleanse with OPENSSL_cleanse after use. */
struct store_tk {
	struct store_tk_slot slot[STORE_TK_SLOTS];
};

/*
 * Reads and unseals the record of uri (len octets) into out: 0,
 * SKM_ENOTFOUND, SKM_EVERIFY (not opened by kek), SKM_ELEN. out is
 * cleansed on failure.
 */
int store_tk_get(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, struct store_tk *out);

/* 0 when uri (len octets) has a record, SKM_ENOTFOUND when not; nothing unsealed. */
int store_tk_has(struct store_txn *t, const uint8_t *uri, size_t len);

/* Seals tk and stores it for uri, replacing any; a record with no slot set is deleted. */
int store_tk_put(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const struct store_tk *tk);

/* Calls fn with each URI that has a record, in key order; fn as store_txn_scan's. */
int store_tk_list(struct store_txn *t, int (*fn)(const char *uri, size_t len, void *arg),
    void *arg);

/* A usable ID: 1 to STORE_TK_ID_MAX printable ASCII octets, no space. */
int store_tk_id_ok(const char *id);

#endif
