/* SPDX-License-Identifier: ISC */
/*
 * The GMS service (see gmsd.h). Everything here runs on the loop thread,
 * the metrics rendering included (skgmsd serves one loop), so the held
 * polls and the counters need no lock. Every change of a delivery is
 * committed to the store before the reply that announces it leaves: a
 * kill at any moment loses no delivery state, and a reply lost on the way
 * is a delivery sent once more after its back-off. Commits are flushed to
 * disk at the next tick (GSTORE_LAZY): a host crash may lose the sends
 * and answers of the last GMSD_TICK_MS, which at-least-once delivery
 * redoes (the member is sent the GMK again and answers success).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>

#include "client/notify_resp.h"
#include "common/err.h"
#include "conf/conf.h"
#include "gms/gmsd.h"
#include "gms/gmsd_maker.h"
#include "gms/gmsd_route.h"
#include "gms/gmsd_xml.h"
#include "gms/gstore.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/req.h"
#include "server/server.h"

#define GMSD_REASONS	32	/* failure reasons counted apart; the rest as "other" */
#define GMSD_LABEL_MAX	64

struct held {
	struct gmsd *g;
	struct req *r;
	char user[GSTORE_URI_MAX + 1];
	int64_t until;			/* Unix seconds: the wait ends */
	struct event *ev;
	LIST_ENTRY(held) entry;
};

struct gmsd {
	struct event_base *base;
	struct gstore *st;
	char *gms_uri;
	const struct conf *cf;
	const struct auth *auth;
	struct gmsd_maker *maker;
	struct server_service svc;
	struct event *tick;
	uint64_t changes;
	int dirty;			/* own commits not yet flushed to disk */
	LIST_HEAD(, held) held;
	unsigned nheld;
	/* Counters for /metrics. */
	uint64_t sent, answered_ok, refused_other;
	struct {
		char reason[GMSD_LABEL_MAX];
		uint64_t n;
	} refused[GMSD_REASONS];
};

static void
gmsd_reply_error(struct req *r, int status, const char *reason)
{
	static const char *const bearer[] = { "WWW-Authenticate", "Bearer", NULL };
	char *doc = NULL;
	size_t len = 0;

	if (gmsd_xml_error(reason, &doc, &len) != 0) {
		req_reply(r, 500, NULL, NULL, 0, NULL);
		return;
	}
	req_reply(r, status, "application/xml", doc, len, status == 401 ? bearer : NULL);
	free(doc);
}

static void
held_free(struct held *h)
{
	LIST_REMOVE(h, entry);
	h->g->nheld--;
	event_free(h->ev);
	free(h);
}

/*
 * Sends user's due notifications on r: 1 when it did (r is answered), 0
 * when none is due (r untouched unless empty_ok, then answered with an
 * empty list).
 */
static int
gmsd_deliver(struct gmsd *g, struct req *r, const char *user, int empty_ok)
{
	struct gstore_dlv *d = NULL;
	char *doc = NULL;
	size_t n = 0, len = 0;
	int rc;

	rc = gstore_poll(g->st, user, (int64_t)time(NULL), g->cf->gms.retry_min,
	    g->cf->gms.retry_max, GMSD_IMSG_MAX_AGE, GMSD_BATCH_MAX, &d, &n);
	if (rc != 0) {
		log_warnx("store: notifications of %s: %s", user, skm_strerror(rc));
		gmsd_reply_error(r, 503, "store unavailable");
		return 1;
	}
	if (n == 0 && !empty_ok)
		return 0;
	if (gmsd_xml_notifications(g->gms_uri, d, n, &doc, &len) != 0) {
		gstore_dlvs_free(d, n);
		gmsd_reply_error(r, 500, "out of memory");
		return 1;
	}
	if (n > 0) {
		g->dirty = 1;
		g->sent += n;
		log_info("%s: %zu notification%s sent", user, n, n == 1 ? "" : "s");
	}
	req_reply(r, 200, "application/xml", doc, len, NULL);
	free(doc);
	gstore_dlvs_free(d, n);
	return 1;
}

static void held_arm(struct held *h);

static void
gmsd_reply_empty(struct gmsd *g, struct req *r)
{
	char *doc = NULL;
	size_t len = 0;

	if (gmsd_xml_notifications(g->gms_uri, NULL, 0, &doc, &len) != 0) {
		req_reply(r, 500, NULL, NULL, 0, NULL);
		return;
	}
	req_reply(r, 200, "application/xml", doc, len, NULL);
	free(doc);
}

