/* SPDX-License-Identifier: ISC */
/*
 * The receiver checks of a GMK I_MESSAGE with the client's files around
 * them: the replay cache (check 1), the user profile (the GMS of a hidden
 * initiator, check 6) and the GMK store (check 7). The checks that need
 * no storage are accept_msg's. Nothing is written before every check
 * passed; the GMK lives only in secure-heap records, cleansed on every
 * path.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/accept.h"
#include "client/accept_msg.h"
#include "client/notify.h"
#include "client/profile.h"
#include "client/replay.h"
#include "common/err.h"

/* Check 6 for one group ID. */
static int
group_ok(const struct profile *prof, const char *g, const char *iuri,
    struct accept_result *r)
{
	const char *gms;

	if (!gmkfile_name_ok(g))
		return accept_fail(r, ACCEPT_GROUP, SKM_EINVAL, "VAL group ID '%.64s' is not valid", g);
	if ((gms = profile_gms(prof, g)) == NULL)
		return accept_fail(r, ACCEPT_GROUP, SKM_ENOTFOUND,
		    "VAL group '%s' is not in the user profile", g);
	if (strcmp(gms, iuri) != 0)
		return accept_fail(r, ACCEPT_GROUP, SKM_EAUTH,
		    "the GMS of VAL group '%s' is %s, not the initiator %s", g, gms, iuri);
	return 0;
}

/* Adds the groups of an earlier delivery of the same GMK. */
static void
merge_groups(struct gmkstore_rec *rec, const struct gmkstore_rec *old)
{
	size_t i;

	for (i = 0; i < old->ngroups && rec->ngroups < GMKSTORE_GROUPS_MAX; i++)
		if (!gmkstore_rec_has_group(rec, old->groups[i]))
			strcpy(rec->groups[rec->ngroups++], old->groups[i]);
}

/*
 * The GMS URIs a hidden initiator may be: the hint group's GMS first, then
 * every GMS of the profile. *gms from malloc, the strings owned by prof.
 */
static int
gms_candidates(const struct profile *prof, const char *hint, const char ***gms, size_t *n)
{
	size_t i;

	if ((*gms = calloc(prof->n + 1, sizeof(**gms))) == NULL)
		return SKM_ENOMEM;
	(*gms)[0] = hint != NULL ? profile_gms(prof, hint) : NULL;
	for (i = 0; i < prof->n; i++)
		(*gms)[i + 1] = prof->groups[i].gms;
	*n = prof->n + 1;
	return 0;
}

