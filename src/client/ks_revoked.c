/* SPDX-License-Identifier: ISC */
/*
 * Revoked Root certificates (ks_revoked.h): revoked/<h>.xml under the
 * identity's directory, where h is the SHA-256 of the CertUri in hex, so
 * a lookup by CertUri is one stat. The certificates are public; the key
 * sets dropped because of them are erased with secfile_erase.
 */
#include "client/ks_revoked.h"
#include "client/ks_impl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <dirent.h>

#include <openssl/evp.h>

#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "common/err.h"
#include "common/secfile.h"

#define KS_REVOKED	"revoked"

static int
ks_revoked_file(const char *idpath, const char *cert_uri, char *out, size_t len)
{
	unsigned char md[32];
	char hex[65];
	unsigned i;
	int n;

	if (EVP_Digest(cert_uri, strlen(cert_uri), md, NULL, EVP_sha256(), NULL) != 1)
		return SKM_ECRYPTO;
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	n = snprintf(out, len, "%s/%s/%s.xml", idpath, KS_REVOKED, hex);
	return n < 0 || (size_t)n >= len ? SKM_ELEN : 0;
}

static int
ks_revoked_path(const struct ks *ks, const char *cert_uri, char *out, size_t len)
{
	return ks_revoked_file(ks->path, cert_uri, out, len);
}

int
ks_revoked_in(const char *idpath, const char *cert_uri)
{
	char path[PATH_MAX];
	struct stat sb;

	if (cert_uri == NULL || ks_revoked_file(idpath, cert_uri, path, sizeof(path)) != 0)
		return 0;
	return stat(path, &sb) == 0;
}

int
ks_revoked_is(struct ks *ks, const char *cert_uri)
{
	return ks_revoked_in(ks->path, cert_uri);
}

/*
 * Erases the stored key sets under cert_uri; a key set without a CertUri
 * is the Root's (root: cert_uri is the Root's).
 */
static int
ks_revoked_drop(struct ks *ks, const char *cert_uri, int root, size_t *dropped)
{
	char path[PATH_MAX], *buf;
	struct kmsdoc *doc;
	uint64_t *periods = NULL;
	size_t n = 0, i, len;
	int err, under;

	if ((err = ks_periods(ks, &periods, &n)) != 0)
		return err;
	for (i = 0; i < n && err == 0; i++) {
		if (snprintf(path, sizeof(path), "%s/%s/%llu.xml", ks->path, KS_KEYS,
		    (unsigned long long)periods[i]) >= (int)sizeof(path)) {
			err = SKM_ELEN;
			break;
		}
		buf = NULL;
		len = 0;
		doc = NULL;
		if (ks_read(path, 1, &buf, &len) != 0)
			continue;
		/* One that does not parse cannot be used either: erased too. */
		under = kmsdoc_parse(buf, len, &doc, NULL, 0) != 0 ||
		    doc->kind != KMSDOC_KEYSET || doc->nkeysets != 1 ||
		    (doc->keysets[0].cert_uri != NULL ?
		    strcmp(doc->keysets[0].cert_uri, cert_uri) == 0 : root);
		kmsdoc_free(doc);
		ks_buf_free(buf, len);
		if (!under)
			continue;
		if ((err = secfile_erase(path)) == 0)
			(*dropped)++;
	}
	free(periods);
	ks_keys_drop(ks);
	return err;
}

int
ks_revoked_learn(struct ks *ks, const struct kmsdoc_cert *c, size_t *dropped,
    char *why, size_t whylen)
{
	const struct kmsdoc_cert *root, *held;
	char path[PATH_MAX], dir[PATH_MAX], sub[KS_WHY_MAX] = "";
	size_t n = 0;
	int err, is_root;

	if (dropped != NULL)
		*dropped = 0;
	if (!c->revoked || c->cert_uri == NULL || c->kms_uri == NULL)
		return 0;
	if ((err = ks_cert(ks, &root, why, whylen)) != 0)
		return err;
	if (root->kms_uri == NULL || strcmp(c->kms_uri, root->kms_uri) != 0)
		return 0;
	if (ks_cert_by_uri(ks, c->cert_uri, &held) == 0 && memcmp(held->pub_auth_key,
	    c->pub_auth_key, sizeof(c->pub_auth_key)) != 0)
		return skm_why(why, whylen, SKM_EVERIFY, "revoked certificate %s: not the "
		    "held certificate's public keys", c->cert_uri);
	is_root = root->cert_uri != NULL && strcmp(root->cert_uri, c->cert_uri) == 0;
	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_REVOKED)) != 0 ||
	    (err = ks_mkdir(dir)) != 0 ||
	    (err = ks_revoked_path(ks, c->cert_uri, path, sizeof(path))) != 0)
		return skm_why(why, whylen, err, "%s: %s", dir, skm_strerror(err));
	/* Known already: kept as first learnt; its key sets are checked again. */
	if (!ks_revoked_is(ks, c->cert_uri) &&
	    ((err = secfile_write(path, (const uint8_t *)c->xml, c->xmllen, 0)) != 0 ||
	    (err = ks_fsync_dir(dir)) != 0))
		return skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
	if ((err = ks_revoked_drop(ks, c->cert_uri, is_root, &n)) != 0)
		return skm_why(why, whylen, err, "erasing the key sets under %s: %s",
		    c->cert_uri, skm_strerror(err));
	/*
	 * Out of the certificate set once another one is in force (the
	 * record above stays); a revoked Root with no successor held yet stays
	 * in force, refused everywhere, until ks_revoked_renew replaces it.
	 */
	if (ks_cert_by_uri(ks, c->cert_uri, &held) == 0 &&
	    (err = ks_cert_drop(ks, c->cert_uri, sub, sizeof(sub))) != 0 && err != SKM_EBUSY)
		return skm_why(why, whylen, err, "dropping certificate %s: %s", c->cert_uri,
		    sub);
	if (dropped != NULL)
		*dropped = n;
	return 0;
}

