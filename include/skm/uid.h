/* SPDX-License-Identifier: ISC */
/*
 * libskm: the MIKEY-SAKKE UID (TS 33.180 F.2.1), the 32 octets that name
 * an identity for one key period, and the key period of a time. Pure
 * functions of their inputs: no clock is read. See skm_uid(3).
 */
#ifndef SKM_UID_H
#define SKM_UID_H

#include <stddef.h>
#include <stdint.h>

#include <skm/err.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKM_UID_LEN	32

/*
 * The UID of uri in the domain of KMS kms_uri for key period period_no,
 * under the certificate's UserKeyPeriod key_period and UserKeyOffset
 * key_offset (seconds), written to uid. Both strings are NUL-terminated
 * and only read. Errors: SKM_EINVAL for a NULL or empty URI or a zero key
 * period, SKM_ELEN for a URI over 65535 octets. Not constant-time (the
 * inputs are public).
 */
SKM_API int skm_uid(const char *uri, const char *kms_uri, uint64_t key_period,
    uint64_t key_offset, uint64_t period_no, uint8_t uid[SKM_UID_LEN]);

/*
 * The number of the key period holding Unix time unix_seconds: periods
 * count from the NTP epoch (1900) plus key_offset in steps of key_period
 * seconds. Errors: SKM_EINVAL for a zero key period or a NULL period_no,
 * SKM_ERANGE for a time before the first period.
 */
SKM_API int skm_uid_period(uint64_t key_period, uint64_t key_offset, int64_t unix_seconds,
    uint64_t *period_no);

#ifdef __cplusplus
}
#endif

#endif
