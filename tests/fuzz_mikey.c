/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer harness for the MIKEY-SAKKE parsers ('make fuzz-mikey'): the
 * I_MESSAGE parser, the key-parameters decoder and the protected-payload
 * opener. Any input must parse or be refused with a reason, without a
 * crash, leak, over-read or undefined behaviour; what parses must point
 * inside the input, and decoded key parameters must encode and decode
 * back to the same values. Inputs starting with 0xff instead drive the
 * writer: a message built from the input's fields, then one octet
 * flipped, so the parser is reached past its first checks without a seed
 * corpus. Not part of make check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/mikey.h"
#include "lib/mikey_kp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	return p == NULL || (p >= data && n <= size && p - data <= (ptrdiff_t)(size - n));
}

static void
check_imsg(const struct mikey_imsg *m, const uint8_t *data, size_t size)
{
	const struct mikey_idr *idr[] = { &m->idri, &m->idrr, &m->idrkmsi, &m->idrkmsr };
	uint8_t sed[SAKKE_SED_LEN];
	size_t i;

	if (m->signed_len + ECCSI_SIG_LEN != size || m->sig != data + m->signed_len ||
	    m->signed_len_nohdr + MIKEY_SIGN_HDR_LEN != m->signed_len)
		abort();
	if (!inside(m->rand, m->randlen, data, size) ||
	    !inside(m->sakke.data, m->sakke.len, data, size) ||
	    m->sakke.len < MIKEY_SAKKE_DATA_MIN || m->sakke.len > SAKKE_SED_LEN)
		abort();
	/* whatever length parsed pads to a whole SED, its R as sent */
	if (mikey_sakke_sed(&m->sakke, sed) != 0 ||
	    memcmp(sed, m->sakke.data, SAKKE_POINT_LEN) != 0)
		abort();
	for (i = 0; i < 4; i++)
		if (idr[i]->data == NULL || !inside(idr[i]->data, idr[i]->len, data, size))
			abort();
	if (m->has_kp && !inside(m->kp.data, m->kp.len, data, size))
		abort();
	if (m->has_sp && !inside(m->sp.params, m->sp.plen, data, size))
		abort();
	for (i = 0; i < m->hdr.ncs; i++)
		if (!inside(m->hdr.cs[i].spi, m->hdr.cs[i].spilen, data, size) ||
		    !inside(m->hdr.cs[i].sess, m->hdr.cs[i].sesslen, data, size))
			abort();
}

static void
check_kp(const uint8_t *data, size_t size)
{
	struct mikey_kp kp, back;
	uint8_t *enc = NULL;
	size_t len = 0, i;
	char why[128];

	if (mikey_kp_decode(data, size, &kp, why, sizeof(why)) != 0) {
		if (why[0] == '\0')
			abort();
		mikey_kp_clear(&kp);
		return;
	}
	if (mikey_kp_encode(&kp, &enc, &len) != 0 ||
	    mikey_kp_decode(enc, len, &back, why, sizeof(why)) != 0)
		abort();
	if (back.key_type != kp.key_type || back.status != kp.status ||
	    back.activation != kp.activation || back.expiry != kp.expiry ||
	    back.ngroups != kp.ngroups || (kp.text == NULL) != (back.text == NULL) ||
	    (kp.text != NULL && strcmp(kp.text, back.text) != 0))
		abort();
	for (i = 0; i < kp.ngroups; i++)
		if (strcmp(kp.groups[i], back.groups[i]) != 0)
			abort();
	OPENSSL_free(enc);
	mikey_kp_clear(&back);
	mikey_kp_clear(&kp);
}

/* Takes n octets from the input, or zeros past its end. */
static const uint8_t *
take(const uint8_t **p, size_t *left, size_t n)
{
	static const uint8_t zero[SAKKE_SED_LEN + 8];
	const uint8_t *r = *left >= n ? *p : zero;

	if (*left >= n) {
		*p += n;
		*left -= n;
	}
	return r;
}

