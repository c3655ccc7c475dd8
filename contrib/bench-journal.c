/* SPDX-License-Identifier: ISC */
/*
 * The audit journal benchmark behind 'make bench-journal' (and 'make
 * bench'): the wall and CPU time of one synchronous group write
 * (auditj_append) of a typical key-set record batch, with direct I/O and
 * through the page cache, in a scratch store made in the directory given
 * (default: a new one under TMPDIR, or /tmp), removed afterwards. The
 * disk, not the CPU, sets the wall time: run it on the disk skmsd's store
 * will use. Not a test: it asserts only that every write succeeds.
 */
/* nftw */
#define _XOPEN_SOURCE 700

#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "server/auditj.h"
#include "store/store.h"

#define GROUPS		2000
#define PER_GROUP	8	/* records per write: skmsd's batch at about 40k req/s */

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
bench_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int
bench_rm(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* GROUPS writes of PER_GROUP records to a new journal opened with flags. */
static int
bench_run(const char *dir, const char *name, int flags)
{
	static const struct auditj_rec rec = {
		1796518128, "keyprov", "sip:bench@bench.example", 23,
		"period 15 peer 127.0.0.1 jti 32e9e740056c9c0b8eba60e5be102f88",
	};
	struct auditj_rec recs[PER_GROUP];
	struct store *st = NULL;
	struct auditj *j = NULL;
	char path[4096], why[256] = "";
	double t0, c0, wall, cpu;
	int i, rc;

	for (i = 0; i < PER_GROUP; i++)
		recs[i] = rec;
	snprintf(path, sizeof(path), "%s/%s.store", dir, name);
	if ((rc = store_open(path, STORE_CREATE, &st)) != 0) {
		fprintf(stderr, "bench-journal: %s: cannot make a store\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.journal", dir, name);
	if (auditj_open(path, st, flags, &j, why, sizeof(why)) != 0) {
		fprintf(stderr, "bench-journal: %s\n", why);
		store_close(st);
		return 1;
	}
	t0 = bench_now();
	c0 = bench_cpu();
	for (i = 0; i < GROUPS && rc == 0; i++)
		rc = auditj_append(j, recs, PER_GROUP, NULL);
	wall = bench_now() - t0;
	cpu = bench_cpu() - c0;
	printf("%-11s %-6s %8.1f us wall %8.1f us CPU per write (%d records)\n", name,
	    auditj_direct(j) ? "direct" : "cached", wall * 1e6 / GROUPS, cpu * 1e6 / GROUPS,
	    PER_GROUP);
	auditj_close(j, 0);
	store_close(st);
	if (rc != 0)
		fprintf(stderr, "bench-journal: a write failed\n");
	return rc != 0;
}

int
main(int argc, char **argv)
{
	char tmpl[4096];
	const char *tmp = getenv("TMPDIR");
	int bad;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: bench-journal [directory]\n");
		return 2;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/bench-journal.XXXXXX",
	    argc == 2 ? argv[1] : tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(tmpl) == NULL) {
		perror("bench-journal: mkdtemp");
		return 1;
	}
	printf("audit journal in %s: %d synchronous writes each\n", tmpl, GROUPS);
	bad = bench_run(tmpl, "direct", 0);
	bad |= bench_run(tmpl, "page-cache", AUDITJ_PAGE_CACHE);
	nftw(tmpl, bench_rm, 16, FTW_DEPTH | FTW_PHYS);
	return bad;
}
