/* SPDX-License-Identifier: ISC */
/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, a PRF
 * for short inputs, so that a caller who does not know the key can neither
 * predict where an input lands in a table nor make two inputs collide.
 * Not a MAC for messages that must be authenticated, and not constant time
 * in the input length.
 */
#ifndef SKM_COMMON_SIPHASH_H
#define SKM_COMMON_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

/* The SipHash-2-4 value of len octets at in under key. */
uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *in, size_t len);

#endif
