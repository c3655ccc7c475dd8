/* SPDX-License-Identifier: ISC */
/*
 * The TLS server context of skmsd (see tls.h). Session tickets are
 * encrypted under our own keys rather than OpenSSL's built-in ones so
 * that they can be rotated on a timer and survive a SIGHUP reload; the
 * keys live in the secure heap and are never written anywhere.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "common/err.h"
#include "common/trustfile.h"
#include "conf/conf.h"
#include "server/tls.h"

/* TLS 1.2: ECDHE key exchange and AEAD ciphers only (forward secrecy, no CBC). */
#define TLS_CIPHERS_12 \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define TLS_KEY_FILE_MAX	(64 * 1024)
#define TLS_CERT_FILE_MAX	(1024 * 1024)	/* a CA bundle fits */
#define TLS_SESSION_CACHE	20000

struct tls_ticket_key {
	uint8_t name[16];
	uint8_t aes[32];	/* SECRET */
	uint8_t hmac[32];	/* SECRET */
};

struct tls_tickets {
	struct tls_ticket_key cur;	/* SECRET */
	struct tls_ticket_key prev;	/* SECRET */
	int have_prev;
	pthread_rwlock_t lock;		/* rotation against handshakes on every loop */
	/* Fetched once: an implicit fetch per ticket costs a provider lookup. */
	EVP_CIPHER *aes;
};

struct tls {
	SSL_CTX *ctx;
};

static int tls_ctx_index = -1;

static int
tls_key_fresh(struct tls_ticket_key *k)
{
	if (RAND_bytes(k->name, sizeof(k->name)) != 1 ||
	    RAND_priv_bytes(k->aes, sizeof(k->aes)) != 1 ||
	    RAND_priv_bytes(k->hmac, sizeof(k->hmac)) != 1) {
		OPENSSL_cleanse(k, sizeof(*k));
		return SKM_ECRYPTO;
	}
	return 0;
}

int
tls_tickets_new(struct tls_tickets **out)
{
	struct tls_tickets *tk;
	int rc;

	*out = NULL;
	if ((tk = OPENSSL_secure_zalloc(sizeof(*tk))) == NULL)
		return SKM_ENOMEM;
	if ((rc = tls_key_fresh(&tk->cur)) != 0) {
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
		return rc;
	}
	if ((tk->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL)) == NULL) {
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
		return SKM_ECRYPTO;
	}
	if (pthread_rwlock_init(&tk->lock, NULL) != 0) {
		EVP_CIPHER_free(tk->aes);
		OPENSSL_secure_clear_free(tk, sizeof(*tk));
		return SKM_ENOMEM;
	}
	*out = tk;
	return 0;
}

void
tls_tickets_free(struct tls_tickets *tk)
{
	if (tk == NULL)
		return;
	pthread_rwlock_destroy(&tk->lock);
	EVP_CIPHER_free(tk->aes);
	OPENSSL_secure_clear_free(tk, sizeof(*tk));
}

int
tls_tickets_rotate(struct tls_tickets *tk)
{
	struct tls_ticket_key next;
	int rc;

	if ((rc = tls_key_fresh(&next)) != 0)
		return rc;
	pthread_rwlock_wrlock(&tk->lock);
	tk->prev = tk->cur;
	tk->have_prev = 1;
	tk->cur = next;
	pthread_rwlock_unlock(&tk->lock);
	OPENSSL_cleanse(&next, sizeof(next));
	return 0;
}

/*
 * RFC 5077 4 ticket protection with our keys: returns 1 to use the
 * ticket, 2 to use it and issue a fresh one (it was sealed under the
 * previous key), 0 for an unknown key (full handshake), -1 on failure.
 */
