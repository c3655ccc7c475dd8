/* SPDX-License-Identifier: ISC */
/*
 * skmc gms ...: the group state of a GMS (the keystore identity is the
 * GMS, provisioned by the KMS for its server URI): groups, members with
 * implicit or explicit affiliation, the current GMK per group and the
 * rekey-on-removal profile. Commands that hand out a GMK write one
 * notification per receiving member into --out; the state is saved only
 * after every notification was written.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "client/gmksend.h"
#include "client/gms.h"
#include "client/ks.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/mikey_kp.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"

/* The sending options shared by add, subscribe, remove and rekey. */
enum { S_OUT, S_ACT, S_EXP, S_TEXT, S_HIDE, S_EXTRA, S_N };

static const struct gmkcli_opt send_opts[S_N] = {
	{ "--out", 1, 0 }, { "--activation", 1, 0 }, { "--expiry", 1, 0 },
	{ "--text", 1, 0 }, { "--hide-identities", 0, 0 },
	{ NULL, 0, 0 },		/* per command: --explicit or --rekey-on-removal */
};

static int
load(const struct cli *cli, const struct cli_cmd *cmd, void *ctx, struct ks **ks,
    struct gms **g)
{
	int st, err;

	if ((st = gmkcli_ks(cli, cmd, ctx, ks)) >= 0)
		return st;
	if ((err = gms_load(g, ks_path(*ks))) != 0) {
		ks_close(*ks);
		*ks = NULL;
		return cli_error(cli, cmd, CLI_FAILED, "GMS state", skm_strerror(err));
	}
	return -1;
}

static int
save(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks, const struct gms *g)
{
	int err;

	if ((err = gms_save(g, ks_path(ks))) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "GMS state", skm_strerror(err));
	return cli_finish(cli, cmd);
}

/*
 * Sends the group's current GMK to uris (all authorised members when uris
 * is NULL) with the options in vals.
 */
static int
send_gmk(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    const struct gms_group *grp, const char *const *uris, size_t n,
    const struct gmkcli_val *vals)
{
	struct gmkcli_send s;
	const char **all = NULL;
	size_t i;
	int st;

	if (vals[S_OUT].n == 0)
		return cli_usage_error(cli, cmd, "--out", "required: a GMK goes out");
	memset(&s, 0, sizeof(s));
	if (uris == NULL) {
		if ((all = calloc(grp->nmembers + 1, sizeof(*all))) == NULL)
			return cli_error(cli, cmd, CLI_FAILED, "memory", NULL);
		for (i = 0; i < grp->nmembers; i++)
			if (gms_member_authorised(&grp->members[i]))
				all[n++] = grp->members[i].uri;
		uris = all;
	}
	s.groups = (const char *const *)&grp->id;
	s.ngroups = 1;
	s.uris = uris;
	s.nuris = n;
	s.gmk = grp->gmk;
	s.gmk_id = grp->gmk_id;
	s.activation = grp->activation;
	s.expiry = 0;
	if (vals[S_EXP].n > 0 &&
	    (st = gmkcli_time(cli, cmd, "--expiry", vals[S_EXP].v[0], &s.expiry)) >= 0)
		goto out;
	s.text = vals[S_TEXT].n > 0 ? vals[S_TEXT].v[0] : NULL;
	s.hide = vals[S_HIDE].n > 0;
	s.outdir = vals[S_OUT].v[0];
	gmkcli_now(&s);
	st = n == 0 ? CLI_OK : gmkcli_send(cli, cmd, ks, &s);
	if (st == CLI_OK)
		printf("gmk-id: %08" PRIx32 "\nmembers: %zu\n", grp->gmk_id, n);
out:
	free(all);
	return st;
}

