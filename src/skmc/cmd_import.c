/* SPDX-License-Identifier: ISC */
/*
 * skmc import: offline provisioning from files: KmsResponse documents
 * (Init, KeyProv, CertCache), bare KmsCertificate and KmsKeySet documents
 * (as skmsctl cert export and skmsctl keyset derive write them). All or
 * nothing per command: every document is parsed and every certificate and
 * key set checked (kmscheck) before the first byte is written. Never
 * prints key bytes. A SignedKmsResponse (TS 33.180 D.1) is verified and
 * its keys unwrapped with the keys of --trk-file/--trk-id (and
 * --ink-file/--ink-id) before it is parsed; without them it is refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/kmscheck.h"
#include "client/kmsdoc.h"
#include "client/kmstk.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "skmc/cmd.h"

#define IMPORT_MAX	256	/* documents, certificates or key sets per command */

struct import {
	struct kmsdoc *docs[IMPORT_MAX];
	const char *files[IMPORT_MAX];
	size_t ndocs;
	const struct kmsdoc_cert *root;
	const char *root_file;
	const char *uri;			/* the identity the documents name */
	const struct kmsdoc_cert *ext[IMPORT_MAX];
	size_t next;
	int has_cache;
	uint64_t cache_num;
	const struct kmsdoc_keyset *sets[IMPORT_MAX];
	const char *set_files[IMPORT_MAX];
	size_t nsets;
	const struct kmsdoc_cert *revoked[IMPORT_MAX];	/* own revoked Roots (CertCache) */
	size_t nrevoked;
};

/* A SignedKmsResponse, opened with tk: *buf and *len replaced by its KmsResponse. */
static int
import_open(struct kmstk *tk, char **buf, size_t *len, char *why, size_t whylen)
{
	char *plain = NULL, *nb;
	size_t plen = 0;
	int err;

	if (strstr(*buf, "SignedKmsResponse") == NULL)
		return 0;
	if (tk == NULL)
		return skm_why(why, whylen, SKM_EVERIFY, "a SignedKmsResponse needs "
		    "--trk-file and --trk-id (and --ink-file, --ink-id if it has an InK)");
	if ((err = kmstk_open(tk, *buf, *len, &plain, &plen, why, whylen)) != 0)
		return err;
	if (plen > KMSDOC_MAX_LEN) {
		kmstk_free(plain, plen);
		return skm_why(why, whylen, SKM_ELEN, "larger than %d octets", KMSDOC_MAX_LEN);
	}
	nb = *buf;
	OPENSSL_cleanse(nb, KMSDOC_MAX_LEN + 2);
	memcpy(nb, plain, plen + 1);
	*len = plen;
	kmstk_free(plain, plen);
	return 0;
}

/* Reads one file (secure heap: it may hold keys) and parses it. */
static int
import_read(const char *file, struct kmstk *tk, struct kmsdoc **doc, char *why,
    size_t whylen)
{
	char sub[KS_WHY_MAX] = "", *buf = NULL;
	size_t len = 0;
	int err;

	FILE *f = fopen(file, "rb");
	if (f == NULL) {
		snprintf(why, whylen, "%s: cannot open", file);
		return SKM_ENOTFOUND;
	}
	if ((buf = OPENSSL_secure_zalloc(KMSDOC_MAX_LEN + 2)) == NULL) {
		fclose(f);
		return SKM_ENOMEM;
	}
	len = fread(buf, 1, KMSDOC_MAX_LEN + 1, f);
	if (ferror(f)) {
		err = SKM_EIO;
		snprintf(why, whylen, "%s: read error", file);
	} else if (len > KMSDOC_MAX_LEN) {
		err = SKM_ELEN;
		snprintf(why, whylen, "%s: larger than %d octets", file, KMSDOC_MAX_LEN);
	} else if ((err = import_open(tk, &buf, &len, sub, sizeof(sub))) != 0 ||
	    (err = kmsdoc_parse(buf, len, doc, sub, sizeof(sub))) != 0) {
		snprintf(why, whylen, "%s: %s", file, sub);
	}
	fclose(f);
	OPENSSL_secure_clear_free(buf, KMSDOC_MAX_LEN + 2);
	return err;
}

