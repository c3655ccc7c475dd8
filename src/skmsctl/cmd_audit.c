/* SPDX-License-Identifier: ISC */
/*
 * skmsctl audit: the append-only log of admin actions and issued key sets,
 * and its archive, which moves the entries before a time into a new JSON
 * Lines file and then out of the store. An archive never removes an entry
 * that is not on disk in the file, and never one it did not write.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/time.h"
#include "common/secfile.h"
#include "store/audit.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One entry's members: a list item of the listing, a line of an archive. */
static void
audit_fields(struct out *o, const struct audit_rec *r)
{
	out_u64(o, "seq", r->seq);
	out_time(o, "time", r->time, 0);
	out_str(o, "actor", r->actor);
	out_str(o, "action", r->action);
	out_strn(o, "identity", r->uri != NULL ? (const char *)r->uri : "", r->uri_len);
	out_str(o, "detail", r->detail);
}

static int
audit_one(const struct audit_rec *r, void *arg)
{
	struct out *o = arg;

	out_item_begin(o);
	audit_fields(o, r);
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

/* Consecutive entry numbers written to the archive, removed together. */
struct archive_run {
	uint64_t first, last;
};

struct archive {
	FILE *f;
	int64_t before;
	struct archive_run *runs;
	size_t nruns, cap;
	uint64_t n;
	int sys;		/* errno of a failed write, or 0 */
};

static int
archive_one(const struct audit_rec *r, void *arg)
{
	struct archive *a = arg;
	struct archive_run *runs;
	struct out o;

	/* Times are the writers' clocks, not ordered: test every entry. */
	if (r->time >= a->before)
		return 0;
	out_begin_file(&o, a->f, 1);
	audit_fields(&o, r);
	out_end(&o);
	if (ferror(a->f)) {
		a->sys = errno;
		return SKM_EIO;
	}
	a->n++;
	if (a->nruns > 0 && a->runs[a->nruns - 1].last + 1 == r->seq) {
		a->runs[a->nruns - 1].last = r->seq;
		return 0;
	}
	if (a->nruns == a->cap) {
		a->cap = a->cap != 0 ? a->cap * 2 : 64;
		if ((runs = reallocarray(a->runs, a->cap, sizeof(*runs))) == NULL)
			return SKM_ENOMEM;
		a->runs = runs;
	}
	a->runs[a->nruns].first = r->seq;
	a->runs[a->nruns].last = r->seq;
	a->nruns++;
	return 0;
}

/*
 * The entries before a->before into a->f (JSON Lines), flushed to disk
 * with the directory holding file; *what names the step that failed.
 */
static int
archive_write(struct ctl *c, struct archive *a, const char *file, const char **what)
{
	struct store_txn t;
	int rc;

	*what = "store";
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return rc;
	/* One snapshot: the entries written are the entries then present. */
	rc = store_audit_list(&t, INT64_MIN, NULL, 0, archive_one, a);
	store_txn_abort(&t);
	if (rc != 0) {
		*what = rc == SKM_EIO ? "write" : "store";
		return rc;
	}
	*what = "write";
	if (fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) == -1) {
		a->sys = errno;
		return SKM_EIO;
	}
	rc = fclose(a->f);
	a->f = NULL;
	if (rc != 0) {
		a->sys = errno;
		return SKM_EIO;
	}
	*what = "directory sync";
	return secfile_sync_dir(file);
}

/*
 * Removes what was written, in one transaction with its own audit entry:
 * all of it or nothing.
 */
static int
archive_remove(struct ctl *c, const struct archive *a, const char *file)
{
	struct store_txn t;
	char detail[AUDIT_TEXT_MAX + 1], when[TIME_TEXT_LEN + 8];
	size_t i;
	int rc;

	if (a->n == 0)
		return 0;
	if (time_format(a->before, when, sizeof(when)) != 0)
		snprintf(when, sizeof(when), "@%" PRId64, a->before);
	snprintf(detail, sizeof(detail), "%" PRIu64 " entries before %s to %s", a->n, when,
	    file);
	if ((rc = store_txn_begin(c->store, 1, &t)) != 0)
		return rc;
	for (i = 0; i < a->nruns; i++)
		store_audit_remove(&t, a->runs[i].first, a->runs[i].last);
	ctl_audit(c, &t, "audit archive", NULL, detail);
	if ((rc = store_txn_commit(&t)) != 0)
		return rc;
	/*
	 * The room freed is usable from the next commit but one: in a full
	 * store, skmsd's commits fail until this one has been made.
	 */
	if (store_settle(c->store) != 0)
		cli_error(c->cli, c->cmd, CLI_OK, "store", "too full to make the room freed "
		    "usable before the next write that succeeds; raise store.map-size if "
		    "skmsd stays unable to write");
	return 0;
}

int
cmd_audit_archive(const struct cli *cli, const struct cli_cmd *cmd, int argc,
    char **argv, void *ctx)
{
	struct ctl *c = ctx;
	struct archive a;
	const char *file = NULL, *what = NULL;
	char why[256];
	int have_before = 0, fd, rc = 0, err = 0, created = 0;
	const struct ctl_arg args[] = {
		{ "before", CTL_ARG_TIME, &a.before, &have_before },
		{ "out", CTL_ARG_STR, &file, NULL },
		{ NULL, 0, NULL, NULL },
	};

	memset(&a, 0, sizeof(a));
	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	if (!have_before)
		return ctl_usage(c, "--before", "missing: the entries before this time go");
	if (file == NULL || *file == '\0')
		return ctl_usage(c, "--out", "missing: the new file that receives them");
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	/* A new file only: an archive never overwrites or extends another. */
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		snprintf(why, sizeof(why), "%s; no entry removed",
		    errno == EEXIST ? "exists already" : strerror(errno));
		return ctl_fail(c, file, why);
	}
	created = 1;
	if (fchmod(fd, 0600) == -1 || (a.f = fdopen(fd, "w")) == NULL) {
		a.sys = errno;
		close(fd);
		what = "open";
		err = SKM_EIO;
		goto out;
	}
	if ((err = archive_write(c, &a, file, &what)) != 0)
		goto out;
	what = "store";
	if ((err = archive_remove(c, &a, file)) != 0)
		goto out;
	created = 0;
	out_begin(&c->out, c->json);
	out_u64(&c->out, "archived", a.n);
	out_time(&c->out, "before", a.before, 0);
	out_str(&c->out, "file", file);
	out_end(&c->out);
out:
	if (a.f != NULL)
		fclose(a.f);
	free(a.runs);
	if (created) {
		unlink(file);
		snprintf(why, sizeof(why), "%s: %s; no entry removed, the file is deleted",
		    what, a.sys != 0 ? strerror(a.sys) : skm_strerror(err));
		rc = ctl_fail(c, file, why);
	}
	return rc;
}
