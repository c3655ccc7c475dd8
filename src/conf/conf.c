/* SPDX-License-Identifier: ISC */
/*
 * Life cycle of a struct conf: defaults, comparison, release and the names
 * of its enums. All of it follows the schema table; nothing here knows an
 * individual key.
 */
#include "conf/conf.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "conf/schema.h"
#include "conf/value.h"

int
conf_defaults(struct conf **out)
{
	const struct conf_schema *s;
	struct conf *cf;
	int rc = 0;

	*out = NULL;
	cf = calloc(1, sizeof(*cf));
	if (cf == NULL)
		return SKM_ENOMEM;
	for (s = conf_schema_keys; s->name != NULL && rc == 0; s++)
		rc = conf_value_set_default(s, cf);
	if (rc != 0) {
		conf_free(cf);
		return rc;
	}
	*out = cf;
	return 0;
}

void
conf_free(struct conf *cf)
{
	const struct conf_schema *s;

	if (cf == NULL)
		return;
	for (s = conf_schema_keys; s->name != NULL; s++)
		conf_value_free(s, cf);
	free(cf);
}

bool
conf_equal(const struct conf *a, const struct conf *b)
{
	const struct conf_schema *s;

	for (s = conf_schema_keys; s->name != NULL; s++)
		if (!conf_value_equal(s, a, b))
			return false;
	return true;
}

void
conf_error_str(const struct conf_error *err, char *buf, size_t size)
{
	if (err->line == 0)
		snprintf(buf, size, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line,
		    err->column, err->msg);
}

static const char *
name_of(const char *const *names, size_t count, unsigned v)
{
	return v < count ? names[v] : "unknown";
}

const char *
conf_log_level_name(enum conf_log_level v)
{
	return name_of(conf_schema_log_levels, CONF_LOG_ERROR + 1, v);
}

const char *
conf_log_target_name(enum conf_log_target v)
{
	return name_of(conf_schema_log_targets, CONF_LOG_SYSLOG + 1, v);
}

const char *
conf_log_format_name(enum conf_log_format v)
{
	return name_of(conf_schema_log_formats, CONF_LOG_JSON + 1, v);
}

const char *
conf_log_facility_name(enum conf_log_facility v)
{
	return name_of(conf_schema_log_facilities, CONF_FAC_LOCAL7 + 1, v);
}
