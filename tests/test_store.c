/* SPDX-License-Identifier: ISC */
/*
 * src/store: environment, sticky-error transactions, key order, schema
 * migration, domain, certificates and CacheNum, audit, backup and restore,
 * and two processes writing at once. Real LMDB in temporary directories.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "store/audit.h"
#include "store/cert.h"
#include "store/domain.h"
#include "store/identity.h"
#include "store/rec.h"
#include "store/store.h"
#include "store_fixture.h"

static struct store *
open_new(const char *name)
{
	struct store *st = NULL;

	ck_assert_int_eq(store_open(fix_path(name), STORE_CREATE, &st), 0);
	ck_assert_ptr_nonnull(st);
	return st;
}

START_TEST(open_modes)
{
	struct store *st = NULL;
	struct store_txn t;
	struct stat sb;
	uint32_t v;
	mode_t old;

	ck_assert_int_eq(store_open(fix_path("missing"), 0, &st), SKM_ENOTFOUND);
	ck_assert_ptr_null(st);
	/* A permissive umask must not leak into the store's modes. */
	old = umask(0);
	st = open_new("open_modes");
	umask(old);
	ck_assert_int_eq(stat(fix_path("open_modes"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(fix_path("open_modes/data.mdb"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(fix_path("open_modes/lock.mdb"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_schema_get(&t, &v), 0);
	ck_assert_uint_eq(v, STORE_SCHEMA_VERSION);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(st);
	/* Reopening does not migrate again or fail. */
	ck_assert_int_eq(store_open(fix_path("open_modes"), 0, &st), 0);
	store_close(st);
}
END_TEST

/* Opens dir expecting err; with err, why must name file and mode. */
static void
open_expect(const char *dir, int err, const char *file, const char *mode)
{
	struct store *st = NULL;
	char why[512];

	ck_assert_int_eq(store_open_why(dir, 0, 0, &st, why, sizeof(why)), err);
	if (err != 0) {
		ck_assert_ptr_null(st);
		ck_assert_msg(strstr(why, file) != NULL && strstr(why, mode) != NULL,
		    "reason '%s' does not name %s and %s", why, file, mode);
	} else
		ck_assert_str_eq(why, "");
	store_close(st);
}

START_TEST(open_perms)
{
	const char *dir = fix_path("open_perms");
	char data[512], lock[512];
	struct store *st = open_new("open_perms");

	store_close(st);
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", dir);
	/* Any group or other bit on the directory or data.mdb is refused. */
	ck_assert_int_eq(chmod(dir, 0750), 0);
	open_expect(dir, SKM_EPERM, dir, "mode 0750");
	ck_assert_int_eq(chmod(dir, 0701), 0);
	open_expect(dir, SKM_EPERM, dir, "mode 0701");
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(chmod(data, 0640), 0);
	open_expect(dir, SKM_EPERM, "data.mdb", "mode 0640");
	ck_assert_int_eq(chmod(data, 0604), 0);
	open_expect(dir, SKM_EPERM, "data.mdb", "mode 0604");
	ck_assert_int_eq(chmod(data, 0600), 0);
	/* lock.mdb: reading it is harmless, writing it wedges the store. */
	ck_assert_int_eq(chmod(lock, 0644), 0);
	open_expect(dir, 0, NULL, NULL);
	ck_assert_int_eq(chmod(lock, 0620), 0);
	open_expect(dir, SKM_EPERM, "lock.mdb", "mode 0620");
	ck_assert_int_eq(chmod(lock, 0602), 0);
	open_expect(dir, SKM_EPERM, "lock.mdb", "mode 0602");
	ck_assert_int_eq(chmod(lock, 0600), 0);
	open_expect(dir, 0, NULL, NULL);
	/* STORE_CREATE does not make an existing open directory acceptable. */
	ck_assert_int_eq(mkdir(fix_path("open_perms2"), 0700), 0);
	ck_assert_int_eq(chmod(fix_path("open_perms2"), 0755), 0);
	ck_assert_int_eq(store_open(fix_path("open_perms2"), STORE_CREATE, &st), SKM_EPERM);
	ck_assert_int_eq(fix_count_entries(fix_path("open_perms2")), 0);
}
END_TEST

START_TEST(txn_sticky)
{
	struct store *st = open_new("txn_sticky");
	const uint8_t k1[] = { 0x7f, 1 }, k2[] = { 0x7f, 2 }, k3[] = { 0x7f, 3 };
	const uint8_t *v;
	struct store_txn t;
	size_t vlen;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, k1, 2, (const uint8_t *)"a", 1, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, k2, 2, (const uint8_t *)"b", 1, 0), 0);
	ck_assert_int_eq(store_txn_put(&t, k1, 2, (const uint8_t *)"x", 1,
	    STORE_NOOVERWRITE), SKM_EEXIST);
	/* Every later operation is a no-op returning the first error. */
	ck_assert_int_eq(store_txn_put(&t, k3, 2, (const uint8_t *)"c", 1, 0), SKM_EEXIST);
	ck_assert_int_eq(store_txn_get(&t, k1, 2, &v, &vlen), SKM_EEXIST);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(store_txn_del(&t, k1, 2), SKM_EEXIST);
	ck_assert_int_eq(store_txn_fail(&t, SKM_EIO), SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	store_txn_abort(&t);	/* after commit: harmless */

	/* Nothing of the failed transaction was written. */
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_get(&t, k2, 2, &v, &vlen), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_get(&t, k3, 2, &v, &vlen), SKM_ENOTFOUND);
	/* A miss is not sticky. */
	ck_assert_int_eq(store_txn_get(&t, k1, 2, &v, &vlen), 0);
	ck_assert_uint_eq(vlen, 1);
	ck_assert_int_eq(v[0], 'a');
	/* Writing in a read transaction is a state error, and sticks. */
	ck_assert_int_eq(store_txn_put(&t, k2, 2, v, 1, 0), SKM_ESTATE);
	ck_assert_int_eq(store_txn_get(&t, k1, 2, &v, &vlen), SKM_ESTATE);
	ck_assert_int_eq(store_txn_commit(&t), SKM_ESTATE);

	/* Bad key lengths. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_txn_put(&t, k1, 0, v, 0, 0), SKM_ELEN);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

struct order_ctx {
	uint64_t got[16];
	size_t n;
};

static int
collect_u64(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct order_ctx *c = arg;

	ck_assert_uint_eq(klen, 9);
	c->got[c->n++] = rec_get_be64(key + 1);
	return c->n == 3 && val[0] == 's' ? 1 : 0;
}

START_TEST(key_order)
{
	struct store *st = open_new("key_order");
	const uint64_t in[] = { 300, 1, UINT64_C(1) << 40, 256, 2, 65535, 0 };
	const uint64_t want[] = { 0, 1, 2, 256, 300, 65535, UINT64_C(1) << 40 };
	uint8_t key[9], prefix[1] = { 0x7e }, other[2] = { 0x7d, 0xff };
	struct order_ctx c = { { 0 }, 0 };
	struct store_txn t;
	size_t i;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		key[0] = 0x7e;
		rec_be64(key + 1, in[i]);
		store_txn_put(&t, key, 9, (const uint8_t *)"v", 1, 0);
	}
	/* Neighbouring classes must not show up in the scan. */
	store_txn_put(&t, other, 2, (const uint8_t *)"v", 1, 0);
	other[0] = 0x7f;
	store_txn_put(&t, other, 1, (const uint8_t *)"v", 1, 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_scan(&t, prefix, 1, NULL, 0, collect_u64, &c), 0);
	ck_assert_uint_eq(c.n, 7);
	for (i = 0; i < 7; i++)
		ck_assert_uint_eq(c.got[i], want[i]);
	/* A range scan from period 256 on. */
	c.n = 0;
	key[0] = 0x7e;
	rec_be64(key + 1, 256);
	ck_assert_int_eq(store_txn_scan(&t, prefix, 1, key, 9, collect_u64, &c), 0);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_uint_eq(c.got[0], 256);
	ck_assert_uint_eq(c.got[3], UINT64_C(1) << 40);
	store_txn_abort(&t);

	/* Prefix deletion removes the class and nothing else. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	{
		size_t n;

		ck_assert_int_eq(store_txn_del_prefix(&t, prefix, 1, &n), 0);
		ck_assert_uint_eq(n, 7);
	}
	c.n = 0;
	ck_assert_int_eq(store_txn_scan(&t, prefix, 1, NULL, 0, collect_u64, &c), 0);
	ck_assert_uint_eq(c.n, 0);
	{
		const uint8_t *v;
		size_t vlen;

		other[0] = 0x7d;
		ck_assert_int_eq(store_txn_get(&t, other, 2, &v, &vlen), 0);
		other[0] = 0x7f;
		ck_assert_int_eq(store_txn_get(&t, other, 1, &v, &vlen), 0);
	}
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(st);
}
END_TEST

/* Writes an environment by hand, as an older skms would have left it. */
static void
raw_env(const char *dir, uint32_t schema, int with_schema)
{
	const char *uri = "sip:old@example.org";
	uint8_t sv[5] = { 1, 0, 0, 0, 0 }, key[64], val[34], *p;
	const int64_t f[4] = { 1000, 2000, 3000000, 0 };
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	int i, j;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0600), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	if (with_schema) {
		sv[1] = (uint8_t)(schema >> 24);
		sv[2] = (uint8_t)(schema >> 16);
		sv[3] = (uint8_t)(schema >> 8);
		sv[4] = (uint8_t)schema;
		k.mv_data = (uint8_t[]){ STORE_C_META, STORE_META_SCHEMA };
		k.mv_size = 2;
		v.mv_data = sv;
		v.mv_size = sizeof(sv);
		ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	}
	/* Schema 1 identity: version 1, role, four int64 times, no reason, no URI copy. */
	key[0] = STORE_C_IDENTITY;
	memcpy(key + 1, uri, strlen(uri));
	val[0] = 1;
	val[1] = IDENTITY_GMS;
	for (i = 0, p = val + 2; i < 4; i++)
		for (j = 7; j >= 0; j--)
			*p++ = (uint8_t)((uint64_t)f[i] >> (8 * j));
	k.mv_data = key;
	k.mv_size = 1 + strlen(uri);
	v.mv_data = val;
	v.mv_size = sizeof(val);
	ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

START_TEST(migrate_v1)
{
	const char *uri = "sip:old@example.org";
	struct identity_rec r;
	struct store *st = NULL;
	struct store_txn t;
	uint32_t v;

	raw_env(fix_path("v1"), 1, 1);
	ck_assert_int_eq(store_open(fix_path("v1"), 0, &st), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_schema_get(&t, &v), 0);
	ck_assert_uint_eq(v, STORE_SCHEMA_VERSION);
	ck_assert_int_eq(store_identity_get(&t, (const uint8_t *)uri, strlen(uri), &r), 0);
	ck_assert_int_eq(r.role, IDENTITY_GMS);
	ck_assert_int_eq(r.created, 1000);
	ck_assert_int_eq(r.valid_from, 2000);
	ck_assert_int_eq(r.valid_to, 3000000);
	ck_assert_int_eq(r.revoked_at, 0);
	ck_assert_str_eq(r.reason, "");
	ck_assert_uint_eq(r.uri_len, strlen(uri));
	ck_assert_mem_eq(r.uri, uri, strlen(uri));
	store_txn_abort(&t);
	store_close(st);

	/* A store from a newer skms is refused, and left as it was. */
	raw_env(fix_path("v99"), 99, 1);
	ck_assert_int_eq(store_open(fix_path("v99"), 0, &st), SKM_ESTATE);
	ck_assert_ptr_null(st);
	/* Data without a schema record is not guessed at. */
	raw_env(fix_path("v0"), 0, 0);
	ck_assert_int_eq(store_open(fix_path("v0"), 0, &st), SKM_ESTORE);
}
END_TEST

static void
sample_domain(struct domain_rec *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	strcpy(d->kms_uri, "kms.example.org");
	d->user_key_period = 2592000;
	d->user_key_offset = 3600;
	d->user_id_format = 2;
	d->parameter_set = 1;
	strcpy(d->cert_uri, "kms.example.org/cert/1");
	strcpy(d->issuer, "kms.example.org");
	d->valid_from = 1700000000;
	d->valid_to = -1;	/* signed round trip */
	d->revoked = 0;
	d->n_domains = 3;
	strcpy(d->kms_domain_list[0], "example.org");
	strcpy(d->kms_domain_list[1], "example.net");
	memset(d->kms_domain_list[2], 'd', DOMAIN_URI_MAX);
	for (i = 0; i < DOMAIN_Z_LEN; i++)
		d->z[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < DOMAIN_KPAK_LEN; i++)
		d->kpak[i] = (uint8_t)(i * 13 + 5);
	ck_assert_int_eq(kek_file_ref(&d->kek, "/etc/skms/kek.key"), 0);
}

START_TEST(domain_round_trip)
{
	struct store *st = open_new("domain_round_trip");
	struct domain_rec *d = calloc(1, sizeof(*d)), *g = calloc(1, sizeof(*g));
	struct store_txn t;

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(g);
	sample_domain(d);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_domain_get(&t, g), SKM_ENOTFOUND);
	store_txn_abort(&t);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_domain_put(&t, d, 0), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_domain_get(&t, g), 0);
	store_txn_abort(&t);
	ck_assert_mem_eq(g, d, sizeof(*d));

	/* A second put is refused and the first domain stays. */
	strcpy(d->kms_uri, "other.example.org");
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_domain_put(&t, d, 0), SKM_EEXIST);
	ck_assert_int_eq(store_txn_commit(&t), SKM_EEXIST);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_domain_get(&t, g), 0);
	ck_assert_str_eq(g->kms_uri, "kms.example.org");
	store_txn_abort(&t);

	/* Unless asked. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_domain_put(&t, d, 1), 0);
	ck_assert_int_eq(store_domain_get(&t, g), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_str_eq(g->kms_uri, "other.example.org");

	/* Out-of-range lists are refused before anything is written. */
	d->n_domains = DOMAIN_LIST_MAX + 1;
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_domain_put(&t, d, 1), SKM_EINVAL);
	store_txn_abort(&t);
	free(d);
	free(g);
	store_close(st);
}
END_TEST

