/* SPDX-License-Identifier: ISC */
/*
 * Every refusal of the KMS API in one table: its HTTP status, the
 * ErrorCode and ErrorMsg of the KmsError body (TS 33.180 D.3.1), and the
 * extra headers it needs (WWW-Authenticate per RFC 6750, Allow,
 * Retry-After). Call
 * sites name a refusal; they never pick a status themselves. The messages
 * are static and never carry request data, tokens or key bytes.
 */
#ifndef SKM_SERVER_ERRMAP_H
#define SKM_SERVER_ERRMAP_H

#include <stddef.h>

enum errmap_id {
	ERRMAP_OK = 0,
	/* 400: the request is malformed */
	ERRMAP_BAD_ESCAPE,
	ERRMAP_ENCODED_NUL,
	ERRMAP_ENCODED_SLASH,
	ERRMAP_BAD_URI,
	ERRMAP_URI_TOO_LONG,
	ERRMAP_TIME_LENGTH,
	ERRMAP_TIME_HEX,
	ERRMAP_TIME_RANGE,
	ERRMAP_CACHENUM,
	ERRMAP_CACHENUM_RANGE,
	ERRMAP_QUERY,
	ERRMAP_BAD_HOST,
	ERRMAP_BODY_TOO_LARGE_XML,
	ERRMAP_BODY_PARSE,
	ERRMAP_BODY_INVALID,
	ERRMAP_BODY_USER_URI,
	ERRMAP_BODY_KMS_URI,
	ERRMAP_PATH_CHARS,
	ERRMAP_SIG_FORM,
	ERRMAP_SIG_REFERENCE,
	ERRMAP_SIG_PROFILE,
	ERRMAP_SIG_ID_MISSING,
	/* 401: who is calling is unknown */
	ERRMAP_TOKEN_MISSING,
	ERRMAP_TOKEN_INVALID,
	/* 403: the caller may not have this */
	ERRMAP_IDENTITY_CONFLICT,
	ERRMAP_SIG_BAD,
	ERRMAP_SIG_KEY_UNKNOWN,
	ERRMAP_TRK_UNKNOWN,
	ERRMAP_TRK_REQUIRED,
	ERRMAP_TK_UNAVAILABLE,
	ERRMAP_OTHER_IDENTITY,
	ERRMAP_NOT_REGISTERED,
	ERRMAP_REVOKED,
	ERRMAP_NOT_VALID,
	ERRMAP_OUTSIDE_WINDOW,
	ERRMAP_CERT_VALIDITY,
	ERRMAP_CERT_REVOKED,
	/* 404, 405, 413, 415 */
	ERRMAP_NOT_FOUND,
	ERRMAP_EXTRA_SEGMENT,
	ERRMAP_EMPTY_SEGMENT,
	ERRMAP_METHOD,
	ERRMAP_BODY_TOO_LARGE,
	ERRMAP_CONTENT_TYPE,
	/* 429: the caller's rate limit (ratelimit.h) */
	ERRMAP_RATE_LIMITED,
	/* the HTTP layer: framing the KMS interface never sees */
	ERRMAP_BAD_REQUEST,
	ERRMAP_EXPECTATION,
	ERRMAP_HEADER_TOO_LARGE,
	ERRMAP_NOT_IMPLEMENTED,
	ERRMAP_HTTP_VERSION,
	ERRMAP_REQUEST_TIMEOUT,
	/* 5xx: the server cannot answer now */
	ERRMAP_OVERLOADED,
	ERRMAP_AUDIT,
	ERRMAP_STORE,
	ERRMAP_STALE,
	ERRMAP_INTERNAL,
	ERRMAP_COUNT,
};

struct errmap_entry {
	int status;		/* HTTP status */
	int code;		/* KmsError ErrorCode */
	const char *msg;	/* KmsError ErrorMsg */
};

/* The row of id; an id out of range gives the internal-error row. */
const struct errmap_entry *errmap_get(enum errmap_id id);

/*
 * The extra response headers of id as a NULL-terminated name, value list
 * written into hdrs (at least 5 slots), with header values formatted into
 * buf (cap octets). Returns hdrs, or NULL when id needs no extra header.
 * The RFC 6750 error_description of an invalid token is the row's ErrorMsg,
 * whatever the token's fault: which check refused it (an unknown issuer,
 * a bad signature, an expired token) goes to the log only. detail is read
 * for a rate-limited request alone: the Retry-After seconds in decimal
 * (anything but digits is dropped; "1" when none is left).
 */
const char *const *errmap_headers(enum errmap_id id, const char *detail,
    const char *hdrs[], char *buf, size_t cap);

#endif
