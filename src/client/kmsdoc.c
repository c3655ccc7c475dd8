/* SPDX-License-Identifier: ISC */
/*
 * Reading KMS documents (TS 33.180 D.3) with libxml2 into struct kmsdoc.
 * Elements are matched by namespace and local name; elements of other
 * namespaces (ds:Signature, vendor extensions, D.1) and unknown elements of
 * the KMS namespace are skipped, so a newer or richer KMS still works.
 * Signatures are not verified (no InK is provisioned). Any DOCTYPE is
 * refused before its internal subset is read: no DTD, no entity, nothing
 * from the network. Key text is cleansed in the tree before it is freed;
 * the key set is re-serialised from the decoded fields by kmsxml so that
 * no libxml2 buffer holds the stored copy.
 */
#include "client/kmsdoc.h"
#include "client/kmsdoc_value.h"
#include "common/err.h"
#include "lib/kmsxml.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include <openssl/crypto.h>

struct kmsdoc_ctx {
	xmlDocPtr doc;
	char *why;
	size_t whylen;
};

enum kmsdoc_ftype { F_STR, F_TIME, F_BOOL, F_UINT, F_INT, F_BIN, F_KEY };

/* One child element of a certificate or key set, stored at off. */
struct kmsdoc_field {
	const char *name;
	enum kmsdoc_ftype type;
	size_t off;
	size_t len;		/* F_BIN, F_KEY: octets */
	int required;
};

#define CF(n, t, m, l, r) { n, t, offsetof(struct kmsdoc_cert, m), l, r }
static const struct kmsdoc_field kmsdoc_cert_fields[] = {
	CF("CertUri", F_STR, cert_uri, 0, 0),
	CF("KmsUri", F_STR, kms_uri, 0, 1),
	CF("Issuer", F_STR, issuer, 0, 0),
	CF("ValidFrom", F_TIME, valid_from, 0, 0),
	CF("ValidTo", F_TIME, valid_to, 0, 0),
	CF("Revoked", F_BOOL, revoked, 0, 0),
	CF("UserIdFormat", F_INT, user_id_format, 0, 0),
	CF("UserKeyPeriod", F_UINT, user_key_period, 0, 1),
	CF("UserKeyOffset", F_UINT, user_key_offset, 0, 1),
	CF("PubEncKey", F_BIN, pub_enc_key, SAKKE_POINT_LEN, 1),
	CF("PubAuthKey", F_BIN, pub_auth_key, ECCSI_POINT_LEN, 1),
	CF("ParameterSet", F_INT, parameter_set, 0, 0),
	{ NULL, F_STR, 0, 0, 0 }
};
#undef CF

#define KF(n, t, m, l, r) { n, t, offsetof(struct kmsdoc_keyset, m), l, r }
static const struct kmsdoc_field kmsdoc_keyset_fields[] = {
	KF("KmsUri", F_STR, kms_uri, 0, 1),
	KF("CertUri", F_STR, cert_uri, 0, 0),
	KF("Issuer", F_STR, issuer, 0, 0),
	KF("UserUri", F_STR, user_uri, 0, 1),
	KF("UserID", F_BIN, user_id, UID_LEN, 1),
	KF("ValidFrom", F_TIME, valid_from, 0, 0),
	KF("ValidTo", F_TIME, valid_to, 0, 0),
	KF("KeyPeriodNo", F_UINT, period_no, 0, 1),
	KF("Revoked", F_BOOL, revoked, 0, 0),
	/* abstractKeyContentType: only the hexBinary KeyContentType form. */
	KF("UserDecryptKey", F_KEY, rsk, SAKKE_POINT_LEN, 1),
	KF("UserSigningKeySSK", F_KEY, ssk, ECCSI_SCALAR_LEN, 1),
	KF("UserPubTokenPVT", F_BIN, pvt, ECCSI_POINT_LEN, 1),
	{ NULL, F_STR, 0, 0, 0 }
};
#undef KF

#define RF(n, t, m, r) { n, t, offsetof(struct kmsdoc, m), 0, r }
static const struct kmsdoc_field kmsdoc_response_fields[] = {
	RF("UserUri", F_STR, user_uri, 0),
	RF("KmsUri", F_STR, kms_uri, 1),
	RF("Time", F_TIME, time, 0),
	RF("ClientReqUrl", F_STR, client_req_url, 0),
	{ NULL, F_STR, 0, 0, 0 }
};
#undef RF