struct cert_seen {
	char uris[8][64];
	size_t n;
};

static int
cert_collect(const struct cert_rec *r, void *arg)
{
	struct cert_seen *s = arg;

	ck_assert_uint_lt(r->uri_len, 64);
	memcpy(s->uris[s->n], r->uri, r->uri_len);
	s->uris[s->n][r->uri_len] = '\0';
	s->n++;
	return 0;
}

START_TEST(cert_cachenum)
{
	struct store *st = open_new("cert_cachenum");
	const char *xa = "<KmsCertificate Id=\"a\"/>", *xb = "<KmsCertificate Id=\"b\"/>";
	struct cert_rec a = { (const uint8_t *)"kms.b.example/cert", 18, xa, strlen(xa) };
	struct cert_rec b = { (const uint8_t *)"kms.a.example/cert", 18, xb, strlen(xb) };
	struct cert_seen seen = { { { 0 } }, 0 };
	struct cert_rec g;
	struct store_txn t;
	uint64_t num;

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_cert_cachenum(&t, &num), 0);
	ck_assert_uint_eq(num, 0);
	store_txn_abort(&t);

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_cert_put(&t, &a), 0);
	ck_assert_int_eq(store_cert_put(&t, &b), 0);
	ck_assert_int_eq(store_cert_cachenum(&t, &num), 0);
	ck_assert_uint_eq(num, 2);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	/* A replace counts as a change; so does a removal. */
	a.xml = xb;
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_cert_put(&t, &a), 0);
	ck_assert_int_eq(store_cert_del(&t, b.uri, b.uri_len), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_cert_cachenum(&t, &num), 0);
	ck_assert_uint_eq(num, 4);
	ck_assert_int_eq(store_cert_get(&t, a.uri, a.uri_len, &g), 0);
	ck_assert_uint_eq(g.xml_len, strlen(xb));
	ck_assert_mem_eq(g.xml, xb, g.xml_len);
	ck_assert_int_eq(store_cert_get(&t, b.uri, b.uri_len, &g), SKM_ENOTFOUND);
	ck_assert_int_eq(store_cert_list(&t, cert_collect, &seen), 0);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.uris[0], "kms.b.example/cert");
	store_txn_abort(&t);

	/* Removing an absent certificate fails and does not count. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_cert_del(&t, b.uri, b.uri_len), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_commit(&t), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_cert_put(&t, &b), 0);
	ck_assert_int_eq(store_cert_list(&t, cert_collect, &seen), 0);
	ck_assert_uint_eq(seen.n, 3);
	/* CertUri order. */
	ck_assert_str_eq(seen.uris[1], "kms.a.example/cert");
	ck_assert_str_eq(seen.uris[2], "kms.b.example/cert");
	ck_assert_int_eq(store_cert_cachenum(&t, &num), 0);
	ck_assert_uint_eq(num, 5);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	store_close(st);
}
END_TEST

