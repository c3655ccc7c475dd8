/* SPDX-License-Identifier: ISC */
/* The public UID and key-period functions: lib/uid.c and lib/period.c behind the API. */
#include <string.h>

#include <skm/uid.h>

#include "common/err.h"
#include "common/time.h"
#include "lib/period.h"
#include "lib/uid.h"

int
skm_uid(const char *uri, const char *kms_uri, uint64_t key_period, uint64_t key_offset,
    uint64_t period_no, uint8_t uid[SKM_UID_LEN])
{
	if (uri == NULL || kms_uri == NULL || uid == NULL)
		return SKM_EINVAL;
	return uid_derive(uri, strlen(uri), kms_uri, strlen(kms_uri), key_period, key_offset,
	    period_no, uid);
}

int
skm_uid_period(uint64_t key_period, uint64_t key_offset, int64_t unix_seconds,
    uint64_t *period_no)
{
	uint64_t ntp;
	int err;

	if (period_no == NULL)
		return SKM_EINVAL;
	if ((err = time_unix_to_ntp_checked(unix_seconds, &ntp)) != 0)
		return err;
	return period_number(ntp, key_period, key_offset, period_no);
}