static int
import_uri(struct import *im, const char *uri, const char *file, char *why, size_t whylen)
{
	if (uri == NULL)
		return 0;
	if (im->uri != NULL && strcmp(im->uri, uri) != 0) {
		snprintf(why, whylen, "%s: UserUri '%s' is not '%s'", file, uri, im->uri);
		return SKM_EINVAL;
	}
	im->uri = uri;
	return 0;
}

/* Sorts a parsed document's contents into the command's root, externals and key sets. */
static int
import_sort(struct import *im, const struct kmsdoc *d, const char *file, char *why,
    size_t whylen)
{
	size_t i;
	int err;

	if (d->kind == KMSDOC_ERROR) {
		snprintf(why, whylen, "%s: a KmsError response (%d: %s)", file, d->error_code,
		    d->error_msg ? d->error_msg : "no message");
		return SKM_EINVAL;
	}
	if ((err = import_uri(im, d->user_uri, file, why, whylen)) != 0)
		return err;
	if (d->kind == KMSDOC_CERTCACHE) {
		im->has_cache = 1;
		im->cache_num = d->cache_num;
	}
	for (i = 0; i < d->ncerts; i++) {
		const struct kmsdoc_cert *c = &d->certs[i];
		int root = d->kind == KMSDOC_INIT || (d->kind == KMSDOC_CERT &&
		    (c->role == NULL || strcmp(c->role, "Root") == 0));

		if (root) {
			if (im->root != NULL && (im->root->xmllen != c->xmllen ||
			    memcmp(im->root->xml, c->xml, c->xmllen) != 0)) {
				snprintf(why, whylen, "%s: a second, different Root certificate",
				    file);
				return SKM_EINVAL;
			}
			im->root = c;
			im->root_file = file;
		} else if (d->kind == KMSDOC_CERTCACHE && c->role != NULL &&
		    strcmp(c->role, "Root") == 0 && c->revoked) {
			/* The KMS's own revoked certificate (ks_revoked.h). */
			if (im->nrevoked == IMPORT_MAX)
				return SKM_ERANGE;
			im->revoked[im->nrevoked++] = c;
		} else {
			if (c->role == NULL || strcmp(c->role, "External") != 0) {
				snprintf(why, whylen, "%s: KmsCertificate: Role is not External",
				    file);
				return SKM_EINVAL;
			}
			if (im->next == IMPORT_MAX)
				return SKM_ERANGE;
			im->ext[im->next++] = c;
		}
	}
	for (i = 0; i < d->nkeysets; i++) {
		if (im->nsets == IMPORT_MAX)
			return SKM_ERANGE;
		if ((err = import_uri(im, d->keysets[i].user_uri, file, why, whylen)) != 0)
			return err;
		im->set_files[im->nsets] = file;
		im->sets[im->nsets++] = &d->keysets[i];
	}
	return 0;
}

/*
 * The certificate a key set is checked under: the imported Root one, whose
 * CertUri it must name when both have one, else the held certificate its
 * CertUri names (ks may be NULL: none held).
 */
static int
import_cert_of(struct import *im, struct ks *ks, const struct kmsdoc_cert *root,
    const struct kmsdoc_keyset *set, const struct kmsdoc_cert **cert, char *why,
    size_t whylen)
{
	*cert = root;
	if (set->cert_uri == NULL || (im->root != NULL && root->cert_uri == NULL))
		return 0;
	if (im->root != NULL) {
		if (strcmp(set->cert_uri, root->cert_uri) == 0)
			return 0;
		return skm_why(why, whylen, SKM_EINVAL, "CertUri '%.80s' is not the imported "
		    "certificate's '%.80s'", set->cert_uri, root->cert_uri);
	}
	if (ks != NULL && ks_cert_by_uri(ks, set->cert_uri, cert) == 0)
		return 0;
	return skm_why(why, whylen, SKM_ENOTFOUND,
	    "CertUri '%.80s' is no certificate of this keystore", set->cert_uri);
}

