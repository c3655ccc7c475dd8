/* SPDX-License-Identifier: ISC */
/*
 * Key-encryption key in a PKCS#11 token: an AES-256 key object named by
 * an RFC 7512 URI (parsed by p11-kit), used through the module p11-kit
 * loads. The key never leaves the token: sealing and unsealing are
 * C_Encrypt / C_Decrypt with CKM_AES_GCM where the token has it (or where
 * kek.pkcs11-mechanism says gcm), else AES key wrap with padding (RFC 5649)
 * under its PKCS#11 3.0 name CKM_AES_KEY_WRAP_KWP or its 2.40 name
 * CKM_AES_KEY_WRAP_PAD. Tokens that offer key wrap only for keys (SoftHSM2
 * 2.6: CKF_WRAP and CKF_UNWRAP, not CKF_ENCRYPT) get the secret as a
 * session object: sealing creates it and wraps it (C_WrapKey), unsealing
 * unwraps into a session object that is not sensitive, reads its value and
 * destroys it at once (closing the session would end it too). A load opens
 * a session and logs in (the PIN, read from the PIN file, is cleansed
 * right after C_Login); kek_free() logs out, closes the session and
 * finalizes the module, so a token is held only for one use (a start, a
 * reload, a command).
 *
 * Sealed form: mechanism (1 octet) || body, the mechanism octet chosen at
 * sealing and read at unsealing, so a store sealed through either
 * mechanism opens on any token holding the key.
 *   KEK_P11_GCM: nonce (12) || ciphertext || tag (16), aad as GCM's AAD.
 *   KEK_P11_KWP: KWP(first 16 octets of SHA-256(aad) || plaintext): key
 *                wrap has no associated data, so a digest of it is wrapped
 *                with the secret and checked at unsealing.
 *   KEK_P11_PAD: the same, sealed through CKM_AES_KEY_WRAP_PAD.
 * Both wrapped forms are RFC 5649 of the same octets, so either mechanism
 * opens either where the recorded one is not offered; a token whose
 * CKM_AES_KEY_WRAP_PAD were another padding fails the digest check.
 * C_WrapKey pads a key value to a multiple of 8 octets with zeros (SoftHSM2
 * does, and the unwrapped value keeps them), so that path seals only
 * secrets of a multiple of 8 octets.
 * Never logs; the PIN is never copied out of the secure heap.
 */
#include "config.h"
#include "store/kek.h"
#include "store/seal.h"
#include "common/err.h"
#include "common/secfile.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#ifndef CKM_AES_KEY_WRAP_KWP
#define CKM_AES_KEY_WRAP_KWP	0x210bUL	/* PKCS#11 3.0 */
#endif

#define KEK_P11_GCM	1
#define KEK_P11_KWP	2
#define KEK_P11_PAD	3
#define KEK_P11_AADH	16
#define KEK_P11_PIN_MAX	256
#define KEK_P11_KEY_LEN	32

/*
 * Keys logged in at the same time (a rotation between two key objects of
 * one token): a login is the application's, not the session's, so the
 * last one alone logs out.
 */
static unsigned kek_p11_logins;

static struct {
	char uri[KEK_PATH_MAX];
	char module[1024];
	char pin_file[1024];
	unsigned flags;
	enum kek_pkcs11_mech mech;
} kek_p11_set;

struct kek_p11 {
	CK_FUNCTION_LIST **mods;	/* every module registered with p11-kit, or NULL */
	CK_FUNCTION_LIST *mod;		/* the token's */
	CK_SESSION_HANDLE sess;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM_TYPE mech;		/* sealing */
	CK_FLAGS kwp, pad;		/* what the token does with either key wrap */
	int open, logged;
};

int
kek_pkcs11_set(const char *module, const char *pin_file, unsigned flags)
{
	if (module == NULL)
		module = "";
	if (pin_file == NULL)
		pin_file = "";
	if (strlen(module) >= sizeof(kek_p11_set.module) ||
	    strlen(pin_file) >= sizeof(kek_p11_set.pin_file))
		return SKM_ELEN;
	strcpy(kek_p11_set.module, module);
	strcpy(kek_p11_set.pin_file, pin_file);
	kek_p11_set.flags = flags;
	return 0;
}

