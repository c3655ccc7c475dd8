/* SPDX-License-Identifier: ISC */
/*
 * skmsd's logger (see log.h). Formats into a bounded line, so a hostile
 * value can make a line short but never long, and escapes every octet
 * that is not printable ASCII as \xHH in the finished line, so no caller
 * can let a client-supplied string forge a line, move the terminal or
 * hand syslog invalid UTF-8.
 *
 * Standard error gets a timestamp per line unless it is the journal's
 * stream (journald stamps lines itself and reads the priority from a
 * "<N>" prefix); log.format json wraps the escaped message in a JSON
 * object, whose own escaping then only meets the quote and the backslash.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include <openssl/err.h>

#include "common/time.h"
#include "server/log.h"

#define LOG_LINE_MAX	1024
/* The escaped message (up to 4 octets per octet), JSON-escaped (2 per), framed. */
#define LOG_OUT_MAX	(8 * LOG_LINE_MAX + 128)

static const char *log_prog = "skmsd";
static int log_syslog;
static int log_journal;
/* Both set on SIGHUP while every loop thread logs. */
static _Atomic int log_format = CONF_LOG_TEXT;
static _Atomic int log_level = CONF_LOG_INFO;
/* One lock for all limiters: they are shared by the loops and seldom hit. */
static pthread_mutex_t log_rate_mu = PTHREAD_MUTEX_INITIALIZER;

static const int log_facilities[] = {
	[CONF_FAC_DAEMON] = LOG_DAEMON,
	[CONF_FAC_LOCAL0] = LOG_LOCAL0,
	[CONF_FAC_LOCAL1] = LOG_LOCAL1,
	[CONF_FAC_LOCAL2] = LOG_LOCAL2,
	[CONF_FAC_LOCAL3] = LOG_LOCAL3,
	[CONF_FAC_LOCAL4] = LOG_LOCAL4,
	[CONF_FAC_LOCAL5] = LOG_LOCAL5,
	[CONF_FAC_LOCAL6] = LOG_LOCAL6,
	[CONF_FAC_LOCAL7] = LOG_LOCAL7,
};

static const int log_priorities[] = {
	[CONF_LOG_DEBUG] = LOG_DEBUG,
	[CONF_LOG_INFO] = LOG_INFO,
	[CONF_LOG_NOTICE] = LOG_NOTICE,
	[CONF_LOG_WARNING] = LOG_WARNING,
	[CONF_LOG_ERROR] = LOG_ERR,
};

int
log_journal_stream(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char *end;

	/* "DEVICE:INODE" in decimal, as systemd sets it for the stream it opened. */
	if (env == NULL || *env < '0' || *env > '9')
		return 0;
	errno = 0;
	dev = strtoull(env, &end, 10);
	if (errno != 0 || *end != ':' || end[1] < '0' || end[1] > '9')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || fstat(fd, &sb) != 0)
		return 0;
	/* Inherited by a child whose stderr went elsewhere: not the journal's. */
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void
log_init(const char *prog, enum conf_log_target target,
    enum conf_log_facility facility, enum conf_log_level level)
{
	log_prog = prog;
	log_level = (int)level;
	log_journal = target == CONF_LOG_STDERR && log_journal_stream(2);
	if (target == CONF_LOG_SYSLOG && !log_syslog) {
		openlog(prog, LOG_PID | LOG_NDELAY, log_facilities[facility]);
		log_syslog = 1;
	}
}

void
log_set_level(enum conf_log_level level)
{
	log_level = (int)level;
}

void
log_set_format(enum conf_log_format format)
{
	log_format = (int)format;
}

size_t
log_escape(const char *in, char *out, size_t cap)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	if (cap == 0)
		return 0;
	for (; *p != '\0'; p++) {
		/* The backslash too, so that an escape in the log is always ours. */
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)*p;
			continue;
		}
		if (n + 4 >= cap)
			break;
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hexd[*p >> 4];
		out[n++] = hexd[*p & 15];
	}
	out[n] = '\0';
	return n;
}

/* JSON string contents (RFC 8259 section 7); stops before an escape that would not fit. */
static size_t
log_json_escape(const char *in, char *out, size_t cap)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			if (n + 2 >= cap)
				break;
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p < 0x20) {
			if (n + 6 >= cap)
				break;
			memcpy(out + n, "\\u00", 4);
			out[n + 4] = hexd[*p >> 4];
			out[n + 5] = hexd[*p & 15];
			n += 6;
		} else {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return n;
}

