/* SPDX-License-Identifier: ISC */
/*
 * The storage-free receiver checks of a GMK I_MESSAGE, in the order of
 * accept.h. Each failure returns at once through accept_fail(), naming the
 * check. The order matters: nothing secret is touched before the signature
 * verified (check 3), and the GMK lives only in the secure heap.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/accept_msg.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/mikey_gmk.h"
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

int
accept_fail(struct accept_result *r, enum accept_check c, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	r->check = c;
	n = snprintf(r->why, sizeof(r->why), "check %d %s: ", (int)c, accept_check_name(c));
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(r->why))
		vsnprintf(r->why + n, sizeof(r->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

/* A printable copy of an IDR payload's data, for messages. */
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
 * hidden initiator (IDRuidi) it must be one of the candidate GMS URIs
 * whose UID is the one sent.
 */
static int
initiator(const struct accept_keys *k, const struct mikey_imsg *m,
    const char *const *gms, size_t ngms, uint64_t period_no, char *uri, size_t urilen,
    uint8_t uid[UID_LEN])
{
	size_t i;

	if (m->idri.role == MIKEY_ROLE_I) {
		if (m->idri.type != MIKEY_IDT_URI || m->idri.len == 0 || m->idri.len >= urilen ||
		    memchr(m->idri.data, '\0', m->idri.len) != NULL)
			return SKM_EINVAL;
		memcpy(uri, m->idri.data, m->idri.len);
		uri[m->idri.len] = '\0';
		return uid_of(k, uri, period_no, uid);
	}
	for (i = 0; i < ngms; i++) {
		if (gms[i] == NULL || strlen(gms[i]) >= urilen)
			continue;
		if (uid_of(k, gms[i], period_no, uid) != 0)
			continue;
		if (mikey_idr_match(&m->idri, gms[i], strlen(gms[i]), uid, UID_LEN) == 0) {
			strcpy(uri, gms[i]);
			return 0;
		}
	}
	return SKM_ENOTFOUND;
}

/*
 * Check 3 failed under the period's certificate: a signature that verifies
 * under a certificate the KMS revoked is refused as such, so the receiver
 * sees why (the sender still uses a compromised key).
 */
static int
revoked_signer(const struct accept_keys *k, const struct accept_msg *a,
    const uint8_t *iuid, int err, struct accept_result *r)
{
	size_t i;

	for (i = 0; i < k->nrevoked; i++)
		if (mikey_imsg_verify(&a->m, k->revoked_kpak[i], iuid, UID_LEN) == 0)
			return accept_fail(r, ACCEPT_SIGNATURE, SKM_EREVOKED, "%s signed under "
			    "certificate %s, which the KMS revoked", a->iuri, k->revoked_uri[i]);
	return accept_fail(r, ACCEPT_SIGNATURE, err, "signature does not verify for %s",
	    a->iuri);
}

int
accept_msg_parse(struct accept_msg *a, const uint8_t *imsg, size_t len, int64_t now,
    int64_t window, struct accept_result *r)
{
	char why[256] = "";
	int err;

	memset(a, 0, sizeof(*a));
	if ((err = mikey_imsg_parse(imsg, len, &a->m, why, sizeof(why))) != 0)
		return accept_fail(r, ACCEPT_MESSAGE, err, "I_MESSAGE: %s", why);
	/* NTP-UTC seconds are 32 bits: the era nearest now (RFC 5905 6) */
	a->ntp = time_ntp32_near((uint32_t)(a->m.ts >> 32), now);
	a->t_unix = time_ntp_to_unix(a->ntp);
	if (a->t_unix < now - window || a->t_unix > now + window)
		return accept_fail(r, ACCEPT_MESSAGE, SKM_ERANGE,
		    "timestamp %" PRId64 " s from now, outside the window of %" PRId64 " s",
		    a->t_unix - now, window);
	return 0;
}

