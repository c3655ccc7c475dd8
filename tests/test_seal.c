/* SPDX-License-Identifier: ISC */
/*
 * Sealing, key-encryption keys and secret files: round trips, every octet
 * of a sealed value flipped, wrong keys and passphrases, refused file
 * modes and owners, and the sealed master secrets record in a real store.
 */
#define _GNU_SOURCE	/* memmem */
#include <check.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/err.h"
#include "common/secfile.h"
#include "store/kek.h"
#include "store/seal.h"
#include "store/secrets.h"
#include "store/store.h"
#include "store/tk.h"
#include "store_fixture.h"

/* Small scrypt parameters keep make check fast; production ones are larger. */
#define TEST_N	1024
#define TEST_R	8
#define TEST_P	1

static void
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(seal_round_trip)
{
	uint8_t key[SEAL_KEY_LEN], key2[SEAL_KEY_LEN], plain[192], out[256], back[256];
	const uint8_t aad[] = { 0x11, 0x01 };
	size_t n, m, i;

	RAND_bytes(key, sizeof(key));
	memcpy(key2, key, sizeof(key));
	key2[31] ^= 0x80;
	RAND_bytes(plain, sizeof(plain));
	ck_assert_int_eq(seal_encrypt(key, aad, 2, plain, sizeof(plain), out,
	    sizeof(out), &n), 0);
	ck_assert_uint_eq(n, sizeof(plain) + SEAL_OVERHEAD);
	ck_assert_int_eq(seal_decrypt(key, aad, 2, out, n, back, sizeof(back), &m), 0);
	ck_assert_uint_eq(m, sizeof(plain));
	ck_assert_mem_eq(back, plain, m);

	/* Each octet of nonce, ciphertext and tag, one bit at a time. */
	for (i = 0; i < n; i++) {
		out[i] ^= (uint8_t)(1u << (i % 8));
		memset(back, 0xaa, sizeof(back));
		ck_assert_int_eq(seal_decrypt(key, aad, 2, out, n, back, sizeof(back),
		    &m), SKM_EVERIFY);
		ck_assert_uint_eq(m, 0);
		/* No plaintext is left behind on failure. */
		ck_assert_int_eq(back[0] == plain[0] && back[1] == plain[1] &&
		    back[2] == plain[2] && back[3] == plain[3], 0);
		out[i] ^= (uint8_t)(1u << (i % 8));
	}
	ck_assert_int_eq(seal_decrypt(key2, aad, 2, out, n, back, sizeof(back), &m),
	    SKM_EVERIFY);
	ck_assert_int_eq(seal_decrypt(key, (const uint8_t *)"\x11\x02", 2, out, n,
	    back, sizeof(back), &m), SKM_EVERIFY);
	ck_assert_int_eq(seal_decrypt(key, aad, 1, out, n, back, sizeof(back), &m),
	    SKM_EVERIFY);
	ck_assert_int_eq(seal_decrypt(key, aad, 2, out, n - 1, back, sizeof(back), &m),
	    SKM_EVERIFY);
	ck_assert_int_eq(seal_decrypt(key, aad, 2, out, SEAL_OVERHEAD - 1, back,
	    sizeof(back), &m), SKM_EVERIFY);
	/* Two seals of one plaintext differ (fresh nonce). */
	ck_assert_int_eq(seal_encrypt(key, aad, 2, plain, sizeof(plain), back,
	    sizeof(back), &m), 0);
	ck_assert_int_ne(memcmp(back, out, SEAL_NONCE_LEN), 0);
	ck_assert_int_eq(seal_encrypt(key, aad, 2, plain, sizeof(plain), out,
	    sizeof(plain) + SEAL_OVERHEAD - 1, &n), SKM_ELEN);
	ck_assert_int_eq(seal_decrypt(key, aad, 2, back, m, out, sizeof(plain) - 1,
	    &n), SKM_ELEN);
}
END_TEST

