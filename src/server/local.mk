# SPDX-License-Identifier: ISC
# src/server: the HTTPS KMS interface behind skmsd.
include src/server/auth.mk
# The transport (TLS, HTTP, limits, signals, metrics) and the KMS API.
noinst_LTLIBRARIES += src/server/libserver.la
src_server_libserver_la_SOURCES = \
	src/server/api.h src/server/req.h \
	src/server/gen.c src/server/gen.h \
	src/server/http.c src/server/http.h \
	src/server/http_bio.c src/server/http_bio.h \
	src/server/http_defer.c src/server/http_defer.h \
	src/server/http_parse.c src/server/http_parse.h \
	src/server/http_reply.c src/server/http_reply.h \
	src/server/req.c src/server/req_impl.h \
	src/server/requrl.c src/server/requrl.h \
	src/server/log.c src/server/log.h \
	src/server/metrics.c src/server/metrics.h \
	src/server/nofile.c src/server/nofile.h \
	src/server/peers.c src/server/peers.h \
	src/server/server.c src/server/server.h \
	src/server/tls.c src/server/tls.h \
	src/server/sdnotify.h
src_server_libserver_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LMDB_CFLAGS) $(LIBXML_CFLAGS) $(SYSTEMD_CFLAGS) $(PQ_CFLAGS)
src_server_libserver_la_LIBADD = src/server/libauth.la src/kms/libkms.la src/xsec/libxsec.la \
	src/conf/libconf.la src/store/libstore.la src/lib/libskm.la src/common/libcommon.la \
	$(LIBEVENT_LIBS) $(LMDB_LIBS) $(OPENSSL_LIBS) $(SYSTEMD_LIBS) $(PQ_LIBS)
# sd_notify(3) readiness, reload and stop messages, with libsystemd only.
if HAVE_SYSTEMD
src_server_libserver_la_SOURCES += src/server/sdnotify.c
endif
# The KMS API: routing, refusals, worker pool, cache, precomputation, audit.
src_server_libserver_la_SOURCES += \
	src/server/api.c \
	src/server/auditj.c src/server/auditj.h \
	src/server/auditq.c src/server/auditq.h \
	src/server/auditt.h src/server/auditt_lmdb.c src/server/auditt_pg.c \
	src/server/cache.c src/server/cache.h \
	src/server/errmap.c src/server/errmap.h \
	src/server/expiry.c src/server/expiry.h \
	src/server/pool.c src/server/pool.h \
	src/server/precompute.c src/server/precompute.h \
	src/server/route.c src/server/route.h
src_server_libserver_la_SOURCES += src/server/ratelimit.c src/server/ratelimit.h
# A cluster node over PostgreSQL: the replica follower and its connection.
src_server_libserver_la_SOURCES += \
	src/server/pgconn.c src/server/pgconn.h \
	src/server/replica.c src/server/replica.h
