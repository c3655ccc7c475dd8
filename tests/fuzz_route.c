/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the KMS API path parser (src/server/route.c) and
 * the refusal table: any octets as a path, with and without the KMS
 * prefix. Checks the parser's promises: a success names an endpoint, a
 * decoded identity that fits and passes uri_check, and a refusal has a
 * 4xx row in errmap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/uri.h"
#include "server/errmap.h"
#include "server/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_one(const char *path)
{
	const struct errmap_entry *e;
	const char *why, *hv[6];
	struct route rt;
	enum errmap_id id;
	char buf[256];

	id = route_parse(path, &rt);
	e = errmap_get(id);
	if (id == ERRMAP_OK) {
		if (rt.ep != ROUTE_INIT && rt.ep != ROUTE_KEYPROV && rt.ep != ROUTE_CERTCACHE)
			abort();
		if (rt.has_uri && (rt.uri_len > URI_MAX || strlen(rt.uri) != rt.uri_len ||
		    uri_check(rt.uri, rt.uri_len, &why) != 0))
			abort();
		if ((rt.has_uri || rt.has_time) && rt.ep != ROUTE_KEYPROV)
			abort();
		if (rt.has_cachenum && rt.ep != ROUTE_CERTCACHE)
			abort();
	} else if (e->status < 400 || e->status > 499) {
		abort();
	}
	(void)errmap_headers(id, "600", hv, buf, sizeof(buf));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = ROUTE_PREFIX;
	char *path;

	if (size > 16384)
		return 0;
	if ((path = malloc(sizeof(prefix) + size)) == NULL)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	fuzz_one(path);
	memcpy(path, prefix, sizeof(prefix) - 1);
	memcpy(path + sizeof(prefix) - 1, data, size);
	path[sizeof(prefix) - 1 + size] = '\0';
	fuzz_one(path);
	free(path);
	return 0;
}
