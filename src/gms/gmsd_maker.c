/* SPDX-License-Identifier: ISC */
/*
 * The key worker (see gmsd_maker.h). The keystore is only used from this
 * thread. A key set that cannot be had (KMS unreachable) leaves the
 * deliveries unmade, not failed: they are made once it can be fetched.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/gmksend.h"
#include "client/gmksend_ks.h"
#include "client/ks.h"
#include "common/err.h"
#include "gms/gmsd_maker.h"
#include "gms/gstore.h"
#include "lib/mikey_kp.h"
#include "server/log.h"

#define MAKER_BATCH		1024	/* deliveries read from the store at a time */
#define MAKER_IDLE		30	/* seconds between looks without a kick */
#define MAKER_REFRESH		3600	/* seconds between KMS Inits */
#define MAKER_RETRY		10	/* seconds before retrying the KMS */
#define MAKER_PURGE_GRACE	86400	/* key sets kept this long after their period */

struct gmsd_maker {
	struct gstore *st;
	char *keystore;
	char *identity;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int kick;
	int stop;
};

/* The key sets of the current and next period, and a KMS Init when due. */
static int
maker_refresh(struct ks *ks, int64_t now, int init)
{
	struct ks_refresh_result r;
	const struct kmsdoc_keyset *set;
	char why[KS_WHY_MAX] = "";
	uint64_t cur;
	size_t n = 0;
	int err;

	if (init && (err = ks_refresh(ks, now, &r, why, sizeof(why))) != 0) {
		log_warnx("key material: KMS init: %s", why[0] != '\0' ? why : skm_strerror(err));
		return err;
	}
	if ((err = ks_period_at(ks, now, &cur)) != 0) {
		log_warnx("key material: no key period now: %s", skm_strerror(err));
		return err;
	}
	for (uint64_t p = cur; p <= cur + 1; p++) {
		why[0] = '\0';
		if (ks_keyset(ks, p, 0, &set, NULL, 0) == 0 && !ks_keyset_stale(ks, p))
			continue;
		if ((err = ks_fetch(ks, &p, 1, why, sizeof(why))) != 0) {
			log_warnx("key material: key set of period %" PRIu64 ": %s", p,
			    why[0] != '\0' ? why : skm_strerror(err));
			return err;
		}
		log_info("key material: fetched the key set of period %" PRIu64, p);
	}
	if (ks_purge(ks, now, MAKER_PURGE_GRACE, &n, why, sizeof(why)) == 0 && n > 0)
		log_info("key material: purged %zu expired key set%s", n, n == 1 ? "" : "s");
	(void)ks_tidy(ks, now, NULL, why, sizeof(why));
	return 0;
}

static void
maker_now(int64_t *now, uint32_t *frac)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	*now = (int64_t)ts.tv_sec;
	*frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

/*
 * Makes the I_MESSAGEs of d[first] and every later one of the same group
 * and GMK; those it cannot make now (sealed GMKs, no key) get skip set.
 */
