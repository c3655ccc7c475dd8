/* SPDX-License-Identifier: ISC */
/*
 * The KMS API of skmsd (TS 33.180 Annex D over HTTPS): each request is
 * authenticated (bearer token or client certificate), its optional
 * KmsRequest body checked, its path routed, and the caller authorised
 * against the store in a read transaction of its own, so a revocation
 * made with skmsctl applies at the next request. A rollover made with
 * skmsctl is picked up the same way: Init, KeyProv and CertCache first
 * look at the store's generation serial and load any new generation or
 * revocation (kms_refresh). Key sets come from the
 * cache (unsealed on the loop thread) or from a derivation on the worker
 * pool; each is audited durably before its reply leaves, or within
 * audit.commit-window-ms of it. Completions run on the loop the request
 * came in on. The loop thread never waits on a derivation or on a write
 * transaction. Every authenticated request first takes a token from its
 * caller's bucket (ratelimit.h), whatever the endpoint: certcache reads
 * the store too, and one rule is simpler to state and to test.
 * Refusals are named here and mapped in errmap.c.
 */
#include "server/api.h"
#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "server/auditj.h"
#include "server/auditq.h"
#include "server/auditt.h"
#include "server/auth.h"
#include "server/cache.h"
#include "server/errmap.h"
#include "server/kmsreq.h"
#include "server/log.h"
#include "server/metrics.h"
#include "server/pgconn.h"
#include "server/pool.h"
#include "server/precompute.h"
#include "server/ratelimit.h"
#include "server/replica.h"
#include "server/req.h"
#include "server/requrl.h"
#include "server/route.h"
#include "store/cert.h"
#include "store/period.h"
#include "store/store.h"
#include "store/tk.h"
#include "xsec/xsec.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#define API_QUEUE_PER_WORKER	256
#define API_JOURNAL		"audit.journal"	/* in the store directory */

/*
 * Shared by every loop thread (server.threads): what a reload swaps is
 * atomic, and the pool, cache, audit queue and metrics lock for themselves.
 */
struct api {
	struct event_base *base;
	_Atomic(const struct conf *) cf;
	_Atomic(const struct auth *) auth;
	struct store *st;
	const struct kms *kms;
	struct pool *pool;
	struct cache *cache;
	struct auditq *auditq;
	struct precompute *pc;
	struct ratelimit *rl;
	struct replica *replica;	/* cluster node: the follower, else NULL */
	atomic_uint pending;
	int stopping;
	struct log_rate rate;
	_Atomic uint64_t gen_serial;	/* generations the cache was last checked against */
};

/*
 * The security extension of one request (TS 33.180 D.1): the caller's
 * keys, the TrK its key material is wrapped under and the key the
 * response is signed with (slot indices; -1: none).
 */
struct api_tk {
	int on;
	int trk, sig;
	struct store_tk keys;		/* SECRET */
};

/* A request that goes off the loop: derivation and audit. */
struct api_call {
	struct api *api;
	struct req *r;
	char caller[AUTH_ID_MAX + 1];
	size_t caller_len;
	uint64_t period_no;
	int64_t now;
	int derive_rc;
	char *doc;
	size_t doclen;
	struct kms_keyset ks;		/* SECRET */
	struct api_tk tk;		/* SECRET */
	struct pool_job job;
	struct auditq_item audit;
	char url[];			/* as long as the URL: a call per key set */
};

/* What is known about a request while it is checked on the loop. */
struct api_ctx {
	char caller[AUTH_ID_MAX + 1];	/* "" until authenticated */
	char jti[AUTH_JTI_MAX + 1];
	char why[AUTH_WHY_MAX];		/* a refused token's reason, for the log */
	int by_token;
	char url[REQURL_MAX];
	int64_t now;
	struct api_tk tk;		/* SECRET; cleansed by api_handle */
};

static const char *
api_kms_uri(const struct api *api)
{
	return api->kms->domain.kms_uri;
}

/* Replies with doc (taken) or a bare status when doc is NULL. */
static void
api_send(struct req *r, int status, char *doc, size_t len, const char *const *extra)
{
	const char *hdrs[6];
	size_t n = 0;

	for (; extra != NULL && *extra != NULL && n < 4; extra += 2) {
		hdrs[n++] = extra[0];
		hdrs[n++] = extra[1];
	}
	/* The transport adds Cache-Control: no-store to every reply. */
	hdrs[n] = NULL;
	req_reply(r, status, doc != NULL ? "application/xml" : NULL, doc,
	    doc != NULL ? len : 0, hdrs);
	if (doc != NULL)
		kmsxml_free(doc, len);
}

/* A KmsError reply for refusal id; detail goes to the log only. */
static void
api_refuse(struct api *api, struct req *r, const struct api_ctx *c,
    enum errmap_id id, const char *detail)
{
	const struct errmap_entry *e = errmap_get(id);
	struct kmsxml_response resp = {
		.user_uri = c->caller,
		.kms_uri = api_kms_uri(api),
		.time = c->now,
		.client_req_url = c->url,
	};
	const char *hv[6];
	char buf[256];
	char *doc = NULL;
	size_t len = 0;

