/* SPDX-License-Identifier: ISC */
/*
 * The security extension's primitives: RFC 5649 key wrap (lib/keywrap)
 * and the XML-DSig profile (src/xsec), each refusal by its own reason.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "lib/keywrap.h"
#include "lib/kmsxml.h"
#include "xsec/xsec.h"

static const uint8_t key1[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static const uint8_t key2[32] = { 9 };

START_TEST(test_keywrap_round_trip)
{
	uint8_t plain[257], out[KEYWRAP_OUT_LEN(257)], back[sizeof(out)];
	size_t n, m;

	memset(plain, 0xa5, sizeof(plain));
	plain[0] = 0x04;
	ck_assert_int_eq(keywrap_wrap(key1, plain, sizeof(plain), out, sizeof(out), &n), 0);
	ck_assert_uint_eq(n, 272);
	ck_assert_int_eq(keywrap_unwrap(key1, out, n, back, sizeof(back), &m), 0);
	ck_assert_uint_eq(m, sizeof(plain));
	ck_assert_mem_eq(back, plain, m);
	/* a wrong key and an altered octet are refused, the output cleansed */
	ck_assert_int_eq(keywrap_unwrap(key2, out, n, back, sizeof(back), &m), SKM_EVERIFY);
	ck_assert_uint_eq(m, 0);
	out[100] ^= 1;
	ck_assert_int_eq(keywrap_unwrap(key1, out, n, back, sizeof(back), &m), SKM_EVERIFY);
	ck_assert_int_eq(keywrap_unwrap(key1, out, 12, back, sizeof(back), &m), SKM_EVERIFY);
	ck_assert(keywrap_uri_ok(KEYWRAP_URI));
	ck_assert(keywrap_uri_ok(KEYWRAP_URI_LEGACY));
	ck_assert(!keywrap_uri_ok("http://www.w3.org/2001/04/xmlenc#kw-aes128"));
}
END_TEST

static char *
response(void)
{
	static const struct kmsxml_tk tk = { .trk_id = "tk.1", .sig_id = "ik.1" };
	struct kmsxml_cert cert = { .role = "Root", .kms_uri = "kms.example.org",
		.user_key_period = 86400 };
	struct kmsxml_response r = { "sip:a@example.org", "kms.example.org", 1700000000,
		"https://kms.example.org/keymanagement/identity/v1/init", &tk };
	char *doc;
	size_t len;

	ck_assert_int_eq(kmsxml_init_response(&r, &cert, &doc, &len), 0);
	return doc;
}

static char *
signed_response(const uint8_t *key, const char *name, size_t *len)
{
	char *doc = response(), *s;

	ck_assert_int_eq(xsec_sign(doc, strlen(doc), key, name, &s, len), 0);
	free(doc);
	return s;
}

/* Replaces the first from in doc by to (same document, new buffer). */
static char *
edit(const char *doc, const char *from, const char *to)
{
	const char *p = strstr(doc, from);
	char *out;

	ck_assert_ptr_nonnull(p);
	out = malloc(strlen(doc) + strlen(to) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, doc, (size_t)(p - doc));
	strcpy(out + (p - doc), to);
	strcat(out, p + strlen(from));
	return out;
}

static enum xsec_fail
verify(const char *doc, const uint8_t *key, const char *name)
{
	enum xsec_fail f;
	int rc = xsec_verify(doc, strlen(doc), "KmsResponse", key, name, &f, NULL, NULL);

	ck_assert_int_eq(rc == 0, f == XSEC_OK);
	return f;
}

/* Every length against OpenSSL's wrap, and its unwrap of ours. */
START_TEST(test_keywrap_vs_openssl)
{
	uint8_t plain[300], a[KEYWRAP_OUT_LEN(300)], b[sizeof(a)], back[sizeof(a)];
	size_t len, n, m, k;

	for (len = 1; len <= sizeof(plain); len++) {
		for (k = 0; k < len; k++)
			plain[k] = (uint8_t)(k * 7 + len);
		ck_assert_int_eq(keywrap_wrap(key1, plain, len, a, sizeof(a), &n), 0);
		ck_assert_int_eq(keywrap_wrap_openssl(key1, plain, len, b, sizeof(b), &m), 0);
		ck_assert_uint_eq(n, m);
		ck_assert_mem_eq(a, b, n);
		ck_assert_int_eq(keywrap_unwrap(key1, a, n, back, sizeof(back), &m), 0);
		ck_assert_uint_eq(m, len);
		ck_assert_mem_eq(back, plain, len);
	}
}
END_TEST

