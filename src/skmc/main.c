/* SPDX-License-Identifier: ISC */
/*
 * skmc, the key management client: global options, then dispatch through
 * the command table in cmd.c. Nothing else happens here.
 */
#include <stdio.h>
#include <string.h>

#include "lib/version.h"
#include "skmc/cmd.h"

static void
usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f, "usage: skmc [--help | --version]\n");
	fprintf(f, "       skmc COMMAND [ARGUMENTS] (COMMAND --help for details)\n");
	fprintf(f, "commands:\n");
	for (c = cmd_table; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
}

int
main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		fprintf(stderr, "skmc: missing command\n");
		usage(stderr);
		return CMD_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return cmd_finish(NULL);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("skmc %s\n", skm_version());
		return cmd_finish(NULL);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "skmc: %s: unknown option\n", argv[1]);
		usage(stderr);
		return CMD_USAGE;
	}
	if ((c = cmd_find(argv[1])) == NULL) {
		fprintf(stderr, "skmc: %s: unknown command\n", argv[1]);
		usage(stderr);
		return CMD_USAGE;
	}
	return c->run(c, argc - 1, argv + 1);
}
