/* SPDX-License-Identifier: ISC */
/*
 * src/server/auth: bearer access tokens minted here with libjwt and the
 * test keys in tests/data/auth, against a configuration of three issuers
 * (ES256, RS256 from a certificate with its own identity claim, ES384).
 * Every refusal the verifier can give is provoked at least once, the
 * classic algorithm attacks included; also client certificate identities
 * and the start-up checks of the issuer keys.
 */
#define _GNU_SOURCE	/* asprintf */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "conf/conf.h"
#include "server/auth.h"
#include "testlib.h"

#define NOW	1700000000LL
#define ES_ISS	"https://idms.example.org"
#define RSA_ISS	"https://rsa.example.org"
#define P384_ISS "https://p384.example.org"
#define AUD	"https://kms.example.org"
#define ALICE	"sip:alice@example.org"
#define SCOPE	"3gpp:seal:km"

static struct auth *auth;

static char *
read_key(const char *name, int *len)
{
	FILE *fp = fopen(test_data_path(name), "rb");
	char *buf = calloc(1, 16384);
	size_t n;

	ck_assert_msg(fp != NULL, "cannot open %s", test_data_path(name));
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, 16383, fp);
	fclose(fp);
	*len = (int)n;
	return buf;
}

/* A token over claims (a JSON object) signed with key by alg; NULL key: "none". */
static char *
mint_hdr(const char *key, jwt_alg_t alg, const char *claims, const char *headers)
{
	jwt_t *jwt = NULL;
	char *kbuf = NULL, *tok;
	int klen = 0;

	ck_assert_int_eq(jwt_new(&jwt), 0);
	ck_assert_msg(jwt_add_grants_json(jwt, claims) == 0, "bad claims %s", claims);
	if (headers != NULL)
		ck_assert_int_eq(jwt_add_headers_json(jwt, headers), 0);
	if (key != NULL) {
		kbuf = read_key(key, &klen);
		ck_assert_int_eq(jwt_set_alg(jwt, alg, (unsigned char *)kbuf, klen), 0);
	}
	tok = jwt_encode_str(jwt);
	ck_assert_ptr_nonnull(tok);
	jwt_free(jwt);
	free(kbuf);
	return tok;
}

static char *
mint(const char *key, jwt_alg_t alg, const char *claims)
{
	return mint_hdr(key, alg, claims, NULL);
}

/* RFC 4648 5 without padding, from malloc. */
static char *
b64url(const unsigned char *in, size_t len)
{
	char *out = malloc(len / 3 * 4 + 8);
	size_t i;
	int n;

	ck_assert_ptr_nonnull(out);
	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; out[i] != '\0'; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

/*
 * An ES256 token over header and payload exactly as written (hlen and
 * plen octets, so a NUL may be inside): libjwt re-encodes what it is
 * given and would never write a member twice.
 */
static char *
mint_raw(const char *key, const char *header, size_t hlen, const char *payload,
    size_t plen)
{
	FILE *fp = fopen(test_data_path(key), "rb");
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	ECDSA_SIG *sig;
	const unsigned char *p;
	unsigned char der[128], rs[64];
	size_t dlen = sizeof(der);
	char *h, *b, *input, *tok, *sig64;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(pkey = PEM_read_PrivateKey(fp, NULL, NULL, NULL));
	fclose(fp);
	h = b64url((const unsigned char *)header, hlen);
	b = b64url((const unsigned char *)payload, plen);
	ck_assert_int_ge(asprintf(&input, "%s.%s", h, b), 0);
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, der, &dlen, (unsigned char *)input,
	    strlen(input)), 1);
	p = der;
	ck_assert_ptr_nonnull(sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen));
	/* RFC 7518 3.4: R || S, 32 octets each. */
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32), 32);
	ck_assert_int_eq(BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32), 32);
	sig64 = b64url(rs, sizeof(rs));
	ck_assert_int_ge(asprintf(&tok, "%s.%s", input, sig64), 0);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	free(sig64);
	free(input);
	free(b);
	free(h);
	return tok;
}

#define ES_HDR	"{\"alg\":\"ES256\",\"typ\":\"JWT\"}"

/* mint_raw() of two NUL-terminated texts. */
static char *
raw(const char *header, const char *payload)
{
	return mint_raw("auth/es256-key.pem", header, strlen(header), payload,
	    strlen(payload));
}

/* Standard claims for issuer iss with extra (",\"k\":v..." or ""). */
static char *
claims(const char *iss, const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "{\"iss\":\"%s\",\"aud\":\"" AUD "\",\"sub\":\"" ALICE
	    "\",\"exp\":%lld,\"iat\":%lld,\"scope\":\"openid " SCOPE "\"%s}", iss,
	    NOW + 300, NOW, extra);
	return buf;
}

/* Claims without the defaults: only what is given. */
static char *
bare(const char *body)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "{%s}", body);
	return buf;
}

static enum auth_status
check_header(const char *header, struct auth_result *res)
{
	return auth_bearer(auth, header, NOW, res, NULL, 0);
}

static enum auth_status
check(char *tok)
{
	struct auth_result res;
	char *header;
	enum auth_status st;

	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	st = check_header(header, &res);
	if (st != AUTH_OK) {
		/* A refusal leaves no identity behind. */
		ck_assert_str_eq(res.identity, "");
		ck_assert_str_eq(res.issuer, "");
	}
	free(header);
	free(tok);
	return st;
}