struct audit_seen {
	uint64_t seq[16];
	char action[16][32];
	size_t n;
};

static int
audit_collect(const struct audit_rec *r, void *arg)
{
	struct audit_seen *s = arg;

	s->seq[s->n] = r->seq;
	snprintf(s->action[s->n], sizeof(s->action[0]), "%s", r->action);
	s->n++;
	return 0;
}

START_TEST(audit_order)
{
	struct store *st = open_new("audit_order");
	const uint8_t *alice = (const uint8_t *)"sip:alice@example.org";
	const uint8_t *bob = (const uint8_t *)"sip:bob@example.org";
	struct audit_rec e[] = {
		{ 0, 100, "skmsctl", "init", NULL, 0, "domain created" },
		{ 0, 200, "skmsctl", "user add", alice, 21, NULL },
		{ 0, 300, "skmsctl", "user add", bob, 19, "" },
		{ 0, 400, "skmsd", "keyprov", alice, 21, "period 7" },
		{ 0, 500, "skmsctl", "user revoke", alice, 21, "lost device" },
	};
	struct audit_seen s;
	struct store_txn t;
	uint64_t seq;
	size_t i;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(store_audit_append(&t, &e[i], &seq), 0);
		ck_assert_uint_eq(seq, i + 1);
	}
	ck_assert_int_eq(store_txn_commit(&t), 0);
	/* An aborted append leaves no entry and no gap. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_append(&t, &e[3], &seq), 0);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 3; i < 5; i++) {
		ck_assert_int_eq(store_audit_append(&t, &e[i], &seq), 0);
		ck_assert_uint_eq(seq, i + 1);
	}
	ck_assert_int_eq(store_txn_commit(&t), 0);

	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 0, NULL, 0, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 5);
	for (i = 0; i < 5; i++) {
		ck_assert_uint_eq(s.seq[i], i + 1);
		ck_assert_str_eq(s.action[i], e[i].action);
	}
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 0, alice, 21, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.seq[0], 2);
	ck_assert_uint_eq(s.seq[2], 5);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 300, NULL, 0, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_uint_eq(s.seq[0], 3);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 300, alice, 21, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.action[1], "user revoke");
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 0, (const uint8_t *)"sip:carol", 9,
	    audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

/* A batch takes the numbers one-by-one appends would, before and after it. */
START_TEST(audit_batch)
{
	struct store *st = open_new("audit_batch");
	struct audit_rec e = { 0, 100, "skmsd", "keyprov", NULL, 0, "period 1" };
	struct store_audit_batch b;
	struct audit_seen s;
	struct store_txn t;
	uint64_t seq;
	size_t i;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_uint_eq(seq, 1);
	store_audit_batch_begin(&b, &t);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(store_audit_batch_add(&b, &e, &seq), 0);
		ck_assert_uint_eq(seq, i + 2);
	}
	ck_assert_int_eq(store_audit_batch_end(&b), 0);
	ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_uint_eq(seq, 6);
	/* An empty batch changes nothing. */
	store_audit_batch_begin(&b, &t);
	ck_assert_int_eq(store_audit_batch_end(&b), 0);
	ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_uint_eq(seq, 7);
	/* A record the store refuses fails the batch and its transaction. */
	store_audit_batch_begin(&b, &t);
	e.uri_len = STORE_URI_MAX + 1;
	e.uri = (const uint8_t *)"x";
	ck_assert_int_eq(store_audit_batch_add(&b, &e, &seq), SKM_EINVAL);
	ck_assert_uint_eq(seq, 0);
	ck_assert_int_ne(store_audit_batch_end(&b), 0);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	e.uri = NULL;
	e.uri_len = 0;
	store_audit_batch_begin(&b, &t);
	ck_assert_int_eq(store_audit_batch_add(&b, &e, &seq), 0);
	ck_assert_uint_eq(seq, 1);
	ck_assert_int_eq(store_audit_batch_add(&b, &e, &seq), 0);
	ck_assert_int_eq(store_audit_batch_end(&b), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 0, NULL, 0, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.seq[1], 2);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

