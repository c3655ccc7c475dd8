/* SPDX-License-Identifier: ISC */
/*
 * The 3GPP key-parameters extension (src/lib/mikey_kp.c): the Streamwide
 * key-parameters vector from 3gpp.txt (DPCK, AES-128-GCM with the given
 * IV and header, the plaintext), encode/decode round trips, malformed
 * plaintexts and protected payloads, and tampering with every octet.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/kdf.h"
#include "lib/mikey_kp.h"
#include "testlib.h"

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const uint8_t *
get(const struct vec *v, const char *key, size_t want)
{
	size_t len;
	const uint8_t *p = vec_bytes(v, key, &len);

	ck_assert_uint_eq(len, want);
	return p;
}

/* The protected payload header of TS 33.180 8.5.4 as laid out in NOTES 4.4. */
static void
vector_header(const struct vec *v, uint8_t hdr[MIKEY_KP_HDR_LEN], size_t ctlen)
{
	const uint8_t *iv = get(v, "kp.IV", 16), *id = get(v, "kp.DPPK-ID", 4);
	uint64_t dt = vec_uint(v, "kp.datetime");
	int i;

	memset(hdr, 0, MIKEY_KP_HDR_LEN);
	hdr[0] = 0x43;
	for (i = 0; i < 5; i++)
		hdr[1 + i] = (uint8_t)(dt >> (32 - 8 * i));
	hdr[11] = 0x01;
	memcpy(hdr + 12, iv, 16);
	memcpy(hdr + 28, id, 4);
	hdr[32] = 0x00;
	hdr[33] = (uint8_t)(ctlen >> 8);
	hdr[34] = (uint8_t)ctlen;
}

START_TEST(kp_vector)
{
	struct vec *v = vec_load("3gpp.txt");
	const uint8_t *gmk = get(v, "guk.GMK", 16), *ct, *ptw;
	uint8_t dpck[16], *buf, *out, *pt;
	size_t ctlen, ptwlen, outlen, ptlen, enclen;
	uint32_t dppk = be32(get(v, "kp.DPPK-ID", 4));
	struct mikey_kp kp;
	char why[128];

	ck_assert_uint_eq(dppk, be32(get(v, "guk.GUK-ID", 4)));
	ck_assert_int_eq(kdf_dpck(gmk, dppk, dpck), 0);
	ck_assert_mem_eq(dpck, get(v, "dpck.DPCK", 16), 16);
	ct = vec_bytes(v, "kp.CT", &ctlen);
	ptw = vec_bytes(v, "kp.PT", &ptwlen);
	ck_assert_uint_eq(ptwlen, 20);
	ck_assert_uint_eq(ctlen, ptwlen + MIKEY_KP_TAG_LEN);

	buf = OPENSSL_malloc(MIKEY_KP_HDR_LEN + ctlen);
	vector_header(v, buf, ctlen);
	memcpy(buf + MIKEY_KP_HDR_LEN, ct, ctlen);
	ck_assert_int_eq(mikey_kp_unseal(dpck, dppk, buf, MIKEY_KP_HDR_LEN + ctlen, &pt,
	    &ptlen, why, sizeof(why)), 0);
	ck_assert_uint_eq(ptlen, ptwlen);
	ck_assert_mem_eq(pt, ptw, ptlen);

	/* the plaintext: GMK, not revoked, times from T, no text, no group */
	ck_assert_int_eq(mikey_kp_decode(pt, ptlen, &kp, why, sizeof(why)), 0);
	ck_assert_uint_eq(kp.key_type, MIKEY_KP_TYPE_GMK);
	ck_assert_uint_eq(kp.status, MIKEY_KP_STATUS_VALID);
	ck_assert_uint_eq(kp.activation, 0);
	ck_assert_uint_eq(kp.expiry, 0);
	ck_assert_ptr_null(kp.text);
	ck_assert_uint_eq(kp.ngroups, 0);
	OPENSSL_clear_free(pt, ptlen + 1);

	/* and back: the same plaintext, the same payload under the same IV */
	ck_assert_int_eq(mikey_kp_encode(&kp, &pt, &enclen), 0);
	ck_assert_uint_eq(enclen, ptwlen);
	ck_assert_mem_eq(pt, ptw, enclen);
	OPENSSL_free(pt);
	ck_assert_int_eq(mikey_kp_protect(&kp, gmk, dppk, vec_uint(v, "kp.datetime"),
	    get(v, "kp.IV", 16), &out, &outlen), 0);
	ck_assert_uint_eq(outlen, MIKEY_KP_HDR_LEN + ctlen);
	ck_assert_mem_eq(out, buf, outlen);
	OPENSSL_free(out);
	mikey_kp_clear(&kp);

	/* another DPPK-ID in the header is refused before decryption */
	ck_assert_int_eq(mikey_kp_unseal(dpck, dppk ^ 1, buf, MIKEY_KP_HDR_LEN + ctlen, &pt,
	    &ptlen, why, sizeof(why)), SKM_EPARSE);
	ck_assert_ptr_nonnull(strstr(why, "DPPK-ID 06a12aea is not the CSB ID 06a12aeb"));
	OPENSSL_free(buf);
	vec_free(v);
}
END_TEST