static int
kmsdoc_fail(struct kmsdoc_ctx *x, int err, const char *fmt, ...)
{
	va_list ap;

	if (x->why != NULL && x->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(x->why, x->whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

static int
kmsdoc_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, (const xmlChar *)KMSXML_NS) &&
	    xmlStrEqual(n->name, (const xmlChar *)name);
}

/* An element of the skms extension namespace (KMSXML_SKMS_NS). */
static int
kmsdoc_is_skms(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, (const xmlChar *)KMSXML_SKMS_NS) &&
	    xmlStrEqual(n->name, (const xmlChar *)name);
}

static int
kmsdoc_is_kms(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    xmlStrEqual(n->ns->href, (const xmlChar *)KMSXML_NS);
}

static xmlNodePtr
kmsdoc_child(const xmlNode *n, const char *name, size_t *count)
{
	xmlNodePtr c, first = NULL;

	*count = 0;
	for (c = n->children; c != NULL; c = c->next)
		if (kmsdoc_is(c, name) && (*count)++ == 0)
			first = c;
	return first;
}

/*
 * The text of n's own text and CDATA children without any whitespace (hex
 * and base64 may be wrapped; whitespace positions are layout, not key
 * bits). In the secure heap when secret. Free with kmsdoc_text_free().
 */
static char *
kmsdoc_text(const xmlNode *n, int secret, size_t *len)
{
	const xmlNode *c;
	const xmlChar *p;
	size_t total = 0, i = 0;
	char *s;

	for (c = n->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL)
			total += (size_t)xmlStrlen(c->content);
	s = secret ? OPENSSL_secure_malloc(total + 1) : malloc(total + 1);
	if (s == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    c->content == NULL)
			continue;
		for (p = c->content; *p != '\0'; p++)
			if (!(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
				s[i++] = (char)*p;
	}
	s[i] = '\0';
	*len = i;
	return s;
}

static void
kmsdoc_text_free(char *s, size_t len, int secret)
{
	if (s == NULL)
		return;
	if (secret)
		OPENSSL_secure_clear_free(s, len + 1);
	else
		free(s);
}

/* Key text must not outlive the tree: libxml2 frees without cleansing. */
static void
kmsdoc_cleanse_text(xmlDocPtr doc, xmlNodePtr n)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content != NULL && !xmlDictOwns(doc->dict, c->content))
			OPENSSL_cleanse(c->content, (size_t)xmlStrlen(c->content));
}

/* Element content with the xs:anyURI / xs:token whitespace trimmed. */
static char *
kmsdoc_string(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *b, *e;
	char *s;

	if (t == NULL)
		return strdup("");
	b = (const char *)t;
	while (*b != '\0' && isspace((unsigned char)*b))
		b++;
	e = b + strlen(b);
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	s = strndup(b, (size_t)(e - b));
	xmlFree(t);
	return s;
}

