/* SPDX-License-Identifier: ISC */
/*
 * The VAL user profile as the configuration management server hands it to
 * the client: the VAL groups the user belongs to and each group's GMS
 * server URI (TS 23.434). Kept in the file "groups" of the identity's
 * keystore directory, one "GROUP GMS_URI" line per group. This module only
 * holds that list; it never touches stored GMKs (see gmkstore).
 */
#ifndef SKM_CLIENT_PROFILE_H
#define SKM_CLIENT_PROFILE_H

#include <stddef.h>

struct profile_group {
	char *id;
	char *gms;
};

struct profile {
	struct profile_group *groups;
	size_t n;
};

/* Loads dir/groups; a missing file is an empty profile. Free with profile_free. */
int profile_load(struct profile **p, const char *dir);

/* Writes dir/groups atomically (mode 0600). */
int profile_save(const struct profile *p, const char *dir);

/*
 * Adds group with its GMS URI, or changes the URI of a group already
 * there. Both must satisfy gmkfile_name_ok (SKM_EINVAL).
 */
int profile_add(struct profile *p, const char *group, const char *gms);

/* Removes group; SKM_ENOTFOUND if the user is not a member. */
int profile_remove(struct profile *p, const char *group);

/* The GMS URI of group, owned by p, or NULL when the user is not a member. */
const char *profile_gms(const struct profile *p, const char *group);

void profile_free(struct profile *p);

#endif
