/* SPDX-License-Identifier: ISC */
/*
 * Client-side checks of KMS certificates and key sets before they are
 * stored or used: the certificate constraints of TS 33.180 Annex D/F.2.1,
 * the UID and key period of F.2.1, and the key validations RFC 6507 5.1.2
 * and RFC 6508 6.1.2 require of a receiver. Cheap checks run first; a
 * failure names the element. Reasons carry names and numbers, never key
 * bytes.
 */
#include "client/kmscheck.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/eccsi.h"
#include "lib/period.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#include <stdio.h>
#include <string.h>

static int
kmscheck_z(const struct kmsdoc_cert *c, struct sakke_pub **pub, char *why, size_t whylen)
{
	int rc;

	/* sakke_pub_new checks the curve and the order q of Z_S. */
	if ((rc = sakke_pub_new(pub, c->pub_enc_key)) == 0)
		return 0;
	*pub = NULL;
	if (rc == SKM_ENOMEM)
		return skm_why(why, whylen, rc, "out of memory");
	return skm_why(why, whylen, SKM_EPOINT,
	    "KmsCertificate/PubEncKey: not a point of order q of SAKKE parameter set 1");
}

int
kmscheck_cert(const struct kmsdoc_cert *c, int64_t now, char *why, size_t whylen)
{
	struct sakke_pub *pub = NULL;
	char t[TIME_TEXT_LEN];
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (c->kms_uri == NULL || c->kms_uri[0] == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "KmsCertificate/KmsUri: missing");
	/* TS 33.180 F.2.1: the UIDs this client computes are format 2. */
	if (c->user_id_format != 2)
		return skm_why(why, whylen, SKM_EINVAL,
		    c->user_id_format < 0 ? "KmsCertificate/UserIdFormat: missing" :
		    "KmsCertificate/UserIdFormat: %d, only 2 is supported", c->user_id_format);
	/* Parameter set 1 (RFC 6509) is the only one SAKKE here implements. */
	if (c->parameter_set != -1 && c->parameter_set != 1)
		return skm_why(why, whylen, SKM_EINVAL,
		    "KmsCertificate/ParameterSet: %d, only 1 is supported", c->parameter_set);
	if (c->revoked)
		return skm_why(why, whylen, SKM_EREVOKED, "KmsCertificate: revoked");
	if (c->valid_from != 0 && now < c->valid_from) {
		if (time_format(c->valid_from, t, sizeof(t)) != 0)
			strcpy(t, "?");
		return skm_why(why, whylen, SKM_ERANGE,
		    "KmsCertificate/ValidFrom: not valid before %s", t);
	}
	/* ValidTo is the last valid instant (the schema gives no other reading). */
	if (c->valid_to != 0 && now > c->valid_to) {
		if (time_format(c->valid_to, t, sizeof(t)) != 0)
			strcpy(t, "?");
		return skm_why(why, whylen, SKM_ERANGE,
		    "KmsCertificate/ValidTo: expired at %s", t);
	}
	if (c->user_key_period == 0)
		return skm_why(why, whylen, SKM_EINVAL, "KmsCertificate/UserKeyPeriod: 0");
	if (eccsi_point_check(c->pub_auth_key) != 0)
		return skm_why(why, whylen, SKM_EPOINT,
		    "KmsCertificate/PubAuthKey: not a point of P-256");
	if ((rc = kmscheck_z(c, &pub, why, whylen)) != 0)
		return rc;
	sakke_pub_free(pub);
	return 0;
}

int
kmscheck_next(const struct kmsdoc_cert *cur, const struct kmsdoc_cert *next, char *why,
    size_t whylen)
{
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (next->role != NULL && strcmp(next->role, "Root") != 0)
		return skm_why(why, whylen, SKM_EINVAL, "NextKmsCertificate: Role is not Root");
	if (next->cert_uri == NULL || next->cert_uri[0] == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "NextKmsCertificate/CertUri: missing");
	if (cur->cert_uri != NULL && strcmp(cur->cert_uri, next->cert_uri) == 0)
		return skm_why(why, whylen, SKM_EINVAL,
		    "NextKmsCertificate/CertUri: the current certificate's");
	/* F.2.1: the UIDs of every period depend on these; a rollover keeps them. */
	if (cur->kms_uri == NULL || next->kms_uri == NULL ||
	    strcmp(cur->kms_uri, next->kms_uri) != 0 ||
	    cur->user_key_period != next->user_key_period ||
	    cur->user_key_offset != next->user_key_offset)
		return skm_why(why, whylen, SKM_EINVAL, "NextKmsCertificate: another KmsUri, "
		    "UserKeyPeriod or UserKeyOffset than the current certificate");
	if (next->valid_from <= cur->valid_from)
		return skm_why(why, whylen, SKM_EINVAL,
		    "NextKmsCertificate/ValidFrom: not after the current certificate's");
	return kmscheck_cert(next, next->valid_from, why, whylen);
}

