/* SPDX-License-Identifier: ISC */
/*
 * The skms store: one LMDB environment holding every record (domain, sealed
 * master secrets, identities, revocations, certificates, audit). skmsd and
 * skmsctl open the same environment from different processes; a committed
 * change is seen by every transaction begun after it. The store never reads
 * configuration and never derives keys: it stores what it is given.
 *
 * Layout: ONE unnamed LMDB database. Each key starts with a one-octet record
 * class (enum store_class) followed by big-endian fields, so LMDB's
 * byte order is numeric order within a class; each value starts with a
 * version octet. One database (rather than one per class) keeps a
 * transaction's work in one B-tree and makes a class a key range.
 *
 * Transactions carry a sticky error (as Knot's knot_lmdb): after the first
 * failure every operation is a no-op returning that error, and
 * store_txn_commit() aborts and returns it. A lookup miss (SKM_ENOTFOUND
 * from a get) is an answer, not a failure, and is not sticky; a change to
 * a missing record (delete, revoke) is a failure and is.
 */
#ifndef SKM_STORE_STORE_H
#define SKM_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct MDB_txn;

/* Record classes: the first key octet. Never renumber; add new ones. */
enum store_class {
	STORE_C_META = 0x00,		/* schema version, counters */
	STORE_C_DOMAIN = 0x10,		/* the one domain record */
	STORE_C_SECRETS = 0x11,		/* the sealed master secrets [|| u32 generation] */
	STORE_C_GENERATION = 0x12,	/* class || u32 generation */
	STORE_C_IDENTITY = 0x20,	/* class || URI */
	STORE_C_PERIOD = 0x21,		/* class || u16 len || URI || u64 period */
	STORE_C_CERT = 0x30,		/* class || CertUri */
	STORE_C_AUDIT = 0x40,		/* class || u64 sequence */
};

/* Second octet of a STORE_C_META key. */
enum store_meta {
	STORE_META_SCHEMA = 0x00,
	STORE_META_AUDIT_SEQ = 0x01,
	STORE_META_CACHENUM = 0x02,
	STORE_META_AUDIT_JOURNAL = 0x03,	/* last journal generation imported */
	STORE_META_GENERATION_SERIAL = 0x10,	/* bumped by each change of generations */
	STORE_META_REPLICA = 0x20,	/* cluster node: the last change applied (replica.c) */
};

#define STORE_SCHEMA_VERSION	2
#define STORE_MAPSIZE_DEFAULT	((size_t)1 << 30)
#define STORE_KEY_MAX		511	/* LMDB's default maximum key size */

/* store_open() flags. */
#define STORE_CREATE	0x1	/* create the directory (mode 0700) if missing */

/*
 * Opens (and with STORE_CREATE creates) the environment in dir, clears
 * reader slots left by dead processes, and brings the schema to
 * STORE_SCHEMA_VERSION in one write transaction. A store written by a newer
 * version is SKM_ESTATE. Files are created 0600. A directory or data.mdb
 * with any group or other permission, or a lock.mdb that group or others
 * may write, is SKM_EPERM and nothing is opened. *out is freed with
 * store_close(). Use a struct store only in the process that opened it.
 */
int store_open(const char *dir, unsigned flags, struct store **out);

/* As store_open() with an explicit LMDB map size in octets (0: default). */
int store_open_size(const char *dir, unsigned flags, size_t mapsize,
    struct store **out);

/*
 * As store_open_size(); a refused or missing directory or file also leaves
 * a reason naming it in why (may be NULL), else why is empty.
 */
int store_open_why(const char *dir, unsigned flags, size_t mapsize,
    struct store **out, char *why, size_t whylen);

/* Closes st; every transaction on it must have ended. NULL is allowed. */
void store_close(struct store *st);

/*
 * How full the store is: *used gets the octets of the pages in use (both
 * meta pages, the records' B-tree and LMDB's list of free pages, but not
 * the free pages themselves, which later writes reuse), *size the map
 * size in effect. A write needing more than size - used octets fails.
 * Costs one read transaction: cheap, but not for every request.
 */
