/* SPDX-License-Identifier: ISC */
/*
 * skmc's command table and the helpers every command shares: usage and
 * error messages in one format, strict number parsing and the final
 * stdout check. One row per command; --help, argument errors and the man
 * page all follow the table. Commands never call exit() themselves.
 */
#ifndef SKM_SKMC_CMD_H
#define SKM_SKMC_CMD_H

#include <stdint.h>
#include <stdio.h>

enum cmd_status {
	CMD_OK = 0,		/* done */
	CMD_FAILED = 1,		/* the command failed */
	CMD_USAGE = 2,		/* bad arguments */
};

struct cmd {
	const char *name;
	const char *usage;	/* the arguments after the name */
	const char *help;	/* one line, lower case, no full stop */
	/* argv[0] is the command name; returns an enum cmd_status */
	int (*run)(const struct cmd *cmd, int argc, char **argv);
};

/* The table, ended by a row with a NULL name. */
extern const struct cmd cmd_table[];

const struct cmd *cmd_find(const char *name);

/* "usage: skmc NAME USAGE" on f. */
void cmd_usage(const struct cmd *cmd, FILE *f);

/* The usage line and the help line on stdout (for --help); returns CMD_OK. */
int cmd_help(const struct cmd *cmd);

/* "skmc: NAME: what: why" and the usage line on stderr; returns CMD_USAGE. */
int cmd_usage_error(const struct cmd *cmd, const char *what, const char *why);

/* "skmc: NAME: what: why" on stderr; returns CMD_FAILED. */
int cmd_fail(const struct cmd *cmd, const char *what, const char *why);

/*
 * A decimal integer, digits only (no sign, no spaces), that fits in 64
 * bits. Returns 0, or a static reason for cmd_usage_error.
 */
const char *cmd_parse_u64(const char *text, uint64_t *out);

/* Flushes stdout; CMD_FAILED with a message if any write failed. */
int cmd_finish(const struct cmd *cmd);

/* Commands, one file each. */
int cmd_uid(const struct cmd *cmd, int argc, char **argv);

#endif
