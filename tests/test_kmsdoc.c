/* SPDX-License-Identifier: ISC */
/*
 * kmsdoc: documents written by kmsxml parse back field for field; documents
 * in other vendors' styles (base64, prefixes, extensions, signatures) parse;
 * malformed and hostile documents are refused with a reason naming the
 * element. Binary values here are patterns, not keys: kmscheck tests keys.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <openssl/evp.h>

#include "client/kmsdoc.h"
#include "common/err.h"
#include "lib/kmsxml.h"
#include "testlib.h"

/* The patterns of tests/data/kmsdoc: byte i is i * mul + add, after 04 for points. */
static void
pattern(uint8_t *b, size_t n, unsigned mul, unsigned add, int point)
{
	size_t i, k = 0;

	if (point)
		b[k++] = 0x04;
	for (i = 0; k < n; i++, k++)
		b[k] = (uint8_t)(i * mul + add);
}

static char *
load(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "kmsdoc/%s", name);
	f = fopen(test_data_path(path), "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct kmsdoc *
parse_ok(const char *buf, size_t len)
{
	struct kmsdoc *d = NULL;
	char why[256];
	int rc = kmsdoc_parse(buf, len, &d, why, sizeof(why));

	ck_assert_msg(rc == 0, "parse failed: %d %s", rc, why);
	ck_assert_ptr_nonnull(d);
	return d;
}

static void
parse_bad(const char *buf, size_t len, int want, const char *reason)
{
	struct kmsdoc *d = (struct kmsdoc *)1;
	char why[256];
	int rc = kmsdoc_parse(buf, len, &d, why, sizeof(why));

	ck_assert_int_eq(rc, want);
	ck_assert_ptr_null(d);
	ck_assert_msg(strstr(why, reason) != NULL, "reason '%s' lacks '%s'", why, reason);
}

static void
file_bad(const char *name, int want, const char *reason)
{
	size_t len;
	char *buf = load(name, &len);

	parse_bad(buf, len, want, reason);
	free(buf);
}

/* A certificate and a key set as the server fills them in. */
static const char *const domains[] = { "example.org", "a&b.example" };
static uint8_t rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];

static void
fill_cert(struct kmsxml_cert *c)
{
	memset(c, 0, sizeof(*c));
	c->role = "Root";
	c->cert_uri = "cert1.kms.example.org";
	c->kms_uri = "kms.example.org";
	c->issuer = "Example <ops>";
	c->valid_from = 1700000000;
	c->valid_to = 1800000000;
	c->user_key_period = 2592000;
	c->user_key_offset = 3600;
	pattern(c->pub_enc_key, sizeof(c->pub_enc_key), 7, 1, 1);
	pattern(c->pub_auth_key, sizeof(c->pub_auth_key), 3, 5, 1);
	c->domains = domains;
	c->ndomains = 2;
}

static void
fill_keyset(struct kmsxml_keyset *k, uint64_t period)
{
	memset(k, 0, sizeof(*k));
	k->kms_uri = "kms.example.org";
	k->cert_uri = "cert1.kms.example.org";
	k->issuer = "Example";
	k->user_uri = "sip:alice@example.org";
	pattern(k->user_id, sizeof(k->user_id), 5, (unsigned)period, 0);
	k->valid_from = 1759190400 + (int64_t)period;
	k->valid_to = 1761782400 + (int64_t)period;
	k->period_no = period;
	pattern(rsk, sizeof(rsk), 11, 2, 1);
	pattern(ssk, sizeof(ssk), 13, 9, 0);
	pattern(pvt, sizeof(pvt), 17, 4, 1);
	k->rsk = rsk;
	k->ssk = ssk;
	k->pvt = pvt;
}

