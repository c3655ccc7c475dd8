/* SPDX-License-Identifier: ISC */
/*
 * The HTTP/1.1 request parser (see http_parse.h). Lines are found with
 * memchr; nothing is copied. Every refusal happens before the request
 * reaches the API, so nothing here needs to be undone.
 */
#include "server/http_parse.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 5.6.2: tchar. */
static int
http_parse_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * The next line of buf[off..len): its length without the line end in
 * *n, the offset after the line end returned; 0 when no line end has
 * arrived, -1 for a CR not followed by LF.
 */
static long
http_parse_line(const char *buf, size_t off, size_t len, size_t *n)
{
	const char *lf = memchr(buf + off, '\n', len - off);
	size_t end;

	if (lf == NULL)
		return 0;
	end = (size_t)(lf - buf);
	*n = end - off;
	if (*n > 0 && buf[end - 1] == '\r')
		(*n)--;
	if (memchr(buf + off, '\r', *n) != NULL)
		return -1;
	return (long)(end + 1);
}

static enum req_method
http_parse_method(const char *m, size_t n)
{
	static const struct { const char *name; enum req_method m; } known[] = {
		{ "GET", REQ_GET }, { "POST", REQ_POST }, { "HEAD", REQ_HEAD },
		{ "PUT", REQ_PUT }, { "DELETE", REQ_DELETE },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].name) == n && memcmp(known[i].name, m, n) == 0)
			return known[i].m;
	return REQ_OTHER;
}

/* method SP request-target SP HTTP-version (RFC 9112 3). */
static int
http_parse_request_line(const char *l, size_t n, struct http_head *h)
{
	const char *start = l, *sp1, *sp2;
	size_t i, mlen;

	if ((sp1 = memchr(l, ' ', n)) == NULL || (mlen = (size_t)(sp1 - l)) == 0)
		return HTTP_PARSE_BAD;
	for (i = 0; i < mlen; i++)
		if (!http_parse_tchar((unsigned char)l[i]))
			return HTTP_PARSE_BAD;
	h->target = sp1 + 1;
	if ((sp2 = memchr(h->target, ' ', n - mlen - 1)) == NULL)
		return HTTP_PARSE_BAD;
	h->target_len = (size_t)(sp2 - h->target);
	if (h->target_len == 0)
		return HTTP_PARSE_BAD;
	for (i = 0; i < h->target_len; i++)
		if ((unsigned char)h->target[i] <= 0x20 || (unsigned char)h->target[i] == 0x7f)
			return HTTP_PARSE_BAD;
	/* What follows the second space is the version, exactly. */
	n -= (size_t)(sp2 + 1 - l);
	l = sp2 + 1;
	if (n != 8 || memcmp(l, "HTTP/", 5) != 0 || l[5] < '0' || l[5] > '9' ||
	    l[6] != '.' || l[7] < '0' || l[7] > '9')
		return HTTP_PARSE_BAD;
	if (l[5] != '1' || l[7] > '1')
		return HTTP_PARSE_VERSION;
	h->minor = l[7] - '0';
	h->method = http_parse_method(start, mlen);
	return 0;
}

/* name ":" OWS value OWS (RFC 9112 5). */
static int
http_parse_field_line(const char *l, size_t n, struct http_field *f)
{
	const char *colon = memchr(l, ':', n);
	size_t i, v, e;

	/* A line that starts with whitespace is an obsolete fold (RFC 9112 5.2). */
	if (colon == NULL || colon == l)
		return HTTP_PARSE_BAD;
	f->name = l;
	f->name_len = (size_t)(colon - l);
	for (i = 0; i < f->name_len; i++)
		if (!http_parse_tchar((unsigned char)l[i]))
			return HTTP_PARSE_BAD;
	v = f->name_len + 1;
	e = n;
	while (v < e && (l[v] == ' ' || l[v] == '\t'))
		v++;
	while (e > v && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	for (i = v; i < e; i++)
		if (((unsigned char)l[i] < 0x20 && l[i] != '\t') || (unsigned char)l[i] == 0x7f)
			return HTTP_PARSE_BAD;
	f->value = l + v;
	f->value_len = e - v;
	return 0;
}

static int
http_parse_is(const struct http_field *f, const char *name)
{
	return strlen(name) == f->name_len && strncasecmp(f->name, name, f->name_len) == 0;
}

/* Does the comma-separated list v hold token tok (case-insensitive)? */
static int
http_parse_has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, s, e, tl = strlen(tok);

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, tok, tl) == 0)
			return 1;
	}
	return 0;
}