START_TEST(secfile_checks)
{
	const char *p = fix_path("sf/secret");
	char why[SECFILE_WHY_MAX];
	uint8_t buf[64];
	struct stat sb;
	size_t n;
	mode_t old;
	int fd;

	ck_assert_int_eq(mkdir(fix_path("sf"), 0700), 0);
	old = umask(0);
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"hello", 5, 0), 0);
	umask(old);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"other", 5, 0), SKM_EEXIST);
	ck_assert_int_eq(secfile_read(p, buf, sizeof(buf), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"bye", 3, 1), 0);
	ck_assert_int_eq(secfile_read(p, buf, sizeof(buf), &n, NULL, 0), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(buf, "bye", 3);
	/* No temporary files are left beside it. */
	ck_assert_int_eq(fix_count_entries(fix_path("sf")), 1);
	/* Too long for the buffer. */
	ck_assert_int_eq(secfile_read(p, buf, 2, &n, why, sizeof(why)), SKM_ELEN);
	ck_assert_int_eq(secfile_read(p, buf, 3, &n, why, sizeof(why)), 0);
	/* One line of text: trailing white space dropped, a second line refused. */
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"tok.en \r\n", 9, 1), 0);
	ck_assert_int_eq(secfile_read_line(p, buf, sizeof(buf), &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 6);
	ck_assert_mem_eq(buf, "tok.en", 6);
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"a\nb\n", 4, 1), 0);
	ck_assert_int_eq(secfile_read_line(p, buf, sizeof(buf), &n, why, sizeof(why)),
	    SKM_EINVAL);
	ck_assert_str_eq(why, "not one line of text");
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)" \n", 2, 1), 0);
	ck_assert_int_eq(secfile_read_line(p, buf, sizeof(buf), &n, NULL, 0), SKM_EINVAL);
	ck_assert_int_eq(secfile_write(p, (const uint8_t *)"bye", 3, 1), 0);

	ck_assert_int_eq(chmod(p, 0640), 0);
	ck_assert_int_eq(secfile_open(p, &fd, why, sizeof(why)), SKM_EPERM);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(why, "0640"));
	ck_assert_int_eq(chmod(p, 0604), 0);
	ck_assert_int_eq(secfile_open(p, &fd, why, sizeof(why)), SKM_EPERM);
	ck_assert_int_eq(chmod(p, 0400), 0);
	ck_assert_int_eq(secfile_open(p, &fd, why, sizeof(why)), 0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(symlink(p, fix_path("sf/link")), 0);
	ck_assert_int_eq(secfile_open(fix_path("sf/link"), &fd, why, sizeof(why)), SKM_EPERM);
	ck_assert_int_eq(secfile_open(fix_path("none"), &fd, why, sizeof(why)),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(secfile_open(fix_path(""), &fd, why, sizeof(why)), SKM_EPERM);
}
END_TEST

START_TEST(kek_file_checks)
{
	const char *p = fix_path("kek.key");
	char why[SECFILE_WHY_MAX];
	struct kek_ref ref;
	struct kek *k = NULL;
	struct passwd *pw;
	struct stat sb;
	uint8_t junk[33] = { 0 };

	ck_assert_int_eq(kek_file_create(p), 0);
	ck_assert_int_eq(kek_file_create(p), SKM_EEXIST);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(sb.st_size, SEAL_KEY_LEN);
	ck_assert_int_eq(kek_file_ref(&ref, p), 0);
	ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_eq(k->ops->name, "file");
	kek_free(k);

	ck_assert_int_eq(chmod(p, 0644), 0);
	why[0] = '\0';
	ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), SKM_EPERM);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(strstr(why, "mode 0644"));
	ck_assert_int_eq(chmod(p, 0600), 0);

	/* The owner check, where we may hand a file to someone else. */
	if (geteuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		ck_assert_int_eq(chown(p, pw->pw_uid, pw->pw_gid), 0);
		ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), SKM_EPERM);
		ck_assert_ptr_nonnull(strstr(why, "owned by"));
		ck_assert_int_eq(chown(p, 0, 0), 0);
		ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), 0);
		kek_free(k);
		k = NULL;
	}

	/* Not a key: wrong length either way. */
	write_file(fix_path("short.key"), junk, 31, 0600);
	ck_assert_int_eq(kek_load(&ref, fix_path("short.key"), &k, why, sizeof(why)),
	    SKM_ELEN);
	write_file(fix_path("long.key"), junk, 33, 0600);
	ck_assert_int_eq(kek_load(&ref, fix_path("long.key"), &k, why, sizeof(why)),
	    SKM_ELEN);
	ck_assert_ptr_null(k);
	ref.kind = (enum kek_kind)7;
	ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), SKM_EINVAL);
}
END_TEST

