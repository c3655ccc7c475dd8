/* SPDX-License-Identifier: ISC */
/*
 * GMK files: "name value" lines, binary values in hex, the text field in
 * hex too (it is free UTF-8). Written with secfile_write (temp file, fsync,
 * rename, directory fsync, mode 0600); erased with gmkfile_erase. Buffers
 * that held a file's contents are cleansed because they held the GMK.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/gmkstore.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secfile.h"

#define GMKSTORE_DIR		"gmk"
#define GMKSTORE_FILE_MAX	16384
#define GMKSTORE_MAGIC		"skmc-gmk 1"

struct gmkstore_rec *
gmkstore_rec_new(void)
{
	return OPENSSL_secure_zalloc(sizeof(struct gmkstore_rec));
}

void
gmkstore_rec_free(struct gmkstore_rec *r)
{
	if (r != NULL)
		OPENSSL_secure_clear_free(r, sizeof(*r));
}

int
gmkstore_rec_has_group(const struct gmkstore_rec *r, const char *group)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i], group) == 0)
			return 1;
	return 0;
}

static int
rec_path(char path[GMKFILE_PATH_MAX], const char *dir, uint32_t gmk_id)
{
	char name[sizeof(GMKSTORE_DIR) + 10];

	snprintf(name, sizeof(name), GMKSTORE_DIR "/%08" PRIx32, gmk_id);
	return gmkfile_path(path, dir, name);
}

/* Appends "name hex" to buf. */
static int
put_hex(char *buf, size_t cap, size_t *len, const char *name, const uint8_t *v, size_t n)
{
	char hex[2 * GMKSTORE_TEXT_MAX + 1];
	int w;

	if (hex_encode(v, n, hex, sizeof(hex), 0) != 0)
		return SKM_ELEN;
	w = snprintf(buf + *len, cap - *len, "%s %s\n", name, n == 0 ? "-" : hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	if (w < 0 || (size_t)w >= cap - *len)
		return SKM_ELEN;
	*len += (size_t)w;
	return 0;
}

static int
put_text(char *buf, size_t cap, size_t *len, const char *name, const char *v)
{
	int w = snprintf(buf + *len, cap - *len, "%s %s\n", name, v);

	if (w < 0 || (size_t)w >= cap - *len)
		return SKM_ELEN;
	*len += (size_t)w;
	return 0;
}

int
gmkstore_put(const char *dir, const struct gmkstore_rec *r, int replace)
{
	char path[GMKFILE_PATH_MAX], num[64], *buf;
	size_t len = 0, i;
	int err;

	if ((err = gmkfile_path(path, dir, GMKSTORE_DIR)) != 0 ||
	    (err = gmkfile_mkdir(path)) != 0 ||
	    (err = rec_path(path, dir, r->gmk_id)) != 0)
		return err;
	if ((buf = OPENSSL_secure_zalloc(GMKSTORE_FILE_MAX)) == NULL)
		return SKM_ENOMEM;
#define PUTNUM(name, fmt, v) \
	(snprintf(num, sizeof(num), fmt, v), put_text(buf, GMKSTORE_FILE_MAX, &len, name, num))
	if ((err = put_text(buf, GMKSTORE_FILE_MAX, &len, GMKSTORE_MAGIC, "")) != 0 ||
	    (err = PUTNUM("gmk-id", "%08" PRIx32, r->gmk_id)) != 0 ||
	    (err = PUTNUM("guk-id", "%08" PRIx32, r->guk_id)) != 0 ||
	    (err = put_hex(buf, GMKSTORE_FILE_MAX, &len, "gmk", r->gmk, sizeof(r->gmk))) != 0 ||
	    (err = put_hex(buf, GMKSTORE_FILE_MAX, &len, "rand", r->rand, r->randlen)) != 0 ||
	    (err = PUTNUM("key-type", "%u", r->key_type)) != 0 ||
	    (err = PUTNUM("status", "%" PRIu32, r->status)) != 0 ||
	    (err = PUTNUM("timestamp", "%" PRId64, r->timestamp)) != 0 ||
	    (err = PUTNUM("timestamp-fraction", "%" PRIu32, r->timestamp_frac)) != 0 ||
	    (err = PUTNUM("activation", "%" PRId64, r->activation)) != 0 ||
	    (err = PUTNUM("expiry", "%" PRId64, r->expiry)) != 0 ||
	    (err = put_text(buf, GMKSTORE_FILE_MAX, &len, "gms", r->gms)) != 0 ||
	    (err = put_hex(buf, GMKSTORE_FILE_MAX, &len, "text", (const uint8_t *)r->text,
	    strlen(r->text))) != 0)
		goto out;
#undef PUTNUM
	for (i = 0; i < r->ngroups; i++)
		if ((err = put_text(buf, GMKSTORE_FILE_MAX, &len, "group", r->groups[i])) != 0)
			goto out;
	err = secfile_write(path, (const uint8_t *)buf, len, replace);
out:
	OPENSSL_secure_clear_free(buf, GMKSTORE_FILE_MAX);
	return err;
}

static int
get_hex(const char *v, uint8_t *out, size_t cap, size_t *n)
{
	if (strcmp(v, "-") == 0) {
		*n = 0;
		return 0;
	}
	return hex_decode(v, strlen(v), out, cap, n);
}

static int
get_num(const char *v, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long x;

	if (*v == '\0' || (*v != '-' && (*v < '0' || *v > '9')))
		return SKM_EPARSE;
	x = strtoll(v, &end, 10);
	if (*end != '\0' || x < min || x > max)
		return SKM_EPARSE;
	*out = x;
	return 0;
}

/* Parses one file's lines into r (which starts zeroed). */
static int
rec_parse(char *buf, struct gmkstore_rec *r)
{
	char *line, *end, *v;
	size_t n;
	int64_t x;
	int seen_gmk = 0, seen_id = 0, seen_guk = 0, err;

	if (strncmp(buf, GMKSTORE_MAGIC " \n", sizeof(GMKSTORE_MAGIC) + 1) != 0)
		return SKM_EPARSE;
	for (line = buf + sizeof(GMKSTORE_MAGIC) + 1; *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL || (v = strchr(line, ' ')) == NULL ||
		    v > end)
			return SKM_EPARSE;
		*end = '\0';
		*v++ = '\0';
		err = 0;
		if (strcmp(line, "gmk") == 0) {
			err = get_hex(v, r->gmk, sizeof(r->gmk), &n);
			if (err == 0 && n != sizeof(r->gmk))
				err = SKM_EPARSE;
			seen_gmk = 1;
		} else if (strcmp(line, "gmk-id") == 0 || strcmp(line, "guk-id") == 0) {
			uint8_t id[4];

			if ((err = hex_decode(v, strlen(v), id, sizeof(id), &n)) == 0 && n != 4)
				err = SKM_EPARSE;
			x = (int64_t)id[0] << 24 | id[1] << 16 | id[2] << 8 | id[3];
			if (line[1] == 'm') {
				r->gmk_id = (uint32_t)x;
				seen_id = 1;
			} else {
				r->guk_id = (uint32_t)x;
				seen_guk = 1;
			}
		} else if (strcmp(line, "rand") == 0)
			err = get_hex(v, r->rand, sizeof(r->rand), &r->randlen);
		else if (strcmp(line, "key-type") == 0) {
			err = get_num(v, 0, 15, &x);
			r->key_type = (unsigned)x;
		} else if (strcmp(line, "status") == 0) {
			err = get_num(v, 0, UINT32_MAX, &x);
			r->status = (uint32_t)x;
		} else if (strcmp(line, "timestamp") == 0)
			err = get_num(v, INT64_MIN, INT64_MAX, &r->timestamp);
		else if (strcmp(line, "timestamp-fraction") == 0) {
			/* Absent in files of earlier versions: 0. */
			err = get_num(v, 0, UINT32_MAX, &x);
			r->timestamp_frac = (uint32_t)x;
		}
		else if (strcmp(line, "activation") == 0)
			err = get_num(v, INT64_MIN, INT64_MAX, &r->activation);
		else if (strcmp(line, "expiry") == 0)
			err = get_num(v, INT64_MIN, INT64_MAX, &r->expiry);
		else if (strcmp(line, "gms") == 0) {
			if (!gmkfile_name_ok(v))
				return SKM_EPARSE;
			strcpy(r->gms, v);
		} else if (strcmp(line, "text") == 0) {
			err = get_hex(v, (uint8_t *)r->text, sizeof(r->text) - 1, &n);
			if (err == 0)
				r->text[n] = '\0';
		} else if (strcmp(line, "group") == 0) {
			if (!gmkfile_name_ok(v) || r->ngroups == GMKSTORE_GROUPS_MAX)
				return SKM_EPARSE;
			strcpy(r->groups[r->ngroups++], v);
		} else
			return SKM_EPARSE;
		if (err != 0)
			return SKM_EPARSE;
	}
	return seen_gmk && seen_id && seen_guk ? 0 : SKM_EPARSE;
}