/* Content-Length: 1*DIGIT, at most 18 of them (no overflow). */
static int
http_parse_length(const struct http_field *f, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (f->value_len == 0 || f->value_len > 18)
		return HTTP_PARSE_BAD;
	for (i = 0; i < f->value_len; i++) {
		if (f->value[i] < '0' || f->value[i] > '9')
			return HTTP_PARSE_BAD;
		n = n * 10 + (uint64_t)(f->value[i] - '0');
	}
	*out = n;
	return 0;
}

/*
 * Fields that must appear at most once: RFC 9110 5.3 lets a recipient
 * combine repeated lines only for a list-valued field, and these are
 * singletons. Two of one would let two readers (a proxy, a log, skmsd)
 * each take a different one: the body's framing (RFC 9112 6.3 leaves
 * refusing even equal lengths to the recipient), the host, the media
 * type of the body, or the credentials the request is authorised by.
 */
static const struct {
	const char *name;
	const char *why;
} http_parse_single[] = {
	{ "Host", "Host field repeated" },
	{ "Content-Length", "Content-Length field repeated" },
	{ "Transfer-Encoding", "Transfer-Encoding field repeated" },
	{ "Content-Type", "Content-Type field repeated" },
	{ "Authorization", "Authorization field repeated" },
};

/* The first singleton named twice in h, or NULL. */
static const char *
http_parse_repeated(const struct http_head *h)
{
	size_t i, j, k;

	for (k = 0; k < sizeof(http_parse_single) / sizeof(http_parse_single[0]); k++) {
		for (i = 0; i < h->nfields; i++) {
			if (!http_parse_is(&h->fields[i], http_parse_single[k].name))
				continue;
			for (j = i + 1; j < h->nfields; j++)
				if (http_parse_is(&h->fields[j], http_parse_single[k].name))
					return http_parse_single[k].why;
			break;
		}
	}
	return NULL;
}

/* The fields that frame the body and shape the connection. */
static int
http_parse_semantics(struct http_head *h, size_t max_body)
{
	const struct http_field *f;
	int has_len = 0, hosts = 0, te = 0, conn_close = 0, conn_keep = 0;
	size_t i;

	h->content_length = 0;
	if ((h->why = http_parse_repeated(h)) != NULL)
		return HTTP_PARSE_BAD;
	for (i = 0; i < h->nfields; i++) {
		f = &h->fields[i];
		if (http_parse_is(f, "Content-Length")) {
			if (http_parse_length(f, &h->content_length) != 0) {
				h->why = "Content-Length is not a decimal length";
				return HTTP_PARSE_BAD;
			}
			has_len = 1;
		} else if (http_parse_is(f, "Transfer-Encoding")) {
			/* Only chunked, as the final and only coding. */
			if (f->value_len != 7 || strncasecmp(f->value, "chunked", 7) != 0) {
				h->why = "transfer coding other than chunked";
				return HTTP_PARSE_METHOD;
			}
			te = 1;
		} else if (http_parse_is(f, "Host")) {
			hosts++;
		} else if (http_parse_is(f, "Connection")) {
			conn_close |= http_parse_has_token(f->value, f->value_len, "close");
			conn_keep |= http_parse_has_token(f->value, f->value_len, "keep-alive");
		} else if (http_parse_is(f, "Expect")) {
			if (f->value_len != 12 ||
			    strncasecmp(f->value, "100-continue", 12) != 0) {
				h->why = "expectation other than 100-continue";
				return HTTP_PARSE_EXPECT;
			}
			/* RFC 9110 10.1.1: ignored in an HTTP/1.0 request. */
			h->expect_continue = h->minor == 1;
		}
	}
	/* RFC 9112 6.1: both would let two parsers disagree on the framing. */
	if (te && has_len) {
		h->why = "both Content-Length and Transfer-Encoding";
		return HTTP_PARSE_BAD;
	}
	/* RFC 9112 3.2: exactly one Host in HTTP/1.1 (more is refused above). */
	if (h->minor == 1 && hosts == 0) {
		h->why = "no Host field";
		return HTTP_PARSE_BAD;
	}
	if (te && h->minor == 0) {
		h->why = "Transfer-Encoding in HTTP/1.0";
		return HTTP_PARSE_BAD;
	}
	h->chunked = te;
	h->keep_alive = !conn_close && (h->minor == 1 || conn_keep);
	if (!te && h->content_length > max_body)
		return HTTP_PARSE_TOO_LARGE;
	return 0;
}

int
http_parse_head(const char *buf, size_t len, size_t max_head, size_t max_body,
    struct http_head *h)
{
	size_t off = 0, n;
	long next;
	int rc;

