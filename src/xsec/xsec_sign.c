/* SPDX-License-Identifier: ISC */
/*
 * Signing with libxml2's canonicalisation and OpenSSL's HMAC rather than
 * libxmlsec1: skmsd signs every protected response, and libxmlsec1's
 * signing context, node-set XPointer and transform chain cost about 70 us
 * a signature on top of the parse, more than a whole plain KeyProv
 * (measured with contrib/bench-tk). Nothing is canonicalised by hand:
 * libxml2 makes the canonical XML 1.0 of the signed element and of
 * SignedInfo; this file only assembles the ds:Signature of the D.1
 * profile (xsec.h) and computes its digest and HMAC. libxmlsec1 verifies
 * (xsec_verify.c), and the tests verify what is signed here with it and
 * with the xmlsec1 tool.
 *
 * skmsd's responses take the quicker way of xsec_sign_c14n(): its writer
 * (lib/xmlw.c) emits the signed element in canonical form already, so the
 * digest is over the octets as written, and SignedInfo, whose content is
 * fixed by the profile, is written in its canonical form; tests/test_xsec
 * checks both against libxml2's canonicalisation and xsec_sign().
 *
 * The signed element is the root of the document given, so the canonical
 * form of the whole document is that of the element. Under the Signed
 * wrapper it stays the same: the wrapper declares only the KMS namespace
 * as its default namespace, which the element declares itself.
 */
#include "config.h"

#include "xsec/xsec.h"
#include "xsec/xsec_impl.h"
#include "common/err.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/c14n.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define XSEC_DS_NS	"http://www.w3.org/2000/09/xmldsig#"
#define XSEC_C14N	"http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
#define XSEC_HMAC	"http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
#define XSEC_SHA256	"http://www.w3.org/2001/04/xmlenc#sha256"
#define XSEC_B64_32	45	/* base64 of 32 octets and a NUL */

/*
 * SHA-256 and HMAC fetched once: SHA256() and HMAC() look both up by name
 * at every call, a microsecond a signature (contrib/bench-tk).
 */
static EVP_MD *xsec_md;
static EVP_MAC *xsec_mac;
static pthread_once_t xsec_once = PTHREAD_ONCE_INIT;

static void
xsec_fetch(void)
{
	xsec_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	xsec_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

static int
xsec_sha256(const void *p, size_t n, uint8_t md[32])
{
	unsigned len = 0;

	pthread_once(&xsec_once, xsec_fetch);
	if (xsec_md == NULL || EVP_Digest(p, n, md, &len, xsec_md, NULL) != 1 || len != 32)
		return SKM_ECRYPTO;
	return 0;
}

/* HMAC-SHA256 under a key of XSEC_KEY_LEN octets. */
static int
xsec_hmac(const uint8_t *key, const void *p, size_t n, uint8_t md[32])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_END
	};
	EVP_MAC_CTX *ctx;
	size_t len = 0;
	int rc = SKM_ECRYPTO;

	pthread_once(&xsec_once, xsec_fetch);
	if (xsec_mac == NULL)
		return SKM_ECRYPTO;
	if ((ctx = EVP_MAC_CTX_new(xsec_mac)) == NULL)
		return SKM_ENOMEM;
	if (EVP_MAC_init(ctx, key, XSEC_KEY_LEN, params) == 1 &&
	    EVP_MAC_update(ctx, p, n) == 1 && EVP_MAC_final(ctx, md, &len, 32) == 1 &&
	    len == 32)
		rc = 0;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* libxml2's canonical XML 1.0 (no comments) of a node set, into an OpenSSL buffer. */
static int
xsec_c14n(xmlDocPtr d, xmlC14NIsVisibleCallback visible, void *arg, uint8_t *md,
    const uint8_t *key)
{
	xmlOutputBufferPtr ob;
	const xmlChar *c;
	size_t n;
	int rc = SKM_ECRYPTO;

	if ((ob = xmlAllocOutputBuffer(NULL)) == NULL)
		return SKM_ENOMEM;
	/* The whole document without a per-node callback when visible is NULL. */
	if ((visible != NULL ? xmlC14NExecute(d, visible, arg, XML_C14N_1_0, NULL, 0, ob) :
	    xmlC14NDocSaveTo(d, NULL, XML_C14N_1_0, NULL, 0, ob)) < 0 ||
	    xmlOutputBufferFlush(ob) < 0)
		goto out;
	c = xmlOutputBufferGetContent(ob);
	n = xmlOutputBufferGetSize(ob);
	rc = key == NULL ? xsec_sha256(c, n, md) : xsec_hmac(key, c, n, md);
out:
	xmlOutputBufferClose(ob);
	return rc;
}

/* The SignedInfo element and everything under it (namespace nodes by their element). */
static int
xsec_in_signed_info(void *arg, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr si = arg, n = node->type == XML_NAMESPACE_DECL ? parent : node;

	for (; n != NULL; n = n->parent)
		if (n == si)
			return 1;
	return 0;
}

