/* SPDX-License-Identifier: ISC */
/*
 * The store of the group management service (skgmsd, skgmsctl): one LMDB
 * environment of its own (directory 0700, files 0600) holding the groups
 * with their rekey-on-removal profile and their current and pending GMKs,
 * the members (implicit or explicit affiliation, subscribed), and one
 * delivery per member and notification (a GMK or a removal) with its
 * attempts, next-send time, state and reason. Every change is one LMDB
 * transaction that also advances a change counter, so a daemon polling the
 * counter sees what an admin command did, and a kill at any moment leaves
 * either all of a change or none of it. Several processes may use it at
 * once (LMDB's own locking). It never makes an I_MESSAGE and never logs.
 *
 * Keys are a record class octet and big-endian numbers or NUL-separated
 * strings; values start with a version octet.
 */
#ifndef SKM_GMS_GSTORE_H
#define SKM_GMS_GSTORE_H

#include <stddef.h>
#include <stdint.h>

#define GSTORE_GROUP_MAX	127	/* VAL group ID octets */
#define GSTORE_URI_MAX		255	/* member URI octets (LMDB key size) */
#define GSTORE_REASON_MAX	255
#define GSTORE_TEXT_MAX		255
#define GSTORE_GMK_LEN		16
#define GSTORE_GMKS		4	/* GMKs kept per group: current and pending */
#define GSTORE_ID_LEN		21	/* a delivery ID as decimal text, with its NUL */

struct gstore;

enum gstore_kind { GSTORE_KIND_GMK = 1, GSTORE_KIND_REMOVAL = 2 };
enum gstore_state { GSTORE_PENDING = 0, GSTORE_SUCCESS = 1, GSTORE_FAILURE = 2 };

struct gstore_gmk {
	uint32_t id;
	uint8_t key[GSTORE_GMK_LEN];	/* SECRET */
	int64_t activation;		/* Unix seconds; 0: at once */
	int64_t expiry;			/* 0: none */
	int64_t made;			/* when it was made */
	char text[GSTORE_TEXT_MAX + 1];
};

struct gstore_group {
	char id[GSTORE_GROUP_MAX + 1];
	int rekey_on_removal;
	int locked;			/* GMKs sealed and no key-encryption key: keys zero */
	size_t ngmk;
	struct gstore_gmk gmk[GSTORE_GMKS];	/* oldest first */
};

struct gstore_member {
	char uri[GSTORE_URI_MAX + 1];
	int explicit_aff;
	int subscribed;
};

struct gstore_dlv {
	uint64_t id;
	char user[GSTORE_URI_MAX + 1];
	char group[GSTORE_GROUP_MAX + 1];
	enum gstore_kind kind;
	uint32_t gmk_id;
	enum gstore_state state;
	unsigned attempts;
	int64_t created, next_send, answered;	/* Unix seconds; 0: never */
	int64_t made;			/* when its I_MESSAGE was made */
	char reason[GSTORE_REASON_MAX + 1];
	uint8_t *imsg;			/* the I_MESSAGE once made, else NULL */
	size_t imsg_len;
};

/*
 * Opens the store in directory dir with map_size octets of address space;
 * flags: GSTORE_CREATE makes it, else SKM_ENOTFOUND when there is none
 * (why says what failed). GSTORE_LAZY: commits reach the file (a killed
 * process loses nothing) but are flushed to disk only by gstore_sync(), so
 * a host crash may lose the last ones; for skgmsd, whose own writes (sends,
 * answers, I_MESSAGEs) are redone by at-least-once delivery if lost.
 * Free with gstore_close().
 */
#define GSTORE_CREATE	1
#define GSTORE_LAZY	2
int gstore_open(const char *dir, int flags, size_t map_size, struct gstore **out,
    char *why, size_t whylen);
void gstore_close(struct gstore *st);

/*
 * Seals the GMKs written from now on under the key-encryption key in the
 * secret file path (GSTORE_KEK_LEN random octets, opened with the owner
 * and mode checks of secfile_read()), AES-256-GCM bound to the group and
 * GMK-ID; GMKs stored before are sealed when their group is next written.
 * Without it, sealed GMKs read as locked (zero keys) and a write of their
 * group is SKM_EPERM; with another key, reading them is SKM_EVERIFY.
 */
#define GSTORE_KEK_LEN		32
int gstore_set_kek(struct gstore *st, const char *path, char *why, size_t whylen);

/* Flushes the commits of a GSTORE_LAZY store to disk. */
int gstore_sync(struct gstore *st);

/* The change counter (advanced by every change, by any process). */
int gstore_changes(struct gstore *st, uint64_t *out);

/* Frees what a gstore_dlv points to (the I_MESSAGE). */
void gstore_dlv_clear(struct gstore_dlv *d);
void gstore_dlvs_free(struct gstore_dlv *d, size_t n);

/* A delivery ID as text, and back (SKM_EINVAL when it is not one). */
void gstore_id_text(uint64_t id, char out[GSTORE_ID_LEN]);
int gstore_id_parse(const char *text, uint64_t *id);

