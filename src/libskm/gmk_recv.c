/* SPDX-License-Identifier: ISC */
/*
 * The public GMK receiver: a member identity with its RSKs per key period,
 * and the storage-free receiver checks of client/accept_msg.c on each
 * message (client/notify.c unwraps a notification document or base64).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/accept_msg.h"
#include "client/notify.h"
#include "common/err.h"
#include "lib/uid.h"
#include "libskm/gmk_impl.h"

struct period_rsk {
	uint64_t period_no;
	uint8_t *rsk;			/* SECRET: SAKKE_POINT_LEN, secure heap */
};

struct skm_gmk_receiver {
	struct gmk_domain d;
	struct period_rsk *rsks;
	size_t n;
	char **gms;			/* GMS URIs a hidden initiator may be */
	size_t ngms;
};

int
skm_gmk_receiver_new(struct skm_gmk_receiver **r, const char *uri, const char *kms_uri,
    uint64_t key_period, uint64_t key_offset, const uint8_t kpak[SKM_ECCSI_POINT_LEN],
    const uint8_t z[SKM_SAKKE_POINT_LEN])
{
	struct skm_gmk_receiver *h;
	int err;

	if (r == NULL)
		return SKM_EINVAL;
	*r = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return SKM_ENOMEM;
	if ((err = gmk_domain_init(&h->d, uri, kms_uri, key_period, key_offset, kpak,
	    z)) != 0) {
		free(h);
		return err;
	}
	*r = h;
	return 0;
}

void
skm_gmk_receiver_free(struct skm_gmk_receiver *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		OPENSSL_secure_clear_free(r->rsks[i].rsk, SAKKE_POINT_LEN);
	free(r->rsks);
	for (i = 0; i < r->ngms; i++)
		free(r->gms[i]);
	free(r->gms);
	gmk_domain_clear(&r->d);
	free(r);
}

static struct period_rsk *
find(const struct skm_gmk_receiver *r, uint64_t period_no)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->rsks[i].period_no == period_no)
			return &r->rsks[i];
	return NULL;
}

int
skm_gmk_receiver_add_rsk(struct skm_gmk_receiver *r, uint64_t period_no,
    const uint8_t rsk[SKM_SAKKE_POINT_LEN])
{
	struct period_rsk *p, *grown;
	uint8_t uid[UID_LEN], *copy;
	int err;

	if (r == NULL || rsk == NULL)
		return SKM_EINVAL;
	/* RFC 6508 6.1.2: a client validates an RSK before using it. */
	if ((err = gmk_domain_uid(&r->d, NULL, period_no, uid)) != 0 ||
	    (err = sakke_rsk_validate(r->d.z, uid, UID_LEN, rsk)) != 0)
		return err;
	if ((copy = OPENSSL_secure_malloc(SAKKE_POINT_LEN)) == NULL)
		return SKM_ENOMEM;
	memcpy(copy, rsk, SAKKE_POINT_LEN);
	if ((p = find(r, period_no)) != NULL) {
		OPENSSL_secure_clear_free(p->rsk, SAKKE_POINT_LEN);
		p->rsk = copy;
		return 0;
	}
	if ((grown = realloc(r->rsks, (r->n + 1) * sizeof(*grown))) == NULL) {
		OPENSSL_secure_clear_free(copy, SAKKE_POINT_LEN);
		return SKM_ENOMEM;
	}
	r->rsks = grown;
	r->rsks[r->n].period_no = period_no;
	r->rsks[r->n].rsk = copy;
	r->n++;
	return 0;
}

int
skm_gmk_receiver_add_gms(struct skm_gmk_receiver *r, const char *gms_uri)
{
	char **grown;

	if (r == NULL || gms_uri == NULL || *gms_uri == '\0' ||
	    strlen(gms_uri) > GMKFILE_NAME_MAX)
		return SKM_EINVAL;
	if ((grown = realloc(r->gms, (r->ngms + 1) * sizeof(*grown))) == NULL)
		return SKM_ENOMEM;
	r->gms = grown;
	if ((r->gms[r->ngms] = strdup(gms_uri)) == NULL)
		return SKM_ENOMEM;
	r->ngms++;
	return 0;
}

