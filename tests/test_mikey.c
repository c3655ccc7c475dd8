/* SPDX-License-Identifier: ISC */
/*
 * The MIKEY-SAKKE payload codec (src/lib/mikey.c): every payload round
 * trips, every decoder refuses malformed input with its reason, and the
 * I_MESSAGE parser refuses missing, duplicate, unknown, truncated and
 * trailing payloads. Messages here carry placeholder SAKKE data and
 * signatures; the cryptographic round trip is test_mikey_gmk.c.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/mikey.h"

#define KMS	"kms.example.org"
#define GMS	"sip:gms@example.org"
#define USER	"sip:alice@example.org"

static uint8_t sed[SAKKE_SED_LEN], sig[ECCSI_SIG_LEN], uid_i[32], uid_r[32];
static const uint8_t rnd[16] = { 0xca, 0x2f, 0x5d, 0x51, 0xff, 0x08, 0x66, 0x36,
    0x2c, 0x1d, 0x85, 0xa5, 0x6f, 0x84, 0x65, 0x1e };

static void
fill(void)
{
	size_t i;

	for (i = 0; i < sizeof(sed); i++)
		sed[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(sig); i++)
		sig[i] = (uint8_t)(i * 13 + 5);
	for (i = 0; i < sizeof(uid_i); i++) {
		uid_i[i] = (uint8_t)(0xa0 + i);
		uid_r[i] = (uint8_t)(0x10 + i);
	}
}

/* Which payloads build_msg writes; each flag can be dropped or doubled. */
enum {
	P_T = 1 << 0, P_RAND = 1 << 1, P_IDRI = 1 << 2, P_IDRR = 1 << 3,
	P_KMSI = 1 << 4, P_KMSR = 1 << 5, P_SP = 1 << 6, P_SAKKE = 1 << 7,
	P_KP = 1 << 8, P_SIGN = 1 << 9, P_SELF = 1 << 10, P_HIDE = 1 << 11,
	P_ALL = P_T | P_RAND | P_IDRI | P_IDRR | P_KMSI | P_KMSR | P_SP | P_SAKKE |
	    P_KP | P_SIGN,
};

static void
put_hdr(struct mikey_w *w)
{
	static const uint8_t spi[8] = { 0x0d, 0xf9, 0xbc, 0x39, 0x06, 0xa1, 0x2a, 0xea };
	static const uint8_t pol = 0;
	struct mikey_hdr h;

	memset(&h, 0, sizeof(h));
	h.data_type = MIKEY_DATA_SAKKE;
	h.prf = MIKEY_PRF_HMAC_SHA256;
	h.csb_id = 0x06a12aea;
	h.map_type = MIKEY_MAP_GENERIC;
	h.ncs = 1;
	h.cs[0].id = 4;
	h.cs[0].ps = &pol;
	h.cs[0].nps = 1;
	h.cs[0].spi = spi;
	h.cs[0].spilen = 8;
	mikey_hdr_put(w, &h);
}

