# SPDX-License-Identifier: ISC
# skgmsd: the group management service daemon.
sbin_PROGRAMS += src/skgmsd/skgmsd
src_skgmsd_skgmsd_SOURCES = src/skgmsd/main.c
src_skgmsd_skgmsd_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(LMDB_CFLAGS) \
	$(LIBXML_CFLAGS)
src_skgmsd_skgmsd_LDADD = src/gms/libgmsd.la src/gms/libgstore.la src/server/libserver.la \
	src/server/libauth.la src/kms/libkms.la src/client/libgmk.la src/client/libks.la \
	src/client/libkmsdoc.la src/conf/libconf.la src/store/libstore.la src/lib/libskm.la \
	src/common/libcommon.la $(LIBEVENT_LIBS) $(JWT_LIBS) $(JANSSON_LIBS) $(LIBXML_LIBS) \
	$(LMDB_LIBS) $(YAML_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)