static void
same_cert(const struct kmsdoc_cert *d, const struct kmsxml_cert *c)
{
	size_t i;

	ck_assert_str_eq(d->version, "1.1.0");
	ck_assert_str_eq(d->role, c->role);
	ck_assert_str_eq(d->cert_uri, c->cert_uri);
	ck_assert_str_eq(d->kms_uri, c->kms_uri);
	ck_assert_str_eq(d->issuer, c->issuer);
	ck_assert_int_eq(d->valid_from, c->valid_from);
	ck_assert_int_eq(d->valid_to, c->valid_to);
	ck_assert_int_eq(d->revoked, c->revoked);
	ck_assert_int_eq(d->user_id_format, 2);
	ck_assert_uint_eq(d->user_key_period, c->user_key_period);
	ck_assert_uint_eq(d->user_key_offset, c->user_key_offset);
	ck_assert_int_eq(d->parameter_set, 1);
	ck_assert_mem_eq(d->pub_enc_key, c->pub_enc_key, SAKKE_POINT_LEN);
	ck_assert_mem_eq(d->pub_auth_key, c->pub_auth_key, ECCSI_POINT_LEN);
	ck_assert_uint_eq(d->ndomains, c->ndomains);
	for (i = 0; i < c->ndomains; i++)
		ck_assert_str_eq(d->domains[i], c->domains[i]);
	ck_assert_ptr_nonnull(d->xml);
	ck_assert_uint_eq(strlen(d->xml), d->xmllen);
}

static void
same_keyset(const struct kmsdoc_keyset *d, const struct kmsxml_keyset *k)
{
	ck_assert_str_eq(d->kms_uri, k->kms_uri);
	ck_assert_str_eq(d->cert_uri, k->cert_uri);
	ck_assert_str_eq(d->issuer, k->issuer);
	ck_assert_str_eq(d->user_uri, k->user_uri);
	ck_assert_mem_eq(d->user_id, k->user_id, UID_LEN);
	ck_assert_int_eq(d->valid_from, k->valid_from);
	ck_assert_int_eq(d->valid_to, k->valid_to);
	ck_assert_uint_eq(d->period_no, k->period_no);
	ck_assert_int_eq(d->revoked, k->revoked);
	ck_assert_mem_eq(d->rsk, k->rsk, SAKKE_POINT_LEN);
	ck_assert_mem_eq(d->ssk, k->ssk, ECCSI_SCALAR_LEN);
	ck_assert_mem_eq(d->pvt, k->pvt, ECCSI_POINT_LEN);
	ck_assert_ptr_nonnull(d->xml);
	ck_assert_uint_eq(strlen(d->xml), d->xmllen);
}

static const struct kmsxml_response resp = {
	.user_uri = "sip:alice@example.org", .kms_uri = "kms.example.org",
	.time = 1759448872, .client_req_url = "https://kms.example.org/keymanagement/identity/v1/init",
};

static void
same_header(const struct kmsdoc *d)
{
	ck_assert_str_eq(d->user_uri, resp.user_uri);
	ck_assert_str_eq(d->kms_uri, resp.kms_uri);
	ck_assert_int_eq(d->time, resp.time);
	ck_assert_str_eq(d->client_req_url, resp.client_req_url);
}

