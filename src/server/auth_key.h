/* SPDX-License-Identifier: ISC */
/*
 * Token issuer public keys for auth.c: a key-file (a PEM public key or an
 * X.509 certificate) read and parsed once per configuration, and the JWS
 * signature check (RFC 7515 5.2 step 8) with that parsed key, so no token
 * costs a PEM parse. Private keys are refused: a KMS has no business
 * holding its token issuer's signing key.
 */
#ifndef SKM_SERVER_AUTH_KEY_H
#define SKM_SERVER_AUTH_KEY_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>

/* An RSA signature of up to 8192 bits; its base64url text. */
#define AUTH_KEY_SIG_MAX	1024
#define AUTH_KEY_SIG_B64_MAX	1368

/*
 * Reads path, a trust file (trustfile_open(): owned by root, the effective
 * user or also, neither it nor a directory above writable by others, a
 * regular file); on success *pkey (free with EVP_PKEY_free()) is the public
 * key and *fits the enum conf_alg bits it can serve: ES256 for P-256,
 * ES384 for P-384, RS256 and PS256 for RSA of 2048 bits or more.
 * Otherwise SKM_EINVAL (or SKM_ENOMEM) with the reason in why.
 */
int auth_key_load(const char *path, uid_t also, EVP_PKEY **pkey, unsigned *fits,
    char *why, size_t whylen);

/*
 * 0 when sig_b64 (siglen octets of base64url) is a valid signature by
 * pkey over input for alg (one enum conf_alg bit: ES256, ES384 or RS256,
 * with the key type load matched to it), else SKM_EVERIFY. ES signatures
 * are R || S of exactly the group's size (RFC 7518 3.4). pkey is only
 * read: concurrent calls are safe.
 */
int auth_key_verify(EVP_PKEY *pkey, unsigned alg, const char *input, size_t inlen,
    const char *sig_b64, size_t siglen);

/* A short description of the key types fitting bits, for messages. */
const char *auth_key_kind(unsigned fits);

#endif
