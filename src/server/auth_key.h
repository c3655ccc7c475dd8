/* SPDX-License-Identifier: ISC */
/*
 * Token issuer public keys for auth.c: a key-file (a PEM public key or an
 * X.509 certificate) read once at start-up, checked, and re-encoded as the
 * PEM public key libjwt verifies with. Private keys are refused: a KMS has
 * no business holding its token issuer's signing key.
 */
#ifndef SKM_SERVER_AUTH_KEY_H
#define SKM_SERVER_AUTH_KEY_H

#include <stddef.h>

/*
 * Reads path; on success *pem (malloc'd, NUL-terminated, *pem_len octets
 * without the NUL) is the SubjectPublicKeyInfo PEM and *fits the
 * enum conf_alg bits the key can serve: ES256 for P-256, ES384 for P-384,
 * RS256 and PS256 for RSA of 2048 bits or more. Otherwise SKM_EINVAL (or
 * SKM_ENOMEM) with the reason in why.
 */
int auth_key_load(const char *path, char **pem, int *pem_len, unsigned *fits,
    char *why, size_t whylen);

/* A short description of the key types fitting bits, for messages. */
const char *auth_key_kind(unsigned fits);

#endif
