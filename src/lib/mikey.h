/* SPDX-License-Identifier: ISC */
/*
 * The MIKEY-SAKKE payload codec (RFC 3830, RFC 6043, RFC 6509, with the
 * 3GPP choices of TS 33.180 Annex E): one encoder and one decoder per
 * payload, and the parser of a whole I_MESSAGE with its signature check.
 *
 * Decoded payloads are views into the caller's buffer: nothing is copied
 * or allocated, so the buffer must outlive them. Decoders never read past
 * the length they are given and say precisely why they refuse (the `why`
 * text, which may be NULL). This module knows no keys: SAKKE decapsulation
 * and the key-parameters extension live in mikey_gmk.c and mikey_kp.c.
 */
#ifndef SKM_LIB_MIKEY_H
#define SKM_LIB_MIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/sakke.h"

/* Next-payload values (RFC 3830 6, RFC 6043, RFC 6509). */
#define MIKEY_PT_LAST		0
#define MIKEY_PT_SIGN		4
#define MIKEY_PT_T		5
#define MIKEY_PT_SP		10
#define MIKEY_PT_RAND		11
#define MIKEY_PT_IDR		14
#define MIKEY_PT_GEXT		21
#define MIKEY_PT_SAKKE		26

#define MIKEY_VERSION		1
#define MIKEY_DATA_SAKKE	26	/* HDR data type: SAKKE I_MESSAGE */
#define MIKEY_PRF_HMAC_SHA256	1	/* RFC 6043 */
#define MIKEY_MAP_EMPTY		1	/* RFC 4563 */
#define MIKEY_MAP_GENERIC	2	/* RFC 6043 6.1.1 */
#define MIKEY_CS_MAX		8	/* crypto sessions accepted in one map */
#define MIKEY_TS_NTP_UTC	0

/* IDR roles (RFC 6043 6.6, RFC 6509, TS 33.180 E.7) and ID types. */
#define MIKEY_ROLE_I		1
#define MIKEY_ROLE_R		2
#define MIKEY_ROLE_KMSI		6
#define MIKEY_ROLE_KMSR		7
#define MIKEY_ROLE_UIDI		8
#define MIKEY_ROLE_UIDR		9
#define MIKEY_IDT_URI		1
#define MIKEY_IDT_BYTES		2

#define MIKEY_SP_SRTP		0	/* protocol type of the SP payload */
#define MIKEY_SAKKE_PARAMS_1	1	/* RFC 6509 parameter set 1 */
#define MIKEY_SAKKE_SCHEME_UID	2	/* 3GPP hashed UID (TS 33.180 E.5) */
#define MIKEY_GEXT_SAKKE_SELF	6	/* TS 33.180 E.5 */
#define MIKEY_GEXT_KEY_PARAMS	7	/* TS 33.180 E.6 */
#define MIKEY_SIGN_ECCSI	2	/* RFC 6509 */
#define MIKEY_SIGN_HDR_LEN	2

#define MIKEY_RAND_MIN		16	/* RFC 3830 6.11: at least 128 bits */
#define MIKEY_GEXT_MAX		8	/* general extensions accepted in one message */

/* One GENERIC-ID crypto session (RFC 6043 6.1.1). */
struct mikey_cs {
	uint8_t id;
	uint8_t prot;			/* 0 = SRTP */
	uint8_t s;			/* the S bit */
	const uint8_t *ps;		/* policy numbers */
	uint8_t nps;			/* #P, at most 127 */
	const uint8_t *sess;		/* session data */
	uint16_t sesslen;
	const uint8_t *spi;
	uint8_t spilen;
};

struct mikey_hdr {
	uint8_t next;
	uint8_t data_type;
	uint8_t v;
	uint8_t prf;
	uint32_t csb_id;
	uint8_t map_type;		/* MIKEY_MAP_EMPTY (no sessions) or _GENERIC */
	uint8_t ncs;
	struct mikey_cs cs[MIKEY_CS_MAX];
};

struct mikey_t {
	uint8_t next;
	uint64_t ts;			/* NTP-UTC: seconds << 32 | fraction */
};

