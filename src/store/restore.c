/* SPDX-License-Identifier: ISC */
/*
 * Restore of a backup (format in store_int.h) into an empty store
 * directory. The backup is untrusted until verified: it is read with
 * pread(2), never mapped (a mapped file that is shorter than it claims
 * kills the reader with SIGBUS), and the whole of it is checked (header,
 * length, digest) before anything is written. It is then copied, hashed
 * again on the way, to a private file in the target that LMDB may open,
 * and renamed to data.mdb only once that copy checked out too.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "common/be.h"
#include "common/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* What the verification learnt: the header and the digest it holds. */
struct restore_src {
	const char *file;
	int fd;
	uint8_t head[BACKUP_HEAD_LEN];
	uint64_t len;
	uint8_t digest[BACKUP_DIGEST_LEN];
};

static ssize_t
read_at(int fd, uint8_t *buf, size_t len, off_t off)
{
	size_t n = 0;
	ssize_t r;

	while (n < len) {
		r = pread(fd, buf + n, len - n, off + (off_t)n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* A file that does not start with the magic: say what it looks like. */
static int
restore_foreign(const char *file, const uint8_t *head, size_t n, char *why,
    size_t whylen)
{
	if (n == 0)
		return skm_why(why, whylen, SKM_ELEN, "%s: empty, not a backup", file);
	if (n < BACKUP_MAGIC_LEN && memcmp(head, BACKUP_MAGIC, n) == 0)
		return skm_why(why, whylen, SKM_ELEN,
		    "%s: truncated: %zu octets, shorter than the backup header", file, n);
	if (backup_is_lmdb(head, n))
		return skm_why(why, whylen, SKM_EPARSE,
		    "%s: a bare LMDB file without a backup header (a copy of data.mdb, "
		    "or a backup of an earlier skms): it cannot be verified and is not "
		    "restored; see skmsctl(8)", file);
	return skm_why(why, whylen, SKM_EPARSE, "%s: not an skms backup (no backup header)",
	    file);
}

/* The whole file checked, nothing written. */
static int
restore_verify(struct restore_src *s, char *why, size_t whylen)
{
	uint8_t digest[BACKUP_DIGEST_LEN];
	struct stat sb;
	uint64_t size, version;
	ssize_t n;
	int err;

	if (fstat(s->fd, &sb) == -1)
		return skm_why(why, whylen, SKM_EIO, "%s: %s", s->file, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return skm_why(why, whylen, SKM_EINVAL, "%s: not a regular file", s->file);
	size = (uint64_t)sb.st_size;
	if ((n = read_at(s->fd, s->head, BACKUP_HEAD_LEN, 0)) == -1)
		return skm_why(why, whylen, SKM_EIO, "%s: %s", s->file, strerror(errno));
	if ((size_t)n < BACKUP_MAGIC_LEN || memcmp(s->head, BACKUP_MAGIC, BACKUP_MAGIC_LEN) != 0)
		return restore_foreign(s->file, s->head, (size_t)n, why, whylen);
	if (n < BACKUP_HEAD_LEN)
		return skm_why(why, whylen, SKM_ELEN,
		    "%s: truncated: %zd octets, shorter than the backup header", s->file, n);
	version = be_get(s->head + 8, 4);
	if (version != BACKUP_VERSION)
		return skm_why(why, whylen, version > BACKUP_VERSION ? SKM_ESTATE : SKM_EVERIFY,
		    "%s: backup format %llu, not format %d: newer than this skms, or damaged",
		    s->file, (unsigned long long)version, BACKUP_VERSION);
	if (be_get(s->head + 12, 4) != 0)
		return skm_why(why, whylen, SKM_EVERIFY, "%s: damaged backup header", s->file);
	s->len = be_get(s->head + 16, 8);
	if (size < BACKUP_HEAD_LEN + BACKUP_DIGEST_LEN ||
	    size - BACKUP_HEAD_LEN - BACKUP_DIGEST_LEN != s->len)
		return skm_why(why, whylen, SKM_ELEN, "%s: %llu octets, but the header "
		    "announces a %llu-octet store: truncated or damaged", s->file,
		    (unsigned long long)size, (unsigned long long)s->len);
	n = read_at(s->fd, s->digest, BACKUP_DIGEST_LEN, (off_t)(BACKUP_HEAD_LEN + s->len));
	if (n != BACKUP_DIGEST_LEN)
		return skm_why(why, whylen, n == -1 ? SKM_EIO : SKM_ELEN, "%s: %s", s->file,
		    n == -1 ? strerror(errno) : "truncated while read");
	if ((err = backup_hash(s->fd, s->head, s->len, -1, digest)) != 0)
		return skm_why(why, whylen, err, "%s: %s", s->file, err == SKM_ELEN ?
		    "truncated while read" : skm_strerror(err));
	if (CRYPTO_memcmp(digest, s->digest, sizeof(digest)) != 0)
		return skm_why(why, whylen, SKM_EVERIFY,
		    "%s: damaged backup: its SHA-256 digest does not match", s->file);
	return 0;
}

/* The schema version of a verified copy, read without a lock file beside it. */
static int
restore_schema(const char *file, uint32_t *version)
{
	struct store st = { .ops = &store_lmdb_ops };
	struct store_txn t;
	MDB_txn *txn;
	int rc, err;

	if ((rc = mdb_env_create(&st.env)) != 0)
		return store_err(rc);
	rc = mdb_env_open(st.env, file, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0600);
	if (rc != 0) {
		err = store_err(rc);
		goto out;
	}
	if ((rc = mdb_txn_begin(st.env, NULL, MDB_RDONLY, &txn)) != 0) {
		err = store_err(rc);
		goto out;
	}
	rc = mdb_dbi_open(txn, NULL, 0, &st.dbi);
	mdb_txn_abort(txn);
	if (rc != 0) {
		err = store_err(rc);
		goto out;
	}
	if ((err = store_txn_begin(&st, 0, &t)) != 0)
		goto out;
	err = store_schema_get(&t, version);
	store_txn_abort(&t);
	if (err == SKM_ENOTFOUND)
		err = SKM_ESTORE;
out:
	mdb_env_close(st.env);
	return err;
}

static int
dir_is_empty(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int err = 0;

	if ((d = opendir(dir)) == NULL)
		return store_err(errno);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			err = SKM_EEXIST;
			break;
		}
	closedir(d);
	return err;
}

/* dir, if it exists, is private and empty; with create, it exists afterwards. */
static int
restore_target(const char *dir, int create, int *made, char *why, size_t whylen)
{
	int err;

	*made = 0;
	if (create) {
		if (mkdir(dir, 0700) == 0)
			*made = 1;
		else if (errno != EEXIST)
			return skm_why(why, whylen, store_err(errno), "%s: %s", dir,
			    strerror(errno));
	}
	if ((err = store_dir_check(dir, why, whylen)) != 0)
		return !create && err == SKM_ENOTFOUND ? 0 : err;
	if ((err = dir_is_empty(dir)) != 0)
		return skm_why(why, whylen, err, "%s: %s", dir, err == SKM_EEXIST ?
		    "the store directory is not empty; restore needs an empty one" :
		    skm_strerror(err));
	return 0;
}

/* The verified backup into dir: a private copy, checked again, then renamed. */
static int
restore_copy(const struct restore_src *s, const char *dir, char *why, size_t whylen)
{
	uint8_t digest[BACKUP_DIGEST_LEN];
	char tmp[PATH_MAX], data[PATH_MAX];
	uint32_t version;
	int out = -1, err, have_tmp = 0;

	if (snprintf(data, sizeof(data), "%s/data.mdb", dir) >= (int)sizeof(data) ||
	    snprintf(tmp, sizeof(tmp), "%s/data.mdb.restore", dir) >= (int)sizeof(tmp))
		return skm_why(why, whylen, SKM_ELEN, "%s: name too long", dir);
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out == -1) {
		err = skm_why(why, whylen, store_err(errno), "%s: %s", tmp, strerror(errno));
		goto out;
	}
	have_tmp = 1;
	if (fchmod(out, 0600) == -1) {
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((err = backup_hash(s->fd, s->head, s->len, out, digest)) != 0) {
		skm_why(why, whylen, err, "copying %s: %s", s->file, skm_strerror(err));
		goto out;
	}
	/* What was written is what was verified, even if the file changed since. */
	if (CRYPTO_memcmp(digest, s->digest, sizeof(digest)) != 0) {
		err = skm_why(why, whylen, SKM_EVERIFY, "%s: changed while it was restored",
		    s->file);
		goto out;
	}
	if (fsync(out) == -1 || close(out) == -1) {
		out = -1;
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	out = -1;
	if ((err = restore_schema(tmp, &version)) != 0) {
		skm_why(why, whylen, err, "%s: not an skms store: %s", s->file,
		    skm_strerror(err));
		goto out;
	}
	if (version == 0 || version > STORE_SCHEMA_VERSION) {
		err = skm_why(why, whylen, SKM_ESTATE,
		    "%s: store schema %u, written by a newer version of skms", s->file,
		    (unsigned)version);
		goto out;
	}
	if (rename(tmp, data) == -1) {
		err = skm_why(why, whylen, store_err(errno), "%s: %s", data, strerror(errno));
		goto out;
	}
	have_tmp = 0;
	if ((err = backup_sync_dir(dir)) != 0)
		skm_why(why, whylen, err, "%s: %s", dir, skm_strerror(err));
out:
	if (out != -1)
		close(out);
	if (have_tmp)
		unlink(tmp);
	return err;
}

int
store_restore(const char *dir, const char *file, char *why, size_t whylen)
{
	struct restore_src s;
	int err, made = 0;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	memset(&s, 0, sizeof(s));
	s.file = file;
	if ((s.fd = open(file, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
		return skm_why(why, whylen, store_err(errno), "%s: %s", file, strerror(errno));
	/* Cheap refusals first, then the whole file; nothing is written before. */
	if ((err = restore_target(dir, 0, &made, why, whylen)) != 0 ||
	    (err = restore_verify(&s, why, whylen)) != 0 ||
	    (err = restore_target(dir, 1, &made, why, whylen)) != 0)
		goto out;
	err = restore_copy(&s, dir, why, whylen);
out:
	/* A directory made here goes again, so a failure leaves things as they were. */
	if (err != 0 && made)
		rmdir(dir);
	close(s.fd);
	return err;
}
