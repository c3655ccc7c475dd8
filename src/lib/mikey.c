/* SPDX-License-Identifier: ISC */
/*
 * MIKEY-SAKKE payload encoders and decoders and the I_MESSAGE parser
 * (RFC 3830 6, RFC 6043 6, RFC 6509 4, TS 33.180 E.1). Decoders read only
 * within the length they are given and name the defect they refuse; they
 * hold no keys and allocate nothing. The IDR decoder and matcher are in
 * mikey_idr.c. The signature check delegates to eccsi_verify; nothing here
 * logs.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "lib/mikey.h"
#include "lib/uid.h"

#define W_CAP0		1024
#define SIGN_HDR0	((MIKEY_SIGN_ECCSI << 4) | (ECCSI_SIG_LEN >> 8))
#define SIGN_HDR1	(ECCSI_SIG_LEN & 0xff)

/* Every refusal of a decoder here is a parse error naming the defect. */
#define fail(why, whylen, ...)	skm_why(why, whylen, SKM_EPARSE, __VA_ARGS__)

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writer */

void
mikey_w_init(struct mikey_w *w)
{
	memset(w, 0, sizeof(*w));
}

void
mikey_w_free(struct mikey_w *w)
{
	OPENSSL_free(w->p);
	memset(w, 0, sizeof(*w));
}

int
mikey_w_finish(struct mikey_w *w, uint8_t **msg, size_t *len)
{
	int err = w->err;

	*msg = NULL;
	*len = 0;
	if (err != 0) {
		mikey_w_free(w);
		return err;
	}
	*msg = w->p;
	*len = w->len;
	memset(w, 0, sizeof(*w));
	return 0;
}

