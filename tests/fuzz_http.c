/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the HTTP/1.1 request parser (src/server/http_parse.c):
 * any octets as the start of a request, parsed under two sets of limits;
 * when the head announces a chunked body, the rest is decoded as one. The
 * whole input is decoded as a chunked body too. Every parse works on a copy
 * of exactly the length it is given, so ASan sees any read past it. Checks
 * the parser's promises: lengths and pointers inside the buffer, limits
 * kept, nothing complete before its last octet, and a decode that leaves
 * what follows the body alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
fuzz_copy(const char *p, size_t n)
{
	char *c;

	if ((c = malloc(n > 0 ? n : 1)) == NULL)
		abort();
	memcpy(c, p, n);
	return c;
}

static void
fuzz_inside(const char *buf, size_t len, const char *p, size_t n)
{
	if (p < buf || n > len || (size_t)(p - buf) > len - n)
		abort();
}

/* The value of a field holds no CTL but HTAB and no whitespace at its ends. */
static void
fuzz_value(const struct http_field *f)
{
	size_t i;

	if (f->value_len > 0 && (f->value[0] == ' ' || f->value[0] == '\t' ||
	    f->value[f->value_len - 1] == ' ' || f->value[f->value_len - 1] == '\t'))
		abort();
	for (i = 0; i < f->value_len; i++) {
		unsigned char c = (unsigned char)f->value[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			abort();
	}
}

static void
fuzz_chunked(const char *orig, size_t len, size_t max_body)
{
	char *buf = fuzz_copy(orig, len), *again;
	size_t body_len = SIZE_MAX, again_len;
	int r;

	r = http_parse_chunked(buf, len, max_body, &body_len);
	if (r == HTTP_PARSE_MORE) {
		/* nothing is decoded before the whole body is there */
		if (memcmp(buf, orig, len) != 0)
			abort();
	} else if (r > 0) {
		if ((size_t)r > len || body_len > max_body || body_len > (size_t)r)
			abort();
		/* the next request stays where it was */
		if (memcmp(buf + r, orig + r, len - (size_t)r) != 0)
			abort();
		/* the body ends at its last octet, not before */
		again = fuzz_copy(orig, (size_t)r - 1);
		if (http_parse_chunked(again, (size_t)r - 1, max_body, &again_len) !=
		    HTTP_PARSE_MORE)
			abort();
		free(again);
		/* and decodes the same on its own */
		again = fuzz_copy(orig, (size_t)r);
		if (http_parse_chunked(again, (size_t)r, max_body, &again_len) != r ||
		    again_len != body_len || memcmp(again, buf, body_len) != 0)
			abort();
		free(again);
	} else if (r != HTTP_PARSE_BAD && r != HTTP_PARSE_TOO_LARGE) {
		abort();
	}
	free(buf);
}

static void
fuzz_head(const char *orig, size_t len, size_t max_head, size_t max_body)
{
	char *buf = fuzz_copy(orig, len), *again;
	struct http_head h, h2;
	size_t i;
	int r;

	r = http_parse_head(buf, len, max_head, max_body, &h);
	if (r == HTTP_PARSE_MORE) {
		if (len > max_head)
			abort();
		free(buf);
		return;
	}
	if (r < 0) {
		if (r != HTTP_PARSE_BAD && r != HTTP_PARSE_TOO_LARGE &&
		    r != HTTP_PARSE_EXPECT && r != HTTP_PARSE_HEAD_LARGE &&
		    r != HTTP_PARSE_METHOD && r != HTTP_PARSE_VERSION)
			abort();
		free(buf);
		return;
	}
	if ((size_t)r > len || (size_t)r > max_head || h.head_len != (size_t)r)
		abort();
	if (h.method == REQ_OTHER || (h.minor != 0 && h.minor != 1))
		abort();
	if (h.target_len == 0)
		abort();
	fuzz_inside(buf, h.head_len, h.target, h.target_len);
	if (h.nfields > HTTP_PARSE_FIELDS)
		abort();
	for (i = 0; i < h.nfields; i++) {
		if (h.fields[i].name_len == 0)
			abort();
		fuzz_inside(buf, h.head_len, h.fields[i].name, h.fields[i].name_len);
		fuzz_inside(buf, h.head_len, h.fields[i].value, h.fields[i].value_len);
		fuzz_value(&h.fields[i]);
	}
	if (!h.chunked && h.content_length > max_body)
		abort();
	if ((h.chunked != 0 && h.chunked != 1) || (h.keep_alive != 0 && h.keep_alive != 1) ||
	    (h.expect_continue != 0 && h.expect_continue != 1))
		abort();
	if (h.minor == 1 && http_parse_field(&h, "host") == NULL)
		abort();
	if (h.chunked && http_parse_field(&h, "content-length") != NULL)
		abort();
	/* the head is complete at its last octet, not before */
	again = fuzz_copy(orig, (size_t)r - 1);
	if (http_parse_head(again, (size_t)r - 1, max_head, max_body, &h2) != HTTP_PARSE_MORE)
		abort();
	free(again);
	if (h.chunked)
		fuzz_chunked(orig + r, len - (size_t)r, max_body);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	if (size > 65536)
		return 0;
	fuzz_head(p, size, 8192, 65536);
	fuzz_head(p, size, size / 2 + 1, 16);
	fuzz_chunked(p, size, 65536);
	fuzz_chunked(p, size, 16);
	return 0;
}