static int
tls_ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv, EVP_CIPHER_CTX *cctx,
    EVP_MAC_CTX *hctx, int enc)
{
	static char digest[] = "SHA256";
	struct tls_tickets *tk;
	struct tls_ticket_key k;	/* SECRET */
	OSSL_PARAM params[3];
	int found = 1, rc = -1;

	tk = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), tls_ctx_index);
	if (tk == NULL)
		return -1;
	/* Every loop thread handshakes while the rotation timer replaces keys. */
	pthread_rwlock_rdlock(&tk->lock);
	if (enc || CRYPTO_memcmp(name, tk->cur.name, sizeof(tk->cur.name)) == 0)
		k = tk->cur;
	else if (tk->have_prev &&
	    CRYPTO_memcmp(name, tk->prev.name, sizeof(tk->prev.name)) == 0) {
		k = tk->prev;
		found = 2;
	} else
		found = 0;
	pthread_rwlock_unlock(&tk->lock);
	if (found == 0)
		return 0;
	if (enc) {
		memcpy(name, k.name, sizeof(k.name));
		if (RAND_bytes(iv, 16) != 1)
			goto out;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
	    (void *)k.hmac, sizeof(k.hmac));
	params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[2] = OSSL_PARAM_construct_end();
	if (EVP_MAC_CTX_set_params(hctx, params) != 1)
		goto out;
	if (enc)
		rc = EVP_EncryptInit_ex(cctx, tk->aes, NULL, k.aes, iv) == 1 ? 1 : -1;
	else if (EVP_DecryptInit_ex(cctx, tk->aes, NULL, k.aes, iv) == 1)
		/*
		 * RFC 8446 C.4: TLS 1.3 clients use a ticket once, so a
		 * resumption that issued no new one makes the next
		 * connection a full handshake: always renew there.
		 */
		rc = SSL_version(ssl) == TLS1_3_VERSION ? 2 : found;
out:
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

static void
tls_why_crypto(char *why, size_t whylen, const char *what, const char *file)
{
	char reason[256] = "unknown error";
	unsigned long e, last = 0;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (last != 0)
		ERR_error_string_n(last, reason, sizeof(reason));
	snprintf(why, whylen, "%s: %s: %s", file, what, reason);
}

/* The private key through the secret-file checks, then parsed from memory. */
static int
tls_load_key(SSL_CTX *ctx, const char *path, uid_t also, char *why, size_t whylen)
{
	uint8_t *buf;
	size_t len = 0;
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int rc;

	if ((buf = OPENSSL_secure_malloc(TLS_KEY_FILE_MAX)) == NULL)
		return SKM_ENOMEM;
	if ((rc = trustfile_read(path, TRUSTFILE_SECRET, also, buf, TLS_KEY_FILE_MAX, &len,
	    why, whylen)) != 0) {
		if (why[0] == '\0')
			snprintf(why, whylen, "%s: %s", path, skm_strerror(rc));
		goto out;
	}
	rc = SKM_EINVAL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
		tls_why_crypto(why, whylen, "cannot read the private key", path);
		goto out;
	}
	if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		tls_why_crypto(why, whylen, "key does not match the certificate", path);
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	OPENSSL_secure_clear_free(buf, TLS_KEY_FILE_MAX);
	return rc;
}

/*
 * A certificate or CA file through the trust-file checks (whoever could
 * replace it would choose whom we trust), into *bio over *buf: the caller
 * frees both. Read here rather than by OpenSSL, which opens by name.
 */
static int
tls_read_trust(const char *path, uid_t also, uint8_t **buf, BIO **bio, char *why,
    size_t whylen)
{
	size_t len = 0;
	int rc;

	*bio = NULL;
	if ((*buf = malloc(TLS_CERT_FILE_MAX)) == NULL)
		return SKM_ENOMEM;
	if ((rc = trustfile_read(path, TRUSTFILE_TRUST, also, *buf, TLS_CERT_FILE_MAX, &len,
	    why, whylen)) != 0)
		return rc;
	if ((*bio = BIO_new_mem_buf(*buf, (int)len)) == NULL)
		return SKM_ENOMEM;
	return 0;
}

/* As SSL_CTX_use_certificate_chain_file(): the leaf, then its chain. */
static int
tls_load_cert(SSL_CTX *ctx, const char *path, uid_t also, char *why, size_t whylen)
{
	uint8_t *buf = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;
	unsigned long e;
	int rc;

	if ((rc = tls_read_trust(path, also, &buf, &bio, why, whylen)) != 0)
		goto out;
	rc = SKM_EINVAL;
	/* The queue's last error tells how the chain ended: none older may stay. */
	ERR_clear_error();
	if ((x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_clear_chain_certs(ctx) != 1) {
		tls_why_crypto(why, whylen, "cannot load the certificate", path);
		goto out;
	}
	X509_free(x);
	x = NULL;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			tls_why_crypto(why, whylen, "cannot load the certificate chain", path);
			goto out;
		}
		x = NULL;
	}
	/* No further PEM block ends the chain; anything else is a broken one. */
	e = ERR_peek_last_error();
	if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		tls_why_crypto(why, whylen, "cannot load the certificate chain", path);
		goto out;
	}
	ERR_clear_error();
	rc = 0;
out:
	X509_free(x);
	BIO_free(bio);
	free(buf);
	return rc;
}

