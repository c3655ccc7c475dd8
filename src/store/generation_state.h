/* SPDX-License-Identifier: ISC */
/*
 * States of the domain's generations of master secrets and Root
 * certificates, derived from the times they take effect. The store keeps
 * each generation's effective-from time (the start of its first key
 * period), never a state: next, current and retired are a pure function of
 * the list and a time. No I/O and no clock reads here.
 */
#ifndef SKM_STORE_GENERATION_STATE_H
#define SKM_STORE_GENERATION_STATE_H

#include <stddef.h>
#include <stdint.h>

enum generation_state {
	GENERATION_NEXT = 0,		/* takes effect later */
	GENERATION_CURRENT = 1,		/* in force now */
	GENERATION_RETIRED = 2,		/* followed by one in force */
};

/* The effective-from time of the domain's first generation: all time before any rollover. */
#define GENERATION_FIRST	INT64_MIN

/*
 * The state at now of generation i among n whose effective-from times eff[]
 * are strictly ascending. i >= n or an unordered list is GENERATION_RETIRED
 * (never served).
 */
enum generation_state generation_state(const int64_t *eff, size_t n, size_t i,
    int64_t now);

/* A static lower-case name for s ("next", "current", "retired"). */
const char *generation_state_name(enum generation_state s);

/*
 * The generation whose secrets derive the key period starting at start:
 * *i gets the last one with eff[*i] <= start. SKM_ENOTFOUND when every
 * generation takes effect later (the one that did was purged).
 */
int generation_for(const int64_t *eff, size_t n, int64_t start, size_t *i);

/*
 * May generation i be purged at now, when the earliest key period any
 * request may still ask for starts at oldest? 1 only when i is retired and
 * its successor took effect at or before oldest, so no reachable period
 * maps to i; else 0.
 */
int generation_purgeable(const int64_t *eff, size_t n, size_t i, int64_t now,
    int64_t oldest);

#endif
