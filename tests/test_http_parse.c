/* SPDX-License-Identifier: ISC */
/*
 * src/server/http_parse: the HTTP/1.1 request head and the chunked coding
 * (RFC 9112). Every request is also fed one octet at a time, so a parser
 * that decides before it has seen enough, or reads past len, shows up here
 * rather than as a smuggled request.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http_parse.h"

/* A literal with its length, so NUL octets inside it count. */
#define S(lit)		(lit), (sizeof(lit) - 1)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define MAX_HEAD	8192
#define MAX_BODY	65536

#define KP		"/keymanagement/identity/v1/keyprov/sip:alice@example.org"
#define HOST		"Host: kms.example.org\r\n"

struct head_case {
	const char *head;	/* the header section, ending in its empty line */
	size_t head_len;
	const char *body;	/* octets after it, not part of the head */
	enum req_method method;
	const char *target;
	int minor;
	uint64_t content_length;
	int chunked;
	int keep_alive;
	int expect_continue;
	const char *fields[12];	/* name, value, ... in order, NULL-terminated */
	size_t max_head;	/* 0 for MAX_HEAD */
	size_t max_body;	/* 0 for MAX_BODY */
};

static const struct head_case head_cases[] = {
	/* the deployed client: a KeyProv POST without a body */
	{ S("POST " KP " HTTP/1.1\r\n" HOST "Content-Length: 0\r\n\r\n"), "",
	    REQ_POST, KP, 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", "Content-Length", "0", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "\r\n"), "", REQ_GET, "/", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", NULL }, 0, 0 },
	{ S("HEAD /metrics HTTP/1.1\r\n" HOST "Accept: */*\r\n\r\n"), "", REQ_HEAD,
	    "/metrics", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", "Accept", "*/*", NULL }, 0, 0 },
	{ S("PUT /x HTTP/1.1\r\n" HOST "\r\n"), "", REQ_PUT, "/x", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", NULL }, 0, 0 },
	{ S("DELETE /x HTTP/1.1\r\n" HOST "\r\n"), "", REQ_DELETE, "/x", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", NULL }, 0, 0 },
	{ S("GET /x?a=b&c=%20 HTTP/1.1\r\n" HOST "\r\n"), "", REQ_GET, "/x?a=b&c=%20",
	    1, 0, 0, 1, 0, { "Host", "kms.example.org", NULL }, 0, 0 },
	/* a body follows the head and is not part of it */
	{ S("POST " KP " HTTP/1.1\r\n" HOST "Content-Length: 11\r\n\r\n"), "hello world",
	    REQ_POST, KP, 1, 11, 0, 1, 0,
	    { "Host", "kms.example.org", "Content-Length", "11", NULL }, 0, 0 },
	/* HTTP/1.0: no Host needed, closes unless keep-alive is asked for */
	{ S("GET / HTTP/1.0\r\n\r\n"), "", REQ_GET, "/", 0, 0, 0, 0, 0, { NULL }, 0, 0 },
	{ S("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), "", REQ_GET, "/", 0, 0,
	    0, 1, 0, { "Connection", "keep-alive", NULL }, 0, 0 },
	{ S("GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n"), "", REQ_GET, "/", 0, 0,
	    0, 1, 0, { "connection", "Keep-Alive", NULL }, 0, 0 },
	{ S("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), "", REQ_GET, "/",
	    0, 0, 0, 0, 0, { "Connection", "keep-alive, close", NULL }, 0, 0 },
	{ S("GET / HTTP/1.0\r\nConnection: upgrade\r\n\r\n"), "", REQ_GET, "/", 0, 0, 0,
	    0, 0, { "Connection", "upgrade", NULL }, 0, 0 },
	/* HTTP/1.1: stays open unless the close option is sent (RFC 9112 9.3) */
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: close\r\n\r\n"), "", REQ_GET, "/", 1,
	    0, 0, 0, 0, { "Host", "kms.example.org", "Connection", "close", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: Close\r\n\r\n"), "", REQ_GET, "/", 1,
	    0, 0, 0, 0, { "Host", "kms.example.org", "Connection", "Close", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: keep-alive, close\r\n\r\n"), "",
	    REQ_GET, "/", 1, 0, 0, 0, 0,
	    { "Host", "kms.example.org", "Connection", "keep-alive, close", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: te,close\r\n\r\n"), "", REQ_GET, "/",
	    1, 0, 0, 0, 0, { "Host", "kms.example.org", "Connection", "te,close", NULL },
	    0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: keep-alive\r\nConnection: close\r\n"
	    "\r\n"), "", REQ_GET, "/", 1, 0, 0, 0, 0,
	    { "Host", "kms.example.org", "Connection", "keep-alive", "Connection",
	    "close", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: closed, xclose\r\n\r\n"), "", REQ_GET,
	    "/", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", "Connection", "closed, xclose", NULL }, 0, 0 },
	{ S("GET / HTTP/1.1\r\n" HOST "Connection: keep-alive\r\n\r\n"), "", REQ_GET, "/",
	    1, 0, 0, 1, 0, { "Host", "kms.example.org", "Connection", "keep-alive", NULL },
	    0, 0 },
	/* bare LF line ends (RFC 9112 2.2), alone and mixed with CRLF */
	{ S("GET / HTTP/1.1\nHost: kms.example.org\n\n"), "", REQ_GET, "/", 1, 0, 0, 1,
	    0, { "Host", "kms.example.org", NULL }, 0, 0 },
	{ S("POST / HTTP/1.1\r\nHost: a\nContent-Length: 2\r\n\n"), "ok", REQ_POST, "/",
	    1, 2, 0, 1, 0, { "Host", "a", "Content-Length", "2", NULL }, 0, 0 },
	/* empty lines before the request line are ignored (RFC 9112 2.2) */
	{ S("\r\n\nGET / HTTP/1.1\r\n" HOST "\r\n"), "", REQ_GET, "/", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", NULL }, 0, 0 },
	/* absolute-form (RFC 9112 3.2.2): the target as sent */
	{ S("GET https://kms.example.org/keymanagement/identity/v1/init HTTP/1.1\r\n"
	    HOST "\r\n"), "", REQ_GET,
	    "https://kms.example.org/keymanagement/identity/v1/init", 1, 0, 0, 1, 0,
	    { "Host", "kms.example.org", NULL }, 0, 0 },
	/* whitespace around values goes, inside them it stays (RFC 9112 5) */
	{ S("GET / HTTP/1.1\r\nHost: \t kms.example.org \t \r\nUser-Agent:skmc 1.0"
	    "\t(linux)\r\nX-Empty:   \r\nX-Empty2:\r\n\r\n"), "", REQ_GET, "/", 1, 0, 0, 1,
	    0, { "Host", "kms.example.org", "User-Agent", "skmc 1.0\t(linux)", "X-Empty",
	    "", "X-Empty2", "", NULL }, 0, 0 },
	/* obs-text is a field-vchar */
	{ S("GET / HTTP/1.1\r\n" HOST "X-Name: caf\xc3\xa9\r\n\r\n"), "", REQ_GET, "/", 1,
	    0, 0, 1, 0, { "Host", "kms.example.org", "X-Name", "caf\xc3\xa9", NULL }, 0, 0 },
	/* field names are case-insensitive */
	{ S("POST / HTTP/1.1\r\nHOST: a\r\ncontent-length: 3\r\nCONNECTION: CLOSE\r\n"
	    "\r\n"), "abc", REQ_POST, "/", 1, 3, 0, 0, 0,
	    { "HOST", "a", "content-length", "3", "CONNECTION", "CLOSE", NULL }, 0, 0 },
	/* Expect: 100-continue (RFC 9110 10.1.1), ignored in HTTP/1.0 */
	{ S("POST / HTTP/1.1\r\n" HOST "Content-Length: 5\r\nExpect: 100-continue\r\n"
	    "\r\n"), "", REQ_POST, "/", 1, 5, 0, 1, 1,
	    { "Host", "kms.example.org", "Content-Length", "5", "Expect", "100-continue",
	    NULL }, 0, 0 },
	{ S("POST / HTTP/1.1\r\n" HOST "Expect: 100-Continue\r\nContent-Length: 5\r\n"
	    "\r\n"), "", REQ_POST, "/", 1, 5, 0, 1, 1,
	    { "Host", "kms.example.org", "Expect", "100-Continue", "Content-Length", "5",
	    NULL }, 0, 0 },
	{ S("POST / HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"), "",
	    REQ_POST, "/", 0, 5, 0, 0, 0,
	    { "Content-Length", "5", "Expect", "100-continue", NULL }, 0, 0 },
	/* Content-Length: leading zeros, padding */
	{ S("POST / HTTP/1.1\r\n" HOST "Content-Length:  007 \r\n\r\n"), "1234567",
	    REQ_POST, "/", 1, 7, 0, 1, 0,
	    { "Host", "kms.example.org", "Content-Length", "007", NULL }, 0, 0 },
	/* Content-Length at max_body exactly */
	{ S("POST / HTTP/1.1\r\n" HOST "Content-Length: 100\r\n\r\n"), "", REQ_POST, "/",
	    1, 100, 0, 1, 0, { "Host", "kms.example.org", "Content-Length", "100", NULL },
	    0, 100 },
	/* chunked; the coding name is case-insensitive (RFC 9112 7) */
	{ S("POST / HTTP/1.1\r\n" HOST "Transfer-Encoding: chunked\r\n\r\n"),
	    "5\r\nhello\r\n0\r\n\r\n", REQ_POST, "/", 1, 0, 1, 1, 0,
	    { "Host", "kms.example.org", "Transfer-Encoding", "chunked", NULL }, 0, 0 },
	{ S("POST / HTTP/1.1\r\n" HOST "transfer-encoding: Chunked\r\n\r\n"), "",
	    REQ_POST, "/", 1, 0, 1, 1, 0,
	    { "Host", "kms.example.org", "transfer-encoding", "Chunked", NULL }, 0, 0 },
	/* a head of max_head octets exactly, followed by more octets */
	{ S("GET / HTTP/1.1\r\n" HOST "\r\n"), "GET / HTTP/1.1\r\n" HOST "\r\n", REQ_GET,
	    "/", 1, 0, 0, 1, 0, { "Host", "kms.example.org", NULL },
	    sizeof("GET / HTTP/1.1\r\n" HOST "\r\n") - 1, 0 },
};

static void
head_check(const struct head_case *c, const char *buf, const struct http_head *h)
{
	size_t i;

	ck_assert_uint_eq(h->head_len, c->head_len);
	ck_assert_int_eq(h->method, c->method);
	ck_assert_ptr_eq(h->target, buf + (strchr(c->head, ' ') - c->head) + 1);
	ck_assert_uint_eq(h->target_len, strlen(c->target));
	ck_assert_int_eq(h->minor, c->minor);
	ck_assert_int_eq(h->chunked, c->chunked);
	if (!c->chunked)
		ck_assert_uint_eq(h->content_length, c->content_length);
	ck_assert_int_eq(h->keep_alive, c->keep_alive);
	ck_assert_int_eq(h->expect_continue, c->expect_continue);
	for (i = 0; c->fields[2 * i] != NULL; i++) {
		const struct http_field *f = &h->fields[i];
		const char *name = c->fields[2 * i], *value = c->fields[2 * i + 1];

		ck_assert_uint_lt(i, h->nfields);
		ck_assert_msg(f->name_len == strlen(name) &&
		    memcmp(f->name, name, f->name_len) == 0, "field %zu: name %.*s, want %s",
		    i, (int)f->name_len, f->name, name);
		ck_assert_msg(f->value_len == strlen(value) &&
		    memcmp(f->value, value, f->value_len) == 0,
		    "field %zu: value \"%.*s\", want \"%s\"", i, (int)f->value_len, f->value,
		    value);
		ck_assert(f->name >= buf && f->name + f->name_len <= buf + c->head_len);
		ck_assert(f->value >= buf && f->value + f->value_len <= buf + c->head_len);
	}
	ck_assert_uint_eq(h->nfields, i);
}

/* The case's head and body in one buffer of exactly their length. */
static char *
head_buf(const struct head_case *c, size_t *len)
{
	size_t blen = strlen(c->body);
	char *buf;

	*len = c->head_len + blen;
	ck_assert_ptr_nonnull(buf = malloc(*len + 1));
	memcpy(buf, c->head, c->head_len);
	memcpy(buf + c->head_len, c->body, blen);
	return buf;
}

START_TEST(head_good)
{
	const struct head_case *c = &head_cases[_i];
	size_t max_head = c->max_head ? c->max_head : MAX_HEAD;
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	struct http_head h;
	size_t len;
	char *buf;
	int r;

	buf = head_buf(c, &len);
	memset(&h, 0x5a, sizeof(h));
	r = http_parse_head(buf, len, max_head, max_body, &h);
	ck_assert_msg(r == (int)c->head_len, "case %d: got %d, want %zu", _i, r,
	    c->head_len);
	head_check(c, buf, &h);
	free(buf);
}
END_TEST

/*
 * Every proper prefix of a good head is incomplete, in a buffer that ends
 * where the prefix ends; the whole of it parses as in one piece.
 */
START_TEST(head_prefixes)
{
	const struct head_case *c = &head_cases[_i];
	size_t max_head = c->max_head ? c->max_head : MAX_HEAD;
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	struct http_head h;
	size_t n;
	char *buf;
	int r;

	for (n = 0; n <= c->head_len; n++) {
		ck_assert_ptr_nonnull(buf = malloc(n > 0 ? n : 1));
		memcpy(buf, c->head, n);
		r = http_parse_head(buf, n, max_head, max_body, &h);
		if (n < c->head_len) {
			ck_assert_msg(r == HTTP_PARSE_MORE, "case %d, %zu of %zu octets: got %d",
			    _i, n, c->head_len, r);
		} else {
			ck_assert_int_eq(r, (int)c->head_len);
			head_check(c, buf, &h);
		}
		free(buf);
	}
}
END_TEST

/* http_parse_field: any case, whole names only, the first of several. */
START_TEST(head_field)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: a\r\nX-Dup: 1\r\n"
	    "content-LENGTH: 4\r\nX-Dup: 2\r\n\r\n";
	const struct http_field *f;
	struct http_head h;

	ck_assert_int_eq(http_parse_head(req, sizeof(req) - 1, MAX_HEAD, MAX_BODY, &h),
	    (int)sizeof(req) - 1);
	ck_assert_uint_eq(h.nfields, 4);
	ck_assert_ptr_eq(http_parse_field(&h, "Host"), &h.fields[0]);
	ck_assert_ptr_eq(http_parse_field(&h, "host"), &h.fields[0]);
	ck_assert_ptr_eq(http_parse_field(&h, "HOST"), &h.fields[0]);
	ck_assert_ptr_eq(http_parse_field(&h, "Content-Length"), &h.fields[2]);
	ck_assert_ptr_eq(http_parse_field(&h, "content-length"), &h.fields[2]);
	ck_assert_ptr_eq(http_parse_field(&h, "x-dup"), &h.fields[1]);
	ck_assert_ptr_null(http_parse_field(&h, "Hos"));
	ck_assert_ptr_null(http_parse_field(&h, "Hosts"));
	ck_assert_ptr_null(http_parse_field(&h, "Content"));
	ck_assert_ptr_null(http_parse_field(&h, ""));
	ck_assert_ptr_null(http_parse_field(&h, "Expect"));
	f = http_parse_field(&h, "X-DUP");
	ck_assert_uint_eq(f->value_len, 1);
	ck_assert_int_eq(f->value[0], '1');
	ck_assert_uint_eq(h.content_length, 4);
}
END_TEST

struct bad_case {
	const char *req;
	size_t len;
	int want;
	size_t max_head;	/* 0 for MAX_HEAD */
	size_t max_body;	/* 0 for MAX_BODY */
};

#define RL	"GET / HTTP/1.1\r\n"
#define PL	"POST / HTTP/1.1\r\n"

static const struct bad_case bad_cases[] = {
	/* Host (RFC 9112 3.2) */
	{ S(RL "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL "X-Host: a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL "Host: a\r\nhost: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* field syntax (RFC 9112 5) */
	{ S(RL "Host : a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL "Host\t: a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "Content-Length : 5\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST " X-A: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST ": b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X(A): b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X\"A: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* obs-fold (RFC 9112 5.2) */
	{ S(RL HOST "X-A: b\r\n c\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\r\n\tc\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL "Host: a\n b\n\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.1\r\n " HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* bare CR (RFC 9112 2.2) */
	{ S(RL HOST "X-A: b\rc\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\r\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.1\rHost: a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "\r\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X\rA: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* NUL and other controls */
	{ S(RL HOST "X-A: b\0c\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: \0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\x01" "c\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\x1f\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\x7f" "c\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X-A: b\x0b" "c\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X\0A: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(RL HOST "X\x01: b\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /\0 HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /\x7f HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /\x01 HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GE\0T / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* request-line shapes (RFC 9112 3) */
	{ S("GET  / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /  HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.1 \r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(" GET / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /a b HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET  HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / \r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET /\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("/ HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(" / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/11\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.x\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / FTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("GET / HTTP/1.1/\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("G(T / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* versions (RFC 9112 2.3) */
	{ S("GET / HTTP/2.0\r\n" HOST "\r\n"), HTTP_PARSE_VERSION, 0, 0 },
	{ S("GET / HTTP/1.2\r\n" HOST "\r\n"), HTTP_PARSE_VERSION, 0, 0 },
	{ S("GET / HTTP/3.0\r\n" HOST "\r\n"), HTTP_PARSE_VERSION, 0, 0 },
	{ S("GET / HTTP/0.9\r\n" HOST "\r\n"), HTTP_PARSE_VERSION, 0, 0 },
	{ S("GET / HTTP/9.9\r\n\r\n"), HTTP_PARSE_VERSION, 0, 0 },
	/* methods (RFC 9110 9.1: case-sensitive) */
	{ S("PATCH / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("OPTIONS * HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("OPTIONS / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("FROB / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("TRACE / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("CONNECT kms.example.org:443 HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD,
	    0, 0 },
	{ S("get / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("Post / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("GETS / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S("GE / HTTP/1.1\r\n" HOST "\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	/* transfer codings (RFC 9112 6.1) */
	{ S(PL HOST "Transfer-Encoding: gzip\r\n\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S(PL HOST "Transfer-Encoding: identity\r\n\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S(PL HOST "Transfer-Encoding: gzip, chunked\r\n\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	{ S(PL HOST "Transfer-Encoding: chunkedx\r\n\r\n"), HTTP_PARSE_METHOD, 0, 0 },
	/* an HTTP/1.0 message with Transfer-Encoding has faulty framing (6.1) */
	{ S("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HTTP_PARSE_BAD, 0,
	    0 },
	/* framing (RFC 9112 6.3) */
	{ S(PL HOST "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"),
	    HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"),
	    HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n"),
	    HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 5\r\nContent-Length: 6\r\n\r\n"), HTTP_PARSE_BAD, 0,
	    0 },
	{ S(PL HOST "Content-Length: 0\r\nContent-Length: 00\r\nContent-Length: 1\r\n"
	    "\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: abc\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: \r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: -1\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: +5\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 5 5\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 5a\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 0x10\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 1e3\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 5.0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 99999999999999999999999999999\r\n\r\n"),
	    HTTP_PARSE_BAD, 0, 0 },
	{ S(PL HOST "Content-Length: 18446744073709551616\r\n\r\n"), HTTP_PARSE_BAD, 0,
	    SIZE_MAX },
	{ S(PL HOST "Content-Length: 36893488147419103232\r\n\r\n"), HTTP_PARSE_BAD, 0,
	    SIZE_MAX },
	/* limits */
	{ S(PL HOST "Content-Length: 101\r\n\r\n"), HTTP_PARSE_TOO_LARGE, 0, 100 },
	{ S(PL HOST "Content-Length: 65537\r\n\r\n"), HTTP_PARSE_TOO_LARGE, 0, 0 },
	{ S(RL HOST "\r\n"), HTTP_PARSE_HEAD_LARGE, sizeof(RL HOST "\r\n") - 2, 0 },
	{ S(RL HOST "\r\n"), HTTP_PARSE_HEAD_LARGE, 16, 0 },
	{ S(RL HOST "X-Pad: 0123456789"), HTTP_PARSE_HEAD_LARGE, 32, 0 },
	{ S(RL HOST), HTTP_PARSE_HEAD_LARGE, sizeof(RL HOST) - 2, 0 },
	/* expectations (RFC 9110 10.1.1) */
	{ S(PL HOST "Content-Length: 5\r\nExpect: 200-ok\r\n\r\n"), HTTP_PARSE_EXPECT, 0,
	    0 },
	{ S(PL HOST "Content-Length: 5\r\nExpect: 100-continue-x\r\n\r\n"),
	    HTTP_PARSE_EXPECT, 0, 0 },
};

START_TEST(head_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	size_t max_head = c->max_head ? c->max_head : MAX_HEAD;
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	struct http_head h;
	char *buf;
	int r;

	ck_assert_ptr_nonnull(buf = malloc(c->len));
	memcpy(buf, c->req, c->len);
	r = http_parse_head(buf, c->len, max_head, max_body, &h);
	ck_assert_msg(r == c->want, "case %d: got %d, want %d", _i, r, c->want);
	free(buf);
}
END_TEST

/* The head of a request with n header fields, Host first. */
static char *
fields_req(size_t n, size_t *len)
{
	size_t cap = 64 + 16 * n, i;
	char *buf;
	int w;

	ck_assert_ptr_nonnull(buf = malloc(cap));
	*len = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 1; i < n; i++) {
		w = snprintf(buf + *len, cap - *len, "X-%zu: %zu\r\n", i, i);
		*len += (size_t)w;
	}
	memcpy(buf + *len, "\r\n", 2);
	*len += 2;
	return buf;
}

/* HTTP_PARSE_FIELDS fields are kept; one more is 431. */
/*
 * A field that must appear once (RFC 9110 5.3) appears twice: refused
 * whatever the values and the case of the names, with the field named in
 * the reason; list-valued and unknown fields may repeat.
 */
static const struct {
	const char *req;
	int want;
	const char *why;
} repeated_cases[] = {
	{ PL HOST "Authorization: Bearer a.b.c\r\nAuthorization: Bearer d.e.f\r\n\r\n",
	    HTTP_PARSE_BAD, "Authorization field repeated" },
	{ PL HOST "Authorization: Bearer a.b.c\r\nauthorization: Bearer a.b.c\r\n\r\n",
	    HTTP_PARSE_BAD, "Authorization field repeated" },
	{ PL "AUTHORIZATION: Basic eA==\r\n" HOST "X-A: 1\r\nAuthorization: \r\n\r\n",
	    HTTP_PARSE_BAD, "Authorization field repeated" },
	{ PL HOST "Content-Type: application/xml\r\nContent-Type: text/plain\r\n\r\n",
	    HTTP_PARSE_BAD, "Content-Type field repeated" },
	{ PL HOST "Content-Type: application/xml\r\ncontent-type: application/xml\r\n\r\n",
	    HTTP_PARSE_BAD, "Content-Type field repeated" },
	{ PL HOST "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", HTTP_PARSE_BAD,
	    "Content-Length field repeated" },
	{ PL HOST "Content-Length: 0\r\nContent-Length: 6\r\n\r\n", HTTP_PARSE_BAD,
	    "Content-Length field repeated" },
	{ PL HOST "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	    HTTP_PARSE_BAD, "Transfer-Encoding field repeated" },
	{ RL HOST "HOST: kms.example.org\r\n\r\n", HTTP_PARSE_BAD,
	    "Host field repeated" },
	/* the other refusals of a field's meaning are named too */
	{ RL "X-A: 1\r\n\r\n", HTTP_PARSE_BAD, "no Host field" },
	{ PL HOST "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
	    HTTP_PARSE_BAD, "both Content-Length and Transfer-Encoding" },
	{ PL HOST "Content-Length: 5x\r\n\r\n", HTTP_PARSE_BAD,
	    "Content-Length is not a decimal length" },
	/* list-valued and unknown fields may repeat */
	{ PL HOST "Connection: keep-alive\r\nConnection: te\r\nX-A: 1\r\nX-A: 2\r\n"
	    "Expect: 100-continue\r\nExpect: 100-continue\r\nAccept: */*\r\n"
	    "Accept: text/xml\r\n\r\n", 0, NULL },
	{ PL HOST "Authorization: Bearer a.b.c\r\nProxy-Authorization: Basic eA==\r\n"
	    "Content-Type: application/xml\r\nContent-Length: 0\r\n\r\n", 0, NULL },
};

START_TEST(head_repeated)
{
	const char *req = repeated_cases[_i].req;
	struct http_head h;
	int r;

	r = http_parse_head(req, strlen(req), MAX_HEAD, MAX_BODY, &h);
	if (repeated_cases[_i].want == 0) {
		ck_assert_msg(r == (int)strlen(req), "case %d: got %d", _i, r);
		ck_assert_ptr_null(h.why);
		return;
	}
	ck_assert_msg(r == repeated_cases[_i].want, "case %d: got %d", _i, r);
	ck_assert_ptr_nonnull(h.why);
	ck_assert_str_eq(h.why, repeated_cases[_i].why);
}
END_TEST

START_TEST(head_fields_limit)
{
	struct http_head h;
	size_t len;
	char *buf;

	buf = fields_req(HTTP_PARSE_FIELDS, &len);
	ck_assert_int_eq(http_parse_head(buf, len, 1 << 20, MAX_BODY, &h), (int)len);
	ck_assert_uint_eq(h.nfields, HTTP_PARSE_FIELDS);
	ck_assert_uint_eq(h.fields[HTTP_PARSE_FIELDS - 1].value_len, 2);
	ck_assert_int_eq(memcmp(h.fields[HTTP_PARSE_FIELDS - 1].value, "63", 2), 0);
	free(buf);
	buf = fields_req(HTTP_PARSE_FIELDS + 1, &len);
	ck_assert_int_eq(http_parse_head(buf, len, 1 << 20, MAX_BODY, &h),
	    HTTP_PARSE_HEAD_LARGE);
	free(buf);
	buf = fields_req(4 * HTTP_PARSE_FIELDS, &len);
	ck_assert_int_eq(http_parse_head(buf, len, 1 << 20, MAX_BODY, &h),
	    HTTP_PARSE_HEAD_LARGE);
	free(buf);
}
END_TEST

/*
 * max_head bounds the head, not the buffer: an incomplete head is 431 as
 * soon as it cannot end within max_head octets, and a head that fits is
 * accepted however many octets follow it.
 */
START_TEST(head_max)
{
	static const char req[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n";
	const size_t hl = sizeof(req) - 1;
	struct http_head h;
	size_t n;
	char *buf;

	ck_assert_ptr_nonnull(buf = malloc(hl + 4096));
	memcpy(buf, req, hl);
	memset(buf + hl, 'x', 4096);
	ck_assert_int_eq(http_parse_head(buf, hl + 4096, hl, MAX_BODY, &h), (int)hl);
	ck_assert_uint_eq(h.content_length, 4096);
	ck_assert_int_eq(http_parse_head(buf, hl + 4096, hl - 1, MAX_BODY, &h),
	    HTTP_PARSE_HEAD_LARGE);
	/* a head of 'x' octets that never ends */
	memset(buf, 'x', hl + 4096);
	for (n = 0; n < 64; n++)
		ck_assert_int_eq(http_parse_head(buf, n, 64, MAX_BODY, &h), HTTP_PARSE_MORE);
	for (n = 65; n < 200; n++)
		ck_assert_int_eq(http_parse_head(buf, n, 64, MAX_BODY, &h),
		    HTTP_PARSE_HEAD_LARGE);
	/* empty lines before the request line count too (RFC 9112 2.2) */
	for (n = 0; n < 200; n += 2)
		memcpy(buf + n, "\r\n", 2);
	for (n = 65; n < 200; n++)
		ck_assert_msg(http_parse_head(buf, n, 64, MAX_BODY, &h) ==
		    HTTP_PARSE_HEAD_LARGE, "%zu octets of empty lines", n);
	/* the prefix of a good head that is longer than max_head */
	memcpy(buf, req, hl);
	for (n = 33; n < hl; n++)
		ck_assert_msg(http_parse_head(buf, n, 32, MAX_BODY, &h) ==
		    HTTP_PARSE_HEAD_LARGE, "%zu octets", n);
	free(buf);
}
END_TEST

struct chunk_case {
	const char *coded;	/* the coded body */
	size_t coded_len;
	const char *after;	/* the next request, which must stay put */
	const char *data;	/* decoded */
	size_t data_len;
	size_t max_body;	/* 0 for MAX_BODY */
};

static const struct chunk_case chunk_cases[] = {
	{ S("0\r\n\r\n"), "", S(""), 0 },
	{ S("5\r\nhello\r\n0\r\n\r\n"), "", S("hello"), 0 },
	{ S("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), "GET / HTTP/1.1\r\n",
	    S("hello world"), 0 },
	/* extensions (RFC 9112 7.1.1), with a quoted value */
	{ S("5;name=value\r\nhello\r\n6;a;b=\"q; s\\\"\"\r\n world\r\n1;x\r\n!\r\n"
	    "0;last=1\r\n\r\n"), "", S("hello world!"), 0 },
	/* BWS before a chunk-ext */
	{ S("5 \t;x\r\nhello\r\n0\r\n\r\n"), "", S("hello"), 0 },
	/* a trailer section (RFC 9112 7.1.2) */
	{ S("3\r\nabc\r\n0\r\nX-Checksum: 1234\r\nX-Other: a b\r\n\r\n"), "GET /",
	    S("abc"), 0 },
	{ S("3\r\nabc\r\n0\r\nX-Checksum:1\r\n\r\n"), "", S("abc"), 0 },
	/* hex digits of either case, leading zeros */
	{ S("A\r\n0123456789\r\na\r\nabcdefghij\r\n000\r\n\r\n"), "",
	    S("0123456789abcdefghij"), 0 },
	{ S("0010\r\n0123456789ABCDEF\r\n0\r\n\r\n"), "", S("0123456789ABCDEF"), 0 },
	{ S("1f\r\n0123456789abcdefghijklmnopqrstu\r\n1F\r\n0123456789abcdefghijklmnopqrstu"
	    "\r\n0\r\n\r\n"), "", S("0123456789abcdefghijklmnopqrstu"
	    "0123456789abcdefghijklmnopqrstu"), 0 },
	/* data with CR, LF and NUL in it is data */
	{ S("6\r\n\r\n0\r\n\r\r\n0\r\n\r\n"), "", S("\r\n0\r\n\r"), 0 },
	{ S("3\r\na\0b\r\n0\r\n\r\n"), "", S("a\0b"), 0 },
	/* max_body exactly */
	{ S("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n"), "", S("abcdefghij"), 10 },
};

START_TEST(chunk_good)
{
	const struct chunk_case *c = &chunk_cases[_i];
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	size_t alen = strlen(c->after), len = c->coded_len + alen, dlen = c->data_len;
	size_t body_len = 12345;
	char *buf;
	int r;

	ck_assert_ptr_nonnull(buf = malloc(len));
	memcpy(buf, c->coded, c->coded_len);
	memcpy(buf + c->coded_len, c->after, alen);
	r = http_parse_chunked(buf, len, max_body, &body_len);
	ck_assert_msg(r == (int)c->coded_len, "case %d: got %d, want %zu", _i, r,
	    c->coded_len);
	ck_assert_uint_eq(body_len, dlen);
	ck_assert_int_eq(memcmp(buf, c->data, dlen), 0);
	ck_assert_int_eq(memcmp(buf + c->coded_len, c->after, alen), 0);
	free(buf);
}
END_TEST

/* Every proper prefix is incomplete and left as it was; the whole decodes. */
START_TEST(chunk_prefixes)
{
	const struct chunk_case *c = &chunk_cases[_i];
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	size_t n, body_len;
	char *buf;
	int r;

	for (n = 0; n < c->coded_len; n++) {
		ck_assert_ptr_nonnull(buf = malloc(n > 0 ? n : 1));
		memcpy(buf, c->coded, n);
		body_len = 12345;
		r = http_parse_chunked(buf, n, max_body, &body_len);
		ck_assert_msg(r == HTTP_PARSE_MORE, "case %d, %zu of %zu octets: got %d", _i,
		    n, c->coded_len, r);
		ck_assert_msg(memcmp(buf, c->coded, n) == 0,
		    "case %d, %zu octets: buffer changed", _i, n);
		free(buf);
	}
	ck_assert_ptr_nonnull(buf = malloc(c->coded_len));
	memcpy(buf, c->coded, c->coded_len);
	ck_assert_int_eq(http_parse_chunked(buf, c->coded_len, max_body, &body_len),
	    (int)c->coded_len);
	ck_assert_uint_eq(body_len, c->data_len);
	ck_assert_int_eq(memcmp(buf, c->data, body_len), 0);
	free(buf);
}
END_TEST

static const struct bad_case chunk_bad_cases[] = {
	/* over max_body, in one chunk or in several */
	{ S("b\r\nhello world\r\n0\r\n\r\n"), HTTP_PARSE_TOO_LARGE, 0, 10 },
	{ S("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), HTTP_PARSE_TOO_LARGE, 0, 10 },
	{ S("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), HTTP_PARSE_TOO_LARGE, 0, 1 },
	/* chunk-size is 1*HEXDIG */
	{ S("g\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("-5\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("+5\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("0x5\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S(" 5\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5g\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\0\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\r\nz\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* the CRLF after chunk data */
	{ S("5\r\nhelloX\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\rX0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("3\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* a bare CR after the size */
	{ S("5\rhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* chunk framing is strict CRLF: a bare LF could split the body elsewhere */
	{ S("5\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\r\n0\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\r\n0\r\nX-T: 1\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\r\nhello\r\n0\r\n\n"), HTTP_PARSE_BAD, 0, 0 },
	/* whitespace after the size only before a chunk-ext */
	{ S("5 \r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	{ S("5\t x\r\nhello\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, 0 },
	/* size overflow: 2^64 and beyond, whatever max_body is */
	{ S("10000000000000000\r\nx\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, SIZE_MAX },
	{ S("ffffffffffffffffff\r\nx\r\n0\r\n\r\n"), HTTP_PARSE_BAD, 0, SIZE_MAX },
	{ S("00000000000000000000000000000010000000000000000\r\n"), HTTP_PARSE_BAD, 0,
	    SIZE_MAX },
};

START_TEST(chunk_bad)
{
	const struct bad_case *c = &chunk_bad_cases[_i];
	size_t max_body = c->max_body ? c->max_body : MAX_BODY;
	size_t body_len;
	char *buf;
	int r;

	ck_assert_ptr_nonnull(buf = malloc(c->len));
	memcpy(buf, c->req, c->len);
	r = http_parse_chunked(buf, c->len, max_body, &body_len);
	ck_assert_msg(r == c->want, "case %d: got %d, want %d", _i, r, c->want);
	free(buf);
}
END_TEST

/* A chunked request end to end: the head, then its body decoded in place. */
START_TEST(chunk_after_head)
{
	static const char req[] = "POST " KP " HTTP/1.1\r\n" HOST
	    "Transfer-Encoding: chunked\r\nContent-Type: application/xml\r\n\r\n"
	    "4;x=y\r\n<Kms\r\n2\r\n/>\r\n0\r\nX-T: 1\r\n\r\n"
	    "GET / HTTP/1.1\r\n";
	char buf[sizeof(req)];
	struct http_head h;
	size_t body_len;
	int hl, bl;

	memcpy(buf, req, sizeof(req));
	hl = http_parse_head(buf, sizeof(req) - 1, MAX_HEAD, MAX_BODY, &h);
	ck_assert_int_gt(hl, 0);
	ck_assert_int_eq(h.chunked, 1);
	ck_assert_int_eq(h.method, REQ_POST);
	bl = http_parse_chunked(buf + hl, sizeof(req) - 1 - (size_t)hl, MAX_BODY,
	    &body_len);
	ck_assert_int_eq(bl, (int)(sizeof("4;x=y\r\n<Kms\r\n2\r\n/>\r\n0\r\nX-T: 1\r\n\r\n") -
	    1));
	ck_assert_uint_eq(body_len, 6);
	ck_assert_int_eq(memcmp(buf + hl, "<Kms/>", 6), 0);
	ck_assert_str_eq(buf + hl + bl, "GET / HTTP/1.1\r\n");
	/* the head before the body is untouched */
	ck_assert_int_eq(memcmp(buf, req, (size_t)hl), 0);
}
END_TEST

/* A max_body of 0 allows empty bodies only. */
START_TEST(limits_zero)
{
	static const char empty[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n";
	static const char one[] = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n";
	char last[] = "0\r\n\r\n", x[] = "1\r\nx\r\n0\r\n\r\n";
	struct http_head h;
	size_t body_len = 1;

	ck_assert_int_eq(http_parse_head(empty, sizeof(empty) - 1, MAX_HEAD, 0, &h),
	    (int)sizeof(empty) - 1);
	ck_assert_uint_eq(h.content_length, 0);
	ck_assert_int_eq(http_parse_head(one, sizeof(one) - 1, MAX_HEAD, 0, &h),
	    HTTP_PARSE_TOO_LARGE);
	ck_assert_int_eq(http_parse_chunked(last, sizeof(last) - 1, 0, &body_len),
	    (int)sizeof(last) - 1);
	ck_assert_uint_eq(body_len, 0);
	ck_assert_int_eq(http_parse_chunked(x, sizeof(x) - 1, 0, &body_len),
	    HTTP_PARSE_TOO_LARGE);
}
END_TEST

static Suite *
http_parse_suite(void)
{
	Suite *s = suite_create("http_parse");
	TCase *tc = tcase_create("head");

	tcase_add_loop_test(tc, head_good, 0, (int)NELEM(head_cases));
	tcase_add_loop_test(tc, head_prefixes, 0, (int)NELEM(head_cases));
	tcase_add_test(tc, head_field);
	tcase_add_loop_test(tc, head_bad, 0, (int)NELEM(bad_cases));
	tcase_add_loop_test(tc, head_repeated, 0, (int)NELEM(repeated_cases));
	tcase_add_test(tc, head_fields_limit);
	tcase_add_test(tc, head_max);
	suite_add_tcase(s, tc);
	tc = tcase_create("chunked");
	tcase_add_loop_test(tc, chunk_good, 0, (int)NELEM(chunk_cases));
	tcase_add_loop_test(tc, chunk_prefixes, 0, (int)NELEM(chunk_cases));
	tcase_add_loop_test(tc, chunk_bad, 0, (int)NELEM(chunk_bad_cases));
	tcase_add_test(tc, chunk_after_head);
	tcase_add_test(tc, limits_zero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(http_parse_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