static uint8_t *
w_grow(struct mikey_w *w, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (w->err != 0)
		return NULL;
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = SKM_ELEN;
		return NULL;
	}
	if (w->len + n > w->cap) {
		cap = w->cap == 0 ? W_CAP0 : w->cap;
		while (cap < w->len + n)
			cap *= 2;
		if ((p = OPENSSL_realloc(w->p, cap)) == NULL) {
			w->err = SKM_ENOMEM;
			return NULL;
		}
		w->p = p;
		w->cap = cap;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

/*
 * Starts a payload of type: its type goes into the next-payload octet of
 * the previous payload (RFC 3830 6: each payload names its successor),
 * and this payload's own next-payload octet, at offset 0, becomes pending.
 */
static uint8_t *
w_payload(struct mikey_w *w, uint8_t type, size_t n)
{
	uint8_t *p;

	if (w->err == 0 && !w->have_next) {
		w->err = SKM_ESTATE;	/* HDR first, nothing after SIGN */
		return NULL;
	}
	if ((p = w_grow(w, n)) == NULL)
		return NULL;
	w->p[w->next_at] = type;
	w->next_at = (size_t)(p - w->p);
	p[0] = MIKEY_PT_LAST;
	return p;
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int
w_check(struct mikey_w *w, int ok, int err)
{
	if (!ok && w->err == 0)
		w->err = err;
	return ok && w->err == 0;
}

/* IDR (RFC 6043 6.6), SP (RFC 3830 6.10) and SAKKE (RFC 6509 4.2) share this shape. */
static void
w_payload_data(struct mikey_w *w, uint8_t type, uint8_t a, uint8_t b, const uint8_t *data,
    size_t len)
{
	uint8_t *p;

	if (!w_check(w, len <= 0xffff, SKM_ELEN))
		return;
	if ((p = w_payload(w, type, 5 + len)) == NULL)
		return;
	p[1] = a;
	p[2] = b;
	put16(p + 3, len);
	if (len > 0)
		memcpy(p + 5, data, len);
}

void
mikey_hdr_put(struct mikey_w *w, const struct mikey_hdr *h)
{
	size_t n = 10, i;
	uint8_t *p;

	if (!w_check(w, w->len == 0 && !w->have_next, SKM_ESTATE))
		return;
	if (!w_check(w, h->v <= 1 && h->prf <= 0x7f, SKM_EINVAL))
		return;
	if (h->map_type == MIKEY_MAP_EMPTY) {
		if (!w_check(w, h->ncs == 0, SKM_EINVAL))
			return;
	} else if (!w_check(w, h->map_type == MIKEY_MAP_GENERIC && h->ncs <= MIKEY_CS_MAX,
	    SKM_EINVAL))
		return;
	for (i = 0; h->map_type == MIKEY_MAP_GENERIC && i < h->ncs; i++) {
		if (!w_check(w, h->cs[i].nps <= 0x7f && h->cs[i].s <= 1, SKM_EINVAL))
			return;
		n += 3 + h->cs[i].nps + 2 + h->cs[i].sesslen + 1 + h->cs[i].spilen;
	}
	if ((p = w_grow(w, n)) == NULL)
		return;
	/* RFC 3830 6.1 */
	p[0] = MIKEY_VERSION;
	p[1] = h->data_type;
	p[2] = MIKEY_PT_LAST;
	p[3] = (uint8_t)(h->v << 7 | h->prf);
	put32(p + 4, h->csb_id);
	p[8] = h->ncs;
	p[9] = h->map_type;
	p += 10;
	for (i = 0; h->map_type == MIKEY_MAP_GENERIC && i < h->ncs; i++) {
		const struct mikey_cs *cs = &h->cs[i];

		/* RFC 6043 6.1.1 */
		*p++ = cs->id;
		*p++ = cs->prot;
		*p++ = (uint8_t)(cs->s << 7 | cs->nps);
		if (cs->nps > 0)
			memcpy(p, cs->ps, cs->nps);
		p += cs->nps;
		put16(p, cs->sesslen);
		p += 2;
		if (cs->sesslen > 0)
			memcpy(p, cs->sess, cs->sesslen);
		p += cs->sesslen;
		*p++ = cs->spilen;
		if (cs->spilen > 0)
			memcpy(p, cs->spi, cs->spilen);
		p += cs->spilen;
	}
	w->next_at = 2;
	w->have_next = 1;
}

void
mikey_t_put(struct mikey_w *w, uint64_t ntp_ts)
{
	uint8_t *p;
	int i;

	if ((p = w_payload(w, MIKEY_PT_T, 10)) == NULL)
		return;
	p[1] = MIKEY_TS_NTP_UTC;
	for (i = 0; i < 8; i++)
		p[2 + i] = (uint8_t)(ntp_ts >> (56 - 8 * i));
}

void
mikey_rand_put(struct mikey_w *w, const uint8_t *rand, size_t len)
{
	uint8_t *p;

	if (!w_check(w, len >= MIKEY_RAND_MIN && len <= 0xff, SKM_ELEN))
		return;
	if ((p = w_payload(w, MIKEY_PT_RAND, 2 + len)) == NULL)
		return;
	p[1] = (uint8_t)len;
	memcpy(p + 2, rand, len);
}

void
mikey_idr_put(struct mikey_w *w, uint8_t role, uint8_t type, const uint8_t *data,
    size_t len)
{
	if (w_check(w, len > 0, SKM_ELEN))
		w_payload_data(w, MIKEY_PT_IDR, role, type, data, len);
}

void
mikey_sp_put(struct mikey_w *w, const struct mikey_sp *sp)
{
	w_payload_data(w, MIKEY_PT_SP, sp->policy_no, sp->prot, sp->params, sp->plen);
}

void
mikey_sakke_put(struct mikey_w *w, uint8_t params, uint8_t scheme, const uint8_t *data,
    size_t len)
{
	w_payload_data(w, MIKEY_PT_SAKKE, params, scheme, data, len);
}

void
mikey_gext_put(struct mikey_w *w, uint8_t type, const uint8_t *data, size_t len)
{
	uint8_t *p;

	if (!w_check(w, len <= 0xffff, SKM_ELEN))
		return;
	if ((p = w_payload(w, MIKEY_PT_GEXT, 4 + len)) == NULL)
		return;
	/* RFC 3830 6.15 */
	p[1] = type;
	put16(p + 2, len);
	if (len > 0)
		memcpy(p + 4, data, len);
}

void
mikey_sign_hdr_put(struct mikey_w *w)
{
	uint8_t *p;

	if (!w_check(w, w->have_next, SKM_ESTATE))
		return;
	if ((p = w_grow(w, MIKEY_SIGN_HDR_LEN)) == NULL)
		return;
	/* RFC 3830 6.5: S type (4 bits) | signature length (12 bits); no next payload */
	w->p[w->next_at] = MIKEY_PT_SIGN;
	w->have_next = 0;
	p[0] = SIGN_HDR0;
	p[1] = SIGN_HDR1;
}

void
mikey_raw_put(struct mikey_w *w, const uint8_t *data, size_t len)
{
	uint8_t *p;

	if ((p = w_grow(w, len)) != NULL && len > 0)
		memcpy(p, data, len);
}

/* TS 33.179 Table E.2-1, the default GMK SRTP profile (RFC 3830 6.10.1 types). */
static const struct {
	uint8_t type;
	uint8_t value;
} sp_gmk[] = {
	{ 0, 6 },	/* encryption algorithm: AES-GCM */
	{ 1, 16 },	/* session encryption key length */
	{ 2, 4 },	/* authentication algorithm: RCCm3 */
	{ 4, 12 },	/* session salt key length */
	{ 5, 0 },	/* SRTP PRF: AES-CM */
	{ 6, 0 },	/* key derivation rate */
	{ 13, 1 },	/* ROC transmission rate (RFC 4771): every packet */
	{ 18, 4 },	/* SRTP authentication tag length (carries the ROC) */
	{ 19, 0 },	/* SRTCP authentication tag length */
	{ 20, 16 },	/* AEAD authentication tag length */
};

size_t
mikey_sp_gmk_params(uint8_t out[MIKEY_SP_GMK_LEN])
{
	size_t i, n = 0;

	for (i = 0; i < sizeof(sp_gmk) / sizeof(sp_gmk[0]); i++) {
		out[n++] = sp_gmk[i].type;
		out[n++] = 1;
		out[n++] = sp_gmk[i].value;
	}
	return n;
}

int
mikey_sp_param(const struct mikey_sp *sp, uint8_t type, const uint8_t **val,
    uint8_t *vlen)
{
	size_t off = 0;

	while (off + 2 <= sp->plen && off + 2 + sp->params[off + 1] <= sp->plen) {
		if (sp->params[off] == type) {
			*val = sp->params + off + 2;
			*vlen = sp->params[off + 1];
			return 0;
		}
		off += 2 + (size_t)sp->params[off + 1];
	}
	return SKM_ENOTFOUND;
}

/* Decoders */

/* The data after a hdr-octet payload header, n octets that must fit in len. */
static int
get_body(const uint8_t *p, size_t len, size_t hdr, size_t n, const uint8_t **data,
    size_t *used, char *why, size_t whylen)
{
	if (len - hdr < n)
		return fail(why, whylen, "length %zu runs past the end", n);
	*data = p + hdr;
	*used = hdr + n;
	return 0;
}

int
mikey_hdr_get(const uint8_t *p, size_t len, struct mikey_hdr *h, size_t *used,
    char *why, size_t whylen)
{
	size_t off = 10, i;

	memset(h, 0, sizeof(*h));
	*used = 0;
	if (len < 10)
		return fail(why, whylen, "%zu octets, shorter than the fixed 10", len);
	if (p[0] != MIKEY_VERSION)
		return fail(why, whylen, "version %u, expected 1", p[0]);
	h->data_type = p[1];
	h->next = p[2];
	h->v = p[3] >> 7;
	h->prf = p[3] & 0x7f;
	h->csb_id = get32(p + 4);
	h->ncs = p[8];
	h->map_type = p[9];
	if (h->data_type != MIKEY_DATA_SAKKE)
		return fail(why, whylen, "data type %u, expected 26 (SAKKE)", h->data_type);
	/* RFC 6509 4: no verification message is returned for an I_MESSAGE */
	if (h->v != 0)
		return fail(why, whylen, "V flag set");
	if (h->prf > MIKEY_PRF_HMAC_SHA256)
		return fail(why, whylen, "PRF function %u unknown", h->prf);
	if (h->map_type == MIKEY_MAP_EMPTY) {
		if (h->ncs != 0)
			return fail(why, whylen, "empty CS ID map with #CS %u", h->ncs);
		*used = off;
		return 0;
	}
	if (h->map_type != MIKEY_MAP_GENERIC)
		return fail(why, whylen, "CS ID map type %u not supported", h->map_type);
	if (h->ncs > MIKEY_CS_MAX)
		return fail(why, whylen, "#CS %u, more than %d", h->ncs, MIKEY_CS_MAX);
	for (i = 0; i < h->ncs; i++) {
		struct mikey_cs *cs = &h->cs[i];

		if (len - off < 3)
			return fail(why, whylen, "crypto session %zu runs past the end", i + 1);
		cs->id = p[off];
		cs->prot = p[off + 1];
		cs->s = p[off + 2] >> 7;
		cs->nps = p[off + 2] & 0x7f;
		off += 3;
		if (len - off < (size_t)cs->nps + 2)
			return fail(why, whylen, "crypto session %zu: %u policies run past the end",
			    i + 1, cs->nps);
		cs->ps = p + off;
		off += cs->nps;
		cs->sesslen = get16(p + off);
		off += 2;
		if (len - off < (size_t)cs->sesslen + 1)
			return fail(why, whylen,
			    "crypto session %zu: session data length %u runs past the end",
			    i + 1, cs->sesslen);
		cs->sess = p + off;
		off += cs->sesslen;
		cs->spilen = p[off++];
		if (len - off < cs->spilen)
			return fail(why, whylen,
			    "crypto session %zu: SPI length %u runs past the end", i + 1,
			    cs->spilen);
		cs->spi = p + off;
		off += cs->spilen;
	}
	*used = off;
	return 0;
}

int
mikey_t_get(const uint8_t *p, size_t len, struct mikey_t *t, size_t *used, char *why,
    size_t whylen)
{
	int i;

	memset(t, 0, sizeof(*t));
	*used = 0;
	if (len < 2)
		return fail(why, whylen, "header runs past the end");
	t->next = p[0];
	/* RFC 3830 6.6; TS 33.179 E.1.1: NTP-UTC only */
	if (p[1] != MIKEY_TS_NTP_UTC)
		return fail(why, whylen, "TS type %u not supported (only 0, NTP-UTC)", p[1]);
	if (len < 10)
		return fail(why, whylen, "NTP-UTC timestamp runs past the end");
	for (i = 0; i < 8; i++)
		t->ts = t->ts << 8 | p[2 + i];
	*used = 10;
	return 0;
}

int
mikey_rand_get(const uint8_t *p, size_t len, struct mikey_rand *r, size_t *used,
    char *why, size_t whylen)
{
	memset(r, 0, sizeof(*r));
	*used = 0;
	if (len < 2)
		return fail(why, whylen, "header runs past the end");
	r->next = p[0];
	r->len = p[1];
	if (r->len < MIKEY_RAND_MIN)
		return fail(why, whylen, "length %u, shorter than %d", r->len, MIKEY_RAND_MIN);
	return get_body(p, len, 2, r->len, &r->p, used, why, whylen);
}

int
mikey_sp_get(const uint8_t *p, size_t len, struct mikey_sp *sp, size_t *used, char *why,
    size_t whylen)
{
	size_t off;

	memset(sp, 0, sizeof(*sp));
	*used = 0;
	if (len < 5)
		return fail(why, whylen, "header runs past the end");
	sp->next = p[0];
	sp->policy_no = p[1];
	sp->prot = p[2];
	sp->plen = get16(p + 3);
	if (sp->prot != MIKEY_SP_SRTP)
		return fail(why, whylen, "protocol type %u not supported (only 0, SRTP)",
		    sp->prot);
	if (len - 5 < sp->plen)
		return fail(why, whylen, "length %u runs past the end", sp->plen);
	sp->params = p + 5;
	for (off = 0; off < sp->plen; off += 2 + (size_t)sp->params[off + 1]) {
		if (sp->plen - off < 2 || sp->plen - off - 2 < sp->params[off + 1])
			return fail(why, whylen, "parameter at offset %zu runs past the end", off);
	}
	*used = 5 + (size_t)sp->plen;
	return 0;
}

int
mikey_sakke_get(const uint8_t *p, size_t len, struct mikey_sakke *s, size_t *used,
    char *why, size_t whylen)
{
	memset(s, 0, sizeof(*s));
	*used = 0;
	if (len < 5)
		return fail(why, whylen, "header runs past the end");
	s->next = p[0];
	s->params = p[1];
	s->scheme = p[2];
	s->len = get16(p + 3);
	if (s->params != MIKEY_SAKKE_PARAMS_1)
		return fail(why, whylen, "SAKKE parameter set %u not supported (only 1)",
		    s->params);
	if (s->scheme != MIKEY_SAKKE_SCHEME_UID)
		return fail(why, whylen, "ID scheme %u not supported (only 2, hashed UID)",
		    s->scheme);
	/* R_(b,S) whole, H of 1 to 16 octets (see MIKEY_SAKKE_DATA_MIN) */
	if (s->len < MIKEY_SAKKE_DATA_MIN || s->len > SAKKE_SED_LEN)
		return fail(why, whylen, "data length %u, expected %d to %d (R of %d "
		    "octets, H of 1 to %d)", s->len, MIKEY_SAKKE_DATA_MIN, SAKKE_SED_LEN,
		    SAKKE_POINT_LEN, SAKKE_SSV_LEN);
	return get_body(p, len, 5, s->len, &s->data, used, why, whylen);
}

int
mikey_sakke_sed(const struct mikey_sakke *s, uint8_t sed[SAKKE_SED_LEN])
{
	size_t pad;

	if (s->data == NULL || s->len < MIKEY_SAKKE_DATA_MIN || s->len > SAKKE_SED_LEN)
		return SKM_ELEN;
	pad = SAKKE_SED_LEN - (size_t)s->len;
	memcpy(sed, s->data, SAKKE_POINT_LEN);
	memset(sed + SAKKE_POINT_LEN, 0, pad);
	memcpy(sed + SAKKE_POINT_LEN + pad, s->data + SAKKE_POINT_LEN,
	    (size_t)s->len - SAKKE_POINT_LEN);
	return 0;
}

int
mikey_gext_get(const uint8_t *p, size_t len, struct mikey_gext *g, size_t *used,
    char *why, size_t whylen)
{
	memset(g, 0, sizeof(*g));
	*used = 0;
	if (len < 4)
		return fail(why, whylen, "header runs past the end");
	g->next = p[0];
	g->type = p[1];
	g->len = get16(p + 2);
	return get_body(p, len, 4, g->len, &g->data, used, why, whylen);
}

int
mikey_sign_get(const uint8_t *p, size_t len, struct mikey_sign *s, size_t *used,
    char *why, size_t whylen)
{
	memset(s, 0, sizeof(*s));
	*used = 0;
	if (len < MIKEY_SIGN_HDR_LEN)
		return fail(why, whylen, "header runs past the end");
	s->type = p[0] >> 4;
	s->len = (uint16_t)((p[0] & 0x0f) << 8 | p[1]);
	if (s->type != MIKEY_SIGN_ECCSI)
		return fail(why, whylen, "S type %u, expected 2 (ECCSI)", s->type);
	if (s->len != ECCSI_SIG_LEN)
		return fail(why, whylen, "signature length %u, expected %d", s->len,
		    ECCSI_SIG_LEN);
	if (len - MIKEY_SIGN_HDR_LEN < s->len)
		return fail(why, whylen, "signature runs past the end");
	s->sig = p + MIKEY_SIGN_HDR_LEN;
	*used = MIKEY_SIGN_HDR_LEN + (size_t)s->len;
	return 0;
}

/* The I_MESSAGE */

static const char *
pt_name(uint8_t type)
{
	switch (type) {
	case MIKEY_PT_SIGN:	return "SIGN";
	case MIKEY_PT_T:	return "T";
	case MIKEY_PT_SP:	return "SP";
	case MIKEY_PT_RAND:	return "RAND";
	case MIKEY_PT_IDR:	return "IDR";
	case MIKEY_PT_GEXT:	return "general extension";
	case MIKEY_PT_SAKKE:	return "SAKKE";
	default:		return "unknown";
	}
}

static int
imsg_idr(struct mikey_imsg *m, const struct mikey_idr *idr, char *why, size_t whylen)
{
	struct mikey_idr *slot;
	const char *name;

	switch (idr->role) {
	case MIKEY_ROLE_I:
	case MIKEY_ROLE_UIDI:
		slot = &m->idri;
		name = "initiator";
		break;
	case MIKEY_ROLE_R:
	case MIKEY_ROLE_UIDR:
		slot = &m->idrr;
		name = "responder";
		break;
	case MIKEY_ROLE_KMSI:
		slot = &m->idrkmsi;
		name = "IDRkmsi";
		break;
	default:
		slot = &m->idrkmsr;
		name = "IDRkmsr";
		break;
	}
	if (slot->data != NULL)
		return fail(why, whylen, "duplicate %s ID (role %u)", name, idr->role);
	/* TS 33.180 E.7: a hidden identity is the 32-octet UID */
	if ((idr->role == MIKEY_ROLE_UIDI || idr->role == MIKEY_ROLE_UIDR) &&
	    idr->len != UID_LEN)
		return fail(why, whylen, "role %u UID of %u octets, expected %d", idr->role,
		    idr->len, UID_LEN);
	*slot = *idr;
	return 0;
}

static int
imsg_gext(struct mikey_imsg *m, const struct mikey_gext *g, char *why, size_t whylen)
{
	size_t used;
	char sub[160];
	int err;

	switch (g->type) {
	case MIKEY_GEXT_SAKKE_SELF:
		if (m->has_self)
			return fail(why, whylen, "duplicate SAKKE-to-self extension");
		/* TS 33.180 E.5: a whole SAKKE payload, its next-payload octet ignored */
		if ((err = mikey_sakke_get(g->data, g->len, &m->self, &used, sub,
		    sizeof(sub))) != 0)
			return fail(why, whylen, "SAKKE-to-self: %s", sub);
		if (used != g->len)
			return fail(why, whylen, "SAKKE-to-self: %zu trailing octets",
			    g->len - used);
		m->has_self = 1;
		return 0;
	case MIKEY_GEXT_KEY_PARAMS:
		if (m->has_kp)
			return fail(why, whylen, "duplicate key-parameters extension");
		m->kp = *g;
		m->has_kp = 1;
		return 0;
	default:
		/* RFC 3830 6.15: other extensions carry nothing this profile uses */
		return 0;
	}
}

int
mikey_imsg_parse(const uint8_t *msg, size_t len, struct mikey_imsg *m, char *why,
    size_t whylen)
{
	struct mikey_t t;
	struct mikey_rand r;
	struct mikey_idr idr;
	struct mikey_sp sp;
	struct mikey_sakke sk;
	struct mikey_gext g;
	struct mikey_sign sg;
	char sub[160];
	size_t off, used;
	unsigned int n = 1;
	uint8_t type, cur;
	int have_t = 0, err;

	memset(m, 0, sizeof(*m));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((err = mikey_hdr_get(msg, len, &m->hdr, &used, sub, sizeof(sub))) != 0)
		return fail(why, whylen, "HDR payload 1: %s", sub);
	off = used;
	type = m->hdr.next;
	while (type != MIKEY_PT_SIGN) {
		n++;
		if (type == MIKEY_PT_LAST)
			return fail(why, whylen, "payload %u: the message ends without SIGN", n);
		switch ((cur = type)) {
		case MIKEY_PT_T:
			if ((err = mikey_t_get(msg + off, len - off, &t, &used, sub,
			    sizeof(sub))) == 0 && have_t)
				err = fail(sub, sizeof(sub), "duplicate");
			m->ts = t.ts;
			have_t = 1;
			type = t.next;
			break;
		case MIKEY_PT_RAND:
			if ((err = mikey_rand_get(msg + off, len - off, &r, &used, sub,
			    sizeof(sub))) == 0 && m->rand != NULL)
				err = fail(sub, sizeof(sub), "duplicate");
			m->rand = r.p;
			m->randlen = r.len;
			type = r.next;
			break;
		case MIKEY_PT_IDR:
			if ((err = mikey_idr_get(msg + off, len - off, &idr, &used, sub,
			    sizeof(sub))) == 0)
				err = imsg_idr(m, &idr, sub, sizeof(sub));
			type = idr.next;
			break;
		case MIKEY_PT_SP:
			if ((err = mikey_sp_get(msg + off, len - off, &sp, &used, sub,
			    sizeof(sub))) == 0 && m->has_sp)
				err = fail(sub, sizeof(sub), "duplicate");
			m->sp = sp;
			m->has_sp = 1;
			type = sp.next;
			break;
		case MIKEY_PT_SAKKE:
			if ((err = mikey_sakke_get(msg + off, len - off, &sk, &used, sub,
			    sizeof(sub))) == 0 && m->sakke.data != NULL)
				err = fail(sub, sizeof(sub), "duplicate");
			m->sakke = sk;
			type = sk.next;
			break;
		case MIKEY_PT_GEXT:
			if ((err = mikey_gext_get(msg + off, len - off, &g, &used, sub,
			    sizeof(sub))) == 0)
				err = imsg_gext(m, &g, sub, sizeof(sub));
			type = g.next;
			break;
		default:
			return fail(why, whylen, "payload %u: type %u not accepted", n, type);
		}
		if (err != 0)
			return fail(why, whylen, "%s payload %u: %s", pt_name(cur), n, sub);
		off += used;
	}
	n++;
	if ((err = mikey_sign_get(msg + off, len - off, &sg, &used, sub, sizeof(sub))) != 0)
		return fail(why, whylen, "SIGN payload %u: %s", n, sub);
	m->sig = sg.sig;
	m->signed_len = off + MIKEY_SIGN_HDR_LEN;
	m->signed_len_nohdr = off;
	off += used;
	if (off != len)
		return fail(why, whylen, "%zu trailing octets after SIGN", len - off);
	if (!have_t)
		return fail(why, whylen, "missing T payload");
	if (m->rand == NULL)
		return fail(why, whylen, "missing RAND payload");
	if (m->idri.data == NULL)
		return fail(why, whylen, "missing IDRi or IDRuidi payload");
	if (m->idrr.data == NULL)
		return fail(why, whylen, "missing IDRr or IDRuidr payload");
	if (m->idrkmsi.data == NULL)
		return fail(why, whylen, "missing IDRkmsi payload");
	if (m->idrkmsr.data == NULL)
		return fail(why, whylen, "missing IDRkmsr payload");
	if (m->sakke.data == NULL)
		return fail(why, whylen, "missing SAKKE payload");
	m->msg = msg;
	m->len = len;
	return 0;
}

int
mikey_imsg_verify(const struct mikey_imsg *m, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t *iuid, size_t iuidlen)
{
	int err;

	if (m->msg == NULL || m->sig == NULL)
		return SKM_EINVAL;
	/* RFC 3830 5.2: everything before the signature, SIGN header included */
	err = eccsi_verify(kpak, iuid, iuidlen, m->msg, m->signed_len, m->sig);
	if (err != SKM_EVERIFY)
		return err;
	/* some deployed initiators sign without the SIGN header octets */
	return eccsi_verify(kpak, iuid, iuidlen, m->msg, m->signed_len_nohdr, m->sig);
}
