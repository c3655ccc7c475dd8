/* SPDX-License-Identifier: ISC */
/*
 * The file descriptor budget (see nofile.h): the numbers, and the one
 * setrlimit() call. Nothing here closes or opens a descriptor for long.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>

#include "common/err.h"
#include "server/nofile.h"

#define NOFILE_PROBE_MAX	65536	/* descriptors probed without /proc */

int
nofile_raise(unsigned long *limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return SKM_EIO;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = { rl.rlim_max, rl.rlim_max };

		/* Refused (a hard limit above the kernel's nr_open): keep the soft one. */
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	*limit = rl.rlim_cur == RLIM_INFINITY ? ULONG_MAX : (unsigned long)rl.rlim_cur;
	return 0;
}

unsigned
nofile_open(void)
{
	DIR *d;
	struct dirent *e;
	unsigned n = 0;
	int fd;

	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		/* The directory's own descriptor was listed too. */
		return n > 0 ? n - 1 : 0;
	}
	for (fd = 0; fd < NOFILE_PROBE_MAX; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

unsigned long
nofile_need(unsigned max_conns, unsigned base)
{
	/* Served, answered 503 (an eighth and one), and one accepted only to close. */
	return (unsigned long)base + max_conns + max_conns / 8 + 2 + NOFILE_SPARE;
}

int
nofile_check(unsigned max_conns, unsigned base, unsigned long limit, char *why,
    size_t whylen)
{
	unsigned long need = nofile_need(max_conns, base);

	if (need <= limit)
		return 0;
	snprintf(why, whylen, "server.max-connections %u needs %lu file descriptors, the "
	    "limit is %lu: raise the hard limit (LimitNOFILE= in the service unit, "
	    "ulimit -Hn) or lower server.max-connections", max_conns, need, limit);
	return SKM_ERANGE;
}
