/* SPDX-License-Identifier: ISC */
/*
 * The GMK I_MESSAGE benchmark behind 'make bench': the mean time of one
 * member's I_MESSAGE on one core, made by a GMS (mikey_gmk_make with a
 * prepared signer and KMS public key) and accepted by the member (parse,
 * verify, decrypt with a prepared receiver key, open the key parameters),
 * next to the bare SAKKE and ECCSI operations inside them, so that the
 * cost of the MIKEY layer itself shows. Not a test: it asserts only that
 * every operation succeeds. Targets: make <= 1.2 ms, accept <= 2.5 ms.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "lib/eccsi.h"
#include "lib/mikey_gmk.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define RUNS		200
#define KMS_URI		"kms.example.org"
#define GMS_URI		"sip:gms@example.org"
#define USER_URI	"sip:alice@example.org"
#define NTP_TS		(0xec898da8ULL << 32)

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bench_check(int err, const char *what)
{
	if (err != 0) {
		fprintf(stderr, "bench-gmk: %s failed: %d\n", what, err);
		exit(1);
	}
}

static void
bench_line(const char *name, double total)
{
	printf("%-36s %9.1f us\n", name, total / RUNS * 1e6);
}

int
main(void)
{
	static char group[] = "val-group-1";
	struct sakke_kms *skms;
	struct eccsi_kms *ekms;
	struct eccsi_signer *signer;
	struct sakke_user *user;
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	struct mikey_kp kp, back;
	uint8_t kpak[ECCSI_POINT_LEN], gms_uid[UID_LEN], user_uid[UID_LEN];
	uint8_t ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN], rsk[SAKKE_POINT_LEN];
	uint8_t gmk[MIKEY_GMK_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t out[MIKEY_GMK_LEN], sed[SAKKE_SED_LEN], sig[ECCSI_SIG_LEN];
	uint8_t *msg[RUNS], *first;
	size_t len[RUNS], first_len, sakke_at = 0;
	uint32_t gmk_id, guk_id;
	uint64_t period_no = (NTP_TS >> 32) / 2592000;
	double t0, mk, acc, base_mk, base_acc;
	int i, k;

	bench_check(sakke_kms_generate(&skms), "sakke_kms_generate");
	bench_check(eccsi_kms_generate(&ekms), "eccsi_kms_generate");
	bench_check(eccsi_kms_kpak(ekms, kpak), "eccsi_kms_kpak");
	bench_check(uid_derive(GMS_URI, strlen(GMS_URI), KMS_URI, strlen(KMS_URI), 2592000,
	    0, period_no, gms_uid), "uid_derive");
	bench_check(uid_derive(USER_URI, strlen(USER_URI), KMS_URI, strlen(KMS_URI),
	    2592000, 0, period_no, user_uid), "uid_derive");
	bench_check(eccsi_ssk_derive(ekms, gms_uid, UID_LEN, ssk, pvt), "eccsi_ssk_derive");
	bench_check(eccsi_signer_new(&signer, kpak, gms_uid, UID_LEN, ssk, pvt),
	    "eccsi_signer_new");
	bench_check(sakke_rsk_derive(skms, user_uid, UID_LEN, rsk), "sakke_rsk_derive");
	bench_check(sakke_user_new(&user, sakke_kms_pub(skms), user_uid, UID_LEN, rsk),
	    "sakke_user_new");
	OPENSSL_cleanse(ssk, sizeof(ssk));
	OPENSSL_cleanse(rsk, sizeof(rsk));

	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.groups[0] = group;
	kp.ngroups = 1;
	memset(&s, 0, sizeof(s));
	s.signer = signer;
	s.gms_uri = GMS_URI;
	s.gms_uid = gms_uid;
	s.user_uri = USER_URI;
	s.user_uid = user_uid;
	s.kms_uri = KMS_URI;
	s.z = sakke_kms_pub(skms);
	s.ts = NTP_TS;
	s.gmk = gmk;
	s.gmk_id = 0x0df9bc39;
	s.kp = &kp;

	/*
	 * Each run times the MIKEY operation and the bare primitives it wraps
	 * on the same message, in alternating order, so that load from other
	 * processes and cold caches fall on both alike.
	 */
	printf("GMK I_MESSAGE, mean of %d runs, one core\n", RUNS);
	bench_check(mikey_gmk_make(&s, &first, &first_len), "mikey_gmk_make");
	mk = base_mk = 0;
	for (i = 0; i < RUNS; i++) {
		for (k = 0; k < 2; k++) {
			t0 = bench_now();
			if ((k ^ i) & 1) {
				bench_check(sakke_encapsulate(s.z, user_uid, UID_LEN, gmk, sed),
				    "sakke_encapsulate");
				bench_check(eccsi_sign(signer, first, first_len - ECCSI_SIG_LEN,
				    sig), "eccsi_sign");
				base_mk += bench_now() - t0;
			} else {
				bench_check(mikey_gmk_make(&s, &msg[i], &len[i]),
				    "mikey_gmk_make");
				mk += bench_now() - t0;
			}
		}
	}
	acc = base_acc = 0;
	for (i = 0; i < RUNS; i++) {
		for (k = 0; k < 2; k++) {
			t0 = bench_now();
			if ((k ^ i) & 1) {
				bench_check(eccsi_verify(kpak, gms_uid, UID_LEN, msg[i],
				    len[i] - ECCSI_SIG_LEN, msg[i] + len[i] - ECCSI_SIG_LEN),
				    "eccsi_verify");
				bench_check(sakke_decapsulate(user, msg[i] + sakke_at, out),
				    "sakke_decapsulate");
				base_acc += bench_now() - t0;
				continue;
			}
			bench_check(mikey_imsg_parse(msg[i], len[i], &m, NULL, 0),
			    "mikey_imsg_parse");
			bench_check(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN),
			    "mikey_imsg_verify");
			bench_check(mikey_gmk_decrypt(&m, user, USER_URI, strlen(USER_URI),
			    out, &gmk_id, &guk_id), "mikey_gmk_decrypt");
			bench_check(mikey_kp_open(&m, out, &back), "mikey_kp_open");
			mikey_kp_clear(&back);
			acc += bench_now() - t0;
			/* one layout for all: the SAKKE data sits at one offset */
			sakke_at = (size_t)(m.sakke.data - m.msg);
		}
	}
	if (memcmp(out, gmk, sizeof(gmk)) != 0 || gmk_id != s.gmk_id) {
		fprintf(stderr, "bench-gmk: the GMK did not come back\n");
		return 1;
	}
	bench_line("make (per member)", mk);
	bench_line("  sakke_encapsulate + eccsi_sign", base_mk);
	bench_line("accept (parse+verify+decrypt+kp)", acc);
	bench_line("  eccsi_verify + sakke_decapsulate", base_acc);
	printf("%-36s %9.1f %%\n", "MIKEY overhead, make", (mk - base_mk) / base_mk * 100);
	printf("%-36s %9.1f %%\n", "MIKEY overhead, accept", (acc - base_acc) / base_acc * 100);
	printf("%-36s %9zu octets\n", "message length", len[0]);

	for (i = 0; i < RUNS; i++)
		OPENSSL_free(msg[i]);
	OPENSSL_free(first);
	OPENSSL_cleanse(out, sizeof(out));
	sakke_user_free(user);
	eccsi_signer_free(signer);
	eccsi_kms_free(ekms);
	sakke_kms_free(skms);
	return 0;
}
