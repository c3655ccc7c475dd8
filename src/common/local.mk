# SPDX-License-Identifier: ISC
# src/common: errors, hex, time; used by every other part, depends on OpenSSL only.
noinst_LTLIBRARIES += src/common/libcommon.la
src_common_libcommon_la_SOURCES = \
	src/common/cli.c src/common/cli.h \
	src/common/err.c src/common/err.h \
	src/common/hex.c src/common/hex.h \
	src/common/be.h src/common/dec.c src/common/dec.h \
	src/common/utf8.c src/common/utf8.h
src_common_libcommon_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
src_common_libcommon_la_LIBADD = $(OPENSSL_LIBS)
include src/common/time.mk
src_common_libcommon_la_SOURCES += src/common/secfile.c src/common/secfile.h \
	src/common/trustfile.c src/common/trustfile.h
src_common_libcommon_la_SOURCES += src/common/siphash.c src/common/siphash.h
