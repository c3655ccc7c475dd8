/* SPDX-License-Identifier: ISC */
/* skmsctl's shared steps: config, store, KMS, arguments, messages. */
#include "config.h"
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "lib/uri.h"
#include "store/audit.h"
#include "store/kek.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CTL_DEFAULT_CONFIG	SYSCONFDIR "/skms/skms.yaml"

int
ctl_conf(struct ctl *c)
{
	struct conf_error err;
	const char *path = c->config_path;
	char msg[600];
	int rc;

	if (c->conf != NULL)
		return 0;
	memset(&err, 0, sizeof(err));
	if (path == NULL && access(CTL_DEFAULT_CONFIG, F_OK) == 0)
		path = CTL_DEFAULT_CONFIG;
	rc = path != NULL ? conf_load(path, &c->conf, &err) : conf_defaults(&c->conf);
	if (rc != 0) {
		if (err.msg[0] != '\0')
			conf_error_str(&err, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "%s: %s", path != NULL ? path : "defaults",
			    skm_strerror(rc));
		return ctl_fail(c, msg, NULL);
	}
	/* A token key is checked (sensitive, not extractable) when recorded. */
	kek_pkcs11_set(c->conf->kek.pkcs11_module, c->conf->kek.pin_file,
	    KEK_PKCS11_ALLOW_EXTRACTABLE);
	kek_pkcs11_set_uri(c->conf->kek.pkcs11_uri);
	kek_pkcs11_set_mechanism((enum kek_pkcs11_mech)c->conf->kek.pkcs11_mechanism);
	return 0;
}

const char *
ctl_store_path(struct ctl *c)
{
	return c->store_path != NULL ? c->store_path : c->conf->store.path;
}

int
ctl_store(struct ctl *c, int create)
{
	char why[512];
	int rc;

	if (c->store != NULL)
		return 0;
	if ((rc = ctl_conf(c)) != 0)
		return rc;
	rc = kms_store_open(c->conf, c->store_path, create ? STORE_CREATE : 0, &c->store,
	    why, sizeof(why));
	if (rc != 0 && (rc != SKM_ENOTFOUND ||
	    c->conf->store.backend == CONF_STORE_POSTGRESQL) && why[0] != '\0')
		return cli_error(c->cli, c->cmd, CLI_UNREACHABLE, why, NULL);
	if (rc != 0)
		return cli_error(c->cli, c->cmd, CLI_UNREACHABLE, ctl_store_path(c),
		    rc == SKM_ENOTFOUND ? "no store here (run 'skmsctl init')" : skm_strerror(rc));
	return 0;
}

int
ctl_kms(struct ctl *c)
{
	char why[256];
	int rc;

	if (c->kms != NULL)
		return 0;
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	/* The config's kek.file or kek.passphrase-file, as skmsd takes them. */
	if ((rc = kms_open(c->store, c->conf->kek.file, c->conf->kek.passphrase_file,
	    &c->kms, why, sizeof(why))) != 0)
		return ctl_fail(c, "opening the domain", why[0] != '\0' ? why : skm_strerror(rc));
	return 0;
}

void
ctl_close(struct ctl *c)
{
	kms_free(c->kms);
	store_close(c->store);
	conf_free(c->conf);
	c->kms = NULL;
	c->store = NULL;
	c->conf = NULL;
}

const char *
ctl_parse_time(const char *text, int64_t *out)
{
	if (time_parse(text, out) != 0)
		return "not a time (ISO 8601 UTC such as 2026-01-31T12:00:00Z, or @UNIXSECONDS)";
	return NULL;
}

int64_t
ctl_now(void)
{
	return (int64_t)time(NULL);
}

int
ctl_fail(struct ctl *c, const char *what, const char *why)
{
	return cli_error(c->cli, c->cmd, CLI_FAILED, what, why);
}

int
ctl_usage(struct ctl *c, const char *what, const char *why)
{
	return cli_usage_error(c->cli, c->cmd, what, why);
}

int
ctl_uri(struct ctl *c, const char *uri)
{
	const char *why;

	if (uri_check(uri, strlen(uri), &why) != 0)
		return ctl_usage(c, uri, why);
	return 0;
}

/* One declared option's value into its destination; NULL or a reason. */
static const char *
ctl_arg_set(const struct ctl_arg *a, const char *value)
{
	struct ctl_list *l;

	if (a->given != NULL)
		*a->given = 1;
	switch (a->type) {
	case CTL_ARG_STR:
		*(const char **)a->dst = value;
		return NULL;
	case CTL_ARG_U64:
		return cli_parse_u64(value, a->dst);
	case CTL_ARG_TIME:
		return ctl_parse_time(value, a->dst);
	case CTL_ARG_LIST:
		l = a->dst;
		if (l->n == l->max)
			return "given too many times";
		l->v[l->n++] = value;
		return NULL;
	case CTL_ARG_FLAG:
		return NULL;
	}
	return "unknown option type";
}

#define CTL_ARGS_MAX	16

int
ctl_args(struct ctl *c, int argc, char **argv, const struct ctl_arg *args, int min,
    int max, const char **pos, int *rc)
{
	struct option opts[CTL_ARGS_MAX + 2];
	char name[64];
	const char *why;
	int ch, i, n;

	memset(opts, 0, sizeof(opts));
	for (n = 0; args != NULL && args[n].name != NULL && n < CTL_ARGS_MAX; n++) {
		opts[n].name = args[n].name;
		opts[n].has_arg = args[n].type == CTL_ARG_FLAG ? no_argument :
		    required_argument;
		opts[n].val = 1000 + n;
	}
	opts[n].name = "help";
	opts[n].val = 'h';
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (ch == 'h') {
			*rc = cli_help(c->cli, c->cmd);
			return 0;
		}
		if (ch == '?' || ch == ':') {
			*rc = ctl_usage(c, argv[optind - 1], ch == '?' ? "unknown option" :
			    "missing argument");
			return 0;
		}
		if ((why = ctl_arg_set(&args[ch - 1000], optarg)) != NULL) {
			snprintf(name, sizeof(name), "--%s", args[ch - 1000].name);
			*rc = ctl_usage(c, name, why);
			return 0;
		}
	}
	if (argc - optind < min) {
		*rc = ctl_usage(c, "missing argument", NULL);
		return 0;
	}
	if (argc - optind > max) {
		*rc = ctl_usage(c, argv[optind + max], "unexpected argument");
		return 0;
	}
	for (i = 0; i < argc - optind; i++)
		pos[i] = argv[optind + i];
	return 1;
}

void
ctl_audit(struct ctl *c, struct store_txn *t, const char *action, const char *uri,
    const char *detail)
{
	struct audit_rec a;

	memset(&a, 0, sizeof(a));
	a.time = ctl_now();
	a.actor = c->actor;
	a.action = action;
	a.uri = (const uint8_t *)uri;
	a.uri_len = uri != NULL ? strlen(uri) : 0;
	a.detail = detail;
	store_audit_append(t, &a, NULL);
}
