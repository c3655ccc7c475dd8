/* SPDX-License-Identifier: ISC */
/*
 * Secret files (key-encryption keys, passphrases): the one place where such
 * a file is opened, so the owner and permission checks cannot be skipped,
 * and the one way such a file is written (atomically, mode 0600). This
 * module never logs file contents and never keeps a copy of them.
 */
#ifndef SKM_COMMON_SECFILE_H
#define SKM_COMMON_SECFILE_H

#include <stddef.h>
#include <stdint.h>

/* Room for a reason text such as "key.bin: mode 0644 allows group or other access". */
#define SECFILE_WHY_MAX 256

/*
 * Checks the mode st_mode (file type and permission bits, from stat) of the
 * private file or directory at path: any permission bit in deny (group and
 * other bits, or only their write bits) is SKM_EPERM with the reason in why
 * (may be NULL), naming path, its mode and the mode wanted.
 */
int secfile_mode_check(const char *path, unsigned st_mode, unsigned deny, char *why,
    size_t whylen);

/*
 * Opens path read-only for a secret: trustfile_open() with TRUSTFILE_SECRET
 * and no owner but the current user or root. A symbolic link as the last
 * component, anything but a regular file, a wrong owner, any group/other
 * permission bit or a directory on the way that others could write is
 * SKM_EPERM with the reason in why (why may be NULL). On success *fd is an
 * open descriptor the caller closes.
 */
int secfile_open(const char *path, int *fd, char *why, size_t whylen);

/*
 * Reads the whole secret file at path (checked as by secfile_open) into
 * buf of cap octets; *len receives the length. A file longer than cap is SKM_ELEN. The
 * caller owns buf and must OPENSSL_cleanse it after use, on every path; on
 * failure buf is cleansed here.
 */
int secfile_read(const char *path, uint8_t *buf, size_t cap, size_t *len,
    char *why, size_t whylen);

/*
 * secfile_read() of a secret that is one line of text (a bearer token):
 * trailing white space (line end included) is dropped from *len; an
 * empty value or one with a line break inside is SKM_EINVAL ("not one
 * line of text" in why). buf as for secfile_read().
 */
int secfile_read_line(const char *path, uint8_t *buf, size_t cap, size_t *len,
    char *why, size_t whylen);

/*
 * Writes len octets to path with mode 0600: a new file created O_EXCL next
 * to path, written, fsync'ed, then moved over path and the directory
 * fsync'ed, so a crash leaves either the old file or the whole new one.
 * Without replace an existing path is SKM_EEXIST and left alone.
 */
int secfile_write(const char *path, const uint8_t *buf, size_t len, int replace);

/*
 * Erases the regular file at path (never following a symbolic link): its
 * contents overwritten with zeros and fsync'ed, then the name unlinked and
 * the directory fsync'ed. A missing file is SKM_ENOTFOUND. On a journalling
 * or copy-on-write file system the old blocks may survive; this removes
 * what an ordinary reader of the disk would find.
 */
int secfile_erase(const char *path);

/*
 * Flushes the directory holding path to disk, so that a new name in it
 * survives a crash (fsync of the file alone does not promise that).
 */
int secfile_sync_dir(const char *path);

#endif