/* A fresh GMK and GMK-ID for grp, active from --activation (or at once). */
static int
new_gmk(const struct cli *cli, const struct cli_cmd *cmd, struct gms_group *grp,
    const struct gmkcli_val *vals)
{
	uint8_t gmk[GMS_GMK_LEN];
	uint32_t id;
	int64_t act = 0;
	int st, err;

	if (vals[S_ACT].n > 0 &&
	    (st = gmkcli_time(cli, cmd, "--activation", vals[S_ACT].v[0], &act)) >= 0)
		return st;
	if (act < 0 || (uint64_t)act > MIKEY_KP_TIME_MAX)
		return cli_usage_error(cli, cmd, "--activation", "out of range");
	if (RAND_priv_bytes(gmk, sizeof(gmk)) != 1 || gmksend_new_id(&id) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "random", "failed");
	/* A new GMK-ID must not repeat the current one (receivers would refuse it). */
	if (grp->has_gmk && id == grp->gmk_id)
		id ^= 1;
	err = gms_group_set_gmk(grp, gmk, id, act);
	OPENSSL_cleanse(gmk, sizeof(gmk));
	if (err != 0)
		return cli_error(cli, cmd, CLI_FAILED, "GMK", skm_strerror(err));
	return -1;
}

int
cmd_gms_create(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct gmkcli_opt opts[] = { { "--rekey-on-removal", 0, 0 } };
	static struct gmkcli_val vals[1];
	struct gms *g = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, 1, vals, pos, 1, 1, &npos)) >= 0)
		return st;
	if (!gmkfile_name_ok(pos[0]))
		return cli_usage_error(cli, cmd, "GROUP", "not a usable VAL group ID");
	if ((st = load(cli, cmd, ctx, &ks, &g)) >= 0)
		return st;
	if ((err = gms_group_add(g, pos[0], vals[0].n > 0)) != 0)
		st = cli_error(cli, cmd, CLI_FAILED, pos[0], err == SKM_EEXIST ?
		    "group exists" : skm_strerror(err));
	else {
		printf("group: %s\nrekey-on-removal: %s\n", pos[0], vals[0].n > 0 ? "yes" : "no");
		st = save(cli, cmd, ks, g);
	}
	gms_free(g);
	ks_close(ks);
	return st;
}

int
cmd_gms_delete(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct gms *g = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos;
	int st;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, NULL, 0, NULL, pos, 1, 1, &npos)) >= 0)
		return st;
	if ((st = load(cli, cmd, ctx, &ks, &g)) >= 0)
		return st;
	if (gms_group_remove(g, pos[0]) != 0)
		st = cli_error(cli, cmd, CLI_FAILED, pos[0], "no such group");
	else {
		printf("deleted: %s\n", pos[0]);
		st = save(cli, cmd, ks, g);
	}
	gms_free(g);
	ks_close(ks);
	return st;
}

/* gms add: GROUP URI... ; implicit members get the current GMK at once. */
static int
member_add(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    struct gms_group *grp, const char *const *uris, size_t n, int explicit,
    const struct gmkcli_val *vals)
{
	static const char *to[GMKCLI_REPEAT_MAX];
	size_t i, nto = 0;
	int err;

	for (i = 0; i < n; i++) {
		if ((err = gms_member_add(grp, uris[i], explicit ? GMS_EXPLICIT :
		    GMS_IMPLICIT)) != 0)
			return cli_error(cli, cmd, CLI_FAILED, uris[i], err == SKM_EEXIST ?
			    "already a member" : skm_strerror(err));
		printf("member: %s %s\n", uris[i], explicit ? "explicit" : "implicit");
		/* Implicit affiliation: the GMK goes out once the member is authorised. */
		if (grp->has_gmk && !explicit)
			to[nto++] = uris[i];
	}
	return nto == 0 ? CLI_OK : send_gmk(cli, cmd, ks, grp, to, nto, vals);
}