	memset(h, 0, sizeof(*h));
	/* RFC 9112 2.2: empty lines before the request line are ignored. */
	while (off < len && (buf[off] == '\r' || buf[off] == '\n')) {
		if (buf[off] == '\r' && (off + 1 >= len || buf[off + 1] != '\n')) {
			if (off + 1 < len)
				return HTTP_PARSE_BAD;
			return len > max_head ? HTTP_PARSE_HEAD_LARGE : HTTP_PARSE_MORE;
		}
		off += buf[off] == '\r' ? 2 : 1;
	}
	for (;;) {
		if ((next = http_parse_line(buf, off, len, &n)) < 0)
			return HTTP_PARSE_BAD;
		if (next == 0)
			return len > max_head ? HTTP_PARSE_HEAD_LARGE : HTTP_PARSE_MORE;
		if ((size_t)next > max_head)
			return HTTP_PARSE_HEAD_LARGE;
		if (h->target == NULL) {
			if ((rc = http_parse_request_line(buf + off, n, h)) != 0)
				return rc;
		} else if (n == 0) {
			h->head_len = (size_t)next;
			break;
		} else if (h->nfields == HTTP_PARSE_FIELDS) {
			return HTTP_PARSE_HEAD_LARGE;
		} else if ((rc = http_parse_field_line(buf + off, n,
		    &h->fields[h->nfields++])) != 0) {
			return rc;
		}
		off = (size_t)next;
	}
	if ((rc = http_parse_semantics(h, max_body)) != 0)
		return rc;
	/* Known only now that the request is whole: a 501 must not pre-empt a 400. */
	if (h->method == REQ_OTHER)
		return HTTP_PARSE_METHOD;
	return (int)h->head_len;
}

/* chunk-size [ chunk-ext ] CRLF: the size, or -1 when malformed. */
static int64_t
http_parse_chunk_size(const char *l, size_t n)
{
	int64_t v = 0;
	size_t i = 0;
	int d;

	for (; i < n; i++) {
		char c = l[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (v > (INT64_MAX >> 4))
			return -1;
		v = (v << 4) | d;
	}
	/* At least one digit; extensions after ';' are ignored. */
	if (i == 0)
		return -1;
	/* BWS only before a chunk-ext (RFC 9112 7.1.1). */
	if (i < n) {
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i == n || l[i] != ';')
			return -1;
	}
	return v;
}

/*
 * One pass over the coded body: with move set, the data is copied to the
 * start of buf. Returns the coded length, HTTP_PARSE_MORE or an error.
 */
static int
http_parse_chunks(char *buf, size_t len, size_t max_body, size_t *body_len, int move)
{
	size_t off = 0, out = 0, n;
	int64_t size;
	long next;

	for (;;) {
		if ((next = http_parse_line(buf, off, len, &n)) < 0)
			return HTTP_PARSE_BAD;
		if (next == 0)
			return HTTP_PARSE_MORE;
		/* Framing lines end in CRLF here: no bare LF inside a body. */
		if ((size_t)next - off != n + 2 ||
		    (size = http_parse_chunk_size(buf + off, n)) < 0)
			return HTTP_PARSE_BAD;
		off = (size_t)next;
		if (size == 0)
			break;
		if ((uint64_t)size > max_body - out)
			return HTTP_PARSE_TOO_LARGE;
		if (len - off < (size_t)size + 1)
			return HTTP_PARSE_MORE;
		if (move)
			memmove(buf + out, buf + off, (size_t)size);
		out += (size_t)size;
		off += (size_t)size;
		/* The data ends with CRLF. */
		if (buf[off] != '\r')
			return HTTP_PARSE_BAD;
		if (len - off < 2)
			return HTTP_PARSE_MORE;
		if (buf[off + 1] != '\n')
			return HTTP_PARSE_BAD;
		off += 2;
	}
	/* The trailer section: field lines up to an empty line, ignored. */
	for (;;) {
		if ((next = http_parse_line(buf, off, len, &n)) < 0)
			return HTTP_PARSE_BAD;
		if (next == 0)
			return HTTP_PARSE_MORE;
		if ((size_t)next - off != n + 2)
			return HTTP_PARSE_BAD;
		off = (size_t)next;
		if (n == 0)
			break;
	}
	*body_len = out;
	return (int)off;
}

int
http_parse_chunked(char *buf, size_t len, size_t max_body, size_t *body_len)
{
	int rc = http_parse_chunks(buf, len, max_body, body_len, 0);

	if (rc <= 0)
		return rc;
	return http_parse_chunks(buf, len, max_body, body_len, 1);
}

const struct http_field *
http_parse_field(const struct http_head *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nfields; i++)
		if (http_parse_is(&h->fields[i], name))
			return &h->fields[i];
	return NULL;
}
