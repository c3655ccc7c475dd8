/* SPDX-License-Identifier: ISC */
/*
 * KmsRequest bodies (TS 33.180 D.2.2, Table D.2.2-1) through libxml2, and
 * whether their KmsUri names this KMS.
 * Parsing is locked down: no network, no DTD loading, no entity
 * substitution, and any DOCTYPE stops the parser the moment it is seen,
 * before a single entity is declared (XXE, billion laughs). Errors never
 * reach stderr. Must not trust the body for the caller's identity, and
 * must not read anything but the given octets.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "common/err.h"
#include "common/time.h"
#include "server/kmsreq.h"

/* Longest xsd:dateTime read: 19 characters, a fraction and a zone. */
#define KMSREQ_TIME_MAX	48

enum kmsreq_kind {
	KMSREQ_TEXT,	/* copied into a field of struct kmsreq */
	KMSREQ_TIME,	/* Time, an xsd:dateTime */
	KMSREQ_SKIP,	/* known to D.2.2 but not used: security extension, KRRs */
};

/* Each row carries its own reasons, so every refusal names its element. */
static const struct kmsreq_elem {
	const char *name;
	enum kmsreq_kind kind;
	size_t off, cap;
	const char *twice, *too_long, *markup;
} kmsreq_elems[] = {
#define KMSREQ_ROW(n, k, f) { n, k, offsetof(struct kmsreq, f), \
	sizeof(((struct kmsreq *)0)->f), "KmsRequest has two " n " elements", \
	n " is too long", n " must hold text only" }
	KMSREQ_ROW("UserUri", KMSREQ_TEXT, user_uri),
	KMSREQ_ROW("KmsUri", KMSREQ_TEXT, kms_uri),
	KMSREQ_ROW("ClientReqUrl", KMSREQ_TEXT, client_req_url),
	KMSREQ_ROW("ClientId", KMSREQ_TEXT, client_id),
	KMSREQ_ROW("DeviceId", KMSREQ_TEXT, device_id),
	{ "Time", KMSREQ_TIME, 0, KMSREQ_TIME_MAX, "KmsRequest has two Time elements",
	    "Time is not an xsd:dateTime", "Time must hold text only" },
#define KMSREQ_SKIP_ROW(n) { n, KMSREQ_SKIP, 0, 0, \
	"KmsRequest has two " n " elements", NULL, NULL }
	KMSREQ_SKIP_ROW("KrrList"),
	KMSREQ_SKIP_ROW("ClientError"),
	KMSREQ_ROW("TrK-ID", KMSREQ_TEXT, trk_id),
	KMSREQ_ROW("Signature-ID", KMSREQ_TEXT, sig_id),
#undef KMSREQ_ROW
#undef KMSREQ_SKIP_ROW
};

/* Set in the parser context's _private by the SAX hooks below. */
struct kmsreq_sax {
	int doctype;
};

void
kmsreq_init(void)
{
	xmlInitParser();
}

static void
kmsreq_drop_structured(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

static void
kmsreq_drop_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void
kmsreq_stop(xmlParserCtxtPtr ctxt)
{
	struct kmsreq_sax *sax = ctxt->_private;

	/* A context libxml2 made for an entity has no _private: stop it all the same. */
	if (sax != NULL)
		sax->doctype = 1;
	xmlStopParser(ctxt);
}

static void
kmsreq_on_subset(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	kmsreq_stop(ctx);
}

static void
kmsreq_on_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	kmsreq_stop(ctx);
}

static int
kmsreq_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
kmsreq_in_ns(const xmlNode *n)
{
	return n->ns != NULL && xmlStrEqual(n->ns->href, (const xmlChar *)KMSREQ_NS);
}

/* Text that is not all white space between elements. */
static int
kmsreq_stray_text(const xmlNode *n)
{
	const xmlChar *p;

	if (n->type != XML_TEXT_NODE && n->type != XML_CDATA_SECTION_NODE)
		return 0;
	for (p = n->content; p != NULL && *p != '\0'; p++)
		if (!kmsreq_space(*p))
			return 1;
	return 0;
}

