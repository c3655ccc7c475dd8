/* SPDX-License-Identifier: ISC */
/*
 * Streaming XML writer. Documents may carry private keys (KmsKeySet), so the
 * buffer is cleansed whenever it is grown or discarded.
 */
#include "lib/xmlw.h"
#include "common/dec.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "common/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/*
 * Room for n more octets and the terminating NUL; NULL (w->err set) when
 * memory runs out. A key set fits the first buffer, so replies are built
 * without regrowing it.
 */
static char *
xmlw_room(struct xmlw *w, size_t n)
{
	if (w->err != 0)
		return NULL;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap != 0 ? w->cap : 4096;
		char *nb;

		while (cap < w->len + n + 1)
			cap *= 2;
		/* Not realloc: the old buffer may hold key material. */
		if ((nb = malloc(cap)) == NULL) {
			w->err = SKM_ENOMEM;
			return NULL;
		}
		if (w->buf != NULL) {
			memcpy(nb, w->buf, w->len);
			OPENSSL_clear_free(w->buf, w->cap);
		}
		w->buf = nb;
		w->cap = cap;
	}
	return w->buf + w->len;
}

static void
xmlw_put(struct xmlw *w, const char *s, size_t n)
{
	char *p;

	if ((p = xmlw_room(w, n)) == NULL)
		return;
	memcpy(p, s, n);
	w->len += n;
}

static void
xmlw_puts(struct xmlw *w, const char *s)
{
	xmlw_put(w, s, strlen(s));
}

/*
 * How each octet goes into text: 0 as it is; XMLW_REF through a
 * reference (markup, and what a parser would not give back as written: a
 * CR in text, a tab, LF or CR in an attribute value); XMLW_BAD never (the
 * C0 controls XML 1.0 forbids, all but tab, LF and CR); XMLW_LEAD starts
 * a multi-octet UTF-8 sequence, checked whole. The references are those
 * of Canonical XML 1.0 (5.1 of the W3C recommendation of 20010315), so
 * text written here is already in canonical form. Tables, not strcspn(),
 * which builds one on every call.
 */
#define XMLW_REF	1
#define XMLW_BAD	2
#define XMLW_LEAD	3
#define XMLW_C0_BAD \
	[0x01] = 2, [0x02] = 2, [0x03] = 2, [0x04] = 2, [0x05] = 2, [0x06] = 2, \
	[0x07] = 2, [0x08] = 2, [0x0b] = 2, [0x0c] = 2, [0x0e] = 2, [0x0f] = 2, \
	[0x10] = 2, [0x11] = 2, [0x12] = 2, [0x13] = 2, [0x14] = 2, [0x15] = 2, \
	[0x16] = 2, [0x17] = 2, [0x18] = 2, [0x19] = 2, [0x1a] = 2, [0x1b] = 2, \
	[0x1c] = 2, [0x1d] = 2, [0x1e] = 2, [0x1f] = 2, [0x80 ... 0xff] = 3
