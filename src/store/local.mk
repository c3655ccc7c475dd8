# SPDX-License-Identifier: ISC
# src/store: the store (LMDB or PostgreSQL), sealed secrets and key-encryption keys.
noinst_LTLIBRARIES += src/store/libstore.la
src_store_libstore_la_SOURCES = \
	src/store/store.c src/store/store.h src/store/store_int.h \
	src/store/txn.c src/store/pg.c src/store/pg.h src/store/pg_txn.c \
	src/store/copy.c src/store/schema.c src/store/backup.c src/store/restore.c \
	src/store/rec.c src/store/rec.h \
	src/store/seal.c src/store/seal.h \
	src/store/kek.c src/store/kek.h src/store/kek_file.c src/store/kek_passphrase.c \
	src/store/kek_pkcs11.c src/store/kek_pkcs11_rv.c \
	src/store/secrets.c src/store/secrets.h \
	src/store/tk.c src/store/tk.h \
	src/store/generation.c src/store/generation.h \
	src/store/generation_state.c src/store/generation_state.h \
	src/store/domain.c src/store/domain.h \
	src/store/identity.c src/store/identity.h \
	src/store/identity_state.c src/store/identity_state.h \
	src/store/period.c src/store/period.h \
	src/store/cert.c src/store/cert.h \
	src/store/audit.c src/store/audit.h
src_store_libstore_la_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS) $(PQ_CFLAGS) $(OPENSSL_CFLAGS) $(P11KIT_CFLAGS)
src_store_libstore_la_LIBADD = src/common/libcommon.la $(LMDB_LIBS) $(PQ_LIBS) $(OPENSSL_LIBS) $(P11KIT_LIBS)
