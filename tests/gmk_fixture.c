/* SPDX-License-Identifier: ISC */
/*
 * The group key suites' fixture: one KMS domain per suite (fresh master
 * secrets), the key material of its identities, and a temporary directory
 * per test. Test code only.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/time.h"
#include "lib/period.h"
#include "gmk_fixture.h"

/* The suite's KMS domain and identities, built once. */
struct sakke_kms *skms;
struct eccsi_kms *ekms;
uint8_t kpak[ECCSI_POINT_LEN];
uint64_t period_no;
int64_t now;
struct eccsi_signer *gms_signer, *mallory_signer;
uint8_t gms_uid[UID_LEN], mallory_uid[UID_LEN], alice_uid[UID_LEN], bob_uid[UID_LEN];
uint8_t alice_rsk[SAKKE_POINT_LEN];

char dir[64];

void
uid_for(const char *uri, uint64_t no, uint8_t uid[UID_LEN])
{
	ck_assert_int_eq(uid_derive(uri, strlen(uri), KMS, strlen(KMS), PERIOD, 0, no, uid), 0);
}

static struct eccsi_signer *
signer_for(const char *uri, uint8_t uid[UID_LEN])
{
	struct eccsi_signer *s;
	uint8_t ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];

	uid_for(uri, period_no, uid);
	ck_assert_int_eq(eccsi_ssk_derive(ekms, uid, UID_LEN, ssk, pvt), 0);
	ck_assert_int_eq(eccsi_signer_new(&s, kpak, uid, UID_LEN, ssk, pvt), 0);
	OPENSSL_cleanse(ssk, sizeof(ssk));
	return s;
}

void
domain_setup(void)
{
	now = (int64_t)time(NULL);
	ck_assert_int_eq(period_number(time_unix_to_ntp(now), PERIOD, 0, &period_no), 0);
	ck_assert_int_eq(sakke_kms_generate(&skms), 0);
	ck_assert_int_eq(eccsi_kms_generate(&ekms), 0);
	ck_assert_int_eq(eccsi_kms_kpak(ekms, kpak), 0);
	gms_signer = signer_for(GMS, gms_uid);
	mallory_signer = signer_for(MALLORY, mallory_uid);
	uid_for(ALICE, period_no, alice_uid);
	uid_for(BOB, period_no, bob_uid);
	ck_assert_int_eq(sakke_rsk_derive(skms, alice_uid, UID_LEN, alice_rsk), 0);
}

void
domain_teardown(void)
{
	eccsi_signer_free(gms_signer);
	eccsi_signer_free(mallory_signer);
	sakke_kms_free(skms);
	eccsi_kms_free(ekms);
	OPENSSL_cleanse(alice_rsk, sizeof(alice_rsk));
}

void
dir_setup(void)
{
	now = (int64_t)time(NULL);
	strcpy(dir, "/tmp/test_gmk.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void
dir_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

size_t
count_files(const char *sub)
{
	char path[256];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

int
file_exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

