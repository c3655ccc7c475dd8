# SPDX-License-Identifier: ISC
# libkmsdoc: reading KMS documents (kmsdoc) and deciding whether the
# certificates and key sets in them may be used (kmscheck). libxml2 reads;
# nothing here fetches, stores or logs.
noinst_LTLIBRARIES += src/client/libkmsdoc.la
src_client_libkmsdoc_la_SOURCES = \
	src/client/kmsdoc.c src/client/kmsdoc.h \
	src/client/kmsdoc_value.c src/client/kmsdoc_value.h \
	src/client/kmscheck.c src/client/kmscheck.h
src_client_libkmsdoc_la_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(OPENSSL_CFLAGS)
# libskm.la brings libcommon.la in already: naming it again here would put
# its objects twice into this archive, which the shared libskm takes whole.
src_client_libkmsdoc_la_LIBADD = src/lib/libskm.la $(LIBXML_LIBS) $(OPENSSL_LIBS)
