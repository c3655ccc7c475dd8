/* SPDX-License-Identifier: ISC */
/*
 * Audit entries. Key: class || u64 sequence, so key order is append order.
 * The next sequence number lives in its own counter record, not in the
 * last key, so it survives any future pruning of old entries. Value v1:
 * version, time, actor, action (texts with NUL), uri (u16 length), detail.
 * A backend that keeps the audit apart (PostgreSQL: skms_audit, numbered
 * by its own sequence, and skms_node for the journal mark) gets the same
 * value octets through its audit operations instead.
 */
#include "store/audit.h"
#include "store/identity.h"
#include "store/rec.h"
#include "store/store.h"
#include "store/store_int.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_V1	1
#define AUDIT_SEQ_V1	1

static const uint8_t seq_key[] = { STORE_C_META, STORE_META_AUDIT_SEQ };
static const uint8_t journal_key[] = { STORE_C_META, STORE_META_AUDIT_JOURNAL };
#define AUDIT_JOURNAL_V1	1

static int
text_ok(const char *s)
{
	return s == NULL || strlen(s) <= AUDIT_TEXT_MAX;
}

/* The value of r's record, into rb (rec_init'ed here; the caller rec_free's). */
static void
audit_encode(struct rec_buf *rb, const struct audit_rec *r)
{
	rec_init(rb);
	rec_u8(rb, AUDIT_V1);
	rec_i64(rb, r->time);
	rec_text(rb, r->actor != NULL ? r->actor : "");
	rec_text(rb, r->action != NULL ? r->action : "");
	rec_str16(rb, r->uri, r->uri_len);
	rec_text(rb, r->detail != NULL ? r->detail : "");
}

int
store_audit_encode(const struct audit_rec *r, uint8_t **out, size_t *len)
{
	struct rec_buf rb;
	int rc;

	*out = NULL;
	*len = 0;
	if (!text_ok(r->actor) || !text_ok(r->action) || !text_ok(r->detail) ||
	    r->uri_len > STORE_URI_MAX || (r->uri == NULL && r->uri_len != 0))
		return SKM_EINVAL;
	audit_encode(&rb, r);
	if ((rc = rb.err) == 0 && (*out = malloc(rb.len)) == NULL)
		rc = SKM_ENOMEM;
	if (rc == 0) {
		memcpy(*out, rb.p, rb.len);
		*len = rb.len;
	}
	rec_free(&rb);
	return rc;
}

void
store_audit_batch_begin(struct store_audit_batch *b, struct store_txn *t)
{
	b->t = t;
	b->next = 0;
	b->added = 0;
	b->gen = 0;
}

void
store_audit_batch_gen(struct store_audit_batch *b, uint64_t gen)
{
	b->gen = gen;
	b->added = 0;
}

/* r into a backend that numbers the audit itself. */
static int
audit_add_own(struct store_audit_batch *b, const struct audit_rec *r, uint64_t *seq)
{
	struct store_txn *t = b->t;
	struct rec_buf rb;
	uint64_t n = 0;
	int err;

	if (!t->write)
		return store_txn_fail(t, SKM_ESTATE);
	audit_encode(&rb, r);
	if (rb.err != 0)
		err = store_txn_fail(t, rb.err);
	else
		err = store_txn_fail(t, t->st->ops->audit_add(t, 0, b->gen,
		    (uint32_t)b->added, rb.p, rb.len, &n));
	rec_free(&rb);
	if (err != 0)
		return err;
	if (seq != NULL)
		*seq = n;
	b->added++;
	return 0;
}

int
store_audit_put_raw(struct store_txn *t, uint64_t seq, const uint8_t *rec, size_t len)
{
	uint8_t key[9];
	uint64_t n;

	if (t->err != 0)
		return t->err;
	if (t->st->ops->audit_add != NULL)
		return store_txn_fail(t, t->st->ops->audit_add(t, seq, 0, 0, rec, len, &n));
	key[0] = STORE_C_AUDIT;
	rec_be64(key + 1, seq);
	return store_txn_put(t, key, sizeof(key), rec, len, STORE_NOOVERWRITE);
}

