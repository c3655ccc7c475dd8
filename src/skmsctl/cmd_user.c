/* SPDX-License-Identifier: ISC */
/*
 * Identities: add, import, list, show, revoke, reinstate, remove. Each
 * change and its audit entry are one write transaction; a running skmsd
 * sees it at its next request.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/time.h"
#include "lib/uri.h"
#include "store/identity.h"
#include "store/tk.h"
#include "store/identity_state.h"
#include "store/period.h"
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
user_role(const char *text, enum identity_role *role)
{
	if (strcmp(text, "user") == 0)
		*role = IDENTITY_USER;
	else if (strcmp(text, "gms") == 0)
		*role = IDENTITY_GMS;
	else
		return -1;
	return 0;
}

static const char *
user_role_name(enum identity_role role)
{
	return role == IDENTITY_GMS ? "gms" : "user";
}

/* Commits t, or reports why the change failed; what names the identity. */
static int
user_commit(struct ctl *c, struct store_txn *t, const char *what)
{
	int rc = store_txn_commit(t);

	switch (rc) {
	case 0:
		return 0;
	case SKM_EEXIST:
		return ctl_fail(c, what, "already registered");
	case SKM_ENOTFOUND:
		return ctl_fail(c, what, "not a registered identity");
	case SKM_EREVOKED:
		return ctl_fail(c, what, "already revoked");
	case SKM_ESTATE:
		return ctl_fail(c, what, "not revoked");
	default:
		return ctl_fail(c, what, skm_strerror(rc));
	}
}

static int
user_begin(struct ctl *c, struct store_txn *t)
{
	int rc;

	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 1, t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	return 0;
}

/* Parses the options of commands that take one URI and nothing else. */
static int
user_uri_arg(struct ctl *c, int argc, char **argv, const char **uri)
{
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 1, 1, uri, &rc))
		return rc;
	return ctl_uri(c, *uri);
}

int
cmd_user_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct identity_rec r;
	struct store_txn t;
	const char *uri, *role = "user";
	const struct ctl_arg args[] = {
		{ "role", CTL_ARG_STR, &role, NULL },
		{ "valid-from", CTL_ARG_TIME, &r.valid_from, NULL },
		{ "valid-to", CTL_ARG_TIME, &r.valid_to, NULL },
		{ NULL, 0, NULL, NULL },
	};
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.created = ctl_now();
	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	if (user_role(role, &r.role) != 0)
		return ctl_usage(c, "--role", "must be user or gms");
	r.uri = (const uint8_t *)uri;
	r.uri_len = strlen(uri);
	if ((rc = ctl_uri(c, uri)) != 0)
		return rc;
	if (r.valid_to != 0 && r.valid_to <= r.valid_from)
		return ctl_usage(c, "--valid-to", "must be after --valid-from");
	if ((rc = user_begin(c, &t)) != 0)
		return rc;
	store_identity_put(&t, &r, 0);
	ctl_audit(c, &t, "user add", uri, user_role_name(r.role));
	return user_commit(c, &t, uri);
}

/* One import line: "URI [user|gms]"; '#' comments and blank lines pass. */
static int
import_line(char *line, char **uri, enum identity_role *role, const char **why)
{
	char *p = line, *end, *word2;

	line[strcspn(line, "\r\n")] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 1;
	end = p + strcspn(p, " \t");
	word2 = end;
	while (*word2 == ' ' || *word2 == '\t')
		word2++;
	*end = '\0';
	*uri = p;
	*role = IDENTITY_USER;
	if (*word2 != '\0') {
		char *w2end = word2 + strcspn(word2, " \t");

		if (w2end[strspn(w2end, " \t")] != '\0') {
			*why = "more than two columns";
			return -1;
		}
		*w2end = '\0';
		if (user_role(word2, role) != 0) {
			*why = "role must be user or gms";
			return -1;
		}
	}
	if (uri_check(p, strlen(p), why) != 0)
		return -1;
	return 0;
}

