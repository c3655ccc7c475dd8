/* SPDX-License-Identifier: ISC */
/*
 * The client side of the TS 33.180 D.1 security extension: the identity's
 * Transport Key and optional Integrity Key (each 32 octets with its ID,
 * kept in a secret file of the identity's keystore directory), the signed
 * KmsRequest that names them, and the opening of a SignedKmsResponse:
 * its signature verified (InK when configured, else TrK), every
 * EncKeyContentType key unwrapped (RFC 5649; kw-aes-256-pad or kw-aes256)
 * into the plain KmsResponse the existing parser and checks take, and a
 * NewTransportKey/NewIntegrityKey taken over and saved. With keys
 * configured, an unsigned response is refused.
 */
#ifndef SKM_CLIENT_KMSTK_H
#define SKM_CLIENT_KMSTK_H

#include <stddef.h>
#include <stdint.h>

#define KMSTK_KEY_LEN	32
#define KMSTK_ID_MAX	128
#define KMSTK_FILE	"tk"	/* in the identity's directory */

/* SECRET as a whole; allocate on the secure heap or cleanse after use. */
struct kmstk {
	char path[4096];		/* the file it came from or goes to */
	char trk_id[KMSTK_ID_MAX + 1];
	uint8_t trk[KMSTK_KEY_LEN];
	int has_ink;
	char ink_id[KMSTK_ID_MAX + 1];
	uint8_t ink[KMSTK_KEY_LEN];
	int rotated;			/* kmstk_open took over a new key (and saved it) */
};

/* Frees what kmstk_open() returned (the secure heap, len + 1 octets). */
void kmstk_free(char *doc, size_t len);

/* A usable ID (as skmsctl's): 1 to 128 printable ASCII octets, no space, '<', '&'. */
int kmstk_id_ok(const char *id);

/* Reads the key file at path into k: 0, SKM_ENOTFOUND or SKM_E* with why. */
int kmstk_load(struct kmstk *k, const char *path, char *why, size_t whylen);

/* Writes k to k->path (mode 0600, replacing). */
int kmstk_save(const struct kmstk *k, char *why, size_t whylen);

/*
 * A SignedKmsRequest naming the TrK (TrK-ID) and the signing key
 * (Signature-ID: the InK, else the TrK) for user_uri: *out to free with
 * xsec_free().
 */
int kmstk_request(const struct kmstk *k, const char *user_uri, int64_t now, char **out,
    size_t *len, char *why, size_t whylen);

/*
 * Opens a response: verifies its signature, unwraps its keys and takes
 * over new keys (saving k when path is set). *plain gets the KmsResponse
 * with keys in clear, to free with kmstk_free(). SKM_EVERIFY (a bad or
 * missing signature, a key that does not unwrap) or SKM_EPARSE with why.
 */
int kmstk_open(struct kmstk *k, const char *doc, size_t len, char **plain,
    size_t *plainlen, char *why, size_t whylen);

#endif
