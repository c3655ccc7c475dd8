/* SPDX-License-Identifier: ISC */
/*
 * Deliveries in the GMS store: what is due for a member (each send is
 * recorded, with its next-send time by the back-off, in the transaction
 * that picks it), the member's answers, and the I_MESSAGEs made for GMK
 * deliveries. A delivery is due once it is ready: a removal at once, a
 * GMK once its I_MESSAGE is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "gms/gstore.h"
#include "gms/gstore_int.h"

static int
ready(const struct gstore_dlv *d)
{
	return d->state == GSTORE_PENDING &&
	    (d->kind == GSTORE_KIND_REMOVAL || d->imsg != NULL);
}

/* user's pending deliveries (keys of the index), malloc'ed. */
static int
due_keys(struct gtxn *t, const char *user, struct gkey **keys, size_t *n)
{
	struct gkey pre;

	gkey_init(&pre, GK_DUE);
	gkey_str(&pre, user);
	return gtxn_keys(t, &pre, 0, keys, n);
}

int
gstore_poll(struct gstore *st, const char *user, int64_t now, unsigned retry_min,
    unsigned retry_max, int64_t max_age, size_t max, struct gstore_dlv **out, size_t *n)
{
	struct gkey *keys = NULL, q;
	struct gstore_dlv *v = NULL, d;
	struct gtxn t;
	size_t nk = 0, i, k = 0, stale = 0;

	*out = NULL;
	*n = 0;
	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (due_keys(&t, user, &keys, &nk) == 0 && nk > 0 &&
	    (v = calloc(nk < max ? nk : max, sizeof(*v))) == NULL)
		gtxn_fail(&t, SKM_ENOMEM);
	for (i = 0; i < nk && k < max && t.err == 0; i++) {
		if (grec_dlv_get(&t, gkey_tail(&keys[i]), &d) != 0)
			continue;
		if (!ready(&d) || d.next_send > now) {
			gstore_dlv_clear(&d);
			continue;
		}
		if (d.kind == GSTORE_KIND_GMK && d.made < now - max_age) {
			gstore_dlv_clear(&d);
			grec_dlv_put(&t, &d);
			gkey_init(&q, GK_UNMADE);
			gkey_u64(&q, d.id);
			gtxn_put(&t, &q, "", 0);
			stale++;
			continue;
		}
		d.attempts++;
		d.next_send = now + gstore_backoff(retry_min, retry_max, d.attempts);
		grec_dlv_put(&t, &d);
		v[k++] = d;
	}
	free(keys);
	/*
	 * Nothing changed: no commit. Sends change nothing anyone waits for:
	 * the change counter stays, unless I_MESSAGEs are to be made anew.
	 */
	if (k == 0 && stale == 0)
		gtxn_abort(&t);
	t.quiet = stale == 0;
	if (gtxn_end(&t) != 0 || k == 0) {
		gstore_dlvs_free(v, k);
		return t.err;
	}
	*out = v;
	*n = k;
	return 0;
}

int
gstore_next_due(struct gstore *st, const char *user, int64_t *when)
{
	struct gkey *keys = NULL;
	struct gstore_dlv d;
	struct gtxn t;
	size_t nk = 0, i;

	*when = 0;
	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	due_keys(&t, user, &keys, &nk);
	for (i = 0; i < nk && t.err == 0; i++) {
		if (grec_dlv_get(&t, gkey_tail(&keys[i]), &d) != 0)
			continue;
		if (ready(&d) && (*when == 0 || d.next_send < *when))
			*when = d.next_send;
		gstore_dlv_clear(&d);
	}
	free(keys);
	return gtxn_end(&t);
}

int
gstore_answer(struct gstore *st, const char *user, uint64_t id, const char *group,
    int success, const char *reason, int64_t now, int *first)
{
	struct gstore_dlv d;
	struct gkey k;
	struct gtxn t;
	int rc;

	if (first != NULL)
		*first = 0;
	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if ((rc = grec_dlv_get(&t, id, &d)) != 0 || strcmp(d.user, user) != 0 ||
	    d.attempts == 0) {
		/* Another member's delivery is as unknown as one that never was. */
		gtxn_abort(&t);
		gstore_dlv_clear(&d);
		return rc != 0 && rc != SKM_ENOTFOUND ? rc : SKM_ENOTFOUND;
	}
	if (strcmp(d.group, group) != 0) {
		gtxn_abort(&t);
		gstore_dlv_clear(&d);
		return SKM_EINVAL;
	}
	if (d.state != GSTORE_PENDING) {
		/* Idempotent: the first answer stays. */
		gtxn_abort(&t);
		gstore_dlv_clear(&d);
		return 0;
	}
	/* An answer makes nothing due: the change counter stays. */
	t.quiet = 1;
	d.state = success ? GSTORE_SUCCESS : GSTORE_FAILURE;
	snprintf(d.reason, sizeof(d.reason), "%s", success || reason == NULL ? "" : reason);
	d.answered = now;
	grec_dlv_put(&t, &d);
	gkey_init(&k, GK_DUE);
	gkey_str(&k, user);
	gkey_u64(&k, id);
	gtxn_del(&t, &k);
	gstore_dlv_clear(&d);
	if (gtxn_end(&t) == 0 && first != NULL)
		*first = 1;
	return t.err;
}

