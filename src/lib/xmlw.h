/* SPDX-License-Identifier: ISC */
/*
 * A small streaming XML writer for the documents the KMS emits: elements,
 * escaped text, hex text on one line. It writes into a growing buffer; an
 * error (allocation, text XML cannot carry) is sticky and reported once by
 * xmlw_finish(). It never emits invalid UTF-8 or a character XML 1.0
 * forbids: text must be valid as it is, URLs are percent-encoded. It never
 * parses: reading XML is the client's job, with a real parser.
 *
 * Its output is canonical XML by construction (Canonical XML 1.0,
 * 20010315, without comments), so that a signature over the root element
 * needs no parse: attributes are written in canonical order (namespace
 * declarations first by prefix, then attributes by namespace name and
 * local name) whatever order the caller lists them in, text and attribute
 * values are escaped as canonicalisation escapes them, elements are never
 * empty-tag forms. What it cannot guarantee (an element copied with
 * xmlw_raw(), a namespace declared again with the value in scope, an
 * attribute prefix it does not know, a second root) it records, and
 * xmlw_finish_c14n() then reports no canonical element.
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
	int canon;		/* 1 while the root element is canonical */
	size_t root_start;	/* offset of the root element's start tag */
	size_t root_end;	/* offset after its end tag; 0 until written */
	/* Namespace declarations in scope; prefixes and names are the caller's. */
	struct {
		const char *prefix;	/* "" for the default namespace */
		const char *uri;
		unsigned depth;
	} ns[16];
	unsigned nns;
};

/* Starts a document with the XML declaration. */
void xmlw_init(struct xmlw *w, int indent);

/*
 * Opens <name attr...>; attrs is a NULL-terminated list of name, value
 * pairs, at most XMLW_MAX_ATTRS, in any order. Names and namespace names
 * (the values of xmlns attributes) must live until the element closes.
 */
#define XMLW_MAX_ATTRS	8
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

/*
 * As xmlw_finish(), and where the root element lies in *out: *off and
 * *clen give octets that are its Canonical XML 1.0 form (20010315, no
 * comments) as a document subset, ready to digest; *clen is 0 when the
 * writer could not vouch for it (see above).
 */
int xmlw_finish_c14n(struct xmlw *w, char **out, size_t *len, size_t *off, size_t *clen);

/* Frees a writer that will not be finished (an error path). Cleanses the buffer. */
void xmlw_discard(struct xmlw *w);

#endif