/* The text of the document after its XML declaration. */
static const char *
xsec_body(const char *doc, size_t len, size_t *blen)
{
	const char *p = doc, *end = doc + len;

	if (len > 5 && memcmp(doc, "<?xml", 5) == 0) {
		if ((p = memchr(doc, '>', len)) == NULL)
			return NULL;
		p++;
	}
	while (p < end && (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t'))
		p++;
	*blen = (size_t)(end - p);
	return p;
}

int
xsec_sign(const char *doc, size_t len, const uint8_t *key, const char *key_name,
    char **out, size_t *outlen)
{
	xmlDocPtr d = NULL, sd = NULL;
	xmlNodePtr root, sig, si, sv;
	xmlBufferPtr sb = NULL;
	xmlChar *id = NULL;
	uint8_t md[32];
	char dv[XSEC_B64_32], svb[XSEC_B64_32], name[64], *tmpl = NULL, *o = NULL;
	const char *body;
	size_t blen = 0, tlen, olen;
	int rc = SKM_EINVAL, n;

	*out = NULL;
	*outlen = 0;
	if ((d = xsec_parse(doc, len)) == NULL || (body = xsec_body(doc, len, &blen)) == NULL)
		goto out;
	root = xmlDocGetRootElement(d);
	/* Nothing but the element: its canonical form is the document's. */
	if (root == NULL || root->ns == NULL || d->children != root || root->next != NULL ||
	    !xmlStrEqual(root->ns->href, (const xmlChar *)XSEC_KMS_NS) ||
	    (id = xmlGetNoNsProp(root, (const xmlChar *)"Id")) == NULL || id[0] == '\0' ||
	    xmlStrchr(id, '"') != NULL || xmlStrchr(id, '<') != NULL ||
	    xmlStrchr(id, '&') != NULL || strchr(key_name, '<') != NULL ||
	    strchr(key_name, '&') != NULL ||
	    (size_t)snprintf(name, sizeof(name), "Signed%s", (const char *)root->name) >=
	    sizeof(name))
		goto out;
	if ((rc = xsec_c14n(d, NULL, NULL, md, NULL)) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)dv, md, sizeof(md));
	/* The signature of the profile, with the digest, under the same wrapper. */
	tlen = 1024 + strlen((const char *)id) + strlen(key_name);
	rc = SKM_ENOMEM;
	if ((tmpl = OPENSSL_malloc(tlen)) == NULL)
		goto out;
	n = snprintf(tmpl, tlen, "<%s xmlns=\"%s\"><ds:Signature xmlns:ds=\"%s\">"
	    "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"%s\"/>"
	    "<ds:SignatureMethod Algorithm=\"%s\"/><ds:Reference URI=\"#%s\">"
	    "<ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue>%s</ds:DigestValue>"
	    "</ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo>"
	    "<ds:KeyName>%s</ds:KeyName></ds:KeyInfo></ds:Signature></%s>", name,
	    XSEC_KMS_NS, XSEC_DS_NS, XSEC_C14N, XSEC_HMAC, (const char *)id, XSEC_SHA256,
	    dv, key_name, name);
	rc = SKM_EINVAL;
	if (n < 0 || (size_t)n >= tlen || (sd = xsec_parse(tmpl, (size_t)n)) == NULL ||
	    (sig = xsec_child(xmlDocGetRootElement(sd), XSEC_DS_NS, "Signature")) == NULL ||
	    (si = xsec_child(sig, XSEC_DS_NS, "SignedInfo")) == NULL ||
	    (sv = xsec_child(sig, XSEC_DS_NS, "SignatureValue")) == NULL)
		goto out;
	if ((rc = xsec_c14n(sd, xsec_in_signed_info, si, md, key)) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)svb, md, sizeof(md));
	xmlNodeAddContent(sv, (const xmlChar *)svb);
	rc = SKM_ENOMEM;
	if ((sb = xmlBufferCreate()) == NULL || xmlNodeDump(sb, sd, sig, 0, 0) < 0)
		goto out;
	/* XML declaration, wrapper, the element as it was written, the signature. */
	olen = 64 + 2 * strlen(name) + strlen(XSEC_KMS_NS) + blen +
	    (size_t)xmlBufferLength(sb);
	if ((o = OPENSSL_malloc(olen)) == NULL)
		goto out;
	n = snprintf(o, olen, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"%s\">"
	    "%.*s%s</%s>\n", name, XSEC_KMS_NS, (int)blen, body,
	    (const char *)xmlBufferContent(sb), name);
	if (n < 0 || (size_t)n >= olen) {
		rc = SKM_ELEN;
		goto out;
	}
	*out = o;
	*outlen = (size_t)n;
	o = NULL;
	rc = 0;
out:
	OPENSSL_cleanse(md, sizeof(md));
	if (o != NULL)
		OPENSSL_clear_free(o, olen);
	OPENSSL_free(tmpl);
	if (sb != NULL)
		xmlBufferFree(sb);
	xmlFree(id);
	xmlFreeDoc(sd);
	xmlFreeDoc(d);
	return rc;
}

