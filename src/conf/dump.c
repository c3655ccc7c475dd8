/* SPDX-License-Identifier: ISC */
/*
 * The effective configuration as YAML, every key included, in table order.
 * The output is read back by conf_load_buffer() to an equal config; it
 * holds paths and names only, never key material.
 */
#include "conf/conf.h"

#include <string.h>

#include "common/err.h"
#include "conf/schema.h"
#include "conf/value.h"

static void
dump_issuers(const struct conf_schema *s, const struct conf *cf, FILE *fp)
{
	const struct conf_schema *sub;
	size_t i;

	if (cf->tokens.issuers_count == 0) {
		fprintf(fp, "  %s: []\n", s->name);
		return;
	}
	fprintf(fp, "  %s:\n", s->name);
	for (i = 0; i < cf->tokens.issuers_count; i++)
		for (sub = s->sub; sub->name != NULL; sub++) {
			fprintf(fp, "    %s %s: ", sub == s->sub ? "-" : " ",
			    sub->name);
			conf_value_print(sub, &cf->tokens.issuers[i], fp);
			fputc('\n', fp);
		}
}

int
conf_dump(const struct conf *cf, FILE *fp)
{
	const struct conf_schema *s;
	const char *section = NULL, *dot;
	const char *indent = "  ";

	fputs("# skms.yaml: effective configuration\n", fp);
	for (s = conf_schema_keys; s->name != NULL; s++) {
		if (section == NULL || strcmp(section, s->section) != 0) {
			section = s->section;
			/* A nested section (store.postgresql) follows its parent's keys. */
			if ((dot = strchr(section, '.')) != NULL) {
				fprintf(fp, "  %s:\n", dot + 1);
				indent = "    ";
			} else {
				fprintf(fp, "\n%s:\n", section);
				indent = "  ";
			}
		}
		if (s->type == CONF_T_ISSUERS) {
			dump_issuers(s, cf, fp);
			continue;
		}
		fprintf(fp, "%s%s: ", indent, s->name);
		conf_value_print(s, cf, fp);
		fputc('\n', fp);
	}
	if (fflush(fp) != 0 || ferror(fp))
		return SKM_EIO;
	return 0;
}
