/* SPDX-License-Identifier: ISC */
/*
 * Identity states derived from stored timestamps (the Knot kasp keystate
 * approach): a pure function of the record and a time, tested exhaustively
 * at every boundary. No I/O, no clock.
 */
#include "store/identity_state.h"
#include "common/err.h"

enum identity_state
identity_state(const struct identity_rec *r, int64_t now)
{
	if (r->revoked_at != 0 && now >= r->revoked_at)
		return IDENTITY_REVOKED;
	if (now < r->valid_from)
		return IDENTITY_NOT_YET_VALID;
	if (r->valid_to != 0 && now >= r->valid_to)
		return IDENTITY_EXPIRED;
	return IDENTITY_ACTIVE;
}

const char *
identity_state_name(enum identity_state s)
{
	switch (s) {
	case IDENTITY_NOT_YET_VALID:
		return "not-yet-valid";
	case IDENTITY_ACTIVE:
		return "active";
	case IDENTITY_EXPIRED:
		return "expired";
	case IDENTITY_REVOKED:
		return "revoked";
	}
	return "unknown";
}

int
identity_state_period(const struct identity_rec *r, int64_t start,
    int64_t end, int period_revoked)
{
	if (end <= start)
		return SKM_EINVAL;
	if (period_revoked)
		return SKM_EREVOKED;
	/*
	 * Keys for a period are used until its end: a revocation that takes
	 * effect before then must withhold them, even mid-period.
	 */
	if (r->revoked_at != 0 && r->revoked_at < end)
		return SKM_EREVOKED;
	/* [valid_from, valid_to) must meet [start, end). */
	if (r->valid_from >= end)
		return SKM_ESTATE;
	if (r->valid_to != 0 && (r->valid_to <= start || r->valid_to <= r->valid_from))
		return SKM_ESTATE;
	return 0;
}

int
identity_state_issue(const struct identity_rec *r, int64_t start, int64_t end,
    int period_revoked, int64_t now)
{
	if (end <= start)
		return SKM_EINVAL;
	/*
	 * A revoked device must not collect the key set of an earlier period
	 * either: with it, it could still read that period's traffic.
	 */
	if (identity_state(r, now) == IDENTITY_REVOKED)
		return SKM_EREVOKED;
	return identity_state_period(r, start, end, period_revoked);
}
