/* SPDX-License-Identifier: ISC */
/*
 * Rollover of the domain's master secrets and Root certificate, and the
 * purge of retired generations: domain rollover, domain purge-retired.
 * The rollover needs the key-encryption key (it seals new secrets); with
 * --now --revoke-current it is the emergency one of a suspected
 * compromise (kms_rollover() says what changes). The purge reads the key-period window from the config, as skmsd does.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "kms/kms.h"

#include <stdio.h>
#include <string.h>

int
cmd_domain_rollover(const struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, void *ctx)
{
	struct ctl *c = ctx;
	struct kms_rollover_params p;
	struct generation_rec g;
	const char *cert_uri = NULL;
	char why[DOMAIN_URI_MAX + 256], revoked[DOMAIN_URI_MAX + 1];
	struct kmsxml_cert cur;
	uint64_t no;
	int64_t start, end;
	int rc = 0, have_at = 0, have_uri = 0;
	const struct ctl_arg args[] = {
		{ "at", CTL_ARG_TIME, &p.at, &have_at },
		{ "now", CTL_ARG_FLAG, NULL, &p.immediate },
		{ "revoke-current", CTL_ARG_FLAG, NULL, &p.revoke_current },
		{ "valid-to", CTL_ARG_TIME, &p.valid_to, NULL },
		{ "cert-uri", CTL_ARG_STR, &cert_uri, &have_uri },
		{ NULL, 0, NULL, NULL },
	};

	memset(&p, 0, sizeof(p));
	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	if (p.immediate && have_at)
		return ctl_usage(c, "--now", "not with --at: give one of them");
	/* Only a compromise justifies replacing key sets already issued. */
	if (p.revoke_current && !p.immediate)
		return ctl_usage(c, "--revoke-current", "only with --now: the certificate "
		    "in force is revoked by an immediate rollover");
	if (p.immediate && !p.revoke_current)
		return ctl_usage(c, "--now", "only with --revoke-current: key sets issued "
		    "for the current key period are replaced only after a compromise");
	if (!have_at && !p.immediate)
		return ctl_usage(c, "--at", "required: when the new secrets take effect "
		    "(or --now --revoke-current)");
	if (have_uri && (rc = ctl_uri(c, cert_uri)) != 0)
		return rc;
	p.cert_uri = cert_uri;
	if ((rc = ctl_kms(c)) != 0)
		return rc;
	kms_cert(c->kms, ctl_now(), &cur);
	snprintf(revoked, sizeof(revoked), "%s", cur.cert_uri != NULL ? cur.cert_uri : "");
	if ((rc = kms_rollover(c->kms, c->store, &p, c->actor, ctl_now(), &g, why,
	    sizeof(why))) != 0)
		return ctl_fail(c, "rollover", why[0] != '\0' ? why : skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_u64(&c->out, "generation", g.id);
	out_str(&c->out, "cert-uri", g.cert_uri);
	if (kms_period_at(c->kms, g.effective, &no, &start, &end) == 0)
		out_u64(&c->out, "effective-period", no);
	out_time(&c->out, "effective-from", g.effective, 0);
	out_time(&c->out, "valid-from", g.valid_from, 0);
	out_time(&c->out, "valid-to", g.valid_to, 0);
	if (p.revoke_current)
		out_str(&c->out, "revoked", revoked);
	out_end(&c->out);
	return 0;
}

int
cmd_domain_purge_retired(const struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, void *ctx)
{
	struct ctl *c = ctx;
	uint32_t ids[GENERATION_MAX];
	char why[DOMAIN_URI_MAX + 256];
	uint64_t cur, oldest;
	int64_t now = ctl_now(), start, end;
	size_t n = 0, i;
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 0, 0, NULL, &rc))
		return rc;
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if (c->kms == NULL && (rc = kms_open_public(c->store, &c->kms)) != 0)
		return ctl_fail(c, "domain", rc == SKM_ENOTFOUND ?
		    "no domain in this store (run 'skmsctl init')" : skm_strerror(rc));
	/* The oldest period a request may ask for, by the config's window. */
	if ((rc = kms_period_at(c->kms, now, &cur, &start, &end)) != 0)
		return ctl_fail(c, "current key period", skm_strerror(rc));
	oldest = cur > c->conf->period.window_past ? cur - c->conf->period.window_past : 0;
	if ((rc = kms_period_bounds(c->kms, oldest, &start, &end)) != 0)
		return ctl_fail(c, "key period window", skm_strerror(rc));
	if ((rc = kms_purge_retired(c->kms, c->store, start, c->actor, now, ids,
	    GENERATION_MAX, &n, why, sizeof(why))) != 0)
		return ctl_fail(c, "purge-retired", why[0] != '\0' ? why :
		    skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_u64(&c->out, "purged", n);
	out_list_begin(&c->out, "generations");
	for (i = 0; i < n; i++) {
		if (c->json) {
			out_item_begin(&c->out);
			out_u64(&c->out, "generation", ids[i]);
			out_item_end(&c->out);
		} else
			out_u64(&c->out, "generation", ids[i]);
	}
	out_list_end(&c->out);
	out_end(&c->out);
	return 0;
}
