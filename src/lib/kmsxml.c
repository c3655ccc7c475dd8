/* SPDX-License-Identifier: ISC */
/*
 * KMS interface documents (TS 33.180 D.3). Element order follows the
 * schema of clause D.3.5. It writes; it does not parse.
 */
#include "lib/kmsxml.h"
#include "common/err.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const char *const kmsxml_key_type[] = { "xsi:type", "KeyContentType", NULL };
static const char *const kmsxml_enc_type[] = { "xsi:type", "EncKeyContentType", NULL };

/*
 * TS 33.180 D.1: one xenc:EncryptedKey holding the key wrapped under the
 * TrK named trk_id (ds:KeyName), CipherValue in base64 (XML Encryption
 * 1.1 5.2), and for a delivered TrK or InK its own ID as CarriedKeyName.
 */
static void
kmsxml_write_enc(struct xmlw *w, const char *name, const uint8_t *trk,
    const char *trk_id, const uint8_t *key, size_t len, const char *carried)
{
	static const char *const ek_attrs[] = {
		"xmlns:xenc", KMSXML_XENC_NS, "xmlns:ds", KMSXML_DS_NS, NULL
	};
	static const char *const alg[] = { "Algorithm", KEYWRAP_URI, NULL };
	uint8_t wrapped[KEYWRAP_OUT_LEN(KEYWRAP_MAX_IN)];
	char b64[((sizeof(wrapped) + 2) / 3) * 4 + 1];
	size_t n;
	int rc;

	if ((rc = keywrap_wrap(trk, key, len, wrapped, sizeof(wrapped), &n)) != 0) {
		if (w->err == 0)
			w->err = rc;
		return;
	}
	EVP_EncodeBlock((unsigned char *)b64, wrapped, (int)n);
	xmlw_open(w, name, kmsxml_enc_type);
	xmlw_open(w, "xenc:EncryptedKey", ek_attrs);
	xmlw_open(w, "xenc:EncryptionMethod", alg);
	xmlw_close(w, "xenc:EncryptionMethod");
	xmlw_open(w, "ds:KeyInfo", NULL);
	xmlw_text(w, "ds:KeyName", trk_id);
	xmlw_close(w, "ds:KeyInfo");
	xmlw_open(w, "xenc:CipherData", NULL);
	xmlw_text(w, "xenc:CipherValue", b64);
	xmlw_close(w, "xenc:CipherData");
	if (carried != NULL)
		xmlw_text(w, "xenc:CarriedKeyName", carried);
	xmlw_close(w, "xenc:EncryptedKey");
	xmlw_close(w, name);
	/* What was written, not the whole buffers: 2.4 kB of cleansing per key. */
	OPENSSL_cleanse(wrapped, n);
	OPENSSL_cleanse(b64, strlen(b64));
}

static void
kmsxml_write_key(struct xmlw *w, const struct kmsxml_keyset *k, const char *name,
    const uint8_t *key, size_t len)
{
	if (k->trk != NULL)
		kmsxml_write_enc(w, name, k->trk, k->trk_id, key, len, NULL);
	else
		xmlw_hex(w, name, kmsxml_key_type, key, len, 1);
}

void
kmsxml_write_cert(struct xmlw *w, const struct kmsxml_cert *c, int top)
{
	const char *attrs[] = {
		"xmlns", KMSXML_NS, "Version", "1.1.0", "Role", c->role, NULL
	};
	size_t i;

	xmlw_open(w, "KmsCertificate", top ? attrs : attrs + 2);
	if (c->cert_uri != NULL)
		xmlw_text(w, "CertUri", c->cert_uri);
	xmlw_text(w, "KmsUri", c->kms_uri);
	if (c->issuer != NULL)
		xmlw_text(w, "Issuer", c->issuer);
	if (c->valid_from != 0)
		xmlw_time(w, "ValidFrom", c->valid_from);
	if (c->valid_to != 0)
		xmlw_time(w, "ValidTo", c->valid_to);
	xmlw_bool(w, "Revoked", c->revoked);
	/* 2: the hashed MIKEY-SAKKE UID of TS 33.180 F.2.1. */
	xmlw_text(w, "UserIdFormat", "2");
	xmlw_uint(w, "UserKeyPeriod", c->user_key_period);
	xmlw_uint(w, "UserKeyOffset", c->user_key_offset);
	xmlw_hex(w, "PubEncKey", NULL, c->pub_enc_key, sizeof(c->pub_enc_key), 1);
	xmlw_hex(w, "PubAuthKey", NULL, c->pub_auth_key, sizeof(c->pub_auth_key), 1);
	xmlw_text(w, "ParameterSet", "1");
	if (c->ndomains > 0) {
		xmlw_open(w, "KmsDomainList", NULL);
		for (i = 0; i < c->ndomains; i++)
			xmlw_text(w, "KmsDomain", c->domains[i]);
		xmlw_close(w, "KmsDomainList");
	}
	xmlw_close(w, "KmsCertificate");
}

