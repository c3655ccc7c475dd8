/* SPDX-License-Identifier: ISC */
/*
 * skmc listen: stays in the foreground on a GMS service's notification
 * channel (the HTTP long poll of skgmsd(8)) for the keystore identity.
 * Each 'Notify group configuration request' goes through every check of
 * skmc gmk accept and is stored; each removal notice leaves the group as
 * skmc group remove does; each is answered with the 'Notify group
 * configuration response'. Delivery is at least once, so a GMK already
 * stored under the same GMK-ID with the same key is answered success.
 * Reconnects with capped, jittered back-off; stops cleanly on SIGTERM or
 * SIGINT. Logs each step on stderr with a UTC timestamp, never key bytes.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/accept.h"
#include "client/backoff.h"
#include "client/gmschan.h"
#include "client/gmsnote.h"
#include "client/ks.h"
#include "client/leave.h"
#include "client/notify.h"
#include "client/profile.h"
#include "common/err.h"
#include "common/time.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"
#include "skmc/gmkkeys.h"

#define LISTEN_WAIT		30	/* seconds a poll is held (protocol default) */
#define LISTEN_RETRY_MIN	1	/* seconds */
#define LISTEN_RETRY_MAX	60

static volatile sig_atomic_t listen_stop;

static void
listen_signal(int sig)
{
	(void)sig;
	listen_stop = 1;
}

