/* SPDX-License-Identifier: ISC */
/*
 * The one table of skms.yaml keys: section, name, type, default, range and
 * where the value lives in struct conf. Loading, defaults, comparison and
 * dumping all walk this table; adding a key means adding a row here and a
 * field in conf.h, nothing else. The table holds no logic of its own.
 */
#ifndef SKM_CONF_SCHEMA_H
#define SKM_CONF_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

enum conf_type {
	CONF_T_STRING,		/* char *, printable, max octets */
	CONF_T_PATH,		/* char *, absolute or empty */
	CONF_T_BOOL,		/* bool */
	CONF_T_UINT,		/* unsigned, min..max */
	CONF_T_DURATION,	/* unsigned seconds; suffix s, m, h or d */
	CONF_T_SIZE,		/* uint64_t octets; suffix K, M or G */
	CONF_T_ENUM,		/* an enum, one of names[] */
	CONF_T_ADDR,		/* struct conf_addr; null disables */
	CONF_T_ADDRS,		/* struct conf_addr *, count, min..max items */
	CONF_T_ALGS,		/* unsigned enum conf_alg bits */
	CONF_T_ISSUERS,		/* struct conf_issuer *, count; sub table */
};

enum conf_flag {
	CONF_F_REQUIRED = 1 << 0,	/* in a list item: must be given */
	CONF_F_NONEMPTY = 1 << 1,	/* a string that must not be empty */
	CONF_F_POW2 = 1 << 2,		/* an integer that is a power of two */
	CONF_F_USER = 1 << 3,		/* a portable user name */
};

struct conf_schema {
	const char *section;		/* NULL inside a list of mappings */
	const char *name;		/* NULL ends a table */
	enum conf_type type;
	const char *def;		/* default as YAML; NULL: required */
	uint64_t min, max;		/* range, length or item count */
	size_t offset;			/* of the field in its struct */
	size_t count_offset;		/* of the item count, for lists */
	const char *const *names;	/* CONF_T_ENUM and CONF_T_ALGS */
	const struct conf_schema *sub;	/* CONF_T_ISSUERS: fields of one item */
	unsigned flags;			/* enum conf_flag */
};

/* The keys of struct conf in file order, ended by a row with name NULL. */
extern const struct conf_schema conf_schema_keys[];
/* The keys of one struct conf_issuer, ended by a row with name NULL. */
extern const struct conf_schema conf_schema_issuer[];

extern const char *const conf_schema_log_levels[];
extern const char *const conf_schema_log_targets[];
extern const char *const conf_schema_log_facilities[];
extern const char *const conf_schema_log_formats[];
extern const char *const conf_schema_kek_mechs[];
/* enum conf_store_backend, by name. */
extern const char *const conf_schema_store_backends[];
extern const char *const conf_schema_audit_durability[];
/* Bit i of enum conf_alg is named conf_schema_algs[i]. */
extern const char *const conf_schema_algs[];

/* The row for section.name in conf_schema_keys, or NULL. */
const struct conf_schema *conf_schema_find(const char *section,
    const char *name);
/* True when some row of conf_schema_keys is in section. */
int conf_schema_has_section(const char *section);
/* The row for name in a sub table (section NULL), or NULL. */
const struct conf_schema *conf_schema_find_sub(const struct conf_schema *sub,
    const char *name);

#endif
