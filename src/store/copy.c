/* SPDX-License-Identifier: ISC */
/*
 * Moving a whole store between backends. A backup is always the LMDB
 * image format of backup.c, whatever the backend: backing up a PostgreSQL
 * store copies one snapshot of it into a private LMDB store in a temporary
 * directory and backs that up; restoring into PostgreSQL restores the file
 * into such a directory (every check of store_restore() included) and
 * copies its records into the database. Each copy is one write transaction
 * of the target over one read snapshot of the source, so a failed copy
 * leaves the target as it was.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "store/audit.h"
#include "store/rec.h"
#include "common/err.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The map of a temporary LMDB copy: room for any database we would copy. */
#define COPY_MAPSIZE	((size_t)64 << 30)

struct copy_ctx {
	struct store_txn *dst;
	size_t records;
	size_t audit;
};

static int
copy_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, void *arg)
{
	struct copy_ctx *c = arg;

	if (key[0] == STORE_C_AUDIT) {
		if (klen != 9)
			return SKM_ESTORE;
		c->audit++;
		return store_audit_put_raw(c->dst, rec_get_be64(key + 1), val, vlen);
	}
	/* The audit counter and journal mark go through the audit functions. */
	if (key[0] == STORE_C_META && klen == 2 && (key[1] == STORE_META_AUDIT_SEQ ||
	    key[1] == STORE_META_AUDIT_JOURNAL))
		return 0;
	c->records++;
	return store_txn_put(c->dst, key, klen, val, vlen, 0);
}

/* 1 for any record but the schema version, which a new store holds. */
static int
copy_nonempty(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	(void)val;
	(void)vlen;
	if (klen == 2 && key[0] == STORE_C_META && key[1] == STORE_META_SCHEMA)
		return 0;
	*(int *)arg = 1;
	return 1;
}

static int
copy_audit_any(const struct audit_rec *r, void *arg)
{
	(void)r;
	*(int *)arg = 1;
	return 1;
}

int
store_copy(struct store *src, struct store *dst, char *why, size_t whylen)
{
	struct store_txn s, d;
	struct copy_ctx c = { &d, 0, 0 };
	uint64_t next, gen;
	int err, any = 0, fnerr = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((err = store_txn_begin(src, 0, &s)) != 0)
		return skm_why(why, whylen, err, "reading the %s store: %s", src->ops->name,
		    skm_strerror(err));
	if ((err = store_txn_begin(dst, 1, &d)) != 0) {
		store_txn_abort(&s);
		return skm_why(why, whylen, err, "writing the %s store: %s", dst->ops->name,
		    skm_strerror(err));
	}
	store_txn_scan(&d, NULL, 0, NULL, 0, copy_nonempty, &any);
	if (!any)
		store_audit_list(&d, INT64_MIN, NULL, 0, copy_audit_any, &any);
	if (d.err == 0 && any) {
		err = skm_why(why, whylen, SKM_EEXIST, "the %s store already holds records; "
		    "restore needs an empty one", dst->ops->name);
		goto out;
	}
	if ((err = store_txn_scan(&s, NULL, 0, NULL, 0, copy_one, &c)) != 0)
		goto fail;
	if (src->ops->audit_scan != NULL) {
		if ((err = src->ops->audit_scan(&s, copy_one, &c, &fnerr)) != 0 ||
		    (err = fnerr) != 0)
			goto fail;
	}
	if ((err = store_audit_next(&s, &next)) != 0 ||
	    (err = store_audit_set_next(&d, next)) != 0 ||
	    (err = store_audit_journal_get(&s, &gen)) != 0 ||
	    (gen != 0 && (err = store_audit_journal_put(&d, gen)) != 0))
		goto fail;
	store_txn_abort(&s);
	if ((err = store_txn_commit(&d)) != 0)
		goto fail;
	return 0;
fail:
	if (d.err != 0)
		err = d.err;
	skm_why(why, whylen, err, "copying the %s store into the %s store: %s%s%s",
	    src->ops->name, dst->ops->name, skm_strerror(err),
	    store_why_last(dst)[0] != '\0' || store_why_last(src)[0] != '\0' ? ": " : "",
	    store_why_last(dst)[0] != '\0' ? store_why_last(dst) : store_why_last(src));
out:
	store_txn_abort(&s);
	store_txn_abort(&d);
	return err;
}

/* A private temporary directory, and its removal with the store in it. */
static int
copy_tmpdir(char *dir, size_t cap)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base != '/')
		base = "/tmp";
	if (snprintf(dir, cap, "%s/skms-copy.XXXXXX", base) >= (int)cap)
		return SKM_ELEN;
	return mkdtemp(dir) == NULL ? skm_errno(errno) : 0;
}

static void
copy_rmdir(const char *dir, const char *sub)
{
	static const char *const files[] = { "data.mdb", "lock.mdb", "data.mdb.restore" };
	char path[PATH_MAX], d[PATH_MAX];
	size_t i;

	if (snprintf(d, sizeof(d), "%s%s%s", dir, sub != NULL ? "/" : "",
	    sub != NULL ? sub : "") >= (int)sizeof(d))
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (snprintf(path, sizeof(path), "%s/%s", d, files[i]) < (int)sizeof(path))
			unlink(path);
	if (sub != NULL)
		rmdir(d);
	rmdir(dir);
}

int
store_backup_why(struct store *st, const char *path, char *why, size_t whylen)
{
	struct store *tmp = NULL;
	char dir[PATH_MAX];
	int err;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (st->env != NULL)
		return store_backup(st, path);
	if ((err = copy_tmpdir(dir, sizeof(dir))) != 0)
		return skm_why(why, whylen, err, "a temporary directory: %s",
		    skm_strerror(err));
	/* Address space, not disk: the file grows only as the copy does. */
	if ((err = store_open_why(dir, 0, COPY_MAPSIZE, &tmp, why, whylen)) != 0)
		goto out;
	store_node_set(tmp, store_node(st));
	if ((err = store_copy(st, tmp, why, whylen)) != 0)
		goto out;
	if ((err = store_backup(tmp, path)) != 0)
		skm_why(why, whylen, err, "%s: %s", path, err == SKM_EEXIST ?
		    "exists already" : skm_strerror(err));
out:
	store_close(tmp);
	copy_rmdir(dir, NULL);
	return err;
}

int
store_restore_config(const struct store_config *cf, const char *file, char *why,
    size_t whylen)
{
	struct store *img = NULL, *st = NULL;
	char dir[PATH_MAX], sub[PATH_MAX];
	int err;

	if (cf->backend != STORE_BACKEND_POSTGRESQL)
		return store_restore(cf->path, file, why, whylen);
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((err = copy_tmpdir(dir, sizeof(dir))) != 0)
		return skm_why(why, whylen, err, "a temporary directory: %s",
		    skm_strerror(err));
	if (snprintf(sub, sizeof(sub), "%s/store", dir) >= (int)sizeof(sub)) {
		err = skm_why(why, whylen, SKM_ELEN, "%s: name too long", dir);
		goto out;
	}
	/* Every check of a restore (digest, schema) before the database is touched. */
	if ((err = store_restore(sub, file, why, whylen)) != 0 ||
	    (err = store_open_why(sub, 0, COPY_MAPSIZE, &img, why, whylen)) != 0 ||
	    (err = store_open_config(cf, STORE_CREATE, &st, why, whylen)) != 0)
		goto out;
	store_node_set(img, store_node(st));
	err = store_copy(img, st, why, whylen);
out:
	store_close(st);
	store_close(img);
	copy_rmdir(dir, "store");
	return err;
}
