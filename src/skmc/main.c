/* SPDX-License-Identifier: ISC */
/*
 * skmc, the key management client: global options (--keystore, --as,
 * --config) into a struct skmc_ctx, then dispatch through the command
 * table in cmd.c. Nothing else happens here.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "lib/version.h"
#include "skmc/cmd.h"

int
main(int argc, char **argv)
{
	const char *keystore = NULL, *as = NULL, *config = NULL, *v;
	const struct cli_cmd *c;
	struct skmc_ctx ctx;
	char why[512] = "";
	int i, words, rc;

	memset(&ctx, 0, sizeof(ctx));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_list(&skmc_cli, stdout);
			return cli_finish(&skmc_cli, NULL);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("skmc %s\n", skm_version());
			return cli_finish(&skmc_cli, NULL);
		}
		v = NULL;
		if (cli_match_opt("--keystore", argc, argv, &i, &v))
			keystore = v;
		else if (cli_match_opt("--as", argc, argv, &i, &v))
			as = v;
		else if (cli_match_opt("--config", argc, argv, &i, &v))
			config = v;
		else {
			fprintf(stderr, "skmc: %s: unknown option\n", argv[i]);
			cli_list(&skmc_cli, stderr);
			return CLI_USAGE;
		}
		if (v == NULL || *v == '\0') {
			fprintf(stderr, "skmc: %s: missing value\n", argv[i]);
			return CLI_USAGE;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "skmc: missing command\n");
		cli_list(&skmc_cli, stderr);
		return CLI_USAGE;
	}
	if ((c = cli_find(&skmc_cli, argc - i, argv + i, &words)) == NULL) {
		fprintf(stderr, "skmc: %s: unknown command\n", argv[i]);
		cli_list(&skmc_cli, stderr);
		return CLI_USAGE;
	}
	if (ctx_load(&ctx, config, why, sizeof(why)) != 0) {
		fprintf(stderr, "skmc: config: %s\n", why);
		ctx_free(&ctx);
		return CLI_FAILED;
	}
	ctx.config = config;
	if (keystore != NULL)
		ctx.keystore = keystore;
	if (as != NULL)
		ctx.as = as;
	rc = c->run(&skmc_cli, c, argc - i - words + 1, argv + i + words - 1, &ctx);
	ctx_free(&ctx);
	return rc;
}
