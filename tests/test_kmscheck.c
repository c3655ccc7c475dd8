/* SPDX-License-Identifier: ISC */
/*
 * kmscheck: a key set made by a real KMS in the test (SAKKE and ECCSI
 * master keys, the F.2.1 UID of a URI and key period), written by kmsxml
 * and read back by kmsdoc, passes; each tampered field is refused with its
 * own reason. SAKKE validations cost some ms each: only the cases that must
 * reach the pairing do.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <openssl/crypto.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/eccsi.h"
#include "lib/kmsxml.h"
#include "lib/period.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define URI	"sip:alice@example.org"
#define KMS	"kms.example.org"
#define PERIOD	2592000
#define OFFSET	3600
#define NOW	1759448872	/* 2025-10-02T23:47:52Z */

static char *cert_doc, *keyset_doc;
static size_t cert_len, keyset_len;
static struct kmsdoc *cdoc, *kdoc;

/* One KMS, one key set for URI in the period of NOW, as documents. */
static void
make_kms(void)
{
	struct sakke_kms *sk = NULL;
	struct eccsi_kms *ek = NULL;
	struct kmsxml_cert c = {
		.role = "Root", .kms_uri = KMS, .valid_from = NOW - 86400,
		.valid_to = NOW + 86400 * 365, .user_key_period = PERIOD,
		.user_key_offset = OFFSET,
	};
	struct kmsxml_keyset k = { .kms_uri = KMS, .user_uri = URI };
	static const struct kmsxml_response r = { .user_uri = URI, .kms_uri = KMS, .time = NOW };
	uint8_t rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	uint64_t no, start, end;
	char why[256];

	if (sakke_kms_generate(&sk) != 0 || eccsi_kms_generate(&ek) != 0 ||
	    sakke_pub_export(sakke_kms_pub(sk), c.pub_enc_key) != 0 ||
	    eccsi_kms_kpak(ek, c.pub_auth_key) != 0)
		abort();
	if (period_number(time_unix_to_ntp(NOW), PERIOD, OFFSET, &no) != 0 ||
	    period_bounds(no, PERIOD, OFFSET, &start, &end) != 0 ||
	    uid_derive(URI, strlen(URI), KMS, strlen(KMS), PERIOD, OFFSET, no, k.user_id) != 0 ||
	    sakke_rsk_derive(sk, k.user_id, UID_LEN, rsk) != 0 ||
	    eccsi_ssk_derive(ek, k.user_id, UID_LEN, ssk, pvt) != 0)
		abort();
	k.period_no = no;
	k.valid_from = time_ntp_to_unix(start);
	k.valid_to = time_ntp_to_unix(end);
	k.rsk = rsk;
	k.ssk = ssk;
	k.pvt = pvt;
	if (kmsxml_init_response(&r, &c, &cert_doc, &cert_len) != 0 ||
	    kmsxml_keyset_doc(&k, &keyset_doc, &keyset_len) != 0 ||
	    kmsdoc_parse(cert_doc, cert_len, &cdoc, why, sizeof(why)) != 0 ||
	    kmsdoc_parse(keyset_doc, keyset_len, &kdoc, why, sizeof(why)) != 0)
		abort();
	OPENSSL_cleanse(rsk, sizeof(rsk));
	OPENSSL_cleanse(ssk, sizeof(ssk));
	sakke_kms_free(sk);
	eccsi_kms_free(ek);
}

static void
check_cert(const struct kmsdoc_cert *c, int64_t now, int want, const char *reason)
{
	char why[256] = "";
	int rc = kmscheck_cert(c, now, why, sizeof(why));

	ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, why);
	ck_assert_msg(strstr(why, reason) != NULL, "reason '%s' lacks '%s'", why, reason);
}

