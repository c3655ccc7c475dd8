# SPDX-License-Identifier: ISC
# src/xsec: XML signatures of the TS 33.180 D.1 security extension through
# libxmlsec1 (OpenSSL back end) over libxml2. Kept out of libskm, which
# depends on OpenSSL only; used by the server and the client.
noinst_LTLIBRARIES += src/xsec/libxsec.la
src_xsec_libxsec_la_SOURCES = \
	src/xsec/xsec.c src/xsec/xsec.h \
	src/xsec/xsec_sign.c src/xsec/xsec_verify.c src/xsec/xsec_impl.h
src_xsec_libxsec_la_CFLAGS = $(AM_CFLAGS) $(XMLSEC_CFLAGS) $(LIBXML_CFLAGS) $(OPENSSL_CFLAGS)
src_xsec_libxsec_la_LIBADD = src/common/libcommon.la $(XMLSEC_LIBS) $(LIBXML_LIBS) \
	$(OPENSSL_LIBS)
