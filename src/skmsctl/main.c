/* SPDX-License-Identifier: ISC */
/*
 * skmsctl, the administration tool of the KMS: global options, then
 * dispatch through the command table. Nothing else happens here.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "lib/version.h"
#include "skmsctl/ctl.h"

static const struct cli_cmd skmsctl_cmds[] = {
	{ "init", NULL, "--kms-uri URI [--key-period SECONDS] [--key-offset SECONDS] "
	    "[--cert-uri URI] [--issuer TEXT] [--valid-from TIME] [--valid-to TIME] "
	    "[--domain NAME ...] [--kek-file FILE | --passphrase-file FILE | "
	    "--kek-pkcs11 URI [--pin-file FILE] [--kek-generate] [--allow-extractable]]",
	    "create the domain, its master secrets and its Root KMS certificate", cmd_init },
	{ "kek", "rotate", "--kek-file FILE | --passphrase-file FILE | --pkcs11 URI "
	    "[--pin-file FILE] [--kek-generate] [--allow-extractable]",
	    "re-seal the master secrets under a new key-encryption key", cmd_kek_rotate },
	{ "domain", "show", "", "show the domain, its current key period and certificates",
	    cmd_domain_show },
	{ "domain", "rollover", "--at TIME | --now --revoke-current [--valid-to TIME] "
	    "[--cert-uri URI]",
	    "schedule new master secrets and a new Root KMS certificate from a key "
	    "period boundary, or replace a compromised one at once", cmd_domain_rollover },
	{ "domain", "purge-retired", "",
	    "remove retired master secrets that no key period of the window reaches",
	    cmd_domain_purge_retired },
	{ "cert", "export", "[--cert-uri URI]",
	    "write the Root KmsCertificate XML element in force, or the one named",
	    cmd_cert_export },
	{ "period", "show", "[--at TIME | --period N]", "show a key period's number, start and end",
	    cmd_period_show },
	{ "keyset", "derive", "URI (--period N | --at TIME) [--out FILE]",
	    "write the KmsKeySet of an identity for offline provisioning", cmd_keyset_derive },
	{ "user", "add", "URI [--role user|gms] [--valid-from TIME] [--valid-to TIME]",
	    "register an identity", cmd_user_add },
	{ "user", "import", "FILE", "register identities from a file, all or none",
	    cmd_user_import },
	{ "user", "list", "[--state active|revoked|expired|not-yet-valid]",
	    "list identities", cmd_user_list },
	{ "user", "show", "URI", "show an identity", cmd_user_show },
	{ "user", "revoke", "URI [--from TIME | --period N] [--reason TEXT]",
	    "revoke an identity from a time, or one of its key periods", cmd_user_revoke },
	{ "user", "reinstate", "URI [--period N]", "lift a revocation", cmd_user_reinstate },
	{ "user", "remove", "URI", "remove an identity", cmd_user_remove },
	{ "trk", "set", "URI [--device DEV] --id ID --key-file FILE",
	    "give an identity or its device a Transport Key (read from FILE, or generated "
	    "into it)",
	    cmd_tk_set },
	{ "trk", "rotate", "URI [--device DEV] --id ID --key-file FILE",
	    "deliver a new Transport Key at the identity's (device's) next Init or KeyProv",
	    cmd_tk_rotate },
	{ "trk", "remove", "URI [--device DEV]",
	    "remove an identity's (device's) Transport and Integrity Keys",
	    cmd_tk_remove },
	{ "trk", "list", "[URI]", "list the IDs of Transport and Integrity Keys, per device",
	    cmd_tk_list },
	{ "ink", "set", "URI [--device DEV] --id ID --key-file FILE",
	    "give an identity or its device an Integrity Key (read from FILE, or generated "
	    "into it)",
	    cmd_tk_set },
	{ "ink", "rotate", "URI [--device DEV] --id ID --key-file FILE",
	    "deliver a new Integrity Key at the identity's (device's) next Init or KeyProv",
	    cmd_tk_rotate },
	{ "ink", "remove", "URI [--device DEV]", "remove an identity's (device's) Integrity Key",
	    cmd_tk_remove },
	{ "ink", "list", "[URI]", "list the IDs of Transport and Integrity Keys, per device",
	    cmd_tk_list },
	{ "external", "add", "FILE", "add or replace an External KMS certificate",
	    cmd_external_add },
	{ "external", "list", "", "list External KMS certificates", cmd_external_list },
	{ "external", "remove", "CERT_URI", "remove an External KMS certificate",
	    cmd_external_remove },
	/* Before the one-word "audit", which would take "archive" for itself. */
	{ "audit", "archive", "--before TIME --out FILE",
	    "move the audit entries before TIME into a new JSON Lines file", cmd_audit_archive },
	{ "audit", NULL, "[--since TIME] [--identity URI]", "show the audit log", cmd_audit },
	{ "backup", NULL, "FILE", "write a consistent compacted copy of the store", cmd_backup },
	{ "restore", NULL, "FILE", "restore a backup into an empty store directory",
	    cmd_restore },
	{ "config", "check", "[FILE]", "check a configuration file", cmd_config_check },
	{ "config", "show", "", "show the configuration in effect", cmd_config_show },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli skmsctl_cli = {
	.prog = "skmsctl",
	.synopsis = "[--config FILE] [--store DIR] [--json] COMMAND [ARGUMENTS]\n"
	    "       skmsctl --help | --version",
	.cmds = skmsctl_cmds,
};

