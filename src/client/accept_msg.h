/* SPDX-License-Identifier: ISC */
/*
 * The receiver checks of a GMK I_MESSAGE that need no storage: check 1
 * without the replay cache, and checks 2 to 5 of accept.h (receiver,
 * signature, key, parameters). accept_run() adds the replay cache, the
 * user profile, the GMK store and check 6 and 7 around them; the public
 * skm_gmk_accept() uses them as they are. Key material comes in through
 * struct accept_keys; nothing here reads or writes a file or logs.
 */
#ifndef SKM_CLIENT_ACCEPT_MSG_H
#define SKM_CLIENT_ACCEPT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "client/accept.h"
#include "lib/mikey.h"
#include "lib/mikey_kp.h"

/* What the checks found; release with accept_msg_clear(). */
struct accept_msg {
	struct mikey_imsg m;		/* points into the message passed to parse */
	uint64_t ntp;			/* T, NTP seconds (era nearest now) */
	int64_t t_unix;			/* T, Unix seconds */
	uint64_t period_no;		/* the key period of T */
	char iuri[GMKFILE_NAME_MAX + 1];	/* the initiator's URI */
	uint8_t *gmk;			/* SECRET: MIKEY_GMK_LEN octets, secure heap */
	uint32_t gmk_id;
	uint32_t guk_id;
	struct mikey_kp kp;		/* the key parameters, or status valid when none */
	int has_kp;			/* the message had the key-parameters extension */
};

/*
 * Check 1 without the replay cache: parses the binary I_MESSAGE imsg
 * (which must outlive *a) and requires its T within window seconds of
 * now. *a is zeroed first. On failure r->check and r->why are set.
 */
int accept_msg_parse(struct accept_msg *a, const uint8_t *imsg, size_t len, int64_t now,
    int64_t window, struct accept_result *r);

/*
 * Checks 2 to 5 on a parsed message. A hidden initiator (IDRuidi) is
 * looked for among gms[0..ngms-1] in that order (NULL entries skipped).
 * On success a->iuri, gmk, gmk_id, guk_id and kp are set; on failure
 * r->check and r->why are set and a->gmk holds nothing.
 */
int accept_msg_verify(struct accept_msg *a, const struct accept_keys *k,
    const char *const *gms, size_t ngms, struct accept_result *r);

/* Cleanses the GMK and frees what the checks allocated; *a may be reused. */
void accept_msg_clear(struct accept_msg *a);

/*
 * Sets r->check = c and r->why = "check N NAME: " followed by the
 * formatted reason; returns err.
 */
int accept_fail(struct accept_result *r, enum accept_check c, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
