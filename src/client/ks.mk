# SPDX-License-Identifier: ISC
# The client keystore (ks*) and the KMS requests over HTTPS (kmsget).
noinst_LTLIBRARIES += src/client/libks.la
src_client_libks_la_SOURCES = \
	src/client/ks.c src/client/ks.h src/client/ks_impl.h \
	src/client/ks_keys.c src/client/ks_ext.c src/client/ks_fetch.c \
	src/client/ks_certs.c src/client/ks_refresh.c \
	src/client/ks_revoked.c src/client/ks_revoked.h \
	src/client/kmsget.c src/client/kmsget.h \
	src/client/kmstk.c src/client/kmstk.h
src_client_libks_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
src_client_libks_la_LIBADD = src/client/libkmsdoc.la src/xsec/libxsec.la src/lib/libskm.la \
	src/common/libcommon.la $(CURL_LIBS) $(OPENSSL_LIBS)
