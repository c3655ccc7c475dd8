/* SPDX-License-Identifier: ISC */
/*
 * The optional KmsRequest body of a KMS interface POST (TS 33.180 D.2.2),
 * read with libxml2 into fixed fields. The body only describes the
 * request: the caller's identity comes from its access token, never from
 * here. For the security extension (TS 33.180 D.1) the TrK-ID and
 * Signature-ID are read and whether the body is a SignedKmsRequest; the
 * signature itself is checked by the API (xsec.h) against the caller's
 * keys, since only the caller says which keys apply.
 */
#ifndef SKM_SERVER_KMSREQ_H
#define SKM_SERVER_KMSREQ_H

#include <stddef.h>
#include <stdint.h>

#define KMSREQ_NS	"urn:3gpp:ns:mcsecKMSInterface:1.0"
#define KMSREQ_MAX	(64 * 1024)	/* largest body read, in octets */

#define KMSREQ_KEYID_MAX	128	/* octets of a TrK-ID or Signature-ID */

/* Element texts with surrounding XML white space removed; "" when absent. */
struct kmsreq {
	char user_uri[1025];		/* UserUri */
	char kms_uri[1025];		/* KmsUri */
	char client_req_url[2049];	/* ClientReqUrl */
	char client_id[257];		/* ClientId */
	char device_id[257];		/* DeviceId */
	int64_t time;			/* Time, Unix seconds */
	int has_time;
	char trk_id[KMSREQ_KEYID_MAX + 1];	/* TrK-ID */
	char sig_id[KMSREQ_KEYID_MAX + 1];	/* Signature-ID */
	int is_signed;			/* the root is SignedKmsRequest */
};

/*
 * Initialises libxml2. Call once before threads start; kmsreq_parse()
 * calls it too, which is enough for a single-threaded program.
 */
void kmsreq_init(void);

/*
 * Reads the len octets at body (need not be NUL-terminated) into out. An
 * empty or all-white-space body is valid and gives an empty out. Returns
 * 0, or SKM_ELEN (over KMSREQ_MAX), SKM_EPARSE (not well-formed XML),
 * SKM_EINVAL (a DOCTYPE, or not a KmsRequest as D.2.2 describes) or
 * SKM_ENOMEM, with a static reason naming the element in *why. Safe to
 * call from several threads at once; libxml2 prints nothing.
 */
int kmsreq_parse(const char *body, size_t len, struct kmsreq *out, const char **why);

/*
 * Whether given, a KmsRequest's KmsUri, names the KMS whose URI is
 * kms_uri: 1 for kms_uri itself or for the KMS's server base URL, 0
 * otherwise. A deployed client writes its server base URL there in its
 * signed requests. That URL is "https://" and the host of kms_uri (a
 * bare server name, or the host of an https: URI, without its port),
 * then optionally ":" and a port (1 to 65535) and optionally one "/".
 * Octets compare exactly; a sip: or tel: KMS URI has no base URL.
 */
int kmsreq_kms_uri_ok(const char *given, const char *kms_uri);

#endif
