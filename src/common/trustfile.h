/* SPDX-License-Identifier: ISC */
/*
 * Files that hold a secret or decide whom to trust (key-encryption keys,
 * TLS key, certificate and client CA, token issuer keys, the configuration):
 * the one place where such a file is opened, so that no reader can skip the
 * checks that nobody but root or the service's own user could have written
 * it, neither the file nor any directory on the way to it. Opening never
 * blocks (a FIFO is refused, not waited on) and only regular files pass.
 * This module never logs file contents and never keeps a copy of them.
 */
#ifndef SKM_COMMON_TRUSTFILE_H
#define SKM_COMMON_TRUSTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum trustfile_kind {
	TRUSTFILE_TRUST,	/* decides trust: others may read it, not write it */
	TRUSTFILE_SECRET,	/* holds a secret: others may not even read it */
};

/* No further owner than root and the effective user. */
#define TRUSTFILE_NO_UID	((uid_t)-1)

/*
 * Opens path read-only after these checks, else SKM_EPERM (or
 * SKM_ENOTFOUND, SKM_EIO, SKM_ELEN) with the reason, naming the file or
 * directory at fault, in why (why may be NULL):
 * - every directory the name is looked up in, those holding symbolic links
 *   included, belongs to root, the effective user or also, and is not
 *   writable by group or others, unless it is root's and sticky (as /tmp):
 *   there nobody can rename or remove an entry he does not own;
 * - a symbolic link is followed for TRUSTFILE_TRUST (certificates often are
 *   links), refused as the last component for TRUSTFILE_SECRET;
 * - the file is a regular file (never opened otherwise, so a FIFO or a
 *   device cannot block or act), belongs to root, the effective user or
 *   also, and is not writable by group or others; for TRUSTFILE_SECRET
 *   group and others have no permission at all.
 * also is a further owner (the service user a daemon switches to) or
 * TRUSTFILE_NO_UID. A relative path is taken from the working directory,
 * whose directories are checked too. On success *fd is a blocking
 * descriptor of the checked file that the caller closes; otherwise -1.
 */
int trustfile_open(const char *path, enum trustfile_kind kind, uid_t also, int *fd,
    char *why, size_t whylen);

/*
 * Reads the whole file at path, opened by trustfile_open(), into buf of
 * cap octets; *len receives the length. A longer file is SKM_ELEN. On
 * failure buf is cleansed here; the caller cleanses a secret after use.
 */
int trustfile_read(const char *path, enum trustfile_kind kind, uid_t also,
    uint8_t *buf, size_t cap, size_t *len, char *why, size_t whylen);

/* The uid of user name, or TRUSTFILE_NO_UID for NULL, "" or an unknown name. */
uid_t trustfile_uid(const char *user);

#endif
