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
#include "lib/xmlw.h"
#include "xsec/xsec.h"

#include <libxml/c14n.h>
#include <libxml/parser.h>

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
		"https://kms.example.org/keymanagement/identity/v1/init", &tk, NULL };
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


/*
 * The writer's canonical form against libxml2's: the octets xmlw says are
 * the root element's Canonical XML 1.0 must be what libxml2 makes of the
 * parsed document (c14n 20010315, no comments) byte for byte.
 */
static void
check_c14n(const char *doc, size_t len, size_t off, size_t clen)
{
	xmlDocPtr d;
	xmlChar *c = NULL;
	int n;

	ck_assert_uint_ne(clen, 0);
	d = xmlReadMemory(doc, (int)len, NULL, NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(d);
	n = xmlC14NDocDumpMemory(d, NULL, XML_C14N_1_0, NULL, 0, &c);
	ck_assert_int_ge(n, 0);
	if ((size_t)n != clen || memcmp(c, doc + off, clen) != 0)
		ck_abort_msg("not canonical:\n%.*s\nlibxml2:\n%s", (int)clen, doc + off, c);
	xmlFree(c);
	xmlFreeDoc(d);
}

static uint32_t rng_state = 1;

static unsigned
rng(unsigned n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

/* Text made of what canonicalisation treats specially, and plain runs. */
static const char *
gen_text(char *buf, size_t size)
{
	static const char *const piece[] = {
		"&", "<", ">", "\r", "\r\n", "\n", "\t", "\"", "'", " ", "]]>", "&amp;",
		"\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x94\x91", "\xef\xbf\xbd",
		"\xc2\x85", "\xe2\x80\xa8", "sip:a@example.org", "x", "=", "#", "%20", "\x7f",
	};
	size_t n = rng(8), i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *p = piece[rng(sizeof(piece) / sizeof(piece[0]))];

		if (strlen(buf) + strlen(p) < size)
			strcat(buf, p);
	}
	return buf;
}

/* Names clients would send, and some that need escaping. */
static const char *
gen_id(char *buf, size_t size)
{
	if (rng(3) != 0) {
		snprintf(buf, size, "tk.%u", rng(1000));
		return buf;
	}
	return gen_text(buf, size);
}

/* One response of a random kind with random optional parts; 0 or SKM_E*. */
static int
gen_response(char **doc, size_t *len, struct kmsxml_span *span, struct kmsxml_tk *tk,
    char (*t)[64])
{
	static const uint8_t trk[32] = { 7 }, nk[32] = { 8 }, key[SAKKE_POINT_LEN] = { 4 };
	static const char *const raw[] = {
		"<KmsCertificate xmlns=\"" KMSXML_NS "\" Role=\"Root\"><KmsUri>k</KmsUri>"
		"</KmsCertificate>"
	};
	const char *doms[3];
	struct kmsxml_cert cert, next;
	struct kmsxml_keyset ks[2];
	struct kmsxml_response r;
	size_t i, nsets = rng(3);

	memset(tk, 0, sizeof(*tk));
	memset(&cert, 0, sizeof(cert));
	memset(ks, 0, sizeof(ks));
	for (i = 0; i < 3; i++)
		doms[i] = gen_text(t[i], sizeof(t[i]));
	cert.role = rng(2) ? "Root" : gen_text(t[3], sizeof(t[3]));
	cert.cert_uri = rng(2) ? gen_text(t[4], sizeof(t[4])) : NULL;
	cert.kms_uri = gen_text(t[5], sizeof(t[5]));
	cert.issuer = rng(2) ? gen_text(t[6], sizeof(t[6])) : NULL;
	cert.valid_from = rng(2) ? 1700000000 : 0;
	cert.valid_to = rng(2) ? 1800000000 : 0;
	cert.revoked = (int)rng(2);
	cert.user_key_period = rng(100000);
	cert.user_key_offset = rng(100);
	cert.domains = doms;
	cert.ndomains = rng(4);
	next = cert;
	next.role = "Root";
	if (rng(4) != 0) {
		tk->trk_id = rng(4) ? gen_id(t[7], sizeof(t[7])) : NULL;
		tk->trk = trk;
		tk->sig_id = gen_id(t[8], sizeof(t[8]));
		if (tk->trk_id != NULL && rng(2)) {
			tk->new_trk_id = gen_id(t[9], sizeof(t[9]));
			tk->new_trk = nk;
		}
		if (tk->trk_id != NULL && rng(2)) {
			tk->new_ink_id = gen_id(t[10], sizeof(t[10]));
			tk->new_ink = nk;
		}
	}
	for (i = 0; i < nsets; i++) {
		ks[i].kms_uri = cert.kms_uri;
		ks[i].cert_uri = cert.cert_uri;
		ks[i].issuer = cert.issuer;
		ks[i].user_uri = gen_text(t[11], sizeof(t[11]));
		ks[i].valid_from = 1700000000;
		ks[i].valid_to = 1700086400;
		ks[i].period_no = rng(1000);
		ks[i].revoked = (int)rng(2);
		ks[i].rsk = ks[i].ssk = ks[i].pvt = key;
		if (tk->trk_id != NULL) {
			ks[i].trk = trk;
			ks[i].trk_id = tk->trk_id;
		}
	}
	r.user_uri = gen_text(t[12], sizeof(t[12]));
	r.kms_uri = cert.kms_uri;
	r.time = 1700000000 + rng(1000);
	r.client_req_url = gen_text(t[13], sizeof(t[13]));
	r.tk = tk->sig_id != NULL ? tk : NULL;
	r.c14n = span;
	switch (rng(5)) {
	case 0:
		return kmsxml_init_response_next(&r, &cert, rng(2) ? &next : NULL, doc, len);
	case 1:
	case 2:
		return kmsxml_keyprov_response(&r, ks, nsets, doc, len);
	case 3:
		return kmsxml_error_response(&r, 40301, gen_text(t[14], sizeof(t[14])), doc,
		    len);
	default:
		/* Stored certificates: the writer cannot vouch for them (span 0). */
		return kmsxml_certcache_response(&r, rng(50), raw, rng(2), doc, len);
	}
}

START_TEST(test_writer_c14n)
{
	char t[16][64], *doc, *a, *b;
	struct kmsxml_span span;
	struct kmsxml_tk tk;
	size_t len, alen, blen;
	unsigned i, signed_n = 0, raw_n = 0;

	for (i = 0; i < 3000; i++) {
		span.off = span.len = 0;
		ck_assert_int_eq(gen_response(&doc, &len, &span, &tk, t), 0);
		if (strstr(doc, "<KmsCertificate xmlns") != NULL &&
		    strstr(doc, "<KmsCertCache") != NULL) {
			ck_assert_uint_eq(span.len, 0);
			raw_n++;
			kmsxml_free(doc, len);
			continue;
		}
		check_c14n(doc, len, span.off, span.len);
		/* Signed without a parse as with libxml2, and the result verifies. */
		if (tk.sig_id != NULL) {
			ck_assert_int_eq(xsec_sign(doc, len, key1, "ik.1", &a, &alen), 0);
			ck_assert_int_eq(xsec_sign_c14n(doc, len, span.off, span.len,
			    KMSXML_RESPONSE_ID, key1, "ik.1", &b, &blen), 0);
			ck_assert_uint_eq(alen, blen);
			ck_assert_mem_eq(a, b, alen);
			ck_assert_int_eq(verify(b, key1, "ik.1"), XSEC_OK);
			xsec_free(a, alen);
			xsec_free(b, blen);
			signed_n++;
		}
		kmsxml_free(doc, len);
	}
	/* Every branch was taken often enough to mean something. */
	ck_assert_uint_gt(signed_n, 1000);
	ck_assert_uint_gt(raw_n, 50);
}
END_TEST

/* The writer alone: attributes in any order and of any value, nested namespaces. */
START_TEST(test_writer_c14n_attrs)
{
	static const char *const names[] = {
		"b", "a", "Id", "Version", "z:q", "xsi:type", "z:a", "aa", "A",
	};
	static const char *const ys[] = { "urn:y0", "urn:y1", "urn:y2" };
	char vals[8][64] = { "" }, *doc;
	const char *attrs[2 * XMLW_MAX_ATTRS + 1];
	const char *hattrs[] = { "xsi:type", NULL, "a", NULL, NULL };
	struct xmlw w;
	size_t len, off, clen, n, k, depth, used;
	unsigned i;

	for (i = 0; i < 2000; i++) {
		xmlw_init(&w, (int)rng(2));
		k = 0;
		attrs[k++] = "xmlns:z";
		attrs[k++] = "urn:z";
		attrs[k++] = "xmlns";
		attrs[k++] = KMSXML_NS;
		attrs[k++] = "xmlns:xsi";
		attrs[k++] = KMSXML_XSI_NS;
		attrs[k] = NULL;
		/* The declarations out of order, first or last. */
		xmlw_open(&w, "r", attrs);
		for (depth = 0; depth < 3; depth++) {
			k = 0;
			used = 0;
			for (n = rng(6); n > 0; n--) {
				const char *nm = names[rng(sizeof(names) / sizeof(names[0]))];
				size_t j;

				for (j = 0; j < k; j += 2)
					if (strcmp(attrs[j], nm) == 0)
						break;
				if (j < k)
					continue;
				attrs[k++] = nm;
				attrs[k++] = gen_text(vals[used], sizeof(vals[used]) / 2);
				used++;
			}
			if (rng(3) == 0) {
				/* Another name at each depth: a repeated one is not canonical. */
				attrs[k++] = "xmlns:y";
				attrs[k++] = ys[depth];
			}
			attrs[k] = NULL;
			xmlw_open(&w, depth == 1 ? "z:e" : "e", attrs);
			xmlw_text(&w, "t", gen_text(vals[7], sizeof(vals[7])));
			hattrs[1] = gen_text(vals[6], sizeof(vals[6]));
			hattrs[3] = vals[0];
			xmlw_hex(&w, "h", rng(2) ? hattrs : NULL, (const uint8_t *)"ab", 2, 1);
		}
		for (depth = 3; depth > 0; depth--)
			xmlw_close(&w, depth == 2 ? "z:e" : "e");
		xmlw_close(&w, "r");
		ck_assert_int_eq(xmlw_finish_c14n(&w, &doc, &len, &off, &clen), 0);
		check_c14n(doc, len, off, clen);
		free(doc);
	}
	/* A declaration the parent makes already: not vouched for. */
	attrs[0] = "xmlns";
	attrs[1] = KMSXML_NS;
	attrs[2] = NULL;
	xmlw_init(&w, 1);
	xmlw_open(&w, "r", attrs);
	xmlw_open(&w, "e", attrs);
	xmlw_close(&w, "e");
	xmlw_close(&w, "r");
	ck_assert_int_eq(xmlw_finish_c14n(&w, &doc, &len, &off, &clen), 0);
	ck_assert_uint_eq(clen, 0);
	free(doc);
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
	tcase_add_test(tc, test_writer_c14n);
	tcase_add_test(tc, test_writer_c14n_attrs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xsec_shutdown();
	return failed == 0 ? 0 : 1;
}
