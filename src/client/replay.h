/* SPDX-License-Identifier: ISC */
/*
 * The replay cache of accepted I_MESSAGEs (RFC 3830 5.4: a receiver keeps
 * what it accepted within the timestamp window). One file "replay" in the
 * identity's directory with a SHA-256 digest and a forget-after time per
 * message; entries older than that are dropped when the file is written,
 * since the timestamp check rejects such messages anyway. It decides
 * nothing about timestamps itself.
 */
#ifndef SKM_CLIENT_REPLAY_H
#define SKM_CLIENT_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_DIGEST_LEN	32

/* SHA-256 of a message. */
int replay_digest(const uint8_t *msg, size_t len, uint8_t digest[REPLAY_DIGEST_LEN]);

/* 0 if digest is not in the cache of dir, SKM_EEXIST if it is. */
int replay_check(const char *dir, const uint8_t digest[REPLAY_DIGEST_LEN]);

/*
 * Adds digest, to be kept until forget_after (Unix seconds), dropping
 * entries whose time has passed at now; rewrites the file atomically.
 */
int replay_add(const char *dir, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t forget_after, int64_t now);

#endif
