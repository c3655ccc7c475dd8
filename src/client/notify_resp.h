/* SPDX-License-Identifier: ISC */
/*
 * Reading a 'Notify group configuration response' (TS 23.434 10.3.2.25),
 * the document notify_resp_write() makes (notify.h): what a GMS receives
 * back from a VAL client. libxml2 without network, DTDs or entities.
 */
#ifndef SKM_CLIENT_NOTIFY_RESP_H
#define SKM_CLIENT_NOTIFY_RESP_H

#include <stddef.h>

#define NOTIFY_RESP_REASON_MAX	255

struct notify_resp {
	char group[256];			/* ValGroupId */
	int success;
	char reason[NOTIFY_RESP_REASON_MAX + 1];	/* failure: printable, may be cut */
};

/*
 * Parses buf into r: SKM_EPARSE with the reason in why when it is not
 * such a document (root, namespace, ValGroupId and Result required, Result
 * success or failure, Reason required with failure), SKM_ELEN when longer
 * than NOTIFY_MAX_LEN.
 */
int notify_resp_read(const char *buf, size_t len, struct notify_resp *r, char *why,
    size_t whylen);

#endif