static void
maker_one_gmk(struct gmsd_maker *m, struct gmksend *g, struct gstore_dlv *d, size_t n,
    size_t first, char *done, char *skip)
{
	struct gstore_group grp;
	struct gmksend_result *res = NULL;
	const struct gstore_gmk *gmk = NULL;
	const char **uris = NULL;
	size_t *at = NULL, k = 0, i;
	struct mikey_kp kp;

	if ((uris = calloc(n, sizeof(*uris))) == NULL || (at = calloc(n, sizeof(*at))) == NULL ||
	    (res = calloc(n, sizeof(*res))) == NULL)
		goto out;
	for (i = first; i < n; i++) {
		if (done[i] || strcmp(d[i].group, d[first].group) != 0 ||
		    d[i].gmk_id != d[first].gmk_id)
			continue;
		done[i] = 1;
		at[k] = i;
		uris[k++] = d[i].user;
	}
	if (gstore_group_get(m->st, d[first].group, &grp) == 0 && grp.locked) {
		/* Left unmade: made once skgmsd has the key. Never a zero key. */
		log_warnx("group %s: its GMKs are sealed and gms.kek-file is not set: "
		    "no I_MESSAGE made", d[first].group);
		for (i = 0; i < k; i++)
			skip[at[i]] = 1;
		goto out;
	}
	if (grp.id[0] != '\0')
		for (i = 0; i < grp.ngmk; i++)
			if (grp.gmk[i].id == d[first].gmk_id)
				gmk = &grp.gmk[i];
	if (gmk == NULL) {
		for (i = 0; i < k; i++)
			snprintf(d[at[i]].reason, sizeof(d[at[i]].reason),
			    "superseded: the group no longer holds the GMK");
		goto out;
	}
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.activation = (uint64_t)gmk->activation;
	kp.expiry = (uint64_t)gmk->expiry;
	kp.text = gmk->text[0] != '\0' ? (char *)(uintptr_t)gmk->text : NULL;
	kp.groups[0] = (char *)(uintptr_t)d[first].group;
	kp.ngroups = 1;
	g->gmk = gmk->key;
	g->gmk_id = gmk->id;
	g->kp = &kp;
	g->group = d[first].group;
	g->outdir = NULL;
	(void)gmksend_run(g, uris, k, res);
	for (i = 0; i < k; i++) {
		struct gstore_dlv *x = &d[at[i]];

		if (res[i].err != 0 || res[i].imsg == NULL ||
		    (x->imsg = malloc(res[i].imsg_len)) == NULL) {
			snprintf(x->reason, sizeof(x->reason), "cannot make the I_MESSAGE: %s",
			    skm_strerror(res[i].err != 0 ? res[i].err : SKM_ENOMEM));
		} else {
			memcpy(x->imsg, res[i].imsg, res[i].imsg_len);
			x->imsg_len = res[i].imsg_len;
		}
		OPENSSL_free(res[i].imsg);
	}
	log_info("made %zu I_MESSAGE%s of GMK %08" PRIx32 " for group %s", k, k == 1 ? "" : "s",
	    gmk->id, d[first].group);
out:
	OPENSSL_cleanse(&grp, sizeof(grp));
	free(res);
	free(at);
	free(uris);
}