int
kek_pkcs11_set_uri(const char *uri)
{
	if (uri == NULL)
		uri = "";
	if (strlen(uri) >= sizeof(kek_p11_set.uri))
		return SKM_ELEN;
	strcpy(kek_p11_set.uri, uri);
	return 0;
}

int
kek_pkcs11_set_mechanism(enum kek_pkcs11_mech mech)
{
	if (mech != KEK_PKCS11_AUTO && mech != KEK_PKCS11_GCM && mech != KEK_PKCS11_KWP)
		return SKM_EINVAL;
	kek_p11_set.mech = mech;
	return 0;
}

const char *
kek_pkcs11_named(void)
{
	return kek_p11_set.uri[0] != '\0' ? kek_p11_set.uri : NULL;
}

/* "URI: what: CKR_NAME", SKM_ECRYPTO (SKM_EAUTH for a PIN the token refuses). */
static int
p11_fail(const char *uri, const char *what, CK_RV rv, char *why, size_t whylen)
{
	char nb[32];

	skm_why(why, whylen, 0, "%s: %s: %s", uri, what,
	    kek_pkcs11_rv_name(rv, nb, sizeof(nb)));
	return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED ||
	    rv == CKR_PIN_EXPIRED || rv == CKR_PIN_LEN_RANGE ? SKM_EAUTH : SKM_ECRYPTO;
}

static int
p11_uri(const char *s, P11KitUri **out, char *why, size_t whylen)
{
	P11KitUri *uri;
	int rc;

	if ((*out = uri = p11_kit_uri_new()) == NULL)
		return SKM_ENOMEM;
	if ((rc = p11_kit_uri_parse(s, P11_KIT_URI_FOR_OBJECT_ON_TOKEN_AND_MODULE,
	    uri)) != P11_KIT_URI_OK)
		return skm_why(why, whylen, SKM_EINVAL, "%s: not a PKCS#11 URI: %s", s,
		    p11_kit_uri_message(rc));
	if (p11_kit_uri_get_attribute(uri, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(uri, CKA_ID) == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "%s: names no key object "
		    "(give object= or id=)", s);
	return 0;
}

static void
p11_close(struct kek_p11 *p)
{
	if (p->mod != NULL && p->logged && --kek_p11_logins == 0)
		p->mod->C_Logout(p->sess);
	if (p->mod != NULL && p->open)
		p->mod->C_CloseSession(p->sess);
	if (p->mods != NULL)
		p11_kit_modules_finalize_and_release(p->mods);
	else if (p->mod != NULL) {
		p11_kit_module_finalize(p->mod);
		p11_kit_module_release(p->mod);
	}
	p->mods = NULL;
	p->mod = NULL;
	p->open = p->logged = 0;
}

/* The PIN file, read into the secure heap, one trailing newline dropped. */
static int
p11_login(struct kek_p11 *p, const char *s, char *why, size_t whylen)
{
	uint8_t *pin;
	size_t len = 0;
	CK_RV rv;
	int rc;

	if (kek_p11_set.pin_file[0] == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "%s: no PIN file (kek.pin-file "
		    "or --pin-file)", s);
	if ((pin = OPENSSL_secure_zalloc(KEK_P11_PIN_MAX)) == NULL)
		return SKM_ENOMEM;
	rc = secfile_read(kek_p11_set.pin_file, pin, KEK_P11_PIN_MAX, &len, why, whylen);
	if (rc == 0) {
		if (len > 0 && pin[len - 1] == '\n')
			len--;
		if (len > 0 && pin[len - 1] == '\r')
			len--;
		if (len == 0)
			rc = skm_why(why, whylen, SKM_EINVAL, "%s: empty PIN",
			    kek_p11_set.pin_file);
	}
	if (rc == 0) {
		rv = p->mod->C_Login(p->sess, CKU_USER, pin, len);
		if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
			p->logged = 1;
			kek_p11_logins++;
		} else
			rc = p11_fail(s, "C_Login", rv, why, whylen);
	}
	OPENSSL_secure_clear_free(pin, KEK_P11_PIN_MAX);
	return rc;
}

