/* SPDX-License-Identifier: ISC */
/*
 * A VAL client accepting a GMK with libskm: the KMS certificate and the
 * member's key set come from files (as a KMS or an administrator hands
 * them out), the message from a file (a notification document, base64 or
 * the binary I_MESSAGE). Prints what was accepted, never the GMK itself.
 *
 *	cc gmk-accept.c $(pkg-config --cflags --libs skm) -o gmk-accept
 *	./gmk-accept CERT.xml KEYSET.xml URI MESSAGE [GMS-URI...]
 *
 * GMS-URI names a group management server a message with hidden
 * identities may come from. Exit status 0 when the GMK was accepted, 1 when
 * it was refused, 2 on a usage or file error.
 */
#define _DEFAULT_SOURCE	/* explicit_bzero */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <skm/skm.h>

/* The whole file into a buffer from malloc. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf = NULL, *grown;
	size_t cap = 0, n;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap != 0 ? 2 * cap : 8192;
			if (cap > 4 * 1024 * 1024 || (grown = realloc(buf, cap)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		if ((n = fread(buf + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int
main(int argc, char *argv[])
{
	struct skm_kms_cert *cert = NULL;
	struct skm_kms_keyset *ks = NULL;
	struct skm_gmk_receiver *r = NULL;
	struct skm_gmk *gmk = NULL;
	uint8_t z[SKM_SAKKE_POINT_LEN], kpak[SKM_ECCSI_POINT_LEN], rsk[SKM_SAKKE_POINT_LEN];
	char why[512], *certxml = NULL, *ksxml = NULL, *msg = NULL;
	size_t certlen, kslen, msglen, i;
	int64_t now = (int64_t)time(NULL);
	int err, status = 2;

	if (argc < 5) {
		fprintf(stderr, "usage: gmk-accept CERT KEYSET URI MESSAGE [GMS-URI...]\n");
		return 2;
	}
	if ((certxml = slurp(argv[1], &certlen)) == NULL ||
	    (ksxml = slurp(argv[2], &kslen)) == NULL ||
	    (msg = slurp(argv[4], &msglen)) == NULL) {
		fprintf(stderr, "gmk-accept: cannot read the input files\n");
		goto out;
	}
	status = 1;
	if ((err = skm_kms_cert_parse(certxml, certlen, now, &cert, why, sizeof(why))) != 0) {
		fprintf(stderr, "gmk-accept: certificate: %s\n", why);
		goto out;
	}
	if ((err = skm_kms_keyset_parse(cert, argv[3], ksxml, kslen, 0, &ks, why,
	    sizeof(why))) != 0) {
		fprintf(stderr, "gmk-accept: key set: %s\n", why);
		goto out;
	}
	skm_kms_cert_z(cert, z);
	skm_kms_cert_kpak(cert, kpak);
	skm_kms_keyset_rsk(ks, rsk);
	if ((err = skm_gmk_receiver_new(&r, argv[3], skm_kms_cert_kms_uri(cert),
	    skm_kms_cert_key_period(cert), skm_kms_cert_key_offset(cert), kpak, z)) != 0 ||
	    (err = skm_gmk_receiver_add_rsk(r, skm_kms_keyset_period(ks), rsk)) != 0) {
		fprintf(stderr, "gmk-accept: receiver: %s\n", skm_strerror(err));
		goto out;
	}
	for (i = 5; i < (size_t)argc; i++)
		if ((err = skm_gmk_receiver_add_gms(r, argv[i])) != 0) {
			fprintf(stderr, "gmk-accept: %s: %s\n", argv[i], skm_strerror(err));
			goto out;
		}
	if ((err = skm_gmk_accept(r, (const uint8_t *)msg, msglen, now,
	    SKM_GMK_WINDOW_DEFAULT, &gmk, why, sizeof(why))) != 0) {
		printf("result: refused\nreason: %s\n", why);
		goto out;
	}
	printf("result: accepted\n");
	printf("gmk-id: %08" PRIx32 "\n", skm_gmk_id(gmk));
	printf("guk-id: %08" PRIx32 "\n", skm_gmk_guk_id(gmk));
	printf("initiator: %s\n", skm_gmk_initiator(gmk));
	printf("activation: %" PRId64 "\n", skm_gmk_activation(gmk));
	printf("groups:");
	for (i = 0; i < skm_gmk_group_count(gmk); i++)
		printf(" %s", skm_gmk_group(gmk, i));
	printf("\n");
	status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
out:
	/* The RSK is a secret: wiped before its memory is given back. */
	explicit_bzero(rsk, sizeof(rsk));
	skm_gmk_free(gmk);
	skm_gmk_receiver_free(r);
	skm_kms_keyset_free(ks);
	skm_kms_cert_free(cert);
	if (ksxml != NULL)
		explicit_bzero(ksxml, kslen);
	free(ksxml);
	free(certxml);
	free(msg);
	return status;
}
