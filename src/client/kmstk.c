/* SPDX-License-Identifier: ISC */
/*
 * The client's TrK/InK (kmstk.h). The key file holds "trk-id ID", "trk
 * HEX" and optionally "ink-id ID", "ink HEX" lines. A response is opened
 * in a libxml2 tree: each EncKeyContentType element is replaced by its
 * key in upper-case hex with xsi:type="KeyContentType", the new keys of a
 * rotation are taken out, and TrK-ID, Signature-ID and the TkIk message
 * types are removed, so what remains is the plain KmsResponse kmsdoc.c
 * reads. Nothing here prints a key.
 */
#include "client/kmstk.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secfile.h"
#include "common/time.h"
#include "lib/keywrap.h"
#include "xsec/xsec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define KMSTK_NS	"urn:3gpp:ns:mcsecKMSInterface:1.0"
#define KMSTK_XSI	"http://www.w3.org/2001/XMLSchema-instance"
#define KMSTK_XENC	"http://www.w3.org/2001/04/xmlenc#"
#define KMSTK_DS	"http://www.w3.org/2000/09/xmldsig#"
#define KMSTK_FILE_MAX	1024

static int
kmstk_xsec(void)
{
	static int done, rc;

	if (!done) {
		rc = xsec_init();
		done = 1;
	}
	return rc;
}

int
kmstk_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > KMSTK_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (id[i] <= ' ' || id[i] > '~' || id[i] == '<' || id[i] == '&')
			return 0;
	return 1;
}

/* One "name value" line of the key file. */
static int
kmstk_line(struct kmstk *k, char *line)
{
	char *v = strchr(line, ' ');
	size_t got = 0;

	if (v == NULL)
		return -1;
	*v++ = '\0';
	if (strcmp(line, "trk-id") == 0 || strcmp(line, "ink-id") == 0) {
		if (!kmstk_id_ok(v))
			return -1;
		snprintf(line[0] == 't' ? k->trk_id : k->ink_id, KMSTK_ID_MAX + 1, "%s", v);
		return 0;
	}
	if (strcmp(line, "trk") == 0 || strcmp(line, "ink") == 0) {
		if (hex_decode(v, strlen(v), line[0] == 't' ? k->trk : k->ink, KMSTK_KEY_LEN,
		    &got) != 0 || got != KMSTK_KEY_LEN)
			return -1;
		if (line[0] == 'i')
			k->has_ink = 1;
		return 0;
	}
	return -1;
}

int
kmstk_load(struct kmstk *k, const char *path, char *why, size_t whylen)
{
	char buf[KMSTK_FILE_MAX + 1], swhy[SECFILE_WHY_MAX] = "", *p, *nl;
	size_t len = 0;
	int err;

	memset(k, 0, sizeof(*k));
	if ((size_t)snprintf(k->path, sizeof(k->path), "%s", path) >= sizeof(k->path))
		return skm_why(why, whylen, SKM_ELEN, "key file path too long");
	err = secfile_read(path, (uint8_t *)buf, KMSTK_FILE_MAX, &len, swhy, sizeof(swhy));
	if (err == SKM_ENOTFOUND)
		return SKM_ENOTFOUND;
	if (err != 0)
		return skm_why(why, whylen, err, "%s", *swhy ? swhy : skm_strerror(err));
	buf[len] = '\0';
	for (p = buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (kmstk_line(k, p) != 0) {
			err = skm_why(why, whylen, SKM_EPARSE, "%s: not a transport key file",
			    path);
			goto out;
		}
	}
	if (k->trk_id[0] == '\0' || (k->has_ink && k->ink_id[0] == '\0'))
		err = skm_why(why, whylen, SKM_EPARSE, "%s: incomplete transport key file",
		    path);
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (err != 0) {
		OPENSSL_cleanse(k, sizeof(*k));
		return err;
	}
	return 0;
}

int
kmstk_save(const struct kmstk *k, char *why, size_t whylen)
{
	char buf[KMSTK_FILE_MAX], h1[2 * KMSTK_KEY_LEN + 1], h2[2 * KMSTK_KEY_LEN + 1];
	int n, err;

	hex_encode(k->trk, KMSTK_KEY_LEN, h1, sizeof(h1), 1);
	hex_encode(k->ink, KMSTK_KEY_LEN, h2, sizeof(h2), 1);
	if (k->has_ink)
		n = snprintf(buf, sizeof(buf), "trk-id %s\ntrk %s\nink-id %s\nink %s\n",
		    k->trk_id, h1, k->ink_id, h2);
	else
		n = snprintf(buf, sizeof(buf), "trk-id %s\ntrk %s\n", k->trk_id, h1);
	err = secfile_write(k->path, (const uint8_t *)buf, (size_t)n, 1);
	OPENSSL_cleanse(buf, sizeof(buf));
	OPENSSL_cleanse(h1, sizeof(h1));
	OPENSSL_cleanse(h2, sizeof(h2));
	if (err != 0)
		return skm_why(why, whylen, err, "%s: %s", k->path, skm_strerror(err));
	return 0;
}