/* Of mechanism m's flags on slot: CKF_ENCRYPT, CKF_DECRYPT, CKF_WRAP, CKF_UNWRAP. */
static CK_FLAGS
p11_mech_flags(const struct kek_p11 *p, CK_SLOT_ID slot, CK_MECHANISM_TYPE m)
{
	CK_MECHANISM_INFO mi;

	if (p->mod->C_GetMechanismInfo(slot, m, &mi) != CKR_OK)
		return 0;
	return mi.flags & (CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP);
}

/* Either pair of flags: the token seals and unseals with that mechanism. */
static int
p11_both(CK_FLAGS f)
{
	return (f & (CKF_ENCRYPT | CKF_DECRYPT)) == (CKF_ENCRYPT | CKF_DECRYPT) ||
	    (f & (CKF_WRAP | CKF_UNWRAP)) == (CKF_WRAP | CKF_UNWRAP);
}

/*
 * The sealing mechanism, as kek.pkcs11-mechanism says: gcm, kwp (RFC 5649
 * under its 3.0 name, else its 2.40 name) or auto (GCM where the token
 * encrypts and decrypts with it, else kwp). Unsealing follows the
 * mechanism recorded with each value instead.
 */
static int
p11_mech(struct kek_p11 *p, CK_SLOT_ID slot, const char *s, char *why, size_t whylen)
{
	enum kek_pkcs11_mech want = kek_p11_set.mech;
	CK_FLAGS gcm = p11_mech_flags(p, slot, CKM_AES_GCM);

	p->kwp = p11_mech_flags(p, slot, CKM_AES_KEY_WRAP_KWP);
	p->pad = p11_mech_flags(p, slot, CKM_AES_KEY_WRAP_PAD);
	if (want != KEK_PKCS11_KWP &&
	    (gcm & (CKF_ENCRYPT | CKF_DECRYPT)) == (CKF_ENCRYPT | CKF_DECRYPT)) {
		p->mech = CKM_AES_GCM;
		return 0;
	}
	if (want == KEK_PKCS11_GCM)
		return p11_fail(s, "kek.pkcs11-mechanism gcm: CKM_AES_GCM does not "
		    "encrypt and decrypt", CKR_MECHANISM_INVALID, why, whylen);
	if (p11_both(p->kwp))
		p->mech = CKM_AES_KEY_WRAP_KWP;
	else if (p11_both(p->pad))
		p->mech = CKM_AES_KEY_WRAP_PAD;
	else
		return p11_fail(s, want == KEK_PKCS11_KWP ? "kek.pkcs11-mechanism kwp: "
		    "neither CKM_AES_KEY_WRAP_KWP nor CKM_AES_KEY_WRAP_PAD encrypts "
		    "and decrypts or wraps and unwraps" : "neither CKM_AES_GCM nor AES "
		    "key wrap with padding (CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD) "
		    "seals and unseals", CKR_MECHANISM_INVALID, why, whylen);
	return 0;
}

/* The slot of mod holding the token the URI names: 1 found, 0 none, -1 error (*rv). */
static int
p11_slot(CK_FUNCTION_LIST *mod, P11KitUri *uri, CK_SLOT_ID *slot, CK_RV *rv)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0, i;
	CK_TOKEN_INFO ti;
	int found = 0;

	if ((*rv = mod->C_GetSlotList(CK_TRUE, NULL, &n)) != CKR_OK)
		return -1;
	if (n == 0)
		return 0;
	if ((slots = OPENSSL_zalloc(n * sizeof(*slots))) == NULL) {
		*rv = CKR_HOST_MEMORY;
		return -1;
	}
	if ((*rv = mod->C_GetSlotList(CK_TRUE, slots, &n)) != CKR_OK) {
		OPENSSL_free(slots);
		return -1;
	}
	for (i = 0; i < n && !found; i++)
		if (mod->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
		    p11_kit_uri_match_token_info(uri, &ti)) {
			*slot = slots[i];
			found = 1;
		}
	OPENSSL_free(slots);
	return found;
}

