/* SPDX-License-Identifier: ISC */
/*
 * Shared steps of the group key commands. The GMS sending step prepares
 * everything that is the same for every member once (signer, KMS public
 * key with its tables, key parameters, the GMS UID) and leaves only the
 * per-member work to gmksend's threads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "client/gmschan.h"
#include "client/gmksend.h"
#include "client/gmksend_ks.h"
#include "client/kmsdoc.h"
#include "client/ks.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"
#include "lib/uid.h"
#include "skmc/cmd.h"
#include "skmc/gmkcli.h"

int
gmkcli_parse(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const struct gmkcli_opt *opts, size_t nopts, struct gmkcli_val *vals,
    const char **pos, size_t minpos, size_t maxpos, size_t *npos)
{
	int i, done = 0;
	size_t o;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (!done && strcmp(a, "--help") == 0)
			return cli_help(cli, cmd);
		if (!done && strcmp(a, "--") == 0) {
			done = 1;
			continue;
		}
		if (done || a[0] != '-' || a[1] == '\0') {
			if (*npos == maxpos)
				return cli_usage_error(cli, cmd, a, "unexpected argument");
			pos[(*npos)++] = a;
			continue;
		}
		for (o = 0; o < nopts; o++)
			if (opts[o].takes_value ? cli_match_opt(opts[o].name, argc, argv, &i, &v) :
			    strcmp(a, opts[o].name) == 0)
				break;
		if (o == nopts)
			return cli_usage_error(cli, cmd, a, "unknown option");
		if (opts[o].takes_value && v == NULL)
			return cli_usage_error(cli, cmd, opts[o].name, "missing value");
		if (vals[o].n > 0 && !opts[o].repeat)
			return cli_usage_error(cli, cmd, opts[o].name, "given twice");
		if (vals[o].n == GMKCLI_REPEAT_MAX)
			return cli_usage_error(cli, cmd, opts[o].name, "given too often");
		vals[o].v[vals[o].n++] = v;
	}
	if (*npos < minpos)
		return cli_usage_error(cli, cmd, "arguments", "missing");
	return -1;
}

int
gmkcli_time(const struct cli *cli, const struct cli_cmd *cmd, const char *opt,
    const char *text, int64_t *out)
{
	if (time_parse(text, out) != 0)
		return cli_usage_error(cli, cmd, opt, "not an ISO 8601 UTC time or @SECONDS");
	return -1;
}

int
gmkcli_ks(const struct cli *cli, const struct cli_cmd *cmd, void *ctx, struct ks **ks)
{
	int st = ctx_open(ctx, cli, cmd, ks);

	return st == CLI_OK ? -1 : st;
}

int
gmkcli_chan(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    const char *url, const char *token_file, const char *cacert, long timeout,
    struct gmschan **ch)
{
	const struct ks_settings *set = ks_settings(ks);
	struct gmschan_target t;
	char why[GMSCHAN_WHY_MAX] = "";
	int err;

	memset(&t, 0, sizeof(t));
	t.url = url;
	t.user = ks_uri(ks);
	t.token_file = token_file != NULL ? token_file : set->token_file;
	t.cacert = cacert != NULL ? cacert : set->cacert;
	t.client_cert = set->client_cert;
	t.client_key = set->client_key;
	t.timeout = timeout;
	if ((err = gmschan_new(ch, &t, why, sizeof(why))) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "GMS channel", *why ? why :
		    skm_strerror(err));
	return -1;
}

void
gmkcli_now(struct gmkcli_send *s)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		s->now = (int64_t)time(NULL);
		s->now_frac = 0;
		return;
	}
	s->now = (int64_t)ts.tv_sec;
	s->now_frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

int
gmkcli_send(const struct cli *cli, const struct cli_cmd *cmd, struct ks *ks,
    const struct gmkcli_send *s)
{
	struct gmksend_result *res = NULL;
	struct mikey_kp kp;
	struct gmksend g;
	char why[KS_WHY_MAX] = "";
	const char *what = NULL;
	size_t i;
	int err, status = CLI_FAILED;

	memset(&g, 0, sizeof(g));
	if ((err = gmksend_ks(ks, s->now, s->now_frac, 1, &g, &what, why, sizeof(why))) != 0) {
		cli_error(cli, cmd, strcmp(what, "key set") == 0 && err != SKM_ENOTFOUND ?
		    CLI_UNREACHABLE : CLI_FAILED, what, why);
		goto out;
	}
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.activation = (uint64_t)s->activation;
	kp.expiry = (uint64_t)s->expiry;
	kp.text = (char *)(uintptr_t)s->text;
	for (i = 0; i < s->ngroups && i < MIKEY_KP_GROUPS_MAX; i++)
		kp.groups[i] = (char *)(uintptr_t)s->groups[i];
	kp.ngroups = i;
	g.gmk = s->gmk;
	g.gmk_id = s->gmk_id;
	g.kp = &kp;
	g.hide = s->hide;
	g.group = s->groups[0];
	g.outdir = s->outdir;
	if ((res = calloc(s->nuris + 1, sizeof(*res))) == NULL) {
		cli_error(cli, cmd, CLI_FAILED, "memory", skm_strerror(SKM_ENOMEM));
		goto out;
	}
	err = gmksend_run(&g, s->uris, s->nuris, res);
	for (i = 0; i < s->nuris; i++) {
		if (res[i].err == 0)
			printf("sent: %s %s\n", s->uris[i], res[i].file);
		else
			cli_error(cli, cmd, CLI_FAILED, s->uris[i], skm_strerror(res[i].err));
	}
	if (err != 0) {
		if (s->nuris == 0 || res[0].file[0] == '\0')
			cli_error(cli, cmd, CLI_FAILED, s->outdir, skm_strerror(err));
		goto out;
	}
	status = CLI_OK;
out:
	free(res);
	gmksend_ks_free(&g);
	return status;
}