static int
kmsdoc_field_set(struct kmsdoc_ctx *x, const char *parent, const struct kmsdoc_field *f,
    xmlNodePtr n, void *base)
{
	char *p = (char *)base + f->off, *s = NULL, reason[96];
	size_t len = 0;
	int secret = f->type == F_KEY, rc = 0;
	uint8_t *dst;

	if (f->type == F_BIN || f->type == F_KEY) {
		/* EncKeyContentType (TS 33.180 D.1 security extension) holds an
		 * xenc:EncryptedKey element: no TrK here to open it. */
		for (xmlNodePtr c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				return kmsdoc_fail(x, SKM_EPARSE,
				    "%s/%s: encrypted key content is not supported",
				    parent, f->name);
		if ((s = kmsdoc_text(n, secret, &len)) == NULL)
			return SKM_ENOMEM;
		dst = f->type == F_KEY ? *(uint8_t **)(void *)p : (uint8_t *)p;
		if ((rc = kmsdoc_value_bin(s, len, dst, f->len, reason, sizeof(reason))) != 0)
			rc = kmsdoc_fail(x, rc, "%s/%s: %s", parent, f->name, reason);
		if (secret)
			kmsdoc_cleanse_text(x->doc, n);
		kmsdoc_text_free(s, len, secret);
		return rc;
	}
	if ((s = kmsdoc_string(n)) == NULL)
		return SKM_ENOMEM;
	switch (f->type) {
	case F_STR:
		*(char **)(void *)p = s;
		return 0;
	case F_TIME:
		rc = kmsdoc_value_time(s, (int64_t *)(void *)p);
		break;
	case F_BOOL:
		rc = kmsdoc_value_bool(s, (int *)(void *)p);
		break;
	case F_UINT:
		rc = kmsdoc_value_uint(s, (uint64_t *)(void *)p);
		break;
	default:
		rc = kmsdoc_value_int(s, (int *)(void *)p);
		break;
	}
	if (rc != 0)
		rc = kmsdoc_fail(x, SKM_EPARSE, "%s/%s: bad %s '%.40s'", parent, f->name,
		    f->type == F_TIME ? "dateTime" : f->type == F_BOOL ? "boolean" : "integer",
		    s);
	free(s);
	return rc;
}

/* Fills base from the children of n named in fields; other children are skipped. */
static int
kmsdoc_fields(struct kmsdoc_ctx *x, xmlNodePtr n, const char *parent,
    const struct kmsdoc_field *fields, void *base)
{
	unsigned long seen = 0;
	xmlNodePtr c;
	size_t i;
	int rc;

	for (c = n->children; c != NULL; c = c->next) {
		if (!kmsdoc_is_kms(c))
			continue;
		for (i = 0; fields[i].name != NULL; i++)
			if (xmlStrEqual(c->name, (const xmlChar *)fields[i].name))
				break;
		if (fields[i].name == NULL)
			continue;
		if (seen & (1UL << i))
			return kmsdoc_fail(x, SKM_EPARSE, "%s/%s: repeated", parent,
			    fields[i].name);
		seen |= 1UL << i;
		if ((rc = kmsdoc_field_set(x, parent, &fields[i], c, base)) != 0)
			return rc;
	}
	for (i = 0; fields[i].name != NULL; i++)
		if (fields[i].required && !(seen & (1UL << i)))
			return kmsdoc_fail(x, SKM_EPARSE, "%s/%s: missing", parent,
			    fields[i].name);
	return 0;
}

static int
kmsdoc_attr(const xmlNode *n, const char *name, char **out)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);

	*out = NULL;
	if (v == NULL)
		return 0;
	*out = strdup((const char *)v);
	xmlFree(v);
	return *out == NULL ? SKM_ENOMEM : 0;
}

static int
kmsdoc_domains(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc_cert *c)
{
	xmlNodePtr list, d;
	size_t count;

	if ((list = kmsdoc_child(n, "KmsDomainList", &count)) == NULL)
		return 0;
	if (count > 1)
		return kmsdoc_fail(x, SKM_EPARSE, "KmsCertificate/KmsDomainList: repeated");
	kmsdoc_child(list, "KmsDomain", &count);
	if (count == 0)
		return 0;
	if ((c->domains = calloc(count, sizeof(*c->domains))) == NULL)
		return SKM_ENOMEM;
	for (d = list->children; d != NULL; d = d->next) {
		if (!kmsdoc_is(d, "KmsDomain"))
			continue;
		if ((c->domains[c->ndomains++] = kmsdoc_string(d)) == NULL)
			return SKM_ENOMEM;
	}
	return 0;
}

/* The element as a standalone document, namespaces declared on it. */
static int
kmsdoc_cert_xml(xmlNodePtr n, struct kmsdoc_cert *c)
{
	xmlDocPtr d;
	xmlNodePtr copy;
	xmlChar *mem = NULL;
	int size = 0, rc = SKM_ENOMEM;

	if ((d = xmlNewDoc((const xmlChar *)"1.0")) == NULL)
		return SKM_ENOMEM;
	if ((copy = xmlDocCopyNode(n, d, 1)) == NULL)
		goto out;
	xmlDocSetRootElement(d, copy);
	if (xmlReconciliateNs(d, copy) < 0)
		goto out;
	xmlDocDumpMemoryEnc(d, &mem, &size, "UTF-8");
	if (mem == NULL || size <= 0)
		goto out;
	if ((c->xml = malloc((size_t)size + 1)) == NULL)
		goto out;
	memcpy(c->xml, mem, (size_t)size);
	c->xml[size] = '\0';
	c->xmllen = (size_t)size;
	rc = 0;
out:
	xmlFree(mem);
	xmlFreeDoc(d);
	return rc;
}