/* p11-kit's proxy module, which p11-kit will not load as a module. */
static int
p11_is_proxy(const char *module)
{
	const char *b = strrchr(module, '/');

	return strcmp(module, P11KIT_PROXY) == 0 ||
	    strcmp(b != NULL ? b + 1 : module, "p11-kit-proxy.so") == 0;
}

/*
 * Loads the module (none named, or the proxy: every module registered with
 * p11-kit, as the proxy would reach them), finds the token the URI names,
 * opens a session and logs in.
 */
static int
p11_open(struct kek_p11 *p, const char *s, P11KitUri *uri, int rw, char *why,
    size_t whylen)
{
	const char *module = kek_p11_set.module;
	CK_FUNCTION_LIST **m;
	CK_INFO info;
	CK_SLOT_ID slot = 0;
	CK_RV rv = CKR_OK;
	int rc, found = 0;

	if (module[0] == '\0')
		module = p11_kit_uri_get_module_path(uri);
	if (module == NULL || p11_is_proxy(module)) {
		if ((p->mods = p11_kit_modules_load_and_initialize(0)) == NULL)
			return skm_why(why, whylen, SKM_EINVAL, "%s: the modules "
			    "registered with p11-kit: %s", s, p11_kit_message() != NULL ?
			    p11_kit_message() : "cannot be loaded");
		/* A module that fails to list its slots holds no usable token. */
		for (m = p->mods; *m != NULL && !found; m++)
			if ((*m)->C_GetInfo(&info) == CKR_OK &&
			    p11_kit_uri_match_module_info(uri, &info) &&
			    p11_slot(*m, uri, &slot, &rv) == 1) {
				p->mod = *m;
				found = 1;
			}
	} else {
		if ((p->mod = p11_kit_module_load(module, 0)) == NULL)
			return skm_why(why, whylen, SKM_EINVAL, "%s: module %s: %s", s,
			    module, p11_kit_message() != NULL ? p11_kit_message() :
			    "not a PKCS#11 module");
		if ((rv = p11_kit_module_initialize(p->mod)) != CKR_OK) {
			p11_kit_module_release(p->mod);
			p->mod = NULL;
			return p11_fail(s, "C_Initialize", rv, why, whylen);
		}
		if ((found = p11_slot(p->mod, uri, &slot, &rv)) < 0)
			return p11_fail(s, "C_GetSlotList", rv, why, whylen);
	}
	if (!found)
		return p11_fail(s, "no token matches", CKR_TOKEN_NOT_PRESENT, why, whylen);
	if ((rv = p->mod->C_OpenSession(slot, CKF_SERIAL_SESSION |
	    (rw ? CKF_RW_SESSION : 0), NULL, NULL, &p->sess)) != CKR_OK)
		return p11_fail(s, "C_OpenSession", rv, why, whylen);
	p->open = 1;
	if ((rc = p11_login(p, s, why, whylen)) == 0)
		rc = p11_mech(p, slot, s, why, whylen);
	return rc;
}

/* The secret key objects matching the URI's label and id: *n of them, counting to 2. */
static int
p11_find(struct kek_p11 *p, const char *s, P11KitUri *uri, CK_OBJECT_HANDLE *h,
    CK_ULONG *n, char *why, size_t whylen)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[3], *a;
	CK_OBJECT_HANDLE hs[2];
	CK_ULONG nt = 0;
	CK_RV rv;

	t[nt].type = CKA_CLASS;
	t[nt].pValue = &cls;
	t[nt++].ulValueLen = sizeof(cls);
	if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL)
		t[nt++] = *a;
	if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL)
		t[nt++] = *a;
	*n = 0;
	if ((rv = p->mod->C_FindObjectsInit(p->sess, t, nt)) != CKR_OK)
		return p11_fail(s, "C_FindObjectsInit", rv, why, whylen);
	rv = p->mod->C_FindObjects(p->sess, hs, 2, n);
	p->mod->C_FindObjectsFinal(p->sess);
	if (rv != CKR_OK)
		return p11_fail(s, "C_FindObjects", rv, why, whylen);
	*h = hs[0];
	return 0;
}

