/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer entry for the KMS document reader: any input either parses to a
 * document that frees cleanly or is refused with a reason; ASan and UBSan
 * catch the rest. Built by 'make fuzz-kmsdoc', never by make check.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client/kmsdoc.h"
#include "common/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsdoc *doc = NULL;
	struct kmsdoc *again = NULL;
	char why[128];
	int rc;

	rc = kmsdoc_parse((const char *)data, size, &doc, why, sizeof(why));
	if (rc != 0) {
		/* A refusal always says why. */
		if (doc != NULL || why[0] == '\0' || memchr(why, '\0', sizeof(why)) == NULL)
			__builtin_trap();
		return 0;
	}
	/* What the reader re-serialises for storing must read back. */
	if (doc->ncerts > 0 && kmsdoc_parse(doc->certs[0].xml, doc->certs[0].xmllen,
	    &again, why, sizeof(why)) != 0)
		__builtin_trap();
	kmsdoc_free(again);
	again = NULL;
	if (doc->nkeysets > 0 && kmsdoc_parse(doc->keysets[0].xml, doc->keysets[0].xmllen,
	    &again, why, sizeof(why)) != 0)
		__builtin_trap();
	kmsdoc_free(again);
	kmsdoc_free(doc);
	return 0;
}
