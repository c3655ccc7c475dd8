/* SPDX-License-Identifier: ISC */
/*
 * Inside the GMS store: the environment, transactions with a sticky
 * error, key building and the record codec. Not for callers of gstore.h.
 */
#ifndef SKM_GMS_GSTORE_INT_H
#define SKM_GMS_GSTORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "gms/gstore.h"

/* Record classes: the first key octet. */
#define GK_META		'M'	/* "changes", "seq" */
#define GK_GROUP	'G'	/* group NUL */
#define GK_MEMBER	'U'	/* group NUL uri */
#define GK_DLV		'D'	/* id (8) */
#define GK_DUE		'I'	/* user NUL id (8): the user's pending deliveries */
#define GK_UNMADE	'Q'	/* id (8): GMK deliveries without an I_MESSAGE */
#define GK_SENT		'K'	/* user NUL group NUL gmk-id (8): its GMK delivery */

#define GKEY_MAX	(1 + GSTORE_GROUP_MAX + 1 + GSTORE_URI_MAX + 1 + 8)

struct gstore {
	MDB_env *env;
	MDB_dbi dbi;
	uint8_t *kek;			/* SECRET: GSTORE_KEK_LEN octets, or NULL */
};

/* A GMK in a group record, sealed under st->kek (gstore_kek.c). */
#define GSTORE_SEALED_LEN	(GSTORE_GMK_LEN + 12 + 16)
int gstore_kek_seal(const struct gstore *st, const char *group, uint32_t gmk_id,
    const uint8_t key[GSTORE_GMK_LEN], uint8_t out[GSTORE_SEALED_LEN]);
int gstore_kek_open(const struct gstore *st, const char *group, uint32_t gmk_id,
    const uint8_t in[GSTORE_SEALED_LEN], uint8_t key[GSTORE_GMK_LEN]);

struct gtxn {
	struct gstore *st;
	MDB_txn *txn;
	int err;
	int write;
	int quiet;			/* a write that makes nothing due: counter kept */
};

struct gkey {
	uint8_t b[GKEY_MAX];
	size_t len;
};

int gstore_err(int rc);
int gtxn_begin(struct gstore *st, int write, struct gtxn *t);
/* Commits (advancing the change counter of a write) or aborts on error; the error. */
int gtxn_end(struct gtxn *t);
void gtxn_abort(struct gtxn *t);
int gtxn_fail(struct gtxn *t, int err);
/* 0, SKM_ENOTFOUND (not sticky) or the sticky error. */
int gtxn_get(struct gtxn *t, const struct gkey *k, MDB_val *v);
void gtxn_put(struct gtxn *t, const struct gkey *k, const void *v, size_t len);
void gtxn_del(struct gtxn *t, const struct gkey *k);
uint64_t gtxn_seq(struct gtxn *t);

/* Keys: class, then strings (each NUL-terminated) or an 8-octet number. */
void gkey_init(struct gkey *k, uint8_t cls);
void gkey_str(struct gkey *k, const char *s);
void gkey_u64(struct gkey *k, uint64_t v);

/* The record codec: appends to a buffer, or reads with a sticky error. */
struct genc {
	uint8_t *b;
	size_t len, cap;
	int err;
};
void genc_u64(struct genc *e, uint64_t v, size_t n);
void genc_bytes(struct genc *e, const void *p, size_t n);
void genc_str(struct genc *e, const char *s);
void genc_free(struct genc *e);	/* cleansed: a group record holds GMKs */

struct gdec {
	const uint8_t *p;
	size_t left;
	int err;
};
uint64_t gdec_u64(struct gdec *d, size_t n);
void gdec_bytes(struct gdec *d, void *out, size_t n);
void gdec_str(struct gdec *d, char *out, size_t cap);
const uint8_t *gdec_view(struct gdec *d, size_t n);

/*
 * The keys (copies, malloc'ed array of n) of every record starting with
 * prefix, in key order, at most max (0: all).
 */
int gtxn_keys(struct gtxn *t, const struct gkey *prefix, size_t max, struct gkey **out,
    size_t *n);
/* The number at the end of a key (its last 8 octets). */
uint64_t gkey_tail(const struct gkey *k);

/* Records. */
int grec_group_get(struct gtxn *t, const char *id, struct gstore_group *g);
void grec_group_put(struct gtxn *t, const struct gstore_group *g);
int grec_dlv_get(struct gtxn *t, uint64_t id, struct gstore_dlv *d);
void grec_dlv_put(struct gtxn *t, const struct gstore_dlv *d);
/* Queues a new delivery (and its indexes); imsg of d is not stored. */
void grec_dlv_queue(struct gtxn *t, const char *user, const char *group,
    enum gstore_kind kind, uint32_t gmk_id, int64_t now);
/* 1 when user has a pending delivery or a success of gmk_id in group. */
int grec_dlv_has(struct gtxn *t, const char *user, const char *group, uint32_t gmk_id);
/* Forgets which GMKs of group user had: a member added again gets them again. */
void grec_sent_forget(struct gtxn *t, const char *user, const char *group);
/* Drops user's pending deliveries of group (kind GMK only, or all). */
void grec_dlv_drop(struct gtxn *t, const char *user, const char *group, int all);

#endif