int
gmkstore_get(const char *dir, uint32_t gmk_id, struct gmkstore_rec **out)
{
	char path[GMKFILE_PATH_MAX], *buf = NULL;
	struct gmkstore_rec *r = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	if ((err = rec_path(path, dir, gmk_id)) != 0 ||
	    (err = gmkfile_read(path, GMKSTORE_FILE_MAX, &buf, &len)) != 0)
		return err;
	err = SKM_ENOMEM;
	if ((r = gmkstore_rec_new()) == NULL)
		goto out;
	if ((err = rec_parse(buf, r)) != 0)
		goto out;
	err = r->gmk_id == gmk_id ? 0 : SKM_EPARSE;
out:
	OPENSSL_clear_free(buf, len + 1);
	if (err != 0)
		gmkstore_rec_free(r);
	else
		*out = r;
	return err;
}

static int
cmp_rec(const void *a, const void *b)
{
	const struct gmkstore_rec *x = *(struct gmkstore_rec *const *)a;
	const struct gmkstore_rec *y = *(struct gmkstore_rec *const *)b;

	return x->gmk_id < y->gmk_id ? -1 : x->gmk_id > y->gmk_id;
}

int
gmkstore_list(const char *dir, struct gmkstore_rec ***out, size_t *nout)
{
	struct gmkstore_rec **recs = NULL, **grow;
	char path[GMKFILE_PATH_MAX];
	struct dirent *de;
	DIR *d = NULL;
	size_t n = 0;
	uint8_t id[4];
	size_t idn;
	int err;

	*out = NULL;
	*nout = 0;
	if ((err = gmkfile_path(path, dir, GMKSTORE_DIR)) != 0)
		return err;
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		/* Only the 8-hex-digit names are records; temp files are skipped. */
		if (strlen(de->d_name) != 8 ||
		    hex_decode(de->d_name, 8, id, sizeof(id), &idn) != 0)
			continue;
		err = SKM_ENOMEM;
		if ((grow = realloc(recs, (n + 1) * sizeof(*recs))) == NULL)
			goto out;
		recs = grow;
		if ((err = gmkstore_get(dir, (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 |
		    (uint32_t)id[2] << 8 | id[3], &recs[n])) != 0)
			goto out;
		n++;
	}
	if (n > 1)
		qsort(recs, n, sizeof(*recs), cmp_rec);
	err = 0;
out:
	closedir(d);
	if (err != 0) {
		gmkstore_list_free(recs, n);
		return err;
	}
	*out = recs;
	*nout = n;
	return 0;
}