static const unsigned char xmlw_class[256] = {
	XMLW_C0_BAD, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['\r'] = 1,
};
static const unsigned char xmlw_attr_class[256] = {
	XMLW_C0_BAD, ['&'] = 1, ['<'] = 1, ['"'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1,
};

static void
xmlw_ref(struct xmlw *w, unsigned char c)
{
	switch (c) {
	case '&':
		xmlw_put(w, "&amp;", 5);
		break;
	case '<':
		xmlw_put(w, "&lt;", 4);
		break;
	case '>':
		xmlw_put(w, "&gt;", 4);
		break;
	case '"':
		xmlw_put(w, "&quot;", 6);
		break;
	case '\t':
		xmlw_put(w, "&#x9;", 5);
		break;
	case '\n':
		xmlw_put(w, "&#xA;", 5);
		break;
	default:
		xmlw_put(w, "&#xD;", 5);
		break;
	}
}

/*
 * Text as it is, or not at all: invalid UTF-8 (overlong forms and
 * surrogates included) and characters XML 1.0 cannot carry (C0 controls,
 * U+FFFE, U+FFFF) make the document fail with SKM_EINVAL. Replacing them
 * would change an identity URI silently; request data that may hold
 * anything goes through xmlw_url() instead.
 */
static void
xmlw_escaped_in(struct xmlw *w, const char *s, const unsigned char *cls)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t run = 0, n;
	uint32_t cp;

	for (;;) {
		switch (cls[p[run]]) {
		case 0:
			if (p[run] == '\0')
				break;
			run++;
			continue;
		case XMLW_LEAD:
			/* A NUL ends any sequence early: 4 never reads past it. */
			if ((n = utf8_decode(p + run, 4, &cp)) == 0 || !utf8_xml_char(cp))
				break;
			run += n;
			continue;
		}
		/* Runs of characters that need no reference go in at once. */
		xmlw_put(w, (const char *)p, run);
		p += run;
		run = 0;
		switch (cls[*p]) {
		case 0:
			return;
		case XMLW_REF:
			xmlw_ref(w, *p++);
			continue;
		default:
			w->err = SKM_EINVAL;
			return;
		}
	}
}

static void
xmlw_escaped(struct xmlw *w, const char *s)
{
	xmlw_escaped_in(w, s, xmlw_class);
}

/*
 * A URI reference in ASCII (RFC 3986 2.1): every octet that is not
 * printable ASCII is percent-encoded, so any octets make well-formed
 * text; markup goes through references.
 */
static void
xmlw_url_escaped(struct xmlw *w, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char pct[3] = { '%', 0, 0 };
	size_t run;

	while (*p != '\0') {
		for (run = 0; p[run] > 0x20 && p[run] < 0x7f && xmlw_class[p[run]] == 0; run++)
			;
		xmlw_put(w, (const char *)p, run);
		p += run;
		if (*p == '\0')
			return;
		if (*p > 0x20 && xmlw_class[*p] == XMLW_REF) {
			xmlw_ref(w, *p);
		} else {
			pct[1] = hexd[*p >> 4];
			pct[2] = hexd[*p & 15];
			xmlw_put(w, pct, 3);
		}
		p++;
	}
}

static void
xmlw_margin(struct xmlw *w)
{
	static const char spaces[] = "                                ";
	size_t n = 2 * (size_t)w->depth;

	if (!w->indent)
		return;
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		xmlw_put(w, spaces, sizeof(spaces) - 1);
	xmlw_put(w, spaces, n);
}

static void
xmlw_newline(struct xmlw *w)
{
	if (w->indent)
		xmlw_put(w, "\n", 1);
}

/* The namespace name bound to prefix (plen octets) in scope; NULL when none. */
static const char *
xmlw_ns_find(const struct xmlw *w, const char *prefix, size_t plen)
{
	unsigned i;

	for (i = w->nns; i-- > 0;)
		if (strlen(w->ns[i].prefix) == plen && memcmp(w->ns[i].prefix, prefix, plen) == 0)
			return w->ns[i].uri;
	return NULL;
}

/*
 * Takes in the namespace declaration name="uri". Canonical XML leaves out
 * a declaration its parent already makes (and xmlns="" where no default
 * namespace is in scope); the writer does not, so such a document is not
 * canonical as written.
 */
static void
xmlw_ns_push(struct xmlw *w, const char *name, const char *uri)
{
	const char *prefix = name[5] == ':' ? name + 6 : "", *cur;

	cur = xmlw_ns_find(w, prefix, strlen(prefix));
	if ((cur != NULL && strcmp(cur, uri) == 0) || (cur == NULL && uri[0] == '\0'))
		w->canon = 0;
	if (w->nns == sizeof(w->ns) / sizeof(w->ns[0])) {
		w->canon = 0;
		return;
	}
	w->ns[w->nns].prefix = prefix;
	w->ns[w->nns].uri = uri;
	w->ns[w->nns].depth = w->depth;
	w->nns++;
}

static int
xmlw_is_ns(const char *name)
{
	return strncmp(name, "xmlns", 5) == 0 && (name[5] == '\0' || name[5] == ':');
}

