/* SPDX-License-Identifier: ISC */
/*
 * The domain record: the KMS's public identity and parameters (TS 33.180
 * D.3 KmsCertificate fields), its public keys Z and KPAK, and which
 * key-encryption key seals its master secrets. Public data only.
 */
#ifndef SKM_STORE_DOMAIN_H
#define SKM_STORE_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/kek.h"

struct store_txn;

#define DOMAIN_URI_MAX		1024
#define DOMAIN_TEXT_MAX		1024
#define DOMAIN_LIST_MAX		16
#define DOMAIN_Z_LEN		257	/* SAKKE Z_T: 04 || x || y over the 1024-bit field */
#define DOMAIN_KPAK_LEN		65	/* ECCSI KPAK: 04 || x || y over P-256 */

struct domain_rec {
	char kms_uri[DOMAIN_URI_MAX + 1];
	uint64_t user_key_period;	/* seconds */
	uint64_t user_key_offset;	/* seconds */
	uint8_t user_id_format;		/* 2 */
	uint8_t parameter_set;		/* 1 */
	char cert_uri[DOMAIN_URI_MAX + 1];
	char issuer[DOMAIN_TEXT_MAX + 1];
	int64_t valid_from;		/* Unix seconds */
	int64_t valid_to;
	int revoked;
	size_t n_domains;
	char kms_domain_list[DOMAIN_LIST_MAX][DOMAIN_URI_MAX + 1];
	uint8_t z[DOMAIN_Z_LEN];
	uint8_t kpak[DOMAIN_KPAK_LEN];
	struct kek_ref kek;
};

/*
 * Stores d. An existing domain is SKM_EEXIST unless replace is set (a
 * rekey or an edit by the admin tool).
 */
int store_domain_put(struct store_txn *t, const struct domain_rec *d, int replace);

/* Copies the domain into d; SKM_ENOTFOUND before one is created. */
int store_domain_get(struct store_txn *t, struct domain_rec *d);

#endif
