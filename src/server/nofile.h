/* SPDX-License-Identifier: ISC */
/*
 * skmsd's file descriptor budget. Every client connection holds a
 * descriptor: server.max-connections of them are served, an eighth more
 * are answered 503, and one more is being accepted and closed. The
 * process holds its own besides (store, loops, listeners, logs), and a
 * spare for what opens later. At start the soft RLIMIT_NOFILE is raised
 * to the hard one; a configuration whose connections cannot fit under it
 * is refused, at start and at reload, rather than found out by accept()
 * failing under load. The hard limit is never raised.
 */
#ifndef SKM_SERVER_NOFILE_H
#define SKM_SERVER_NOFILE_H

#include <stddef.h>

/* Descriptors opened after start-up: the syslog socket, /metrics clients. */
#define NOFILE_SPARE	32

/*
 * Raises the soft descriptor limit to the hard one and stores the soft
 * limit now in *limit. SKM_EIO (errno kept) when it cannot be read.
 */
int nofile_raise(unsigned long *limit);

/* Descriptors open now in this process (an estimate if /proc is absent). */
unsigned nofile_open(void);

/* Descriptors needed for max_conns connections beside base of our own. */
unsigned long nofile_need(unsigned max_conns, unsigned base);

/*
 * 0 when max_conns connections fit beside base descriptors under limit;
 * otherwise SKM_ERANGE with the numbers and the remedy in why.
 */
int nofile_check(unsigned max_conns, unsigned base, unsigned long limit, char *why,
    size_t whylen);

#endif