START_TEST(init_round_trip)
{
	struct kmsxml_cert c;
	struct kmsdoc *d, *again;
	char *doc;
	size_t len;

	fill_cert(&c);
	ck_assert_int_eq(kmsxml_init_response(&resp, &c, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_INIT);
	ck_assert_str_eq(kmsdoc_kind_name(d->kind), "init");
	same_header(d);
	ck_assert_uint_eq(d->ncerts, 1);
	ck_assert_uint_eq(d->nkeysets, 0);
	same_cert(&d->certs[0], &c);
	/* The stored copy is a document of its own that parses to the same. */
	again = parse_ok(d->certs[0].xml, d->certs[0].xmllen);
	ck_assert_int_eq(again->kind, KMSDOC_CERT);
	same_cert(&again->certs[0], &c);
	ck_assert_ptr_null(again->kms_uri);
	kmsdoc_free(again);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
}
END_TEST

/* The next certificate of a scheduled rollover, in the skms extension of KmsInit. */
START_TEST(init_next_certificate)
{
	struct kmsxml_cert c, n;
	struct kmsdoc *d;
	char *doc, *twice;
	size_t len;
	const char *close;

	fill_cert(&c);
	fill_cert(&n);
	n.cert_uri = "cert1.kms.example.org.g1";
	n.valid_from = 1750000000;
	pattern(n.pub_enc_key, sizeof(n.pub_enc_key), 9, 3, 1);
	ck_assert_int_eq(kmsxml_init_response_next(&resp, &c, &n, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_INIT);
	ck_assert_uint_eq(d->ncerts, 1);
	same_cert(&d->certs[0], &c);
	ck_assert_ptr_nonnull(d->next);
	same_cert(d->next, &n);
	kmsdoc_free(d);
	/* Twice: refused, naming the element. */
	close = strstr(doc, "</KmsInit>");
	ck_assert_ptr_nonnull(close);
	{
		const char *open = strstr(doc, "<skms:NextKmsCertificate");
		size_t pre = (size_t)(close - doc), ext = (size_t)(close - open);

		ck_assert_ptr_nonnull(open);
		twice = malloc(len + ext + 1);
		ck_assert_ptr_nonnull(twice);
		memcpy(twice, doc, pre);
		memcpy(twice + pre, open, ext);
		memcpy(twice + pre + ext, close, len - pre + 1);
		parse_bad(twice, len + ext, SKM_EPARSE, "KmsInit/NextKmsCertificate: repeated");
		free(twice);
	}
	kmsxml_free(doc, len);
	/* Without the extension: no next certificate. */
	ck_assert_int_eq(kmsxml_init_response(&resp, &c, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_ptr_null(d->next);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(keyprov_round_trip)
{
	struct kmsxml_keyset k[2];
	uint8_t rsk2[SAKKE_POINT_LEN];
	struct kmsdoc *d, *again;
	char *doc;
	size_t len, i;

	fill_keyset(&k[0], 236);
	fill_keyset(&k[1], 237);
	memcpy(rsk2, rsk, sizeof(rsk2));
	rsk2[100] ^= 0xff;
	k[1].rsk = rsk2;
	k[1].revoked = 1;
	k[1].cert_uri = NULL;
	k[1].issuer = NULL;
	ck_assert_int_eq(kmsxml_keyprov_response(&resp, k, 2, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_KEYPROV);
	same_header(d);
	ck_assert_uint_eq(d->nkeysets, 2);
	same_keyset(&d->keysets[0], &k[0]);
	ck_assert_mem_eq(d->keysets[1].rsk, rsk2, sizeof(rsk2));
	ck_assert_int_eq(d->keysets[1].revoked, 1);
	ck_assert_ptr_null(d->keysets[1].cert_uri);
	ck_assert_ptr_null(d->keysets[1].issuer);
	for (i = 0; i < 2; i++) {
		again = parse_ok(d->keysets[i].xml, d->keysets[i].xmllen);
		ck_assert_int_eq(again->kind, KMSDOC_KEYSET);
		ck_assert_uint_eq(again->nkeysets, 1);
		ck_assert_mem_eq(again->keysets[0].rsk, k[i].rsk, SAKKE_POINT_LEN);
		ck_assert_uint_eq(again->keysets[0].period_no, k[i].period_no);
		kmsdoc_free(again);
	}
	kmsdoc_free(d);
	kmsxml_free(doc, len);

	/* An empty KmsKeyProv is a valid answer: no key sets. */
	ck_assert_int_eq(kmsxml_keyprov_response(&resp, k, 0, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_KEYPROV);
	ck_assert_uint_eq(d->nkeysets, 0);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(bare_documents)
{
	struct kmsxml_cert c;
	struct kmsxml_keyset k;
	struct kmsdoc *d;
	char *doc;
	size_t len;

	fill_cert(&c);
	c.role = "External";
	c.revoked = 1;
	c.cert_uri = NULL;
	c.issuer = NULL;
	c.ndomains = 0;
	ck_assert_int_eq(kmsxml_cert_doc(&c, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_CERT);
	ck_assert_uint_eq(d->ncerts, 1);
	ck_assert_str_eq(d->certs[0].role, "External");
	ck_assert_int_eq(d->certs[0].revoked, 1);
	ck_assert_ptr_null(d->certs[0].cert_uri);
	ck_assert_ptr_null(d->certs[0].issuer);
	ck_assert_ptr_null(d->certs[0].domains);
	ck_assert_mem_eq(d->certs[0].pub_enc_key, c.pub_enc_key, SAKKE_POINT_LEN);
	kmsdoc_free(d);
	kmsxml_free(doc, len);

	fill_keyset(&k, 9);
	ck_assert_int_eq(kmsxml_keyset_doc(&k, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_KEYSET);
	ck_assert_uint_eq(d->nkeysets, 1);
	same_keyset(&d->keysets[0], &k);
	/* The re-serialised key set is what kmsxml writes for the same fields. */
	ck_assert_uint_eq(d->keysets[0].xmllen, len);
	ck_assert_str_eq(d->keysets[0].xml, doc);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(certcache_and_error)
{
	struct kmsxml_cert c[2];
	const char *certs[2];
	char *one[2], *doc;
	size_t len, olen[2], i;
	struct kmsdoc *d;

	for (i = 0; i < 2; i++) {
		fill_cert(&c[i]);
		c[i].role = "External";
		c[i].kms_uri = i == 0 ? "kms.partner.example" : "kms.other.example";
		ck_assert_int_eq(kmsxml_cert_doc(&c[i], &one[i], &olen[i]), 0);
		/* Stored elements go in without their XML declaration. */
		certs[i] = strstr(one[i], "<KmsCertificate");
		ck_assert_ptr_nonnull(certs[i]);
	}
	ck_assert_int_eq(kmsxml_certcache_response(&resp, 42, certs, 2, &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_CERTCACHE);
	ck_assert_int_eq(d->has_cache_num, 1);
	ck_assert_uint_eq(d->cache_num, 42);
	ck_assert_uint_eq(d->ncerts, 2);
	same_cert(&d->certs[0], &c[0]);
	same_cert(&d->certs[1], &c[1]);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
	for (i = 0; i < 2; i++)
		kmsxml_free(one[i], olen[i]);

	ck_assert_int_eq(kmsxml_error_response(&resp, 403, "not your key <set>", &doc, &len), 0);
	d = parse_ok(doc, len);
	ck_assert_int_eq(d->kind, KMSDOC_ERROR);
	ck_assert_int_eq(d->error_code, 403);
	ck_assert_str_eq(d->error_msg, "not your key <set>");
	ck_assert_uint_eq(d->ncerts, 0);
	kmsdoc_free(d);
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(vendor_style)
{
	uint8_t z[SAKKE_POINT_LEN], kpak[ECCSI_POINT_LEN];
	struct kmsdoc *d;
	size_t len;
	char *buf = load("init-vendor.xml", &len);

	pattern(z, sizeof(z), 7, 1, 1);
	pattern(kpak, sizeof(kpak), 3, 5, 1);
	d = parse_ok(buf, len);
	ck_assert_int_eq(d->kind, KMSDOC_INIT);
	/* No zone: read as UTC. */
	ck_assert_int_eq(d->time, 1620645782);
	ck_assert_uint_eq(d->ncerts, 1);
	ck_assert_str_eq(d->certs[0].kms_uri, "kms.example.org");
	ck_assert_ptr_null(d->certs[0].cert_uri);
	ck_assert_int_eq(d->certs[0].valid_from, 0);
	ck_assert_int_eq(d->certs[0].parameter_set, -1);
	ck_assert_int_eq(d->certs[0].user_id_format, 2);
	ck_assert_uint_eq(d->certs[0].user_key_period, 2592000);
	ck_assert_mem_eq(d->certs[0].pub_enc_key, z, sizeof(z));
	ck_assert_mem_eq(d->certs[0].pub_auth_key, kpak, sizeof(kpak));
	kmsdoc_free(d);
	free(buf);
}
END_TEST

START_TEST(prefixes_base64_extensions)
{
	uint8_t z[SAKKE_POINT_LEN], kpak[ECCSI_POINT_LEN];
	struct kmsdoc *d, *again;
	size_t len;
	char *buf = load("init-prefixed.xml", &len);

	pattern(z, sizeof(z), 7, 1, 1);
	pattern(kpak, sizeof(kpak), 3, 5, 1);
	d = parse_ok(buf, len);
	ck_assert_int_eq(d->kind, KMSDOC_INIT);
	ck_assert_str_eq(d->user_uri, "sip:alice@example.org");
	/* The KmsUri inside the vendor element is not the response's. */
	ck_assert_str_eq(d->kms_uri, "kms.example.org");
	/* 13:23:02.250+02:00 */
	ck_assert_int_eq(d->time, 1620645782);
	ck_assert_uint_eq(d->ncerts, 1);
	ck_assert_str_eq(d->certs[0].cert_uri, "cert1.kms.example.org");
	ck_assert_str_eq(d->certs[0].issuer, "Example Ops");
	ck_assert_int_eq(d->certs[0].valid_from, 1700000000);
	ck_assert_int_eq(d->certs[0].valid_to, 1800000000);
	ck_assert_uint_eq(d->certs[0].user_key_period, 2592000);
	ck_assert_int_eq(d->certs[0].parameter_set, 1);
	ck_assert_mem_eq(d->certs[0].pub_enc_key, z, sizeof(z));
	ck_assert_mem_eq(d->certs[0].pub_auth_key, kpak, sizeof(kpak));
	ck_assert_uint_eq(d->certs[0].ndomains, 2);
	ck_assert_str_eq(d->certs[0].domains[0], "example.org");
	ck_assert_str_eq(d->certs[0].domains[1], "example.net");
	/* The stored copy declares its namespace on itself. */
	again = parse_ok(d->certs[0].xml, d->certs[0].xmllen);
	ck_assert_int_eq(again->kind, KMSDOC_CERT);
	ck_assert_mem_eq(again->certs[0].pub_enc_key, z, sizeof(z));
	ck_assert_str_eq(again->certs[0].domains[1], "example.net");
	kmsdoc_free(again);
	kmsdoc_free(d);
	free(buf);
}
END_TEST

START_TEST(base64_keyset_with_signature)
{
	uint8_t want[SAKKE_POINT_LEN];
	struct kmsdoc *d;
	size_t len;
	char *buf = load("keyprov-base64.xml", &len);

	d = parse_ok(buf, len);
	ck_assert_int_eq(d->kind, KMSDOC_KEYPROV);
	ck_assert_int_eq(d->time, 1759448872);
	ck_assert_uint_eq(d->nkeysets, 1);
	ck_assert_str_eq(d->keysets[0].user_uri, "sip:alice@example.org");
	ck_assert_uint_eq(d->keysets[0].period_no, 236);
	ck_assert_int_eq(d->keysets[0].revoked, 0);
	pattern(want, UID_LEN, 5, 3, 0);
	ck_assert_mem_eq(d->keysets[0].user_id, want, UID_LEN);
	pattern(want, SAKKE_POINT_LEN, 11, 2, 1);
	ck_assert_mem_eq(d->keysets[0].rsk, want, SAKKE_POINT_LEN);
	pattern(want, ECCSI_SCALAR_LEN, 13, 9, 0);
	ck_assert_mem_eq(d->keysets[0].ssk, want, ECCSI_SCALAR_LEN);
	pattern(want, ECCSI_POINT_LEN, 17, 4, 1);
	ck_assert_mem_eq(d->keysets[0].pvt, want, ECCSI_POINT_LEN);
	kmsdoc_free(d);
	free(buf);
}
END_TEST

START_TEST(refused_documents)
{
	static const char foo[] = "<x:Foo xmlns:x='" KMSXML_NS "'/>";

	file_bad("bad-ns.xml", SKM_EPARSE,
	    "KmsCertificate: wrong namespace 'urn:3gpp:ns:mcsecKMSInterface:2.0'");
	file_bad("truncated.xml", SKM_EPARSE, "XML line");
	file_bad("missing-kmsuri.xml", SKM_EPARSE, "KmsCertificate/KmsUri: missing");
	file_bad("bad-hex.xml", SKM_EPARSE, "KmsCertificate/PubEncKey: not hex or base64");
	file_bad("short-point.xml", SKM_ELEN, "KmsCertificate/PubEncKey: hex of 256 octets, want 257");
	file_bad("enc-key.xml", SKM_EPARSE,
	    "KmsKeySet/UserDecryptKey: encrypted key content is not supported");
	file_bad("xxe.xml", SKM_EPARSE, "DOCTYPE");
	parse_bad("", 0, SKM_EPARSE, "empty");
	/* Bytes that are no encoding at all: refused, nothing on stderr. */
	parse_bad("\0\0\0\0\xff\xfe<a/>", 10, SKM_EPARSE, "XML line");
	parse_bad("<KmsCertificate/>", 17, SKM_EPARSE, "KmsCertificate: wrong namespace ''");
	parse_bad(foo, strlen(foo), SKM_EPARSE, "Foo: not a KMS document");
}
END_TEST

START_TEST(refused_values)
{
	static const struct {
		const char *from, *to;
		int rc;
		const char *reason;
	} edits[] = {
		{ "<Revoked>false", "<Revoked>no", SKM_EPARSE, "KmsCertificate/Revoked: bad boolean" },
		{ "<UserKeyPeriod>2592000", "<UserKeyPeriod>-1", SKM_EPARSE,
		  "KmsCertificate/UserKeyPeriod: bad integer" },
		{ "<UserKeyOffset>3600", "<UserKeyOffset>18446744073709551616", SKM_EPARSE,
		  "KmsCertificate/UserKeyOffset: bad integer" },
		{ "<ValidFrom>2023-11-14T22:13:20Z", "<ValidFrom>2023-11-14 22:13:20Z", SKM_EPARSE,
		  "KmsCertificate/ValidFrom: bad dateTime" },
		{ "<ValidTo>2027-01-15T08:00:00Z", "<ValidTo>@1800000000", SKM_EPARSE,
		  "KmsCertificate/ValidTo: bad dateTime" },
		{ "<PubAuthKey>04", "<PubAuthKey>04AB", SKM_ELEN,
		  "KmsCertificate/PubAuthKey: hex of 66 octets, want 65" },
		{ "<CertUri>", "<KmsUri>x</KmsUri><CertUri>", SKM_EPARSE,
		  "KmsCertificate/KmsUri: repeated" },
		{ "<KmsDomainList>", "<KmsDomainList/><KmsDomainList>", SKM_EPARSE,
		  "KmsCertificate/KmsDomainList: repeated" },
	};
	struct kmsxml_cert c;
	char *doc, *bad, *at;
	size_t len, i, n;

	fill_cert(&c);
	ck_assert_int_eq(kmsxml_cert_doc(&c, &doc, &len), 0);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		at = strstr(doc, edits[i].from);
		ck_assert_msg(at != NULL, "no %s", edits[i].from);
		n = len + strlen(edits[i].to) + 1;
		bad = malloc(n);
		ck_assert_ptr_nonnull(bad);
		snprintf(bad, n, "%.*s%s%s", (int)(at - doc), doc, edits[i].to,
		    at + strlen(edits[i].from));
		parse_bad(bad, strlen(bad), edits[i].rc, edits[i].reason);
		free(bad);
	}
	kmsxml_free(doc, len);
}
END_TEST

START_TEST(refused_base64)
{
	struct kmsxml_keyset k;
	uint8_t raw[ECCSI_SCALAR_LEN + 3];
	char b64[64], *doc, *bad, *at, *end;
	size_t len, n;

	/* An SSK in base64 of 35 octets: right format, wrong length. */
	fill_keyset(&k, 1);
	memset(raw, 0x5a, sizeof(raw));
	EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
	ck_assert_int_eq(kmsxml_keyset_doc(&k, &doc, &len), 0);
	at = strstr(doc, "<UserSigningKeySSK");
	at = strchr(at, '>') + 1;
	end = strchr(at, '<');
	n = len + strlen(b64) + 1;
	bad = malloc(n);
	ck_assert_ptr_nonnull(bad);
	snprintf(bad, n, "%.*s%s%s", (int)(at - doc), doc, b64, end);
	parse_bad(bad, strlen(bad), SKM_ELEN,
	    "KmsKeySet/UserSigningKeySSK: base64 of 35 octets, want 32");
	/* Neither hex nor base64. */
	snprintf(bad, n, "%.*s%s%s", (int)(at - doc), doc, "zz*zzzzz", end);
	parse_bad(bad, strlen(bad), SKM_EPARSE, "KmsKeySet/UserSigningKeySSK: not hex or base64");
	free(bad);
	kmsxml_free(doc, len);
}
END_TEST

/* A KmsResponse around body, with the header elements. */
static char *
response(const char *body, const char *time)
{
	static const char fmt[] = "<KmsResponse xmlns='" KMSXML_NS "'><UserUri>u</UserUri>"
	    "<KmsUri>kms.example.org</KmsUri><Time>%s</Time><ClientReqUrl>c</ClientReqUrl>"
	    "%s</KmsResponse>";
	size_t n = sizeof(fmt) + strlen(body) + strlen(time);
	char *buf = malloc(n);

	ck_assert_ptr_nonnull(buf);
	snprintf(buf, n, fmt, time, body);
	return buf;
}

START_TEST(response_structure)
{
	static const struct {
		const char *body, *time;
		int rc;
		const char *reason;
		int64_t t;
	} cases[] = {
		/* An error wins over a message next to it. */
		{ "<KmsMessage><KmsKeyProv/></KmsMessage><KmsError><ErrorCode>-7</ErrorCode>"
		  "</KmsError>", "2021-05-10T06:23:02-05:00", 0, NULL, 1620645782 },
		{ "<KmsMessage><KmsKeyProv/></KmsMessage>", "2021-05-10T11:23:02.999999Z", 0,
		  NULL, 1620645782 },
		{ "<KmsMessage><KmsLookup/></KmsMessage>", "2021-05-10T11:23:02Z", SKM_EPARSE,
		  "KmsMessage: no KmsInit, KmsKeyProv or KmsCertCache", 0 },
		{ "<KmsMessage><KmsKeyProv/><KmsCertCache/></KmsMessage>", "2021-05-10T11:23:02Z",
		  SKM_EPARSE, "KmsMessage: more than one message", 0 },
		{ "<KmsMessage><KmsInit/></KmsMessage>", "2021-05-10T11:23:02Z", SKM_EPARSE,
		  "KmsInit: no KmsCertificate", 0 },
		{ "", "2021-05-10T11:23:02Z", SKM_EPARSE, "KmsResponse: no KmsMessage or KmsError", 0 },
		{ "<KmsError><ErrorMsg>x</ErrorMsg></KmsError>", "2021-05-10T11:23:02Z", SKM_EPARSE,
		  "KmsError/ErrorCode: missing", 0 },
		{ "<KmsMessage><KmsCertCache CacheNum='x'/></KmsMessage>", "2021-05-10T11:23:02Z",
		  SKM_EPARSE, "KmsCertCache/@CacheNum: bad integer 'x'", 0 },
		{ "", "2021-05-10T11:23:02+24:00", SKM_EPARSE, "KmsResponse/Time: bad dateTime", 0 },
		{ "", "2021-02-30T11:23:02Z", SKM_EPARSE, "KmsResponse/Time: bad dateTime", 0 },
	};
	struct kmsdoc *d;
	size_t i;
	char *buf;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf = response(cases[i].body, cases[i].time);
		if (cases[i].rc != 0) {
			parse_bad(buf, strlen(buf), cases[i].rc, cases[i].reason);
		} else {
			d = parse_ok(buf, strlen(buf));
			ck_assert_int_eq(d->time, cases[i].t);
			ck_assert_int_eq(d->kind, i == 0 ? KMSDOC_ERROR : KMSDOC_KEYPROV);
			if (i == 0) {
				ck_assert_int_eq(d->error_code, -7);
				ck_assert_ptr_null(d->error_msg);
			}
			kmsdoc_free(d);
		}
		free(buf);
	}
}
END_TEST

START_TEST(billion_laughs_fast)
{
	double t0, s;

	t0 = test_cpu_seconds();
	file_bad("laughs.xml", SKM_EPARSE, "DOCTYPE");
	s = test_cpu_seconds() - t0;
	/*
	 * A generous bound in CPU time: an expanded billion-laughs document
	 * takes minutes and gigabytes, so a refusal before expansion stays
	 * far below it, under the sanitizers too.
	 */
	ck_assert_msg(s < 2.0, "took %.3f s of CPU", s);
}
END_TEST

START_TEST(oversize)
{
	size_t n = KMSDOC_MAX_LEN + 1;
	char *big = malloc(n);

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	memcpy(big, "<KmsKeySet>", 11);
	parse_bad(big, n, SKM_ELEN, "over");
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kmsdoc");
	TCase *ok = tcase_create("accepted");
	TCase *bad = tcase_create("refused");
	SRunner *sr;
	int failed;

	tcase_add_test(ok, init_round_trip);
	tcase_add_test(ok, init_next_certificate);
	tcase_add_test(ok, keyprov_round_trip);
	tcase_add_test(ok, bare_documents);
	tcase_add_test(ok, certcache_and_error);
	tcase_add_test(ok, vendor_style);
	tcase_add_test(ok, prefixes_base64_extensions);
	tcase_add_test(ok, base64_keyset_with_signature);
	tcase_add_test(bad, refused_documents);
	tcase_add_test(bad, refused_values);
	tcase_add_test(bad, refused_base64);
	tcase_add_test(bad, response_structure);
	tcase_add_test(bad, billion_laughs_fast);
	tcase_add_test(bad, oversize);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
