/* SPDX-License-Identifier: ISC */
/*
 * Open connections counted by source, for server.max-connections-per-
 * address: one table for the whole process, shared by every event loop
 * under one lock, taken at accept and at close only. A source is an IPv4
 * address, or the /64 prefix of an IPv6 address (one host's SLAAC and
 * temporary addresses share it, so counting per address would not hold a
 * host back); an IPv4-mapped IPv6 address counts as its IPv4 address.
 * An entry exists only while its source has a connection open, so the
 * table never holds more entries than connections. Loopback is a source
 * like any other.
 */
#ifndef SKM_SERVER_PEERS_H
#define SKM_SERVER_PEERS_H

#include <stdint.h>
#include <sys/socket.h>

struct peers;

/* A source: IPv4 as ::ffff:a.b.c.d, IPv6 cut to its /64. */
struct peers_key {
	uint8_t a[16];
};

/* The source of sa; SKM_EINVAL for a family other than IPv4 and IPv6. */
int peers_key(const struct sockaddr *sa, struct peers_key *k);

/* A table sized for expect connections (it grows past them if need be). */
int peers_new(unsigned expect, struct peers **out);

/* Frees the table and whatever it still counts; NULL is ignored. */
void peers_free(struct peers *p);

/*
 * Counts one more connection from k, unless limit (0: none) are open
 * from it already: then SKM_EBUSY and nothing is counted. SKM_ENOMEM
 * when a new source cannot be stored. Each 0 is matched by a peers_drop().
 */
int peers_take(struct peers *p, const struct peers_key *k, unsigned limit);

/* One connection from k has closed. */
void peers_drop(struct peers *p, const struct peers_key *k);

/* Connections open from k, and sources with any open (for tests and metrics). */
unsigned peers_count(struct peers *p, const struct peers_key *k);
unsigned peers_sources(struct peers *p);

#endif
