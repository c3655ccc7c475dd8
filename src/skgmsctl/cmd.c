/* SPDX-License-Identifier: ISC */
/*
 * skgmsctl's commands (see ctl.h). A new GMK is made here (random key,
 * fresh GMK-ID) and stored, sealed under gms.kek-file when it is set;
 * the I_MESSAGEs are made by skgmsd, which holds the GMS's key material.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "client/gmksend.h"
#include "common/err.h"
#include "common/time.h"
#include "gms/gstore.h"
#include "skgmsctl/ctl.h"

#define CTL_ARGS_MAX	1024	/* URIs on one command line */
#define CTL_LINE_MAX	(GSTORE_URI_MAX + 2)

/* Options of a command: which it takes, what was given. */
struct opts {
	const char *activation, *expiry, *text, *from_file, *member, *before;
	int rekey_on_removal, explicit_aff;
	const char *pos[CTL_ARGS_MAX];
	size_t npos;
};

enum {
	O_TIMES = 1, O_REKEY = 2, O_EXPLICIT = 4, O_FROM = 8, O_MEMBER = 16, O_BEFORE = 32,
};

static int
parse(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, int which,
    size_t minpos, size_t maxpos, struct opts *o)
{
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0)
			return cli_help(cli, cmd);
		if ((which & O_TIMES) && cli_match_opt("--activation", argc, argv, &i, &v))
			o->activation = v;
		else if ((which & O_TIMES) && cli_match_opt("--expiry", argc, argv, &i, &v))
			o->expiry = v;
		else if ((which & O_TIMES) && cli_match_opt("--text", argc, argv, &i, &v))
			o->text = v;
		else if ((which & O_FROM) && cli_match_opt("--from-file", argc, argv, &i, &v))
			o->from_file = v;
		else if ((which & O_MEMBER) && cli_match_opt("--member", argc, argv, &i, &v))
			o->member = v;
		else if ((which & O_BEFORE) && cli_match_opt("--before", argc, argv, &i, &v))
			o->before = v;
		else if ((which & O_REKEY) && strcmp(a, "--rekey-on-removal") == 0) {
			o->rekey_on_removal = 1;
			continue;
		} else if ((which & O_EXPLICIT) && strcmp(a, "--explicit") == 0) {
			o->explicit_aff = 1;
			continue;
		} else if (a[0] == '-' && a[1] != '\0')
			return cli_usage_error(cli, cmd, a, "unknown option");
		else {
			if (o->npos == maxpos)
				return cli_usage_error(cli, cmd, a, "unexpected argument");
			o->pos[o->npos++] = a;
			continue;
		}
		if (v == NULL)
			return cli_usage_error(cli, cmd, a, "missing value");
	}
	if (o->npos < minpos)
		return cli_usage_error(cli, cmd, "arguments", "missing");
	return -1;
}

static int
open_store(const struct cli *cli, const struct cli_cmd *cmd, const struct ctl *ctl,
    int create, struct gstore **st)
{
	char why[512] = "";
	int rc;

	if ((rc = gstore_open(ctl->store, create ? GSTORE_CREATE : 0, ctl->map_size, st, why,
	    sizeof(why))) != 0)
		return cli_error(cli, cmd, CLI_UNREACHABLE, "store", why[0] != '\0' ? why :
		    skm_strerror(rc));
	if (ctl->kek_file[0] != '\0' && (rc = gstore_set_kek(*st, ctl->kek_file, why,
	    sizeof(why))) != 0) {
		gstore_close(*st);
		*st = NULL;
		return cli_error(cli, cmd, CLI_FAILED, "gms.kek-file", why[0] != '\0' ? why :
		    skm_strerror(rc));
	}
	return -1;
}

/* The store's error as the command's failure. */
static int
failed(const struct cli *cli, const struct cli_cmd *cmd, const char *what, int rc,
    const char *notfound)
{
	return cli_error(cli, cmd, CLI_FAILED, what, rc == SKM_ENOTFOUND && notfound != NULL ?
	    notfound : rc == SKM_EPERM ? "the group's GMKs are sealed: gms.kek-file is needed" :
	    rc == SKM_EVERIFY ? "a sealed GMK does not open under gms.kek-file" :
	    skm_strerror(rc));
}

