/* SPDX-License-Identifier: ISC */
/*
 * Group removal over the profile and the GMK store; neither module knows
 * the other, so the rule joining them lives here.
 */
#include "client/gmkstore.h"
#include "client/leave.h"
#include "client/profile.h"
#include "common/err.h"

static int
still_member(void *arg, const char *group)
{
	return profile_gms(arg, group) != NULL;
}

int
leave_group(const char *dir, const char *group, size_t *erased, size_t *kept)
{
	struct profile *p = NULL;
	int err;

	if (erased != NULL)
		*erased = 0;
	if (kept != NULL)
		*kept = 0;
	if ((err = profile_load(&p, dir)) != 0)
		return err;
	if ((err = profile_remove(p, group)) != 0)
		goto out;
	/* GMKs first: a failure then leaves the group in the profile to retry. */
	if ((err = gmkstore_drop_group(dir, group, still_member, p, erased, kept)) != 0)
		goto out;
	err = profile_save(p, dir);
out:
	profile_free(p);
	return err;
}
