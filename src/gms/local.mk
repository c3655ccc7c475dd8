# SPDX-License-Identifier: ISC
# src/gms: the group management service (skgmsd) and its store, shared
# with skgmsctl.
noinst_LTLIBRARIES += src/gms/libgstore.la
src_gms_libgstore_la_SOURCES = \
	src/gms/gstore.c src/gms/gstore.h src/gms/gstore_int.h \
	src/gms/gstore_rec.c src/gms/gstore_group.c src/gms/gstore_dlv.c \
	src/gms/gstore_kek.c
src_gms_libgstore_la_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS) $(OPENSSL_CFLAGS)
src_gms_libgstore_la_LIBADD = src/store/libstore.la src/common/libcommon.la $(LMDB_LIBS) \
	$(OPENSSL_LIBS)
# The service: routes, documents, the key worker and the held polls.
noinst_LTLIBRARIES += src/gms/libgmsd.la
src_gms_libgmsd_la_SOURCES = \
	src/gms/gmsd.c src/gms/gmsd.h \
	src/gms/gmsd_route.c src/gms/gmsd_route.h \
	src/gms/gmsd_xml.c src/gms/gmsd_xml.h \
	src/gms/gmsd_maker.c src/gms/gmsd_maker.h
src_gms_libgmsd_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LMDB_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