static char *
conf_text(const char *scope)
{
	char *text;
	char es[4096], rsa[4096], p384[4096];

	snprintf(es, sizeof(es), "%s", test_data_path("auth/es256-pub.pem"));
	snprintf(rsa, sizeof(rsa), "%s", test_data_path("auth/rsa-cert.pem"));
	snprintf(p384, sizeof(p384), "%s", test_data_path("auth/es384-pub.pem"));
	ck_assert_int_ge(asprintf(&text,
	    "tokens:\n"
	    "  leeway: 30s\n"
	    "  required-scope: \"%s\"\n"
	    "  issuers:\n"
	    "    - issuer: " ES_ISS "\n"
	    "      audience: " AUD "\n"
	    "      key-file: %s\n"
	    "      algorithms: [ES256]\n"
	    "    - issuer: " RSA_ISS "\n"
	    "      audience: kms.example.org\n"
	    "      key-file: %s\n"
	    "      identity-claim: val_user_id\n"
	    "    - issuer: " P384_ISS "\n"
	    "      audience: " AUD "\n"
	    "      key-file: %s\n"
	    "      algorithms: [ES256, ES384, RS256]\n", scope, es, rsa, p384), 0);
	return text;
}

static struct auth *
auth_from(const char *text, int want_rc, const char *want_why)
{
	struct conf *cf = NULL;
	struct conf_error err;
	struct auth *a = NULL;
	char why[512];
	int rc;

	rc = conf_load_buffer("test.yaml", text, strlen(text), &cf, &err);
	ck_assert_msg(rc == 0, "conf: %u:%u: %s", err.line, err.column, err.msg);
	rc = auth_new(cf, &a, why, sizeof(why));
	ck_assert_msg(rc == want_rc, "auth_new: %d (%s)", rc, why);
	if (want_why != NULL)
		ck_assert_msg(strstr(why, want_why) != NULL, "why '%s' lacks '%s'", why, want_why);
	conf_free(cf);
	return a;
}

static void
setup(void)
{
	char *text = conf_text(SCOPE);

	auth = auth_from(text, 0, NULL);
	ck_assert_ptr_nonnull(auth);
	free(text);
}

static void
teardown(void)
{
	auth_free(auth);
	auth = NULL;
}

START_TEST(valid_es256)
{
	struct auth_result res;
	char *tok = mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims(ES_ISS, ",\"jti\":\"4f1c-9a2b\""));
	char *header;

	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_OK);
	ck_assert_str_eq(res.identity, ALICE);
	ck_assert_str_eq(res.jti, "4f1c-9a2b");
	ck_assert_str_eq(res.issuer, ES_ISS);
	ck_assert_int_eq(res.expires, NOW + 300);
	free(header);
	/* RFC 7235: the scheme in any case; several spaces, trailing white space. */
	ck_assert_int_ge(asprintf(&header, "  bEARER   %s \t", tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_OK);
	ck_assert_str_eq(res.jti, "4f1c-9a2b");
	free(header);
	free(tok);
	/* No jti: an empty one; a NumericDate with a fraction. */
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    bare("\"iss\":\"" ES_ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" ALICE "\","
	    "\"exp\":1700000000.5,\"scope\":\"" SCOPE "\""))), AUTH_OK);
}
END_TEST

START_TEST(valid_rs256_and_es384)
{
	struct auth_result res;
	char *tok, *header;

	/* The RSA issuer names its callers in val_user_id; sub is not a URI there. */
	tok = mint("auth/rsa-key.pem", JWT_ALG_RS256, bare("\"iss\":\"" RSA_ISS "\","
	    "\"aud\":[\"other\",\"kms.example.org\"],\"sub\":\"user 42\","
	    "\"val_user_id\":\"sip:bob@example.org\",\"exp\":1700000100,"
	    "\"scope\":[\"openid\",\"" SCOPE "\"]"));
	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_OK);
	ck_assert_str_eq(res.identity, "sip:bob@example.org");
	ck_assert_str_eq(res.issuer, RSA_ISS);
	ck_assert_str_eq(res.jti, "");
	free(header);
	free(tok);
	ck_assert_int_eq(check(mint("auth/rsa-key.pem", JWT_ALG_RS256,
	    bare("\"iss\":\"" RSA_ISS "\",\"aud\":\"kms.example.org\",\"sub\":\"" ALICE "\","
	    "\"exp\":1700000100,\"scope\":\"" SCOPE "\""))), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(mint("auth/es384-key.pem", JWT_ALG_ES384,
	    claims(P384_ISS, ""))), AUTH_OK);
}
END_TEST

