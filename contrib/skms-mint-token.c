/* SPDX-License-Identifier: ISC */
/*
 * skms-mint-token: FOR TESTS AND DEMOS ONLY. Mints a signed access token
 * (a JWS compact serialisation, RFC 7515) as a local stand-in for the SEAL
 * identity management server, so the quick start and the functional
 * tests can call skmsd. It must never be installed or used to issue real
 * credentials: whoever holds the demo issuer key can be anyone.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "common/hex.h"
#include "lib/version.h"

#define PROG		"skms-mint-token"
#define KEY_MAX		(64 * 1024)
#define CLAIMS_MAX	32

enum { EXIT_USAGE = 2 };

struct mint {
	const char *key_file;
	const char *iss, *aud, *sub, *scope, *jti, *alg;
	const char *subs_file;		/* --subs: one sub per line */
	const char *claims[CLAIMS_MAX];	/* "NAME=VALUE" */
	int nclaims;
	long long now, ttl, exp_off, nbf_off, iat_off;
	int has_exp_off, has_nbf, no_exp;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " --key PRIVATE.pem --iss ISSUER --aud AUDIENCE\n"
	    "           (--sub URI | --subs FILE)\n"
	    "           [--claim NAME=VALUE ...] [--scope TEXT] [--ttl SECONDS]\n"
	    "           [--exp-offset SECONDS | --no-exp] [--nbf-offset SECONDS]\n"
	    "           [--iat-offset SECONDS] [--jti ID] [--alg ES256|ES384|RS256]\n"
	    "           [--now UNIX-SECONDS]\n"
	    "       " PROG " --help | --version\n"
	    "\n"
	    "FOR TESTS AND DEMOS ONLY: signs an access token with a local demo issuer\n"
	    "key and prints it on stdout. Real callers get their tokens from the SEAL\n"
	    "identity management server; never trust a key this tool has used.\n"
	    "\n"
	    "  --key FILE          PEM private key of the demo issuer (P-256, P-384, RSA)\n"
	    "  --iss, --aud, --sub the iss, aud and sub claims\n"
	    "  --subs FILE         one token per line of FILE (\"-\": stdin), each with\n"
	    "                      that line as its sub, in order\n"
	    "  --claim NAME=VALUE  an extra string claim (repeatable), e.g. an identity\n"
	    "                      claim other than sub\n"
	    "  --scope TEXT        the scope claim (default 3gpp:seal:km; \"\" omits it)\n"
	    "  --ttl SECONDS       exp = now + SECONDS (default 300)\n"
	    "  --exp-offset SECS   exp = now + SECS, may be negative (an expired token)\n"
	    "  --no-exp            no exp claim at all\n"
	    "  --nbf-offset SECS   add nbf = now + SECS\n"
	    "  --iat-offset SECS   iat = now + SECS (default 0)\n"
	    "  --jti ID            the jti claim (default: 128 random bits in hex)\n"
	    "  --alg ALG           the JWS alg (default: from the key type)\n"
	    "  --now SECONDS       the time to count from (default: the clock)\n");
}

static int
usage_error(const char *what, const char *why)
{
	fprintf(stderr, PROG ": %s: %s\n", what, why);
	usage(stderr);
	return EXIT_USAGE;
}

static int
parse_ll(const char *text, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno == 0 && end != text && *end == '\0' ? 0 : -1;
}

/* The key file, and the alg its type calls for (RFC 7518 3.1). */
static int
read_key(const char *path, char **pem, size_t *len, const char **alg)
{
	char group[64];
	size_t glen;
	EVP_PKEY *pkey = NULL;
	FILE *fp;
	BIO *bio = NULL;
	int rc = -1;

	*alg = NULL;
	*pem = NULL;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	*pem = malloc(KEY_MAX + 1);
	if (*pem == NULL)
		goto out;
	*len = fread(*pem, 1, KEY_MAX + 1, fp);
	if (*len == 0 || *len > KEY_MAX) {
		fprintf(stderr, PROG ": %s: empty or larger than 64 KiB\n", path);
		goto out;
	}
	(*pem)[*len] = '\0';
	bio = BIO_new_mem_buf(*pem, (int)*len);
	if (bio != NULL)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (pkey == NULL) {
		fprintf(stderr, PROG ": %s: not a PEM private key\n", path);
		goto out;
	}
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA)
		*alg = "RS256";
	else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen)) {
		if (strcmp(group, "prime256v1") == 0)
			*alg = "ES256";
		else if (strcmp(group, "secp384r1") == 0)
			*alg = "ES384";
	}
	if (*alg == NULL) {
		fprintf(stderr, PROG ": %s: not a P-256, P-384 or RSA key\n", path);
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	fclose(fp);
	if (rc != 0 && *pem != NULL) {
		OPENSSL_cleanse(*pem, KEY_MAX + 1);
		free(*pem);
		*pem = NULL;
	}
	return rc;
}

