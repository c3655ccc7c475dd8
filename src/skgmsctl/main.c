/* SPDX-License-Identifier: ISC */
/*
 * skgmsctl, the administration tool of the group management service:
 * global options, then dispatch through the command table. Nothing else
 * happens here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "conf/conf.h"
#include "lib/version.h"
#include "skgmsctl/ctl.h"

#define SKGMSCTL_DEFAULT_CONFIG	SYSCONFDIR "/skms/skgmsd.yaml"

static const struct cli_cmd skgmsctl_cmds[] = {
	{ "init", NULL, "", "create the store", cmd_init },
	{ "group", "create", "GROUP [--rekey-on-removal]",
	    "create a group with its security profile", cmd_group_create },
	{ "group", "delete", "GROUP", "delete a group, its members and its pending deliveries",
	    cmd_group_delete },
	{ "member", "add", "GROUP [URI ...] [--from-file FILE] [--explicit]",
	    "add members; implicit ones get the group's GMK", cmd_member_add },
	{ "member", "remove", "GROUP URI [--activation TIME] [--expiry TIME] [--text TEXT]",
	    "remove a member: it is told so, the others get a new GMK if the profile says so",
	    cmd_member_remove },
	{ "subscribe", NULL, "GROUP URI",
	    "subscribe an explicit member for it: it gets the group's GMK", cmd_subscribe },
	{ "unsubscribe", NULL, "GROUP URI", "end an explicit member's subscription",
	    cmd_unsubscribe },
	{ "rekey", NULL, "GROUP [--activation TIME] [--expiry TIME] [--text TEXT]",
	    "make a new GMK for the group and send it to every authorised member", cmd_rekey },
	{ "purge", NULL, "--before TIME",
	    "remove deliveries answered before TIME from the store", cmd_purge },
	{ "status", NULL, "[GROUP] [--member URI]",
	    "show groups, GMKs, members and every delivery's state", cmd_status },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cli skgmsctl_cli = {
	"skgmsctl", "[-c FILE | --config FILE] [--store DIR]", skgmsctl_cmds,
};

int
main(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	struct conf_error cerr;
	struct conf *cf = NULL;
	struct ctl ctl = { NULL, NULL, 0 };
	const char *conf_path = NULL, *store = NULL, *v;
	char why[512];
	int i, words, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_list(&skgmsctl_cli, stdout);
			return cli_finish(&skgmsctl_cli, NULL);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("skgmsctl %s\n", skm_version());
			return cli_finish(&skgmsctl_cli, NULL);
		}
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf_path = argv[++i];
		else if (cli_match_opt("--config", argc, argv, &i, &v) && v != NULL)
			conf_path = v;
		else if (cli_match_opt("--store", argc, argv, &i, &v) && v != NULL)
			store = v;
		else {
			fprintf(stderr, "skgmsctl: %s: unknown option or missing value\n",
			    argv[i]);
			cli_list(&skgmsctl_cli, stderr);
			return CLI_USAGE;
		}
	}
	if ((cmd = cli_find(&skgmsctl_cli, argc - i, argv + i, &words)) == NULL) {
		if (i < argc)
			fprintf(stderr, "skgmsctl: %s: unknown command\n", argv[i]);
		cli_list(&skgmsctl_cli, stderr);
		return CLI_USAGE;
	}
	memset(&cerr, 0, sizeof(cerr));
	if (conf_path == NULL && access(SKGMSCTL_DEFAULT_CONFIG, F_OK) == 0)
		conf_path = SKGMSCTL_DEFAULT_CONFIG;
	rc = conf_path != NULL ? conf_load(conf_path, &cf, &cerr) : conf_defaults(&cf);
	if (rc != 0) {
		conf_error_str(&cerr, why, sizeof(why));
		fprintf(stderr, "skgmsctl: %s\n", why[0] != '\0' ? why : skm_strerror(rc));
		return CLI_FAILED;
	}
	ctl.store = store != NULL ? store : cf->gms.store;
	ctl.map_size = (size_t)cf->gms.map_size;
	ctl.kek_file = cf->gms.kek_file;
	i += words - 1;
	rc = cmd->run(&skgmsctl_cli, cmd, argc - i, argv + i, &ctl);
	conf_free(cf);
	return rc;
}
