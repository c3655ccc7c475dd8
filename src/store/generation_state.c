/* SPDX-License-Identifier: ISC */
/*
 * Generation states derived from effective-from times (the identity_state
 * approach): a pure function of the list and a time, tested exhaustively
 * around every boundary. No I/O, no clock.
 */
#include "store/generation_state.h"
#include "common/err.h"

static int
generation_ordered(const int64_t *eff, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (eff[i] <= eff[i - 1])
			return 0;
	return 1;
}

enum generation_state
generation_state(const int64_t *eff, size_t n, size_t i, int64_t now)
{
	if (i >= n || !generation_ordered(eff, n))
		return GENERATION_RETIRED;
	if (now < eff[i])
		return GENERATION_NEXT;
	if (i + 1 < n && now >= eff[i + 1])
		return GENERATION_RETIRED;
	return GENERATION_CURRENT;
}

const char *
generation_state_name(enum generation_state s)
{
	switch (s) {
	case GENERATION_NEXT:
		return "next";
	case GENERATION_CURRENT:
		return "current";
	case GENERATION_RETIRED:
		return "retired";
	}
	return "unknown";
}

int
generation_for(const int64_t *eff, size_t n, int64_t start, size_t *i)
{
	size_t k;

	*i = 0;
	if (!generation_ordered(eff, n))
		return SKM_ESTATE;
	for (k = n; k > 0; k--)
		if (eff[k - 1] <= start) {
			*i = k - 1;
			return 0;
		}
	return SKM_ENOTFOUND;
}

int
generation_purgeable(const int64_t *eff, size_t n, size_t i, int64_t now,
    int64_t oldest)
{
	if (i >= n || generation_state(eff, n, i, now) != GENERATION_RETIRED ||
	    !generation_ordered(eff, n))
		return 0;
	/* A window reaching into i's periods still needs i's secrets. */
	return eff[i + 1] <= oldest;
}