void
gmkstore_list_free(struct gmkstore_rec **recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		gmkstore_rec_free(recs[i]);
	free(recs);
}

int
gmkstore_erase(const char *dir, uint32_t gmk_id)
{
	char path[GMKFILE_PATH_MAX];
	int err;

	if ((err = rec_path(path, dir, gmk_id)) != 0)
		return err;
	return gmkfile_erase(path);
}

int
gmkstore_drop_group(const char *dir, const char *group,
    int (*still_member)(void *arg, const char *group), void *arg, size_t *erased,
    size_t *kept)
{
	struct gmkstore_rec **recs = NULL;
	size_t n = 0, i, j, k, ne = 0, nk = 0;
	int err, keep;

	if ((err = gmkstore_list(dir, &recs, &n)) != 0)
		return err;
	for (i = 0; i < n; i++) {
		struct gmkstore_rec *r = recs[i];

		if (!gmkstore_rec_has_group(r, group))
			continue;
		keep = 0;
		for (j = k = 0; j < r->ngroups; j++) {
			if (strcmp(r->groups[j], group) == 0)
				continue;
			keep |= still_member(arg, r->groups[j]);
			memmove(r->groups[k++], r->groups[j], sizeof(r->groups[0]));
		}
		r->ngroups = k;
		/* Erasure overwrites: a GMK of a group left must not stay readable. */
		err = keep ? gmkstore_put(dir, r, 1) : gmkstore_erase(dir, r->gmk_id);
		if (err != 0)
			goto out;
		if (keep)
			nk++;
		else
			ne++;
	}
out:
	gmkstore_list_free(recs, n);
	if (erased != NULL)
		*erased = ne;
	if (kept != NULL)
		*kept = nk;
	return err;
}

long
gmkstore_active(struct gmkstore_rec *const *recs, size_t n, const char *group, int64_t now)
{
	long best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct gmkstore_rec *r = recs[i];

		/* TS 33.180 E.6.9: bit 0 of the status set means not revoked. */
		if (!gmkstore_rec_has_group(r, group) || (r->status & 1) == 0 ||
		    r->activation > now || (r->expiry != 0 && r->expiry <= now))
			continue;
		if (best < 0 || r->activation > recs[best]->activation ||
		    (r->activation == recs[best]->activation &&
		    (r->timestamp > recs[best]->timestamp ||
		    (r->timestamp == recs[best]->timestamp &&
		    r->timestamp_frac > recs[best]->timestamp_frac))))
			best = (long)i;
	}
	return best;
}
