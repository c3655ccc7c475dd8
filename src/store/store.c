/* SPDX-License-Identifier: ISC */
/*
 * Opening and closing the store's LMDB environment, and what concerns the
 * environment as a whole: how full it is, and making freed pages reusable.
 * Durability is LMDB's default (fsync at every commit): never MDB_NOSYNC
 * or MDB_NOMETASYNC, since an acknowledged admin change must survive a
 * crash. Reads no config.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "common/err.h"
#include "common/secfile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int
store_dir_check(const char *dir, char *why, size_t whylen)
{
	struct stat sb;

	if (stat(dir, &sb) == -1)
		return skm_why(why, whylen, store_err(errno), "%s: %s", dir,
		    strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return skm_why(why, whylen, SKM_EINVAL, "%s: not a directory", dir);
	return secfile_mode_check(dir, sb.st_mode, S_IRWXG | S_IRWXO, why, whylen);
}

/*
 * One file of the environment, if it exists: a regular file (LMDB would
 * follow a link to anyone's file) without the permission bits in deny.
 */
static int
store_file_check(const char *dir, const char *name, unsigned deny, char *why,
    size_t whylen)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return skm_why(why, whylen, SKM_ELEN, "%s: name too long", dir);
	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : skm_why(why, whylen, store_err(errno),
		    "%s: %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return skm_why(why, whylen, SKM_EPERM, "%s: not a regular file", path);
	return secfile_mode_check(path, sb.st_mode, deny, why, whylen);
}

/*
 * The store is as private as the secrets it seals: the directory and
 * data.mdb give group and others nothing. lock.mdb holds no secret, but
 * whoever may write it can wedge every reader and writer: no group or
 * other writes. Checked before LMDB opens anything; with the directory
 * closed to others, nobody else can swap the files after the check.
 */
static int
store_perm_check(const char *dir, char *why, size_t whylen)
{
	int err;

	if ((err = store_dir_check(dir, why, whylen)) != 0 ||
	    (err = store_file_check(dir, "data.mdb", S_IRWXG | S_IRWXO, why,
	    whylen)) != 0)
		return err;
	return store_file_check(dir, "lock.mdb", S_IWGRP | S_IWOTH, why, whylen);
}

static int
open_dbi(struct store *st)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		return store_err(rc);
	if ((rc = mdb_dbi_open(txn, NULL, 0, &st->dbi)) != 0) {
		mdb_txn_abort(txn);
		return store_err(rc);
	}
	return store_err(mdb_txn_commit(txn));
}

int
store_open_why(const char *dir, unsigned flags, size_t mapsize, struct store **out,
    char *why, size_t whylen)
{
	struct store *st = NULL;
	struct store_txn t;
	mode_t old;
	int rc, dead, err;

	*out = NULL;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (dir == NULL || *dir == '\0')
		return SKM_EINVAL;
	if ((flags & STORE_CREATE) && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return skm_why(why, whylen, store_err(errno), "%s: %s", dir, strerror(errno));
	if ((err = store_perm_check(dir, why, whylen)) != 0)
		return err;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return SKM_ENOMEM;
	st->ops = &store_lmdb_ops;
	store_node_set(st, NULL);
	snprintf(st->name, sizeof(st->name), "%s", dir);
	if ((rc = mdb_env_create(&st->env)) != 0) {
		st->env = NULL;
		err = store_err(rc);
		goto out;
	}
	if ((rc = mdb_env_set_mapsize(st->env,
	    mapsize != 0 ? mapsize : STORE_MAPSIZE_DEFAULT)) != 0) {
		err = store_err(rc);
		goto out;
	}
	/*
	 * MDB_NOTLS: reader slots belong to transactions, not threads, so a
	 * read transaction can move to a worker thread. The umask makes the
	 * data and lock files 0600 whatever the caller's umask (process-wide:
	 * open stores at start-up, before threads).
	 */
	old = umask(077);
	rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600);
	umask(old);
	if (rc != 0) {
		err = store_err(rc);
		goto out;
	}
	/* Free reader slots left by processes that died (kill -9) mid-read. */
	if ((rc = mdb_reader_check(st->env, &dead)) != 0) {
		err = store_err(rc);
		goto out;
	}
	if ((err = open_dbi(st)) != 0)
		goto out;
	if ((err = store_txn_begin(st, 1, &t)) != 0)
		goto out;
	store_schema_migrate(&t);
	if ((err = store_txn_commit(&t)) != 0)
		goto out;
	*out = st;
	st = NULL;
out:
	store_close(st);
	return err;
}