static const uint8_t ctr_a[] = { 0x7c, 0 }, ctr_b[] = { 0x7c, 1 };

static uint64_t
read_ctr(struct store_txn *t, const uint8_t *key)
{
	const uint8_t *v;
	size_t vlen;

	if (store_txn_get(t, key, 2, &v, &vlen) != 0)
		return 0;
	ck_assert_uint_eq(vlen, 8);
	return rec_get_be64(v);
}

/* Child: commits (a = b = i, row i) until the pipe closes. */
static void
writer_child(const char *dir, int rfd)
{
	struct store *st = NULL;
	struct store_txn t;
	uint8_t v[8], row[9] = { 0x7d };
	uint64_t i;
	char c;

	if (store_open(dir, 0, &st) != 0 || fcntl(rfd, F_SETFL, O_NONBLOCK) == -1)
		_exit(10);
	for (i = 1;; i++) {
		rec_be64(v, i);
		rec_be64(row + 1, i);
		store_txn_begin(st, 1, &t);
		store_txn_put(&t, ctr_a, 2, v, 8, 0);
		store_txn_put(&t, row, 9, v, 8, STORE_NOOVERWRITE);
		store_txn_put(&t, ctr_b, 2, v, 8, 0);
		if (store_txn_commit(&t) != 0)
			_exit(11);
		if (read(rfd, &c, 1) == 0)
			break;
	}
	store_close(st);
	_exit(0);
}