/* A new GMK from the options; -1 to go on, else a cli status. */
static int
new_gmk(const struct cli *cli, const struct cli_cmd *cmd, const struct opts *o,
    struct gstore_gmk *gmk)
{
	memset(gmk, 0, sizeof(*gmk));
	if (o->activation != NULL && time_parse(o->activation, &gmk->activation) != 0)
		return cli_usage_error(cli, cmd, "--activation",
		    "not an ISO 8601 UTC time or @SECONDS");
	if (o->expiry != NULL && time_parse(o->expiry, &gmk->expiry) != 0)
		return cli_usage_error(cli, cmd, "--expiry", "not an ISO 8601 UTC time or @SECONDS");
	if (gmk->activation < 0 || gmk->expiry < 0)
		return cli_usage_error(cli, cmd, "--activation", "out of range");
	if (o->text != NULL) {
		if (strlen(o->text) > GSTORE_TEXT_MAX)
			return cli_usage_error(cli, cmd, "--text", "too long");
		snprintf(gmk->text, sizeof(gmk->text), "%s", o->text);
	}
	gmk->made = (int64_t)time(NULL);
	if (RAND_priv_bytes(gmk->key, sizeof(gmk->key)) != 1 || gmksend_new_id(&gmk->id) != 0)
		return cli_error(cli, cmd, CLI_FAILED, "random", "failed");
	return -1;
}

int
cmd_init(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gstore *st = NULL;
	struct opts o;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, 0, 0, 0, &o)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 1, &st)) >= 0)
		return rc;
	printf("store: %s\n", ((const struct ctl *)arg)->store);
	gstore_close(st);
	return cli_finish(cli, cmd);
}

int
cmd_group_create(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	struct gstore *st = NULL;
	struct opts o;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_REKEY, 1, 1, &o)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		return rc;
	if ((rc = gstore_group_create(st, o.pos[0], o.rekey_on_removal)) != 0)
		rc = cli_error(cli, cmd, CLI_FAILED, o.pos[0], rc == SKM_EEXIST ? "group exists" :
		    rc == SKM_EINVAL ? "not a usable VAL group ID" : skm_strerror(rc));
	else {
		printf("group: %s\nrekey-on-removal: %s\n", o.pos[0],
		    o.rekey_on_removal ? "yes" : "no");
		rc = cli_finish(cli, cmd);
	}
	gstore_close(st);
	return rc;
}

int
cmd_group_delete(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	struct gstore *st = NULL;
	struct opts o;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, 0, 1, 1, &o)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		return rc;
	if ((rc = gstore_group_delete(st, o.pos[0])) != 0)
		rc = failed(cli, cmd, o.pos[0], rc, "no such group");
	else {
		printf("deleted: %s\n", o.pos[0]);
		rc = cli_finish(cli, cmd);
	}
	gstore_close(st);
	return rc;
}

/* The URIs of FILE, one a line (blank lines and '#' lines skipped), appended to *uris. */
static int
read_uris(const struct cli *cli, const struct cli_cmd *cmd, const char *path, char ***uris,
    size_t *n)
{
	char line[CTL_LINE_MAX + 2], **v;
	size_t len, lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return cli_error(cli, cmd, CLI_FAILED, path, "cannot open");
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			fclose(f);
			fprintf(stderr, "%s: line %zu: too long\n", path, lineno);
			return cli_error(cli, cmd, CLI_FAILED, path, "a line is too long");
		}
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((v = realloc(*uris, (*n + 1) * sizeof(*v))) == NULL ||
		    (v[*n] = strdup(line)) == NULL) {
			if (v != NULL)
				*uris = v;
			fclose(f);
			return cli_error(cli, cmd, CLI_FAILED, "memory", NULL);
		}
		*uris = v;
		(*n)++;
	}
	fclose(f);
	return -1;
}

