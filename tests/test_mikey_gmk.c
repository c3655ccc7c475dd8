/* SPDX-License-Identifier: ISC */
/*
 * The GMK I_MESSAGE (src/lib/mikey_gmk.c) end to end with keys from a KMS
 * made here: make -> parse -> verify -> decrypt -> key parameters, with
 * plain and hidden identities, both signature coverages, tampering in
 * each region, the wrong receiver and the wrong key. The HDR, T and RAND
 * octets are checked against the Streamwide GMK vector (NOTES 4.8).
 * The keys are built once, in the parent (an unchecked fixture).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/ct.h"
#include "lib/eccsi.h"
#include "lib/mikey_gmk.h"
#include "lib/sakke.h"
#include "lib/uid.h"
#include "testlib.h"

#define KMS_URI		"kms.example.org"
#define GMS_URI		"sip:gms@example.org"
#define ALICE_URI	"sip:alice@example.org"
#define BOB_URI		"sip:bob@example.org"
#define PERIOD		2592000
#define TS		(0xec898da8ULL << 32 | 0x12345678)

static struct sakke_kms *skms;
static struct eccsi_kms *ekms;
static struct eccsi_signer *gms, *alice_signer;
static struct sakke_user *alice, *bob;
static uint8_t kpak[ECCSI_POINT_LEN];
static uint8_t gms_uid[UID_LEN], alice_uid[UID_LEN], bob_uid[UID_LEN];
static const uint8_t gmk[MIKEY_GMK_LEN] = { 0x07, 0xd1, 0xa1, 0x67, 0x7a, 0xc3, 0x6d,
    0x8e, 0x81, 0x62, 0x04, 0x84, 0x68, 0x9b, 0x3c, 0x2d };

static void
make_uid(const char *uri, uint8_t uid[UID_LEN])
{
	ck_assert_int_eq(uid_derive(uri, strlen(uri), KMS_URI, strlen(KMS_URI), PERIOD, 0,
	    (TS >> 32) / PERIOD, uid), 0);
}

static void
make_signer(const uint8_t *uid, struct eccsi_signer **s)
{
	uint8_t ssk[ECCSI_SCALAR_LEN], pvt[ECCSI_POINT_LEN];

	ck_assert_int_eq(eccsi_ssk_derive(ekms, uid, UID_LEN, ssk, pvt), 0);
	ck_assert_int_eq(eccsi_signer_new(s, kpak, uid, UID_LEN, ssk, pvt), 0);
	OPENSSL_cleanse(ssk, sizeof(ssk));
}

static void
make_user(const uint8_t *uid, struct sakke_user **u)
{
	uint8_t rsk[SAKKE_POINT_LEN];

	ck_assert_int_eq(sakke_rsk_derive(skms, uid, UID_LEN, rsk), 0);
	ck_assert_int_eq(sakke_user_new(u, sakke_kms_pub(skms), uid, UID_LEN, rsk), 0);
	OPENSSL_cleanse(rsk, sizeof(rsk));
}

static void
setup(void)
{
	ck_assert_int_eq(sakke_kms_generate(&skms), 0);
	ck_assert_int_eq(eccsi_kms_generate(&ekms), 0);
	ck_assert_int_eq(eccsi_kms_kpak(ekms, kpak), 0);
	make_uid(GMS_URI, gms_uid);
	make_uid(ALICE_URI, alice_uid);
	make_uid(BOB_URI, bob_uid);
	make_signer(gms_uid, &gms);
	make_signer(alice_uid, &alice_signer);
	make_user(alice_uid, &alice);
	make_user(bob_uid, &bob);
}

static void
teardown(void)
{
	sakke_user_free(alice);
	sakke_user_free(bob);
	eccsi_signer_free(gms);
	eccsi_signer_free(alice_signer);
	eccsi_kms_free(ekms);
	sakke_kms_free(skms);
}

/*
 * The KMS secrets are poisoned for memcheck (sakke.c, eccsi.c), so the
 * recovered GMK is too; the test compares it, which makes it public here.
 */
