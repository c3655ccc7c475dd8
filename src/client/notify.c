/* SPDX-License-Identifier: ISC */
/*
 * Notify group configuration documents. Written by hand with escaping (the
 * GMS writes one per member from worker threads, and the shape is fixed);
 * read with libxml2 under XML_PARSE_NONET, refusing any DOCTYPE so no
 * entity is ever expanded. Unknown elements in our namespace are errors;
 * the request must carry each element exactly once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "client/notify.h"
#include "common/err.h"

#define REQ_ROOT	"NotifyGroupConfigurationRequest"
#define RESP_ROOT	"NotifyGroupConfigurationResponse"

static void
why_set(char *why, size_t whylen, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", what);
}

/* Length of s with XML escaping. */
static size_t
esc_len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '&' ? 5 : *s == '<' || *s == '>' ? 4 : *s == '"' ? 6 : 1;
	return n;
}

static char *
esc_put(char *o, const char *s)
{
	for (; *s != '\0'; s++) {
		const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ?
		    "&gt;" : *s == '"' ? "&quot;" : NULL;

		if (e == NULL)
			*o++ = *s;
		else {
			memcpy(o, e, strlen(e));
			o += strlen(e);
		}
	}
	return o;
}

int
notify_b64_encode(const uint8_t *in, size_t len, char **out, size_t *outlen)
{
	char *b;
	int n;

	if (len > (size_t)INT32_MAX / 2)
		return SKM_ELEN;
	if ((b = malloc(4 * ((len + 2) / 3) + 1)) == NULL)
		return SKM_ENOMEM;
	n = EVP_EncodeBlock((unsigned char *)b, in, (int)len);
	if (n < 0) {
		free(b);
		return SKM_ECRYPTO;
	}
	*out = b;
	*outlen = (size_t)n;
	return 0;
}

int
notify_b64_decode(const char *in, size_t len, uint8_t **out, size_t *outlen)
{
	size_t i, pad = 0;
	uint8_t *b;
	int n;

	*out = NULL;
	if (len == 0 || len % 4 != 0 || len > NOTIFY_MAX_LEN)
		return SKM_EPARSE;
	/* EVP_DecodeBlock skips white space and counts padding as data: check first. */
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (pad != 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return SKM_EPARSE;
	}
	if (pad == 1 && in[len - 1] != '=')
		return SKM_EPARSE;
	if ((b = malloc(len / 4 * 3)) == NULL)
		return SKM_ENOMEM;
	n = EVP_DecodeBlock(b, (const unsigned char *)in, (int)len);
	if (n < 0 || (size_t)n < pad) {
		free(b);
		return SKM_EPARSE;
	}
	*out = b;
	*outlen = (size_t)n - pad;
	return 0;
}

int
notify_req_write(const char *requester, const char *group, const uint8_t *imsg,
    size_t len, char **doc, size_t *doclen)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<" REQ_ROOT " xmlns=\"" NOTIFY_NS "\">\n  <RequesterIdentity>";
	static const char mid1[] = "</RequesterIdentity>\n  <ValGroupId>";
	static const char mid2[] = "</ValGroupId>\n  <GroupRelatedKeyMaterial>";
	static const char tail[] = "</GroupRelatedKeyMaterial>\n</" REQ_ROOT ">\n";
	char *b64 = NULL, *d, *o;
	size_t b64len, n;
	int err;

	if ((err = notify_b64_encode(imsg, len, &b64, &b64len)) != 0)
		return err;
	n = sizeof(head) + sizeof(mid1) + sizeof(mid2) + sizeof(tail) +
	    esc_len(requester) + esc_len(group) + b64len;
	if ((d = malloc(n)) == NULL) {
		free(b64);
		return SKM_ENOMEM;
	}
	o = d;
	memcpy(o, head, sizeof(head) - 1);
	o = esc_put(o + sizeof(head) - 1, requester);
	memcpy(o, mid1, sizeof(mid1) - 1);
	o = esc_put(o + sizeof(mid1) - 1, group);
	memcpy(o, mid2, sizeof(mid2) - 1);
	o += sizeof(mid2) - 1;
	memcpy(o, b64, b64len);
	o += b64len;
	memcpy(o, tail, sizeof(tail));
	o += sizeof(tail) - 1;
	free(b64);
	*doc = d;
	*doclen = (size_t)(o - d);
	return 0;
}

int
notify_resp_write(const char *group, int success, const char *reason, char **doc,
    size_t *doclen)
{
	static const char head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<" RESP_ROOT " xmlns=\"" NOTIFY_NS "\">\n  <ValGroupId>";
	char *d, *o;
	size_t n;

	if (group == NULL)
		group = "";
	if (reason == NULL)
		reason = "";
	n = sizeof(head) + esc_len(group) + esc_len(reason) + 160;
	if ((d = malloc(n)) == NULL)
		return SKM_ENOMEM;
	memcpy(d, head, sizeof(head) - 1);
	o = esc_put(d + sizeof(head) - 1, group);
	o += sprintf(o, "</ValGroupId>\n  <Result>%s</Result>\n",
	    success ? "success" : "failure");
	if (!success) {
		o += sprintf(o, "  <Reason>");
		o = esc_put(o, reason);
		o += sprintf(o, "</Reason>\n");
	}
	o += sprintf(o, "</" RESP_ROOT ">\n");
	*doc = d;
	*doclen = (size_t)(o - d);
	return 0;
}

