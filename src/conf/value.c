/* SPDX-License-Identifier: ISC */
/*
 * Typed values of skms.yaml. Numbers are decimal only, with no sign and at
 * most one unit suffix, so a value means one thing to every reader (YAML
 * 1.1 would read 010 as octal). Strings refuse control characters: they
 * end up in logs and in paths. Printing is the inverse of parsing; the
 * dump round trip and the fuzz harness hold the two together.
 */
#include "conf/value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "conf/addr.h"

#define FIELD(base, s, type) ((type *)(void *)((char *)(base) + (s)->offset))
#define CFIELD(base, s, type) \
	((const type *)(const void *)((const char *)(base) + (s)->offset))
#define COUNT(base, s) \
	((size_t *)(void *)((char *)(base) + (s)->count_offset))
#define CCOUNT(base, s) ((const size_t *)(const void *)( \
	(const char *)(base) + (s)->count_offset))

struct unit {
	char suffix;
	uint64_t mult;
};

static const struct unit duration_units[] = {
	{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 }, { 0, 0 },
};
static const struct unit size_units[] = {
	{ 'G', 1ULL << 30 }, { 'M', 1ULL << 20 }, { 'K', 1ULL << 10 }, { 0, 0 },
};

const char *
conf_value_type_name(const struct conf_schema *s)
{
	switch (s->type) {
	case CONF_T_STRING:	return "a string";
	case CONF_T_PATH:	return "a path";
	case CONF_T_BOOL:	return "true or false";
	case CONF_T_UINT:	return "an integer";
	case CONF_T_DURATION:	return "a duration";
	case CONF_T_SIZE:	return "a size";
	case CONF_T_ENUM:	return "a name";
	case CONF_T_ADDR:	return "an address";
	case CONF_T_ADDRS:	return "a list of addresses";
	case CONF_T_ALGS:	return "a list of algorithms";
	case CONF_T_ISSUERS:	return "a list of issuers";
	}
	return "a value";
}

static int
type_error(const struct conf_schema *s, const struct conf_node *n, char *why,
    size_t whylen)
{
	snprintf(why, whylen, "expected %s, found %s", conf_value_type_name(s),
	    conf_node_is_null(n) ? "an empty value" : conf_node_kind_name(n));
	return SKM_EINVAL;
}

static void
print_scaled(uint64_t v, const struct unit *u, FILE *fp)
{
	for (; u->suffix != 0; u++)
		if (v != 0 && v % u->mult == 0) {
			fprintf(fp, "%llu%c", (unsigned long long)(v / u->mult),
			    u->suffix);
			return;
		}
	fprintf(fp, "%llu", (unsigned long long)v);
}

static const struct unit *
units_of(const struct conf_schema *s)
{
	if (s->type == CONF_T_DURATION)
		return duration_units;
	return s->type == CONF_T_SIZE ? size_units : NULL;
}

static void
format_number(const struct conf_schema *s, uint64_t v, char *buf, size_t size)
{
	const struct unit *u = units_of(s);
	FILE *fp;

	if (u == NULL) {
		snprintf(buf, size, "%llu", (unsigned long long)v);
		return;
	}
	fp = fmemopen(buf, size, "w");
	if (fp == NULL) {
		snprintf(buf, size, "%llu", (unsigned long long)v);
		return;
	}
	print_scaled(v, u, fp);
	fclose(fp);
}

