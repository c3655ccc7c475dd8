/* SPDX-License-Identifier: ISC */
/*
 * skmc's command table (common/cli.h): one row per command; --help,
 * argument errors and the man page all follow the table. Commands never
 * call exit() themselves.
 */
#ifndef SKM_SKMC_CMD_H
#define SKM_SKMC_CMD_H

#include "common/cli.h"

/* The command table and its usage text. */
extern const struct cli skmc_cli;

/* Commands, one file each. */
int cmd_uid(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);

#endif