static uint64_t
wait_ctr(struct store *st, uint64_t at_least)
{
	struct store_txn t;
	uint64_t n;
	int tries;

	for (tries = 0; tries < 5000; tries++) {
		ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
		n = read_ctr(&t, ctr_a);
		store_txn_abort(&t);
		if (n >= at_least)
			return n;
		usleep(1000);
	}
	ck_abort_msg("writer made no progress");
	return 0;
}

struct dump {
	uint8_t *p;
	size_t len, cap;
	uint64_t rows;
};

static int
dump_one(const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen,
    void *arg)
{
	struct dump *d = arg;
	size_t need = d->len + 16 + klen + vlen;

	if (need > d->cap) {
		d->cap = need * 2;
		d->p = realloc(d->p, d->cap);
		ck_assert_ptr_nonnull(d->p);
	}
	memcpy(d->p + d->len, &klen, sizeof(klen));
	memcpy(d->p + d->len + 8, &vlen, sizeof(vlen));
	memcpy(d->p + d->len + 16, key, klen);
	memcpy(d->p + d->len + 16 + klen, val, vlen);
	d->len = need;
	if (klen == 9 && key[0] == 0x7d)
		d->rows++;
	return 0;
}

static void
dump_store(struct store *st, struct dump *d)
{
	struct store_txn t;

	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_int_eq(store_txn_scan(&t, NULL, 0, NULL, 0, dump_one, d), 0);
	store_txn_abort(&t);
}

