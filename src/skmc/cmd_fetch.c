/* SPDX-License-Identifier: ISC */
/*
 * skmc fetch: KMS KeyProvision for the keystore's identity (TS 33.180
 * D.3.3): by default the current and the next key period, or the one
 * period named. With --next, a KMS Init first brings the certificate of a
 * scheduled rollover. Every key set is checked under the certificate its
 * CertUri names before any is stored (ks_fetch); expired ones are then
 * purged after the configured grace, and retired certificates no key set
 * needs any more dropped. Prints period numbers, never key bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "client/kmsdoc.h"
#include "client/ks.h"
#include "common/err.h"
#include "common/time.h"
#include "skmc/cmd.h"

enum fetch_opt { O_PERIOD, O_AT, O_N };

static const char *const fetch_names[O_N] = { "--period", "--at" };
static const char *const fetch_flags[] = { "--next" };

int
cmd_fetch(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	const char *val[O_N] = { NULL }, *bad;
	int next = 0;
	struct ctx_opts o = { fetch_names, val, O_N, fetch_flags, &next, 1, NULL, 0, 0 };
	char why[KS_WHY_MAX] = "", ts[TIME_TEXT_LEN];
	const struct kmsdoc_cert *nc;
	struct ks *ks = NULL;
	uint64_t periods[2];
	int64_t now = (int64_t)time(NULL), at;
	size_t n = 0, i, purged = 0;
	int rc, err;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((val[O_PERIOD] != NULL) + (val[O_AT] != NULL) + next > 1)
		return cli_usage_error(cli, cmd, "--period, --at, --next", "give at most one");
	if (val[O_PERIOD] != NULL && (bad = cli_parse_u64(val[O_PERIOD], &periods[0])) != NULL)
		return cli_usage_error(cli, cmd, "--period", bad);
	if (val[O_AT] != NULL && time_parse(val[O_AT], &at) != 0)
		return cli_usage_error(cli, cmd, "--at", "not an ISO 8601 UTC time or @SECONDS");
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	if (val[O_PERIOD] != NULL) {
		n = 1;
	} else {
		if ((err = ks_period_at(ks, val[O_AT] != NULL ? at : now, &periods[0])) != 0) {
			rc = cli_error(cli, cmd, CLI_FAILED, "period", skm_strerror(err));
			goto out;
		}
		if (next)
			periods[0]++;
		n = 1;
		if (val[O_AT] == NULL && !next) {
			periods[1] = periods[0] + 1;
			n = 2;
		}
	}
	/* --next: KMS Init first, for the certificate of a scheduled rollover. */
	if (next && (err = ks_refresh(ks, now, NULL, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "init", why);
		goto out;
	}
	if ((err = ks_fetch(ks, periods, n, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, ctx_status(err), "fetch", why);
		goto out;
	}
	for (i = 0; i < n; i++)
		printf("fetched: period %" PRIu64 "\n", periods[i]);
	if ((err = ks_purge(ks, now, ctx->purge_grace, &purged, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "purge", why);
		goto out;
	}
	if (purged > 0)
		printf("purged: %zu expired key set%s\n", purged, purged == 1 ? "" : "s");
	if ((err = ks_tidy(ks, now, &purged, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "certificates", why);
		goto out;
	}
	if (purged > 0)
		printf("dropped: %zu retired certificate%s\n", purged, purged == 1 ? "" : "s");
	if (ks_cert_next(ks, now, &nc) == 0 && time_format(nc->valid_from, ts, sizeof(ts)) == 0)
		printf("next-cert-uri: %s\nnext-valid-from: %s\n", nc->cert_uri, ts);
	rc = cli_finish(cli, cmd);
out:
	ks_close(ks);
	return rc;
}
