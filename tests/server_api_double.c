/* SPDX-License-Identifier: ISC */
/*
 * A stand-in for the KMS API (server/api.h), linked only into the
 * transport's test daemon so the transport can be tested on its own:
 * every request is answered 200 with a line naming the method, the path,
 * the peer and whether a client certificate was verified. A path ending
 * in "/slow" is answered after two seconds, to test draining and clients
 * that leave early. Not part of any product binary.
 */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/err.h"
#include "server/api.h"
#include "server/log.h"
#include "server/req.h"

#define DOUBLE_SLOW_SECONDS	2

struct api {
	struct event_base *base;
	/* Raised on the request's loop, lowered on the timer's: shared. */
	atomic_uint pending;
};

struct api_slow {
	struct api *api;
	struct req *r;
	struct event *ev;
};

static void
api_answer(struct api *api, struct req *r)
{
	static const char *const hdrs[] = { "X-Double", "1", NULL };
	char body[2048];
	size_t blen = 0;
	int n;

	(void)req_body(r, &blen);
	n = snprintf(body, sizeof(body), "ok method=%d path=%s uri=%s peer=%s cert=%s body=%zu gone=%d\n",
	    (int)req_method(r), req_path(r), req_uri(r), req_peer(r),
	    req_peer_cert(r) != NULL ? "yes" : "no", blen, req_gone(r));
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)strlen(body);
	req_reply(r, 200, "text/plain", body, (size_t)n, hdrs);
}

static void
api_slow_done(evutil_socket_t fd, short what, void *arg)
{
	struct api_slow *s = arg;

	api_answer(s->api, s->r);
	s->api->pending--;
	event_free(s->ev);
	free(s);
}

int
api_journal_open(const struct conf *cf, struct store *st, struct auditj **out)
{
	(void)cf;
	(void)st;
	*out = NULL;
	return 0;
}

int
api_new(struct event_base *base, const struct conf *cf, struct store *st,
    const struct kms *kms, const struct auth *auth, struct auditj *journal,
    struct api **out)
{
	struct api *api = calloc(1, sizeof(*api));

	if (api == NULL)
		return SKM_ENOMEM;
	api->base = base;
	*out = api;
	return 0;
}

void
api_handle(struct api *api, struct req *r)
{
	const char *p = req_path(r);
	size_t n = strlen(p);
	struct api_slow *s;
	struct timeval tv = { DOUBLE_SLOW_SECONDS, 0 };

	if (n >= 5 && strcmp(p + n - 5, "/slow") == 0 &&
	    (s = calloc(1, sizeof(*s))) != NULL) {
		s->api = api;
		s->r = r;
		if ((s->ev = evtimer_new(api->base, api_slow_done, s)) != NULL &&
		    evtimer_add(s->ev, &tv) == 0) {
			api->pending++;
			/* The drain test waits for this line before its SIGTERM. */
			log_info("test double: holding %s", p);
			return;
		}
		if (s->ev != NULL)
			event_free(s->ev);
		free(s);
	}
	api_answer(api, r);
}

void
api_set_replica(struct api *api, struct replica *r)
{
	(void)api;
	(void)r;
}

void
api_reload(struct api *api, const struct conf *cf, const struct auth *auth)
{
}

unsigned
api_pending(const struct api *api)
{
	return atomic_load(&api->pending);
}

void
api_free(struct api *api)
{
	free(api);
}
