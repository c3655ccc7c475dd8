/* SPDX-License-Identifier: ISC */
/*
 * The audit journal (see auditj.h). A group on disk:
 *
 *   "SKAJ" | u32 payload length | u64 generation | 16-octet tag | payload
 *
 * all big-endian, the tag the first half of SHA-256 over the 16 octets
 * before it and the payload. The payload is a run of records:
 *
 *   u8 version (1) | i64 time | u8 len, action | u16 len, URI | u16 len, detail
 *
 * The file is written with O_DSYNC: a group is on disk when pwrite()
 * returns. Its blocks are written once when the file is made, so later
 * writes change no file metadata and cost one flush each. In write-back
 * mode (AUDITJ_WRITE_BACK) it is not: a group is in the page cache when
 * pwrite() returns, and one fdatasync() (auditj_flush) later puts every
 * group written before it on disk. A host crash between the two may leave
 * any subset of those blocks on disk; the tags and generation numbers end
 * the scan at the first group missing, as for a torn write.
 *
 * Where the file system takes it, writes also bypass the page cache
 * (O_DIRECT): 8-30% less CPU time per write and up to a quarter less
 * wait (contrib/bench-journal). They then cover whole AUDITJ_ALIGN
 * blocks: the block holding the end of the previous group is written
 * again, its octets before the new group the same as on disk (kept in
 * memory) and those after it zeros. A torn rewrite thus leaves the
 * earlier groups' octets as they were. Reads (at open and import) go
 * through the page cache, which direct writes keep coherent.
 */
/* O_DIRECT */
#define _GNU_SOURCE

#include "server/auditj.h"
#include "server/auditt.h"
#include "common/be.h"
#include "common/err.h"
#include "common/secfile.h"
#include "common/time.h"
#include "store/audit.h"
#include "store/identity.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define AUDITJ_MAGIC		"SKAJ"
#define AUDITJ_HEAD		32	/* magic, length, generation, tag */
#define AUDITJ_TAG		16
#define AUDITJ_REC_V1		1
#define AUDITJ_FILL		((size_t)1 << 20)	/* zeros written per call when made */
#define AUDITJ_ALIGN		4096	/* direct writes: offset and length in these */

struct auditj {
	int fd;
	int dfd;			/* the file opened O_DIRECT, or -1 */
	struct auditt tgt;		/* where generations move (auditt.h) */
	EVP_MD *sha256;
	pthread_mutex_t mu;
	pthread_mutex_t amu;		/* one auditj_append() at a time: it owns buf */
	uint64_t gen;			/* being written */
	size_t off;			/* in its half */
	double first;			/* monotonic time of its first group; 0: empty */
	uint64_t sealed;		/* waiting for import; 0: none */
	double sealed_first;		/* monotonic time of its first group */
	uint64_t imports;
	int failed;			/* the last import failed: SKM_E*, else 0 */
	uint8_t *buf;			/* one group being built (under amu) */
	uint8_t *blk;			/* direct writes: the tail block's start, then the group */
	int tail_known;			/* blk holds the start of the block at off */
	int write_back;			/* AUDITJ_WRITE_BACK */
	double flush_delay;		/* seconds */
	double dirty;			/* monotonic time of the oldest unflushed write; 0: none */
	int flush_rc;			/* the last flush failed: SKM_E*, else 0 */
	uint64_t flushes;
};

