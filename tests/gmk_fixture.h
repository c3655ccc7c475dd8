/* SPDX-License-Identifier: ISC */
/*
 * Shared by the group key suites (test_gmk.c, test_accept.c): a KMS domain
 * generated for the suite with a GMS, Alice, Bob and Mallory, a temporary
 * directory per test, and small file helpers. Test code only.
 */
#ifndef SKM_TESTS_GMK_FIXTURE_H
#define SKM_TESTS_GMK_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define KMS	"kms.example.org"
#define GMS	"sip:gms@example.org"
#define ALICE	"sip:alice@example.org"
#define BOB	"sip:bob@example.org"
#define MALLORY	"sip:mallory@example.org"
#define PERIOD	2592000ULL

extern struct sakke_kms *skms;
extern struct eccsi_kms *ekms;
extern uint8_t kpak[ECCSI_POINT_LEN];
extern uint64_t period_no;
extern int64_t now;
extern struct eccsi_signer *gms_signer, *mallory_signer;
extern uint8_t gms_uid[UID_LEN], mallory_uid[UID_LEN], alice_uid[UID_LEN], bob_uid[UID_LEN];
extern uint8_t alice_rsk[SAKKE_POINT_LEN];
extern char dir[64];

/* The UID of uri for key period no in the suite's domain. */
void uid_for(const char *uri, uint64_t no, uint8_t uid[UID_LEN]);

/* Unchecked fixture: the domain, its identities and now. */
void domain_setup(void);
void domain_teardown(void);

/* Checked fixture: a fresh temporary directory in dir; sets now. */
void dir_setup(void);
void dir_teardown(void);

/* Entries of dir/sub (0 when absent); whether dir/name exists. */
size_t count_files(const char *sub);
int file_exists(const char *name);

#endif
