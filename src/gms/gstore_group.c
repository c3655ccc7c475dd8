/* SPDX-License-Identifier: ISC */
/*
 * Groups and members in the GMS store, and the deliveries a membership
 * change queues (the semantics of 'skmc gms'): implicit members get the
 * group's GMKs once added, explicit ones once subscribed; a removal
 * tells the removed member and, with the rekey-on-removal profile, gives
 * the others a new GMK. Each function is one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "gms/gstore.h"
#include "gms/gstore_int.h"

static int
id_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

static void
member_key(struct gkey *k, const char *group, const char *uri)
{
	gkey_init(k, GK_MEMBER);
	gkey_str(k, group);
	gkey_str(k, uri);
}

static int
member_get(struct gtxn *t, const char *group, const char *uri, struct gstore_member *m)
{
	struct gkey k;
	MDB_val v;
	int rc;

	memset(m, 0, sizeof(*m));
	member_key(&k, group, uri);
	if ((rc = gtxn_get(t, &k, &v)) != 0)
		return rc;
	if (v.mv_size != 3 || ((uint8_t *)v.mv_data)[0] != 1)
		return gtxn_fail(t, SKM_EPARSE);
	snprintf(m->uri, sizeof(m->uri), "%s", uri);
	m->explicit_aff = ((uint8_t *)v.mv_data)[1];
	m->subscribed = ((uint8_t *)v.mv_data)[2];
	return 0;
}

static void
member_put(struct gtxn *t, const char *group, const struct gstore_member *m)
{
	struct gkey k;
	uint8_t v[3] = { 1, m->explicit_aff != 0, m->subscribed != 0 };

	member_key(&k, group, m->uri);
	gtxn_put(t, &k, v, sizeof(v));
}

static int
authorised(const struct gstore_member *m)
{
	return !m->explicit_aff || m->subscribed;
}

/* The group's due GMKs that uri has neither pending nor accepted. */
static void
queue_gmks(struct gtxn *t, const struct gstore_group *g, const char *uri, int64_t now,
    size_t *queued)
{
	size_t first, i;

	(void)gstore_gmks_due(g, now, &first);
	for (i = first; i < g->ngmk; i++) {
		if (grec_dlv_has(t, uri, g->id, g->gmk[i].id))
			continue;
		grec_dlv_queue(t, uri, g->id, GSTORE_KIND_GMK, g->gmk[i].id, now);
		(*queued)++;
	}
}

/* Member URIs of group (keys' tails as strings), malloc'ed. */
static int
member_list(struct gtxn *t, const char *group, struct gstore_member **out, size_t *n)
{
	struct gkey pre, *keys = NULL;
	size_t i, k = 0, plen;

	*out = NULL;
	*n = 0;
	gkey_init(&pre, GK_MEMBER);
	gkey_str(&pre, group);
	plen = pre.len;
	if (gtxn_keys(t, &pre, 0, &keys, n) != 0)
		return t->err;
	if (*n > 0 && (*out = calloc(*n, sizeof(**out))) == NULL) {
		free(keys);
		return gtxn_fail(t, SKM_ENOMEM);
	}
	for (i = 0; i < *n; i++) {
		char uri[GSTORE_URI_MAX + 1];
		size_t len = keys[i].len - plen - 1;

		if (len > GSTORE_URI_MAX)
			continue;
		memcpy(uri, keys[i].b + plen, len);
		uri[len] = '\0';
		if (member_get(t, group, uri, &(*out)[k]) == 0)
			k++;
	}
	*n = k;
	free(keys);
	return t->err;
}

/*
 * Makes gmk the group's newest. Older ones are kept while there is room:
 * a member offline since may still be owed one (an I_MESSAGE is made
 * anew when it was made too long ago), and its receiver picks the latest
 * activation anyway.
 */
static void
push_gmk(struct gstore_group *g, const struct gstore_gmk *gmk)
{
	size_t i;

	if (g->ngmk == GSTORE_GMKS) {
		for (i = 1; i < g->ngmk; i++)
			g->gmk[i - 1] = g->gmk[i];
		g->ngmk--;
		OPENSSL_cleanse(&g->gmk[g->ngmk], sizeof(g->gmk[0]));
	}
	g->gmk[g->ngmk++] = *gmk;
}

