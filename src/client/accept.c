/* SPDX-License-Identifier: ISC */
/*
 * The receiver checks of a GMK I_MESSAGE, in the order of accept.h. Each
 * failure returns at once through fail(), naming the check; the GMK lives
 * only in a secure-heap record and is cleansed on every path. The order
 * matters: nothing secret is touched before the signature verified
 * (check 3), and nothing is written before every check passed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/accept.h"
#include "client/notify.h"
#include "client/profile.h"
#include "client/replay.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/mikey.h"
#include "lib/mikey_gmk.h"
#include "lib/mikey_kp.h"
#include "lib/period.h"
#include "lib/uid.h"

static const char *const check_names[] = {
	"ok", "message", "receiver", "signature", "key", "parameters", "group", "store",
};

const char *
accept_check_name(enum accept_check c)
{
	return (unsigned)c < sizeof(check_names) / sizeof(check_names[0]) ?
	    check_names[c] : "unknown";
}

static int
fail(struct accept_result *r, enum accept_check c, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->check = c;
	n = snprintf(r->why, sizeof(r->why), "check %d %s: ", (int)c, check_names[c]);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(r->why))
		vsnprintf(r->why + n, sizeof(r->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

/* A printable copy of an IDR payload's data, for messages and the record. */
static void
idr_text(const struct mikey_idr *idr, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < idr->len && i + 1 < len; i++)
		out[i] = idr->data[i] > 0x20 && idr->data[i] < 0x7f ? (char)idr->data[i] : '?';
	out[i] = '\0';
}

static int
uid_of(const struct accept_keys *k, const char *uri, uint64_t period_no,
    uint8_t uid[UID_LEN])
{
	return uid_derive(uri, strlen(uri), k->kms_uri, strlen(k->kms_uri), k->key_period,
	    k->key_offset, period_no, uid);
}

static int
kms_match(const struct accept_keys *k, const struct mikey_idr *idr)
{
	return idr->type == MIKEY_IDT_URI && idr->len == strlen(k->kms_uri) &&
	    memcmp(idr->data, k->kms_uri, idr->len) == 0;
}

/*
 * TS 33.180 5.2.6: the initiator's URI. For IDRi it is the payload; for a
 * hidden initiator (IDRuidi) it must be a GMS URI of the profile whose UID
 * is the one sent, the hint group's GMS first.
 */
static int
initiator(const struct accept_keys *k, const struct mikey_imsg *m,
    const struct profile *prof, const char *hint, uint64_t period_no, char *uri,
    size_t urilen, uint8_t uid[UID_LEN])
{
	const char *cand;
	size_t i;

	if (m->idri.role == MIKEY_ROLE_I) {
		if (m->idri.type != MIKEY_IDT_URI || m->idri.len == 0 || m->idri.len >= urilen ||
		    memchr(m->idri.data, '\0', m->idri.len) != NULL)
			return SKM_EINVAL;
		memcpy(uri, m->idri.data, m->idri.len);
		uri[m->idri.len] = '\0';
		return uid_of(k, uri, period_no, uid);
	}
	for (i = 0; i <= prof->n; i++) {
		if (i == 0)
			cand = hint != NULL ? profile_gms(prof, hint) : NULL;
		else
			cand = prof->groups[i - 1].gms;
		if (cand == NULL || strlen(cand) >= urilen)
			continue;
		if (uid_of(k, cand, period_no, uid) != 0)
			continue;
		if (mikey_idr_match(&m->idri, cand, strlen(cand), uid, UID_LEN) == 0) {
			strcpy(uri, cand);
			return 0;
		}
	}
	return SKM_ENOTFOUND;
}

/* Check 6 for one group ID. */
static int
group_ok(const struct profile *prof, const char *g, const char *iuri,
    struct accept_result *r)
{
	const char *gms;

