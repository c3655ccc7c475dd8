/* SPDX-License-Identifier: ISC */
/*
 * skmc's command table (common/cli.h): one row per command; --help,
 * argument errors and the man page all follow the table. Commands never
 * call exit() themselves. Every handler gets the global options and the
 * configuration as its ctx, a struct skmc_ctx.
 */
#ifndef SKM_SKMC_CMD_H
#define SKM_SKMC_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "common/cli.h"

struct ks;

/* Global options and the --config file, resolved once in main.c. */
struct skmc_ctx {
	const char *keystore;		/* --keystore or config; NULL: the default */
	const char *as;			/* --as or config; NULL: the only identity */
	const char *config;		/* --config FILE; NULL when none */
	long timeout;			/* KMS request time-out, seconds */
	int64_t purge_grace;		/* expired key sets kept this long, seconds */
	unsigned window_pct;		/* watch: fetch window, percent of a period */
	int64_t window_max;		/* watch: at most this many seconds */
	int64_t retry_min;		/* watch: first retry delay, seconds */
	int64_t retry_max;		/* watch: longest retry delay, seconds */
	char *owned[2];			/* strings from the config file */
};

/* The command table and its usage text. */
extern const struct cli skmc_cli;

/*
 * Defaults, then the "key = value" file at path (NULL: none). A bad line
 * is SKM_EPARSE with "FILE:LINE: reason" in why.
 */
int ctx_load(struct skmc_ctx *ctx, const char *path, char *why, size_t whylen);
void ctx_free(struct skmc_ctx *ctx);

/* Opens the keystore identity of ctx; prints the reason and returns a cli_status. */
int ctx_open(const struct skmc_ctx *ctx, const struct cli *cli, const struct cli_cmd *cmd,
    struct ks **ks);

/* The watch window before a boundary for a key period of period seconds. */
int64_t ctx_window(const struct skmc_ctx *ctx, uint64_t period);

/*
 * When the next fetch is due at now (Unix seconds): the start of the window
 * before the current period ends when the next period's key set is not
 * stored yet (now when already inside it), else the window before the
 * following boundary.
 */
int ctx_next_fetch(const struct skmc_ctx *ctx, struct ks *ks, int64_t now, int64_t *due);

/* The cli_status for an SKM_E* code: 3 when the server was unreachable, else 1. */
int ctx_status(int err);

/* A command's options: --name VALUE pairs and --flag switches. */
struct ctx_opts {
	const char *const *names;	/* options with a value */
	const char **val;		/* their values, NULL when not given */
	size_t nnames;
	const char *const *flags;	/* options without a value */
	int *flag;			/* 1 when given */
	size_t nflags;
	char **pos;			/* positional arguments */
	size_t maxpos, npos;
};

/*
 * Parses argv (argv[0] is the command word) into o. Returns -1 when
 * --help was given and answered, else a cli_status (usage errors printed).
 */
int ctx_args(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    struct ctx_opts *o);

/*
 * The keys of the D.1 options into *tk (secure heap; NULL when none is
 * given): CLI_OK, or the usage error or failure already reported.
 */
struct kmstk;
int cmd_tk_keys(const struct cli *cli, const struct cli_cmd *cmd, const char *trk_file,
    const char *trk_id, const char *ink_file, const char *ink_id, struct kmstk **tk);

/* Commands, one file each (cmd_keys.c holds "keys show"). */
int cmd_uid(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_init(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_fetch(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_certcache(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_import(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_status(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_watch(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_keys_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);

/* Group key commands (cmd_group.c, cmd_gmk.c, cmd_gms.c). */
int cmd_group_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_group_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_group_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gmk_accept(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gmk_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gmk_active(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gmk_make(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_create(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_delete(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_subscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_rekey(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_listen(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_subscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_unsubscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);
int cmd_gms_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx);

#endif