/* An AES-256 key that can seal; sensitive and not extractable unless allowed. */
static int
p11_key_check(struct kek_p11 *p, const char *s, char *why, size_t whylen)
{
	CK_KEY_TYPE kt = 0;
	CK_ULONG vlen = 0;
	CK_BBOOL sens = CK_FALSE, extr = CK_TRUE;
	CK_ATTRIBUTE t[] = {
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_VALUE_LEN, &vlen, sizeof(vlen) },
		{ CKA_SENSITIVE, &sens, sizeof(sens) },
		{ CKA_EXTRACTABLE, &extr, sizeof(extr) },
	};
	CK_RV rv;

	if ((rv = p->mod->C_GetAttributeValue(p->sess, p->key, t, 4)) != CKR_OK)
		return p11_fail(s, "C_GetAttributeValue", rv, why, whylen);
	if (kt != CKK_AES || vlen != KEK_P11_KEY_LEN)
		return skm_why(why, whylen, SKM_EINVAL, "%s: the key object is not an "
		    "AES-256 key (key type 0x%lx, %lu octets)", s, (unsigned long)kt,
		    (unsigned long)vlen);
	if ((extr != CK_FALSE || sens != CK_TRUE) &&
	    !(kek_p11_set.flags & KEK_PKCS11_ALLOW_EXTRACTABLE))
		return skm_why(why, whylen, SKM_EPERM, "%s: the key object is %s: its "
		    "value can leave the token (--allow-extractable to use it anyway)", s,
		    extr != CK_FALSE ? "extractable" : "not sensitive");
	return 0;
}

static void
kek_pkcs11_free(struct kek *k)
{
	if (k == NULL)
		return;
	if (k->priv != NULL) {
		p11_close(k->priv);
		OPENSSL_secure_clear_free(k->priv, sizeof(struct kek_p11));
	}
	OPENSSL_secure_clear_free(k, sizeof(*k));
}

static int
kek_pkcs11_load(const struct kek_ref *ref, const char *path, struct kek **out,
    char *why, size_t whylen)
{
	struct kek *k = NULL;
	struct kek_p11 *p;
	P11KitUri *uri = NULL;
	CK_ULONG n;
	int rc;

	(void)ref;
	*out = NULL;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((k = OPENSSL_secure_zalloc(sizeof(*k))) == NULL ||
	    (k->priv = OPENSSL_secure_zalloc(sizeof(struct kek_p11))) == NULL) {
		rc = SKM_ENOMEM;
		goto out;
	}
	k->ops = &kek_pkcs11_ops;
	p = k->priv;
	if ((rc = p11_uri(path, &uri, why, whylen)) != 0 ||
	    (rc = p11_open(p, path, uri, 0, why, whylen)) != 0 ||
	    (rc = p11_find(p, path, uri, &p->key, &n, why, whylen)) != 0)
		goto out;
	if (n != 1) {
		rc = n == 0 ? p11_fail(path, "no secret key object matches",
		    CKR_KEY_HANDLE_INVALID, why, whylen) : skm_why(why, whylen,
		    SKM_EINVAL, "%s: more than one secret key object matches", path);
		if (n == 0)
			rc = SKM_ENOTFOUND;
		goto out;
	}
	if ((rc = p11_key_check(p, path, why, whylen)) != 0)
		goto out;
	*out = k;
	k = NULL;
out:
	if (uri != NULL)
		p11_kit_uri_free(uri);
	kek_pkcs11_free(k);
	return rc;
}

static int
p11_aad_hash(const uint8_t *aad, size_t aadlen, uint8_t *h)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(aad, aadlen, md, &mdlen, EVP_sha256(), NULL) != 1)
		return SKM_ECRYPTO;
	memcpy(h, md, KEK_P11_AADH);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* What the token does with key wrap mechanism m (0: not key wrap). */
static CK_FLAGS
p11_wrap_flags(const struct kek_p11 *p, CK_MECHANISM_TYPE m)
{
	return m == CKM_AES_KEY_WRAP_KWP ? p->kwp : m == CKM_AES_KEY_WRAP_PAD ? p->pad : 0;
}

/*
 * C_WrapKey of plain under the key: plain becomes a session object (not on
 * the token, private, sensitive, extractable only to be wrapped) that is
 * destroyed whatever the outcome.
 */