struct mikey_rand {
	uint8_t next;
	const uint8_t *p;
	uint8_t len;
};

struct mikey_idr {
	uint8_t next;
	uint8_t role;
	uint8_t type;
	const uint8_t *data;
	uint16_t len;
};

/* An SP payload; params is a sequence of type(8) length(8) value triples. */
struct mikey_sp {
	uint8_t next;
	uint8_t policy_no;
	uint8_t prot;
	const uint8_t *params;
	uint16_t plen;
};

struct mikey_sakke {
	uint8_t next;
	uint8_t params;
	uint8_t scheme;
	const uint8_t *data;		/* R_(b,S) || H, H possibly short */
	uint16_t len;			/* MIKEY_SAKKE_DATA_MIN to SAKKE_SED_LEN */
};

/*
 * RFC 6508 6.2.1 makes H an integer below 2^n; a deployed sender writes it
 * at its minimal length, so 1 in 256 of its SAKKE payloads is an octet
 * short (rarely more). R_(b,S) is always a whole point.
 */
#define MIKEY_SAKKE_DATA_MIN	(SAKKE_POINT_LEN + 1)

struct mikey_gext {
	uint8_t next;
	uint8_t type;
	const uint8_t *data;
	uint16_t len;
};

/* The SIGN payload: S type 2, length ECCSI_SIG_LEN, always last. */
struct mikey_sign {
	uint8_t type;
	uint16_t len;
	const uint8_t *sig;
};

/*
 * An output buffer with a sticky error. Each *_put appends one payload and
 * writes its type into the next-payload octet of the payload before it;
 * the last one written before SIGN therefore names SIGN. Start with
 * mikey_w_init, end with mikey_w_finish, which hands over the buffer (from
 * OPENSSL_malloc; the caller frees with OPENSSL_free) or the first error.
 */
struct mikey_w {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t next_at;			/* offset of the pending next-payload octet */
	int have_next;
	int err;
};

void mikey_w_init(struct mikey_w *w);
int mikey_w_finish(struct mikey_w *w, uint8_t **msg, size_t *len);
void mikey_w_free(struct mikey_w *w);

/* Encoders; each sets w->err on failure (bad field values: SKM_EINVAL/ELEN). */
void mikey_hdr_put(struct mikey_w *w, const struct mikey_hdr *h);
void mikey_t_put(struct mikey_w *w, uint64_t ntp_ts);
void mikey_rand_put(struct mikey_w *w, const uint8_t *rand, size_t len);
void mikey_idr_put(struct mikey_w *w, uint8_t role, uint8_t type, const uint8_t *data,
    size_t len);
void mikey_sp_put(struct mikey_w *w, const struct mikey_sp *sp);
void mikey_sakke_put(struct mikey_w *w, uint8_t params, uint8_t scheme,
    const uint8_t *data, size_t len);
void mikey_gext_put(struct mikey_w *w, uint8_t type, const uint8_t *data, size_t len);
/* The two SIGN header octets for an ECCSI signature; the signature follows. */
void mikey_sign_hdr_put(struct mikey_w *w);
void mikey_raw_put(struct mikey_w *w, const uint8_t *p, size_t len);

/*
 * The SRTP parameters of the default GMK profile (TS 33.180 E.2 / 33.179
 * Table E.2-1) as SP type-length-value triples into out; returns the
 * length (MIKEY_SP_GMK_LEN).
 */
#define MIKEY_SP_GMK_LEN	30
size_t mikey_sp_gmk_params(uint8_t out[MIKEY_SP_GMK_LEN]);

/* The value of parameter type in an SP payload: 0, or SKM_ENOTFOUND. */
int mikey_sp_param(const struct mikey_sp *sp, uint8_t type, const uint8_t **val,
    uint8_t *vlen);

/*
 * Decoders: each reads one payload at p (len octets left in the message),
 * fills the struct with views into p and sets *used to the payload's
 * length. SKM_EPARSE (with the reason in why) on any defect.
 */
int mikey_hdr_get(const uint8_t *p, size_t len, struct mikey_hdr *h, size_t *used,
    char *why, size_t whylen);