	metrics_refusal((int)id);
	if (log_rate_ok(&api->rate))
		log_info("%s: %s %d: %s%s%s", req_peer(r), req_path(r), e->status,
		    e->msg, detail != NULL ? ": " : "", detail != NULL ? detail : "");
	if (kmsxml_error_response(&resp, e->code, e->msg, &doc, &len) != 0)
		doc = NULL;
	api_send(r, e->status, doc, len, errmap_headers(id, detail, hv, buf, sizeof(buf)));
}

static void
api_call_free(struct api_call *call)
{
	call->api->pending--;
	if (call->doc != NULL)
		kmsxml_free(call->doc, call->doclen);
	/* Only the keys are secret; the rest (URIs, URL, audit text) is not. */
	OPENSSL_cleanse(&call->ks, sizeof(call->ks));
	OPENSSL_cleanse(&call->tk, sizeof(call->tk));
	OPENSSL_free(call);
}

static void
api_call_refuse(struct api_call *call, enum errmap_id id)
{
	struct api_ctx c;

	memset(&c, 0, sizeof(c));
	memcpy(c.caller, call->caller, sizeof(c.caller));
	snprintf(c.url, sizeof(c.url), "%s", call->url);
	c.now = call->now;
	api_refuse(call->api, call->r, &c, id, NULL);
	api_call_free(call);
}

/* Media types that can carry a KmsRequest: application/xml, text/xml, +xml. */
static int
api_xml_type(const char *ct)
{
	size_t n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	n = strcspn(ct, "; \t");
	if ((n == 15 && strncasecmp(ct, "application/xml", 15) == 0) ||
	    (n == 8 && strncasecmp(ct, "text/xml", 8) == 0))
		return 1;
	return n > 4 && strncasecmp(ct + n - 4, "+xml", 4) == 0 && memchr(ct, '/', n) != NULL;
}

/* The caller: a bearer token, or the client certificate's URI when enabled. */
static enum errmap_id
api_authenticate(struct api *api, struct req *r, struct api_ctx *c,
    const char **detail)
{
	const char *hdr = req_header(r, "Authorization");
	char certid[AUTH_ID_MAX + 1];
	struct auth_result res;
	enum auth_status as;
	X509 *cert;
	int have_cert = 0;

	if (api->cf->server.client_cert_identity && (cert = req_peer_cert(r)) != NULL &&
	    auth_cert_identity(cert, certid, sizeof(certid)) == 0)
		have_cert = 1;
	if (hdr == NULL) {
		if (!have_cert)
			return ERRMAP_TOKEN_MISSING;
		snprintf(c->caller, sizeof(c->caller), "%s", certid);
		return ERRMAP_OK;
	}
	memset(&res, 0, sizeof(res));
	if ((as = auth_bearer(api->auth, hdr, c->now, &res, c->why,
	    sizeof(c->why))) != AUTH_OK) {
		*detail = c->why;
		return as == AUTH_MISSING ? ERRMAP_TOKEN_MISSING : ERRMAP_TOKEN_INVALID;
	}
	if (have_cert && strcmp(certid, res.identity) != 0)
		return ERRMAP_IDENTITY_CONFLICT;
	memcpy(c->caller, res.identity, sizeof(c->caller));
	memcpy(c->jti, res.jti, sizeof(c->jti));
	c->by_token = 1;
	return ERRMAP_OK;
}

/*
 * One token from the caller's bucket; detail becomes the Retry-After
 * seconds of a refusal (written into retry, cap octets).
 */
static enum errmap_id
api_limit(struct api *api, const struct api_ctx *c, char *retry, size_t cap,
    const char **detail)
{
	struct ratelimit_verdict v;
	int rc;

	if (!ratelimit_enabled(api->rl))
		return ERRMAP_OK;
	rc = ratelimit_take(api->rl, c->caller, strlen(c->caller), ratelimit_now(), &v);
	if (v.evicted)
		metrics_ratelimit_evicted();
	if (rc == 0)
		return ERRMAP_OK;
	metrics_ratelimit_refused();
	snprintf(retry, cap, "%u", v.retry_after);
	*detail = retry;
	return ERRMAP_RATE_LIMITED;
}

/* The slot among a and b (current and next) whose ID is id, or -1. */
static int
api_tk_slot(const struct store_tk *k, enum store_tk_which a, enum store_tk_which b,
    const char *id)
{
	if (k->slot[a].set && strcmp(k->slot[a].id, id) == 0)
		return (int)a;
	if (k->slot[b].set && strcmp(k->slot[b].id, id) == 0)
		return (int)b;
	return -1;
}

static enum errmap_id
api_sig_refusal(enum xsec_fail f)
{
	switch (f) {
	case XSEC_REFERENCE:
	case XSEC_NO_ID:
		return ERRMAP_SIG_REFERENCE;
	case XSEC_PROFILE:
		return ERRMAP_SIG_PROFILE;
	case XSEC_KEY_NAME:
		return ERRMAP_SIG_KEY_UNKNOWN;
	case XSEC_BAD:
		return ERRMAP_SIG_BAD;
	default:
		return ERRMAP_SIG_FORM;
	}
}

