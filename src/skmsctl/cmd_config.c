/* SPDX-License-Identifier: ISC */
/* skmsctl config check | show: validate a file, or print the one in effect. */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "conf/conf.h"

#include <getopt.h>
#include <stdio.h>

static const struct option config_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_config_check(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	int ch, rc = 0;

	optind = 0;
	while ((ch = ctl_opt(c, argc, argv, config_opts, &rc)) != -1)
		if (ch == CTL_OPT_EXIT)
			return rc;
	if (argc - optind > 1)
		return ctl_positional(c, argc, argv, 1);
	if (argc - optind == 1)
		c->config_path = argv[optind];
	if ((rc = ctl_conf(c)) != 0)
		return rc;
	out_begin(&c->out, c->json);
	out_str(&c->out, "config", c->config_path != NULL ? c->config_path : "defaults");
	out_str(&c->out, "status", "ok");
	out_end(&c->out);
	return 0;
}

int
cmd_config_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	int ch, rc = 0;

	optind = 0;
	while ((ch = ctl_opt(c, argc, argv, config_opts, &rc)) != -1)
		if (ch == CTL_OPT_EXIT)
			return rc;
	if ((rc = ctl_positional(c, argc, argv, 0)) != 0 || (rc = ctl_conf(c)) != 0)
		return rc;
	if (conf_dump(c->conf, stdout) != 0)
		return ctl_fail(c, "writing the configuration", skm_strerror(SKM_EIO));
	return 0;
}
