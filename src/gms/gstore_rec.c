/* SPDX-License-Identifier: ISC */
/*
 * The GMS store's records: groups (profile and GMKs), deliveries and
 * their indexes (a user's pending ones, the ones without an I_MESSAGE,
 * the GMK deliveries by user, group and GMK-ID for deduplication), and
 * prefix scans. Versioned values; an unknown version is SKM_EPARSE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/be.h"
#include "common/err.h"
#include "gms/gstore.h"
#include "gms/gstore_int.h"

#define GREC_V1	1

int
gtxn_keys(struct gtxn *t, const struct gkey *prefix, size_t max, struct gkey **out,
    size_t *n)
{
	MDB_cursor *c = NULL;
	MDB_val key = { prefix->len, (void *)(uintptr_t)prefix->b }, val;
	struct gkey *v = NULL, *nv;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (t->err != 0)
		return t->err;
	if ((rc = mdb_cursor_open(t->txn, t->st->dbi, &c)) != 0)
		return gtxn_fail(t, gstore_err(rc));
	for (rc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
		if (key.mv_size < prefix->len || key.mv_size > GKEY_MAX ||
		    memcmp(key.mv_data, prefix->b, prefix->len) != 0)
			break;
		if (max != 0 && *n == max)
			break;
		if (*n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = ENOMEM;
				break;
			}
			v = nv;
		}
		memcpy(v[*n].b, key.mv_data, key.mv_size);
		v[*n].len = key.mv_size;
		(*n)++;
	}
	mdb_cursor_close(c);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		free(v);
		*n = 0;
		return gtxn_fail(t, gstore_err(rc));
	}
	*out = v;
	return 0;
}

uint64_t
gkey_tail(const struct gkey *k)
{
	return k->len >= 9 ? be_get(k->b + k->len - 8, 8) : 0;
}

/* d = a decoder over the version 1 record under k, its version read. */
static int
grec_open(struct gtxn *t, const struct gkey *k, struct gdec *d)
{
	MDB_val v;
	int rc;

	if ((rc = gtxn_get(t, k, &v)) != 0)
		return rc;
	d->p = v.mv_data;
	d->left = v.mv_size;
	d->err = 0;
	if (gdec_u64(d, 1) != GREC_V1)
		return gtxn_fail(t, SKM_EPARSE);
	return 0;
}

int
grec_group_get(struct gtxn *t, const char *id, struct gstore_group *g)
{
	struct gkey k;
	struct gdec d;
	const uint8_t *p;
	size_t i;
	int rc, sealed;

	memset(g, 0, sizeof(*g));
	gkey_init(&k, GK_GROUP);
	gkey_str(&k, id);
	if ((rc = grec_open(t, &k, &d)) != 0)
		return rc;
	snprintf(g->id, sizeof(g->id), "%s", id);
	g->rekey_on_removal = (int)gdec_u64(&d, 1);
	sealed = (int)gdec_u64(&d, 1);
	g->ngmk = (size_t)gdec_u64(&d, 1);
	if (g->ngmk > GSTORE_GMKS)
		return gtxn_fail(t, SKM_EPARSE);
	/* Sealed and no key: the record reads, its keys stay zero, it cannot be written. */
	g->locked = sealed && t->st->kek == NULL;
	for (i = 0; i < g->ngmk; i++) {
		g->gmk[i].id = (uint32_t)gdec_u64(&d, 4);
		if (!sealed)
			gdec_bytes(&d, g->gmk[i].key, GSTORE_GMK_LEN);
		else if ((p = gdec_view(&d, GSTORE_SEALED_LEN)) != NULL && !g->locked &&
		    (rc = gstore_kek_open(t->st, id, g->gmk[i].id, p, g->gmk[i].key)) != 0) {
			OPENSSL_cleanse(g, sizeof(*g));
			return gtxn_fail(t, rc);
		}
		g->gmk[i].activation = (int64_t)gdec_u64(&d, 8);
		g->gmk[i].expiry = (int64_t)gdec_u64(&d, 8);
		g->gmk[i].made = (int64_t)gdec_u64(&d, 8);
		gdec_str(&d, g->gmk[i].text, sizeof(g->gmk[i].text));
	}
	if (d.err != 0) {
		OPENSSL_cleanse(g, sizeof(*g));
		return gtxn_fail(t, SKM_EPARSE);
	}
	return 0;
}