size_t
log_line(char *out, size_t cap, const struct log_style *st, enum conf_log_level level,
    int64_t ms, const char *msg)
{
	static const char *const names[] = {
		[CONF_LOG_DEBUG] = "debug",
		[CONF_LOG_INFO] = "info",
		[CONF_LOG_NOTICE] = "notice",
		[CONF_LOG_WARNING] = "warning",
		[CONF_LOG_ERROR] = "error",
	};
	char ts[TIME_TEXT_LEN + 4] = "", prio[8] = "";
	const char *nl = st->dest == LOG_DEST_SYSLOG ? "" : "\n";
	size_t n, room;
	int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int k;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	/* journald strips the prefix and files the line under that priority. */
	if (st->dest == LOG_DEST_JOURNAL)
		snprintf(prio, sizeof(prio), "<%d>", log_priorities[level]);
	if (st->format == CONF_LOG_JSON) {
		/* RFC 3339 UTC with milliseconds: "...:SS" then ".mmmZ". */
		if (time_format(sec, ts, sizeof(ts)) == 0)
			snprintf(ts + TIME_TEXT_LEN - 2, sizeof(ts) - (TIME_TEXT_LEN - 2),
			    ".%03dZ", (int)(ms - sec * 1000));
		k = snprintf(out, cap, "%s{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"",
		    prio, ts, names[level]);
		if (k < 0 || (size_t)k >= cap)
			goto short_buf;
		n = (size_t)k;
		/* Room for the closing quote, brace, newline and NUL. */
		room = cap - n;
		if (room < 4)
			goto short_buf;
		n += log_json_escape(msg, out + n, room - 3);
		snprintf(out + n, cap - n, "\"}%s", nl);
		return strlen(out);
	}
	if (st->dest == LOG_DEST_STDERR) {
		if (time_format(sec, ts, sizeof(ts)) == 0)
			strcat(ts, " ");
		k = snprintf(out, cap, "%s%s: %s%s", ts, st->prog, msg, nl);
	} else
		k = snprintf(out, cap, "%s%s%s", prio, msg, nl);
	if (k < 0)
		goto short_buf;
	return (size_t)k < cap ? (size_t)k : cap - 1;
short_buf:
	out[0] = '\0';
	return 0;
}

static void
log_emit(enum conf_log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], line[4 * LOG_LINE_MAX], out[LOG_OUT_MAX];
	struct log_style st;
	struct timespec now;
	int n;

	if ((int)level < log_level)
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n >= 0 && suffix != NULL && (size_t)n < sizeof(raw))
		snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s", suffix);
	log_escape(raw, line, sizeof(line));
	st.prog = log_prog;
	st.format = (enum conf_log_format)log_format;
	st.dest = log_syslog ? LOG_DEST_SYSLOG : log_journal ? LOG_DEST_JOURNAL :
	    LOG_DEST_STDERR;
	clock_gettime(CLOCK_REALTIME, &now);
	log_line(out, sizeof(out), &st, level,
	    (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, line);
	if (log_syslog)
		syslog(log_priorities[level], "%s", out);
	else
		fputs(out, stderr);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(CONF_LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(CONF_LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(CONF_LOG_NOTICE, NULL, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(CONF_LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(CONF_LOG_WARNING, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_crypto(const char *fmt, ...)
{
	char reason[256] = "unknown error";
	unsigned long e, last = 0;
	va_list ap;

	/* The last queued error is the outermost, most useful reason. */
	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0)
		ERR_error_string_n(last, reason, sizeof(reason));
	va_start(ap, fmt);
	log_emit(CONF_LOG_WARNING, reason, fmt, ap);
	va_end(ap);
}

int
log_rate_ok(struct log_rate *r)
{
	struct timespec ts;
	double now;
	unsigned long suppressed = 0;
	int ok = 1;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	pthread_mutex_lock(&log_rate_mu);
	if (now - r->window_start >= r->interval) {
		suppressed = r->suppressed;
		r->window_start = now;
		r->sent = 0;
		r->suppressed = 0;
	}
	if (r->sent >= r->burst) {
		r->suppressed++;
		ok = 0;
	} else
		r->sent++;
	pthread_mutex_unlock(&log_rate_mu);
	if (suppressed > 0)
		log_warnx("%lu similar messages suppressed", suppressed);
	return ok;
}