/*
 * The record of the caller (its own or a device's) that the request
 * names: the one whose TrK (current or delivered by a rotation) is the
 * TrK-ID, or without a TrK-ID the one whose InK, or TrK when it has no
 * InK, is the Signature-ID. An ID belongs to one record of the identity
 * (skmsctl refuses a second), so the first match is the only one.
 */
static int
api_tk_match(const struct store_tk *k, const char *device, void *arg)
{
	const struct kmsreq *kr = arg;

	(void)device;
	if (kr->trk_id[0] != '\0')
		return api_tk_slot(k, STORE_TK_TRK, STORE_TK_TRK_NEXT, kr->trk_id) >= 0;
	if (k->slot[STORE_TK_INK].set)
		return api_tk_slot(k, STORE_TK_INK, STORE_TK_INK_NEXT, kr->sig_id) >= 0;
	return api_tk_slot(k, STORE_TK_TRK, STORE_TK_TRK_NEXT, kr->sig_id) >= 0;
}

/*
 * TS 33.180 D.1, D.2.2: a TrK-ID must name a TrK of the caller or of
 * one of its devices (the current one or the one a rotation delivers); a
 * SignedKmsRequest must carry a Signature-ID naming the InK (the TrK when
 * there is no InK) of that record, or without a TrK-ID of one of the
 * caller's records, and verify under it, before anything in it is acted
 * on. The response then uses the extension: keys wrapped under the TrK
 * named, signed with the key the request was signed with, else the InK, else
 * the TrK.
 */
static enum errmap_id
api_tk(struct api *api, struct api_ctx *c, const struct kmsreq *kr, const char *body,
    size_t len)
{
	struct store_tk *k = &c->tk.keys;
	enum xsec_fail f;
	int rc, ink;

	if (kr->is_signed && kr->sig_id[0] == '\0')
		return ERRMAP_SIG_ID_MISSING;
	rc = kms_tk_find(api->kms, api->st, c->caller, strlen(c->caller), api_tk_match,
	    (void *)kr, k, NULL);
	if (rc == SKM_ENOTFOUND)
		return kr->trk_id[0] != '\0' ? ERRMAP_TRK_UNKNOWN : ERRMAP_SIG_KEY_UNKNOWN;
	if (rc != 0) {
		if (log_rate_ok(&api->rate))
			log_warnx("transport keys of %s: %s", c->caller, skm_strerror(rc));
		return ERRMAP_TK_UNAVAILABLE;
	}
	c->tk.trk = c->tk.sig = -1;
	if (kr->trk_id[0] != '\0' && (c->tk.trk = api_tk_slot(k, STORE_TK_TRK,
	    STORE_TK_TRK_NEXT, kr->trk_id)) < 0)
		return ERRMAP_TRK_UNKNOWN;
	ink = k->slot[STORE_TK_INK].set;
	if (kr->is_signed) {
		/* D.2.2: when an InK exists it is the one that signs. */
		c->tk.sig = ink ? api_tk_slot(k, STORE_TK_INK, STORE_TK_INK_NEXT, kr->sig_id) :
		    api_tk_slot(k, STORE_TK_TRK, STORE_TK_TRK_NEXT, kr->sig_id);
		if (c->tk.sig < 0)
			return ERRMAP_SIG_KEY_UNKNOWN;
		if (xsec_verify(body, len, "KmsRequest", k->slot[c->tk.sig].key,
		    k->slot[c->tk.sig].id, &f, NULL, NULL) != 0)
			return api_sig_refusal(f);
	} else if (ink)
		c->tk.sig = STORE_TK_INK;
	else
		c->tk.sig = c->tk.trk >= 0 ? c->tk.trk : STORE_TK_TRK;
	if (!k->slot[c->tk.sig].set)
		return ERRMAP_SIG_KEY_UNKNOWN;
	c->tk.on = 1;
	return ERRMAP_OK;
}

/* The kmsxml view of the extension; a rotation is delivered under the current TrK. */
static const struct kmsxml_tk *
api_tk_view(const struct api_tk *t, struct kmsxml_tk *x, int deliver)
{
	const struct store_tk *k = &t->keys;

	if (!t->on)
		return NULL;
	memset(x, 0, sizeof(*x));
	x->sig_id = k->slot[t->sig].id;
	if (t->trk < 0)
		return x;
	x->trk_id = k->slot[t->trk].id;
	x->trk = k->slot[t->trk].key;
	if (!deliver || t->trk != STORE_TK_TRK)
		return x;
	if (k->slot[STORE_TK_TRK_NEXT].set) {
		x->new_trk_id = k->slot[STORE_TK_TRK_NEXT].id;
		x->new_trk = k->slot[STORE_TK_TRK_NEXT].key;
	}
	if (k->slot[STORE_TK_INK_NEXT].set && t->sig != STORE_TK_INK_NEXT) {
		x->new_ink_id = k->slot[STORE_TK_INK_NEXT].id;
		x->new_ink = k->slot[STORE_TK_INK_NEXT].key;
	}
	return x;
}

