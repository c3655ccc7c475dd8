/* SPDX-License-Identifier: ISC */
/*
 * skmsd's state as systemd's Type=notify service protocol wants it:
 * ready once the secrets are unsealed and the listeners serve, reloading
 * around a SIGHUP, stopping at SIGTERM. Built only with libsystemd
 * (configure --with-systemd, HAVE_SYSTEMD); without it, or when
 * NOTIFY_SOCKET is unset, each call does nothing. A failed notification
 * is logged at debug level and never changes what skmsd does.
 */
#ifndef SKM_SERVER_SDNOTIFY_H
#define SKM_SERVER_SDNOTIFY_H

#ifdef HAVE_SYSTEMD
/* READY=1 with a STATUS line: at start, and when a reload is over. */
void sdnotify_ready(const char *status);

/* RELOADING=1 with MONOTONIC_USEC (the clock systemd 253 and later compare). */
void sdnotify_reloading(void);

/* STOPPING=1: the drain after SIGTERM or SIGINT has begun. */
void sdnotify_stopping(void);
#else
static inline void sdnotify_ready(const char *status) { (void)status; }
static inline void sdnotify_reloading(void) { }
static inline void sdnotify_stopping(void) { }
#endif

#endif
