/* SPDX-License-Identifier: ISC */
/*
 * Request paths of the GMS service under /gm/v1/members/{user}/ (see
 * skgmsd(8)): notifications, notifications/{id}/response, groups,
 * groups/{group}/subscription. {user} and {group} are percent-decoded
 * path segments (RFC 3986). Pure: no store, no clock, no allocation.
 */
#ifndef SKM_GMS_GMSD_ROUTE_H
#define SKM_GMS_GMSD_ROUTE_H

#include "gms/gstore.h"

#define GMSD_PREFIX	"/gm/v1/"
#define GMSD_WAIT_MAX	60
#define GMSD_WAIT_DEFAULT 30

enum gmsd_ep {
	GMSD_NOTIFICATIONS = 1,
	GMSD_RESPONSE,
	GMSD_GROUPS,
	GMSD_SUBSCRIPTION,
};

struct gmsd_route {
	enum gmsd_ep ep;
	char user[GSTORE_URI_MAX + 1];
	char group[GSTORE_GROUP_MAX + 1];
	char id[65];
};

/*
 * Parses the raw path (no query): 0, SKM_ENOTFOUND for a path that is not
 * one of the service's, SKM_EINVAL with a static reason in *why for a bad
 * segment.
 */
int gmsd_route_parse(const char *path, struct gmsd_route *rt, const char **why);

/*
 * The wait parameter of the raw request URI (its query string): 0 and
 * *wait (GMSD_WAIT_DEFAULT when absent), or SKM_EINVAL when it is not 0
 * to GMSD_WAIT_MAX.
 */
int gmsd_route_wait(const char *uri, unsigned *wait);

#endif