/*
 * SignedKmsResponse around *doc, which it replaces; plain responses stay
 * as they are. When the writer vouches for the canonical form of the
 * KmsResponse (c14n), its octets are signed as they are, without a parse.
 */
static int
api_tk_sign(const struct api_tk *t, char **doc, size_t *len,
    const struct kmsxml_span *c14n)
{
	const struct store_tk_slot *s;
	char *out;
	size_t n;
	int rc;

	if (!t->on)
		return 0;
	s = &t->keys.slot[t->sig];
	if (c14n->len != 0)
		rc = xsec_sign_c14n(*doc, *len, c14n->off, c14n->len, KMSXML_RESPONSE_ID,
		    s->key, s->id, &out, &n);
	else
		rc = xsec_sign(*doc, *len, s->key, s->id, &out, &n);
	if (rc != 0)
		return rc;
	kmsxml_free(*doc, *len);
	*doc = out;
	*len = n;
	return 0;
}

/*
 * server.require-transport-key: an identity given a TrK must use it. The
 * keys are read only to see that there are some; any failure to read
 * them refuses too, since the policy cannot be checked.
 */
static enum errmap_id
api_tk_required(struct api *api, struct api_ctx *c)
{
	struct store_tk *k = &c->tk.keys;
	int rc;

	if (!api->cf->server.require_transport_key)
		return ERRMAP_OK;
	rc = kms_tk_find(api->kms, api->st, c->caller, strlen(c->caller), NULL, NULL, k,
	    NULL);
	OPENSSL_cleanse(k, sizeof(*k));
	if (rc == SKM_ENOTFOUND)
		return ERRMAP_OK;
	return rc == 0 ? ERRMAP_TRK_REQUIRED : ERRMAP_TK_UNAVAILABLE;
}

/* D.2.2: the optional body describes the request; it must agree with the caller. */
static enum errmap_id
api_body(struct api *api, struct req *r, struct api_ctx *c)
{
	const uint8_t *body;
	const char *why = NULL;
	struct kmsreq kr;
	size_t len;
	int rc;

	body = req_body(r, &len);
	if (len == 0)
		return api_tk_required(api, c);
	if (!api_xml_type(req_header(r, "Content-Type")))
		return ERRMAP_CONTENT_TYPE;
	if ((rc = kmsreq_parse((const char *)body, len, &kr, &why)) != 0) {
		switch (rc) {
		case SKM_ELEN:
			return ERRMAP_BODY_TOO_LARGE;
		case SKM_EPARSE:
			return ERRMAP_BODY_PARSE;
		case SKM_EINVAL:
			return ERRMAP_BODY_INVALID;
		default:
			return ERRMAP_INTERNAL;
		}
	}
	if (kr.user_uri[0] != '\0' && strcmp(kr.user_uri, c->caller) != 0)
		return ERRMAP_BODY_USER_URI;
	/* the KMS URI, or the server base URL a deployed client writes (kmsreq.h) */
	if (kr.kms_uri[0] != '\0' && !kmsreq_kms_uri_ok(kr.kms_uri, api_kms_uri(api)))
		return ERRMAP_BODY_KMS_URI;
	if (kr.is_signed || kr.trk_id[0] != '\0')
		return api_tk(api, c, &kr, (const char *)body, len);
	return api_tk_required(api, c);
}

/* A cached key set no longer of its period's generation (api_cache_drop). */
static int
api_cache_stale(void *arg, uint64_t period_no, uint32_t gen)
{
	const struct kms_gen *g = kms_gen_of_period(arg, period_no);

	return g == NULL || g->rec.id != gen || kms_gen_revoked(g);
}

/*
 * Loads a generation added by a rollover in another process since the
 * last request, and drops the cached key sets (precomputed ones included)
 * of periods it took over: those of a revoked certificate above all.
 */
static void
api_refresh(struct api *api)
{
	char why[256];
	size_t added = 0;
	uint64_t serial;
	unsigned dropped;
	int rc;

	rc = kms_refresh(api->kms, api->st, &added, why, sizeof(why));
	if (rc != 0 && log_rate_ok(&api->rate))
		log_warnx("rollover: %s", why[0] != '\0' ? why : skm_strerror(rc));
	if (added > 0)
		log_info("rollover: %zu new generation%s of master secrets loaded", added,
		    added == 1 ? "" : "s");
	/* Whoever loaded the change (precomputation may have), once per change. */
	serial = kms_gen_serial(api->kms);
	if (atomic_exchange(&api->gen_serial, serial) == serial)
		return;
	if ((dropped = cache_drop(api->cache, api_cache_stale, (void *)api->kms)) > 0)
		log_info("rollover: %u cached key set%s of other generations dropped",
		    dropped, dropped == 1 ? "" : "s");
}

/*
 * The certificate in force now and, while a rollover is scheduled, the
 * next one in the skms extension (kmsxml.h), so a client can fetch and
 * check it before the boundary.
 */
