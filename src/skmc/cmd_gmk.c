/* SPDX-License-Identifier: ISC */
/*
 * skmc gmk accept|list|active|make. accept runs the receiver checks of
 * client/accept.c with the key material of the keystore and prints the
 * 'Notify group configuration response'; make is the stateless GMS
 * command (a fresh GMK to the members given). No command prints a GMK.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "client/accept.h"
#include "client/gmksend.h"
#include "client/gmkstore.h"
#include "client/kmsdoc.h"
#include "client/ks.h"
#include "client/notify.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "lib/mikey_gmk.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"
#include "skmc/gmkkeys.h"

static void
print_time(const char *name, int64_t t)
{
	char buf[TIME_TEXT_LEN];

	if (t == 0)
		printf("%s: none\n", name);
	else if (time_format(t, buf, sizeof(buf)) == 0)
		printf("%s: %s\n", name, buf);
	else
		printf("%s: @%" PRId64 "\n", name, t);
}

static void
print_rec(const struct gmkstore_rec *r)
{
	size_t i;

	printf("gmk-id: %08" PRIx32 "\nguk-id: %08" PRIx32 "\ngroups:", r->gmk_id, r->guk_id);
	for (i = 0; i < r->ngroups; i++)
		printf(" %s", r->groups[i]);
	printf("\n");
	print_time("activation", r->activation);
	print_time("expiry", r->expiry);
	printf("gms: %s\n", r->gms);
	if (r->text[0] != '\0')
		printf("text: %s\n", r->text);
}

static int
read_input(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *b;
	size_t n;
	int err = 0;

	if (f == NULL)
		return errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO;
	if ((b = malloc(NOTIFY_MAX_LEN + 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	n = fread(b, 1, NOTIFY_MAX_LEN + 1, f);
	if (ferror(f))
		err = SKM_EIO;
	else if (n > NOTIFY_MAX_LEN)
		err = SKM_ELEN;
	if (err != 0) {
		free(b);
		goto out;
	}
	*buf = b;
	*len = n;
out:
	if (f != stdin)
		fclose(f);
	return err;
}

static int
write_response(const char *path, const struct accept_result *r)
{
	char *doc = NULL;
	size_t len;
	FILE *f;
	int err;

	if ((err = notify_resp_write(r->group, r->check == ACCEPT_OK, r->why, &doc, &len)) != 0)
		return err;
	if ((f = fopen(path, "w")) == NULL) {
		free(doc);
		return SKM_EIO;
	}
	if (fwrite(doc, 1, len, f) != len)
		err = SKM_EIO;
	if (fclose(f) != 0)
		err = SKM_EIO;
	free(doc);
	return err;
}

enum { A_GROUP, A_WINDOW, A_RESPONSE, A_NO_FETCH, A_N };

int
cmd_gmk_accept(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct gmkcli_opt opts[A_N] = {
		{ "--group", 1, 0 }, { "--window", 1, 0 }, { "--response", 1, 0 },
		{ "--no-fetch", 0, 0 },
	};
	static struct gmkcli_val vals[A_N];
	struct accept_result r;
	struct accept_opts o;
	struct gmkkeys g = { 0 };
	struct ks *ks = NULL;
	const char *pos[1], *why, *what;
	char kwhy[KS_WHY_MAX] = "";
	uint8_t *in = NULL;
	uint64_t window = ACCEPT_WINDOW_DEFAULT;
	size_t npos, len = 0;
	int st, err = SKM_EINVAL;

	memset(&r, 0, sizeof(r));
	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, A_N, vals, pos, 1, 1, &npos)) >= 0)
		return st;
	if (vals[A_WINDOW].n > 0 &&
	    ((why = cli_parse_u64(vals[A_WINDOW].v[0], &window)) != NULL || window > INT32_MAX))
		return cli_usage_error(cli, cmd, "--window", "not a number of seconds");
	if (vals[A_GROUP].n > 0 && !gmkfile_name_ok(vals[A_GROUP].v[0]))
		return cli_usage_error(cli, cmd, "--group", "not a usable VAL group ID");
	if ((err = read_input(pos[0], &in, &len)) != 0)
		return cli_error(cli, cmd, CLI_FAILED, pos[0], skm_strerror(err));
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		goto out;
	st = CLI_FAILED;
	/* One table build per invocation (~1 MB, some ms); fine for a CLI. */
	if (gmkkeys_load(&g, ks, vals[A_NO_FETCH].n == 0, &what, kwhy, sizeof(kwhy)) != 0) {
		cli_error(cli, cmd, CLI_FAILED, what, kwhy);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.now = (int64_t)time(NULL);
	o.window = (int64_t)window;
	o.group = vals[A_GROUP].n > 0 ? vals[A_GROUP].v[0] : NULL;
	err = accept_run(ks_path(ks), &g.k, &o, in, len, &r);
	if (r.check == ACCEPT_OK) {
		printf("result: success\nval-group-id: %s\n", r.group);
		print_rec(r.rec);
	} else {
		printf("result: failure\nval-group-id: %s\nreason: %s\n", r.group, r.why);
		cli_error(cli, cmd, CLI_FAILED, r.why, NULL);
	}
	if (vals[A_RESPONSE].n > 0 && write_response(vals[A_RESPONSE].v[0], &r) != 0) {
		cli_error(cli, cmd, CLI_FAILED, vals[A_RESPONSE].v[0], "cannot write");
		goto out;
	}
	st = err == 0 ? cli_finish(cli, cmd) : CLI_FAILED;
out:
	gmkstore_rec_free(r.rec);
	gmkkeys_free(&g);
	ks_close(ks);
	free(in);
	return st;
}

