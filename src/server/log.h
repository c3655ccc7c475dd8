/* SPDX-License-Identifier: ISC */
/*
 * skmsd's logger: one line per event to stderr or syslog, filtered by
 * log.level. log_warn appends the errno text, log_warnx does not,
 * log_crypto drains the OpenSSL error queue. Messages never carry secrets,
 * tokens or key bytes; callers pass identifiers only. Request data may be
 * passed as it came: every line is escaped (log_escape) before it leaves.
 */
#ifndef SKM_SERVER_LOG_H
#define SKM_SERVER_LOG_H

#include <stddef.h>

#include "conf/conf.h"

/* Where log lines go; before log_init() everything goes to stderr at info. */
void log_init(const char *prog, enum conf_log_target target,
    enum conf_log_facility facility, enum conf_log_level level);

/* Changes the level (SIGHUP); the target stays as started. */
void log_set_level(enum conf_log_level level);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_crypto(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A rate limit for messages an attacker can trigger at will: at most
 * burst lines per interval seconds; the number suppressed is reported
 * with the next line let through. Zero-initialise, then set the fields.
 */
struct log_rate {
	double interval;
	unsigned burst;
	double window_start;
	unsigned sent;
	unsigned long suppressed;
};

/*
 * Copies in to out (cap octets, NUL-terminated) with every octet outside
 * printable ASCII, and the backslash, written as \xHH (lower-case hex),
 * so a line holds only printable ASCII. Stops before an escape that would
 * not fit whole. Returns the length written.
 */
size_t log_escape(const char *in, char *out, size_t cap);

/* True when a line may be logged now; counts the suppressed ones. */
int log_rate_ok(struct log_rate *r);

#endif