/*
 * Removal after an archive takes exactly the numbers read: a number
 * already gone fails the whole transaction, and numbers are never reused.
 */
START_TEST(audit_remove)
{
	struct store *st = open_new("audit_remove");
	struct audit_rec e = { 0, 100, "skmsd", "keyprov", NULL, 0, "period 1" };
	struct audit_seen s;
	struct store_txn t;
	uint64_t seq;
	size_t i;

	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 3, 5), 0);
	ck_assert_int_eq(store_audit_remove(&t, 10, 10), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	/* 4 is gone: nothing of 4..6 goes, not even 6. */
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 4, 6), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_commit(&t), SKM_ENOTFOUND);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 0, 1), SKM_EINVAL);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 2, 1), SKM_EINVAL);
	store_txn_abort(&t);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_uint_eq(seq, 11);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(store_audit_list(&t, 0, NULL, 0, audit_collect, &s), 0);
	ck_assert_uint_eq(s.n, 7);
	ck_assert_uint_eq(s.seq[0], 1);
	ck_assert_uint_eq(s.seq[1], 2);
	ck_assert_uint_eq(s.seq[2], 6);
	ck_assert_uint_eq(s.seq[5], 9);
	ck_assert_uint_eq(s.seq[6], 11);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

/* Usage grows with records and falls when they are removed; the map size is the one asked for. */
START_TEST(usage)
{
	struct store *st = NULL;
	struct audit_rec e = { 0, 100, "skmsd", "keyprov", NULL, 0,
	    "period 1234 from 192.0.2.1 token 0123456789abcdef" };
	struct store_txn t;
	uint64_t used0, used1, used2, size, seq;
	size_t i, n = 2000;

	ck_assert_int_eq(store_open_size(fix_path("usage"), STORE_CREATE, (size_t)4 << 20,
	    &st), 0);
	ck_assert_int_eq(store_usage(st, &used0, &size), 0);
	ck_assert_uint_eq(size, (uint64_t)4 << 20);
	ck_assert_uint_gt(used0, 0);
	ck_assert_uint_le(used0, 4 * 4096);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_usage(st, &used1, &size), 0);
	/* Key, value and node header: more than 80 octets each, less than 200. */
	ck_assert_uint_gt(used1 - used0, n * 80);
	ck_assert_uint_lt(used1 - used0, n * 200);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 1, n), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_usage(st, &used2, &size), 0);
	/* The freed pages count as free: back near the start (the free list and the counter remain). */
	ck_assert_uint_lt(used2, used0 + 4 * 4096);
	store_close(st);
}
END_TEST

