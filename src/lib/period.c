/* SPDX-License-Identifier: ISC */
/* Key period arithmetic (TS 33.180 F.2.1), overflow-checked. */
#include "common/err.h"
#include "lib/period.h"

int
period_number(uint64_t ntp_seconds, uint64_t key_period, uint64_t key_offset,
    uint64_t *period_no)
{
	if (key_period == 0)
		return SKM_EINVAL;
	if (ntp_seconds < key_offset)
		return SKM_ERANGE;
	*period_no = (ntp_seconds - key_offset) / key_period;
	return 0;
}

int
period_bounds(uint64_t period_no, uint64_t key_period, uint64_t key_offset,
    uint64_t *start_ntp, uint64_t *end_ntp)
{
	uint64_t start, end;

	if (key_period == 0)
		return SKM_EINVAL;
	if (__builtin_mul_overflow(period_no, key_period, &start) ||
	    __builtin_add_overflow(start, key_offset, &start) ||
	    __builtin_add_overflow(start, key_period, &end))
		return SKM_ERANGE;
	*start_ntp = start;
	*end_ntp = end;
	return 0;
}