static struct store *
open_env(const char *name)
{
	struct store *st = NULL;

	ck_assert_int_eq(store_open(fix_path(name), STORE_CREATE, &st), 0);
	return st;
}

static void
put_secrets(struct store *st, const struct kek *k, const uint8_t *plain, size_t len)
{
	struct store_txn t;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_put(&t, k, plain, len), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
}

static int
get_secrets(struct store *st, const struct kek *k, uint8_t *buf, size_t cap,
    size_t *len)
{
	struct store_txn t;
	int err;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	err = store_secrets_get(&t, k, buf, cap, len);
	/* Failures stick to the transaction; a miss does not. */
	ck_assert_int_eq(store_txn_commit(&t), err == SKM_ENOTFOUND ? 0 : err);
	return err;
}

START_TEST(secrets_sealed)
{
	static const uint8_t key[] = { STORE_C_SECRETS };
	struct store *st = open_env("secrets");
	struct kek_ref ra, rb;
	struct kek *ka = NULL, *kb = NULL;
	uint8_t plain[192], buf[STORE_SECRETS_MAX], *copy;
	const uint8_t *v;
	struct store_txn t;
	size_t n, vlen, i;

	ck_assert_int_eq(kek_file_create(fix_path("a.key")), 0);
	ck_assert_int_eq(kek_file_create(fix_path("b.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ra, fix_path("a.key")), 0);
	ck_assert_int_eq(kek_file_ref(&rb, fix_path("b.key")), 0);
	ck_assert_int_eq(kek_load(&ra, NULL, &ka, NULL, 0), 0);
	ck_assert_int_eq(kek_load(&rb, NULL, &kb, NULL, 0), 0);
	RAND_bytes(plain, sizeof(plain));

	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), SKM_ENOTFOUND);
	put_secrets(st, ka, plain, sizeof(plain));
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, sizeof(plain));
	ck_assert_mem_eq(buf, plain, n);
	/* The stored value holds no plaintext. */
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, key, 1, &v, &vlen), 0);
	ck_assert_uint_eq(vlen, 1 + sizeof(plain) + SEAL_OVERHEAD);
	ck_assert_ptr_null(memmem(v, vlen, plain, 16));
	copy = malloc(vlen);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v, vlen);
	store_txn_abort(&t);

	/* The wrong key. */
	ck_assert_int_eq(get_secrets(st, kb, buf, sizeof(buf), &n), SKM_EVERIFY);
	ck_assert_uint_eq(n, 0);

	/* A bit flipped in any octet (version, nonce, ciphertext, tag). */
	for (i = 0; i < vlen; i++) {
		copy[i] ^= 0x01;
		ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
		ck_assert_int_eq(store_txn_put(&t, key, 1, copy, vlen, 0), 0);
		ck_assert_int_eq(store_txn_commit(&t), 0);
		ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), SKM_EVERIFY);
		copy[i] ^= 0x01;
	}
	/* A truncated value. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, key, 1, copy, SEAL_OVERHEAD, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), SKM_EVERIFY);
	/* The intact value opens again. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, key, 1, copy, vlen, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), 0);
	ck_assert_mem_eq(buf, plain, n);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(plain) - 1, &n), SKM_ELEN);

	/* Rekey: open under a, seal under b, in one transaction. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_get(&t, ka, buf, sizeof(buf), &n), 0);
	ck_assert_int_eq(store_secrets_put(&t, kb, buf, n), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), SKM_EVERIFY);
	ck_assert_int_eq(get_secrets(st, kb, buf, sizeof(buf), &n), 0);
	ck_assert_mem_eq(buf, plain, n);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_put(&t, ka, plain, 0), SKM_ELEN);
	store_txn_abort(&t);
	free(copy);
	kek_free(ka);
	kek_free(kb);
	store_close(st);
}
END_TEST

/*
 * Every record of the secrets class moves to the new key at once: a second
 * record (as a later module may add) with the first, nothing on abort, and
 * nothing when the old key is not the store's.
 */