static void
api_init(struct api *api, struct req *r, const struct api_ctx *c)
{
	struct kmsxml_tk view;
	struct kmsxml_span span = { 0, 0 };
	struct kmsxml_response resp = { c->caller, api_kms_uri(api), c->now, c->url,
	    api_tk_view(&c->tk, &view, 1), &span };
	struct kmsxml_cert cert, next;
	char *doc = NULL;
	size_t len = 0;
	int have_next, rc;

	api_refresh(api);
	kms_cert(api->kms, c->now, &cert);
	have_next = kms_cert_next(api->kms, c->now, &next) == 0;
	rc = kmsxml_init_response_next(&resp, &cert, have_next ? &next : NULL, &doc, &len);
	OPENSSL_cleanse(&view, sizeof(view));
	if (rc == 0 && (rc = api_tk_sign(&c->tk, &doc, &len, &span)) != 0)
		kmsxml_free(doc, len);
	if (rc != 0) {
		api_refuse(api, r, c, ERRMAP_INTERNAL, NULL);
		return;
	}
	api_send(r, 200, doc, len, NULL);
}

struct api_certs {
	char **xml;
	size_t n, cap;
};

static int
api_cert_one(const struct cert_rec *cr, void *arg)
{
	struct api_certs *cs = arg;
	char **nx;

	if (cs->n == cs->cap) {
		cs->cap = cs->cap != 0 ? cs->cap * 2 : 8;
		if ((nx = realloc(cs->xml, cs->cap * sizeof(*nx))) == NULL)
			return SKM_ENOMEM;
		cs->xml = nx;
	}
	if ((cs->xml[cs->n] = strndup(cr->xml, cr->xml_len)) == NULL)
		return SKM_ENOMEM;
	cs->n++;
	return 0;
}

/* One of the domain's own revoked Root certificates (kms_revoked_each). */
static int
api_cert_revoked(const char *xml, size_t len, void *arg)
{
	const struct cert_rec cr = { .xml = xml, .xml_len = len };

	return api_cert_one(&cr, arg);
}

/*
 * D.3.4: a client that has cache CacheNum already gets an empty cache.
 * CacheNum counts the changes of the External certificates and of the
 * domain's generations, so a revocation makes every cache stale.
 */
static void
api_certcache(struct api *api, struct req *r, const struct api_ctx *c,
    const struct route *rt)
{
	struct kmsxml_tk view;
	struct kmsxml_span span = { 0, 0 };
	struct kmsxml_response resp = { c->caller, api_kms_uri(api), c->now, c->url,
	    api_tk_view(&c->tk, &view, 0), &span };
	struct api_certs cs = { NULL, 0, 0 };
	struct store_txn t;
	uint64_t num = 0;
	char *doc = NULL;
	size_t len = 0, i;
	int rc;

	api_refresh(api);
	if ((rc = store_txn_begin(api->st, 0, &t)) == 0) {
		rc = store_cert_cachenum(&t, &num);
		num += kms_gen_serial(api->kms);
		if (rc == 0 && !(rt->has_cachenum && rt->cachenum == num) &&
		    (rc = store_cert_list(&t, api_cert_one, &cs)) == 0)
			rc = kms_revoked_each(api->kms, api_cert_revoked, &cs);
		store_txn_abort(&t);
	}
	if (rc == 0)
		rc = kmsxml_certcache_response(&resp, num, (const char *const *)cs.xml,
		    cs.n, &doc, &len);
	if (rc == 0 && (rc = api_tk_sign(&c->tk, &doc, &len, &span)) != 0)
		kmsxml_free(doc, len);
	for (i = 0; i < cs.n; i++)
		free(cs.xml[i]);
	free(cs.xml);
	if (rc != 0)
		api_refuse(api, r, c, rc == SKM_ENOMEM ? ERRMAP_INTERNAL : ERRMAP_STORE,
		    NULL);
	else
		api_send(r, 200, doc, len, NULL);
}

/* The KmsResponse around the one key set of call (D.3.1, one set per response). */
static int
api_keyset_doc(struct api_call *call)
{
	struct api *api = call->api;
	struct kmsxml_tk view;
	struct kmsxml_span span = { 0, 0 };
	struct kmsxml_response resp = { call->caller, api_kms_uri(api), call->now,
	    call->url, api_tk_view(&call->tk, &view, 1), &span };
	struct kmsxml_keyset x;
	int rc;

	kms_keyset_xml(api->kms, &call->ks, call->caller, &x);
	if (resp.tk != NULL && resp.tk->trk != NULL) {
		x.trk = resp.tk->trk;
		x.trk_id = resp.tk->trk_id;
	}
	rc = kmsxml_keyprov_response(&resp, &x, 1, &call->doc, &call->doclen);
	OPENSSL_cleanse(&x, sizeof(x));
	OPENSSL_cleanse(&view, sizeof(view));
	kms_keyset_clear(&call->ks);
	if (rc == 0 && (rc = api_tk_sign(&call->tk, &call->doc, &call->doclen, &span)) != 0) {
		kmsxml_free(call->doc, call->doclen);
		call->doc = NULL;
	}
	OPENSSL_cleanse(&call->tk, sizeof(call->tk));
	return rc;
}

