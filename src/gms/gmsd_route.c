/* SPDX-License-Identifier: ISC */
/*
 * Parsing the GMS service's request paths (see gmsd_route.h). A delivery
 * ID is 1 to 64 characters of [A-Za-z0-9_-]; whether it names a delivery
 * is the store's business.
 */
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "gms/gmsd_route.h"

#define MEMBERS	GMSD_PREFIX "members/"

/* The segment s[0..n-1] percent-decoded into out (cap octets with the NUL). */
static int
segment(const char *s, size_t n, char *out, size_t cap, const char **why)
{
	size_t i, o = 0;
	int hi, lo;
	unsigned char c;

	if (n == 0) {
		*why = "empty path segment";
		return SKM_EINVAL;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= n) {
				*why = "bad percent-encoding";
				return SKM_EINVAL;
			}
			if ((hi = hex_value(s[i + 1])) < 0 || (lo = hex_value(s[i + 2])) < 0) {
				*why = "bad percent-encoding";
				return SKM_EINVAL;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		/* No controls, spaces or DEL in an identity or a group ID. */
		if (c <= 0x20 || c == 0x7f) {
			*why = "control or space in a path segment";
			return SKM_EINVAL;
		}
		if (o + 1 >= cap) {
			*why = "path segment too long";
			return SKM_EINVAL;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int
id_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

int
gmsd_route_parse(const char *path, struct gmsd_route *rt, const char **why)
{
	const char *seg[6];
	size_t len[6], n = 0;
	const char *p, *e;
	int rc;

	memset(rt, 0, sizeof(*rt));
	*why = "unknown path";
	if (strncmp(path, MEMBERS, strlen(MEMBERS)) != 0)
		return SKM_ENOTFOUND;
	for (p = path + strlen(MEMBERS); ; p = e + 1) {
		if (n == 6)
			return SKM_ENOTFOUND;
		e = strchr(p, '/');
		seg[n] = p;
		len[n] = e != NULL ? (size_t)(e - p) : strlen(p);
		n++;
		if (e == NULL)
			break;
	}
	if ((rc = segment(seg[0], len[0], rt->user, sizeof(rt->user), why)) != 0)
		return rc;
#define IS(i, lit) (len[i] == strlen(lit) && memcmp(seg[i], lit, len[i]) == 0)
	if (n == 2 && IS(1, "notifications"))
		rt->ep = GMSD_NOTIFICATIONS;
	else if (n == 4 && IS(1, "notifications") && IS(3, "response")) {
		if (!id_ok(seg[2], len[2])) {
			*why = "bad delivery ID";
			return SKM_EINVAL;
		}
		memcpy(rt->id, seg[2], len[2]);
		rt->ep = GMSD_RESPONSE;
	} else if (n == 2 && IS(1, "groups"))
		rt->ep = GMSD_GROUPS;
	else if (n == 4 && IS(1, "groups") && IS(3, "subscription")) {
		if ((rc = segment(seg[2], len[2], rt->group, sizeof(rt->group), why)) != 0)
			return rc;
		rt->ep = GMSD_SUBSCRIPTION;
	} else
		return SKM_ENOTFOUND;
#undef IS
	return 0;
}

int
gmsd_route_wait(const char *uri, unsigned *wait)
{
	const char *q = strchr(uri, '?'), *p, *e;
	unsigned v = 0;
	size_t i, n;

	*wait = GMSD_WAIT_DEFAULT;
	if (q == NULL)
		return 0;
	for (p = q + 1; *p != '\0'; p = *e == '&' ? e + 1 : e) {
		e = strchr(p, '&');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) < 5 || memcmp(p, "wait=", 5) != 0)
			continue;
		n = (size_t)(e - p) - 5;
		if (n == 0 || n > 2)
			return SKM_EINVAL;
		for (v = 0, i = 0; i < n; i++) {
			if (p[5 + i] < '0' || p[5 + i] > '9')
				return SKM_EINVAL;
			v = v * 10 + (unsigned)(p[5 + i] - '0');
		}
		if (v > GMSD_WAIT_MAX)
			return SKM_EINVAL;
		*wait = v;
	}
	return 0;
}