static int
auditj_tag(const struct auditj *j, const uint8_t *head, const uint8_t *payload,
    size_t len, uint8_t tag[AUDITJ_TAG])
{
	uint8_t d[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, j->sha256, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, head, 16) == 1 &&
	    EVP_DigestUpdate(ctx, payload, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, d, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	if (ok)
		memcpy(tag, d, AUDITJ_TAG);
	return ok ? 0 : SKM_ECRYPTO;
}

/* --- reading a half: at open, and to import a sealed generation --- */

/* Adds the records of one payload to the target; *idx numbers them in the generation. */
static int
auditj_load(struct auditj *j, uint32_t *idx, const uint8_t *p, size_t len)
{
	char action[256], detail[65536];
	struct audit_rec ar;
	size_t an, un, dn;
	int rc;

	while (len > 0) {
		if (len < 10 || p[0] != AUDITJ_REC_V1)
			return SKM_ESTORE;
		memset(&ar, 0, sizeof(ar));
		ar.time = (int64_t)be_get(p + 1, 8);
		an = p[9];
		p += 10;
		len -= 10;
		if (len < an + 2)
			return SKM_ESTORE;
		memcpy(action, p, an);
		action[an] = '\0';
		un = (size_t)be_get(p + an, 2);
		p += an + 2;
		len -= an + 2;
		if (len < un + 2)
			return SKM_ESTORE;
		ar.uri = p;
		ar.uri_len = un;
		dn = (size_t)be_get(p + un, 2);
		if (len < un + 2 + dn)
			return SKM_ESTORE;
		memcpy(detail, p + un + 2, dn);
		detail[dn] = '\0';
		ar.actor = "skmsd";
		ar.action = action;
		ar.detail = detail;
		if ((rc = j->tgt.ops->add(j->tgt.arg, &ar, (*idx)++)) != 0)
			return rc;
		p += un + 2 + dn;
		len -= un + 2 + dn;
	}
	return 0;
}

/*
 * Scans half h: *gen receives the generation of its valid groups (0: none)
 * and *end the offset after the last one. With move, the records of the
 * groups of generation want are added to the target.
 */
static int
auditj_scan(struct auditj *j, int h, uint64_t want, int move, uint64_t *gen,
    size_t *end)
{
	uint32_t idx = 0;
	uint8_t head[AUDITJ_HEAD], tag[AUDITJ_TAG], *payload = NULL;
	size_t off = 0, len;
	uint64_t g;
	ssize_t n;
	int rc = 0;

	*gen = 0;
	while (off + AUDITJ_HEAD <= AUDITJ_HALF) {
		n = pread(j->fd, head, sizeof(head), (off_t)((size_t)h * AUDITJ_HALF + off));
		if (n != (ssize_t)sizeof(head) || memcmp(head, AUDITJ_MAGIC, 4) != 0)
			break;
		len = (size_t)be_get(head + 4, 4);
		g = be_get(head + 8, 8);
		if (len == 0 || len > AUDITJ_GROUP_MAX || off + AUDITJ_HEAD + len > AUDITJ_HALF ||
		    (*gen != 0 && g != *gen) || g == 0)
			break;
		if ((payload = malloc(len)) == NULL)
			return SKM_ENOMEM;
		n = pread(j->fd, payload, len, (off_t)((size_t)h * AUDITJ_HALF + off +
		    AUDITJ_HEAD));
		/* A torn or stale group ends the generation: it was never acknowledged. */
		if (n != (ssize_t)len || auditj_tag(j, head, payload, len, tag) != 0 ||
		    CRYPTO_memcmp(tag, head + 16, AUDITJ_TAG) != 0) {
			free(payload);
			break;
		}
		*gen = g;
		if (move && g == want)
			rc = auditj_load(j, &idx, payload, len);
		OPENSSL_clear_free(payload, len);
		if (rc != 0)
			return rc;
		off += AUDITJ_HEAD + len;
	}
	if (end != NULL)
		*end = off;
	return 0;
}

/* Moves generation g (in half g % 2) into the target, with its mark. */
static int
auditj_move(struct auditj *j, uint64_t g)
{
	uint64_t seen;
	int rc;

	if ((rc = j->tgt.ops->begin(j->tgt.arg, g)) != 0)
		return rc;
	if ((rc = auditj_scan(j, (int)(g % 2), g, 1, &seen, NULL)) != 0) {
		j->tgt.ops->abort(j->tgt.arg);
		return rc;
	}
	return j->tgt.ops->commit(j->tgt.arg, g);
}

/* An unreachable target keeps records waiting; any other failure refuses new ones. */
static int
auditj_blocking(int rc)
{
	return rc == SKM_EUNREACH ? 0 : rc;
}

/* --- open and close --- */

/* Makes the file AUDITJ_HALF * 2 octets of written zeros, on disk. */
static int
auditj_make(int fd)
{
	uint8_t *z = calloc(1, AUDITJ_FILL);
	size_t off;
	int rc = 0;

	if (z == NULL)
		return SKM_ENOMEM;
	for (off = 0; off < 2 * AUDITJ_HALF && rc == 0; off += AUDITJ_FILL)
		if (pwrite(fd, z, AUDITJ_FILL, (off_t)off) != (ssize_t)AUDITJ_FILL)
			rc = SKM_EIO;
	free(z);
	if (rc == 0 && fsync(fd) != 0)
		rc = SKM_EIO;
	return rc;
}

/* A new file's name is on disk only once its directory is synced. */
static int
auditj_sync_dir(const char *path)
{
	char dir[4096];
	char *slash;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(dir))
		return SKM_ELEN;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return SKM_EIO;
	if (fsync(fd) != 0)
		rc = SKM_EIO;
	close(fd);
	return rc;
}