int
cmd_gmk_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct gmkstore_rec **recs = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	char a[TIME_TEXT_LEN], e[TIME_TEXT_LEN];
	size_t npos, n = 0, i, j;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, NULL, 0, NULL, pos, 0, 0, &npos)) >= 0)
		return st;
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	if ((err = gmkstore_list(ks_path(ks), &recs, &n)) != 0) {
		st = cli_error(cli, cmd, CLI_FAILED, "GMK store", skm_strerror(err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (time_format(recs[i]->activation, a, sizeof(a)) != 0)
			strcpy(a, "-");
		if (recs[i]->expiry == 0 || time_format(recs[i]->expiry, e, sizeof(e)) != 0)
			strcpy(e, "-");
		printf("%08" PRIx32 " %08" PRIx32 " %s %s ", recs[i]->gmk_id, recs[i]->guk_id, a,
		    e);
		for (j = 0; j < recs[i]->ngroups; j++)
			printf("%s%s", j > 0 ? "," : "", recs[i]->groups[j]);
		printf("\n");
	}
	st = cli_finish(cli, cmd);
out:
	gmkstore_list_free(recs, n);
	ks_close(ks);
	return st;
}

int
cmd_gmk_active(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct gmkcli_opt opts[] = { { "--at", 1, 0 } };
	static struct gmkcli_val vals[1];
	struct gmkstore_rec **recs = NULL;
	struct ks *ks = NULL;
	const char *pos[1];
	int64_t at = (int64_t)time(NULL);
	size_t npos, n = 0;
	long best;
	int st, err;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, 1, vals, pos, 1, 1, &npos)) >= 0)
		return st;
	if (vals[0].n > 0 && (st = gmkcli_time(cli, cmd, "--at", vals[0].v[0], &at)) >= 0)
		return st;
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	if ((err = gmkstore_list(ks_path(ks), &recs, &n)) != 0) {
		st = cli_error(cli, cmd, CLI_FAILED, "GMK store", skm_strerror(err));
		goto out;
	}
	if ((best = gmkstore_active(recs, n, pos[0], at)) < 0) {
		st = cli_error(cli, cmd, CLI_FAILED, pos[0], "no active GMK");
		goto out;
	}
	print_rec(recs[best]);
	st = cli_finish(cli, cmd);
out:
	gmkstore_list_free(recs, n);
	ks_close(ks);
	return st;
}

enum { M_GROUP, M_TO, M_GMK_ID, M_ACT, M_EXP, M_TEXT, M_HIDE, M_OUT, M_N };