/* Every check, before anything is written. */
static int
import_check(struct import *im, struct ks *ks, const struct kmsdoc_cert *root, char *why,
    size_t whylen)
{
	const struct kmsdoc_cert *cert;
	char sub[KS_WHY_MAX] = "";
	int64_t now = (int64_t)time(NULL);
	size_t i, j;
	int err;

	if ((err = kmscheck_cert(root, now, sub, sizeof(sub))) != 0) {
		snprintf(why, whylen, "%s: KmsCertificate: %s", im->root_file ? im->root_file :
		    "stored Root certificate", sub);
		return err;
	}
	for (i = 0; i < im->ndocs; i++) {
		const struct kmsdoc *d = im->docs[i];

		/* NOTES 2.13 (3): a response's KmsUri is the one its UIDs are made with. */
		if (d->kms_uri != NULL && strcmp(d->kms_uri, root->kms_uri) != 0) {
			snprintf(why, whylen, "%s: KmsResponse/KmsUri '%s' is not the Root "
			    "certificate's '%s'", im->files[i], d->kms_uri, root->kms_uri);
			return SKM_EINVAL;
		}
	}
	for (i = 0; i < im->next; i++)
		if ((err = kmscheck_cert(im->ext[i], now, sub, sizeof(sub))) != 0) {
			snprintf(why, whylen, "External KmsCertificate %s: %s",
			    im->ext[i]->kms_uri ? im->ext[i]->kms_uri : "?", sub);
			return err;
		}
	for (i = 0; i < im->nsets; i++) {
		for (j = 0; j < i; j++)
			if (im->sets[j]->period_no == im->sets[i]->period_no) {
				snprintf(why, whylen, "%s: a second key set for period %" PRIu64,
				    im->set_files[i], im->sets[i]->period_no);
				return SKM_EINVAL;
			}
		if ((err = import_cert_of(im, ks, root, im->sets[i], &cert, sub,
		    sizeof(sub))) != 0 ||
		    (err = kmscheck_keyset(cert, im->sets[i], im->uri, sub, sizeof(sub))) != 0) {
			snprintf(why, whylen, "%s: KmsKeySet (period %" PRIu64 "): %s",
			    im->set_files[i], im->sets[i]->period_no, sub);
			return err;
		}
	}
	return 0;
}

/* The External certificates to store: those held, updated by the imported ones. */
static int
import_external(struct ks *ks, struct import *im, char *why, size_t whylen)
{
	const struct kmsdoc_cert *const *held;
	const struct kmsdoc_cert *all[2 * IMPORT_MAX];
	char *docs[2 * IMPORT_MAX];
	size_t lens[2 * IMPORT_MAX], nheld = 0, n = 0, i, j;
	uint64_t num = 0;
	int err;

	if (im->next == 0 && !im->has_cache)
		return 0;
	if ((err = ks_external(ks, &held, &nheld, &num, why, whylen)) != 0)
		return err;
	/* A CertCache replaces the cache; bare certificates add to it. */
	if (!im->has_cache)
		for (i = 0; i < nheld && n < IMPORT_MAX; i++)
			all[n++] = held[i];
	for (i = 0; i < im->next; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(all[j]->kms_uri, im->ext[i]->kms_uri) == 0)
				break;
		all[j] = im->ext[i];
		if (j == n)
			n++;
	}
	for (i = 0; i < n; i++) {
		docs[i] = all[i]->xml;
		lens[i] = all[i]->xmllen;
	}
	return ks_put_external(ks, docs, lens, n, im->has_cache ? im->cache_num : num, why,
	    whylen);
}

/*
 * Takes up the KMS's revoked certificates: the key sets under them are
 * erased. Offline, the Root is not replaced: import the new one.
 */
static int
import_revoked(struct ks *ks, const struct import *im, char *why, size_t whylen)
{
	size_t i, dropped;
	int err;

	for (i = 0; i < im->nrevoked; i++) {
		if ((err = ks_revoked_learn(ks, im->revoked[i], &dropped, why, whylen)) != 0)
			return err;
		printf("revoked: %s\n", im->revoked[i]->cert_uri != NULL ?
		    im->revoked[i]->cert_uri : "-");
		if (dropped > 0)
			printf("dropped: %zu key set%s\n", dropped, dropped == 1 ? "" : "s");
	}
	return 0;
}

