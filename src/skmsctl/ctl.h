/* SPDX-License-Identifier: ISC */
/*
 * skmsctl's shared state and the steps every command may need: the config
 * (--config, else the installed file, else the defaults), the store
 * (--store overrides store.path), the opened KMS, the audit actor, and
 * the usual time and URI arguments. Each step reports its own failure.
 */
#ifndef SKM_SKMSCTL_CTL_H
#define SKM_SKMSCTL_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cli.h"
#include "skmsctl/out.h"

struct conf;
struct store;
struct kms;

struct ctl {
	const struct cli *cli;
	const struct cli_cmd *cmd;
	const char *config_path;	/* --config, or NULL */
	const char *store_path;		/* --store, or NULL */
	int json;			/* --json */
	struct conf *conf;
	struct store *store;
	struct kms *kms;
	struct out out;
	char actor[64];			/* "skmsctl uid N" */
};

extern const struct cli skmsctl_cli;

/* Loads the config once; a bad file is CLI_FAILED with file:line:column. */
int ctl_conf(struct ctl *c);

/* The store directory in effect. */
const char *ctl_store_path(struct ctl *c);

/* Opens the store (creating it with create); failure is CLI_UNREACHABLE. */
int ctl_store(struct ctl *c, int create);

/* Opens the store and the domain's KMS (unsealing the master secrets). */
int ctl_kms(struct ctl *c);

/* Releases everything. */
void ctl_close(struct ctl *c);

/* A time argument (ISO 8601 UTC or @seconds); NULL on success, else a reason. */
const char *ctl_parse_time(const char *text, int64_t *out);

/* The current time, Unix seconds. */
int64_t ctl_now(void);

/* A command failure: "skmsctl: CMD: what: why", CLI_FAILED. */
int ctl_fail(struct ctl *c, const char *what, const char *why);
int ctl_usage(struct ctl *c, const char *what, const char *why);

/* Checks a URI argument (lib/uri.h); CLI_USAGE with the reason, else 0. */
int ctl_uri(struct ctl *c, const char *uri);

struct store_txn;

/* Appends this command's audit entry to the write transaction t. */
void ctl_audit(struct ctl *c, struct store_txn *t, const char *action, const char *uri,
    const char *detail);

/* A command's options, declared: each fills its destination when given. */
enum ctl_arg_type {
	CTL_ARG_STR,	/* const char ** */
	CTL_ARG_U64,	/* uint64_t *, decimal digits only */
	CTL_ARG_TIME,	/* int64_t *, ISO 8601 UTC or @seconds */
	CTL_ARG_LIST,	/* struct ctl_list *, the option may repeat */
	CTL_ARG_FLAG,	/* no value: only given is set (dst unused) */
};

struct ctl_list {
	const char **v;
	size_t n;
	size_t max;
};

struct ctl_arg {
	const char *name;	/* without the leading -- */
	enum ctl_arg_type type;
	void *dst;
	int *given;		/* set to 1 when the option is given; may be NULL */
};

/*
 * Parses argv (argv[0] is the command word): the options in args (ended by
 * a NULL name; --help is implicit, and positionals may stand anywhere) and
 * between min and max positional arguments into pos[]. Returns 1 to go on,
 * or 0 with *rc set after --help or a usage error.
 */
int ctl_args(struct ctl *c, int argc, char **argv, const struct ctl_arg *args, int min,
    int max, const char **pos, int *rc);

/* Commands, by file. */
int cmd_init(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_kek_rotate(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_domain_show(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_domain_rollover(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_domain_purge_retired(const struct cli *, const struct cli_cmd *, int, char **,
    void *);
int cmd_cert_export(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_period_show(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_keyset_derive(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_add(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_import(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_list(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_show(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_revoke(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_reinstate(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_user_remove(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_external_add(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_external_list(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_external_remove(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_audit(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_audit_archive(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_backup(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_restore(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_tk_set(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_tk_rotate(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_tk_remove(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_tk_list(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_config_check(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_config_show(const struct cli *, const struct cli_cmd *, int, char **, void *);

#endif
