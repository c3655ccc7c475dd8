/* SPDX-License-Identifier: ISC */
/*
 * skmc's shared state: the defaults, the --config file ("key = value"
 * lines, '#' comments, every key listed in skmc.1 and
 * etc/skmc.conf.sample; an unknown key or bad value is an error with its
 * file and line), opening the keystore for a command, and the option
 * matcher the commands share. It reads no secrets and contacts no KMS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/ks.h"
#include "common/err.h"
#include "skmc/cmd.h"

enum ctx_key {
	CTX_KEYSTORE, CTX_AS, CTX_TIMEOUT, CTX_PURGE_GRACE, CTX_WINDOW, CTX_WINDOW_MAX,
	CTX_RETRY_MIN, CTX_RETRY_MAX, CTX_NKEYS,
};

/* Integer keys: name, lowest and highest value. */
static const struct {
	const char *name;
	uint64_t min, max;
} ctx_keys[CTX_NKEYS] = {
	[CTX_KEYSTORE] = { "keystore", 0, 0 },
	[CTX_AS] = { "as", 0, 0 },
	[CTX_TIMEOUT] = { "timeout", 1, 3600 },
	[CTX_PURGE_GRACE] = { "purge-grace", 0, 100000000 },
	[CTX_WINDOW] = { "watch-window", 1, 100 },
	[CTX_WINDOW_MAX] = { "watch-window-max", 1, 100000000 },
	[CTX_RETRY_MIN] = { "retry-min", 1, 86400 },
	[CTX_RETRY_MAX] = { "retry-max", 1, 86400 },
};

static int
ctx_set(struct skmc_ctx *ctx, enum ctx_key k, const char *v, const char *path, int line,
    char *why, size_t whylen)
{
	const char *reason;
	uint64_t n = 0;

	if (k == CTX_KEYSTORE || k == CTX_AS) {
		char **slot = &ctx->owned[k == CTX_AS];

		if (*v == '\0') {
			snprintf(why, whylen, "%s:%d: %s: empty value", path, line,
			    ctx_keys[k].name);
			return SKM_EPARSE;
		}
		free(*slot);
		if ((*slot = strdup(v)) == NULL)
			return SKM_ENOMEM;
		if (k == CTX_KEYSTORE)
			ctx->keystore = *slot;
		else
			ctx->as = *slot;
		return 0;
	}
	if ((reason = cli_parse_u64(v, &n)) == NULL &&
	    (n < ctx_keys[k].min || n > ctx_keys[k].max))
		reason = "out of range";
	if (reason != NULL) {
		snprintf(why, whylen, "%s:%d: %s: %s", path, line, ctx_keys[k].name, reason);
		return SKM_EPARSE;
	}
	switch (k) {
	case CTX_TIMEOUT:
		ctx->timeout = (long)n;
		break;
	case CTX_PURGE_GRACE:
		ctx->purge_grace = (int64_t)n;
		break;
	case CTX_WINDOW:
		ctx->window_pct = (unsigned)n;
		break;
	case CTX_WINDOW_MAX:
		ctx->window_max = (int64_t)n;
		break;
	case CTX_RETRY_MIN:
		ctx->retry_min = (int64_t)n;
		break;
	default:
		ctx->retry_max = (int64_t)n;
		break;
	}
	return 0;
}

static char *
ctx_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'); e--)
		;
	*e = '\0';
	return s;
}

int
ctx_load(struct skmc_ctx *ctx, const char *path, char *why, size_t whylen)
{
	char line[4096], *eq, *key, *val;
	FILE *f;
	int k, n = 0, err = 0;

	ctx->timeout = 60;
	ctx->purge_grace = 86400;
	ctx->window_pct = 10;
	ctx->window_max = 3600;
	ctx->retry_min = 10;
	ctx->retry_max = 3600;
	if (path == NULL)
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return SKM_ENOTFOUND;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(why, whylen, "%s:%d: line too long", path, n);
			err = SKM_EPARSE;
			goto out;
		}
		key = ctx_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(why, whylen, "%s:%d: expected key = value", path, n);
			err = SKM_EPARSE;
			goto out;
		}
		*eq = '\0';
		key = ctx_trim(key);
		val = ctx_trim(eq + 1);
		for (k = 0; k < CTX_NKEYS; k++)
			if (strcmp(key, ctx_keys[k].name) == 0)
				break;
		if (k == CTX_NKEYS) {
			snprintf(why, whylen, "%s:%d: unknown key '%s'", path, n, key);
			err = SKM_EPARSE;
			goto out;
		}
		if ((err = ctx_set(ctx, (enum ctx_key)k, val, path, n, why, whylen)) != 0)
			goto out;
	}
	if (ferror(f)) {
		snprintf(why, whylen, "%s: read error", path);
		err = SKM_EIO;
	} else if (ctx->retry_min > ctx->retry_max) {
		snprintf(why, whylen, "%s: retry-min is larger than retry-max", path);
		err = SKM_EPARSE;
	}