int store_usage(struct store *st, uint64_t *used, uint64_t *size);

/*
 * Commits a transaction that rewrites one record unchanged, after one that
 * freed many pages (an audit archive). LMDB reuses a page freed by commit
 * N only from commit N + 2 on, since the snapshot before N stays the
 * fallback until then; in a full store where nothing else commits (every
 * write fails for want of room) the freed pages would otherwise never
 * become usable.
 */
int store_settle(struct store *st);

/*
 * A transaction. Lives on the caller's stack; begin it, run operations, and
 * end it with exactly one store_txn_commit() or store_txn_abort(). A read
 * transaction may be handed between threads (MDB_NOTLS) but used by one
 * thread at a time. Pointers returned by reads point into the map and stay
 * valid until the transaction ends or, in a write transaction, until the
 * next write.
 */
struct store_txn {
	struct store *st;
	struct MDB_txn *txn;
	int err;		/* first error; sticky */
	int write;
};

int store_txn_begin(struct store *st, int write, struct store_txn *t);
int store_txn_commit(struct store_txn *t);
void store_txn_abort(struct store_txn *t);

/* Records err as the transaction's error unless one is recorded; returns the recorded one. */
int store_txn_fail(struct store_txn *t, int err);

/* store_txn_put() flags. */
#define STORE_NOOVERWRITE	0x1	/* an existing key is SKM_EEXIST */

/* Raw record access for the record modules; keys are at most STORE_KEY_MAX. */
int store_txn_put(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t *val, size_t vlen, unsigned flags);
int store_txn_get(struct store_txn *t, const uint8_t *key, size_t klen,
    const uint8_t **val, size_t *vlen);
int store_txn_del(struct store_txn *t, const uint8_t *key, size_t klen);

/*
 * Calls fn for each record whose key starts with prefix, in key order,
 * starting at the first key >= from (NULL: the prefix). fn returns 0 to go
 * on, > 0 to stop (the scan then returns 0) or < 0 to stop with that error,
 * which is returned but not made sticky (it is the caller's, not the store's).
 * fn may read through t but must not write to it.
 */
typedef int store_scan_fn(const uint8_t *key, size_t klen, const uint8_t *val,
    size_t vlen, void *arg);
int store_txn_scan(struct store_txn *t, const uint8_t *prefix, size_t plen,
    const uint8_t *from, size_t flen, store_scan_fn *fn, void *arg);

/* Deletes every record whose key starts with prefix; *n (may be NULL) gets the count. */
int store_txn_del_prefix(struct store_txn *t, const uint8_t *prefix, size_t plen,
    size_t *n);

/* Reads the schema version recorded in an open transaction. */
int store_schema_get(struct store_txn *t, uint32_t *version);

/* Brings the schema to STORE_SCHEMA_VERSION inside the write transaction t. */
int store_schema_migrate(struct store_txn *t);

/*
 * Writes a backup of the whole store to path, a new file (SKM_EEXIST if it
 * exists) created with mode 0600, while other processes keep reading and
 * writing: a header (magic, format version, length), LMDB's compacted copy
 * of one read snapshot, and a SHA-256 digest of both. The file is read back
 * and verified before success is returned.
 */
int store_backup(struct store *st, const char *path);

/*
 * Restores a store_backup() file into dir, which must be empty and private
 * (it is created 0700 if missing). The whole file is verified first
 * (header, length, digest), read with read(2) and never mapped, so a
 * truncated, damaged or foreign file is refused before anything is
 * written: SKM_EPARSE (not a backup of this format, or an earlier bare
 * LMDB backup), SKM_ELEN (length), SKM_EVERIFY (digest), SKM_ESTATE (a
 * format or schema newer than this code). An older schema is migrated at
 * the next store_open(). why (may be NULL) gets the reason.
 */
int store_restore(const char *dir, const char *file, char *why, size_t whylen);

#endif
