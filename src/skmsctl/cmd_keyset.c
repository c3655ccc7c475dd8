/* SPDX-License-Identifier: ISC */
/*
 * skmsctl keyset derive: the KmsKeySet of a registered identity for one
 * period, for a device provisioned offline. Refused for identities that
 * may not have keys for that period and for periods the Root certificate
 * does not cover; every derivation is audited (never the key bytes). The
 * document holds private keys: with --out it goes to a new 0600 file.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/secfile.h"
#include "common/time.h"
#include "kms/kms.h"
#include "lib/kmsxml.h"
#include "store/period.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Checks the identity and audits the derivation in one write transaction. */
static int
keyset_authorise(struct ctl *c, const char *uri, uint64_t no, int64_t start, int64_t end)
{
	struct store_txn t;
	char detail[64];
	int rc;

	if ((rc = store_txn_begin(c->store, 1, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	if ((rc = store_period_check(&t, (const uint8_t *)uri, strlen(uri), no, start,
	    end)) != 0) {
		store_txn_abort(&t);
		if (rc == SKM_ENOTFOUND)
			return ctl_fail(c, uri, "not a registered identity");
		if (rc == SKM_EREVOKED)
			return ctl_fail(c, uri, "revoked for this key period");
		if (rc == SKM_ESTATE)
			return ctl_fail(c, uri, "not valid during this key period");
		return ctl_fail(c, uri, skm_strerror(rc));
	}
	snprintf(detail, sizeof(detail), "period %" PRIu64, no);
	ctl_audit(c, &t, "keyset derive", uri, detail);
	if ((rc = store_txn_commit(&t)) != 0)
		return ctl_fail(c, "audit", skm_strerror(rc));
	return 0;
}

/* No key set outlives the Root certificate (kms_validity.c), none predates it. */
static int
keyset_valid(struct ctl *c, const char *opt, uint64_t no)
{
	const struct kms_gen *g = kms_gen_of_period(c->kms, no);
	char from[TIME_TEXT_LEN], to[TIME_TEXT_LEN], why[160];
	int rc;

	if (g == NULL)
		return ctl_fail(c, opt, "the master secrets of this key period were purged");
	if ((rc = kms_validity_period(c->kms, no)) == 0)
		return 0;
	if (rc == SKM_EREVOKED)
		return ctl_fail(c, opt, "the KMS certificate of this key period is revoked");
	if (time_format(g->rec.valid_from, from, sizeof(from)) != 0 ||
	    time_format(g->rec.valid_to, to, sizeof(to)) != 0)
		return ctl_fail(c, opt, "key period outside the KMS certificate's validity");
	snprintf(why, sizeof(why), "key period outside the KMS certificate's validity "
	    "(%s to %s)", from, to);
	return ctl_fail(c, opt, why);
}

int
cmd_keyset_derive(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct kms_keyset ks;
	struct kmsxml_keyset x;
	const char *uri, *out = NULL;
	char *doc = NULL;
	uint64_t no = 0;
	int64_t at = 0, start, end;
	size_t len = 0;
	int rc = 0, by_no = 0, by_at = 0;
	const struct ctl_arg args[] = {
		{ "period", CTL_ARG_U64, &no, &by_no },
		{ "at", CTL_ARG_TIME, &at, &by_at },
		{ "out", CTL_ARG_STR, &out, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	if ((rc = ctl_uri(c, uri)) != 0)
		return rc;
	if (by_no == by_at)
		return ctl_usage(c, "--period", "give exactly one of --period and --at");
	if ((rc = ctl_kms(c)) != 0)
		return rc;
	if (by_at && (rc = kms_period_at(c->kms, at, &no, &start, &end)) != 0)
		return ctl_fail(c, "--at", rc == SKM_ERANGE ? "before the first key period" :
		    skm_strerror(rc));
	if (by_no && (rc = kms_period_bounds(c->kms, no, &start, &end)) != 0)
		return ctl_fail(c, "--period", skm_strerror(rc));
	if ((rc = keyset_valid(c, by_no ? "--period" : "--at", no)) != 0)
		return rc;
	if ((rc = keyset_authorise(c, uri, no, start, end)) != 0)
		return rc;
	if ((rc = kms_keyset_derive(c->kms, uri, strlen(uri), no, &ks)) != 0)
		return ctl_fail(c, "deriving the key set", skm_strerror(rc));
	kms_keyset_xml(c->kms, &ks, uri, &x);
	rc = kmsxml_keyset_doc(&x, &doc, &len);
	kms_keyset_clear(&ks);
	if (rc != 0)
		return ctl_fail(c, "encoding the key set", skm_strerror(rc));
	if (out != NULL) {
		if ((rc = secfile_write(out, (const uint8_t *)doc, len, 0)) != 0)
			rc = ctl_fail(c, out, rc == SKM_EEXIST ? "exists already" :
			    skm_strerror(rc));
	} else
		fwrite(doc, 1, len, stdout);
	kmsxml_free(doc, len);
	return rc;
}
