/* SPDX-License-Identifier: ISC */
/*
 * The MIKEY-SAKKE UID of TS 33.180 F.2.1: the 32 octets that name an
 * identity for one key period, used raw as the ECCSI ID and the SAKKE
 * identifier. Pure function of its inputs; knows nothing about clocks.
 */
#ifndef SKM_LIB_UID_H
#define SKM_LIB_UID_H

#include <stddef.h>
#include <stdint.h>

#define UID_LEN	32

/*
 * UID = SHA-256(0x00 || "MIKEY-SAKKE-UID" || L0 || uri || L1 || kms_uri ||
 * L2 || key_period || L3 || key_offset || L4 || period_no || L5), integers
 * minimal big-endian (0 as 0x00). Empty URIs and a zero key period are
 * SKM_EINVAL; a URI over 65535 octets is SKM_ELEN.
 */
int uid_derive(const char *uri, size_t urilen, const char *kms_uri, size_t kmslen,
    uint64_t key_period, uint64_t key_offset, uint64_t period_no, uint8_t uid[UID_LEN]);

#endif