int
cmd_member_add(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	struct gstore *st = NULL;
	struct opts o;
	char **uris = NULL;
	size_t n = 0, i, bad = 0, queued = 0;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_EXPLICIT | O_FROM, 1, CTL_ARGS_MAX, &o)) >= 0)
		return rc;
	for (i = 1; i < o.npos; i++) {
		char **v = realloc(uris, (n + 1) * sizeof(*v));

		if (v == NULL || (v[n] = strdup(o.pos[i])) == NULL) {
			if (v != NULL)
				uris = v;
			rc = cli_error(cli, cmd, CLI_FAILED, "memory", NULL);
			goto out;
		}
		uris = v;
		n++;
	}
	if (o.from_file != NULL && (rc = read_uris(cli, cmd, o.from_file, &uris, &n)) >= 0)
		goto out;
	if (n == 0) {
		rc = cli_usage_error(cli, cmd, "URI", "none given");
		goto out;
	}
	if ((rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		goto out;
	rc = gstore_member_add(st, o.pos[0], (const char *const *)uris, n, o.explicit_aff,
	    (int64_t)time(NULL), &bad, &queued);
	if (rc == SKM_EEXIST || rc == SKM_EINVAL)
		rc = cli_error(cli, cmd, CLI_FAILED, uris[bad], rc == SKM_EEXIST ?
		    "already a member" : "not a usable URI");
	else if (rc != 0)
		rc = failed(cli, cmd, o.pos[0], rc, "no such group");
	else {
		if (n <= 16)
			for (i = 0; i < n; i++)
				printf("member: %s %s\n", uris[i], o.explicit_aff ? "explicit" :
				    "implicit");
		printf("members-added: %zu\nqueued: %zu\n", n, queued);
		rc = cli_finish(cli, cmd);
	}
out:
	for (i = 0; i < n; i++)
		free(uris[i]);
	free(uris);
	gstore_close(st);
	return rc;
}

int
cmd_member_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	struct gstore *st = NULL;
	struct gstore_gmk gmk;
	struct opts o;
	size_t queued = 0;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_TIMES, 2, 2, &o)) >= 0 ||
	    (rc = new_gmk(cli, cmd, &o, &gmk)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		goto out;
	if ((rc = gstore_member_remove(st, o.pos[0], o.pos[1], &gmk, (int64_t)time(NULL),
	    &queued)) != 0)
		rc = failed(cli, cmd, o.pos[1], rc, "not a member of that group");
	else {
		struct gstore_group g;

		printf("removed: %s\n", o.pos[1]);
		/* Whether the new GMK was taken: it is the group's newest now. */
		if (gstore_group_get(st, o.pos[0], &g) == 0 && g.ngmk > 0 &&
		    g.gmk[g.ngmk - 1].id == gmk.id)
			printf("gmk-id: %08" PRIx32 "\n", gmk.id);
		OPENSSL_cleanse(&g, sizeof(g));
		printf("queued: %zu\n", queued);
		rc = cli_finish(cli, cmd);
	}
out:
	OPENSSL_cleanse(&gmk, sizeof(gmk));
	gstore_close(st);
	return rc;
}

static int
subscription(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg, int on)
{
	struct gstore *st = NULL;
	struct opts o;
	size_t queued = 0;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, 0, 2, 2, &o)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		return rc;
	if ((rc = gstore_subscribe(st, o.pos[0], o.pos[1], on, (int64_t)time(NULL),
	    &queued)) != 0)
		rc = failed(cli, cmd, o.pos[1], rc, "not a member of that group");
	else {
		printf("%s: %s\nqueued: %zu\n", on ? "subscribed" : "unsubscribed", o.pos[1],
		    queued);
		rc = cli_finish(cli, cmd);
	}
	gstore_close(st);
	return rc;
}

int
cmd_subscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	return subscription(cli, cmd, argc, argv, arg, 1);
}

int
cmd_unsubscribe(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *arg)
{
	return subscription(cli, cmd, argc, argv, arg, 0);
}

int
cmd_rekey(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gstore *st = NULL;
	struct gstore_gmk gmk;
	struct opts o;
	size_t queued = 0;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_TIMES, 1, 1, &o)) >= 0 ||
	    (rc = new_gmk(cli, cmd, &o, &gmk)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		goto out;
	if ((rc = gstore_rekey(st, o.pos[0], &gmk, (int64_t)time(NULL), &queued)) != 0)
		rc = failed(cli, cmd, o.pos[0], rc, "no such group");
	else {
		printf("gmk-id: %08" PRIx32 "\nqueued: %zu\n", gmk.id, queued);
		rc = cli_finish(cli, cmd);
	}
out:
	OPENSSL_cleanse(&gmk, sizeof(gmk));
	gstore_close(st);
	return rc;
}

