/* SPDX-License-Identifier: ISC */
/*
 * Opening, reading and atomically writing secret files. Refuses files that
 * others could read or replace; never logs or caches their contents.
 */
#include "common/secfile.h"
#include "common/err.h"
#include "common/trustfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

int
secfile_mode_check(const char *path, unsigned st_mode, unsigned deny, char *why,
    size_t whylen)
{
	unsigned perm = st_mode & 07777, want;

	if ((perm & deny) == 0)
		return 0;
	/* Private: the owner's bits only (no execute on a file), or no writes by others. */
	if ((deny & 044) == 0)
		want = perm & ~deny;
	else
		want = S_ISDIR(st_mode) ? 0700 : 0600;
	return skm_why(why, whylen, SKM_EPERM, "%s: mode %04o allows group or other %s "
	    "(want %04o)", path, perm, (deny & 044) == 0 ? "writes" : "access", want);
}

int
secfile_open(const char *path, int *fd, char *why, size_t whylen)
{
	return trustfile_open(path, TRUSTFILE_SECRET, TRUSTFILE_NO_UID, fd, why, whylen);
}

int
secfile_read(const char *path, uint8_t *buf, size_t cap, size_t *len,
    char *why, size_t whylen)
{
	return trustfile_read(path, TRUSTFILE_SECRET, TRUSTFILE_NO_UID, buf, cap, len,
	    why, whylen);
}

int
secfile_read_line(const char *path, uint8_t *buf, size_t cap, size_t *len,
    char *why, size_t whylen)
{
	size_t n;
	int err;

	*len = 0;
	if ((err = secfile_read(path, buf, cap, &n, why, whylen)) != 0)
		return err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' ||
	    buf[n - 1] == '\t'))
		n--;
	if (n == 0 || memchr(buf, '\n', n) != NULL) {
		OPENSSL_cleanse(buf, cap);
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "not one line of text");
		return SKM_EINVAL;
	}
	*len = n;
	return 0;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, buf, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return skm_errno(errno);
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

int
secfile_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, err = 0;

	if (strlen(path) >= sizeof(copy))
		return SKM_ELEN;
	strcpy(copy, path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return skm_errno(errno);
	if (fsync(fd) == -1)
		err = SKM_EIO;
	close(fd);
	return err;
}

int
secfile_write(const char *path, const uint8_t *buf, size_t len, int replace)
{
	char tmp[PATH_MAX];
	uint8_t rnd[8];
	unsigned long long tag;
	int fd = -1, err, have_tmp = 0;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return SKM_ECRYPTO;
	memcpy(&tag, rnd, sizeof(tag));
	if (snprintf(tmp, sizeof(tmp), "%s.%016llx.tmp", path, tag) >= (int)sizeof(tmp))
		return SKM_ELEN;
	/* O_EXCL with 0600 from the start: the secret is never readable by others. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		err = skm_errno(errno);
		goto out;
	}
	have_tmp = 1;
	if (fchmod(fd, 0600) == -1) {
		err = SKM_EIO;
		goto out;
	}
	if ((err = write_all(fd, buf, len)) != 0)
		goto out;
	if (fsync(fd) == -1) {
		err = SKM_EIO;
		goto out;
	}
	if (close(fd) == -1) {
		fd = -1;
		err = SKM_EIO;
		goto out;
	}
	fd = -1;
	if (replace) {
		if (rename(tmp, path) == -1) {
			err = skm_errno(errno);
			goto out;
		}
	} else {
		/* link() fails on an existing name, atomically, unlike rename(). */
		if (link(tmp, path) == -1) {
			err = skm_errno(errno);
			goto out;
		}
		unlink(tmp);
	}
	have_tmp = 0;
	err = secfile_sync_dir(path);
out:
	if (fd != -1)
		close(fd);
	if (have_tmp)
		unlink(tmp);
	return err;
}

int
secfile_erase(const char *path)
{
	static const uint8_t zeros[4096];
	struct stat st;
	off_t left;
	size_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return skm_errno(errno);
	if (fstat(fd, &st) == -1) {
		err = SKM_EIO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = SKM_EPERM;
		goto out;
	}
	for (left = st.st_size; left > 0; left -= (off_t)n) {
		n = left < (off_t)sizeof(zeros) ? (size_t)left : sizeof(zeros);
		if ((err = write_all(fd, zeros, n)) != 0)
			goto out;
	}
	/* The zeros reach the disk before the name goes. */
	if (fsync(fd) == -1) {
		err = SKM_EIO;
		goto out;
	}
	if (unlink(path) == -1) {
		err = skm_errno(errno);
		goto out;
	}
	err = secfile_sync_dir(path);
out:
	close(fd);
	return err;
}