/*
 * A store filled with audit entries, emptied by one removal: after
 * store_settle() the room freed takes new entries, although LMDB reuses a
 * page freed by one commit only from the next but one.
 */
START_TEST(settle_after_full)
{
	struct store *st = NULL;
	struct audit_rec e = { 0, 100, "skmsd", "keyprov", NULL, 0,
	    "period 1234 from 192.0.2.1 token 0123456789abcdef" };
	struct store_txn t;
	uint64_t seq, last = 0;
	size_t i;
	int err = 0;

	ck_assert_int_eq(store_open_size(fix_path("settle"), STORE_CREATE, (size_t)1 << 20,
	    &st), 0);
	while (err == 0) {
		ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
		for (i = 0; i < 100; i++)
			store_audit_append(&t, &e, &seq);
		if ((err = store_txn_commit(&t)) == 0)
			last = seq;
		ck_assert_uint_lt(last, 100000);
	}
	ck_assert_int_eq(err, SKM_ESTORE);
	ck_assert_uint_gt(last, 1000);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	ck_assert_int_eq(store_audit_remove(&t, 1, last), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_int_eq(store_settle(st), 0);
	ck_assert_int_eq(store_txn_begin(st, 1, &t), 0);
	for (i = 0; i < last / 2; i++)
		ck_assert_int_eq(store_audit_append(&t, &e, &seq), 0);
	ck_assert_int_eq(store_txn_commit(&t), 0);
	ck_assert_uint_eq(seq, last + last / 2);
	store_close(st);
}
END_TEST
/*
 * Frames an LMDB data file as a backup by hand, from the format's
 * description rather than the code: magic, version 1, zero, length, the
 * file, SHA-256 of all that.
 */
static void
frame_backup(const char *image, const char *out)
{
	static const uint8_t magic[8] = { 0x89, 'S', 'K', 'M', 'S', 'B', 'K', '\n' };
	uint8_t head[24], md[32], *buf;
	EVP_MD_CTX *ctx;
	struct stat sb;
	size_t len;
	FILE *f;
	int i;

	ck_assert_int_eq(stat(image, &sb), 0);
	len = (size_t)sb.st_size;
	ck_assert_ptr_nonnull(buf = malloc(len));
	ck_assert_ptr_nonnull(f = fopen(image, "rb"));
	ck_assert_uint_eq(fread(buf, 1, len, f), len);
	fclose(f);
	memset(head, 0, sizeof(head));
	memcpy(head, magic, 8);
	head[11] = 1;
	for (i = 0; i < 8; i++)
		head[16 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	ck_assert_ptr_nonnull(ctx = EVP_MD_CTX_new());
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, head, sizeof(head)) == 1 &&
	    EVP_DigestUpdate(ctx, buf, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, NULL) == 1);
	EVP_MD_CTX_free(ctx);
	ck_assert_ptr_nonnull(f = fopen(out, "wb"));
	ck_assert_uint_eq(fwrite(head, 1, sizeof(head), f), sizeof(head));
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_uint_eq(fwrite(md, 1, sizeof(md), f), sizeof(md));
	ck_assert_int_eq(fclose(f), 0);
	free(buf);
}

