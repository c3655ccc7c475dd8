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
struct store_pgtxn;
struct pg_conn;		/* libpq's PGconn */
struct MDB_txn;

/* Record classes: the first key octet. Never renumber; add new ones. */
enum store_class {
	STORE_C_META = 0x00,		/* schema version, counters */
	STORE_C_DOMAIN = 0x10,		/* the one domain record */
	STORE_C_SECRETS = 0x11,		/* the sealed master secrets [|| u32 generation] */
	STORE_C_GENERATION = 0x12,	/* class || u32 generation */
	STORE_C_IDENTITY = 0x20,	/* class || URI */
	STORE_C_PERIOD = 0x21,		/* class || u16 len || URI || u64 period */
	STORE_C_TK = 0x22,		/* class || URI: sealed TrK/InK (tk.h) */
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

/* The store's backends. */
enum store_backend {
	STORE_BACKEND_LMDB = 0,		/* the default: an environment in path */
	STORE_BACKEND_POSTGRESQL,	/* the database named by conninfo */
};

/*
 * Where the store lives, as the config says (store.*, node.name). path is
 * the node's own directory with either backend (the LMDB environment with
 * lmdb). conninfo is a libpq connection string or URI without a password;
 * password_file (may be NULL or "") holds the password, read under the
 * secret-file rules. node names this node in the audit (NULL or "": the
 * host name).
 */
struct store_config {
	enum store_backend backend;
	const char *path;
	size_t mapsize;			/* LMDB map size; 0: default */
	const char *conninfo;
	const char *password_file;
	const char *node;
};

/*
 * Opens the store cf names. With lmdb, as store_open_why(). With
 * postgresql: creates cf->path (mode 0700) with STORE_CREATE, connects, checks the database's schema (absent: SKM_ENOTFOUND
 * unless flags has STORE_CREATE, which creates it; newer than this code:
 * SKM_ESTATE), and brings the records' schema up to date in one
 * transaction. Failures leave a reason in why naming the conninfo without
 * any password: SKM_EAUTH (the server refused the password or the role),
 * SKM_EUNREACH (no server there), SKM_EPERM (a password file refused).
 * A PostgreSQL store is one connection: one transaction at a time (a
 * second begin is SKM_EBUSY), from one thread at a time.
 */
int store_open_config(const struct store_config *cf, unsigned flags,
    struct store **out, char *why, size_t whylen);

/*
 * A libpq connection to the database cf names, made as store_open_config()
 * makes its own (password file, defaults, the same refusals and reasons)
 * but without looking at the schema: for a second connection of the same
 * process (a LISTEN for skms_change). display (may be NULL) gets the
 * conninfo without the password. The caller closes *out with PQfinish().
 */
int store_pg_connect(const struct store_config *cf, struct pg_conn **out,
    char *display, size_t displaylen, char *why, size_t whylen);

/*
 * On a connection of store_pg_connect() (display as it gave): is the
 * database's schema one this code reads? SKM_ENOTFOUND: no schema (run
 * skmsctl init); SKM_ESTATE: a newer one; SKM_EUNREACH: the connection
 * failed. why gets the reason, as store_open_config() gives it.
 */
int store_pg_schema_check(struct pg_conn *c, const char *display, char *why,
    size_t whylen);

/* The backend of an open store. */
enum store_backend store_backend_of(const struct store *st);

/*
 * The text of the last failure the backend reported (postgresql: the
 * server's message, one line); "" for lmdb. Valid until the next call on st.
 */
const char *store_why_last(const struct store *st);

/*
 * The store for messages: its directory (lmdb), or "postgresql
 * (conninfo)" without the password; never NULL.
 */
const char *store_name(const struct store *st);

/* The name of this node in the audit; never NULL. */
const char *store_node(const struct store *st);

/*
 * Copies every record of src into dst, an empty store of the other
 * backend, in one write transaction of dst over one read snapshot of src:
 * the records, the audit with its sequence numbers and next number, and
 * this node's journal mark. dst holding any record but its schema version
 * is SKM_EEXIST. why (may be NULL) gets the reason of a failure.
 */
int store_copy(struct store *src, struct store *dst, char *why, size_t whylen);

/*
 * Restores a store_backup() file into the store cf names: with lmdb as
 * store_restore() into cf->path; with postgresql, the file is verified,
 * its image copied to a private temporary directory (under TMPDIR) and
 * its records written into the database, which must hold no records yet
 * (its schema is created if missing), by store_copy().
 */
int store_restore_config(const struct store_config *cf, const char *file,
    char *why, size_t whylen);

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
	struct MDB_txn *txn;		/* lmdb */
	struct store_pgtxn *pg;		/* postgresql: the results read so far */
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
 * As store_backup(), for either backend, with the reason of a failure in
 * why (may be NULL). A PostgreSQL store is copied from one snapshot into a
 * private LMDB store in a temporary directory (under TMPDIR, removed
 * afterwards), which is backed up: a backup is in the LMDB image format
 * whatever the backend.
 */
int store_backup_why(struct store *st, const char *path, char *why, size_t whylen);

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