START_TEST(kp_round_trip)
{
	static char t[] = "Blue team", g1[] = "val-group-1@example.org", g2[] = "g2";
	struct mikey_kp kp, back;
	uint8_t *p;
	size_t len, i;
	char why[128];

	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = 3;
	kp.activation = 1767225600;
	kp.expiry = MIKEY_KP_TIME_MAX;
	kp.text = t;
	kp.groups[0] = g1;
	kp.groups[1] = g2;
	kp.ngroups = 2;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), 0);
	ck_assert_uint_eq(len, 17 + 9 + 3 + (3 + strlen(g1)) + (3 + 2));
	/* group IDs: length, count, then IEI length value each */
	ck_assert_uint_eq(p[26], 0);
	ck_assert_uint_eq(p[27], 1 + 3 + strlen(g1) + 3 + 2);
	ck_assert_uint_eq(p[28], 2);
	ck_assert_uint_eq(p[29], MIKEY_KP_GROUP_IEI);
	ck_assert_int_eq(mikey_kp_decode(p, len, &back, why, sizeof(why)), 0);
	ck_assert_uint_eq(back.key_type, 0);
	ck_assert_uint_eq(back.status, 3);
	ck_assert_uint_eq(back.activation, 1767225600);
	ck_assert_uint_eq(back.expiry, MIKEY_KP_TIME_MAX);
	ck_assert_str_eq(back.text, t);
	ck_assert_uint_eq(back.ngroups, 2);
	ck_assert_str_eq(back.groups[0], g1);
	ck_assert_str_eq(back.groups[1], g2);
	mikey_kp_clear(&back);
	ck_assert_ptr_null(back.text);
	/* any IEI is accepted on receipt */
	p[29] = 0x52;
	ck_assert_int_eq(mikey_kp_decode(p, len, &back, why, sizeof(why)), 0);
	ck_assert_str_eq(back.groups[0], g1);
	mikey_kp_clear(&back);
	OPENSSL_free(p);

	/* a CSK has no group-ID element */
	kp.key_type = MIKEY_KP_TYPE_CSK;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), SKM_EINVAL);
	kp.ngroups = 0;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), 0);
	ck_assert_uint_eq(len, 17 + 9);
	ck_assert_int_eq(mikey_kp_decode(p, len, &back, why, sizeof(why)), 0);
	ck_assert_uint_eq(back.key_type, MIKEY_KP_TYPE_CSK);
	ck_assert_uint_eq(back.ngroups, 0);
	mikey_kp_clear(&back);
	OPENSSL_free(p);

	/* the most groups there may be */
	kp.key_type = MIKEY_KP_TYPE_MUSIK;
	kp.text = NULL;
	for (i = 0; i < MIKEY_KP_GROUPS_MAX; i++)
		kp.groups[i] = g2;
	kp.ngroups = MIKEY_KP_GROUPS_MAX;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), 0);
	ck_assert_int_eq(mikey_kp_decode(p, len, &back, why, sizeof(why)), 0);
	ck_assert_uint_eq(back.ngroups, MIKEY_KP_GROUPS_MAX);
	ck_assert_str_eq(back.groups[MIKEY_KP_GROUPS_MAX - 1], g2);
	mikey_kp_clear(&back);
	OPENSSL_free(p);

	kp.ngroups = MIKEY_KP_GROUPS_MAX + 1;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), SKM_EINVAL);
	kp.ngroups = 1;
	kp.activation = MIKEY_KP_TIME_MAX + 1;
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), SKM_EINVAL);
	kp.activation = 0;
	kp.groups[0] = (char *)"";
	ck_assert_int_eq(mikey_kp_encode(&kp, &p, &len), SKM_EINVAL);
}
END_TEST

static void
decode_reject(const uint8_t *p, size_t len, const char *reason)
{
	struct mikey_kp kp;
	uint8_t *copy = malloc(len ? len : 1);
	char why[128];

	memcpy(copy, p, len);
	ck_assert_int_eq(mikey_kp_decode(copy, len, &kp, why, sizeof(why)), SKM_EPARSE);
	ck_assert_msg(strstr(why, reason) != NULL, "\"%s\" lacks \"%s\"", why, reason);
	mikey_kp_clear(&kp);
	free(copy);
}