/* Decimal digits, then at most one suffix from the type's unit table. */
static int
parse_number(const struct conf_schema *s, const struct conf_node *n,
    uint64_t *out, char *why, size_t whylen)
{
	const struct unit *u = units_of(s);
	uint64_t v = 0, mult = 1;
	char text[64], lo[32], hi[32];
	size_t i, digits = n->len;

	conf_node_show(n, text, sizeof(text));
	if (u != NULL && n->len > 0) {
		char c = n->text[n->len - 1];

		for (; u->suffix != 0; u++)
			if (c == u->suffix || (s->type == CONF_T_SIZE &&
			    c == u->suffix - 'A' + 'a'))
				break;
		if (u->suffix != 0) {
			mult = u->mult;
			digits--;
		}
	}
	if (digits == 0)
		goto syntax;
	for (i = 0; i < digits; i++) {
		unsigned d = (unsigned char)n->text[i] - '0';

		if (d > 9)
			goto syntax;
		if (v > (UINT64_MAX - d) / 10)
			goto range;
		v = v * 10 + d;
	}
	if (v > UINT64_MAX / mult)
		goto range;
	v *= mult;
	if (v < s->min || v > s->max)
		goto range;
	if ((s->flags & CONF_F_POW2) && (v & (v - 1)) != 0) {
		snprintf(why, whylen, "%s is not a power of two", text);
		return SKM_EINVAL;
	}
	*out = v;
	return 0;
syntax:
	snprintf(why, whylen, "'%s' is not %s%s", text,
	    conf_value_type_name(s), s->type == CONF_T_DURATION ?
	    " (number with s, m, h or d)" : s->type == CONF_T_SIZE ?
	    " (number with K, M or G)" : "");
	return SKM_EINVAL;
range:
	format_number(s, s->min, lo, sizeof(lo));
	format_number(s, s->max, hi, sizeof(hi));
	snprintf(why, whylen, "%s is out of range (%s..%s)", text, lo, hi);
	return SKM_EINVAL;
}

static int
parse_bool(const struct conf_node *n, bool *out, char *why, size_t whylen)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	char text[64];
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(n->text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(n->text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	conf_node_show(n, text, sizeof(text));
	snprintf(why, whylen, "'%s' is not true or false", text);
	return SKM_EINVAL;
}

static int
name_index(const char *const *names, const struct conf_node *n, int *out,
    char *why, size_t whylen)
{
	char text[64];
	int i, used;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(n->text, names[i]) == 0) {
			*out = i;
			return 0;
		}
	conf_node_show(n, text, sizeof(text));
	used = snprintf(why, whylen, "'%s' is not one of", text);
	for (i = 0; names[i] != NULL && used > 0 && (size_t)used < whylen; i++)
		used += snprintf(why + used, whylen - (size_t)used, "%s %s",
		    i == 0 ? "" : ",", names[i]);
	return SKM_EINVAL;
}

static bool
valid_user(const char *u, size_t n)
{
	size_t i;

	if (u[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' &&
		    u[i] <= 'Z') || (u[i] >= '0' && u[i] <= '9') ||
		    u[i] == '_' || u[i] == '.' || u[i] == '-'))
			return false;
	return true;
}

static int
parse_string(const struct conf_schema *s, const struct conf_node *n,
    char **out, char *why, size_t whylen)
{
	const char *text = conf_node_is_null(n) ? "" : n->text;
	size_t i, len = conf_node_is_null(n) ? 0 : n->len;
	char *copy;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) {
			snprintf(why, whylen, "control character at offset %zu",
			    i);
			return SKM_EINVAL;
		}
	if (len == 0 && (s->flags & CONF_F_NONEMPTY)) {
		snprintf(why, whylen, "must not be empty");
		return SKM_EINVAL;
	}
	if (len > s->max) {
		snprintf(why, whylen, "longer than %llu octets",
		    (unsigned long long)s->max);
		return SKM_EINVAL;
	}
	if (s->type == CONF_T_PATH && len > 0 && text[0] != '/') {
		snprintf(why, whylen, "must be an absolute path");
		return SKM_EINVAL;
	}
	if ((s->flags & CONF_F_USER) && len > 0 && !valid_user(text, len)) {
		snprintf(why, whylen, "not a valid user name");
		return SKM_EINVAL;
	}
	copy = strdup(text);
	if (copy == NULL)
		return SKM_ENOMEM;
	*out = copy;
	return 0;
}

/* A list of scalars; one scalar stands for a list of one, null for none. */
static int
items_of(const struct conf_schema *s, const struct conf_node *n,
    const struct conf_node **first, size_t *count, bool *single, char *why,
    size_t whylen)
{
	const struct conf_node *c;

	*single = false;
	*count = 0;
	*first = NULL;
	if (conf_node_is_null(n))
		return 0;
	if (n->kind == CONF_NODE_SCALAR) {
		*single = true;
		*first = n;
		*count = 1;
		return 0;
	}
	if (n->kind != CONF_NODE_SEQ)
		return type_error(s, n, why, whylen);
	*first = n->child;
	for (c = n->child; c != NULL; c = c->next)
		(*count)++;
	return 0;
}

