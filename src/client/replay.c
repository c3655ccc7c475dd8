/* SPDX-License-Identifier: ISC */
/*
 * Replay cache file: "HEX-DIGEST FORGET-AFTER" lines. A damaged file is an
 * error rather than an empty cache, so corruption cannot reopen the window
 * for a replay.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "client/gmkfile.h"
#include "client/replay.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/secfile.h"

#define REPLAY_FILE	"replay"
#define REPLAY_MAX	(8 << 20)
#define REPLAY_LINE	(2 * REPLAY_DIGEST_LEN + 1 + 20 + 1)

int
replay_digest(const uint8_t *msg, size_t len, uint8_t digest[REPLAY_DIGEST_LEN])
{
	return EVP_Digest(msg, len, digest, NULL, EVP_sha256(), NULL) == 1 ? 0 : SKM_ECRYPTO;
}

/* Calls fn for each entry; stops with its nonzero return. */
static int
each(const char *dir, int (*fn)(const uint8_t *, int64_t, void *), void *arg)
{
	char path[GMKFILE_PATH_MAX], *buf = NULL, *line, *end, *t;
	uint8_t d[REPLAY_DIGEST_LEN];
	size_t len = 0, n;
	long long when;
	int err;

	if ((err = gmkfile_path(path, dir, REPLAY_FILE)) != 0)
		return err;
	err = gmkfile_read(path, REPLAY_MAX, &buf, &len);
	if (err == SKM_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	for (line = buf; *line != '\0'; line = end + 1) {
		err = SKM_EPARSE;
		if ((end = strchr(line, '\n')) == NULL)
			break;
		*end = '\0';
		if (strlen(line) < 2 * REPLAY_DIGEST_LEN + 2 || line[2 * REPLAY_DIGEST_LEN] != ' ')
			break;
		if (hex_decode(line, 2 * REPLAY_DIGEST_LEN, d, sizeof(d), &n) != 0)
			break;
		when = strtoll(line + 2 * REPLAY_DIGEST_LEN + 1, &t, 10);
		if (*t != '\0')
			break;
		if ((err = fn(d, (int64_t)when, arg)) != 0)
			break;
	}
	if (*line == '\0')
		err = 0;
	OPENSSL_free(buf);
	return err;
}

static int
match(const uint8_t *d, int64_t when, void *arg)
{
	(void)when;
	return memcmp(d, arg, REPLAY_DIGEST_LEN) == 0 ? SKM_EEXIST : 0;
}

int
replay_check(const char *dir, const uint8_t digest[REPLAY_DIGEST_LEN])
{
	return each(dir, match, (void *)(uintptr_t)digest);
}

struct keep {
	char *buf;
	size_t len, cap;
	int64_t now;
};

static int
append(struct keep *k, const uint8_t *d, int64_t when)
{
	char hex[2 * REPLAY_DIGEST_LEN + 1], *grow;

	if (k->len + REPLAY_LINE + 1 > k->cap) {
		k->cap = k->cap * 2 + REPLAY_LINE + 1;
		if ((grow = realloc(k->buf, k->cap)) == NULL)
			return SKM_ENOMEM;
		k->buf = grow;
	}
	if (hex_encode(d, REPLAY_DIGEST_LEN, hex, sizeof(hex), 0) != 0)
		return SKM_EINVAL;
	k->len += (size_t)snprintf(k->buf + k->len, k->cap - k->len, "%s %" PRId64 "\n",
	    hex, when);
	return 0;
}

static int
keep_live(const uint8_t *d, int64_t when, void *arg)
{
	struct keep *k = arg;

	return when < k->now ? 0 : append(k, d, when);
}

int
replay_add(const char *dir, const uint8_t digest[REPLAY_DIGEST_LEN],
    int64_t forget_after, int64_t now)
{
	struct keep k = { NULL, 0, 0, now };
	char path[GMKFILE_PATH_MAX];
	int err;

	if ((err = gmkfile_path(path, dir, REPLAY_FILE)) != 0)
		return err;
	if ((err = each(dir, keep_live, &k)) != 0 ||
	    (err = append(&k, digest, forget_after)) != 0)
		goto out;
	err = secfile_write(path, (const uint8_t *)k.buf, k.len, 1);
out:
	free(k.buf);
	return err;
}
