/* SPDX-License-Identifier: ISC */
/*
 * GMS state file: a magic line, then per group a "group ID PROFILE" line
 * followed by its "member", "gmk" lines. Parsed strictly: a damaged file
 * is refused rather than read as fewer members. The file holds GMKs, so
 * every buffer that held it is cleansed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/gmkfile.h"
#include "client/gms.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secfile.h"

#define GMS_FILE	"gms"
#define GMS_MAX		(64 << 20)
#define GMS_MAGIC	"skmc-gms 1\n"

static const char *const aff_name[] = { "implicit", "explicit", "subscribed" };

struct gms_group *
gms_group_find(struct gms *g, const char *id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->groups[i].id, id) == 0)
			return &g->groups[i];
	return NULL;
}

int
gms_group_add(struct gms *g, const char *id, int rekey_on_removal)
{
	struct gms_group *grow;

	if (!gmkfile_name_ok(id))
		return SKM_EINVAL;
	if (gms_group_find(g, id) != NULL)
		return SKM_EEXIST;
	if ((grow = realloc(g->groups, (g->n + 1) * sizeof(*grow))) == NULL)
		return SKM_ENOMEM;
	g->groups = grow;
	grow += g->n;
	memset(grow, 0, sizeof(*grow));
	if ((grow->id = strdup(id)) == NULL)
		return SKM_ENOMEM;
	grow->rekey_on_removal = rekey_on_removal;
	g->n++;
	return 0;
}

static void
group_clear(struct gms_group *grp)
{
	size_t i;

	for (i = 0; i < grp->nmembers; i++)
		free(grp->members[i].uri);
	free(grp->members);
	free(grp->id);
	if (grp->gmk != NULL)
		OPENSSL_secure_clear_free(grp->gmk, GMS_GMK_LEN);
	memset(grp, 0, sizeof(*grp));
}

int
gms_group_remove(struct gms *g, const char *id)
{
	struct gms_group *grp;
	size_t i;

	if ((grp = gms_group_find(g, id)) == NULL)
		return SKM_ENOTFOUND;
	i = (size_t)(grp - g->groups);
	group_clear(grp);
	memmove(&g->groups[i], &g->groups[i + 1], (g->n - i - 1) * sizeof(*grp));
	g->n--;
	return 0;
}

struct gms_member *
gms_member_find(struct gms_group *grp, const char *uri)
{
	size_t i;

	for (i = 0; i < grp->nmembers; i++)
		if (strcmp(grp->members[i].uri, uri) == 0)
			return &grp->members[i];
	return NULL;
}

int
gms_member_add(struct gms_group *grp, const char *uri, enum gms_aff aff)
{
	struct gms_member *grow;

	if (!gmkfile_name_ok(uri))
		return SKM_EINVAL;
	if (gms_member_find(grp, uri) != NULL)
		return SKM_EEXIST;
	if ((grow = realloc(grp->members, (grp->nmembers + 1) * sizeof(*grow))) == NULL)
		return SKM_ENOMEM;
	grp->members = grow;
	grow += grp->nmembers;
	if ((grow->uri = strdup(uri)) == NULL)
		return SKM_ENOMEM;
	grow->aff = aff;
	grow->subscribed = 0;
	grp->nmembers++;
	return 0;
}

int
gms_member_remove(struct gms_group *grp, const char *uri)
{
	struct gms_member *m;
	size_t i;

	if ((m = gms_member_find(grp, uri)) == NULL)
		return SKM_ENOTFOUND;
	i = (size_t)(m - grp->members);
	free(m->uri);
	memmove(&grp->members[i], &grp->members[i + 1],
	    (grp->nmembers - i - 1) * sizeof(*m));
	grp->nmembers--;
	return 0;
}

int
gms_member_authorised(const struct gms_member *m)
{
	return m->aff == GMS_IMPLICIT || m->subscribed;
}

int
gms_group_set_gmk(struct gms_group *grp, const uint8_t gmk[GMS_GMK_LEN], uint32_t gmk_id,
    int64_t activation)
{
	if (grp->gmk == NULL && (grp->gmk = OPENSSL_secure_zalloc(GMS_GMK_LEN)) == NULL)
		return SKM_ENOMEM;
	memcpy(grp->gmk, gmk, GMS_GMK_LEN);
	grp->gmk_id = gmk_id;
	grp->activation = activation;
	grp->has_gmk = 1;
	return 0;
}

void
gms_free(struct gms *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		group_clear(&g->groups[i]);
	free(g->groups);
	free(g);
}

/* Splits line at spaces into at most max fields; returns the count. */
static size_t
fields(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *sp;

	while (n < max) {
		f[n++] = line;
		if ((sp = strchr(line, ' ')) == NULL)
			break;
		*sp = '\0';
		line = sp + 1;
	}
	return n;
}