static int
decrypt(const struct mikey_imsg *m, const struct sakke_user *u, const char *uri,
    size_t urilen, uint8_t out[MIKEY_GMK_LEN], uint32_t *gmk_id, uint32_t *guk_id)
{
	int err = mikey_gmk_decrypt(m, u, uri, urilen, out, gmk_id, guk_id);

	ct_declassify(out, MIKEY_GMK_LEN);
	return err;
}

static void
send_init(struct mikey_gmk_send *s, const struct mikey_kp *kp, int hide)
{
	memset(s, 0, sizeof(*s));
	s->signer = gms;
	s->gms_uri = GMS_URI;
	s->gms_uid = gms_uid;
	s->user_uri = ALICE_URI;
	s->user_uid = alice_uid;
	s->kms_uri = KMS_URI;
	s->z = sakke_kms_pub(skms);
	s->ts = TS;
	s->gmk = gmk;
	s->gmk_id = 0x0df9bc39;
	s->kp = kp;
	s->hide = hide;
}

/* make, parse, verify, decrypt and open; returns the message for more checks */
static void
round_trip(int hide)
{
	static char grp_a[] = "val-group-a", grp_b[] = "val-group-b", text[] = "ops";
	struct mikey_gmk_send s;
	struct mikey_kp kp, back;
	struct mikey_imsg m;
	uint8_t *msg, out[MIKEY_GMK_LEN], spp[MIKEY_SP_GMK_LEN];
	size_t len;
	uint32_t gmk_id, guk_id;
	char why[256];

	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = MIKEY_KP_STATUS_VALID;
	kp.activation = 1767225600;
	kp.expiry = 1769904000;
	kp.text = text;
	kp.groups[0] = grp_a;
	kp.groups[1] = grp_b;
	kp.ngroups = 2;
	send_init(&s, &kp, hide);
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);

	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m.idri.role, hide ? MIKEY_ROLE_UIDI : MIKEY_ROLE_I);
	ck_assert_uint_eq(m.idrr.role, hide ? MIKEY_ROLE_UIDR : MIKEY_ROLE_R);
	ck_assert_uint_eq(m.idri.type, hide ? MIKEY_IDT_BYTES : MIKEY_IDT_URI);
	ck_assert_int_eq(mikey_idr_match(&m.idri, GMS_URI, strlen(GMS_URI), gms_uid,
	    UID_LEN), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, ALICE_URI, strlen(ALICE_URI), alice_uid,
	    UID_LEN), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, BOB_URI, strlen(BOB_URI), bob_uid,
	    UID_LEN), SKM_ENOTFOUND);
	ck_assert_int_eq(mikey_idr_match(&m.idrkmsi, KMS_URI, strlen(KMS_URI), NULL, 0), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrkmsr, KMS_URI, strlen(KMS_URI), NULL, 0), 0);
	ck_assert_uint_eq(m.ts, TS);
	ck_assert_uint_eq(m.randlen, MIKEY_RAND_LEN);
	ck_assert(m.has_sp);
	ck_assert_uint_eq(m.sp.plen, mikey_sp_gmk_params(spp));
	ck_assert_mem_eq(m.sp.params, spp, sizeof(spp));
	ck_assert(m.has_kp);
	ck_assert(!m.has_self);
	ck_assert_uint_eq(msg[m.signed_len_nohdr], 0x20);
	ck_assert_uint_eq(msg[m.signed_len_nohdr + 1], 0x81);

	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, alice_uid, UID_LEN), SKM_EVERIFY);

	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_mem_eq(out, gmk, MIKEY_GMK_LEN);
	ck_assert_uint_eq(gmk_id, 0x0df9bc39);
	ck_assert_uint_eq(guk_id, m.hdr.csb_id);
	ck_assert_uint_eq(guk_id >> 28, 0);
	ck_assert_uint_ne(guk_id, gmk_id);
	/* the SPI is the SRTP MKI, GMK-ID || GUK-ID */
	ck_assert_uint_eq(m.hdr.ncs, 1);
	ck_assert_uint_eq(m.hdr.cs[0].id, MIKEY_GMK_CS_ID);
	ck_assert_uint_eq(m.hdr.cs[0].spilen, MIKEY_GMK_SPI_LEN);
	ck_assert_mem_eq(m.hdr.cs[0].spi, "\x0d\xf9\xbc\x39", 4);
	ck_assert_uint_eq(m.hdr.cs[0].spi[4] << 24 | m.hdr.cs[0].spi[5] << 16 |
	    m.hdr.cs[0].spi[6] << 8 | m.hdr.cs[0].spi[7], guk_id);

	ck_assert_int_eq(mikey_kp_open(&m, out, &back), 0);
	ck_assert_uint_eq(back.key_type, MIKEY_KP_TYPE_GMK);
	ck_assert_uint_eq(back.status, MIKEY_KP_STATUS_VALID);
	ck_assert_uint_eq(back.activation, 1767225600);
	ck_assert_uint_eq(back.expiry, 1769904000);
	ck_assert_str_eq(back.text, text);
	ck_assert_uint_eq(back.ngroups, 2);
	ck_assert_str_eq(back.groups[0], grp_a);
	ck_assert_str_eq(back.groups[1], grp_b);
	mikey_kp_clear(&back);
	/* the date-and-time field carries the T payload's NTP seconds */
	ck_assert_uint_eq(m.kp.data[0], MIKEY_KP_MSG_TYPE);
	ck_assert_uint_eq(m.kp.data[1], 0);
	ck_assert_mem_eq(m.kp.data + 2, "\xec\x89\x8d\xa8", 4);
	OPENSSL_free(msg);
}