/* The signing key: D.2.2, the InK when there is one. */
static void
kmstk_signer(const struct kmstk *k, const uint8_t **key, const char **id)
{
	*key = k->has_ink ? k->ink : k->trk;
	*id = k->has_ink ? k->ink_id : k->trk_id;
}

int
kmstk_request(const struct kmstk *k, const char *user_uri, int64_t now, char **out,
    size_t *len, char *why, size_t whylen)
{
	xmlDocPtr d = NULL;
	xmlNodePtr root;
	xmlNsPtr ns;
	xmlChar *text = NULL;
	char t[32];
	const uint8_t *key;
	const char *id;
	int n = 0, err;

	*out = NULL;
	*len = 0;
	if (kmstk_xsec() != 0)
		return skm_why(why, whylen, SKM_ECRYPTO, "xml security library unavailable");
	time_format(now, t, sizeof(t));
	if ((d = xmlNewDoc((const xmlChar *)"1.0")) == NULL ||
	    (root = xmlNewDocNode(d, NULL, (const xmlChar *)"KmsRequest", NULL)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	xmlDocSetRootElement(d, root);
	ns = xmlNewNs(root, (const xmlChar *)KMSTK_NS, NULL);
	xmlSetNs(root, ns);
	xmlNewProp(root, (const xmlChar *)"Id", (const xmlChar *)"kmsRequest");
	xmlNewProp(root, (const xmlChar *)"Version", (const xmlChar *)"1.1.0");
	/* D.2.2 order: UserUri, KmsUri (omitted: optional here), Time, ..., TrK-ID, Signature-ID. */
	xmlNewTextChild(root, ns, (const xmlChar *)"UserUri", (const xmlChar *)user_uri);
	xmlNewTextChild(root, ns, (const xmlChar *)"Time", (const xmlChar *)t);
	kmstk_signer(k, &key, &id);
	xmlNewTextChild(root, ns, (const xmlChar *)"TrK-ID", (const xmlChar *)k->trk_id);
	xmlNewTextChild(root, ns, (const xmlChar *)"Signature-ID", (const xmlChar *)id);
	xmlDocDumpMemoryEnc(d, &text, &n, "UTF-8");
	if (text == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if ((err = xsec_sign((const char *)text, (size_t)n, key, id, out, len)) != 0)
		skm_why(why, whylen, err, "signing the request: %s", skm_strerror(err));
out:
	xmlFree(text);
	xmlFreeDoc(d);
	return err;
}

static xmlNodePtr
kmstk_child(xmlNodePtr n, const char *ns, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->ns != NULL &&
		    xmlStrEqual(c->ns->href, (const xmlChar *)ns) &&
		    xmlStrEqual(c->name, (const xmlChar *)name))
			return c;
	return NULL;
}

static char *
kmstk_text(xmlNodePtr n)
{
	return n != NULL ? (char *)xmlNodeGetContent(n) : NULL;
}

/* Base64 (XML Encryption) or, as one implementation writes it, hex. */
static int
kmstk_cipher(const char *text, uint8_t *out, size_t cap, size_t *len)
{
	char clean[4 * KEYWRAP_OUT_LEN(KEYWRAP_MAX_IN)];
	size_t n = 0, i, pad = 0;
	int m;

	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')
			continue;
		if (n + 1 >= sizeof(clean))
			return -1;
		clean[n++] = text[i];
	}
	clean[n] = '\0';
	if (strspn(clean, "0123456789abcdefABCDEF") == n && n % 16 == 0)
		return hex_decode(clean, n, out, cap, len) == 0 ? 0 : -1;
	if (n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	if ((m = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)n)) < 0)
		return -1;
	while (pad < 2 && n > pad && clean[n - 1 - pad] == '=')
		pad++;
	*len = (size_t)m - pad;
	return 0;
}

