/* SPDX-License-Identifier: ISC */
/* KMS interface documents: well-formed, in schema order, hex on one line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/err.h"
#include "lib/kmsxml.h"
#include "lib/xmlw.h"

static xmlDocPtr
parse(const char *text, size_t len)
{
	xmlDocPtr doc = xmlReadMemory(text, (int)len, "test.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	ck_assert_ptr_nonnull(doc);
	return doc;
}

/* Child element names of n, in order, joined by spaces. */
static void
child_names(xmlNodePtr n, char *out, size_t cap)
{
	xmlNodePtr c;

	out[0] = '\0';
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (out[0] != '\0')
			strncat(out, " ", cap - strlen(out) - 1);
		strncat(out, (const char *)c->name, cap - strlen(out) - 1);
	}
}

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	ck_abort_msg("no element %s", name);
	return NULL;
}

static char *
text_of(xmlNodePtr n)
{
	return (char *)xmlNodeGetContent(n);
}

static void
fill_cert(struct kmsxml_cert *c)
{
	static const char *const domains[] = { "example.org", "a&b.example" };

	memset(c, 0, sizeof(*c));
	c->role = "Root";
	c->cert_uri = "cert1.kms.example.org";
	c->kms_uri = "kms.example.org";
	c->issuer = "www.example.org <ops>";
	c->valid_from = 1700000000;
	c->valid_to = 1800000000;
	c->user_key_period = 2592000;
	c->user_key_offset = 0;
	memset(c->pub_enc_key, 0xab, sizeof(c->pub_enc_key));
	c->pub_enc_key[0] = 0x04;
	memset(c->pub_auth_key, 0x0c, sizeof(c->pub_auth_key));
	c->pub_auth_key[0] = 0x04;
	c->domains = domains;
	c->ndomains = 2;
}

