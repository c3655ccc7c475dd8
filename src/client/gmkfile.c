/* SPDX-License-Identifier: ISC */
/*
 * File helpers of the group key modules. Reads go through secfile_open so a
 * file another user could have planted or read is refused; erasure
 * overwrites before unlinking because these files hold GMKs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/gmkfile.h"
#include "common/err.h"
#include "common/secfile.h"

int
gmkfile_read(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b = NULL;
	size_t n = 0;
	ssize_t r;
	int fd = -1, err;

	*buf = NULL;
	*len = 0;
	if ((err = secfile_open(path, &fd, NULL, 0)) != 0)
		return err;
	err = SKM_EIO;
	if (fstat(fd, &st) != 0)
		goto out;
	err = SKM_ELEN;
	if ((size_t)st.st_size > max)
		goto out;
	err = SKM_ENOMEM;
	if ((b = OPENSSL_malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	err = SKM_EIO;
	while (n < (size_t)st.st_size) {
		r = read(fd, b + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
	err = 0;
out:
	if (b != NULL)
		OPENSSL_clear_free(b, (size_t)st.st_size + 1);
	close(fd);
	return err;
}

static int
sync_dir(const char *path)
{
	char copy[GMKFILE_PATH_MAX];
	int fd, err = 0;

	if (strlen(path) >= sizeof(copy))
		return SKM_ELEN;
	strcpy(copy, path);
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) < 0)
		return SKM_EIO;
	if (fsync(fd) != 0)
		err = SKM_EIO;
	close(fd);
	return err;
}

int
gmkfile_erase(const char *path)
{
	static const uint8_t zero[512];
	struct stat st;
	off_t done = 0;
	ssize_t w;
	int fd, err = SKM_EIO;

	if ((fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	/* Overwrite in place so the GMK does not survive the unlink on disk. */
	while (done < st.st_size) {
		size_t n = (size_t)(st.st_size - done) < sizeof(zero) ?
		    (size_t)(st.st_size - done) : sizeof(zero);

		w = write(fd, zero, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		done += w;
	}
	if (fsync(fd) != 0)
		goto out;
	if (unlink(path) != 0)
		goto out;
	err = sync_dir(path);
out:
	close(fd);
	return err;
}

int
gmkfile_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= GMKFILE_NAME_MAX || s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

int
gmkfile_mkdir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return errno == EACCES ? SKM_EPERM : SKM_EIO;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return SKM_EIO;
	return 0;
}

int
gmkfile_path(char out[GMKFILE_PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, GMKFILE_PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= GMKFILE_PATH_MAX ? SKM_ELEN : 0;
}
