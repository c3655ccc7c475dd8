/* SPDX-License-Identifier: ISC */
/* Checking a published P-256 point (KPAK of an External KMS certificate). */
#include "lib/eccsi.h"
#include "lib/p256.h"
#include "common/err.h"

#include <openssl/ec.h>

int
eccsi_point_check(const uint8_t p[ECCSI_POINT_LEN])
{
	const EC_GROUP *g = p256_group();
	EC_POINT *pt;
	int rc = SKM_EPOINT;

	if (g == NULL)
		return SKM_ECRYPTO;
	if (p[0] != 0x04)
		return SKM_EPOINT;
	if ((pt = EC_POINT_new(g)) == NULL)
		return SKM_ENOMEM;
	/* oct2point refuses points off the curve. */
	if (EC_POINT_oct2point(g, pt, p, ECCSI_POINT_LEN, NULL) == 1 &&
	    !EC_POINT_is_at_infinity(g, pt))
		rc = 0;
	EC_POINT_free(pt);
	return rc;
}