int
cmd_import(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	static const char *const names[] = { "--trk-file", "--trk-id", "--ink-file",
		"--ink-id" };
	const char *val[4] = { NULL };
	char *files[IMPORT_MAX];
	struct ctx_opts o = { names, val, 4, NULL, NULL, 0, files, IMPORT_MAX, 0 };
	struct kmstk *tk = NULL;
	const struct kmsdoc_cert *root;
	struct ks_settings set = { NULL, NULL, NULL, NULL, NULL };
	struct import *im;
	struct ks *ks = NULL;
	char why[2 * KS_WHY_MAX] = "", *uri = NULL;
	uint64_t periods[IMPORT_MAX];
	char *texts[IMPORT_MAX];
	size_t lens[IMPORT_MAX], i;
	int rc, err;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (o.npos == 0)
		return cli_usage_error(cli, cmd, "FILE", "missing");
	if ((rc = cmd_tk_keys(cli, cmd, val[0], val[1], val[2], val[3], &tk)) != CLI_OK) {
		if (tk != NULL)
			OPENSSL_secure_clear_free(tk, sizeof(*tk));
		return rc;
	}
	if ((im = calloc(1, sizeof(*im))) == NULL) {
		if (tk != NULL)
			OPENSSL_secure_clear_free(tk, sizeof(*tk));
		return cli_error(cli, cmd, CLI_FAILED, "memory", "exhausted");
	}
	for (i = 0; i < o.npos; i++) {
		im->files[i] = files[i];
		if ((err = import_read(files[i], tk, &im->docs[i], why, sizeof(why))) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "refused", why);
			goto out;
		}
		im->ndocs++;
		if ((err = import_sort(im, im->docs[i], files[i], why, sizeof(why))) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "refused", *why ? why :
			    "too many documents");
			goto out;
		}
	}
	/* The identity: --as, else the keystore's only one, else the documents' UserUri. */
	err = ks_open(&ks, ctx->keystore, ctx->as, 0, why, sizeof(why));
	if (err != 0 && err != SKM_ENOTFOUND) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	if (ks != NULL) {
		if (im->uri != NULL && strcmp(im->uri, ks_uri(ks)) != 0) {
			snprintf(why, sizeof(why), "the documents are for %s, the keystore "
			    "identity is %s", im->uri, ks_uri(ks));
			rc = cli_error(cli, cmd, CLI_FAILED, "identity", why);
			goto out;
		}
		im->uri = ks_uri(ks);
		set = *ks_settings(ks);
	} else if (ctx->as != NULL) {
		if (im->uri != NULL && strcmp(im->uri, ctx->as) != 0) {
			snprintf(why, sizeof(why), "the documents are for %s, not %s", im->uri,
			    ctx->as);
			rc = cli_error(cli, cmd, CLI_FAILED, "identity", why);
			goto out;
		}
		im->uri = ctx->as;
	}
	if (im->uri == NULL) {
		rc = cli_error(cli, cmd, CLI_FAILED, "identity",
		    "none known: give --as URI or run skmc init first");
		goto out;
	}
	if (im->root != NULL)
		root = im->root;
	else if (ks == NULL || (err = ks_cert(ks, &root, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "root certificate",
		    "none: import one or run skmc init first");
		goto out;
	}
	if ((err = import_check(im, ks, root, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "refused", why);
		goto out;
	}
	/* Checked: now write, the Root certificate first since the rest hangs on it. */
	if ((uri = strdup(im->uri)) == NULL) {
		rc = cli_error(cli, cmd, CLI_FAILED, "memory", "exhausted");
		goto out;
	}
	if (im->root != NULL) {
		if ((err = ks_create(ctx->keystore, uri, ks != NULL ? &set : NULL,
		    im->root->xml, im->root->xmllen, why, sizeof(why))) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
			goto out;
		}
		printf("imported: root certificate %s\n", im->root->kms_uri);
		ks_close(ks);
		if ((err = ks_open(&ks, ctx->keystore, uri, 0, why, sizeof(why))) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
			goto out;
		}
	}
	for (i = 0; i < im->nsets; i++) {
		periods[i] = im->sets[i]->period_no;
		texts[i] = im->sets[i]->xml;
		lens[i] = im->sets[i]->xmllen;
	}
	if (im->nsets > 0 && (err = ks_put_keysets(ks, periods, texts, lens, im->nsets, why,
	    sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	for (i = 0; i < im->nsets; i++)
		printf("imported: key set for period %" PRIu64 "\n", periods[i]);
	if ((err = import_external(ks, im, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	for (i = 0; i < im->next; i++)
		printf("imported: external certificate %s\n", im->ext[i]->kms_uri);
	if ((err = import_revoked(ks, im, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	rc = cli_finish(cli, cmd);
out:
	ks_close(ks);
	free(uri);
	for (i = 0; i < im->ndocs; i++)
		kmsdoc_free(im->docs[i]);
	free(im);
	if (tk != NULL)
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return rc;
}
