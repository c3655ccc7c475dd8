# SPDX-License-Identifier: ISC
# libskm: the crypto and format library. Depends on OpenSSL and src/common only.
noinst_LTLIBRARIES += src/lib/libskm.la
src_lib_libskm_la_SOURCES = \
	src/lib/ct.h \
	src/lib/eccsi_point.c \
	src/lib/keywrap.c src/lib/keywrap.h \
	src/lib/kmsxml.c src/lib/kmsxml.h \
	src/lib/uri.c src/lib/uri.h \
	src/lib/xmlw.c src/lib/xmlw.h \
	src/lib/version.c src/lib/version.h
src_lib_libskm_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
src_lib_libskm_la_LIBADD = src/common/libcommon.la $(OPENSSL_LIBS)
include src/lib/sakke.mk
include src/lib/eccsi.mk
include src/lib/mikey.mk
