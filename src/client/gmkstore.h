/* SPDX-License-Identifier: ISC */
/*
 * The GMKs a VAL client has accepted: one 0600 file per GMK under the
 * identity's directory (gmk/<GMK-ID in hex>), written atomically, holding
 * the GMK, GMK-ID, GUK-ID, the MIKEY RAND, the key parameters and the VAL
 * groups it serves. Deletion overwrites, fsyncs and unlinks. This module
 * stores what accept.c has checked; it performs no check of its own
 * beyond the file format, and never prints or logs a GMK.
 */
#ifndef SKM_CLIENT_GMKSTORE_H
#define SKM_CLIENT_GMKSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "client/gmkfile.h"

#define GMKSTORE_GMK_LEN	16
#define GMKSTORE_RAND_MAX	255
#define GMKSTORE_TEXT_MAX	255
#define GMKSTORE_GROUPS_MAX	16

/* One stored GMK; lives in the secure heap (gmkstore_rec_new/free). */
struct gmkstore_rec {
	uint8_t gmk[GMKSTORE_GMK_LEN];		/* SECRET */
	uint32_t gmk_id;
	uint32_t guk_id;
	uint8_t rand[GMKSTORE_RAND_MAX];
	size_t randlen;
	unsigned key_type;			/* purpose tag, 0 for a GMK */
	uint32_t status;			/* key parameters status bits */
	int64_t timestamp;			/* the T payload, Unix seconds */
	uint32_t timestamp_frac;		/* and its NTP fraction of a second */
	int64_t activation;			/* Unix seconds (T when the parameters say 0) */
	int64_t expiry;				/* Unix seconds, 0 for none */
	char gms[GMKFILE_NAME_MAX + 1];		/* the initiator (GMS URI) */
	char text[GMKSTORE_TEXT_MAX + 1];	/* key parameters text, UTF-8 */
	char groups[GMKSTORE_GROUPS_MAX][GMKFILE_NAME_MAX + 1];
	size_t ngroups;
};

struct gmkstore_rec *gmkstore_rec_new(void);
void gmkstore_rec_free(struct gmkstore_rec *r);

/* 1 iff r serves group. */
int gmkstore_rec_has_group(const struct gmkstore_rec *r, const char *group);

/*
 * Writes r as dir/gmk/<gmk-id>, replacing a file for the same GMK-ID only
 * when replace (else SKM_EEXIST).
 */
int gmkstore_put(const char *dir, const struct gmkstore_rec *r, int replace);

/* Reads the GMK with gmk_id; SKM_ENOTFOUND when there is none. */
int gmkstore_get(const char *dir, uint32_t gmk_id, struct gmkstore_rec **r);

/*
 * Every stored GMK in GMK-ID order: *recs is a malloc'ed array (free it
 * with gmkstore_list_free). A file that does not parse is SKM_EPARSE.
 */
int gmkstore_list(const char *dir, struct gmkstore_rec ***recs, size_t *n);
void gmkstore_list_free(struct gmkstore_rec **recs, size_t n);

/* Overwrites, fsyncs and unlinks the file of gmk_id. */
int gmkstore_erase(const char *dir, uint32_t gmk_id);

/*
 * Group removal: drops group from every stored GMK. A GMK left serving no
 * group for which still_member(arg, group) returns 1 is erased; one that
 * still serves such a group is kept (rewritten without group). *erased and
 * *kept (may be NULL) receive the counts.
 */
int gmkstore_drop_group(const char *dir, const char *group,
    int (*still_member)(void *arg, const char *group), void *arg, size_t *erased,
    size_t *kept);

/*
 * The active GMK of group at now among recs: of those serving group whose
 * activation time has passed (and that have not expired), the one with the
 * latest activation; ties go to the later timestamp, to its fraction of a
 * second. -1 when none.
 */
long gmkstore_active(struct gmkstore_rec *const *recs, size_t n, const char *group,
    int64_t now);

#endif