void
grec_group_put(struct gtxn *t, const struct gstore_group *g)
{
	struct genc e = { NULL, 0, 0, 0 };
	struct gkey k;
	uint8_t sealed[GSTORE_SEALED_LEN];
	size_t i;
	int rc;

	/* Its keys were not read: writing it would replace them with zeros. */
	if (g->locked) {
		gtxn_fail(t, SKM_EPERM);
		return;
	}
	genc_u64(&e, GREC_V1, 1);
	genc_u64(&e, g->rekey_on_removal != 0, 1);
	genc_u64(&e, t->st->kek != NULL, 1);
	genc_u64(&e, g->ngmk, 1);
	for (i = 0; i < g->ngmk; i++) {
		genc_u64(&e, g->gmk[i].id, 4);
		if (t->st->kek == NULL)
			genc_bytes(&e, g->gmk[i].key, GSTORE_GMK_LEN);
		else if ((rc = gstore_kek_seal(t->st, g->id, g->gmk[i].id, g->gmk[i].key,
		    sealed)) != 0)
			e.err = rc;
		else
			genc_bytes(&e, sealed, sizeof(sealed));
		genc_u64(&e, (uint64_t)g->gmk[i].activation, 8);
		genc_u64(&e, (uint64_t)g->gmk[i].expiry, 8);
		genc_u64(&e, (uint64_t)g->gmk[i].made, 8);
		genc_str(&e, g->gmk[i].text);
	}
	gkey_init(&k, GK_GROUP);
	gkey_str(&k, g->id);
	if (e.err != 0)
		gtxn_fail(t, e.err);
	else
		gtxn_put(t, &k, e.b, e.len);
	genc_free(&e);
}

int
grec_dlv_get(struct gtxn *t, uint64_t id, struct gstore_dlv *dl)
{
	struct gkey k;
	struct gdec d;
	const uint8_t *p;
	int rc;

	memset(dl, 0, sizeof(*dl));
	gkey_init(&k, GK_DLV);
	gkey_u64(&k, id);
	if ((rc = grec_open(t, &k, &d)) != 0)
		return rc;
	dl->id = id;
	dl->kind = (enum gstore_kind)gdec_u64(&d, 1);
	dl->state = (enum gstore_state)gdec_u64(&d, 1);
	dl->gmk_id = (uint32_t)gdec_u64(&d, 4);
	dl->attempts = (unsigned)gdec_u64(&d, 4);
	dl->created = (int64_t)gdec_u64(&d, 8);
	dl->next_send = (int64_t)gdec_u64(&d, 8);
	dl->answered = (int64_t)gdec_u64(&d, 8);
	dl->made = (int64_t)gdec_u64(&d, 8);
	gdec_str(&d, dl->user, sizeof(dl->user));
	gdec_str(&d, dl->group, sizeof(dl->group));
	gdec_str(&d, dl->reason, sizeof(dl->reason));
	dl->imsg_len = (size_t)gdec_u64(&d, 4);
	if ((p = gdec_view(&d, dl->imsg_len)) != NULL && dl->imsg_len > 0) {
		if ((dl->imsg = malloc(dl->imsg_len)) == NULL)
			return gtxn_fail(t, SKM_ENOMEM);
		memcpy(dl->imsg, p, dl->imsg_len);
	}
	if (d.err != 0) {
		gstore_dlv_clear(dl);
		return gtxn_fail(t, SKM_EPARSE);
	}
	return 0;
}

void
grec_dlv_put(struct gtxn *t, const struct gstore_dlv *dl)
{
	struct genc e = { NULL, 0, 0, 0 };
	struct gkey k;

	genc_u64(&e, GREC_V1, 1);
	genc_u64(&e, dl->kind, 1);
	genc_u64(&e, dl->state, 1);
	genc_u64(&e, dl->gmk_id, 4);
	genc_u64(&e, dl->attempts, 4);
	genc_u64(&e, (uint64_t)dl->created, 8);
	genc_u64(&e, (uint64_t)dl->next_send, 8);
	genc_u64(&e, (uint64_t)dl->answered, 8);
	genc_u64(&e, (uint64_t)dl->made, 8);
	genc_str(&e, dl->user);
	genc_str(&e, dl->group);
	genc_str(&e, dl->reason);
	genc_u64(&e, dl->imsg_len, 4);
	genc_bytes(&e, dl->imsg, dl->imsg_len);
	gkey_init(&k, GK_DLV);
	gkey_u64(&k, dl->id);
	if (e.err != 0)
		gtxn_fail(t, e.err);
	else
		gtxn_put(t, &k, e.b, e.len);
	genc_free(&e);
}