/* add, subscribe and remove: GROUP URI (add: URI...) with the sending options. */
static int
member_cmd(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx, const char *extra, int which)
{
	struct gmkcli_opt opts[S_N];
	static struct gmkcli_val vals[S_N];
	static const char *pos[GMKCLI_REPEAT_MAX + 1];
	struct gms_group *grp;
	struct gms_member *m;
	struct gms *g = NULL;
	struct ks *ks = NULL;
	size_t npos, i, nopts = extra != NULL ? S_N : S_EXTRA;
	int st;

	memcpy(opts, send_opts, sizeof(opts));
	opts[S_EXTRA].name = extra;
	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, nopts, vals, pos, 2,
	    which == 'a' ? GMKCLI_REPEAT_MAX + 1 : 2, &npos)) >= 0)
		return st;
	for (i = 1; i < npos; i++)
		if (!gmkfile_name_ok(pos[i]))
			return cli_usage_error(cli, cmd, pos[i], "not a usable URI");
	if ((st = load(cli, cmd, ctx, &ks, &g)) >= 0)
		return st;
	st = CLI_FAILED;
	if ((grp = gms_group_find(g, pos[0])) == NULL) {
		cli_error(cli, cmd, CLI_FAILED, pos[0], "no such group");
		goto out;
	}
	m = gms_member_find(grp, pos[1]);
	switch (which) {
	case 'a':
		if ((st = member_add(cli, cmd, ks, grp, &pos[1], npos - 1, vals[S_EXTRA].n > 0,
		    vals)) != CLI_OK)
			goto out;
		break;
	case 's':
		if (m == NULL) {
			cli_error(cli, cmd, CLI_FAILED, pos[1], "not a member");
			goto out;
		}
		m->subscribed = 1;
		printf("subscribed: %s\n", pos[1]);
		if (grp->has_gmk && (st = send_gmk(cli, cmd, ks, grp, &pos[1], 1, vals)) != CLI_OK)
			goto out;
		break;
	default:
		if (gms_member_remove(grp, pos[1]) != 0) {
			cli_error(cli, cmd, CLI_FAILED, pos[1], "not a member");
			goto out;
		}
		printf("removed: %s\n", pos[1]);
		/* The removed member must not read what the group sends from now on. */
		if (grp->rekey_on_removal && grp->has_gmk) {
			if ((st = new_gmk(cli, cmd, grp, vals)) >= 0)
				goto out;
			if ((st = send_gmk(cli, cmd, ks, grp, NULL, 0, vals)) != CLI_OK)
				goto out;
		}
		break;
	}
	st = save(cli, cmd, ks, g);
out:
	gms_free(g);
	ks_close(ks);
	return st;
}

int
cmd_gms_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return member_cmd(cli, cmd, argc, argv, ctx, "--explicit", 'a');
}

int
cmd_gms_subscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return member_cmd(cli, cmd, argc, argv, ctx, NULL, 's');
}

int
cmd_gms_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return member_cmd(cli, cmd, argc, argv, ctx, NULL, 'r');
}

int
cmd_gms_rekey(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static struct gmkcli_val vals[S_N];
	struct gms_group *grp;
	struct gms *g = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	size_t npos;
	int st;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, send_opts, S_EXTRA, vals, pos, 1, 1,
	    &npos)) >= 0)
		return st;
	if (vals[S_OUT].n == 0)
		return cli_usage_error(cli, cmd, "--out", "missing");
	if ((st = load(cli, cmd, ctx, &ks, &g)) >= 0)
		return st;
	st = CLI_FAILED;
	if ((grp = gms_group_find(g, pos[0])) == NULL) {
		cli_error(cli, cmd, CLI_FAILED, pos[0], "no such group");
		goto out;
	}
	if ((st = new_gmk(cli, cmd, grp, vals)) >= 0)
		goto out;
	if ((st = send_gmk(cli, cmd, ks, grp, NULL, 0, vals)) != CLI_OK)
		goto out;
	st = save(cli, cmd, ks, g);
out:
	gms_free(g);
	ks_close(ks);
	return st;
}

int
cmd_gms_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct gms *g = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	char t[TIME_TEXT_LEN];
	size_t npos, i, j;
	int st;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, NULL, 0, NULL, pos, 0, 1, &npos)) >= 0)
		return st;
	if ((st = load(cli, cmd, ctx, &ks, &g)) >= 0)
		return st;
	for (i = 0; i < g->n; i++) {
		const struct gms_group *grp = &g->groups[i];

		if (npos == 1 && strcmp(pos[0], grp->id) != 0)
			continue;
		printf("group: %s\nrekey-on-removal: %s\n", grp->id,
		    grp->rekey_on_removal ? "yes" : "no");
		if (grp->has_gmk) {
			printf("gmk-id: %08" PRIx32 "\n", grp->gmk_id);
			if (grp->activation != 0 && time_format(grp->activation, t, sizeof(t)) == 0)
				printf("activation: %s\n", t);
		}
		for (j = 0; j < grp->nmembers; j++)
			printf("member: %s %s\n", grp->members[j].uri,
			    grp->members[j].aff == GMS_IMPLICIT ? "implicit" :
			    grp->members[j].subscribed ? "subscribed" : "explicit");
	}
	st = cli_finish(cli, cmd);
	gms_free(g);
	ks_close(ks);
	return st;
}
