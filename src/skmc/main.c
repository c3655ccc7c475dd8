/* SPDX-License-Identifier: ISC */
/*
 * skmc, the key management client: global options, then dispatch through
 * the command table in cmd.c. Nothing else happens here.
 */
#include <stdio.h>
#include <string.h>

#include "lib/version.h"
#include "skmc/cmd.h"

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;
	int words;

	if (argc < 2) {
		fprintf(stderr, "skmc: missing command\n");
		cli_list(&skmc_cli, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_list(&skmc_cli, stdout);
		return cli_finish(&skmc_cli, NULL);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("skmc %s\n", skm_version());
		return cli_finish(&skmc_cli, NULL);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "skmc: %s: unknown option\n", argv[1]);
		cli_list(&skmc_cli, stderr);
		return CLI_USAGE;
	}
	if ((c = cli_find(&skmc_cli, argc - 1, argv + 1, &words)) == NULL) {
		fprintf(stderr, "skmc: %s: unknown command\n", argv[1]);
		cli_list(&skmc_cli, stderr);
		return CLI_USAGE;
	}
	return c->run(&skmc_cli, c, argc - words, argv + words, NULL);
}
