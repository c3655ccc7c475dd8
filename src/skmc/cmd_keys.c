/* SPDX-License-Identifier: ISC */
/*
 * skmc keys show: one stored key set (by default the current period's):
 * UserUri, UserID, period and validity and the PVT. The private parts
 * (RSK, SSK) only with --private, for moving keys to a device by hand;
 * their text is cleansed after printing. Never fetches.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/kmsdoc.h"
#include "client/ks.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "skmc/cmd.h"

enum keys_opt { O_PERIOD, O_N };

static const char *const keys_names[O_N] = { "--period" };
static const char *const keys_flags[] = { "--private" };

static void
keys_hex(const char *name, const uint8_t *buf, size_t len)
{
	char hex[2 * SAKKE_POINT_LEN + 1];

	if (hex_encode(buf, len, hex, sizeof(hex), 0) == 0)
		printf("%s: %s\n", name, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
}

int
cmd_keys_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	const char *val[O_N] = { NULL }, *bad;
	int priv = 0;
	struct ctx_opts o = { keys_names, val, O_N, keys_flags, &priv, 1, NULL, 0, 0 };
	char why[KS_WHY_MAX] = "", from[TIME_TEXT_LEN] = "", to[TIME_TEXT_LEN] = "";
	const struct kmsdoc_keyset *set;
	struct ks *ks = NULL;
	uint64_t period;
	int64_t start, end;
	int rc, err;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if (val[O_PERIOD] != NULL && (bad = cli_parse_u64(val[O_PERIOD], &period)) != NULL)
		return cli_usage_error(cli, cmd, "--period", bad);
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	if (val[O_PERIOD] == NULL && (err = ks_period_at(ks, (int64_t)time(NULL),
	    &period)) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "period", skm_strerror(err));
		goto out;
	}
	if ((err = ks_keyset(ks, period, 0, &set, why, sizeof(why))) != 0 ||
	    (err = ks_period_bounds(ks, period, &start, &end)) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keys", *why ? why : skm_strerror(err));
		goto out;
	}
	(void)time_format(start, from, sizeof(from));
	(void)time_format(end, to, sizeof(to));
	printf("period: %" PRIu64 "\nuser-uri: %s\nkms-uri: %s\ncert-uri: %s\n",
	    set->period_no, set->user_uri, set->kms_uri,
	    set->cert_uri != NULL ? set->cert_uri : "-");
	keys_hex("user-id", set->user_id, UID_LEN);
	printf("valid-from: %s\nvalid-to: %s\n", from, to);
	keys_hex("pvt", set->pvt, ECCSI_POINT_LEN);
	if (priv) {
		keys_hex("ssk", set->ssk, ECCSI_SCALAR_LEN);
		keys_hex("rsk", set->rsk, SAKKE_POINT_LEN);
	}
	rc = cli_finish(cli, cmd);
out:
	ks_close(ks);
	return rc;
}
