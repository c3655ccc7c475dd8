/* SPDX-License-Identifier: ISC */
/*
 * Reading the notification channel's documents. A whole answer is refused
 * on any structural fault rather than partly used: the GMS sends it again,
 * and a client that answered half of a damaged list would record answers
 * for deliveries it may have misread. Elements of other namespaces are
 * ignored as notify.c does, so the service may extend the documents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "client/gmkfile.h"
#include "client/gmsnote.h"
#include "client/notify.h"
#include "common/err.h"

#define NOTES_ROOT	"Notifications"
#define ERROR_ROOT	"Error"

int
gmsnote_id_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n <= GMSNOTE_ID_MAX;
}

static int
in_ns(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, NOTIFY_NS) == 0;
}

static int
is(const xmlNode *n, const char *name)
{
	return in_ns(n) && strcmp((const char *)n->name, name) == 0;
}

/* The trimmed text of an element that holds only text; malloc'ed. */
static int
text_of(const xmlNode *n, char **out)
{
	const xmlNode *c;
	xmlChar *t;
	const char *s, *e;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE &&
		    c->type != XML_COMMENT_NODE)
			return SKM_EPARSE;
	if ((t = xmlNodeGetContent(n)) == NULL)
		return SKM_ENOMEM;
	for (s = (const char *)t; *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r'; s++)
		;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t' ||
	    e[-1] == '\r'); e--)
		;
	*out = strndup(s, (size_t)(e - s));
	xmlFree(t);
	return *out == NULL ? SKM_ENOMEM : 0;
}

static xmlDoc *
read_doc(const char *buf, size_t len, char *why, size_t whylen, int *err)
{
	xmlDoc *doc;

	*err = SKM_EPARSE;
	if (len > GMSNOTE_DOC_MAX) {
		*err = skm_why(why, whylen, SKM_ELEN, "notifications: longer than %d octets",
		    GMSNOTE_DOC_MAX);
		return NULL;
	}
	doc = xmlReadMemory(buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		skm_why(why, whylen, SKM_EPARSE, "notifications: not well-formed XML");
		return NULL;
	}
	/* No DTD at all: nothing can define an entity or an attribute default. */
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		skm_why(why, whylen, SKM_EPARSE, "notifications: DOCTYPE not allowed");
		xmlFreeDoc(doc);
		return NULL;
	}
	*err = 0;
	return doc;
}

/* The parts of a NotifyGroupConfigurationRequest or NotifyGroupRemoval. */
static int
parse_body(const xmlNode *body, struct gmsnote *g, char *why, size_t whylen)
{
	const xmlNode *c;
	char *b64 = NULL, **slot;
	int err = SKM_EPARSE;

	for (c = body->children; c != NULL; c = c->next) {
		if (c->type == XML_ENTITY_REF_NODE) {
			skm_why(why, whylen, err, "notification %s: entity references not "
			    "allowed", g->id);
			goto out;
		}
		if (!in_ns(c))
			continue;
		if (is(c, "RequesterIdentity"))
			slot = &g->requester;
		else if (is(c, "ValGroupId"))
			slot = &g->group;
		else if (g->kind == GMSNOTE_GMK && is(c, "GroupRelatedKeyMaterial"))
			slot = &b64;
		else {
			skm_why(why, whylen, err, "notification %s: unknown element %.64s",
			    g->id, (const char *)c->name);
			goto out;
		}
		if (*slot != NULL) {
			skm_why(why, whylen, err, "notification %s: %s given twice", g->id,
			    (const char *)c->name);
			goto out;
		}
		if ((err = text_of(c, slot)) != 0) {
			if (err == SKM_EPARSE)
				skm_why(why, whylen, err, "notification %s: %s: not text",
				    g->id, (const char *)c->name);
			goto out;
		}
		err = SKM_EPARSE;
	}
	if (g->requester == NULL || g->group == NULL ||
	    (g->kind == GMSNOTE_GMK && b64 == NULL)) {
		skm_why(why, whylen, err, "notification %s: RequesterIdentity, ValGroupId%s "
		    "required", g->id, g->kind == GMSNOTE_GMK ?
		    " and GroupRelatedKeyMaterial are" : " are");
		goto out;
	}
	if (!gmkfile_name_ok(g->requester) || !gmkfile_name_ok(g->group)) {
		skm_why(why, whylen, err, "notification %s: RequesterIdentity or ValGroupId "
		    "is not a usable URI or group ID", g->id);
		goto out;
	}
	if (b64 != NULL && (notify_b64_decode(b64, strlen(b64), &g->imsg,
	    &g->imsglen) != 0 || g->imsglen == 0)) {
		skm_why(why, whylen, err, "notification %s: GroupRelatedKeyMaterial: not "
		    "base64", g->id);
		goto out;
	}
	err = 0;
out:
	free(b64);
	return err;
}

