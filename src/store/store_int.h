/* SPDX-License-Identifier: ISC */
/*
 * Internals shared by the files of src/store: the environment handle and
 * the mapping of LMDB codes to SKM_E*. Not for use outside src/store.
 */
#ifndef SKM_STORE_STORE_INT_H
#define SKM_STORE_STORE_INT_H

#include <lmdb.h>
#include <stddef.h>

struct store {
	MDB_env *env;
	MDB_dbi dbi;
};

/* The SKM_E* code for an LMDB or errno return code. */
int store_err(int rc);

/* dir is a directory without group or other permissions; else why says why. */
int store_dir_check(const char *dir, char *why, size_t whylen);

#endif
