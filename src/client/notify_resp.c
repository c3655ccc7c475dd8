/* SPDX-License-Identifier: ISC */
/*
 * Parses the response document (see notify_resp.h). Unknown elements of
 * other namespaces are ignored, unknown ones of ours refused, each element
 * at most once. The reason is kept printable: control octets become '?'.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "client/notify.h"
#include "client/notify_resp.h"
#include "common/err.h"

#define RESP_ROOT	"NotifyGroupConfigurationResponse"

static int
resp_fail(char *why, size_t whylen, const char *what)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "response: %s", what);
	return SKM_EPARSE;
}

/* The trimmed text of n into out (cap octets); 0, or -1 when too long. */
static int
resp_text(xmlNode *n, char *out, size_t cap)
{
	xmlChar *c = xmlNodeGetContent(n);
	const char *s;
	size_t len, i;

	if (c == NULL)
		return -1;
	for (s = (const char *)c; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++)
		;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
	    s[len - 1] == '\n'))
		len--;
	if (len >= cap) {
		xmlFree(c);
		return -1;
	}
	for (i = 0; i < len; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[len] = '\0';
	xmlFree(c);
	return 0;
}

int
notify_resp_read(const char *buf, size_t len, struct notify_resp *r, char *why,
    size_t whylen)
{
	char result[16] = "";
	int have_group = 0, have_result = 0, have_reason = 0, err = SKM_EPARSE;
	xmlDoc *doc;
	xmlNode *root, *n;

	memset(r, 0, sizeof(*r));
	if (len > NOTIFY_MAX_LEN) {
		resp_fail(why, whylen, "too long");
		return SKM_ELEN;
	}
	doc = xmlReadMemory(buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return resp_fail(why, whylen, "not well-formed XML");
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		resp_fail(why, whylen, "DOCTYPE not allowed");
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || root->ns == NULL ||
	    strcmp((const char *)root->ns->href, NOTIFY_NS) != 0 ||
	    strcmp((const char *)root->name, RESP_ROOT) != 0) {
		resp_fail(why, whylen, "root is not " RESP_ROOT " in " NOTIFY_NS);
		goto out;
	}
	for (n = root->children; n != NULL; n = n->next) {
		int *seen, rc;

		if (n->type == XML_ENTITY_REF_NODE) {
			resp_fail(why, whylen, "entity references not allowed");
			goto out;
		}
		if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
		    strcmp((const char *)n->ns->href, NOTIFY_NS) != 0)
			continue;
		if (strcmp((const char *)n->name, "ValGroupId") == 0) {
			seen = &have_group;
			rc = resp_text(n, r->group, sizeof(r->group));
		} else if (strcmp((const char *)n->name, "Result") == 0) {
			seen = &have_result;
			rc = resp_text(n, result, sizeof(result));
		} else if (strcmp((const char *)n->name, "Reason") == 0) {
			seen = &have_reason;
			rc = resp_text(n, r->reason, sizeof(r->reason));
		} else {
			resp_fail(why, whylen, "unknown element");
			goto out;
		}
		if (*seen) {
			resp_fail(why, whylen, "element given twice");
			goto out;
		}
		if (rc != 0) {
			resp_fail(why, whylen, "element too long");
			goto out;
		}
		*seen = 1;
	}
	if (!have_group || r->group[0] == '\0' || !have_result) {
		resp_fail(why, whylen, "ValGroupId and Result are required");
		goto out;
	}
	if (strcmp(result, "success") == 0)
		r->success = 1;
	else if (strcmp(result, "failure") != 0) {
		resp_fail(why, whylen, "Result is neither success nor failure");
		goto out;
	} else if (!have_reason || r->reason[0] == '\0') {
		resp_fail(why, whylen, "a failure needs its Reason");
		goto out;
	}
	err = 0;
out:
	xmlFreeDoc(doc);
	if (err != 0)
		memset(r, 0, sizeof(*r));
	return err;
}