START_TEST(secrets_reseal)
{
	static const uint8_t key2[] = { STORE_C_SECRETS, 0x00, 0x01 };
	struct store *st = open_env("reseal");
	struct kek_ref ra, rb;
	struct kek *ka = NULL, *kb = NULL;
	uint8_t plain[96], plain2[40], aad[sizeof(key2) + 1], val[1 + 40 + SEAL_OVERHEAD];
	uint8_t buf[STORE_SECRETS_MAX];
	const uint8_t *v;
	struct store_txn t;
	size_t n, vlen;

	ck_assert_int_eq(kek_file_create(fix_path("ra.key")), 0);
	ck_assert_int_eq(kek_file_create(fix_path("rb.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ra, fix_path("ra.key")), 0);
	ck_assert_int_eq(kek_file_ref(&rb, fix_path("rb.key")), 0);
	ck_assert_int_eq(kek_load(&ra, NULL, &ka, NULL, 0), 0);
	ck_assert_int_eq(kek_load(&rb, NULL, &kb, NULL, 0), 0);
	RAND_bytes(plain, sizeof(plain));
	RAND_bytes(plain2, sizeof(plain2));
	put_secrets(st, ka, plain, sizeof(plain));
	/* A second sealed record of the class, in the documented form. */
	memcpy(aad, key2, sizeof(key2));
	aad[sizeof(key2)] = 1;
	val[0] = 1;
	ck_assert_int_eq(kek_seal(ka, aad, sizeof(aad), plain2, sizeof(plain2), val + 1,
	    sizeof(val) - 1, &n), 0);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, key2, sizeof(key2), val, sizeof(val), 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	/* Aborted: still under a. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_reseal(&t, ka, kb, &n), 0);
	ck_assert_uint_eq(n, 2);
	store_txn_abort(&t);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), 0);
	ck_assert_int_eq(get_secrets(st, kb, buf, sizeof(buf), &n), SKM_EVERIFY);

	/* From a key that is not the store's: refused, sticky. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_reseal(&t, kb, ka, &n), SKM_EVERIFY);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EVERIFY);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), 0);

	/* Committed: both records under b, the same plaintexts, none under a. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_reseal(&t, ka, kb, &n), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(get_secrets(st, ka, buf, sizeof(buf), &n), SKM_EVERIFY);
	ck_assert_int_eq(get_secrets(st, kb, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, sizeof(plain));
	ck_assert_mem_eq(buf, plain, n);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, key2, sizeof(key2), &v, &vlen), 0);
	ck_assert_uint_eq(vlen, sizeof(val));
	ck_assert_int_eq(kek_unseal(ka, aad, sizeof(aad), v + 1, vlen - 1, buf, sizeof(buf),
	    &n), SKM_EVERIFY);
	ck_assert_int_eq(kek_unseal(kb, aad, sizeof(aad), v + 1, vlen - 1, buf, sizeof(buf),
	    &n), 0);
	ck_assert_uint_eq(n, sizeof(plain2));
	ck_assert_mem_eq(buf, plain2, n);
	store_txn_abort(&t);
	kek_free(ka);
	kek_free(kb);
	store_close(st);
}
END_TEST

START_TEST(passphrase)
{
	struct store *st = open_env("passphrase");
	char why[SECFILE_WHY_MAX];
	struct kek_ref ref, ref2;
	struct kek *k = NULL;
	uint8_t plain[96], buf[STORE_SECRETS_MAX];
	size_t n;

	write_file(fix_path("pass"), "correct horse\n", 14, 0600);
	write_file(fix_path("pass-crlf"), "correct horse\r\n", 15, 0600);
	write_file(fix_path("pass-bare"), "correct horse", 13, 0600);
	write_file(fix_path("wrong"), "correct horsf\n", 14, 0600);
	write_file(fix_path("empty"), "\n", 1, 0600);
	write_file(fix_path("open"), "correct horse\n", 14, 0644);

	ck_assert_int_eq(kek_passphrase_ref(&ref, fix_path("pass"), 1000, 8, 1), SKM_EINVAL);
	ck_assert_int_eq(kek_passphrase_ref(&ref, fix_path("pass"), 1024, 0, 1), SKM_EINVAL);
	ck_assert_int_eq(kek_passphrase_ref(&ref, fix_path("pass"), TEST_N, TEST_R,
	    TEST_P), 0);
	ck_assert_int_eq(ref.kind, KEK_PASSPHRASE);
	/* A fresh salt each time. */
	ck_assert_int_eq(kek_passphrase_ref(&ref2, fix_path("pass"), TEST_N, TEST_R,
	    TEST_P), 0);
	ck_assert_int_ne(memcmp(ref.salt, ref2.salt, KEK_SALT_LEN), 0);

	RAND_bytes(plain, sizeof(plain));
	ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), 0);
	ck_assert_str_eq(k->ops->name, "passphrase");
	put_secrets(st, k, plain, sizeof(plain));
	kek_free(k);

	/* A wrong passphrase loads, but the unseal fails and nothing changes. */
	ck_assert_int_eq(kek_load(&ref, fix_path("wrong"), &k, why, sizeof(why)), 0);
	ck_assert_int_eq(get_secrets(st, k, buf, sizeof(buf), &n), SKM_EVERIFY);
	kek_free(k);
	/* So does the right one with another salt. */
	ck_assert_int_eq(kek_load(&ref2, NULL, &k, why, sizeof(why)), 0);
	ck_assert_int_eq(get_secrets(st, k, buf, sizeof(buf), &n), SKM_EVERIFY);
	kek_free(k);

	/* One trailing newline (or CR LF) is not part of the passphrase. */
	ck_assert_int_eq(kek_load(&ref, fix_path("pass-bare"), &k, why, sizeof(why)), 0);
	ck_assert_int_eq(get_secrets(st, k, buf, sizeof(buf), &n), 0);
	ck_assert_uint_eq(n, sizeof(plain));
	ck_assert_mem_eq(buf, plain, n);
	kek_free(k);
	ck_assert_int_eq(kek_load(&ref, fix_path("pass-crlf"), &k, why, sizeof(why)), 0);
	ck_assert_int_eq(get_secrets(st, k, buf, sizeof(buf), &n), 0);
	kek_free(k);
	ck_assert_int_eq(kek_load(&ref, NULL, &k, why, sizeof(why)), 0);
	ck_assert_int_eq(get_secrets(st, k, buf, sizeof(buf), &n), 0);
	ck_assert_mem_eq(buf, plain, n);
	kek_free(k);
	k = NULL;

	ck_assert_int_eq(kek_load(&ref, fix_path("empty"), &k, why, sizeof(why)),
	    SKM_EINVAL);
	ck_assert_int_eq(kek_load(&ref, fix_path("open"), &k, why, sizeof(why)),
	    SKM_EPERM);
	ck_assert_ptr_nonnull(strstr(why, "0644"));
	ck_assert_ptr_null(k);
	store_close(st);
}
END_TEST

/* TrK/InK records: sealed, bound to their identity, re-sealed with the master secrets. */
START_TEST(tk_sealed)
{
	static const char *a = "sip:alice@example.org", *b = "sip:bob@example.org";
	struct store *st = open_env("tk");
	struct kek_ref ra, rb;
	struct kek *ka = NULL, *kb = NULL;
	struct store_tk tk, got;
	struct store_txn t;
	const uint8_t *v;
	uint8_t key[1 + 64], *copy;
	size_t vlen, n = 0;

	ck_assert_int_eq(kek_file_create(fix_path("ta.key")), 0);
	ck_assert_int_eq(kek_file_create(fix_path("tb.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ra, fix_path("ta.key")), 0);
	ck_assert_int_eq(kek_file_ref(&rb, fix_path("tb.key")), 0);
	ck_assert_int_eq(kek_load(&ra, NULL, &ka, NULL, 0), 0);
	ck_assert_int_eq(kek_load(&rb, NULL, &kb, NULL, 0), 0);
	memset(&tk, 0, sizeof(tk));
	tk.slot[STORE_TK_TRK].set = 1;
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.1");
	RAND_bytes(tk.slot[STORE_TK_TRK].key, STORE_TK_KEY_LEN);
	tk.slot[STORE_TK_INK_NEXT].set = 1;
	strcpy(tk.slot[STORE_TK_INK_NEXT].id, "ik.2");
	RAND_bytes(tk.slot[STORE_TK_INK_NEXT].key, STORE_TK_KEY_LEN);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), NULL, &got),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), NULL, &tk), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), NULL, &got), 0);
	ck_assert_mem_eq(&got, &tk, sizeof(tk));
	ck_assert_int_eq(store_tk_get(&t, kb, (const uint8_t *)a, strlen(a), NULL, &got),
	    SKM_EVERIFY);
	ck_assert(!got.slot[STORE_TK_TRK].set);
	/* Neither key nor ID in clear. */
	key[0] = STORE_C_TK;
	memcpy(key + 1, a, strlen(a));
	ck_assert_int_eq(store_txn_get(&t, key, 1 + strlen(a), &v, &vlen), 0);
	ck_assert_ptr_null(memmem(v, vlen, tk.slot[STORE_TK_TRK].key, 8));
	ck_assert_ptr_null(memmem(v, vlen, "tk.1", 4));
	copy = malloc(vlen);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v, vlen);
	store_txn_abort(&t);
	/* Moved to another identity's record, it does not open. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	memcpy(key + 1, b, strlen(b));
	ck_assert_int_eq(store_txn_put(&t, key, 1 + strlen(b), copy, vlen, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)b, strlen(b), NULL, &got),
	    SKM_EVERIFY);
	store_txn_abort(&t);
	/* ... and a re-seal refuses the store as a whole until it is gone. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_reseal(&t, ka, kb, &n), SKM_EVERIFY);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_del(&t, key, 1 + strlen(b)), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	/* A key-encryption key rotation re-seals it with the master secrets. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_secrets_reseal(&t, ka, kb, &n), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, kb, (const uint8_t *)a, strlen(a), NULL, &got), 0);
	ck_assert_mem_eq(&got, &tk, sizeof(tk));
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), NULL, &got),
	    SKM_EVERIFY);
	store_txn_abort(&t);
	/* No slot left: the record goes. */
	memset(&tk, 0, sizeof(tk));
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_tk_put(&t, kb, (const uint8_t *)a, strlen(a), NULL, &tk), 0);
	ck_assert_int_eq(store_tk_get(&t, kb, (const uint8_t *)a, strlen(a), NULL, &got),
	    SKM_ENOTFOUND);
	/* A bad ID is refused. */
	tk.slot[STORE_TK_TRK].set = 1;
	strcpy(tk.slot[STORE_TK_TRK].id, "a b");
	ck_assert_int_eq(store_tk_put(&t, kb, (const uint8_t *)a, strlen(a), NULL, &tk),
	    SKM_EINVAL);
	store_txn_abort(&t);
	free(copy);
	kek_free(ka);
	kek_free(kb);
	store_close(st);
}
END_TEST

