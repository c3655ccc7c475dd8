/* SPDX-License-Identifier: ISC */
/*
 * skmc watch: stays in the foreground (for a service manager) and keeps
 * the key material current: fetches the next period's key set at a random
 * moment in the first half of the configured window before the boundary,
 * so a fleet does not ask at once, after a KMS Init that brings the
 * certificate of a scheduled rollover (both certificates are kept while
 * key sets of both are held); on failure retries with exponential backoff
 * and jitter while the current keys stay in place; purges expired key
 * sets and drops retired certificates no key set needs.
 * Logs each step on stderr with a UTC timestamp, never key bytes. Stops
 * cleanly on SIGTERM or SIGINT.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "client/backoff.h"
#include "client/kmsdoc.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/time.h"
#include "skmc/cmd.h"

static volatile sig_atomic_t watch_stop;

static void
watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void
watch_log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
watch_log(const char *fmt, ...)
{
	char ts[TIME_TEXT_LEN] = "";
	va_list ap;

	(void)time_format((int64_t)time(NULL), ts, sizeof(ts));
	fprintf(stderr, "%s skmc: watch: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* A uniform value in [0, n); n > 0. Spreads clients, so not a secret. */
static int64_t
watch_random(int64_t n)
{
	uint64_t r = 0;

	if (n <= 1 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		return 0;
	return (int64_t)(r % (uint64_t)n);
}

/* Sleeps until Unix time t; returns 1 when asked to stop. */
static int
watch_sleep_until(int64_t t)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	while (!watch_stop && (int64_t)time(NULL) < t)
		nanosleep(&ts, NULL);
	return watch_stop != 0;
}

/*
 * A revoked Root (an emergency rollover at the KMS): its key sets are
 * dropped and the certificate in force taken up (ks_revoked.h); the loop
 * then fetches key sets under it.
 */
static void
watch_revoked(struct ks *ks)
{
	const struct kmsdoc_cert *root;
	char why[KS_WHY_MAX] = "", old[KS_WHY_MAX] = "";
	int rc;

	if (ks_cert(ks, &root, NULL, 0) == 0 && root->cert_uri != NULL)
		snprintf(old, sizeof(old), "%s", root->cert_uri);
	if ((rc = ks_revoked_follow(ks, why, sizeof(why))) < 0)
		watch_log("revocation check failed: %s", why[0] != '\0' ? why :
		    skm_strerror(rc));
	else if (rc == 1 && ks_cert(ks, &root, NULL, 0) == 0)
		watch_log("certificate %s was revoked by the KMS: its key sets were "
		    "dropped; certificate %s taken up", old, root->cert_uri != NULL ?
		    root->cert_uri : "-");
}

/* KMS Init; logs a rollover it learnt of. */
static int
watch_refresh(struct ks *ks, char *why, size_t whylen)
{
	struct ks_refresh_result r;
	const struct kmsdoc_cert *c;
	char ts[TIME_TEXT_LEN] = "";
	int64_t now = (int64_t)time(NULL);
	int err;

	if ((err = ks_refresh(ks, now, &r, why, whylen)) != 0)
		return err;
	if (r.current_added && ks_cert(ks, &c, NULL, 0) == 0)
		watch_log("certificate %s is in force", c->cert_uri);
	if (r.next_added && ks_cert_next(ks, now, &c) == 0) {
		(void)time_format(c->valid_from, ts, sizeof(ts));
		watch_log("rollover scheduled: certificate %s from %s", c->cert_uri, ts);
	}
	return 0;
}

