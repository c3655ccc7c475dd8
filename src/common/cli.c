/* SPDX-License-Identifier: ISC */
/* Command tables: lookup, usage and error messages, options, strict numbers. */
#include "common/cli.h"

#include <errno.h>
#include <string.h>

const struct cli_cmd *
cli_find(const struct cli *cli, int argc, char **argv, int *words)
{
	const struct cli_cmd *c;

	for (c = cli->cmds; argc > 0 && c->noun != NULL; c++) {
		if (strcmp(c->noun, argv[0]) != 0)
			continue;
		if (c->verb == NULL) {
			*words = 1;
			return c;
		}
		if (argc > 1 && strcmp(c->verb, argv[1]) == 0) {
			*words = 2;
			return c;
		}
	}
	return NULL;
}

static void
cli_name(const struct cli_cmd *cmd, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", cmd->noun, cmd->verb != NULL ? " " : "",
	    cmd->verb != NULL ? cmd->verb : "");
}

void
cli_list(const struct cli *cli, FILE *f)
{
	const struct cli_cmd *c;
	char name[64];

	fprintf(f, "usage: %s %s\n", cli->prog, cli->synopsis);
	fprintf(f, "commands (COMMAND --help for details):\n");
	for (c = cli->cmds; c->noun != NULL; c++) {
		cli_name(c, name, sizeof(name));
		fprintf(f, "  %-18s %s\n", name, c->help);
	}
}

void
cli_usage(const struct cli *cli, const struct cli_cmd *cmd, FILE *f)
{
	char name[64];

	cli_name(cmd, name, sizeof(name));
	fprintf(f, "usage: %s %s%s%s\n", cli->prog, name, cmd->usage[0] != '\0' ? " " : "",
	    cmd->usage);
}

int
cli_help(const struct cli *cli, const struct cli_cmd *cmd)
{
	cli_usage(cli, cmd, stdout);
	printf("%s\n", cmd->help);
	return cli_finish(cli, cmd);
}

int
cli_error(const struct cli *cli, const struct cli_cmd *cmd, int status, const char *what,
    const char *why)
{
	char name[64];

	if (cmd != NULL) {
		cli_name(cmd, name, sizeof(name));
		fprintf(stderr, "%s: %s: %s", cli->prog, name, what);
	} else
		fprintf(stderr, "%s: %s", cli->prog, what);
	if (why != NULL)
		fprintf(stderr, ": %s", why);
	fputc('\n', stderr);
	return status;
}

int
cli_usage_error(const struct cli *cli, const struct cli_cmd *cmd, const char *what,
    const char *why)
{
	cli_error(cli, cmd, CLI_USAGE, what, why);
	if (cmd != NULL)
		cli_usage(cli, cmd, stderr);
	return CLI_USAGE;
}

int
cli_match_opt(const char *name, int argc, char **argv, int *i, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}

const char *
cli_parse_u64(const char *text, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (text == NULL || *text == '\0')
		return "empty number";
	for (p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return "not a decimal number";
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return "number too large";
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return NULL;
}

int
cli_finish(const struct cli *cli, const struct cli_cmd *cmd)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_error(cli, cmd, CLI_FAILED, "stdout",
		    strerror(errno != 0 ? errno : EIO));
	return CLI_OK;
}