/* An I_MESSAGE in the order of TS 33.180 E.1; dup doubles the flagged payloads. */
static void
build_msg(unsigned int with, unsigned int dup, uint8_t **msg, size_t *len)
{
	static const uint8_t kp[40] = { 0x43 };
	struct mikey_w w;
	struct mikey_sp sp;
	uint8_t params[MIKEY_SP_GMK_LEN], self[5 + SAKKE_SED_LEN];
	int k;

	mikey_w_init(&w);
	put_hdr(&w);
	for (k = 0; k < 2; k++) {
		unsigned int f = k == 0 ? with : (with & dup);

		if (f & P_T)
			mikey_t_put(&w, 0xec898da800000000ULL);
		if (f & P_RAND)
			mikey_rand_put(&w, rnd, sizeof(rnd));
		if ((f & P_IDRI) && (with & P_HIDE))
			mikey_idr_put(&w, MIKEY_ROLE_UIDI, MIKEY_IDT_URI, uid_i, 32);
		else if (f & P_IDRI)
			mikey_idr_put(&w, MIKEY_ROLE_I, MIKEY_IDT_URI, (const uint8_t *)GMS,
			    strlen(GMS));
		if ((f & P_IDRR) && (with & P_HIDE))
			mikey_idr_put(&w, MIKEY_ROLE_UIDR, MIKEY_IDT_URI, uid_r, 32);
		else if (f & P_IDRR)
			mikey_idr_put(&w, MIKEY_ROLE_R, MIKEY_IDT_URI, (const uint8_t *)USER,
			    strlen(USER));
		if (f & P_KMSI)
			mikey_idr_put(&w, MIKEY_ROLE_KMSI, MIKEY_IDT_URI, (const uint8_t *)KMS,
			    strlen(KMS));
		if (f & P_KMSR)
			mikey_idr_put(&w, MIKEY_ROLE_KMSR, MIKEY_IDT_URI, (const uint8_t *)KMS,
			    strlen(KMS));
		if (f & P_SP) {
			memset(&sp, 0, sizeof(sp));
			sp.params = params;
			sp.plen = (uint16_t)mikey_sp_gmk_params(params);
			mikey_sp_put(&w, &sp);
		}
		if (f & P_SAKKE)
			mikey_sakke_put(&w, 1, 2, sed, sizeof(sed));
		if (f & P_SELF) {
			self[0] = 0;
			self[1] = 1;
			self[2] = 2;
			self[3] = SAKKE_SED_LEN >> 8;
			self[4] = SAKKE_SED_LEN & 0xff;
			memcpy(self + 5, sed, SAKKE_SED_LEN);
			mikey_gext_put(&w, MIKEY_GEXT_SAKKE_SELF, self, sizeof(self));
		}
		if (f & P_KP)
			mikey_gext_put(&w, MIKEY_GEXT_KEY_PARAMS, kp, sizeof(kp));
	}
	if (with & P_SIGN) {
		mikey_sign_hdr_put(&w);
		mikey_raw_put(&w, sig, sizeof(sig));
	}
	ck_assert_int_eq(mikey_w_finish(&w, msg, len), 0);
}

/* Parses a copy in a buffer of exactly len octets, so ASan sees any over-read. */
static int
parse_exact(const uint8_t *msg, size_t len, char *why, size_t whylen)
{
	struct mikey_imsg m;
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, msg, len);
	err = mikey_imsg_parse(copy, len, &m, why, whylen);
	free(copy);
	return err;
}

static void
expect_reject(const uint8_t *msg, size_t len, const char *reason)
{
	char why[256];

	ck_assert_int_eq(parse_exact(msg, len, why, sizeof(why)), SKM_EPARSE);
	if (strstr(why, reason) == NULL)
		ck_abort_msg("reason \"%s\" does not hold \"%s\"", why, reason);
}

