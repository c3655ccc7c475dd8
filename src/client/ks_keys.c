/* SPDX-License-Identifier: ISC */
/*
 * Key sets in the keystore: keys/<KeyPeriodNo>.xml under the identity's
 * directory, one KmsKeySet document each (mode 0600, secret). A command's
 * key sets are staged next to their final names and renamed into place
 * only when all were written, so a failed command stores nothing. Expired
 * ones are erased with secfile_erase. Documents read back are checked
 * again (kmscheck_keyset, under the certificate their CertUri names)
 * before use: the file system is not trusted to have kept them intact.
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
#include "common/err.h"
#include "common/secfile.h"

static int
ks_key_path(const struct ks *ks, uint64_t period_no, const char *suffix, char *out,
    size_t len)
{
	int n = snprintf(out, len, "%s/%s/%s%" PRIu64 ".xml", ks->path, KS_KEYS, suffix,
	    period_no);

	return n < 0 || (size_t)n >= len ? SKM_ELEN : 0;
}

void
ks_keys_drop(struct ks *ks)
{
	ks_docs_free(&ks->keys, &ks->nkeys);
}

/* A name "<digits>.xml" gives its period number. */
static int
ks_key_name(const char *name, uint64_t *period_no)
{
	const char *p;
	uint64_t v = 0;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	for (p = name; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (strcmp(p, ".xml") != 0)
		return 0;
	*period_no = v;
	return 1;
}

static int
ks_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
ks_periods(struct ks *ks, uint64_t **periods, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t *v = NULL, *nv, p;
	size_t cnt = 0, cap = 0;
	DIR *d;

	*periods = NULL;
	*n = 0;
	if (ks_join(path, sizeof(path), ks->path, KS_KEYS) != 0)
		return SKM_ELEN;
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : SKM_EIO;
	while ((de = readdir(d)) != NULL) {
		if (!ks_key_name(de->d_name, &p))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 8;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				return SKM_ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = p;
	}
	closedir(d);
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), ks_u64_cmp);
	*periods = v;
	*n = cnt;
	return 0;
}

/* Loads keys/<period>.xml and checks it again under the certificate it names. */
static int
ks_key_load(struct ks *ks, uint64_t period_no, struct kmsdoc **docp, char *why,
    size_t whylen)
{
	struct kmsdoc *doc = NULL;
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0;
	int err;

	*docp = NULL;
	if ((err = ks_key_path(ks, period_no, "", path, sizeof(path))) != 0)
		return err;
	if ((err = ks_read(path, 1, &buf, &len)) != 0) {
		if (err == SKM_ENOTFOUND)
			return skm_why(why, whylen, err, "no key set for period %" PRIu64,
			    period_no);
		return skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
	}
	if ((err = kmsdoc_parse(buf, len, &doc, why, whylen)) != 0)
		goto out;
	if (doc->kind != KMSDOC_KEYSET || doc->nkeysets != 1 ||
	    doc->keysets[0].period_no != period_no) {
		err = skm_why(why, whylen, SKM_EPARSE, "%s: not the key set of period %" PRIu64,
		    path, period_no);
		goto out;
	}
	if ((err = ks_check_keyset(ks, &doc->keysets[0], why, whylen)) != 0)
		goto out;
	*docp = doc;
	doc = NULL;
out:
	kmsdoc_free(doc);
	ks_buf_free(buf, len);
	return err;
}

int
ks_keyset(struct ks *ks, uint64_t period_no, int fetch, const struct kmsdoc_keyset **set,
    char *why, size_t whylen)
{
	struct kmsdoc *doc = NULL, **nk;
	size_t i;
	int err;

	*set = NULL;
	/* Fetched before a rollover was known: the period's own certificate's now. */
	if (fetch && ks_keyset_stale(ks, period_no)) {
		if ((err = ks_fetch(ks, &period_no, 1, why, whylen)) != 0)
			return err;
	}
	for (i = 0; i < ks->nkeys; i++)
		if (ks->keys[i]->keysets[0].period_no == period_no) {
			*set = &ks->keys[i]->keysets[0];
			return 0;
		}
	err = ks_key_load(ks, period_no, &doc, why, whylen);
	if (err == SKM_ENOTFOUND && fetch) {
		if ((err = ks_fetch(ks, &period_no, 1, why, whylen)) != 0)
			return err;
		err = ks_key_load(ks, period_no, &doc, why, whylen);
	}
	if (err != 0)
		return err;
	if ((nk = realloc(ks->keys, (ks->nkeys + 1) * sizeof(*nk))) == NULL) {
		kmsdoc_free(doc);
		return SKM_ENOMEM;
	}
	ks->keys = nk;
	ks->keys[ks->nkeys++] = doc;
	*set = &doc->keysets[0];
	return 0;
}

