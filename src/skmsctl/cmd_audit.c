/* SPDX-License-Identifier: ISC */
/* skmsctl audit: the append-only log of admin actions and issued key sets. */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/store.h"

#include <getopt.h>
#include <string.h>

static int
audit_one(const struct audit_rec *r, void *arg)
{
	struct out *o = arg;

	out_item_begin(o);
	out_u64(o, "seq", r->seq);
	out_time(o, "time", r->time, 0);
	out_str(o, "actor", r->actor);
	out_str(o, "action", r->action);
	out_strn(o, "identity", r->uri != NULL ? (const char *)r->uri : "", r->uri_len);
	out_str(o, "detail", r->detail);
	out_item_end(o);
	return 0;
}

int
cmd_audit(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "identity", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl *c = ctx;
	struct store_txn t;
	const char *why, *uri = NULL;
	int64_t since = 0;
	int ch, rc = 0;

	optind = 0;
	while ((ch = ctl_opt(c, argc, argv, opts, &rc)) != -1) {
		if (ch == CTL_OPT_EXIT)
			return rc;
		if (ch == 's' && (why = ctl_parse_time(optarg, &since)) != NULL)
			return ctl_usage(c, "--since", why);
		if (ch == 'i')
			uri = optarg;
	}
	if ((rc = ctl_positional(c, argc, argv, 0)) != 0)
		return rc;
	if (uri != NULL && (rc = ctl_uri(c, uri)) != 0)
		return rc;
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_list_begin(&c->out, "entries");
	rc = store_audit_list(&t, since, (const uint8_t *)uri, uri != NULL ? strlen(uri) : 0,
	    audit_one, &c->out);
	out_list_end(&c->out);
	out_end(&c->out);
	store_txn_abort(&t);
	return rc != 0 ? ctl_fail(c, "store", skm_strerror(rc)) : 0;
}
