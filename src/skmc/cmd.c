/* SPDX-License-Identifier: ISC */
/*
 * skmc's command table. Adding a command is one row here and one
 * cmd_<name>.c; the shared helpers are those of common/cli.h.
 */
#include "skmc/cmd.h"

static const struct cli_cmd skmc_cmds[] = {
	{ "uid", NULL, "URI --kms-uri KMS_URI --key-period SECONDS --key-offset SECONDS "
	    "(--period-no N | --at TIME)",
	    "print the MIKEY-SAKKE UID of an identity for one key period", cmd_uid },
	{ "init", NULL, "--server URL --uri URI [--token-file FILE] [--cacert FILE] "
	    "[--client-cert FILE --client-key FILE] [--trk-file FILE --trk-id ID "
	    "[--ink-file FILE --ink-id ID]]",
	    "KMS Initialize: store the Root KMS certificate and the server settings", cmd_init },
	{ "fetch", NULL, "[--period N | --at TIME | --next]",
	    "KMS KeyProvision: fetch, check and store key sets (default: current and next)",
	    cmd_fetch },
	{ "certcache", NULL, "",
	    "KMS CertCache: fetch the External KMS certificates", cmd_certcache },
	{ "import", NULL, "[--trk-file FILE --trk-id ID [--ink-file FILE --ink-id ID]] FILE...",
	    "store KMS documents from files after checking them, all or none", cmd_import },
	{ "status", NULL, "[--json]",
	    "show the identity, certificate, stored periods and the next rollover", cmd_status },
	{ "watch", NULL, "",
	    "stay in the foreground and fetch each next key period before it starts", cmd_watch },
	{ "keys", "show", "[--period N] [--private]",
	    "show a key set's public parts (private parts only with --private)", cmd_keys_show },
	{ "group", "add", "GROUP --gms URI",
	    "add a VAL group of the user profile with its GMS server URI", cmd_group_add },
	{ "group", "remove", "GROUP",
	    "remove a VAL group and erase the GMKs that served only it", cmd_group_remove },
	{ "group", "list", "", "list the VAL groups of the user profile", cmd_group_list },
	{ "gmk", "accept", "FILE [--group GROUP] [--window SECONDS] [--response FILE] "
	    "[--no-fetch]", "check and store a GMK from a notification or I_MESSAGE",
	    cmd_gmk_accept },
	{ "gmk", "list", "", "list the stored GMKs", cmd_gmk_list },
	{ "gmk", "active", "GROUP [--at TIME]", "show the GMK in use for a VAL group",
	    cmd_gmk_active },
	{ "listen", NULL, "--gms URL [--wait SECONDS] [--window SECONDS] "
	    "[--retry-min SECONDS] [--retry-max SECONDS] [--token-file FILE] [--cacert FILE]",
	    "stay on a GMS service's notification channel: check, store and answer GMKs",
	    cmd_listen },
	{ "subscribe", NULL, "GROUP --gms URL [--token-file FILE] [--cacert FILE]",
	    "explicit affiliation: subscribe to a VAL group at its GMS service",
	    cmd_subscribe },
	{ "unsubscribe", NULL, "GROUP --gms URL [--token-file FILE] [--cacert FILE]",
	    "leave the explicit affiliation to a VAL group at its GMS service",
	    cmd_unsubscribe },
	{ "gmk", "make", "--group GROUP ... --to URI ... [--gmk-id HEX] [--activation TIME] "
	    "[--expiry TIME] [--text TEXT] [--hide-identities] --out DIR",
	    "GMS: send a fresh GMK to the members given", cmd_gmk_make },
	{ "gms", "create", "GROUP [--rekey-on-removal]", "GMS: create a VAL group",
	    cmd_gms_create },
	{ "gms", "delete", "GROUP", "GMS: delete a VAL group", cmd_gms_delete },
	{ "gms", "add", "GROUP URI... [--explicit] [--out DIR]",
	    "GMS: add members (implicit ones get the current GMK)", cmd_gms_add },
	{ "gms", "subscribe", "GROUP URI [--out DIR]",
	    "GMS: an explicit member subscribed; send it the current GMK", cmd_gms_subscribe },
	{ "gms", "remove", "GROUP URI [--out DIR] [--activation TIME]",
	    "GMS: remove a member, rekeying the rest if the group says so", cmd_gms_remove },
	{ "gms", "rekey", "GROUP --out DIR [--activation TIME] [--expiry TIME] [--text TEXT] "
	    "[--hide-identities]", "GMS: send a new GMK to the group's members", cmd_gms_rekey },
	{ "gms", "show", "[GROUP]", "GMS: show groups, members and current GMK-IDs",
	    cmd_gms_show },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct cli skmc_cli = {
	.prog = "skmc",
	.synopsis = "[--keystore DIR] [--as URI] [--config FILE] COMMAND [ARGUMENTS]\n"
	    "       skmc --help | --version",
	.cmds = skmc_cmds,
};
