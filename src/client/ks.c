/* SPDX-License-Identifier: ISC */
/*
 * The keystore's identities: the keystore directory, one directory per
 * identity named by its percent-encoded URI, the identity's settings file
 * and its Root certificate, and key periods under that certificate. Key
 * sets are in ks_keys.c, External certificates in ks_ext.c. Nothing here
 * stores a certificate that kmscheck has not passed (the caller's job) or
 * logs anything.
 */
#include "client/ks_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "client/kmsdoc.h"
#include "client/ks_revoked.h"
#include "common/err.h"
#include "common/secfile.h"
#include "common/time.h"
#include "lib/period.h"

static const char *const ks_keynames[KS_NKEYS] = {
	"server", "token-file", "cacert", "client-cert", "client-key",
};

void
ks_docs_free(struct kmsdoc ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		kmsdoc_free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

int
ks_join(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s/%s", a, b);

	return n < 0 || (size_t)n >= len ? SKM_ELEN : 0;
}

int
ks_mkdir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return errno == EACCES ? SKM_EPERM : SKM_EIO;
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode))
		return SKM_EIO;
	return 0;
}

int
ks_fsync_dir(const char *path)
{
	int fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return SKM_EIO;
	if (fsync(fd) == -1)
		err = SKM_EIO;
	close(fd);
	return err;
}

void
ks_buf_free(char *buf, size_t len)
{
	if (buf != NULL)
		OPENSSL_secure_clear_free(buf, len + 1);
}

