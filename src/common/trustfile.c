/* SPDX-License-Identifier: ISC */
/*
 * Opening files that hold secrets or decide trust. The name is resolved
 * here one component at a time, symbolic links included, so that every
 * directory the kernel will look a name up in is one this module checked:
 * whoever could write such a directory could put his own file in place.
 * Never logs or keeps the contents.
 */
#include "common/trustfile.h"
#include "common/err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* As the kernel's limit on links followed in one lookup (path_resolution(7)). */
#define TRUSTFILE_LINKS_MAX	40

static int
owner_ok(uid_t uid, uid_t also)
{
	return uid == 0 || uid == geteuid() || (also != TRUSTFILE_NO_UID && uid == also);
}

static int
owner_why(char *why, size_t whylen, const char *name, uid_t uid, uid_t also)
{
	if (also != TRUSTFILE_NO_UID && also != geteuid())
		return skm_why(why, whylen, SKM_EPERM,
		    "%s: owned by uid %lu, not by root, uid %lu or uid %lu", name,
		    (unsigned long)uid, (unsigned long)geteuid(), (unsigned long)also);
	return skm_why(why, whylen, SKM_EPERM, "%s: owned by uid %lu, not by root or uid %lu",
	    name, (unsigned long)uid, (unsigned long)geteuid());
}

/* A directory a name is looked up in: nobody else may add or swap entries. */
static int
dir_check(const char *dir, uid_t also, char *why, size_t whylen)
{
	struct stat st;

	if (lstat(dir, &st) == -1)
		return skm_why(why, whylen, skm_errno(errno), "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return skm_why(why, whylen, SKM_EPERM, "%s: not a directory", dir);
	if (!owner_ok(st.st_uid, also))
		return owner_why(why, whylen, dir, st.st_uid, also);
	/* Sticky and root's, as /tmp: others may add names, not take ours. */
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    ((st.st_mode & S_ISVTX) == 0 || st.st_uid != 0))
		return skm_why(why, whylen, SKM_EPERM, "%s: writable by group or others",
		    dir);
	return 0;
}

/* dir/name into out of PATH_MAX octets. */
static int
join(char *out, const char *dir, const char *name, size_t namelen)
{
	int n;

	n = snprintf(out, PATH_MAX, "%s%s%.*s", dir, strcmp(dir, "/") == 0 ? "" : "/",
	    (int)namelen, name);
	return n < 0 || n >= PATH_MAX ? SKM_ELEN : 0;
}

/*
 * Resolves path into real (PATH_MAX octets), a name without links or dot
 * components, checking each directory on the way and the last component
 * being a regular file; *st is that file's lstat().
 */
static int
resolve(const char *path, enum trustfile_kind kind, uid_t also, char *real,
    struct stat *st, char *why, size_t whylen)
{
	char rest[PATH_MAX], next[PATH_MAX], link[PATH_MAX], tmp[PATH_MAX];
	const char *p, *comp;
	size_t len;
	ssize_t n;
	unsigned links = 0;
	int err, last;

	if (path[0] == '/') {
		if (strlen(path) >= sizeof(rest))
			return skm_why(why, whylen, SKM_ELEN, "%s: name too long", path);
		strcpy(rest, path);
	} else {
		if (getcwd(tmp, sizeof(tmp)) == NULL)
			return skm_why(why, whylen, skm_errno(errno),
			    "%s: working directory: %s", path, strerror(errno));
		if ((err = join(rest, tmp, path, strlen(path))) != 0)
			return skm_why(why, whylen, err, "%s: name too long", path);
	}
	strcpy(real, "/");
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			/* The name ends at a directory ("/", "dir/" or "dir/."). */
			return skm_why(why, whylen, SKM_EPERM, "%s: not a regular file",
			    path);
		comp = p;
		len = strcspn(p, "/");
		p += len;
		last = p[strspn(p, "/")] == '\0';
		if (len == 1 && comp[0] == '.')
			continue;
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			char *slash = strrchr(real, '/');