/* A held poll's timer: its wait ended, or one of its deliveries is due again. */
static void
held_timer(evutil_socket_t fd, short what, void *arg)
{
	struct held *h = arg;

	(void)fd;
	(void)what;
	if (req_gone(h->r)) {
		/* Dropped: its client left. */
		req_reply(h->r, 200, NULL, NULL, 0, NULL);
		held_free(h);
	} else if (gmsd_deliver(h->g, h->r, h->user, (int64_t)time(NULL) >= h->until))
		held_free(h);
	else
		held_arm(h);
}

/* Until the wait ends or the member's next delivery is due, whichever first. */
static void
held_arm(struct held *h)
{
	int64_t now = (int64_t)time(NULL), next = 0, at = h->until;
	struct timeval tv;

	if (gstore_next_due(h->g->st, h->user, &next) == 0 && next != 0 && next < at)
		at = next;
	tv.tv_sec = at > now ? (time_t)(at - now) : 0;
	/* Wall-clock seconds: wake a little after the second turns. */
	tv.tv_usec = at > now ? 10000 : 100000;
	evtimer_add(h->ev, &tv);
}

static void
gmsd_poll(struct gmsd *g, struct req *r, const char *user)
{
	struct held *h, *old;
	unsigned wait;

	if (gmsd_route_wait(req_uri(r), &wait) != 0) {
		gmsd_reply_error(r, 400, "wait: not a number of seconds from 0 to 60");
		return;
	}
	/* One held request per member: a newer one answers the older, empty. */
	LIST_FOREACH(old, &g->held, entry)
		if (strcmp(old->user, user) == 0)
			break;
	if (old != NULL) {
		gmsd_reply_empty(g, old->r);
		held_free(old);
	}
	if (gmsd_deliver(g, r, user, wait == 0))
		return;
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->ev = evtimer_new(g->base, held_timer, h)) == NULL) {
		free(h);
		gmsd_reply_error(r, 503, "out of memory");
		return;
	}
	h->g = g;
	h->r = r;
	snprintf(h->user, sizeof(h->user), "%s", user);
	h->until = (int64_t)time(NULL) + wait;
	LIST_INSERT_HEAD(&g->held, h, entry);
	g->nheld++;
	req_hold(r, wait + 1);
	held_arm(h);
}

static void
gmsd_count_refusal(struct gmsd *g, const char *reason)
{
	char label[GMSD_LABEL_MAX];
	size_t i;

	/* A label of printable ASCII without quotes or backslashes, cut. */
	for (i = 0; reason[i] != '\0' && i + 1 < sizeof(label); i++)
		label[i] = reason[i] < 0x20 || reason[i] > 0x7e || reason[i] == '"' ||
		    reason[i] == '\\' ? '_' : reason[i];
	label[i] = '\0';
	for (i = 0; i < GMSD_REASONS && g->refused[i].reason[0] != '\0'; i++)
		if (strcmp(g->refused[i].reason, label) == 0)
			break;
	if (i == GMSD_REASONS) {
		g->refused_other++;
		return;
	}
	if (g->refused[i].reason[0] == '\0')
		snprintf(g->refused[i].reason, sizeof(g->refused[i].reason), "%s", label);
	g->refused[i].n++;
}

static void
gmsd_response(struct gmsd *g, struct req *r, const struct gmsd_route *rt)
{
	struct notify_resp resp;
	const uint8_t *body;
	char why[128];
	uint64_t id;
	size_t len;
	int rc, first = 0;

	body = req_body(r, &len);
	if (gstore_id_parse(rt->id, &id) != 0) {
		gmsd_reply_error(r, 404, "unknown delivery");
		return;
	}
	if (notify_resp_read((const char *)body, len, &resp, why, sizeof(why)) != 0) {
		gmsd_reply_error(r, 400, why);
		return;
	}
	rc = gstore_answer(g->st, rt->user, id, resp.group, resp.success, resp.reason,
	    (int64_t)time(NULL), &first);
	if (rc == SKM_ENOTFOUND) {
		gmsd_reply_error(r, 404, "unknown delivery");
		return;
	}
	if (rc == SKM_EINVAL) {
		gmsd_reply_error(r, 400, "response: ValGroupId is not the delivery's group");
		return;
	}
	if (rc != 0) {
		log_warnx("store: answer of %s to %s: %s", rt->user, rt->id, skm_strerror(rc));
		gmsd_reply_error(r, 503, "store unavailable");
		return;
	}
	if (!first) {
		/* Idempotent: the first answer stays and was counted. */
		req_reply(r, 204, NULL, NULL, 0, NULL);
		return;
	}
	log_info("%s: delivery %s answered %s%s%s", rt->user, rt->id,
	    resp.success ? "success" : "failure", resp.success ? "" : ": ",
	    resp.success ? "" : resp.reason);
	g->dirty = 1;
	if (resp.success)
		g->answered_ok++;
	else
		gmsd_count_refusal(g, resp.reason);
	req_reply(r, 204, NULL, NULL, 0, NULL);
}