START_TEST(test_sign_verify)
{
	char *s, *inner;
	size_t len, ilen;
	enum xsec_fail f;

	s = signed_response(key1, "ik.1", &len);
	ck_assert_ptr_nonnull(strstr(s, "<SignedKmsResponse"));
	ck_assert_ptr_nonnull(strstr(s, "URI=\"#kmsResponse\""));
	ck_assert_ptr_nonnull(strstr(s, "xmldsig-more#hmac-sha256"));
	ck_assert_ptr_nonnull(strstr(s, "REC-xml-c14n-20010315"));
	ck_assert_ptr_nonnull(strstr(s, "<ds:KeyName>ik.1</ds:KeyName>"));
	ck_assert_int_eq(xsec_verify(s, len, "KmsResponse", key1, "ik.1", &f, &inner,
	    &ilen), 0);
	ck_assert_int_eq(f, XSEC_OK);
	ck_assert_ptr_nonnull(strstr(inner, "<KmsResponse"));
	ck_assert_ptr_null(strstr(inner, "ds:Signature"));
	xsec_free(inner, ilen);
	/* the wrong root name asked for */
	ck_assert_int_eq(xsec_verify(s, len, "KmsRequest", key1, "ik.1", &f, NULL, NULL),
	    SKM_EVERIFY);
	ck_assert_int_eq(f, XSEC_FORM);
	xsec_free(s, len);
}
END_TEST

START_TEST(test_refusals)
{
	char *s, *e;
	size_t len;

	s = signed_response(key1, "ik.1", &len);
	/* another key of the same name */
	ck_assert_int_eq(verify(s, key2, "ik.1"), XSEC_BAD);
	/* another name than the one the signature gives */
	ck_assert_int_eq(verify(s, key1, "ik.2"), XSEC_KEY_NAME);
	/* the signed element modified */
	e = edit(s, "sip:a@example.org", "sip:b@example.org");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_BAD);
	free(e);
	/* a Reference to something else */
	e = edit(s, "URI=\"#kmsResponse\"", "URI=\"#other\"");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_REFERENCE);
	free(e);
	e = edit(s, "URI=\"#kmsResponse\"", "URI=\"\"");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_REFERENCE);
	free(e);
	/* the signed element without its Id */
	e = edit(s, "Id=\"kmsResponse\"", "");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_NO_ID);
	free(e);
	/* a truncated HMAC */
	e = edit(s, "xmldsig-more#hmac-sha256\"/>",
	    "xmldsig-more#hmac-sha256\"><ds:HMACOutputLength>128</ds:HMACOutputLength>"
	    "</ds:SignatureMethod>");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_PROFILE);
	free(e);
	/* another signature algorithm */
	e = edit(s, "xmldsig-more#hmac-sha256", "xmldsig#hmac-sha1");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_PROFILE);
	free(e);
	/* no signature */
	e = edit(s, "<ds:Signature", "<ds:NotSignature");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_FORM);
	free(e);
	/* a DOCTYPE */
	e = edit(s, "<SignedKmsResponse", "<!DOCTYPE x [<!ENTITY a \"b\">]><SignedKmsResponse");
	ck_assert_int_eq(verify(e, key1, "ik.1"), XSEC_FORM);
	free(e);
	xsec_free(s, len);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xsec");
	TCase *tc = tcase_create("xsec");
	SRunner *sr;
	int failed;

	if (xsec_init() != 0) {
		fprintf(stderr, "xsec_init failed\n");
		return 1;
	}
	tcase_add_test(tc, test_keywrap_round_trip);
	tcase_add_test(tc, test_keywrap_vs_openssl);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xsec_shutdown();
	return failed == 0 ? 0 : 1;
}