			slash[slash == real ? 1 : 0] = '\0';
			continue;
		}
		if ((err = dir_check(real, also, why, whylen)) != 0)
			return err;
		if ((err = join(next, real, comp, len)) != 0)
			return skm_why(why, whylen, err, "%s: name too long", path);
		if (lstat(next, st) == -1)
			return skm_why(why, whylen, skm_errno(errno), "%s: cannot open: %s",
			    path, strerror(errno));
		if (S_ISLNK(st->st_mode)) {
			if (last && kind == TRUSTFILE_SECRET)
				return skm_why(why, whylen, SKM_EPERM,
				    "%s: a symbolic link, not the file itself", path);
			if (++links > TRUSTFILE_LINKS_MAX)
				return skm_why(why, whylen, SKM_EPERM,
				    "%s: too many symbolic links", path);
			n = readlink(next, link, sizeof(link) - 1);
			if (n <= 0 || (size_t)n >= sizeof(link) - 1)
				return skm_why(why, whylen, SKM_EIO,
				    "%s: cannot read the link", next);
			link[n] = '\0';
			/* The link's text replaces its name; the rest of the name follows. */
			if (snprintf(tmp, sizeof(tmp), "%s%s", link, p) >= (int)sizeof(tmp))
				return skm_why(why, whylen, SKM_ELEN, "%s: name too long",
				    path);
			strcpy(rest, tmp);
			p = rest;
			if (link[0] == '/')
				strcpy(real, "/");
			continue;
		}
		if (!last) {
			if (!S_ISDIR(st->st_mode))
				return skm_why(why, whylen, SKM_ENOTFOUND,
				    "%s: cannot open: %s is not a directory", path, next);
			strcpy(real, next);
			continue;
		}
		/* "file/" names a directory, which a regular file is not. */
		if (*p != '\0' || !S_ISREG(st->st_mode))
			return skm_why(why, whylen, SKM_EPERM, "%s: not a regular file",
			    path);
		strcpy(real, next);
		return 0;
	}
}

int
trustfile_open(const char *path, enum trustfile_kind kind, uid_t also, int *fd,
    char *why, size_t whylen)
{
	char real[PATH_MAX];
	struct stat seen, st;
	mode_t deny;
	int f = -1, fl, err;

	*fd = -1;
	if (path == NULL || *path == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "no file name");
	if ((err = resolve(path, kind, also, real, &seen, why, whylen)) != 0)
		return err;
	/*
	 * Non-blocking: should the name have become a FIFO after the check,
	 * the open returns at once and fstat() refuses it. No link is followed
	 * here: the resolved name has none unless one appeared since.
	 */
	f = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (f == -1)
		return skm_why(why, whylen, skm_errno(errno), "%s: cannot open: %s", path,
		    strerror(errno));
	/* Judge the open file, not the name, so a rename cannot race us. */
	if (fstat(f, &st) == -1) {
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = skm_why(why, whylen, SKM_EPERM, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_dev != seen.st_dev || st.st_ino != seen.st_ino) {
		err = skm_why(why, whylen, SKM_EPERM, "%s: replaced while being checked",
		    path);
		goto out;
	}
	if (!owner_ok(st.st_uid, also)) {
		err = owner_why(why, whylen, path, st.st_uid, also);
		goto out;
	}
	deny = kind == TRUSTFILE_SECRET ? S_IRWXG | S_IRWXO : S_IWGRP | S_IWOTH;
	if ((st.st_mode & deny) != 0) {
		err = kind == TRUSTFILE_SECRET ?
		    skm_why(why, whylen, SKM_EPERM,
		    "%s: mode %04o allows group or other access (want 0600)", path,
		    (unsigned)(st.st_mode & 07777)) :
		    skm_why(why, whylen, SKM_EPERM,
		    "%s: mode %04o allows group or other write", path,
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((fl = fcntl(f, F_GETFL)) == -1 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	*fd = f;
	f = -1;
	err = 0;
out:
	if (f != -1)
		close(f);
	return err;
}

int
trustfile_read(const char *path, enum trustfile_kind kind, uid_t also,
    uint8_t *buf, size_t cap, size_t *len, char *why, size_t whylen)
{
	size_t n = 0;
	ssize_t r;
	uint8_t extra;
	int fd = -1, err;

	*len = 0;
	if ((err = trustfile_open(path, kind, also, &fd, why, whylen)) != 0)
		goto out;
	while (n < cap) {
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err = skm_why(why, whylen, SKM_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == cap) {
		do
			r = read(fd, &extra, 1);
		while (r == -1 && errno == EINTR);
		if (r != 0) {
			err = skm_why(why, whylen, SKM_ELEN, "%s: longer than %zu octets",
			    path, cap);
			goto out;
		}
	}
	*len = n;
	err = 0;
out:
	if (err != 0 && buf != NULL)
		OPENSSL_cleanse(buf, cap);
	if (fd != -1)
		close(fd);
	return err;
}

uid_t
trustfile_uid(const char *user)
{
	struct passwd *pw;

	if (user == NULL || *user == '\0' || (pw = getpwnam(user)) == NULL)
		return TRUSTFILE_NO_UID;
	return pw->pw_uid;
}
