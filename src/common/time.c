/* SPDX-License-Identifier: ISC */
/*
 * ISO 8601 UTC parsing and formatting and the NTP epoch shift, by exact
 * integer arithmetic (days from civil date and back, proleptic
 * Gregorian). Strict on input: what it does not accept it refuses rather
 * than guesses. Thread-safe: no static state, no libc time zone calls.
 */
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "common/err.h"
#include "common/time.h"

#define DAY	86400

/* Days since 1970-01-01 of y-m-d; eras of 400 years keep it exact. */
static int64_t
days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era, yoe, doy, doe;

	/* count years from March so the leap day ends the year */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int
month_days(int64_t y, unsigned int m)
{
	static const unsigned char days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Exactly n decimal digits at *p; advances *p. */
static int
digits(const char **p, int n, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return SKM_EINVAL;
		v = v * 10 + (unsigned int)((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int
parse_unix(const char *s, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0, lim;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return SKM_EINVAL;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return SKM_EINVAL;
		if (v > (lim - (uint64_t)(*s - '0')) / 10)
			return SKM_EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int
time_parse(const char *text, int64_t *unix_seconds)
{
	unsigned int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *p = text;

	if (text == NULL)
		return SKM_EINVAL;
	if (*p == '@')
		return parse_unix(p + 1, unix_seconds);
	if (digits(&p, 4, &y) != 0 || *p++ != '-' || digits(&p, 2, &mo) != 0 ||
	    *p++ != '-' || digits(&p, 2, &d) != 0)
		return SKM_EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return SKM_EINVAL;
	if (*p != '\0') {
		if (*p++ != 'T' || digits(&p, 2, &h) != 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) != 0 || *p++ != ':' || digits(&p, 2, &sec) != 0)
			return SKM_EINVAL;
		if (h > 23 || mi > 59 || sec > 59)
			return SKM_EINVAL;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return SKM_EINVAL;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
			return SKM_EINVAL;
	}
	*unix_seconds = days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec;
	return 0;
}

int
time_unix_to_ntp_checked(int64_t unix_seconds, uint64_t *ntp_seconds)
{
	if (unix_seconds < -(int64_t)TIME_NTP_UNIX_OFFSET)
		return SKM_ERANGE;
	/* two's complement wrap gives the exact sum for negative inputs */
	*ntp_seconds = (uint64_t)unix_seconds + TIME_NTP_UNIX_OFFSET;
	return 0;
}

uint64_t
time_unix_to_ntp(int64_t unix_seconds)
{
	uint64_t ntp;

	return time_unix_to_ntp_checked(unix_seconds, &ntp) == 0 ? ntp : 0;
}

int64_t
time_ntp_to_unix(uint64_t ntp_seconds)
{
	uint64_t u = ntp_seconds - TIME_NTP_UNIX_OFFSET;

	if (ntp_seconds >= TIME_NTP_UNIX_OFFSET)
		return u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
	return -(int64_t)(TIME_NTP_UNIX_OFFSET - ntp_seconds);
}

uint64_t
time_ntp32_near(uint32_t ntp32, int64_t ref_unix)
{
	uint64_t ref;
	uint32_t diff;

	if (time_unix_to_ntp_checked(ref_unix, &ref) != 0)
		ref = 0;
	/* ahead of the reference by less than 2^31 s, else behind it */
	diff = ntp32 - (uint32_t)ref;
	if (diff < 0x80000000U)
		return ref + diff;
	diff = 0U - diff;	/* how far behind, 1 to 2^31 */
	if (diff > ref)
		return ref + (0x100000000ULL - diff);	/* never before 1900 */
	return ref - diff;
}

static void
time_two(char *p, unsigned int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

int
time_format(int64_t unix_seconds, char *buf, size_t len)
{
	int64_t days, rem, y;
	unsigned int m, d;

	if (buf == NULL || len < TIME_TEXT_LEN)
		return SKM_ELEN;
	/* floor division so times before 1970 land on the right day */
	days = unix_seconds / DAY;
	rem = unix_seconds % DAY;
	if (rem < 0) {
		rem += DAY;
		days--;
	}
	/* 0000-01-01 .. 9999-12-31 */
	if (days < -719528 || days > 2932896)
		return SKM_ERANGE;
	civil_from_days(days, &y, &m, &d);
	/* YYYY-MM-DDThh:mm:ssZ, digit by digit: this runs for every key set served. */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	time_two(buf + 5, m);
	buf[7] = '-';
	time_two(buf + 8, d);
	buf[10] = 'T';
	time_two(buf + 11, (unsigned int)(rem / 3600));
	buf[13] = ':';
	time_two(buf + 14, (unsigned int)(rem / 60 % 60));
	buf[16] = ':';
	time_two(buf + 17, (unsigned int)(rem % 60));
	buf[19] = 'Z';
	buf[20] = '\0';
	return 0;
}

double
time_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
