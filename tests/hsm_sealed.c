/* SPDX-License-Identifier: ISC */
/*
 * Test helper for tests/skmsctl_hsm.sh: the sealed master secrets of a
 * store's first generation as the store holds them, without any key.
 *   hsm_sealed STORE        prints the sealing mechanism recorded by a
 *                           token key (gcm, kwp or pad) and the length
 *   hsm_sealed STORE flip   flips one bit of the sealed body in place
 *   hsm_sealed STORE kwp    records the mechanism as CKM_AES_KEY_WRAP_KWP
 *                           in place of CKM_AES_KEY_WRAP_PAD (both RFC 5649)
 * Exit 0 when done, 1 when the store or the record cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int
main(int argc, char **argv)
{
	static const char *const mechs[] = { "?", "gcm", "kwp", "pad" };
	const uint8_t key[] = { STORE_C_SECRETS };
	struct store *st = NULL;
	struct store_txn t;
	const uint8_t *val;
	uint8_t *copy = NULL;
	size_t vlen;
	int change, rc = 1;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "flip") != 0 &&
	    strcmp(argv[2], "kwp") != 0)) {
		fprintf(stderr, "usage: hsm_sealed STORE [flip | kwp]\n");
		return 2;
	}
	change = argc == 3;
	if (store_open(argv[1], 0, &st) != 0 || store_txn_begin(st, change, &t) != 0) {
		fprintf(stderr, "hsm_sealed: %s: cannot open the store\n", argv[1]);
		store_close(st);
		return 1;
	}
	/* version (1) || mechanism (1) || body */
	if (store_txn_get(&t, key, sizeof(key), &val, &vlen) != 0 || vlen < 3) {
		fprintf(stderr, "hsm_sealed: %s: no sealed master secrets\n", argv[1]);
		goto out;
	}
	if (!change) {
		printf("%s %zu\n", val[1] < 4 ? mechs[val[1]] : "?", vlen);
		rc = 0;
		goto out;
	}
	if ((copy = malloc(vlen)) == NULL)
		goto out;
	memcpy(copy, val, vlen);
	if (strcmp(argv[2], "flip") == 0)
		copy[vlen / 2] ^= 0x10;
	else if (copy[1] == 3)
		copy[1] = 2;
	else {
		fprintf(stderr, "hsm_sealed: %s: not sealed through "
		    "CKM_AES_KEY_WRAP_PAD\n", argv[1]);
		goto out;
	}
	if (store_txn_put(&t, key, sizeof(key), copy, vlen, 0) != 0)
		goto out;
	free(copy);
	rc = store_txn_commit(&t) == 0 ? 0 : 1;
	store_close(st);
	return rc;
out:
	free(copy);
	store_txn_abort(&t);
	store_close(st);
	return rc;
}
