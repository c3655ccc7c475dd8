/* SPDX-License-Identifier: ISC */
/*
 * Identity URIs as the KMS accepts them: the MC/VAL service ID or GMS URI
 * that becomes P1 of the UID (TS 33.180 F.2.1). The octets are used
 * exactly as given, never normalised: two spellings are two identities.
 */
#ifndef SKM_LIB_URI_H
#define SKM_LIB_URI_H

#include <stddef.h>

#define URI_MAX	1024

/*
 * 0 if uri (len octets) is acceptable, else SKM_EINVAL with a static
 * reason in *why. Accepted: sip:/sips: user@host or host, tel:+digits,
 * https://host[...], and a bare server name (a DNS name, optionally with a
 * port) as TS 33.180 allows for server identities. No spaces, controls or
 * invalid UTF-8; at most URI_MAX octets.
 */
int uri_check(const char *uri, size_t len, const char **why);

#endif