/* The GMKs of g a member gets now: the one active at now and every later one. */
size_t gstore_gmks_due(const struct gstore_group *g, int64_t now, size_t *first);

/* --- groups and members (gstore_group.c); each call is one transaction --- */

/* SKM_EEXIST when it exists, SKM_EINVAL for a bad ID. */
int gstore_group_create(struct gstore *st, const char *id, int rekey_on_removal);
/* Removes the group, its members and its pending deliveries; SKM_ENOTFOUND. */
int gstore_group_delete(struct gstore *st, const char *id);
int gstore_group_get(struct gstore *st, const char *id, struct gstore_group *g);
/* Every group (malloc'ed array, cleanse and free with gstore_groups_free). */
int gstore_groups(struct gstore *st, struct gstore_group **out, size_t *n);
void gstore_groups_free(struct gstore_group *g, size_t n);
/* The members of group (malloc'ed array, free()). */
int gstore_members(struct gstore *st, const char *group, struct gstore_member **out,
    size_t *n);
/* The groups user is a member of, with its affiliation (malloc'ed arrays). */
int gstore_user_groups(struct gstore *st, const char *user, char (**groups)[GSTORE_GROUP_MAX + 1],
    struct gstore_member **mem, size_t *n);

/*
 * Adds members uris[0..n-1] (all or none: SKM_EEXIST names the first
 * present one in *bad); implicit members get the group's due GMKs queued.
 * *queued (may be NULL) counts the deliveries queued.
 */
int gstore_member_add(struct gstore *st, const char *group, const char *const *uris,
    size_t n, int explicit_aff, int64_t now, size_t *bad, size_t *queued);
/*
 * Removes a member: its pending GMK deliveries of the group are dropped
 * and a removal delivery queued for it; with the group's rekey-on-removal
 * profile and a GMK, gmk (made by the caller; may be NULL otherwise)
 * becomes the group's newest and goes to every authorised member.
 * SKM_ENOTFOUND when it is not a member.
 */
int gstore_member_remove(struct gstore *st, const char *group, const char *uri,
    const struct gstore_gmk *gmk, int64_t now, size_t *queued);
/*
 * Explicit affiliation: subscribe (on) queues the due GMKs the member does
 * not have yet; an implicit member is left as it is. SKM_ENOTFOUND when
 * not a member.
 */
int gstore_subscribe(struct gstore *st, const char *group, const char *uri, int on,
    int64_t now, size_t *queued);
/* A new GMK for the group, sent to every authorised member. */
int gstore_rekey(struct gstore *st, const char *group, const struct gstore_gmk *gmk,
    int64_t now, size_t *queued);

/* --- deliveries (gstore_dlv.c) --- */

/*
 * An I_MESSAGE made more than max_age seconds ago is not sent: receivers
 * refuse a timestamp outside their window, so it goes back to be made
 * again (gstore_unmade) and is due once it is. Sends and answers do not
 * advance the change counter: they make nothing due.
 *
 * The deliveries due for user at now (pending, ready to send, next-send
 * time passed), at most max, oldest first; each gets one more attempt and
 * its next-send time from gstore_backoff() in the same transaction, so
 * they are recorded as sent before anyone announces them. *out malloc'ed.
 */
int gstore_poll(struct gstore *st, const char *user, int64_t now, unsigned retry_min,
    unsigned retry_max, int64_t max_age, size_t max, struct gstore_dlv **out, size_t *n);
/* The earliest next-send time of user's pending, ready deliveries (0: none). */
int gstore_next_due(struct gstore *st, const char *user, int64_t *when);
/*
 * Records a member's answer to delivery id: SKM_ENOTFOUND when it is not
 * user's (or not sent yet), SKM_EINVAL when group is not the delivery's.
 * An answered delivery keeps its first answer: 0 and *first (may be NULL)
 * set to 0, nothing changed.
 */
int gstore_answer(struct gstore *st, const char *user, uint64_t id, const char *group,
    int success, const char *reason, int64_t now, int *first);
/* GMK deliveries whose I_MESSAGE is still to be made (at most max). */
int gstore_unmade(struct gstore *st, size_t max, struct gstore_dlv **out, size_t *n);
/* Stores the I_MESSAGEs of d[0..n-1] (d[i].imsg), or fails those with imsg NULL (reason). */
int gstore_made(struct gstore *st, const struct gstore_dlv *d, size_t n, int64_t now);
/* Every delivery, or those of user / group when not NULL (no I_MESSAGE copied). */
int gstore_dlvs(struct gstore *st, const char *user, const char *group,
    struct gstore_dlv **out, size_t *n);
/*
 * Removes the answered deliveries answered before before; *n (may be NULL)
 * gets how many. The member is still known to have had that GMK.
 */
int gstore_purge(struct gstore *st, int64_t before, size_t *n);
/* Deliveries by state (for metrics). */
int gstore_count(struct gstore *st, uint64_t counts[3]);

/*
 * The back-off (pure): seconds after the attempt-th send (1-based) until
 * the next, min(retry_min * 2^(attempt-1), retry_max).
 */
unsigned gstore_backoff(unsigned retry_min, unsigned retry_max, unsigned attempt);

#endif
