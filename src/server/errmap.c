/* SPDX-License-Identifier: ISC */
/*
 * The one table from refusals to HTTP statuses and KmsError contents.
 * TS 33.180 specifies no status codes for KMS errors (deployed clients
 * treat anything but 200 as a failure), so the statuses follow HTTP
 * semantics and RFC 6750 for bearer tokens. ErrorCode is the status times
 * 100 plus a number unique within that status, so a client can tell the
 * refusals apart without parsing ErrorMsg.
 */
#include "server/errmap.h"

#include <stdio.h>

static const struct errmap_entry errmap_table[ERRMAP_COUNT] = {
	[ERRMAP_OK] = { 200, 0, "ok" },
	[ERRMAP_BAD_ESCAPE] = { 400, 40001, "bad percent-encoding in the path" },
	[ERRMAP_ENCODED_NUL] = { 400, 40002, "encoded NUL in the path" },
	[ERRMAP_ENCODED_SLASH] = { 400, 40003, "encoded '/' in the path" },
	[ERRMAP_BAD_URI] = { 400, 40004, "identity URI in the path is not acceptable" },
	[ERRMAP_URI_TOO_LONG] = { 400, 40005, "identity URI in the path is too long" },
	[ERRMAP_TIME_LENGTH] = { 400, 40006, "time must be 16 hex digits" },
	[ERRMAP_TIME_HEX] = { 400, 40007, "time is not hexadecimal" },
	[ERRMAP_TIME_RANGE] = { 400, 40008, "time is out of range" },
	[ERRMAP_CACHENUM] = { 400, 40009, "CacheNum is not a decimal integer" },
	[ERRMAP_CACHENUM_RANGE] = { 400, 40010, "CacheNum is out of range" },
	[ERRMAP_QUERY] = { 400, 40011, "query strings are not allowed" },
	[ERRMAP_BAD_HOST] = { 400, 40012, "missing or bad Host header" },
	[ERRMAP_BODY_TOO_LARGE_XML] = { 400, 40013, "KmsRequest is too large" },
	[ERRMAP_BODY_PARSE] = { 400, 40014, "body is not well-formed XML" },
	[ERRMAP_BODY_INVALID] = { 400, 40015, "body is not a KmsRequest" },
	[ERRMAP_BODY_USER_URI] = { 400, 40016, "KmsRequest UserUri is not the caller" },
	[ERRMAP_BODY_KMS_URI] = { 400, 40017, "KmsRequest KmsUri is not this KMS" },
	[ERRMAP_PATH_CHARS] = { 400, 40018, "path holds characters that are not allowed" },
	/* TS 33.180 D.1 security extension */
	[ERRMAP_SIG_FORM] = { 400, 40020,
	    "SignedKmsRequest is not a KmsRequest with an Id and one ds:Signature" },
	[ERRMAP_SIG_REFERENCE] = { 400, 40021,
	    "the signature has not exactly one Reference, to the KmsRequest Id" },
	[ERRMAP_SIG_PROFILE] = { 400, 40022,
	    "the signature uses an algorithm or transform outside TS 33.180 D.1" },
	[ERRMAP_SIG_ID_MISSING] = { 400, 40023, "SignedKmsRequest has no Signature-ID" },
	[ERRMAP_SIG_BAD] = { 403, 40309, "the KmsRequest signature does not verify" },
	[ERRMAP_SIG_KEY_UNKNOWN] = { 403, 40310,
	    "Signature-ID names no signing key of the caller" },
	[ERRMAP_TRK_UNKNOWN] = { 403, 40311, "TrK-ID names no transport key of the caller" },
	[ERRMAP_TRK_REQUIRED] = { 403, 40312,
	    "this identity must name its transport key (TrK-ID)" },
	[ERRMAP_TK_UNAVAILABLE] = { 503, 50305, "transport keys unavailable" },
	[ERRMAP_TOKEN_MISSING] = { 401, 40101, "access token required" },
	[ERRMAP_TOKEN_INVALID] = { 401, 40102, "access token refused" },
	[ERRMAP_IDENTITY_CONFLICT] = { 403, 40301,
	    "token and client certificate name different identities" },
	[ERRMAP_OTHER_IDENTITY] = { 403, 40302, "key material of another identity" },
	[ERRMAP_NOT_REGISTERED] = { 403, 40303, "identity not registered" },
	[ERRMAP_REVOKED] = { 403, 40304, "identity revoked" },
	[ERRMAP_NOT_VALID] = { 403, 40305, "identity not valid in that key period" },
	[ERRMAP_OUTSIDE_WINDOW] = { 403, 40306, "key period outside the allowed window" },
	[ERRMAP_CERT_VALIDITY] = { 403, 40307,
	    "key period outside the validity of the KMS certificate" },
	[ERRMAP_CERT_REVOKED] = { 403, 40308,
	    "the KMS certificate of that key period is revoked" },
	[ERRMAP_NOT_FOUND] = { 404, 40401, "no such resource" },
	[ERRMAP_EXTRA_SEGMENT] = { 404, 40402, "unexpected path segment" },
	[ERRMAP_EMPTY_SEGMENT] = { 404, 40403, "empty path segment" },
	[ERRMAP_METHOD] = { 405, 40501, "method not allowed: use POST" },
	[ERRMAP_BODY_TOO_LARGE] = { 413, 41301, "request body too large" },
	[ERRMAP_CONTENT_TYPE] = { 415, 41501, "request body must be application/xml" },
	[ERRMAP_RATE_LIMITED] = { 429, 42901,
	    "too many requests from this identity, try again later" },
	[ERRMAP_BAD_REQUEST] = { 400, 40019, "malformed HTTP request" },
	[ERRMAP_EXPECTATION] = { 417, 41701, "only Expect: 100-continue is supported" },
	[ERRMAP_HEADER_TOO_LARGE] = { 431, 43101, "request header section too large" },
	[ERRMAP_NOT_IMPLEMENTED] = { 501, 50101, "method or transfer coding not implemented" },
	[ERRMAP_HTTP_VERSION] = { 505, 50501, "HTTP version not supported" },
	[ERRMAP_REQUEST_TIMEOUT] = { 408, 40801, "request not received within the deadline" },
	[ERRMAP_OVERLOADED] = { 503, 50301, "server busy, try again" },
	[ERRMAP_AUDIT] = { 503, 50302, "audit log unavailable" },
	[ERRMAP_STORE] = { 503, 50303, "store unavailable" },
	/* A cluster node out of touch with the database (replica.h). */
	[ERRMAP_STALE] = { 503, 50304, "key sets withheld: the node's state is stale" },
	[ERRMAP_INTERNAL] = { 500, 50001, "internal error" },
};