static void
api_audit_done(void *arg)
{
	struct api_call *call = arg;

	if (call->audit.rc != 0) {
		if (log_rate_ok(&call->api->rate))
			log_warnx("%s: audit of %s period %llu failed: %s: key set "
			    "withheld", req_peer(call->r), call->caller,
			    (unsigned long long)call->period_no,
			    skm_strerror(call->audit.rc));
		api_call_refuse(call, ERRMAP_AUDIT);
		return;
	}
	api_send(call->r, 200, call->doc, call->doclen, NULL);
	call->doc = NULL;
	api_call_free(call);
}

/* The reply waits for its audit commit, or leaves inside the commit window. */
static void
api_issue(struct api_call *call)
{
	call->audit.time = call->now;
	call->audit.action = "keyprov";
	call->audit.done = api_audit_done;
	call->audit.arg = call;
	if (auditq_submit(call->api->auditq, &call->audit) != AUDITQ_SENT)
		return;
	api_send(call->r, 200, call->doc, call->doclen, NULL);
	call->doc = NULL;
	api_call_free(call);
}

/* Worker: derive, keep a sealed copy, and encode the reply. */
static void
api_derive(void *arg)
{
	struct api_call *call = arg;
	struct api *api = call->api;

	call->derive_rc = kms_keyset_derive(api->kms, call->caller, call->caller_len,
	    call->period_no, &call->ks);
	if (call->derive_rc == 0) {
		(void)cache_put(api->cache, call->caller, call->caller_len, &call->ks);
		call->derive_rc = api_keyset_doc(call);
	}
	kms_keyset_clear(&call->ks);
}

static void
api_derived(void *arg)
{
	struct api_call *call = arg;

	if (call->derive_rc != 0) {
		log_warnx("%s: key set of %s period %llu: %s", req_peer(call->r),
		    call->caller, (unsigned long long)call->period_no,
		    skm_strerror(call->derive_rc));
		api_call_refuse(call, ERRMAP_INTERNAL);
		return;
	}
	metrics_keysets_derived(1);
	api_issue(call);
}

/*
 * The key period asked for: the current one, or the one holding the path's
 * time; in the window, and covered by the Root certificate, whose key sets
 * must not outlive it (kms_validity.c). Checked before the cache too.
 */
static enum errmap_id
api_period(struct api *api, const struct route *rt, int64_t now, uint64_t *pno)
{
	uint64_t cur, p;
	int64_t s, e, t;
	int rc;

	if (kms_period_at(api->kms, now, &cur, &s, &e) != 0)
		return ERRMAP_INTERNAL;
	metrics_current_period(cur);
	p = cur;
	if (rt->has_time) {
		/*
		 * 33.179 D.2: NTP seconds in the upper 32 bits, the fraction
		 * ignored; read in the era nearest now, since they wrap in 2036
		 * (RFC 5905 6).
		 */
		t = time_ntp_to_unix(time_ntp32_near((uint32_t)(rt->ntp_time >> 32), now));
		if (kms_period_at(api->kms, t, &p, &s, &e) != 0)
			return ERRMAP_TIME_RANGE;
		if (p + api->cf->period.window_past < cur ||
		    p > cur + api->cf->period.window_future)
			return ERRMAP_OUTSIDE_WINDOW;
	}
	/* A period whose generation was purged is out of every window. */
	if (kms_gen_of_period(api->kms, p) == NULL)
		return ERRMAP_OUTSIDE_WINDOW;
	if ((rc = kms_validity_period(api->kms, p)) != 0)
		return rc == SKM_EREVOKED ? ERRMAP_CERT_REVOKED : ERRMAP_CERT_VALIDITY;
	*pno = p;
	return ERRMAP_OK;
}

/* May the caller have keys for pno? Decided afresh from the store every time. */
static enum errmap_id
api_authorise(struct api *api, const struct api_ctx *c, uint64_t pno, int *enroll,
    int64_t *enroll_from)
{
	struct store_txn t;
	int64_t s, e;
	int rc;

	*enroll = 0;
	if (kms_period_bounds(api->kms, pno, &s, &e) != 0)
		return ERRMAP_TIME_RANGE;
	if (store_txn_begin(api->st, 0, &t) != 0)
		return ERRMAP_STORE;
	/* Revoked means no key set of any period, not only of those after it. */
	rc = store_period_issue(&t, (const uint8_t *)c->caller, strlen(c->caller), pno,
	    s, e, c->now);
	store_txn_abort(&t);
	switch (rc) {
	case 0:
		return ERRMAP_OK;
	case SKM_ENOTFOUND:
		if (!api->cf->server.enroll_on_first_token || !c->by_token)
			return ERRMAP_NOT_REGISTERED;
		*enroll = 1;
		*enroll_from = s < c->now ? s : c->now;
		return ERRMAP_OK;
	case SKM_EREVOKED:
		return ERRMAP_REVOKED;
	case SKM_ESTATE:
		return ERRMAP_NOT_VALID;
	default:
		return ERRMAP_STORE;
	}
}

static int
api_cached_gen_ok(struct api *api, struct kms_keyset *ks)
{
	const struct kms_gen *g = kms_gen_of_period(api->kms, ks->period_no);

	if (g != NULL && g->rec.id == ks->gen)
		return 1;
	kms_keyset_clear(ks);
	return 0;
}

