/* SPDX-License-Identifier: ISC */
/*
 * Verification: the shape is checked by hand first (the signed element
 * and one ds:Signature under Signed<name>, one Reference to "#" + the
 * element's Id, a KeyName if any equal to the expected key, no
 * HMACOutputLength but 256), so each refusal is named; then libxmlsec1
 * verifies with the caller's key set directly, the signature and
 * reference algorithms limited to the D.1 profile and only same-document
 * references. Only the element whose Id the Reference names is
 * registered as an ID, so no other element of the document can be what
 * is signed.
 */
#include "config.h"

#include "xsec/xsec.h"
#include "xsec/xsec_impl.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <openssl/crypto.h>

#define XSEC_DS_NS	"http://www.w3.org/2000/09/xmldsig#"

/* Exactly one element in the KMS namespace named name, then one ds:Signature. */
static int
xsec_shape(xmlNodePtr root, const char *name, xmlNodePtr *signed_el, xmlNodePtr *sig)
{
	xmlNodePtr c;
	size_t nel = 0, nsig = 0;
	char want[64];

	if ((size_t)snprintf(want, sizeof(want), "Signed%s", name) >= sizeof(want))
		return -1;
	if (root == NULL || root->ns == NULL ||
	    !xmlStrEqual(root->ns->href, (const xmlChar *)XSEC_KMS_NS) ||
	    !xmlStrEqual(root->name, (const xmlChar *)want))
		return -1;
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (c->ns != NULL && xmlStrEqual(c->ns->href, (const xmlChar *)XSEC_KMS_NS) &&
		    xmlStrEqual(c->name, (const xmlChar *)name)) {
			*signed_el = c;
			nel++;
		} else if (c->ns != NULL &&
		    xmlStrEqual(c->ns->href, (const xmlChar *)XSEC_DS_NS) &&
		    xmlStrEqual(c->name, (const xmlChar *)"Signature")) {
			*sig = c;
			nsig++;
		} else
			return -1;
	}
	return nel == 1 && nsig == 1 ? 0 : -1;
}

/* SignedInfo holds one Reference whose URI is "#" + id, with no Transforms. */
static enum xsec_fail
xsec_reference(xmlNodePtr sig, const xmlChar *id)
{
	xmlNodePtr si, c, ref = NULL;
	xmlChar *uri;
	size_t n = 0;
	enum xsec_fail f = XSEC_REFERENCE;

	if ((si = xsec_child(sig, XSEC_DS_NS, "SignedInfo")) == NULL)
		return XSEC_FORM;
	for (c = si->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name,
		    (const xmlChar *)"Reference")) {
			ref = c;
			n++;
		}
	if (n != 1)
		return XSEC_REFERENCE;
	if ((uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI")) == NULL)
		return XSEC_REFERENCE;
	if (uri[0] == '#' && xmlStrEqual(uri + 1, id))
		f = XSEC_OK;
	xmlFree(uri);
	if (f == XSEC_OK && xsec_child(ref, XSEC_DS_NS, "Transforms") != NULL) {
		/* Canonical XML is applied to a same-document reference anyway. */
		for (c = xsec_child(ref, XSEC_DS_NS, "Transforms")->children; c != NULL;
		    c = c->next) {
			xmlChar *alg;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			alg = xmlGetNoNsProp(c, (const xmlChar *)"Algorithm");
			if (alg == NULL || !xmlStrEqual(alg, xmlSecHrefC14N))
				f = XSEC_PROFILE;
			xmlFree(alg);
		}
	}
	return f;
}

/* D.1: a 256-bit HMAC; a truncated one is refused outright. */
static enum xsec_fail
xsec_output_len(xmlNodePtr sig)
{
	xmlNodePtr si, sm, c;
	xmlChar *v;
	enum xsec_fail f = XSEC_OK;

	if ((si = xsec_child(sig, XSEC_DS_NS, "SignedInfo")) == NULL ||
	    (sm = xsec_child(si, XSEC_DS_NS, "SignatureMethod")) == NULL)
		return XSEC_FORM;
	for (c = sm->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		v = xmlNodeGetContent(c);
		if (!xmlStrEqual(c->name, (const xmlChar *)"HMACOutputLength") || v == NULL ||
		    !xmlStrEqual(v, (const xmlChar *)"256"))
			f = XSEC_PROFILE;
		xmlFree(v);
	}
	return f;
}

static enum xsec_fail
xsec_key_name_ok(xmlNodePtr sig, const char *key_name)
{
	xmlNodePtr ki, kn;
	xmlChar *v;
	enum xsec_fail f = XSEC_OK;

	if ((ki = xsec_child(sig, XSEC_DS_NS, "KeyInfo")) == NULL ||
	    (kn = xsec_child(ki, XSEC_DS_NS, "KeyName")) == NULL)
		return XSEC_OK;
	v = xmlNodeGetContent(kn);
	if (v == NULL || !xmlStrEqual(v, (const xmlChar *)key_name))
		f = XSEC_KEY_NAME;
	xmlFree(v);
	return f;
}

/* The signed element alone, its namespaces declared on it. */
static int
xsec_extract(xmlDocPtr d, xmlNodePtr el, char **inner, size_t *innerlen)
{
	xmlDocPtr nd;
	xmlNodePtr copy;
	xmlChar *buf = NULL;
	int n = 0, rc = SKM_ENOMEM;

	if ((nd = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return SKM_ENOMEM;
	/* A recursive copy into another document reconciles the namespaces. */
	if ((copy = xmlDocCopyNode(el, nd, 1)) == NULL)
		goto out;
	xmlDocSetRootElement(nd, copy);
	(void)d;
	xmlDocDumpMemoryEnc(nd, &buf, &n, "UTF-8");
	if (buf == NULL || n <= 0)
		goto out;
	if ((*inner = OPENSSL_malloc((size_t)n + 1)) == NULL)
		goto out;
	memcpy(*inner, buf, (size_t)n);
	(*inner)[n] = '\0';
	*innerlen = (size_t)n;
	rc = 0;
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, (size_t)n);
		xmlFree(buf);
	}
	xmlFreeDoc(nd);
	return rc;
}

static int
xsec_limit(xmlSecDSigCtxPtr ctx)
{
	/* Same-document references only: never a file, a URL or XPointer. */
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_DONT_STOP_ON_KEY_FOUND;
	if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformInclC14NId) < 0 ||
	    xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformHmacSha256Id) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformInclC14NId) < 0 ||
	    xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0)
		return -1;
	return 0;
}

