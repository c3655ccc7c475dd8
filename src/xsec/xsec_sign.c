/* SPDX-License-Identifier: ISC */
/*
 * Signing: the document (as the server's writer made it, or the client's
 * request) is parsed, put under a Signed<root> element of the KMS
 * namespace and followed by a ds:Signature that libxmlsec1 computes over
 * the canonical form of the root element, reached by its Id.
 */
#include "config.h"

#include "xsec/xsec.h"
#include "xsec/xsec_impl.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <openssl/crypto.h>

/* The document as one NUL-terminated buffer from the OpenSSL heap. */
static int
xsec_dump(xmlDocPtr doc, char **out, size_t *outlen)
{
	xmlChar *buf = NULL;
	int n = 0;

	xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
	if (buf == NULL || n <= 0)
		return SKM_ENOMEM;
	if ((*out = OPENSSL_malloc((size_t)n + 1)) == NULL) {
		OPENSSL_cleanse(buf, (size_t)n);
		xmlFree(buf);
		return SKM_ENOMEM;
	}
	memcpy(*out, buf, (size_t)n);
	(*out)[n] = '\0';
	*outlen = (size_t)n;
	OPENSSL_cleanse(buf, (size_t)n);
	xmlFree(buf);
	return 0;
}

int
xsec_sign(const char *doc, size_t len, const uint8_t *key, const char *key_name,
    char **out, size_t *outlen)
{
	xmlDocPtr d = NULL;
	xmlNodePtr root, wrap, sig, ref, ki;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlChar *id = NULL;
	char name[64], uri[256];
	int rc = SKM_EINVAL;

	*out = NULL;
	*outlen = 0;
	if ((d = xsec_parse(doc, len)) == NULL)
		goto out;
	root = xmlDocGetRootElement(d);
	if (root == NULL || root->ns == NULL ||
	    (id = xmlGetNoNsProp(root, (const xmlChar *)"Id")) == NULL ||
	    (size_t)snprintf(uri, sizeof(uri), "#%s", (const char *)id) >= sizeof(uri) ||
	    (size_t)snprintf(name, sizeof(name), "Signed%s",
	    (const char *)root->name) >= sizeof(name))
		goto out;
	rc = SKM_ENOMEM;
	if ((wrap = xmlNewDocNode(d, NULL, (const xmlChar *)name, NULL)) == NULL)
		goto out;
	xmlSetNs(wrap, xmlNewNs(wrap, (const xmlChar *)XSEC_KMS_NS, NULL));
	xmlUnlinkNode(root);
	xmlDocSetRootElement(d, wrap);
	xmlAddChild(wrap, root);
	if (xsec_add_id(d, root) != 0)
		goto out;
	/* D.1: canonical XML 1.0, HMAC-SHA256, a SHA-256 digest, KeyName. */
	sig = xmlSecTmplSignatureCreateNsPref(d, xmlSecTransformInclC14NId,
	    xmlSecTransformHmacSha256Id, NULL, (const xmlChar *)"ds");
	if (sig == NULL)
		goto out;
	xmlAddChild(wrap, sig);
	if ((ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL,
	    (const xmlChar *)uri, NULL)) == NULL ||
	    (ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL)) == NULL ||
	    xmlSecTmplKeyInfoAddKeyName(ki, (const xmlChar *)key_name) == NULL)
		goto out;
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL ||
	    (ctx->signKey = xsec_hmac_key(key, key_name)) == NULL)
		goto out;
	if (xmlSecDSigCtxSign(ctx, sig) < 0) {
		rc = SKM_ECRYPTO;
		goto out;
	}
	rc = xsec_dump(d, out, outlen);
out:
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	xmlFree(id);
	xmlFreeDoc(d);
	return rc;
}