int
accept_msg_verify(struct accept_msg *a, const struct accept_keys *k,
    const char *const *gms, size_t ngms, struct accept_result *r)
{
	const struct mikey_imsg *m = &a->m;
	struct sakke_user *user = NULL;
	uint8_t my_uid[UID_LEN], iuid[UID_LEN];
	uint8_t *rsk = NULL;
	const uint8_t *kpak = k->kpak;
	const struct sakke_pub *z = k->z;
	char why[256] = "", text[GMKFILE_NAME_MAX + 1];
	size_t i;
	int err;

	/* Check 2: the receiver is this identity for the period of T. */
	if ((err = period_number(a->ntp, k->key_period, k->key_offset, &a->period_no)) != 0 ||
	    (err = uid_of(k, k->my_uri, a->period_no, my_uid)) != 0) {
		accept_fail(r, ACCEPT_RECEIVER, err, "no key period for the timestamp");
		goto out;
	}
	if (mikey_idr_match(&m->idrr, k->my_uri, strlen(k->my_uri), my_uid, UID_LEN) != 0) {
		idr_text(&m->idrr, text, sizeof(text));
		err = accept_fail(r, ACCEPT_RECEIVER, SKM_EAUTH, "addressed to %s, not to %s in "
		    "period %" PRIu64, m->idrr.role == MIKEY_ROLE_R ? text : "another UID",
		    k->my_uri, a->period_no);
		goto out;
	}
	if (!kms_match(k, &m->idrkmsr)) {
		err = accept_fail(r, ACCEPT_RECEIVER, SKM_EAUTH, "IDRkmsr is not %s", k->kms_uri);
		goto out;
	}
	if ((rsk = OPENSSL_secure_zalloc(SAKKE_POINT_LEN)) == NULL) {
		err = accept_fail(r, ACCEPT_RECEIVER, SKM_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = k->rsk(k->arg, a->period_no, rsk, why, sizeof(why))) != 0) {
		accept_fail(r, ACCEPT_RECEIVER, err, "no key material for period %" PRIu64 ": %s",
		    a->period_no, why);
		goto out;
	}
	if (k->cert != NULL && (err = k->cert(k->arg, a->period_no, &kpak, &z, why,
	    sizeof(why))) != 0) {
		accept_fail(r, ACCEPT_RECEIVER, err, "no certificate for period %" PRIu64 ": %s",
		    a->period_no, why);
		goto out;
	}

	/* Check 3: the initiator's signature (RFC 6507 5.2.2, RFC 6509). */
	if (!kms_match(k, &m->idrkmsi)) {
		err = accept_fail(r, ACCEPT_SIGNATURE, SKM_EAUTH, "IDRkmsi is not %s", k->kms_uri);
		goto out;
	}
	if ((err = initiator(k, m, gms, ngms, a->period_no, a->iuri, sizeof(a->iuri),
	    iuid)) != 0) {
		err = accept_fail(r, ACCEPT_SIGNATURE, SKM_EAUTH, m->idri.role == MIKEY_ROLE_I ?
		    "initiator URI is not valid" :
		    "hidden initiator is no GMS of the user profile");
		goto out;
	}
	if ((err = mikey_imsg_verify(m, kpak, iuid, UID_LEN)) != 0) {
		err = revoked_signer(k, a, iuid, err, r);
		goto out;
	}

	/* Check 4: the GMK (RFC 6508 6.2.2 with TEST = R; TS 33.180 F.1.3). */
	if ((a->gmk = OPENSSL_secure_zalloc(MIKEY_GMK_LEN)) == NULL) {
		err = accept_fail(r, ACCEPT_KEY, SKM_ENOMEM, "out of memory");
		goto out;
	}
	if ((err = sakke_user_new(&user, z, my_uid, UID_LEN, rsk)) != 0) {
		accept_fail(r, ACCEPT_KEY, err, "own RSK for period %" PRIu64 " does not validate",
		    a->period_no);
		goto out;
	}
	if ((err = mikey_gmk_decrypt(m, user, k->my_uri, strlen(k->my_uri), a->gmk,
	    &a->gmk_id, &a->guk_id)) != 0) {
		accept_fail(r, ACCEPT_KEY, err, "SAKKE data do not decrypt (%s)", skm_strerror(err));
		goto out;
	}
	/* The SPI of the GENERIC-ID map is GMK-ID || GUK-ID, the SRTP MKI. */
	for (i = 0; i < m->hdr.ncs; i++) {
		const struct mikey_cs *cs = &m->hdr.cs[i];

		if (cs->spilen == 8 && ((uint32_t)cs->spi[0] << 24 | (uint32_t)cs->spi[1] << 16 |
		    (uint32_t)cs->spi[2] << 8 | cs->spi[3]) != a->gmk_id) {
			err = accept_fail(r, ACCEPT_KEY, SKM_EVERIFY,
			    "SPI names another GMK-ID than the GUK-ID gives");
			goto out;
		}
	}
	if ((a->gmk_id >> 28) != MIKEY_KP_TYPE_GMK) {
		err = accept_fail(r, ACCEPT_KEY, SKM_EINVAL,
		    "GMK-ID %08" PRIx32 " has purpose tag %u", a->gmk_id,
		    (unsigned)(a->gmk_id >> 28));
		goto out;
	}

	/* Check 5: the key parameters (TS 33.180 E.6.1: AES-128-GCM under the DPCK). */
	err = mikey_kp_open(m, a->gmk, &a->kp);
	if (err != 0 && err != SKM_ENOTFOUND) {
		accept_fail(r, ACCEPT_PARAMETERS, err, "key parameters do not decrypt (%s)",
		    skm_strerror(err));
		goto out;
	}
	a->has_kp = err == 0;
	if (a->has_kp && a->kp.key_type != MIKEY_KP_TYPE_GMK) {
		err = accept_fail(r, ACCEPT_PARAMETERS, SKM_EINVAL, "key type %u is not a GMK",
		    a->kp.key_type);
		goto out;
	}
	if (!a->has_kp)
		a->kp.status = MIKEY_KP_STATUS_VALID;
	err = 0;
out:
	if (err != 0 && a->gmk != NULL) {
		OPENSSL_secure_clear_free(a->gmk, MIKEY_GMK_LEN);
		a->gmk = NULL;
	}
	sakke_user_free(user);
	if (rsk != NULL)
		OPENSSL_secure_clear_free(rsk, SAKKE_POINT_LEN);
	return err;
}

void
accept_msg_clear(struct accept_msg *a)
{
	if (a->gmk != NULL)
		OPENSSL_secure_clear_free(a->gmk, MIKEY_GMK_LEN);
	mikey_kp_clear(&a->kp);
	memset(a, 0, sizeof(*a));
}
