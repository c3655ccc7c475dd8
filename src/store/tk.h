/* SPDX-License-Identifier: ISC */
/*
 * The Transport Key (TrK) and Integrity Key (InK) of an identity, for the
 * security extension of TS 33.180 D.1: each 256 bits with its ID, plus the
 * next TrK and InK of a rotation, waiting to be delivered wrapped under
 * the current TrK. An identity has one record of its own and one per
 * device it was given keys for. Key: STORE_C_TK || URI for the identity's,
 * STORE_C_TK || URI || 0x00 || device for a device's (a URI holds no NUL,
 * so an identity's records are one range of keys). Value: version(1) || the four
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
#define STORE_TK_DEVICE_MAX	64	/* octets of a device name */

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
 * The key of the record of uri (len octets) and device (NULL or "": the
 * identity's own) into key (STORE_KEY_MAX octets): its length, or 0 when
 * uri or device is empty or too long.
 */
size_t store_tk_key(uint8_t *key, const uint8_t *uri, size_t len, const char *device);

/*
 * Reads and unseals the record of uri (len octets) and device (NULL or
 * "": the identity's own) into out: 0, SKM_ENOTFOUND, SKM_EVERIFY (not
 * opened by kek), SKM_ELEN. out is cleansed on failure.
 */
int store_tk_get(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const char *device, struct store_tk *out);

/* Unseals the value val (vlen octets) of the record whose key is key, as store_tk_get. */
int store_tk_open(const struct kek *kek, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, struct store_tk *out);

/* 0 when uri (len octets) has a record, its own or a device's, SKM_ENOTFOUND when not. */
int store_tk_has(struct store_txn *t, const uint8_t *uri, size_t len);

/*
 * Seals tk and stores it for uri and device (NULL or ""), replacing any; a
 * record with no slot set is deleted.
 */
int store_tk_put(struct store_txn *t, const struct kek *kek, const uint8_t *uri,
    size_t len, const char *device, const struct store_tk *tk);

/* One record as store_tk_each() finds it; nothing unsealed. */
struct store_tk_rec {
	const char *uri;	/* NUL-terminated */
	size_t len;
	const char *device;	/* "" for the identity's own record */
	const uint8_t *key;	/* the record's key and sealed value, valid during the call */
	size_t klen;
	const uint8_t *val;
	size_t vlen;
};

/*
 * Calls fn with each record of uri (len octets), the identity's own first,
 * or with every record when uri is NULL, in key order; fn as
 * store_txn_scan's (0 go on, > 0 stop, < 0 stop with that error).
 */
int store_tk_each(struct store_txn *t, const uint8_t *uri, size_t len,
    int (*fn)(const struct store_tk_rec *r, void *arg), void *arg);

/*
 * Deletes every record of uri (len octets): the identity's own and its
 * devices'. 0 when there was none. For a removed identity, whose keys
 * must not come back with a later identity of the same URI.
 */
int store_tk_del_all(struct store_txn *t, const uint8_t *uri, size_t len);

/* A usable device name: 1 to STORE_TK_DEVICE_MAX octets, as an ID. */
int store_tk_device_ok(const char *device);

/* A usable ID: 1 to STORE_TK_ID_MAX printable ASCII octets, no space. */
int store_tk_id_ok(const char *id);

#endif