START_TEST(backup_restore)
{
	struct store *st = open_new("backup_restore"), *r1 = NULL, *r2 = NULL;
	struct dump d0, d2, d1;
	struct store_txn t;
	struct stat sb;
	char why[512];
	uint64_t before, a, b;
	int fds[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		close(fds[1]);
		writer_child(fix_path("backup_restore"), fds[0]);
	}
	close(fds[0]);
	/* Keep the child writing while the copy runs. */
	before = wait_ctr(st, 20);
	ck_assert_int_eq(store_backup(st, fix_path("b1.mdb")), 0);
	wait_ctr(st, before + 20);
	close(fds[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);

	ck_assert_int_eq(stat(fix_path("b1.mdb"), &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(store_backup(st, fix_path("b1.mdb")), SKM_EEXIST);

	/* The copy taken under writes is one consistent snapshot. */
	ck_assert_int_eq(store_restore(fix_path("r1"), fix_path("b1.mdb"), NULL, 0), 0);
	ck_assert_int_eq(store_open(fix_path("r1"), 0, &r1), 0);
	ck_assert_int_eq(store_txn_begin(r1, 0, &t), 0);
	a = read_ctr(&t, ctr_a);
	b = read_ctr(&t, ctr_b);
	store_txn_abort(&t);
	ck_assert_uint_ge(a, 20);
	ck_assert_uint_eq(a, b);
	dump_store(r1, &d1);
	ck_assert_uint_eq(d1.rows, a);
	free(d1.p);

	/* Quiet now: a second backup restores to exactly the source. */
	ck_assert_int_eq(store_backup(st, fix_path("b2.mdb")), 0);
	ck_assert_int_eq(store_restore(fix_path("r2"), fix_path("b2.mdb"), NULL, 0), 0);
	ck_assert_int_eq(store_open(fix_path("r2"), 0, &r2), 0);
	dump_store(st, &d0);
	dump_store(r2, &d2);
	ck_assert_uint_gt(d0.rows, a);
	ck_assert_uint_eq(d0.len, d2.len);
	ck_assert_mem_eq(d0.p, d2.p, d0.len);
	free(d0.p);
	free(d2.p);

	/* Restore never writes into a directory that holds anything. */
	ck_assert_int_eq(store_restore(fix_path("r2"), fix_path("b2.mdb"), NULL, 0), SKM_EEXIST);
	ck_assert_int_eq(store_restore(fix_path("r3"), fix_path("nothing.mdb"), NULL, 0),
	    SKM_ENOTFOUND);
	/* A bare LMDB file (a backup without the header) is refused. */
	raw_env(fix_path("v99b"), 99, 1);
	ck_assert_int_eq(store_restore(fix_path("r4"), fix_path("v99b/data.mdb"), why,
	    sizeof(why)), SKM_EPARSE);
	ck_assert_ptr_nonnull(strstr(why, "bare LMDB"));
	/* A well-formed backup of a newer schema is refused after the digest. */
	frame_backup(fix_path("v99b/data.mdb"), fix_path("v99.bak"));
	ck_assert_int_eq(store_restore(fix_path("r4"), fix_path("v99.bak"), why,
	    sizeof(why)), SKM_ESTATE);
	ck_assert_ptr_nonnull(strstr(why, "newer"));
	ck_assert_int_ne(stat(fix_path("r4"), &sb), 0);
	store_close(r1);
	store_close(r2);
	store_close(st);
}
END_TEST

/* Child: n read-modify-write increments of one shared counter. */
static void
incr_child(const char *dir, int n)
{
	struct store *st = NULL;
	struct store_txn t;
	uint8_t v[8];
	int i;

	if (store_open(dir, 0, &st) != 0)
		_exit(10);
	for (i = 0; i < n; i++) {
		store_txn_begin(st, 1, &t);
		rec_be64(v, read_ctr(&t, ctr_a) + 1);
		store_txn_put(&t, ctr_a, 2, v, 8, 0);
		if (store_txn_commit(&t) != 0)
			_exit(11);
	}
	store_close(st);
	_exit(0);
}

START_TEST(two_writers)
{
	struct store *st = open_new("two_writers");
	struct store_txn t;
	pid_t pid[2];
	int i, status;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0)
			incr_child(fix_path("two_writers"), 300);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
	}
	/* LMDB's writer lock serialised them: no increment was lost. */
	ck_assert_int_eq(store_txn_begin(st, 0, &t), 0);
	ck_assert_uint_eq(read_ctr(&t, ctr_a), 600);
	store_txn_abort(&t);
	store_close(st);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("env");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, fix_setup, fix_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, open_modes);
	tcase_add_test(tc, open_perms);
	tcase_add_test(tc, txn_sticky);
	tcase_add_test(tc, key_order);
	tcase_add_test(tc, migrate_v1);
	tcase_add_test(tc, domain_round_trip);
	tcase_add_test(tc, cert_cachenum);
	tcase_add_test(tc, audit_order);
	tcase_add_test(tc, audit_batch);
	tcase_add_test(tc, audit_remove);
	tcase_add_test(tc, usage);
	tcase_add_test(tc, settle_after_full);
	tcase_add_test(tc, backup_restore);
	tcase_add_test(tc, two_writers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
