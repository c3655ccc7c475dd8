/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the signed-request path of skmsd (TS 33.180 D.1):
 * the body read by kmsreq_parse() and, when it is a SignedKmsRequest
 * whose Signature-ID names the caller's key, verified by xsec_verify()
 * as the API does; xsec_verify() also sees every input directly, so the
 * verifier is reached by inputs the request parser refuses. Any octets
 * must give a verdict: a refusal with its reason, or success only under
 * the right key; never a crash, a leak or undefined behaviour. The seeds
 * in tests/data/signedreq are signed with the key below by the xmlsec1
 * tool. Run over its seeds by make check (fuzz_seeds.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/kmsreq.h"
#include "xsec/xsec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 0x01 .. 0x20, named tk.1 (tests/data/signedreq/key.bin) */
static uint8_t key[XSEC_KEY_LEN];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i + 1);
	if (xsec_init() != 0)
		abort();
	kmsreq_init();
	return 0;
}

static void
check(const char *doc, size_t len, const char *name)
{
	enum xsec_fail f = XSEC_OK;
	char *inner = NULL;
	size_t ilen = 0;
	int rc;

	rc = xsec_verify(doc, len, "KmsRequest", key, name, &f, &inner, &ilen);
	if ((rc == 0) != (f == XSEC_OK) || (rc == 0) != (inner != NULL))
		abort();
	if (rc != 0 && xsec_fail_str(f)[0] == '\0')
		abort();
	if (inner != NULL && memchr(inner, '\0', ilen + 1) != inner + ilen)
		abort();
	xsec_free(inner, ilen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsreq r;
	const char *why = NULL;

	if (kmsreq_parse((const char *)data, size, &r, &why) == 0 && r.is_signed &&
	    strcmp(r.sig_id, "tk.1") == 0)
		check((const char *)data, size, r.sig_id);
	if (size <= KMSREQ_MAX)
		check((const char *)data, size, "tk.1");
	return 0;
}