int
store_open_size(const char *dir, unsigned flags, size_t mapsize,
    struct store **out)
{
	return store_open_why(dir, flags, mapsize, out, NULL, 0);
}

int
store_open(const char *dir, unsigned flags, struct store **out)
{
	return store_open_why(dir, flags, 0, out, NULL, 0);
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st);
	free(st);
}

void
store_node_set(struct store *st, const char *name)
{
	if (name != NULL && *name != '\0') {
		snprintf(st->node, sizeof(st->node), "%s", name);
		return;
	}
	if (gethostname(st->node, sizeof(st->node)) == -1 || st->node[0] == '\0')
		snprintf(st->node, sizeof(st->node), "localhost");
	st->node[sizeof(st->node) - 1] = '\0';
}

const char *
store_name(const struct store *st)
{
	return st->name;
}

const char *
store_node(const struct store *st)
{
	return st->node;
}

enum store_backend
store_backend_of(const struct store *st)
{
	return st->ops == &store_pg_ops ? STORE_BACKEND_POSTGRESQL : STORE_BACKEND_LMDB;
}

int
store_open_config(const struct store_config *cf, unsigned flags,
    struct store **out, char *why, size_t whylen)
{
	int err;

	*out = NULL;
	if (cf->backend == STORE_BACKEND_POSTGRESQL)
		return store_pg_open(cf, flags, out, why, whylen);
	if ((err = store_open_why(cf->path, flags, cf->mapsize, out, why, whylen)) != 0)
		return err;
	store_node_set(*out, cf->node);
	return 0;
}

int
store_usage(struct store *st, uint64_t *used, uint64_t *size)
{
	struct store_txn t;
	MDB_envinfo info;
	MDB_stat env, fs, ms;
	int rc, err;

	*used = 0;
	*size = 0;
	/* The database's size is its operators' to watch, not the map's. */
	if (st->env == NULL)
		return SKM_ESTATE;
	if ((err = store_txn_begin(st, 0, &t)) != 0)
		return err;
	/*
	 * Database 0 is LMDB's list of free pages, st->dbi the only other
	 * one; with the two meta pages that is every page not free.
	 */
	if ((rc = mdb_env_stat(st->env, &env)) != 0 ||
	    (rc = mdb_env_info(st->env, &info)) != 0 ||
	    (rc = mdb_stat(t.txn, 0, &fs)) != 0 ||
	    (rc = mdb_stat(t.txn, st->dbi, &ms)) != 0) {
		store_txn_abort(&t);
		return store_err(rc);
	}
	store_txn_abort(&t);
	*used = (uint64_t)env.ms_psize * (2 + fs.ms_branch_pages + fs.ms_leaf_pages +
	    fs.ms_overflow_pages + ms.ms_branch_pages + ms.ms_leaf_pages +
	    ms.ms_overflow_pages);
	*size = info.me_mapsize;
	return 0;
}

int
store_settle(struct store *st)
{
	static const uint8_t key[] = { STORE_C_META, STORE_META_SCHEMA };
	struct store_txn t;
	const uint8_t *v;
	uint8_t copy[16];
	size_t vlen;
	int err;

	/* Only LMDB keeps freed pages back for two commits. */
	if (st->env == NULL)
		return 0;
	if ((err = store_txn_begin(st, 1, &t)) != 0)
		return err;
	/* An unchanged put still writes: LMDB commits only dirty transactions. */
	if ((err = store_txn_get(&t, key, sizeof(key), &v, &vlen)) == 0) {
		if (vlen > sizeof(copy)) {
			err = store_txn_fail(&t, SKM_ESTORE);
		} else {
			memcpy(copy, v, vlen);
			err = store_txn_put(&t, key, sizeof(key), copy, vlen, 0);
		}
	}
	if (err != 0) {
		store_txn_abort(&t);
		return err;
	}
	return store_txn_commit(&t);
}
