/* SPDX-License-Identifier: ISC */
/*
 * The XML documents of the KMS interface, TS 33.180 Annex D (D.3), as the
 * KMS writes them: KmsCertificate, KmsKeySet, and the KmsResponse around
 * KmsInit, KmsKeyProv, KmsCertCache or KmsError. One encoder serves the
 * server's responses and the administration tool's exports, so KmsUri is
 * byte-identical everywhere. Binary values are hex on one line (deployed
 * parsers read the first whitespace-delimited token); key elements carry
 * xsi:type="KeyContentType" since their schema type is abstract.
 */
#ifndef SKM_LIB_KMSXML_H
#define SKM_LIB_KMSXML_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/keywrap.h"
#include "lib/sakke.h"
#include "lib/xmlw.h"

#define KMSXML_NS	"urn:3gpp:ns:mcsecKMSInterface:1.0"
#define KMSXML_XSI_NS	"http://www.w3.org/2001/XMLSchema-instance"

/* A KMS certificate (D.3.2). Optional strings may be NULL. */
struct kmsxml_cert {
	const char *role;		/* "Root" or "External" */
	const char *cert_uri;		/* optional */
	const char *kms_uri;
	const char *issuer;		/* optional */
	int64_t valid_from;		/* Unix seconds; 0 = omitted */
	int64_t valid_to;		/* Unix seconds; 0 = omitted */
	int revoked;
	uint64_t user_key_period;	/* seconds */
	uint64_t user_key_offset;	/* seconds */
	uint8_t pub_enc_key[SAKKE_POINT_LEN];	/* Z_S */
	uint8_t pub_auth_key[ECCSI_POINT_LEN];	/* KPAK */
	const char *const *domains;	/* KmsDomainList; optional */
	size_t ndomains;
};

/* A user key set (D.3.3). The three keys are SECRET (rsk, ssk). */
struct kmsxml_keyset {
	const char *kms_uri;
	const char *cert_uri;		/* optional */
	const char *issuer;		/* optional */
	const char *user_uri;
	uint8_t user_id[32];		/* the UID, written as 64 lower-case hex digits */
	int64_t valid_from;		/* period start, Unix seconds */
	int64_t valid_to;		/* period end, Unix seconds */
	uint64_t period_no;
	int revoked;
	const uint8_t *rsk;		/* SAKKE_POINT_LEN */
	const uint8_t *ssk;		/* ECCSI_SCALAR_LEN */
	const uint8_t *pvt;		/* ECCSI_POINT_LEN */
	/*
	 * TS 33.180 D.1: with trk set, each key element is written as
	 * EncKeyContentType, wrapped under trk (SECRET, KEYWRAP_KEY_LEN)
	 * and named by trk_id; NULL: the keys in clear.
	 */
	const uint8_t *trk;
	const char *trk_id;
};

/*
 * The security extension of one response (TS 33.180 D.1, D.3.1): the
 * KmsResponse gets the Id the signature refers to, TrK-ID and
 * Signature-ID after KmsMessage, and, wrapped under trk, the
 * NewTransportKey and NewIntegrityKey of a rotation (KmsInitTkIkType,
 * KmsKeyProvTkIkType). Signing is not done here (xsec.h). Keys SECRET.
 */
#define KMSXML_RESPONSE_ID	"kmsResponse"
#define KMSXML_XENC_NS		"http://www.w3.org/2001/04/xmlenc#"
#define KMSXML_DS_NS		"http://www.w3.org/2000/09/xmldsig#"

struct kmsxml_tk {
	const char *trk_id;		/* TrK-ID written; NULL: none */
	const uint8_t *trk;		/* wraps the new keys */
	const char *sig_id;		/* Signature-ID written; NULL: none */
	const char *new_trk_id;		/* NewTransportKey, NULL: none */
	const uint8_t *new_trk;
	const char *new_ink_id;		/* NewIntegrityKey, NULL: none */
	const uint8_t *new_ink;
};

/* The header fields of a KmsResponse (D.3.1). */
struct kmsxml_response {
	const char *user_uri;
	const char *kms_uri;
	int64_t time;			/* Unix seconds */
	const char *client_req_url;
	const struct kmsxml_tk *tk;	/* NULL: a plain response */
	/*
	 * Optional, written: where the KmsResponse element lies in the
	 * document in Canonical XML 1.0 (xmlw_finish_c14n()); len 0 when
	 * it is not known to be canonical (a KmsCertCache of stored
	 * certificates).
	 */
	struct kmsxml_span *c14n;
};

struct kmsxml_span {
	size_t off;
	size_t len;
};

/* Elements written into an open document (xmlw). */
void kmsxml_write_cert(struct xmlw *w, const struct kmsxml_cert *cert, int top);
void kmsxml_write_keyset(struct xmlw *w, const struct kmsxml_keyset *ks, int top);

/*
 * Whole documents: *out is a NUL-terminated XML text to free with
 * kmsxml_free() (it may hold key material). Return 0 or SKM_E*.
 */
int kmsxml_cert_doc(const struct kmsxml_cert *cert, char **out, size_t *len);
int kmsxml_keyset_doc(const struct kmsxml_keyset *ks, char **out, size_t *len);
int kmsxml_init_response(const struct kmsxml_response *r, const struct kmsxml_cert *cert,
    char **out, size_t *len);

/*
 * The skms extension of KmsInit (KMSXML_SKMS_NS): while a rollover is
 * scheduled, the next Root certificate, whole, inside
 * <skms:NextKmsCertificate> after the certificate in force. Standard
 * clients skip it: KmsInit admits elements of other namespaces.
 */
#define KMSXML_SKMS_NS	"urn:skms:kms-ext:1"

/* As kmsxml_init_response(), with the next certificate when next is not NULL. */
int kmsxml_init_response_next(const struct kmsxml_response *r,
    const struct kmsxml_cert *cert, const struct kmsxml_cert *next, char **out,
    size_t *len);
int kmsxml_keyprov_response(const struct kmsxml_response *r,
    const struct kmsxml_keyset *sets, size_t nsets, char **out, size_t *len);
/* certs: serialised KmsCertificate elements (as stored), each NUL-terminated. */
int kmsxml_certcache_response(const struct kmsxml_response *r, uint64_t cache_num,
    const char *const *certs, size_t ncerts, char **out, size_t *len);
int kmsxml_error_response(const struct kmsxml_response *r, int code, const char *msg,
    char **out, size_t *len);

/* Cleanses and frees a document. */
void kmsxml_free(char *doc, size_t len);

#endif
