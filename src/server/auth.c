/* SPDX-License-Identifier: ISC */
/*
 * Bearer access tokens (RFC 6750) from the SEAL identity management server
 * (TS 33.434 Annex A) as JWS compact serialisations (RFC 7515) of JWT
 * claims (RFC 7519), decoded with libjwt; and the URI identity of a TLS
 * client certificate. The issuer is chosen by the unverified "iss"; the
 * signature is checked with that issuer's key only, parsed once per
 * configuration (auth_key.c), and no claim is trusted before it verified.
 * Must not log, keep or copy the token beyond one call, and must
 * not let the token choose its verification key type ("none", HMAC with a
 * public key as secret).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "common/err.h"
#include "common/trustfile.h"
#include "conf/conf.h"
#include "lib/uri.h"
#include "server/auth.h"
#include "server/auth_cache.h"
#include "server/auth_claim.h"
#include "server/auth_json.h"
#include "server/auth_key.h"

/* Far above any real access token, well below a header size limit. */
#define AUTH_TOKEN_MAX	8192
/* Verified tokens remembered: clients reuse a token until it expires. */
#define AUTH_CACHE_SLOTS	4096

struct auth_issuer {
	char *iss;
	char *audience;
	char *claim;		/* the claim naming the caller's URI */
	EVP_PKEY *key;		/* parsed once per configuration */
	unsigned algs;		/* enum conf_alg: configured and fitting the key */
};

struct auth {
	struct auth_issuer *issuers;
	size_t nissuers;
	int64_t leeway;
	char *scope;		/* "" skips the scope check */
	struct auth_cache *cache;	/* per configuration: a reload empties it */
	EVP_MD *sha256;		/* fetched once: an implicit fetch per digest costs more */
};

/* The JWS algorithms auth_key_verify() checks. */
static const struct {
	const char *name;
	unsigned bit;
} auth_algs[] = {
	{ "ES256", CONF_ALG_ES256 },
	{ "ES384", CONF_ALG_ES384 },
	{ "RS256", CONF_ALG_RS256 },
};

static const char *const auth_texts[] = {
	[AUTH_OK] = "token accepted",
	[AUTH_MISSING] = "no bearer token",
	[AUTH_MALFORMED] = "malformed token",
	[AUTH_BAD_ALG] = "token algorithm not allowed",
	[AUTH_BAD_SIGNATURE] = "token signature does not verify",
	[AUTH_UNKNOWN_ISSUER] = "token issuer unknown",
	[AUTH_WRONG_AUDIENCE] = "token audience is not this KMS",
	[AUTH_EXPIRED] = "token expired",
	[AUTH_NOT_YET_VALID] = "token not yet valid",
	[AUTH_WRONG_SCOPE] = "token lacks the key management scope",
	[AUTH_NO_IDENTITY] = "token names no valid identity URI",
	[AUTH_TOO_LARGE] = "token too large",
	[AUTH_DUPLICATE] = "token names a JSON member twice",
};

const char *
auth_status_text(enum auth_status s)
{
	if ((unsigned)s >= sizeof(auth_texts) / sizeof(auth_texts[0]) ||
	    auth_texts[s] == NULL)
		return "unknown token status";
	return auth_texts[s];
}

static void
auth_issuer_clear(struct auth_issuer *is)
{
	free(is->iss);
	free(is->audience);
	free(is->claim);
	EVP_PKEY_free(is->key);
}

void
auth_free(struct auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nissuers; i++)
		auth_issuer_clear(&a->issuers[i]);
	free(a->issuers);
	free(a->scope);
	auth_cache_free(a->cache);
	EVP_MD_free(a->sha256);
	free(a);
}

static int
auth_issuer_init(struct auth_issuer *is, const struct conf_issuer *ci, uid_t also,
    char *why, size_t whylen)
{
	struct auth_result *res;
	unsigned fits;
	int rc;

	/* The verified issuer is reported in auth_result.issuer. */
	if (strlen(ci->issuer) >= sizeof(res->issuer)) {
		snprintf(why, whylen, "issuer %.64s...: longer than %zu octets",
		    ci->issuer, sizeof(res->issuer) - 1);
		return SKM_EINVAL;
	}
	/* libjwt 1.10 knows no RSASSA-PSS: refuse rather than accept RS256 in its place. */
	if (ci->algorithms & CONF_ALG_PS256) {
		snprintf(why, whylen, "issuer %s: PS256 is not supported by the JWT "
		    "library (libjwt 1.10); use RS256 or ES256", ci->issuer);
		return SKM_EINVAL;
	}
	rc = auth_key_load(ci->key_file, also, &is->key, &fits, why, whylen);
	if (rc != 0)
		return rc;
	/* RFC 8725 3.1: each key serves only the algorithms of its type. */
	is->algs = ci->algorithms & fits;
	if (is->algs == 0) {
		snprintf(why, whylen, "issuer %s: %s is %s, which none of its "
		    "algorithms uses", ci->issuer, ci->key_file, auth_key_kind(fits));
		return SKM_EINVAL;
	}
	is->iss = strdup(ci->issuer);
	is->audience = strdup(ci->audience);
	is->claim = strdup(ci->identity_claim[0] != '\0' ? ci->identity_claim : "sub");
	if (is->iss == NULL || is->audience == NULL || is->claim == NULL) {
		snprintf(why, whylen, "out of memory");
		return SKM_ENOMEM;
	}
	return 0;
}

