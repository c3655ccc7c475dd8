/* SPDX-License-Identifier: ISC */
/*
 * Replies handed from one thread to the event loop that owns the request.
 * With several loops (server.threads), a reply may be produced on a
 * thread other than the one running the request's connection: libevent
 * objects of a loop must only be touched by that loop, so the reply is
 * copied and req_reply() runs again there. Nothing here reads a request.
 */
#ifndef SKM_SERVER_HTTP_DEFER_H
#define SKM_SERVER_HTTP_DEFER_H

#include <stddef.h>

struct event_base;
struct req;

/*
 * Schedules req_reply(r, status, content_type, body, len, headers) on
 * base; everything is copied (the body in memory that is cleansed when
 * freed, as it may carry key material). SKM_ENOMEM when it cannot.
 */
int http_defer_reply(struct event_base *base, struct req *r, int status,
    const char *content_type, const char *body, size_t len,
    const char *const *headers);

#endif
