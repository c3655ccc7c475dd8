/* SPDX-License-Identifier: ISC */
/*
 * External KMS certificates in the keystore (KMS CertCache, D.3.4): the
 * directory external/ under the identity's directory holds one
 * KmsCertificate document per certificate (<n>.xml) and the CacheNum they
 * came with (cachenum). A new cache is built in external.new/ and swapped
 * in with two renames, so readers see the old cache or the new one. The
 * certificates are public; nothing here checks them (the caller ran
 * kmscheck_cert before storing).
 */
#include "client/ks_impl.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/kmsdoc.h"
#include "common/cli.h"
#include "common/err.h"
#include "common/secfile.h"

void
ks_ext_drop(struct ks *ks)
{
	ks_docs_free(&ks->ext, &ks->next);
	free(ks->extv);
	ks->extv = NULL;
	ks->cache_num = 0;
	ks->ext_loaded = 0;
}

/* Removes a cache directory and what it holds (public data: unlink is enough). */
static int
ks_ext_rmdir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : SKM_EIO;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (ks_join(path, sizeof(path), dir, de->d_name) == 0)
			unlink(path);
	}
	closedir(d);
	return rmdir(dir) == -1 ? SKM_EIO : 0;
}

int
ks_ext_erase_all(const char *idpath)
{
	char dir[PATH_MAX];
	int err;

	if ((err = ks_join(dir, sizeof(dir), idpath, KS_EXTERNAL)) != 0)
		return err;
	return ks_ext_rmdir(dir);
}

static int
ks_ext_load(struct ks *ks, char *why, size_t whylen)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf = NULL, *nl;
	struct kmsdoc *doc = NULL;
	const char *reason;
	size_t len = 0, i;
	int err;

	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_EXTERNAL)) != 0 ||
	    (err = ks_join(path, sizeof(path), dir, KS_CACHENUM)) != 0)
		return err;
	err = ks_read(path, 0, &buf, &len);
	if (err == SKM_ENOTFOUND) {
		ks->ext_loaded = 1;
		return 0;
	}
	if (err != 0)
		return skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	reason = cli_parse_u64(buf, &ks->cache_num);
	ks_buf_free(buf, len);
	buf = NULL;
	if (reason != NULL)
		return skm_why(why, whylen, SKM_EPARSE, "%s: %s", path, reason);
	for (i = 0;; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%zu.xml", i);
		if ((err = ks_join(path, sizeof(path), dir, name)) != 0)
			goto out;
		if ((err = ks_read(path, 0, &buf, &len)) == SKM_ENOTFOUND)
			break;
		if (err != 0) {
			skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
			goto out;
		}
		err = kmsdoc_parse(buf, len, &doc, why, whylen);
		ks_buf_free(buf, len);
		buf = NULL;
		if (err != 0)
			goto out;
		if (doc->kind != KMSDOC_CERT || doc->ncerts != 1) {
			err = skm_why(why, whylen, SKM_EPARSE, "%s: not a KmsCertificate", path);
			goto out;
		}
		{
			struct kmsdoc **ne = realloc(ks->ext, (ks->next + 1) * sizeof(*ne));
			const struct kmsdoc_cert **nv = realloc(ks->extv,
			    (ks->next + 1) * sizeof(*nv));

			if (ne != NULL)
				ks->ext = ne;
			if (nv != NULL)
				ks->extv = nv;
			if (ne == NULL || nv == NULL) {
				err = SKM_ENOMEM;
				goto out;
			}
		}
		ks->ext[ks->next] = doc;
		ks->extv[ks->next] = &doc->certs[0];
		ks->next++;
		doc = NULL;
	}
	err = 0;
	ks->ext_loaded = 1;
out:
	kmsdoc_free(doc);
	if (err != 0)
		ks_ext_drop(ks);
	return err;
}

int
ks_external(struct ks *ks, const struct kmsdoc_cert *const **certs, size_t *n,
    uint64_t *cache_num, char *why, size_t whylen)
{
	int err;

	if (!ks->ext_loaded && (err = ks_ext_load(ks, why, whylen)) != 0)
		return err;
	*certs = ks->extv;
	*n = ks->next;
	*cache_num = ks->cache_num;
	return 0;
}

int
ks_put_external(struct ks *ks, char *const *docs, const size_t *lens, size_t n,
    uint64_t cache_num, char *why, size_t whylen)
{
	char dir[PATH_MAX], newdir[PATH_MAX], olddir[PATH_MAX], path[PATH_MAX], num[32];
	size_t i;
	int err, had_old = 0;

	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_EXTERNAL)) != 0 ||
	    (err = ks_join(newdir, sizeof(newdir), ks->path, KS_EXTERNAL ".new")) != 0 ||
	    (err = ks_join(olddir, sizeof(olddir), ks->path, KS_EXTERNAL ".old")) != 0)
		return err;
	/* Leftovers of an interrupted swap. */
	(void)ks_ext_rmdir(newdir);
	(void)ks_ext_rmdir(olddir);
	if ((err = ks_mkdir(newdir)) != 0)
		return skm_why(why, whylen, err, "%s: cannot create: %s", newdir,
		    skm_strerror(err));
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "%zu.xml", i);
		if ((err = ks_join(path, sizeof(path), newdir, num)) != 0 ||
		    (err = secfile_write(path, (const uint8_t *)docs[i], lens[i], 1)) != 0) {
			skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
			goto out;
		}
	}
	snprintf(num, sizeof(num), "%" PRIu64 "\n", cache_num);
	if ((err = ks_join(path, sizeof(path), newdir, KS_CACHENUM)) != 0 ||
	    (err = secfile_write(path, (const uint8_t *)num, strlen(num), 1)) != 0) {
		skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
		goto out;
	}
	if (rename(dir, olddir) == 0)
		had_old = 1;
	else if (errno != ENOENT) {
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if (rename(newdir, dir) == -1) {
		err = skm_why(why, whylen, SKM_EIO, "%s: %s", dir, strerror(errno));
		if (had_old)
			(void)rename(olddir, dir);
		goto out;
	}
	err = ks_fsync_dir(ks->path);
	if (had_old)
		(void)ks_ext_rmdir(olddir);
	ks_ext_drop(ks);
out:
	(void)ks_ext_rmdir(newdir);
	return err;
}
