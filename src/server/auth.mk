# SPDX-License-Identifier: ISC
# src/server authentication: access tokens, client certificates, KmsRequest bodies.
noinst_LTLIBRARIES += src/server/libauth.la
src_server_libauth_la_SOURCES = \
	src/server/auth.c src/server/auth.h \
	src/server/auth_cache.c src/server/auth_cache.h \
	src/server/auth_claim.c src/server/auth_claim.h \
	src/server/auth_json.c src/server/auth_json.h \
	src/server/auth_key.c src/server/auth_key.h \
	src/server/kmsreq.c src/server/kmsreq.h
src_server_libauth_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(JWT_CFLAGS) \
	$(JANSSON_CFLAGS) $(LIBXML_CFLAGS) $(YAML_CFLAGS)
src_server_libauth_la_LIBADD = src/lib/libskm.la src/common/libcommon.la \
	$(JWT_LIBS) $(JANSSON_LIBS) $(LIBXML_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS)