static int
parse_line(struct gms *g, char *line)
{
	struct gms_group *grp;
	uint8_t gmk[GMS_GMK_LEN], id[4];
	char *f[6], *end;
	size_t n = fields(line, f, 6), len;
	long long act;
	int err;

	if (n == 3 && strcmp(f[0], "group") == 0) {
		if (strcmp(f[2], "rekey-on-removal") != 0 && strcmp(f[2], "keep") != 0)
			return SKM_EPARSE;
		return gms_group_add(g, f[1], f[2][0] == 'r') == 0 ? 0 : SKM_EPARSE;
	}
	if (n < 2 || g->n == 0 || strcmp(g->groups[g->n - 1].id, f[1]) != 0)
		return SKM_EPARSE;
	grp = &g->groups[g->n - 1];
	if (n == 4 && strcmp(f[0], "member") == 0) {
		int a = strcmp(f[3], aff_name[0]) == 0 ? 0 : strcmp(f[3], aff_name[1]) == 0 ?
		    1 : strcmp(f[3], aff_name[2]) == 0 ? 2 : -1;

		if (a < 0 || gms_member_add(grp, f[2], a == 0 ? GMS_IMPLICIT : GMS_EXPLICIT) != 0)
			return SKM_EPARSE;
		grp->members[grp->nmembers - 1].subscribed = a == 2;
		return 0;
	}
	if (n == 5 && strcmp(f[0], "gmk") == 0 && !grp->has_gmk) {
		err = SKM_EPARSE;
		if (hex_decode(f[2], strlen(f[2]), id, sizeof(id), &len) != 0 || len != 4)
			goto out;
		if (hex_decode(f[3], strlen(f[3]), gmk, sizeof(gmk), &len) != 0 ||
		    len != sizeof(gmk))
			goto out;
		act = strtoll(f[4], &end, 10);
		if (*f[4] == '\0' || *end != '\0')
			goto out;
		err = gms_group_set_gmk(grp, gmk, (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 |
		    (uint32_t)id[2] << 8 | id[3], act);
out:
		OPENSSL_cleanse(gmk, sizeof(gmk));
		return err;
	}
	return SKM_EPARSE;
}

int
gms_load(struct gms **out, const char *dir)
{
	char path[GMKFILE_PATH_MAX], *buf = NULL, *line, *end;
	struct gms *g;
	size_t len = 0;
	int err;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return SKM_ENOMEM;
	if ((err = gmkfile_path(path, dir, GMS_FILE)) != 0)
		goto out;
	if ((err = gmkfile_read(path, GMS_MAX, &buf, &len)) == SKM_ENOTFOUND) {
		err = 0;
		goto out;
	}
	if (err != 0)
		goto out;
	err = SKM_EPARSE;
	if (strncmp(buf, GMS_MAGIC, sizeof(GMS_MAGIC) - 1) != 0)
		goto out;
	for (line = buf + sizeof(GMS_MAGIC) - 1; *line != '\0'; line = end + 1) {
		if ((end = strchr(line, '\n')) == NULL) {
			err = SKM_EPARSE;
			goto out;
		}
		*end = '\0';
		if ((err = parse_line(g, line)) != 0)
			goto out;
	}
	err = 0;
out:
	if (buf != NULL)
		OPENSSL_clear_free(buf, len + 1);
	if (err != 0)
		gms_free(g);
	else
		*out = g;
	return err;
}

int
gms_save(const struct gms *g, const char *dir)
{
	char path[GMKFILE_PATH_MAX], *buf = NULL, hex[2 * GMS_GMK_LEN + 1];
	size_t i, j, cap = sizeof(GMS_MAGIC), len = 0;
	int err;

	if ((err = gmkfile_path(path, dir, GMS_FILE)) != 0)
		return err;
	for (i = 0; i < g->n; i++) {
		const struct gms_group *grp = &g->groups[i];

		cap += 2 * strlen(grp->id) + 100;
		for (j = 0; j < grp->nmembers; j++)
			cap += strlen(grp->id) + strlen(grp->members[j].uri) + 24;
	}
	if ((buf = OPENSSL_malloc(cap)) == NULL)
		return SKM_ENOMEM;
	len += (size_t)snprintf(buf, cap, GMS_MAGIC);
	for (i = 0; i < g->n; i++) {
		const struct gms_group *grp = &g->groups[i];

		len += (size_t)snprintf(buf + len, cap - len, "group %s %s\n", grp->id,
		    grp->rekey_on_removal ? "rekey-on-removal" : "keep");
		for (j = 0; j < grp->nmembers; j++) {
			const struct gms_member *m = &grp->members[j];

			len += (size_t)snprintf(buf + len, cap - len, "member %s %s %s\n",
			    grp->id, m->uri, aff_name[m->aff == GMS_IMPLICIT ? 0 :
			    m->subscribed ? 2 : 1]);
		}
		if (grp->has_gmk) {
			if ((err = hex_encode(grp->gmk, GMS_GMK_LEN, hex, sizeof(hex), 0)) != 0)
				goto out;
			len += (size_t)snprintf(buf + len, cap - len,
			    "gmk %s %08" PRIx32 " %s %" PRId64 "\n", grp->id, grp->gmk_id, hex,
			    grp->activation);
		}
	}
	err = secfile_write(path, (const uint8_t *)buf, len, 1);
out:
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_clear_free(buf, cap);
	return err;
}
