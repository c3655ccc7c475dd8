/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for kmsreq_parse(): any octets must give either a
 * refusal with a reason and an empty result, or NUL-terminated fields;
 * never a crash, a leak or undefined behaviour. Built by 'make
 * fuzz-kmsreq' only, never part of make check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/kmsreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsreq r;
	const char *why = NULL;
	int rc;

	rc = kmsreq_parse((const char *)data, size, &r, &why);
	if (rc != 0) {
		if (why == NULL || why[0] == '\0' || r.user_uri[0] != '\0' || r.has_time)
			abort();
		return 0;
	}
	if (memchr(r.user_uri, '\0', sizeof(r.user_uri)) == NULL ||
	    memchr(r.kms_uri, '\0', sizeof(r.kms_uri)) == NULL ||
	    memchr(r.client_req_url, '\0', sizeof(r.client_req_url)) == NULL ||
	    memchr(r.client_id, '\0', sizeof(r.client_id)) == NULL ||
	    memchr(r.device_id, '\0', sizeof(r.device_id)) == NULL)
		abort();
	return 0;
}
