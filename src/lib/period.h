/* SPDX-License-Identifier: ISC */
/*
 * Key periods on the NTP time base (seconds since 1900-01-01 00:00 UTC),
 * TS 33.180 F.2.1: period n covers [n P + O, (n + 1) P + O) for the
 * UserKeyPeriod P and UserKeyOffset O of the KMS certificate. Pure
 * arithmetic; callers convert their clock with common/time.h.
 */
#ifndef SKM_LIB_PERIOD_H
#define SKM_LIB_PERIOD_H

#include <stdint.h>

/*
 * *period_no = floor((ntp_seconds - key_offset) / key_period). A zero
 * period is SKM_EINVAL; a time before the offset is SKM_ERANGE.
 */
int period_number(uint64_t ntp_seconds, uint64_t key_period, uint64_t key_offset,
    uint64_t *period_no);

/*
 * The NTP start (inclusive) and end (exclusive) of period_no. SKM_EINVAL
 * for a zero period, SKM_ERANGE when the end does not fit in 64 bits.
 */
int period_bounds(uint64_t period_no, uint64_t key_period, uint64_t key_offset,
    uint64_t *start_ntp, uint64_t *end_ntp);

#endif