static int
parse_addrs(const struct conf_schema *s, const struct conf_node *n,
    void *base, const struct conf_node **where, char *why, size_t whylen)
{
	const struct conf_node *c;
	struct conf_addr *list = NULL;
	size_t count, i, j;
	bool single;
	int rc;

	rc = items_of(s, n, &c, &count, &single, why, whylen);
	if (rc != 0)
		return rc;
	if (count < s->min || count > s->max) {
		snprintf(why, whylen, "needs %llu to %llu addresses, found %zu",
		    (unsigned long long)s->min, (unsigned long long)s->max,
		    count);
		return SKM_EINVAL;
	}
	if (count > 0 && (list = calloc(count, sizeof(*list))) == NULL)
		return SKM_ENOMEM;
	for (i = 0; i < count; i++, c = single ? NULL : c->next) {
		*where = c;
		if (c->kind != CONF_NODE_SCALAR || conf_node_is_null(c)) {
			rc = SKM_EINVAL;
			snprintf(why, whylen, "expected an address, found %s",
			    conf_node_is_null(c) ? "an empty value" :
			    conf_node_kind_name(c));
			goto out;
		}
		rc = conf_addr_parse(c->text, c->len, &list[i], why, whylen);
		if (rc != 0)
			goto out;
		for (j = 0; j < i; j++)
			if (conf_addr_equal(&list[j], &list[i])) {
				snprintf(why, whylen, "address listed twice");
				rc = SKM_EINVAL;
				goto out;
			}
	}
	*where = n;
	free(*FIELD(base, s, struct conf_addr *));
	*FIELD(base, s, struct conf_addr *) = list;
	*COUNT(base, s) = count;
	list = NULL;
out:
	free(list);
	return rc;
}

static int
parse_algs(const struct conf_schema *s, const struct conf_node *n,
    unsigned *out, const struct conf_node **where, char *why, size_t whylen)
{
	const struct conf_node *c;
	unsigned bits = 0;
	size_t count, i;
	bool single;
	int rc, idx = 0;

	rc = items_of(s, n, &c, &count, &single, why, whylen);
	if (rc != 0)
		return rc;
	if (count == 0) {
		snprintf(why, whylen, "needs at least one algorithm");
		return SKM_EINVAL;
	}
	for (i = 0; i < count; i++, c = single ? NULL : c->next) {
		*where = c;
		if (c->kind != CONF_NODE_SCALAR)
			return type_error(s, c, why, whylen);
		rc = name_index(s->names, c, &idx, why, whylen);
		if (rc != 0)
			return rc;
		if (bits & (1U << idx)) {
			snprintf(why, whylen, "%s listed twice", s->names[idx]);
			return SKM_EINVAL;
		}
		bits |= 1U << idx;
	}
	*where = n;
	*out = bits;
	return 0;
}

