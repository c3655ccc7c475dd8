/* SPDX-License-Identifier: ISC */
/*
 * libyaml events into a conf_node tree. The tree is built with an explicit
 * stack of open collections, never by recursion on the input, and the
 * depth is capped, so a document of ten thousand nested brackets is an
 * error rather than a stack overflow. Freeing recurses only as deep as
 * the cap allows.
 */
#include "conf/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/err.h"

struct frame {
	struct conf_node *coll;
	struct conf_node *tail;
	struct conf_node *key;		/* mapping: key waiting for its value */
};

struct builder {
	struct frame stack[CONF_NODE_DEPTH_MAX];
	size_t depth;
	size_t count;
	struct conf_node *root;
	int documents;
	struct conf_error *err;
};

static int
fail(struct conf_error *err, int rc, unsigned line, unsigned column,
    const char *fmt, const char *arg)
{
	if (err != NULL) {
		err->line = line;
		err->column = column;
		snprintf(err->msg, sizeof(err->msg), fmt, arg);
	}
	return rc;
}

static int
fail_at(struct conf_error *err, int rc, const yaml_mark_t *m,
    const char *fmt, const char *arg)
{
	return fail(err, rc, (unsigned)m->line + 1, (unsigned)m->column + 1,
	    fmt, arg);
}

/* Reader errors carry an octet offset, not a mark: count lines ourselves. */
static void
offset_position(const char *text, size_t len, size_t off, unsigned *line,
    unsigned *column)
{
	size_t i;

	*line = 1;
	*column = 1;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static int
syntax_error(const yaml_parser_t *p, const char *text, size_t len,
    struct conf_error *err)
{
	const char *problem = p->problem != NULL ? p->problem : "invalid YAML";
	unsigned line, column;

	if (err == NULL)
		return SKM_EPARSE;
	if (p->error == YAML_READER_ERROR) {
		offset_position(text, len, p->problem_offset, &line, &column);
		return fail(err, SKM_EPARSE, line, column, "syntax error: %s",
		    problem);
	}
	err->line = (unsigned)p->problem_mark.line + 1;
	err->column = (unsigned)p->problem_mark.column + 1;
	if (p->context != NULL)
		snprintf(err->msg, sizeof(err->msg),
		    "syntax error: %s %s started at %u:%u", problem, p->context,
		    (unsigned)p->context_mark.line + 1,
		    (unsigned)p->context_mark.column + 1);
	else
		snprintf(err->msg, sizeof(err->msg), "syntax error: %s",
		    problem);
	return SKM_EPARSE;
}

void
conf_node_free(struct conf_node *n)
{
	struct conf_node *next;

	while (n != NULL) {
		next = n->next;
		conf_node_free(n->key);
		conf_node_free(n->child);
		free(n->text);
		free(n);
		n = next;
	}
}

bool
conf_node_is_null(const struct conf_node *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (n == NULL)
		return true;
	if (n->kind != CONF_NODE_SCALAR || !n->plain)
		return false;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->text, nulls[i]) == 0)
			return true;
	return false;
}

void
conf_node_show(const struct conf_node *n, char *buf, size_t size)
{
	size_t i, j = 0;

	if (size == 0)
		return;
	for (i = 0; i < n->len && i < 40 && j + 4 < size; i++)
		buf[j++] = (n->text[i] >= 0x20 && n->text[i] < 0x7f) ?
		    n->text[i] : '?';
	if (i < n->len && j + 4 < size) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
}

const char *
conf_node_kind_name(const struct conf_node *n)
{
	if (n == NULL || n->kind == CONF_NODE_SCALAR)
		return "a scalar";
	return n->kind == CONF_NODE_MAP ? "a mapping" : "a list";
}

static int
node_new(struct builder *b, enum conf_node_kind kind, const yaml_mark_t *m,
    struct conf_node **out)
{
	struct conf_node *n;

	if (++b->count > CONF_NODE_COUNT_MAX)
		return fail_at(b->err, SKM_EPARSE, m,
		    "document has more than %s nodes", "20000");
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return fail_at(b->err, SKM_ENOMEM, m, "%s", "out of memory");
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->column = (unsigned)m->column + 1;
	*out = n;
	return 0;
}

