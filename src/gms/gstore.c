/* SPDX-License-Identifier: ISC */
/*
 * The GMS store's environment, transactions, keys and codec (see
 * gstore.h). A write transaction advances the change counter in the same
 * commit, so the counter never announces a change that is not there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "common/be.h"
#include "common/err.h"
#include "gms/gstore.h"
#include "gms/gstore_int.h"

int
gstore_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return SKM_ENOTFOUND;
	case MDB_KEYEXIST:
		return SKM_EEXIST;
	case MDB_BAD_VALSIZE:
		return SKM_ELEN;
	case MDB_MAP_FULL:
	case ENOSPC:
	case EIO:
		return SKM_EIO;
	case ENOMEM:
		return SKM_ENOMEM;
	case EACCES:
	case EPERM:
		return SKM_EPERM;
	case ENOENT:
		return SKM_ENOTFOUND;
	case MDB_READERS_FULL:
	case EBUSY:
	case EAGAIN:
		return SKM_EBUSY;
	default:
		return SKM_ESTORE;
	}
}

int
gstore_open(const char *dir, int flags, size_t map_size, struct gstore **out, char *why,
    size_t whylen)
{
	int create = (flags & GSTORE_CREATE) != 0;
	struct gstore *st;
	struct stat sb;
	MDB_txn *txn = NULL;
	int rc, dead;

	*out = NULL;
	if (stat(dir, &sb) != 0) {
		if (errno != ENOENT || !create) {
			snprintf(why, whylen, "%s: %s", dir, errno == ENOENT ?
			    "no store here (run 'skgmsctl init')" : strerror(errno));
			return errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO;
		}
		if (mkdir(dir, 0700) != 0) {
			snprintf(why, whylen, "%s: %s", dir, strerror(errno));
			return SKM_EIO;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		snprintf(why, whylen, "%s: not a directory", dir);
		return SKM_EINVAL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return SKM_ENOMEM;
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, map_size)) != 0 ||
	    (rc = mdb_env_set_maxreaders(st->env, 126)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS |
	    ((flags & GSTORE_LAZY) ? MDB_NOSYNC : 0), 0600)) != 0)
		goto fail;
	/* Readers a killed process left behind (kill -9) are released. */
	(void)mdb_reader_check(st->env, &dead);
	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &st->dbi)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		txn = NULL;
		goto fail;
	}
	*out = st;
	return 0;
fail:
	if (txn != NULL)
		mdb_txn_abort(txn);
	snprintf(why, whylen, "%s: %s", dir, mdb_strerror(rc));
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
	return gstore_err(rc);
}

int
gstore_sync(struct gstore *st)
{
	return gstore_err(mdb_env_sync(st->env, 1));
}

void
gstore_close(struct gstore *st)
{
	if (st == NULL)
		return;
	if (st->kek != NULL)
		OPENSSL_secure_clear_free(st->kek, GSTORE_KEK_LEN);
	mdb_env_close(st->env);
	free(st);
}

int
gtxn_begin(struct gstore *st, int write, struct gtxn *t)
{
	memset(t, 0, sizeof(*t));
	t->st = st;
	t->write = write;
	return t->err = gstore_err(mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY,
	    &t->txn));
}

int
gtxn_fail(struct gtxn *t, int err)
{
	if (t->err == 0)
		t->err = err;
	return t->err;
}

static uint64_t
gtxn_meta(struct gtxn *t, const char *name, int bump)
{
	struct gkey k;
	MDB_val v;
	uint8_t b[8];
	uint64_t n = 0;

	gkey_init(&k, GK_META);
	gkey_str(&k, name);
	if (gtxn_get(t, &k, &v) == 0 && v.mv_size == 8)
		n = be_get(v.mv_data, 8);
	if (bump) {
		be_put(b, ++n, 8);
		gtxn_put(t, &k, b, 8);
	}
	return n;
}

uint64_t
gtxn_seq(struct gtxn *t)
{
	return gtxn_meta(t, "seq", 1);
}

void
gtxn_abort(struct gtxn *t)
{
	if (t->txn != NULL)
		mdb_txn_abort(t->txn);
	t->txn = NULL;
}

int
gtxn_end(struct gtxn *t)
{
	if (t->txn == NULL)
		return t->err;
	if (t->err == 0 && t->write && !t->quiet)
		(void)gtxn_meta(t, "changes", 1);
	if (t->err != 0 || !t->write) {
		mdb_txn_abort(t->txn);
		t->txn = NULL;
		return t->err;
	}
	t->err = gstore_err(mdb_txn_commit(t->txn));
	t->txn = NULL;
	return t->err;
}

int
gstore_changes(struct gstore *st, uint64_t *out)
{
	struct gtxn t;

	*out = 0;
	if (gtxn_begin(st, 0, &t) != 0)
		return t.err;
	*out = gtxn_meta(&t, "changes", 0);
	return gtxn_end(&t);
}

int
gtxn_get(struct gtxn *t, const struct gkey *k, MDB_val *v)
{
	MDB_val key = { k->len, (void *)(uintptr_t)k->b };
	int rc;

	if (t->err != 0)
		return t->err;
	rc = mdb_get(t->txn, t->st->dbi, &key, v);
	if (rc == MDB_NOTFOUND)
		return SKM_ENOTFOUND;
	return gtxn_fail(t, gstore_err(rc));
}

