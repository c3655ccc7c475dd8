/* SPDX-License-Identifier: ISC */
/*
 * The state a GMS keeps for its VAL groups: each group's members with
 * their affiliation (implicit: the GMK goes out once the member is
 * authorised; explicit: only after the member has subscribed), the
 * group's current GMK and its security profile (rekey-on-removal). Kept in
 * the 0600 file "gms" of the GMS identity's keystore directory, rewritten
 * atomically. This module only holds the state; making and sending the
 * I_MESSAGEs is gmksend's job.
 */
#ifndef SKM_CLIENT_GMS_H
#define SKM_CLIENT_GMS_H

#include <stddef.h>
#include <stdint.h>

#define GMS_GMK_LEN	16

enum gms_aff {
	GMS_IMPLICIT,
	GMS_EXPLICIT,
};

struct gms_member {
	char *uri;
	enum gms_aff aff;
	int subscribed;			/* explicit affiliation done */
};

struct gms_group {
	char *id;
	int rekey_on_removal;		/* security profile */
	struct gms_member *members;
	size_t nmembers;
	int has_gmk;
	uint32_t gmk_id;
	uint8_t *gmk;			/* SECRET: GMS_GMK_LEN octets, secure heap */
	int64_t activation;		/* Unix seconds */
};

struct gms {
	struct gms_group *groups;
	size_t n;
};

/* Loads dir/gms (a missing file is an empty state). Free with gms_free. */
int gms_load(struct gms **g, const char *dir);
int gms_save(const struct gms *g, const char *dir);
void gms_free(struct gms *g);

/* The group with id, owned by g, or NULL. */
struct gms_group *gms_group_find(struct gms *g, const char *id);

/* A new group (SKM_EEXIST if there is one, SKM_EINVAL for a bad id). */
int gms_group_add(struct gms *g, const char *id, int rekey_on_removal);

/* Removes a group and cleanses its GMK; SKM_ENOTFOUND if absent. */
int gms_group_remove(struct gms *g, const char *id);

/* The member with uri, owned by grp, or NULL. */
struct gms_member *gms_member_find(struct gms_group *grp, const char *uri);

/* Adds a member (SKM_EEXIST if present, SKM_EINVAL for a bad URI). */
int gms_member_add(struct gms_group *grp, const char *uri, enum gms_aff aff);

/* Removes a member; SKM_ENOTFOUND if absent. */
int gms_member_remove(struct gms_group *grp, const char *uri);

/* 1 iff the member gets the group's GMK: implicit, or explicit and subscribed. */
int gms_member_authorised(const struct gms_member *m);

/* Makes gmk (copied) with gmk_id the group's current GMK. */
int gms_group_set_gmk(struct gms_group *grp, const uint8_t gmk[GMS_GMK_LEN],
    uint32_t gmk_id, int64_t activation);

#endif