int
accept_run(const char *dir, const struct accept_keys *k, const struct accept_opts *o,
    const uint8_t *input, size_t len, struct accept_result *r)
{
	struct notify_req req = { 0 };
	struct accept_msg a = { 0 };
	struct profile *prof = NULL;
	struct gmkstore_rec *rec = NULL, *old = NULL;
	const char **gms = NULL;
	uint8_t digest[REPLAY_DIGEST_LEN];
	char why[256] = "", stale_why[ACCEPT_WHY_MAX] = "";
	const char *hint;
	size_t i, ngms = 0;
	int err, replace = 0, stale = 0;

	memset(r, 0, sizeof(*r));
	if ((err = profile_load(&prof, dir)) != 0) {
		accept_fail(r, ACCEPT_GROUP, err, "user profile: %s", skm_strerror(err));
		goto out;
	}

	/* Check 1: parse, timestamp window, replay (RFC 3830 5.4). */
	if ((err = notify_input(input, len, &req, why, sizeof(why))) != 0) {
		accept_fail(r, ACCEPT_MESSAGE, err, "%s", why);
		goto out;
	}
	hint = o->group != NULL ? o->group : req.group;
	if (hint != NULL && gmkfile_name_ok(hint))
		snprintf(r->group, sizeof(r->group), "%s", hint);
	if ((err = accept_msg_parse(&a, req.imsg, req.imsglen, o->now, o->window, r)) != 0) {
		/* Only a whole message outside the window may be a redelivery. */
		if (!o->redelivery || err != SKM_ERANGE || a.ntp == 0)
			goto out;
		stale = err;
		snprintf(stale_why, sizeof(stale_why), "%s", r->why);
	}
	if ((err = replay_digest(req.imsg, req.imsglen, digest)) != 0 ||
	    (stale == 0 && (err = replay_check(dir, digest)) != 0)) {
		accept_fail(r, ACCEPT_MESSAGE, err, err == SKM_EEXIST ?
		    "replay of a message already accepted" : "replay cache: %s",
		    skm_strerror(err));
		if (!o->redelivery || err != SKM_EEXIST)
			goto out;
		stale = err;
		snprintf(stale_why, sizeof(stale_why), "%s", r->why);
	}

	/* Checks 2 to 5: receiver, signature, key, parameters. */
	if ((err = gms_candidates(prof, hint, &gms, &ngms)) != 0) {
		accept_fail(r, ACCEPT_SIGNATURE, err, "out of memory");
		goto out;
	}
	if ((err = accept_msg_verify(&a, k, gms, ngms, r)) != 0)
		goto out;
	err = gmkstore_get(dir, a.gmk_id, &old);
	if (err == 0) {
		if (CRYPTO_memcmp(old->gmk, a.gmk, sizeof(old->gmk)) != 0) {
			err = accept_fail(r, ACCEPT_KEY, SKM_EEXIST,
			    "GMK-ID %08" PRIx32 " is already stored for another GMK", a.gmk_id);
			goto out;
		}
		replace = 1;
	} else if (err != SKM_ENOTFOUND) {
		accept_fail(r, ACCEPT_KEY, err, "GMK store: %s", skm_strerror(err));
		goto out;
	}
	/*
	 * A redelivery: verified as sent by the GMS, and this very GMK is
	 * stored; nothing changes. Any other stale message keeps its reason.
	 */
	if (stale != 0) {
		if (old == NULL) {
			err = accept_fail(r, ACCEPT_MESSAGE, stale, "%s", stale_why +
			    strlen("check 1 message: "));
			goto out;
		}
		r->check = ACCEPT_OK;
		r->why[0] = '\0';
		r->redelivered = 1;
		if (r->group[0] == '\0')
			snprintf(r->group, sizeof(r->group), "%s", old->groups[0]);
		r->rec = old;
		old = NULL;
		err = 0;
		goto out;
	}
	if (a.kp.text != NULL && strlen(a.kp.text) > GMKSTORE_TEXT_MAX) {
		err = accept_fail(r, ACCEPT_PARAMETERS, SKM_ELEN, "text longer than %d octets",
		    GMKSTORE_TEXT_MAX);
		goto out;
	}

	/* Check 6: the groups and their GMS (TS 23.434 user profile). */
	if ((rec = gmkstore_rec_new()) == NULL) {
		err = accept_fail(r, ACCEPT_GROUP, SKM_ENOMEM, "out of memory");
		goto out;
	}
	if (a.kp.ngroups > GMKSTORE_GROUPS_MAX) {
		err = accept_fail(r, ACCEPT_GROUP, SKM_ERANGE, "too many VAL groups");
		goto out;
	}
	for (i = 0; i < a.kp.ngroups; i++) {
		if ((err = group_ok(prof, a.kp.groups[i], a.iuri, r)) != 0)
			goto out;
		strcpy(rec->groups[rec->ngroups++], a.kp.groups[i]);
	}
	if (a.kp.ngroups == 0) {
		if (hint == NULL) {
			err = accept_fail(r, ACCEPT_GROUP, SKM_EINVAL,
			    "no VAL group ID in the message");
			goto out;
		}
		if ((err = group_ok(prof, hint, a.iuri, r)) != 0)
			goto out;
		strcpy(rec->groups[rec->ngroups++], hint);
	}
	if (r->group[0] == '\0')
		strcpy(r->group, rec->groups[0]);

	/* Check 7: store the GMK, then remember the message. */
	memcpy(rec->gmk, a.gmk, sizeof(rec->gmk));
	rec->gmk_id = a.gmk_id;
	rec->guk_id = a.guk_id;
	if (a.m.randlen > sizeof(rec->rand)) {
		err = accept_fail(r, ACCEPT_STORE, SKM_ELEN, "RAND too long");
		goto out;
	}
	memcpy(rec->rand, a.m.rand, a.m.randlen);
	rec->randlen = a.m.randlen;
	rec->key_type = a.kp.key_type;
	rec->status = a.kp.status;
	rec->timestamp = a.t_unix;
	rec->timestamp_frac = (uint32_t)a.m.ts;
	rec->activation = a.kp.activation != 0 ? (int64_t)a.kp.activation : a.t_unix;
	rec->expiry = (int64_t)a.kp.expiry;
	strcpy(rec->gms, a.iuri);
	if (a.kp.text != NULL)
		strcpy(rec->text, a.kp.text);
	if (old != NULL)
		merge_groups(rec, old);
	if ((err = gmkstore_put(dir, rec, replace)) != 0) {
		accept_fail(r, ACCEPT_STORE, err, "GMK store: %s", skm_strerror(err));
		goto out;
	}
	/* The timestamp check rejects the message once it is older than the window. */
	if ((err = replay_add(dir, digest, a.t_unix + o->window, o->now)) != 0) {
		accept_fail(r, ACCEPT_STORE, err, "replay cache: %s", skm_strerror(err));
		goto out;
	}
	r->check = ACCEPT_OK;
	r->rec = rec;
	rec = NULL;
	err = 0;
out:
	free(gms);
	gmkstore_rec_free(old);
	gmkstore_rec_free(rec);
	accept_msg_clear(&a);
	notify_req_clear(&req);
	profile_free(prof);
	return err;
}
