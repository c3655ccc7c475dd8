/* SPDX-License-Identifier: ISC */
/*
 * Request paths of the KMS interface (TS 33.179 D.2, TS 33.180 D.2.1):
 * init, keyprov[/<URI>[/<time>]] and certcache[/<CacheNum>] under
 * /keymanagement/identity/v1. The identity URI may be raw (as deployed
 * clients send it) or percent-encoded; the time is the 64-bit NTP
 * timestamp as 16 hex digits in either case. Parsing is strict and pure:
 * no store, no clock, no allocation; every refusal is one errmap id.
 */
#ifndef SKM_SERVER_ROUTE_H
#define SKM_SERVER_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/uri.h"
#include "server/errmap.h"

#define ROUTE_PREFIX	"/keymanagement/identity/v1/"

enum route_ep {
	ROUTE_INIT = 1,
	ROUTE_KEYPROV,
	ROUTE_CERTCACHE,
};

struct route {
	enum route_ep ep;
	int has_uri;
	char uri[URI_MAX + 1];		/* decoded, NUL-terminated */
	size_t uri_len;
	int has_time;
	uint64_t ntp_time;		/* NTP seconds << 32 | fraction */
	int has_cachenum;
	uint64_t cachenum;
};

/* Parses the raw path (no query string) into rt: ERRMAP_OK or the refusal. */
enum errmap_id route_parse(const char *path, struct route *rt);

#endif
