/* SPDX-License-Identifier: ISC */
/*
 * libxmlsec1 set-up, the locked-down parse both directions share, and
 * the HMAC key. libxmlsec1 reports errors through a process-wide
 * callback: it is replaced once here by one that drops them, since every
 * refusal is named by the caller (xsec_fail) and nothing may reach
 * stderr from a daemon.
 */
#include "config.h"

#include "xsec/xsec.h"
#include "xsec/xsec_impl.h"
#include "common/err.h"

#include <string.h>

#include <libxml/parser.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/xmltree.h>

#include <openssl/crypto.h>

static void
xsec_drop(const char *file, int line, const char *func, const char *obj,
    const char *subj, int reason, const char *msg)
{
	(void)file;
	(void)line;
	(void)func;
	(void)obj;
	(void)subj;
	(void)reason;
	(void)msg;
}

static void
xsec_drop_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

int
xsec_init(void)
{
	xmlInitParser();
	if (xmlSecInit() < 0)
		return SKM_ECRYPTO;
	if (xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 ||
	    xmlSecCryptoInit() < 0) {
		xmlSecShutdown();
		return SKM_ECRYPTO;
	}
	/* The initialisations install the default printer: replaced after them. */
	xmlSecErrorsSetCallback(xsec_drop);
	return 0;
}

void
xsec_shutdown(void)
{
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
}

xmlDocPtr
xsec_parse(const char *doc, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr d;

	if (len > (size_t)1 << 24)
		return NULL;
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		return NULL;
	ctxt->sax->serror = xsec_drop_structured;
	/* No NOENT, DTDLOAD or HUGE: entities stay unexpanded, limits on. */
	d = xmlCtxtReadMemory(ctxt, doc, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d != NULL && (!ctxt->wellFormed || d->intSubset != NULL ||
	    d->extSubset != NULL)) {
		xmlFreeDoc(d);
		d = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return d;
}

xmlSecKeyPtr
xsec_hmac_key(const uint8_t *key, const char *name)
{
	xmlSecKeyPtr k;

	k = xmlSecKeyReadMemory(xmlSecKeyDataHmacId, key, XSEC_KEY_LEN);
	if (k == NULL)
		return NULL;
	if (xmlSecKeySetName(k, (const xmlChar *)name) < 0) {
		xmlSecKeyDestroy(k);
		return NULL;
	}
	return k;
}

int
xsec_add_id(xmlDocPtr doc, xmlNodePtr n)
{
	xmlAttrPtr a = xmlHasProp(n, (const xmlChar *)"Id");
	xmlChar *v;
	int rc = -1;

	if (a == NULL || a->ns != NULL)
		return -1;
	if ((v = xmlNodeListGetString(doc, a->children, 1)) == NULL)
		return -1;
	if (v[0] != '\0' && (xmlGetID(doc, v) == a || xmlAddID(NULL, doc, v, a) != NULL))
		rc = 0;
	xmlFree(v);
	return rc;
}

xmlNodePtr
xsec_child(xmlNodePtr n, const char *ns, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->ns->href, (const xmlChar *)ns) &&
		    xmlStrEqual(c->name, (const xmlChar *)name))
			return c;
	return NULL;
}

const char *
xsec_fail_str(enum xsec_fail fail)
{
	switch (fail) {
	case XSEC_OK:
		return "ok";
	case XSEC_FORM:
		return "not a signed document: the signed element and one ds:Signature";
	case XSEC_NO_ID:
		return "the signed element has no Id";
	case XSEC_REFERENCE:
		return "the signature has not exactly one Reference, to the signed element's Id";
	case XSEC_KEY_NAME:
		return "ds:KeyName names another key";
	case XSEC_PROFILE:
		return "an algorithm or transform outside the D.1 profile";
	case XSEC_BAD:
		return "the signature does not verify";
	}
	return "unknown failure";
}

void
xsec_free(char *doc, size_t len)
{
	if (doc != NULL)
		OPENSSL_clear_free(doc, len + 1);
}
