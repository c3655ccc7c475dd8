/* SPDX-License-Identifier: ISC */
/*
 * Constant-time check of SAKKE, run under valgrind memcheck by tests/ct.sh:
 * the master secret, the RSK and the SSV are marked undefined, so any branch
 * or memory index that depends on them is reported. Outputs are declassified
 * here only to check them. Keep it to a handful of operations: memcheck is
 * slow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ct.h"
#include "lib/sakke.h"

#define NB	3

static int
fail(const char *what, int err)
{
	fprintf(stderr, "ct_sakke: %s: %d\n", what, err);
	exit(1);
}

int
main(void)
{
	/* RFC 6508 Appendix A: z and b. */
	uint8_t z[20] = {
		0xaf, 0xf4, 0x29, 0xd3, 0x5f, 0x84, 0xb1, 0x10, 0xd0, 0x94,
		0x80, 0x3b, 0x35, 0x95, 0xa6, 0xe2, 0x99, 0x8b, 0xc9, 0x9f,
	};
	const uint8_t b[] = "2011-02\0tel:+447700900123";
	uint8_t ids[NB][32], rsks[NB][SAKKE_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t ssv[SAKKE_SSV_LEN], back[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN];
	uint8_t ssvs[NB][SAKKE_SSV_LEN], seds[NB][SAKKE_SED_LEN];
	const uint8_t *idp[NB];
	size_t idl[NB];
	struct sakke_kms *kms, *kms2;
	struct sakke_user *user;
	const struct sakke_pub *pub;
	int st[NB], err, i;

	ct_poison(z, sizeof(z));
	if ((err = sakke_kms_load(&kms, z, sizeof(z))) != 0)
		fail("kms load", err);
	pub = sakke_kms_pub(kms);
	if ((err = sakke_rsk_derive(kms, b, sizeof(b), rsk)) != 0)
		fail("derive", err);
	for (i = 0; i < NB; i++) {
		memset(ids[i], 'a' + i, sizeof(ids[i]));
		idp[i] = ids[i];
		idl[i] = sizeof(ids[i]);
	}
	if ((err = sakke_rsk_derive_batch(kms, NB, idp, idl, rsks, st)) != 0)
		fail("derive batch", err);
	for (i = 0; i < NB; i++)
		if (st[i] != 0)
			fail("derive batch entry", st[i]);
	if ((err = sakke_kms_generate(&kms2)) != 0)
		fail("kms generate", err);
	sakke_kms_free(kms2);

	ct_poison(rsk, sizeof(rsk));
	if ((err = sakke_rsk_validate(pub, b, sizeof(b), rsk)) != 0)
		fail("validate", err);

	memset(ssv, 0x5a, sizeof(ssv));
	ct_poison(ssv, sizeof(ssv));
	if ((err = sakke_encapsulate(pub, b, sizeof(b), ssv, sed)) != 0)
		fail("encapsulate", err);
	/* R is public by design; H is what goes on the wire. */
	ct_declassify(sed, sizeof(sed));

	/* The batch, with the RFC identifier as one of its entries. */
	memset(ssvs, 0x3c, sizeof(ssvs));
	ct_poison(ssvs, sizeof(ssvs));
	idp[1] = b;
	idl[1] = sizeof(b);
	if ((err = sakke_encapsulate_batch(pub, NB, idp, idl,
	    (const uint8_t (*)[SAKKE_SSV_LEN])ssvs, seds, st)) != 0)
		fail("encapsulate batch", err);
	ct_declassify(seds, sizeof(seds));
	for (i = 0; i < NB; i++)
		if (st[i] != 0)
			fail("encapsulate batch entry", st[i]);

	if ((err = sakke_user_new(&user, pub, b, sizeof(b), rsk)) != 0)
		fail("user", err);
	if ((err = sakke_decapsulate(user, seds[1], back)) != 0)
		fail("decapsulate batch entry", err);
	ct_declassify(back, sizeof(back));
	ct_declassify(ssvs, sizeof(ssvs));
	if (memcmp(back, ssvs[1], sizeof(back)) != 0)
		fail("decapsulated batch ssv differs", -1);
	if ((err = sakke_decapsulate(user, sed, back)) != 0)
		fail("decapsulate", err);
	ct_declassify(back, sizeof(back));
	ct_declassify(ssv, sizeof(ssv));
	if (memcmp(back, ssv, sizeof(ssv)) != 0)
		fail("decapsulated ssv differs", -1);
	sakke_user_free(user);
	sakke_kms_free(kms);
	return 0;
}
