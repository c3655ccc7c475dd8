/* SPDX-License-Identifier: ISC */
/*
 * skmc subscribe|unsubscribe: explicit affiliation at a GMS service (the
 * subscription PUT and DELETE of skgmsd(8)'s protocol). The GMS then sends
 * the group's current GMK on the notification channel (skmc listen); this
 * command only asks.
 */
#include <stdio.h>
#include <string.h>

#include "client/gmkfile.h"
#include "client/gmschan.h"
#include "client/ks.h"
#include "common/err.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"

enum { S_GMS, S_TOKEN, S_CACERT, S_N };

static int
subscription(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg, int on)
{
	static const struct gmkcli_opt opts[S_N] = {
		{ "--gms", 1, 0 }, { "--token-file", 1, 0 }, { "--cacert", 1, 0 },
	};
	static struct gmkcli_val vals[S_N];
	const struct skmc_ctx *ctx = arg;
	struct gmschan *ch = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	char why[GMSCHAN_WHY_MAX] = "";
	size_t npos;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, S_N, vals, pos, 1, 1, &npos)) >= 0)
		return st;
	if (vals[S_GMS].n == 0)
		return cli_usage_error(cli, cmd, "--gms", "missing");
	if (!gmkfile_name_ok(pos[0]))
		return cli_usage_error(cli, cmd, "GROUP", "not a usable VAL group ID");
	if ((st = gmkcli_ks(cli, cmd, arg, &ks)) >= 0)
		return st;
	if ((st = gmkcli_chan(cli, cmd, ks, vals[S_GMS].v[0], vals[S_TOKEN].n > 0 ?
	    vals[S_TOKEN].v[0] : NULL, vals[S_CACERT].n > 0 ? vals[S_CACERT].v[0] : NULL,
	    ctx->timeout, &ch)) >= 0)
		goto out;
	if ((err = gmschan_subscription(ch, pos[0], on, why, sizeof(why))) != 0) {
		st = cli_error(cli, cmd, ctx_status(err), pos[0], why);
		goto out;
	}
	printf("%s: %s\n", on ? "subscribed" : "unsubscribed", pos[0]);
	st = cli_finish(cli, cmd);
out:
	gmschan_free(ch);
	ks_close(ks);
	return st;
}

int
cmd_subscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return subscription(cli, cmd, argc, argv, ctx, 1);
}

int
cmd_unsubscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return subscription(cli, cmd, argc, argv, ctx, 0);
}