START_TEST(payload_round_trip)
{
	struct mikey_w w;
	struct mikey_hdr h, hd;
	struct mikey_t t;
	struct mikey_rand r;
	struct mikey_idr idr;
	struct mikey_sp sp, spd;
	struct mikey_sakke s;
	struct mikey_gext g;
	struct mikey_sign sg;
	const uint8_t ps[2] = { 0, 3 }, sess[3] = { 9, 8, 7 }, spi[4] = { 1, 2, 3, 4 };
	const uint8_t ext[3] = { 0xaa, 0xbb, 0xcc };
	uint8_t params[MIKEY_SP_GMK_LEN], *msg;
	const uint8_t *val;
	uint8_t vlen;
	size_t len, off = 0, used;
	char why[128];

	fill();
	memset(&h, 0, sizeof(h));
	h.data_type = MIKEY_DATA_SAKKE;
	h.prf = 1;
	h.csb_id = 0x12345678;
	h.map_type = MIKEY_MAP_GENERIC;
	h.ncs = 2;
	h.cs[0] = (struct mikey_cs){ 4, 0, 0, ps, 1, NULL, 0, spi, 4 };
	h.cs[1] = (struct mikey_cs){ 6, 0, 1, ps, 2, sess, 3, NULL, 0 };
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	mikey_t_put(&w, 0x0102030405060708ULL);
	mikey_rand_put(&w, rnd, sizeof(rnd));
	mikey_idr_put(&w, MIKEY_ROLE_KMSI, MIKEY_IDT_URI, (const uint8_t *)KMS, strlen(KMS));
	memset(&sp, 0, sizeof(sp));
	sp.policy_no = 3;
	sp.params = params;
	sp.plen = (uint16_t)mikey_sp_gmk_params(params);
	ck_assert_uint_eq(sp.plen, MIKEY_SP_GMK_LEN);
	mikey_sp_put(&w, &sp);
	mikey_sakke_put(&w, 1, 2, sed, sizeof(sed));
	mikey_gext_put(&w, 99, ext, sizeof(ext));
	mikey_sign_hdr_put(&w);
	mikey_raw_put(&w, sig, sizeof(sig));
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), 0);

	ck_assert_int_eq(mikey_hdr_get(msg, len, &hd, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(hd.next, MIKEY_PT_T);
	ck_assert_uint_eq(hd.csb_id, 0x12345678);
	ck_assert_uint_eq(hd.prf, 1);
	ck_assert_uint_eq(hd.v, 0);
	ck_assert_uint_eq(hd.ncs, 2);
	ck_assert_uint_eq(hd.cs[0].id, 4);
	ck_assert_uint_eq(hd.cs[0].nps, 1);
	ck_assert_uint_eq(hd.cs[0].spilen, 4);
	ck_assert_mem_eq(hd.cs[0].spi, spi, 4);
	ck_assert_uint_eq(hd.cs[1].s, 1);
	ck_assert_uint_eq(hd.cs[1].nps, 2);
	ck_assert_mem_eq(hd.cs[1].ps, ps, 2);
	ck_assert_uint_eq(hd.cs[1].sesslen, 3);
	ck_assert_mem_eq(hd.cs[1].sess, sess, 3);
	ck_assert_uint_eq(hd.cs[1].spilen, 0);
	off += used;
	ck_assert_int_eq(mikey_t_get(msg + off, len - off, &t, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(t.ts, 0x0102030405060708ULL);
	ck_assert_uint_eq(t.next, MIKEY_PT_RAND);
	off += used;
	ck_assert_int_eq(mikey_rand_get(msg + off, len - off, &r, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(r.len, 16);
	ck_assert_mem_eq(r.p, rnd, 16);
	ck_assert_uint_eq(r.next, MIKEY_PT_IDR);
	off += used;
	ck_assert_int_eq(mikey_idr_get(msg + off, len - off, &idr, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(idr.role, MIKEY_ROLE_KMSI);
	ck_assert_uint_eq(idr.type, MIKEY_IDT_URI);
	ck_assert_uint_eq(idr.len, strlen(KMS));
	ck_assert_int_eq(mikey_idr_match(&idr, KMS, strlen(KMS), NULL, 0), 0);
	ck_assert_int_eq(mikey_idr_match(&idr, GMS, strlen(GMS), NULL, 0), SKM_ENOTFOUND);
	ck_assert_uint_eq(idr.next, MIKEY_PT_SP);
	off += used;
	ck_assert_int_eq(mikey_sp_get(msg + off, len - off, &spd, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(spd.policy_no, 3);
	ck_assert_uint_eq(spd.plen, MIKEY_SP_GMK_LEN);
	ck_assert_int_eq(mikey_sp_param(&spd, 0, &val, &vlen), 0);
	ck_assert_uint_eq(vlen, 1);
	ck_assert_uint_eq(val[0], 6);
	ck_assert_int_eq(mikey_sp_param(&spd, 20, &val, &vlen), 0);
	ck_assert_uint_eq(val[0], 16);
	ck_assert_int_eq(mikey_sp_param(&spd, 13, &val, &vlen), 0);
	ck_assert_uint_eq(val[0], 1);
	ck_assert_int_eq(mikey_sp_param(&spd, 3, &val, &vlen), SKM_ENOTFOUND);
	ck_assert_uint_eq(spd.next, MIKEY_PT_SAKKE);
	off += used;
	ck_assert_int_eq(mikey_sakke_get(msg + off, len - off, &s, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(s.len, SAKKE_SED_LEN);
	ck_assert_mem_eq(s.data, sed, SAKKE_SED_LEN);
	ck_assert_uint_eq(s.next, MIKEY_PT_GEXT);
	off += used;
	ck_assert_int_eq(mikey_gext_get(msg + off, len - off, &g, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(g.type, 99);
	ck_assert_uint_eq(g.len, 3);
	ck_assert_mem_eq(g.data, ext, 3);
	ck_assert_uint_eq(g.next, MIKEY_PT_SIGN);
	off += used;
	ck_assert_uint_eq(msg[off], 0x20);
	ck_assert_uint_eq(msg[off + 1], 0x81);
	ck_assert_int_eq(mikey_sign_get(msg + off, len - off, &sg, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(sg.type, MIKEY_SIGN_ECCSI);
	ck_assert_uint_eq(sg.len, ECCSI_SIG_LEN);
	ck_assert_mem_eq(sg.sig, sig, ECCSI_SIG_LEN);
	ck_assert_uint_eq(off + used, len);
	OPENSSL_free(msg);

	/* the empty map of RFC 4563 (no crypto sessions) */
	memset(&h, 0, sizeof(h));
	h.data_type = MIKEY_DATA_SAKKE;
	h.map_type = MIKEY_MAP_EMPTY;
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	mikey_t_put(&w, 1);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), 0);
	ck_assert_uint_eq(len, 20);
	ck_assert_int_eq(mikey_hdr_get(msg, len, &hd, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(used, 10);
	ck_assert_uint_eq(hd.map_type, MIKEY_MAP_EMPTY);
	ck_assert_uint_eq(hd.ncs, 0);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(writer_rejects)
{
	struct mikey_w w;
	struct mikey_hdr h;
	uint8_t *msg;
	size_t len;

	/* a payload before HDR */
	mikey_w_init(&w);
	mikey_t_put(&w, 1);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), SKM_ESTATE);
	ck_assert_ptr_null(msg);
	/* an empty map with sessions, a short RAND, a payload after SIGN */
	memset(&h, 0, sizeof(h));
	h.map_type = MIKEY_MAP_EMPTY;
	h.ncs = 1;
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), SKM_EINVAL);
	h.ncs = 0;
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	mikey_rand_put(&w, rnd, 15);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), SKM_ELEN);
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	mikey_sign_hdr_put(&w);
	mikey_t_put(&w, 1);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), SKM_ESTATE);
	mikey_w_init(&w);
	mikey_hdr_put(&w, &h);
	mikey_idr_put(&w, 1, 1, rnd, 0);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), SKM_ELEN);
}
END_TEST

/* H written at its minimal length: every length from R + 1 to R + 16 octets. */
START_TEST(sakke_short_h)
{
	uint8_t b[5 + SAKKE_SED_LEN], out[SAKKE_SED_LEN], want[SAKKE_SED_LEN];
	struct mikey_sakke s;
	size_t n, used;
	char why[128];

	fill();
	for (n = MIKEY_SAKKE_DATA_MIN; n <= SAKKE_SED_LEN; n++) {
		memcpy(b, "\x00\x01\x02", 3);
		b[3] = (uint8_t)(n >> 8);
		b[4] = (uint8_t)n;
		memcpy(b + 5, sed, n);
		ck_assert_int_eq(mikey_sakke_get(b, 5 + n, &s, &used, why, sizeof(why)), 0);
		ck_assert_uint_eq(used, 5 + n);
		ck_assert_uint_eq(s.len, n);
		memset(out, 0xee, sizeof(out));
		ck_assert_int_eq(mikey_sakke_sed(&s, out), 0);
		/* R as sent, then H right-aligned behind zeros */
		memset(want, 0, sizeof(want));
		memcpy(want, sed, SAKKE_POINT_LEN);
		memcpy(want + SAKKE_SED_LEN - (n - SAKKE_POINT_LEN), sed + SAKKE_POINT_LEN,
		    n - SAKKE_POINT_LEN);
		ck_assert_mem_eq(out, want, SAKKE_SED_LEN);
	}
	s.len = SAKKE_POINT_LEN;
	ck_assert_int_eq(mikey_sakke_sed(&s, out), SKM_ELEN);
	s.len = SAKKE_SED_LEN + 1;
	ck_assert_int_eq(mikey_sakke_sed(&s, out), SKM_ELEN);
}
END_TEST

/* A whole I_MESSAGE whose SAKKE payload carries 272 octets parses. */
START_TEST(imsg_short_h)
{
	struct mikey_w w;
	struct mikey_imsg m;
	uint8_t *msg;
	size_t len;
	char why[160];

	fill();
	mikey_w_init(&w);
	put_hdr(&w);
	mikey_t_put(&w, 0xec898da800000000ULL);
	mikey_rand_put(&w, rnd, sizeof(rnd));
	mikey_idr_put(&w, MIKEY_ROLE_I, MIKEY_IDT_URI, (const uint8_t *)GMS, strlen(GMS));
	mikey_idr_put(&w, MIKEY_ROLE_R, MIKEY_IDT_URI, (const uint8_t *)USER, strlen(USER));
	mikey_idr_put(&w, MIKEY_ROLE_KMSI, MIKEY_IDT_URI, (const uint8_t *)KMS, strlen(KMS));
	mikey_idr_put(&w, MIKEY_ROLE_KMSR, MIKEY_IDT_URI, (const uint8_t *)KMS, strlen(KMS));
	mikey_sakke_put(&w, 1, 2, sed, SAKKE_SED_LEN - 1);
	mikey_sign_hdr_put(&w);
	mikey_raw_put(&w, sig, sizeof(sig));
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), 0);
	ck_assert_msg(mikey_imsg_parse(msg, len, &m, why, sizeof(why)) == 0, "%s", why);
	ck_assert_uint_eq(m.sakke.len, SAKKE_SED_LEN - 1);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(payload_rejects)
{
	uint8_t b[400];
	struct mikey_hdr h;
	struct mikey_t t;
	struct mikey_rand r;
	struct mikey_idr idr;
	struct mikey_sp sp;
	struct mikey_sakke s;
	struct mikey_gext g;
	struct mikey_sign sg;
	size_t used;
	char why[128];

#define REJECT(call, reason) do {					\
		ck_assert_int_eq((call), SKM_EPARSE);			\
		ck_assert_msg(strstr(why, reason) != NULL, "%s", why);	\
	} while (0)
	memcpy(b, "\x01\x1a\x05\x01\x06\xa1\x2a\xea\x00\x01", 10);
	ck_assert_int_eq(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), 0);
	REJECT(mikey_hdr_get(b, 9, &h, &used, why, sizeof(why)), "shorter");
	b[0] = 2;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "version 2");
	b[0] = 1;
	b[1] = 27;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "data type 27");
	b[1] = 26;
	b[3] = 0x81;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "V flag");
	b[3] = 0x05;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "PRF function 5");
	b[3] = 0x01;
	b[9] = 0;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "map type 0");
	b[8] = 1;
	b[9] = 1;
	REJECT(mikey_hdr_get(b, 10, &h, &used, why, sizeof(why)), "empty CS ID map");
	b[9] = 2;
	memcpy(b + 10, "\x04\x00\x01\x00\x00\x00\x08\x0d\xf9\xbc\x39\x06\xa1\x2a\xea", 15);
	ck_assert_int_eq(mikey_hdr_get(b, 25, &h, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(used, 25);
	REJECT(mikey_hdr_get(b, 24, &h, &used, why, sizeof(why)), "SPI length 8");
	REJECT(mikey_hdr_get(b, 16, &h, &used, why, sizeof(why)), "session data length");
	REJECT(mikey_hdr_get(b, 15, &h, &used, why, sizeof(why)), "1 policies");
	REJECT(mikey_hdr_get(b, 12, &h, &used, why, sizeof(why)), "crypto session 1");
	b[8] = 9;
	REJECT(mikey_hdr_get(b, 25, &h, &used, why, sizeof(why)), "#CS 9");

	memcpy(b, "\x0b\x00\xec\x89\x8d\xa8\x00\x00\x00\x00", 10);
	ck_assert_int_eq(mikey_t_get(b, 10, &t, &used, why, sizeof(why)), 0);
	ck_assert_uint_eq(t.ts, 0xec898da800000000ULL);
	REJECT(mikey_t_get(b, 9, &t, &used, why, sizeof(why)), "runs past the end");
	b[1] = 2;
	REJECT(mikey_t_get(b, 10, &t, &used, why, sizeof(why)), "TS type 2 not supported");
	b[1] = 1;
	REJECT(mikey_t_get(b, 10, &t, &used, why, sizeof(why)), "TS type 1 not supported");

	b[0] = 0x0e;
	b[1] = 15;
	REJECT(mikey_rand_get(b, 40, &r, &used, why, sizeof(why)), "length 15, shorter");
	b[1] = 16;
	REJECT(mikey_rand_get(b, 17, &r, &used, why, sizeof(why)), "length 16 runs past");
	ck_assert_int_eq(mikey_rand_get(b, 18, &r, &used, why, sizeof(why)), 0);

	memcpy(b, "\x0e\x01\x01\x00\x28", 5);
	REJECT(mikey_idr_get(b, 44, &idr, &used, why, sizeof(why)),
	    "length 40 runs past the end");
	ck_assert_int_eq(mikey_idr_get(b, 45, &idr, &used, why, sizeof(why)), 0);
	REJECT(mikey_idr_get(b, 4, &idr, &used, why, sizeof(why)), "header runs past");
	b[1] = 3;
	REJECT(mikey_idr_get(b, 45, &idr, &used, why, sizeof(why)), "ID role 3");
	b[1] = 10;
	REJECT(mikey_idr_get(b, 45, &idr, &used, why, sizeof(why)), "ID role 10");
	b[1] = 9;
	b[2] = 0;
	REJECT(mikey_idr_get(b, 45, &idr, &used, why, sizeof(why)), "ID type 0");
	b[2] = 2;
	b[4] = 0;
	REJECT(mikey_idr_get(b, 45, &idr, &used, why, sizeof(why)), "empty ID");

	memcpy(b, "\x1a\x00\x00\x00\x06\x00\x01\x06\x01\x01\x10", 11);
	ck_assert_int_eq(mikey_sp_get(b, 11, &sp, &used, why, sizeof(why)), 0);
	b[10] = 0;
	b[9] = 2;
	REJECT(mikey_sp_get(b, 11, &sp, &used, why, sizeof(why)), "offset 3 runs past");
	REJECT(mikey_sp_get(b, 10, &sp, &used, why, sizeof(why)), "length 6 runs past");
	b[2] = 1;
	REJECT(mikey_sp_get(b, 11, &sp, &used, why, sizeof(why)), "protocol type 1");

	memset(b, 0, sizeof(b));
	memcpy(b, "\x15\x01\x02\x01\x11", 5);
	ck_assert_int_eq(mikey_sakke_get(b, 278, &s, &used, why, sizeof(why)), 0);
	REJECT(mikey_sakke_get(b, 277, &s, &used, why, sizeof(why)), "length 273 runs past");
	b[4] = 0x01;	/* 257: R alone */
	REJECT(mikey_sakke_get(b, 278, &s, &used, why, sizeof(why)),
	    "data length 257, expected 258 to 273 (R of 257 octets, H of 1 to 16)");
	b[4] = 0x12;	/* 274: H of 17 octets */
	REJECT(mikey_sakke_get(b, 279, &s, &used, why, sizeof(why)),
	    "data length 274, expected 258 to 273 (R of 257 octets, H of 1 to 16)");
	b[3] = 0;
	b[4] = 0;
	REJECT(mikey_sakke_get(b, 278, &s, &used, why, sizeof(why)), "data length 0,");
	b[3] = 1;
	b[4] = 0x11;
	b[2] = 1;
	REJECT(mikey_sakke_get(b, 278, &s, &used, why, sizeof(why)), "ID scheme 1");
	b[2] = 2;
	b[1] = 2;
	REJECT(mikey_sakke_get(b, 278, &s, &used, why, sizeof(why)), "parameter set 2");

	memcpy(b, "\x04\x07\x00\x05", 4);
	ck_assert_int_eq(mikey_gext_get(b, 9, &g, &used, why, sizeof(why)), 0);
	REJECT(mikey_gext_get(b, 8, &g, &used, why, sizeof(why)), "length 5 runs past");
	REJECT(mikey_gext_get(b, 3, &g, &used, why, sizeof(why)), "header runs past");

	b[0] = 0x20;
	b[1] = 0x81;
	ck_assert_int_eq(mikey_sign_get(b, 131, &sg, &used, why, sizeof(why)), 0);
	REJECT(mikey_sign_get(b, 130, &sg, &used, why, sizeof(why)), "signature runs past");
	b[0] = 0x10;
	REJECT(mikey_sign_get(b, 131, &sg, &used, why, sizeof(why)), "S type 1");
	b[0] = 0x20;
	b[1] = 0x80;
	REJECT(mikey_sign_get(b, 131, &sg, &used, why, sizeof(why)), "signature length 128");
#undef REJECT
}
END_TEST

START_TEST(imsg_parse_ok)
{
	struct mikey_imsg m;
	uint8_t *msg;
	size_t len;
	char why[256];

	fill();
	build_msg(P_ALL | P_SELF, 0, &msg, &len);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m.hdr.csb_id, 0x06a12aea);
	ck_assert_uint_eq(m.hdr.ncs, 1);
	ck_assert_uint_eq(m.hdr.cs[0].id, 4);
	ck_assert_uint_eq(m.hdr.cs[0].spilen, 8);
	ck_assert_uint_eq(m.ts, 0xec898da800000000ULL);
	ck_assert_uint_eq(m.randlen, 16);
	ck_assert_mem_eq(m.rand, rnd, 16);
	ck_assert_int_eq(mikey_idr_match(&m.idri, GMS, strlen(GMS), uid_i, 32), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, USER, strlen(USER), uid_r, 32), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, GMS, strlen(GMS), uid_i, 32),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(mikey_idr_match(&m.idrkmsi, KMS, strlen(KMS), NULL, 0), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrkmsr, KMS, strlen(KMS), NULL, 0), 0);
	ck_assert(m.has_sp);
	ck_assert_uint_eq(m.sp.plen, MIKEY_SP_GMK_LEN);
	ck_assert_mem_eq(m.sakke.data, sed, SAKKE_SED_LEN);
	ck_assert(m.has_self);
	ck_assert_mem_eq(m.self.data, sed, SAKKE_SED_LEN);
	ck_assert(m.has_kp);
	ck_assert_uint_eq(m.kp.len, 40);
	ck_assert_ptr_eq(m.sig, msg + len - ECCSI_SIG_LEN);
	ck_assert_uint_eq(m.signed_len, len - ECCSI_SIG_LEN);
	ck_assert_uint_eq(m.signed_len_nohdr, len - ECCSI_SIG_LEN - 2);
	OPENSSL_free(msg);

	/* the Streamwide shape: roles 8/9 with ID type 1, no SP, no extension */
	build_msg((P_ALL & ~(P_SP | P_KP)) | P_HIDE, 0, &msg, &len);
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	ck_assert_uint_eq(m.idri.role, MIKEY_ROLE_UIDI);
	ck_assert_uint_eq(m.idrr.role, MIKEY_ROLE_UIDR);
	ck_assert_int_eq(mikey_idr_match(&m.idri, GMS, strlen(GMS), uid_i, 32), 0);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, USER, strlen(USER), uid_i, 32),
	    SKM_ENOTFOUND);
	ck_assert_int_eq(mikey_idr_match(&m.idrr, USER, strlen(USER), uid_r, 32), 0);
	ck_assert(!m.has_sp);
	ck_assert(!m.has_kp);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(imsg_missing)
{
	static const struct {
		unsigned int drop;
		const char *reason;
	} cases[] = {
		{ P_T, "missing T payload" },
		{ P_RAND, "missing RAND payload" },
		{ P_IDRI, "missing IDRi or IDRuidi" },
		{ P_IDRR, "missing IDRr or IDRuidr" },
		{ P_KMSI, "missing IDRkmsi" },
		{ P_KMSR, "missing IDRkmsr" },
		{ P_SAKKE, "missing SAKKE payload" },
		{ P_SIGN, "ends without SIGN" },
	};
	uint8_t *msg;
	size_t len, i;

	fill();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_msg(P_ALL & ~cases[i].drop, 0, &msg, &len);
		expect_reject(msg, len, cases[i].reason);
		OPENSSL_free(msg);
		build_msg((P_ALL & ~cases[i].drop) | P_HIDE, 0, &msg, &len);
		expect_reject(msg, len, cases[i].reason);
		OPENSSL_free(msg);
	}
	/* the optional payloads may go */
	build_msg(P_ALL & ~(P_SP | P_KP), 0, &msg, &len);
	ck_assert_int_eq(parse_exact(msg, len, NULL, 0), 0);
	OPENSSL_free(msg);
}
END_TEST

