/* SPDX-License-Identifier: ISC */
/*
 * src/client ks*, kmsget and common/secfile_erase: the keystore in a
 * temporary directory with key material of a KMS made here: identities
 * and settings, modes, key sets stored all or nothing and checked again
 * when read back, periods, purge, External certificates, and the
 * unreachable status of kmsget; the certificates of a rollover held
 * together, each key set under the one it names.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/kmsdoc.h"
#include "client/kmsget.h"
#include "client/ks.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/secfile.h"
#include "common/time.h"
#include "lib/eccsi.h"
#include "lib/kmsxml.h"
#include "lib/period.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define KMS_URI		"kms.example.org"
#define ALICE		"sip:alice@example.org"
#define PERIOD		60

static struct sakke_kms *sk;
static struct eccsi_kms *ek;
static char *cert_doc;
static size_t cert_len;
static char dir[PATH_MAX];

static void
kms_setup(void)
{
	struct kmsxml_cert c;

	ck_assert_int_eq(sakke_kms_generate(&sk), 0);
	ck_assert_int_eq(eccsi_kms_generate(&ek), 0);
	memset(&c, 0, sizeof(c));
	c.role = "Root";
	c.kms_uri = KMS_URI;
	c.user_key_period = PERIOD;
	c.user_key_offset = 0;
	ck_assert_int_eq(sakke_pub_export(sakke_kms_pub(sk), c.pub_enc_key), 0);
	ck_assert_int_eq(eccsi_kms_kpak(ek, c.pub_auth_key), 0);
	ck_assert_int_eq(kmsxml_cert_doc(&c, &cert_doc, &cert_len), 0);
}

static void
kms_teardown(void)
{
	kmsxml_free(cert_doc, cert_len);
	sakke_kms_free(sk);
	eccsi_kms_free(ek);
}

static void
dir_setup(void)
{
	snprintf(dir, sizeof(dir), "%s/ks.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	strcat(dir, "/store");
}

static void
dir_teardown(void)
{
	char cmd[PATH_MAX + 16];

	*strrchr(dir, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A KmsKeySet document for uri and period_no, as a KMS would issue it. */
static void
keyset_doc(const char *uri, uint64_t period_no, char **doc, size_t *len)
{
	uint8_t uid[UID_LEN], rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	uint64_t s, e;
	struct kmsxml_keyset k;

	ck_assert_int_eq(uid_derive(uri, strlen(uri), KMS_URI, strlen(KMS_URI), PERIOD, 0,
	    period_no, uid), 0);
	ck_assert_int_eq(sakke_rsk_derive(sk, uid, sizeof(uid), rsk), 0);
	ck_assert_int_eq(eccsi_ssk_derive(ek, uid, sizeof(uid), ssk, pvt), 0);
	ck_assert_int_eq(period_bounds(period_no, PERIOD, 0, &s, &e), 0);
	memset(&k, 0, sizeof(k));
	k.kms_uri = KMS_URI;
	k.user_uri = uri;
	memcpy(k.user_id, uid, sizeof(uid));
	k.valid_from = time_ntp_to_unix(s);
	k.valid_to = time_ntp_to_unix(e);
	k.period_no = period_no;
	k.rsk = rsk;
	k.ssk = ssk;
	k.pvt = pvt;
	ck_assert_int_eq(kmsxml_keyset_doc(&k, doc, len), 0);
}

static uint64_t
period_now(void)
{
	uint64_t p;

	ck_assert_int_eq(period_number(time_unix_to_ntp((int64_t)time(NULL)), PERIOD, 0, &p), 0);
	return p;
}

