/* SPDX-License-Identifier: ISC */
/* The public SAKKE functions: lib/sakke.c behind opaque handles. */
#include <stdlib.h>

#include <skm/sakke.h>

#include "common/err.h"
#include "lib/sakke.h"

/* The public sizes are the library's, by construction. */
_Static_assert(SKM_SAKKE_POINT_LEN == SAKKE_POINT_LEN, "SAKKE point length");
_Static_assert(SKM_SAKKE_SSV_LEN == SAKKE_SSV_LEN, "SAKKE SSV length");
_Static_assert(SKM_SAKKE_SED_LEN == SAKKE_SED_LEN, "SAKKE SED length");
_Static_assert(SKM_SAKKE_ID_MAX == SAKKE_ID_MAX, "SAKKE identifier length");

struct skm_sakke_pub {
	struct sakke_pub *p;
};

struct skm_sakke_user {
	struct sakke_user *u;		/* SECRET */
};

static int
id_ok(const uint8_t *id, size_t idlen)
{
	return id != NULL && idlen > 0 && idlen <= SAKKE_ID_MAX;
}

int
skm_sakke_pub_new(struct skm_sakke_pub **pub, const uint8_t z[SKM_SAKKE_POINT_LEN])
{
	struct skm_sakke_pub *h;
	int err;

	if (pub == NULL)
		return SKM_EINVAL;
	*pub = NULL;
	if (z == NULL)
		return SKM_EINVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((err = sakke_pub_new(&h->p, z)) != 0) {
		free(h);
		return err;
	}
	*pub = h;
	return 0;
}

void
skm_sakke_pub_free(struct skm_sakke_pub *pub)
{
	if (pub == NULL)
		return;
	sakke_pub_free(pub->p);
	free(pub);
}

int
skm_sakke_rsk_validate(const struct skm_sakke_pub *pub, const uint8_t *id, size_t idlen,
    const uint8_t rsk[SKM_SAKKE_POINT_LEN])
{
	if (pub == NULL || rsk == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	return sakke_rsk_validate(pub->p, id, idlen, rsk);
}

int
skm_sakke_encapsulate(const struct skm_sakke_pub *pub, const uint8_t *id, size_t idlen,
    const uint8_t ssv[SKM_SAKKE_SSV_LEN], uint8_t sed[SKM_SAKKE_SED_LEN])
{
	if (pub == NULL || ssv == NULL || sed == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	return sakke_encapsulate(pub->p, id, idlen, ssv, sed);
}

int
skm_sakke_user_new(struct skm_sakke_user **user, const struct skm_sakke_pub *pub,
    const uint8_t *id, size_t idlen, const uint8_t rsk[SKM_SAKKE_POINT_LEN])
{
	struct skm_sakke_user *h;
	int err;

	if (user == NULL)
		return SKM_EINVAL;
	*user = NULL;
	if (pub == NULL || rsk == NULL || !id_ok(id, idlen))
		return SKM_EINVAL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((err = sakke_user_new(&h->u, pub->p, id, idlen, rsk)) != 0) {
		free(h);
		return err;
	}
	*user = h;
	return 0;
}

void
skm_sakke_user_free(struct skm_sakke_user *user)
{
	if (user == NULL)
		return;
	sakke_user_free(user->u);
	free(user);
}

int
skm_sakke_decapsulate(const struct skm_sakke_user *user, const uint8_t sed[SKM_SAKKE_SED_LEN],
    uint8_t ssv[SKM_SAKKE_SSV_LEN])
{
	if (user == NULL || sed == NULL || ssv == NULL)
		return SKM_EINVAL;
	return sakke_decapsulate(user->u, sed, ssv);
}