static int
add_claims(jwt_t *jwt, const struct mint *m)
{
	char jti[33], *name;
	unsigned char rnd[16];
	const char *eq;
	int i, rc = 0;

	rc |= jwt_add_grant(jwt, "iss", m->iss);
	rc |= jwt_add_grant(jwt, "aud", m->aud);
	rc |= jwt_add_grant(jwt, "sub", m->sub);
	if (m->scope[0] != '\0')
		rc |= jwt_add_grant(jwt, "scope", m->scope);
	if (!m->no_exp)
		rc |= jwt_add_grant_int(jwt, "exp",
		    (long)(m->now + (m->has_exp_off ? m->exp_off : m->ttl)));
	if (m->has_nbf)
		rc |= jwt_add_grant_int(jwt, "nbf", (long)(m->now + m->nbf_off));
	rc |= jwt_add_grant_int(jwt, "iat", (long)(m->now + m->iat_off));
	if (m->jti == NULL) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
		    hex_encode(rnd, sizeof(rnd), jti, sizeof(jti), 0) != 0) {
			fprintf(stderr, PROG ": no random jti\n");
			return -1;
		}
		rc |= jwt_add_grant(jwt, "jti", jti);
	} else
		rc |= jwt_add_grant(jwt, "jti", m->jti);
	if (rc != 0) {
		fprintf(stderr, PROG ": cannot set the claims\n");
		return -1;
	}
	for (i = 0; i < m->nclaims; i++) {
		eq = strchr(m->claims[i], '=');
		name = strndup(m->claims[i], (size_t)(eq - m->claims[i]));
		if (name == NULL) {
			fprintf(stderr, PROG ": out of memory\n");
			return -1;
		}
		rc = jwt_add_grant(jwt, name, eq + 1);
		if (rc != 0)
			fprintf(stderr, PROG ": --claim %s: %s\n", name,
			    rc == EEXIST ? "claim already set" : strerror(rc));
		free(name);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* One signed token for sub on stdout. */
static int
mint_one(const struct mint *m, const char *sub, const char *pem, size_t len,
    const char *key_alg)
{
	struct mint one = *m;
	jwt_t *jwt = NULL;
	char *tok = NULL;
	int rc = -1;

	one.sub = sub;
	if (jwt_new(&jwt) != 0) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	if (add_claims(jwt, &one) != 0)
		goto out;
	if (jwt_set_alg(jwt, jwt_str_alg(key_alg), (const unsigned char *)pem, (int)len) != 0) {
		fprintf(stderr, PROG ": %s: the JWT library refused the key\n", m->key_file);
		goto out;
	}
	tok = jwt_encode_str(jwt);
	if (tok == NULL) {
		fprintf(stderr, PROG ": signing failed\n");
		goto out;
	}
	if (printf("%s\n", tok) < 0) {
		fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(tok);
	jwt_free(jwt);
	return rc;
}

/*
 * --subs FILE: one token per line of FILE (an identity URI per line,
 * blank lines skipped), in order, so a load generator can mint thousands
 * of tokens with one key read instead of one process each.
 */
static int
mint_batch(const struct mint *m, const char *pem, size_t len, const char *key_alg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int rc = 0;

	if (strcmp(m->subs_file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(m->subs_file, "r")) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", m->subs_file, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, fp)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0)
			rc = mint_one(m, line, pem, len, key_alg);
	}
	if (rc == 0 && ferror(fp)) {
		fprintf(stderr, PROG ": %s: read error\n", m->subs_file);
		rc = -1;
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

static int
mint_token(const struct mint *m)
{
	char *pem = NULL;
	const char *key_alg;
	size_t len = 0;
	int rc = 1;

	if (read_key(m->key_file, &pem, &len, &key_alg) != 0)
		return 1;
	if (m->alg != NULL && strcmp(m->alg, key_alg) != 0) {
		fprintf(stderr, PROG ": --alg %s: the key calls for %s\n", m->alg, key_alg);
		goto out;
	}
	if ((m->subs_file != NULL ? mint_batch(m, pem, len, key_alg) :
	    mint_one(m, m->sub, pem, len, key_alg)) != 0)
		goto out;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(pem, KEY_MAX + 1);
	free(pem);
	return rc;
}

int
main(int argc, char **argv)
{
	enum { O_KEY = 256, O_ISS, O_AUD, O_SUB, O_CLAIM, O_SCOPE, O_TTL, O_NBF, O_IAT,
		O_EXP, O_NOEXP, O_JTI, O_SUBS, O_ALG, O_NOW, O_HELP, O_VERSION };
	static const struct option opts[] = {
		{ "key", required_argument, NULL, O_KEY },
		{ "iss", required_argument, NULL, O_ISS },
		{ "aud", required_argument, NULL, O_AUD },
		{ "sub", required_argument, NULL, O_SUB },
		{ "subs", required_argument, NULL, O_SUBS },
		{ "claim", required_argument, NULL, O_CLAIM },
		{ "scope", required_argument, NULL, O_SCOPE },
		{ "ttl", required_argument, NULL, O_TTL },
		{ "nbf-offset", required_argument, NULL, O_NBF },
		{ "iat-offset", required_argument, NULL, O_IAT },
		{ "exp-offset", required_argument, NULL, O_EXP },
		{ "no-exp", no_argument, NULL, O_NOEXP },
		{ "jti", required_argument, NULL, O_JTI },
		{ "alg", required_argument, NULL, O_ALG },
		{ "now", required_argument, NULL, O_NOW },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct mint m = { .scope = "3gpp:seal:km", .ttl = 300, .now = (long long)time(NULL) };
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_KEY: m.key_file = optarg; break;
		case O_ISS: m.iss = optarg; break;
		case O_AUD: m.aud = optarg; break;
		case O_SUB: m.sub = optarg; break;
		case O_SUBS: m.subs_file = optarg; break;
		case O_SCOPE: m.scope = optarg; break;
		case O_JTI: m.jti = optarg; break;
		case O_NOEXP: m.no_exp = 1; break;
		case O_CLAIM:
			if (strchr(optarg, '=') == NULL || optarg[0] == '=')
				return usage_error("--claim", "expected NAME=VALUE");
			if (m.nclaims == CLAIMS_MAX)
				return usage_error("--claim", "too many claims");
			m.claims[m.nclaims++] = optarg;
			break;
		case O_TTL:
			if (parse_ll(optarg, &m.ttl) != 0 || m.ttl <= 0)
				return usage_error("--ttl", "expected a positive number of seconds");
			break;
		case O_NBF:
			if (parse_ll(optarg, &m.nbf_off) != 0)
				return usage_error("--nbf-offset", "expected seconds");
			m.has_nbf = 1;
			break;
		case O_IAT:
			if (parse_ll(optarg, &m.iat_off) != 0)
				return usage_error("--iat-offset", "expected seconds");
			break;
		case O_EXP:
			if (parse_ll(optarg, &m.exp_off) != 0)
				return usage_error("--exp-offset", "expected seconds");
			m.has_exp_off = 1;
			break;
		case O_NOW:
			if (parse_ll(optarg, &m.now) != 0)
				return usage_error("--now", "expected Unix seconds");
			break;
		case O_ALG:
			if (strcmp(optarg, "ES256") != 0 && strcmp(optarg, "ES384") != 0 &&
			    strcmp(optarg, "RS256") != 0)
				return usage_error("--alg", "expected ES256, ES384 or RS256");
			m.alg = optarg;
			break;
		case O_HELP:
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
		case O_VERSION:
			printf(PROG " %s (for tests and demos only)\n", skm_version());
			return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error(argv[optind], "unexpected argument");
	if (m.key_file == NULL || m.iss == NULL || m.aud == NULL ||
	    (m.sub == NULL) == (m.subs_file == NULL))
		return usage_error("missing option",
		    "--key, --iss, --aud and one of --sub or --subs are required");
	if (m.jti != NULL && m.subs_file != NULL)
		return usage_error("--jti", "conflicts with --subs (each token needs its own)");
	if (m.no_exp && m.has_exp_off)
		return usage_error("--no-exp", "conflicts with --exp-offset");
	return mint_token(&m);
}
