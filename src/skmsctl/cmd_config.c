/* SPDX-License-Identifier: ISC */
/* skmsctl config check | show: validate a file, or print the one in effect. */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "conf/conf.h"

#include <stdio.h>

int
cmd_config_check(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const char *file = NULL;
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 0, 1, &file, &rc))
		return rc;
	if (file != NULL)
		c->config_path = file;
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
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 0, 0, NULL, &rc))
		return rc;
	if ((rc = ctl_conf(c)) != 0)
		return rc;
	if (conf_dump(c->conf, stdout) != 0)
		return ctl_fail(c, "writing the configuration", skm_strerror(SKM_EIO));
	return 0;
}
