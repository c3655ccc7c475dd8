/* SPDX-License-Identifier: ISC */
/*
 * The command table and the shared reporting helpers. Adding a command is
 * one row here and one cmd_<name>.c; nothing else dispatches on names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "skmc/cmd.h"

const struct cmd cmd_table[] = {
	{ "uid", "URI --kms-uri KMS_URI --key-period SECONDS --key-offset SECONDS "
	    "(--period-no N | --at TIME)",
	    "print the MIKEY-SAKKE UID of an identity for one key period", cmd_uid },
	{ NULL, NULL, NULL, NULL },
};

const struct cmd *
cmd_find(const char *name)
{
	const struct cmd *c;

	for (c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cmd_usage(const struct cmd *cmd, FILE *f)
{
	fprintf(f, "usage: skmc %s %s\n", cmd->name, cmd->usage);
}

int
cmd_help(const struct cmd *cmd)
{
	cmd_usage(cmd, stdout);
	printf("%s\n", cmd->help);
	return cmd_finish(cmd);
}

int
cmd_usage_error(const struct cmd *cmd, const char *what, const char *why)
{
	fprintf(stderr, "skmc: %s: %s: %s\n", cmd->name, what, why);
	cmd_usage(cmd, stderr);
	return CMD_USAGE;
}

int
cmd_fail(const struct cmd *cmd, const char *what, const char *why)
{
	fprintf(stderr, "skmc: %s: %s: %s\n", cmd->name, what, why);
	return CMD_FAILED;
}

const char *
cmd_parse_u64(const char *text, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (*text == '\0')
		return "empty number";
	for (p = text; *p != '\0'; p++) {
		unsigned int d;

		if (*p < '0' || *p > '9')
			return "not a non-negative decimal integer";
		d = (unsigned int)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "number too large";
		v = v * 10 + d;
	}
	*out = v;
	return NULL;
}

int
cmd_finish(const struct cmd *cmd)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;

		fprintf(stderr, "skmc: %s: stdout: %s\n", cmd != NULL ? cmd->name : "write",
		    strerror(e != 0 ? e : EIO));
		return CMD_FAILED;
	}
	return CMD_OK;
}