int
auth_new(const struct conf *cf, struct auth **out, char *why, size_t whylen)
{
	struct auth *a;
	size_t i, j;
	uid_t also;
	int rc;

	*out = NULL;
	if (whylen > 0)
		why[0] = '\0';
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(why, whylen, "out of memory");
		return SKM_ENOMEM;
	}
	a->leeway = cf->tokens.leeway;
	a->scope = strdup(cf->tokens.required_scope != NULL ? cf->tokens.required_scope : "");
	if (cf->tokens.issuers_count > 0)
		a->issuers = calloc(cf->tokens.issuers_count, sizeof(*a->issuers));
	if (a->scope == NULL || (cf->tokens.issuers_count > 0 && a->issuers == NULL) ||
	    auth_cache_new(AUTH_CACHE_SLOTS, &a->cache) != 0 ||
	    (a->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
		snprintf(why, whylen, "out of memory");
		rc = SKM_ENOMEM;
		goto out;
	}
	/* The service user may own the key files it rereads on SIGHUP. */
	also = trustfile_uid(cf->server.user);
	for (i = 0; i < cf->tokens.issuers_count; i++) {
		const struct conf_issuer *ci = &cf->tokens.issuers[i];

		/*
		 * The unverified iss picks the key: two keys for one iss would be
		 * ambiguous. The config loader refuses this too; a struct conf
		 * built by other means gets the same check.
		 */
		for (j = 0; j < i; j++) {
			if (strcmp(cf->tokens.issuers[j].issuer, ci->issuer) == 0) {
				snprintf(why, whylen, "issuer %s: listed twice", ci->issuer);
				rc = SKM_EINVAL;
				goto out;
			}
		}
		a->nissuers = i + 1;
		rc = auth_issuer_init(&a->issuers[i], ci, also, why, whylen);
		if (rc != 0)
			goto out;
	}
	*out = a;
	a = NULL;
	rc = 0;
out:
	auth_free(a);
	return rc;
}

/*
 * A compact JWS is three base64url parts (RFC 7515 7.1, 2): the rest of
 * the RFC 6750 b64token alphabet (+ / ~ =) has no place in it. Empty parts
 * matter beyond form: libjwt 1.10 writes one octet past the buffer it
 * allocates for one. Header and payload must not be empty here; an empty
 * signature ("alg":"none") is let through to be refused for its alg, and
 * never reaches the keyed decode.
 */
static int
auth_b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* RFC 6750 2.1: credentials = "Bearer" 1*SP b64token, into tok. */
static enum auth_status
auth_token(const char *header, char *tok)
{
	const char *p = header;
	size_t n = 0, dots = 0, part = 0;

	if (header == NULL)
		return AUTH_MISSING;
	while (*p == ' ' || *p == '\t')
		p++;
	/* RFC 7235 2.1: the scheme is case-insensitive. */
	if (strncasecmp(p, "Bearer", 6) != 0)
		return AUTH_MISSING;
	p += 6;
	if (*p != ' ' && *p != '\0')
		return AUTH_MISSING;
	while (*p == ' ')
		p++;
	for (; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
		/* The bound also caps libjwt's alloca of the token's length. */
		if (n == AUTH_TOKEN_MAX)
			return AUTH_TOO_LARGE;
		if (*p == '.') {
			if (part == 0 || ++dots > 2)
				return AUTH_MALFORMED;
			part = 0;
		} else if (auth_b64url_char((unsigned char)*p))
			part++;
		else
			return AUTH_MALFORMED;
		tok[n++] = *p;
	}
	tok[n] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	/* One token of three parts; a JWE (five) or a second token is not. */
	if (*p != '\0' || dots != 2)
		return AUTH_MALFORMED;
	return AUTH_OK;
}

static const struct auth_issuer *
auth_find_issuer(const struct auth *a, const char *iss)
{
	size_t i;

	for (i = 0; i < a->nissuers; i++)
		if (strcmp(a->issuers[i].iss, iss) == 0)
			return &a->issuers[i];
	return NULL;
}

