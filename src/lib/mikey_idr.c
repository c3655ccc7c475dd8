/* SPDX-License-Identifier: ISC */
/*
 * IDR payloads (RFC 6043 6.6, RFC 6509, TS 33.180 E.7): the decoder, which
 * accepts only the roles and ID types of MIKEY-SAKKE, and the test whether
 * one names a given identity. Reads only within the length it is given;
 * holds no keys and logs nothing.
 */
#include <string.h>

#include "common/err.h"
#include "lib/mikey.h"

int
mikey_idr_get(const uint8_t *p, size_t len, struct mikey_idr *idr, size_t *used,
    char *why, size_t whylen)
{
	memset(idr, 0, sizeof(*idr));
	*used = 0;
	if (len < 5)
		return skm_why(why, whylen, SKM_EPARSE, "header runs past the end");
	idr->next = p[0];
	idr->role = p[1];
	idr->type = p[2];
	idr->len = (uint16_t)(p[3] << 8 | p[4]);
	switch (idr->role) {
	case MIKEY_ROLE_I:
	case MIKEY_ROLE_R:
	case MIKEY_ROLE_KMSI:
	case MIKEY_ROLE_KMSR:
	case MIKEY_ROLE_UIDI:
	case MIKEY_ROLE_UIDR:
		break;
	default:
		return skm_why(why, whylen, SKM_EPARSE, "ID role %u not accepted", idr->role);
	}
	if (idr->type != MIKEY_IDT_URI && idr->type != MIKEY_IDT_BYTES)
		return skm_why(why, whylen, SKM_EPARSE, "ID type %u not accepted", idr->type);
	if (idr->len == 0)
		return skm_why(why, whylen, SKM_EPARSE, "empty ID");
	if (len - 5 < idr->len)
		return skm_why(why, whylen, SKM_EPARSE, "length %u runs past the end", idr->len);
	idr->data = p + 5;
	*used = 5 + (size_t)idr->len;
	return 0;
}

int
mikey_idr_match(const struct mikey_idr *idr, const char *uri, size_t urilen,
    const uint8_t *uid, size_t uidlen)
{
	if (idr->data == NULL)
		return SKM_ENOTFOUND;
	if (idr->role == MIKEY_ROLE_UIDI || idr->role == MIKEY_ROLE_UIDR) {
		if (uid != NULL && idr->len == uidlen && memcmp(idr->data, uid, uidlen) == 0)
			return 0;
		return SKM_ENOTFOUND;
	}
	if (uri != NULL && idr->type == MIKEY_IDT_URI && idr->len == urilen &&
	    memcmp(idr->data, uri, urilen) == 0)
		return 0;
	return SKM_ENOTFOUND;
}