static void
gmsd_subscription(struct gmsd *g, struct req *r, const struct gmsd_route *rt, int on)
{
	size_t queued = 0;
	int rc;

	rc = gstore_subscribe(g->st, rt->group, rt->user, on, (int64_t)time(NULL), &queued);
	if (rc == SKM_ENOTFOUND) {
		gmsd_reply_error(r, 404, "not a member");
		return;
	}
	if (rc != 0) {
		log_warnx("store: subscription of %s to %s: %s", rt->user, rt->group,
		    skm_strerror(rc));
		gmsd_reply_error(r, 503, "store unavailable");
		return;
	}
	log_info("%s: %s %s", rt->user, on ? "subscribed to" : "left", rt->group);
	req_reply(r, 204, NULL, NULL, 0, NULL);
}

static void
gmsd_groups(struct gmsd *g, struct req *r, const char *user)
{
	char (*groups)[GSTORE_GROUP_MAX + 1] = NULL, *doc = NULL;
	struct gstore_member *m = NULL;
	size_t n = 0, len = 0;

	if (gstore_user_groups(g->st, user, &groups, &m, &n) != 0) {
		gmsd_reply_error(r, 503, "store unavailable");
		return;
	}
	if (gmsd_xml_groups((const char (*)[GSTORE_GROUP_MAX + 1])groups, m, n, &doc,
	    &len) != 0)
		gmsd_reply_error(r, 500, "out of memory");
	else
		req_reply(r, 200, "application/xml", doc, len, NULL);
	free(doc);
	free(groups);
	free(m);
}

static void
gmsd_handle(void *arg, struct req *r)
{
	struct gmsd *g = arg;
	struct gmsd_route rt;
	struct auth_result res;
	enum auth_status as;
	enum req_method m = req_method(r);
	const char *why;
	char awhy[AUTH_WHY_MAX];
	int rc;

	if ((rc = gmsd_route_parse(req_path(r), &rt, &why)) != 0) {
		gmsd_reply_error(r, rc == SKM_ENOTFOUND ? 404 : 400, why);
		return;
	}
	if (((rt.ep == GMSD_NOTIFICATIONS || rt.ep == GMSD_GROUPS) && m != REQ_GET) ||
	    (rt.ep == GMSD_RESPONSE && m != REQ_POST) ||
	    (rt.ep == GMSD_SUBSCRIPTION && m != REQ_PUT && m != REQ_DELETE)) {
		gmsd_reply_error(r, 405, "method not allowed");
		return;
	}
	as = auth_bearer(g->auth, req_header(r, "Authorization"), (int64_t)time(NULL), &res,
	    awhy, sizeof(awhy));
	if (as != AUTH_OK) {
		/* The log says which check failed; the client is not told. */
		log_info("%s: token refused: %s", req_peer(r), awhy);
		gmsd_reply_error(r, 401, "token refused");
		return;
	}
	if (strcmp(res.identity, rt.user) != 0) {
		log_info("%s: token of %s used for %s", req_peer(r), res.identity, rt.user);
		gmsd_reply_error(r, 403, "token is not for this user");
		return;
	}
	switch (rt.ep) {
	case GMSD_NOTIFICATIONS:
		gmsd_poll(g, r, rt.user);
		break;
	case GMSD_RESPONSE:
		gmsd_response(g, r, &rt);
		break;
	case GMSD_SUBSCRIPTION:
		gmsd_subscription(g, r, &rt, m == REQ_PUT);
		break;
	case GMSD_GROUPS:
		gmsd_groups(g, r, rt.user);
		break;
	}
}

