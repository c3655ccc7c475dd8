/* SPDX-License-Identifier: ISC */
/* The public ECCSI functions: lib/eccsi.c behind an opaque signer. */
#include <stdlib.h>

#include <skm/eccsi.h>

#include "common/err.h"
#include "lib/eccsi.h"

_Static_assert(SKM_ECCSI_SCALAR_LEN == ECCSI_SCALAR_LEN, "ECCSI scalar length");
_Static_assert(SKM_ECCSI_POINT_LEN == ECCSI_POINT_LEN, "ECCSI point length");
_Static_assert(SKM_ECCSI_SIG_LEN == ECCSI_SIG_LEN, "ECCSI signature length");
_Static_assert(SKM_ECCSI_ID_MAX == ECCSI_ID_MAX, "ECCSI identifier length");

struct skm_eccsi_signer {
	struct eccsi_signer *s;		/* SECRET */
};

static int
id_ok(const uint8_t *id, size_t idlen)
{
	return id != NULL && idlen > 0 && idlen <= ECCSI_ID_MAX;
}

int
skm_eccsi_ssk_validate(const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t *id,
    size_t idlen, const uint8_t ssk[SKM_ECCSI_SCALAR_LEN],
    const uint8_t pvt[SKM_ECCSI_POINT_LEN])
{
	if (kpak == NULL || ssk == NULL || pvt == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	return eccsi_ssk_validate(kpak, id, idlen, ssk, pvt);
}

int
skm_eccsi_signer_new(struct skm_eccsi_signer **signer, const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t *id, size_t idlen, const uint8_t ssk[SKM_ECCSI_SCALAR_LEN],
    const uint8_t pvt[SKM_ECCSI_POINT_LEN])
{
	struct skm_eccsi_signer *h;
	int err;

	if (signer == NULL)
		return SKM_EINVAL;
	*signer = NULL;
	if (kpak == NULL || ssk == NULL || pvt == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((err = eccsi_signer_new(&h->s, kpak, id, idlen, ssk, pvt)) != 0) {
		free(h);
		return err;
	}
	*signer = h;
	return 0;
}

void
skm_eccsi_signer_free(struct skm_eccsi_signer *signer)
{
	if (signer == NULL)
		return;
	eccsi_signer_free(signer->s);
	free(signer);
}

int
skm_eccsi_sign(const struct skm_eccsi_signer *signer, const uint8_t *msg, size_t len,
    uint8_t sig[SKM_ECCSI_SIG_LEN])
{
	if (signer == NULL || (msg == NULL && len > 0) || sig == NULL)
		return SKM_EINVAL;
	return eccsi_sign(signer->s, msg, len, sig);
}

int
skm_eccsi_verify(const uint8_t kpak[SKM_ECCSI_POINT_LEN], const uint8_t *id, size_t idlen,
    const uint8_t *msg, size_t len, const uint8_t sig[SKM_ECCSI_SIG_LEN])
{
	if (kpak == NULL || (msg == NULL && len > 0) || sig == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	return eccsi_verify(kpak, id, idlen, msg, len, sig);
}
