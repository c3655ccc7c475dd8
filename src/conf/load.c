/* SPDX-License-Identifier: ISC */
/*
 * Reading skms.yaml: the node tree is walked against the schema table,
 * section by section, into a config that starts at the defaults. Every
 * refusal names the key path and the line and column of the offending
 * node. Nothing here acts on a value: no file named in the config is
 * opened and no user or host is looked up.
 */
#include "conf/conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/trustfile.h"
#include "conf/node.h"
#include "conf/schema.h"
#include "conf/value.h"

#define NKEYS 64

/* snprintf whose truncation is intended: messages are cut, not overflowed. */
static void say(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

struct loader {
	struct conf *cf;
	struct conf_error *err;
	/* The value node that set each row of conf_schema_keys, if any. */
	const struct conf_node *seen[NKEYS];
};

static int
fail(struct loader *ld, int rc, const struct conf_node *at, const char *path,
    const char *why)
{
	if (ld->err == NULL)
		return rc;
	ld->err->line = at != NULL ? at->line : 0;
	ld->err->column = at != NULL ? at->column : 0;
	if (path != NULL)
		say(ld->err->msg, sizeof(ld->err->msg), "%s: %s", path,
		    why);
	else
		say(ld->err->msg, sizeof(ld->err->msg), "%s", why);
	return rc;
}

/* A key with a NUL inside matches no name. */
static bool
key_is(const struct conf_node *key, const char *name)
{
	return strlen(key->text) == key->len && strcmp(key->text, name) == 0;
}

/* Refuses the key of e if an earlier entry of the same mapping has it. */
static int
check_duplicate(struct loader *ld, const struct conf_node *map,
    const struct conf_node *e, const char *prefix)
{
	const struct conf_node *c;
	char path[160], key[64];

	for (c = map->child; c != e; c = c->next)
		if (c->key->len == e->key->len &&
		    memcmp(c->key->text, e->key->text, c->key->len) == 0)
			break;
	if (c == e)
		return 0;
	conf_node_show(e->key, key, sizeof(key));
	say(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
	return fail(ld, SKM_EINVAL, e->key, path, "duplicate key");
}

static int
unknown_key(struct loader *ld, const struct conf_node *e, const char *prefix)
{
	char path[160], key[64];

	conf_node_show(e->key, key, sizeof(key));
	if (key[0] == '\0')
		say(key, sizeof(key), "\"\"");
	say(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
	return fail(ld, SKM_EINVAL, e->key, path, "unknown key");
}

static int
set_value(struct loader *ld, const struct conf_schema *s,
    const struct conf_node *n, void *base, const char *path)
{
	const struct conf_node *where = n;
	char why[200];
	int rc;

	rc = conf_value_set(s, n, base, &where, why, sizeof(why));
	if (rc == SKM_ENOMEM)
		return fail(ld, rc, where, NULL, "out of memory");
	if (rc != 0)
		return fail(ld, rc, where, path, why);
	return 0;
}

/* One mapping of tokens.issuers: defaults, then keys, then required keys. */
static int
load_issuer(struct loader *ld, const struct conf_schema *s,
    const struct conf_node *item, struct conf_issuer *is, const char *prefix,
    const struct conf_node **issuer_node)
{
	const struct conf_schema *sub;
	const struct conf_node *e, *present[16] = { NULL };
	char path[200], why[80];
	int rc;

	for (sub = s->sub; sub->name != NULL; sub++) {
		rc = conf_value_set_default(sub, is);
		if (rc != 0)
			return fail(ld, rc, item, prefix, "bad default");
	}
	if (item->kind != CONF_NODE_MAP) {
		say(why, sizeof(why), "expected a mapping, found %s",
		    conf_node_is_null(item) ? "an empty value" :
		    conf_node_kind_name(item));
		return fail(ld, SKM_EINVAL, item, prefix, why);
	}
	for (e = item->child; e != NULL; e = e->next) {
		rc = check_duplicate(ld, item, e, prefix);
		if (rc != 0)
			return rc;
		for (sub = s->sub; sub->name != NULL; sub++)
			if (key_is(e->key, sub->name))
				break;
		if (sub->name == NULL)
			return unknown_key(ld, e, prefix);
		say(path, sizeof(path), "%s.%s", prefix, sub->name);
		rc = set_value(ld, sub, e, is, path);
		if (rc != 0)
			return rc;
		present[sub - s->sub] = e;
	}
	for (sub = s->sub; sub->name != NULL; sub++)
		if ((sub->flags & CONF_F_REQUIRED) &&
		    present[sub - s->sub] == NULL) {
			say(why, sizeof(why), "missing key '%s'",
			    sub->name);
			return fail(ld, SKM_EINVAL, item, prefix, why);
		}
	sub = conf_schema_find_sub(s->sub, "issuer");
	*issuer_node = present[sub - s->sub];
	return 0;
}

static int
load_issuers(struct loader *ld, const struct conf_schema *s,
    const struct conf_node *n, const char *path)
{
	struct conf_issuer *list;
	const struct conf_node *c, *issuer_node[64];
	char prefix[64], why[160];
	size_t count = 0, i, j;
	int rc;

	if (!conf_node_is_null(n) && n->kind != CONF_NODE_SEQ) {
		say(why, sizeof(why), "expected %s, found %s",
		    conf_value_type_name(s), conf_node_kind_name(n));
		return fail(ld, SKM_EINVAL, n, path, why);
	}
	conf_value_free(s, ld->cf);
	if (conf_node_is_null(n))
		return 0;
	for (c = n->child; c != NULL; c = c->next)
		count++;
	if (count > s->max ||
	    count > sizeof(issuer_node) / sizeof(issuer_node[0])) {
		say(why, sizeof(why), "more than %llu issuers",
		    (unsigned long long)s->max);
		return fail(ld, SKM_EINVAL, n, path, why);
	}
	if (count == 0)
		return 0;
	list = calloc(count, sizeof(*list));
	if (list == NULL)
		return fail(ld, SKM_ENOMEM, n, NULL, "out of memory");
	/* Owned by the config from here, so conf_free() cleans up on error. */
	ld->cf->tokens.issuers = list;
	ld->cf->tokens.issuers_count = count;
	for (c = n->child, i = 0; c != NULL; c = c->next, i++) {
		say(prefix, sizeof(prefix), "%s[%zu]", path, i);
		rc = load_issuer(ld, s, c, &list[i], prefix, &issuer_node[i]);
		if (rc != 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(list[j].issuer, list[i].issuer) == 0) {
				say(why, sizeof(why),
				    "same issuer as %s[%zu]", path, j);
				say(prefix, sizeof(prefix), "%s[%zu].issuer",
				    path, i);
				return fail(ld, SKM_EINVAL, issuer_node[i],
				    prefix, why);
			}
	}
	return 0;
}

/*
 * The mapping sec of section name (a nested one such as store.postgresql
 * is a mapping inside its parent, named with a dot).
 */
static int
load_section(struct loader *ld, const struct conf_node *sec, const char *name)
{
	const struct conf_schema *s;
	const struct conf_node *e;
	char path[160], why[80], nested[64];
	int rc;

	if (conf_node_is_null(sec))
		return 0;
	if (sec->kind != CONF_NODE_MAP) {
		say(why, sizeof(why), "expected a mapping, found %s",
		    conf_node_kind_name(sec));
		return fail(ld, SKM_EINVAL, sec, name, why);
	}
	for (e = sec->child; e != NULL; e = e->next) {
		rc = check_duplicate(ld, sec, e, name);
		if (rc != 0)
			return rc;
		s = key_is(e->key, e->key->text) ?
		    conf_schema_find(name, e->key->text) : NULL;
		if (s == NULL && key_is(e->key, e->key->text)) {
			say(nested, sizeof(nested), "%s.%s", name, e->key->text);
			if (strlen(name) + 1 + strlen(e->key->text) < sizeof(nested) &&
			    conf_schema_has_section(nested)) {
				if ((rc = load_section(ld, e, nested)) != 0)
					return rc;
				continue;
			}
		}
		if (s == NULL)
			return unknown_key(ld, e, name);
		say(path, sizeof(path), "%s.%s", s->section, s->name);
		if (s->type == CONF_T_ISSUERS)
			rc = load_issuers(ld, s, e, path);
		else
			rc = set_value(ld, s, e, ld->cf, path);
		if (rc != 0)
			return rc;
		if ((size_t)(s - conf_schema_keys) < NKEYS)
			ld->seen[s - conf_schema_keys] = e;
	}
	return 0;
}

static const struct conf_node *
seen(const struct loader *ld, const char *section, const char *name)
{
	size_t i = (size_t)(conf_schema_find(section, name) - conf_schema_keys);

	return i < NKEYS ? ld->seen[i] : NULL;
}

/* The later of two nodes in the file: the one to blame for a conflict. */
static const struct conf_node *
later(const struct conf_node *a, const struct conf_node *b)
{
	if (a == NULL || (b != NULL && (b->line > a->line ||
	    (b->line == a->line && b->column > a->column))))
		return b;
	return a;
}

/* Rules that tie keys together, checked once every key is read. */
static int
check_cross(struct loader *ld)
{
	const struct conf *cf = ld->cf;
	const struct conf_node *at;
	size_t i;

	if (cf->kek.file[0] != '\0' && cf->kek.passphrase_file[0] != '\0') {
		at = later(seen(ld, "kek", "file"),
		    seen(ld, "kek", "passphrase-file"));
		return fail(ld, SKM_EINVAL, at, "kek",
		    "set file or passphrase-file, not both");
	}
	if (cf->kek.pkcs11_uri[0] != '\0' &&
	    (cf->kek.file[0] != '\0' || cf->kek.passphrase_file[0] != '\0')) {
		at = later(seen(ld, "kek", "pkcs11-uri"), later(seen(ld, "kek", "file"),
		    seen(ld, "kek", "passphrase-file")));
		return fail(ld, SKM_EINVAL, at, "kek",
		    "set file, passphrase-file or pkcs11-uri, only one");
	}
	if (cf->server.client_cert_identity &&
	    cf->server.tls_client_ca[0] == '\0') {
		at = later(seen(ld, "server", "client-cert-identity"),
		    seen(ld, "server", "tls-client-ca"));
		return fail(ld, SKM_EINVAL, at, "server.client-cert-identity",
		    "needs server.tls-client-ca");
	}
	if (cf->store.backend == CONF_STORE_POSTGRESQL &&
	    cf->store.postgresql.conninfo[0] == '\0') {
		at = later(seen(ld, "store", "backend"),
		    seen(ld, "store.postgresql", "conninfo"));
		return fail(ld, SKM_EINVAL, at, "store.backend",
		    "postgresql needs store.postgresql.conninfo");
	}
	/* A node registers locally: the others, and the database, would never know. */
	if (cf->store.backend == CONF_STORE_POSTGRESQL && cf->server.enroll_on_first_token) {
		at = later(seen(ld, "store", "backend"),
		    seen(ld, "server", "enroll-on-first-token"));
		return fail(ld, SKM_EINVAL, at, "server.enroll-on-first-token",
		    "not with store.backend postgresql");
	}
	for (i = 0; i < cf->server.listen_count; i++)
		if (cf->server.metrics_listen.family != CONF_ADDR_NONE &&
		    cf->server.metrics_listen.port ==
		    cf->server.listen[i].port &&
		    strcmp(cf->server.metrics_listen.host,
		    cf->server.listen[i].host) == 0) {
			at = later(seen(ld, "server", "listen"),
			    seen(ld, "server", "metrics-listen"));
			return fail(ld, SKM_EINVAL, at, "server.metrics-listen",
			    "also in server.listen");
		}
	return 0;
}

static int
load_root(struct loader *ld, const struct conf_node *root)
{
	const struct conf_node *e;
	char why[80];
	int rc;

	if (conf_node_is_null(root))
		return 0;
	if (root->kind != CONF_NODE_MAP) {
		say(why, sizeof(why),
		    "expected a mapping of sections, found %s",
		    conf_node_kind_name(root));
		return fail(ld, SKM_EINVAL, root, NULL, why);
	}
	for (e = root->child; e != NULL; e = e->next) {
		rc = check_duplicate(ld, root, e, "");
		if (rc != 0)
			return rc;
		if (!key_is(e->key, e->key->text) ||
		    strchr(e->key->text, '.') != NULL ||
		    !conf_schema_has_section(e->key->text))
			return unknown_key(ld, e, "");
		rc = load_section(ld, e, e->key->text);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
conf_load_buffer(const char *name, const char *text, size_t len,
    struct conf **out, struct conf_error *err)
{
	struct loader ld;
	struct conf_node *root = NULL;
	int rc;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		say(err->file, sizeof(err->file), "%s",
		    name != NULL ? name : "-");
	}
	if (len > CONF_FILE_MAX)
		return fail(&ld, SKM_EINVAL, NULL, NULL,
		    "larger than 1 MiB");
	rc = conf_defaults(&ld.cf);
	if (rc != 0)
		return fail(&ld, rc, NULL, NULL, "cannot set defaults");
	rc = conf_node_parse(text, len, &root, err);
	if (rc == 0)
		rc = load_root(&ld, root);
	if (rc == 0)
		rc = check_cross(&ld);
	if (rc != 0)
		goto out;
	*out = ld.cf;
	ld.cf = NULL;
out:
	conf_node_free(root);
	conf_free(ld.cf);
	return rc;
}

int
conf_load(const char *path, struct conf **out, struct conf_error *err)
{
	struct loader ld;
	char *text = NULL, why[512];
	const char *reason;
	size_t len = 0, plen;
	ssize_t n;
	int fd, rc;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	ld.err = err;
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		say(err->file, sizeof(err->file), "%s", path);
	}
	/* Whoever could replace this file would decide whom skmsd trusts. */
	if ((rc = trustfile_open(path, TRUSTFILE_TRUST, TRUSTFILE_NO_UID, &fd, why,
	    sizeof(why))) != 0) {
		/* err->file names the file already: the reason only, if about it. */
		plen = strlen(path);
		reason = strncmp(why, path, plen) == 0 && why[plen] == ':' ?
		    why + plen + 2 : why;
		return fail(&ld, rc == SKM_ENOMEM ? rc : SKM_EIO, NULL, NULL, reason);
	}
	/* One octet beyond the cap tells "too large" from "exactly the cap". */
	text = malloc(CONF_FILE_MAX + 1);
	if (text == NULL) {
		rc = fail(&ld, SKM_ENOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	while (len <= CONF_FILE_MAX) {
		n = read(fd, text + len, CONF_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say(why, sizeof(why), "cannot read: %s",
			    strerror(errno));
			rc = fail(&ld, SKM_EIO, NULL, NULL, why);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = conf_load_buffer(path, text, len, out, err);
out:
	free(text);
	close(fd);
	return rc;
}
