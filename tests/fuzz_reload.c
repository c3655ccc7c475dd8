/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the configuration reload ('make fuzz-reload'): a
 * running generation is built from tests/data/reload/base.yaml, then the
 * input is reloaded through gen_reload(), the validate-then-swap function
 * SIGHUP calls. A refused input must leave the running generation exactly
 * as it was (the same objects, a config equal to the base, its verifier
 * still accepting a token) and say why; an accepted one must become the
 * running generation with the old one kept as the previous. Either way no
 * crash, leak or undefined behaviour. "@DIR@" in an input stands for a
 * directory the harness fills with the test TLS certificate and key (mode
 * 0600) and the issuer keys, so inputs can name files that load. Built by
 * 'make fuzz-reload' only.
 */
#define _GNU_SOURCE	/* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jwt.h>

#include "conf/conf.h"
#include "server/auth.h"
#include "server/gen.h"
#include "server/tls.h"

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR: the tests/data directory"
#endif

#define NOW		1700000000LL
#define TEXT_MAX	(256 * 1024)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/fuzz-reload.XXXXXX";
static char base_path[64], in_path[64];
static struct tls_tickets *tickets;
static struct gen cur, prev;
static struct conf *base;		/* the base config, loaded apart */
static char *header;			/* a token the base generation accepts */

/* The fixture files: name in dir, source under FUZZ_DATA_DIR, mode. */
static const struct {
	const char *name, *src;
	mode_t mode;
} files[] = {
	{ "tls.pem", "auth/rsa-cert.pem", 0644 },
	{ "tls.key", "auth/rsa-key.pem", 0600 },
	{ "other.key", "auth/es256-key.pem", 0600 },
	{ "ca.pem", "auth/alice-cert.pem", 0644 },
	{ "es256-pub.pem", "auth/es256-pub.pem", 0644 },
	{ "es384-pub.pem", "auth/es384-pub.pem", 0644 },
	{ "rsa-pub.pem", "auth/rsa-pub.pem", 0644 },
	{ "rsa-cert.pem", "auth/rsa-cert.pem", 0644 },
	{ "open.key", "auth/rsa-key.pem", 0644 },
};

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(TEXT_MAX + 1);

	if (fp == NULL || buf == NULL)
		abort();
	*len = fread(buf, 1, TEXT_MAX, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* text (len octets) with each "@DIR@" replaced by dir, written to path. */
static void
put(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "wb");
	const char *p = text, *end = text + len, *at;

	if (fp == NULL)
		abort();
	while ((at = memmem(p, (size_t)(end - p), "@DIR@", 5)) != NULL) {
		fwrite(p, 1, (size_t)(at - p), fp);
		fputs(dir, fp);
		p = at + 5;
	}
	fwrite(p, 1, (size_t)(end - p), fp);
	if (fclose(fp) != 0)
		abort();
}

/* "Bearer " and an ES256 token of the base config's issuer, valid at NOW. */
static char *
mint(void)
{
	char path[512], *key, *tok, *out;
	size_t klen;
	jwt_t *jwt;

	snprintf(path, sizeof(path), "%s/auth/es256-key.pem", FUZZ_DATA_DIR);
	key = slurp(path, &klen);
	if (jwt_new(&jwt) != 0 ||
	    jwt_add_grants_json(jwt, "{\"iss\":\"https://idms.example.org\","
	    "\"aud\":\"https://kms.example.org\",\"sub\":\"sip:alice@example.org\","
	    "\"exp\":1700000300,\"scope\":\"3gpp:seal:km\"}") != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_ES256, (unsigned char *)key, (int)klen) != 0 ||
	    (tok = jwt_encode_str(jwt)) == NULL ||
	    (out = malloc(strlen(tok) + 8)) == NULL)
		abort();
	sprintf(out, "Bearer %s", tok);
	jwt_free(jwt);
	free(tok);
	free(key);
	return out;
}

static void
assert_base_running(void)
{
	struct auth_result res;

	if (cur.cf == NULL || cur.auth == NULL || cur.tls == NULL ||
	    !conf_equal(cur.cf, base) ||
	    auth_bearer(cur.auth, header, NOW, &res, NULL, 0) != AUTH_OK)
		abort();
}

/* At exit: the fixture directory goes, with everything in it. */
static void
cleanup(void)
{
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		unlink(path);
	}
	unlink(base_path);
	unlink(in_path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct conf_error err;
	char path[512], why[600], *text;
	size_t i, len;

	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", FUZZ_DATA_DIR, files[i].src);
		text = slurp(path, &len);
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		put(path, text, len);
		if (chmod(path, files[i].mode) != 0)
			abort();
		free(text);
	}
	snprintf(base_path, sizeof(base_path), "%s/base.yaml", dir);
	snprintf(in_path, sizeof(in_path), "%s/input.yaml", dir);
	snprintf(path, sizeof(path), "%s/reload/base.yaml", FUZZ_DATA_DIR);
	text = slurp(path, &len);
	put(base_path, text, len);
	free(text);
	header = mint();
	if (tls_tickets_new(&tickets) != 0 || conf_load(base_path, &base, &err) != 0 ||
	    gen_build(base_path, tickets, &cur, why, sizeof(why)) != 0) {
		fprintf(stderr, "fuzz_reload: the base config does not load: %s\n", why);
		abort();
	}
	assert_base_running();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen old = cur;
	struct conf *again = NULL;
	char why[600];
	int rc;

	/* Only the fixture files: a device or a FIFO could block a read. */
	if (size > TEXT_MAX || memmem(data, size, "/dev", 4) != NULL ||
	    memmem(data, size, "/proc", 5) != NULL || memmem(data, size, "/sys", 4) != NULL)
		return 0;
	put(in_path, (const char *)data, size);
	memset(why, 0, sizeof(why));
	rc = gen_reload(&cur, &prev, in_path, tickets, NULL, why, sizeof(why));
	/* FUZZ_RELOAD_VERBOSE=1: what each input did, to check the seeds. */
	if (getenv("FUZZ_RELOAD_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_reload: %s\n", rc == 0 ? "reloaded" : why);
	if (rc != 0) {
		if (memcmp(&cur, &old, sizeof(cur)) != 0 || why[0] == '\0' ||
		    memchr(why, '\0', sizeof(why)) == NULL)
			abort();
		assert_base_running();
		return 0;
	}
	if (memcmp(&prev, &old, sizeof(prev)) != 0 || cur.cf == NULL ||
	    cur.auth == NULL || cur.tls == NULL || cur.cf == old.cf)
		abort();
	/* What runs now is what the file says. */
	if (conf_load(in_path, &again, NULL) != 0 || !conf_equal(cur.cf, again))
		abort();
	conf_free(again);
	/* Back to the base for the next input, through the same path. */
	if (gen_reload(&cur, &prev, base_path, tickets, NULL, why, sizeof(why)) != 0)
		abort();
	assert_base_running();
	return 0;
}