/* A KmsCertificate, or the one inside a SignedKmsCertificate. */
static int
kmsdoc_cert(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc_cert *c)
{
	size_t count;
	int rc;

	c->user_id_format = -1;
	c->parameter_set = -1;
	if (kmsdoc_is(n, "SignedKmsCertificate")) {
		xmlNodePtr in = kmsdoc_child(n, "KmsCertificate", &count);

		if (count != 1)
			return kmsdoc_fail(x, SKM_EPARSE, "SignedKmsCertificate: %s KmsCertificate",
			    count == 0 ? "no" : "more than one");
		n = in;
	}
	if ((rc = kmsdoc_attr(n, "Version", &c->version)) != 0 ||
	    (rc = kmsdoc_attr(n, "Role", &c->role)) != 0 ||
	    (rc = kmsdoc_fields(x, n, "KmsCertificate", kmsdoc_cert_fields, c)) != 0 ||
	    (rc = kmsdoc_domains(x, n, c)) != 0)
		return rc;
	return kmsdoc_cert_xml(n, c);
}

/* The stored copy: rebuilt from the decoded fields, never from libxml2 buffers. */
static int
kmsdoc_keyset_xml(struct kmsdoc_keyset *k)
{
	struct kmsxml_keyset w = {
		.kms_uri = k->kms_uri, .cert_uri = k->cert_uri, .issuer = k->issuer,
		.user_uri = k->user_uri, .valid_from = k->valid_from,
		.valid_to = k->valid_to, .period_no = k->period_no, .revoked = k->revoked,
		.rsk = k->rsk, .ssk = k->ssk, .pvt = k->pvt,
	};
	char *out = NULL;
	size_t len = 0;
	int rc;

	memcpy(w.user_id, k->user_id, sizeof(w.user_id));
	if ((rc = kmsxml_keyset_doc(&w, &out, &len)) != 0)
		return rc;
	if ((k->xml = OPENSSL_secure_malloc(len + 1)) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	memcpy(k->xml, out, len + 1);
	k->xmllen = len;
out:
	kmsxml_free(out, len);
	return rc;
}

static int
kmsdoc_keyset(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc_keyset *k)
{
	int rc;

	if ((k->rsk = OPENSSL_secure_zalloc(SAKKE_POINT_LEN)) == NULL ||
	    (k->ssk = OPENSSL_secure_zalloc(ECCSI_SCALAR_LEN)) == NULL)
		return SKM_ENOMEM;
	if ((rc = kmsdoc_fields(x, n, "KmsKeySet", kmsdoc_keyset_fields, k)) != 0)
		return rc;
	return kmsdoc_keyset_xml(k);
}

/* Certificates under n: KmsCertificate and SignedKmsCertificate children. */
static int
kmsdoc_certs(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc *d)
{
	xmlNodePtr c;
	size_t a, b;
	int rc;

	kmsdoc_child(n, "KmsCertificate", &a);
	kmsdoc_child(n, "SignedKmsCertificate", &b);
	if (a + b == 0)
		return 0;
	if ((d->certs = calloc(a + b, sizeof(*d->certs))) == NULL)
		return SKM_ENOMEM;
	for (c = n->children; c != NULL; c = c->next) {
		if (!kmsdoc_is(c, "KmsCertificate") && !kmsdoc_is(c, "SignedKmsCertificate"))
			continue;
		if ((rc = kmsdoc_cert(x, c, &d->certs[d->ncerts++])) != 0)
			return rc;
	}
	return 0;
}

static int
kmsdoc_keysets(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc *d)
{
	xmlNodePtr c;
	size_t count;
	int rc;

	kmsdoc_child(n, "KmsKeySet", &count);
	if (count == 0)
		return 0;
	if ((d->keysets = calloc(count, sizeof(*d->keysets))) == NULL)
		return SKM_ENOMEM;
	for (c = n->children; c != NULL; c = c->next) {
		if (!kmsdoc_is(c, "KmsKeySet"))
			continue;
		if ((rc = kmsdoc_keyset(x, c, &d->keysets[d->nkeysets++])) != 0)
			return rc;
	}
	return 0;
}

static int
kmsdoc_error(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc *d)
{
	xmlNodePtr c;
	size_t count;
	char *s;
	int rc = 0;

	d->kind = KMSDOC_ERROR;
	if ((c = kmsdoc_child(n, "ErrorCode", &count)) == NULL || count > 1)
		return kmsdoc_fail(x, SKM_EPARSE, "KmsError/ErrorCode: %s",
		    c == NULL ? "missing" : "repeated");
	if ((s = kmsdoc_string(c)) == NULL)
		return SKM_ENOMEM;
	if (kmsdoc_value_int(s, &d->error_code) != 0)
		rc = kmsdoc_fail(x, SKM_EPARSE, "KmsError/ErrorCode: bad integer '%.40s'", s);
	free(s);
	if (rc == 0 && (c = kmsdoc_child(n, "ErrorMsg", &count)) != NULL &&
	    (d->error_msg = kmsdoc_string(c)) == NULL)
		rc = SKM_ENOMEM;
	return rc;
}

/*
 * KmsInit's skms:NextKmsCertificate: one KmsCertificate of the KMS
 * namespace inside; at most one such element. A standard client skips it
 * as an element of another namespace.
 */
static int
kmsdoc_next(struct kmsdoc_ctx *x, xmlNodePtr init, struct kmsdoc *d)
{
	xmlNodePtr c, found = NULL, in;
	size_t count;

	for (c = init->children; c != NULL; c = c->next) {
		if (!kmsdoc_is_skms(c, "NextKmsCertificate"))
			continue;
		if (found != NULL)
			return kmsdoc_fail(x, SKM_EPARSE, "KmsInit/NextKmsCertificate: repeated");
		found = c;
	}
	if (found == NULL)
		return 0;
	in = kmsdoc_child(found, "KmsCertificate", &count);
	if (count != 1)
		return kmsdoc_fail(x, SKM_EPARSE, "NextKmsCertificate: %s KmsCertificate",
		    count == 0 ? "no" : "more than one");
	if ((d->next = calloc(1, sizeof(*d->next))) == NULL)
		return SKM_ENOMEM;
	return kmsdoc_cert(x, in, d->next);
}

static int
kmsdoc_message(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc *d)
{
	xmlNodePtr c, m = NULL;
	int rc;

	for (c = n->children; c != NULL; c = c->next) {
		if (!kmsdoc_is(c, "KmsInit") && !kmsdoc_is(c, "KmsKeyProv") &&
		    !kmsdoc_is(c, "KmsCertCache"))
			continue;
		if (m != NULL)
			return kmsdoc_fail(x, SKM_EPARSE, "KmsMessage: more than one message");
		m = c;
	}
	if (m == NULL)
		return kmsdoc_fail(x, SKM_EPARSE,
		    "KmsMessage: no KmsInit, KmsKeyProv or KmsCertCache");
	if (kmsdoc_is(m, "KmsInit")) {
		d->kind = KMSDOC_INIT;
		if ((rc = kmsdoc_certs(x, m, d)) != 0)
			return rc;
		if (d->ncerts != 1)
			return kmsdoc_fail(x, SKM_EPARSE, "KmsInit: %s KmsCertificate",
			    d->ncerts == 0 ? "no" : "more than one");
		return kmsdoc_next(x, m, d);
	}
	if (kmsdoc_is(m, "KmsKeyProv")) {
		d->kind = KMSDOC_KEYPROV;
		return kmsdoc_keysets(x, m, d);
	}
	d->kind = KMSDOC_CERTCACHE;
	{
		xmlChar *v = xmlGetNoNsProp(m, (const xmlChar *)"CacheNum");

		if (v != NULL) {
			rc = kmsdoc_value_uint((const char *)v, &d->cache_num);
			if (rc != 0)
				rc = kmsdoc_fail(x, SKM_EPARSE,
				    "KmsCertCache/@CacheNum: bad integer '%.40s'", (const char *)v);
			xmlFree(v);
			if (rc != 0)
				return rc;
			d->has_cache_num = 1;
		}
	}
	return kmsdoc_certs(x, m, d);
}

static int
kmsdoc_response(struct kmsdoc_ctx *x, xmlNodePtr n, struct kmsdoc *d)
{
	xmlNodePtr msg, err;
	size_t nmsg, nerr;
	int rc;

	if ((rc = kmsdoc_fields(x, n, "KmsResponse", kmsdoc_response_fields, d)) != 0)
		return rc;
	msg = kmsdoc_child(n, "KmsMessage", &nmsg);
	err = kmsdoc_child(n, "KmsError", &nerr);
	if (nmsg > 1 || nerr > 1)
		return kmsdoc_fail(x, SKM_EPARSE, "KmsResponse/%s: repeated",
		    nmsg > 1 ? "KmsMessage" : "KmsError");
	/* An error explains why the message is missing or not to be trusted. */
	if (err != NULL)
		return kmsdoc_error(x, err, d);
	if (msg == NULL)
		return kmsdoc_fail(x, SKM_EPARSE, "KmsResponse: no KmsMessage or KmsError");
	return kmsdoc_message(x, msg, d);
}

static int
kmsdoc_root(struct kmsdoc_ctx *x, xmlNodePtr root, struct kmsdoc *d)
{
	size_t count;
	int rc;

	if (root->ns == NULL || !xmlStrEqual(root->ns->href, (const xmlChar *)KMSXML_NS))
		return kmsdoc_fail(x, SKM_EPARSE, "%.40s: wrong namespace '%.80s'",
		    (const char *)root->name,
		    root->ns != NULL ? (const char *)root->ns->href : "");
	if (kmsdoc_is(root, "SignedKmsResponse")) {
		xmlNodePtr in = kmsdoc_child(root, "KmsResponse", &count);

		if (count != 1)
			return kmsdoc_fail(x, SKM_EPARSE, "SignedKmsResponse: %s KmsResponse",
			    count == 0 ? "no" : "more than one");
		root = in;
	}
	if (kmsdoc_is(root, "KmsResponse"))
		return kmsdoc_response(x, root, d);
	if (kmsdoc_is(root, "KmsCertificate") || kmsdoc_is(root, "SignedKmsCertificate")) {
		d->kind = KMSDOC_CERT;
		if ((d->certs = calloc(1, sizeof(*d->certs))) == NULL)
			return SKM_ENOMEM;
		d->ncerts = 1;
		return kmsdoc_cert(x, root, d->certs);
	}
	if (kmsdoc_is(root, "KmsKeySet")) {
		d->kind = KMSDOC_KEYSET;
		if ((d->keysets = calloc(1, sizeof(*d->keysets))) == NULL)
			return SKM_ENOMEM;
		d->nkeysets = 1;
		rc = kmsdoc_keyset(x, root, d->keysets);
		return rc;
	}
	return kmsdoc_fail(x, SKM_EPARSE, "%.40s: not a KMS document", (const char *)root->name);
}

/*
 * SAX hook: a DOCTYPE is the door to external entities (XXE) and entity
 * expansion (billion laughs); a KMS has no need of one. Halting here stops
 * the parser before the internal subset is read.
 */
static void
kmsdoc_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = ctx;

	(void)name;
	(void)ext;
	(void)sys;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

/* Cleanses every text node of the tree (key text may sit in any element). */
static void
kmsdoc_cleanse_tree(xmlDocPtr doc, xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			kmsdoc_cleanse_text(doc, n);
			kmsdoc_cleanse_tree(doc, n->children);
		}
	}
}

