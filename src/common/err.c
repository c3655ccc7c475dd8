/* SPDX-License-Identifier: ISC */
/* Names for the SKM_E* codes and the one formatter of reasons for them. */
#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static const struct {
	int code;
	const char *text;
} skm_errors[] = {
	{ SKM_OK, "success" },
	{ SKM_EINVAL, "invalid argument" },
	{ SKM_ENOMEM, "out of memory" },
	{ SKM_ECRYPTO, "crypto library failure" },
	{ SKM_EVERIFY, "verification failed" },
	{ SKM_ERANGE, "value out of range" },
	{ SKM_ENOTFOUND, "not found" },
	{ SKM_EEXIST, "already exists" },
	{ SKM_EIO, "input/output error" },
	{ SKM_EPERM, "permission denied" },
	{ SKM_ESTATE, "not allowed in this state" },
	{ SKM_EPOINT, "invalid point" },
	{ SKM_EZERO, "degenerate value" },
	{ SKM_ELEN, "wrong length" },
	{ SKM_EPARSE, "syntax error" },
	{ SKM_EAUTH, "authentication failed" },
	{ SKM_EBUSY, "busy" },
	{ SKM_ESTORE, "store failure" },
	{ SKM_EREVOKED, "revoked" },
	{ SKM_EUNREACH, "server unreachable" },
};

const char *
skm_strerror(int err)
{
	size_t i;

	for (i = 0; i < sizeof(skm_errors) / sizeof(skm_errors[0]); i++)
		if (skm_errors[i].code == err)
			return skm_errors[i].text;
	return "unknown error";
}

int
skm_why(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

int
skm_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return SKM_ENOTFOUND;
	case EACCES:
	case EPERM:
	case ELOOP:
		return SKM_EPERM;
	case EEXIST:
		return SKM_EEXIST;
	case ENAMETOOLONG:
		return SKM_ELEN;
	case ENOMEM:
		return SKM_ENOMEM;
	default:
		return SKM_EIO;
	}
}