struct tk_seen {
	char names[8][96];
	size_t n;
};

static int
tk_seen_one(const struct store_tk_rec *r, void *arg)
{
	struct tk_seen *s = arg;

	ck_assert_uint_lt(s->n, 8);
	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s|%s", r->uri, r->device);
	return 0;
}

/* Device records: one each, bound to it, found with the identity's, not a longer URI's. */
START_TEST(tk_devices)
{
	static const char *a = "sip:alice@example.org", *a2 = "sip:alice@example.org.uk";
	struct store *st = open_env("tkdev");
	struct kek_ref ra;
	struct kek *ka = NULL;
	struct store_tk tk, got;
	struct store_txn t;
	struct tk_seen seen;
	const uint8_t *v;
	uint8_t key[STORE_KEY_MAX], *copy;
	size_t vlen, klen;
	char longdev[STORE_TK_DEVICE_MAX + 2];

	ck_assert_int_eq(kek_file_create(fix_path("td.key")), 0);
	ck_assert_int_eq(kek_file_ref(&ra, fix_path("td.key")), 0);
	ck_assert_int_eq(kek_load(&ra, NULL, &ka, NULL, 0), 0);
	memset(&tk, 0, sizeof(tk));
	tk.slot[STORE_TK_TRK].set = 1;
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.phone");
	RAND_bytes(tk.slot[STORE_TK_TRK].key, STORE_TK_KEY_LEN);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "phone", &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.own");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), NULL, &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.radio");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "radio", &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.other");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a2, strlen(a2), "phone", &tk), 0);
	memset(longdev, 'x', sizeof(longdev) - 1);
	longdev[sizeof(longdev) - 1] = '\0';
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), longdev, &tk),
	    SKM_ELEN);
	store_txn_abort(&t);
	/* The refused put spoilt that transaction: again without it. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.phone");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "phone", &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.own");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "", &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.radio");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "radio", &tk), 0);
	strcpy(tk.slot[STORE_TK_TRK].id, "tk.other");
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a2, strlen(a2), "phone", &tk), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), "phone", &got), 0);
	ck_assert_str_eq(got.slot[STORE_TK_TRK].id, "tk.phone");
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), NULL, &got), 0);
	ck_assert_str_eq(got.slot[STORE_TK_TRK].id, "tk.own");
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), "tablet", &got),
	    SKM_ENOTFOUND);
	/* The identity's records, its own first; not those of a URI it prefixes. */
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(store_tk_each(&t, (const uint8_t *)a, strlen(a), tk_seen_one, &seen),
	    0);
	ck_assert_uint_eq(seen.n, 3);
	ck_assert_str_eq(seen.names[0], "sip:alice@example.org|");
	ck_assert_str_eq(seen.names[1], "sip:alice@example.org|phone");
	ck_assert_str_eq(seen.names[2], "sip:alice@example.org|radio");
	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(store_tk_each(&t, NULL, 0, tk_seen_one, &seen), 0);
	ck_assert_uint_eq(seen.n, 4);
	ck_assert_str_eq(seen.names[3], "sip:alice@example.org.uk|phone");
	/* A device's sealed record moved to another device does not open. */
	klen = store_tk_key(key, (const uint8_t *)a, strlen(a), "phone");
	ck_assert_uint_gt(klen, 0);
	ck_assert_int_eq(store_txn_get(&t, key, klen, &v, &vlen), 0);
	copy = malloc(vlen);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v, vlen);
	klen = store_tk_key(key, (const uint8_t *)a, strlen(a), "radio");
	ck_assert_int_eq(store_tk_open(ka, key, klen, copy, vlen, &got), SKM_EVERIFY);
	klen = store_tk_key(key, (const uint8_t *)a, strlen(a), NULL);
	ck_assert_int_eq(store_tk_open(ka, key, klen, copy, vlen, &got), SKM_EVERIFY);
	store_txn_abort(&t);
	free(copy);
	/* Removing one device's record leaves the others. */
	memset(&tk, 0, sizeof(tk));
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_tk_put(&t, ka, (const uint8_t *)a, strlen(a), "phone", &tk), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), "phone", &got),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(store_tk_get(&t, ka, (const uint8_t *)a, strlen(a), "radio", &got), 0);
	ck_assert_int_eq(store_tk_has(&t, (const uint8_t *)a, strlen(a)), 0);
	ck_assert_int_eq(store_tk_has(&t, (const uint8_t *)"sip:alice@example", 17),
	    SKM_ENOTFOUND);
	store_txn_abort(&t);
	ck_assert(store_tk_device_ok("phone-1"));
	ck_assert(!store_tk_device_ok(""));
	ck_assert(!store_tk_device_ok("a b"));
	ck_assert(!store_tk_device_ok(longdev));
	kek_free(ka);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("seal");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, seal_round_trip);
	tcase_add_test(tc, secfile_checks);
	tcase_add_test(tc, kek_file_checks);
	tcase_add_test(tc, secrets_sealed);
	tcase_add_test(tc, secrets_reseal);
	tcase_add_test(tc, tk_sealed);
	tcase_add_test(tc, tk_devices);
	tcase_add_test(tc, passphrase);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
