/* SPDX-License-Identifier: ISC */
/*
 * Leaving a VAL group on the client: the group goes out of the user
 * profile and every stored GMK that served it is erased unless it still
 * serves another group of the profile (then it is kept without this one).
 * One rule for skmc group remove and for a GMS's removal notice.
 */
#ifndef SKM_CLIENT_LEAVE_H
#define SKM_CLIENT_LEAVE_H

#include <stddef.h>

/*
 * Leaves group for the identity whose files are in dir. SKM_ENOTFOUND
 * when group is not in the profile (nothing changed). GMKs are dropped
 * before the profile is written, so a failure leaves the group in the
 * profile to retry. *erased and *kept (may be NULL) receive the counts.
 */
int leave_group(const char *dir, const char *group, size_t *erased, size_t *kept);

#endif