START_TEST(cert_document)
{
	struct kmsxml_cert c;
	char names[512], *doc, *t;
	size_t len;
	xmlDocPtr x;
	xmlNodePtr root;

	fill_cert(&c);
	ck_assert_int_eq(kmsxml_cert_doc(&c, &doc, &len), 0);
	ck_assert_uint_eq(strlen(doc), len);
	x = parse(doc, len);
	root = xmlDocGetRootElement(x);
	ck_assert_str_eq((const char *)root->name, "KmsCertificate");
	ck_assert_str_eq((const char *)root->ns->href, KMSXML_NS);
	child_names(root, names, sizeof(names));
	ck_assert_str_eq(names, "CertUri KmsUri Issuer ValidFrom ValidTo Revoked "
	    "UserIdFormat UserKeyPeriod UserKeyOffset PubEncKey PubAuthKey "
	    "ParameterSet KmsDomainList");
	t = text_of(child(root, "Issuer"));
	ck_assert_str_eq(t, "www.example.org <ops>");
	xmlFree(t);
	t = text_of(child(root, "ValidFrom"));
	ck_assert_str_eq(t, "2023-11-14T22:13:20Z");
	xmlFree(t);
	t = text_of(child(root, "PubEncKey"));
	ck_assert_uint_eq(strlen(t), 2 * SAKKE_POINT_LEN);
	ck_assert(strncmp(t, "04ABAB", 6) == 0);
	xmlFree(t);
	t = text_of(child(root, "UserIdFormat"));
	ck_assert_str_eq(t, "2");
	xmlFree(t);
	t = text_of(child(child(root, "KmsDomainList"), "KmsDomain")->next->next);
	ck_assert_str_eq(t, "a&b.example");
	xmlFree(t);
	xmlFreeDoc(x);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(keyset_in_response)
{
	uint8_t rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	struct kmsxml_response r = {
		.user_uri = "sip:alice@example.org", .kms_uri = "kms.example.org",
		.time = 0, .client_req_url = "https://kms.example.org/keymanagement/identity/v1/keyprov",
	};
	struct kmsxml_keyset k = {
		.kms_uri = "kms.example.org", .user_uri = "sip:alice@example.org",
		.valid_from = 1000, .valid_to = 2000, .period_no = 625,
		.rsk = rsk, .ssk = ssk, .pvt = pvt,
	};
	char names[512], *doc, *t;
	size_t len;
	xmlDocPtr x;
	xmlNodePtr root, ks;

	memset(rsk, 0x11, sizeof(rsk));
	memset(ssk, 0x22, sizeof(ssk));
	memset(pvt, 0x33, sizeof(pvt));
	memset(k.user_id, 0xa5, sizeof(k.user_id));
	ck_assert_int_eq(kmsxml_keyprov_response(&r, &k, 1, &doc, &len), 0);
	x = parse(doc, len);
	root = xmlDocGetRootElement(x);
	ck_assert_str_eq((const char *)root->name, "KmsResponse");
	child_names(root, names, sizeof(names));
	ck_assert_str_eq(names, "UserUri KmsUri Time ClientReqUrl KmsMessage");
	t = text_of(child(root, "Time"));
	ck_assert_str_eq(t, "1970-01-01T00:00:00Z");
	xmlFree(t);
	ks = child(child(child(root, "KmsMessage"), "KmsKeyProv"), "KmsKeySet");
	child_names(ks, names, sizeof(names));
	ck_assert_str_eq(names, "KmsUri UserUri UserID ValidFrom ValidTo KeyPeriodNo "
	    "Revoked UserDecryptKey UserSigningKeySSK UserPubTokenPVT");
	t = text_of(child(ks, "UserID"));
	ck_assert_uint_eq(strlen(t), 64);
	ck_assert(strncmp(t, "a5a5", 4) == 0);
	xmlFree(t);
	t = text_of(child(ks, "UserSigningKeySSK"));
	ck_assert_uint_eq(strlen(t), 64);
	ck_assert(strspn(t, "2") == 64);
	xmlFree(t);
	t = (char *)xmlGetProp(child(ks, "UserDecryptKey"), (const xmlChar *)"type");
	ck_assert_str_eq(t, "KeyContentType");
	xmlFree(t);
	xmlFreeDoc(x);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(certcache_and_error)
{
	struct kmsxml_response r = { .kms_uri = "kms.example.org", .time = 1 };
	struct kmsxml_cert c;
	char *cert, *doc, *t;
	const char *certs[2];
	size_t certlen, len;
	xmlDocPtr x;
	xmlNodePtr cache;

	fill_cert(&c);
	c.role = "External";
	ck_assert_int_eq(kmsxml_cert_doc(&c, &cert, &certlen), 0);
	/* Stored certificates are elements, without the XML declaration. */
	certs[0] = strchr(cert, '\n') + 1;
	certs[1] = certs[0];
	ck_assert_int_eq(kmsxml_certcache_response(&r, 7, certs, 2, &doc, &len), 0);
	x = parse(doc, len);
	cache = child(child(xmlDocGetRootElement(x), "KmsMessage"), "KmsCertCache");
	t = (char *)xmlGetProp(cache, (const xmlChar *)"CacheNum");
	ck_assert_str_eq(t, "7");
	xmlFree(t);
	ck_assert_ptr_nonnull(child(cache, "KmsCertificate"));
	xmlFreeDoc(x);
	kmsxml_free(doc, len);
	kmsxml_free(cert, certlen);

	ck_assert_int_eq(kmsxml_error_response(&r, 403, "revoked <identity>", &doc, &len), 0);
	x = parse(doc, len);
	t = text_of(child(child(xmlDocGetRootElement(x), "KmsError"), "ErrorMsg"));
	ck_assert_str_eq(t, "revoked <identity>");
	xmlFree(t);
	xmlFreeDoc(x);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(rejects_control_characters)
{
	struct kmsxml_cert c;
	char *doc = NULL;
	size_t len;

	fill_cert(&c);
	c.issuer = "bad\001issuer";
	ck_assert_int_eq(kmsxml_cert_doc(&c, &doc, &len), SKM_EINVAL);
	ck_assert_ptr_null(doc);
}
END_TEST

/*
 * The writer on its own: the five references between runs of plain text,
 * tab, LF and CR kept, every other C0 control refused, hex in both cases,
 * and a document several times the first buffer.
 */
START_TEST(writer_escapes_and_grows)
{
	static const uint8_t key[4] = { 0x0a, 0xbc, 0xde, 0xf1 };
	struct xmlw w;
	char *doc, bad[4] = { 'a', 0, 'b', 0 }, big[300];
	size_t len, expect;
	int c, i;

	xmlw_init(&w, 0);
	xmlw_open(&w, "r", NULL);
	xmlw_text(&w, "t", "a&b<c>d\"e'f\tg\nh\ri");
	xmlw_hex(&w, "u", NULL, key, sizeof(key), 1);
	xmlw_hex(&w, "l", NULL, key, sizeof(key), 0);
	xmlw_close(&w, "r");
	ck_assert_int_eq(xmlw_finish(&w, &doc, &len), 0);
	ck_assert_uint_eq(len, strlen(doc));
	ck_assert_ptr_nonnull(strstr(doc, "<t>a&amp;b&lt;c&gt;d\"e'f"
	    "\tg\nh&#xD;i</t><u>0ABCDEF1</u><l>0abcdef1</l>"));
	free(doc);

	for (c = 1; c < 0x20; c++) {
		bad[1] = (char)c;
		xmlw_init(&w, 0);
		xmlw_text(&w, "t", bad);
		if (c == '\t' || c == '\n' || c == '\r') {
			ck_assert_int_eq(xmlw_finish(&w, &doc, &len), 0);
			free(doc);
		} else {
			ck_assert_int_eq(xmlw_finish(&w, &doc, &len), SKM_EINVAL);
		}
	}

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	xmlw_init(&w, 1);
	xmlw_open(&w, "r", NULL);
	for (i = 0; i < 100; i++)
		xmlw_text(&w, "t", big);
	xmlw_close(&w, "r");
	ck_assert_int_eq(xmlw_finish(&w, &doc, &len), 0);
	/* the declaration, <r>, 100 indented lines of <t>...</t>, </r> */
	expect = strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") +
	    strlen("<r>\n") + 100 * (2 + 3 + (sizeof(big) - 1) + 4 + 1) +
	    strlen("</r>\n");
	ck_assert_uint_eq(len, expect);
	ck_assert_uint_eq(strlen(doc), expect);
	free(doc);
}
END_TEST

/* Writes "x" s "y" as <t> text; 0 or the writer's error. */
static int
write_text(const char *s, char **doc, size_t *len)
{
	struct xmlw w;
	char buf[16];

	snprintf(buf, sizeof(buf), "x%sy", s);
	xmlw_init(&w, 0);
	xmlw_text(&w, "t", buf);
	return xmlw_finish(&w, doc, len);
}

/* 1 when libxml2 takes <t>x s y</t> as it is: the independent judge. */
static int
libxml_takes(const char *s)
{
	char buf[64];
	xmlDocPtr x;

	snprintf(buf, sizeof(buf), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>x%sy</t>", s);
	x = xmlReadMemory(buf, (int)strlen(buf), "t.xml", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlFreeDoc(x);
	return x != NULL;
}

/* Every class of octets text must not carry, and their valid neighbours. */
static const struct utf8_case {
	const char *s;
	int ok;
} utf8_cases[] = {
	{ "\xc3\xa9", 1 },			/* U+00E9 */
	{ "\xc2\x80", 1 },			/* U+0080, a C1 control: XML allows it */
	{ "\xe2\x82\xac", 1 },			/* U+20AC */
	{ "\xed\x9f\xbf", 1 },			/* U+D7FF */
	{ "\xee\x80\x80", 1 },			/* U+E000 */
	{ "\xef\xbf\xbd", 1 },			/* U+FFFD */
	{ "\xf0\x90\x80\x80", 1 },		/* U+10000 */
	{ "\xf4\x8f\xbf\xbf", 1 },		/* U+10FFFF */
	{ "\xff\xfe", 0 },			/* never UTF-8 */
	{ "\xff", 0 },
	{ "\xfe", 0 },
	{ "\x80", 0 },				/* a stray continuation */
	{ "\xbf", 0 },
	{ "\xc0\xaf", 0 },			/* overlong '/' */
	{ "\xc1\xbf", 0 },			/* overlong DEL */
	{ "\xc0\x80", 0 },			/* overlong NUL */
	{ "\xe0\x80\xaf", 0 },			/* overlong, three octets */
	{ "\xe0\x9f\xbf", 0 },
	{ "\xf0\x80\x80\xaf", 0 },		/* overlong, four octets */
	{ "\xf0\x8f\xbf\xbf", 0 },
	{ "\xed\xa0\x80", 0 },			/* U+D800, a surrogate */
	{ "\xed\xbf\xbf", 0 },			/* U+DFFF */
	{ "\xef\xbf\xbe", 0 },			/* U+FFFE */
	{ "\xef\xbf\xbf", 0 },			/* U+FFFF */
	{ "\xf4\x90\x80\x80", 0 },		/* beyond U+10FFFF */
	{ "\xf5\x80\x80\x80", 0 },
	{ "\xf8\x88\x80\x80\x80", 0 },		/* five octets */
	{ "\xc3", 0 },				/* cut short before "y" */
	{ "\xe2\x82", 0 },
	{ "\xf0\x90\x80", 0 },
	{ "\xc3\xc3\xa9", 0 },			/* a lead without its continuation */
	{ "\x01", 0 },				/* C0 controls */
	{ "\x1f", 0 },
	{ "\x7f", 1 },				/* DEL is a Char */
};

START_TEST(writer_utf8_table)
{
	const struct utf8_case *c = &utf8_cases[_i];
	char *doc = NULL;
	size_t len = 0;
	int rc = write_text(c->s, &doc, &len);

	ck_assert_msg(rc == (c->ok ? 0 : SKM_EINVAL), "case %d: writer says %d", _i, rc);
	ck_assert_msg(libxml_takes(c->s) == c->ok, "case %d: libxml2 disagrees", _i);
	ck_assert_int_eq(xmlw_text_ok(c->s), c->ok);
	if (c->ok) {
		xmlDocPtr x = parse(doc, len);

		xmlFreeDoc(x);
		free(doc);
	} else {
		ck_assert_ptr_null(doc);
	}
}
END_TEST

/*
 * Brute force against libxml2: every one- and two-octet string and every
 * three- and four-octet string from the lead octets on, with the
 * continuations at their bounds, is written exactly when libxml2 reads it.
 * Markup is left out: the writer escapes it, libxml2 rightly refuses it raw.
 */
START_TEST(writer_utf8_brute_force)
{
	static const unsigned char cont[] = { 0x00, 0x41, 0x80, 0x9f, 0xa0, 0xbf, 0xc0 };
	unsigned a, b, i, j;
	char s[5], *doc;
	size_t len, n = 0;
	int rc;

	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			if (strchr("&<>\"'", (int)a) != NULL ||
			    (b != 0 && strchr("&<>\"'", (int)b) != NULL))
				continue;
			s[0] = (char)a;
			s[1] = (char)b;
			s[2] = '\0';
			doc = NULL;
			rc = write_text(s, &doc, &len);
			ck_assert_msg((rc == 0) == libxml_takes(s), "%02x %02x: writer %d", a, b, rc);
			ck_assert_int_eq(xmlw_text_ok(s), rc == 0);
			free(doc);
			n++;
		}
	for (a = 0xe0; a < 256; a++)
		for (b = 0x80; b < 0xc0; b++)
			for (i = 0; i < sizeof(cont); i++)
				for (j = 0; j < sizeof(cont); j++) {
					if (a < 0xf0 && j > 0)
						break;
					s[0] = (char)a;
					s[1] = (char)b;
					s[2] = (char)cont[i];
					s[3] = a < 0xf0 ? '\0' : (char)cont[j];
					s[4] = '\0';
					if (strchr("&<>\"'", cont[i]) != NULL && cont[i] != 0)
						continue;
					doc = NULL;
					rc = write_text(s, &doc, &len);
					ck_assert_msg((rc == 0) == libxml_takes(s),
					    "%02x %02x %02x %02x: writer %d", a, b,
					    cont[i], a < 0xf0 ? 0 : cont[j], rc);
					free(doc);
					n++;
				}
	ck_assert_uint_gt(n, 50000);
}
END_TEST

/*
 * A URL echoed from a request may hold any octet: the error document is
 * written all the same, well-formed, ASCII, with each octet outside
 * printable ASCII as %HH and markup as references.
 */
START_TEST(error_url_any_octets)
{
	struct kmsxml_response r = { .kms_uri = "kms.example.org", .time = 1 };
	char url[256], want[1024], *doc, *t;
	size_t len, i, n = 0;
	xmlDocPtr x;
	int c;

	for (c = 1; c < 256; c++)
		url[c - 1] = (char)c;
	url[255] = '\0';
	for (c = 1; c < 256; c++)
		n += (size_t)(c > 0x20 && c < 0x7f ? snprintf(want + n, sizeof(want) - n,
		    "%c", c) : snprintf(want + n, sizeof(want) - n, "%%%02X", c));
	r.client_req_url = url;
	ck_assert_int_eq(kmsxml_error_response(&r, 40004, "bad", &doc, &len), 0);
	for (i = 0; i < len; i++)
		ck_assert_msg((unsigned char)doc[i] < 0x80, "octet %zu is not ASCII", i);
	x = parse(doc, len);
	t = text_of(child(xmlDocGetRootElement(x), "ClientReqUrl"));
	ck_assert_str_eq(t, want);
	xmlFree(t);
	xmlFreeDoc(x);
	kmsxml_free(doc, len);
}
END_TEST

/* Stored elements copied in are held to the same rule as text. */
START_TEST(writer_raw_checked)
{
	struct xmlw w;
	char *doc = NULL;
	size_t len;

	xmlw_init(&w, 0);
	xmlw_raw(&w, "<a>\xc3\xa9</a>", 9);
	ck_assert_int_eq(xmlw_finish(&w, &doc, &len), 0);
	free(doc);
	doc = NULL;
	xmlw_init(&w, 0);
	xmlw_raw(&w, "<a>\xff</a>", 8);
	ck_assert_int_eq(xmlw_finish(&w, &doc, &len), SKM_EINVAL);
	ck_assert_ptr_null(doc);
	xmlw_init(&w, 0);
	xmlw_raw(&w, "<a>\x01</a>", 8);
	ck_assert_int_eq(xmlw_finish(&w, &doc, &len), SKM_EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kmsxml");
	TCase *tc = tcase_create("documents");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, cert_document);
	tcase_add_test(tc, keyset_in_response);
	tcase_add_test(tc, certcache_and_error);
	tcase_add_test(tc, rejects_control_characters);
	tcase_add_test(tc, writer_escapes_and_grows);
	tcase_add_loop_test(tc, writer_utf8_table, 0,
	    (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
	tcase_add_test(tc, error_url_any_octets);
	tcase_add_test(tc, writer_raw_checked);
	suite_add_tcase(s, tc);
	/* Some 100000 documents parsed: the timeout only guards against a hang. */
	tc = tcase_create("brute force");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, writer_utf8_brute_force);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
