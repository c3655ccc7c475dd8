/* SPDX-License-Identifier: ISC */
/*
 * Caller authentication for skmsd: bearer access tokens (RFC 6750) issued
 * by the SEAL identity management server (TS 33.434 Annex A), verified with
 * the issuer public keys of the configuration; and, optionally, the
 * identity in a TLS client certificate's URI subjectAltName. A verified
 * caller is one identity URI (a VAL user or a GMS). The verifier is
 * immutable once built, apart from its bounded cache of verified tokens,
 * and safe to use from several threads at once.
 */
#ifndef SKM_SERVER_AUTH_H
#define SKM_SERVER_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct conf;
struct auth;

#define AUTH_ID_MAX	1024	/* identity URI */
#define AUTH_JTI_MAX	128	/* token identifier kept for the audit log */
#define AUTH_WHY_MAX	256	/* a refusal's reason for the log, with its NUL */

/* Why a token was refused: each maps to one precise error message. */
enum auth_status {
	AUTH_OK = 0,
	AUTH_MISSING,		/* no Authorization header, or not "Bearer" */
	AUTH_MALFORMED,		/* not a compact JWS, bad base64url or JSON */
	AUTH_BAD_ALG,		/* alg not allowed for that issuer (e.g. "none") */
	AUTH_BAD_SIGNATURE,	/* signature does not verify */
	AUTH_UNKNOWN_ISSUER,	/* iss is not a configured issuer */
	AUTH_WRONG_AUDIENCE,	/* aud does not hold the issuer's audience */
	AUTH_EXPIRED,		/* exp in the past (beyond the leeway) or missing */
	AUTH_NOT_YET_VALID,	/* nbf or iat in the future (beyond the leeway) */
	AUTH_WRONG_SCOPE,	/* scope lacks the key-management scope */
	AUTH_NO_IDENTITY,	/* the identity claim is missing or not a valid URI */
	AUTH_TOO_LARGE,		/* token longer than the limit */
	AUTH_DUPLICATE,		/* header or payload names a JSON member twice */
};

struct auth_result {
	char identity[AUTH_ID_MAX + 1];	/* the caller's URI, exact octets */
	char jti[AUTH_JTI_MAX + 1];	/* "jti" claim, or "" */
	char issuer[256];
	int64_t expires;		/* exp, Unix seconds */
};

/*
 * Builds the verifier from the tokens section of cf (issuers, their key
 * files, algorithms, audience, identity claim, leeway, required scope).
 * A key file that cannot be read or parsed is SKM_EINVAL with the reason
 * in why. Free with auth_free().
 */
int auth_new(const struct conf *cf, struct auth **out, char *why, size_t whylen);
void auth_free(struct auth *a);

/*
 * Verifies the value of an Authorization header (NULL when absent) at
 * time now (Unix seconds). Returns AUTH_OK and fills res, or another
 * enum auth_status (res is then all zero) with the precise reason in why
 * (whylen octets, AUTH_WHY_MAX is enough; may be NULL): the status text,
 * and for some statuses what in the token caused it, every octet outside
 * printable ASCII escaped. The reason is for the log only: a client must
 * not learn from the reply which check failed (whether an issuer is
 * configured, for one). Never logs the token. Accepted: "Bearer" in any
 * case, spaces, one compact JWS of at most 8192 octets whose header typ
 * is "JWT" or absent (libjwt 1.10 refuses "at+jwt" as malformed), that
 * has no "crit" header, and whose header and payload are JSON objects
 * naming no member twice, at any depth.
 */
enum auth_status auth_bearer(const struct auth *a, const char *header, int64_t now,
    struct auth_result *res, char *why, size_t whylen);

/*
 * Tokens accepted from the verified-token cache so far (a token seen
 * before and not expired skips the signature verification; its identity
 * is still authorised afresh by the caller).
 */
uint64_t auth_token_hits(const struct auth *a);

/* A static lower-case reason for a status ("token expired", ...). */
const char *auth_status_text(enum auth_status s);

/*
 * The identity of a client certificate: its first URI subjectAltName
 * accepted by uri_check(). 0 and the URI in uri (cap octets), or
 * SKM_ENOTFOUND.
 */
int auth_cert_identity(X509 *cert, char *uri, size_t cap);

#endif