int
cmd_user_import(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct identity_rec *recs = NULL;
	struct store_txn t;
	char **uris = NULL, *line = NULL, where[1100], detail[64];
	size_t n = 0, cap = 0, linecap = 0, lineno = 0, i;
	const char *why = NULL, *path;
	ssize_t got;
	FILE *f;
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 1, 1, &path, &rc))
		return rc;
	if ((f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r")) == NULL)
		return ctl_fail(c, path, strerror(errno));
	while ((got = getline(&line, &linecap, f)) != -1) {
		enum identity_role role;
		char *uri;
		int st;

		lineno++;
		if ((st = import_line(line, &uri, &role, &why)) > 0)
			continue;
		if (st < 0) {
			snprintf(where, sizeof(where), "%s:%zu", path, lineno);
			rc = ctl_fail(c, where, why);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 1024;
			void *nr = realloc(recs, ncap * sizeof(*recs));
			void *nu = nr != NULL ? realloc(uris, ncap * sizeof(*uris)) : NULL;

			if (nr != NULL)
				recs = nr;
			if (nu == NULL) {
				rc = ctl_fail(c, path, "out of memory");
				goto out;
			}
			uris = nu;
			cap = ncap;
		}
		if ((uris[n] = strdup(uri)) == NULL) {
			rc = ctl_fail(c, path, "out of memory");
			goto out;
		}
		memset(&recs[n], 0, sizeof(recs[n]));
		recs[n].uri = (const uint8_t *)uris[n];
		recs[n].uri_len = strlen(uris[n]);
		recs[n].role = role;
		recs[n].created = ctl_now();
		n++;
	}
	if (ferror(f)) {
		rc = ctl_fail(c, path, "read error");
		goto out;
	}
	if ((rc = user_begin(c, &t)) != 0)
		goto out;
	store_identity_bulk_put(&t, recs, n);
	snprintf(detail, sizeof(detail), "%zu identities", n);
	ctl_audit(c, &t, "user import", NULL, detail);
	if ((rc = store_txn_commit(&t)) != 0) {
		rc = ctl_fail(c, path, rc == SKM_EEXIST ?
		    "an identity is registered already or listed twice; nothing imported" :
		    skm_strerror(rc));
		goto out;
	}
	out_begin(&c->out, c->json);
	out_u64(&c->out, "imported", n);
	out_end(&c->out);
out:
	if (f != stdin)
		fclose(f);
	for (i = 0; i < n; i++)
		free(uris[i]);
	free(uris);
	free(recs);
	free(line);
	return rc;
}

static void
user_print(struct ctl *c, const struct identity_rec *r, int64_t now)
{
	struct out *o = &c->out;

	out_strn(o, "uri", (const char *)r->uri, r->uri_len);
	out_str(o, "role", user_role_name(r->role));
	out_str(o, "state", identity_state_name(identity_state(r, now)));
	out_time(o, "created", r->created, 1);
	out_time(o, "valid-from", r->valid_from, 1);
	out_time(o, "valid-to", r->valid_to, 1);
	out_time(o, "revoked-at", r->revoked_at, 1);
	out_str(o, "reason", r->reason != NULL ? r->reason : "");
}

struct user_list_arg {
	struct ctl *c;
	int64_t now;
};

static int
user_list_one(const struct identity_rec *r, void *arg)
{
	struct user_list_arg *a = arg;

	out_item_begin(&a->c->out);
	user_print(a->c, r, a->now);
	out_item_end(&a->c->out);
	return 0;
}

int
cmd_user_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	static const char *const names[] = { "not-yet-valid", "active", "expired", "revoked" };
	struct ctl *c = ctx;
	struct user_list_arg a = { c, ctl_now() };
	struct store_txn t;
	const char *state = NULL;
	const struct ctl_arg args[] = {
		{ "state", CTL_ARG_STR, &state, NULL },
		{ NULL, 0, NULL, NULL },
	};
	unsigned mask = 0, s;
	int rc = 0;

	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	for (s = 0; state != NULL && s < 4; s++)
		if (strcmp(state, names[s]) == 0)
			mask |= IDENTITY_STATE_BIT(s);
	if (state != NULL && mask == 0)
		return ctl_usage(c, "--state", "must be active, revoked, expired or not-yet-valid");
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_list_begin(&c->out, "identities");
	rc = store_identity_list(&t, mask, a.now, user_list_one, &a);
	out_list_end(&c->out);
	out_end(&c->out);
	store_txn_abort(&t);
	return rc != 0 ? ctl_fail(c, "store", skm_strerror(rc)) : 0;
}

static int
user_period_one(uint64_t no, int64_t at, const char *reason, void *arg)
{
	struct out *o = arg;

	out_item_begin(o);
	out_u64(o, "revoked-period", no);
	out_time(o, "period-revoked-at", at, 1);
	out_str(o, "period-reason", reason);
	out_item_end(o);
	return 0;
}

