/* SPDX-License-Identifier: ISC */
/*
 * The GMS service on libserver's transport (skgmsd): the /gm/v1 routes,
 * caller authentication with the SIM-S bearer tokens skmsd verifies (a
 * VAL client acts only for its own VAL user ID), the long-poll
 * notification channel with held replies, members' answers, subscriptions,
 * and the delivery metrics. It watches the store's change counter every
 * GMSD_TICK_MS, so a change made by skgmsctl or by the key worker wakes
 * the held polls of the members concerned. Runs on one event loop.
 */
#ifndef SKM_GMS_GMSD_H
#define SKM_GMS_GMSD_H

#include <stddef.h>

struct auth;
struct conf;
struct event_base;
struct gmsd;
struct gmsd_maker;
struct gstore;
struct server_service;

#define GMSD_TICK_MS	50
#define GMSD_BATCH_MAX	256	/* notifications in one answer */

/*
 * The service on base over st (outlives it) as gms_uri (the RequesterIdentity
 * of its notifications), with cf and auth in effect (gmsd_reload swaps them)
 * and maker (may be NULL) kicked on every change.
 */
int gmsd_new(struct event_base *base, struct gstore *st, const char *gms_uri,
    const struct conf *cf, const struct auth *auth, struct gmsd_maker *maker,
    struct gmsd **out);

/* What server_set_service() takes: routes and reload; valid while g lives. */
const struct server_service *gmsd_service(struct gmsd *g);

/* Answers every held poll with an empty list (before the transport goes); frees. */
void gmsd_free(struct gmsd *g);

#endif
