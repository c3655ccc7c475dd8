/* SPDX-License-Identifier: ISC */
/*
 * TS 33.180 F.2.1 UID. The string S is the TS 33.220 Annex B framing from
 * kdf.c, hashed rather than keyed (the F.2.1 note: FC is a dummy 0x00).
 * Any change to the framing silently breaks every provisioned key.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/err.h"
#include "lib/kdf.h"
#include "lib/uid.h"

static const char uid_p0[] = "MIKEY-SAKKE-UID";

int
uid_derive(const char *uri, size_t urilen, const char *kms_uri, size_t kmslen,
    uint64_t key_period, uint64_t key_offset, uint64_t period_no, uint8_t uid[UID_LEN])
{
	uint8_t p3[8], p4[8], p5[8], *s = NULL;
	struct kdf_param params[6];
	size_t slen = 0;
	unsigned int mdlen = 0;
	int err;

	if (uri == NULL || urilen == 0 || kms_uri == NULL || kmslen == 0 ||
	    key_period == 0)
		return SKM_EINVAL;
	params[0] = (struct kdf_param){ (const uint8_t *)uid_p0, sizeof(uid_p0) - 1 };
	params[1] = (struct kdf_param){ (const uint8_t *)uri, urilen };
	params[2] = (struct kdf_param){ (const uint8_t *)kms_uri, kmslen };
	params[3] = (struct kdf_param){ p3, kdf_uint(key_period, p3) };
	params[4] = (struct kdf_param){ p4, kdf_uint(key_offset, p4) };
	params[5] = (struct kdf_param){ p5, kdf_uint(period_no, p5) };
	if ((err = kdf_s_build(0x00, params, 6, &s, &slen)) != 0)
		goto out;
	if (!EVP_Digest(s, slen, uid, &mdlen, EVP_sha256(), NULL) || mdlen != UID_LEN) {
		err = SKM_ECRYPTO;
		goto out;
	}
	err = 0;
out:
	OPENSSL_free(s);
	return err;
}