/* Printable ASCII without markup or quotes: written as it is everywhere. */
static int
xsec_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f || strchr("<>&\"'", *s) != NULL)
			return 0;
	return 1;
}

/* Whether s (n octets) holds the string t. */
static int
xsec_holds(const char *s, size_t n, const char *t)
{
	size_t tl = strlen(t), i;

	for (i = 0; i + tl <= n; i++)
		if (memcmp(s + i, t, tl) == 0)
			return 1;
	return 0;
}

int
xsec_sign_c14n(const char *doc, size_t len, size_t off, size_t clen, const char *id,
    const uint8_t *key, const char *key_name, char **out, size_t *outlen)
{
	static const char decl[] = " xmlns=\"" XSEC_KMS_NS "\"";
	const char *el = doc + off, *gt;
	uint8_t md[32];
	char dv[XSEC_B64_32], svb[XSEC_B64_32], idattr[80], *si = NULL, *o = NULL;
	size_t nlen, silen = 0, olen = 0;
	int rc = SKM_EINVAL, n;

	*out = NULL;
	*outlen = 0;
	if (!xsec_plain(id) || !xsec_plain(key_name))
		return xsec_sign(doc, len, key, key_name, out, outlen);
	/* <Name xmlns="KMS" ... Id="id" ...>, a newline after the end tag. */
	if (clen < 2 || off > len || clen > len - off || el[0] != '<' ||
	    (off + clen != len && (off + clen + 1 != len || doc[len - 1] != '\n')) ||
	    (gt = memchr(el, '>', clen)) == NULL)
		return SKM_EINVAL;
	nlen = strcspn(el + 1, " >");
	if (nlen == 0 || nlen > 40 || (size_t)(gt - el) < nlen + 1 + sizeof(decl) - 1 ||
	    memcmp(el + 1 + nlen, decl, sizeof(decl) - 1) != 0 ||
	    (size_t)snprintf(idattr, sizeof(idattr), " Id=\"%s\"", id) >= sizeof(idattr) ||
	    !xsec_holds(el, (size_t)(gt - el), idattr))
		return SKM_EINVAL;
	rc = SKM_ECRYPTO;
	if (xsec_sha256(el, clen, md) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)dv, md, sizeof(md));
	/* C14N of SignedInfo inside the wrapper: both namespaces in scope rendered. */
	rc = SKM_ENOMEM;
	silen = 1024 + strlen(id);
	if ((si = OPENSSL_malloc(silen)) == NULL)
		goto out;
	n = snprintf(si, silen, "<ds:SignedInfo xmlns=\"%s\" xmlns:ds=\"%s\">"
	    "<ds:CanonicalizationMethod Algorithm=\"%s\"></ds:CanonicalizationMethod>"
	    "<ds:SignatureMethod Algorithm=\"%s\"></ds:SignatureMethod>"
	    "<ds:Reference URI=\"#%s\"><ds:DigestMethod Algorithm=\"%s\"></ds:DigestMethod>"
	    "<ds:DigestValue>%s</ds:DigestValue></ds:Reference></ds:SignedInfo>",
	    XSEC_KMS_NS, XSEC_DS_NS, XSEC_C14N, XSEC_HMAC, id, XSEC_SHA256, dv);
	rc = SKM_ECRYPTO;
	if (n < 0 || (size_t)n >= silen || xsec_hmac(key, si, (size_t)n, md) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)svb, md, sizeof(md));
	/* What xsec_sign() writes: the signature as libxml2 serialises it. */
	rc = SKM_ENOMEM;
	olen = 2048 + 2 * nlen + (len - off) + strlen(id) + strlen(key_name);
	if ((o = OPENSSL_malloc(olen)) == NULL)
		goto out;
	n = snprintf(o, olen, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Signed%.*s xmlns=\"%s\">%.*s<ds:Signature xmlns:ds=\"%s\"><ds:SignedInfo>"
	    "<ds:CanonicalizationMethod Algorithm=\"%s\"/>"
	    "<ds:SignatureMethod Algorithm=\"%s\"/><ds:Reference URI=\"#%s\">"
	    "<ds:DigestMethod Algorithm=\"%s\"/><ds:DigestValue>%s</ds:DigestValue>"
	    "</ds:Reference></ds:SignedInfo><ds:SignatureValue>%s</ds:SignatureValue>"
	    "<ds:KeyInfo><ds:KeyName>%s</ds:KeyName></ds:KeyInfo></ds:Signature>"
	    "</Signed%.*s>\n", (int)nlen, el + 1, XSEC_KMS_NS, (int)(len - off), el,
	    XSEC_DS_NS, XSEC_C14N, XSEC_HMAC, id, XSEC_SHA256, dv, svb, key_name, (int)nlen,
	    el + 1);
	if (n < 0 || (size_t)n >= olen) {
		rc = SKM_ELEN;
		goto out;
	}
	*out = o;
	*outlen = (size_t)n;
	o = NULL;
	rc = 0;
out:
	OPENSSL_cleanse(md, sizeof(md));
	if (o != NULL)
		OPENSSL_clear_free(o, olen);
	OPENSSL_free(si);
	return rc;
}
