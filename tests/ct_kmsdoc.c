/* SPDX-License-Identifier: ISC */
/*
 * Constant-time check of the hex encoder skmsd uses for keys and of the
 * decoder kmsdoc uses: an RSK and an SSK, then their digits, are marked
 * undefined and encoded, then decoded; memcheck reports any branch or
 * index on them. Base64 is OpenSSL's table decoder and is
 * not covered. Exit 0 when the decoded bytes are right.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "client/kmsdoc_value.h"
#include "common/hex.h"
#include "lib/ct.h"
#include "lib/sakke.h"

static int
one(size_t n, int upper)
{
	uint8_t key[SAKKE_POINT_LEN], out[SAKKE_POINT_LEN];
	char text[2 * SAKKE_POINT_LEN + 1], why[128];
	int rc, ok;

	if (RAND_bytes(key, (int)n) != 1)
		return 1;
	/* Encoding and decoding alike: no branch or index on the key. */
	ct_poison(key, n);
	if (hex_encode(key, n, text, sizeof(text), upper) != 0)
		return 1;
	ct_declassify(key, n);
	rc = kmsdoc_value_bin(text, 2 * n, out, n, why, sizeof(why));
	ct_declassify(out, n);
	ok = rc == 0 && memcmp(out, key, n) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, sizeof(out));
	OPENSSL_cleanse(text, sizeof(text));
	return !ok;
}

int
main(void)
{
	if (one(SAKKE_POINT_LEN, 1) || one(32, 0)) {
		fprintf(stderr, "ct_kmsdoc: hex decoding failed\n");
		return 1;
	}
	return 0;
}
