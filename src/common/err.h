/* SPDX-License-Identifier: ISC */
/*
 * Error codes shared by every part of skms. Functions return 0 or a negative
 * SKM_E* value; skm_strerror() names it. No part maps these to transport
 * status codes here: that is one table in the layer that speaks the protocol.
 */
#ifndef SKM_COMMON_ERR_H
#define SKM_COMMON_ERR_H

#include <stddef.h>

/* The codes and skm_strerror() are those of the public API. */
#include <skm/err.h>

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
