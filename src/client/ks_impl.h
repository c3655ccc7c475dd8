/* SPDX-License-Identifier: ISC */
/*
 * The keystore's insides, shared by ks.c (identities, settings, the Root
 * certificate), ks_keys.c (key sets), ks_ext.c (External certificates)
 * and ks_fetch.c. Not for use outside src/client/ks*.c.
 */
#ifndef SKM_CLIENT_KS_IMPL_H
#define SKM_CLIENT_KS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "client/ks.h"

struct kmsdoc;

enum ks_key { KS_SERVER, KS_TOKEN_FILE, KS_CACERT, KS_CLIENT_CERT, KS_CLIENT_KEY, KS_NKEYS };

struct ks {
	char *dir;			/* the keystore */
	char *path;			/* this identity's directory */
	char *uri;
	char *val[KS_NKEYS];		/* settings, backing set */
	struct ks_settings set;
	long timeout;
	struct kmsdoc **certs;		/* Root certificates, loaded on first use: */
	size_t ncerts;			/*   [0] from root.xml, the rest from certs/ */
	struct kmsdoc **dead;		/* replaced ones, freed at ks_close: callers */
	size_t ndead;			/*   may still hold pointers into them */
	struct kmsdoc **keys;		/* key sets loaded so far */
	size_t nkeys;
	struct kmsdoc **ext;		/* External certificates, once loaded */
	const struct kmsdoc_cert **extv;
	size_t next;
	uint64_t cache_num;
	int ext_loaded;
};

/* Subdirectories and files of an identity's directory. */
#define KS_IDENTITY	"identity"
#define KS_ROOT		"root.xml"
#define KS_CERTS	"certs"
#define KS_KEYS		"keys"
#define KS_EXTERNAL	"external"
#define KS_CACHENUM	"cachenum"

/* The name of a file or directory for a URI: percent-encoded but for [A-Za-z0-9._@+-]. */
int ks_dirname(const char *uri, char *out, size_t len);

/* The certificate a key set document names (its CertUri, else by its period). */
int ks_cert_of_keyset(struct ks *ks, const struct kmsdoc_keyset *set,
    const struct kmsdoc_cert **cert, char *why, size_t whylen);

/*
 * Checks a key set under the certificate its CertUri names: that
 * certificate is in force during the key set's period, and kmscheck_keyset.
 */
int ks_check_keyset(struct ks *ks, const struct kmsdoc_keyset *set, char *why,
    size_t whylen);

/* Frees the n documents of *v and *v itself; leaves NULL and 0. */
void ks_docs_free(struct kmsdoc ***v, size_t *n);

/* Drops the loaded certificates. */
void ks_certs_drop(struct ks *ks);

/* Erases the certificates of certs/ (re-initialisation under another domain). */
int ks_certs_erase_all(const char *idpath);

/* path = a "/" b, SKM_ELEN when it does not fit. */
int ks_join(char *out, size_t len, const char *a, const char *b);

/* mkdir 0700 (an existing directory is fine) and checks it is a directory. */
int ks_mkdir(const char *path);

/* fsync of a directory. */
int ks_fsync_dir(const char *path);

/* Reads a whole file into a new secure-heap buffer (free with ks_buf_free). */
int ks_read(const char *path, int secret, char **buf, size_t *len);
void ks_buf_free(char *buf, size_t len);

/* Drops the loaded key sets and External certificates. */
void ks_keys_drop(struct ks *ks);
void ks_ext_drop(struct ks *ks);

/* Erases every stored key set and External certificate (re-initialisation). */
int ks_keys_erase_all(const char *idpath);
int ks_ext_erase_all(const char *idpath);

#endif