START_TEST(cert_genuine)
{
	char why[256] = "x";

	ck_assert_int_eq(cdoc->kind, KMSDOC_INIT);
	ck_assert_int_eq(kmscheck_cert(&cdoc->certs[0], NOW, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	/* The bounds themselves are inside. */
	ck_assert_int_eq(kmscheck_cert(&cdoc->certs[0], cdoc->certs[0].valid_from, NULL, 0), 0);
	ck_assert_int_eq(kmscheck_cert(&cdoc->certs[0], cdoc->certs[0].valid_to, NULL, 0), 0);
}
END_TEST

/* The certificate document with one element's text replaced, parsed. */
static struct kmsdoc *
edited_cert(const char *from, const char *to)
{
	struct kmsdoc *d = NULL;
	char *at = strstr(cert_doc, from), *buf, why[256];
	size_t n = cert_len + strlen(to) + 1;

	ck_assert_ptr_nonnull(at);
	buf = malloc(n);
	ck_assert_ptr_nonnull(buf);
	snprintf(buf, n, "%.*s%s%s", (int)(at - cert_doc), cert_doc, to, at + strlen(from));
	ck_assert_msg(kmsdoc_parse(buf, strlen(buf), &d, why, sizeof(why)) == 0, "%s", why);
	free(buf);
	return d;
}

START_TEST(cert_refused)
{
	struct kmsdoc_cert c;
	struct kmsdoc *d;

	d = edited_cert("<UserIdFormat>2<", "<UserIdFormat>3<");
	check_cert(&d->certs[0], NOW, SKM_EINVAL, "UserIdFormat: 3, only 2");
	kmsdoc_free(d);
	d = edited_cert("<ParameterSet>1<", "<ParameterSet>2<");
	check_cert(&d->certs[0], NOW, SKM_EINVAL, "ParameterSet: 2, only 1");
	kmsdoc_free(d);
	d = edited_cert("<Revoked>false<", "<Revoked>true<");
	check_cert(&d->certs[0], NOW, SKM_EREVOKED, "KmsCertificate: revoked");
	kmsdoc_free(d);
	/* An absent ParameterSet means 1. */
	d = edited_cert("<ParameterSet>1</ParameterSet>", "");
	ck_assert_int_eq(d->certs[0].parameter_set, -1);
	ck_assert_int_eq(kmscheck_cert(&d->certs[0], NOW, NULL, 0), 0);
	kmsdoc_free(d);

	c = cdoc->certs[0];
	check_cert(&c, c.valid_to + 1, SKM_ERANGE, "ValidTo: expired at");
	check_cert(&c, c.valid_from - 1, SKM_ERANGE, "ValidFrom: not valid before");
	c.user_id_format = -1;
	check_cert(&c, NOW, SKM_EINVAL, "UserIdFormat: missing");
	c = cdoc->certs[0];
	c.kms_uri = NULL;
	check_cert(&c, NOW, SKM_EINVAL, "KmsUri: missing");
	c = cdoc->certs[0];
	c.user_key_period = 0;
	check_cert(&c, NOW, SKM_EINVAL, "UserKeyPeriod: 0");
	c = cdoc->certs[0];
	c.pub_enc_key[200] ^= 1;
	check_cert(&c, NOW, SKM_EPOINT, "PubEncKey: not a point");
	c = cdoc->certs[0];
	c.pub_auth_key[64] ^= 1;
	check_cert(&c, NOW, SKM_EPOINT, "PubAuthKey: not a point");
}
END_TEST

static void
check_next(const struct kmsdoc_cert *cur, const struct kmsdoc_cert *next, int want,
    const char *reason)
{
	char why[256] = "";
	int rc = kmscheck_next(cur, next, why, sizeof(why));

	ck_assert_msg(rc == want, "rc %d, want %d (%s)", rc, want, why);
	ck_assert_msg(strstr(why, reason) != NULL, "reason '%s' lacks '%s'", why, reason);
}

/* The next certificate of a rollover: checked at its ValidFrom, the scheme kept. */
START_TEST(next_cert)
{
	struct kmsdoc_cert cur = cdoc->certs[0], n;
	char cu[] = "cert.kms.example.org", nu[] = "cert.kms.example.org.g1";
	char other[] = "kms.other.example.org", ext[] = "External";

	cur.cert_uri = cu;
	n = cur;
	n.cert_uri = nu;
	n.valid_from = cur.valid_from + 86400 * 30;
	/* Valid only from a time after now: checked there, not now. */
	ck_assert_int_gt(n.valid_from, NOW);
	check_next(&cur, &n, 0, "");
	n.cert_uri = cu;
	check_next(&cur, &n, SKM_EINVAL, "CertUri: the current certificate's");
	n.cert_uri = NULL;
	check_next(&cur, &n, SKM_EINVAL, "CertUri: missing");
	n.cert_uri = nu;
	n.kms_uri = other;
	check_next(&cur, &n, SKM_EINVAL, "another KmsUri");
	n.kms_uri = cur.kms_uri;
	n.user_key_offset = cur.user_key_offset + 1;
	check_next(&cur, &n, SKM_EINVAL, "UserKeyOffset");
	n.user_key_offset = cur.user_key_offset;
	n.valid_from = cur.valid_from;
	check_next(&cur, &n, SKM_EINVAL, "ValidFrom: not after");
	n.valid_from = cur.valid_from + 86400 * 30;
	n.role = ext;
	check_next(&cur, &n, SKM_EINVAL, "Role is not Root");
	n.role = cur.role;
	n.valid_to = n.valid_from - 1;
	check_next(&cur, &n, SKM_ERANGE, "ValidTo: expired");
	n.valid_to = cur.valid_to;
	n.revoked = 1;
	check_next(&cur, &n, SKM_EREVOKED, "revoked");
	n.revoked = 0;
	n.pub_auth_key[64] ^= 1;
	check_next(&cur, &n, SKM_EPOINT, "PubAuthKey: not a point");
}
END_TEST

START_TEST(keyset_genuine)
{
	char why[256] = "x";
	const struct kmsdoc_keyset *k = &kdoc->keysets[0];

	ck_assert_int_eq(kdoc->kind, KMSDOC_KEYSET);
	ck_assert_int_eq(kmscheck_keyset(&cdoc->certs[0], k, URI, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
}
END_TEST

enum tamper {
	T_RSK, T_SSK, T_PVT, T_PVT_OTHER, T_UID, T_USER_URI, T_KMS_URI, T_CERT_KMS_URI,
	T_PERIOD_NO, T_VALID_FROM, T_VALID_TO, T_REVOKED, T_OFFSET, T_KPAK
};

static const struct {
	enum tamper t;
	int rc;
	const char *reason;
} tampers[] = {
	{ T_RSK, SKM_EPOINT, "UserDecryptKey: not a point" },
	{ T_SSK, SKM_EVERIFY, "UserSigningKeySSK: [SSK]G is not KPAK + [HS]PVT" },
	{ T_PVT, SKM_EPOINT, "UserPubTokenPVT: not a point" },
	{ T_PVT_OTHER, SKM_EVERIFY, "UserSigningKeySSK: [SSK]G is not KPAK + [HS]PVT" },
	{ T_UID, SKM_EVERIFY, "UserID: not the UID of 'sip:alice@example.org'" },
	{ T_USER_URI, SKM_EINVAL, "UserUri: 'sip:bob@example.org' is not" },
	{ T_KMS_URI, SKM_EINVAL, "KmsKeySet/KmsUri: 'kms.example.net' is not the certificate's" },
	{ T_CERT_KMS_URI, SKM_EINVAL, "KmsKeySet/KmsUri: 'kms.example.org' is not the certificate's" },
	{ T_PERIOD_NO, SKM_EVERIFY, "UserID: not the UID" },
	{ T_VALID_FROM, SKM_ERANGE, "ValidFrom: not the start of key period" },
	{ T_VALID_TO, SKM_ERANGE, "ValidTo: not the end of key period" },
	{ T_REVOKED, SKM_EREVOKED, "KmsKeySet: revoked" },
	{ T_OFFSET, SKM_EVERIFY, "UserID: not the UID" },
	{ T_KPAK, SKM_EVERIFY, "UserSigningKeySSK" },
};

START_TEST(keyset_tampered)
{
	struct kmsdoc_cert c = cdoc->certs[0];
	struct kmsdoc_keyset k = kdoc->keysets[0];
	uint8_t rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN];
	char why[256] = "";
	int rc;

	memcpy(rsk, k.rsk, sizeof(rsk));
	memcpy(ssk, k.ssk, sizeof(ssk));
	k.rsk = rsk;
	k.ssk = ssk;
	switch (tampers[_i].t) {
	case T_RSK:
		rsk[150] ^= 0x10;
		break;
	case T_SSK:
		ssk[31] ^= 1;
		break;
	case T_PVT:
		k.pvt[40] ^= 1;
		break;
	case T_PVT_OTHER:
		/* A valid point, but not this key's: the KPAK itself. */
		memcpy(k.pvt, c.pub_auth_key, ECCSI_POINT_LEN);
		break;
	case T_UID:
		k.user_id[0] ^= 0x80;
		break;
	case T_USER_URI:
		k.user_uri = "sip:bob@example.org";
		break;
	case T_KMS_URI:
		k.kms_uri = "kms.example.net";
		break;
	case T_CERT_KMS_URI:
		c.kms_uri = "kms.example.org:443";
		break;
	case T_PERIOD_NO:
		k.period_no++;
		break;
	case T_VALID_FROM:
		k.valid_from += 1;
		break;
	case T_VALID_TO:
		k.valid_to -= PERIOD;
		break;
	case T_REVOKED:
		k.revoked = 1;
		break;
	case T_OFFSET:
		c.user_key_offset = 0;
		break;
	case T_KPAK:
		/* Another point of P-256: the PVT. */
		memcpy(c.pub_auth_key, k.pvt, ECCSI_POINT_LEN);
		break;
	}
	rc = kmscheck_keyset(&c, &k, URI, why, sizeof(why));
	ck_assert_msg(rc == tampers[_i].rc, "case %d: rc %d, want %d (%s)", _i, rc,
	    tampers[_i].rc, why);
	ck_assert_msg(strstr(why, tampers[_i].reason) != NULL, "case %d: '%s' lacks '%s'",
	    _i, why, tampers[_i].reason);
	OPENSSL_cleanse(rsk, sizeof(rsk));
	OPENSSL_cleanse(ssk, sizeof(ssk));
}
END_TEST

START_TEST(keyset_rsk_other_point)
{
	struct kmsdoc_cert c = cdoc->certs[0];
	struct kmsdoc_keyset k = kdoc->keysets[0];
	char why[256] = "";

	/* A point of the curve and of order q, but not K for this UID: Z_S. */
	k.rsk = c.pub_enc_key;
	ck_assert_int_eq(kmscheck_keyset(&c, &k, URI, why, sizeof(why)), SKM_EVERIFY);
	ck_assert_msg(strstr(why, "UserDecryptKey: <[a]P + Z, K> is not g") != NULL, "%s", why);
	/* A broken Z_S is reported as the certificate's fault. */
	k = kdoc->keysets[0];
	c.pub_enc_key[10] ^= 1;
	ck_assert_int_eq(kmscheck_keyset(&c, &k, URI, why, sizeof(why)), SKM_EPOINT);
	ck_assert_msg(strstr(why, "KmsCertificate/PubEncKey") != NULL, "%s", why);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kmscheck");
	TCase *tc = tcase_create("checks");
	SRunner *sr;
	int failed;

	make_kms();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cert_genuine);
	tcase_add_test(tc, cert_refused);
	tcase_add_test(tc, next_cert);
	tcase_add_test(tc, keyset_genuine);
	tcase_add_loop_test(tc, keyset_tampered, 0, (int)(sizeof(tampers) / sizeof(tampers[0])));
	tcase_add_test(tc, keyset_rsk_other_point);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	kmsdoc_free(cdoc);
	kmsdoc_free(kdoc);
	kmsxml_free(cert_doc, cert_len);
	kmsxml_free(keyset_doc, keyset_len);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
