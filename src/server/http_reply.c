/* SPDX-License-Identifier: ISC */
/*
 * HTTP responses as one buffer (see http_reply.h). Every reply says
 * Cache-Control: no-store: it carries key material or a per-caller error.
 * Header values come from skmsd itself (errmap.c sanitises what reaches
 * WWW-Authenticate), never from the request.
 */
#include "server/http_reply.h"
#include "common/dec.h"
#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
http_reply_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return status < 400 ? "OK" : "Error";
	}
}

/* RFC 9110 5.6.7: IMF-fixdate, always in English and GMT. */
static const char *
http_reply_date(struct http_date *d)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	if (now != d->sec && gmtime_r(&now, &tm) != NULL) {
		snprintf(d->text, sizeof(d->text), "%s, %02d %s %04d %02d:%02d:%02d GMT",
		    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		d->sec = now;
	}
	return d->text;
}

static void
http_reply_put(char **p, const char *s)
{
	size_t n = strlen(s);

	memcpy(*p, s, n);
	*p += n;
}

static void
http_reply_field(char **p, const char *name, const char *value)
{
	http_reply_put(p, name);
	http_reply_put(p, ": ");
	http_reply_put(p, value);
	http_reply_put(p, "\r\n");
}

int
http_reply_build(struct http_date *d, const struct http_reply *rp, char **out,
    size_t *outlen)
{
	/* RFC 9110 6.4.1: no content in 1xx, 204 and 304 responses. */
	int has_body = rp->status >= 200 && rp->status != 204 && rp->status != 304;
	const char *reason = http_reply_reason(rp->status);
	size_t len = rp->len, cap, i;
	char status[DEC_U64_LEN], clen[DEC_U64_LEN], *buf, *p;

	/* Not snprintf: this runs for every reply. */
	dec_u64((uint64_t)(rp->status % 1000), status);
	dec_u64(has_body ? len : 0, clen);
	if (!has_body || rp->head_only)
		len = 0;
	cap = strlen(reason) + 192 + len;
	if (rp->content_type != NULL)
		cap += strlen(rp->content_type) + 16;
	for (i = 0; rp->headers != NULL && rp->headers[i] != NULL && rp->headers[i + 1] != NULL;
	    i += 2)
		cap += strlen(rp->headers[i]) + strlen(rp->headers[i + 1]) + 4;
	if ((buf = malloc(cap)) == NULL)
		return SKM_ENOMEM;
	p = buf;
	http_reply_put(&p, "HTTP/1.1 ");
	http_reply_put(&p, status);
	http_reply_put(&p, " ");
	http_reply_put(&p, reason);
	http_reply_put(&p, "\r\n");
	http_reply_field(&p, "Date", http_reply_date(d));
	if (rp->content_type != NULL)
		http_reply_field(&p, "Content-Type", rp->content_type);
	http_reply_field(&p, "Cache-Control", "no-store");
	for (i = 0; rp->headers != NULL && rp->headers[i] != NULL && rp->headers[i + 1] != NULL;
	    i += 2)
		http_reply_field(&p, rp->headers[i], rp->headers[i + 1]);
	if (rp->close)
		http_reply_field(&p, "Connection", "close");
	else if (rp->keep_alive)
		http_reply_field(&p, "Connection", "keep-alive");
	http_reply_field(&p, "Content-Length", clen);
	http_reply_put(&p, "\r\n");
	if (len > 0)
		memcpy(p, rp->body, len);
	*out = buf;
	*outlen = (size_t)(p - buf) + len;
	return 0;
}