START_TEST(algorithm_attacks)
{
	int klen;
	char *pub = read_key("auth/es256-pub.pem", &klen);
	jwt_t *jwt;
	char *tok;

	/* alg "none", with and without a signature part. */
	ck_assert_int_eq(check(mint(NULL, JWT_ALG_NONE, claims(ES_ISS, ""))), AUTH_BAD_ALG);
	/* HS256 keyed with the issuer's public key PEM (RFC 8725 2.1). */
	ck_assert_int_eq(jwt_new(&jwt), 0);
	ck_assert_int_eq(jwt_add_grants_json(jwt, claims(ES_ISS, "")), 0);
	ck_assert_int_eq(jwt_set_alg(jwt, JWT_ALG_HS256, (unsigned char *)pub, klen), 0);
	tok = jwt_encode_str(jwt);
	jwt_free(jwt);
	ck_assert_int_eq(check(tok), AUTH_BAD_ALG);
	free(pub);
	/* "none" with a signature part all the same. */
	tok = mint(NULL, JWT_ALG_NONE, claims(ES_ISS, ""));
	ck_assert_int_ge(asprintf(&pub, "%sc2ln", tok), 0);
	free(tok);
	ck_assert_int_eq(check(pub), AUTH_BAD_ALG);
	/* A good signature with an algorithm the issuer does not list. */
	ck_assert_int_eq(check(mint("auth/rsa-key.pem", JWT_ALG_RS256, claims(ES_ISS, ""))),
	    AUTH_BAD_ALG);
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    bare("\"iss\":\"" RSA_ISS "\",\"aud\":\"kms.example.org\",\"exp\":1700000100,"
	    "\"val_user_id\":\"" ALICE "\",\"scope\":\"" SCOPE "\""))), AUTH_BAD_ALG);
	/* Listed for the P-384 issuer, but not for its key type. */
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims(P384_ISS, ""))), AUTH_BAD_ALG);
	ck_assert_int_eq(check(mint("auth/rsa-key.pem", JWT_ALG_RS256,
	    claims(P384_ISS, ""))), AUTH_BAD_ALG);
	ck_assert_int_eq(check(mint("auth/rsa-key.pem", JWT_ALG_RS384, claims(RSA_ISS, ""))),
	    AUTH_BAD_ALG);
}
END_TEST

START_TEST(signatures)
{
	char *a, *b, *spliced;

	ck_assert_int_eq(check(mint("auth/other-ec-key.pem", JWT_ALG_ES256,
	    claims(ES_ISS, ""))), AUTH_BAD_SIGNATURE);
	/* Tampered payload: bob's claims under alice's signature. */
	a = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
	b = mint("auth/other-ec-key.pem", JWT_ALG_ES256, bare("\"iss\":\"" ES_ISS "\","
	    "\"aud\":\"" AUD "\",\"sub\":\"sip:bob@example.org\",\"exp\":1700000300,"
	    "\"scope\":\"" SCOPE "\""));
	spliced = malloc(strlen(a) + strlen(b) + 1);
	ck_assert_ptr_nonnull(spliced);
	memcpy(spliced, b, (size_t)(strrchr(b, '.') - b));
	strcpy(spliced + (strrchr(b, '.') - b), strrchr(a, '.'));
	ck_assert_int_eq(check(spliced), AUTH_BAD_SIGNATURE);
	/* A signature cut short, and none at all. */
	a[strlen(a) - 4] = '\0';
	ck_assert_int_eq(check(a), AUTH_BAD_SIGNATURE);
	/* Empty parts never reach libjwt (it overruns its buffer on them). */
	a = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
	strrchr(a, '.')[1] = '\0';
	ck_assert_int_eq(check(a), AUTH_BAD_SIGNATURE);
	ck_assert_int_eq(check(strdup(".e30.c2ln")), AUTH_MALFORMED);
	ck_assert_int_eq(check(strdup("eyJhbGciOiJFUzI1NiJ9..c2ln")), AUTH_MALFORMED);
	/* RFC 7518 3.4: R || S of exactly 64 octets, in base64url of a valid length. */
	{
		static const char *const tails[] = { "A", "AAA", "AAAA", "-_" };
		char *good = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
		size_t i;

		ck_assert_int_eq(check(strdup(good)), AUTH_OK);
		for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
			char *t = malloc(strlen(good) + 8);

			ck_assert_ptr_nonnull(t);
			strcpy(t, good);
			strcat(t, tails[i]);
			ck_assert_msg(check(t) == AUTH_BAD_SIGNATURE, "tail %s", tails[i]);
		}
		/* The same signature cut to 63 octets and padded back by one. */
		a = strdup(good);
		ck_assert_ptr_nonnull(a);
		a[strlen(a) - 2] = '\0';
		ck_assert_int_eq(check(a), AUTH_BAD_SIGNATURE);
		free(good);
	}
	free(b);
}
END_TEST

START_TEST(issuers)
{
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims("https://evil.example.org", ""))), AUTH_UNKNOWN_ISSUER);
	/* Issuers compare exactly: no case folding, no trailing slash. */
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims("https://IDMS.example.org", ""))), AUTH_UNKNOWN_ISSUER);
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims(ES_ISS "/", ""))), AUTH_UNKNOWN_ISSUER);
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    bare("\"aud\":\"" AUD "\",\"sub\":\"" ALICE "\",\"exp\":1700000300"))),
	    AUTH_UNKNOWN_ISSUER);
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    bare("\"iss\":[\"" ES_ISS "\"],\"aud\":\"" AUD "\",\"exp\":1700000300"))),
	    AUTH_UNKNOWN_ISSUER);
}
END_TEST

static char *
aud_token(const char *aud)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "\"iss\":\"" ES_ISS "\",%s\"sub\":\"" ALICE "\","
	    "\"exp\":1700000300,\"scope\":\"" SCOPE "\"", aud);
	return mint("auth/es256-key.pem", JWT_ALG_ES256, bare(buf));
}

