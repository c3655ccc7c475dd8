/* SPDX-License-Identifier: ISC */
/*
 * The user profile file: one "GROUP GMS_URI" line per VAL group. Strict
 * parsing: any other line shape is SKM_EPARSE, so a damaged profile is
 * never read as a smaller set of groups.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/gmkfile.h"
#include "client/profile.h"
#include "common/err.h"
#include "common/secfile.h"

#define PROFILE_FILE	"groups"
#define PROFILE_MAX	(1 << 20)

static int
push(struct profile *p, const char *group, size_t glen, const char *gms, size_t slen)
{
	struct profile_group *g;

	if ((g = realloc(p->groups, (p->n + 1) * sizeof(*g))) == NULL)
		return SKM_ENOMEM;
	p->groups = g;
	g += p->n;
	g->id = strndup(group, glen);
	g->gms = strndup(gms, slen);
	if (g->id == NULL || g->gms == NULL) {
		free(g->id);
		free(g->gms);
		return SKM_ENOMEM;
	}
	p->n++;
	return 0;
}

int
profile_load(struct profile **out, const char *dir)
{
	char path[GMKFILE_PATH_MAX], *buf = NULL, *line, *end, *sp;
	struct profile *p;
	size_t len = 0;
	int err;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return SKM_ENOMEM;
	if ((err = gmkfile_path(path, dir, PROFILE_FILE)) != 0)
		goto out;
	err = gmkfile_read(path, PROFILE_MAX, &buf, &len);
	if (err == SKM_ENOTFOUND) {
		err = 0;
		goto out;
	}
	if (err != 0)
		goto out;
	for (line = buf; *line != '\0'; line = end + 1) {
		err = SKM_EPARSE;
		if ((end = strchr(line, '\n')) == NULL)
			goto out;
		*end = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			goto out;
		*sp = '\0';
		if (!gmkfile_name_ok(line) || !gmkfile_name_ok(sp + 1) ||
		    profile_gms(p, line) != NULL)
			goto out;
		if ((err = push(p, line, strlen(line), sp + 1, strlen(sp + 1))) != 0)
			goto out;
	}
	err = 0;
out:
	if (buf != NULL)
		OPENSSL_clear_free(buf, len + 1);
	if (err != 0)
		profile_free(p);
	else
		*out = p;
	return err;
}

int
profile_save(const struct profile *p, const char *dir)
{
	char path[GMKFILE_PATH_MAX], *buf;
	size_t i, len = 0, cap = 1;
	int err;

	if ((err = gmkfile_path(path, dir, PROFILE_FILE)) != 0)
		return err;
	for (i = 0; i < p->n; i++)
		cap += strlen(p->groups[i].id) + strlen(p->groups[i].gms) + 2;
	if ((buf = malloc(cap)) == NULL)
		return SKM_ENOMEM;
	for (i = 0; i < p->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s %s\n",
		    p->groups[i].id, p->groups[i].gms);
	err = secfile_write(path, (const uint8_t *)buf, len, 1);
	free(buf);
	return err;
}

int
profile_add(struct profile *p, const char *group, const char *gms)
{
	char *copy;
	size_t i;

	if (!gmkfile_name_ok(group) || !gmkfile_name_ok(gms))
		return SKM_EINVAL;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->groups[i].id, group) != 0)
			continue;
		if ((copy = strdup(gms)) == NULL)
			return SKM_ENOMEM;
		free(p->groups[i].gms);
		p->groups[i].gms = copy;
		return 0;
	}
	return push(p, group, strlen(group), gms, strlen(gms));
}

int
profile_remove(struct profile *p, const char *group)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->groups[i].id, group) != 0)
			continue;
		free(p->groups[i].id);
		free(p->groups[i].gms);
		memmove(&p->groups[i], &p->groups[i + 1],
		    (p->n - i - 1) * sizeof(p->groups[0]));
		p->n--;
		return 0;
	}
	return SKM_ENOTFOUND;
}

const char *
profile_gms(const struct profile *p, const char *group)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->groups[i].id, group) == 0)
			return p->groups[i].gms;
	return NULL;
}

void
profile_free(struct profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->groups[i].id);
		free(p->groups[i].gms);
	}
	free(p->groups);
	free(p);
}