static int
p11_wrap(const struct kek_p11 *p, CK_MECHANISM *m, const uint8_t *plain, size_t len,
    uint8_t *out, CK_ULONG *olen)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
		{ CKA_VALUE, (uint8_t *)plain, len },
	};
	CK_OBJECT_HANDLE h;
	CK_RV rv;

	if (p->mod->C_CreateObject(p->sess, t, sizeof(t) / sizeof(t[0]), &h) != CKR_OK)
		return SKM_ECRYPTO;
	rv = p->mod->C_WrapKey(p->sess, m, p->key, h, out, olen);
	p->mod->C_DestroyObject(p->sess, h);
	return rv == CKR_OK ? 0 : SKM_ECRYPTO;
}

/*
 * C_UnwrapKey of in into a session object that is not sensitive, whose
 * value (up to *olen octets) is read into buf before it is destroyed.
 */
static int
p11_unwrap(const struct kek_p11 *p, CK_MECHANISM *m, const uint8_t *in, size_t inlen,
    uint8_t *buf, CK_ULONG *olen)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_GENERIC_SECRET;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_KEY_TYPE, &kt, sizeof(kt) },
		{ CKA_TOKEN, &no, sizeof(no) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &no, sizeof(no) },
		{ CKA_EXTRACTABLE, &yes, sizeof(yes) },
	};
	CK_ATTRIBUTE v = { CKA_VALUE, buf, *olen };
	CK_OBJECT_HANDLE h;
	CK_RV rv;

	if (p->mod->C_UnwrapKey(p->sess, m, p->key, (uint8_t *)in, inlen, t,
	    sizeof(t) / sizeof(t[0]), &h) != CKR_OK)
		return SKM_EVERIFY;
	rv = p->mod->C_GetAttributeValue(p->sess, h, &v, 1);
	p->mod->C_DestroyObject(p->sess, h);
	if (rv != CKR_OK || v.ulValueLen == CK_UNAVAILABLE_INFORMATION ||
	    v.ulValueLen > *olen)
		return SKM_EVERIFY;
	*olen = v.ulValueLen;
	return 0;
}

static int
kek_pkcs11_seal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	const struct kek_p11 *p = k->priv;
	CK_GCM_PARAMS gp;
	CK_MECHANISM m = { p->mech, NULL, 0 };
	CK_FLAGS f = p11_wrap_flags(p, p->mech);
	CK_ULONG olen;
	uint8_t *buf = NULL;
	int rc = SKM_ECRYPTO;

	*outlen = 0;
	if (cap < len + KEK_SEAL_OVERHEAD_MAX)
		return SKM_ELEN;
	if (p->mech == CKM_AES_GCM) {
		out[0] = KEK_P11_GCM;
		if (RAND_bytes(out + 1, SEAL_NONCE_LEN) != 1)
			return SKM_ECRYPTO;
		memset(&gp, 0, sizeof(gp));
		gp.iv_ptr = out + 1;
		gp.iv_len = SEAL_NONCE_LEN;
		gp.iv_bits = SEAL_NONCE_LEN * 8;
		gp.aad_ptr = (uint8_t *)aad;
		gp.aad_len = aadlen;
		gp.tag_bits = SEAL_TAG_LEN * 8;
		m.pParameter = &gp;
		m.ulParameterLen = sizeof(gp);
		olen = cap - 1 - SEAL_NONCE_LEN;
		if (p->mod->C_EncryptInit(p->sess, &m, p->key) != CKR_OK ||
		    p->mod->C_Encrypt(p->sess, (uint8_t *)plain, len, out + 1 +
		    SEAL_NONCE_LEN, &olen) != CKR_OK)
			return SKM_ECRYPTO;
		*outlen = 1 + SEAL_NONCE_LEN + olen;
		return 0;
	}
	out[0] = p->mech == CKM_AES_KEY_WRAP_KWP ? KEK_P11_KWP : KEK_P11_PAD;
	/* C_WrapKey would pad with zeros that unwrapping keeps (see above). */
	if (!(f & CKF_ENCRYPT) && (KEK_P11_AADH + len) % 8 != 0)
		return SKM_EINVAL;
	if ((buf = OPENSSL_secure_zalloc(KEK_P11_AADH + len)) == NULL)
		return SKM_ENOMEM;
	if (p11_aad_hash(aad, aadlen, buf) != 0)
		goto out;
	memcpy(buf + KEK_P11_AADH, plain, len);
	olen = cap - 1;
	if (f & CKF_ENCRYPT) {
		if (p->mod->C_EncryptInit(p->sess, &m, p->key) != CKR_OK ||
		    p->mod->C_Encrypt(p->sess, buf, KEK_P11_AADH + len, out + 1,
		    &olen) != CKR_OK)
			goto out;
	} else if ((rc = p11_wrap(p, &m, buf, KEK_P11_AADH + len, out + 1, &olen)) != 0)
		goto out;
	*outlen = 1 + olen;
	rc = 0;
