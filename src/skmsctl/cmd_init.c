/* SPDX-License-Identifier: ISC */
/*
 * skmsctl init: creates the store, the key-encryption key (a new key file
 * unless one is given or a passphrase file is named), and the domain. The
 * key-encryption key is recorded in the domain by reference only.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "lib/xmlw.h"
#include "store/domain.h"
#include "store/kek.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INIT_PERIOD	2592000			/* 30 days, as deployed domains use */
#define INIT_VALIDITY	(5 * 365 * 86400)	/* certificate validity */

struct init_args {
	struct kms_domain_params p;
	const char *domains[DOMAIN_LIST_MAX];
	const char *kek_file;
	const char *passphrase_file;
	const char *kek_pkcs11;
	const char *pin_file;
	int generate;
	int allow_extractable;
};

static int
init_parse(struct ctl *c, int argc, char **argv, struct init_args *a)
{
	int have_to = 0;
	size_t i;
	struct ctl_list domains = { a->domains, 0, DOMAIN_LIST_MAX };
	const struct ctl_arg args[] = {
		{ "kms-uri", CTL_ARG_STR, &a->p.kms_uri, NULL },
		{ "key-period", CTL_ARG_U64, &a->p.key_period, NULL },
		{ "key-offset", CTL_ARG_U64, &a->p.key_offset, NULL },
		{ "cert-uri", CTL_ARG_STR, &a->p.cert_uri, NULL },
		{ "issuer", CTL_ARG_STR, &a->p.issuer, NULL },
		{ "valid-from", CTL_ARG_TIME, &a->p.valid_from, NULL },
		{ "valid-to", CTL_ARG_TIME, &a->p.valid_to, &have_to },
		{ "domain", CTL_ARG_LIST, &domains, NULL },
		{ "kek-file", CTL_ARG_STR, &a->kek_file, NULL },
		{ "passphrase-file", CTL_ARG_STR, &a->passphrase_file, NULL },
		{ "kek-pkcs11", CTL_ARG_STR, &a->kek_pkcs11, NULL },
		{ "pin-file", CTL_ARG_STR, &a->pin_file, NULL },
		{ "kek-generate", CTL_ARG_FLAG, NULL, &a->generate },
		{ "allow-extractable", CTL_ARG_FLAG, NULL, &a->allow_extractable },
		{ NULL, 0, NULL, NULL },
	};
	int rc = 0;

	memset(a, 0, sizeof(*a));
	a->p.key_period = INIT_PERIOD;
	a->p.valid_from = ctl_now();
	a->p.domains = a->domains;
	if (!ctl_args(c, argc, argv, args, 0, 0, NULL, &rc))
		return rc;
	a->p.ndomains = domains.n;
	if (a->p.key_period == 0)
		return ctl_usage(c, "--key-period", "must be at least 1 second");
	if (a->p.kms_uri == NULL)
		return ctl_usage(c, "--kms-uri", "required");
	if ((rc = ctl_uri(c, a->p.kms_uri)) != 0)
		return rc;
	if (a->p.cert_uri != NULL && (rc = ctl_uri(c, a->p.cert_uri)) != 0)
		return rc;
	/* Both go into every KmsCertificate: text XML can carry as it is. */
	if (a->p.issuer != NULL && !xmlw_text_ok(a->p.issuer))
		return ctl_usage(c, "--issuer", "must be UTF-8 text without control characters");
	for (i = 0; i < a->p.ndomains; i++)
		if (!xmlw_text_ok(a->p.domains[i]))
			return ctl_usage(c, "--domain",
			    "must be UTF-8 text without control characters");
	if (a->p.key_offset >= a->p.key_period)
		return ctl_usage(c, "--key-offset", "must be less than the key period");
	if (a->kek_file != NULL && a->passphrase_file != NULL)
		return ctl_usage(c, "--kek-file", "give --kek-file or --passphrase-file, not both");
	if (a->kek_pkcs11 != NULL && (a->kek_file != NULL || a->passphrase_file != NULL))
		return ctl_usage(c, "--kek-pkcs11", "give one of --kek-file, "
		    "--passphrase-file and --kek-pkcs11");
	if (a->kek_pkcs11 != NULL && a->kek_pkcs11[0] == '\0')
		return ctl_usage(c, "--kek-pkcs11", "empty URI");
	if (a->pin_file != NULL && a->pin_file[0] == '\0')
		return ctl_usage(c, "--pin-file", "empty file name");
	if (!have_to)
		a->p.valid_to = a->p.valid_from + INIT_VALIDITY;
	if (a->p.valid_to <= a->p.valid_from)
		return ctl_usage(c, "--valid-to", "must be after --valid-from");
	return 0;
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return 1;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

/*
 * A key-encryption key option must name what the config names, if it names
 * one: skmsd takes the config's, and would not open a domain sealed under
 * another key.
 */
static int
init_kek_agree(struct ctl *c, const struct init_args *a)
{
	const char *cf_file = c->conf->kek.file, *cf_pass = c->conf->kek.passphrase_file;
	const char *opt = a->kek_file != NULL ? "--kek-file" : "--passphrase-file";
	const char *arg = a->kek_file != NULL ? a->kek_file : a->passphrase_file;
	const char *key = cf_file[0] != '\0' ? "kek.file" : "kek.passphrase-file";
	const char *named = cf_file[0] != '\0' ? cf_file : cf_pass;
	const char *cf_uri = c->conf->kek.pkcs11_uri;
	char why[KEK_PATH_MAX + 128];

	/* A token key against the configuration's (at most one kind is set there). */
	if (a->kek_pkcs11 != NULL || (arg != NULL && cf_uri[0] != '\0')) {
		if (a->kek_pkcs11 != NULL && (named[0] == '\0' && (cf_uri[0] == '\0' ||
		    strcmp(a->kek_pkcs11, cf_uri) == 0)))
			return 0;
		snprintf(why, sizeof(why), "disagrees with %s of the configuration (%s), "
		    "which skmsd uses", named[0] != '\0' ? key : "kek.pkcs11-uri",
		    named[0] != '\0' ? named : cf_uri);
		return ctl_usage(c, a->kek_pkcs11 != NULL ? "--kek-pkcs11" : opt, why);
	}
	if (arg == NULL || named[0] == '\0')
		return 0;
	if ((a->kek_file != NULL) == (cf_file[0] != '\0') && same_file(arg, named))
		return 0;
	snprintf(why, sizeof(why), "disagrees with %s of the configuration (%s), which "
	    "skmsd uses", key, named);
	return ctl_usage(c, opt, why);
}

/*
 * A key object in a PKCS#11 token: made there first with --kek-generate,
 * refused when extractable or not sensitive unless --allow-extractable.
 */
static int
init_kek_pkcs11(struct ctl *c, struct init_args *a, const char *uri,
    struct kek_ref *ref, struct kek **kek)
{
	char why[KEK_PATH_MAX + 256];
	int rc;

	why[0] = '\0';
	kek_pkcs11_set(c->conf->kek.pkcs11_module, a->pin_file != NULL ? a->pin_file :
	    c->conf->kek.pin_file, a->allow_extractable ? KEK_PKCS11_ALLOW_EXTRACTABLE : 0);
	if ((rc = kek_pkcs11_ref(ref, uri, why, sizeof(why))) != 0 ||
	    (a->generate && (rc = kek_pkcs11_generate(uri, why, sizeof(why))) != 0) ||
	    (rc = kek_load(ref, NULL, kek, why, sizeof(why))) != 0)
		return ctl_fail(c, "key-encryption key", why[0] != '\0' ? why :
		    skm_strerror(rc));
	return 0;
}

/* Picks the key-encryption key: arguments, then the config, then a new key
 * file kek.key in the store directory. */
static int
init_kek(struct ctl *c, struct init_args *a, struct kek_ref *ref, struct kek **kek)
{
	static char path[KEK_PATH_MAX], abs[PATH_MAX];
	char why[256];
	const char *file = a->kek_file, *pass = a->passphrase_file;
	int rc;

	why[0] = '\0';
	if (a->kek_pkcs11 != NULL || (file == NULL && pass == NULL &&
	    c->conf->kek.pkcs11_uri[0] != '\0'))
		return init_kek_pkcs11(c, a, a->kek_pkcs11 != NULL ? a->kek_pkcs11 :
		    c->conf->kek.pkcs11_uri, ref, kek);
	if (a->generate || a->pin_file != NULL)
		return ctl_usage(c, a->generate ? "--kek-generate" : "--pin-file",
		    "only with a PKCS#11 key (--kek-pkcs11 or kek.pkcs11-uri)");
	if (file == NULL && pass == NULL) {
		if (c->conf->kek.passphrase_file[0] != '\0')
			pass = c->conf->kek.passphrase_file;
		else if (c->conf->kek.file[0] != '\0')
			file = c->conf->kek.file;
		else {
			snprintf(path, sizeof(path), "%s/kek.key", ctl_store_path(c));
			file = path;
		}
	}
	if (pass != NULL) {
		if (realpath(pass, abs) == NULL)
			return ctl_fail(c, pass, strerror(errno));
		rc = kek_passphrase_ref(ref, abs, c->conf->kek.scrypt_n,
		    c->conf->kek.scrypt_r, c->conf->kek.scrypt_p);
	} else {
		if (access(file, F_OK) != 0 && (rc = kek_file_create(file)) != 0)
			return ctl_fail(c, file, skm_strerror(rc));
		/* Recorded absolute: later commands may run from anywhere. */
		if (realpath(file, abs) == NULL)
			return ctl_fail(c, file, strerror(errno));
		rc = kek_file_ref(ref, abs);
	}
	if (rc != 0)
		return ctl_fail(c, pass != NULL ? pass : file, skm_strerror(rc));
	if ((rc = kek_load(ref, NULL, kek, why, sizeof(why))) != 0)
		return ctl_fail(c, ref->path, why[0] != '\0' ? why : skm_strerror(rc));
	return 0;
}

static int
init_exists(struct ctl *c)
{
	struct domain_rec *d = calloc(1, sizeof(*d));
	struct store_txn t;
	int rc;

	if (d == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(c->store, 0, &t)) == 0) {
		rc = store_domain_get(&t, d);
		store_txn_abort(&t);
	}
	free(d);
	return rc;
}

int
cmd_init(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, void *ctx)
{
	struct ctl *c = ctx;
	struct init_args a;
	struct kek_ref ref;
	struct kek *kek = NULL;
	int rc;

	if ((rc = init_parse(c, argc, argv, &a)) != 0 || (rc = ctl_conf(c)) != 0 ||
	    (rc = init_kek_agree(c, &a)) != 0 || (rc = ctl_store(c, 1)) != 0)
		return rc;
	if ((rc = init_exists(c)) != SKM_ENOTFOUND) {
		if (rc == 0)
			return ctl_fail(c, store_name(c->store),
			    "a domain exists already; refusing to overwrite it");
		return ctl_fail(c, store_name(c->store), skm_strerror(rc));
	}
	if ((rc = init_kek(c, &a, &ref, &kek)) != 0)
		return rc;
	rc = kms_domain_create(c->store, &a.p, &ref, kek, c->actor, ctl_now());
	kek_free(kek);
	if (rc == SKM_EEXIST)
		return ctl_fail(c, store_name(c->store), "a domain exists already; refusing to overwrite it");
	if (rc != 0)
		return ctl_fail(c, "creating the domain", skm_strerror(rc));
	return cmd_domain_show(cli, cmd, 1, argv, ctx);
}