int
gstore_unmade(struct gstore *st, size_t max, struct gstore_dlv **out, size_t *n)
{
	struct gkey pre, *keys = NULL;
	struct gstore_dlv *v = NULL;
	struct gtxn t;
	size_t nk = 0, i, k = 0;

	*out = NULL;
	*n = 0;
	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	gkey_init(&pre, GK_UNMADE);
	if (gtxn_keys(&t, &pre, max, &keys, &nk) == 0 && nk > 0 &&
	    (v = calloc(nk, sizeof(*v))) == NULL)
		gtxn_fail(&t, SKM_ENOMEM);
	for (i = 0; i < nk && t.err == 0; i++)
		if (grec_dlv_get(&t, gkey_tail(&keys[i]), &v[k]) == 0)
			k++;
	free(keys);
	if (gtxn_end(&t) != 0 || k == 0) {
		gstore_dlvs_free(v, k);
		return t.err;
	}
	*out = v;
	*n = k;
	return 0;
}

int
gstore_made(struct gstore *st, const struct gstore_dlv *made, size_t n, int64_t now)
{
	struct gstore_dlv d;
	struct gkey k;
	struct gtxn t;
	size_t i;

	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	for (i = 0; i < n && t.err == 0; i++) {
		gkey_init(&k, GK_UNMADE);
		gkey_u64(&k, made[i].id);
		gtxn_del(&t, &k);
		/* Dropped meanwhile (member removed), or answered: nothing to store. */
		if (grec_dlv_get(&t, made[i].id, &d) != 0)
			continue;
		if (d.state == GSTORE_PENDING && made[i].imsg != NULL) {
			free(d.imsg);
			d.imsg = made[i].imsg;
			d.imsg_len = made[i].imsg_len;
			d.made = now;
			grec_dlv_put(&t, &d);
			d.imsg = NULL;
		} else if (d.state == GSTORE_PENDING) {
			d.state = GSTORE_FAILURE;
			snprintf(d.reason, sizeof(d.reason), "%s", made[i].reason);
			grec_dlv_put(&t, &d);
			gkey_init(&k, GK_DUE);
			gkey_str(&k, d.user);
			gkey_u64(&k, d.id);
			gtxn_del(&t, &k);
		}
		gstore_dlv_clear(&d);
	}
	return gtxn_end(&t);
}

int
gstore_dlvs(struct gstore *st, const char *user, const char *group, struct gstore_dlv **out,
    size_t *n)
{
	struct gkey pre, *keys = NULL;
	struct gstore_dlv *v = NULL;
	struct gtxn t;
	size_t nk = 0, i, k = 0;

	*out = NULL;
	*n = 0;
	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	gkey_init(&pre, GK_DLV);
	if (gtxn_keys(&t, &pre, 0, &keys, &nk) == 0 && nk > 0 &&
	    (v = calloc(nk, sizeof(*v))) == NULL)
		gtxn_fail(&t, SKM_ENOMEM);
	for (i = 0; i < nk && t.err == 0; i++) {
		if (grec_dlv_get(&t, gkey_tail(&keys[i]), &v[k]) != 0)
			continue;
		gstore_dlv_clear(&v[k]);
		if ((user != NULL && strcmp(v[k].user, user) != 0) ||
		    (group != NULL && strcmp(v[k].group, group) != 0))
			continue;
		k++;
	}
	free(keys);
	if (gtxn_end(&t) != 0 || k == 0) {
		gstore_dlvs_free(v, k);
		return t.err;
	}
	*out = v;
	*n = k;
	return 0;
}

int
gstore_purge(struct gstore *st, int64_t before, size_t *n)
{
	struct gkey pre, *keys = NULL;
	struct gstore_dlv d;
	struct gtxn t;
	size_t nk = 0, i, k = 0;

	if (n != NULL)
		*n = 0;
	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	gkey_init(&pre, GK_DLV);
	gtxn_keys(&t, &pre, 0, &keys, &nk);
	for (i = 0; i < nk && t.err == 0; i++) {
		if (grec_dlv_get(&t, gkey_tail(&keys[i]), &d) != 0)
			continue;
		if (d.state != GSTORE_PENDING && d.answered < before) {
			gtxn_del(&t, &keys[i]);
			k++;
		}
		gstore_dlv_clear(&d);
	}
	free(keys);
	if (k == 0)
		gtxn_abort(&t);
	t.quiet = 1;
	if (gtxn_end(&t) == 0 && n != NULL)
		*n = k;
	return t.err;
}

int
gstore_count(struct gstore *st, uint64_t counts[3])
{
	struct gstore_dlv *v = NULL;
	size_t n = 0, i;
	int rc;

	counts[0] = counts[1] = counts[2] = 0;
	if ((rc = gstore_dlvs(st, NULL, NULL, &v, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (v[i].state <= GSTORE_FAILURE)
			counts[v[i].state]++;
	gstore_dlvs_free(v, n);
	return 0;
}