/* One EncKeyContentType element: its key unwrapped into key (cap octets). */
static int
kmstk_unwrap(const struct kmstk *k, xmlNodePtr el, uint8_t *key, size_t cap, size_t *len,
    char **carried, char *why, size_t whylen)
{
	uint8_t wrapped[KEYWRAP_OUT_LEN(KEYWRAP_MAX_IN)];
	xmlNodePtr ek, em, ki, cd;
	char *alg = NULL, *name = NULL, *cv = NULL;
	size_t wlen = 0;
	int err = SKM_EPARSE;

	*carried = NULL;
	if ((ek = kmstk_child(el, KMSTK_XENC, "EncryptedKey")) == NULL ||
	    (em = kmstk_child(ek, KMSTK_XENC, "EncryptionMethod")) == NULL ||
	    (cd = kmstk_child(ek, KMSTK_XENC, "CipherData")) == NULL) {
		skm_why(why, whylen, err, "%s: not one xenc:EncryptedKey", el->name);
		goto out;
	}
	alg = (char *)xmlGetNoNsProp(em, (const xmlChar *)"Algorithm");
	if (!keywrap_uri_ok(alg)) {
		skm_why(why, whylen, err, "%s: EncryptionMethod is not the padded AES-256 "
		    "key wrap", el->name);
		goto out;
	}
	/* The key it is wrapped under must be our TrK. */
	if ((ki = kmstk_child(ek, KMSTK_DS, "KeyInfo")) != NULL &&
	    (name = kmstk_text(kmstk_child(ki, KMSTK_DS, "KeyName"))) != NULL &&
	    strcmp(name, k->trk_id) != 0) {
		err = skm_why(why, whylen, SKM_EVERIFY, "%s: wrapped under another TrK",
		    el->name);
		goto out;
	}
	cv = kmstk_text(kmstk_child(cd, KMSTK_XENC, "CipherValue"));
	if (cv == NULL || kmstk_cipher(cv, wrapped, sizeof(wrapped), &wlen) != 0) {
		skm_why(why, whylen, err, "%s: CipherValue is neither base64 nor hex",
		    el->name);
		goto out;
	}
	if (keywrap_unwrap(k->trk, wrapped, wlen, key, cap, len) != 0) {
		err = skm_why(why, whylen, SKM_EVERIFY, "%s: does not unwrap under TrK %s",
		    el->name, k->trk_id);
		goto out;
	}
	*carried = kmstk_text(kmstk_child(ek, KMSTK_XENC, "CarriedKeyName"));
	err = 0;
out:
	OPENSSL_cleanse(wrapped, sizeof(wrapped));
	xmlFree(alg);
	xmlFree(name);
	xmlFree(cv);
	return err;
}

/* A delivered TrK or InK (NewTransportKey, NewIntegrityKey). */
static int
kmstk_take(struct kmstk *k, int trk, const uint8_t *key, size_t len, const char *id,
    char *why, size_t whylen)
{
	if (len != KMSTK_KEY_LEN || id == NULL || !kmstk_id_ok(id))
		return skm_why(why, whylen, SKM_EPARSE, "%s: not a 32-octet key with a "
		    "CarriedKeyName", trk ? "NewTransportKey" : "NewIntegrityKey");
	if (trk) {
		memcpy(k->trk, key, KMSTK_KEY_LEN);
		snprintf(k->trk_id, sizeof(k->trk_id), "%s", id);
	} else {
		memcpy(k->ink, key, KMSTK_KEY_LEN);
		snprintf(k->ink_id, sizeof(k->ink_id), "%s", id);
		k->has_ink = 1;
	}
	k->rotated = 1;
	return 0;
}

/*
 * Walks the tree: unwraps every EncKeyContentType in place; new keys are
 * taken into next (applied after the walk: every key of this response is
 * wrapped under the TrK it was sent under).
 */
