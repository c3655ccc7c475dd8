/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the skms.yaml loader ('make fuzz'). Any input must
 * load or be refused with a position inside the input, without a crash,
 * leak or undefined behaviour; whatever loads must dump to YAML that loads
 * back to an equal config. Not part of make check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_error(const struct conf_error *err, const uint8_t *data, size_t size)
{
	size_t lines = 1, i;

	/* YAML 1.1 line breaks: LF, CR, and U+0085, U+2028, U+2029. */
	for (i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r' ||
		    data[i] == 0x85 || data[i] == 0xe2;
	/* A position, when given, lies inside the input (or just past it). */
	if (err->line > lines + 1 || memchr(err->msg, '\0',
	    sizeof(err->msg)) == NULL || err->msg[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_error err;
	struct conf *cf = NULL, *back = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;
	int rc;

	rc = conf_load_buffer("fuzz", (const char *)data, size, &cf, &err);
	if (rc != 0) {
		if (cf != NULL)
			abort();
		check_error(&err, data, size);
		return 0;
	}
	fp = open_memstream(&text, &len);
	if (fp == NULL)
		abort();
	if (conf_dump(cf, fp) != 0)
		abort();
	fclose(fp);
	rc = conf_load_buffer("dump", text, len, &back, &err);
	if (rc != 0) {
		fprintf(stderr, "dump refused: %u:%u: %s\n%s", err.line,
		    err.column, err.msg, text);
		abort();
	}
	if (!conf_equal(cf, back)) {
		fprintf(stderr, "dump loads to another config:\n%s", text);
		abort();
	}
	conf_free(back);
	conf_free(cf);
	free(text);
	return 0;
}
