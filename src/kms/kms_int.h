/* SPDX-License-Identifier: ISC */
/*
 * Shared by the files of src/kms alone: loading the key-encryption key a
 * caller names for a domain, and saying why it does not open the store.
 */
#ifndef SKM_KMS_KMS_INT_H
#define SKM_KMS_KMS_INT_H

#include <stddef.h>

struct kek;
struct kek_ref;
struct store;

/*
 * Loads the key of the recorded source ref: from the key file kek_file or
 * the passphrase file passphrase_file when one is named (NULL or empty: not
 * named; at most one, and of ref's kind), else from ref->path. *path gets
 * the path read. SKM_EINVAL with the reason in why for a name of the other
 * kind; a load failure also names the recorded source when another file
 * was named.
 */
int kms_kek_load(const struct kek_ref *ref, const char *kek_file,
    const char *passphrase_file, const char **path, struct kek **out, char *why,
    size_t whylen);

/*
 * Opens the sealed master secrets of st under kek in a read transaction,
 * keeping nothing: 0, or SKM_EVERIFY when kek is not their key.
 */
int kms_kek_opens(struct store *st, const struct kek *kek);

/*
 * The reason for master secrets that do not unseal under the key read from
 * path: naming the recorded source ref when path is another file.
 */
void kms_kek_unseal_why(const struct kek_ref *ref, const char *path, int rc, char *why,
    size_t whylen);

#endif