out:
	OPENSSL_secure_clear_free(buf, KEK_P11_AADH + len);
	return rc;
}

/*
 * Opens a key-wrapped value (RFC 5649) into buf (*olen: its room, then the
 * opened length): through the recorded mechanism where the token decrypts
 * or unwraps with it, else the other name of the same algorithm.
 */
static int
p11_unseal_kwp(const struct kek_p11 *p, CK_MECHANISM_TYPE rec, const uint8_t *in,
    size_t inlen, uint8_t *buf, CK_ULONG *olen)
{
	CK_MECHANISM m = { rec, NULL, 0 };
	CK_FLAGS f = p11_wrap_flags(p, rec);

	if (!(f & (CKF_DECRYPT | CKF_UNWRAP))) {
		m.mechanism = rec == CKM_AES_KEY_WRAP_KWP ? CKM_AES_KEY_WRAP_PAD :
		    CKM_AES_KEY_WRAP_KWP;
		f = p11_wrap_flags(p, m.mechanism);
	}
	if (f & CKF_DECRYPT)
		return p->mod->C_DecryptInit(p->sess, &m, p->key) == CKR_OK &&
		    p->mod->C_Decrypt(p->sess, (uint8_t *)in, inlen, buf, olen) ==
		    CKR_OK ? 0 : SKM_EVERIFY;
	if (f & CKF_UNWRAP)
		return p11_unwrap(p, &m, in, inlen, buf, olen);
	return SKM_EVERIFY;
}

static int
kek_pkcs11_unseal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len)
{
	const struct kek_p11 *p = k->priv;
	CK_GCM_PARAMS gp;
	CK_MECHANISM m = { CKM_AES_GCM, NULL, 0 };
	CK_ULONG olen;
	uint8_t h[KEK_P11_AADH], *buf = NULL;
	int rc = SKM_EVERIFY;

	*len = 0;
	/* Any failure to open is a wrong key or an altered value, as for seal_decrypt(). */
	if (inlen < 1 + SEAL_OVERHEAD)
		return SKM_EVERIFY;
	/* Tokens may want room for the whole input (GCM: the tag too): a
	 * buffer of inlen octets in the secure heap, copied out once opened. */
	if ((buf = OPENSSL_secure_zalloc(inlen)) == NULL)
		return SKM_ENOMEM;
	olen = inlen;
	if (in[0] == KEK_P11_GCM) {
		memset(&gp, 0, sizeof(gp));
		gp.iv_ptr = (uint8_t *)in + 1;
		gp.iv_len = SEAL_NONCE_LEN;
		gp.iv_bits = SEAL_NONCE_LEN * 8;
		gp.aad_ptr = (uint8_t *)aad;
		gp.aad_len = aadlen;
		gp.tag_bits = SEAL_TAG_LEN * 8;
		m.pParameter = &gp;
		m.ulParameterLen = sizeof(gp);
		if (p->mod->C_DecryptInit(p->sess, &m, p->key) != CKR_OK ||
		    p->mod->C_Decrypt(p->sess, (uint8_t *)in + 1 + SEAL_NONCE_LEN,
		    inlen - 1 - SEAL_NONCE_LEN, buf, &olen) != CKR_OK)
			goto out;
	} else if (in[0] == KEK_P11_KWP || in[0] == KEK_P11_PAD) {
		if (p11_unseal_kwp(p, in[0] == KEK_P11_KWP ? CKM_AES_KEY_WRAP_KWP :
		    CKM_AES_KEY_WRAP_PAD, in + 1, inlen - 1, buf, &olen) != 0 ||
		    olen < KEK_P11_AADH || p11_aad_hash(aad, aadlen, h) != 0 ||
		    CRYPTO_memcmp(h, buf, KEK_P11_AADH) != 0)
			goto out;
		/* The digest is not part of the secret. */
		memmove(buf, buf + KEK_P11_AADH, olen - KEK_P11_AADH);
		olen -= KEK_P11_AADH;
	} else
		goto out;
	if (olen > cap) {
		rc = SKM_ELEN;
		goto out;
	}
	memcpy(plain, buf, olen);
	*len = olen;
	rc = 0;
out:
	OPENSSL_secure_clear_free(buf, inlen);
	return rc;
}