static int
parse_one(const xmlNode *n, struct gmsnote *g, char *why, size_t whylen)
{
	const xmlNode *c, *body = NULL;
	xmlChar *id, *kind;
	int err = SKM_EPARSE;

	id = xmlGetNoNsProp(n, (const xmlChar *)"id");
	kind = xmlGetNoNsProp(n, (const xmlChar *)"kind");
	if (id == NULL || !gmsnote_id_ok((const char *)id)) {
		skm_why(why, whylen, err, "notification: id missing or not 1 to %d "
		    "characters of A-Z a-z 0-9 _ -", GMSNOTE_ID_MAX);
		goto out;
	}
	snprintf(g->id, sizeof(g->id), "%s", (const char *)id);
	if (kind == NULL) {
		skm_why(why, whylen, err, "notification %s: kind missing", g->id);
		goto out;
	}
	if (strcmp((const char *)kind, "gmk") == 0)
		g->kind = GMSNOTE_GMK;
	else if (strcmp((const char *)kind, "removal") == 0)
		g->kind = GMSNOTE_REMOVAL;
	else {
		g->kind = GMSNOTE_OTHER;
		err = 0;
		goto out;
	}
	for (c = n->children; c != NULL; c = c->next) {
		if (!in_ns(c))
			continue;
		if (body != NULL || !is(c, g->kind == GMSNOTE_GMK ?
		    "NotifyGroupConfigurationRequest" : "NotifyGroupRemoval")) {
			skm_why(why, whylen, err, "notification %s: not one %s", g->id,
			    g->kind == GMSNOTE_GMK ? "NotifyGroupConfigurationRequest" :
			    "NotifyGroupRemoval");
			goto out;
		}
		body = c;
	}
	if (body == NULL) {
		skm_why(why, whylen, err, "notification %s: no %s", g->id,
		    g->kind == GMSNOTE_GMK ? "NotifyGroupConfigurationRequest" :
		    "NotifyGroupRemoval");
		goto out;
	}
	err = parse_body(body, g, why, whylen);
out:
	xmlFree(id);
	xmlFree(kind);
	return err;
}

int
gmsnote_parse(const char *buf, size_t len, struct gmsnote **notes, size_t *n, char *why,
    size_t whylen)
{
	struct gmsnote *v = NULL;
	const xmlNode *root, *c;
	xmlDoc *doc;
	size_t cnt = 0, i = 0;
	int err;

	*notes = NULL;
	*n = 0;
	if ((doc = read_doc(buf, len, why, whylen, &err)) == NULL)
		return err;
	err = SKM_EPARSE;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, NOTES_ROOT)) {
		skm_why(why, whylen, err, "notifications: root is not " NOTES_ROOT " in "
		    NOTIFY_NS);
		goto out;
	}
	for (c = root->children; c != NULL; c = c->next) {
		if (c->type == XML_ENTITY_REF_NODE) {
			skm_why(why, whylen, err, "notifications: entity references not allowed");
			goto out;
		}
		if (!in_ns(c))
			continue;
		if (!is(c, "Notification")) {
			skm_why(why, whylen, err, "notifications: unknown element %.64s",
			    (const char *)c->name);
			goto out;
		}
		if (++cnt > GMSNOTE_MAX) {
			err = skm_why(why, whylen, SKM_ERANGE, "notifications: more than %d",
			    GMSNOTE_MAX);
			goto out;
		}
	}
	if (cnt > 0 && (v = calloc(cnt, sizeof(*v))) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	for (c = root->children; c != NULL && i < cnt; c = c->next) {
		if (!in_ns(c))
			continue;
		if ((err = parse_one(c, &v[i++], why, whylen)) != 0)
			goto out;
	}
	*notes = v;
	*n = cnt;
	v = NULL;
	err = 0;
out:
	gmsnote_free(v, i);
	xmlFreeDoc(doc);
	return err;
}

void
gmsnote_free(struct gmsnote *notes, size_t n)
{
	size_t i;

	if (notes == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(notes[i].requester);
		free(notes[i].group);
		free(notes[i].imsg);
	}
	free(notes);
}

int
gmsnote_error_reason(const char *buf, size_t len, char *out, size_t outlen)
{
	const xmlNode *root, *c;
	char *t = NULL;
	xmlDoc *doc;
	int err;

	if ((doc = read_doc(buf, len, NULL, 0, &err)) == NULL)
		return err;
	err = SKM_EPARSE;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is(root, ERROR_ROOT))
		goto out;
	for (c = root->children; c != NULL; c = c->next)
		if (is(c, "Reason") && text_of(c, &t) == 0)
			break;
	if (t == NULL)
		goto out;
	snprintf(out, outlen, "%s", t);
	err = 0;
out:
	free(t);
	xmlFreeDoc(doc);
	return err;
}