/* As SSL_CTX_load_verify_locations() and SSL_load_client_CA_file() together. */
static int
tls_load_client_ca(SSL_CTX *ctx, const char *path, uid_t also, char *why, size_t whylen)
{
	STACK_OF(X509_INFO) *infos = NULL;
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	X509_INFO *in;
	uint8_t *buf = NULL;
	BIO *bio = NULL;
	int i, ncert = 0, rc;

	if ((rc = tls_read_trust(path, also, &buf, &bio, why, whylen)) != 0)
		goto out;
	rc = SKM_EINVAL;
	if ((infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL)) == NULL) {
		tls_why_crypto(why, whylen, "cannot load the client CA", path);
		goto out;
	}
	for (i = 0; i < sk_X509_INFO_num(infos); i++) {
		in = sk_X509_INFO_value(infos, i);
		if (in->x509 != NULL && (X509_STORE_add_cert(store, in->x509) != 1 ||
		    SSL_CTX_add_client_CA(ctx, in->x509) != 1)) {
			tls_why_crypto(why, whylen, "cannot load the client CA", path);
			goto out;
		}
		if (in->crl != NULL && X509_STORE_add_crl(store, in->crl) != 1) {
			tls_why_crypto(why, whylen, "cannot load the client CA", path);
			goto out;
		}
		ncert += in->x509 != NULL;
	}
	if (ncert == 0) {
		snprintf(why, whylen, "%s: no CA certificate", path);
		goto out;
	}
	/* Requested, not required: a caller may authenticate with a token instead. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_verify_depth(ctx, 4);
	rc = 0;
out:
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	free(buf);
	return rc;
}

int
tls_new(const struct conf *cf, struct tls_tickets *tk, struct tls **out, char *why,
    size_t whylen)
{
	static const unsigned char sid_ctx[] = "skmsd";
	struct tls *t = NULL;
	SSL_CTX *ctx = NULL;
	long timeout;
	uid_t also;
	int rc = SKM_EINVAL;

	*out = NULL;
	why[0] = '\0';
	if (tls_ctx_index < 0 &&
	    (tls_ctx_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL)) < 0) {
		tls_why_crypto(why, whylen, "ex_data", "tls");
		return SKM_ECRYPTO;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_why_crypto(why, whylen, "cannot create a context", "tls");
		rc = SKM_ENOMEM;
		goto out;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_12) != 1) {
		tls_why_crypto(why, whylen, "protocol settings", "tls");
		goto out;
	}
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	/* Idle keep-alive connections should not hold 34 KiB of buffers each. */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* One read() takes whatever has arrived, not a record header first. */
	SSL_CTX_set_read_ahead(ctx, 1);
	/* The service user may own the files it rereads on SIGHUP. */
	also = trustfile_uid(cf->server.user);
	if ((rc = tls_load_cert(ctx, cf->server.tls_certificate, also, why, whylen)) != 0 ||
	    (rc = tls_load_key(ctx, cf->server.tls_key, also, why, whylen)) != 0)
		goto out;
	if (cf->server.tls_client_ca[0] != '\0' &&
	    (rc = tls_load_client_ca(ctx, cf->server.tls_client_ca, also, why, whylen)) != 0)
		goto out;
	rc = SKM_ECRYPTO;
	/* A full handshake costs about one RSK derivation: let clients resume. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
	SSL_CTX_sess_set_cache_size(ctx, TLS_SESSION_CACHE);
	if (SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1) != 1) {
		tls_why_crypto(why, whylen, "session id context", "tls");
		goto out;
	}
	/* A ticket stays usable for two rotations: one as current, one as previous. */
	timeout = 2 * (long)(cf->server.tls_ticket_rotation > 0 ?
	    cf->server.tls_ticket_rotation : 3600);
	SSL_CTX_set_timeout(ctx, timeout);
	SSL_CTX_set_num_tickets(ctx, 1);
	if (SSL_CTX_set_ex_data(ctx, tls_ctx_index, tk) != 1 ||
	    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_ticket_cb) != 1) {
		tls_why_crypto(why, whylen, "session tickets", "tls");
		goto out;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	t->ctx = ctx;
	ctx = NULL;
	*out = t;
	rc = 0;
out:
	SSL_CTX_free(ctx);
	return rc;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

SSL *
tls_ssl_new(const struct tls *t)
{
	return SSL_new(t->ctx);
}

X509 *
tls_peer_cert(const SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return NULL;
	return cert;
}
