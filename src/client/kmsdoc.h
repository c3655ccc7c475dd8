/* SPDX-License-Identifier: ISC */
/*
 * The client's reader of KMS documents, TS 33.180 Annex D (D.3): a
 * KmsResponse (KmsInit, KmsKeyProv, KmsCertCache, KmsError), or a bare
 * KmsCertificate or KmsKeySet as exported by an administration tool. It
 * accepts what our server writes and what any Annex D KMS writes: binary
 * values in hex or base64, namespace prefixes, and elements of other
 * namespaces (ds:Signature, vendor extensions), which are ignored, as are
 * unknown elements of the KMS namespace. It refuses documents with a
 * DOCTYPE, never loads anything from the network and never substitutes
 * entities. The one extension it reads is the project's own: the next
 * Root certificate of a scheduled rollover in a KmsInit. It only parses: whether a certificate or key set may be used
 * is kmscheck's job. Nothing here logs.
 */
#ifndef SKM_CLIENT_KMSDOC_H
#define SKM_CLIENT_KMSDOC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/sakke.h"
#include "lib/uid.h"

#define KMSDOC_MAX_LEN	(1024 * 1024)	/* larger documents are SKM_ELEN */

enum kmsdoc_kind {
	KMSDOC_INIT,		/* KmsResponse/KmsMessage/KmsInit */
	KMSDOC_KEYPROV,		/* KmsResponse/KmsMessage/KmsKeyProv */
	KMSDOC_CERTCACHE,	/* KmsResponse/KmsMessage/KmsCertCache */
	KMSDOC_CERT,		/* a bare KmsCertificate document */
	KMSDOC_KEYSET,		/* a bare KmsKeySet document */
	KMSDOC_ERROR,		/* KmsResponse/KmsMessage/KmsError */
};

/* A KmsCertificate (D.3.2). */
struct kmsdoc_cert {
	char *version;			/* the Version attribute; NULL when absent */
	char *role;			/* Role attribute: "Root" or "External"; NULL when absent */
	char *cert_uri;			/* CertUri; NULL when absent */
	char *kms_uri;			/* KmsUri; required by kmsdoc_parse */
	char *issuer;			/* Issuer; NULL when absent */
	int64_t valid_from;		/* Unix seconds; 0 when absent */
	int64_t valid_to;		/* Unix seconds; 0 when absent */
	int revoked;			/* Revoked is "true" or "1" */
	int user_id_format;		/* UserIdFormat; -1 when absent */
	uint64_t user_key_period;	/* UserKeyPeriod, seconds; 0 when absent */
	uint64_t user_key_offset;	/* UserKeyOffset, seconds; 0 when absent */
	int parameter_set;		/* ParameterSet; -1 when absent */
	uint8_t pub_enc_key[SAKKE_POINT_LEN];	/* Z_S (PubEncKey) */
	uint8_t pub_auth_key[ECCSI_POINT_LEN];	/* KPAK (PubAuthKey) */
	char **domains;			/* KmsDomainList/KmsDomain values */
	size_t ndomains;
	char *xml;			/* the element copied as it came (extensions and */
	size_t xmllen;			/*   all) into a standalone NUL-terminated document
					 *   with its namespaces declared, for storing */
};

/* A KmsKeySet (D.3.3). rsk, ssk and xml are SECRET. */
struct kmsdoc_keyset {
	char *kms_uri;			/* KmsUri; required by kmsdoc_parse */
	char *cert_uri;			/* CertUri; NULL when absent */
	char *issuer;			/* Issuer; NULL when absent */
	char *user_uri;			/* UserUri; required by kmsdoc_parse */
	uint8_t user_id[UID_LEN];	/* UserID */
	int64_t valid_from;		/* Unix seconds; 0 when absent */
	int64_t valid_to;		/* Unix seconds; 0 when absent */
	uint64_t period_no;		/* KeyPeriodNo */
	int revoked;
	uint8_t *rsk;			/* SECRET: SAKKE_POINT_LEN, secure heap */
	uint8_t *ssk;			/* SECRET: ECCSI_SCALAR_LEN, secure heap */
	uint8_t pvt[ECCSI_POINT_LEN];	/* UserPubTokenPVT */
	char *xml;			/* SECRET: the fields above written by kmsxml as a */
	size_t xmllen;			/*   bare KmsKeySet document (extensions dropped),
					 *   NUL-terminated, secure heap, cleansed on free */
};

/* A parsed document. Every pointer is owned by it; free with kmsdoc_free(). */
struct kmsdoc {
	enum kmsdoc_kind kind;
	char *user_uri;			/* KmsResponse UserUri; NULL otherwise */
	char *kms_uri;			/* KmsResponse KmsUri; NULL otherwise */
	char *client_req_url;		/* KmsResponse ClientReqUrl; NULL when absent */
	int64_t time;			/* KmsResponse Time, Unix seconds; 0 when absent */
	uint64_t cache_num;		/* KmsCertCache CacheNum */
	int has_cache_num;
	struct kmsdoc_cert *certs;	/* Init: the Root; CertCache: the certificates; */
	size_t ncerts;			/*   CERT: the one */
	struct kmsdoc_cert *next;	/* Init: the certificate of a scheduled rollover
					 *   (skms:NextKmsCertificate, KMSXML_SKMS_NS);
					 *   NULL when the KMS sent none */
	struct kmsdoc_keyset *keysets;	/* KeyProv: the key sets; KEYSET: the one */
	size_t nkeysets;
	int error_code;			/* KmsError ErrorCode */
	char *error_msg;		/* KmsError ErrorMsg; NULL when absent */
};

/*
 * Parses a KmsResponse, or a bare KmsCertificate or KmsKeySet document, of
 * at most KMSDOC_MAX_LEN octets. On success *doc is a new document. On
 * failure *doc is NULL and the return is SKM_EPARSE (or SKM_ELEN,
 * SKM_ENOMEM), with a reason naming the element written to why (may be
 * NULL), e.g. "KmsKeySet/UserDecryptKey: not hex or base64" or
 * "KmsResponse: wrong namespace 'urn:x'".
 */
int kmsdoc_parse(const char *buf, size_t len, struct kmsdoc **doc, char *why, size_t whylen);

/* Cleanses the secrets and frees everything; NULL is a no-op. */
void kmsdoc_free(struct kmsdoc *doc);

/* A name for a kind ("init", "keyprov", ...), for messages. */
const char *kmsdoc_kind_name(enum kmsdoc_kind kind);

#endif