out:
	fclose(f);
	return err;
}

void
ctx_free(struct skmc_ctx *ctx)
{
	free(ctx->owned[0]);
	free(ctx->owned[1]);
	ctx->owned[0] = ctx->owned[1] = NULL;
}

int
ctx_status(int err)
{
	return err == SKM_EUNREACH ? CLI_UNREACHABLE : CLI_FAILED;
}

int
ctx_open(const struct skmc_ctx *ctx, const struct cli *cli, const struct cli_cmd *cmd,
    struct ks **ks)
{
	char why[KS_WHY_MAX] = "";
	int err;

	if ((err = ks_open(ks, ctx->keystore, ctx->as, 0, why, sizeof(why))) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "keystore", *why ? why :
		    skm_strerror(err));
	ks_set_timeout(*ks, ctx->timeout);
	return CLI_OK;
}

int
ctx_args(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    struct ctx_opts *o)
{
	const char *v;
	size_t k;
	int i, done = 0;

	o->npos = 0;
	for (i = 1; i < argc; i++) {
		if (!done && strcmp(argv[i], "--help") == 0) {
			(void)cli_help(cli, cmd);
			return -1;
		}
		if (!done && strcmp(argv[i], "--") == 0) {
			done = 1;
			continue;
		}
		if (done || argv[i][0] != '-' || argv[i][1] == '\0') {
			if (o->npos == o->maxpos)
				return cli_usage_error(cli, cmd, argv[i], "unexpected argument");
			o->pos[o->npos++] = argv[i];
			continue;
		}
		for (k = 0; k < o->nflags; k++)
			if (strcmp(argv[i], o->flags[k]) == 0)
				break;
		if (k < o->nflags) {
			o->flag[k] = 1;
			continue;
		}
		v = NULL;
		for (k = 0; k < o->nnames; k++)
			if (cli_match_opt(o->names[k], argc, argv, &i, &v))
				break;
		if (k == o->nnames)
			return cli_usage_error(cli, cmd, argv[i], "unknown option");
		if (v == NULL || *v == '\0')
			return cli_usage_error(cli, cmd, o->names[k], "missing value");
		if (o->val[k] != NULL)
			return cli_usage_error(cli, cmd, o->names[k], "given twice");
		o->val[k] = v;
	}
	return CLI_OK;
}

int64_t
ctx_window(const struct skmc_ctx *ctx, uint64_t period)
{
	uint64_t w = period / 100 * ctx->window_pct + period % 100 * ctx->window_pct / 100;

	if (w < 1)
		w = 1;
	if ((int64_t)w > ctx->window_max)
		w = (uint64_t)ctx->window_max;
	return (int64_t)w;
}

int
ctx_next_fetch(const struct skmc_ctx *ctx, struct ks *ks, int64_t now, int64_t *due)
{
	const struct kmsdoc_keyset *set;
	uint64_t cur;
	int64_t start, end, period;
	int err;

	if ((err = ks_period_at(ks, now, &cur)) != 0 ||
	    (err = ks_period_bounds(ks, cur, &start, &end)) != 0)
		return err;
	if (ks_keyset(ks, cur, 0, &set, NULL, 0) != 0) {
		*due = now;
		return 0;
	}
	period = end - start;
	if (ks_keyset(ks, cur + 1, 0, &set, NULL, 0) == 0)
		end += period;
	*due = end - ctx_window(ctx, (uint64_t)period);
	if (*due < now)
		*due = now;
	return 0;
}