/*
 * Takes the global options out of argv wherever they stand, so that every
 * command accepts them before or after its own arguments.
 */
static int
global_options(struct ctl *c, int *argc, char **argv)
{
	static const char *const names[] = { "--config", "--store" };
	int i, j, k;

	for (i = 1; i < *argc;) {
		const char **slot = NULL;
		const char *value = NULL;
		int take = 0;

		if (strcmp(argv[i], "--json") == 0) {
			c->json = 1;
			take = 1;
		}
		for (k = 0; k < 2 && take == 0; k++) {
			j = i;
			if (!cli_match_opt(names[k], *argc, argv, &j, &value))
				continue;
			slot = k == 0 ? &c->config_path : &c->store_path;
			take = j - i + 1;
			if (value == NULL) {
				fprintf(stderr, "skmsctl: %s: missing argument\n", names[k]);
				return CLI_USAGE;
			}
			if (*value == '\0') {
				fprintf(stderr, "skmsctl: %s: empty argument\n", names[k]);
				return CLI_USAGE;
			}
			*slot = value;
		}
		if (take == 0) {
			i++;
			continue;
		}
		for (j = i; j + take <= *argc; j++)
			argv[j] = argv[j + take];
		*argc -= take;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct ctl c;
	const struct cli_cmd *cmd;
	int rc, words;

	memset(&c, 0, sizeof(c));
	c.cli = &skmsctl_cli;
	snprintf(c.actor, sizeof(c.actor), "skmsctl uid %u", (unsigned)getuid());
	if ((rc = global_options(&c, &argc, argv)) != 0)
		return rc;
	if (argc < 2) {
		fprintf(stderr, "skmsctl: missing command\n");
		cli_list(&skmsctl_cli, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_list(&skmsctl_cli, stdout);
		return cli_finish(&skmsctl_cli, NULL);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("skmsctl %s\n", skm_version());
		return cli_finish(&skmsctl_cli, NULL);
	}
	if ((cmd = cli_find(&skmsctl_cli, argc - 1, argv + 1, &words)) == NULL) {
		fprintf(stderr, "skmsctl: %s%s%s: unknown command\n", argv[1],
		    argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
		cli_list(&skmsctl_cli, stderr);
		return CLI_USAGE;
	}
	c.cmd = cmd;
	rc = cmd->run(&skmsctl_cli, cmd, argc - words, argv + words, &c);
	ctl_close(&c);
	if (rc == CLI_OK)
		rc = cli_finish(&skmsctl_cli, cmd);
	return rc;
}
