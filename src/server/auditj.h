/* SPDX-License-Identifier: ISC */
/*
 * The audit journal: where skmsd makes a key set's audit record durable
 * before the reply leaves, at the cost of one synchronous write per group
 * of records, instead of an LMDB commit (a dozen page writes and two disk
 * flushes). The records move into the store in bulk a fraction of a second
 * later, and whatever a crash left in the journal moves at the next start.
 *
 * The file holds two halves. Records are written in generations: numbered
 * groups of records, each generation filling one half from its start
 * (generation g in half g % 2). A generation is sealed when its half is
 * full or it is older than AUDITJ_SEAL_MS, and then imported into the
 * store in one transaction that also records its number
 * (store_audit_journal_put), so no generation is imported twice. The
 * writer starts on a half only once the generation it held is in the
 * store. A group carries a SHA-256 tag: a torn write ends the scan of its
 * half, and such a group was never acknowledged.
 *
 * Thread use: appends from any thread (auditj_append serialises them),
 * one importer (auditj_seal_due, auditj_import) at a time; auditj_open
 * and auditj_close alone.
 */
#ifndef SKM_SERVER_AUDITJ_H
#define SKM_SERVER_AUDITJ_H

#include <stddef.h>
#include <stdint.h>

struct auditj;
struct store;

#define AUDITJ_HALF		((size_t)8 << 20)	/* octets per half */
#define AUDITJ_GROUP_MAX	((size_t)256 << 10)	/* octets per write */
#define AUDITJ_SEAL_MS		200

/* One record: a key set issued by skmsd. */
struct auditj_rec {
	int64_t time;			/* Unix seconds */
	const char *action;		/* e.g. "keyprov" */
	const char *uri;
	size_t uri_len;
	const char *detail;
};

/* auditj_open() flags: write through the page cache even where O_DIRECT works. */
#define AUDITJ_PAGE_CACHE	0x1
/*
 * Write-back: auditj_append() returns once its groups are written to the
 * file (the kernel's page cache), and auditj_flush() puts them on disk.
 * A killed process loses nothing; a host crash loses what was written
 * since the last flush. The flusher calls auditj_flush() when
 * auditj_flush_wait() says (auditq.c). Implies AUDITJ_PAGE_CACHE.
 */
#define AUDITJ_WRITE_BACK	0x2
#define AUDITJ_FLUSH_MS		10	/* default flush delay */

/*
 * Opens the journal at path (created 0600 and preallocated when missing)
 * and moves every generation the store lacks into st. When the store
 * cannot take them (full), they stay, why says so, and appends are refused
 * until an import succeeds. Fails only when the file cannot be used (why
 * receives the reason). Writes bypass the page cache where the file
 * system allows it, unless flags has AUDITJ_PAGE_CACHE.
 */
int auditj_open(const char *path, struct store *st, int flags, struct auditj **out,
    char *why, size_t whylen);

/*
 * As auditj_open(), moving generations into tgt (auditt.h), which is taken
 * over (freed by auditj_close, or here on failure). A target that cannot
 * be reached (SKM_EUNREACH) does not stop the journal: its generations
 * wait in the file and move when it returns, while appends go on until
 * both halves are full (SKM_EBUSY).
 */
struct auditt;
int auditj_open_target(const char *path, struct auditt *tgt, int flags,
    struct auditj **out, char *why, size_t whylen);

/*
 * Is the direct path open (O_DIRECT)? Writes then bypass the page cache,
 * except those continuing a generation from an earlier run.
 */
int auditj_direct(struct auditj *j);

/*
 * Writes n records as one or more groups and returns once they are on
 * disk. SKM_EBUSY: the half is full and the sealed one not yet imported
 * (retry after an import). After a failed import, that import's error
 * until one succeeds. SKM_EINVAL: a record the store would refuse (see
 * store_audit_append). *done (when not NULL) receives how many of recs,
 * from the first, are on disk even on error: a retry passes the rest.
 */
int auditj_append(struct auditj *j, const struct auditj_rec *recs, size_t n,
    size_t *done);

/*
 * Seals the current generation when it holds records and is older than
 * AUDITJ_SEAL_MS (or always, with force), provided no other generation
 * waits for import. Returns 1 when one was sealed.
 */
int auditj_seal_due(struct auditj *j, int force);

/* Imports the sealed generation, if any, into the store. 0 when nothing is left sealed. */
int auditj_import(struct auditj *j);

/* Is a generation sealed and waiting for auditj_import()? */
int auditj_sealed(struct auditj *j);

/*
 * Seconds from the oldest group not yet imported (sealed or being
 * written) to now (time_monotonic()); 0 when the journal holds none.
 * A generation left by an earlier run counts from the open.
 */
double auditj_lag(struct auditj *j, double now);

/* Was the journal opened with AUDITJ_WRITE_BACK? */
int auditj_write_back(struct auditj *j);

/* Milliseconds from the first unflushed write to its flush (write-back). */
void auditj_set_flush_ms(struct auditj *j, unsigned ms);

/*
 * When the flush is due: first is the monotonic time of the oldest write
 * not yet flushed (0: none), delay the flush delay in seconds. Returns the
 * seconds to wait from now (0: flush now), or -1 when nothing waits.
 */
double auditj_flush_when(double first, double delay, double now);

/* Seconds until auditj_flush() is due on j (auditj_flush_when()). */
double auditj_flush_wait(struct auditj *j, double now);

/*
 * Puts every group written so far on disk (fdatasync). Until a flush
 * succeeds after a failed one, appends fail with SKM_EIO: a record is
 * never acknowledged that may not reach the disk. Without write-back a
 * no-op.
 */
int auditj_flush(struct auditj *j);

/*
 * Writes that reached the disk since open (tests, metrics): the flushes
 * with write-back, the group writes without.
 */
uint64_t auditj_flushes(struct auditj *j);

/* Generations imported since open (tests, metrics). */
uint64_t auditj_imports(struct auditj *j);

/*
 * Closes the journal. With flush, the current generation is sealed and
 * imported first, so a clean stop leaves nothing to replay.
 */
void auditj_close(struct auditj *j, int flush);

#endif
