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
#include "common/err.h"
#include "skmc/cmd.h"

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
	size_t len = 0, nheld = 0, i, *lens = NULL;
	uint64_t num = 0;
	int rc, err, has;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	if ((err = ks_cert(ks, &root, why, sizeof(why))) != 0 ||
	    (err = ks_external(ks, &held, &nheld, &num, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
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
	for (i = 0; i < doc->ncerts; i++) {
		const struct kmsdoc_cert *c = &doc->certs[i];

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
		docs[i] = c->xml;
		lens[i] = c->xmllen;
	}
	if ((err = ks_put_external(ks, docs, lens, doc->ncerts, doc->cache_num, why,
	    sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	printf("cache-num: %" PRIu64 "\ncertificates: %zu\nchanged: yes\n", doc->cache_num,
	    doc->ncerts);
	for (i = 0; i < doc->ncerts; i++)
		printf("external: %s\n", doc->certs[i].kms_uri);
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
