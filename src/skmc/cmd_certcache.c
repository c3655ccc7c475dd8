/* SPDX-License-Identifier: ISC */
/*
 * skmc certcache: KMS CertCache (TS 33.180 D.2, D.3.4). Sends the CacheNum
 * already held; an answer with that CacheNum and no certificates means the
 * cache is current. A new cache is stored only when every certificate in
 * it passes kmscheck_cert as an External certificate.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "client/kmstk.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "skmc/cmd.h"

/*
 * The KMS lists its own revoked Root certificates (Role Root, Revoked
 * true, its KmsUri) next to the External ones after an emergency rollover.
 */
static int
certcache_own_root(const struct kmsdoc_cert *c, const char *kms_uri)
{
	return c->role != NULL && strcmp(c->role, "Root") == 0 && c->revoked &&
	    kms_uri != NULL && c->kms_uri != NULL && strcmp(c->kms_uri, kms_uri) == 0;
}

/* Takes up the revocations in doc, then replaces a revoked Root (*renewed). */
static int
certcache_revoked(struct ks *ks, const struct kmsdoc *doc, const char *kms, int *renewed,
    char *why, size_t whylen)
{
	size_t i, dropped;
	int err;

	for (i = 0; i < doc->ncerts; i++) {
		const struct kmsdoc_cert *c = &doc->certs[i];

		if (!certcache_own_root(c, kms))
			continue;
		if ((err = ks_revoked_learn(ks, c, &dropped, why, whylen)) != 0)
			return err;
		printf("revoked: %s\n", c->cert_uri != NULL ? c->cert_uri : "-");
		if (dropped > 0)
			printf("dropped: %zu key set%s\n", dropped, dropped == 1 ? "" : "s");
	}
	if ((err = ks_revoked_renew(ks, why, whylen)) < 0)
		return err;
	*renewed = err == 1;
	return 0;
}

/* The current and the next period's key sets under the new Root. */
static int
certcache_refetch(struct ks *ks, char *why, size_t whylen)
{
	const struct kmsdoc_cert *root;
	uint64_t p[2];
	int err;

	if ((err = ks_cert(ks, &root, why, whylen)) != 0)
		return err;
	printf("root: %s\n", root->cert_uri != NULL ? root->cert_uri : "-");
	if ((err = ks_period_at(ks, (int64_t)time(NULL), &p[0])) != 0)
		return skm_why(why, whylen, err, "period: %s", skm_strerror(err));
	p[1] = p[0] + 1;
	if ((err = ks_fetch(ks, p, 2, why, whylen)) != 0)
		return err;
	printf("fetched: period %" PRIu64 "\nfetched: period %" PRIu64 "\n", p[0], p[1]);
	return 0;
}

int
cmd_certcache(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	struct ctx_opts o = { NULL, NULL, 0, NULL, NULL, 0, NULL, 0, 0 };
	const struct kmsdoc_cert *const *held, *root;
	const struct ks_settings *s;
	struct kmsget_target t;
	struct kmstk *tk = NULL;
	struct kmsdoc *doc = NULL;
	struct ks *ks = NULL;
	char why[KS_WHY_MAX] = "", sub[KS_WHY_MAX] = "", *body = NULL, **docs = NULL;
	char kms[1024];
	size_t len = 0, nheld = 0, i, next = 0, *lens = NULL;
	uint64_t num = 0;
	int rc, err, has, renewed = 0;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	if ((err = ks_cert(ks, &root, why, sizeof(why))) != 0 ||
	    (err = ks_external(ks, &held, &nheld, &num, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	/* root does not outlive a renewal of the Root: its KmsUri is kept. */
	snprintf(kms, sizeof(kms), "%s", root->kms_uri);
	s = ks_settings(ks);
	memset(&t, 0, sizeof(t));
	t.server = s->server;
	t.token_file = s->token_file;
	t.cacert = s->cacert;
	t.client_cert = s->client_cert;
	t.client_key = s->client_key;
	t.timeout = ctx->timeout;
	/* TS 33.180 D.1: an identity given a TrK asks and is answered signed. */
	if ((err = ks_tk_load(ks, &tk, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	t.tk = tk;
	t.user_uri = ks_uri(ks);
	has = nheld > 0 || num > 0;
	if ((err = kmsget_certcache(&t, has, num, &body, &len, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "certcache", why);
		goto out;
	}
	if ((err = kmsdoc_parse(body, len, &doc, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "certcache response", why);
		goto out;
	}
	if (doc->kind != KMSDOC_CERTCACHE) {
		rc = cli_error(cli, cmd, CLI_FAILED, "certcache response", "not a KmsCertCache");
		goto out;
	}
	if (doc->kms_uri != NULL && strcmp(doc->kms_uri, root->kms_uri) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "KmsResponse/KmsUri",
		    "is not the Root certificate's KmsUri");
		goto out;
	}
	/* D.3.4: the same CacheNum and nothing in it: what we hold is current. */
	if (has && doc->has_cache_num && doc->cache_num == num && doc->ncerts == 0) {
		printf("cache-num: %" PRIu64 "\ncertificates: %zu\nchanged: no\n", num, nheld);
		rc = cli_finish(cli, cmd);
		goto out;
	}
	docs = calloc(doc->ncerts + 1, sizeof(*docs));
	lens = calloc(doc->ncerts + 1, sizeof(*lens));
	if (docs == NULL || lens == NULL) {
		rc = cli_error(cli, cmd, CLI_FAILED, "certcache", "out of memory");
		goto out;
	}
	/* Revocations of the domain's own certificates come first: they may replace the Root. */
	if ((err = certcache_revoked(ks, doc, kms, &renewed, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "revoked certificate", why);
		goto out;
	}
	for (i = 0; i < doc->ncerts; i++) {
		const struct kmsdoc_cert *c = &doc->certs[i];

		if (certcache_own_root(c, kms))
			continue;

		if (c->role == NULL || strcmp(c->role, "External") != 0) {
			snprintf(why, sizeof(why), "KmsCertificate %zu (%s): Role is not External",
			    i + 1, c->kms_uri ? c->kms_uri : "?");
			rc = cli_error(cli, cmd, CLI_FAILED, "certcache", why);
			goto out;
		}
		if ((err = kmscheck_cert(c, (int64_t)time(NULL), sub, sizeof(sub))) != 0) {
			snprintf(why, sizeof(why), "KmsCertificate %zu (%s): %s", i + 1,
			    c->kms_uri ? c->kms_uri : "?", sub);
			rc = cli_error(cli, cmd, CLI_FAILED, "certcache", why);
			goto out;
		}
		docs[next] = c->xml;
		lens[next++] = c->xmllen;
	}
	if ((err = ks_put_external(ks, docs, lens, next, doc->cache_num, why,
	    sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	printf("cache-num: %" PRIu64 "\ncertificates: %zu\nchanged: yes\n", doc->cache_num,
	    next);
	for (i = 0; i < doc->ncerts; i++)
		if (!certcache_own_root(&doc->certs[i], kms))
			printf("external: %s\n", doc->certs[i].kms_uri);
	/* Key sets under the new Root, in place of those dropped. */
	if (renewed && (err = certcache_refetch(ks, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "fetch", why);
		goto out;
	}
	rc = cli_finish(cli, cmd);
out:
	free(docs);
	free(lens);
	kmsdoc_free(doc);
	kmsget_free(body, len);
	ks_close(ks);
	if (tk != NULL)
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return rc;
}