void
notify_req_clear(struct notify_req *req)
{
	free(req->requester);
	free(req->group);
	free(req->imsg);
	memset(req, 0, sizeof(*req));
}

/* The text of an element with only text children, trimmed; malloc'ed. */
static char *
text_of(xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s, *start, *end;

	if (c == NULL)
		return NULL;
	for (start = (char *)c; *start == ' ' || *start == '\n' || *start == '\t' ||
	    *start == '\r'; start++)
		;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	s = strndup(start, (size_t)(end - start));
	xmlFree(c);
	return s;
}

static int
parse_doc(const uint8_t *buf, size_t len, struct notify_req *req, char *why, size_t whylen)
{
	xmlDoc *doc;
	xmlNode *root, *n;
	char *b64 = NULL, **slot;
	int err = SKM_EPARSE;

	doc = xmlReadMemory((const char *)buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		why_set(why, whylen, "request: not well-formed XML");
		return SKM_EPARSE;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		why_set(why, whylen, "request: DOCTYPE not allowed");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, NOTIFY_NS) != 0 ||
	    strcmp((const char *)root->name, REQ_ROOT) != 0) {
		why_set(why, whylen, "request: root is not " REQ_ROOT " in " NOTIFY_NS);
		goto out;
	}
	for (n = root->children; n != NULL; n = n->next) {
		if (n->type == XML_ENTITY_REF_NODE) {
			why_set(why, whylen, "request: entity references not allowed");
			goto out;
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns == NULL || strcmp((const char *)n->ns->href, NOTIFY_NS) != 0)
			continue;	/* extensions of other namespaces are ignored */
		if (strcmp((const char *)n->name, "RequesterIdentity") == 0)
			slot = &req->requester;
		else if (strcmp((const char *)n->name, "ValGroupId") == 0)
			slot = &req->group;
		else if (strcmp((const char *)n->name, "GroupRelatedKeyMaterial") == 0)
			slot = &b64;
		else {
			why_set(why, whylen, "request: unknown element");
			goto out;
		}
		if (*slot != NULL) {
			why_set(why, whylen, "request: element given twice");
			goto out;
		}
		if ((*slot = text_of(n)) == NULL) {
			err = SKM_ENOMEM;
			goto out;
		}
	}
	if (req->requester == NULL || req->group == NULL || b64 == NULL ||
	    *req->requester == '\0' || *req->group == '\0') {
		why_set(why, whylen, "request: RequesterIdentity, ValGroupId and "
		    "GroupRelatedKeyMaterial are required");
		goto out;
	}
	if (notify_b64_decode(b64, strlen(b64), &req->imsg, &req->imsglen) != 0) {
		why_set(why, whylen, "request: GroupRelatedKeyMaterial: not base64");
		goto out;
	}
	err = 0;
out:
	free(b64);
	xmlFreeDoc(doc);
	return err;
}

int
notify_input(const uint8_t *buf, size_t len, struct notify_req *req, char *why,
    size_t whylen)
{
	size_t s = 0, e = len;
	int err;

	memset(req, 0, sizeof(*req));
	if (len > NOTIFY_MAX_LEN) {
		why_set(why, whylen, "input: too long");
		return SKM_ELEN;
	}
	/* RFC 3830 6.1: version 1, data type 26 (SAKKE) starts a binary I_MESSAGE. */
	if (len >= 2 && buf[0] == 0x01 && buf[1] == 0x1a) {
		if ((req->imsg = malloc(len)) == NULL)
			return SKM_ENOMEM;
		memcpy(req->imsg, buf, len);
		req->imsglen = len;
		return 0;
	}
	while (s < e && (buf[s] == ' ' || buf[s] == '\n' || buf[s] == '\r' || buf[s] == '\t'))
		s++;
	while (e > s && (buf[e - 1] == ' ' || buf[e - 1] == '\n' || buf[e - 1] == '\r' ||
	    buf[e - 1] == '\t'))
		e--;
	if (s < e && buf[s] == '<') {
		if ((err = parse_doc(buf, len, req, why, whylen)) != 0)
			notify_req_clear(req);
		return err;
	}
	if (e - s > 6 && memcmp(buf + s, "mikey ", 6) == 0)
		s += 6;
	if (notify_b64_decode((const char *)buf + s, e - s, &req->imsg, &req->imsglen) != 0) {
		why_set(why, whylen, "input: neither a notification document, base64 nor "
		    "a binary I_MESSAGE");
		return SKM_EPARSE;
	}
	return 0;
}