void
gtxn_put(struct gtxn *t, const struct gkey *k, const void *v, size_t len)
{
	MDB_val key = { k->len, (void *)(uintptr_t)k->b };
	MDB_val val = { len, (void *)(uintptr_t)v };

	if (t->err == 0)
		gtxn_fail(t, gstore_err(mdb_put(t->txn, t->st->dbi, &key, &val, 0)));
}

void
gtxn_del(struct gtxn *t, const struct gkey *k)
{
	MDB_val key = { k->len, (void *)(uintptr_t)k->b };
	int rc;

	if (t->err != 0)
		return;
	rc = mdb_del(t->txn, t->st->dbi, &key, NULL);
	if (rc != MDB_NOTFOUND)
		gtxn_fail(t, gstore_err(rc));
}

void
gkey_init(struct gkey *k, uint8_t cls)
{
	k->b[0] = cls;
	k->len = 1;
}

void
gkey_str(struct gkey *k, const char *s)
{
	size_t n = strlen(s);

	/* Callers check the lengths; a longer string is cut, never overrun. */
	if (n > sizeof(k->b) - k->len - 9)
		n = sizeof(k->b) - k->len - 9;
	memcpy(k->b + k->len, s, n);
	k->len += n;
	k->b[k->len++] = '\0';
}

void
gkey_u64(struct gkey *k, uint64_t v)
{
	be_put(k->b + k->len, v, 8);
	k->len += 8;
}

static void
genc_room(struct genc *e, size_t n)
{
	uint8_t *b;
	size_t cap;

	if (e->err != 0 || e->len + n <= e->cap)
		return;
	cap = (e->cap == 0 ? 256 : e->cap * 2) + n;
	if ((b = OPENSSL_secure_zalloc(cap)) == NULL && (b = calloc(1, cap)) == NULL) {
		e->err = SKM_ENOMEM;
		return;
	}
	if (e->b != NULL)
		memcpy(b, e->b, e->len);
	genc_free(e);
	e->b = b;
	e->cap = cap;
}

void
genc_u64(struct genc *e, uint64_t v, size_t n)
{
	genc_room(e, n);
	if (e->err == 0) {
		be_put(e->b + e->len, v, n);
		e->len += n;
	}
}

void
genc_bytes(struct genc *e, const void *p, size_t n)
{
	genc_room(e, n);
	if (e->err == 0 && n > 0) {
		memcpy(e->b + e->len, p, n);
		e->len += n;
	}
}

void
genc_str(struct genc *e, const char *s)
{
	size_t n = strlen(s);

	genc_u64(e, n, 2);
	genc_bytes(e, s, n);
}

void
genc_free(struct genc *e)
{
	size_t len = e->len;

	if (e->b == NULL)
		return;
	if (CRYPTO_secure_allocated(e->b))
		OPENSSL_secure_clear_free(e->b, e->cap);
	else {
		OPENSSL_cleanse(e->b, e->cap);
		free(e->b);
	}
	e->b = NULL;
	e->cap = 0;
	e->len = len;
}

const uint8_t *
gdec_view(struct gdec *d, size_t n)
{
	const uint8_t *p = d->p;

	if (d->err != 0 || d->left < n) {
		d->err = SKM_EPARSE;
		return NULL;
	}
	d->p += n;
	d->left -= n;
	return p;
}

uint64_t
gdec_u64(struct gdec *d, size_t n)
{
	const uint8_t *p = gdec_view(d, n);

	return p != NULL ? be_get(p, n) : 0;
}

void
gdec_bytes(struct gdec *d, void *out, size_t n)
{
	const uint8_t *p = gdec_view(d, n);

	if (p != NULL)
		memcpy(out, p, n);
}

void
gdec_str(struct gdec *d, char *out, size_t cap)
{
	size_t n = (size_t)gdec_u64(d, 2);
	const uint8_t *p;

	if (d->err == 0 && n >= cap) {
		d->err = SKM_EPARSE;
		return;
	}
	if ((p = gdec_view(d, n)) == NULL) {
		out[0] = '\0';
		return;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

void
gstore_id_text(uint64_t id, char out[GSTORE_ID_LEN])
{
	snprintf(out, GSTORE_ID_LEN, "%llu", (unsigned long long)id);
}

int
gstore_id_parse(const char *text, uint64_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (text[0] == '\0' || text[0] == '0' || strlen(text) > 19)
		return SKM_EINVAL;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9')
			return SKM_EINVAL;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	*id = v;
	return 0;
}

unsigned
gstore_backoff(unsigned retry_min, unsigned retry_max, unsigned attempt)
{
	uint64_t d = retry_min;
	unsigned i;

	for (i = 1; i < attempt && d < retry_max; i++)
		d *= 2;
	return d > retry_max ? retry_max : (unsigned)d;
}

size_t
gstore_gmks_due(const struct gstore_group *g, int64_t now, size_t *first)
{
	size_t i;

	/* The newest GMK active at now, or the oldest when none is active yet. */
	*first = 0;
	for (i = 0; i < g->ngmk; i++)
		if (g->gmk[i].activation <= now)
			*first = i;
	return g->ngmk - *first;
}

void
gstore_dlv_clear(struct gstore_dlv *d)
{
	free(d->imsg);
	d->imsg = NULL;
	d->imsg_len = 0;
}

void
gstore_dlvs_free(struct gstore_dlv *d, size_t n)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < n; i++)
		gstore_dlv_clear(&d[i]);
	free(d);
}
