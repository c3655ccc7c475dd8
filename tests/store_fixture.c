/* SPDX-License-Identifier: ISC */
/* Temporary directories for the store tests. */
#define _XOPEN_SOURCE 700
#include "store_fixture.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fix_base[256];

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	return remove(path);
}

void
fix_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fix_base, sizeof(fix_base), "%s/skms-store-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fix_base) == NULL) {
		perror("mkdtemp");
		abort();
	}
}

void
fix_teardown(void)
{
	if (fix_base[0] != '\0')
		nftw(fix_base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	fix_base[0] = '\0';
}

const char *
fix_path(const char *name)
{
	static char buf[8][512];
	static unsigned next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", fix_base, name);
	return p;
}

int
fix_count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}