/* xsd:dateTime (XML Schema part 2, 3.2.7) into Unix seconds. */
static int
kmsreq_time(const char *s, int64_t *out)
{
	char buf[KMSREQ_TIME_MAX + 2];
	size_t len = strlen(s);
	int64_t off = 0, t;
	char *z;
	int hh, mm;

	if (len < 19 || len > KMSREQ_TIME_MAX || s[0] < '0' || s[0] > '9' || s[10] != 'T')
		return SKM_EINVAL;
	memcpy(buf, s, len + 1);
	z = buf + len - 6;
	if (buf[len - 1] == 'Z') {
		/* UTC already */
	} else if (len >= 25 && (*z == '+' || *z == '-') && z[3] == ':' &&
	    z[1] >= '0' && z[1] <= '9' && z[2] >= '0' && z[2] <= '9' &&
	    z[4] >= '0' && z[4] <= '9' && z[5] >= '0' && z[5] <= '9') {
		hh = (z[1] - '0') * 10 + (z[2] - '0');
		mm = (z[4] - '0') * 10 + (z[5] - '0');
		/* XML Schema 3.2.7.3: zones run from -14:00 to +14:00. */
		if (mm > 59 || hh > 14 || (hh == 14 && mm != 0))
			return SKM_EINVAL;
		off = (int64_t)(hh * 60 + mm) * 60;
		if (*z == '-')
			off = -off;
		z[0] = 'Z';
		z[1] = '\0';
	} else {
		/*
		 * No zone: D.2.2 does not demand one and a deployed client
		 * writes its local time bare; read as UTC.
		 */
		buf[len] = 'Z';
		buf[len + 1] = '\0';
	}
	if (time_parse(buf, &t) != 0)
		return SKM_EINVAL;
	*out = t - off;
	return 0;
}

/* The text of a value element, trimmed, into dst (cap octets with the NUL). */
static int
kmsreq_value(const xmlNode *n, const struct kmsreq_elem *e, char *dst, size_t cap,
    const char **why)
{
	const xmlNode *c;
	xmlChar *text;
	size_t b, len;
	int rc = SKM_EINVAL;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE || c->type == XML_ENTITY_REF_NODE) {
			*why = e->markup;
			return SKM_EINVAL;
		}
	}
	text = xmlNodeGetContent(n);
	if (text == NULL) {
		dst[0] = '\0';
		return 0;
	}
	len = strlen((const char *)text);
	for (b = 0; b < len && kmsreq_space(text[b]); b++)
		;
	while (len > b && kmsreq_space(text[len - 1]))
		len--;
	if (len - b >= cap) {
		*why = e->too_long;
		goto out;
	}
	memcpy(dst, text + b, len - b);
	dst[len - b] = '\0';
	rc = 0;
out:
	xmlFree(text);
	return rc;
}

static int
kmsreq_elem(const xmlNode *n, struct kmsreq *out, unsigned *seen, const char **why)
{
	const struct kmsreq_elem *e = NULL;
	char tbuf[KMSREQ_TIME_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(kmsreq_elems) / sizeof(kmsreq_elems[0]); i++) {
		if (xmlStrEqual(n->name, (const xmlChar *)kmsreq_elems[i].name)) {
			e = &kmsreq_elems[i];
			break;
		}
	}
	/* D.1: extensions belong in other namespaces; ours is closed. */
	if (e == NULL) {
		*why = "KmsRequest holds an unknown element of the KMS namespace";
		return SKM_EINVAL;
	}
	if (*seen & (1u << i)) {
		*why = e->twice;
		return SKM_EINVAL;
	}
	*seen |= 1u << i;
	switch (e->kind) {
	case KMSREQ_TEXT:
		return kmsreq_value(n, e, (char *)out + e->off, e->cap, why);
	case KMSREQ_TIME:
		rc = kmsreq_value(n, e, tbuf, sizeof(tbuf), why);
		if (rc != 0)
			return rc;
		if (kmsreq_time(tbuf, &out->time) != 0) {
			*why = e->too_long;
			return SKM_EINVAL;
		}
		out->has_time = 1;
		return 0;
	case KMSREQ_SKIP:
		break;
	}
	return 0;
}

static int
kmsreq_request(const xmlNode *root, struct kmsreq *out, const char **why)
{
	const xmlNode *n;
	xmlChar *version;
	unsigned seen = 0;
	int rc = 0;

	/* TS 33.180 D.2.2: the schema fixes 1.1.0; a deployed client sends 1.0.0. */
	version = xmlGetNoNsProp(root, (const xmlChar *)"Version");
	if (version != NULL && !xmlStrEqual(version, (const xmlChar *)"1.0.0") &&
	    !xmlStrEqual(version, (const xmlChar *)"1.1.0")) {
		xmlFree(version);
		*why = "KmsRequest Version is neither 1.0.0 nor 1.1.0";
		return SKM_EINVAL;
	}
	xmlFree(version);
	for (n = root->children; n != NULL && rc == 0; n = n->next) {
		if (kmsreq_stray_text(n)) {
			*why = "KmsRequest holds text outside its elements";
			return SKM_EINVAL;
		}
		if (n->type == XML_ELEMENT_NODE && kmsreq_in_ns(n))
			rc = kmsreq_elem(n, out, &seen, why);
	}
	return rc;
}

