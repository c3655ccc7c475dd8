/* SPDX-License-Identifier: ISC */
/*
 * Constant-time check for ECCSI, run under memcheck by tests/ct.sh: the
 * secrets (KSAK, PRF key, SSK, j, the scalar of the constant-time half of
 * the 5.1.2 check) are marked undefined, so any branch or
 * memory index that depends on them is reported. Exits non-zero if an
 * operation fails; memcheck's exit code reports leaks of secrets.
 */
#include <stdio.h>
#include <string.h>

#include "lib/ct.h"
#include "lib/eccsi.h"
#include "lib/p256.h"

static int
check(int rc, const char *what)
{
	if (rc != 0)
		fprintf(stderr, "ct_eccsi: %s failed: %d\n", what, rc);
	return rc != 0;
}

int
main(void)
{
	static const uint8_t id[] = "sip:alice@example.org";
	static const uint8_t msg[] = "a MIKEY-SAKKE I_MESSAGE";
	struct eccsi_kms *kms = NULL, *gen = NULL;
	struct eccsi_signer *signer = NULL;
	uint8_t ksak[ECCSI_SCALAR_LEN], prf[ECCSI_PRF_KEY_LEN], kpak[ECCSI_POINT_LEN];
	uint8_t ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN], j[ECCSI_SCALAR_LEN];
	uint8_t sig[ECCSI_SIG_LEN], w[ECCSI_SCALAR_LEN];
	struct p256_tab *tab;
	uint64_t mask;
	int fail = 0;
	size_t i;

	for (i = 0; i < sizeof(ksak); i++) {
		ksak[i] = (uint8_t)(0x31 * i + 7);
		prf[i] = (uint8_t)(0x17 * i + 1);
		j[i] = (uint8_t)(0x5b * i + 3);
	}
	ksak[0] = 0x7f;	/* below q */
	j[0] = 0x6e;

	ct_poison(ksak, sizeof(ksak));
	ct_poison(prf, sizeof(prf));
	fail |= check(eccsi_kms_load(&kms, ksak, prf), "kms load");
	if (fail)
		goto out;
	fail |= check(eccsi_kms_kpak(kms, kpak), "kpak");
	fail |= check(eccsi_ssk_derive(kms, id, sizeof(id) - 1, ssk, pvt), "ssk derive");
	fail |= check(eccsi_kms_generate(&gen), "kms generate");
	if (gen != NULL)
		fail |= check(eccsi_ssk_derive(gen, id, 3, ssk, pvt), "ssk derive (generated)");
	/* the derived SSK is secret on the client side too */
	fail |= check(eccsi_ssk_derive(kms, id, sizeof(id) - 1, ssk, pvt), "ssk derive");
	ct_poison(ssk, sizeof(ssk));
	fail |= check(eccsi_ssk_validate(kpak, id, sizeof(id) - 1, ssk, pvt), "validate");
	fail |= check(eccsi_signer_new(&signer, kpak, id, sizeof(id) - 1, ssk, pvt),
	    "signer");
	/* a wrong SSK is refused without a secret-dependent branch either */
	ssk[5] ^= 1;
	fail |= check(eccsi_ssk_validate(kpak, id, sizeof(id) - 1, ssk, pvt) == 0, "refusal");
	ssk[5] ^= 1;
	/* the check on its own: secret u, public w, KPAK's table */
	if ((tab = p256_tab_new(kpak)) == NULL)
		fail |= check(1, "table");
	else {
		ct_poison(j, sizeof(j));
		memset(w, 0xa5, sizeof(w));
		mask = p256_mul2_eq(j, tab, w, pvt);
		ct_declassify(&mask, sizeof(mask));
		fail |= check(mask != 0, "mul2_eq");
		p256_tab_free(tab);
	}
	if (fail)
		goto out;
	fail |= check(eccsi_sign(signer, msg, sizeof(msg), sig), "sign");
	ct_declassify(sig, sizeof(sig));
	fail |= check(eccsi_verify(kpak, id, sizeof(id) - 1, msg, sizeof(msg), sig), "verify");
	ct_poison(j, sizeof(j));
	fail |= check(eccsi_sign_j(signer, msg, sizeof(msg), j, sig), "sign_j");
	ct_declassify(sig, sizeof(sig));
	fail |= check(eccsi_verify(kpak, id, sizeof(id) - 1, msg, sizeof(msg), sig), "verify");
out:
	eccsi_signer_free(signer);
	eccsi_kms_free(gen);
	eccsi_kms_free(kms);
	return fail;
}