int
store_audit_next(struct store_txn *t, uint64_t *next)
{
	const uint8_t *v;
	size_t vlen;
	int err;

	*next = 1;
	if (t->err != 0)
		return t->err;
	if (t->st->ops->audit_next != NULL)
		return store_txn_fail(t, t->st->ops->audit_next(t, next));
	err = store_txn_get(t, seq_key, sizeof(seq_key), &v, &vlen);
	if (err == SKM_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	if (vlen != 9 || v[0] != AUDIT_SEQ_V1)
		return store_txn_fail(t, SKM_ESTORE);
	*next = rec_get_be64(v + 1);
	return 0;
}

int
store_audit_set_next(struct store_txn *t, uint64_t next)
{
	uint8_t sv[9];

	if (t->err != 0)
		return t->err;
	if (t->st->ops->audit_set_next != NULL)
		return store_txn_fail(t, t->st->ops->audit_set_next(t, next));
	sv[0] = AUDIT_SEQ_V1;
	rec_be64(sv + 1, next);
	return store_txn_put(t, seq_key, sizeof(seq_key), sv, sizeof(sv), 0);
}

int
store_audit_batch_add(struct store_audit_batch *b, const struct audit_rec *r,
    uint64_t *seq)
{
	struct store_txn *t = b->t;
	uint8_t key[9];
	const uint8_t *v;
	struct rec_buf rb;
	size_t vlen;
	int err;

	if (seq != NULL)
		*seq = 0;
	if (t->err != 0)
		return t->err;
	if (!text_ok(r->actor) || !text_ok(r->action) || !text_ok(r->detail) ||
	    r->uri_len > STORE_URI_MAX || (r->uri == NULL && r->uri_len != 0))
		return store_txn_fail(t, SKM_EINVAL);
	if (t->st->ops->audit_add != NULL)
		return audit_add_own(b, r, seq);
	if (b->next == 0) {
		b->next = 1;
		err = store_txn_get(t, seq_key, sizeof(seq_key), &v, &vlen);
		if (err == 0) {
			if (vlen != 9 || v[0] != AUDIT_SEQ_V1)
				return store_txn_fail(t, SKM_ESTORE);
			b->next = rec_get_be64(v + 1);
		} else if (err != SKM_ENOTFOUND) {
			return err;
		}
	}
	key[0] = STORE_C_AUDIT;
	rec_be64(key + 1, b->next);
	audit_encode(&rb, r);
	if (rb.err != 0)
		err = store_txn_fail(t, rb.err);
	else
		err = store_txn_put(t, key, sizeof(key), rb.p, rb.len, STORE_NOOVERWRITE);
	rec_free(&rb);
	if (err != 0)
		return err;
	if (seq != NULL)
		*seq = b->next;
	b->next++;
	b->added++;
	return 0;
}

int
store_audit_batch_end(struct store_audit_batch *b)
{
	uint8_t sv[9];

	if (b->t->err != 0)
		return b->t->err;
	if (b->added == 0 || b->t->st->ops->audit_add != NULL)
		return 0;
	sv[0] = AUDIT_SEQ_V1;
	rec_be64(sv + 1, b->next);
	return store_txn_put(b->t, seq_key, sizeof(seq_key), sv, sizeof(sv), 0);
}

int
store_audit_append(struct store_txn *t, const struct audit_rec *r,
    uint64_t *seq)
{
	struct store_audit_batch b;
	int err;

	store_audit_batch_begin(&b, t);
	if ((err = store_audit_batch_add(&b, r, seq)) != 0)
		return err;
	return store_audit_batch_end(&b);
}

int
store_audit_journal_get(struct store_txn *t, uint64_t *gen)
{
	const uint8_t *v;
	size_t vlen;
	int err, found;

	*gen = 0;
	if (t->st->ops->journal_get != NULL) {
		if (t->err != 0)
			return t->err;
		return store_txn_fail(t, t->st->ops->journal_get(t, gen, &found));
	}
	err = store_txn_get(t, journal_key, sizeof(journal_key), &v, &vlen);
	if (err == SKM_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	if (vlen != 9 || v[0] != AUDIT_JOURNAL_V1)
		return store_txn_fail(t, SKM_ESTORE);
	*gen = rec_get_be64(v + 1);
	return 0;
}

int
store_audit_journal_put(struct store_txn *t, uint64_t gen)
{
	uint8_t v[9];

	if (t->st->ops->journal_put != NULL) {
		if (t->err != 0)
			return t->err;
		if (!t->write)
			return store_txn_fail(t, SKM_ESTATE);
		return store_txn_fail(t, t->st->ops->journal_put(t, gen));
	}
	v[0] = AUDIT_JOURNAL_V1;
	rec_be64(v + 1, gen);
	return store_txn_put(t, journal_key, sizeof(journal_key), v, sizeof(v), 0);
}

struct audit_ctx {
	int64_t since;
	const uint8_t *uri;
	size_t len;
	store_audit_fn *fn;
	void *arg;
	int err;
};

static int
audit_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct audit_ctx *c = arg;
	struct audit_rec r;
	struct rec_rd rd;

	rec_rd_init(&rd, val, vlen);
	if (klen != 9 || rec_get_u8(&rd) != AUDIT_V1) {
		c->err = SKM_ESTORE;
		return c->err;
	}
	r.seq = rec_get_be64(key + 1);
	r.time = rec_get_i64(&rd);
	r.actor = rec_get_text(&rd);
	r.action = rec_get_text(&rd);
	r.uri = rec_get_str16(&rd, &r.uri_len);
	r.detail = rec_get_text(&rd);
	if ((c->err = rec_rd_end(&rd)) != 0)
		return c->err;
	if (r.time < c->since)
		return 0;
	if (c->uri != NULL && (r.uri_len != c->len || memcmp(r.uri, c->uri, c->len) != 0))
		return 0;
	return c->fn(&r, c->arg);
}

int
store_audit_list(struct store_txn *t, int64_t since, const uint8_t *uri,
    size_t len, store_audit_fn *fn, void *arg)
{
	static const uint8_t prefix[] = { STORE_C_AUDIT };
	struct audit_ctx c = { since, uri, len, fn, arg, 0 };
	int err, fnerr = 0;

	if (t->st->ops->audit_scan != NULL) {
		if (t->err != 0)
			return t->err;
		if ((err = t->st->ops->audit_scan(t, audit_one, &c, &fnerr)) != 0)
			return store_txn_fail(t, err);
		err = fnerr < 0 ? fnerr : 0;
	} else {
		err = store_txn_scan(t, prefix, sizeof(prefix), NULL, 0, audit_one, &c);
	}
	if (c.err != 0)
		return store_txn_fail(t, c.err);
	return err;
}

int
store_audit_remove(struct store_txn *t, uint64_t first, uint64_t last)
{
	uint8_t key[9];
	uint64_t seq;
	int err;

	if (first == 0 || first > last)
		return store_txn_fail(t, SKM_EINVAL);
	if (t->st->ops->audit_remove != NULL) {
		if (t->err != 0)
			return t->err;
		if (!t->write)
			return store_txn_fail(t, SKM_ESTATE);
		return store_txn_fail(t, t->st->ops->audit_remove(t, first, last));
	}
	key[0] = STORE_C_AUDIT;
	for (seq = first;; seq++) {
		rec_be64(key + 1, seq);
		/* A missing entry is a failure here: it was read, so it must go. */
		if ((err = store_txn_del(t, key, sizeof(key))) != 0)
			return err;
		if (seq == last)
			return 0;
	}
}