static int
kmstk_walk(const struct kmstk *k, struct kmstk *next, xmlNodePtr n, char *why,
    size_t whylen)
{
	uint8_t key[KEYWRAP_MAX_IN];
	char hex[2 * KEYWRAP_MAX_IN + 1], *carried = NULL;
	xmlNodePtr c, nx;
	xmlChar *type;
	size_t len = 0;
	int err = 0, enc, isnew;

	for (c = n->children; c != NULL && err == 0; c = nx) {
		nx = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		type = xmlGetNsProp(c, (const xmlChar *)"type", (const xmlChar *)KMSTK_XSI);
		enc = type != NULL && (xmlStrEqual(type, (const xmlChar *)"EncKeyContentType") ||
		    (xmlStrchr(type, ':') != NULL &&
		    xmlStrEqual(xmlStrchr(type, ':') + 1, (const xmlChar *)"EncKeyContentType")));
		xmlFree(type);
		isnew = c->ns != NULL && xmlStrEqual(c->ns->href, (const xmlChar *)KMSTK_NS) &&
		    (xmlStrEqual(c->name, (const xmlChar *)"NewTransportKey") ||
		    xmlStrEqual(c->name, (const xmlChar *)"NewIntegrityKey"));
		if (!enc && !isnew) {
			/* The extension's own elements go; the message types become plain. */
			if (c->ns != NULL && xmlStrEqual(c->ns->href, (const xmlChar *)KMSTK_NS) &&
			    (xmlStrEqual(c->name, (const xmlChar *)"TrK-ID") ||
			    xmlStrEqual(c->name, (const xmlChar *)"Signature-ID"))) {
				xmlUnlinkNode(c);
				xmlFreeNode(c);
				continue;
			}
			if (xmlStrEqual(c->name, (const xmlChar *)"KmsInit") ||
			    xmlStrEqual(c->name, (const xmlChar *)"KmsKeyProv")) {
				xmlAttrPtr a = xmlHasNsProp(c, (const xmlChar *)"type",
				    (const xmlChar *)KMSTK_XSI);

				if (a != NULL)
					xmlRemoveProp(a);
			}
			err = kmstk_walk(k, next, c, why, whylen);
			continue;
		}
		if ((err = kmstk_unwrap(k, c, key, sizeof(key), &len, &carried, why,
		    whylen)) != 0)
			break;
		if (isnew) {
			err = kmstk_take(next, xmlStrEqual(c->name,
			    (const xmlChar *)"NewTransportKey"), key, len, carried, why, whylen);
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else {
			hex_encode(key, len, hex, sizeof(hex), 1);
			xmlNodeSetContent(c, NULL);
			xmlNodeAddContent(c, (const xmlChar *)hex);
			xmlSetNsProp(c, xmlSearchNsByHref(c->doc, c, (const xmlChar *)KMSTK_XSI),
			    (const xmlChar *)"type", (const xmlChar *)"KeyContentType");
		}
		xmlFree(carried);
		carried = NULL;
		OPENSSL_cleanse(key, sizeof(key));
		OPENSSL_cleanse(hex, sizeof(hex));
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(hex, sizeof(hex));
	return err;
}

int
kmstk_open(struct kmstk *k, const char *doc, size_t len, char **plain,
    size_t *plainlen, char *why, size_t whylen)
{
	struct kmstk *next = NULL;
	enum xsec_fail f;
	const uint8_t *key;
	const char *id;
	char *inner = NULL;
	size_t ilen = 0;
	xmlDocPtr d = NULL;
	xmlChar *text = NULL;
	int n = 0, err;

	*plain = NULL;
	*plainlen = 0;
	if (kmstk_xsec() != 0)
		return skm_why(why, whylen, SKM_ECRYPTO, "xml security library unavailable");
	kmstk_signer(k, &key, &id);
	if (xsec_verify(doc, len, "KmsResponse", key, id, &f, &inner, &ilen) != 0)
		return skm_why(why, whylen, SKM_EVERIFY, "SignedKmsResponse: %s",
		    f == XSEC_FORM ? "a transport key is configured and the response is "
		    "not a SignedKmsResponse" : xsec_fail_str(f));
	if ((next = OPENSSL_secure_malloc(sizeof(*next))) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	*next = *k;
	next->rotated = 0;
	d = xmlReadMemory(inner, (int)ilen, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d == NULL || xmlDocGetRootElement(d) == NULL) {
		err = skm_why(why, whylen, SKM_EPARSE, "KmsResponse: not well-formed");
		goto out;
	}
	if ((err = kmstk_walk(k, next, xmlDocGetRootElement(d), why, whylen)) != 0)
		goto out;
	xmlDocDumpMemoryEnc(d, &text, &n, "UTF-8");
	if (text == NULL || (*plain = OPENSSL_secure_malloc((size_t)n + 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	memcpy(*plain, text, (size_t)n);
	(*plain)[n] = '\0';
	*plainlen = (size_t)n;
	if (next->rotated) {
		*k = *next;
		if (k->path[0] != '\0' && (err = kmstk_save(k, why, whylen)) != 0) {
			kmstk_free(*plain, *plainlen);
			*plain = NULL;
			*plainlen = 0;
		}
	}
out:
	if (text != NULL) {
		OPENSSL_cleanse(text, (size_t)n);
		xmlFree(text);
	}
	xmlFreeDoc(d);
	xsec_free(inner, ilen);
	if (next != NULL)
		OPENSSL_secure_clear_free(next, sizeof(*next));
	return err;
}

void
kmstk_free(char *doc, size_t len)
{
	if (doc != NULL)
		OPENSSL_secure_clear_free(doc, len + 1);
}
