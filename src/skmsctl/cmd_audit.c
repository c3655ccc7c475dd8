/* SPDX-License-Identifier: ISC */
/* skmsctl audit: the append-only log of admin actions and issued key sets. */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "store/audit.h"
#include "store/store.h"

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
	struct ctl *c = ctx;
	struct store_txn t;
	const char *uri = NULL;
	int64_t since = 0;
	const struct ctl_arg args[] = {
		{ "since", CTL_ARG_TIME, &since, NULL },
		{ "identity", CTL_ARG_STR, &uri, NULL },
		{ NULL, 0, NULL, NULL },
	};
	int rc = 0;

	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
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