START_TEST(audiences)
{
	ck_assert_int_eq(check(aud_token("\"aud\":\"" AUD "\",")), AUTH_OK);
	ck_assert_int_eq(check(aud_token("\"aud\":[\"a\",\"" AUD "\",\"b\"],")), AUTH_OK);
	ck_assert_int_eq(check(aud_token("\"aud\":\"https://other.example.org\",")),
	    AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":[\"a\",\"b\"],")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":[],")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":\"" AUD " \",")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":[\"" AUD "\",[\"" AUD "\"]],")),
	    AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":[\"" AUD "\",7],")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":{\"x\":\"" AUD "\"},")), AUTH_WRONG_AUDIENCE);
	ck_assert_int_eq(check(aud_token("\"aud\":true,")), AUTH_WRONG_AUDIENCE);
	/* Escapes inside the JSON strings are decoded before comparing. */
	ck_assert_int_eq(check(aud_token("\"aud\":[\"q\\\"\\\\\\n\",\"https:\\/\\/kms.example.org\"],")),
	    AUTH_OK);
}
END_TEST

static char *
time_token(const char *times)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "\"iss\":\"" ES_ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"" ALICE "\",\"scope\":\"" SCOPE "\"%s", times);
	return mint("auth/es256-key.pem", JWT_ALG_ES256, bare(buf));
}

START_TEST(times)
{
	/* Leeway 30 s: exp + 30 > now, nbf and iat <= now + 30. */
	ck_assert_int_eq(check(time_token(",\"exp\":1699999971")), AUTH_OK);
	ck_assert_int_eq(check(time_token(",\"exp\":1699999970")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token(",\"exp\":1600000000")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token("")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token(",\"exp\":\"1700000300\"")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token(",\"exp\":null")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token(",\"exp\":-1")), AUTH_EXPIRED);
	ck_assert_int_eq(check(time_token(",\"exp\":1e300")), AUTH_OK);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"nbf\":1700000030")), AUTH_OK);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"nbf\":1700000031")),
	    AUTH_NOT_YET_VALID);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"iat\":1700000030")), AUTH_OK);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"iat\":1700000031")),
	    AUTH_NOT_YET_VALID);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"iat\":1800000000,"
	    "\"nbf\":1600000000")), AUTH_NOT_YET_VALID);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"nbf\":\"soon\"")),
	    AUTH_MALFORMED);
	ck_assert_int_eq(check(time_token(",\"exp\":1700000300,\"iat\":[1]")), AUTH_MALFORMED);
}
END_TEST

/*
 * Verified tokens are remembered by digest: a reused token skips the
 * signature check, yet exp, the clock and any change to the token are
 * honoured exactly as by a full verification.
 */
START_TEST(token_cache)
{
	struct auth_result res, first;
	char *tok = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ",\"jti\":\"c-1\""));
	char *header, *forged, *late;
	size_t at;
	uint64_t h0 = auth_token_hits(auth);

	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	ck_assert_int_eq(auth_bearer(auth, header, NOW, &first, NULL, 0), AUTH_OK);
	ck_assert_uint_eq(auth_token_hits(auth), h0);
	ck_assert_int_eq(auth_bearer(auth, header, NOW + 10, &res, NULL, 0), AUTH_OK);
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 1);
	ck_assert_int_eq(memcmp(&res, &first, sizeof(res)), 0);
	ck_assert_str_eq(res.identity, ALICE);
	ck_assert_str_eq(res.jti, "c-1");
	/* exp is NOW + 300 and the leeway 30 s: the cached token expires too. */
	ck_assert_int_eq(auth_bearer(auth, header, NOW + 329, &res, NULL, 0), AUTH_OK);
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 2);
	ck_assert_int_eq(auth_bearer(auth, header, NOW + 330, &res, NULL, 0), AUTH_EXPIRED);
	ck_assert_str_eq(res.identity, "");
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 2);
	/* One signature character changed: not the cached token, and forged. */
	forged = strdup(header);
	ck_assert_ptr_nonnull(forged);
	at = strlen(forged) - 20;
	forged[at] = forged[at] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(auth_bearer(auth, forged, NOW, &res, NULL, 0), AUTH_BAD_SIGNATURE);
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 2);
	free(forged);
	free(header);
	free(tok);
	/*
	 * nbf 100 s ahead: refused now, accepted (and cached) later, and
	 * refused again when the clock steps back before that time.
	 */
	late = time_token(",\"exp\":1700000600,\"nbf\":1700000100");
	ck_assert_int_ge(asprintf(&header, "Bearer %s", late), 0);
	ck_assert_int_eq(auth_bearer(auth, header, NOW, &res, NULL, 0), AUTH_NOT_YET_VALID);
	ck_assert_int_eq(auth_bearer(auth, header, NOW + 100, &res, NULL, 0), AUTH_OK);
	ck_assert_int_eq(auth_bearer(auth, header, NOW + 101, &res, NULL, 0), AUTH_OK);
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 3);
	ck_assert_int_eq(auth_bearer(auth, header, NOW, &res, NULL, 0), AUTH_NOT_YET_VALID);
	ck_assert_uint_eq(auth_token_hits(auth), h0 + 3);
	free(header);
	free(late);
}
END_TEST

static char *
scope_token(const char *scope)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "\"iss\":\"" ES_ISS "\",\"aud\":\"" AUD "\","
	    "\"sub\":\"" ALICE "\",\"exp\":1700000300%s", scope);
	return mint("auth/es256-key.pem", JWT_ALG_ES256, bare(buf));
}

