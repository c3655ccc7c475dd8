/* SPDX-License-Identifier: ISC */
/*
 * SipHash-2-4 with a 64-bit output, through OpenSSL's SIPHASH MAC: a keyed
 * hash for short inputs, so that a caller who does not know the key can
 * neither predict where an input lands in a table nor make two inputs
 * collide. Not a MAC for messages that must be authenticated.
 */
#ifndef SKM_COMMON_SIPHASH_H
#define SKM_COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

struct siphash;

/*
 * A hash keyed with key (copied into OpenSSL's context; the caller may
 * cleanse its copy). SKM_ECRYPTO or SKM_ENOMEM on failure. Free with
 * siphash_free().
 */
int siphash_new(const uint8_t key[SIPHASH_KEY_LEN], struct siphash **out);
void siphash_free(struct siphash *h);

/*
 * The SipHash-2-4 value of len octets at in, as the 64-bit number of the
 * SipHash paper (its octets little-endian). Safe from several threads on
 * one h. SKM_ECRYPTO when OpenSSL fails.
 */
int siphash_sum(const struct siphash *h, const void *in, size_t len, uint64_t *out);

#endif
