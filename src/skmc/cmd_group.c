/* SPDX-License-Identifier: ISC */
/*
 * skmc group add|remove|list: the user-profile part handed down by the
 * configuration management server (the VAL groups of the user and each
 * group's GMS server URI). Removing a group also erases every stored GMK
 * that no longer serves a group the user remains a member of.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "client/gmkstore.h"
#include "client/ks.h"
#include "client/leave.h"
#include "client/profile.h"
#include "common/err.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"

int
cmd_group_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct gmkcli_opt opts[] = { { "--gms", 1, 0 } };
	struct gmkcli_val vals[1] = { { { NULL }, 0 } };
	struct profile *p = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, 1, vals, pos, 1, 1, &npos)) >= 0)
		return st;
	if (vals[0].n == 0)
		return cli_usage_error(cli, cmd, "--gms", "missing");
	if (!gmkfile_name_ok(pos[0]))
		return cli_usage_error(cli, cmd, "GROUP", "not a usable VAL group ID");
	if (!gmkfile_name_ok(vals[0].v[0]))
		return cli_usage_error(cli, cmd, "--gms", "not a usable URI");
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	st = CLI_FAILED;
	if ((err = profile_load(&p, ks_path(ks))) != 0 ||
	    (err = profile_add(p, pos[0], vals[0].v[0])) != 0 ||
	    (err = profile_save(p, ks_path(ks))) != 0) {
		cli_error(cli, cmd, CLI_FAILED, "profile", skm_strerror(err));
		goto out;
	}
	printf("group: %s\ngms: %s\n", pos[0], vals[0].v[0]);
	st = cli_finish(cli, cmd);
out:
	profile_free(p);
	ks_close(ks);
	return st;
}

int
cmd_group_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos, erased = 0, kept = 0;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, NULL, 0, NULL, pos, 1, 1, &npos)) >= 0)
		return st;
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	st = CLI_FAILED;
	if ((err = leave_group(ks_path(ks), pos[0], &erased, &kept)) == SKM_ENOTFOUND) {
		cli_error(cli, cmd, CLI_FAILED, pos[0], "not a group of the user profile");
		goto out;
	}
	if (err != 0) {
		cli_error(cli, cmd, CLI_FAILED, "group removal", skm_strerror(err));
		goto out;
	}
	printf("removed: %s\nerased: %zu\nkept: %zu\n", pos[0], erased, kept);
	st = cli_finish(cli, cmd);
out:
	ks_close(ks);
	return st;
}

int
cmd_group_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct profile *p = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos, i;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, NULL, 0, NULL, pos, 0, 0, &npos)) >= 0)
		return st;
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	if ((err = profile_load(&p, ks_path(ks))) != 0) {
		st = cli_error(cli, cmd, CLI_FAILED, "profile", skm_strerror(err));
		goto out;
	}
	for (i = 0; i < p->n; i++)
		printf("%s %s\n", p->groups[i].id, p->groups[i].gms);
	st = cli_finish(cli, cmd);
out:
	profile_free(p);
	ks_close(ks);
	return st;
}
