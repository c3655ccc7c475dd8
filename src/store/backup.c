/* SPDX-License-Identifier: ISC */
/*
 * Backup of the whole store, and the file format restore.c reads. A backup
 * is LMDB's compacting copy of one read snapshot, so it is consistent while
 * writers run, framed by a header (magic, format version, length) and a
 * SHA-256 digest of header and copy. The digest detects damage (truncation,
 * flipped bits, a foreign file); it proves nothing about who wrote the
 * file, since anyone who can write a backup can recompute it. The file is
 * mode 0600, since it holds the sealed master secrets.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "common/be.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* LMDB's meta page: a 16-octet page header, then the magic (host order). */
#define LMDB_MAGIC_OFF	16
#define LMDB_MAGIC	0xBEEFC0DEu

int
backup_is_lmdb(const uint8_t *p, size_t n)
{
	uint32_t m;

	if (n < LMDB_MAGIC_OFF + sizeof(m))
		return 0;
	memcpy(&m, p + LMDB_MAGIC_OFF, sizeof(m));
	return m == LMDB_MAGIC;
}

int
backup_sync_dir(const char *dir)
{
	int fd, err = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return store_err(errno);
	if (fsync(fd) == -1)
		err = SKM_EIO;
	close(fd);
	return err;
}

static int
pwrite_all(int fd, const uint8_t *p, size_t len, off_t off)
{
	ssize_t w;

	while (len > 0) {
		w = off >= 0 ? pwrite(fd, p, len, off) : write(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return SKM_EIO;
		p += w;
		len -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

int
backup_hash(int fd, const uint8_t *head, uint64_t len, int out,
    uint8_t digest[BACKUP_DIGEST_LEN])
{
	uint8_t buf[65536];
	EVP_MD_CTX *ctx;
	uint64_t off = 0;
	size_t want;
	ssize_t r;
	int err = SKM_ECRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, head, BACKUP_HEAD_LEN) != 1)
		goto out;
	while (off < len) {
		want = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		r = pread(fd, buf, want, (off_t)(BACKUP_HEAD_LEN + off));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r == 0 ? SKM_ELEN : SKM_EIO;
			goto out;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1) {
			err = SKM_ECRYPTO;
			goto out;
		}
		if (out != -1 && (err = pwrite_all(out, buf, (size_t)r, -1)) != 0)
			goto out;
		off += (uint64_t)r;
	}
	err = EVP_DigestFinal_ex(ctx, digest, NULL) == 1 ? 0 : SKM_ECRYPTO;
out:
	EVP_MD_CTX_free(ctx);
	return err;
}

static int
parent_dir(const char *path, char *dir, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return snprintf(dir, cap, ".") < (int)cap ? 0 : SKM_ELEN;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= cap)
		return SKM_ELEN;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

/* Header, copy and digest into fd, then the digest checked on what fd holds. */
static int
backup_write(struct store *st, int fd)
{
	uint8_t head[BACKUP_HEAD_LEN], digest[BACKUP_DIGEST_LEN], image[64];
	struct stat sb;
	uint64_t len;
	int rc, err;

	/* Room for the header, written once the copy's length is known. */
	memset(head, 0, sizeof(head));
	if ((err = pwrite_all(fd, head, sizeof(head), -1)) != 0)
		return err;
	/* One read snapshot, free pages dropped, written from the file offset on. */
	if ((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) != 0)
		return store_err(rc);
	if (fstat(fd, &sb) == -1)
		return SKM_EIO;
	if ((uint64_t)sb.st_size < BACKUP_HEAD_LEN + sizeof(image))
		return SKM_ESTORE;
	len = (uint64_t)sb.st_size - BACKUP_HEAD_LEN;
	/* The copy must start right after the header, where restore looks for it. */
	if (pread(fd, image, sizeof(image), BACKUP_HEAD_LEN) != (ssize_t)sizeof(image) ||
	    !backup_is_lmdb(image, sizeof(image)))
		return SKM_ESTORE;
	memcpy(head, BACKUP_MAGIC, BACKUP_MAGIC_LEN);
	be_put(head + 8, BACKUP_VERSION, 4);
	be_put(head + 16, len, 8);
	if ((err = pwrite_all(fd, head, sizeof(head), 0)) != 0)
		return err;
	/* Hashed as read back: the digest vouches for what the file holds. */
	if ((err = backup_hash(fd, head, len, -1, digest)) != 0)
		return err;
	if ((err = pwrite_all(fd, digest, sizeof(digest),
	    (off_t)(BACKUP_HEAD_LEN + len))) != 0)
		return err;
	return fsync(fd) == -1 ? SKM_EIO : 0;
}

int
store_backup(struct store *st, const char *path)
{
	char dir[PATH_MAX];
	int fd = -1, err;

	/* Any other backend is backed up through a private LMDB copy. */
	if (st->env == NULL)
		return store_backup_why(st, path, NULL, 0);
	if ((err = parent_dir(path, dir, sizeof(dir))) != 0)
		return err;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno == EEXIST ? SKM_EEXIST : store_err(errno);
	if (fchmod(fd, 0600) == -1)
		err = SKM_EIO;
	else
		err = backup_write(st, fd);
	if (close(fd) == -1 && err == 0)
		err = SKM_EIO;
	if (err != 0)
		unlink(path);
	else
		err = backup_sync_dir(dir);
	return err;
}