int mikey_t_get(const uint8_t *p, size_t len, struct mikey_t *t, size_t *used,
    char *why, size_t whylen);
int mikey_rand_get(const uint8_t *p, size_t len, struct mikey_rand *r, size_t *used,
    char *why, size_t whylen);
int mikey_idr_get(const uint8_t *p, size_t len, struct mikey_idr *idr, size_t *used,
    char *why, size_t whylen);
int mikey_sp_get(const uint8_t *p, size_t len, struct mikey_sp *sp, size_t *used,
    char *why, size_t whylen);
int mikey_sakke_get(const uint8_t *p, size_t len, struct mikey_sakke *s, size_t *used,
    char *why, size_t whylen);
int mikey_gext_get(const uint8_t *p, size_t len, struct mikey_gext *g, size_t *used,
    char *why, size_t whylen);
int mikey_sign_get(const uint8_t *p, size_t len, struct mikey_sign *s, size_t *used,
    char *why, size_t whylen);

/*
 * The SAKKE encapsulated data of a decoded SAKKE payload in the form
 * sakke_decapsulate() takes: R_(b,S), then H left-padded with zeros to
 * SAKKE_SSV_LEN octets. A wrong H is left to the TEST = R check.
 * SKM_ELEN if s->len is outside MIKEY_SAKKE_DATA_MIN..SAKKE_SED_LEN.
 */
int mikey_sakke_sed(const struct mikey_sakke *s, uint8_t sed[SAKKE_SED_LEN]);

/*
 * A parsed SAKKE I_MESSAGE: views into the caller's buffer, valid while it
 * is. idri is IDRi (role 1) or IDRuidi (role 8), idrr IDRr or IDRuidr;
 * roles 8/9 are accepted with ID type 1 or 2 (Streamwide hides with
 * type 1). General extensions of other types are skipped (they are still
 * covered by the signature).
 */
struct mikey_imsg {
	const uint8_t *msg;
	size_t len;
	struct mikey_hdr hdr;		/* csb_id, the crypto-session map */
	uint64_t ts;			/* T payload, NTP-UTC */
	const uint8_t *rand;
	size_t randlen;
	struct mikey_idr idri, idrr, idrkmsi, idrkmsr;
	int has_sp;
	struct mikey_sp sp;
	struct mikey_sakke sakke;
	int has_self;			/* SAKKE-to-self extension (type 6) */
	struct mikey_sakke self;
	int has_kp;			/* key-parameters extension (type 7) */
	struct mikey_gext kp;
	const uint8_t *sig;		/* ECCSI_SIG_LEN octets */
	size_t signed_len;		/* RFC 3830 coverage: up to the signature */
	size_t signed_len_nohdr;	/* the same without the SIGN header octets */
};

/*
 * Parses msg as an I_MESSAGE (HDR data type 26) with every mandatory
 * payload (HDR, T, RAND, IDRi/IDRuidi, IDRr/IDRuidr, IDRkmsi, IDRkmsr,
 * SAKKE, SIGN last) and no duplicates. SKM_EPARSE with the reason in why.
 */
int mikey_imsg_parse(const uint8_t *msg, size_t len, struct mikey_imsg *m, char *why,
    size_t whylen);

/*
 * 0 if the ECCSI signature verifies for initiator UID iuid with KPAK, over
 * the RFC 3830 coverage (with the two SIGN header octets) or, failing
 * that, without them; SKM_EVERIFY otherwise, SKM_EPOINT for a bad KPAK.
 */
int mikey_imsg_verify(const struct mikey_imsg *m, const uint8_t kpak[ECCSI_POINT_LEN],
    const uint8_t *iuid, size_t iuidlen);

/*
 * 0 if idr names the identity with this URI and UID: a role 1/2 payload
 * must carry the URI (ID type 1), a role 8/9 payload the UID (ID type 1
 * or 2). SKM_ENOTFOUND otherwise. uri or uid may be NULL (never matches).
 */
int mikey_idr_match(const struct mikey_idr *idr, const char *uri, size_t urilen,
    const uint8_t *uid, size_t uidlen);

#endif
