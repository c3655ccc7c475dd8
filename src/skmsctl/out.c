/* SPDX-License-Identifier: ISC */
/* Text and JSON output for skmsctl, to stdout or to the file out_begin_file() names. */
#include "skmsctl/out.h"
#include "common/hex.h"
#include "common/time.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
out_json_string(FILE *f, const char *s, size_t len)
{
	size_t i;

	putc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);
	}
	putc('"', f);
}

static void
out_name(struct out *o, const char *name)
{
	if (!o->json) {
		fprintf(o->f, "%s: ", name);
		return;
	}
	fprintf(o->f, "%s", o->first ? "" : ",");
	o->first = 0;
	out_json_string(o->f, name, strlen(name));
	putc(':', o->f);
}

void
out_begin(struct out *o, int json)
{
	out_begin_file(o, stdout, json);
}

void
out_begin_file(struct out *o, FILE *f, int json)
{
	o->f = f;
	o->json = json;
	o->first = 1;
	o->items = 0;
	if (json)
		putc('{', o->f);
}

void
out_end(struct out *o)
{
	if (o->json)
		fprintf(o->f, "}\n");
}

void
out_strn(struct out *o, const char *name, const char *value, size_t len)
{
	out_name(o, name);
	if (o->json)
		out_json_string(o->f, value, len);
	else
		fprintf(o->f, "%.*s\n", (int)len, value);
}

void
out_str(struct out *o, const char *name, const char *value)
{
	if (value == NULL)
		value = "";
	out_strn(o, name, value, strlen(value));
}

void
out_u64(struct out *o, const char *name, uint64_t value)
{
	out_name(o, name);
	fprintf(o->f, "%" PRIu64 "%s", value, o->json ? "" : "\n");
}

void
out_bool(struct out *o, const char *name, int value)
{
	out_name(o, name);
	fprintf(o->f, "%s%s", value ? "true" : "false", o->json ? "" : "\n");
}

void
out_time(struct out *o, const char *name, int64_t t, int zero_none)
{
	char text[TIME_TEXT_LEN + 8];

	if (t == 0 && zero_none) {
		out_name(o, name);
		fprintf(o->f, "%s", o->json ? "null" : "none\n");
		return;
	}
	if (time_format(t, text, sizeof(text)) != 0)
		snprintf(text, sizeof(text), "@%" PRId64, t);
	out_str(o, name, text);
}

void
out_hex(struct out *o, const char *name, const uint8_t *data, size_t len)
{
	char *text = malloc(2 * len + 1);

	if (text == NULL || hex_encode(data, len, text, 2 * len + 1, 0) != 0) {
		free(text);
		out_str(o, name, "?");
		return;
	}
	out_str(o, name, text);
	free(text);
}

void
out_list_begin(struct out *o, const char *name)
{
	o->items = 0;
	if (!o->json)
		return;
	out_name(o, name);
	putc('[', o->f);
}

void
out_item_begin(struct out *o)
{
	if (o->json) {
		fprintf(o->f, "%s{", o->items > 0 ? "," : "");
		o->first = 1;
	} else if (o->items > 0)
		putc('\n', o->f);
	o->items++;
}

void
out_item_end(struct out *o)
{
	if (o->json)
		putc('}', o->f);
}

void
out_list_end(struct out *o)
{
	if (o->json) {
		putc(']', o->f);
		o->first = 0;
	}
}
