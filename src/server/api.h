/* SPDX-License-Identifier: ISC */
/*
 * The KMS interface of TS 33.180 Annex D on top of the transport:
 * routing, caller authentication and authorisation, key-set derivation on
 * the worker pool, caching and rollover precomputation, audit, and the
 * KmsResponse or KmsError reply. It never blocks the event loop on crypto
 * or on an LMDB write.
 */
#ifndef SKM_SERVER_API_H
#define SKM_SERVER_API_H

struct api;
struct auth;
struct conf;
struct event_base;
struct kms;
struct req;
struct store;

/*
 * Opens the audit journal in cf's store.path (auditj.h) and moves into the
 * store what an earlier run left in it; logs why it cannot. skmsd calls it
 * before switching to server.user: the journal, like the store, belongs to
 * the user who made the store, and an open descriptor outlives the switch.
 */
struct auditj;
int api_journal_open(const struct conf *cf, struct store *st, struct auditj **out);

/*
 * The API over an opened store and KMS (both outlive it) on base. cf and
 * auth are the current configuration and verifier; api_reload() swaps
 * them. Takes over journal (from api_journal_open(), closed here on
 * failure too). Starts the worker pool, the audit writer and the
 * precompute timer.
 */
int api_new(struct event_base *base, const struct conf *cf, struct store *st,
    const struct kms *kms, const struct auth *auth, struct auditj *journal,
    struct api **out);

/* Takes the request (on the loop thread); replies now or later. */
void api_handle(struct api *api, struct req *r);

/* Swaps in a new configuration and verifier after SIGHUP (loop thread). */
/*
 * A cluster node's follower (replica.h), set once before the first
 * request; key sets are withheld while it is stale. Not taken over.
 */
struct replica;
void api_set_replica(struct api *api, struct replica *r);

void api_reload(struct api *api, const struct conf *cf, const struct auth *auth);

/* Requests accepted but not yet replied to (for draining on SIGTERM). */
unsigned api_pending(const struct api *api);

/* Stops the workers after the pending requests; frees. */
void api_free(struct api *api);

#endif
