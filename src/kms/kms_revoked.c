/* SPDX-License-Identifier: ISC */
/*
 * The domain's revoked Root certificates as KmsCertificate elements, for
 * CertCache to list after an emergency rollover (kms_rollover() with
 * revoke_current), so clients learn not to use them. Public data only.
 */
#include "kms/kms.h"
#include "common/err.h"

#include <string.h>

int
kms_revoked_each(const struct kms *k, int (*fn)(const char *xml, size_t len, void *arg),
    void *arg)
{
	struct kmsxml_cert cert;
	const struct kms_gen *g;
	const char *p;
	char *doc;
	size_t i, len;
	int rc = 0;

	for (i = 0; rc == 0 && (g = kms_gen_at(k, i)) != NULL; i++) {
		/* A withdrawn generation is never revoked: it left the store unrevoked. */
		if (!kms_gen_revoked(g))
			continue;
		kms_gen_cert(k, g, &cert);
		if ((rc = kmsxml_cert_doc(&cert, &doc, &len)) != 0)
			break;
		/* The element alone, without the document's XML declaration. */
		p = strstr(doc, "?>");
		p = p != NULL ? p + 2 : doc;
		while (*p == '\n')
			p++;
		rc = fn(p, len - (size_t)(p - doc), arg);
		kmsxml_free(doc, len);
	}
	return rc;
}