int
cmd_watch(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	struct ctx_opts o = { NULL, NULL, 0, NULL, NULL, 0, NULL, 0, 0 };
	const struct kmsdoc_keyset *set;
	struct sigaction sa;
	struct ks *ks = NULL;
	char why[KS_WHY_MAX], ts[TIME_TEXT_LEN];
	uint64_t cur, want, checked = 0;	/* checked: the period a KMS Init was made for */
	uint64_t told = 0, check_for = 0;	/* the periods logged, the Init time drawn for */
	int64_t now, start, end, window, at, delay, wake, check_at = 0;
	unsigned fails = 0;
	size_t purged;
	int rc, err;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	watch_log("watching %s", ks_uri(ks));
	while (!watch_stop) {
		now = (int64_t)time(NULL);
		if ((err = ks_period_at(ks, now, &cur)) != 0 ||
		    (err = ks_period_bounds(ks, cur, &start, &end)) != 0) {
			watch_log("no key period: %s", skm_strerror(err));
			rc = CLI_FAILED;
			break;
		}
		why[0] = '\0';
		if (ks_purge(ks, now, ctx->purge_grace, &purged, why, sizeof(why)) != 0)
			watch_log("purge failed: %s", why);
		else if (purged > 0)
			watch_log("purged %zu expired key set%s", purged, purged == 1 ? "" : "s");
		why[0] = '\0';
		if (ks_tidy(ks, now, &purged, why, sizeof(why)) != 0)
			watch_log("dropping retired certificates failed: %s", why);
		else if (purged > 0)
			watch_log("dropped %zu retired certificate%s", purged,
			    purged == 1 ? "" : "s");
		/* A key set fetched before a rollover was known is fetched again. */
		if (ks_keyset(ks, cur, 0, &set, NULL, 0) != 0 || ks_keyset_stale(ks, cur))
			want = cur;
		else if (ks_keyset(ks, cur + 1, 0, &set, NULL, 0) != 0 ||
		    ks_keyset_stale(ks, cur + 1))
			want = cur + 1;
		else if (checked != cur + 1) {
			/*
			 * Stored already: a KMS Init in the fetch window all the same,
			 * for a rollover scheduled since. The time is drawn once a period.
			 */
			if (check_for != cur + 1) {
				window = ctx_window(ctx, (uint64_t)(end - start));
				check_at = end - window + watch_random(window / 2 + 1);
				check_for = cur + 1;
				if (check_at > now) {
					(void)time_format(check_at, ts, sizeof(ts));
					watch_log("next check for a rollover at %s", ts);
				}
			}
			if (check_at > now) {
				/* Every retry-max seconds the KMS is asked for revocations. */
				wake = now + ctx->retry_max < check_at ? now + ctx->retry_max :
				    check_at;
				if (watch_sleep_until(wake))
					break;
				if (wake < check_at) {
					watch_revoked(ks);
					continue;
				}
			}
			why[0] = '\0';
			if (watch_refresh(ks, why, sizeof(why)) != 0)
				watch_log("init failed: %s", why);
			checked = cur + 1;
			continue;
		} else {
			if (told != cur + 1) {
				(void)time_format(end, ts, sizeof(ts));
				watch_log("period %" PRIu64 " is stored; rollover at %s",
				    cur + 1, ts);
				told = cur + 1;
			}
			wake = now + ctx->retry_max < end ? now + ctx->retry_max : end;
			if (watch_sleep_until(wake))
				break;
			if (wake < end) {
				watch_revoked(ks);
				continue;
			}
			watch_log("rollover: period %" PRIu64 " is current", cur + 1);
			continue;
		}
		if (want == cur + 1 && fails == 0) {
			window = ctx_window(ctx, (uint64_t)(end - start));
			/* The first half of the window; the second is for retries. */
			at = end - window + watch_random(window / 2 + 1);
			if (at > now) {
				(void)time_format(at, ts, sizeof(ts));
				watch_log("next fetch: period %" PRIu64 " at %s (its start"
				    " minus %" PRId64 " s)", want, ts, end - at);
				if (watch_sleep_until(at))
					break;
			}
		}
		why[0] = '\0';
		/* KMS Init before the next period: a scheduled rollover's certificate. */
		if (want == cur + 1 && checked != cur + 1) {
			if (watch_refresh(ks, why, sizeof(why)) != 0) {
				/* Not fatal: a key set under an unknown certificate asks again. */
				watch_log("init failed: %s", why);
				why[0] = '\0';
			}
			checked = cur + 1;
		}
		if ((err = ks_fetch(ks, &want, 1, why, sizeof(why))) == 0 &&
		    ks_keyset_stale(ks, want)) {
			/* Retried with backoff rather than fetched again at once. */
			err = SKM_EVERIFY;
			snprintf(why, sizeof(why), "the KMS serves it under a certificate that "
			    "is not the one in force then");
		}
		if (err == 0) {
			fails = 0;
			now = (int64_t)time(NULL);
			if (want == cur + 1 && now < end)
				watch_log("fetched period %" PRIu64 ", %" PRId64
				    " s before its start", want, end - now);
			else
				watch_log("fetched period %" PRIu64, want);
			continue;
		}
		/* Exponential backoff, halved at random so clients spread out again. */
		fails++;
		delay = backoff_next(ctx->retry_min, ctx->retry_max, fails);
		watch_log("fetch of period %" PRIu64 " failed (%u): %s; retry in %" PRId64 " s",
		    want, fails, *why ? why : skm_strerror(err), delay);
		if (watch_sleep_until((int64_t)time(NULL) + delay))
			break;
	}
	if (watch_stop)
		watch_log("stopping");
	ks_close(ks);
	return rc;
}
