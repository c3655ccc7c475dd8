/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by the files of src/store: the environment handle and
 * the mapping of LMDB codes to SKM_E*. Not for use outside src/store.
 */
#ifndef SKM_STORE_STORE_INT_H
#define SKM_STORE_STORE_INT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct store_pg;

/*
 * A backend's primitives, called by txn.c once the sticky error, the
 * transaction's state and the key length are checked; each returns 0 or an
 * SKM_E* code that txn.c makes sticky (a get's or the audit's miss
 * excepted). The audit entries are a backend's own where the audit
 * functions are set (postgresql), else records of class STORE_C_AUDIT.
 */
struct store_ops {
	const char *name;
	int (*begin)(struct store_txn *t);
	int (*commit)(struct store_txn *t);
	void (*abort)(struct store_txn *t);
	int (*put)(struct store_txn *t, const uint8_t *key, size_t klen,
	    const uint8_t *val, size_t vlen, unsigned flags);
	int (*get)(struct store_txn *t, const uint8_t *key, size_t klen,
	    const uint8_t **val, size_t *vlen);
	int (*del)(struct store_txn *t, const uint8_t *key, size_t klen);
	int (*scan)(struct store_txn *t, const uint8_t *prefix, size_t plen,
	    const uint8_t *from, size_t flen, store_scan_fn *fn, void *arg,
	    int *fnerr);
	int (*del_prefix)(struct store_txn *t, const uint8_t *prefix, size_t plen,
	    size_t *n);
	void (*close)(struct store *st);

	/* The audit (audit.c), when the backend keeps it apart. */
	int (*audit_add)(struct store_txn *t, uint64_t seq, uint64_t gen,
	    uint32_t idx, const uint8_t *rec, size_t len, uint64_t *seqout);
	int (*audit_scan)(struct store_txn *t, store_scan_fn *fn, void *arg,
	    int *fnerr);
	int (*audit_remove)(struct store_txn *t, uint64_t first, uint64_t last);
	int (*audit_next)(struct store_txn *t, uint64_t *next);
	int (*audit_set_next)(struct store_txn *t, uint64_t next);
	int (*journal_get)(struct store_txn *t, uint64_t *gen, int *found);
	int (*journal_put)(struct store_txn *t, uint64_t gen);
};

extern const struct store_ops store_lmdb_ops;
extern const struct store_ops store_pg_ops;

struct store {
	const struct store_ops *ops;
	MDB_env *env;			/* lmdb */
	MDB_dbi dbi;
	struct store_pg *pg;		/* postgresql */
	char node[256];			/* this node's name in the audit */
	char name[1100];		/* the directory, or postgresql (conninfo) */
};

/* Opens the postgresql store cf names (pg.c); as store_open_config(). */
int store_pg_open(const struct store_config *cf, unsigned flags,
    struct store **out, char *why, size_t whylen);

/*
 * Adds an audit entry of value rec (audit.c's encoding) under number seq
 * (0: the next), as a backend keeping its own audit does. For store_copy().
 */
int store_audit_put_raw(struct store_txn *t, uint64_t seq, const uint8_t *rec,
    size_t len);

/* The next audit number, and setting it (store_copy()). */
int store_audit_next(struct store_txn *t, uint64_t *next);
int store_audit_set_next(struct store_txn *t, uint64_t next);

/* The node name cf gives, else the host name, into st->node. */
void store_node_set(struct store *st, const char *name);

/* The SKM_E* code for an LMDB or errno return code. */
int store_err(int rc);

/* dir is a directory without group or other permissions; else why says why. */
int store_dir_check(const char *dir, char *why, size_t whylen);

/*
 * The backup file (backup.c, restore.c): a header of BACKUP_HEAD_LEN
 * octets (magic, u32 format version, u32 zero, u64 image length, all
 * big-endian), the LMDB image, and the SHA-256 of header and image. The
 * magic's top bit and newline show a transfer in text mode.
 */
#define BACKUP_MAGIC		"\x89SKMSBK\n"
#define BACKUP_MAGIC_LEN	8
#define BACKUP_VERSION		1
#define BACKUP_HEAD_LEN		24
#define BACKUP_DIGEST_LEN	32

/*
 * Hashes head and len octets of fd from offset BACKUP_HEAD_LEN into
 * digest, copying them to out unless out is -1. Reads with pread(2), never
 * maps: a file that shrinks underneath is SKM_ELEN, not a SIGBUS.
 */
int backup_hash(int fd, const uint8_t *head, uint64_t len, int out,
    uint8_t digest[BACKUP_DIGEST_LEN]);

/* 1 if the n octets at p start an LMDB data file (its meta page). */
int backup_is_lmdb(const uint8_t *p, size_t n);

/* fsync(2) of the directory dir, after creating or renaming a file in it. */
int backup_sync_dir(const char *dir);

#endif