void
kmsxml_write_keyset(struct xmlw *w, const struct kmsxml_keyset *k, int top)
{
	const char *attrs[] = {
		"xmlns", KMSXML_NS, "xmlns:xsi", KMSXML_XSI_NS, "Version", "1.1.0", NULL
	};

	xmlw_open(w, "KmsKeySet", top ? attrs : attrs + 4);
	xmlw_text(w, "KmsUri", k->kms_uri);
	if (k->cert_uri != NULL)
		xmlw_text(w, "CertUri", k->cert_uri);
	if (k->issuer != NULL)
		xmlw_text(w, "Issuer", k->issuer);
	xmlw_text(w, "UserUri", k->user_uri);
	/* Deployed clients store key sets under this value and look them up by
	 * the UID they compute: 64 lower-case hex digits, exactly. */
	xmlw_hex(w, "UserID", NULL, k->user_id, sizeof(k->user_id), 0);
	xmlw_time(w, "ValidFrom", k->valid_from);
	xmlw_time(w, "ValidTo", k->valid_to);
	xmlw_uint(w, "KeyPeriodNo", k->period_no);
	xmlw_bool(w, "Revoked", k->revoked);
	kmsxml_write_key(w, k, "UserDecryptKey", k->rsk, SAKKE_POINT_LEN);
	kmsxml_write_key(w, k, "UserSigningKeySSK", k->ssk, ECCSI_SCALAR_LEN);
	kmsxml_write_key(w, k, "UserPubTokenPVT", k->pvt, ECCSI_POINT_LEN);
	xmlw_close(w, "KmsKeySet");
}

int
kmsxml_cert_doc(const struct kmsxml_cert *cert, char **out, size_t *len)
{
	struct xmlw w;

	xmlw_init(&w, 1);
	kmsxml_write_cert(&w, cert, 1);
	return xmlw_finish(&w, out, len);
}

int
kmsxml_keyset_doc(const struct kmsxml_keyset *ks, char **out, size_t *len)
{
	struct xmlw w;

	xmlw_init(&w, 1);
	kmsxml_write_keyset(&w, ks, 1);
	return xmlw_finish(&w, out, len);
}

static void
kmsxml_response_open(struct xmlw *w, const struct kmsxml_response *r)
{
	static const char *const attrs[] = {
		"xmlns", KMSXML_NS, "xmlns:xsi", KMSXML_XSI_NS, "Version", "1.0.0",
		"Id", KMSXML_RESPONSE_ID, NULL
	};
	const char *const *a = attrs;
	const char *plain[7];

	/* The Id is what a signature's Reference names (D.1). */
	if (r->tk == NULL) {
		memcpy(plain, attrs, 6 * sizeof(*plain));
		plain[6] = NULL;
		a = plain;
	}
	xmlw_init(w, 1);
	xmlw_open(w, "KmsResponse", a);
	xmlw_text(w, "UserUri", r->user_uri != NULL ? r->user_uri : "");
	xmlw_text(w, "KmsUri", r->kms_uri);
	xmlw_time(w, "Time", r->time);
	/* Echoed from the request: any octets, so percent-encoded. */
	xmlw_url(w, "ClientReqUrl", r->client_req_url != NULL ? r->client_req_url : "");
}

/* The message type with the new keys of a rotation (KmsInitTkIkType...). */
static const char *const *
kmsxml_msg_attrs(const struct kmsxml_response *r, const char *tkik, const char **buf)
{
	buf[0] = "Version";
	buf[1] = "1.0.0";
	buf[2] = NULL;
	if (r->tk != NULL && (r->tk->new_trk != NULL || r->tk->new_ink != NULL)) {
		buf[2] = "xsi:type";
		buf[3] = tkik;
		buf[4] = NULL;
	}
	return buf;
}

/* NewTransportKey and NewIntegrityKey, wrapped under the current TrK. */
static void
kmsxml_write_new_keys(struct xmlw *w, const struct kmsxml_response *r)
{
	const struct kmsxml_tk *tk = r->tk;

	if (tk == NULL)
		return;
	if (tk->new_trk != NULL)
		kmsxml_write_enc(w, "NewTransportKey", tk->trk, tk->trk_id, tk->new_trk,
		    KEYWRAP_KEY_LEN, tk->new_trk_id);
	if (tk->new_ink != NULL)
		kmsxml_write_enc(w, "NewIntegrityKey", tk->trk, tk->trk_id, tk->new_ink,
		    KEYWRAP_KEY_LEN, tk->new_ink_id);
}

