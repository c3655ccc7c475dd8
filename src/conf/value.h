/* SPDX-License-Identifier: ISC */
/*
 * One configuration value: read it from a node into its field, compare,
 * print and free it, for every type of the schema table. Knows types and
 * ranges, not key names or sections; it must not walk mappings (that is
 * the loader's job, which owns key paths and positions).
 */
#ifndef SKM_CONF_VALUE_H
#define SKM_CONF_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/node.h"
#include "conf/schema.h"

/*
 * Parses n (NULL means null) as the type of s and replaces the field at
 * base + s->offset, freeing what it held. On failure the field is left
 * unchanged, *where is the offending node (n or one of its items) and why
 * receives the reason without the key path. Not for CONF_T_ISSUERS.
 * Returns 0, SKM_EINVAL or SKM_ENOMEM.
 */
int conf_value_set(const struct conf_schema *s, const struct conf_node *n,
    void *base, const struct conf_node **where, char *why, size_t whylen);

/*
 * Sets the field to the default of s (CONF_T_ISSUERS: no items). Returns 0,
 * SKM_ENOMEM, or another code only when the table itself is wrong.
 */
int conf_value_set_default(const struct conf_schema *s, void *base);

/* Frees what the field owns (CONF_T_ISSUERS included) and zeroes it. */
void conf_value_free(const struct conf_schema *s, void *base);

/* True when the fields of a and b are equal (CONF_T_ISSUERS included). */
bool conf_value_equal(const struct conf_schema *s, const void *a,
    const void *b);

/*
 * Writes the field as one line of YAML flow text that conf_value_set()
 * reads back to an equal value. Not for CONF_T_ISSUERS.
 */
void conf_value_print(const struct conf_schema *s, const void *base,
    FILE *fp);

/* "a duration", "a list of addresses": what s expects, for messages. */
const char *conf_value_type_name(const struct conf_schema *s);

#endif