/*
 * Canonical XML 1.0 order: namespace declarations first, by prefix (the
 * default namespace first), then attributes by namespace name (none
 * first), then local name. strcmp() on UTF-8 is code-point order.
 */
static int
xmlw_attr_cmp(const struct xmlw *w, const char *a, const char *b)
{
	const char *ca, *cb, *ua = "", *ub = "", *la = a, *lb = b;
	int na = xmlw_is_ns(a), nb = xmlw_is_ns(b), c;

	if (na != nb)
		return nb - na;
	if (na)
		return strcmp(a[5] == ':' ? a + 6 : "", b[5] == ':' ? b + 6 : "");
	if ((ca = strchr(a, ':')) != NULL) {
		ua = xmlw_ns_find(w, a, (size_t)(ca - a));
		la = ca + 1;
	}
	if ((cb = strchr(b, ':')) != NULL) {
		ub = xmlw_ns_find(w, b, (size_t)(cb - b));
		lb = cb + 1;
	}
	/* A prefix not in scope: the order cannot be known (checked by the caller). */
	if (ua == NULL || ub == NULL)
		return 0;
	if ((c = strcmp(ua, ub)) != 0)
		return c;
	return strcmp(la, lb);
}

static void
xmlw_tag(struct xmlw *w, const char *name, const char *const *attrs)
{
	const char *const *a[XMLW_MAX_ATTRS], *const *t;
	const char *colon;
	size_t n = 0, i, j;

	if (w->depth == 0) {
		if (w->root_end != 0)
			w->canon = 0;
		w->root_start = w->len;
	}
	for (; attrs != NULL && attrs[0] != NULL; attrs += 2) {
		if (n == XMLW_MAX_ATTRS) {
			if (w->err == 0)
				w->err = SKM_EINVAL;
			return;
		}
		a[n++] = attrs;
		if (xmlw_is_ns(attrs[0]))
			xmlw_ns_push(w, attrs[0], attrs[1] != NULL ? attrs[1] : "");
	}
	/* After the element's own declarations, which its names may use. */
	for (i = 0; i < n; i++)
		if (!xmlw_is_ns(a[i][0]) && (colon = strchr(a[i][0], ':')) != NULL &&
		    xmlw_ns_find(w, a[i][0], (size_t)(colon - a[i][0])) == NULL)
			w->canon = 0;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && xmlw_attr_cmp(w, a[j - 1][0], a[j][0]) > 0; j--) {
			t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	xmlw_put(w, "<", 1);
	xmlw_puts(w, name);
	for (i = 0; i < n; i++) {
		xmlw_puts(w, " ");
		xmlw_puts(w, a[i][0]);
		xmlw_puts(w, "=\"");
		xmlw_escaped_in(w, a[i][1] != NULL ? a[i][1] : "", xmlw_attr_class);
		xmlw_puts(w, "\"");
	}
	xmlw_put(w, ">", 1);
}

/* The end tag of an element at w->depth; its declarations go out of scope. */
static void
xmlw_end(struct xmlw *w, const char *name)
{
	xmlw_put(w, "</", 2);
	xmlw_puts(w, name);
	xmlw_put(w, ">", 1);
	while (w->nns > 0 && w->ns[w->nns - 1].depth >= w->depth)
		w->nns--;
	if (w->depth == 0)
		w->root_end = w->len;
	xmlw_newline(w);
}