/* Hangs n under the innermost open collection, or makes it the root. */
static int
attach(struct builder *b, struct conf_node *n)
{
	struct frame *f;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->coll->kind == CONF_NODE_MAP && f->key == NULL) {
		if (n->kind != CONF_NODE_SCALAR) {
			unsigned line = n->line, column = n->column;

			conf_node_free(n);
			return fail(b->err, SKM_EINVAL, line, column, "%s",
			    "mapping keys must be scalars");
		}
		f->key = n;
		return 0;
	}
	if (f->coll->kind == CONF_NODE_MAP) {
		n->key = f->key;
		f->key = NULL;
	}
	if (f->tail == NULL)
		f->coll->child = n;
	else
		f->tail->next = n;
	f->tail = n;
	return 0;
}

static int
check_props(struct builder *b, const yaml_event_t *ev,
    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor != NULL)
		return fail_at(b->err, SKM_EINVAL, &ev->start_mark,
		    "anchors are not supported (&%s)", (const char *)anchor);
	if (tag != NULL)
		return fail_at(b->err, SKM_EINVAL, &ev->start_mark,
		    "tags are not supported (%s)", (const char *)tag);
	return 0;
}

static int
on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct conf_node *n;
	int rc;

	rc = check_props(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
	if (rc == 0)
		rc = node_new(b, CONF_NODE_SCALAR, &ev->start_mark, &n);
	if (rc != 0)
		return rc;
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->text = malloc(n->len + 1);
	if (n->text == NULL) {
		free(n);
		return fail_at(b->err, SKM_ENOMEM, &ev->start_mark, "%s",
		    "out of memory");
	}
	memcpy(n->text, ev->data.scalar.value, n->len);
	n->text[n->len] = '\0';
	rc = attach(b, n);
	return rc;
}

static int
on_open(struct builder *b, const yaml_event_t *ev, enum conf_node_kind kind)
{
	const yaml_char_t *anchor, *tag;
	struct conf_node *n;
	struct frame *f;
	int rc;

	if (kind == CONF_NODE_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	rc = check_props(b, ev, anchor, tag);
	if (rc != 0)
		return rc;
	if (b->depth == CONF_NODE_DEPTH_MAX)
		return fail_at(b->err, SKM_EPARSE, &ev->start_mark,
		    "nested more than %s levels deep", "32");
	rc = node_new(b, kind, &ev->start_mark, &n);
	if (rc == 0)
		rc = attach(b, n);
	if (rc != 0)
		return rc;
	f = &b->stack[b->depth++];
	f->coll = n;
	f->tail = NULL;
	f->key = NULL;
	return 0;
}

static int
on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return fail_at(b->err, SKM_EPARSE, &ev->start_mark,
			    "%s", "more than one document in the file");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail_at(b->err, SKM_EINVAL, &ev->start_mark,
		    "aliases are not supported (*%s)",
		    (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, CONF_NODE_MAP);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, CONF_NODE_SEQ);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		return 0;
	default:
		return 0;
	}
}

int
conf_node_parse(const char *text, size_t len, struct conf_node **root,
    struct conf_error *err)
{
	struct builder b;
	yaml_parser_t parser;
	yaml_event_t ev;
	int rc = 0, done = 0;

	*root = NULL;
	memset(&b, 0, sizeof(b));
	b.err = err;
	if (!yaml_parser_initialize(&parser))
		return fail(err, SKM_ENOMEM, 0, 0, "%s", "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser.error == YAML_MEMORY_ERROR ?
			    fail(err, SKM_ENOMEM, 0, 0, "%s", "out of memory") :
			    syntax_error(&parser, text, len, err);
			goto out;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (rc != 0)
			goto out;
	}
	/* A dangling key cannot remain: libyaml always emits its value. */
	*root = b.root;
	b.root = NULL;
out:
	/* Open collections are already linked under b.root. */
	while (b.depth > 0) {
		b.depth--;
		conf_node_free(b.stack[b.depth].key);
	}
	conf_node_free(b.root);
	yaml_parser_delete(&parser);
	return rc;
}
