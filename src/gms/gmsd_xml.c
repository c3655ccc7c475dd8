/* SPDX-License-Identifier: ISC */
/*
 * skgmsd's reply documents (see gmsd_xml.h). The request element inside
 * a Notification is notify_req_write()'s document without its XML
 * declaration, so a client reads it with the code that reads the files
 * of 'skmc gms'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/notify.h"
#include "common/err.h"
#include "gms/gmsd_xml.h"

static void
esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static int
done(FILE *f, char **buf, size_t *len, char **doc, size_t *outlen)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		free(*buf);
		return SKM_ENOMEM;
	}
	*doc = *buf;
	*outlen = *len;
	return 0;
}

int
gmsd_xml_notifications(const char *gms_uri, const struct gstore_dlv *d, size_t n,
    char **doc, size_t *len)
{
	char *buf = NULL, *req, *body, id[GSTORE_ID_LEN];
	size_t size = 0, reqlen, i;
	FILE *f;
	int err;

	if ((f = open_memstream(&buf, &size)) == NULL)
		return SKM_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Notifications xmlns=\"" NOTIFY_NS "\">\n", f);
	for (i = 0; i < n; i++) {
		gstore_id_text(d[i].id, id);
		if (d[i].kind == GSTORE_KIND_REMOVAL) {
			fprintf(f, "<Notification id=\"%s\" kind=\"removal\">\n"
			    "<NotifyGroupRemoval>\n  <RequesterIdentity>", id);
			esc(f, gms_uri);
			fputs("</RequesterIdentity>\n  <ValGroupId>", f);
			esc(f, d[i].group);
			fputs("</ValGroupId>\n</NotifyGroupRemoval>\n</Notification>\n", f);
			continue;
		}
		if ((err = notify_req_write(gms_uri, d[i].group, d[i].imsg, d[i].imsg_len,
		    &req, &reqlen)) != 0) {
			fclose(f);
			free(buf);
			return err;
		}
		/* The element alone: a document cannot sit inside another. */
		body = strstr(req, "?>\n");
		body = body != NULL ? body + 3 : req;
		fprintf(f, "<Notification id=\"%s\" kind=\"gmk\">\n", id);
		fwrite(body, 1, reqlen - (size_t)(body - req), f);
		fputs("</Notification>\n", f);
		free(req);
	}
	fputs("</Notifications>\n", f);
	return done(f, &buf, &size, doc, len);
}

int
gmsd_xml_groups(const char (*groups)[GSTORE_GROUP_MAX + 1], const struct gstore_member *m,
    size_t n, char **doc, size_t *len)
{
	char *buf = NULL;
	size_t size = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &size)) == NULL)
		return SKM_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Groups xmlns=\"" NOTIFY_NS "\">\n", f);
	for (i = 0; i < n; i++) {
		fputs("  <Group id=\"", f);
		esc(f, groups[i]);
		fprintf(f, "\" affiliation=\"%s\" subscribed=\"%s\"/>\n",
		    m[i].explicit_aff ? "explicit" : "implicit",
		    m[i].subscribed ? "true" : "false");
	}
	fputs("</Groups>\n", f);
	return done(f, &buf, &size, doc, len);
}

int
gmsd_xml_error(const char *reason, char **doc, size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &size)) == NULL)
		return SKM_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Error xmlns=\"" NOTIFY_NS "\"><Reason>", f);
	esc(f, reason);
	fputs("</Reason></Error>\n", f);
	return done(f, &buf, &size, doc, len);
}
