/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by skmc's group key commands (cmd_group.c, cmd_gmk.c,
 * cmd_gms.c): a small option parser driven by a table, opening the
 * keystore identity named by the global options, and the GMS sending step
 * (the GMS key set for now, the domain's KMS public key, the key
 * parameters, then gmksend). Never prints a GMK.
 */
#ifndef SKM_SKMC_GMKCLI_H
#define SKM_SKMC_GMKCLI_H

#include <stddef.h>
#include <stdint.h>

#include "common/cli.h"

/* Values of one repeatable option; callers keep their gmkcli_val arrays static. */
#define GMKCLI_REPEAT_MAX	4096

struct ks;

struct gmkcli_opt {
	const char *name;	/* "--group" */
	int takes_value;
	int repeat;		/* may be given more than once */
};

struct gmkcli_val {
	const char *v[GMKCLI_REPEAT_MAX];
	size_t n;		/* times given */
};

/*
 * Parses argv[1..] against opts (vals[i] for opts[i]) and positional
 * arguments (at least minpos, at most maxpos). Returns -1 to go on, or a
 * cli_status to return (help printed, usage error reported).
 */
int gmkcli_parse(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const struct gmkcli_opt *opts, size_t nopts, struct gmkcli_val *vals,
    const char **pos, size_t minpos, size_t maxpos, size_t *npos);

/* Parses a time option (ISO 8601 UTC or @SECONDS) into Unix seconds. */
int gmkcli_time(const struct cli *cli, const struct cli_cmd *cmd, const char *opt,
    const char *text, int64_t *out);

/*
 * Opens the keystore identity of the global options in ctx. On failure
 * reports it and returns CLI_UNREACHABLE (no keystore) or CLI_FAILED.
 */
int gmkcli_ks(const struct cli *cli, const struct cli_cmd *cmd, void *ctx, struct ks **ks);

/*
 * The channel to a GMS service at url for the identity of ks: the token
 * file and trust file of the keystore (as for its KMS) unless token_file
 * or cacert is given. Returns -1 with *ch, or a cli_status (reported).
 */
struct gmschan;
int gmkcli_chan(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    const char *url, const char *token_file, const char *cacert, long timeout,
    struct gmschan **ch);

/* What a GMS sends: the GMK and its parameters to members of groups. */
struct gmkcli_send {
	const char *const *groups;	/* VAL group IDs for the key parameters */
	size_t ngroups;
	const char *const *uris;	/* members */
	size_t nuris;
	const uint8_t *gmk;		/* SECRET */
	uint32_t gmk_id;
	int64_t activation;		/* 0: the T payload's time */
	int64_t expiry;			/* 0: none */
	const char *text;		/* may be NULL */
	int hide;
	const char *outdir;
	int64_t now;			/* Unix seconds */
	uint32_t now_frac;		/* NTP fraction of that second */
};

/*
 * Sets s->now and s->now_frac from one reading of the clock. The T
 * payload carries both, and members break activation ties between two
 * GMKs made within one second with the fraction (gmkstore_active), so
 * the two must come from the same instant.
 */
void gmkcli_now(struct gmkcli_send *s);

/*
 * Makes and writes one notification per member with the GMS key set of
 * the keystore identity for now (fetched when absent), printing
 * "sent: URI FILE" per member. Returns a cli_status.
 */
int gmkcli_send(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    const struct gmkcli_send *s);

#endif