int
cmd_gmk_make(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct gmkcli_opt opts[M_N] = {
		{ "--group", 1, 1 }, { "--to", 1, 1 }, { "--gmk-id", 1, 0 },
		{ "--activation", 1, 0 }, { "--expiry", 1, 0 }, { "--text", 1, 0 },
		{ "--hide-identities", 0, 0 }, { "--out", 1, 0 },
	};
	static struct gmkcli_val vals[M_N];
	struct gmkcli_send s;
	struct ks *ks = NULL;
	const char *pos[1];
	uint8_t *gmk = NULL, id[4];
	size_t npos, i, n;
	int st;

	if ((st = gmkcli_parse(cli, cmd, argc, argv, opts, M_N, vals, pos, 0, 0, &npos)) >= 0)
		return st;
	memset(&s, 0, sizeof(s));
	if (vals[M_GROUP].n == 0 || vals[M_TO].n == 0 || vals[M_OUT].n == 0)
		return cli_usage_error(cli, cmd, "--group, --to, --out", "required");
	if (vals[M_GROUP].n > MIKEY_KP_GROUPS_MAX)
		return cli_usage_error(cli, cmd, "--group", "too many groups");
	for (i = 0; i < vals[M_GROUP].n; i++)
		if (!gmkfile_name_ok(vals[M_GROUP].v[i]))
			return cli_usage_error(cli, cmd, vals[M_GROUP].v[i],
			    "not a usable VAL group ID");
	for (i = 0; i < vals[M_TO].n; i++)
		if (!gmkfile_name_ok(vals[M_TO].v[i]))
			return cli_usage_error(cli, cmd, vals[M_TO].v[i], "not a usable URI");
	if (vals[M_GMK_ID].n > 0) {
		const char *h = vals[M_GMK_ID].v[0];

		if (hex_decode(h, strlen(h), id, sizeof(id), &n) != 0 || n != 4)
			return cli_usage_error(cli, cmd, "--gmk-id", "not 8 hex digits");
		s.gmk_id = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 |
		    id[3];
		if (s.gmk_id >> 28 != 0)
			return cli_usage_error(cli, cmd, "--gmk-id", "purpose tag is not 0 (GMK)");
	} else if (gmksend_new_id(&s.gmk_id) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "random", "failed");
	if (vals[M_ACT].n > 0 &&
	    (st = gmkcli_time(cli, cmd, "--activation", vals[M_ACT].v[0], &s.activation)) >= 0)
		return st;
	if (vals[M_EXP].n > 0 &&
	    (st = gmkcli_time(cli, cmd, "--expiry", vals[M_EXP].v[0], &s.expiry)) >= 0)
		return st;
	if (s.activation < 0 || (uint64_t)s.activation > MIKEY_KP_TIME_MAX ||
	    s.expiry < 0 || (uint64_t)s.expiry > MIKEY_KP_TIME_MAX)
		return cli_usage_error(cli, cmd, "--activation, --expiry", "out of range");
	if ((st = gmkcli_ks(cli, cmd, ctx, &ks)) >= 0)
		return st;
	st = CLI_FAILED;
	if ((gmk = OPENSSL_secure_zalloc(MIKEY_GMK_LEN)) == NULL ||
	    RAND_priv_bytes(gmk, MIKEY_GMK_LEN) != 1) {
		cli_error(cli, cmd, CLI_FAILED, "GMK", "no random bytes");
		goto out;
	}
	s.groups = vals[M_GROUP].v;
	s.ngroups = vals[M_GROUP].n;
	s.uris = vals[M_TO].v;
	s.nuris = vals[M_TO].n;
	s.gmk = gmk;
	s.text = vals[M_TEXT].n > 0 ? vals[M_TEXT].v[0] : NULL;
	s.hide = vals[M_HIDE].n > 0;
	s.outdir = vals[M_OUT].v[0];
	gmkcli_now(&s);
	if ((st = gmkcli_send(cli, cmd, ks, &s)) != CLI_OK)
		goto out;
	printf("gmk-id: %08" PRIx32 "\n", s.gmk_id);
	st = cli_finish(cli, cmd);
out:
	if (gmk != NULL)
		OPENSSL_secure_clear_free(gmk, MIKEY_GMK_LEN);
	ks_close(ks);
	return st;
}