int
cmd_purge(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gstore *st = NULL;
	struct opts o;
	int64_t before;
	size_t n = 0;
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_BEFORE, 0, 0, &o)) >= 0)
		return rc;
	if (o.before == NULL)
		return cli_usage_error(cli, cmd, "--before", "required");
	if (time_parse(o.before, &before) != 0)
		return cli_usage_error(cli, cmd, "--before", "not an ISO 8601 UTC time or @SECONDS");
	if ((rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		return rc;
	if ((rc = gstore_purge(st, before, &n)) != 0)
		rc = failed(cli, cmd, "purge", rc, NULL);
	else {
		printf("purged: %zu\n", n);
		rc = cli_finish(cli, cmd);
	}
	gstore_close(st);
	return rc;
}

static const char *
state_name(enum gstore_state s)
{
	return s == GSTORE_SUCCESS ? "success" : s == GSTORE_FAILURE ? "failure" : "pending";
}

static void
print_time(const char *name, int64_t t)
{
	char buf[TIME_TEXT_LEN];

	if (t != 0 && time_format(t, buf, sizeof(buf)) == 0)
		printf(" %s=%s", name, buf);
}

int
cmd_status(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gstore *st = NULL;
	struct gstore_group *g = NULL;
	struct gstore_member *m = NULL;
	struct gstore_dlv *d = NULL;
	struct opts o;
	size_t ng = 0, nm = 0, nd = 0, i, j, first;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if ((rc = parse(cli, cmd, argc, argv, O_MEMBER, 0, 1, &o)) >= 0 ||
	    (rc = open_store(cli, cmd, arg, 0, &st)) >= 0)
		return rc;
	if ((rc = gstore_groups(st, &g, &ng)) != 0) {
		rc = failed(cli, cmd, "groups", rc, NULL);
		goto out;
	}
	for (i = 0; i < ng; i++) {
		if (o.npos == 1 && strcmp(o.pos[0], g[i].id) != 0)
			continue;
		printf("group: %s\nrekey-on-removal: %s\n", g[i].id,
		    g[i].rekey_on_removal ? "yes" : "no");
		(void)gstore_gmks_due(&g[i], now, &first);
		for (j = first; j < g[i].ngmk; j++) {
			printf("gmk: %08" PRIx32 " %s", g[i].gmk[j].id,
			    g[i].gmk[j].activation <= now ? "current" : "pending");
			print_time("activation", g[i].gmk[j].activation);
			printf("\n");
		}
		if ((rc = gstore_members(st, g[i].id, &m, &nm)) != 0) {
			rc = failed(cli, cmd, "members", rc, NULL);
			goto out;
		}
		for (j = 0; j < nm; j++)
			if (o.member == NULL || strcmp(o.member, m[j].uri) == 0)
				printf("member: %s %s\n", m[j].uri, !m[j].explicit_aff ? "implicit" :
				    m[j].subscribed ? "subscribed" : "explicit");
		free(m);
		m = NULL;
	}
	if (o.npos == 1 && g != NULL) {
		for (i = 0; i < ng && strcmp(o.pos[0], g[i].id) != 0; i++)
			;
		if (i == ng) {
			rc = cli_error(cli, cmd, CLI_FAILED, o.pos[0], "no such group");
			goto out;
		}
	}
	if ((rc = gstore_dlvs(st, o.member, o.npos == 1 ? o.pos[0] : NULL, &d, &nd)) != 0) {
		rc = failed(cli, cmd, "deliveries", rc, NULL);
		goto out;
	}
	/* One line a delivery: id, member, group, kind, GMK-ID, state, attempts, times, reason. */
	for (i = 0; i < nd; i++) {
		printf("delivery: %" PRIu64 " %s %s %s %08" PRIx32 " %s attempts=%u", d[i].id,
		    d[i].user, d[i].group, d[i].kind == GSTORE_KIND_GMK ? "gmk" : "removal",
		    d[i].gmk_id, state_name(d[i].state), d[i].attempts);
		if (d[i].state == GSTORE_PENDING)
			print_time("next-send", d[i].next_send);
		else
			print_time("answered", d[i].answered);
		if (d[i].state == GSTORE_FAILURE)
			printf(" reason=%s", d[i].reason);
		printf("\n");
	}
	rc = cli_finish(cli, cmd);
out:
	gstore_dlvs_free(d, nd);
	free(m);
	gstore_groups_free(g, ng);
	gstore_close(st);
	return rc;
}