/* The header alg, if the issuer allows it for its key (RFC 8725 2.1, 3.1). */
static enum auth_status
auth_check_alg(const struct auth_issuer *is, jwt_t *unverified, unsigned *alg)
{
	const char *name = jwt_get_header(unverified, "alg");
	size_t i;

	if (name == NULL)
		return AUTH_MALFORMED;
	for (i = 0; i < sizeof(auth_algs) / sizeof(auth_algs[0]); i++) {
		if (strcmp(name, auth_algs[i].name) == 0 && (is->algs & auth_algs[i].bit)) {
			*alg = auth_algs[i].bit;
			return AUTH_OK;
		}
	}
	return AUTH_BAD_ALG;
}

static int
auth_same(void *ctx, const char *s, size_t len)
{
	const char *want = ctx;

	return strlen(want) == len && memcmp(want, s, len) == 0;
}

/* A scope claim (RFC 8693 4.2): space-separated, or a list of strings. */
static int
auth_scope_has(void *ctx, const char *s, size_t len)
{
	const char *want = ctx;
	size_t wlen = strlen(want), i = 0, j;

	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		for (j = i; j < len && s[j] != ' '; j++)
			;
		if (j - i == wlen && memcmp(s + i, want, wlen) == 0)
			return 1;
		i = j;
	}
	return 0;
}

/* exp, nbf and iat (RFC 7519 4.1.4-4.1.6), each with the configured leeway. */
static enum auth_status
auth_check_times(const struct auth *a, jwt_t *jwt, int64_t now, int64_t *exp)
{
	int64_t t;
	int rc;

	if (auth_claim_time(jwt, "exp", exp) != 0)
		return AUTH_EXPIRED;
	if (*exp <= now - a->leeway)
		return AUTH_EXPIRED;
	rc = auth_claim_time(jwt, "nbf", &t);
	if (rc == SKM_EINVAL)
		return AUTH_MALFORMED;
	if (rc == 0 && t > now + a->leeway)
		return AUTH_NOT_YET_VALID;
	rc = auth_claim_time(jwt, "iat", &t);
	if (rc == SKM_EINVAL)
		return AUTH_MALFORMED;
	if (rc == 0 && t > now + a->leeway)
		return AUTH_NOT_YET_VALID;
	return AUTH_OK;
}

/* The jti goes to the audit log: printable ASCII only, no spaces. */
static enum auth_status
auth_copy_jti(jwt_t *jwt, struct auth_result *res)
{
	size_t len, i;
	int rc;

	rc = auth_claim_string(jwt, "jti", res->jti, sizeof(res->jti), &len);
	if (rc == SKM_ENOTFOUND)
		return AUTH_OK;
	if (rc != 0)
		return AUTH_MALFORMED;
	for (i = 0; i < len; i++)
		if ((unsigned char)res->jti[i] <= 0x20 || (unsigned char)res->jti[i] >= 0x7f)
			return AUTH_MALFORMED;
	return AUTH_OK;
}

/* The claims of a token whose signature verified with is's key. */
static enum auth_status
auth_check_claims(const struct auth *a, const struct auth_issuer *is, jwt_t *jwt,
    int64_t now, struct auth_result *res)
{
	enum auth_status st;
	const char *why;
	size_t len;

	/* RFC 7519 4.1.3: a string, or an array holding the audience. */
	if (auth_claim_strings(jwt, "aud", 1, auth_same, is->audience) != 1)
		return AUTH_WRONG_AUDIENCE;
	st = auth_check_times(a, jwt, now, &res->expires);
	if (st != AUTH_OK)
		return st;
	if (a->scope[0] != '\0' &&
	    auth_claim_strings(jwt, "scope", 1, auth_scope_has, a->scope) != 1)
		return AUTH_WRONG_SCOPE;
	/* TS 33.180 5.3.1.2: key material only for the authenticated identity. */
	if (auth_claim_string(jwt, is->claim, res->identity, sizeof(res->identity),
	    &len) != 0 || uri_check(res->identity, len, &why) != 0)
		return AUTH_NO_IDENTITY;
	st = auth_copy_jti(jwt, res);
	if (st != AUTH_OK)
		return st;
	memcpy(res->issuer, is->iss, strlen(is->iss) + 1);
	return AUTH_OK;
}

