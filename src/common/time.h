/* SPDX-License-Identifier: ISC */
/*
 * Time for the KMS interface: ISO 8601 UTC text and Unix seconds, and the
 * NTP seconds (epoch 1900-01-01 00:00 UTC) that key periods and MIKEY
 * timestamps count in. Calendar arithmetic is done here (proleptic
 * Gregorian, days from civil), so nothing depends on the process time
 * zone, timegm or gmtime_r. Never reads the clock.
 */
#ifndef SKM_COMMON_TIME_H
#define SKM_COMMON_TIME_H

#include <stddef.h>
#include <stdint.h>

#define TIME_NTP_UNIX_OFFSET	2208988800ULL	/* 1900-01-01 to 1970-01-01 */
#define TIME_TEXT_LEN		21		/* YYYY-MM-DDTHH:MM:SSZ and NUL */

/*
 * Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)", a date "YYYY-MM-DD"
 * alone (midnight UTC) or "@<seconds since 1970>" (optionally negative).
 * Fractions are truncated. Other zones, out-of-range fields, leap seconds
 * and trailing text are SKM_EINVAL.
 */
int time_parse(const char *text, int64_t *unix_seconds);

/* NTP seconds for unix_seconds; 0 for times before 1900 (see _checked). */
uint64_t time_unix_to_ntp(int64_t unix_seconds);

/* The same, SKM_ERANGE for times before 1900-01-01 00:00 UTC. */
int time_unix_to_ntp_checked(int64_t unix_seconds, uint64_t *ntp_seconds);

/* Unix seconds for ntp_seconds; saturates at INT64_MAX. */
int64_t time_ntp_to_unix(uint64_t ntp_seconds);

/*
 * The NTP seconds (from 1900, era included) nearest ref_unix whose low 32
 * bits are ntp32, for a 32-bit seconds field such as the upper half of a
 * 64-bit NTP timestamp. Such a field wraps every 2^32 s (RFC 5905 6: era 0
 * ends 2036-02-07 06:28:16 UTC), so the result lies within 2^31 s of
 * ref_unix, never before 1900. The reference is passed in: nothing here
 * reads the clock.
 */
uint64_t time_ntp32_near(uint32_t ntp32, int64_t ref_unix);

/*
 * Writes "YYYY-MM-DDTHH:MM:SSZ" into buf (len >= TIME_TEXT_LEN, else
 * SKM_ELEN); years outside 0000..9999 are SKM_ERANGE.
 */
int time_format(int64_t unix_seconds, char *buf, size_t len);

/* Seconds on the monotonic clock: for deadlines and durations only. */
double time_monotonic(void);

#endif