/* One batch; 1 when more may wait, 0 when none, negative when the keys are missing. */
static int
maker_make(struct gmsd_maker *m, struct ks *ks)
{
	struct gstore_dlv *d = NULL;
	struct gmksend g;
	char why[KS_WHY_MAX] = "", *done = NULL, *skip = NULL;
	const char *what = "";
	size_t n = 0, i, k;
	int64_t now;
	uint32_t frac;
	int err, rc;

	if ((err = gstore_unmade(m->st, MAKER_BATCH, &d, &n)) != 0) {
		log_warnx("store: deliveries to make: %s", skm_strerror(err));
		return err;
	}
	if (n == 0)
		return 0;
	memset(&g, 0, sizeof(g));
	maker_now(&now, &frac);
	if ((err = gmksend_ks(ks, now, frac, 1, &g, &what, why, sizeof(why))) != 0) {
		log_warnx("cannot make I_MESSAGEs: %s: %s", what, why[0] != '\0' ? why :
		    skm_strerror(err));
		gstore_dlvs_free(d, n);
		return err < 0 ? err : SKM_EIO;
	}
	if ((done = calloc(n, 1)) == NULL || (skip = calloc(n, 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (!done[i])
			maker_one_gmk(m, &g, d, n, i, done, skip);
	/* The skipped ones stay to be made: out of the array stored. */
	for (i = 0, k = 0; i < n; i++) {
		if (skip[i]) {
			gstore_dlv_clear(&d[i]);
			continue;
		}
		if (k != i) {
			d[k] = d[i];
			memset(&d[i], 0, sizeof(d[i]));
		}
		k++;
	}
	if (k < n)
		err = SKM_EPERM;
	if (k > 0 && (rc = gstore_made(m->st, d, k, now)) != 0) {
		err = rc;
		log_warnx("store: storing I_MESSAGEs: %s", skm_strerror(err));
	}
out:
	free(skip);
	free(done);
	gmksend_ks_free(&g);
	gstore_dlvs_free(d, n);
	return err != 0 ? err : n == MAKER_BATCH;
}

static void *
maker_main(void *arg)
{
	struct gmsd_maker *m = arg;
	struct ks *ks = NULL;
	struct timespec until;
	char why[KS_WHY_MAX];
	int64_t now, next_init = 0, wake;
	int rc = 0, keys_ok = 0, inited = 0;

	for (;;) {
		now = (int64_t)time(NULL);
		wake = now + MAKER_IDLE;
		why[0] = '\0';
		if (ks == NULL && (rc = ks_open(&ks, m->keystore, m->identity, 0, why,
		    sizeof(why))) != 0) {
			log_warnx("keystore %s: %s", m->keystore, why[0] != '\0' ? why :
			    skm_strerror(rc));
			ks = NULL;
			wake = now + MAKER_RETRY;
		}
		if (ks != NULL && (now >= next_init || !keys_ok)) {
			keys_ok = maker_refresh(ks, now, now >= next_init || !inited) == 0;
			if (keys_ok) {
				inited = 1;
				next_init = now + MAKER_REFRESH;
			} else
				wake = now + MAKER_RETRY;
		}
		while (ks != NULL && (rc = maker_make(m, ks)) > 0)
			;
		if (ks != NULL && rc < 0)
			wake = now + MAKER_RETRY;
		if (wake > next_init && next_init != 0)
			wake = next_init;
		pthread_mutex_lock(&m->mu);
		until.tv_sec = (time_t)wake;
		until.tv_nsec = 0;
		while (!m->kick && !m->stop)
			if (pthread_cond_timedwait(&m->cv, &m->mu, &until) == ETIMEDOUT)
				break;
		m->kick = 0;
		rc = m->stop;
		pthread_mutex_unlock(&m->mu);
		if (rc)
			break;
	}
	ks_close(ks);
	return NULL;
}

int
gmsd_maker_start(struct gstore *st, const char *keystore, const char *identity, char *uri,
    size_t urilen, struct gmsd_maker **out, char *why, size_t whylen)
{
	struct gmsd_maker *m;
	struct ks *ks = NULL;
	int rc;

	*out = NULL;
	why[0] = '\0';
	if ((rc = ks_open(&ks, keystore, identity, 0, why, whylen)) != 0) {
		if (why[0] == '\0')
			snprintf(why, whylen, "%s", rc == SKM_ENOTFOUND ?
			    "no identity there (skmc init)" : skm_strerror(rc));
		return rc;
	}
	snprintf(uri, urilen, "%s", ks_uri(ks));
	ks_close(ks);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->keystore = strdup(keystore)) == NULL ||
	    (identity != NULL && (m->identity = strdup(identity)) == NULL))
		goto nomem;
	m->st = st;
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	if (pthread_create(&m->th, NULL, maker_main, m) != 0) {
		snprintf(why, whylen, "cannot start the key worker thread");
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		free(m->identity);
		free(m->keystore);
		free(m);
		return SKM_ENOMEM;
	}
	*out = m;
	return 0;
nomem:
	if (m != NULL) {
		free(m->keystore);
		free(m);
	}
	snprintf(why, whylen, "%s", skm_strerror(SKM_ENOMEM));
	return SKM_ENOMEM;
}

void
gmsd_maker_kick(struct gmsd_maker *m)
{
	pthread_mutex_lock(&m->mu);
	m->kick = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

void
gmsd_maker_stop(struct gmsd_maker *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->stop = 1;
	pthread_cond_signal(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->th, NULL);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m->identity);
	free(m->keystore);
	free(m);
}
