/* SPDX-License-Identifier: ISC */
/*
 * Parallel GMK I_MESSAGE making. Workers take the next GMKSEND_CHUNK
 * members from an atomic counter and make their SAKKE data in one batch
 * (shared inversions, about 40% less work per member); the shared inputs
 * (signer, KMS public key, GMK) are only read, which sakke.c and eccsi.c
 * allow (their lazily built tables are behind CRYPTO_THREAD_run_once).
 * Documents are written without fsync: they are outputs for delivery, not
 * state.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "client/gmksend.h"
#include "client/notify.h"
#include "common/err.h"
#include "lib/mikey_gmk.h"

struct job {
	const struct gmksend *s;
	const char *const *uris;
	size_t n;
	struct gmksend_result *res;
	size_t next;		/* atomic */
};

int
gmksend_new_id(uint32_t *gmk_id)
{
	uint8_t r[4];

	if (RAND_bytes(r, sizeof(r)) != 1)
		return SKM_ECRYPTO;
	/* TS 33.180 5.2.3: the 4 MSBs are the purpose tag, 0 for a GMK. */
	*gmk_id = ((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]) &
	    0x0fffffffu;
	return 0;
}

#define GMKSEND_CHUNK	16	/* members per SAKKE batch */

/* Leaves room for "-<index>.xml" under NAME_MAX (255). */
#define FILE_STEM_MAX	200

static void
file_name(char *out, size_t len, const char *uri, long index)
{
	size_t i, n = strlen(uri);
	int w;

	for (i = 0; i < n && i < FILE_STEM_MAX && i + 1 < len; i++) {
		char c = uri[i];

		out[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '@' || c == '+' || c == '-' ?
		    c : '_';
	}
	if (i > 0 && out[0] == '.')
		out[0] = '_';
	out[i] = '\0';
	if (index >= 0)
		w = snprintf(out + i, len - i, "-%ld.xml", index);
	else
		w = snprintf(out + i, len - i, ".xml");
	(void)w;
}

static int
write_file(const char *dir, const char *name, const char *doc, size_t len)
{
	char path[GMKFILE_PATH_MAX];
	size_t off = 0;
	ssize_t w;
	int fd, err;

	if ((err = gmkfile_path(path, dir, name)) != 0)
		return err;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return SKM_EIO;
	while (off < len) {
		w = write(fd, doc + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	err = off == len ? 0 : SKM_EIO;
	if (close(fd) != 0)
		err = SKM_EIO;
	return err;
}

/* The I_MESSAGE and notification of one member, with its SAKKE data. */
static int
one(const struct gmksend *s, const char *uri, struct gmksend_result *r,
    const uint8_t uid[UID_LEN], const uint8_t sed[SAKKE_SED_LEN])
{
	struct mikey_gmk_send m;
	uint8_t *msg = NULL;
	char *doc = NULL;
	size_t len = 0, doclen;
	int err;

	memset(&m, 0, sizeof(m));
	m.signer = s->signer;
	m.gms_uri = s->gms_uri;
	m.gms_uid = s->gms_uid;
	m.user_uri = uri;
	m.user_uid = uid;
	m.kms_uri = s->kms_uri;
	m.z = s->z;
	m.ts = s->ts;
	m.gmk = s->gmk;
	m.gmk_id = s->gmk_id;
	m.kp = s->kp;
	m.hide = s->hide;
	m.sed = sed;
	if ((err = mikey_gmk_make(&m, &msg, &len)) != 0)
		goto out;
	if (s->outdir == NULL) {
		/* Kept for the caller (a GMS service stores it). */
		r->imsg = msg;
		r->imsg_len = len;
		return 0;
	}
	if ((err = notify_req_write(s->gms_uri, s->group, msg, len, &doc, &doclen)) != 0)
		goto out;
	err = write_file(s->outdir, r->file, doc, doclen);
out:
	free(doc);
	OPENSSL_free(msg);
	return err;
}

/* Members first .. first + n - 1 (n <= GMKSEND_CHUNK). */
static void
chunk(const struct job *j, size_t first, size_t n)
{
	uint8_t uid[GMKSEND_CHUNK][UID_LEN], ssv[GMKSEND_CHUNK][SAKKE_SSV_LEN];
	uint8_t sed[GMKSEND_CHUNK][SAKKE_SED_LEN];
	const uint8_t *ids[GMKSEND_CHUNK];
	size_t lens[GMKSEND_CHUNK], at[GMKSEND_CHUNK], k, m = 0;
	int status[GMKSEND_CHUNK];
	const struct gmksend *s = j->s;

	for (k = 0; k < n; k++) {
		struct gmksend_result *r = &j->res[first + k];
		const char *uri = j->uris[first + k];

		r->err = uid_derive(uri, strlen(uri), s->kms_uri,
		    strlen(s->kms_uri), s->key_period, s->key_offset,
		    s->period_no, uid[m]);
		if (r->err != 0)
			continue;
		at[m] = first + k;
		ids[m] = uid[m];
		lens[m] = UID_LEN;
		memcpy(ssv[m], s->gmk, SAKKE_SSV_LEN);
		m++;
	}
	if (m > 0)
		(void)sakke_encapsulate_batch(s->z, m, ids, lens,
		    (const uint8_t (*)[SAKKE_SSV_LEN])ssv, sed, status);
	for (k = 0; k < m; k++)
		j->res[at[k]].err = status[k] != 0 ? status[k] :
		    one(s, j->uris[at[k]], &j->res[at[k]], uid[k], sed[k]);
	OPENSSL_cleanse(ssv, sizeof(ssv));
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&j->next, GMKSEND_CHUNK,
	    __ATOMIC_RELAXED)) < j->n)
		chunk(j, i, j->n - i < GMKSEND_CHUNK ? j->n - i : GMKSEND_CHUNK);
	return NULL;
}

