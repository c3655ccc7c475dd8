/* SPDX-License-Identifier: ISC */
/*
 * Revocation of single key periods of an identity (one lost or
 * compromised key set), and the check that combines it with the identity
 * record: may this identity get keys for this period? Key: class || u16
 * URI length || URI || u64 period number, all big-endian, so one
 * identity's periods are one key range in numeric order.
 */
#ifndef SKM_STORE_PERIOD_H
#define SKM_STORE_PERIOD_H

#include <stddef.h>
#include <stdint.h>

struct store_txn;

/* Revokes period_no of the (stored) identity uri at time at, with a reason. */
int store_period_revoke(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t at, const char *reason);

/* Lifts a period revocation; SKM_ENOTFOUND if there is none. */
int store_period_unrevoke(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no);

/* 1 if period_no of uri is revoked, 0 if not, or a negative SKM_E*. */
int store_period_revoked(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no);

/* Calls fn for each revoked period of uri in ascending period order (see store_txn_scan). */
typedef int store_period_fn(uint64_t period_no, int64_t at, const char *reason,
    void *arg);
int store_period_list(struct store_txn *t, const uint8_t *uri, size_t len,
    store_period_fn *fn, void *arg);

/*
 * May the identity uri get keys for period_no, which spans [start, end)?
 * 0 if so; SKM_ENOTFOUND for an unknown identity; otherwise as
 * identity_state_period(). The caller computes start and end from the
 * domain's UserKeyPeriod and UserKeyOffset.
 */
int store_period_check(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t start, int64_t end);

/*
 * May skmsd issue the key set of period_no of uri at time now? As
 * store_period_check() with identity_state_issue(): an identity revoked at
 * now gets none, whatever the period. (skmsctl's offline derivation uses
 * store_period_check(), which judges the period alone.)
 */
int store_period_issue(struct store_txn *t, const uint8_t *uri, size_t len,
    uint64_t period_no, int64_t start, int64_t end, int64_t now);

#endif