static void
api_keyprov(struct api *api, struct req *r, const struct api_ctx *c,
    const struct route *rt)
{
	struct api_call *call;
	enum errmap_id id;
	size_t ulen = strlen(c->url) + 1;
	uint64_t pno;
	int enroll = 0, rc;
	int64_t from = 0;

	/* TS 33.180 5.3.1.2: only the authenticated identity's own key material. */
	if (rt->has_uri && (rt->uri_len != strlen(c->caller) ||
	    memcmp(rt->uri, c->caller, rt->uri_len) != 0)) {
		api_refuse(api, r, c, ERRMAP_OTHER_IDENTITY, NULL);
		return;
	}
	api_refresh(api);
	/* A node out of touch with the database may be missing a revocation. */
	if (api->replica != NULL && replica_stale(api->replica)) {
		api_refuse(api, r, c, ERRMAP_STALE, NULL);
		return;
	}
	if ((id = api_period(api, rt, c->now, &pno)) != ERRMAP_OK ||
	    (id = api_authorise(api, c, pno, &enroll, &from)) != ERRMAP_OK) {
		api_refuse(api, r, c, id, NULL);
		return;
	}
	if ((call = OPENSSL_zalloc(sizeof(*call) + ulen)) == NULL) {
		api_refuse(api, r, c, ERRMAP_INTERNAL, NULL);
		return;
	}
	api->pending++;
	call->api = api;
	call->r = r;
	call->caller_len = strlen(c->caller);
	memcpy(call->caller, c->caller, call->caller_len + 1);
	memcpy(call->url, c->url, ulen);
	call->now = c->now;
	call->period_no = pno;
	call->tk = c->tk;
	memcpy(call->audit.uri, call->caller, call->caller_len);
	call->audit.uri_len = call->caller_len;
	call->audit.enroll = enroll;
	call->audit.enroll_from = from;
	snprintf(call->audit.detail, sizeof(call->audit.detail),
	    "period %llu client %s %s %s", (unsigned long long)pno, req_peer(r),
	    c->by_token ? "jti" : "certificate", c->by_token ? (c->jti[0] != '\0' ?
	    c->jti : "-") : "uri-san");
	/* Completions (derivation, audit commit) run on the request's own loop. */
	pool_job_home(api->pool, &call->job, req_base(r));
	pool_job_home(api->pool, &call->audit.job, req_base(r));
	/*
	 * A key set cached before a rollover was scheduled (by precomputation)
	 * may be of the old generation: only one of the period's own is served.
	 */
	if (cache_get(api->cache, call->caller, call->caller_len, pno, &call->ks) == 0 &&
	    api_cached_gen_ok(api, &call->ks)) {
		metrics_cache_lookup(1);
		if (api_keyset_doc(call) != 0) {
			api_call_refuse(call, ERRMAP_INTERNAL);
			return;
		}
		api_issue(call);
		return;
	}
	metrics_cache_lookup(0);
	call->job.work = api_derive;
	call->job.done = api_derived;
	call->job.arg = call;
	if ((rc = pool_submit(api->pool, &call->job)) != 0)
		api_call_refuse(call, ERRMAP_OVERLOADED);
}

void
api_handle(struct api *api, struct req *r)
{
	const char *host = req_header(r, "Host"), *uri = req_uri(r), *detail = NULL;
	char retry[16];
	struct api_ctx c;
	struct route rt;
	enum errmap_id id;

	/* Fields, not the whole context: its URL buffer alone is 8 KiB. */
	c.caller[0] = '\0';
	c.jti[0] = '\0';
	c.by_token = 0;
	c.tk.on = 0;
	c.now = (int64_t)time(NULL);
	requrl_build(c.url, sizeof(c.url), host, host != NULL ? strlen(host) : 0,
	    api_kms_uri(api), uri, strlen(uri));
	if (api->stopping)
		id = ERRMAP_OVERLOADED;
	else if (req_method(r) != REQ_POST)
		id = ERRMAP_METHOD;
	else if (host == NULL || !requrl_host_ok(host, strlen(host)))
		id = ERRMAP_BAD_HOST;
	else if (strchr(req_uri(r), '?') != NULL)
		id = ERRMAP_QUERY;
	else if ((id = api_authenticate(api, r, &c, &detail)) == ERRMAP_OK &&
	    (id = api_limit(api, &c, retry, sizeof(retry), &detail)) == ERRMAP_OK &&
	    (id = api_body(api, r, &c)) == ERRMAP_OK)
		id = route_parse(req_path(r), &rt);
	if (id != ERRMAP_OK) {
		OPENSSL_cleanse(&c.tk, sizeof(c.tk));
		api_refuse(api, r, &c, id, detail);
		return;
	}
	switch (rt.ep) {
	case ROUTE_INIT:
		api_init(api, r, &c);
		break;
	case ROUTE_CERTCACHE:
		api_certcache(api, r, &c, &rt);
		break;
	case ROUTE_KEYPROV:
		api_keyprov(api, r, &c, &rt);
		break;
	default:
		api_refuse(api, r, &c, ERRMAP_NOT_FOUND, NULL);
		break;
	}
	OPENSSL_cleanse(&c.tk, sizeof(c.tk));
}

