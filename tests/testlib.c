/* SPDX-License-Identifier: ISC */
/* Vector files for the table-driven tests, and SAKKE data of a given shape. */
#include "testlib.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/ct.h"
#include "lib/sakke.h"

#define VEC_MAX 128

struct vec_entry {
	char *key;
	char *text;
	uint8_t *bytes;
	size_t len;
};

struct vec {
	struct vec_entry e[VEC_MAX];
	size_t n;
};

static void
die(const char *what, const char *name)
{
	fprintf(stderr, "testlib: %s: %s\n", what, name);
	abort();
}

const char *
test_data_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/data/%s", top != NULL ? top : ".", name);
	return path;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decodes e->text; a value that is neither hex nor a string keeps bytes NULL. */
static void
decode(struct vec_entry *e)
{
	const char *s = e->text;
	size_t n = 0;

	e->bytes = malloc(strlen(s) + 1);
	if (e->bytes == NULL)
		die("out of memory", e->key);
	if (*s == '"') {
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (s[0] == '\\' && s[1] == '0') {
				e->bytes[n++] = 0;
				s++;
			} else
				e->bytes[n++] = (uint8_t)*s;
		}
		if (*s != '"')
			goto bad;
	} else {
		int hi = -1;

		for (; *s != '\0'; s++) {
			int v;

			if (isspace((unsigned char)*s))
				continue;
			if ((v = hexval((unsigned char)*s)) < 0)
				goto bad;
			if (hi < 0)
				hi = v;
			else {
				e->bytes[n++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
		}
		if (hi >= 0)
			goto bad;
	}
	e->len = n;
	return;
bad:
	free(e->bytes);
	e->bytes = NULL;
}

struct vec *
vec_load(const char *name)
{
	char line[8192];
	struct vec *v;
	FILE *f;

	if ((f = fopen(test_data_path(name), "r")) == NULL)
		die("cannot open", test_data_path(name));
	if ((v = calloc(1, sizeof(*v))) == NULL)
		die("out of memory", name);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq, *key;

		key = trim(line);
		if (*key == '#' || *key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL)
			die("line without '='", key);
		*eq = '\0';
		if (v->n == VEC_MAX)
			die("too many entries", name);
		v->e[v->n].key = strdup(trim(key));
		v->e[v->n].text = strdup(trim(eq + 1));
		if (v->e[v->n].key == NULL || v->e[v->n].text == NULL)
			die("out of memory", name);
		decode(&v->e[v->n]);
		v->n++;
	}
	fclose(f);
	return v;
}

void
vec_free(struct vec *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		free(v->e[i].key);
		free(v->e[i].text);
		free(v->e[i].bytes);
	}
	free(v);
}

static const struct vec_entry *
find(const struct vec *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->e[i].key, key) == 0)
			return &v->e[i];
	return NULL;
}

const char *
vec_text(const struct vec *v, const char *key)
{
	const struct vec_entry *e = find(v, key);

	return e != NULL ? e->text : NULL;
}

const uint8_t *
vec_bytes(const struct vec *v, const char *key, size_t *len)
{
	const struct vec_entry *e = find(v, key);

	if (e == NULL)
		die("no such vector entry", key);
	if (e->bytes == NULL)
		die("neither hex nor a quoted string", key);
	*len = e->len;
	return e->bytes;
}

unsigned long long
vec_uint(const struct vec *v, const char *key)
{
	const struct vec_entry *e = find(v, key);
	char *end;
	unsigned long long x;

	if (e == NULL)
		die("no such vector entry", key);
	x = strtoull(e->text, &end, 10);
	if (*end != '\0')
		die("not a decimal integer", key);
	return x;
}

double
test_cpu_seconds(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0)
		abort();
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define SHORT_H_BATCH	64

void
test_sakke_short_h(const struct sakke_pub *pub, const uint8_t *id, size_t idlen,
    uint8_t *ssv, uint8_t *sed)
{
	static uint8_t ssvs[SHORT_H_BATCH][SAKKE_SSV_LEN];
	static uint8_t seds[SHORT_H_BATCH][SAKKE_SED_LEN];
	const uint8_t *ids[SHORT_H_BATCH];
	size_t idlens[SHORT_H_BATCH], i;
	int status[SHORT_H_BATCH];
	uint32_t n = 0;

	for (i = 0; i < SHORT_H_BATCH; i++) {
		ids[i] = id;
		idlens[i] = idlen;
	}
	while (n < 16384) {
		for (i = 0; i < SHORT_H_BATCH; i++, n++) {
			memset(ssvs[i], 0x3c, SAKKE_SSV_LEN);
			ssvs[i][0] = (uint8_t)(n >> 8);
			ssvs[i][1] = (uint8_t)n;
		}
		if (sakke_encapsulate_batch(pub, SHORT_H_BATCH, ids, idlens,
		    (const uint8_t (*)[SAKKE_SSV_LEN])ssvs, seds, status) != 0)
			die("sakke_encapsulate_batch", "failed");
		/* the SED is sent in clear; only its shape is looked at */
		ct_declassify(seds, sizeof(seds));
		for (i = 0; i < SHORT_H_BATCH; i++) {
			if (status[i] != 0 || seds[i][SAKKE_POINT_LEN] != 0)
				continue;
			memcpy(ssv, ssvs[i], SAKKE_SSV_LEN);
			memcpy(sed, seds[i], SAKKE_SED_LEN);
			return;
		}
	}
	die("no SSV with a short H", "16384 tried");
}
