/* SPDX-License-Identifier: ISC */
/*
 * skmc init: KMS Initialize (TS 33.180 D.3.1). Asks the server for its
 * Root KMS certificate, checks it (kmscheck_cert) and only then creates
 * the identity in the keystore with the server settings; the next Root
 * certificate of a scheduled rollover (skms:NextKmsCertificate) is
 * checked and kept beside it. Stores no key sets (skmc fetch does) and
 * never prints the token. With --trk-file and --trk-id (and optionally
 * --ink-file, --ink-id) the identity uses the TS 33.180 D.1 security
 * extension from this request on: the keys are copied into the
 * identity's directory (kmstk.h), requests are signed and only signed
 * responses are taken.
 */
#include <limits.h>
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
#include "common/time.h"
#include "skmc/cmd.h"

enum init_opt { O_SERVER, O_URI, O_TOKEN, O_CACERT, O_CERT, O_KEY, O_TRK_FILE, O_TRK_ID,
	O_INK_FILE, O_INK_ID, O_N };

static const char *const init_names[O_N] = {
	"--server", "--uri", "--token-file", "--cacert", "--client-cert", "--client-key",
	"--trk-file", "--trk-id", "--ink-file", "--ink-id",
};

/* The keys of --trk-file/--trk-id/--ink-file/--ink-id (cmd_tk.c). */
static int
init_tk(const struct cli *cli, const struct cli_cmd *cmd, const char *const *val,
    struct kmstk **tk)
{
	return cmd_tk_keys(cli, cmd, val[O_TRK_FILE], val[O_TRK_ID], val[O_INK_FILE],
	    val[O_INK_ID], tk);
}

/* The keys go into the new identity's directory, where fetch finds them. */
static int
init_tk_save(const struct skmc_ctx *ctx, const char *uri, struct kmstk *tk, char *why,
    size_t whylen)
{
	struct ks *ks = NULL;
	int err;

	if ((err = ks_open(&ks, ctx->keystore, uri, 0, why, whylen)) != 0)
		return err;
	if ((size_t)snprintf(tk->path, sizeof(tk->path), "%s/%s", ks_path(ks), KMSTK_FILE) >=
	    sizeof(tk->path))
		err = skm_why(why, whylen, SKM_ELEN, "keystore path too long");
	else
		err = kmstk_save(tk, why, whylen);
	ks_close(ks);
	return err;
}

int
cmd_init(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	const char *val[O_N] = { NULL };
	char *abs[O_N] = { NULL };
	struct ctx_opts o = { init_names, val, O_N, NULL, NULL, 0, NULL, 0, 0 };
	struct kmsget_target t;
	struct ks_settings set;
	struct kmsdoc *doc = NULL;
	struct ks *ks = NULL;
	struct kmstk *tk = NULL;
	const struct kmsdoc_cert *c;
	char why[KS_WHY_MAX] = "", *body = NULL, from[TIME_TEXT_LEN];
	size_t len = 0;
	int rc, err, k;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (val[O_SERVER] == NULL)
		return cli_usage_error(cli, cmd, "--server", "missing");
	if (val[O_URI] == NULL)
		return cli_usage_error(cli, cmd, "--uri", "missing");
	if ((val[O_CERT] == NULL) != (val[O_KEY] == NULL))
		return cli_usage_error(cli, cmd, "--client-cert, --client-key", "give both or neither");
	if (strncmp(val[O_SERVER], "https://", 8) != 0)
		return cli_usage_error(cli, cmd, "--server", "not an https URL");
	if ((rc = init_tk(cli, cmd, val, &tk)) != CLI_OK)
		goto out;
	/* The settings outlive this directory: keep absolute paths. */
	for (k = O_TOKEN; k <= O_KEY; k++) {
		if (val[k] == NULL)
			continue;
		if ((abs[k] = realpath(val[k], NULL)) == NULL) {
			rc = cli_error(cli, cmd, CLI_FAILED, val[k], "no such file");
			goto out;
		}
	}
	memset(&t, 0, sizeof(t));
	t.server = val[O_SERVER];
	t.token_file = abs[O_TOKEN];
	t.cacert = abs[O_CACERT];
	t.client_cert = abs[O_CERT];
	t.client_key = abs[O_KEY];
	t.timeout = ctx->timeout;
	t.tk = tk;
	t.user_uri = val[O_URI];
	if ((err = kmsget_init(&t, &body, &len, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "init", why);
		goto out;
	}
	if ((err = kmsdoc_parse(body, len, &doc, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "init response", why);
		goto out;
	}
	if (doc->kind != KMSDOC_INIT || doc->ncerts != 1) {
		rc = cli_error(cli, cmd, CLI_FAILED, "init response", "not a KmsInit");
		goto out;
	}
	c = &doc->certs[0];
	if (c->role != NULL && strcmp(c->role, "Root") != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "KmsCertificate", "Role is not Root");
		goto out;
	}
	if ((err = kmscheck_cert(c, (int64_t)time(NULL), why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "KmsCertificate", why);
		goto out;
	}
	/* NOTES 2.13 (3): UIDs are made with this KmsUri; both must agree. */
	if (doc->kms_uri != NULL && strcmp(doc->kms_uri, c->kms_uri) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "KmsResponse/KmsUri",
		    "differs from the certificate's KmsUri");
		goto out;
	}
	if (doc->user_uri != NULL && strcmp(doc->user_uri, val[O_URI]) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "KmsResponse/UserUri",
		    "is not the identity given with --uri");
		goto out;
	}
	/* A scheduled rollover: its certificate is checked before anything is stored. */
	if (doc->next != NULL && (err = kmscheck_next(c, doc->next, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "init response", why);
		goto out;
	}
	set.server = val[O_SERVER];
	set.token_file = abs[O_TOKEN];
	set.cacert = abs[O_CACERT];
	set.client_cert = abs[O_CERT];
	set.client_key = abs[O_KEY];
	if ((err = ks_create(ctx->keystore, val[O_URI], &set, c->xml, c->xmllen, why,
	    sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	if (doc->next != NULL) {
		if ((err = ks_open(&ks, ctx->keystore, val[O_URI], 0, why, sizeof(why))) != 0 ||
		    (err = ks_put_cert(ks, doc->next->xml, doc->next->xmllen, NULL, why,
		    sizeof(why))) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
			goto out;
		}
	}
	if (tk != NULL && (err = init_tk_save(ctx, val[O_URI], tk, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	printf("identity: %s\nkms-uri: %s\n", val[O_URI], c->kms_uri);
	if (doc->next != NULL && time_format(doc->next->valid_from, from, sizeof(from)) == 0)
		printf("next-cert-uri: %s\nnext-valid-from: %s\n", doc->next->cert_uri, from);
	if (tk != NULL)
		printf("trk-id: %s\n%s%s%s", tk->trk_id, tk->has_ink ? "ink-id: " : "",
		    tk->has_ink ? tk->ink_id : "", tk->has_ink ? "\n" : "");
	rc = cli_finish(cli, cmd);
out:
	ks_close(ks);
	kmsdoc_free(doc);
	kmsget_free(body, len);
	for (k = 0; k < O_N; k++)
		free(abs[k]);
	if (tk != NULL)
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return rc;
}
