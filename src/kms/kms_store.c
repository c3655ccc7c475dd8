/* SPDX-License-Identifier: ISC */
/*
 * The store a config names: store.backend, store.path (or an override),
 * store.map-size, store.postgresql.* and node.name mapped to the store's
 * own terms, so that skmsctl and skmsd open the same store the same way.
 * Reads the loaded config; opens nothing but the store.
 */
#include "kms/kms.h"
#include "conf/conf.h"
#include "store/store.h"

void
kms_store_config(const struct conf *cf, const char *path, struct store_config *sc)
{
	sc->backend = cf->store.backend == CONF_STORE_POSTGRESQL ?
	    STORE_BACKEND_POSTGRESQL : STORE_BACKEND_LMDB;
	sc->path = path != NULL ? path : cf->store.path;
	sc->mapsize = (size_t)cf->store.map_size;
	sc->conninfo = cf->store.postgresql.conninfo;
	sc->password_file = cf->store.postgresql.password_file;
	sc->node = cf->node.name;
}

int
kms_store_open(const struct conf *cf, const char *path, unsigned flags,
    struct store **out, char *why, size_t whylen)
{
	struct store_config sc;

	kms_store_config(cf, path, &sc);
	return store_open_config(&sc, flags, out, why, whylen);
}
