/* SPDX-License-Identifier: ISC */
/*
 * The public side of the domain: domain show, cert export, period show.
 * None of them needs the key-encryption key.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "kms/kms.h"
#include "lib/kmsxml.h"

#include <stdio.h>
#include <string.h>

static int
domain_open(struct ctl *c)
{
	int rc;

	if (c->kms != NULL)
		return 0;
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = kms_open_public(c->store, &c->kms)) != 0)
		return ctl_fail(c, "domain", rc == SKM_ENOTFOUND ?
		    "no domain in this store (run 'skmsctl init')" : skm_strerror(rc));
	return 0;
}

static int
no_args(struct ctl *c, int argc, char **argv)
{
	int rc = 0;

	return ctl_args(c, argc, argv, NULL, 0, 0, NULL, &rc) ? 0 : rc;
}

static void
domain_period(struct out *o, uint64_t no, int64_t start, int64_t end)
{
	out_u64(o, "period", no);
	out_time(o, "period-start", start, 0);
	out_time(o, "period-end", end, 0);
}

/* One generation: its certificate, state and the first period it derives. */
static void
domain_gen(struct ctl *c, const struct kms_gen *g, enum generation_state state)
{
	struct out *o = &c->out;
	uint64_t no;
	int64_t start, end;

	out_item_begin(o);
	out_str(o, "certificate", g->rec.cert_uri);
	out_u64(o, "generation", g->rec.id);
	out_str(o, "state", generation_state_name(state));
	out_bool(o, "revoked", g->rec.revoked);
	if (g->rec.effective == GENERATION_FIRST)
		out_str(o, "effective-from", "-");
	else {
		out_time(o, "effective-from", g->rec.effective, 0);
		if (kms_period_at(c->kms, g->rec.effective, &no, &start, &end) == 0)
			out_u64(o, "effective-period", no);
	}
	out_time(o, "valid-from", g->rec.valid_from, 1);
	out_time(o, "valid-to", g->rec.valid_to, 1);
	out_item_end(o);
}

int
cmd_domain_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const struct domain_rec *d;
	struct out *o = &c->out;
	struct kmsxml_cert cert;
	uint64_t no;
	int64_t now = ctl_now(), start, end;
	size_t i;
	int rc;

	if ((rc = no_args(c, argc, argv)) != 0 || (rc = domain_open(c)) != 0)
		return rc;
	d = &c->kms->domain;
	out_begin(o, c->json);
	out_str(o, "kms-uri", d->kms_uri);
	out_u64(o, "key-period", d->user_key_period);
	out_u64(o, "key-offset", d->user_key_offset);
	out_u64(o, "user-id-format", d->user_id_format);
	out_u64(o, "parameter-set", d->parameter_set);
	if ((rc = kms_period_at(c->kms, now, &no, &start, &end)) == 0)
		domain_period(o, no, start, end);
	/* The certificate in force now; every generation is listed below. */
	kms_cert(c->kms, now, &cert);
	out_str(o, "cert-uri", cert.cert_uri != NULL ? cert.cert_uri : "");
	out_str(o, "issuer", d->issuer);
	out_time(o, "valid-from", cert.valid_from, 1);
	out_time(o, "valid-to", cert.valid_to, 1);
	out_bool(o, "revoked", cert.revoked);
	out_list_begin(o, "kms-domains");
	for (i = 0; i < d->n_domains; i++) {
		if (c->json) {
			out_item_begin(o);
			out_str(o, "domain", d->kms_domain_list[i]);
			out_item_end(o);
		} else
			out_str(o, "kms-domain", d->kms_domain_list[i]);
	}
	out_list_end(o);
	out_str(o, "kek", kek_kind_name(d->kek.kind));
	out_str(o, "kek-path", d->kek.path);
	out_hex(o, "pub-enc-key", cert.pub_enc_key, sizeof(cert.pub_enc_key));
	out_hex(o, "pub-auth-key", cert.pub_auth_key, sizeof(cert.pub_auth_key));
	out_list_begin(o, "certificates");
	for (i = 0; i < kms_gen_count(c->kms); i++)
		domain_gen(c, kms_gen_at(c->kms, i), kms_gen_state(c->kms, i, now));
	out_list_end(o);
	out_end(o);
	return 0;
}

int
cmd_cert_export(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct kmsxml_cert cert;
	const char *uri = NULL;
	const struct kms_gen *g;
	char *doc;
	size_t len, i;
	int rc = 0, by_uri = 0;
	const struct ctl_arg args[] = {
		{ "cert-uri", CTL_ARG_STR, &uri, &by_uri },
		{ NULL, 0, NULL, NULL },
	};

	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	if ((rc = domain_open(c)) != 0)
		return rc;
	if (by_uri) {
		for (i = 0; (g = kms_gen_at(c->kms, i)) != NULL; i++)
			if (strcmp(g->rec.cert_uri, uri) == 0)
				break;
		if (g == NULL)
			return ctl_fail(c, uri, "no certificate of this domain has this CertUri");
		kms_gen_cert(c->kms, g, &cert);
	} else
		kms_cert(c->kms, ctl_now(), &cert);
	if ((rc = kmsxml_cert_doc(&cert, &doc, &len)) != 0)
		return ctl_fail(c, "encoding the certificate", skm_strerror(rc));
	fwrite(doc, 1, len, stdout);
	kmsxml_free(doc, len);
	return 0;
}

int
cmd_period_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	uint64_t no = 0;
	int64_t at = ctl_now(), start, end;
	int rc = 0, by_no = 0, by_at = 0;
	const struct ctl_arg args[] = {
		{ "at", CTL_ARG_TIME, &at, &by_at },
		{ "period", CTL_ARG_U64, &no, &by_no },
		{ NULL, 0, NULL, NULL },
	};

	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	if (by_at && by_no)
		return ctl_usage(c, "--at", "give --at or --period, not both");
	if ((rc = domain_open(c)) != 0)
		return rc;
	if (by_no) {
		if ((rc = kms_period_bounds(c->kms, no, &start, &end)) != 0)
			return ctl_fail(c, "--period", skm_strerror(rc));
	} else if ((rc = kms_period_at(c->kms, at, &no, &start, &end)) != 0)
		return ctl_fail(c, "--at", rc == SKM_ERANGE ?
		    "before the first key period" : skm_strerror(rc));
	out_begin(&c->out, c->json);
	domain_period(&c->out, no, start, end);
	out_end(&c->out);
	return 0;
}