const struct errmap_entry *
errmap_get(enum errmap_id id)
{
	if ((unsigned)id >= ERRMAP_COUNT)
		id = ERRMAP_INTERNAL;
	return &errmap_table[id];
}

/* The digits of in, at most cap - 1, or "1" when there are none. */
static void
errmap_digits(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; in != NULL && *in != '\0' && n + 1 < cap; in++)
		if (*in >= '0' && *in <= '9')
			out[n++] = *in;
	if (n == 0 && cap > 1)
		out[n++] = '1';
	out[n] = '\0';
}

const char *const *
errmap_headers(enum errmap_id id, const char *detail, const char *hdrs[],
    char *buf, size_t cap)
{
	switch (id) {
	case ERRMAP_TOKEN_MISSING:
		/* RFC 6750 3.1: no error code when the request had no token. */
		snprintf(buf, cap, "Bearer realm=\"skms\"");
		break;
	case ERRMAP_TOKEN_INVALID:
		/*
		 * One description for every refusal: a reason per check would
		 * tell a prober which issuers are configured. RFC 6750 3: the
		 * row's text holds no '"' or '\\'.
		 */
		snprintf(buf, cap, "Bearer realm=\"skms\", error=\"invalid_token\", "
		    "error_description=\"%s\"", errmap_table[id].msg);
		break;
	case ERRMAP_RATE_LIMITED:
		/* RFC 9110 10.2.3: delay-seconds, 1*DIGIT. */
		errmap_digits(detail, buf, cap > 12 ? 12 : cap);
		hdrs[0] = "Retry-After";
		hdrs[1] = buf;
		hdrs[2] = NULL;
		return hdrs;
	case ERRMAP_METHOD:
		hdrs[0] = "Allow";
		hdrs[1] = "POST";
		hdrs[2] = NULL;
		return hdrs;
	default:
		return NULL;
	}
	hdrs[0] = "WWW-Authenticate";
	hdrs[1] = buf;
	hdrs[2] = NULL;
	return hdrs;
}