/* The accept_keys callback: the RSK added for the period. */
static int
rsk_of(void *arg, uint64_t period_no, uint8_t rsk[SAKKE_POINT_LEN], char *why,
    size_t whylen)
{
	const struct period_rsk *p = find(arg, period_no);

	if (p == NULL)
		return skm_why(why, whylen, SKM_ENOTFOUND, "no RSK was added for it");
	memcpy(rsk, p->rsk, SAKKE_POINT_LEN);
	return 0;
}

/* Copies what the checks found into a new handle. */
static int
result(const struct accept_msg *a, const struct notify_req *req, struct skm_gmk **out)
{
	struct skm_gmk *g;
	size_t i;
	int err = SKM_ENOMEM;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return SKM_ENOMEM;
	if ((g->key = OPENSSL_secure_malloc(SKM_GMK_LEN)) == NULL ||
	    (g->initiator = strdup(a->iuri)) == NULL ||
	    (a->kp.text != NULL && (g->text = strdup(a->kp.text)) == NULL) ||
	    (req->group != NULL && (g->hint = strdup(req->group)) == NULL))
		goto out;
	for (i = 0; i < a->kp.ngroups; i++) {
		if ((g->groups[i] = strdup(a->kp.groups[i])) == NULL)
			goto out;
		g->ngroups++;
	}
	memcpy(g->key, a->gmk, SKM_GMK_LEN);
	g->id = a->gmk_id;
	g->guk_id = a->guk_id;
	g->timestamp = a->t_unix;
	g->activation = a->kp.activation != 0 ? (int64_t)a->kp.activation : a->t_unix;
	g->expiry = (int64_t)a->kp.expiry;
	g->status = a->kp.status;
	*out = g;
	g = NULL;
	err = 0;
out:
	skm_gmk_free(g);
	return err;
}

int
skm_gmk_accept(const struct skm_gmk_receiver *r, const uint8_t *input, size_t len,
    int64_t now, int64_t window, struct skm_gmk **gmk, char *why, size_t whylen)
{
	struct notify_req req = { 0 };
	struct accept_msg a = { 0 };
	struct accept_keys k;
	struct accept_result *res = NULL;
	char reason[256] = "";
	int err;

	if (gmk == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no result handle");
	*gmk = NULL;
	if (r == NULL || input == NULL || window < 0)
		return skm_why(why, whylen, SKM_EINVAL, "no receiver, input or window");
	/* accept_result carries a reason buffer and a record: off the stack. */
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return skm_why(why, whylen, SKM_ENOMEM, "out of memory");
	memset(&k, 0, sizeof(k));
	k.my_uri = r->d.uri;
	k.kms_uri = r->d.kms_uri;
	k.key_period = r->d.key_period;
	k.key_offset = r->d.key_offset;
	k.kpak = r->d.kpak;
	k.z = r->d.z;
	k.rsk = rsk_of;
	k.arg = (void *)(uintptr_t)r;
	if ((err = notify_input(input, len, &req, reason, sizeof(reason))) != 0) {
		accept_fail(res, ACCEPT_MESSAGE, err, "%s", reason);
		goto out;
	}
	if ((err = accept_msg_parse(&a, req.imsg, req.imsglen, now, window, res)) != 0 ||
	    (err = accept_msg_verify(&a, &k, (const char *const *)r->gms, r->ngms,
	    res)) != 0)
		goto out;
	if ((err = result(&a, &req, gmk)) != 0)
		accept_fail(res, ACCEPT_KEY, err, "out of memory");
out:
	if (err != 0)
		skm_why(why, whylen, err, "%s", res->why);
	accept_msg_clear(&a);
	notify_req_clear(&req);
	free(res);
	return err;
}
