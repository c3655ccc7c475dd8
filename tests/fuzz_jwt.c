/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the whole bearer-token path ('make fuzz-jwt'): an
 * Authorization header value through auth_bearer() to an identity, with
 * three issuers configured from the test keys in tests/data/auth (as in
 * tests/test_auth.c), so that mutations of the seed tokens reach the
 * signature checks. An input that starts with "S" is instead a JOSE
 * header and a claims set, split at the first newline, which the harness
 * signs with the ES256 issuer's key: the fuzzer then reaches every claim
 * check behind a valid signature. Every input must give AUTH_OK with an
 * acceptable identity, or a refusal with a printable reason and nothing
 * else left in the result; the same header must give the same answer
 * twice (the second time from the verified-token cache); no crash, leak
 * or undefined behaviour. Built by 'make fuzz-jwt' only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "conf/conf.h"
#include "lib/uri.h"
#include "server/auth.h"

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR: the tests/data directory"
#endif

#define NOW	1700000000LL	/* the seed tokens were minted for this time */
#define HDR_MAX	(12 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct auth *auth;
static EVP_PKEY *signer;

static const char *const issuers[] = {
	"https://idms.example.org", "https://rsa.example.org", "https://p384.example.org",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct conf_error err;
	struct conf *cf = NULL;
	char text[2048], why[512];
	FILE *fp;
	int n;

	n = snprintf(text, sizeof(text),
	    "tokens:\n"
	    "  leeway: 30s\n"
	    "  required-scope: 3gpp:seal:km\n"
	    "  issuers:\n"
	    "    - issuer: %s\n"
	    "      audience: https://kms.example.org\n"
	    "      key-file: " FUZZ_DATA_DIR "/auth/es256-pub.pem\n"
	    "      algorithms: [ES256]\n"
	    "    - issuer: %s\n"
	    "      audience: kms.example.org\n"
	    "      key-file: " FUZZ_DATA_DIR "/auth/rsa-cert.pem\n"
	    "      identity-claim: val_user_id\n"
	    "    - issuer: %s\n"
	    "      audience: https://kms.example.org\n"
	    "      key-file: " FUZZ_DATA_DIR "/auth/es384-pub.pem\n"
	    "      algorithms: [ES256, ES384, RS256]\n",
	    issuers[0], issuers[1], issuers[2]);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    conf_load_buffer("fuzz", text, (size_t)n, &cf, &err) != 0 ||
	    auth_new(cf, &auth, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_jwt: cannot configure the issuers\n");
		abort();
	}
	conf_free(cf);
	if ((fp = fopen(FUZZ_DATA_DIR "/auth/es256-key.pem", "r")) == NULL ||
	    (signer = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "fuzz_jwt: cannot read the ES256 issuer key\n");
		abort();
	}
	fclose(fp);
	return 0;
}

/* RFC 4648 5 without padding, NUL-terminated, at out; the length. */
static size_t
b64url(const uint8_t *in, size_t len, char *out)
{
	size_t i;
	int n;

	n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < (size_t)n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return (size_t)n;
}

/* "Bearer " and an ES256 JWS of header and payload as given, into out. */
static int
sign(const uint8_t *hdr, size_t hlen, const uint8_t *pay, size_t plen, char *out,
    size_t cap)
{
	unsigned char der[128], rs[64];
	const unsigned char *p = der;
	size_t n = 7, dlen = sizeof(der);
	EVP_MD_CTX *ctx;
	ECDSA_SIG *sig = NULL;
	int ok = 0;

	if (7 + (hlen + plen + 6) / 3 * 4 + 100 > cap)
		return 0;
	memcpy(out, "Bearer ", 7);
	n += b64url(hdr, hlen, out + n);
	out[n++] = '.';
	n += b64url(pay, plen, out + n);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		abort();
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, signer) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, (unsigned char *)out + 7, n - 7) != 1 ||
	    (sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 32) != 32 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 32, 32) != 32)
		abort();
	out[n++] = '.';
	b64url(rs, sizeof(rs), out + n);
	ok = 1;
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void
check_result(enum auth_status st, const struct auth_result *res, const char *why)
{
	static const struct auth_result zero;
	const char *bad;
	size_t i, n;

	if (st == AUTH_OK) {
		n = strnlen(res->identity, sizeof(res->identity));
		if (n == 0 || n == sizeof(res->identity) ||
		    uri_check(res->identity, n, &bad) != 0)
			abort();
		for (i = 0; i < sizeof(issuers) / sizeof(issuers[0]); i++)
			if (strcmp(res->issuer, issuers[i]) == 0)
				break;
		if (i == sizeof(issuers) / sizeof(issuers[0]) || res->expires <= NOW - 30 ||
		    why[0] != '\0')
			abort();
		return;
	}
	/* A refusal leaves nothing behind but its reason, fit for a log line. */
	if (strcmp(auth_status_text(st), "unknown token status") == 0 ||
	    memcmp(res, &zero, sizeof(zero)) != 0 || why[0] == '\0')
		abort();
	for (; *why != '\0'; why++)
		if ((unsigned char)*why < 0x20 || (unsigned char)*why >= 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char header[HDR_MAX];
	struct auth_result res, again;
	char why[AUTH_WHY_MAX], why2[AUTH_WHY_MAX];
	enum auth_status st;
	const uint8_t *nl;

	if (size > 0 && data[0] == 'S') {
		nl = memchr(data + 1, '\n', size - 1);
		if (nl == NULL || !sign(data + 1, (size_t)(nl - data - 1), nl + 1,
		    size - (size_t)(nl + 1 - data), header, sizeof(header)))
			return 0;
	} else {
		if (size >= sizeof(header))
			return 0;
		memcpy(header, data, size);
		header[size] = '\0';
	}
	st = auth_bearer(auth, header, NOW, &res, why, sizeof(why));
	check_result(st, &res, why);
	/* The cache must not change the answer. */
	if (auth_bearer(auth, header, NOW, &again, why2, sizeof(why2)) != st ||
	    memcmp(&res, &again, sizeof(res)) != 0 || strcmp(why, why2) != 0)
		abort();
	return 0;
}
