/* SPDX-License-Identifier: ISC */
/*
 * A small streaming XML writer for the documents the KMS emits: elements,
 * escaped text, hex text on one line. It writes into a growing buffer; an
 * error (allocation, text XML cannot carry) is sticky and reported once by
 * xmlw_finish(). It never emits invalid UTF-8 or a character XML 1.0
 * forbids: text must be valid as it is, URLs are percent-encoded. It never
 * parses: reading XML is the client's job, with a real parser.
 */
#ifndef SKM_LIB_XMLW_H
#define SKM_LIB_XMLW_H

#include <stddef.h>
#include <stdint.h>

struct xmlw {
	char *buf;
	size_t len;
	size_t cap;
	int err;		/* sticky SKM_E* */
	unsigned depth;
	int indent;		/* pretty-print with two-space indentation */
};

/* Starts a document with the XML declaration. */
void xmlw_init(struct xmlw *w, int indent);

/* Opens <name attr...>; attrs is a NULL-terminated list of name, value pairs. */
void xmlw_open(struct xmlw *w, const char *name, const char *const *attrs);
void xmlw_close(struct xmlw *w, const char *name);

/*
 * <name>escaped text</name>. text must be valid UTF-8 of XML 1.0
 * characters; anything else (a C0 control, U+FFFE, an overlong form, a
 * stray octet) fails the document with SKM_EINVAL.
 */
void xmlw_text(struct xmlw *w, const char *name, const char *text);

/* 1 when xmlw_text() would write text, 0 when it would fail the document. */
int xmlw_text_ok(const char *text);

/*
 * <name>url</name> for a URL that may hold any octets (one echoed from a
 * request): octets outside printable ASCII become %HH, upper-case, so it
 * never fails the document.
 */
void xmlw_url(struct xmlw *w, const char *name, const char *url);

/* <name attrs>HEX</name>, upper- or lower-case digits, one line. */
void xmlw_hex(struct xmlw *w, const char *name, const char *const *attrs,
    const uint8_t *data, size_t len, int upper);

/* <name>decimal</name> */
void xmlw_uint(struct xmlw *w, const char *name, uint64_t value);

/* <name>true|false</name> */
void xmlw_bool(struct xmlw *w, const char *name, int value);

/* <name>YYYY-MM-DDTHH:MM:SSZ</name> */
void xmlw_time(struct xmlw *w, const char *name, int64_t unix_seconds);

/*
 * Copies already-serialised XML (a stored element) at the current depth;
 * invalid UTF-8 or a character XML forbids fails the document.
 */
void xmlw_raw(struct xmlw *w, const char *xml, size_t len);

/*
 * Ends the document: on success hands the NUL-terminated text to the
 * caller (*out, free with free(); *len its length) and returns 0; on a
 * sticky error frees everything and returns it.
 */
int xmlw_finish(struct xmlw *w, char **out, size_t *len);

/* Frees a writer that will not be finished (an error path). Cleanses the buffer. */
void xmlw_discard(struct xmlw *w);

#endif