static struct ks *
alice(void)
{
	struct ks_settings set = { "https://127.0.0.1:1", "/nonexistent/token", NULL, NULL,
	    NULL };
	char why[KS_WHY_MAX];
	struct ks *ks = NULL;

	ck_assert_int_eq(ks_create(dir, ALICE, &set, cert_doc, cert_len, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	return ks;
}

static int
exists(const char *base, const char *rel)
{
	char p[2 * PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return lstat(p, &st) == 0;
}

START_TEST(default_dir)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(ks_default_dir("/x/y", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/y");
	setenv("XDG_STATE_HOME", "/state", 1);
	ck_assert_int_eq(ks_default_dir(NULL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/state/skmc");
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/u", 1);
	ck_assert_int_eq(ks_default_dir(NULL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/home/u/.local/state/skmc");
	ck_assert_int_eq(ks_default_dir("/x/y", buf, 3), SKM_ELEN);
}
END_TEST

START_TEST(identities)
{
	struct ks_settings set = { "https://kms.example.org", NULL, "/etc/ca.pem", NULL, NULL };
	char why[KS_WHY_MAX] = "";
	struct ks *ks = NULL;
	struct stat st;

	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), SKM_ENOTFOUND);
	ck_assert_ptr_null(ks);
	ck_assert_int_eq(ks_create(dir, ALICE, &set, cert_doc, cert_len, why, sizeof(why)), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_str_eq(ks_uri(ks), ALICE);
	ck_assert_str_eq(ks_settings(ks)->server, "https://kms.example.org");
	ck_assert_str_eq(ks_settings(ks)->cacert, "/etc/ca.pem");
	ck_assert_ptr_null(ks_settings(ks)->token_file);
	ck_assert_int_eq(stat(ks_path(ks), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert(exists(ks_path(ks), "root.xml"));
	ck_assert_ptr_nonnull(strstr(ks_path(ks), "sip%3Aalice@example.org"));
	ks_close(ks);
	/* A second identity: the choice must be made. */
	ck_assert_int_eq(ks_create(dir, "https://gms.example.org/x", NULL, cert_doc, cert_len,
	    why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "--as"));
	ck_assert_int_eq(ks_open(&ks, dir, "https://gms.example.org/x", 0, why, sizeof(why)), 0);
	ck_assert_str_eq(ks_uri(ks), "https://gms.example.org/x");
	ck_assert_ptr_null(strchr(strrchr(ks_path(ks), '/') + 1, ':'));
	ks_close(ks);
	ck_assert_int_eq(ks_open(&ks, dir, "sip:nobody@example.org", 0, why, sizeof(why)),
	    SKM_ENOTFOUND);
	/* Not a certificate document: nothing created. */
	ck_assert_int_ne(ks_create(dir, "sip:x@example.org", NULL, "<a/>", 4, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, "sip:x@example.org", 0, why, sizeof(why)),
	    SKM_ENOTFOUND);
}
END_TEST

START_TEST(keysets_round_trip)
{
	char why[KS_WHY_MAX] = "", *docs[2], rel[64];
	size_t lens[2], n;
	uint64_t p = period_now(), periods[2] = { p, p + 1 }, *list, q;
	const struct kmsdoc_keyset *set;
	const struct kmsdoc_cert *c;
	struct ks *ks = alice();
	struct stat st;
	int64_t s, e;

	ck_assert_int_eq(ks_cert(ks, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->kms_uri, KMS_URI);
	ck_assert_int_eq(ks_period_at(ks, (int64_t)time(NULL), &q), 0);
	ck_assert_uint_eq(q, p);
	ck_assert_int_eq(ks_period_bounds(ks, p, &s, &e), 0);
	ck_assert_int_eq(e - s, PERIOD);
	ck_assert_int_eq(ks_keyset(ks, p, 0, &set, why, sizeof(why)), SKM_ENOTFOUND);
	keyset_doc(ALICE, p, &docs[0], &lens[0]);
	keyset_doc(ALICE, p + 1, &docs[1], &lens[1]);
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_periods(ks, &list, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(list[0], p);
	ck_assert_uint_eq(list[1], p + 1);
	free(list);
	ck_assert_int_eq(ks_keyset(ks, p + 1, 0, &set, why, sizeof(why)), 0);
	ck_assert_uint_eq(set->period_no, p + 1);
	ck_assert_str_eq(set->user_uri, ALICE);
	snprintf(rel, sizeof(rel), "keys/%llu.xml", (unsigned long long)p);
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", ks_path(ks), rel);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
		/* The file system is not trusted: another period's keys under this name. */
		ck_assert_int_eq(secfile_write(path, (const uint8_t *)docs[1], lens[1], 1), 0);
	}
	ks_close(ks);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p, 0, &set, why, sizeof(why)), SKM_EPARSE);
	ck_assert_int_eq(ks_keyset(ks, p + 1, 0, &set, why, sizeof(why)), 0);
	kmsxml_free(docs[0], lens[0]);
	kmsxml_free(docs[1], lens[1]);
	ks_close(ks);
}
END_TEST

START_TEST(keysets_all_or_nothing)
{
	char why[KS_WHY_MAX] = "", *docs[2], path[PATH_MAX];
	size_t lens[2], n;
	uint64_t p = period_now(), periods[2] = { p, p + 1 }, *list;
	struct ks *ks = alice();

	keyset_doc(ALICE, p, &docs[0], &lens[0]);
	keyset_doc(ALICE, p + 1, &docs[1], &lens[1]);
	/* The second staging write cannot happen: a directory is in its way. */
	snprintf(path, sizeof(path), "%s/keys", ks_path(ks));
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/keys/.stage-%llu.xml", ks_path(ks),
	    (unsigned long long)(p + 1));
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_ne(ks_put_keysets(ks, periods, docs, lens, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_periods(ks, &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	snprintf(path, sizeof(path), ".stage-%llu.xml", (unsigned long long)p);
	{
		char keys[PATH_MAX];

		snprintf(keys, sizeof(keys), "%s/keys", ks_path(ks));
		ck_assert(!exists(keys, path));
	}
	/* Two key sets for one period in one command. */
	periods[1] = p;
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 2, why, sizeof(why)),
	    SKM_EINVAL);
	kmsxml_free(docs[0], lens[0]);
	kmsxml_free(docs[1], lens[1]);
	ks_close(ks);
}
END_TEST

START_TEST(purge)
{
	char why[KS_WHY_MAX] = "", *docs[3];
	size_t lens[3], n, purged = 9, i;
	uint64_t p = period_now(), periods[3] = { p - 5, p - 1, p }, *list;
	struct ks *ks = alice();
	int64_t now = (int64_t)time(NULL);

	for (i = 0; i < 3; i++)
		keyset_doc(ALICE, periods[i], &docs[i], &lens[i]);
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 3, why, sizeof(why)), 0);
	/* Within the grace: kept. */
	ck_assert_int_eq(ks_purge(ks, now, 10 * PERIOD, &purged, why, sizeof(why)), 0);
	ck_assert_uint_eq(purged, 0);
	/* p - 5 ended more than 2 periods ago, p - 1 less than one period ago. */
	ck_assert_int_eq(ks_purge(ks, now, 2 * PERIOD, &purged, why, sizeof(why)), 0);
	ck_assert_uint_eq(purged, 1);
	ck_assert_int_eq(ks_purge(ks, now, 0, &purged, why, sizeof(why)), 0);
	ck_assert_uint_eq(purged, 1);
	ck_assert_int_eq(ks_periods(ks, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(list[0], p);
	free(list);
	for (i = 0; i < 3; i++)
		kmsxml_free(docs[i], lens[i]);
	ks_close(ks);
}
END_TEST

START_TEST(external)
{
	const struct kmsdoc_cert *const *certs;
	char why[KS_WHY_MAX] = "", *docs[2];
	size_t lens[2], n;
	uint64_t num = 7;
	struct ks *ks = alice();

	ck_assert_int_eq(ks_external(ks, &certs, &n, &num, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(num, 0);
	docs[0] = docs[1] = cert_doc;
	lens[0] = lens[1] = cert_len;
	ck_assert_int_eq(ks_put_external(ks, docs, lens, 2, 42, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_external(ks, &certs, &n, &num, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(num, 42);
	ck_assert_str_eq(certs[1]->kms_uri, KMS_URI);
	/* A new cache replaces the old one. */
	ck_assert_int_eq(ks_put_external(ks, docs, lens, 1, 43, why, sizeof(why)), 0);
	ks_close(ks);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_external(ks, &certs, &n, &num, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(num, 43);
	ck_assert(!exists(ks_path(ks), "external.new"));
	ck_assert(!exists(ks_path(ks), "external.old"));
	ck_assert(!exists(ks_path(ks), "external/1.xml"));
	ks_close(ks);
}
END_TEST

START_TEST(reinit_other_domain)
{
	struct kmsxml_cert c;
	char why[KS_WHY_MAX] = "", *docs[1], *other;
	size_t lens[1], n, olen;
	uint64_t p = period_now(), *list;
	struct ks *ks = alice();

	keyset_doc(ALICE, p, &docs[0], &lens[0]);
	ck_assert_int_eq(ks_put_keysets(ks, &p, docs, lens, 1, why, sizeof(why)), 0);
	ks_close(ks);
	/* The same certificate again keeps the key sets. */
	ks = alice();
	ck_assert_int_eq(ks_periods(ks, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(list);
	ks_close(ks);
	/* Another key period length: the key sets can never be used again. */
	memset(&c, 0, sizeof(c));
	c.role = "Root";
	c.kms_uri = KMS_URI;
	c.user_key_period = 2 * PERIOD;
	ck_assert_int_eq(sakke_pub_export(sakke_kms_pub(sk), c.pub_enc_key), 0);
	ck_assert_int_eq(eccsi_kms_kpak(ek, c.pub_auth_key), 0);
	ck_assert_int_eq(kmsxml_cert_doc(&c, &other, &olen), 0);
	ck_assert_int_eq(ks_create(dir, ALICE, NULL, other, olen, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_periods(ks, &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ks_settings(ks)->server);
	ks_close(ks);
	kmsxml_free(other, olen);
	kmsxml_free(docs[0], lens[0]);
}
END_TEST

/* A Root certificate document of KMS (s, e) with a CertUri and ValidFrom. */
static void
gen_cert_doc_r(struct sakke_kms *s, struct eccsi_kms *e, const char *kms_uri,
    const char *cert_uri, int64_t valid_from, int revoked, char **doc, size_t *len)
{
	struct kmsxml_cert c;

	memset(&c, 0, sizeof(c));
	c.role = "Root";
	c.revoked = revoked;
	c.cert_uri = cert_uri;
	c.kms_uri = kms_uri;
	c.valid_from = valid_from;
	c.user_key_period = PERIOD;
	ck_assert_int_eq(sakke_pub_export(sakke_kms_pub(s), c.pub_enc_key), 0);
	ck_assert_int_eq(eccsi_kms_kpak(e, c.pub_auth_key), 0);
	ck_assert_int_eq(kmsxml_cert_doc(&c, doc, len), 0);
}

static void
gen_cert_doc(struct sakke_kms *s, struct eccsi_kms *e, const char *kms_uri,
    const char *cert_uri, int64_t valid_from, char **doc, size_t *len)
{
	gen_cert_doc_r(s, e, kms_uri, cert_uri, valid_from, 0, doc, len);
}

/* A key set of KMS (s, e) for ALICE naming cert_uri. */
static void
gen_keyset_doc(struct sakke_kms *s, struct eccsi_kms *e, const char *cert_uri,
    uint64_t period_no, char **doc, size_t *len)
{
	uint8_t uid[UID_LEN], rsk[SAKKE_POINT_LEN], ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];
	struct kmsxml_keyset k;

	ck_assert_int_eq(uid_derive(ALICE, strlen(ALICE), KMS_URI, strlen(KMS_URI), PERIOD, 0,
	    period_no, uid), 0);
	ck_assert_int_eq(sakke_rsk_derive(s, uid, sizeof(uid), rsk), 0);
	ck_assert_int_eq(eccsi_ssk_derive(e, uid, sizeof(uid), ssk, pvt), 0);
	memset(&k, 0, sizeof(k));
	k.kms_uri = KMS_URI;
	k.cert_uri = cert_uri;
	k.user_uri = ALICE;
	memcpy(k.user_id, uid, sizeof(uid));
	k.period_no = period_no;
	k.rsk = rsk;
	k.ssk = ssk;
	k.pvt = pvt;
	ck_assert_int_eq(kmsxml_keyset_doc(&k, doc, len), 0);
}

static const struct ks_certinfo *
info_of(const struct ks_certinfo *v, size_t n, const char *uri)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].cert->cert_uri != NULL && strcmp(v[i].cert->cert_uri, uri) == 0)
			return &v[i];
	return NULL;
}

/*
 * A rollover in the keystore: the old certificate and the next one (a
 * second KMS key pair) held together, states from ValidFrom, each key set
 * checked under the certificate it names, the certificate of a period,
 * dropping a certificate with its key sets, and tidying a retired one.
 */
START_TEST(certificate_set)
{
	struct sakke_kms *sk2 = NULL;
	struct eccsi_kms *ek2 = NULL;
	char why[KS_WHY_MAX] = "", *old = NULL, *next = NULL, *other = NULL, *docs[2];
	size_t olen, nlen, xlen, lens[2], n = 0;
	uint64_t p0 = period_now(), p2 = p0 + 2, periods[2];
	struct ks_certinfo *v = NULL;
	const struct ks_certinfo *in;
	const struct kmsdoc_cert *c;
	const struct kmsdoc_keyset *set;
	struct ks *ks = NULL;
	uint64_t s, e;
	int64_t b, now = (int64_t)time(NULL);
	int added = -1;

	ck_assert_int_eq(sakke_kms_generate(&sk2), 0);
	ck_assert_int_eq(eccsi_kms_generate(&ek2), 0);
	ck_assert_int_eq(period_bounds(p2, PERIOD, 0, &s, &e), 0);
	b = time_ntp_to_unix(s);		/* the boundary: period p2 starts */
	gen_cert_doc(sk, ek, KMS_URI, "cert.old", now - 86400, &old, &olen);
	gen_cert_doc(sk2, ek2, KMS_URI, "cert.new", b, &next, &nlen);
	gen_cert_doc(sk2, ek2, "kms.other.example.org", "cert.x", b, &other, &xlen);
	ck_assert_int_eq(ks_create(dir, ALICE, NULL, old, olen, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_cert_next(ks, now, &c), SKM_ENOTFOUND);
	ck_assert_int_eq(ks_put_cert(ks, next, nlen, &added, why, sizeof(why)), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_int_eq(ks_put_cert(ks, next, nlen, &added, why, sizeof(why)), 0);
	ck_assert_int_eq(added, 0);
	ck_assert_int_eq(ks_put_cert(ks, other, xlen, &added, why, sizeof(why)), SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "another KmsUri"));
	ck_assert_int_eq(ks_cert(ks, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->cert_uri, "cert.old");
	ck_assert_int_eq(ks_cert_next(ks, now, &c), 0);
	ck_assert_str_eq(c->cert_uri, "cert.new");
	ck_assert_int_eq(ks_cert_next(ks, b, &c), SKM_ENOTFOUND);

	/* A key set of each period, each under its own certificate. */
	gen_keyset_doc(sk, ek, "cert.old", p0, &docs[0], &lens[0]);
	gen_keyset_doc(sk2, ek2, "cert.new", p2, &docs[1], &lens[1]);
	periods[0] = p0;
	periods[1] = p2;
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p0, 0, &set, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p2, 0, &set, why, sizeof(why)), 0);
	ck_assert_str_eq(set->cert_uri, "cert.new");
	ck_assert_int_eq(ks_keyset_stale(ks, p0), 0);
	ck_assert_int_eq(ks_keyset_stale(ks, p2), 0);
	ck_assert_int_eq(ks_cert_for_period(ks, p2, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->cert_uri, "cert.new");
	ck_assert_int_eq(ks_cert_for_period(ks, p0 + 1, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->cert_uri, "cert.old");
	ck_assert_int_eq(ks_certs(ks, now, &v, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_nonnull(in = info_of(v, n, "cert.old"));
	ck_assert_int_eq(in->state, KS_CERT_CURRENT);
	ck_assert_uint_eq(in->nperiods, 1);
	ck_assert_uint_eq(in->periods[0], p0);
	ck_assert_ptr_nonnull(in = info_of(v, n, "cert.new"));
	ck_assert_int_eq(in->state, KS_CERT_NEXT);
	ck_assert_uint_eq(in->nperiods, 1);
	ck_assert_uint_eq(in->periods[0], p2);
	ks_certs_free(v, n);
	ck_assert_int_eq(ks_certs(ks, b, &v, &n, why, sizeof(why)), 0);
	ck_assert_int_eq(info_of(v, n, "cert.old")->state, KS_CERT_RETIRED);
	ck_assert_int_eq(info_of(v, n, "cert.new")->state, KS_CERT_CURRENT);
	ks_certs_free(v, n);
	kmsxml_free(docs[0], lens[0]);
	kmsxml_free(docs[1], lens[1]);

	/* Keys of the old KMS naming the new certificate, or an unknown one: refused. */
	gen_keyset_doc(sk, ek, "cert.new", p2 + 1, &docs[0], &lens[0]);
	periods[0] = p2 + 1;
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p2 + 1, 0, &set, why, sizeof(why)), SKM_EVERIFY);
	kmsxml_free(docs[0], lens[0]);
	gen_keyset_doc(sk, ek, "cert.unknown", p2 + 1, &docs[0], &lens[0]);
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p2 + 1, 0, &set, why, sizeof(why)), SKM_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(why, "'cert.unknown' is no certificate"));
	kmsxml_free(docs[0], lens[0]);
	/*
	 * The old keys under the old certificate (no ValidTo) for a period of
	 * the new one: valid, but stale.
	 */
	gen_keyset_doc(sk, ek, "cert.old", p2 + 1, &docs[0], &lens[0]);
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p2 + 1, 0, &set, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset_stale(ks, p2 + 1), 1);
	kmsxml_free(docs[0], lens[0]);

	/* Dropping a certificate takes its key sets; the one in force stays. */
	ck_assert_int_eq(ks_cert_drop(ks, "cert.old", why, sizeof(why)), SKM_EBUSY);
	ck_assert_int_eq(ks_cert_drop(ks, "cert.new", why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p2, 0, &set, why, sizeof(why)), SKM_ENOTFOUND);
	ck_assert_int_eq(ks_keyset(ks, p0, 0, &set, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_cert_next(ks, now, &c), SKM_ENOTFOUND);
	ks_close(ks);

	/* Tidy after the boundary: the old one goes with its last key set. */
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_put_cert(ks, next, nlen, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_tidy(ks, b, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 0);		/* periods p0 and p2 + 1 name it */
	ck_assert_int_eq(ks_purge(ks, b + 3 * PERIOD, 0, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ks_tidy(ks, b, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 1);
	ks_close(ks);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_certs(ks, b, &v, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].cert->cert_uri, "cert.new");
	ck_assert_int_eq(v[0].state, KS_CERT_CURRENT);
	ks_certs_free(v, n);
	ck_assert(exists(ks_path(ks), "root.xml"));
	ck_assert(!exists(ks_path(ks), "certs/cert.new.xml"));
	ks_close(ks);
	kmsxml_free(old, olen);
	kmsxml_free(next, nlen);
	kmsxml_free(other, xlen);
	sakke_kms_free(sk2);
	eccsi_kms_free(ek2);
}
END_TEST

/*
 * A revoked certificate in the set: while nothing replaces it, it stays in
 * force (its key sets erased, every use refused); an emergency rollover's
 * certificate with the same ValidFrom is in force over it, and learning
 * the revocation again drops it from the set while the record stays.
 */
START_TEST(revoked_in_set)
{
	struct sakke_kms *sk2 = NULL;
	struct eccsi_kms *ek2 = NULL;
	char why[KS_WHY_MAX] = "", *old = NULL, *rev = NULL, *neu = NULL, *docs[1];
	size_t olen, rlen, nlen, lens[1], n = 0, dropped = 0;
	uint64_t p0 = period_now(), periods[1] = { p0 }, s, e;
	struct kmsdoc *rdoc = NULL, **rv = NULL;
	struct ks_certinfo *v = NULL;
	const struct kmsdoc_cert *c;
	const struct kmsdoc_keyset *set;
	struct ks *ks = NULL;
	int64_t from;

	ck_assert_int_eq(sakke_kms_generate(&sk2), 0);
	ck_assert_int_eq(eccsi_kms_generate(&ek2), 0);
	ck_assert_int_eq(period_bounds(p0, PERIOD, 0, &s, &e), 0);
	from = time_ntp_to_unix(s);		/* both in force from the period's start */
	gen_cert_doc(sk, ek, KMS_URI, "cert.old", from, &old, &olen);
	gen_cert_doc_r(sk, ek, KMS_URI, "cert.old", from, 1, &rev, &rlen);
	gen_cert_doc(sk2, ek2, KMS_URI, "cert.new", from, &neu, &nlen);
	ck_assert_int_eq(kmsdoc_parse(rev, rlen, &rdoc, why, sizeof(why)), 0);
	ck_assert_int_eq(rdoc->certs[0].revoked, 1);
	ck_assert_int_eq(ks_create(dir, ALICE, NULL, old, olen, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	gen_keyset_doc(sk, ek, "cert.old", p0, &docs[0], &lens[0]);
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 1, why, sizeof(why)), 0);

	/* Revoked with nothing to replace it: kept in force, its key set erased. */
	ck_assert_int_eq(ks_revoked_learn(ks, &rdoc->certs[0], &dropped, why, sizeof(why)), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_int_eq(ks_keyset(ks, p0, 0, &set, why, sizeof(why)), SKM_ENOTFOUND);
	ck_assert_int_eq(ks_cert(ks, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->cert_uri, "cert.old");
	ck_assert_int_eq(ks_revoked_is(ks, "cert.old"), 1);
	/* A key set under it is refused, naming the revocation. */
	ck_assert_int_eq(ks_put_keysets(ks, periods, docs, lens, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p0, 0, &set, why, sizeof(why)), SKM_EREVOKED);
	ck_assert_ptr_nonnull(strstr(why, "cert.old, which the KMS revoked"));

	/* The replacement, same ValidFrom: in force; the revoked one is "revoked". */
	ck_assert_int_eq(ks_put_cert(ks, neu, nlen, NULL, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_cert(ks, &c, why, sizeof(why)), 0);
	ck_assert_str_eq(c->cert_uri, "cert.new");
	ck_assert_int_eq(ks_certs(ks, (int64_t)time(NULL), &v, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(info_of(v, n, "cert.old")->state, KS_CERT_REVOKED);
	ck_assert_str_eq(ks_cert_state_name(KS_CERT_REVOKED), "revoked");
	ck_assert_int_eq(info_of(v, n, "cert.new")->state, KS_CERT_CURRENT);
	ks_certs_free(v, n);
	ck_assert_int_eq(ks_keyset_stale(ks, p0), 1);

	/* Learnt again: out of the set with its key set; the record stays. */
	ck_assert_int_eq(ks_revoked_learn(ks, &rdoc->certs[0], &dropped, why, sizeof(why)), 0);
	ck_assert_uint_eq(dropped, 1);
	ck_assert_int_eq(ks_cert_by_uri(ks, "cert.old", &c), SKM_ENOTFOUND);
	ks_close(ks);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_certs(ks, (int64_t)time(NULL), &v, &n, why, sizeof(why)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].cert->cert_uri, "cert.new");
	ks_certs_free(v, n);
	ck_assert_int_eq(ks_revoked_list(ks, &rv, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(rv[0]->certs[0].cert_uri, "cert.old");
	ks_revoked_free(rv, n);
	ck_assert(!exists(ks_path(ks), "certs/cert.new.xml"));	/* root.xml holds it */
	ks_close(ks);
	/* Never a Root again. */
	ck_assert_int_eq(ks_create(dir, ALICE, NULL, old, olen, why, sizeof(why)),
	    SKM_EREVOKED);
	kmsxml_free(docs[0], lens[0]);
	kmsdoc_free(rdoc);
	kmsxml_free(old, olen);
	kmsxml_free(rev, rlen);
	kmsxml_free(neu, nlen);
	sakke_kms_free(sk2);
	eccsi_kms_free(ek2);
}
END_TEST

START_TEST(fetch_needs_server)
{
	char why[KS_WHY_MAX] = "";
	uint64_t p = period_now();
	struct ks *ks = NULL;
	const struct kmsdoc_keyset *set;

	ck_assert_int_eq(ks_create(dir, ALICE, NULL, cert_doc, cert_len, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_open(&ks, dir, NULL, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(ks_keyset(ks, p, 1, &set, why, sizeof(why)), SKM_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "no server"));
	ks_close(ks);
}
END_TEST

START_TEST(kmsget_unreachable)
{
	struct kmsget_target t = { "https://127.0.0.1:1", NULL, NULL, NULL, NULL, 5, NULL, NULL };
	char why[KS_WHY_MAX] = "", *body = NULL;
	size_t len = 0;

	ck_assert_int_eq(kmsget_init(&t, &body, &len, why, sizeof(why)), SKM_EUNREACH);
	ck_assert_ptr_null(body);
	ck_assert_str_ne(why, "");
	t.server = "http://127.0.0.1:1";
	ck_assert_int_eq(kmsget_init(&t, &body, &len, why, sizeof(why)), SKM_EINVAL);
	t.server = "https://127.0.0.1:1";
	t.token_file = "/nonexistent/token";
	ck_assert_int_eq(kmsget_keyprov(&t, ALICE, 0, &body, &len, why, sizeof(why)),
	    SKM_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(why, "token file"));
}
END_TEST

START_TEST(erase)
{
	char path[PATH_MAX + 16], sub[PATH_MAX + 16];
	uint8_t buf[10000];

	memset(buf, 0xa5, sizeof(buf));
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/secret", dir);
	ck_assert_int_eq(secfile_write(path, buf, sizeof(buf), 0), 0);
	ck_assert_int_eq(secfile_erase(path), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(secfile_erase(path), SKM_ENOTFOUND);
	/* Never through a symbolic link, never a directory. */
	snprintf(sub, sizeof(sub), "%s/link", dir);
	ck_assert_int_eq(secfile_write(path, buf, 10, 0), 0);
	ck_assert_int_eq(symlink(path, sub), 0);
	ck_assert_int_eq(secfile_erase(sub), SKM_EPERM);
	ck_assert_int_eq(access(path, F_OK), 0);
	snprintf(sub, sizeof(sub), "%s/d", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_ne(secfile_erase(sub), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ks");
	TCase *tc = tcase_create("keystore");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, kms_setup, kms_teardown);
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, default_dir);
	tcase_add_test(tc, identities);
	tcase_add_test(tc, keysets_round_trip);
	tcase_add_test(tc, keysets_all_or_nothing);
	tcase_add_test(tc, purge);
	tcase_add_test(tc, external);
	tcase_add_test(tc, reinit_other_domain);
	tcase_add_test(tc, certificate_set);
	tcase_add_test(tc, revoked_in_set);
	tcase_add_test(tc, fetch_needs_server);
	tcase_add_test(tc, kmsget_unreachable);
	tcase_add_test(tc, erase);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
