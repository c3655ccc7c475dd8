/* SPDX-License-Identifier: ISC */
/*
 * The VAL client's checks on a received GMK (TS 33.180 5.2.6 / E.1, TS
 * 33.434 group key management), run in this order, each failing with a
 * reason that names it:
 *   1 message    parse; the T payload within the window of now; not a replay
 *   2 receiver   IDRr / IDRuidr is this identity for the period of T, and
 *                the key material for that period is present
 *   3 signature  ECCSI signature of the initiator (IDRi, or for a hidden
 *                initiator a GMS URI of the user profile whose UID it is)
 *   4 key        SAKKE decapsulation (TEST = R), GMK-ID from the GUK-ID, and
 *                the GMK-ID not already stored for another GMK
 *   5 parameters the key parameters decrypt under the GMK (GCM tag)
 *   6 group      every VAL group ID is in the user profile and its GMS
 *                server URI is the initiator
 *   7 store      the GMK and the replay entry are written
 * Nothing is stored unless all of 1-6 passed. The key material comes in
 * through struct accept_keys, so this module does not depend on where it
 * is kept; the GMK never leaves it except in the stored record.
 */
#ifndef SKM_CLIENT_ACCEPT_H
#define SKM_CLIENT_ACCEPT_H

#include <stddef.h>
#include <stdint.h>

#include "client/gmkfile.h"
#include "client/gmkstore.h"
#include "lib/eccsi.h"
#include "lib/sakke.h"

#define ACCEPT_WHY_MAX		512
#define ACCEPT_WINDOW_DEFAULT	300	/* seconds either side of now */

enum accept_check {
	ACCEPT_OK = 0,
	ACCEPT_MESSAGE = 1,
	ACCEPT_RECEIVER,
	ACCEPT_SIGNATURE,
	ACCEPT_KEY,
	ACCEPT_PARAMETERS,
	ACCEPT_GROUP,
	ACCEPT_STORE,
};

/* The receiving identity and its domain, as the keystore knows them. */
struct accept_keys {
	const char *my_uri;
	const char *kms_uri;
	uint64_t key_period;			/* Root certificate UserKeyPeriod */
	uint64_t key_offset;			/* and UserKeyOffset */
	const uint8_t *kpak;			/* ECCSI_POINT_LEN octets */
	const struct sakke_pub *z;
	/*
	 * Writes the validated RSK of my_uri for period_no (SECRET; accept
	 * cleanses it), or returns an SKM_E* with a reason.
	 */
	int (*rsk)(void *arg, uint64_t period_no, uint8_t rsk[SAKKE_POINT_LEN], char *why,
	    size_t whylen);
	/*
	 * Optional (NULL: kpak and z above for every period): the KPAK and Z
	 * of the certificate of period_no, called after rsk for that period.
	 * Across a master-secret rollover each period has its own; the
	 * KmsUri, key period and offset stay. Owned by the callee.
	 */
	int (*cert)(void *arg, uint64_t period_no, const uint8_t **kpak,
	    const struct sakke_pub **z, char *why, size_t whylen);
	void *arg;
	/*
	 * The domain's certificates its KMS revoked (ks_revoked.h): the CertUri
	 * and KPAK of each. kpak itself must not be one of them; a message
	 * whose signature verifies only under one of them is refused, naming
	 * it. May be 0.
	 */
	const char *const *revoked_uri;
	const uint8_t *const *revoked_kpak;
	size_t nrevoked;
};

struct accept_opts {
	int64_t now;			/* Unix seconds */
	int64_t window;			/* |T - now| allowed, seconds */
	const char *group;		/* VAL group ID for a message without one; may be NULL */
	/*
	 * A GMS service delivers at least once (skmc listen): a message
	 * already accepted (a replay, or outside the window) whose GMK is
	 * stored under the same GMK-ID with the same key passes as a
	 * redelivery, storing nothing. 0 for a file: the replay is refused.
	 */
	int redelivery;
};

struct accept_result {
	enum accept_check check;	/* ACCEPT_OK, or the check that failed */
	char why[ACCEPT_WHY_MAX];	/* "check N NAME: reason" on failure */
	char group[GMKFILE_NAME_MAX + 1];	/* the VAL group ID to answer for */
	struct gmkstore_rec *rec;	/* on success: what was stored (caller frees) */
	int redelivered;		/* success for a GMK stored before (opts.redelivery) */
};

/* The name of a check ("message", "receiver", ...). */
const char *accept_check_name(enum accept_check c);

/*
 * Runs the checks on input (a notification document, base64 or binary
 * I_MESSAGE) for the identity whose files are in dir. Returns 0 with
 * r->check == ACCEPT_OK when the GMK was stored; otherwise SKM_E* with
 * r->check and r->why set, and nothing written.
 */
int accept_run(const char *dir, const struct accept_keys *k, const struct accept_opts *o,
    const uint8_t *input, size_t len, struct accept_result *r);

#endif