/* The journal, moving into the local store or (cluster node) the database. */
static int
api_journal(const struct conf *cf, struct store *st, const char *path,
    struct auditj **out, char *why, size_t whylen)
{
	struct auditt tgt;
	char node[256];
	int rc, flags;

	flags = cf->audit.durability == CONF_AUDIT_WRITE ? AUDITJ_WRITE_BACK : 0;
	if (cf->store.backend != CONF_STORE_POSTGRESQL)
		return auditj_open(path, st, flags, out, why, whylen);
	if ((rc = pgconn_node(cf, node, sizeof(node))) != 0 ||
	    (rc = auditt_pg(cf->store.postgresql.conninfo,
	    cf->store.postgresql.password_file, node, &tgt)) != 0)
		return rc;
	return auditj_open_target(path, &tgt, flags, out, why, whylen);
}

void
api_set_replica(struct api *api, struct replica *r)
{
	api->replica = r;
}

int
api_journal_open(const struct conf *cf, struct store *st, struct auditj **out)
{
	char path[4096], why[512];
	int rc;

	*out = NULL;
	/* Key-set audit records become durable here first (auditj.h). */
	why[0] = '\0';
	if ((size_t)snprintf(path, sizeof(path), "%s/" API_JOURNAL, cf->store.path) >=
	    sizeof(path))
		return SKM_ELEN;
	if ((rc = api_journal(cf, st, path, out, why, sizeof(why))) != 0) {
		log_warnx("audit journal: %s", why[0] != '\0' ? why : skm_strerror(rc));
		return rc;
	}
	if (why[0] != '\0')
		log_warnx("audit journal: %s", why);
	return 0;
}

int
api_new(struct event_base *base, const struct conf *cf, struct store *st,
    const struct kms *kms, const struct auth *auth, struct auditj *journal,
    struct api **out)
{
	struct api *api;
	unsigned workers = cf->server.workers > 0 ? cf->server.workers : 1;
	int rc;

	*out = NULL;
	kmsreq_init();
	/* libxmlsec1 sets itself up once, before the workers start. */
	if ((rc = xsec_init()) != 0) {
		log_warnx("xml security library: cannot initialise");
		auditj_close(journal, 1);
		return rc;
	}
	if ((api = calloc(1, sizeof(*api))) == NULL) {
		auditj_close(journal, 1);
		return SKM_ENOMEM;
	}
	api->base = base;
	api->cf = cf;
	api->auth = auth;
	api->st = st;
	api->kms = kms;
	atomic_init(&api->gen_serial, kms_gen_serial(kms));
	api->rate.interval = 10;
	api->rate.burst = 50;
	if ((rc = pool_new(base, workers, workers * API_QUEUE_PER_WORKER,
	    &api->pool)) != 0 ||
	    (rc = cache_new(cf->cache.max_entries, &api->cache)) != 0 ||
	    (rc = ratelimit_new(cf->ratelimit.max_identities, cf->ratelimit.burst,
	    (uint64_t)cf->ratelimit.refill_interval * 1000, &api->rl)) != 0 ||
	    (rc = auditq_new(st, api->pool, cf->audit.group_commit,
	    cf->audit.commit_window_ms, journal, &api->auditq)) != 0 ||
	    (rc = precompute_new(base, cf, st, kms, api->pool, api->cache,
	    &api->pc)) != 0) {
		/* Not yet taken over by the audit writer: closed here. */
		if (api->auditq == NULL)
			auditj_close(journal, 1);
		api_free(api);
		return rc;
	}
	auditq_set_group(api->auditq, cf->audit.group_delay_us, cf->audit.group_size);
	auditq_set_flush(api->auditq, cf->audit.flush_ms);
	*out = api;
	return 0;
}

void
api_reload(struct api *api, const struct conf *cf, const struct auth *auth)
{
	api->cf = cf;
	api->auth = auth;
	auditq_set_window(api->auditq, cf->audit.commit_window_ms);
	auditq_set_group(api->auditq, cf->audit.group_delay_us, cf->audit.group_size);
	auditq_set_flush(api->auditq, cf->audit.flush_ms);
	precompute_reload(api->pc, cf);
	if (api->replica != NULL)
		replica_set_staleness(api->replica, cf->store.max_staleness);
	ratelimit_set(api->rl, cf->ratelimit.burst,
	    (uint64_t)cf->ratelimit.refill_interval * 1000, ratelimit_now());
}

unsigned
api_pending(const struct api *api)
{
	return api->pending;
}

/*
 * Completions feed each other (a derivation queues an audit record whose
 * completion replies), so the pool is drained once after its workers stop
 * and once more after the audit writer has written everything.
 */
void
api_free(struct api *api)
{
	if (api == NULL)
		return;
	api->stopping = 1;
	if (api->pool != NULL) {
		pool_stop(api->pool);
		pool_drain(api->pool);
	}
	precompute_free(api->pc);
	auditq_free(api->auditq);
	pool_free(api->pool);
	cache_free(api->cache);
	ratelimit_free(api->rl);
	free(api);
}
