/* SPDX-License-Identifier: ISC */
/*
 * Registered identities (VAL users and GMS URIs) in the store. Key:
 * class || URI (see rec_uri_part() for URIs beyond LMDB's key limit);
 * the record keeps times, and states are derived (identity_state.h).
 */
#ifndef SKM_STORE_IDENTITY_H
#define SKM_STORE_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "store/identity_state.h"

struct store_txn;

#define STORE_URI_MAX		1024
#define STORE_REASON_MAX	1024

/* Stores r; an existing identity is SKM_EEXIST unless replace is set. */
int store_identity_put(struct store_txn *t, const struct identity_rec *r,
    int replace);

/*
 * Stores n new identities: all of them or, when any URI is already stored
 * or repeats in the batch (SKM_EEXIST), none once the transaction ends.
 */
int store_identity_bulk_put(struct store_txn *t, const struct identity_rec *r,
    size_t n);

/* Reads the identity uri into *r (pointers into the store); SKM_ENOTFOUND if none. */
int store_identity_get(struct store_txn *t, const uint8_t *uri, size_t len,
    struct identity_rec *r);

/* Deletes the identity and its period revocations; SKM_ENOTFOUND if none. */
int store_identity_del(struct store_txn *t, const uint8_t *uri, size_t len);

/*
 * Revokes the identity from time at (> 0) on, with a reason ("" allowed).
 * Already revoked is SKM_EREVOKED; unknown is SKM_ENOTFOUND.
 */
int store_identity_revoke(struct store_txn *t, const uint8_t *uri, size_t len,
    int64_t at, const char *reason);

/* Lifts a revocation (reinstatement by the admin); not revoked is SKM_ESTATE. */
int store_identity_unrevoke(struct store_txn *t, const uint8_t *uri, size_t len);

/*
 * Calls fn for each identity in key order whose state at time at is in
 * state_mask (IDENTITY_STATE_BIT()s; 0 for all). fn returns 0 to go on,
 * > 0 to stop, < 0 to stop with that error; it must not write to t.
 */
typedef int store_identity_fn(const struct identity_rec *r, void *arg);
int store_identity_list(struct store_txn *t, unsigned state_mask, int64_t at,
    store_identity_fn *fn, void *arg);

#endif
