/* SPDX-License-Identifier: ISC */
/*
 * The domain's key-encryption key: loading the one a caller names for the
 * recorded source, checking that it opens the store, and rotating to
 * another. A rotation changes which key seals the master secrets, never
 * the secrets: every sealed record is re-sealed, the new source recorded
 * (a reference, never the key) and an audit entry added, in one write
 * transaction, so an interrupted rotation leaves the store sealed under
 * exactly one of the two keys. Nothing here logs.
 */
#include "kms/kms.h"
#include "kms/kms_int.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/kek.h"
#include "store/secrets.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

/* Whether path names another file than the recorded one. */
static int
kms_kek_other(const struct kek_ref *ref, const char *path)
{
	struct stat a, b;

	if (strcmp(path, ref->path) == 0)
		return 0;
	return stat(path, &a) != 0 || stat(ref->path, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino;
}

int
kms_kek_load(const struct kek_ref *ref, const char *file, const char *pass,
    const char **path, struct kek **out, char *why, size_t whylen)
{
	const char *noun = kek_kind_noun(ref->kind), *named, *uri = kek_pkcs11_named();
	size_t n;
	int rc;

	*out = NULL;
	*path = ref->path;
	if (file != NULL && *file == '\0')
		file = NULL;
	if (pass != NULL && *pass == '\0')
		pass = NULL;
	if (file != NULL && pass != NULL)
		return skm_why(why, whylen, SKM_EINVAL,
		    "both a key file and a passphrase file are named");
	/* The configuration's kek.pkcs11-uri names a token key as kek.file a file. */
	if (uri != NULL && file == NULL && pass == NULL) {
		if (ref->kind != KEK_PKCS11)
			return skm_why(why, whylen, SKM_EINVAL, "%s is named as a PKCS#11 "
			    "key object, but the master secrets are sealed under a %s: the "
			    "store records the %s %s", uri, noun, noun, ref->path);
		*path = uri;
		if ((rc = kek_load(ref, uri, out, why, whylen)) != 0 &&
		    strcmp(uri, ref->path) != 0 && why != NULL &&
		    (n = strlen(why)) < whylen)
			snprintf(why + n, whylen - n, "%sthe store records the %s %s",
			    n > 0 ? "; " : "", noun, ref->path);
		return rc;
	}
	/* A key file read as a passphrase (or the reverse) would only fail
	 * later as a wrong key: say what is wrong. */
	if ((file != NULL && ref->kind != KEK_FILE) ||
	    (pass != NULL && ref->kind != KEK_PASSPHRASE))
		return skm_why(why, whylen, SKM_EINVAL, "%s is named as a %s, but the "
		    "master secrets are sealed under a %s: the store records the %s %s",
		    file != NULL ? file : pass, file != NULL ? "key file" :
		    "passphrase file", noun, noun, ref->path);
	named = file != NULL ? file : pass;
	if (named != NULL)
		*path = named;
	if ((rc = kek_load(ref, *path, out, why, whylen)) != 0 && named != NULL &&
	    kms_kek_other(ref, named) && why != NULL && (n = strlen(why)) < whylen)
		snprintf(why + n, whylen - n, "%sthe store records the %s %s",
		    n > 0 ? "; " : "", noun, ref->path);
	return rc;
}

void
kms_kek_unseal_why(const struct kek_ref *ref, const char *path, int rc, char *why,
    size_t whylen)
{
	if (rc != SKM_EVERIFY)
		snprintf(why, whylen, "master secrets: %s", skm_strerror(rc));
	else if (kms_kek_other(ref, path))
		snprintf(why, whylen, "master secrets do not unseal: wrong key-encryption "
		    "key or damaged store (tried the %s %s; the store records the %s %s)",
		    kek_kind_noun(ref->kind), path, kek_kind_noun(ref->kind), ref->path);
	else
		snprintf(why, whylen, "master secrets do not unseal: wrong key-encryption "
		    "key or damaged store");
}

int
kms_kek_opens(struct store *st, const struct kek *kek)
{
	struct store_txn t;
	uint8_t *plain;
	size_t len = 0;
	int rc;

	if ((plain = OPENSSL_secure_zalloc(STORE_SECRETS_MAX)) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(st, 0, &t)) == 0) {
		rc = store_secrets_get(&t, kek, plain, STORE_SECRETS_MAX, &len);
		store_txn_abort(&t);
	}
	OPENSSL_secure_clear_free(plain, STORE_SECRETS_MAX);
	return rc;
}

/* Reads the domain record into a heap copy (it is large). */
static int
kms_kek_domain(struct store_txn *t, struct domain_rec **out, char *why, size_t whylen)
{
	int rc;

	if ((*out = OPENSSL_zalloc(sizeof(**out))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_domain_get(t, *out)) == SKM_ENOTFOUND)
		return skm_why(why, whylen, rc, "no domain: run 'skmsctl init'");
	if (rc != 0)
		return skm_why(why, whylen, rc, "domain record: %s", skm_strerror(rc));
	return 0;
}

static int
kms_kek_ref_eq(const struct kek_ref *a, const struct kek_ref *b)
{
	return a->kind == b->kind && strcmp(a->path, b->path) == 0 &&
	    a->scrypt_n == b->scrypt_n && a->scrypt_r == b->scrypt_r &&
	    a->scrypt_p == b->scrypt_p && memcmp(a->salt, b->salt, KEK_SALT_LEN) == 0;
}

