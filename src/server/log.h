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
#include <stdint.h>

#include "conf/conf.h"

/* Where log lines go; before log_init() everything goes to stderr at info. */
void log_init(const char *prog, enum conf_log_target target,
    enum conf_log_facility facility, enum conf_log_level level);

/* Changes the level (SIGHUP); the target stays as started. */
void log_set_level(enum conf_log_level level);

/* Text lines or JSON objects (log.format), at start and at SIGHUP. */
void log_set_format(enum conf_log_format format);

/*
 * 1 when fd is the stream systemd connected to the journal: the
 * JOURNAL_STREAM environment variable names its device and inode. A
 * stderr that has been redirected since, or an inherited variable,
 * does not match. log_init() asks this of stderr.
 */
int log_journal_stream(int fd);

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

/* How a line is framed: see log_line(). */
enum log_dest {
	LOG_DEST_STDERR,	/* our own timestamp */
	LOG_DEST_JOURNAL,	/* stderr read by journald: a "<N>" priority, no timestamp */
	LOG_DEST_SYSLOG,	/* syslog(3): no newline, no timestamp */
};

struct log_style {
	const char *prog;
	enum conf_log_format format;
	enum log_dest dest;
};

/*
 * Frames msg (already escaped by log_escape) as the line that leaves,
 * logged at level and at ms (Unix time in milliseconds), into out (cap
 * octets, NUL-terminated); returns its length.
 *   text:  "YYYY-MM-DDTHH:MM:SSZ prog: msg\n", to the journal "<N>msg\n"
 *   json:  {"time":"YYYY-MM-DDTHH:MM:SS.mmmZ","level":"info","msg":"..."}
 *          and a newline, to the journal after "<N>"
 * syslog gets the same without prefix nor newline. The JSON escaping of
 * msg stops before an escape that would not fit, so a cut line is still
 * one valid object.
 */
size_t log_line(char *out, size_t cap, const struct log_style *st,
    enum conf_log_level level, int64_t ms, const char *msg);

/* True when a line may be logged now; counts the suppressed ones. */
int log_rate_ok(struct log_rate *r);

#endif
