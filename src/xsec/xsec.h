/* SPDX-License-Identifier: ISC */
/*
 * XML-DSig for the security extension of TS 33.180 D.1: SignedKmsRequest
 * and SignedKmsResponse are a KmsRequest or KmsResponse followed by one
 * ds:Signature, HMAC-SHA256 (256-bit output) under the Integrity Key or
 * the Transport Key, SHA-256 digest, canonical XML 1.0 (20010315), one
 * Reference to the Id of the signed element, ds:KeyInfo/ds:KeyName the
 * key's ID.
 *
 * Verification uses libxmlsec1: canonicalisation, reference processing
 * and the signature transforms are what a hand-written implementation
 * gets wrong, and its OpenSSL back end is the one the xmlsec1 tool uses,
 * so an independent verifier sees the same profile. It admits exactly
 * that profile: no other algorithm, no transform, no external or
 * XPointer URI, no key from the document. Signing, which skmsd does for
 * every protected response, uses libxml2's canonicalisation and OpenSSL's
 * HMAC directly (xsec_sign.c says why); nothing is canonicalised by hand.
 * The key wrap is not done here: libxmlsec1 1.2 has only the RFC 3394
 * wrap, which cannot carry the 257-octet RSK, so lib/keywrap.c does RFC
 * 5649 with OpenSSL. libxmlsec1 prints nothing.
 */
#ifndef SKM_XSEC_XSEC_H
#define SKM_XSEC_XSEC_H

#include <stddef.h>
#include <stdint.h>

#define XSEC_KEY_LEN	32

/* Why a signed document was refused (xsec_verify). */
enum xsec_fail {
	XSEC_OK = 0,
	XSEC_FORM,		/* not Signed<name> = <name> + ds:Signature */
	XSEC_NO_ID,		/* the signed element has no Id */
	XSEC_REFERENCE,		/* not one Reference to "#" + that Id */
	XSEC_KEY_NAME,		/* ds:KeyName names another key */
	XSEC_PROFILE,		/* an algorithm or transform outside the profile */
	XSEC_BAD,		/* the digest or signature value does not verify */
};

/*
 * Initialises libxml2 and libxmlsec1 with its OpenSSL back end and
 * silences their error output. Call once before threads start; 0 or
 * SKM_ECRYPTO.
 */
int xsec_init(void);

/* Releases what xsec_init() set up (at exit, after every thread). */
void xsec_shutdown(void);

/*
 * Signs the document doc (len octets; its root a KmsRequest or
 * KmsResponse carrying an Id) with key (XSEC_KEY_LEN octets) named
 * key_name: *out gets "Signed" + root name holding the root and a
 * ds:Signature, NUL-terminated, to free with xsec_free(). 0, SKM_EINVAL
 * (no Id, not well-formed), SKM_ECRYPTO or SKM_ENOMEM. Thread-safe.
 */
int xsec_sign(const char *doc, size_t len, const uint8_t *key, const char *key_name,
    char **out, size_t *outlen);

/*
 * As xsec_sign(), without a parse, for a document whose signed element
 * (Id id, the KMS namespace declared on it) lies at off, clen octets,
 * already in Canonical XML 1.0 form (xmlw_finish_c14n()) and followed
 * only by a newline: the digest is taken over those octets as they are
 * and SignedInfo is written in its canonical form. The output is the one
 * xsec_sign() gives for the same document. An id or key_name outside
 * printable ASCII without markup goes through xsec_sign(). Errors as
 * xsec_sign(); SKM_EINVAL when the element is not one it can sign so.
 */
int xsec_sign_c14n(const char *doc, size_t len, size_t off, size_t clen, const char *id,
    const uint8_t *key, const char *key_name, char **out, size_t *outlen);

/*
 * Verifies doc, a "Signed" + name document, under key named key_name
 * (when the signature carries a ds:KeyName it must be that). On success
 * returns 0 and, when inner is not NULL, *inner gets the signed element
 * alone as a NUL-terminated document (namespaces declared on it) to
 * free with xsec_free(). Otherwise SKM_EVERIFY with *fail saying why,
 * or SKM_ENOMEM. Thread-safe.
 */
int xsec_verify(const char *doc, size_t len, const char *name, const uint8_t *key,
    const char *key_name, enum xsec_fail *fail, char **inner, size_t *innerlen);

/* A static, lower-case phrase for a failure. */
const char *xsec_fail_str(enum xsec_fail fail);

/* Cleanses and frees what xsec_sign() or xsec_verify() returned. */
void xsec_free(char *doc, size_t len);

#endif
