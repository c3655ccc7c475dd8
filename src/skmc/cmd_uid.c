/* SPDX-License-Identifier: ISC */
/*
 * skmc uid: the TS 33.180 F.2.1 UID of a URI for one key period, given by
 * number or by a time inside it. Offline: reads no files, contacts no KMS.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "lib/period.h"
#include "lib/uid.h"
#include "skmc/cmd.h"

enum uid_opt { OPT_KMS_URI, OPT_PERIOD, OPT_OFFSET, OPT_PERIOD_NO, OPT_AT, OPT_N };

static const char *const uid_opts[OPT_N] = {
	"--kms-uri", "--key-period", "--key-offset", "--period-no", "--at",
};

int
cmd_uid(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	const char *val[OPT_N] = { NULL }, *uri = NULL, *why;
	uint64_t period = 0, offset = 0, no = 0, ntp;
	uint8_t uid[UID_LEN];
	char hex[2 * UID_LEN + 1];
	int64_t unix_s;
	int i, o, opts_done = 0;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (!opts_done && strcmp(argv[i], "--help") == 0)
			return cli_help(cli, cmd);
		if (!opts_done && strcmp(argv[i], "--") == 0) {
			opts_done = 1;
			continue;
		}
		if (opts_done || argv[i][0] != '-') {
			if (uri != NULL)
				return cli_usage_error(cli, cmd, argv[i], "unexpected argument");
			uri = argv[i];
			continue;
		}
		for (o = 0; o < OPT_N; o++)
			if (cli_match_opt(uid_opts[o], argc, argv, &i, &v))
				break;
		if (o == OPT_N)
			return cli_usage_error(cli, cmd, argv[i], "unknown option");
		if (v == NULL)
			return cli_usage_error(cli, cmd, uid_opts[o], "missing value");
		if (val[o] != NULL)
			return cli_usage_error(cli, cmd, uid_opts[o], "given twice");
		val[o] = v;
	}
	if (uri == NULL)
		return cli_usage_error(cli, cmd, "URI", "missing");
	if (*uri == '\0')
		return cli_usage_error(cli, cmd, "URI", "empty");
	for (o = OPT_KMS_URI; o <= OPT_OFFSET; o++)
		if (val[o] == NULL)
			return cli_usage_error(cli, cmd, uid_opts[o], "missing");
	if (*val[OPT_KMS_URI] == '\0')
		return cli_usage_error(cli, cmd, "--kms-uri", "empty");
	if ((val[OPT_PERIOD_NO] == NULL) == (val[OPT_AT] == NULL))
		return cli_usage_error(cli, cmd, "--period-no, --at", "give exactly one");
	if ((why = cli_parse_u64(val[OPT_PERIOD], &period)) != NULL)
		return cli_usage_error(cli, cmd, "--key-period", why);
	if (period == 0)
		return cli_usage_error(cli, cmd, "--key-period", "must be positive");
	if ((why = cli_parse_u64(val[OPT_OFFSET], &offset)) != NULL)
		return cli_usage_error(cli, cmd, "--key-offset", why);
	if (val[OPT_PERIOD_NO] != NULL) {
		if ((why = cli_parse_u64(val[OPT_PERIOD_NO], &no)) != NULL)
			return cli_usage_error(cli, cmd, "--period-no", why);
	} else {
		if (time_parse(val[OPT_AT], &unix_s) != 0)
			return cli_usage_error(cli, cmd, "--at",
			    "not an ISO 8601 UTC time or @SECONDS");
		if (time_unix_to_ntp_checked(unix_s, &ntp) != 0)
			return cli_usage_error(cli, cmd, "--at", "before 1900");
		if (period_number(ntp, period, offset, &no) != 0)
			return cli_usage_error(cli, cmd, "--at", "before the key period offset");
	}
	if (uid_derive(uri, strlen(uri), val[OPT_KMS_URI], strlen(val[OPT_KMS_URI]),
	    period, offset, no, uid) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "uid", "derivation failed");
	if (hex_encode(uid, sizeof(uid), hex, sizeof(hex), 0) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "uid", "encoding failed");
	printf("%s\n", hex);
	return cli_finish(cli, cmd);
}
