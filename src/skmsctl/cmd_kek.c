/* SPDX-License-Identifier: ISC */
/*
 * skmsctl kek rotate: moves the domain to another key-encryption key, of
 * any kind, in one write transaction (kms_kek_rotate). The current key is
 * the one the configuration names, as for every other command; the new
 * one is named by an option, made first when a key file does not exist,
 * and recorded by absolute path. Neither key is printed or logged.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/secfile.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "store/kek.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reference and key of the new source; *made is set when the key file was made here. */
static int
kek_new(struct ctl *c, const char *file, const char *pass, const char *uri, int gen,
    struct kek_ref *ref, struct kek **kek, int *made)
{
	char abs[PATH_MAX], why[KEK_PATH_MAX + 256];
	const char *name = file != NULL ? file : pass;
	int rc;

	why[0] = '\0';
	*made = 0;
	if (file == NULL && pass == NULL) {
		if ((rc = kek_pkcs11_ref(ref, uri, why, sizeof(why))) != 0 ||
		    (gen && (rc = kek_pkcs11_generate(uri, why, sizeof(why))) != 0) ||
		    (rc = kek_load(ref, NULL, kek, why, sizeof(why))) != 0)
			return ctl_fail(c, "new key-encryption key", why[0] != '\0' ? why :
			    skm_strerror(rc));
		return 0;
	}
	if (file != NULL && access(file, F_OK) != 0 && errno == ENOENT) {
		if ((rc = kek_file_create(file)) != 0)
			return ctl_fail(c, file, skm_strerror(rc));
		*made = 1;
	}
	/* Recorded absolute: later commands and skmsd may run from anywhere. */
	if (realpath(name, abs) == NULL)
		return ctl_fail(c, name, strerror(errno));
	rc = file != NULL ? kek_file_ref(ref, abs) : kek_passphrase_ref(ref, abs,
	    c->conf->kek.scrypt_n, c->conf->kek.scrypt_r, c->conf->kek.scrypt_p);
	if (rc != 0)
		return ctl_fail(c, name, skm_strerror(rc));
	if ((rc = kek_load(ref, NULL, kek, why, sizeof(why))) != 0)
		return ctl_fail(c, name, why[0] != '\0' ? why : skm_strerror(rc));
	return 0;
}

/* The configuration still names the previous key: say what to change. */
static void
kek_note(struct ctl *c, const struct kek_ref *to)
{
	const struct conf *cf = c->conf;
	const char *key = cf->kek.file[0] != '\0' ? "kek.file" :
	    cf->kek.passphrase_file[0] != '\0' ? "kek.passphrase-file" : "kek.pkcs11-uri";
	const char *now = cf->kek.file[0] != '\0' ? cf->kek.file :
	    cf->kek.passphrase_file[0] != '\0' ? cf->kek.passphrase_file :
	    cf->kek.pkcs11_uri;

	if (now[0] == '\0')
		return;
	fprintf(stderr, "skmsctl: kek rotate: %s names the previous key-encryption key "
	    "(%s: %s): change it to %s: %s, then reload or restart skmsd\n",
	    c->config_path != NULL ? c->config_path : "the configuration", key, now,
	    to->kind == KEK_FILE ? "kek.file" : to->kind == KEK_PASSPHRASE ?
	    "kek.passphrase-file" : "kek.pkcs11-uri", to->path);
}

int
cmd_kek_rotate(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const char *file = NULL, *pass = NULL, *uri = NULL, *pin = NULL;
	int allow = 0, gen = 0;
	const struct ctl_arg args[] = {
		{ "kek-file", CTL_ARG_STR, &file, NULL },
		{ "passphrase-file", CTL_ARG_STR, &pass, NULL },
		{ "pkcs11", CTL_ARG_STR, &uri, NULL },
		{ "pin-file", CTL_ARG_STR, &pin, NULL },
		{ "allow-extractable", CTL_ARG_FLAG, NULL, &allow },
		{ "kek-generate", CTL_ARG_FLAG, NULL, &gen },
		{ NULL, 0, NULL, NULL },
	};
	struct kms_kek_rotation res;
	struct kek_ref ref;
	struct kek *kek = NULL;
	char why[2 * KEK_PATH_MAX + 256];
	int rc = 0, made = 0;

	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	if ((file != NULL) + (pass != NULL) + (uri != NULL) > 1)
		return ctl_usage(c, "--kek-file", "give one of --kek-file, "
		    "--passphrase-file and --pkcs11");
	if (file == NULL && pass == NULL && uri == NULL)
		return ctl_usage(c, "--kek-file or --passphrase-file or --pkcs11", "required");
	if ((file != NULL && file[0] == '\0') || (pass != NULL && pass[0] == '\0') ||
	    (uri != NULL && uri[0] == '\0'))
		return ctl_usage(c, file != NULL ? "--kek-file" : pass != NULL ?
		    "--passphrase-file" : "--pkcs11", "empty argument");
	if (pin != NULL && pin[0] == '\0')
		return ctl_usage(c, "--pin-file", "empty file name");
	if (gen && uri == NULL)
		return ctl_usage(c, "--kek-generate", "only with --pkcs11");
	/* The PIN of the token in either direction (into it or out of it). */
	if ((rc = ctl_conf(c)) != 0)
		return rc;
	kek_pkcs11_set(c->conf->kek.pkcs11_module, pin != NULL ? pin :
	    c->conf->kek.pin_file, allow ? KEK_PKCS11_ALLOW_EXTRACTABLE : 0);
	/* The store first: a missing store makes no key file. */
	if ((rc = ctl_store(c, 0)) != 0)
		return rc;
	if ((rc = kek_new(c, file, pass, uri, gen, &ref, &kek, &made)) != 0)
		goto out;
	/* The current key was checked when it was recorded. */
	kek_pkcs11_set(c->conf->kek.pkcs11_module, pin != NULL ? pin :
	    c->conf->kek.pin_file, KEK_PKCS11_ALLOW_EXTRACTABLE);
	rc = kms_kek_rotate(c->store, c->conf->kek.file, c->conf->kek.passphrase_file,
	    &ref, kek, c->actor, ctl_now(), &res, why, sizeof(why));
	if (rc != 0) {
		rc = ctl_fail(c, "rotating the key-encryption key",
		    why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
	made = 0;
	out_begin(&c->out, c->json);
	out_str(&c->out, "kek", kek_kind_name(ref.kind));
	out_str(&c->out, "kek-path", ref.path);
	out_str(&c->out, "previous-kek", kek_kind_name(res.from.kind));
	out_str(&c->out, "previous-kek-path", res.from.path);
	out_u64(&c->out, "sealed-records", res.nsealed);
	out_end(&c->out);
	kek_note(c, &ref);
out:
	/* A key file made for a rotation that did not happen seals nothing. */
	if (made)
		secfile_erase(file);
	kek_free(kek);
	return rc;
}