static void
sent_key(struct gkey *k, const char *user, const char *group, uint32_t gmk_id)
{
	gkey_init(k, GK_SENT);
	gkey_str(k, user);
	gkey_str(k, group);
	gkey_u64(k, gmk_id);
}

void
grec_dlv_queue(struct gtxn *t, const char *user, const char *group, enum gstore_kind kind,
    uint32_t gmk_id, int64_t now)
{
	struct gstore_dlv d;
	struct gkey k;
	uint8_t b[8];

	memset(&d, 0, sizeof(d));
	d.id = gtxn_seq(t);
	snprintf(d.user, sizeof(d.user), "%s", user);
	snprintf(d.group, sizeof(d.group), "%s", group);
	d.kind = kind;
	d.gmk_id = gmk_id;
	d.state = GSTORE_PENDING;
	d.created = now;
	/* Not sent yet: due at once (a member offline gets it on its first poll). */
	d.next_send = now;
	grec_dlv_put(t, &d);
	gkey_init(&k, GK_DUE);
	gkey_str(&k, user);
	gkey_u64(&k, d.id);
	gtxn_put(t, &k, "", 0);
	if (kind != GSTORE_KIND_GMK)
		return;
	gkey_init(&k, GK_UNMADE);
	gkey_u64(&k, d.id);
	gtxn_put(t, &k, "", 0);
	sent_key(&k, user, group, gmk_id);
	be_put(b, d.id, 8);
	gtxn_put(t, &k, b, 8);
}

int
grec_dlv_has(struct gtxn *t, const char *user, const char *group, uint32_t gmk_id)
{
	struct gstore_dlv d;
	struct gkey k;
	MDB_val v;
	int has;

	sent_key(&k, user, group, gmk_id);
	if (gtxn_get(t, &k, &v) != 0 || v.mv_size != 8)
		return 0;
	/* Purged (gstore_purge): it was answered. */
	if (grec_dlv_get(t, be_get(v.mv_data, 8), &d) != 0)
		return t->err == 0;
	/* A refused GMK may be sent again (after a fix at the member). */
	has = d.state != GSTORE_FAILURE;
	gstore_dlv_clear(&d);
	return has;
}

void
grec_sent_forget(struct gtxn *t, const char *user, const char *group)
{
	struct gkey pre, *keys = NULL;
	size_t n = 0, i;

	gkey_init(&pre, GK_SENT);
	gkey_str(&pre, user);
	gkey_str(&pre, group);
	if (gtxn_keys(t, &pre, 0, &keys, &n) != 0)
		return;
	for (i = 0; i < n; i++)
		gtxn_del(t, &keys[i]);
	free(keys);
}

void
grec_dlv_drop(struct gtxn *t, const char *user, const char *group, int all)
{
	struct gstore_dlv d;
	struct gkey pre, k, *keys = NULL;
	size_t n = 0, i;

	gkey_init(&pre, GK_DUE);
	gkey_str(&pre, user);
	if (gtxn_keys(t, &pre, 0, &keys, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (grec_dlv_get(t, gkey_tail(&keys[i]), &d) != 0)
			break;
		if (strcmp(d.group, group) == 0 && (all || d.kind == GSTORE_KIND_GMK)) {
			gtxn_del(t, &keys[i]);
			gkey_init(&k, GK_DLV);
			gkey_u64(&k, d.id);
			gtxn_del(t, &k);
			gkey_init(&k, GK_UNMADE);
			gkey_u64(&k, d.id);
			gtxn_del(t, &k);
			if (d.kind == GSTORE_KIND_GMK) {
				sent_key(&k, user, group, d.gmk_id);
				gtxn_del(t, &k);
			}
		}
		gstore_dlv_clear(&d);
	}
	free(keys);
}