static enum auth_status
auth_verify(const struct auth *a, const char *tok, int64_t now, struct auth_result *res,
    char *why, size_t whylen)
{
	const struct auth_issuer *is;
	jwt_t *unverified = NULL;
	enum auth_status st;
	unsigned alg = 0;
	char iss[sizeof(res->issuer)], *crit;
	const char *dot;
	size_t len;
	char q[96];
	int rc;

	/* RFC 7515 4, RFC 7519 4: one reading of each member, or none. */
	rc = auth_json_check(tok, why, whylen);
	if (rc != 0) {
		st = rc == SKM_EEXIST ? AUTH_DUPLICATE : AUTH_MALFORMED;
		goto out;
	}
	/*
	 * Without a key libjwt only decodes: enough to pick the issuer, and
	 * the claims are read from the same decode once the signature over
	 * exactly these octets has verified.
	 */
	if (jwt_decode(&unverified, tok, NULL, 0) != 0) {
		st = AUTH_MALFORMED;
		goto out;
	}
	/* RFC 7515 4.1.11: no critical extension is understood here. */
	crit = jwt_get_headers_json(unverified, "crit");
	if (crit != NULL) {
		free(crit);
		st = AUTH_MALFORMED;
		goto out;
	}
	rc = auth_claim_string(unverified, "iss", iss, sizeof(iss), &len);
	if (rc != 0 || (is = auth_find_issuer(a, iss)) == NULL) {
		st = AUTH_UNKNOWN_ISSUER;
		if (rc == 0) {
			auth_json_escape(iss, len, q, sizeof(q));
			snprintf(why, whylen, "%s: \"%s\"", auth_status_text(st), q);
		}
		goto out;
	}
	st = auth_check_alg(is, unverified, &alg);
	if (st != AUTH_OK)
		goto out;
	/* RFC 7515 5.2 step 8: over the header and payload as sent. */
	if ((dot = strrchr(tok, '.')) == NULL || dot[1] == '\0' ||
	    auth_key_verify(is->key, alg, tok, (size_t)(dot - tok), dot + 1,
	    strlen(dot + 1)) != 0) {
		st = AUTH_BAD_SIGNATURE;
		goto out;
	}
	st = auth_check_claims(a, is, unverified, now, res);
out:
	jwt_free(unverified);
	return st;
}

enum auth_status
auth_bearer(const struct auth *a, const char *header, int64_t now,
    struct auth_result *res, char *why, size_t whylen)
{
	char tok[AUTH_TOKEN_MAX + 1], dummy[1];
	uint8_t d[AUTH_CACHE_DIGEST];
	enum auth_status st;
	int hashed;

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	memset(res, 0, sizeof(*res));
	st = auth_token(header, tok);
	/*
	 * A signature verification costs a millisecond and more; a token seen
	 * before is known by its digest. Only verification is remembered: the
	 * caller still authorises the identity against the store each time.
	 */
	hashed = st == AUTH_OK && a->sha256 != NULL &&
	    EVP_Digest(tok, strlen(tok), d, NULL, a->sha256, NULL) == 1;
	if (st == AUTH_OK && !(hashed &&
	    auth_cache_get(a->cache, d, now, a->leeway, res) == 0)) {
		st = auth_verify(a, tok, now, res, why, whylen);
		if (st == AUTH_OK && hashed)
			auth_cache_put(a->cache, d, now, res);
	}
	/*
	 * A bearer token is a credential: leave no copy on the stack. The
	 * copy is never longer than the header, so only that much is written.
	 */
	OPENSSL_cleanse(tok, header == NULL ? 1 : strnlen(header, sizeof(tok) - 1) + 1);
	if (st != AUTH_OK) {
		memset(res, 0, sizeof(*res));
		if (why[0] == '\0')
			snprintf(why, whylen, "%s", auth_status_text(st));
	}
	return st;
}

uint64_t
auth_token_hits(const struct auth *a)
{
	return auth_cache_hits(a->cache);
}

int
auth_cert_identity(X509 *cert, char *uri, size_t cap)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *gn;
	const char *why;
	int i, n, len, rc = SKM_ENOTFOUND;

	if (cap > 0)
		uri[0] = '\0';
	if (cert == NULL)
		return SKM_ENOTFOUND;
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (names == NULL)
		return SKM_ENOTFOUND;
	n = sk_GENERAL_NAME_num(names);
	for (i = 0; i < n && rc != 0; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type != GEN_URI)
			continue;
		len = ASN1_STRING_length(gn->d.uniformResourceIdentifier);
		/* uri_check refuses a NUL inside, so the copy is the whole name. */
		if (len <= 0 || (size_t)len >= cap ||
		    uri_check((const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier),
		    (size_t)len, &why) != 0)
			continue;
		memcpy(uri, ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier), (size_t)len);
		uri[len] = '\0';
		rc = 0;
	}
	GENERAL_NAMES_free(names);
	return rc;
}