/* SignedKmsRequest = KmsRequest + ds:Signature (TS 33.180 D.3.5); verified by the API. */
static int
kmsreq_signed(const xmlNode *root, struct kmsreq *out, const char **why)
{
	const xmlNode *n, *req = NULL;

	for (n = root->children; n != NULL; n = n->next) {
		if (kmsreq_stray_text(n)) {
			*why = "SignedKmsRequest holds text outside its elements";
			return SKM_EINVAL;
		}
		if (n->type != XML_ELEMENT_NODE || !kmsreq_in_ns(n))
			continue;
		if (!xmlStrEqual(n->name, (const xmlChar *)"KmsRequest")) {
			*why = "SignedKmsRequest holds an unknown element of the KMS namespace";
			return SKM_EINVAL;
		}
		if (req != NULL) {
			*why = "SignedKmsRequest has two KmsRequest elements";
			return SKM_EINVAL;
		}
		req = n;
	}
	if (req == NULL) {
		*why = "SignedKmsRequest holds no KmsRequest";
		return SKM_EINVAL;
	}
	out->is_signed = 1;
	return kmsreq_request(req, out, why);
}

static int
kmsreq_blank(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!kmsreq_space((unsigned char)body[i]))
			return 0;
	return 1;
}

static int
kmsreq_doc(const char *body, size_t len, struct kmsreq *out, const char **why)
{
	xmlParserCtxtPtr ctxt;
	struct kmsreq_sax sax = { 0 };
	const xmlNode *root;
	xmlDocPtr doc = NULL;
	int rc;

	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		*why = "out of memory";
		return SKM_ENOMEM;
	}
	/* The handler block belongs to this context alone: safe per thread. */
	ctxt->_private = &sax;
	ctxt->sax->internalSubset = kmsreq_on_subset;
	ctxt->sax->entityDecl = kmsreq_on_entity;
	ctxt->sax->serror = kmsreq_drop_structured;
	/* No NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded, limits stay on. */
	doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (sax.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
		*why = "KmsRequest must not have a DOCTYPE or entity declarations";
		rc = SKM_EINVAL;
		goto out;
	}
	if (doc == NULL || !ctxt->wellFormed) {
		*why = "KmsRequest is not well-formed XML";
		rc = SKM_EPARSE;
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !kmsreq_in_ns(root)) {
		*why = "root element is not in the KMS namespace "
		    "urn:3gpp:ns:mcsecKMSInterface:1.0";
		rc = SKM_EINVAL;
	} else if (xmlStrEqual(root->name, (const xmlChar *)"KmsRequest"))
		rc = kmsreq_request(root, out, why);
	else if (xmlStrEqual(root->name, (const xmlChar *)"SignedKmsRequest"))
		rc = kmsreq_signed(root, out, why);
	else {
		*why = "root element is neither KmsRequest nor SignedKmsRequest";
		rc = SKM_EINVAL;
	}
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

int
kmsreq_parse(const char *body, size_t len, struct kmsreq *out, const char **why)
{
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_generic;
	void *old_sctx, *old_gctx;
	int rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (len > KMSREQ_MAX) {
		*why = "KmsRequest larger than 64 KiB";
		return SKM_ELEN;
	}
	/*
	 * Without the security extension of TS 33.180 D.1, deployed clients
	 * send an empty body.
	 */
	if (len == 0 || kmsreq_blank(body, len))
		return 0;
	kmsreq_init();
	/*
	 * libxml2 keeps these handlers per thread: swapping them here hides
	 * the errors raised outside the parser context (encodings, memory)
	 * from stderr without touching other threads.
	 */
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_generic = xmlGenericError;
	old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(NULL, kmsreq_drop_structured);
	xmlSetGenericErrorFunc(NULL, kmsreq_drop_generic);
	rc = kmsreq_doc(body, len, out, why);
	xmlSetGenericErrorFunc(old_gctx, old_generic);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/*
 * The host of the KMS URI, as uri_check() accepted it: that of an https:
 * URI or a bare server name (name[:port]), without port or path; 0 for
 * sip:, sips: and tel: URIs.
 */
static size_t
kmsreq_kms_host(const char *kms_uri, const char **host)
{
	*host = kms_uri;
	if (strncasecmp(kms_uri, "https://", 8) == 0)
		*host = kms_uri + 8;
	else if (strncasecmp(kms_uri, "sip:", 4) == 0 ||
	    strncasecmp(kms_uri, "sips:", 5) == 0 || strncasecmp(kms_uri, "tel:", 4) == 0)
		return 0;
	return strcspn(*host, ":/?#");
}

int
kmsreq_kms_uri_ok(const char *given, const char *kms_uri)
{
	const char *host, *p;
	unsigned long port;
	size_t hlen, digits;

	if (strcmp(given, kms_uri) == 0)
		return 1;
	if ((hlen = kmsreq_kms_host(kms_uri, &host)) == 0)
		return 0;
	/* the server base URL: https://host[:port][/] */
	if (strncmp(given, "https://", 8) != 0 || strncmp(given + 8, host, hlen) != 0)
		return 0;
	p = given + 8 + hlen;
	if (*p == ':') {
		p++;
		digits = strspn(p, "0123456789");
		if (digits == 0 || digits > 5)
			return 0;
		for (port = 0; digits > 0; digits--, p++)
			port = port * 10 + (unsigned long)(*p - '0');
		if (port == 0 || port > 65535)
			return 0;
	}
	if (*p == '/')
		p++;
	return *p == '\0';
}
