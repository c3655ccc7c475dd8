/* SPDX-License-Identifier: ISC */
/*
 * Identity records as the store keeps them, and the states derived from
 * their timestamps. The store keeps times, never states: a state is a pure
 * function of the record and a time, so nothing has to be updated when a
 * validity period starts or ends. No I/O and no clock reads here.
 */
#ifndef SKM_STORE_IDENTITY_STATE_H
#define SKM_STORE_IDENTITY_STATE_H

#include <stddef.h>
#include <stdint.h>

enum identity_role {
	IDENTITY_USER = 1,	/* a VAL user */
	IDENTITY_GMS = 2,	/* a group management server URI */
};

enum identity_state {
	IDENTITY_NOT_YET_VALID = 0,
	IDENTITY_ACTIVE = 1,
	IDENTITY_EXPIRED = 2,
	IDENTITY_REVOKED = 3,
};

/* A state_mask bit for store_identity_list(). */
#define IDENTITY_STATE_BIT(s)	(1u << (s))

/*
 * One identity. Validity is [valid_from, valid_to), valid_to 0 meaning no
 * end; revoked_at 0 means not revoked, otherwise revoked from that time on.
 * Times are Unix seconds. Records read from the store point into it (see
 * struct store_txn for how long).
 */
struct identity_rec {
	const uint8_t *uri;	/* the exact octets the UID is computed over */
	size_t uri_len;
	enum identity_role role;
	int64_t created;
	int64_t valid_from;
	int64_t valid_to;
	int64_t revoked_at;
	const char *reason;	/* why revoked; "" or NULL when none */
};

/* The state of r at time now. Revocation wins over the validity window. */
enum identity_state identity_state(const struct identity_rec *r, int64_t now);

/* A static lower-case name for s ("not-yet-valid", "active", ...). */
const char *identity_state_name(enum identity_state s);

/*
 * May r get keys for the key period [start, end)? 0 if so; SKM_EREVOKED if
 * the period is revoked for r (period_revoked) or r is revoked from a time
 * before end; SKM_ESTATE if r's validity does not meet [start, end).
 */
int identity_state_period(const struct identity_rec *r, int64_t start,
    int64_t end, int period_revoked);

/*
 * May the server issue r's keys for [start, end) at time now? As
 * identity_state_period(), and SKM_EREVOKED whatever the period once r is
 * revoked at now: a revoked identity gets no key set at all, not even of
 * a period that ended before its revocation.
 */
int identity_state_issue(const struct identity_rec *r, int64_t start,
    int64_t end, int period_revoked, int64_t now);

#endif