static void
built(const uint8_t *data, size_t size)
{
	static const uint8_t ps[1];
	struct mikey_w w;
	struct mikey_hdr h;
	struct mikey_sp sp;
	struct mikey_imsg m;
	const uint8_t *p = data, *f;
	uint8_t params[MIKEY_SP_GMK_LEN], *msg = NULL, *copy;
	size_t left = size, len = 0, at, sedlen;
	unsigned int flags;
	uint8_t idlen;
	char why[256];

	f = take(&p, &left, 6);
	flags = (unsigned int)f[0] << 8 | f[1];
	idlen = f[2] % 40 + 1;
	mikey_w_init(&w);
	memset(&h, 0, sizeof(h));
	h.data_type = MIKEY_DATA_SAKKE;
	h.prf = flags & 1;
	h.csb_id = (uint32_t)f[3] << 16 | f[4];
	h.map_type = (flags & 2) ? MIKEY_MAP_GENERIC : MIKEY_MAP_EMPTY;
	h.ncs = (flags & 2) ? 1 + f[5] % 3 : 0;
	for (at = 0; at < h.ncs; at++) {
		h.cs[at].id = (uint8_t)at;
		h.cs[at].ps = ps;
		h.cs[at].nps = 1;
		h.cs[at].spi = take(&p, &left, 8);
		h.cs[at].spilen = 8;
	}
	mikey_hdr_put(&w, &h);
	if (flags & 4)
		mikey_t_put(&w, 0x0102030405060708ULL);
	if (flags & 8)
		mikey_rand_put(&w, take(&p, &left, 16), 16);
	if (flags & 16)
		mikey_idr_put(&w, (flags & 0x4000) ? 8 : 1, 1, take(&p, &left, 40),
		    (flags & 0x4000) ? 32 : idlen);
	if (flags & 32)
		mikey_idr_put(&w, (flags & 0x4000) ? 9 : 2, 2, take(&p, &left, 40),
		    (flags & 0x4000) ? 32 : idlen);
	if (flags & 64)
		mikey_idr_put(&w, 6, 1, take(&p, &left, idlen), idlen);
	if (flags & 128)
		mikey_idr_put(&w, 7, 1, take(&p, &left, idlen), idlen);
	if (flags & 256) {
		memset(&sp, 0, sizeof(sp));
		sp.params = params;
		sp.plen = (uint16_t)mikey_sp_gmk_params(params);
		mikey_sp_put(&w, &sp);
	}
	/* H of 16 octets, or shorter as some senders write it (down to none) */
	sedlen = (flags & 0x1000) ? SAKKE_SED_LEN - 1 - f[2] % SAKKE_SSV_LEN : SAKKE_SED_LEN;
	if (flags & 512)
		mikey_sakke_put(&w, 1, 2, take(&p, &left, sedlen), sedlen);
	if (flags & 1024)
		mikey_gext_put(&w, (flags & 0x8000) ? 6 : 7, take(&p, &left, idlen), idlen);
	if (flags & 2048) {
		mikey_sign_hdr_put(&w);
		mikey_raw_put(&w, take(&p, &left, ECCSI_SIG_LEN), ECCSI_SIG_LEN);
	}
	if (mikey_w_finish(&w, &msg, &len) != 0)
		abort();
	/* one flipped octet (or none), and possibly a cut */
	f = take(&p, &left, 4);
	at = ((size_t)f[0] << 8 | f[1]) % (len + 1);
	if (at < len)
		msg[at] ^= f[2];
	if (f[3] & 1)
		len -= ((size_t)f[3] >> 1) % (len + 1);
	if ((copy = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(copy, msg, len);
	why[0] = '\0';
	if (mikey_imsg_parse(copy, len, &m, why, sizeof(why)) == 0)
		check_imsg(&m, copy, len);
	else if (why[0] == '\0')
		abort();
	free(copy);
	OPENSSL_free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t dpck[MIKEY_KP_KEY_LEN] = { 0x97, 0x68, 0x34, 0x09 };
	struct mikey_imsg m;
	uint8_t *pt = NULL;
	size_t ptlen = 0;
	uint32_t dppk;
	char why[256];

	if (size > 0 && data[0] == 0xff) {
		built(data + 1, size - 1);
		return 0;
	}
	why[0] = '\0';
	if (mikey_imsg_parse(data, size, &m, why, sizeof(why)) == 0)
		check_imsg(&m, data, size);
	else if (why[0] == '\0')
		abort();
	check_kp(data, size);
	/* take the DPPK-ID from the input so the header checks can pass */
	dppk = size >= 32 ? (uint32_t)data[28] << 24 | (uint32_t)data[29] << 16 |
	    (uint32_t)data[30] << 8 | data[31] : 0;
	if (mikey_kp_unseal(dpck, dppk, data, size, &pt, &ptlen, why, sizeof(why)) == 0)
		OPENSSL_clear_free(pt, ptlen + 1);
	return 0;
}