static int
kmsxml_response_finish(struct xmlw *w, const struct kmsxml_response *r, char **out,
    size_t *len)
{
	/* D.3.1: after KmsMessage. */
	if (r->tk != NULL && r->tk->trk_id != NULL)
		xmlw_text(w, "TrK-ID", r->tk->trk_id);
	if (r->tk != NULL && r->tk->sig_id != NULL)
		xmlw_text(w, "Signature-ID", r->tk->sig_id);
	xmlw_close(w, "KmsResponse");
	if (r->c14n != NULL)
		return xmlw_finish_c14n(w, out, len, &r->c14n->off, &r->c14n->len);
	return xmlw_finish(w, out, len);
}

int
kmsxml_init_response(const struct kmsxml_response *r, const struct kmsxml_cert *cert,
    char **out, size_t *len)
{
	return kmsxml_init_response_next(r, cert, NULL, out, len);
}

int
kmsxml_init_response_next(const struct kmsxml_response *r,
    const struct kmsxml_cert *cert, const struct kmsxml_cert *next, char **out,
    size_t *len)
{
	static const char *const ext[] = { "xmlns:skms", KMSXML_SKMS_NS, NULL };
	const char *buf[5];
	struct xmlw w;

	kmsxml_response_open(&w, r);
	xmlw_open(&w, "KmsMessage", NULL);
	xmlw_open(&w, "KmsInit", kmsxml_msg_attrs(r, "KmsInitTkIkType", buf));
	kmsxml_write_cert(&w, cert, 0);
	/* After the certificate, where KmsInit's schema admits ##other. */
	if (next != NULL) {
		xmlw_open(&w, "skms:NextKmsCertificate", ext);
		kmsxml_write_cert(&w, next, 0);
		xmlw_close(&w, "skms:NextKmsCertificate");
	}
	kmsxml_write_new_keys(&w, r);
	xmlw_close(&w, "KmsInit");
	xmlw_close(&w, "KmsMessage");
	return kmsxml_response_finish(&w, r, out, len);
}

int
kmsxml_keyprov_response(const struct kmsxml_response *r,
    const struct kmsxml_keyset *sets, size_t nsets, char **out, size_t *len)
{
	const char *buf[5];
	struct xmlw w;
	size_t i;

	kmsxml_response_open(&w, r);
	xmlw_open(&w, "KmsMessage", NULL);
	xmlw_open(&w, "KmsKeyProv", kmsxml_msg_attrs(r, "KmsKeyProvTkIkType", buf));
	for (i = 0; i < nsets; i++)
		kmsxml_write_keyset(&w, &sets[i], 0);
	/* After the key sets (D.1). */
	kmsxml_write_new_keys(&w, r);
	xmlw_close(&w, "KmsKeyProv");
	xmlw_close(&w, "KmsMessage");
	return kmsxml_response_finish(&w, r, out, len);
}

int
kmsxml_certcache_response(const struct kmsxml_response *r, uint64_t cache_num,
    const char *const *certs, size_t ncerts, char **out, size_t *len)
{
	char num[24];
	const char *attrs[] = { "Version", "1.0.0", "CacheNum", num, NULL };
	struct xmlw w;
	size_t i;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)cache_num);
	kmsxml_response_open(&w, r);
	xmlw_open(&w, "KmsMessage", NULL);
	xmlw_open(&w, "KmsCertCache", attrs);
	for (i = 0; i < ncerts; i++)
		xmlw_raw(&w, certs[i], strlen(certs[i]));
	xmlw_close(&w, "KmsCertCache");
	xmlw_close(&w, "KmsMessage");
	return kmsxml_response_finish(&w, r, out, len);
}

int
kmsxml_error_response(const struct kmsxml_response *r, int code, const char *msg,
    char **out, size_t *len)
{
	struct xmlw w;

	kmsxml_response_open(&w, r);
	xmlw_open(&w, "KmsError", NULL);
	xmlw_uint(&w, "ErrorCode", (uint64_t)(code < 0 ? -code : code));
	xmlw_text(&w, "ErrorMsg", msg);
	xmlw_close(&w, "KmsError");
	return kmsxml_response_finish(&w, r, out, len);
}

void
kmsxml_free(char *doc, size_t len)
{
	if (doc != NULL)
		OPENSSL_clear_free(doc, len + 1);
}