int
ks_revoked_renew(struct ks *ks, char *why, size_t whylen)
{
	const struct kmsdoc_cert *root;
	char sub[KS_WHY_MAX] = "", old[KS_WHY_MAX];
	int64_t now = (int64_t)time(NULL);
	int err;

	if ((err = ks_cert(ks, &root, why, whylen)) != 0)
		return err;
	if (!ks_revoked_is(ks, root->cert_uri))
		return 0;
	snprintf(old, sizeof(old), "%s", root->cert_uri);
	if (ks->set.server == NULL)
		return skm_why(why, whylen, SKM_EREVOKED, "certificate %s is revoked and %s "
		    "has no server to ask for its replacement", old, ks->uri);
	/* KMS Init: the certificate in force joins the set (ks_refresh refuses a revoked one). */
	if ((err = ks_refresh(ks, now, NULL, sub, sizeof(sub))) != 0)
		return skm_why(why, whylen, err, "certificate %s is revoked; %s", old, sub);
	if ((err = ks_cert(ks, &root, why, whylen)) != 0)
		return err;
	if (ks_revoked_is(ks, root->cert_uri))
		return skm_why(why, whylen, SKM_EREVOKED, "certificate %s is revoked and the "
		    "KMS offers no other certificate of %s", old, root->kms_uri);
	if ((err = ks_cert_drop(ks, old, sub, sizeof(sub))) != 0)
		return skm_why(why, whylen, err, "certificate %s is revoked: %s", old, sub);
	ks_keys_drop(ks);
	return 1;
}

static void
ks_revoked_target(const struct ks *ks, struct kmsget_target *t)
{
	memset(t, 0, sizeof(*t));
	t->server = ks->set.server;
	t->token_file = ks->set.token_file;
	t->cacert = ks->set.cacert;
	t->client_cert = ks->set.client_cert;
	t->client_key = ks->set.client_key;
	t->timeout = ks->timeout;
}

int
ks_revoked_follow(struct ks *ks, char *why, size_t whylen)
{
	struct kmsget_target t;
	struct kmsdoc *doc = NULL;
	char *body = NULL, sub[KS_WHY_MAX] = "";
	size_t len = 0, i;
	int err;

	if (ks->set.server == NULL)
		return 0;
	ks_revoked_target(ks, &t);
	if ((err = kmsget_certcache(&t, 0, 0, &body, &len, sub, sizeof(sub))) != 0) {
		skm_why(why, whylen, err, "certcache: %s", sub);
		goto out;
	}
	if ((err = kmsdoc_parse(body, len, &doc, sub, sizeof(sub))) != 0 ||
	    doc->kind != KMSDOC_CERTCACHE) {
		skm_why(why, whylen, err != 0 ? err : SKM_EPARSE, "certcache response: %s",
		    err != 0 ? sub : "not a KmsCertCache");
		err = err != 0 ? err : SKM_EPARSE;
		goto out;
	}
	for (i = 0; i < doc->ncerts; i++)
		if ((err = ks_revoked_learn(ks, &doc->certs[i], NULL, why, whylen)) != 0)
			goto out;
	err = ks_revoked_renew(ks, why, whylen);
out:
	kmsdoc_free(doc);
	kmsget_free(body, len);
	return err;
}

int
ks_revoked_list(struct ks *ks, struct kmsdoc ***docs, size_t *n)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct kmsdoc **v = NULL, **nv, *doc;
	struct dirent *de;
	size_t cnt = 0, len;
	DIR *d;
	int err = 0;

	*docs = NULL;
	*n = 0;
	if ((err = ks_join(dir, sizeof(dir), ks->path, KS_REVOKED)) != 0)
		return err;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : SKM_EIO;
	while (err == 0 && (de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != 68 || strcmp(de->d_name + 64, ".xml") != 0)
			continue;
		buf = NULL;
		len = 0;
		doc = NULL;
		if (ks_join(path, sizeof(path), dir, de->d_name) != 0 ||
		    ks_read(path, 0, &buf, &len) != 0)
			continue;
		if (kmsdoc_parse(buf, len, &doc, NULL, 0) == 0 && doc->kind == KMSDOC_CERT &&
		    doc->ncerts == 1) {
			if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
				kmsdoc_free(doc);
				err = SKM_ENOMEM;
			} else {
				v = nv;
				v[cnt++] = doc;
			}
		} else
			kmsdoc_free(doc);
		ks_buf_free(buf, len);
	}
	closedir(d);
	if (err != 0) {
		ks_revoked_free(v, cnt);
		return err;
	}
	*docs = v;
	*n = cnt;
	return 0;
}

void
ks_revoked_free(struct kmsdoc **docs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kmsdoc_free(docs[i]);
	free(docs);
}