static int
kmsdoc_read(struct kmsdoc_ctx *x, const char *buf, size_t len)
{
	xmlParserCtxtPtr ctxt;
	xmlErrorPtr e;
	int doctype = 0, wf, rc = 0;
	char msg[120];
	size_t n;

	if ((ctxt = xmlCreateMemoryParserCtxt(buf, (int)len)) == NULL)
		return SKM_ENOMEM;
	/* No NOENT (no substitution), no DTDLOAD/DTDATTR, no network. */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	ctxt->sax->internalSubset = kmsdoc_doctype;
	ctxt->_private = &doctype;
	xmlParseDocument(ctxt);
	wf = ctxt->wellFormed;
	x->doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (doctype) {
		rc = kmsdoc_fail(x, SKM_EPARSE, "DOCTYPE: refused (a KMS document has no DTD and no entities)");
	} else if (!wf || x->doc == NULL) {
		e = xmlCtxtGetLastError(ctxt);
		snprintf(msg, sizeof(msg), "%s", e != NULL && e->message != NULL ?
		    e->message : "not well-formed");
		n = strlen(msg);
		while (n > 0 && isspace((unsigned char)msg[n - 1]))
			msg[--n] = '\0';
		rc = kmsdoc_fail(x, SKM_EPARSE, "XML line %d: %s", e != NULL ? e->line : 0, msg);
	} else if (x->doc->intSubset != NULL || x->doc->extSubset != NULL) {
		rc = kmsdoc_fail(x, SKM_EPARSE, "DOCTYPE: refused (a KMS document has no DTD and no entities)");
	}
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* libxml2 reports errors without a parser context (encodings, I/O) on stderr. */
static void
kmsdoc_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int
kmsdoc_parse(const char *buf, size_t len, struct kmsdoc **doc, char *why, size_t whylen)
{
	struct kmsdoc_ctx x = { .doc = NULL, .why = why, .whylen = whylen };
	struct kmsdoc *d = NULL;
	xmlGenericErrorFunc olderr;
	void *oldctx;
	xmlNodePtr root;
	int rc;

	*doc = NULL;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (len > KMSDOC_MAX_LEN)
		return kmsdoc_fail(&x, SKM_ELEN, "document of %zu octets: over %d",
		    len, KMSDOC_MAX_LEN);
	if (len == 0)
		return kmsdoc_fail(&x, SKM_EPARSE, "empty document");
	xmlInitParser();
	/* Per thread in libxml2; restored before returning. */
	olderr = xmlGenericError;
	oldctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, kmsdoc_quiet);
	if ((rc = kmsdoc_read(&x, buf, len)) != 0)
		goto out;
	if ((root = xmlDocGetRootElement(x.doc)) == NULL) {
		rc = kmsdoc_fail(&x, SKM_EPARSE, "no root element");
		goto out;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	if ((rc = kmsdoc_root(&x, root, d)) != 0)
		goto out;
	*doc = d;
	d = NULL;
out:
	if (rc == SKM_ENOMEM && why != NULL && whylen > 0 && why[0] == '\0')
		snprintf(why, whylen, "out of memory");
	kmsdoc_free(d);
	if (x.doc != NULL) {
		kmsdoc_cleanse_tree(x.doc, xmlDocGetRootElement(x.doc));
		xmlFreeDoc(x.doc);
	}
	xmlSetGenericErrorFunc(oldctx, olderr);
	return rc;
}

static void
kmsdoc_cert_clear(struct kmsdoc_cert *c)
{
	size_t i;

	free(c->version);
	free(c->role);
	free(c->cert_uri);
	free(c->kms_uri);
	free(c->issuer);
	for (i = 0; i < c->ndomains; i++)
		free(c->domains[i]);
	free(c->domains);
	free(c->xml);
}

static void
kmsdoc_keyset_clear(struct kmsdoc_keyset *k)
{
	free(k->kms_uri);
	free(k->cert_uri);
	free(k->issuer);
	free(k->user_uri);
	if (k->rsk != NULL)
		OPENSSL_secure_clear_free(k->rsk, SAKKE_POINT_LEN);
	if (k->ssk != NULL)
		OPENSSL_secure_clear_free(k->ssk, ECCSI_SCALAR_LEN);
	if (k->xml != NULL)
		OPENSSL_secure_clear_free(k->xml, k->xmllen + 1);
	OPENSSL_cleanse(k, sizeof(*k));
}

void
kmsdoc_free(struct kmsdoc *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->ncerts; i++)
		kmsdoc_cert_clear(&d->certs[i]);
	free(d->certs);
	if (d->next != NULL)
		kmsdoc_cert_clear(d->next);
	free(d->next);
	for (i = 0; i < d->nkeysets; i++)
		kmsdoc_keyset_clear(&d->keysets[i]);
	free(d->keysets);
	free(d->user_uri);
	free(d->kms_uri);
	free(d->client_req_url);
	free(d->error_msg);
	free(d);
}

const char *
kmsdoc_kind_name(enum kmsdoc_kind kind)
{
	static const char *const names[] = {
		[KMSDOC_INIT] = "init", [KMSDOC_KEYPROV] = "keyprov",
		[KMSDOC_CERTCACHE] = "certcache", [KMSDOC_CERT] = "cert",
		[KMSDOC_KEYSET] = "keyset", [KMSDOC_ERROR] = "error",
	};

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}
