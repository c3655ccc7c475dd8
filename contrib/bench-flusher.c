/* SPDX-License-Identifier: ISC */
/*
 * The disk writes of skmsd's audit journal without skmsd, for 'make
 * bench-server' (BENCH_NGINX_FLUSH=1): run beside nginx at the rate
 * skmsd's journal reached the disk in the run before
 * (skms_audit_disk_writes_total), it makes the reference server pay what
 * skmsd's audit pays, so the benchmark can tell the cost of the durable
 * audit apart from the cost of the rest.
 *
 *	bench-flusher [-d] FILE PER-SECOND
 *
 * PER-SECOND times a second, evenly spaced, it writes 4096 octets to FILE
 * and waits until they are on disk: appended and then fdatasync()
 * (audit.durability write: a flush of the groups written), or with -d one
 * block written in place with O_DIRECT and O_DSYNC over a 16 MiB file
 * written first, unless an earlier run did (audit.durability flush: a
 * synchronous group write). With -d and PER-SECOND 0 it only writes that
 * file, so that a run measured later does not include it. On
 * SIGTERM or SIGINT it prints the writes done and how late they completed
 * against their due time, then exits 0. Not a test.
 */
/* O_DIRECT */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BENCH_BLOCK		4096
#define BENCH_FILE		(16 << 20)	/* with -d: written in place, in turn */
#define BENCH_MAX_WRITES	1000000
#define BENCH_MAX_RATE		10000

static volatile sig_atomic_t bench_stop;

static void
bench_on_signal(int sig)
{
	(void)sig;
	bench_stop = 1;
}

static double
bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
bench_usage(void)
{
	fprintf(stderr, "usage: bench-flusher [-d] FILE PER-SECOND\n");
	return 2;
}

static int
bench_fail(const char *path)
{
	fprintf(stderr, "bench-flusher: %s: %s\n", path, strerror(errno));
	return 1;
}

/*
 * With -d: the file written whole first, so later writes change no
 * metadata; a file left by an earlier run is used as it is.
 */
static int
bench_prefill(int fd, const char *block)
{
	struct stat sb;
	off_t off;

	if (fstat(fd, &sb) != 0)
		return -1;
	for (off = sb.st_size - sb.st_size % BENCH_BLOCK; off < BENCH_FILE; off += BENCH_BLOCK)
		if (pwrite(fd, block, BENCH_BLOCK, off) != BENCH_BLOCK)
			return -1;
	return fsync(fd);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	double *late, due, wait, interval, rate;
	const char *path;
	char *block = NULL, *end;
	off_t off = 0;
	size_t n = 0;
	int fd, direct = 0;

	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		direct = 1;
		argc--;
		argv++;
	}
	if (argc != 3)
		return bench_usage();
	path = argv[1];
	errno = 0;
	rate = strtod(argv[2], &end);
	if (errno != 0 || end == argv[2] || *end != '\0' || !(rate >= 0) ||
	    rate > BENCH_MAX_RATE || (rate == 0 && !direct))
		return bench_usage();
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (direct ? O_DIRECT | O_DSYNC : O_APPEND), 0600);
	if (fd < 0)
		return bench_fail(path);
	late = calloc(BENCH_MAX_WRITES, sizeof(*late));
	if (late == NULL || posix_memalign((void **)&block, BENCH_BLOCK, BENCH_BLOCK) != 0) {
		fprintf(stderr, "bench-flusher: out of memory\n");
		return 1;
	}
	memset(block, 'a', BENCH_BLOCK);
	if (direct && bench_prefill(fd, block) != 0)
		return bench_fail(path);
	if (rate == 0)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bench_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	interval = 1e3 / rate;
	due = bench_ms() + interval;
	while (!bench_stop && n < BENCH_MAX_WRITES) {
		if ((wait = due - bench_ms()) > 0) {
			struct timespec ts;

			ts.tv_sec = (time_t)(wait / 1e3);
			ts.tv_nsec = (long)((wait - (double)ts.tv_sec * 1e3) * 1e6);
			/* A signal ends the sleep early; the loop then stops. */
			if (nanosleep(&ts, NULL) != 0)
				continue;
		}
		if (direct) {
			if (pwrite(fd, block, BENCH_BLOCK, off) != BENCH_BLOCK)
				return bench_fail(path);
			off = (off + BENCH_BLOCK) % BENCH_FILE;
		} else if (write(fd, block, BENCH_BLOCK) != BENCH_BLOCK || fdatasync(fd) != 0) {
			return bench_fail(path);
		}
		late[n++] = bench_ms() - due;
		/* Behind: the next write goes at once, without catching up in a burst. */
		due += interval;
		if (bench_ms() > due)
			due = bench_ms();
	}
	if (n == 0) {
		printf("0 disk writes\n");
	} else {
		qsort(late, n, sizeof(*late), bench_cmp);
		printf("%zu disk writes, completed after their due time: p50 %.2f ms, "
		    "p99 %.2f ms, max %.2f ms\n", n, late[n / 2], late[n * 99 / 100], late[n - 1]);
	}
out:
	free(late);
	free(block);
	close(fd);
	return 0;
}
