/* SPDX-License-Identifier: ISC */
/*
 * skmsd's logger (see log.h). Formats into a bounded line, so a hostile
 * value can make a line short but never long, and escapes every octet
 * that is not printable ASCII as \xHH in the finished line, so no caller
 * can let a client-supplied string forge a line, move the terminal or
 * hand syslog invalid UTF-8.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/err.h>

#include "server/log.h"

#define LOG_LINE_MAX	1024

static const char *log_prog = "skmsd";
static int log_syslog;
/* Set on SIGHUP while every loop thread logs. */
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

void
log_init(const char *prog, enum conf_log_target target,
    enum conf_log_facility facility, enum conf_log_level level)
{
	log_prog = prog;
	log_level = (int)level;
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

static void
log_emit(enum conf_log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char raw[LOG_LINE_MAX], line[4 * LOG_LINE_MAX];
	int n;

	if ((int)level < log_level)
		return;
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n >= 0 && suffix != NULL && (size_t)n < sizeof(raw))
		snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s", suffix);
	log_escape(raw, line, sizeof(line));
	if (log_syslog)
		syslog(log_priorities[level], "%s", line);
	else
		fprintf(stderr, "%s: %s\n", log_prog, line);
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