const struct kek_ops kek_pkcs11_ops = {
	.name = "pkcs11",
	.noun = "PKCS#11 key object",
	.kind = KEK_PKCS11,
	.load = kek_pkcs11_load,
	.seal = kek_pkcs11_seal,
	.unseal = kek_pkcs11_unseal,
	.free = kek_pkcs11_free,
};

int
kek_pkcs11_ref(struct kek_ref *ref, const char *s, char *why, size_t whylen)
{
	P11KitUri *uri = NULL;
	int rc;

	memset(ref, 0, sizeof(*ref));
	if (strlen(s) >= sizeof(ref->path))
		return skm_why(why, whylen, SKM_ELEN, "%s: longer than %d octets", s,
		    KEK_PATH_MAX - 1);
	if ((rc = p11_uri(s, &uri, why, whylen)) == 0) {
		ref->kind = KEK_PKCS11;
		strcpy(ref->path, s);
	}
	if (uri != NULL)
		p11_kit_uri_free(uri);
	return rc;
}

int
kek_pkcs11_generate(const char *s, char *why, size_t whylen)
{
	struct kek_p11 p;
	P11KitUri *uri = NULL;
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_KEY_TYPE kt = CKK_AES;
	CK_ULONG vlen = KEK_P11_KEY_LEN, n, nt = 0;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_MECHANISM m = { CKM_AES_KEY_GEN, NULL, 0 };
	CK_OBJECT_HANDLE h;
	CK_ATTRIBUTE t[14], *a;
	CK_RV rv;
	int rc;

	memset(&p, 0, sizeof(p));
	if ((rc = p11_uri(s, &uri, why, whylen)) != 0 ||
	    (rc = p11_open(&p, s, uri, 1, why, whylen)) != 0 ||
	    (rc = p11_find(&p, s, uri, &h, &n, why, whylen)) != 0)
		goto out;
	if (n != 0) {
		rc = skm_why(why, whylen, SKM_EEXIST, "%s: a key object with this "
		    "label and id exists already", s);
		goto out;
	}
#define T(ty, v) do { t[nt].type = (ty); t[nt].pValue = &(v); \
	t[nt++].ulValueLen = sizeof(v); } while (0)
	T(CKA_CLASS, cls);
	T(CKA_KEY_TYPE, kt);
	T(CKA_VALUE_LEN, vlen);
	T(CKA_TOKEN, yes);
	T(CKA_PRIVATE, yes);
	T(CKA_SENSITIVE, yes);
	T(CKA_EXTRACTABLE, no);
	T(CKA_ENCRYPT, yes);
	T(CKA_DECRYPT, yes);
	T(CKA_WRAP, yes);	/* the key wrap mechanisms' sealing and unsealing */
	T(CKA_UNWRAP, yes);
#undef T
	if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL)
		t[nt++] = *a;
	if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL)
		t[nt++] = *a;
	if ((rv = p.mod->C_GenerateKey(p.sess, &m, t, nt, &h)) != CKR_OK)
		rc = p11_fail(s, "C_GenerateKey", rv, why, whylen);
out:
	p11_close(&p);
	if (uri != NULL)
		p11_kit_uri_free(uri);
	return rc;
}