/* The store changed (skgmsctl, the key worker, an answer): wake who has something due. */
static void
gmsd_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gmsd *g = arg;
	struct timeval tv = { 0, GMSD_TICK_MS * 1000 };
	struct held *h, *next;
	uint64_t changes;

	(void)fd;
	(void)what;
	if (gstore_changes(g->st, &changes) != 0)
		changes = g->changes;
	/* What was committed since the last tick reaches the disk. */
	if ((g->dirty || changes != g->changes) && gstore_sync(g->st) != 0)
		log_warnx("store: flush to disk failed");
	g->dirty = 0;
	if (changes != g->changes) {
		g->changes = changes;
		if (g->maker != NULL)
			gmsd_maker_kick(g->maker);
		for (h = LIST_FIRST(&g->held); h != NULL; h = next) {
			next = LIST_NEXT(h, entry);
			if (req_gone(h->r)) {
				req_reply(h->r, 200, NULL, NULL, 0, NULL);
				held_free(h);
			} else if (gmsd_deliver(g, h->r, h->user, 0)) {
				held_free(h);
			} else {
				evtimer_del(h->ev);
				held_arm(h);
			}
		}
	}
	evtimer_add(g->tick, &tv);
}

static void
gmsd_metrics(FILE *f, void *arg)
{
	struct gmsd *g = arg;
	uint64_t counts[3];
	size_t i;

	fprintf(f, "# HELP skgms_notifications_sent_total Notifications put in poll answers "
	    "(each send of a delivery, retries included).\n"
	    "# TYPE skgms_notifications_sent_total counter\n"
	    "skgms_notifications_sent_total %" PRIu64 "\n"
	    "# HELP skgms_answers_total Members' answers recorded, by result and reason.\n"
	    "# TYPE skgms_answers_total counter\n"
	    "skgms_answers_total{result=\"success\"} %" PRIu64 "\n", g->sent, g->answered_ok);
	for (i = 0; i < GMSD_REASONS && g->refused[i].reason[0] != '\0'; i++)
		fprintf(f, "skgms_answers_total{result=\"failure\",reason=\"%s\"} %" PRIu64 "\n",
		    g->refused[i].reason, g->refused[i].n);
	if (g->refused_other > 0)
		fprintf(f, "skgms_answers_total{result=\"failure\",reason=\"other\"} %" PRIu64
		    "\n", g->refused_other);
	fprintf(f, "# HELP skgms_held_polls Notification polls held open now.\n"
	    "# TYPE skgms_held_polls gauge\nskgms_held_polls %u\n", g->nheld);
	if (gstore_count(g->st, counts) == 0)
		fprintf(f, "# HELP skgms_deliveries Deliveries in the store, by state.\n"
		    "# TYPE skgms_deliveries gauge\n"
		    "skgms_deliveries{state=\"pending\"} %" PRIu64 "\n"
		    "skgms_deliveries{state=\"success\"} %" PRIu64 "\n"
		    "skgms_deliveries{state=\"failure\"} %" PRIu64 "\n",
		    counts[GSTORE_PENDING], counts[GSTORE_SUCCESS], counts[GSTORE_FAILURE]);
}

static void
gmsd_reload(void *arg, const struct conf *cf, const struct auth *auth)
{
	struct gmsd *g = arg;

	g->cf = cf;
	g->auth = auth;
}

int
gmsd_new(struct event_base *base, struct gstore *st, const char *gms_uri,
    const struct conf *cf, const struct auth *auth, struct gmsd_maker *maker,
    struct gmsd **out)
{
	struct timeval tv = { 0, GMSD_TICK_MS * 1000 };
	struct gmsd *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return SKM_ENOMEM;
	if ((g->gms_uri = strdup(gms_uri)) == NULL ||
	    (g->tick = evtimer_new(base, gmsd_tick, g)) == NULL) {
		free(g->gms_uri);
		free(g);
		return SKM_ENOMEM;
	}
	g->base = base;
	g->st = st;
	g->cf = cf;
	g->auth = auth;
	g->maker = maker;
	LIST_INIT(&g->held);
	(void)gstore_changes(st, &g->changes);
	g->svc.http.prefix = GMSD_PREFIX;
	g->svc.http.handle = gmsd_handle;
	g->svc.http.arg = g;
	g->svc.reload = gmsd_reload;
	metrics_set_extra(gmsd_metrics, g);
	evtimer_add(g->tick, &tv);
	*out = g;
	return 0;
}

const struct server_service *
gmsd_service(struct gmsd *g)
{
	return &g->svc;
}

void
gmsd_free(struct gmsd *g)
{
	struct held *h;

	if (g == NULL)
		return;
	metrics_set_extra(NULL, NULL);
	/* Stopping: each held poll ends as its wait would, and its client polls again. */
	while ((h = LIST_FIRST(&g->held)) != NULL) {
		gmsd_reply_empty(g, h->r);
		held_free(h);
	}
	event_free(g->tick);
	free(g->gms_uri);
	free(g);
}
