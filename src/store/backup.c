/* SPDX-License-Identifier: ISC */
/*
 * Backup and restore of the whole store. A backup is LMDB's compacting copy
 * of one read snapshot, so it is consistent while writers run; it is a
 * single data file, mode 0600, since it holds the sealed master secrets.
 * Restore never writes into a directory that holds anything.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "common/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
sync_dir_of(const char *dir)
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

int
store_backup(struct store *st, const char *path)
{
	char dir[PATH_MAX];
	int fd = -1, rc, err;

	if ((err = parent_dir(path, dir, sizeof(dir))) != 0)
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return errno == EEXIST ? SKM_EEXIST : store_err(errno);
	if (fchmod(fd, 0600) == -1) {
		err = SKM_EIO;
		goto out;
	}
	/* One read snapshot, free pages dropped (MDB_CP_COMPACT). */
	if ((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) != 0) {
		err = store_err(rc);
		goto out;
	}
	if (fsync(fd) == -1) {
		err = SKM_EIO;
		goto out;
	}
	err = 0;
out:
	if (fd != -1 && close(fd) == -1 && err == 0)
		err = SKM_EIO;
	if (err != 0)
		unlink(path);
	else
		err = sync_dir_of(dir);
	return err;
}

/* The schema version of a backup file, read without a lock file beside it. */
static int
backup_schema(const char *file, uint32_t *version)
{
	struct store st = { NULL, 0 };
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

static int
copy_fd(int in, int out)
{
	uint8_t buf[65536];
	ssize_t r, w;
	size_t off;

	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return SKM_EIO;
		if (r == 0)
			return 0;
		for (off = 0; off < (size_t)r; off += (size_t)w) {
			w = write(out, buf + off, (size_t)r - off);
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w == -1)
				return errno == ENOSPC ? SKM_EIO : store_err(errno);
		}
	}
}

int
store_restore(const char *dir, const char *file)
{
	char data[PATH_MAX];
	uint32_t version;
	int in = -1, out = -1, err, made = 0;

	if ((err = backup_schema(file, &version)) != 0)
		return err;
	if (version == 0 || version > STORE_SCHEMA_VERSION)
		return SKM_ESTATE;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return store_err(errno);
	if ((err = dir_is_empty(dir)) != 0)
		return err;
	if (snprintf(data, sizeof(data), "%s/data.mdb", dir) >= (int)sizeof(data))
		return SKM_ELEN;
	if ((in = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return store_err(errno);
	out = open(data, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out == -1) {
		err = store_err(errno);
		goto out;
	}
	made = 1;
	if (fchmod(out, 0600) == -1 || (err = copy_fd(in, out)) != 0 ||
	    fsync(out) == -1) {
		if (err == 0)
			err = SKM_EIO;
		goto out;
	}
	err = 0;
out:
	if (out != -1 && close(out) == -1 && err == 0)
		err = SKM_EIO;
	if (in != -1)
		close(in);
	if (err != 0 && made)
		unlink(data);
	if (err == 0)
		err = sync_dir_of(dir);
	return err;
}