int
ks_read(const char *path, int secret, char **buf, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t got = 0, cap;
	int fd, err;

	*buf = NULL;
	*len = 0;
	/* Secret files go through the owner and mode checks of secfile. */
	if (secret) {
		if ((err = secfile_open(path, &fd, NULL, 0)) != 0)
			return err;
	} else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		return errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err = SKM_EIO;
		goto out;
	}
	if (st.st_size > KMSDOC_MAX_LEN) {
		err = SKM_ELEN;
		goto out;
	}
	cap = (size_t)st.st_size;
	if ((*buf = OPENSSL_secure_zalloc(cap + 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	while (got < cap) {
		r = read(fd, *buf + got, cap - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = SKM_EIO;
			goto out;
		}
		got += (size_t)r;
	}
	*len = got;
	err = 0;
out:
	if (err != 0 && *buf != NULL) {
		OPENSSL_secure_clear_free(*buf, cap + 1);
		*buf = NULL;
	}
	close(fd);
	return err;
}

int
ks_default_dir(const char *dir, char *buf, size_t len)
{
	const char *base;
	int n;

	if (dir != NULL)
		n = snprintf(buf, len, "%s", dir);
	else if ((base = getenv("XDG_STATE_HOME")) != NULL && *base == '/')
		n = snprintf(buf, len, "%s/skmc", base);
	else if ((base = getenv("HOME")) != NULL && *base != '\0')
		n = snprintf(buf, len, "%s/.local/state/skmc", base);
	else
		return SKM_ENOTFOUND;
	return n < 0 || (size_t)n >= len ? SKM_ELEN : 0;
}

/* mkdir -p with 0700 for every directory made. */
static int
ks_mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t i;
	int err;

	if (strlen(dir) >= sizeof(p))
		return SKM_ELEN;
	strcpy(p, dir);
	for (i = 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return SKM_EIO;
		p[i] = '/';
	}
	if ((err = ks_mkdir(p)) != 0)
		return err;
	return 0;
}

int
ks_dirname(const char *uri, char *out, size_t len)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;
	const unsigned char *u;

	if (*uri == '\0')
		return SKM_EINVAL;
	for (u = (const unsigned char *)uri; *u != '\0'; u++) {
		int plain = (*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '_' || *u == '@' || *u == '+' ||
		    *u == '-' || (*u == '.' && u != (const unsigned char *)uri);

		if (o + 4 > len || o + 4 > NAME_MAX)
			return SKM_ELEN;
		if (plain) {
			out[o++] = (char)*u;
		} else {
			out[o++] = '%';
			out[o++] = hexd[*u >> 4];
			out[o++] = hexd[*u & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/* Reads the settings file: "key value" lines, '#' comments. */
static int
ks_load_identity(struct ks *ks, char *why, size_t whylen)
{
	char path[PATH_MAX], line[PATH_MAX + 64], *sp, *nl;
	FILE *f;
	int k, lineno = 0, err = 0;

	if ((err = ks_join(path, sizeof(path), ks->path, KS_IDENTITY)) != 0)
		return err;
	if ((f = fopen(path, "r")) == NULL)
		return skm_why(why, whylen, errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO,
		    "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL) {
			err = skm_why(why, whylen, SKM_EPARSE, "%s:%d: no value", path, lineno);
			goto out;
		}
		*sp++ = '\0';
		if (strcmp(line, "uri") == 0) {
			if (strcmp(sp, ks->uri) != 0) {
				err = skm_why(why, whylen, SKM_EINVAL,
				    "%s:%d: uri does not match the directory", path, lineno);
				goto out;
			}
			continue;
		}
		for (k = 0; k < KS_NKEYS; k++)
			if (strcmp(line, ks_keynames[k]) == 0)
				break;
		if (k == KS_NKEYS) {
			err = skm_why(why, whylen, SKM_EPARSE, "%s:%d: unknown key '%s'", path,
			    lineno, line);
			goto out;
		}
		free(ks->val[k]);
		if ((ks->val[k] = strdup(sp)) == NULL) {
			err = SKM_ENOMEM;
			goto out;
		}
	}
	if (ferror(f))
		err = skm_why(why, whylen, SKM_EIO, "%s: read error", path);
out:
	fclose(f);
	ks->set.server = ks->val[KS_SERVER];
	ks->set.token_file = ks->val[KS_TOKEN_FILE];
	ks->set.cacert = ks->val[KS_CACERT];
	ks->set.client_cert = ks->val[KS_CLIENT_CERT];
	ks->set.client_key = ks->val[KS_CLIENT_KEY];
	return err;
}

static int
ks_write_identity(const char *idpath, const char *uri, const struct ks_settings *set)
{
	const char *v[KS_NKEYS] = { NULL };
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;
	int k, err;

	if (set != NULL) {
		v[KS_SERVER] = set->server;
		v[KS_TOKEN_FILE] = set->token_file;
		v[KS_CACERT] = set->cacert;
		v[KS_CLIENT_CERT] = set->client_cert;
		v[KS_CLIENT_KEY] = set->client_key;
	}
	if (strchr(uri, '\n') != NULL)
		return SKM_EINVAL;
	for (k = 0; k < KS_NKEYS; k++)
		if (v[k] != NULL && (strchr(v[k], '\n') != NULL || *v[k] == '\0'))
			return SKM_EINVAL;
	if ((err = ks_join(path, sizeof(path), idpath, KS_IDENTITY)) != 0)
		return err;
	if ((f = open_memstream(&text, &len)) == NULL)
		return SKM_ENOMEM;
	fprintf(f, "# skmc identity settings, written by skmc init\nuri %s\n", uri);
	for (k = 0; k < KS_NKEYS; k++)
		if (v[k] != NULL)
			fprintf(f, "%s %s\n", ks_keynames[k], v[k]);
	if (fclose(f) != 0) {
		free(text);
		return SKM_ENOMEM;
	}
	err = secfile_write(path, (const uint8_t *)text, len, 1);
	free(text);
	return err;
}

/* The identities of the keystore: directories holding an identity file. */
static int
ks_find_only(const char *dir, char *name, size_t len, char *why, size_t whylen)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return skm_why(why, whylen, errno == ENOENT ? SKM_ENOTFOUND : SKM_EIO,
		    "keystore %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/%s", dir, de->d_name, KS_IDENTITY) >=
		    (int)sizeof(path) || lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (found++ == 0)
			snprintf(name, len, "%s", de->d_name);
	}
	closedir(d);
	if (found == 0)
		return skm_why(why, whylen, SKM_ENOTFOUND,
		    "keystore %s holds no identity (run skmc init)", dir);
	if (found > 1)
		return skm_why(why, whylen, SKM_EINVAL,
		    "keystore %s holds %d identities: choose one with --as", dir, found);
	return 0;
}

/* Percent-decoding of a directory name back to the URI. */
static char *
ks_undir(const char *name)
{
	char *out, *o;
	unsigned v;

	if ((out = malloc(strlen(name) + 1)) == NULL)
		return NULL;
	for (o = out; *name != '\0'; name++) {
		if (*name == '%' && sscanf(name + 1, "%2X", &v) == 1 && v != 0) {
			*o++ = (char)v;
			name += 2;
		} else {
			*o++ = *name;
		}
	}
	*o = '\0';
	return out;
}

int
ks_open(struct ks **ksp, const char *dir, const char *as_uri, int create, char *why,
    size_t whylen)
{
	char kdir[PATH_MAX], name[NAME_MAX + 1], path[PATH_MAX];
	struct ks *ks = NULL;
	int err;

	*ksp = NULL;
	if ((err = ks_default_dir(dir, kdir, sizeof(kdir))) != 0)
		return skm_why(why, whylen, err, "no keystore directory (set --keystore or HOME)");
	if (create && (err = ks_mkdirs(kdir)) != 0)
		return skm_why(why, whylen, err, "%s: cannot create: %s", kdir, skm_strerror(err));
	if (as_uri != NULL) {
		if ((err = ks_dirname(as_uri, name, sizeof(name))) != 0)
			return skm_why(why, whylen, err, "%s: not usable as an identity", as_uri);
	} else if ((err = ks_find_only(kdir, name, sizeof(name), why, whylen)) != 0) {
		return err;
	}
	if ((err = ks_join(path, sizeof(path), kdir, name)) != 0)
		return err;
	if ((ks = calloc(1, sizeof(*ks))) == NULL)
		return SKM_ENOMEM;
	ks->dir = strdup(kdir);
	ks->path = strdup(path);
	ks->uri = as_uri != NULL ? strdup(as_uri) : ks_undir(name);
	if (ks->dir == NULL || ks->path == NULL || ks->uri == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if ((err = ks_load_identity(ks, why, whylen)) != 0) {
		if (err == SKM_ENOTFOUND)
			skm_why(why, whylen, err, "%s: no such identity in %s (run skmc init)",
			    ks->uri, kdir);
		goto out;
	}
	*ksp = ks;
	ks = NULL;
out:
	ks_close(ks);
	return err;
}

/* Whether a new Root certificate keeps the key sets meaningful (same UIDs, keys). */
static int
ks_same_domain(const struct kmsdoc_cert *a, const struct kmsdoc_cert *b)
{
	return a->kms_uri != NULL && b->kms_uri != NULL && strcmp(a->kms_uri, b->kms_uri) == 0 &&
	    a->user_key_period == b->user_key_period &&
	    a->user_key_offset == b->user_key_offset &&
	    memcmp(a->pub_enc_key, b->pub_enc_key, sizeof(a->pub_enc_key)) == 0 &&
	    memcmp(a->pub_auth_key, b->pub_auth_key, sizeof(a->pub_auth_key)) == 0;
}

/* Another Root certificate (CertUri) of the same KMS and key period scheme. */
static int
ks_rolled_over(const struct kmsdoc_cert *a, const struct kmsdoc_cert *b)
{
	return a->kms_uri != NULL && b->kms_uri != NULL && strcmp(a->kms_uri, b->kms_uri) == 0 &&
	    a->user_key_period == b->user_key_period &&
	    a->user_key_offset == b->user_key_offset && a->cert_uri != NULL &&
	    b->cert_uri != NULL && strcmp(a->cert_uri, b->cert_uri) != 0;
}

/* certs/<CertUri>.xml gets the certificate root.xml held. */
static int
ks_keep_old_root(const char *idpath, const struct kmsdoc_cert *c)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], path[PATH_MAX];
	int n, err;

	if ((err = ks_join(dir, sizeof(dir), idpath, KS_CERTS)) != 0 ||
	    (err = ks_mkdir(dir)) != 0 ||
	    (err = ks_dirname(c->cert_uri, name, sizeof(name) - 4)) != 0)
		return err;
	n = snprintf(path, sizeof(path), "%s/%s.xml", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return SKM_ELEN;
	return secfile_write(path, (const uint8_t *)c->xml, c->xmllen, 1);
}

/* Erases certs/<CertUri>.xml when there. */
static int
ks_drop_copy(const char *idpath, const char *cert_uri)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	int n, err;

	if ((err = ks_dirname(cert_uri, name, sizeof(name) - 4)) != 0)
		return err;
	n = snprintf(path, sizeof(path), "%s/%s/%s.xml", idpath, KS_CERTS, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return SKM_ELEN;
	err = secfile_erase(path);
	return err == SKM_ENOTFOUND ? 0 : err;
}

int
ks_create(const char *dir, const char *uri, const struct ks_settings *set,
    const char *root_doc, size_t root_len, char *why, size_t whylen)
{
	char kdir[PATH_MAX], name[NAME_MAX + 1], idpath[PATH_MAX], path[PATH_MAX];
	struct kmsdoc *old = NULL, *new = NULL;
	char *buf = NULL;
	size_t len = 0;
	int err;

	if ((err = ks_default_dir(dir, kdir, sizeof(kdir))) != 0)
		return skm_why(why, whylen, err, "no keystore directory (set --keystore or HOME)");
	if ((err = ks_dirname(uri, name, sizeof(name))) != 0)
		return skm_why(why, whylen, err, "%s: not usable as an identity", uri);
	if ((err = kmsdoc_parse(root_doc, root_len, &new, why, whylen)) != 0)
		return err;
	if (new->kind != KMSDOC_CERT || new->ncerts != 1) {
		err = skm_why(why, whylen, SKM_EINVAL, "not a KmsCertificate document");
		goto out;
	}
	if ((err = ks_mkdirs(kdir)) != 0 ||
	    (err = ks_join(idpath, sizeof(idpath), kdir, name)) != 0 ||
	    (err = ks_mkdir(idpath)) != 0 ||
	    (err = ks_join(path, sizeof(path), idpath, KS_ROOT)) != 0) {
		skm_why(why, whylen, err, "%s: cannot create: %s", kdir, skm_strerror(err));
		goto out;
	}
	/* A certificate the KMS revoked is never a Root again (ks_revoked.h). */
	if (ks_revoked_in(idpath, new->certs[0].cert_uri)) {
		err = skm_why(why, whylen, SKM_EREVOKED, "certificate %s was revoked by the "
		    "KMS", new->certs[0].cert_uri);
		goto out;
	}
	if (ks_read(path, 0, &buf, &len) == 0 &&
	    kmsdoc_parse(buf, len, &old, NULL, 0) == 0 && old->kind == KMSDOC_CERT &&
	    old->ncerts == 1 && !ks_same_domain(&old->certs[0], &new->certs[0])) {
		/*
		 * The next Root certificate of the same KMS (a rollover): the
		 * old one stays beside it for the key sets that name it.
		 */
		if (ks_rolled_over(&old->certs[0], &new->certs[0])) {
			if ((err = ks_keep_old_root(idpath, &old->certs[0])) != 0) {
				skm_why(why, whylen, err, "cannot keep the old certificate: %s",
				    skm_strerror(err));
				goto out;
			}
		/* Keys of another KMS or key period scheme can never be used again. */
		} else if ((err = ks_keys_erase_all(idpath)) != 0 ||
		    (err = ks_ext_erase_all(idpath)) != 0 ||
		    (err = ks_certs_erase_all(idpath)) != 0) {
			skm_why(why, whylen, err, "cannot erase the old key sets: %s",
			    skm_strerror(err));
			goto out;
		}
	}
	if ((err = secfile_write(path, (const uint8_t *)root_doc, root_len, 1)) != 0) {
		skm_why(why, whylen, err, "%s: %s", path, skm_strerror(err));
		goto out;
	}
	/* A copy kept as the next certificate is root.xml's now. */
	if (new->certs[0].cert_uri != NULL &&
	    (err = ks_drop_copy(idpath, new->certs[0].cert_uri)) != 0) {
		skm_why(why, whylen, err, "cannot erase the copy of the certificate: %s",
		    skm_strerror(err));
		goto out;
	}
	if ((err = ks_write_identity(idpath, uri, set)) != 0) {
		skm_why(why, whylen, err, "%s/%s: %s", idpath, KS_IDENTITY, skm_strerror(err));
		goto out;
	}
	err = ks_fsync_dir(kdir);
out:
	ks_buf_free(buf, len);
	kmsdoc_free(old);
	kmsdoc_free(new);
	return err;
}

void
ks_close(struct ks *ks)
{
	int k;

	if (ks == NULL)
		return;
	ks_keys_drop(ks);
	ks_ext_drop(ks);
	ks_certs_drop(ks);
	for (k = 0; k < KS_NKEYS; k++)
		free(ks->val[k]);
	free(ks->dir);
	free(ks->path);
	free(ks->uri);
	free(ks);
}

const char *
ks_uri(const struct ks *ks)
{
	return ks->uri;
}

const char *
ks_path(const struct ks *ks)
{
	return ks->path;
}

const struct ks_settings *
ks_settings(const struct ks *ks)
{
	return &ks->set;
}

void
ks_set_timeout(struct ks *ks, long seconds)
{
	ks->timeout = seconds;
}

int
ks_period_at(struct ks *ks, int64_t unix_seconds, uint64_t *period_no)
{
	const struct kmsdoc_cert *c;
	uint64_t ntp;
	int err;

	if ((err = ks_cert(ks, &c, NULL, 0)) != 0)
		return err;
	if ((err = time_unix_to_ntp_checked(unix_seconds, &ntp)) != 0)
		return err;
	return period_number(ntp, c->user_key_period, c->user_key_offset, period_no);
}

int
ks_period_bounds(struct ks *ks, uint64_t period_no, int64_t *start, int64_t *end)
{
	const struct kmsdoc_cert *c;
	uint64_t s, e;
	int err;

	if ((err = ks_cert(ks, &c, NULL, 0)) != 0)
		return err;
	if ((err = period_bounds(period_no, c->user_key_period, c->user_key_offset, &s,
	    &e)) != 0)
		return err;
	*start = time_ntp_to_unix(s);
	*end = time_ntp_to_unix(e);
	return 0;
}