START_TEST(imsg_duplicates)
{
	static const struct {
		unsigned int dup;
		const char *reason;
	} cases[] = {
		{ P_T, "T payload 12: duplicate" },
		{ P_RAND, "RAND payload 12: duplicate" },
		{ P_IDRI, "IDR payload 12: duplicate initiator" },
		{ P_IDRR, "IDR payload 12: duplicate responder" },
		{ P_KMSI, "IDR payload 12: duplicate IDRkmsi" },
		{ P_KMSR, "IDR payload 12: duplicate IDRkmsr" },
		{ P_SP, "SP payload 12: duplicate" },
		{ P_SAKKE, "SAKKE payload 12: duplicate" },
		{ P_KP, "general extension payload 12: duplicate key-parameters" },
		{ P_SELF, "general extension payload 12: duplicate SAKKE-to-self" },
	};
	struct mikey_w w;
	uint8_t *msg;
	size_t len, i;

	fill();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_msg(P_ALL | P_SELF, cases[i].dup, &msg, &len);
		expect_reject(msg, len, cases[i].reason);
		OPENSSL_free(msg);
	}
	/* IDRi and IDRuidi both name the initiator */
	mikey_w_init(&w);
	put_hdr(&w);
	mikey_idr_put(&w, MIKEY_ROLE_I, MIKEY_IDT_URI, (const uint8_t *)GMS, strlen(GMS));
	mikey_idr_put(&w, MIKEY_ROLE_UIDI, MIKEY_IDT_BYTES, uid_i, 32);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), 0);
	expect_reject(msg, len, "IDR payload 3: duplicate initiator ID (role 8)");
	OPENSSL_free(msg);
	/* a hidden identity is a UID */
	mikey_w_init(&w);
	put_hdr(&w);
	mikey_idr_put(&w, MIKEY_ROLE_UIDR, MIKEY_IDT_BYTES, uid_i, 31);
	ck_assert_int_eq(mikey_w_finish(&w, &msg, &len), 0);
	expect_reject(msg, len, "IDR payload 2: role 9 UID of 31 octets");
	OPENSSL_free(msg);
}
END_TEST

