/* SPDX-License-Identifier: ISC */
/*
 * Generations of the domain's master secrets and Root KmsCertificate. A
 * rollover adds a generation: new secrets (sealed in store/secrets.h under
 * the same generation number) and a new certificate that take effect at a
 * key-period boundary. Public data only.
 *
 * A store made before rollovers holds one generation, implicitly: the
 * certificate fields of the domain record and the secrets record of
 * generation 0. The first rollover writes that generation out as a record
 * of its own next to the new one, and from then on the generation records
 * alone say which certificates exist; the domain record keeps the fields
 * every generation shares (KmsUri, key period, offset, KEK reference). So
 * an existing store opens unchanged, with no migration.
 *
 * Key: STORE_C_GENERATION || u32 generation. Value v1: version,
 * effective-from, created, ValidFrom, ValidTo (int64 each), Revoked (u8),
 * CertUri (u16-length text), Z, KPAK.
 */
#ifndef SKM_STORE_GENERATION_H
#define SKM_STORE_GENERATION_H

#include <stddef.h>
#include <stdint.h>

#include "store/domain.h"

struct store_txn;

/* At most this many generations are kept; purge retired ones to roll over again. */
#define GENERATION_MAX		8

struct generation_rec {
	uint32_t id;			/* 0: the domain's first */
	int64_t effective;		/* start of its first key period; GENERATION_FIRST for 0 */
	int64_t created;		/* Unix seconds; 0 for an implicit generation 0 */
	char cert_uri[DOMAIN_URI_MAX + 1];
	int64_t valid_from;		/* the certificate's ValidFrom, ValidTo */
	int64_t valid_to;
	int revoked;
	uint8_t z[DOMAIN_Z_LEN];
	uint8_t kpak[DOMAIN_KPAK_LEN];
};

/*
 * Every generation, ascending by id (which is ascending by effective-from),
 * into out (cap entries); *n gets the count. With no generation record the
 * one implicit generation 0 comes from the domain record. More than cap is
 * SKM_ELEN; no domain is SKM_ENOTFOUND.
 */
int store_generation_list(struct store_txn *t, struct generation_rec *out,
    size_t cap, size_t *n);

/*
 * Adds generation g (its id must be above every existing one and its
 * effective-from after theirs: SKM_EINVAL), writing out the implicit
 * generation 0 first if needed, and bumps the serial. The caller seals
 * its secrets with store_secrets_put_gen() in the same transaction.
 */
int store_generation_add(struct store_txn *t, const struct generation_rec *g);

/*
 * Marks generation id revoked (its certificate is served with Revoked
 * true from then on), with effective as its effective-from time (its own,
 * or an earlier one that keeps the list ascending so that it gives up its
 * periods: SKM_EINVAL otherwise), and bumps the serial. The only change a
 * published generation ever sees. SKM_ENOTFOUND for no such generation.
 */
int store_generation_revoke(struct store_txn *t, uint32_t id, int64_t effective);

/* Deletes generation id and its sealed secrets, and bumps the serial. */
int store_generation_del(struct store_txn *t, uint32_t id);

/*
 * A counter bumped by every change of the generations, 0 before the
 * first: a running server compares it to notice a rollover made by
 * another process.
 */
int store_generation_serial(struct store_txn *t, uint64_t *serial);

#endif
