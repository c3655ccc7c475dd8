/* SPDX-License-Identifier: ISC */
/*
 * libskm: error codes and the export marker of the public API.
 *
 * Every libskm function that can fail returns 0 on success or one of the
 * negative SKM_E* codes below; skm_strerror() names a code. Functions that
 * also take a "why" buffer write a one-line, lower-case reason there on
 * failure (truncated to whylen; why may be NULL). The same codes are used
 * by the skms programs, so some of them (SKM_ESTORE, SKM_EUNREACH, ...)
 * are never returned by the library itself.
 */
#ifndef SKM_ERR_H
#define SKM_ERR_H

#include <stddef.h>

#if defined(__GNUC__) && __GNUC__ >= 4
#define SKM_API	__attribute__((visibility("default")))
#else
#define SKM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum skm_err {
	SKM_OK = 0,
	SKM_EINVAL = -1,	/* malformed or out-of-range input */
	SKM_ENOMEM = -2,	/* allocation failed */
	SKM_ECRYPTO = -3,	/* the crypto library failed */
	SKM_EVERIFY = -4,	/* a signature, key or tag did not verify */
	SKM_ERANGE = -5,	/* a value outside its allowed range */
	SKM_ENOTFOUND = -6,	/* no such record, file or identity */
	SKM_EEXIST = -7,	/* already exists */
	SKM_EIO = -8,		/* read, write or sync failed */
	SKM_EPERM = -9,		/* wrong owner or permissions */
	SKM_ESTATE = -10,	/* not allowed in the current state */
	SKM_EPOINT = -11,	/* point not on the curve or at infinity */
	SKM_EZERO = -12,	/* degenerate value (a + z = 0 mod q, zero key) */
	SKM_ELEN = -13,		/* wrong length */
	SKM_EPARSE = -14,	/* syntax error in a document or message */
	SKM_EAUTH = -15,	/* authentication failed */
	SKM_EBUSY = -16,	/* overloaded or locked, try again */
	SKM_ESTORE = -17,	/* the store failed */
	SKM_EREVOKED = -18,	/* revoked */
	SKM_EUNREACH = -19,	/* the server cannot be reached */
};

/*
 * A static, lower-case description of an SKM_E* code ("unknown error" for
 * any other value); never NULL, never to be freed. Thread-safe.
 */
SKM_API const char *skm_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
