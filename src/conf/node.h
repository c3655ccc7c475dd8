/* SPDX-License-Identifier: ISC */
/*
 * The YAML document as a small tree of scalars, mappings and sequences that
 * remembers where each node starts, so later checks can name a line and a
 * column. This layer knows YAML only: it must not know any key of skms.yaml.
 * It refuses what the configuration never needs (anchors, aliases, tags,
 * non-scalar keys, several documents) and caps depth and size so hostile
 * input costs bounded time and stack.
 */
#ifndef SKM_CONF_NODE_H
#define SKM_CONF_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

/* Deepest nesting accepted; skms.yaml itself needs 4. */
#define CONF_NODE_DEPTH_MAX 32
/* Most nodes in one document; a large issuer list needs a few hundred. */
#define CONF_NODE_COUNT_MAX 20000

enum conf_node_kind {
	CONF_NODE_SCALAR,
	CONF_NODE_MAP,
	CONF_NODE_SEQ,
};

struct conf_node {
	enum conf_node_kind kind;
	unsigned line, column;		/* from 1 */
	char *text;			/* scalar value, NUL-terminated */
	size_t len;			/* octets in text; may hold a NUL */
	bool plain;			/* unquoted: may stand for null */
	struct conf_node *key;		/* in a mapping: this value's key */
	struct conf_node *child;	/* first entry of a collection */
	struct conf_node *next;		/* next entry in the parent */
};

/*
 * Parses len octets of text into *root (NULL for an empty stream or an
 * empty document). The caller frees it with conf_node_free(). On failure
 * fills err (file name left untouched) and returns SKM_EPARSE, SKM_EINVAL
 * (a YAML feature not supported) or SKM_ENOMEM.
 */
int conf_node_parse(const char *text, size_t len, struct conf_node **root,
    struct conf_error *err);

void conf_node_free(struct conf_node *n);

/* True for a plain scalar that YAML reads as null: empty, "~", "null". */
bool conf_node_is_null(const struct conf_node *n);

/*
 * A scalar's text fit for a message: at most 40 octets, anything but
 * printable ASCII shown as '?', so hostile input cannot drive a terminal.
 */
void conf_node_show(const struct conf_node *n, char *buf, size_t size);

/* "a scalar", "a mapping" or "a list", for messages. */
const char *conf_node_kind_name(const struct conf_node *n);

#endif