/* Sends gmk of g to every authorised member. */
static void
queue_all(struct gtxn *t, const struct gstore_group *g, uint32_t gmk_id, int64_t now,
    size_t *queued)
{
	struct gstore_member *m = NULL;
	size_t n = 0, i;

	if (member_list(t, g->id, &m, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		if (!authorised(&m[i]) || grec_dlv_has(t, m[i].uri, g->id, gmk_id))
			continue;
		grec_dlv_queue(t, m[i].uri, g->id, GSTORE_KIND_GMK, gmk_id, now);
		(*queued)++;
	}
	free(m);
}

int
gstore_group_create(struct gstore *st, const char *id, int rekey_on_removal)
{
	struct gstore_group g;
	struct gtxn t;

	if (!id_ok(id, GSTORE_GROUP_MAX))
		return SKM_EINVAL;
	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, id, &g) == 0)
		gtxn_fail(&t, SKM_EEXIST);
	memset(&g, 0, sizeof(g));
	snprintf(g.id, sizeof(g.id), "%s", id);
	g.rekey_on_removal = rekey_on_removal;
	grec_group_put(&t, &g);
	return gtxn_end(&t);
}

int
gstore_group_delete(struct gstore *st, const char *id)
{
	struct gstore_group g;
	struct gstore_member *m = NULL;
	struct gkey k;
	struct gtxn t;
	size_t n = 0, i;

	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, id, &g) != 0)
		gtxn_fail(&t, SKM_ENOTFOUND);
	OPENSSL_cleanse(&g, sizeof(g));
	member_list(&t, id, &m, &n);
	for (i = 0; i < n && t.err == 0; i++) {
		grec_dlv_drop(&t, m[i].uri, id, 1);
		grec_sent_forget(&t, m[i].uri, id);
		member_key(&k, id, m[i].uri);
		gtxn_del(&t, &k);
	}
	free(m);
	gkey_init(&k, GK_GROUP);
	gkey_str(&k, id);
	gtxn_del(&t, &k);
	return gtxn_end(&t);
}

int
gstore_group_get(struct gstore *st, const char *id, struct gstore_group *g)
{
	struct gtxn t;
	int rc;

	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	rc = grec_group_get(&t, id, g);
	gtxn_end(&t);
	return rc;
}

int
gstore_groups(struct gstore *st, struct gstore_group **out, size_t *n)
{
	struct gkey pre, *keys = NULL;
	struct gtxn t;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	gkey_init(&pre, GK_GROUP);
	if (gtxn_keys(&t, &pre, 0, &keys, n) == 0 && *n > 0 &&
	    (*out = calloc(*n, sizeof(**out))) == NULL)
		gtxn_fail(&t, SKM_ENOMEM);
	for (i = 0; i < *n && t.err == 0; i++) {
		keys[i].b[keys[i].len - 1] = '\0';
		if (grec_group_get(&t, (const char *)keys[i].b + 1, &(*out)[k]) == 0)
			k++;
	}
	free(keys);
	*n = k;
	if (gtxn_end(&t) != 0) {
		gstore_groups_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return t.err;
}

void
gstore_groups_free(struct gstore_group *g, size_t n)
{
	if (g == NULL)
		return;
	OPENSSL_cleanse(g, n * sizeof(*g));
	free(g);
}

int
gstore_members(struct gstore *st, const char *group, struct gstore_member **out, size_t *n)
{
	struct gtxn t;

	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	member_list(&t, group, out, n);
	if (gtxn_end(&t) != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return t.err;
}

int
gstore_user_groups(struct gstore *st, const char *user,
    char (**groups)[GSTORE_GROUP_MAX + 1], struct gstore_member **mem, size_t *n)
{
	struct gstore_group *g = NULL;
	size_t ng = 0, i, k = 0;
	struct gtxn t;
	int rc;

	*groups = NULL;
	*mem = NULL;
	*n = 0;
	if ((rc = gstore_groups(st, &g, &ng)) != 0)
		return rc;
	if (ng > 0 && ((*groups = calloc(ng, sizeof(**groups))) == NULL ||
	    (*mem = calloc(ng, sizeof(**mem))) == NULL)) {
		rc = SKM_ENOMEM;
		goto out;
	}
	if ((rc = gtxn_begin(st, 0, &t)) != 0)
		goto out;
	for (i = 0; i < ng; i++)
		if (member_get(&t, g[i].id, user, &(*mem)[k]) == 0)
			snprintf((*groups)[k++], GSTORE_GROUP_MAX + 1, "%s", g[i].id);
	rc = gtxn_end(&t);
	*n = k;
out:
	gstore_groups_free(g, ng);
	if (rc != 0) {
		free(*groups);
		free(*mem);
		*groups = NULL;
		*mem = NULL;
		*n = 0;
	}
	return rc;
}

int
gstore_member_add(struct gstore *st, const char *group, const char *const *uris, size_t n,
    int explicit_aff, int64_t now, size_t *bad, size_t *queued)
{
	struct gstore_group g;
	struct gstore_member m;
	struct gtxn t;
	size_t i, q = 0;

	*bad = 0;
	for (i = 0; i < n; i++)
		if (!id_ok(uris[i], GSTORE_URI_MAX)) {
			*bad = i;
			return SKM_EINVAL;
		}
	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, group, &g) != 0)
		gtxn_fail(&t, SKM_ENOTFOUND);
	for (i = 0; i < n && t.err == 0; i++) {
		if (member_get(&t, group, uris[i], &m) == 0) {
			*bad = i;
			gtxn_fail(&t, SKM_EEXIST);
			break;
		}
		memset(&m, 0, sizeof(m));
		snprintf(m.uri, sizeof(m.uri), "%s", uris[i]);
		m.explicit_aff = explicit_aff;
		member_put(&t, group, &m);
		/* A member added twice in one call is refused, not queued twice. */
		if (!explicit_aff)
			queue_gmks(&t, &g, uris[i], now, &q);
	}
	OPENSSL_cleanse(&g, sizeof(g));
	if (gtxn_end(&t) == 0 && queued != NULL)
		*queued = q;
	return t.err;
}