	if (!gmkfile_name_ok(g))
		return fail(r, ACCEPT_GROUP, SKM_EINVAL, "VAL group ID '%.64s' is not valid", g);
	if ((gms = profile_gms(prof, g)) == NULL)
		return fail(r, ACCEPT_GROUP, SKM_ENOTFOUND,
		    "VAL group '%s' is not in the user profile", g);
	if (strcmp(gms, iuri) != 0)
		return fail(r, ACCEPT_GROUP, SKM_EAUTH,
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

int
accept_run(const char *dir, const struct accept_keys *k, const struct accept_opts *o,
    const uint8_t *input, size_t len, struct accept_result *r)
{
	struct notify_req req = { 0 };
	struct mikey_imsg m;
	struct mikey_kp kp = { 0 };
	struct profile *prof = NULL;
	struct sakke_user *user = NULL;
	struct gmkstore_rec *rec = NULL, *old = NULL;
	uint8_t digest[REPLAY_DIGEST_LEN], my_uid[UID_LEN], iuid[UID_LEN];
	uint8_t *rsk = NULL;
	const uint8_t *kpak;
	const struct sakke_pub *z;
	char why[256] = "", iuri[GMKFILE_NAME_MAX + 1], text[GMKFILE_NAME_MAX + 1];
	const char *hint;
	uint64_t ntp, period_no;
	uint32_t gmk_id, guk_id;
	int64_t t_unix;
	size_t i;
	int err, replace = 0;

	memset(r, 0, sizeof(*r));
	if ((err = profile_load(&prof, dir)) != 0) {
		fail(r, ACCEPT_GROUP, err, "user profile: %s", skm_strerror(err));
		goto out;
	}

	/* Check 1: parse, timestamp window, replay (RFC 3830 5.4). */
	if ((err = notify_input(input, len, &req, why, sizeof(why))) != 0) {
		fail(r, ACCEPT_MESSAGE, err, "%s", why);
		goto out;
	}
	hint = o->group != NULL ? o->group : req.group;
	if (hint != NULL && gmkfile_name_ok(hint))
		snprintf(r->group, sizeof(r->group), "%s", hint);
	if ((err = mikey_imsg_parse(req.imsg, req.imsglen, &m, why, sizeof(why))) != 0) {
		fail(r, ACCEPT_MESSAGE, err, "I_MESSAGE: %s", why);
		goto out;
	}
	/* NTP-UTC seconds are 32 bits: the era nearest now (RFC 5905 6) */
	ntp = time_ntp32_near((uint32_t)(m.ts >> 32), o->now);
	t_unix = time_ntp_to_unix(ntp);
	if (t_unix < o->now - o->window || t_unix > o->now + o->window) {
		err = fail(r, ACCEPT_MESSAGE, SKM_ERANGE,
		    "timestamp %" PRId64 " s from now, outside the window of %" PRId64 " s",
		    t_unix - o->now, o->window);
		goto out;
	}
	if ((err = replay_digest(req.imsg, req.imsglen, digest)) != 0 ||
	    (err = replay_check(dir, digest)) != 0) {
		fail(r, ACCEPT_MESSAGE, err, err == SKM_EEXIST ?
		    "replay of a message already accepted" : "replay cache: %s",
		    skm_strerror(err));
		goto out;
	}

	/* Check 2: the receiver is this identity for the period of T. */
	if ((err = period_number(ntp, k->key_period, k->key_offset, &period_no)) != 0 ||
	    (err = uid_of(k, k->my_uri, period_no, my_uid)) != 0) {
		fail(r, ACCEPT_RECEIVER, err, "no key period for the timestamp");
		goto out;
	}
	if (mikey_idr_match(&m.idrr, k->my_uri, strlen(k->my_uri), my_uid, UID_LEN) != 0) {
		idr_text(&m.idrr, text, sizeof(text));
		err = fail(r, ACCEPT_RECEIVER, SKM_EAUTH, "addressed to %s, not to %s in period "
		    "%" PRIu64, m.idrr.role == MIKEY_ROLE_R ? text : "another UID", k->my_uri,
		    period_no);
		goto out;
	}
	if (!kms_match(k, &m.idrkmsr)) {
		err = fail(r, ACCEPT_RECEIVER, SKM_EAUTH, "IDRkmsr is not %s", k->kms_uri);
		goto out;
	}
	if ((rsk = OPENSSL_secure_zalloc(SAKKE_POINT_LEN)) == NULL) {
		err = fail(r, ACCEPT_RECEIVER, SKM_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = k->rsk(k->arg, period_no, rsk, why, sizeof(why))) != 0) {
		fail(r, ACCEPT_RECEIVER, err, "no key material for period %" PRIu64 ": %s",
		    period_no, why);
		goto out;
	}
	kpak = k->kpak;
	z = k->z;
	if (k->cert != NULL && (err = k->cert(k->arg, period_no, &kpak, &z, why,
	    sizeof(why))) != 0) {
		fail(r, ACCEPT_RECEIVER, err, "no certificate for period %" PRIu64 ": %s",
		    period_no, why);
		goto out;
	}

	/* Check 3: the initiator's signature (RFC 6507 5.2.2, RFC 6509). */
	if (!kms_match(k, &m.idrkmsi)) {
		err = fail(r, ACCEPT_SIGNATURE, SKM_EAUTH, "IDRkmsi is not %s", k->kms_uri);
		goto out;
	}
	if ((err = initiator(k, &m, prof, hint, period_no, iuri, sizeof(iuri), iuid)) != 0) {
		fail(r, ACCEPT_SIGNATURE, SKM_EAUTH, m.idri.role == MIKEY_ROLE_I ?
		    "initiator URI is not valid" :
		    "hidden initiator is no GMS of the user profile");
		goto out;
	}
	if ((err = mikey_imsg_verify(&m, kpak, iuid, UID_LEN)) != 0) {
		fail(r, ACCEPT_SIGNATURE, err, "signature does not verify for %s", iuri);
		goto out;
	}

	/* Check 4: the GMK (RFC 6508 6.2.2 with TEST = R; TS 33.180 F.1.3). */
	if ((rec = gmkstore_rec_new()) == NULL) {
		err = fail(r, ACCEPT_KEY, SKM_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = sakke_user_new(&user, z, my_uid, UID_LEN, rsk)) != 0) {
		fail(r, ACCEPT_KEY, err, "own RSK for period %" PRIu64 " does not validate",
		    period_no);
		goto out;
	}
	if ((err = mikey_gmk_decrypt(&m, user, k->my_uri, strlen(k->my_uri), rec->gmk,
	    &gmk_id, &guk_id)) != 0) {
		fail(r, ACCEPT_KEY, err, "SAKKE data do not decrypt (%s)", skm_strerror(err));
		goto out;
	}
	/* The SPI of the GENERIC-ID map is GMK-ID || GUK-ID, the SRTP MKI. */
	for (i = 0; i < m.hdr.ncs; i++) {
		const struct mikey_cs *cs = &m.hdr.cs[i];

		if (cs->spilen == 8 && ((uint32_t)cs->spi[0] << 24 | (uint32_t)cs->spi[1] << 16 |
		    (uint32_t)cs->spi[2] << 8 | cs->spi[3]) != gmk_id) {
			err = fail(r, ACCEPT_KEY, SKM_EVERIFY,
			    "SPI names another GMK-ID than the GUK-ID gives");
			goto out;
		}
	}
	if ((gmk_id >> 28) != MIKEY_KP_TYPE_GMK) {
		err = fail(r, ACCEPT_KEY, SKM_EINVAL, "GMK-ID %08" PRIx32 " has purpose tag %u",
		    gmk_id, (unsigned)(gmk_id >> 28));
		goto out;
	}
	err = gmkstore_get(dir, gmk_id, &old);
	if (err == 0) {
		if (CRYPTO_memcmp(old->gmk, rec->gmk, sizeof(rec->gmk)) != 0) {
			err = fail(r, ACCEPT_KEY, SKM_EEXIST,
			    "GMK-ID %08" PRIx32 " is already stored for another GMK", gmk_id);
			goto out;
		}
		replace = 1;
	} else if (err != SKM_ENOTFOUND) {
		fail(r, ACCEPT_KEY, err, "GMK store: %s", skm_strerror(err));
		goto out;
	}

	/* Check 5: the key parameters (TS 33.180 E.6.1: AES-128-GCM under the DPCK). */
	err = mikey_kp_open(&m, rec->gmk, &kp);
	if (err != 0 && err != SKM_ENOTFOUND) {
		fail(r, ACCEPT_PARAMETERS, err, "key parameters do not decrypt (%s)",
		    skm_strerror(err));
		goto out;
	}
	if (err == 0 && kp.key_type != MIKEY_KP_TYPE_GMK) {
		err = fail(r, ACCEPT_PARAMETERS, SKM_EINVAL, "key type %u is not a GMK",
		    kp.key_type);
		goto out;
	}
	if (err == SKM_ENOTFOUND)
		kp.status = MIKEY_KP_STATUS_VALID;
	if (kp.text != NULL && strlen(kp.text) > GMKSTORE_TEXT_MAX) {
		err = fail(r, ACCEPT_PARAMETERS, SKM_ELEN, "text longer than %d octets",
		    GMKSTORE_TEXT_MAX);
		goto out;
	}

	/* Check 6: the groups and their GMS (TS 23.434 user profile). */
	if (kp.ngroups > GMKSTORE_GROUPS_MAX) {
		err = fail(r, ACCEPT_GROUP, SKM_ERANGE, "too many VAL groups");
		goto out;
	}
	for (i = 0; i < kp.ngroups; i++) {
		if ((err = group_ok(prof, kp.groups[i], iuri, r)) != 0)
			goto out;
		strcpy(rec->groups[rec->ngroups++], kp.groups[i]);
	}
	if (kp.ngroups == 0) {
		if (hint == NULL) {
			err = fail(r, ACCEPT_GROUP, SKM_EINVAL, "no VAL group ID in the message");
			goto out;
		}
		if ((err = group_ok(prof, hint, iuri, r)) != 0)
			goto out;
		strcpy(rec->groups[rec->ngroups++], hint);
	}
	if (r->group[0] == '\0')
		strcpy(r->group, rec->groups[0]);

	/* Check 7: store the GMK, then remember the message. */
	rec->gmk_id = gmk_id;
	rec->guk_id = guk_id;
	if (m.randlen > sizeof(rec->rand)) {
		err = fail(r, ACCEPT_STORE, SKM_ELEN, "RAND too long");
		goto out;
	}
	memcpy(rec->rand, m.rand, m.randlen);
	rec->randlen = m.randlen;
	rec->key_type = kp.key_type;
	rec->status = kp.status;
	rec->timestamp = t_unix;
	rec->timestamp_frac = (uint32_t)m.ts;
	rec->activation = kp.activation != 0 ? (int64_t)kp.activation : t_unix;
	rec->expiry = (int64_t)kp.expiry;
	strcpy(rec->gms, iuri);
	if (kp.text != NULL)
		strcpy(rec->text, kp.text);
	if (old != NULL)
		merge_groups(rec, old);
	if ((err = gmkstore_put(dir, rec, replace)) != 0) {
		fail(r, ACCEPT_STORE, err, "GMK store: %s", skm_strerror(err));
		goto out;
	}
	/* The timestamp check rejects the message once it is older than the window. */
	if ((err = replay_add(dir, digest, t_unix + o->window, o->now)) != 0) {
		fail(r, ACCEPT_STORE, err, "replay cache: %s", skm_strerror(err));
		goto out;
	}
	r->check = ACCEPT_OK;
	r->rec = rec;
	rec = NULL;
	err = 0;
out:
	mikey_kp_clear(&kp);
	gmkstore_rec_free(old);
	gmkstore_rec_free(rec);
	sakke_user_free(user);
	if (rsk != NULL)
		OPENSSL_secure_clear_free(rsk, SAKKE_POINT_LEN);
	notify_req_clear(&req);
	profile_free(prof);
	return err;
}