int
cmd_user_show(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct identity_rec r;
	struct store_txn t;
	const char *uri;
	int rc;

	if ((rc = user_uri_arg(c, argc, argv, &uri)) != 0 || (rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	if ((rc = store_identity_get(&t, (const uint8_t *)uri, strlen(uri), &r)) != 0) {
		store_txn_abort(&t);
		return ctl_fail(c, uri, rc == SKM_ENOTFOUND ? "not a registered identity" :
		    skm_strerror(rc));
	}
	out_begin(&c->out, c->json);
	user_print(c, &r, ctl_now());
	out_list_begin(&c->out, "revoked-periods");
	rc = store_period_list(&t, (const uint8_t *)uri, strlen(uri), user_period_one, &c->out);
	out_list_end(&c->out);
	out_end(&c->out);
	store_txn_abort(&t);
	return rc != 0 ? ctl_fail(c, "store", skm_strerror(rc)) : 0;
}

int
cmd_user_revoke(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct store_txn t;
	const char *uri, *reason = "";
	char detail[1200], when[TIME_TEXT_LEN];
	uint64_t no = 0;
	int64_t from = ctl_now();
	int rc = 0, by_no = 0, by_from = 0;
	const struct ctl_arg args[] = {
		{ "from", CTL_ARG_TIME, &from, &by_from },
		{ "period", CTL_ARG_U64, &no, &by_no },
		{ "reason", CTL_ARG_STR, &reason, NULL },
		{ NULL, 0, NULL, NULL },
	};

	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	if ((rc = ctl_uri(c, uri)) != 0)
		return rc;
	if (by_no && by_from)
		return ctl_usage(c, "--period", "give --from or --period, not both");
	if (from <= 0)
		return ctl_usage(c, "--from", "must be after 1970");
	if (strlen(reason) > STORE_REASON_MAX)
		return ctl_usage(c, "--reason", "longer than 1024 octets");
	if ((rc = user_begin(c, &t)) != 0)
		return rc;
	if (by_no) {
		store_period_revoke(&t, (const uint8_t *)uri, strlen(uri), no, ctl_now(), reason);
		snprintf(detail, sizeof(detail), "period %" PRIu64 " %s", no, reason);
	} else {
		store_identity_revoke(&t, (const uint8_t *)uri, strlen(uri), from, reason);
		if (time_format(from, when, sizeof(when)) != 0)
			snprintf(when, sizeof(when), "@%" PRId64, from);
		snprintf(detail, sizeof(detail), "from %s %s", when, reason);
	}
	ctl_audit(c, &t, "user revoke", uri, detail);
	return user_commit(c, &t, uri);
}

int
cmd_user_reinstate(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct store_txn t;
	const char *uri;
	char detail[64] = "";
	uint64_t no = 0;
	int rc = 0, by_no = 0;
	const struct ctl_arg args[] = {
		{ "period", CTL_ARG_U64, &no, &by_no },
		{ NULL, 0, NULL, NULL },
	};

	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	if ((rc = ctl_uri(c, uri)) != 0 || (rc = user_begin(c, &t)) != 0)
		return rc;
	if (by_no) {
		if (store_period_unrevoke(&t, (const uint8_t *)uri, strlen(uri), no) ==
		    SKM_ENOTFOUND) {
			store_txn_abort(&t);
			return ctl_fail(c, uri, "that key period is not revoked");
		}
		snprintf(detail, sizeof(detail), "period %" PRIu64, no);
	} else
		store_identity_unrevoke(&t, (const uint8_t *)uri, strlen(uri));
	ctl_audit(c, &t, "user reinstate", uri, detail);
	return user_commit(c, &t, uri);
}

int
cmd_user_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	struct store_txn t;
	const char *uri;
	int rc;

	if ((rc = user_uri_arg(c, argc, argv, &uri)) != 0 || (rc = user_begin(c, &t)) != 0)
		return rc;
	store_identity_del(&t, (const uint8_t *)uri, strlen(uri));
	/* Its Transport and Integrity Keys go with it (every device's too). */
	(void)store_tk_del_all(&t, (const uint8_t *)uri, strlen(uri));
	ctl_audit(c, &t, "user remove", uri, "");
	return user_commit(c, &t, uri);
}