static void
listen_log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
listen_log(const char *fmt, ...)
{
	char ts[TIME_TEXT_LEN] = "";
	va_list ap;

	(void)time_format((int64_t)time(NULL), ts, sizeof(ts));
	fprintf(stderr, "%s skmc: listen: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Sleeps ms milliseconds in short steps; returns 1 when asked to stop. */
static int
listen_sleep(int64_t ms)
{
	struct timespec ts;

	while (!listen_stop && ms > 0) {
		ts.tv_sec = 0;
		ts.tv_nsec = (ms < 100 ? ms : 100) * 1000000L;
		nanosleep(&ts, NULL);
		ms -= 100;
	}
	return listen_stop != 0;
}

struct listen_run {
	const struct skmc_ctx *ctx;
	struct gmschan *ch;
	int64_t window;
	int keys_ok;			/* keys loaded for this batch */
	struct gmkkeys keys;
	struct ks *ks;			/* opened afresh for each batch */
};

/*
 * The key material for a batch: with a Root renewal when the KMS answers;
 * an unreachable KMS does not stop GMKs of stored periods. 0, or the
 * reason in why.
 */
static int
listen_keys(struct listen_run *lr, char *why, size_t whylen)
{
	const char *what;
	char kwhy[KS_WHY_MAX] = "";
	int err;

	if (lr->keys_ok)
		return 0;
	if (lr->ks == NULL && (err = ks_open(&lr->ks, lr->ctx->keystore, lr->ctx->as, 0,
	    kwhy, sizeof(kwhy))) != 0)
		return skm_why(why, whylen, err, "keystore: %s", kwhy);
	err = gmkkeys_load(&lr->keys, lr->ks, 1, &what, kwhy, sizeof(kwhy));
	if (err == SKM_EUNREACH || err == SKM_EBUSY)
		err = gmkkeys_load(&lr->keys, lr->ks, 0, &what, kwhy, sizeof(kwhy));
	if (err != 0)
		return skm_why(why, whylen, err, "%s: %s", what, kwhy);
	lr->keys_ok = 1;
	return 0;
}

static void
listen_batch_end(struct listen_run *lr)
{
	if (lr->keys_ok)
		gmkkeys_free(&lr->keys);
	lr->keys_ok = 0;
	ks_close(lr->ks);
	lr->ks = NULL;
}

/* Sends the response document for one delivery. */
static void
listen_answer(struct listen_run *lr, const struct gmsnote *g, int ok, const char *reason)
{
	char *doc = NULL, why[GMSCHAN_WHY_MAX] = "";
	size_t len;
	int err;

	if ((err = notify_resp_write(g->group, ok, ok ? NULL : reason, &doc, &len)) != 0) {
		listen_log("delivery %s: response: %s", g->id, skm_strerror(err));
		return;
	}
	/* A lost answer is not retried here: the GMS delivers again. */
	if ((err = gmschan_respond(lr->ch, g->id, doc, len, why, sizeof(why))) != 0)
		listen_log("delivery %s: answer not recorded: %s", g->id, why);
	else
		listen_log("delivery %s: answered %s", g->id, ok ? "success" : "failure");
	free(doc);
}

static void
listen_gmk(struct listen_run *lr, const struct gmsnote *g)
{
	struct accept_result r;
	struct accept_opts o;
	char why[ACCEPT_WHY_MAX] = "", *doc = NULL;
	size_t len;
	int err;

	memset(&r, 0, sizeof(r));
	if ((err = listen_keys(lr, why, sizeof(why))) != 0) {
		/* Transient: left unanswered, so the GMS delivers it again. */
		listen_log("delivery %s: GMK for %s not checked: %s", g->id, g->group, why);
		return;
	}
	/* The very document skmc gmk accept reads from a file. */
	if ((err = notify_req_write(g->requester, g->group, g->imsg, g->imsglen, &doc,
	    &len)) != 0) {
		listen_log("delivery %s: %s", g->id, skm_strerror(err));
		return;
	}
	memset(&o, 0, sizeof(o));
	o.now = (int64_t)time(NULL);
	o.window = lr->window;
	o.group = g->group;
	o.redelivery = 1;
	err = accept_run(ks_path(lr->ks), &lr->keys.k, &o, (const uint8_t *)doc, len, &r);
	free(doc);
	if (r.check == ACCEPT_OK) {
		listen_log("delivery %s: %s GMK-ID %08" PRIx32 " for %s from %s", g->id,
		    r.redelivered ? "already stored:" : "accepted", r.rec->gmk_id, g->group,
		    r.rec->gms);
		listen_answer(lr, g, 1, NULL);
	} else if (err == SKM_EUNREACH || err == SKM_EBUSY) {
		listen_log("delivery %s: GMK for %s not checked: %s; left for redelivery",
		    g->id, g->group, r.why);
	} else {
		listen_log("delivery %s: GMK for %s refused: %s", g->id, g->group, r.why);
		listen_answer(lr, g, 0, r.why);
	}
	gmkstore_rec_free(r.rec);
}

static void
listen_removal(struct listen_run *lr, const struct gmsnote *g)
{
	struct profile *p = NULL;
	const char *gms;
	char why[ACCEPT_WHY_MAX] = "", kwhy[KS_WHY_MAX] = "";
	size_t erased = 0, kept = 0;
	int err;

	if (lr->ks == NULL && (err = ks_open(&lr->ks, lr->ctx->keystore, lr->ctx->as, 0,
	    kwhy, sizeof(kwhy))) != 0) {
		listen_log("delivery %s: keystore: %s", g->id, kwhy);
		return;
	}
	if ((err = profile_load(&p, ks_path(lr->ks))) != 0) {
		listen_log("delivery %s: user profile: %s", g->id, skm_strerror(err));
		return;
	}
	/* Only the group's own GMS may take the group's GMKs away. */
	gms = profile_gms(p, g->group);
	if (gms != NULL && strcmp(gms, g->requester) != 0) {
		snprintf(why, sizeof(why), "removal: the GMS of VAL group '%s' is %s, not the "
		    "requester %s", g->group, gms, g->requester);
		listen_log("delivery %s: %s", g->id, why);
		listen_answer(lr, g, 0, why);
		goto out;
	}
	err = leave_group(ks_path(lr->ks), g->group, &erased, &kept);
	if (err == SKM_ENOTFOUND) {
		/* Left already (a redelivery, or skmc group remove): done. */
		listen_log("delivery %s: removed from %s (not in the user profile)", g->id,
		    g->group);
		listen_answer(lr, g, 1, NULL);
	} else if (err != 0) {
		snprintf(why, sizeof(why), "removal: %s", skm_strerror(err));
		listen_log("delivery %s: %s", g->id, why);
		listen_answer(lr, g, 0, why);
	} else {
		listen_log("delivery %s: removed from %s: %zu GMK%s erased, %zu kept", g->id,
		    g->group, erased, erased == 1 ? "" : "s", kept);
		listen_answer(lr, g, 1, NULL);
	}
out:
	profile_free(p);
}

static void
listen_batch(struct listen_run *lr, const char *body, size_t len, int *bad)
{
	struct gmsnote *notes = NULL;
	char why[GMSCHAN_WHY_MAX] = "";
	size_t n = 0, i;

	*bad = 0;
	if (gmsnote_parse(body, len, &notes, &n, why, sizeof(why)) != 0) {
		listen_log("answer of the GMS refused: %s", why);
		*bad = 1;
		return;
	}
	if (n > 0)
		listen_log("%zu notification%s", n, n == 1 ? "" : "s");
	for (i = 0; i < n && !listen_stop; i++) {
		if (notes[i].kind == GMSNOTE_GMK)
			listen_gmk(lr, &notes[i]);
		else if (notes[i].kind == GMSNOTE_REMOVAL)
			listen_removal(lr, &notes[i]);
		else
			listen_log("delivery %s: kind not known; not answered", notes[i].id);
	}
	listen_batch_end(lr);
	gmsnote_free(notes, n);
}

enum { L_GMS, L_WAIT, L_WINDOW, L_RMIN, L_RMAX, L_TOKEN, L_CACERT, L_N };

static int
listen_secs(const struct cli *cli, const struct cli_cmd *cmd, const struct gmkcli_val *v,
    const char *name, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (v->n > 0 && (cli_parse_u64(v->v[0], out) != NULL || *out < lo || *out > hi))
		return cli_usage_error(cli, cmd, name, "not a number of seconds in range");
	return -1;
}

int
cmd_listen(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	static const struct gmkcli_opt opts[L_N] = {
		{ "--gms", 1, 0 }, { "--wait", 1, 0 }, { "--window", 1, 0 },
		{ "--retry-min", 1, 0 }, { "--retry-max", 1, 0 }, { "--token-file", 1, 0 },
		{ "--cacert", 1, 0 },
	};
	static struct gmkcli_val vals[L_N];
	const struct skmc_ctx *ctx = arg;
	struct listen_run lr;
	struct sigaction sa;
	struct ks *ks = NULL;
	const char *pos[1];
	char *body = NULL, why[GMSCHAN_WHY_MAX];
	uint64_t wait = LISTEN_WAIT, window = ACCEPT_WINDOW_DEFAULT;
	uint64_t rmin = LISTEN_RETRY_MIN, rmax = LISTEN_RETRY_MAX;
	int64_t delay;
	unsigned fails = 0;
	size_t npos, len;
	int st, err, bad, up = 0;

	memset(&lr, 0, sizeof(lr));
	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, L_N, vals, pos, 0, 0, &npos)) >= 0)
		return st;
	if (vals[L_GMS].n == 0)
		return cli_usage_error(cli, cmd, "--gms", "missing");
	if ((st = listen_secs(cli, cmd, &vals[L_WAIT], "--wait", 1, 60, &wait)) >= 0 ||
	    (st = listen_secs(cli, cmd, &vals[L_WINDOW], "--window", 1, INT32_MAX,
	    &window)) >= 0 ||
	    (st = listen_secs(cli, cmd, &vals[L_RMIN], "--retry-min", 1, 86400, &rmin)) >= 0 ||
	    (st = listen_secs(cli, cmd, &vals[L_RMAX], "--retry-max", 1, 86400, &rmax)) >= 0)
		return st;
	if (rmin > rmax)
		return cli_usage_error(cli, cmd, "--retry-min", "greater than --retry-max");
	if ((st = gmkcli_ks(cli, cmd, arg, &ks)) >= 0)
		return st;
	if ((st = gmkcli_chan(cli, cmd, ks, vals[L_GMS].v[0], vals[L_TOKEN].n > 0 ?
	    vals[L_TOKEN].v[0] : NULL, vals[L_CACERT].n > 0 ? vals[L_CACERT].v[0] : NULL,
	    ctx->timeout, &lr.ch)) >= 0)
		goto out;
	st = CLI_OK;
	lr.ctx = ctx;
	lr.window = (int64_t)window;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = listen_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	gmschan_set_stop(lr.ch, &listen_stop);
	listen_log("listening as %s to %s", ks_uri(ks), vals[L_GMS].v[0]);
	while (!listen_stop) {
		why[0] = '\0';
		err = gmschan_poll(lr.ch, (unsigned)wait, &body, &len, why, sizeof(why));
		if (listen_stop)
			break;
		bad = 0;
		if (err == 0) {
			if (!up)
				listen_log("channel open");
			up = 1;
			listen_batch(&lr, body, len, &bad);
			free(body);
			body = NULL;
			if (!bad) {
				fails = 0;
				continue;
			}
		}
		/* Down, refusing or garbled: capped exponential back-off with jitter. */
		up = 0;
		fails++;
		delay = backoff_next((int64_t)rmin * 1000, (int64_t)rmax * 1000, fails);
		listen_log("channel %s (%u): %s; reconnect in %" PRId64 ".%03" PRId64 " s",
		    bad ? "answer refused" : "failed", fails, bad ? "not a Notifications "
		    "document" : *why ? why : skm_strerror(err), delay / 1000, delay % 1000);
		if (listen_sleep(delay))
			break;
		/* 401: the token expired or was replaced; the file may hold a new one. */
		if (!bad && err == SKM_EAUTH) {
			why[0] = '\0';
			if (gmschan_token(lr.ch, why, sizeof(why)) != 0)
				listen_log("%s", why);
		}
	}
	listen_log("stopping");
out:
	listen_batch_end(&lr);
	gmschan_free(lr.ch);
	ks_close(ks);
	return st;
}
