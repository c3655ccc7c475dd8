/* SPDX-License-Identifier: ISC */
/*
 * Table-driven command lines for the skms tools: one row per command
 * (noun, optional verb, usage, one-line help, handler), so --help, argument
 * errors and the man pages all follow the table. Messages have one shape:
 * "PROG: COMMAND: what: why" on stderr. Handlers never call exit().
 */
#ifndef SKM_COMMON_CLI_H
#define SKM_COMMON_CLI_H

#include <stdint.h>
#include <stdio.h>

enum cli_status {
	CLI_OK = 0,		/* done */
	CLI_FAILED = 1,		/* the command failed */
	CLI_USAGE = 2,		/* bad arguments */
	CLI_UNREACHABLE = 3,	/* the store or the server cannot be reached */
};

struct cli;

struct cli_cmd {
	const char *noun;
	const char *verb;	/* NULL for a one-word command */
	const char *usage;	/* the arguments after the command words */
	const char *help;	/* one line, lower case, no full stop */
	/* argv[0] is the last command word; returns an enum cli_status */
	int (*run)(const struct cli *cli, const struct cli_cmd *cmd, int argc,
	    char **argv, void *ctx);
};

struct cli {
	const char *prog;
	const char *synopsis;		/* global options, for the usage text */
	const struct cli_cmd *cmds;	/* ended by a row with a NULL noun */
};

/*
 * The command named by argv (one or two words); *words gets how many words
 * it took. NULL when none matches.
 */
const struct cli_cmd *cli_find(const struct cli *cli, int argc, char **argv, int *words);

/* The program's usage and the command list on f. */
void cli_list(const struct cli *cli, FILE *f);

/* "usage: PROG NOUN VERB USAGE" on f. */
void cli_usage(const struct cli *cli, const struct cli_cmd *cmd, FILE *f);

/* The usage line and the help line on stdout (for --help); returns CLI_OK or CLI_FAILED. */
int cli_help(const struct cli *cli, const struct cli_cmd *cmd);

/* "PROG: CMD: what: why" and the usage line on stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli *cli, const struct cli_cmd *cmd, const char *what,
    const char *why);

/* "PROG: CMD: what: why" on stderr (why may be NULL); returns status. */
int cli_error(const struct cli *cli, const struct cli_cmd *cmd, int status,
    const char *what, const char *why);

/*
 * Whether argv[*i] is "--name VALUE" or "--name=VALUE" for this name (a
 * longer option sharing the prefix does not match). On a match *value
 * points into argv, or is NULL when the value is missing, and *i has
 * advanced past a separate value.
 */
int cli_match_opt(const char *name, int argc, char **argv, int *i, const char **value);

/*
 * A decimal integer, digits only (no sign, no spaces), that fits in 64
 * bits. Returns NULL, or a static reason for cli_usage_error().
 */
const char *cli_parse_u64(const char *text, uint64_t *out);

/*
 * Flushes stdout: CLI_OK, or CLI_FAILED with "PROG: CMD: stdout: why" if
 * any write failed (cmd may be NULL).
 */
int cli_finish(const struct cli *cli, const struct cli_cmd *cmd);

#endif
