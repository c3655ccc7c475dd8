/* SPDX-License-Identifier: ISC */
/*
 * Backup and restore of the whole store. The backup is a consistent,
 * compacted copy taken while skmsd runs, with a digest that restore checks
 * before it writes anything; it holds the master secrets only sealed, so
 * it is useless without the key-encryption key, which it does not contain.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "store/store.h"

static int
backup_file_arg(struct ctl *c, int argc, char **argv, const char **file)
{
	int rc = 0;

	return ctl_args(c, argc, argv, NULL, 1, 1, file, &rc) ? 0 : rc;
}

int
cmd_backup(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const char *file;
	char why[512];
	int rc;

	if ((rc = backup_file_arg(c, argc, argv, &file)) != 0 || (rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_backup_why(c->store, file, why, sizeof(why))) != 0)
		return why[0] != '\0' ? ctl_fail(c, why, NULL) : ctl_fail(c, file,
		    rc == SKM_EEXIST ? "exists already" : skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_str(&c->out, "backup", file);
	out_end(&c->out);
	return 0;
}

int
cmd_restore(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct store_config sc;
	const char *file;
	char why[512];
	int rc;

	if ((rc = backup_file_arg(c, argc, argv, &file)) != 0 || (rc = ctl_conf(c)) != 0)
		return rc;
	/* Into the backend the config names: a directory, or a database. */
	kms_store_config(c->conf, c->store_path, &sc);
	if ((rc = store_restore_config(&sc, file, why, sizeof(why))) != 0)
		return why[0] != '\0' ? ctl_fail(c, why, NULL) : ctl_fail(c, file,
		    skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_str(&c->out, "restored", sc.backend == STORE_BACKEND_POSTGRESQL ?
	    "postgresql" : ctl_store_path(c));
	out_end(&c->out);
	return 0;
}
