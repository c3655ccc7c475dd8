/* SPDX-License-Identifier: ISC */
/*
 * The GMS side of GMK distribution: one GMK I_MESSAGE per member, each
 * wrapped in a 'Notify group configuration request' document written to
 * an output directory. The per-member work (UID, SAKKE encapsulation,
 * ECCSI signature, document) runs on a small pool of POSIX threads sharing
 * the read-only signer and KMS public key; nothing is re-parsed or
 * re-validated per member. It decides nothing about who is a member.
 */
#ifndef SKM_CLIENT_GMKSEND_H
#define SKM_CLIENT_GMKSEND_H

#include <stddef.h>
#include <stdint.h>

#include "client/gmkfile.h"
#include "lib/eccsi.h"
#include "lib/mikey_kp.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define GMKSEND_THREADS_MAX	16

struct gmksend {
	const struct eccsi_signer *signer;	/* the GMS key set for the period of ts */
	const struct sakke_pub *z;		/* the domain's KMS public key */
	const char *gms_uri;
	uint8_t gms_uid[UID_LEN];
	const char *kms_uri;
	uint64_t key_period;			/* of the Root certificate */
	uint64_t key_offset;
	uint64_t period_no;			/* the period of ts */
	uint64_t ts;				/* NTP-UTC, seconds << 32 | fraction */
	const uint8_t *gmk;			/* SECRET, 16 octets */
	uint32_t gmk_id;
	const struct mikey_kp *kp;		/* NULL: no key parameters */
	int hide;				/* identity hiding */
	const char *group;			/* VAL group ID of the documents */
	const char *outdir;			/* NULL: I_MESSAGEs kept in results */
	unsigned threads;			/* 0: one per online core */
};

/* What happened for one member. */
struct gmksend_result {
	char file[GMKFILE_NAME_MAX + 16];	/* the document's name in outdir */
	int err;				/* 0 or SKM_E* */
	uint8_t *imsg;				/* outdir NULL: the I_MESSAGE */
	size_t imsg_len;			/* (OPENSSL_free() it) */
};

/*
 * Makes and writes the documents for uris[0..n-1]; res[i] receives the
 * outcome for uris[i]. Returns 0 when every member succeeded, else the
 * first error (the other documents are still written). File names are
 * the URIs with characters other than [A-Za-z0-9.@+-] replaced by '_'
 * and ".xml" appended; clashing names get "-<index>" before ".xml".
 */
int gmksend_run(const struct gmksend *s, const char *const *uris, size_t n,
    struct gmksend_result *res);

/* A fresh GMK-ID: purpose tag 0 (GMK) and 28 random bits (TS 33.180 5.2.3). */
int gmksend_new_id(uint32_t *gmk_id);

#endif