int
gstore_member_remove(struct gstore *st, const char *group, const char *uri,
    const struct gstore_gmk *gmk, int64_t now, size_t *queued)
{
	struct gstore_group g;
	struct gstore_member m;
	struct gkey k;
	struct gtxn t;
	size_t q = 0;

	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, group, &g) != 0 || member_get(&t, group, uri, &m) != 0)
		gtxn_fail(&t, SKM_ENOTFOUND);
	member_key(&k, group, uri);
	gtxn_del(&t, &k);
	/* What it has not fetched yet it must not get; it is told to erase the rest. */
	grec_dlv_drop(&t, uri, group, 0);
	/* It is told to erase them: added again, it gets them again. */
	grec_sent_forget(&t, uri, group);
	grec_dlv_queue(&t, uri, group, GSTORE_KIND_REMOVAL, 0, now);
	q++;
	if (g.rekey_on_removal && g.ngmk > 0 && gmk != NULL && t.err == 0) {
		push_gmk(&g, gmk);
		grec_group_put(&t, &g);
		queue_all(&t, &g, gmk->id, now, &q);
	}
	OPENSSL_cleanse(&g, sizeof(g));
	if (gtxn_end(&t) == 0 && queued != NULL)
		*queued = q;
	return t.err;
}

int
gstore_subscribe(struct gstore *st, const char *group, const char *uri, int on,
    int64_t now, size_t *queued)
{
	struct gstore_group g;
	struct gstore_member m;
	struct gtxn t;
	size_t q = 0;

	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, group, &g) != 0 || member_get(&t, group, uri, &m) != 0)
		gtxn_fail(&t, SKM_ENOTFOUND);
	if (t.err == 0 && m.explicit_aff) {
		m.subscribed = on;
		member_put(&t, group, &m);
		if (on)
			queue_gmks(&t, &g, uri, now, &q);
		else
			grec_dlv_drop(&t, uri, group, 0);
	}
	OPENSSL_cleanse(&g, sizeof(g));
	if (gtxn_end(&t) == 0 && queued != NULL)
		*queued = q;
	return t.err;
}

int
gstore_rekey(struct gstore *st, const char *group, const struct gstore_gmk *gmk,
    int64_t now, size_t *queued)
{
	struct gstore_group g;
	struct gtxn t;
	size_t q = 0, i;

	if (gtxn_begin(st, 1, &t) != 0)
		return t.err;
	if (grec_group_get(&t, group, &g) != 0)
		gtxn_fail(&t, SKM_ENOTFOUND);
	/* Receivers refuse a GMK-ID they hold: never reuse a kept one. */
	for (i = 0; i < g.ngmk; i++)
		if (g.gmk[i].id == gmk->id)
			gtxn_fail(&t, SKM_EEXIST);
	if (t.err == 0) {
		push_gmk(&g, gmk);
		grec_group_put(&t, &g);
		queue_all(&t, &g, gmk->id, now, &q);
	}
	OPENSSL_cleanse(&g, sizeof(g));
	if (gtxn_end(&t) == 0 && queued != NULL)
		*queued = q;
	return t.err;
}