int
kms_kek_check(struct store *st, const char *kek_file, const char *passphrase_file,
    struct kek **keep, char *why, size_t whylen)
{
	struct domain_rec *d = NULL;
	struct store_txn t;
	struct kek *kek = NULL;
	const char *path;
	int rc;

	why[0] = '\0';
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		return rc;
	rc = kms_kek_domain(&t, &d, why, whylen);
	store_txn_abort(&t);
	if (rc != 0 ||
	    (rc = kms_kek_load(&d->kek, kek_file, passphrase_file, &path, &kek, why,
	    whylen)) != 0)
		goto out;
	if ((rc = kms_kek_opens(st, kek)) != 0)
		kms_kek_unseal_why(&d->kek, path, rc, why, whylen);
	else if (keep != NULL) {
		*keep = kek;
		kek = NULL;
	}
out:
	kek_free(kek);
	OPENSSL_free(d);
	return rc;
}

/*
 * The new key must be another key: one that opens the store already, or a
 * file of the current kind that yields the current key, would leave the
 * old key opening everything.
 */
static int
kms_kek_fresh(struct store *st, const struct kek_ref *cur, const struct kek_ref *to_ref,
    const struct kek *to, char *why, size_t whylen)
{
	struct kek *same = NULL;
	int rc = 0;

	if (kms_kek_opens(st, to) == 0)
		return skm_why(why, whylen, SKM_EEXIST, "the %s %s holds the current "
		    "key-encryption key", kek_kind_noun(to_ref->kind), to_ref->path);
	if (to_ref->kind == cur->kind &&
	    kek_load(cur, to_ref->path, &same, NULL, 0) == 0 && kms_kek_opens(st, same) == 0)
		rc = skm_why(why, whylen, SKM_EEXIST, "the %s %s holds the current %s",
		    kek_kind_noun(to_ref->kind), to_ref->path, to_ref->kind == KEK_FILE ?
		    "key" : "passphrase");
	kek_free(same);
	return rc;
}

int
kms_kek_rotate(struct store *st, const char *kek_file, const char *passphrase_file,
    const struct kek_ref *to_ref, const struct kek *to, const char *actor, int64_t now,
    struct kms_kek_rotation *res, char *why, size_t whylen)
{
	struct domain_rec *d = NULL, *w = NULL;
	struct store_txn t;
	struct audit_rec a;
	struct kek *from = NULL;
	const char *path;
	char detail[2 * KEK_PATH_MAX + 96];
	int rc;

	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	/* The keys are loaded (scrypt for a passphrase) before the write
	 * transaction, which then holds the store for the re-sealing alone. */
	if ((rc = store_txn_begin(st, 0, &t)) != 0)
		goto out;
	rc = kms_kek_domain(&t, &d, why, whylen);
	store_txn_abort(&t);
	if (rc != 0 ||
	    (rc = kms_kek_load(&d->kek, kek_file, passphrase_file, &path, &from, why,
	    whylen)) != 0)
		goto out;
	if ((rc = kms_kek_opens(st, from)) != 0) {
		kms_kek_unseal_why(&d->kek, path, rc, why, whylen);
		goto out;
	}
	if ((rc = kms_kek_fresh(st, &d->kek, to_ref, to, why, whylen)) != 0)
		goto out;

	if ((rc = store_txn_begin(st, 1, &t)) != 0)
		goto out;
	if ((rc = kms_kek_domain(&t, &w, why, whylen)) != 0) {
		store_txn_abort(&t);
		goto out;
	}
	/* Another rotation may have committed since the keys were checked. */
	if (!kms_kek_ref_eq(&d->kek, &w->kek)) {
		store_txn_abort(&t);
		rc = skm_why(why, whylen, SKM_ESTATE, "the key-encryption key of the store "
		    "changed meanwhile; run the command again");
		goto out;
	}
	store_secrets_reseal(&t, from, to, &res->nsealed);
	if (t.err == 0 && res->nsealed == 0)
		store_txn_fail(&t, SKM_ESTORE);
	res->from = w->kek;
	w->kek = *to_ref;
	store_domain_put(&t, w, 1);
	snprintf(detail, sizeof(detail), "from %s %s to %s %s, %zu sealed record%s",
	    kek_kind_name(res->from.kind), res->from.path, kek_kind_name(to_ref->kind),
	    to_ref->path, res->nsealed, res->nsealed == 1 ? "" : "s");
	memset(&a, 0, sizeof(a));
	a.time = now;
	a.actor = actor;
	a.action = "kek rotate";
	a.detail = detail;
	store_audit_append(&t, &a, NULL);
	if ((rc = store_txn_commit(&t)) != 0)
		snprintf(why, whylen, "%s", rc == SKM_EVERIFY ? "a sealed record does not "
		    "open under the current key-encryption key: damaged store" :
		    rc == SKM_ESTORE && res->nsealed == 0 ? "no sealed secrets in the store" :
		    skm_strerror(rc));
out:
	kek_free(from);
	OPENSSL_free(d);
	OPENSSL_free(w);
	return rc;
}
