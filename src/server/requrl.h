/* SPDX-License-Identifier: ISC */
/*
 * ClientReqUrl (TS 33.180 D.3.1): the full URL a request was sent to, as
 * every KmsResponse and KmsError of skmsd echoes it. It is "https://", the
 * authority the client named in its Host header when that is a valid
 * host[:port], else the KMS URI, and the request target as sent (path and
 * query); an absolute-form target is used as it is. Whatever octets the
 * request held, the URL is ASCII: octets that RFC 3986 does not allow
 * there, and a '%' that starts no escape, are percent-encoded. No I/O.
 */
#ifndef SKM_SERVER_REQURL_H
#define SKM_SERVER_REQURL_H

#include <stddef.h>

/* The longest Host value taken as the authority. */
#define REQURL_HOST_MAX	255
/* Room for a URL; a longer one is cut at a character boundary. */
#define REQURL_MAX	(8 + REQURL_HOST_MAX + 8192)

/*
 * 1 when host (len octets) is a host name, IPv4 address or [IPv6]
 * literal with an optional port, nothing that could split a URL
 * (RFC 9110 7.2); 0 otherwise, also for NULL or empty.
 */
int requrl_host_ok(const char *host, size_t len);

/*
 * Writes the ClientReqUrl of a request with Host value host (host_len
 * octets; NULL or invalid: fallback, the KMS URI, is used) and request
 * target target (target_len octets, NULL for none) into out (cap octets,
 * NUL-terminated).
 */
void requrl_build(char *out, size_t cap, const char *host, size_t host_len,
    const char *fallback, const char *target, size_t target_len);

#endif