/* TS 33.180 F.2.1: the key period the key set claims, against its bounds. */
static int
kmscheck_period(const struct kmsdoc_cert *c, const struct kmsdoc_keyset *ks, char *why,
    size_t whylen)
{
	uint64_t start, end;

	if (period_bounds(ks->period_no, c->user_key_period, c->user_key_offset,
	    &start, &end) != 0)
		return skm_why(why, whylen, SKM_ERANGE,
		    "KmsKeySet/KeyPeriodNo: %llu out of range",
		    (unsigned long long)ks->period_no);
	if (ks->valid_from != 0 && ks->valid_from != time_ntp_to_unix(start))
		return skm_why(why, whylen, SKM_ERANGE,
		    "KmsKeySet/ValidFrom: not the start of key period %llu",
		    (unsigned long long)ks->period_no);
	if (ks->valid_to != 0 && ks->valid_to != time_ntp_to_unix(end))
		return skm_why(why, whylen, SKM_ERANGE,
		    "KmsKeySet/ValidTo: not the end of key period %llu",
		    (unsigned long long)ks->period_no);
	return 0;
}

int
kmscheck_keyset(const struct kmsdoc_cert *c, const struct kmsdoc_keyset *ks,
    const char *uri, char *why, size_t whylen)
{
	struct sakke_pub *pub = NULL;
	uint8_t uid[UID_LEN];
	int rc;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (c->kms_uri == NULL || c->kms_uri[0] == '\0' || c->user_key_period == 0)
		return skm_why(why, whylen, SKM_EINVAL,
		    "KmsCertificate: no KmsUri or UserKeyPeriod");
	if (ks->user_uri == NULL || strcmp(ks->user_uri, uri) != 0)
		return skm_why(why, whylen, SKM_EINVAL,
		    "KmsKeySet/UserUri: '%.80s' is not '%.80s'",
		    ks->user_uri != NULL ? ks->user_uri : "", uri);
	/* P2 of the UID: the certificate's KmsUri, byte for byte (F.2.1). */
	if (ks->kms_uri == NULL || strcmp(ks->kms_uri, c->kms_uri) != 0)
		return skm_why(why, whylen, SKM_EINVAL,
		    "KmsKeySet/KmsUri: '%.80s' is not the certificate's '%.80s'",
		    ks->kms_uri != NULL ? ks->kms_uri : "", c->kms_uri);
	if (ks->revoked)
		return skm_why(why, whylen, SKM_EREVOKED, "KmsKeySet: revoked");
	if ((rc = uid_derive(uri, strlen(uri), c->kms_uri, strlen(c->kms_uri),
	    c->user_key_period, c->user_key_offset, ks->period_no, uid)) != 0)
		return skm_why(why, whylen, rc, "KmsKeySet/UserID: cannot derive: %s",
		    skm_strerror(rc));
	if (memcmp(uid, ks->user_id, UID_LEN) != 0)
		return skm_why(why, whylen, SKM_EVERIFY,
		    "KmsKeySet/UserID: not the UID of '%.80s' for key period %llu",
		    uri, (unsigned long long)ks->period_no);
	if ((rc = kmscheck_period(c, ks, why, whylen)) != 0)
		return rc;
	if (eccsi_point_check(ks->pvt) != 0)
		return skm_why(why, whylen, SKM_EPOINT,
		    "KmsKeySet/UserPubTokenPVT: not a point of P-256");
	/* RFC 6507 5.1.2 */
	if ((rc = eccsi_ssk_validate(c->pub_auth_key, uid, UID_LEN, ks->ssk, ks->pvt)) != 0)
		return skm_why(why, whylen, rc == SKM_EPOINT ? SKM_EPOINT : SKM_EVERIFY,
		    rc == SKM_EPOINT ? "KmsCertificate/PubAuthKey: not a point of P-256" :
		    "KmsKeySet/UserSigningKeySSK: [SSK]G is not KPAK + [HS]PVT");
	/* RFC 6508 6.1.2 */
	if ((rc = kmscheck_z(c, &pub, why, whylen)) != 0)
		return rc;
	rc = sakke_rsk_validate(pub, uid, UID_LEN, ks->rsk);
	sakke_pub_free(pub);
	if (rc != 0)
		return skm_why(why, whylen, rc == SKM_EPOINT ? SKM_EPOINT : SKM_EVERIFY,
		    rc == SKM_EPOINT ? "KmsKeySet/UserDecryptKey: not a point of the curve" :
		    "KmsKeySet/UserDecryptKey: <[a]P + Z, K> is not g");
	return 0;
}