int
xsec_verify(const char *doc, size_t len, const char *name, const uint8_t *key,
    const char *key_name, enum xsec_fail *fail, char **inner, size_t *innerlen)
{
	xmlDocPtr d = NULL;
	xmlNodePtr el = NULL, sig = NULL;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlSecDSigReferenceCtxPtr rctx;
	xmlChar *id = NULL;
	int rc = SKM_EVERIFY;

	*fail = XSEC_FORM;
	if (inner != NULL) {
		*inner = NULL;
		*innerlen = 0;
	}
	if ((d = xsec_parse(doc, len)) == NULL ||
	    xsec_shape(xmlDocGetRootElement(d), name, &el, &sig) != 0)
		goto out;
	if ((id = xmlGetNoNsProp(el, (const xmlChar *)"Id")) == NULL || id[0] == '\0') {
		*fail = XSEC_NO_ID;
		goto out;
	}
	if ((*fail = xsec_reference(sig, id)) != XSEC_OK ||
	    (*fail = xsec_output_len(sig)) != XSEC_OK ||
	    (*fail = xsec_key_name_ok(sig, key_name)) != XSEC_OK)
		goto out;
	*fail = XSEC_FORM;
	if (xsec_add_id(d, el) != 0)
		goto out;
	rc = SKM_ENOMEM;
	if ((ctx = xmlSecDSigCtxCreate(NULL)) == NULL || xsec_limit(ctx) != 0 ||
	    (ctx->signKey = xsec_hmac_key(key, key_name)) == NULL)
		goto out;
	rc = SKM_EVERIFY;
	/* An algorithm outside the enabled lists fails here, before any digest. */
	if (xmlSecDSigCtxVerify(ctx, sig) < 0) {
		*fail = XSEC_PROFILE;
		goto out;
	}
	*fail = XSEC_BAD;
	if (ctx->status != xmlSecDSigStatusSucceeded)
		goto out;
	/* What libxmlsec1 actually digested is the one element checked above. */
	*fail = XSEC_REFERENCE;
	if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1 ||
	    (rctx = xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0)) == NULL ||
	    rctx->uri == NULL || rctx->uri[0] != '#' || !xmlStrEqual(rctx->uri + 1, id) ||
	    rctx->status != xmlSecDSigStatusSucceeded)
		goto out;
	*fail = XSEC_OK;
	rc = 0;
	if (inner != NULL && (rc = xsec_extract(d, el, inner, innerlen)) != 0)
		*fail = XSEC_FORM;
out:
	if (ctx != NULL)
		xmlSecDSigCtxDestroy(ctx);
	xmlFree(id);
	xmlFreeDoc(d);
	return rc;
}
