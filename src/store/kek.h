/* SPDX-License-Identifier: ISC */
/*
 * Key-encryption keys: the key under which the master secrets are sealed.
 * Each source is a const struct kek_ops in its own file (kek_file.c: a
 * random key file; kek_passphrase.c: scrypt of a passphrase). The ops seal
 * and unseal rather than hand out key bytes, so a token-held key (PKCS#11,
 * whose key never leaves the token) fits behind the same interface. The
 * store keeps only a struct kek_ref (which source, which file, which scrypt
 * parameters), never the key.
 */
#ifndef SKM_STORE_KEK_H
#define SKM_STORE_KEK_H

#include <stddef.h>
#include <stdint.h>

#include "common/secfile.h"

enum kek_kind {
	KEK_FILE = 1,
	KEK_PASSPHRASE = 2,
	KEK_PKCS11 = 3,		/* a key object in a PKCS#11 token; path is its URI */
};

#define KEK_PATH_MAX	1024
#define KEK_SALT_LEN	16
/* The most any source adds to a sealed value (the software sources: SEAL_OVERHEAD). */
#define KEK_SEAL_OVERHEAD_MAX	64

/* Where the key comes from: stored in the domain record. Holds no secret. */
struct kek_ref {
	enum kek_kind kind;
	char path[KEK_PATH_MAX];	/* key file or passphrase file */
	uint64_t scrypt_n;		/* KEK_PASSPHRASE only */
	uint32_t scrypt_r;
	uint32_t scrypt_p;
	uint8_t salt[KEK_SALT_LEN];
};

struct kek;

struct kek_ops {
	const char *name;	/* in domain show and the audit log */
	const char *noun;	/* in messages: "key file", "passphrase file" */
	enum kek_kind kind;
	/* Loads the key named by ref from path; why gets a reason on failure. */
	int (*load)(const struct kek_ref *ref, const char *path, struct kek **out,
	    char *why, size_t whylen);
	int (*seal)(const struct kek *k, const uint8_t *aad, size_t aadlen,
	    const uint8_t *plain, size_t len, uint8_t *out, size_t cap,
	    size_t *outlen);
	int (*unseal)(const struct kek *k, const uint8_t *aad, size_t aadlen,
	    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap,
	    size_t *len);
	void (*free)(struct kek *k);
};

struct kek {
	const struct kek_ops *ops;
	void *priv;	/* SECRET: the variant's key state, in the secure heap */
};

extern const struct kek_ops kek_file_ops;
extern const struct kek_ops kek_passphrase_ops;
extern const struct kek_ops kek_pkcs11_ops;

/* The ops of kind, or NULL for a kind this build does not know. */
const struct kek_ops *kek_ops_find(enum kek_kind kind);

/* The name of kind ("file", "passphrase"), "unknown" if not known. */
const char *kek_kind_name(enum kek_kind kind);

/* What a source of kind is called in messages ("key file"), "unknown source" if not known. */
const char *kek_kind_noun(enum kek_kind kind);

/*
 * Loads the key ref names, from path or, when path is NULL, from ref->path.
 * The key lives in the OpenSSL secure heap until kek_free(). Secret files
 * go through secfile_open(): a bad owner or mode is SKM_EPERM with a reason
 * in why (may be NULL).
 */
int kek_load(const struct kek_ref *ref, const char *path, struct kek **out,
    char *why, size_t whylen);

/* Seal / unseal through the key's ops; see seal.h for the sealed form. */
int kek_seal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen);
int kek_unseal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len);

/* Cleanses and frees k; NULL is allowed. */
void kek_free(struct kek *k);

/*
 * For software keys (file, passphrase): a struct kek whose priv is a
 * SEAL_KEY_LEN key in the secure heap, and the seal/unseal/free ops over it.
 */
int kek_soft_new(const struct kek_ops *ops, struct kek **out, uint8_t **key);
int kek_soft_seal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *outlen);
int kek_soft_unseal(const struct kek *k, const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *plain, size_t cap, size_t *len);
void kek_soft_free(struct kek *k);

/* Writes a new random 32-octet key file, mode 0600 (SKM_EEXIST if path exists). */
int kek_file_create(const char *path);

/* Fills ref for a key file at path. */
int kek_file_ref(struct kek_ref *ref, const char *path);

/*
 * Fills ref for a passphrase in the file at path, with scrypt parameters
 * N (a power of two > 1), r, p and a fresh random salt.
 */
int kek_passphrase_ref(struct kek_ref *ref, const char *path, uint64_t n,
    uint32_t r, uint32_t p);

/*
 * PKCS#11 (kek_pkcs11.c). The process-wide settings every later load of a
 * KEK_PKCS11 key uses: the module (NULL or "": the URI's module-path, else
 * every module registered with p11-kit, as its proxy module would reach
 * them; p11-kit-proxy.so named means the same), the PIN file (read through secfile, cleansed
 * after login) and flags. Without KEK_PKCS11_ALLOW_EXTRACTABLE a key
 * object that is extractable or not sensitive does not load.
 */
#define KEK_PKCS11_ALLOW_EXTRACTABLE	1
int kek_pkcs11_set(const char *module, const char *pin_file, unsigned flags);

/*
 * The configuration's kek.pkcs11-mechanism: how a key of every later load
 * seals (unsealing follows the mechanism recorded with each sealed value).
 * AUTO: CKM_AES_GCM where the token has it, else AES key wrap with padding;
 * GCM or KWP: that one, or the load fails. SKM_EINVAL for another value.
 */
enum kek_pkcs11_mech {
	KEK_PKCS11_AUTO = 0,
	KEK_PKCS11_GCM = 1,
	KEK_PKCS11_KWP = 2,
};
int kek_pkcs11_set_mechanism(enum kek_pkcs11_mech mech);

/*
 * The configuration's kek.pkcs11-uri (NULL or "": none), which names the
 * token key as kek.file names a key file; kek_pkcs11_named() returns it,
 * NULL when none.
 */
int kek_pkcs11_set_uri(const char *uri);
const char *kek_pkcs11_named(void);

/* Fills ref for the key object the RFC 7512 URI uri names (SKM_EINVAL with why if malformed). */
int kek_pkcs11_ref(struct kek_ref *ref, const char *uri, char *why, size_t whylen);

/*
 * Generates a non-extractable, sensitive AES-256 key object on the token
 * with the label and id of uri (SKM_EEXIST if one matches already).
 */
int kek_pkcs11_generate(const char *uri, char *why, size_t whylen);

/* The name of a PKCS#11 return value ("CKR_PIN_INCORRECT"), "CKR_0x..." if unknown. */
const char *kek_pkcs11_rv_name(unsigned long rv, char *buf, size_t len);

#endif