START_TEST(kp_decode_rejects)
{
	/* GMK, text "ab", two groups "x" and "yz" */
	uint8_t p[] = { 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'b',
	    0, 10, 2, 0, 0, 1, 'x', 0, 0, 2, 'y', 'z' };
	uint8_t q[sizeof(p) + 1];
	struct mikey_kp kp;
	size_t cut;
	char why[128];

	ck_assert_int_eq(mikey_kp_decode(p, sizeof(p), &kp, why, sizeof(why)), 0);
	ck_assert_str_eq(kp.text, "ab");
	ck_assert_str_eq(kp.groups[1], "yz");
	mikey_kp_clear(&kp);
	/* every cut but the one before the optional group element fails */
	for (cut = 0; cut < sizeof(p); cut++) {
		if (cut == 19)
			continue;
		ck_assert_int_eq(mikey_kp_decode(p, cut, &kp, why, sizeof(why)), SKM_EPARSE);
		mikey_kp_clear(&kp);
	}
	ck_assert_int_eq(mikey_kp_decode(p, 19, &kp, why, sizeof(why)), 0);
	mikey_kp_clear(&kp);
	decode_reject(p, 16, "shorter than 17");
	decode_reject(p, 18, "text length 2 runs past");
	decode_reject(p, 21, "group IDs header");
	decode_reject(p, 25, "group IDs length 10 runs past");
	memcpy(q, p, sizeof(p));
	q[sizeof(p)] = 0;
	decode_reject(q, sizeof(q), "1 trailing octets");
	q[20] = 11;
	decode_reject(q, sizeof(q), "group IDs: 1 octets left over");
	q[20] = 10;
	q[18] = 0;
	decode_reject(q, sizeof(q), "text holds a NUL");
	memcpy(q, p, sizeof(p));
	q[21] = 17;
	decode_reject(q, sizeof(p), "17 group IDs");
	q[21] = 3;
	decode_reject(q, sizeof(p), "group ID 3 runs past");
	q[21] = 2;
	q[28] = 3;
	decode_reject(q, sizeof(p), "group ID 2: length 3 runs past");
	q[28] = 2;
	q[29] = 0;
	decode_reject(q, sizeof(p), "group ID 2 is empty or holds a NUL");
	/* a CSK carries nothing after its text */
	memcpy(q, p, sizeof(p));
	q[0] = MIKEY_KP_TYPE_CSK;
	decode_reject(q, sizeof(p), "12 trailing octets");
}
END_TEST

START_TEST(kp_tamper)
{
	static const uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct mikey_kp kp, back;
	struct mikey_imsg m;
	uint8_t *out, *pt, dpck[16];
	size_t outlen, ptlen, i;
	int err;
	char why[128];

	ck_assert_int_eq(kdf_dpck(key, 0x01234567, dpck), 0);
	memset(&kp, 0, sizeof(kp));
	kp.key_type = MIKEY_KP_TYPE_GMK;
	kp.status = 1;
	kp.text = (char *)"t";
	ck_assert_int_eq(mikey_kp_protect(&kp, key, 0x01234567, 0xabcdef, NULL, &out,
	    &outlen), 0);
	ck_assert_uint_eq(out[0], 0x43);
	ck_assert_uint_eq(out[5], 0xef);
	ck_assert_uint_eq(out[11], 1);
	ck_assert_uint_eq(be32(out + 28), 0x01234567);

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(mikey_kp_open(&m, key, &back), SKM_ENOTFOUND);
	m.has_kp = 1;
	m.kp.type = MIKEY_GEXT_KEY_PARAMS;
	m.kp.data = out;
	m.kp.len = (uint16_t)outlen;
	m.hdr.csb_id = 0x01234567;
	ck_assert_int_eq(mikey_kp_open(&m, key, &back), 0);
	ck_assert_str_eq(back.text, "t");
	ck_assert_uint_eq(back.status, 1);
	mikey_kp_clear(&back);
	m.hdr.csb_id ^= 0x10;
	ck_assert_int_eq(mikey_kp_open(&m, key, &back), SKM_EPARSE);
	m.hdr.csb_id ^= 0x10;

	/* every octet matters, except the payload IEI which any value may take */
	for (i = 0; i < outlen; i++) {
		out[i] ^= 0x01;
		err = mikey_kp_unseal(dpck, 0x01234567, out, outlen, &pt, &ptlen, why,
		    sizeof(why));
		if (i == 32) {
			ck_assert_int_eq(err, 0);
			OPENSSL_clear_free(pt, ptlen + 1);
		} else if (i == 0 || i == 11 || (i >= 28 && i < 35)) {
			ck_assert_int_eq(err, SKM_EPARSE);
		} else {
			ck_assert_msg(err == SKM_EVERIFY, "octet %zu: %d", i, err);
			ck_assert_ptr_null(pt);
		}
		out[i] ^= 0x01;
	}
	/* a wrong key fails the tag */
	ck_assert_int_eq(mikey_kp_open(&m, (const uint8_t *)"0123456789abcdef", &back),
	    SKM_EVERIFY);
	ck_assert_int_eq(mikey_kp_unseal(dpck, 0x01234567, out, MIKEY_KP_HDR_LEN + 15, &pt,
	    &ptlen, why, sizeof(why)), SKM_EPARSE);
	ck_assert_ptr_nonnull(strstr(why, "shorter than 51"));
	OPENSSL_free(out);
	ck_assert_int_eq(mikey_kp_seal(key, 1, MIKEY_KP_TIME_MAX + 1, NULL,
	    (const uint8_t *)"x", 1, &out, &outlen), SKM_EINVAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mikey_kp");
	TCase *tc = tcase_create("mikey_kp");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, kp_vector);
	tcase_add_test(tc, kp_round_trip);
	tcase_add_test(tc, kp_decode_rejects);
	tcase_add_test(tc, kp_tamper);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