int
ks_put_keysets(struct ks *ks, const uint64_t *periods, char *const *docs,
    const size_t *lens, size_t n, char *why, size_t whylen)
{
	char dir[PATH_MAX], stage[PATH_MAX], final[PATH_MAX];
	size_t i, staged = 0, j;
	int err = 0;

	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_KEYS)) != 0 ||
	    (err = ks_mkdir(dir)) != 0)
		return skm_why(why, whylen, err, "%s: cannot create: %s", dir, skm_strerror(err));
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (periods[j] == periods[i])
				return skm_why(why, whylen, SKM_EINVAL,
				    "two key sets for period %" PRIu64, periods[i]);
	for (staged = 0; staged < n; staged++) {
		if ((err = ks_key_path(ks, periods[staged], ".stage-", stage,
		    sizeof(stage))) != 0)
			goto out;
		if ((err = secfile_write(stage, (const uint8_t *)docs[staged], lens[staged],
		    1)) != 0) {
			skm_why(why, whylen, err, "%s: %s", stage, skm_strerror(err));
			goto out;
		}
	}
	/* Everything is on disk: now the renames, each atomic. */
	for (i = 0; i < n; i++) {
		if ((err = ks_key_path(ks, periods[i], ".stage-", stage, sizeof(stage))) != 0 ||
		    (err = ks_key_path(ks, periods[i], "", final, sizeof(final))) != 0)
			goto out;
		if (rename(stage, final) == -1) {
			err = skm_why(why, whylen, SKM_EIO, "%s: %s", final, strerror(errno));
			goto out;
		}
	}
	staged = 0;
	err = ks_fsync_dir(dir);
	/* A replaced period must be read again. */
	ks_keys_drop(ks);
out:
	for (i = 0; i < staged; i++)
		if (ks_key_path(ks, periods[i], ".stage-", stage, sizeof(stage)) == 0)
			(void)secfile_erase(stage);
	return err;
}

int
ks_purge(struct ks *ks, int64_t now, int64_t grace, size_t *purged, char *why,
    size_t whylen)
{
	char path[PATH_MAX];
	uint64_t *periods = NULL;
	int64_t start, end;
	size_t n = 0, i, count = 0;
	int err;

	if (purged != NULL)
		*purged = 0;
	if ((err = ks_periods(ks, &periods, &n)) != 0)
		return skm_why(why, whylen, err, "cannot list key sets: %s", skm_strerror(err));
	for (i = 0; i < n; i++) {
		if ((err = ks_period_bounds(ks, periods[i], &start, &end)) != 0)
			goto out;
		if (end > now - grace)
			continue;
		if ((err = ks_key_path(ks, periods[i], "", path, sizeof(path))) != 0)
			goto out;
		if ((err = secfile_erase(path)) != 0 && err != SKM_ENOTFOUND) {
			skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
			goto out;
		}
		err = 0;
		count++;
	}
	if (purged != NULL)
		*purged = count;
out:
	free(periods);
	return err;
}

int
ks_keys_erase_all(const char *idpath)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0, e;

	if ((err = ks_join(dir, sizeof(dir), idpath, KS_KEYS)) != 0)
		return err;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : SKM_EIO;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (ks_join(path, sizeof(path), dir, de->d_name) != 0)
			continue;
		if ((e = secfile_erase(path)) != 0 && e != SKM_ENOTFOUND && err == 0)
			err = e;
	}
	closedir(d);
	return err;
}