START_TEST(imsg_framing)
{
	struct mikey_imsg m;
	uint8_t *msg, *big;
	size_t len, cut, off;
	char why[256];

	fill();
	build_msg(P_ALL | P_SELF, 0, &msg, &len);
	/* every truncation is refused, reading only what is there */
	for (cut = 0; cut < len; cut++)
		ck_assert_int_eq(parse_exact(msg, cut, why, sizeof(why)), SKM_EPARSE);
	expect_reject(msg, 5, "HDR payload 1: 5 octets");
	expect_reject(msg, len - 1, "SIGN payload 12: signature runs past the end");

	/* trailing octets; a payload after SIGN is the same thing */
	big = OPENSSL_malloc(len + 10);
	memcpy(big, msg, len);
	memcpy(big + len, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 10);
	expect_reject(big, len + 1, "1 trailing octets after SIGN");
	expect_reject(big, len + 10, "10 trailing octets after SIGN");
	OPENSSL_free(big);

	/* an unknown next payload (KEMAC) after the T payload */
	ck_assert_int_eq(mikey_imsg_parse(msg, len, &m, why, sizeof(why)), 0);
	off = 25;	/* T follows the 25-octet HDR */
	ck_assert_uint_eq(msg[2], MIKEY_PT_T);
	msg[off] = 1;
	expect_reject(msg, len, "payload 3: type 1 not accepted");
	msg[off] = MIKEY_PT_RAND;
	/* the first IDR claims more than is left */
	off = 25 + 10 + 18;
	msg[off + 3] = 0xff;
	expect_reject(msg, len, "IDR payload 4: length 65");
	msg[off + 3] = 0;
	msg[off + 4] = 40;
	ck_assert_int_eq(parse_exact(msg, len, why, sizeof(why)), SKM_EPARSE);
	/* a T payload with a counter instead of NTP-UTC */
	msg[off + 4] = (uint8_t)strlen(GMS);
	msg[26] = 2;
	expect_reject(msg, len, "T payload 2: TS type 2 not supported");
	msg[26] = 0;
	ck_assert_int_eq(parse_exact(msg, len, why, sizeof(why)), 0);
	OPENSSL_free(msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mikey");
	TCase *tc = tcase_create("mikey");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, payload_round_trip);
	tcase_add_test(tc, writer_rejects);
	tcase_add_test(tc, payload_rejects);
	tcase_add_test(tc, sakke_short_h);
	tcase_add_test(tc, imsg_short_h);
	tcase_add_test(tc, imsg_parse_ok);
	tcase_add_test(tc, imsg_missing);
	tcase_add_test(tc, imsg_duplicates);
	tcase_add_test(tc, imsg_framing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