START_TEST(scopes)
{
	struct auth *strict = auth, *lax;
	char *text;

	ck_assert_int_eq(check(scope_token(",\"scope\":\"" SCOPE "\"")), AUTH_OK);
	ck_assert_int_eq(check(scope_token(",\"scope\":\"openid  " SCOPE " profile\"")), AUTH_OK);
	ck_assert_int_eq(check(scope_token(",\"scope\":[\"openid\",\"" SCOPE "\"]")), AUTH_OK);
	ck_assert_int_eq(check(scope_token("")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(scope_token(",\"scope\":\"openid profile\"")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(scope_token(",\"scope\":\"" SCOPE "x\"")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(scope_token(",\"scope\":\"3gpp:seal\"")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(scope_token(",\"scope\":[\"openid " SCOPE "\"]")), AUTH_OK);
	ck_assert_int_eq(check(scope_token(",\"scope\":[\"openid\"]")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(scope_token(",\"scope\":42")), AUTH_WRONG_SCOPE);
	/* An empty required-scope skips the check. */
	text = conf_text("");
	lax = auth_from(text, 0, NULL);
	free(text);
	auth = lax;
	ck_assert_int_eq(check(scope_token("")), AUTH_OK);
	ck_assert_int_eq(check(scope_token(",\"scope\":\"openid\"")), AUTH_OK);
	auth = strict;
	auth_free(lax);
}
END_TEST

static char *
id_token(const char *sub)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "\"iss\":\"" ES_ISS "\",\"aud\":\"" AUD "\","
	    "\"exp\":1700000300,\"scope\":\"" SCOPE "\"%s", sub);
	return mint("auth/es256-key.pem", JWT_ALG_ES256, bare(buf));
}

START_TEST(identities)
{
	char big[1100], buf[1200];

	ck_assert_int_eq(check(id_token(",\"sub\":\"tel:+4915112345678\"")), AUTH_OK);
	ck_assert_int_eq(check(id_token(",\"sub\":\"https://gms.example.org\"")), AUTH_OK);
	ck_assert_int_eq(check(id_token("")), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(id_token(",\"sub\":\"alice smith\"")), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(id_token(",\"sub\":\"\"")), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(id_token(",\"sub\":42")), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(id_token(",\"sub\":[\"" ALICE "\"]")), AUTH_NO_IDENTITY);
	ck_assert_int_eq(check(id_token(",\"sub\":\"" ALICE "\\n\"")), AUTH_NO_IDENTITY);
	/* Too long for AUTH_ID_MAX. */
	memset(big, 'a', 1030);
	big[1030] = '\0';
	snprintf(buf, sizeof(buf), ",\"sub\":\"sip:%s@example.org\"", big);
	ck_assert_int_eq(check(id_token(buf)), AUTH_NO_IDENTITY);
	/* jti: printable ASCII up to AUTH_JTI_MAX. */
	ck_assert_int_eq(check(id_token(",\"sub\":\"" ALICE "\",\"jti\":\"a b\"")), AUTH_MALFORMED);
	ck_assert_int_eq(check(id_token(",\"sub\":\"" ALICE "\",\"jti\":7")), AUTH_MALFORMED);
	memset(big, 'j', AUTH_JTI_MAX + 1);
	big[AUTH_JTI_MAX + 1] = '\0';
	snprintf(buf, sizeof(buf), ",\"sub\":\"" ALICE "\",\"jti\":\"%s\"", big);
	ck_assert_int_eq(check(id_token(buf)), AUTH_MALFORMED);
	big[AUTH_JTI_MAX] = '\0';
	snprintf(buf, sizeof(buf), ",\"sub\":\"" ALICE "\",\"jti\":\"%s\"", big);
	ck_assert_int_eq(check(id_token(buf)), AUTH_OK);
}
END_TEST

START_TEST(headers)
{
	struct auth_result res;
	char *tok = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
	char *big, *header;

	ck_assert_int_eq(check_header(NULL, &res), AUTH_MISSING);
	ck_assert_int_eq(check_header("", &res), AUTH_MISSING);
	ck_assert_int_eq(check_header("Basic YWxpY2U6c2VjcmV0", &res), AUTH_MISSING);
	ck_assert_int_eq(check_header("Bearertoken.a.b", &res), AUTH_MISSING);
	ck_assert_int_eq(check_header("Bearer", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer   ", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer @@@.###.$$$", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer abc.def.ghi", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer eyJhbGciOiJFUzI1NiJ9", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer a.b.c.d.e", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer a.b.c=", &res), AUTH_MALFORMED);
	ck_assert_int_eq(check_header("Bearer a+/.b.c", &res), AUTH_MALFORMED);
	ck_assert_int_ge(asprintf(&header, "Bearer %s %s", tok, tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_MALFORMED);
	free(header);
	ck_assert_int_ge(asprintf(&header, "Bearer\t%s", tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_MISSING);
	free(header);
	/* The limit is on the token: 8192 octets is read, 8193 is not. */
	big = malloc(8192 + 16);
	ck_assert_ptr_nonnull(big);
	strcpy(big, "Bearer ");
	memset(big + 7, 'A', 8192);
	big[7 + 8192] = '\0';
	ck_assert_int_eq(check_header(big, &res), AUTH_MALFORMED);
	big[7 + 8192] = 'A';
	big[7 + 8193] = '\0';
	ck_assert_int_eq(check_header(big, &res), AUTH_TOO_LARGE);
	free(big);
	free(tok);
	/* A critical header extension nobody here understands (RFC 7515 4.1.11). */
	ck_assert_int_eq(check(mint_hdr("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""),
	    "{\"crit\":[\"exp\"]}")), AUTH_MALFORMED);
	ck_assert_int_eq(check(mint_hdr("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""),
	    "{\"kid\":\"k1\"}")), AUTH_OK);
}
END_TEST

/* The claims of claims() with the last "}" cut and more appended. */
static char *
claims_plus(const char *iss, const char *more)
{
	static char buf[4096];
	char *c = claims(iss, "");

	snprintf(buf, sizeof(buf), "%.*s%s}", (int)(strlen(c) - 1), c, more);
	return buf;
}

/* check() of a token, and the reason it was refused for, into why. */
static enum auth_status
check_why(char *tok, char *why, size_t whylen)
{
	struct auth_result res;
	enum auth_status st;
	char *header;

	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	st = auth_bearer(auth, header, NOW, &res, why, whylen);
	free(header);
	free(tok);
	return st;
}

/* Printable ASCII only: what a reason may bring into a log line. */
static void
assert_printable(const char *s)
{
	for (; *s != '\0'; s++)
		ck_assert_msg((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f,
		    "octet %02x in a reason", (unsigned char)*s);
}

/*
 * RFC 7515 4 and RFC 7519 4 let a parser keep the last of two members of
 * one name, as libjwt's does: refused here, in the header and the
 * payload, with escaped names compared decoded, and in nested objects.
 */
START_TEST(duplicates)
{
	char why[AUTH_WHY_MAX];

	/* The raw minter itself is sound. */
	ck_assert_int_eq(check(raw(ES_HDR, claims(ES_ISS, ""))), AUTH_OK);
	/* A second sub: libjwt alone would take bob. */
	ck_assert_int_eq(check_why(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"sub\":\"sip:bob@example.org\"")), why, sizeof(why)), AUTH_DUPLICATE);
	ck_assert_msg(strstr(why, "token payload: duplicate object key") != NULL, "%s", why);
	ck_assert_msg(strstr(why, "\\\"sub\\\"") != NULL, "%s", why);
	assert_printable(why);
	/* Two iss: an unknown one, then the configured one. */
	ck_assert_int_eq(check(raw(ES_HDR, bare("\"iss\":\"https://evil.example.org\","
	    "\"iss\":\"" ES_ISS "\",\"aud\":\"" AUD "\",\"sub\":\"" ALICE "\","
	    "\"exp\":1700000300,\"scope\":\"" SCOPE "\""))), AUTH_DUPLICATE);
	/* The same in the header: "none" first, then the real alg. */
	ck_assert_int_eq(check_why(raw("{\"alg\":\"none\",\"alg\":\"ES256\"}",
	    claims(ES_ISS, "")), why, sizeof(why)), AUTH_DUPLICATE);
	ck_assert_msg(strstr(why, "token header:") == why, "%s", why);
	ck_assert_int_eq(check(raw("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"typ\":\"JWT\"}",
	    claims(ES_ISS, ""))), AUTH_DUPLICATE);
	/* Names compare decoded: s\u0075b is sub, \u0061ud is aud. */
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"s\\u0075b\":\"sip:bob@example.org\""))), AUTH_DUPLICATE);
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"\\u0061ud\":\"" AUD "\""))), AUTH_DUPLICATE);
	ck_assert_int_eq(check(raw("{\"\\u0061lg\":\"ES256\",\"alg\":\"ES256\"}",
	    claims(ES_ISS, ""))), AUTH_DUPLICATE);
	/* Names that only look alike are different names. */
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"Sub\":\"x\",\"sub \":\"y\""))), AUTH_OK);
	/* Nested objects: a repeated name is refused at any depth... */
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"cnf\":{\"jkt\":\"a\",\"jkt\":\"b\"}"))), AUTH_DUPLICATE);
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"x\":[{\"a\":[{\"b\":1,\"b\":1}]}]"))), AUTH_DUPLICATE);
	/* ...while one name in different objects is no repetition. */
	ck_assert_int_eq(check(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"x\":{\"sub\":1},\"y\":[{\"sub\":2},{\"sub\":3}]"))), AUTH_OK);
	/* An octet outside ASCII in the name reaches the reason escaped. */
	ck_assert_int_eq(check_why(raw(ES_HDR, claims_plus(ES_ISS,
	    ",\"\xc3\xa9\":1,\"\xc3\xa9\":2")), why, sizeof(why)), AUTH_DUPLICATE);
	ck_assert_msg(strstr(why, "\\xc3\\xa9") != NULL, "%s", why);
	assert_printable(why);
}
END_TEST

