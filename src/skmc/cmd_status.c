/* SPDX-License-Identifier: ISC */
/*
 * skmc status: the identity, its KMS and server, the Root certificate's
 * validity, the next certificate of a scheduled master-secret rollover,
 * every held certificate with its state and the key periods under it, the
 * certificates the KMS revoked, the stored key periods, the next period
 * boundary and when the next fetch is due; as "name: value" lines or, with --json, one JSON object.
 * Reads the keystore only; contacts no KMS and shows no key bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "client/kmsdoc.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/time.h"
#include "skmc/cmd.h"

static const char *const status_flags[] = { "--json" };

/* A JSON string (RFC 8259 7): quotes, backslash and control characters escaped. */
static void
status_json_str(const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void
status_time(int64_t t, char *buf)
{
	if (t == 0 || time_format(t, buf, TIME_TEXT_LEN) != 0)
		buf[0] = '\0';
}

int
cmd_status(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	const struct skmc_ctx *ctx = arg;
	int json = 0;
	struct ctx_opts o = { NULL, NULL, 0, status_flags, &json, 1, NULL, 0, 0 };
	char from[TIME_TEXT_LEN], to[TIME_TEXT_LEN], roll[TIME_TEXT_LEN], due[TIME_TEXT_LEN];
	char why[KS_WHY_MAX] = "", nfrom[TIME_TEXT_LEN];
	const struct kmsdoc_cert *c, *nc;
	struct ks_certinfo *certs = NULL;
	struct kmsdoc **rdocs = NULL;
	size_t nrevoked = 0;
	size_t ncerts = 0, j;
	struct ks *ks = NULL;
	uint64_t *periods = NULL, cur = 0;
	int64_t now = (int64_t)time(NULL), start, end, next;
	size_t n = 0, i;
	int rc, err, revoked;

	if ((rc = ctx_args(cli, cmd, argc, argv, &o)) != CLI_OK)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = ctx_open(ctx, cli, cmd, &ks)) != CLI_OK)
		return rc;
	if ((err = ks_cert(ks, &c, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "keystore", why);
		goto out;
	}
	if ((err = ks_periods(ks, &periods, &n)) != 0 ||
	    (err = ks_period_at(ks, now, &cur)) != 0 ||
	    (err = ks_period_bounds(ks, cur, &start, &end)) != 0 ||
	    (err = ctx_next_fetch(ctx, ks, now, &next)) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "status", skm_strerror(err));
		goto out;
	}
	/* Revoked in the document, or by the KMS since (ks_revoked.h). */
	revoked = c->revoked || ks_revoked_is(ks, c->cert_uri);
	if ((err = ks_revoked_list(ks, &rdocs, &nrevoked)) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "revoked certificates", skm_strerror(err));
		goto out;
	}
	if ((err = ks_certs(ks, now, &certs, &ncerts, why, sizeof(why))) != 0) {
		rc = cli_error(cli, cmd, CLI_FAILED, "certificates", why);
		goto out;
	}
	if (ks_cert_next(ks, now, &nc) != 0)
		nc = NULL;
	status_time(nc != NULL ? nc->valid_from : 0, nfrom);
	status_time(c->valid_from, from);
	status_time(c->valid_to, to);
	status_time(end, roll);
	status_time(next, due);
	if (json) {
		fputs("{\"identity\":", stdout);
		status_json_str(ks_uri(ks));
		fputs(",\"kms_uri\":", stdout);
		status_json_str(c->kms_uri);
		fputs(",\"server\":", stdout);
		status_json_str(ks_settings(ks)->server);
		fputs(",\"certificate\":{\"valid_from\":", stdout);
		status_json_str(*from ? from : NULL);
		fputs(",\"valid_to\":", stdout);
		status_json_str(*to ? to : NULL);
		printf(",\"revoked\":%s,\"cert_uri\":", revoked ? "true" : "false");
		status_json_str(c->cert_uri);
		fputs("},\"next_certificate\":", stdout);
		if (nc == NULL) {
			fputs("null", stdout);
		} else {
			fputs("{\"cert_uri\":", stdout);
			status_json_str(nc->cert_uri);
			fputs(",\"valid_from\":", stdout);
			status_json_str(nfrom);
			printf(",\"valid_from_unix\":%" PRId64 "}", nc->valid_from);
		}
		fputs(",\"certificates\":[", stdout);
		for (i = 0; i < ncerts; i++) {
			fputs(i ? ",{\"cert_uri\":" : "{\"cert_uri\":", stdout);
			status_json_str(certs[i].cert->cert_uri);
			printf(",\"state\":\"%s\",\"periods\":[",
			    ks_cert_state_name(certs[i].state));
			for (j = 0; j < certs[i].nperiods; j++)
				printf("%s%" PRIu64, j ? "," : "", certs[i].periods[j]);
			fputs("]}", stdout);
		}
		fputs("],\"revoked_certificates\":[", stdout);
		for (i = 0; i < nrevoked; i++) {
			fputs(i ? "," : "", stdout);
			status_json_str(rdocs[i]->certs[0].cert_uri);
		}
		printf("],\"key_period\":%" PRIu64 ",\"key_offset\":%" PRIu64
		    ",\"current_period\":%" PRIu64 ",\"periods\":[", c->user_key_period,
		    c->user_key_offset, cur);
		for (i = 0; i < n; i++)
			printf("%s%" PRIu64, i ? "," : "", periods[i]);
		printf("],\"next_rollover\":\"%s\",\"next_rollover_unix\":%" PRId64
		    ",\"next_fetch\":\"%s\",\"next_fetch_unix\":%" PRId64 "}\n", roll, end, due,
		    next);
	} else {
		printf("identity: %s\nkms-uri: %s\nserver: %s\n", ks_uri(ks), c->kms_uri,
		    ks_settings(ks)->server ? ks_settings(ks)->server : "none");
		printf("certificate-valid-from: %s\ncertificate-valid-to: %s\n"
		    "certificate-revoked: %s\n", *from ? from : "-", *to ? to : "-",
		    revoked ? "yes" : "no");
		printf("cert-uri: %s\nnext-cert-uri: %s\nnext-cert-valid-from: %s\n",
		    c->cert_uri != NULL ? c->cert_uri : "-",
		    nc != NULL && nc->cert_uri != NULL ? nc->cert_uri : "none",
		    nc != NULL && *nfrom ? nfrom : "-");
		for (i = 0; i < ncerts; i++) {
			printf("certificate: %s %s",
			    certs[i].cert->cert_uri != NULL ? certs[i].cert->cert_uri : "-",
			    ks_cert_state_name(certs[i].state));
			for (j = 0; j < certs[i].nperiods; j++)
				printf(" %" PRIu64, certs[i].periods[j]);
			putchar('\n');
		}
		for (i = 0; i < nrevoked; i++)
			printf("revoked: %s\n", rdocs[i]->certs[0].cert_uri != NULL ?
			    rdocs[i]->certs[0].cert_uri : "-");
		printf("key-period: %" PRIu64 "\nkey-offset: %" PRIu64 "\ncurrent-period: %"
		    PRIu64 "\nperiods:", c->user_key_period, c->user_key_offset, cur);
		for (i = 0; i < n; i++)
			printf(" %" PRIu64, periods[i]);
		printf("\nnext-rollover: %s\nnext-fetch: %s\n", roll, due);
	}
	rc = cli_finish(cli, cmd);
out:
	ks_certs_free(certs, ncerts);
	ks_revoked_free(rdocs, nrevoked);
	free(periods);
	ks_close(ks);
	return rc;
}