int
conf_value_set(const struct conf_schema *s, const struct conf_node *n,
    void *base, const struct conf_node **where, char *why, size_t whylen)
{
	struct conf_addr addr;
	uint64_t v;
	char *str;
	int rc, idx = 0;
	bool b;

	*where = n;
	if (s->type == CONF_T_ADDRS)
		return parse_addrs(s, n, base, where, why, whylen);
	if (s->type == CONF_T_ALGS)
		return parse_algs(s, n, FIELD(base, s, unsigned), where, why,
		    whylen);
	if (n != NULL && n->kind != CONF_NODE_SCALAR)
		return type_error(s, n, why, whylen);
	switch (s->type) {
	case CONF_T_STRING:
	case CONF_T_PATH:
		rc = parse_string(s, n, &str, why, whylen);
		if (rc != 0)
			return rc;
		free(*FIELD(base, s, char *));
		*FIELD(base, s, char *) = str;
		return 0;
	case CONF_T_ADDR:
		memset(&addr, 0, sizeof(addr));
		if (!conf_node_is_null(n) && n->len > 0) {
			rc = conf_addr_parse(n->text, n->len, &addr, why,
			    whylen);
			if (rc != 0)
				return rc;
		}
		*FIELD(base, s, struct conf_addr) = addr;
		return 0;
	default:
		break;
	}
	if (conf_node_is_null(n))
		return type_error(s, n, why, whylen);
	switch (s->type) {
	case CONF_T_BOOL:
		rc = parse_bool(n, &b, why, whylen);
		if (rc == 0)
			*FIELD(base, s, bool) = b;
		return rc;
	case CONF_T_UINT:
	case CONF_T_DURATION:
		rc = parse_number(s, n, &v, why, whylen);
		if (rc == 0)
			*FIELD(base, s, unsigned) = (unsigned)v;
		return rc;
	case CONF_T_SIZE:
		rc = parse_number(s, n, &v, why, whylen);
		if (rc == 0)
			*FIELD(base, s, uint64_t) = v;
		return rc;
	case CONF_T_ENUM:
		rc = name_index(s->names, n, &idx, why, whylen);
		if (rc == 0)
			memcpy(FIELD(base, s, int), &idx, sizeof(idx));
		return rc;
	default:
		return type_error(s, n, why, whylen);
	}
}

int
conf_value_set_default(const struct conf_schema *s, void *base)
{
	const struct conf_node *where;
	struct conf_node *n = NULL, plain;
	char why[128];
	int rc;

	if (s->type == CONF_T_ISSUERS || s->def == NULL) {
		conf_value_free(s, base);
		return 0;
	}
	/* Only flow lists need the YAML parser; it is costly to set up. */
	if (s->def[0] != '[') {
		memset(&plain, 0, sizeof(plain));
		plain.kind = CONF_NODE_SCALAR;
		plain.plain = true;
		plain.text = (char *)(uintptr_t)s->def;
		plain.len = strlen(s->def);
		return conf_value_set(s, &plain, base, &where, why,
		    sizeof(why));
	}
	rc = conf_node_parse(s->def, strlen(s->def), &n, NULL);
	if (rc == 0)
		rc = conf_value_set(s, n, base, &where, why, sizeof(why));
	conf_node_free(n);
	return rc;
}

void
conf_value_free(const struct conf_schema *s, void *base)
{
	const struct conf_schema *sub;
	struct conf_issuer *list;
	size_t i;

	switch (s->type) {
	case CONF_T_STRING:
	case CONF_T_PATH:
		free(*FIELD(base, s, char *));
		*FIELD(base, s, char *) = NULL;
		break;
	case CONF_T_ADDRS:
		free(*FIELD(base, s, struct conf_addr *));
		*FIELD(base, s, struct conf_addr *) = NULL;
		*COUNT(base, s) = 0;
		break;
	case CONF_T_ISSUERS:
		list = *FIELD(base, s, struct conf_issuer *);
		for (i = 0; list != NULL && i < *COUNT(base, s); i++)
			for (sub = s->sub; sub->name != NULL; sub++)
				conf_value_free(sub, &list[i]);
		free(list);
		*FIELD(base, s, struct conf_issuer *) = NULL;
		*COUNT(base, s) = 0;
		break;
	default:
		break;
	}
}