START_TEST(gmk_plain)
{
	round_trip(0);
}
END_TEST

START_TEST(gmk_hidden)
{
	round_trip(1);
}
END_TEST

/* HDR, T and RAND octet for octet as in the Streamwide GMK vector (NOTES 4.8) */
START_TEST(gmk_streamwide_layout)
{
	static const uint8_t want[] = {
		0x01, 0x1a, 0x05, 0x01, 0x06, 0xa1, 0x2a, 0xea, 0x01, 0x02,
		0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
		0x0d, 0xf9, 0xbc, 0x39, 0x06, 0xa1, 0x2a, 0xea,
		0x0b, 0x00, 0xec, 0x89, 0x8d, 0xa8, 0x00, 0x00, 0x00, 0x00,
		0x0e, 0x10, 0xca, 0x2f, 0x5d, 0x51, 0xff, 0x08, 0x66, 0x36,
		0x2c, 0x1d, 0x85, 0xa5, 0x6f, 0x84, 0x65, 0x1e,
		0x0e, 0x08, 0x02, 0x00, 0x20,
	};
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	struct mikey_kp back;
	uint8_t *msg;
	size_t len;
	char why[256];

	send_init(&s, NULL, 1);
	s.user_uri = "sip:alice@streamwide.com";
	s.ts = 0xec898da8ULL << 32;
	s.rand = want + 37;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_uint_ge(len, sizeof(want));
	ck_assert_mem_eq(msg, want, sizeof(want));
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert(!m.has_kp);
	ck_assert_int_eq(mikey_kp_open(&m, gmk, &back), SKM_ENOTFOUND);
	/* HDR 25, T 10, RAND 18, 2 x IDR 37, 2 x IDR 20, SP 35, SAKKE 278, SIGN 131 */
	ck_assert_uint_eq(len, 25 + 10 + 18 + 2 * 37 + 2 * (5 + strlen(KMS_URI)) + 35 +
	    278 + 131);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(gmk_coverage_without_sign_header)
{
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	uint8_t *msg, out[MIKEY_GMK_LEN];
	size_t len;
	uint32_t gmk_id, guk_id;
	char why[256];

	send_init(&s, NULL, 0);
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	/* as some initiators sign: without the two SIGN header octets */
	ck_assert_int_eq(eccsi_sign(gms, msg, m.signed_len_nohdr, msg + m.signed_len), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), 0);
	/* a signature by someone else over either coverage is refused */
	ck_assert_int_eq(eccsi_sign(alice_signer, msg, m.signed_len, msg + m.signed_len), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, alice_uid, UID_LEN), 0);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_mem_eq(out, gmk, MIKEY_GMK_LEN);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(gmk_tamper)
{
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	struct mikey_kp kp, back;
	uint8_t *msg, out[MIKEY_GMK_LEN];
	size_t len, sakke_at, kp_at;
	uint32_t gmk_id, guk_id;
	char why[256];

	memset(&kp, 0, sizeof(kp));
	kp.status = MIKEY_KP_STATUS_VALID;
	send_init(&s, &kp, 0);
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	sakke_at = (size_t)(m.sakke.data - msg);
	kp_at = (size_t)(m.kp.data - msg) + MIKEY_KP_HDR_LEN;

	/* header: the CSB ID (GUK-ID) */
	msg[7] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_uint_ne(gmk_id, 0x0df9bc39);
	ck_assert_int_eq(mikey_kp_open(&m, out, &back), SKM_EPARSE);
	msg[7] ^= 0x01;

	/* SAKKE data: the signature and the TEST = R check both catch it */
	msg[sakke_at + 100] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), SKM_EVERIFY);
	ck_assert_mem_eq(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", MIKEY_GMK_LEN);
	msg[sakke_at + 100] ^= 0x01;
	msg[sakke_at + SAKKE_SED_LEN - 1] ^= 0x80;	/* H, the masked GMK */
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), SKM_EVERIFY);
	msg[sakke_at + SAKKE_SED_LEN - 1] ^= 0x80;

	/* key-parameters ciphertext */
	msg[kp_at] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_int_eq(mikey_kp_open(&m, out, &back), SKM_EVERIFY);
	msg[kp_at] ^= 0x01;

	/* signature: r, s and the PVT */
	msg[len - ECCSI_SIG_LEN] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	msg[len - ECCSI_SIG_LEN] ^= 0x01;
	msg[len - ECCSI_SIG_LEN + 40] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	msg[len - ECCSI_SIG_LEN + 40] ^= 0x01;
	msg[len - 1] ^= 0x01;
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), SKM_EVERIFY);
	msg[len - 1] ^= 0x01;

	/* and untouched it all still holds */
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), 0);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_int_eq(mikey_kp_open(&m, out, &back), 0);
	mikey_kp_clear(&back);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(gmk_wrong_receiver)
{
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	uint8_t *msg, out[MIKEY_GMK_LEN];
	size_t len;
	uint32_t gmk_id, guk_id;
	char why[256];

	send_init(&s, NULL, 0);
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	/* the GUK-ID inverts only with the receiver's own URI */
	ck_assert_int_eq(decrypt(&m, alice, BOB_URI, strlen(BOB_URI), out, &gmk_id,
	    &guk_id), 0);
	ck_assert_mem_eq(out, gmk, MIKEY_GMK_LEN);
	ck_assert_uint_ne(gmk_id, 0x0df9bc39);
	ck_assert_uint_eq(gmk_id >> 28, 0);
	/* another user's RSK does not decapsulate */
	ck_assert_int_eq(decrypt(&m, bob, BOB_URI, strlen(BOB_URI), out, &gmk_id,
	    &guk_id), SKM_EVERIFY);
	ck_assert_uint_eq(gmk_id, 0);
	ck_assert_mem_eq(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", MIKEY_GMK_LEN);
	OPENSSL_free(msg);

	/* a message for Bob opens for Bob */
	send_init(&s, NULL, 1);
	s.user_uri = BOB_URI;
	s.user_uid = bob_uid;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, BOB_URI, strlen(BOB_URI), bob_uid,
	    UID_LEN), 0);
	ck_assert_int_eq(decrypt(&m, bob, BOB_URI, strlen(BOB_URI), out, &gmk_id,
	    &guk_id), 0);
	ck_assert_uint_eq(gmk_id, 0x0df9bc39);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), SKM_EVERIFY);
	OPENSSL_free(msg);
}
END_TEST

