/* SPDX-License-Identifier: ISC */
/*
 * External KMS certificates for CertCache (TS 33.180 D.3.4). A certificate
 * is checked before it is stored: a KmsCertificate element in the KMS
 * interface namespace with a CertUri and a KmsUri, and public keys that are
 * valid points. It is stored as the element text (without the XML
 * declaration), marked Role="External" as the cache serves it.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/hex.h"
#include "lib/eccsi.h"
#include "lib/kmsxml.h"
#include "lib/sakke.h"
#include "lib/uri.h"
#include "store/cert.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

static int
ext_one_arg(struct ctl *c, int argc, char **argv, const char **arg)
{
	int rc = 0;

	return ctl_args(c, argc, argv, NULL, 1, 1, arg, &rc) ? 0 : rc;
}

static xmlNodePtr
ext_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr ch;

	for (ch = n->children; ch != NULL; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE && ch->ns != NULL &&
		    strcmp((const char *)ch->ns->href, KMSXML_NS) == 0 &&
		    strcmp((const char *)ch->name, name) == 0)
			return ch;
	return NULL;
}

/* The hex content of element name, decoded into buf of exactly len octets. */
static const char *
ext_key(xmlNodePtr root, const char *name, uint8_t *buf, size_t len)
{
	xmlNodePtr n = ext_child(root, name);
	xmlChar *text;
	size_t got = 0;
	int rc;

	if (n == NULL)
		return "missing";
	text = xmlNodeGetContent(n);
	rc = hex_decode((const char *)text, strlen((const char *)text), buf, len, &got);
	xmlFree(text);
	if (rc != 0 || got != len)
		return "not hex of the right length";
	return NULL;
}

/* Checks the document; *uri gets the CertUri (xmlFree it). */
static int
ext_check(struct ctl *c, const char *path, xmlDocPtr doc, xmlChar **uri)
{
	uint8_t z[SAKKE_POINT_LEN], kpak[ECCSI_POINT_LEN];
	struct sakke_pub *pub = NULL;
	xmlNodePtr root = xmlDocGetRootElement(doc), n;
	const char *why;
	xmlChar *kms;
	int rc;

	if (root == NULL || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, KMSXML_NS) != 0 ||
	    strcmp((const char *)root->name, "KmsCertificate") != 0)
		return ctl_fail(c, path, "not a KmsCertificate in namespace " KMSXML_NS);
	if ((n = ext_child(root, "CertUri")) == NULL)
		return ctl_fail(c, path, "CertUri: missing (it names the certificate)");
	*uri = xmlNodeGetContent(n);
	if (uri_check((const char *)*uri, strlen((const char *)*uri), &why) != 0)
		return ctl_fail(c, path, "CertUri: not a valid URI");
	if ((n = ext_child(root, "KmsUri")) == NULL)
		return ctl_fail(c, path, "KmsUri: missing");
	kms = xmlNodeGetContent(n);
	rc = uri_check((const char *)kms, strlen((const char *)kms), &why);
	xmlFree(kms);
	if (rc != 0)
		return ctl_fail(c, path, "KmsUri: not a valid URI");
	if ((why = ext_key(root, "PubEncKey", z, sizeof(z))) != NULL)
		return ctl_fail(c, path, "PubEncKey: not a point");
	if ((why = ext_key(root, "PubAuthKey", kpak, sizeof(kpak))) != NULL)
		return ctl_fail(c, path, "PubAuthKey: not a point");
	if (sakke_pub_new(&pub, z) != 0)
		return ctl_fail(c, path, "PubEncKey: not a point of the SAKKE group");
	sakke_pub_free(pub);
	if (eccsi_point_check(kpak) != 0)
		return ctl_fail(c, path, "PubAuthKey: not a point of P-256");
	return 0;
}

int
cmd_external_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct cert_rec r;
	struct store_txn t;
	xmlDocPtr doc = NULL;
	xmlChar *uri = NULL;
	xmlBufferPtr buf = NULL;
	const char *path;
	int rc;

	if ((rc = ext_one_arg(c, argc, argv, &path)) != 0)
		return rc;
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (doc == NULL) {
		rc = ctl_fail(c, path, "not well-formed XML");
		goto out;
	}
	if ((rc = ext_check(c, path, doc, &uri)) != 0)
		goto out;
	xmlSetProp(xmlDocGetRootElement(doc), (const xmlChar *)"Role",
	    (const xmlChar *)"External");
	if ((buf = xmlBufferCreate()) == NULL ||
	    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1) < 0) {
		rc = ctl_fail(c, path, "out of memory");
		goto out;
	}
	if ((size_t)xmlBufferLength(buf) > STORE_CERT_MAX) {
		rc = ctl_fail(c, path, "larger than 64 KiB");
		goto out;
	}
	memset(&r, 0, sizeof(r));
	r.uri = uri;
	r.uri_len = strlen((const char *)uri);
	r.xml = (const char *)xmlBufferContent(buf);
	r.xml_len = (size_t)xmlBufferLength(buf);
	if ((rc = ctl_store(c, 0)) != 0)
		goto out;
	if ((rc = store_txn_begin(c->store, 1, &t)) != 0) {
		rc = ctl_fail(c, "store", skm_strerror(rc));
		goto out;
	}
	store_cert_put(&t, &r);
	ctl_audit(c, &t, "external add", (const char *)uri, "");
	if ((rc = store_txn_commit(&t)) != 0)
		rc = ctl_fail(c, path, skm_strerror(rc));
out:
	if (buf != NULL)
		xmlBufferFree(buf);
	xmlFree(uri);
	xmlFreeDoc(doc);
	xmlCleanupParser();
	return rc;
}

static int
ext_list_one(const struct cert_rec *r, void *arg)
{
	struct out *o = arg;

	out_item_begin(o);
	out_strn(o, "cert-uri", (const char *)r->uri, r->uri_len);
	out_u64(o, "size", r->xml_len);
	out_item_end(o);
	return 0;
}

int
cmd_external_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct store_txn t;
	uint64_t num = 0;
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 0, 0, NULL, &rc))
		return rc;
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	store_cert_cachenum(&t, &num);
	out_begin(&c->out, c->json);
	out_u64(&c->out, "cache-num", num);
	out_list_begin(&c->out, "certificates");
	rc = store_cert_list(&t, ext_list_one, &c->out);
	out_list_end(&c->out);
	out_end(&c->out);
	store_txn_abort(&t);
	return rc != 0 ? ctl_fail(c, "store", skm_strerror(rc)) : 0;
}

int
cmd_external_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, void *ctx)
{
	struct ctl *c = ctx;
	struct store_txn t;
	const char *uri;
	int rc;

	if ((rc = ext_one_arg(c, argc, argv, &uri)) != 0 || (rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 1, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	store_cert_del(&t, (const uint8_t *)uri, strlen(uri));
	ctl_audit(c, &t, "external remove", uri, "");
	if ((rc = store_txn_commit(&t)) != 0)
		return ctl_fail(c, uri, rc == SKM_ENOTFOUND ? "no such certificate" :
		    skm_strerror(rc));
	return 0;
}
