# SPDX-License-Identifier: ISC
# src/kms: the one layer that combines the store with libskm.
noinst_LTLIBRARIES += src/kms/libkms.la
src_kms_libkms_la_SOURCES = \
	src/kms/kms.c src/kms/kms.h src/kms/kms_int.h src/kms/kms_impl.h \
	src/kms/kms_kek.c src/kms/kms_gen.c src/kms/kms_rollover.c \
	src/kms/kms_domain.c \
	src/kms/kms_keyset.c \
	src/kms/kms_batch.c \
	src/kms/kms_validity.c \
	src/kms/kms_store.c \
	src/kms/kms_revoked.c \
	src/kms/kms_tk.c
src_kms_libkms_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LMDB_CFLAGS)
src_kms_libkms_la_LIBADD = src/store/libstore.la src/lib/libskm.la src/common/libcommon.la