void
xmlw_init(struct xmlw *w, int indent)
{
	memset(w, 0, sizeof(*w));
	w->indent = indent;
	w->canon = 1;
	xmlw_puts(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void
xmlw_open(struct xmlw *w, const char *name, const char *const *attrs)
{
	xmlw_margin(w);
	xmlw_tag(w, name, attrs);
	xmlw_newline(w);
	w->depth++;
}

void
xmlw_close(struct xmlw *w, const char *name)
{
	if (w->depth == 0) {
		w->err = SKM_ESTATE;
		return;
	}
	w->depth--;
	xmlw_margin(w);
	xmlw_end(w, name);
}

void
xmlw_text(struct xmlw *w, const char *name, const char *text)
{
	xmlw_margin(w);
	xmlw_tag(w, name, NULL);
	xmlw_escaped(w, text);
	xmlw_end(w, name);
}

void
xmlw_hex(struct xmlw *w, const char *name, const char *const *attrs,
    const uint8_t *data, size_t len, int upper)
{
	char *p;
	int rc;

	xmlw_margin(w);
	xmlw_tag(w, name, attrs);
	/* Encoded in place: no second copy of key material to clean up. */
	if ((p = xmlw_room(w, 2 * len)) == NULL)
		return;
	if ((rc = hex_encode(data, len, p, 2 * len + 1, upper)) != 0) {
		w->err = rc;
		return;
	}
	w->len += 2 * len;
	xmlw_end(w, name);
}

int
xmlw_text_ok(const char *text)
{
	const uint8_t *p = (const uint8_t *)text;
	size_t n;
	uint32_t cp;

	while (*p != '\0') {
		switch (xmlw_class[*p]) {
		case XMLW_BAD:
			return 0;
		case XMLW_LEAD:
			if ((n = utf8_decode(p, 4, &cp)) == 0 || !utf8_xml_char(cp))
				return 0;
			p += n;
			break;
		default:
			p++;
			break;
		}
	}
	return 1;
}

void
xmlw_url(struct xmlw *w, const char *name, const char *url)
{
	xmlw_margin(w);
	xmlw_tag(w, name, NULL);
	xmlw_url_escaped(w, url);
	xmlw_end(w, name);
}

void
xmlw_uint(struct xmlw *w, const char *name, uint64_t value)
{
	char num[DEC_U64_LEN];

	dec_u64(value, num);
	xmlw_text(w, name, num);
}

void
xmlw_bool(struct xmlw *w, const char *name, int value)
{
	xmlw_text(w, name, value ? "true" : "false");
}

void
xmlw_time(struct xmlw *w, const char *name, int64_t unix_seconds)
{
	char text[32];
	int rc;

	if ((rc = time_format(unix_seconds, text, sizeof(text))) != 0) {
		if (w->err == 0)
			w->err = rc;
		return;
	}
	xmlw_text(w, name, text);
}

void
xmlw_raw(struct xmlw *w, const char *xml, size_t len)
{
	const uint8_t *p = (const uint8_t *)xml;
	size_t i, n;
	uint32_t cp;

	/* Stored elements are checked as text is: no octet XML cannot carry. */
	for (i = 0; i < len; i += n)
		if ((n = utf8_decode(p + i, len - i, &cp)) == 0 || !utf8_xml_char(cp)) {
			if (w->err == 0)
				w->err = SKM_EINVAL;
			return;
		}
	/* Stored text: its canonical form is not known here. */
	w->canon = 0;
	xmlw_put(w, xml, len);
	if (len > 0 && xml[len - 1] != '\n')
		xmlw_newline(w);
}

int
xmlw_finish(struct xmlw *w, char **out, size_t *len)
{
	size_t off, clen;

	return xmlw_finish_c14n(w, out, len, &off, &clen);
}

int
xmlw_finish_c14n(struct xmlw *w, char **out, size_t *len, size_t *off, size_t *clen)
{
	int rc = w->err;

	*off = w->root_start;
	*clen = w->canon && w->root_end > w->root_start ? w->root_end - w->root_start : 0;

	if (rc == 0 && w->depth != 0)
		rc = SKM_ESTATE;
	if (rc != 0) {
		xmlw_discard(w);
		return rc;
	}
	/* xmlw_room() always leaves room for the terminating NUL. */
	if (w->buf != NULL)
		w->buf[w->len] = '\0';
	*out = w->buf;
	*len = w->len;
	memset(w, 0, sizeof(*w));
	return 0;
}

void
xmlw_discard(struct xmlw *w)
{
	if (w->buf != NULL)
		OPENSSL_clear_free(w->buf, w->cap);
	memset(w, 0, sizeof(*w));
}