/*
 * A second descriptor with O_DIRECT, and the block buffer. A failure
 * leaves the page-cache writes: slower, as durable.
 */
static void
auditj_direct_open(struct auditj *j, const char *path)
{
	void *blk;

	if (posix_memalign(&blk, AUDITJ_ALIGN, AUDITJ_GROUP_MAX + AUDITJ_HEAD +
	    2 * AUDITJ_ALIGN) != 0)
		return;
	if ((j->dfd = open(path, O_RDWR | O_DIRECT | O_DSYNC | O_CLOEXEC)) < 0) {
		free(blk);
		return;
	}
	j->blk = blk;
}

int
auditj_open(const char *path, struct store *st, int flags, struct auditj **out,
    char *why, size_t whylen)
{
	struct auditt tgt;
	int rc;

	*out = NULL;
	if ((rc = auditt_lmdb(st, &tgt)) != 0)
		return rc;
	return auditj_open_target(path, &tgt, flags, out, why, whylen);
}

int
auditj_open_target(const char *path, struct auditt *tgt, int flags, struct auditj **out,
    char *why, size_t whylen)
{
	struct auditj *j;
	struct stat sb;
	uint64_t mark = 0, g[2];
	size_t end[2];
	int rc, h, first, unknown = 0, stuck = 0;
	struct timespec ts;

	*out = NULL;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		auditt_free(tgt);
		return SKM_ENOMEM;
	}
	j->tgt = *tgt;
	tgt->ops = NULL;
	tgt->arg = NULL;
	j->fd = j->dfd = -1;
	pthread_mutex_init(&j->mu, NULL);
	pthread_mutex_init(&j->amu, NULL);
	rc = SKM_ENOMEM;
	if ((j->buf = malloc(AUDITJ_HEAD + AUDITJ_GROUP_MAX)) == NULL)
		goto fail;
	rc = SKM_ECRYPTO;
	if ((j->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		goto fail;
	j->write_back = (flags & AUDITJ_WRITE_BACK) != 0;
	j->flush_delay = AUDITJ_FLUSH_MS / 1000.0;
	rc = SKM_EIO;
	if ((j->fd = open(path, O_RDWR | O_CREAT | (j->write_back ? 0 : O_DSYNC) |
	    O_CLOEXEC, 0600)) < 0 ||
	    fstat(j->fd, &sb) != 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* It names who got which key set: as private as the store. */
	if ((rc = secfile_mode_check(path, sb.st_mode, 077, why, whylen)) != 0)
		goto fail;
	if (sb.st_uid != geteuid()) {
		snprintf(why, whylen, "%s: must be owned by this user", path);
		rc = SKM_EPERM;
		goto fail;
	}
	if ((size_t)sb.st_size < 2 * AUDITJ_HALF) {
		if ((rc = auditj_make(j->fd)) == 0 && sb.st_size == 0)
			rc = auditj_sync_dir(path);
		if (rc != 0) {
			snprintf(why, whylen, "%s: cannot make the journal: %s", path,
			    skm_strerror(rc));
			goto fail;
		}
	}
	if ((rc = j->tgt.ops->mark(j->tgt.arg, &mark)) == SKM_EUNREACH) {
		/* Not known now: every generation in the file is moved (again). */
		unknown = 1;
		mark = 0;
	} else if (rc != 0) {
		snprintf(why, whylen, "store: %s", skm_strerror(rc));
		goto fail;
	}
	for (h = 0; h < 2; h++)
		if ((rc = auditj_scan(j, h, 0, 0, &g[h], &end[h])) != 0)
			goto fail;
	/*
	 * What a crash left: the generations after the mark, oldest first. One
	 * that cannot move now (a full store, say) stays where it is and the
	 * importer retries; meanwhile nothing new is accepted (auditj_append).
	 */
	first = g[0] <= g[1] ? 0 : 1;
	for (h = first; h < first + 2; h++) {
		if (g[h % 2] <= mark)
			continue;
		if (stuck == 0 && (stuck = auditj_move(j, g[h % 2])) == 0) {
			mark = g[h % 2];
			j->imports++;
		} else if (j->sealed == 0 && h == first && g[(h + 1) % 2] > mark) {
			/* The older of two: sealed; the newer is continued below. */
			j->sealed = g[h % 2];
			j->sealed_first = time_monotonic();
		} else {
			/* The newest: written on from its end, sealed when due. */
			j->gen = g[h % 2];
			j->off = end[h % 2];
			j->first = time_monotonic();
		}
	}
	j->failed = auditj_blocking(stuck);
	if (j->gen == 0) {
		j->gen = g[0] > mark ? g[0] : mark;
		j->gen = (g[1] > j->gen ? g[1] : j->gen) + 1;
	}
	/*
	 * A new journal whose target's mark is unknown (the database down at
	 * the first start of a node, or a node's journal lost) must not reuse
	 * a generation number the target has: those records would be taken
	 * for copies. Numbers from the clock in milliseconds stay above any
	 * earlier ones, since generations advance far slower than that.
	 */
	if (unknown && g[0] == 0 && g[1] == 0 &&
	    clock_gettime(CLOCK_REALTIME, &ts) == 0)
		j->gen = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (!(flags & (AUDITJ_PAGE_CACHE | AUDITJ_WRITE_BACK)))
		auditj_direct_open(j, path);
	if (stuck != 0)
		snprintf(why, whylen, "%s: records wait for the store: %s", path,
		    skm_strerror(stuck));
	*out = j;
	return 0;
fail:
	auditj_close(j, 0);
	return rc;
}

void
auditj_close(struct auditj *j, int flush)
{
	if (j == NULL)
		return;
	if (flush && j->fd >= 0) {
		/* A sealed generation first, then the current one. */
		(void)auditj_import(j);
		if (auditj_seal_due(j, 1))
			(void)auditj_import(j);
	}
	/* Records not imported (the store full or gone) stay, on disk. */
	if (j->fd >= 0)
		(void)auditj_flush(j);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dfd >= 0)
		close(j->dfd);
	auditt_free(&j->tgt);
	EVP_MD_free(j->sha256);
	free(j->buf);
	free(j->blk);
	pthread_mutex_destroy(&j->amu);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* --- writing --- */

/* One record into the group buffer at *len; 0, or 1 when it does not fit. */
static int
auditj_put(uint8_t *p, size_t cap, size_t *len, const struct auditj_rec *r)
{
	size_t an = strlen(r->action), dn = strlen(r->detail);
	size_t need = 10 + an + 2 + r->uri_len + 2 + dn;

	if (an > 255 || r->uri_len > 0xffff || dn > 0xffff)
		return -1;
	/* What the store refuses (store_audit_append) would never move in. */
	if (r->uri_len > STORE_URI_MAX || dn > AUDIT_TEXT_MAX)
		return -1;
	if (*len + need > cap)
		return 1;
	p += *len;
	p[0] = AUDITJ_REC_V1;
	be_put(p + 1, (uint64_t)r->time, 8);
	p[9] = (uint8_t)an;
	memcpy(p + 10, r->action, an);
	p += 10 + an;
	be_put(p, r->uri_len, 2);
	memcpy(p + 2, r->uri, r->uri_len);
	p += 2 + r->uri_len;
	be_put(p, dn, 2);
	memcpy(p + 2, r->detail, dn);
	*len += need;
	return 0;
}

/* The group of total octets to file offset at (j->off in its half); j->mu held. */
static int
auditj_pwrite(struct auditj *j, const uint8_t *group, size_t total, size_t at)
{
	size_t lead = j->off % AUDITJ_ALIGN, end, span;

	/*
	 * Direct when the start of the block at off is in blk: at a block
	 * boundary, or after a direct write. A generation continued from an
	 * earlier run (after a failed import) goes through the page cache
	 * until the next half.
	 */
	if (j->dfd >= 0 && (lead == 0 || j->tail_known)) {
		end = lead + total;
		span = (end + AUDITJ_ALIGN - 1) / AUDITJ_ALIGN * AUDITJ_ALIGN;
		memcpy(j->blk + lead, group, total);
		memset(j->blk + end, 0, span - end);
		if (pwrite(j->dfd, j->blk, span, (off_t)(at - lead)) == (ssize_t)span) {
			/* The new tail block's start, for the next group. */
			memmove(j->blk, j->blk + end - end % AUDITJ_ALIGN, end % AUDITJ_ALIGN);
			j->tail_known = 1;
			return 0;
		}
		if (errno != EINVAL)
			return SKM_EIO;
		/* Refused at this size or place: the page cache from now on. */
		close(j->dfd);
		j->dfd = -1;
	}
	j->tail_known = 0;
	return pwrite(j->fd, group, total, (off_t)at) == (ssize_t)total ? 0 : SKM_EIO;
}

int
auditj_direct(struct auditj *j)
{
	int d;

	pthread_mutex_lock(&j->mu);
	d = j->dfd >= 0;
	pthread_mutex_unlock(&j->mu);
	return d;
}

/* Writes the group in j->buf (payload of len octets) at the end of the current half. */
static int
auditj_write(struct auditj *j, size_t len)
{
	uint8_t *head = j->buf;
	size_t total = AUDITJ_HEAD + len;
	double now;
	int rc;

	pthread_mutex_lock(&j->mu);
	/*
	 * Records the store cannot take are not piled up: refuse until it can.
	 * After a failed flush the kernel may have dropped written pages:
	 * refuse until a flush succeeds.
	 */
	if (j->failed != 0 || j->flush_rc != 0) {
		rc = j->failed != 0 ? j->failed : j->flush_rc;
		pthread_mutex_unlock(&j->mu);
		return rc;
	}
	if (j->off + total > AUDITJ_HALF) {
		/* The half is full: move on, if the other half is free. */
		if (j->sealed != 0) {
			pthread_mutex_unlock(&j->mu);
			return SKM_EBUSY;
		}
		j->sealed = j->gen++;
		j->sealed_first = j->first;
		j->off = 0;
		j->first = 0;
	}
	memcpy(head, AUDITJ_MAGIC, 4);
	be_put(head + 4, len, 4);
	be_put(head + 8, j->gen, 8);
	if ((rc = auditj_tag(j, head, head + AUDITJ_HEAD, len, head + 16)) == 0)
		rc = auditj_pwrite(j, head, total, (size_t)(j->gen % 2) * AUDITJ_HALF + j->off);
	if (rc == 0) {
		if (j->off == 0 || (j->write_back && j->dirty == 0)) {
			now = time_monotonic();
			if (j->off == 0)
				j->first = now;
			if (j->write_back && j->dirty == 0)
				j->dirty = now;
		}
		j->off += total;
		/* Without write-back the write itself reached the disk. */
		if (!j->write_back)
			j->flushes++;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

int
auditj_append(struct auditj *j, const struct auditj_rec *recs, size_t n, size_t *done)
{
	uint8_t *payload = j->buf + AUDITJ_HEAD;
	size_t i = 0, first = 0, len = 0;
	int rc = 0;

	pthread_mutex_lock(&j->amu);
	while (i < n && rc == 0) {
		rc = auditj_put(payload, AUDITJ_GROUP_MAX, &len, &recs[i]);
		if (rc < 0 || (rc > 0 && len == 0)) {
			rc = SKM_EINVAL;
		} else if (rc == 0) {
			i++;
		} else if ((rc = auditj_write(j, len)) == 0) {
			first = i;
			len = 0;
		}
	}
	if (rc == 0 && len > 0 && (rc = auditj_write(j, len)) == 0)
		first = i;
	/* Groups written before a failure are on disk and will move in. */
	pthread_mutex_unlock(&j->amu);
	if (done != NULL)
		*done = first;
	return rc;
}

int
auditj_seal_due(struct auditj *j, int force)
{
	int sealed = 0;

	pthread_mutex_lock(&j->mu);
	if (j->sealed == 0 && j->off > 0 &&
	    (force || time_monotonic() - j->first >= AUDITJ_SEAL_MS / 1000.0)) {
		j->sealed = j->gen++;
		j->sealed_first = j->first;
		j->off = 0;
		j->first = 0;
		sealed = 1;
	}
	pthread_mutex_unlock(&j->mu);
	return sealed;
}

int
auditj_sealed(struct auditj *j)
{
	int s;

	pthread_mutex_lock(&j->mu);
	s = j->sealed != 0;
	pthread_mutex_unlock(&j->mu);
	return s;
}

int
auditj_import(struct auditj *j)
{
	uint64_t g;
	int rc;

	pthread_mutex_lock(&j->mu);
	g = j->sealed;
	pthread_mutex_unlock(&j->mu);
	if (g == 0)
		return 0;
	rc = auditj_move(j, g);
	pthread_mutex_lock(&j->mu);
	j->failed = auditj_blocking(rc);
	if (rc == 0) {
		j->sealed = 0;
		j->imports++;
	}
	pthread_mutex_unlock(&j->mu);
	return rc;
}

double
auditj_lag(struct auditj *j, double now)
{
	double oldest = 0;

	pthread_mutex_lock(&j->mu);
	if (j->sealed != 0)
		oldest = j->sealed_first;
	else if (j->off > 0)
		oldest = j->first;
	pthread_mutex_unlock(&j->mu);
	return oldest != 0 && now > oldest ? now - oldest : 0;
}

int
auditj_write_back(struct auditj *j)
{
	return j->write_back;
}

void
auditj_set_flush_ms(struct auditj *j, unsigned ms)
{
	pthread_mutex_lock(&j->mu);
	j->flush_delay = ms / 1000.0;
	pthread_mutex_unlock(&j->mu);
}

double
auditj_flush_when(double first, double delay, double now)
{
	double left;

	if (first == 0)
		return -1;
	left = first + delay - now;
	return left > 0 ? left : 0;
}

double
auditj_flush_wait(struct auditj *j, double now)
{
	double w;

	pthread_mutex_lock(&j->mu);
	w = auditj_flush_when(j->flush_rc != 0 && j->dirty == 0 ? now : j->dirty,
	    j->flush_delay, now);
	pthread_mutex_unlock(&j->mu);
	return w;
}

int
auditj_flush(struct auditj *j)
{
	double dirty;
	int rc, retry;

	if (!j->write_back)
		return 0;
	/*
	 * Writes from here on may or may not be covered by this flush: they
	 * start a new dirty span and are flushed again in theirs.
	 */
	pthread_mutex_lock(&j->mu);
	dirty = j->dirty;
	j->dirty = 0;
	retry = j->flush_rc != 0;
	pthread_mutex_unlock(&j->mu);
	if (dirty == 0 && !retry)
		return 0;
	rc = fdatasync(j->fd) == 0 ? 0 : SKM_EIO;
	pthread_mutex_lock(&j->mu);
	j->flush_rc = rc;
	if (rc == 0)
		j->flushes++;
	else if (j->dirty == 0 || dirty < j->dirty)
		j->dirty = dirty;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

uint64_t
auditj_flushes(struct auditj *j)
{
	uint64_t n;

	pthread_mutex_lock(&j->mu);
	n = j->flushes;
	pthread_mutex_unlock(&j->mu);
	return n;
}

uint64_t
auditj_imports(struct auditj *j)
{
	uint64_t n;

	pthread_mutex_lock(&j->mu);
	n = j->imports;
	pthread_mutex_unlock(&j->mu);
	return n;
}
