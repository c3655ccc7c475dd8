# SPDX-License-Identifier: ISC
# skmsd: the KMS daemon.
sbin_PROGRAMS += src/skmsd/skmsd
src_skmsd_skmsd_SOURCES = src/skmsd/main.c
src_skmsd_skmsd_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(LMDB_CFLAGS) \
	$(LIBXML_CFLAGS)
src_skmsd_skmsd_LDADD = src/server/libserver.la src/server/libauth.la src/kms/libkms.la \
	src/conf/libconf.la src/store/libstore.la src/lib/libskm.la src/common/libcommon.la \
	$(LIBEVENT_LIBS) $(JWT_LIBS) $(JANSSON_LIBS) $(LIBXML_LIBS) $(LMDB_LIBS) $(YAML_LIBS) \
	$(OPENSSL_LIBS)
