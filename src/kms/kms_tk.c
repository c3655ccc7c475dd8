/* SPDX-License-Identifier: ISC */
/*
 * An identity's TrK and InK for the server (TS 33.180 D.1): read and
 * unsealed per request, so a key set or rotated with skmsctl applies at
 * the next request without a reload. Never logs a key.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
#include "common/err.h"
#include "store/store.h"
#include "store/tk.h"

#include <openssl/crypto.h>

struct kms_tk_read {
	struct store *st;
	struct store_txn *t;		/* the caller's, or NULL: one of our own */
	const struct store_tk *in;	/* to write, or NULL: read */
	const char *uri;
	size_t len;
	struct store_tk *out;
};

static int
kms_tk_read(const struct kek *kek, void *arg)
{
	struct kms_tk_read *r = arg;
	struct store_txn t;
	int rc;

	if (r->t != NULL && r->in != NULL)
		return store_tk_put(r->t, kek, (const uint8_t *)r->uri, r->len, r->in);
	if (r->t != NULL)
		return store_tk_get(r->t, kek, (const uint8_t *)r->uri, r->len, r->out);
	if ((rc = store_txn_begin(r->st, 0, &t)) != 0)
		return rc;
	rc = store_tk_get(&t, kek, (const uint8_t *)r->uri, r->len, r->out);
	store_txn_abort(&t);
	return rc;
}

int
kms_tk_get(const struct kms *k, struct store *st, const char *uri, size_t len,
    struct store_tk *out)
{
	struct kms_tk_read r = { st, NULL, NULL, uri, len, out };
	int rc;

	rc = kms_gens_with_kek(k, kms_tk_read, &r);
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
kms_tk_get_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    struct store_tk *out)
{
	struct kms_tk_read r = { NULL, t, NULL, uri, len, out };
	int rc;

	rc = kms_gens_with_kek(k, kms_tk_read, &r);
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int
kms_tk_put_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const struct store_tk *tk)
{
	struct kms_tk_read r = { NULL, t, tk, uri, len, NULL };

	return kms_gens_with_kek(k, kms_tk_read, &r);
}
