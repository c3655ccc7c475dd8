/* SPDX-License-Identifier: ISC */
/*
 * Small file helpers shared by the group key modules (profile, gmkstore,
 * replay, gms): reading a whole 0600 file through secfile_open, erasing a
 * secret file, and the rule for group IDs and URIs kept in those files.
 * Nothing here parses file contents or logs them.
 */
#ifndef SKM_CLIENT_GMKFILE_H
#define SKM_CLIENT_GMKFILE_H

#include <stddef.h>
#include <stdint.h>

#define GMKFILE_NAME_MAX	255	/* longest group ID or URI kept */
#define GMKFILE_PATH_MAX	4096

/*
 * Reads the whole file at path (owner and mode checked by secfile_open)
 * into a NUL-terminated buffer from OPENSSL_malloc; the caller releases it
 * with OPENSSL_clear_free(*buf, *len + 1). A missing file is SKM_ENOTFOUND,
 * a file over max octets SKM_ELEN.
 */
int gmkfile_read(const char *path, size_t max, char **buf, size_t *len);

/*
 * Overwrites the file at path with zeros, fsyncs it, unlinks it and fsyncs
 * the directory. A missing file is SKM_ENOTFOUND.
 */
int gmkfile_erase(const char *path);

/* 1 iff s is 1..GMKFILE_NAME_MAX printable ASCII characters without spaces. */
int gmkfile_name_ok(const char *s);

/* Creates dir (mode 0700) if it does not exist. */
int gmkfile_mkdir(const char *dir);

/* snprintf into out (GMKFILE_PATH_MAX); SKM_ELEN if it does not fit. */
int gmkfile_path(char out[GMKFILE_PATH_MAX], const char *dir, const char *name);

#endif