static int
cmp_name(const void *a, const void *b)
{
	const struct gmksend_result *x = *(struct gmksend_result *const *)a;
	const struct gmksend_result *y = *(struct gmksend_result *const *)b;

	return strcmp(x->file, y->file);
}

/* Names every member's file, giving clashing names an index. */
static int
name_files(const char *const *uris, size_t n, struct gmksend_result *res)
{
	struct gmksend_result **sorted;
	size_t i;

	for (i = 0; i < n; i++)
		file_name(res[i].file, sizeof(res[i].file), uris[i], -1);
	if ((sorted = malloc((n + 1) * sizeof(*sorted))) == NULL)
		return SKM_ENOMEM;
	for (i = 0; i < n; i++)
		sorted[i] = &res[i];
	qsort(sorted, n, sizeof(*sorted), cmp_name);
	for (i = 0; i + 1 < n; i++)
		if (strcmp(sorted[i]->file, sorted[i + 1]->file) == 0)
			break;
	if (i + 1 < n)
		for (i = 0; i < n; i++)
			file_name(res[i].file, sizeof(res[i].file), uris[i], (long)i);
	free(sorted);
	return 0;
}

int
gmksend_run(const struct gmksend *s, const char *const *uris, size_t n,
    struct gmksend_result *res)
{
	pthread_t tid[GMKSEND_THREADS_MAX];
	struct job j = { s, uris, n, res, 0 };
	unsigned nt = s->threads, started = 0, t;
	long cores;
	size_t i;
	int err;

	if (s->outdir != NULL && ((err = gmkfile_mkdir(s->outdir)) != 0 ||
	    (err = name_files(uris, n, res)) != 0))
		return err;
	if (nt == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		nt = cores < 1 ? 1 : (unsigned)cores;
	}
	if (nt > GMKSEND_THREADS_MAX)
		nt = GMKSEND_THREADS_MAX;
	if (nt > n)
		nt = n == 0 ? 1 : (unsigned)n;
	/* The calling thread is a worker too; start the others. */
	for (t = 1; t < nt; t++) {
		if (pthread_create(&tid[t], NULL, worker, &j) != 0)
			break;
		started++;
	}
	worker(&j);
	for (t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (i = 0; i < n; i++)
		if (res[i].err != 0)
			return res[i].err;
	return 0;
}
