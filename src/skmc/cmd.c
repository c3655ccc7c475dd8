/* SPDX-License-Identifier: ISC */
/*
 * skmc's command table. Adding a command is one row here and one
 * cmd_<name>.c; the shared helpers are those of common/cli.h.
 */
#include "skmc/cmd.h"

static const struct cli_cmd skmc_cmds[] = {
	{ "uid", NULL, "URI --kms-uri KMS_URI --key-period SECONDS --key-offset SECONDS "
	    "(--period-no N | --at TIME)",
	    "print the MIKEY-SAKKE UID of an identity for one key period", cmd_uid },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli skmc_cli = {
	.prog = "skmc",
	.synopsis = "COMMAND [ARGUMENTS]\n       skmc --help | --version",
	.cmds = skmc_cmds,
};