bool
conf_value_equal(const struct conf_schema *s, const void *a, const void *b)
{
	const struct conf_schema *sub;
	const struct conf_issuer *ia, *ib;
	const struct conf_addr *aa, *ab;
	const char *sa, *sb;
	size_t i;

	switch (s->type) {
	case CONF_T_STRING:
	case CONF_T_PATH:
		sa = *CFIELD(a, s, char *);
		sb = *CFIELD(b, s, char *);
		return strcmp(sa != NULL ? sa : "", sb != NULL ? sb : "") == 0;
	case CONF_T_BOOL:
		return *CFIELD(a, s, bool) == *CFIELD(b, s, bool);
	case CONF_T_UINT:
	case CONF_T_DURATION:
	case CONF_T_ALGS:
		return *CFIELD(a, s, unsigned) == *CFIELD(b, s, unsigned);
	case CONF_T_SIZE:
		return *CFIELD(a, s, uint64_t) == *CFIELD(b, s, uint64_t);
	case CONF_T_ENUM:
		return memcmp(CFIELD(a, s, int), CFIELD(b, s, int),
		    sizeof(int)) == 0;
	case CONF_T_ADDR:
		return conf_addr_equal(CFIELD(a, s, struct conf_addr),
		    CFIELD(b, s, struct conf_addr));
	case CONF_T_ADDRS:
		if (*CCOUNT(a, s) != *CCOUNT(b, s))
			return false;
		aa = *CFIELD(a, s, struct conf_addr *);
		ab = *CFIELD(b, s, struct conf_addr *);
		for (i = 0; i < *CCOUNT(a, s); i++)
			if (!conf_addr_equal(&aa[i], &ab[i]))
				return false;
		return true;
	case CONF_T_ISSUERS:
		if (*CCOUNT(a, s) != *CCOUNT(b, s))
			return false;
		ia = *CFIELD(a, s, struct conf_issuer *);
		ib = *CFIELD(b, s, struct conf_issuer *);
		for (i = 0; i < *CCOUNT(a, s); i++)
			for (sub = s->sub; sub->name != NULL; sub++)
				if (!conf_value_equal(sub, &ia[i], &ib[i]))
					return false;
		return true;
	}
	return false;
}

/*
 * Double-quoted, every non-ASCII code point escaped: YAML 1.1 reads raw
 * U+0085, U+2028 and U+2029 as line breaks, which would fold the string.
 */
static void
print_string(const char *p, FILE *fp)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned long cp;
	int more;

	fputc('"', fp);
	while (s != NULL && *s != '\0') {
		if (*s < 0x80) {
			if (*s == '"' || *s == '\\')
				fputc('\\', fp);
			fputc(*s++, fp);
			continue;
		}
		/* libyaml hands us valid UTF-8 only. */
		more = *s >= 0xf0 ? 3 : *s >= 0xe0 ? 2 : 1;
		cp = *s++ & (0x3f >> more);
		for (; more > 0 && (*s & 0xc0) == 0x80; more--)
			cp = (cp << 6) | (*s++ & 0x3f);
		if (cp > 0xffff)
			fprintf(fp, "\\U%08lx", cp);
		else
			fprintf(fp, "\\u%04lx", cp);
	}
	fputc('"', fp);
}

void
conf_value_print(const struct conf_schema *s, const void *base, FILE *fp)
{
	const struct conf_addr *list;
	unsigned bits;
	size_t i;
	int idx;

	switch (s->type) {
	case CONF_T_STRING:
	case CONF_T_PATH:
		print_string(*CFIELD(base, s, char *), fp);
		break;
	case CONF_T_BOOL:
		fputs(*CFIELD(base, s, bool) ? "true" : "false", fp);
		break;
	case CONF_T_UINT:
		fprintf(fp, "%u", *CFIELD(base, s, unsigned));
		break;
	case CONF_T_DURATION:
		print_scaled(*CFIELD(base, s, unsigned), duration_units, fp);
		break;
	case CONF_T_SIZE:
		print_scaled(*CFIELD(base, s, uint64_t), size_units, fp);
		break;
	case CONF_T_ENUM:
		memcpy(&idx, CFIELD(base, s, int), sizeof(idx));
		fputs(s->names[idx], fp);
		break;
	case CONF_T_ADDR:
		conf_addr_print(CFIELD(base, s, struct conf_addr), fp);
		break;
	case CONF_T_ADDRS:
		list = *CFIELD(base, s, struct conf_addr *);
		fputc('[', fp);
		for (i = 0; i < *CCOUNT(base, s); i++) {
			fputs(i == 0 ? "" : ", ", fp);
			conf_addr_print(&list[i], fp);
		}
		fputc(']', fp);
		break;
	case CONF_T_ALGS:
		bits = *CFIELD(base, s, unsigned);
		fputc('[', fp);
		for (idx = 0; s->names[idx] != NULL; idx++)
			if (bits & (1U << idx)) {
				bits &= ~(1U << idx);
				fprintf(fp, "%s%s", s->names[idx],
				    bits != 0 ? ", " : "");
			}
		fputc(']', fp);
		break;
	case CONF_T_ISSUERS:
		break;
	}
}