/*
 * The payload is one JSON object and nothing else: libjwt reads the text
 * only up to a NUL, so octets after one would pass unseen.
 */
START_TEST(strict_json)
{
	static const char tail[] = "\0{\"sub\":\"sip:bob@example.org\"}";
	char payload[4096];
	char *c = claims(ES_ISS, "");
	size_t n = strlen(c);

	memcpy(payload, c, n);
	memcpy(payload + n, tail, sizeof(tail) - 1);
	ck_assert_int_eq(check(mint_raw("auth/es256-key.pem", ES_HDR, strlen(ES_HDR),
	    payload, n + sizeof(tail) - 1)), AUTH_MALFORMED);
	ck_assert_int_eq(check(mint_raw("auth/es256-key.pem", ES_HDR, strlen(ES_HDR),
	    payload, n + 1)), AUTH_MALFORMED);
	ck_assert_int_eq(check(raw(ES_HDR, "[1]")), AUTH_MALFORMED);
	ck_assert_int_eq(check(raw("\"ES256\"", claims(ES_ISS, ""))), AUTH_MALFORMED);
	ck_assert_int_eq(check(raw(ES_HDR, "{\"sub\":\"a\"} {}")), AUTH_MALFORMED);
}
END_TEST

/*
 * Every refusal has a reason for the log; an issuer the configuration
 * does not know is named there, escaped, and only there.
 */
