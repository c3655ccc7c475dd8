/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by the files of src/store: the environment handle and
 * the mapping of LMDB codes to SKM_E*. Not for use outside src/store.
 */
#ifndef SKM_STORE_STORE_INT_H
#define SKM_STORE_STORE_INT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

struct store {
	MDB_env *env;
	MDB_dbi dbi;
};

/* The SKM_E* code for an LMDB or errno return code. */
int store_err(int rc);

/* dir is a directory without group or other permissions; else why says why. */
int store_dir_check(const char *dir, char *why, size_t whylen);

/*
 * The backup file (backup.c, restore.c): a header of BACKUP_HEAD_LEN
 * octets (magic, u32 format version, u32 zero, u64 image length, all
 * big-endian), the LMDB image, and the SHA-256 of header and image. The
 * magic's top bit and newline show a transfer in text mode.
 */
#define BACKUP_MAGIC		"\x89SKMSBK\n"
#define BACKUP_MAGIC_LEN	8
#define BACKUP_VERSION		1
#define BACKUP_HEAD_LEN		24
#define BACKUP_DIGEST_LEN	32

/*
 * Hashes head and len octets of fd from offset BACKUP_HEAD_LEN into
 * digest, copying them to out unless out is -1. Reads with pread(2), never
 * maps: a file that shrinks underneath is SKM_ELEN, not a SIGBUS.
 */
int backup_hash(int fd, const uint8_t *head, uint64_t len, int out,
    uint8_t digest[BACKUP_DIGEST_LEN]);

/* 1 if the n octets at p start an LMDB data file (its meta page). */
int backup_is_lmdb(const uint8_t *p, size_t n);

/* fsync(2) of the directory dir, after creating or renaming a file in it. */
int backup_sync_dir(const char *dir);

#endif
