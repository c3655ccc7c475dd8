/* SPDX-License-Identifier: ISC */
/*
 * Error codes shared by every part of skms. Functions return 0 or a negative
 * SKM_E* value; skm_strerror() names it. No part maps these to transport
 * status codes here: that is one table in the layer that speaks the protocol.
 */
#ifndef SKM_COMMON_ERR_H
#define SKM_COMMON_ERR_H

#include <stddef.h>

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

/* A static, lower-case description of an SKM_E* code; never NULL. */
const char *skm_strerror(int err);

/*
 * The SKM_E* code of a file operation's errno e: a missing file or
 * directory is SKM_ENOTFOUND, a refused access (a symbolic link refused by
 * O_NOFOLLOW included) SKM_EPERM, an existing name SKM_EEXIST, a name too
 * long SKM_ELEN, no memory SKM_ENOMEM, anything else SKM_EIO.
 */
int skm_errno(int e);

/*
 * Formats a reason into why (truncated to whylen) unless why is NULL or
 * whylen is 0; returns err, so a refusal is one line at the call site.
 */
int skm_why(char *why, size_t whylen, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