START_TEST(reasons)
{
	struct auth_result res;
	char why[AUTH_WHY_MAX];

	ck_assert_int_eq(check_why(mint("auth/es256-key.pem", JWT_ALG_ES256,
	    claims("https://evil.example.org/\\n\\u0007\\\"", "")), why, sizeof(why)),
	    AUTH_UNKNOWN_ISSUER);
	ck_assert_str_eq(why, "token issuer unknown: \"https://evil.example.org/\\x0a\\x07\\\"\"");
	assert_printable(why);
	ck_assert_int_eq(check_why(mint("auth/other-ec-key.pem", JWT_ALG_ES256,
	    claims(ES_ISS, "")), why, sizeof(why)), AUTH_BAD_SIGNATURE);
	ck_assert_str_eq(why, "token signature does not verify");
	ck_assert_int_eq(auth_bearer(auth, NULL, NOW, &res, why, sizeof(why)), AUTH_MISSING);
	ck_assert_str_eq(why, "no bearer token");
	ck_assert_int_eq(auth_bearer(auth, "Bearer a.b.c", NOW, &res, why, 8), AUTH_MALFORMED);
	ck_assert_uint_lt(strlen(why), 8);
	/* A long issuer is cut, not overrun. */
	{
		char iss[300];

		memset(iss, 'i', sizeof(iss) - 1);
		iss[sizeof(iss) - 1] = '\0';
		ck_assert_int_eq(check_why(mint("auth/es256-key.pem", JWT_ALG_ES256,
		    claims(iss, "")), why, sizeof(why)), AUTH_UNKNOWN_ISSUER);
	}
}
END_TEST

START_TEST(status_texts)
{
	int s, t;

	for (s = AUTH_OK; s <= AUTH_DUPLICATE; s++) {
		ck_assert_ptr_nonnull(auth_status_text((enum auth_status)s));
		for (t = AUTH_OK; t < s; t++)
			ck_assert_str_ne(auth_status_text((enum auth_status)s),
			    auth_status_text((enum auth_status)t));
	}
	ck_assert_str_eq(auth_status_text(AUTH_EXPIRED), "token expired");
	ck_assert_str_eq(auth_status_text((enum auth_status)99), "unknown token status");
}
END_TEST

static char *
one_issuer(const char *key, const char *algs, const char *more)
{
	char *text;

	ck_assert_int_ge(asprintf(&text, "tokens:\n  issuers:\n"
	    "    - issuer: " ES_ISS "\n      audience: " AUD "\n"
	    "      key-file: %s\n      algorithms: %s\n%s", key, algs, more), 0);
	return text;
}

START_TEST(startup_checks)
{
	char path[4096], *text;

	snprintf(path, sizeof(path), "%s", test_data_path("auth/rsa-pub.pem"));
	text = one_issuer(path, "[RS256, PS256]", "");
	ck_assert_ptr_null(auth_from(text, SKM_EINVAL, "PS256 is not supported"));
	free(text);
	text = one_issuer(path, "[RS256]", "");
	auth_free(auth_from(text, 0, NULL));
	free(text);
	text = one_issuer(path, "[ES256]", "");
	ck_assert_ptr_null(auth_from(text, SKM_EINVAL, "is an RSA key, which none"));
	free(text);
	snprintf(path, sizeof(path), "%s", test_data_path("auth/es256-key.pem"));
	text = one_issuer(path, "[ES256]", "");
	ck_assert_ptr_null(auth_from(text, SKM_EINVAL, "no PEM public key or certificate"));
	free(text);
	snprintf(path, sizeof(path), "%s", test_data_path("auth/no-such.pem"));
	text = one_issuer(path, "[ES256]", "");
	ck_assert_ptr_null(auth_from(text, SKM_EINVAL, "no-such.pem: cannot open"));
	free(text);
	/* Issuer certificates work as key files too (the RSA issuer of setup). */
	snprintf(path, sizeof(path), "%s", test_data_path("auth/alice-cert.pem"));
	text = one_issuer(path, "[ES256]", "");
	auth_free(auth_from(text, 0, NULL));
	free(text);
	/* No issuers at all: every token is from an unknown issuer. */
	auth_free(auth);
	auth = auth_from("tokens:\n  issuers: []\n", 0, NULL);
	ck_assert_int_eq(check(mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""))),
	    AUTH_UNKNOWN_ISSUER);
}
END_TEST

static X509 *
load_cert(const char *name)
{
	FILE *fp = fopen(test_data_path(name), "r");
	X509 *x;

	ck_assert_ptr_nonnull(fp);
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	ck_assert_ptr_nonnull(x);
	return x;
}