/*
 * msg with the octet at offset cut out of its SAKKE payload, as a sender
 * writing H at its minimal length would have sent it, signed again by
 * the GMS. The caller frees it.
 */
static uint8_t *
sakke_cut(const uint8_t *msg, size_t len, size_t cut, size_t *outlen)
{
	struct mikey_imsg m;
	uint8_t *out;
	size_t at;
	char why[256];

	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	at = (size_t)(m.sakke.data - msg);
	ck_assert_uint_lt(cut, m.sakke.len);
	ck_assert_ptr_nonnull(out = OPENSSL_malloc(len - 1));
	memcpy(out, msg, at + cut);
	memcpy(out + at + cut, msg + at + cut + 1, len - at - cut - 1);
	/* the SAKKE payload's data length, the two octets before its data */
	out[at - 2] = (uint8_t)((m.sakke.len - 1) >> 8);
	out[at - 1] = (uint8_t)(m.sakke.len - 1);
	ck_assert_msg(mikey_imsg_parse(out, len - 1, &m, why, sizeof(why)) == 0, "%s", why);
	ck_assert_int_eq(eccsi_sign(gms, out, m.signed_len, out + m.signed_len), 0);
	*outlen = len - 1;
	return out;
}

/* A SAKKE payload of 272 octets, H written without its leading zero octet. */
START_TEST(gmk_short_h)
{
	struct mikey_gmk_send s;
	struct mikey_imsg m;
	uint8_t ssv[SAKKE_SSV_LEN], sed[SAKKE_SED_LEN], out[MIKEY_GMK_LEN];
	uint8_t *msg, *cut;
	size_t len, cutlen;
	uint32_t gmk_id, guk_id;
	char why[256];

	test_sakke_short_h(sakke_kms_pub(skms), alice_uid, UID_LEN, ssv, sed);
	ck_assert_uint_eq(sed[SAKKE_POINT_LEN], 0);
	send_init(&s, NULL, 0);
	s.gmk = ssv;
	s.sed = sed;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), 0);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m.sakke.len, SAKKE_SED_LEN);	/* we send all of H */

	/* H's leading zero octet left out: the same GMK */
	cut = sakke_cut(msg, len, SAKKE_POINT_LEN, &cutlen);
	ck_assert_int_eq(mikey_imsg_parse(cut, cutlen, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m.sakke.len, SAKKE_SED_LEN - 1);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), 0);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), 0);
	ck_assert_mem_eq(out, ssv, MIKEY_GMK_LEN);
	ck_assert_uint_eq(gmk_id, 0x0df9bc39);
	OPENSSL_free(cut);

	/* H's last octet left out instead: padded, it is another H; TEST = R says no */
	cut = sakke_cut(msg, len, SAKKE_SED_LEN - 1, &cutlen);
	ck_assert_int_eq(mikey_imsg_parse(cut, cutlen, &m, why, sizeof(why)), 0);
	ck_assert_int_eq(mikey_imsg_verify(&m, kpak, gms_uid, UID_LEN), 0);
	ck_assert_int_eq(decrypt(&m, alice, ALICE_URI, strlen(ALICE_URI), out,
	    &gmk_id, &guk_id), SKM_EVERIFY);
	ck_assert_mem_eq(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", MIKEY_GMK_LEN);
	OPENSSL_free(cut);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(gmk_make_rejects)
{
	struct mikey_gmk_send s;
	struct mikey_kp kp;
	uint8_t *msg;
	size_t len;

	send_init(&s, NULL, 0);
	s.gmk_id = 0x1df9bc39;		/* a PCK purpose tag */
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), SKM_EINVAL);
	ck_assert_ptr_null(msg);
	send_init(&s, NULL, 0);
	s.signer = NULL;
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), SKM_EINVAL);
	memset(&kp, 0, sizeof(kp));
	kp.expiry = MIKEY_KP_TIME_MAX + 1;
	send_init(&s, &kp, 0);
	ck_assert_int_eq(mikey_gmk_make(&s, &msg, &len), SKM_EINVAL);
	ck_assert_ptr_null(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mikey_gmk");
	TCase *tc = tcase_create("mikey_gmk");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gmk_plain);
	tcase_add_test(tc, gmk_hidden);
	tcase_add_test(tc, gmk_streamwide_layout);
	tcase_add_test(tc, gmk_coverage_without_sign_header);
	tcase_add_test(tc, gmk_tamper);
	tcase_add_test(tc, gmk_wrong_receiver);
	tcase_add_test(tc, gmk_make_rejects);
	tcase_add_test(tc, gmk_short_h);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
