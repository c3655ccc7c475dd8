/* SPDX-License-Identifier: ISC */
/*
 * Typed reads of the claims of a decoded access token, for auth.c only.
 * libjwt 1.10 hands out arrays, strings with their exact length and
 * numbers that are not integers only as JSON text (jwt_get_grants_json);
 * this module reads that text back with libyaml, whose flow syntax is a
 * superset of the compact JSON jansson writes. It never parses JSON by
 * hand and never sees the token itself.
 */
#ifndef SKM_SERVER_AUTH_CLAIM_H
#define SKM_SERVER_AUTH_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include <jwt.h>

/*
 * Calls fn for the claim name when it is a string, or for each element
 * when it is an array (list nonzero) of strings; a nonzero return of fn
 * stops the walk. Returns fn's nonzero result, 0 when fn never stopped, SKM_ENOTFOUND when the claim is absent,
 * SKM_EINVAL when it has another type or an element is not a string.
 */
int auth_claim_strings(jwt_t *jwt, const char *name, int list,
    int (*fn)(void *ctx, const char *s, size_t len), void *ctx);

/*
 * The string claim name into buf (cap octets with the NUL) and its length
 * into *len. 0, SKM_ENOTFOUND (absent), SKM_EINVAL (not a string, or holds
 * a NUL), SKM_ELEN (too long for buf).
 */
int auth_claim_string(jwt_t *jwt, const char *name, char *buf, size_t cap, size_t *len);

/*
 * A NumericDate claim (RFC 7519 2) in whole seconds, rounded down and
 * saturated to int64. 0, SKM_ENOTFOUND or SKM_EINVAL (not a number).
 */
int auth_claim_time(jwt_t *jwt, const char *name, int64_t *out);

#endif