START_TEST(cert_identities)
{
	X509 *alice = load_cert("auth/alice-cert.pem");
	X509 *dns = load_cert("auth/dns-cert.pem");
	char uri[AUTH_ID_MAX + 1];

	/* DNS and an invalid URI come first; the first valid URI wins. */
	ck_assert_int_eq(auth_cert_identity(alice, uri, sizeof(uri)), 0);
	ck_assert_str_eq(uri, ALICE);
	ck_assert_int_eq(auth_cert_identity(alice, uri, sizeof(ALICE) - 1), SKM_ENOTFOUND);
	ck_assert_str_eq(uri, "");
	ck_assert_int_eq(auth_cert_identity(alice, uri, sizeof(ALICE)), 0);
	ck_assert_int_eq(auth_cert_identity(dns, uri, sizeof(uri)), SKM_ENOTFOUND);
	ck_assert_str_eq(uri, "");
	ck_assert_int_eq(auth_cert_identity(NULL, uri, sizeof(uri)), SKM_ENOTFOUND);
	X509_free(alice);
	X509_free(dns);
}
END_TEST

/* The token contrib/skms-mint-token prints for args (after --now NOW). */
static char *
minted(const char *args)
{
	const char *top = getenv("top_builddir"), *src = getenv("top_srcdir");
	char *cmd, line[16384];
	FILE *p;

	ck_assert_msg(top != NULL && src != NULL, "top_builddir and top_srcdir must be set");
	ck_assert_int_ge(asprintf(&cmd, "cd '%s/tests/data/auth' && '%s/contrib/skms-mint-token'"
	    " --now %lld %s", src, top, NOW, args), 0);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	ck_assert_msg(pclose(p) == 0, "failed: %s", cmd);
	free(cmd);
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

#define ES_ARGS "--key es256-key.pem --iss " ES_ISS " --aud " AUD " --sub " ALICE " "

START_TEST(mint_tool)
{
	struct auth_result res;
	char *tok, *header;

	tok = minted(ES_ARGS "--jti demo-1");
	ck_assert_int_ge(asprintf(&header, "Bearer %s", tok), 0);
	ck_assert_int_eq(check_header(header, &res), AUTH_OK);
	ck_assert_str_eq(res.identity, ALICE);
	ck_assert_str_eq(res.jti, "demo-1");
	ck_assert_int_eq(res.expires, NOW + 300);
	free(header);
	free(tok);
	/* A random jti by default. */
	ck_assert_int_eq(check(minted(ES_ARGS "--ttl 60 --iat-offset 30")), AUTH_OK);
	ck_assert_int_eq(check(minted(ES_ARGS "--exp-offset -31")), AUTH_EXPIRED);
	ck_assert_int_eq(check(minted(ES_ARGS "--no-exp")), AUTH_EXPIRED);
	ck_assert_int_eq(check(minted(ES_ARGS "--nbf-offset 31")), AUTH_NOT_YET_VALID);
	ck_assert_int_eq(check(minted(ES_ARGS "--iat-offset 31")), AUTH_NOT_YET_VALID);
	ck_assert_int_eq(check(minted(ES_ARGS "--scope openid")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(minted(ES_ARGS "--scope ''")), AUTH_WRONG_SCOPE);
	ck_assert_int_eq(check(minted("--key rsa-key.pem --iss " RSA_ISS " --aud kms.example.org"
	    " --sub nobody --claim val_user_id=sip:bob@example.org --alg RS256")), AUTH_OK);
	ck_assert_int_eq(check(minted("--key es384-key.pem --iss " P384_ISS " --aud " AUD
	    " --sub " ALICE)), AUTH_OK);
}
END_TEST

struct worker {
	char *header_ok, *header_bad;
	int failures;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct auth_result res;
	int i;

	for (i = 0; i < 200; i++) {
		if (auth_bearer(auth, w->header_ok, NOW, &res, NULL, 0) != AUTH_OK ||
		    strcmp(res.identity, ALICE) != 0)
			__atomic_add_fetch(&w->failures, 1, __ATOMIC_RELAXED);
		if (auth_bearer(auth, w->header_bad, NOW, &res, NULL, 0) != AUTH_BAD_SIGNATURE)
			__atomic_add_fetch(&w->failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

START_TEST(threads)
{
	struct worker w = { 0 };
	char *ok = mint("auth/es256-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
	char *bad = mint("auth/other-ec-key.pem", JWT_ALG_ES256, claims(ES_ISS, ""));
	pthread_t t[4];
	int i;

	ck_assert_int_ge(asprintf(&w.header_ok, "Bearer %s", ok), 0);
	ck_assert_int_ge(asprintf(&w.header_bad, "Bearer %s", bad), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(w.failures, 0);
	free(w.header_ok);
	free(w.header_bad);
	free(ok);
	free(bad);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, valid_es256);
	tcase_add_test(tc, valid_rs256_and_es384);
	tcase_add_test(tc, algorithm_attacks);
	tcase_add_test(tc, signatures);
	tcase_add_test(tc, issuers);
	tcase_add_test(tc, audiences);
	tcase_add_test(tc, times);
	tcase_add_test(tc, token_cache);
	tcase_add_test(tc, scopes);
	tcase_add_test(tc, identities);
	tcase_add_test(tc, headers);
	tcase_add_test(tc, duplicates);
	tcase_add_test(tc, strict_json);
	tcase_add_test(tc, reasons);
	tcase_add_test(tc, status_texts);
	tcase_add_test(tc, startup_checks);
	tcase_add_test(tc, cert_identities);
	tcase_add_test(tc, mint_tool);
	tcase_add_test(tc, threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
