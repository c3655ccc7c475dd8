/* SPDX-License-Identifier: ISC */
/*
 * One configuration generation of skmsd: skms.yaml as loaded, with the
 * token verifier and the TLS context built from it. A reload (SIGHUP)
 * builds the whole next generation before it replaces the running one,
 * so a file that does not validate, or names a key that does not load,
 * changes nothing. This module neither logs nor knows about event loops:
 * the caller tells them, once the swap is done.
 */
#ifndef SKM_SERVER_GEN_H
#define SKM_SERVER_GEN_H

#include <pthread.h>
#include <stddef.h>

struct auth;
struct conf;
struct tls;
struct tls_tickets;

struct gen {
	struct conf *cf;
	struct auth *auth;
	struct tls *tls;
};

/*
 * Loads path (NULL: every key at its default) and builds a generation of
 * it into out, with session tickets from tk. 0, or a negative SKM_E* code
 * with out all zero and the reason in why ("tokens: ...", "tls: ...", or
 * the file position of a config error).
 */
int gen_build(const char *path, struct tls_tickets *tk, struct gen *out, char *why,
    size_t whylen);

/* Frees what g holds and zeroes it; an all-zero g is ignored. */
void gen_free(struct gen *g);

/*
 * Validate, then swap: builds the generation of path as gen_build(), and
 * only when it is complete frees *prev, moves *cur to *prev and the new
 * one to *cur, holding mu (may be NULL) for the swap alone. On failure
 * *cur and *prev are untouched and the reason is in why. *prev stays
 * allocated until the next successful reload, so whatever still reads it
 * meanwhile stays valid.
 */
int gen_reload(struct gen *cur, struct gen *prev, const char *path,
    struct tls_tickets *tk, pthread_mutex_t *mu, char *why, size_t whylen);

/*
 * The swap of gen_reload() alone, for a caller that checks a built
 * generation further first: frees *prev, moves *cur to *prev and *next
 * to *cur (holding mu, may be NULL), and zeroes *next.
 */
void gen_install(struct gen *cur, struct gen *prev, struct gen *next, pthread_mutex_t *mu);

#endif
