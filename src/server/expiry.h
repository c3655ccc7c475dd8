/* SPDX-License-Identifier: ISC */
/*
 * The Root certificate's coming end, watched from skmsd's period timer:
 * the /metrics gauge of seconds until its ValidTo, and a log warning once
 * it is 90 days away or less (kms_validity_warn_due: at the first tick,
 * then once a day). Refusing key sets beyond ValidTo is not done here but
 * where they are made (kms_validity.c).
 */
#ifndef SKM_SERVER_EXPIRY_H
#define SKM_SERVER_EXPIRY_H

#include <stdint.h>

struct kms;

/*
 * One tick at now: updates the gauge and logs the warning when one is due;
 * *last holds the time of the previous warning (0 before the first) and
 * is updated.
 */
void expiry_tick(const struct kms *k, int64_t now, int64_t *last);

#endif
