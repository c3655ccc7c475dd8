/* SPDX-License-Identifier: ISC */
/*
 * skgmsctl's commands on the GMS store (see skgmsctl(8)); each opens the
 * store named by the global options, makes one change in one transaction
 * and prints stable 'name: value' lines. skgmsd, if running, sees the
 * change within its tick and sends what it queued.
 */
#ifndef SKM_SKGMSCTL_CTL_H
#define SKM_SKGMSCTL_CTL_H

#include <stddef.h>

#include "common/cli.h"

struct ctl {
	const char *store;	/* the store directory */
	const char *kek_file;	/* gms.kek-file, or "" */
	size_t map_size;
};

int cmd_init(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_group_create(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_group_delete(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_member_add(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_member_remove(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_subscribe(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_unsubscribe(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_rekey(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_purge(const struct cli *, const struct cli_cmd *, int, char **, void *);
int cmd_status(const struct cli *, const struct cli_cmd *, int, char **, void *);

#endif
