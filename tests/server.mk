# SPDX-License-Identifier: ISC
# skmsd functional tests over TLS.
SERVER_TEST_LIBS = src/server/libserver.la src/server/libauth.la src/kms/libkms.la \
	src/conf/libconf.la src/store/libstore.la src/lib/libskm.la src/common/libcommon.la \
	$(LIBEVENT_LIBS) $(JWT_LIBS) $(JANSSON_LIBS) $(LIBXML_LIBS) $(LMDB_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS)

# The daemon's main over the transport, with a stand-in for the KMS API.
check_PROGRAMS += tests/skmsd_double
tests_skmsd_double_SOURCES = src/skmsd/main.c tests/server_api_double.c
tests_skmsd_double_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(LMDB_CFLAGS) \
	$(LIBXML_CFLAGS)
tests_skmsd_double_LDADD = $(SERVER_TEST_LIBS)

check_PROGRAMS += tests/test_replica
TESTS += tests/test_replica
tests_test_replica_SOURCES = tests/test_replica.c
tests_test_replica_CFLAGS = $(TEST_CFLAGS) $(PQ_CFLAGS)
tests_test_replica_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)

check_PROGRAMS += tests/test_metrics
TESTS += tests/test_metrics
tests_test_metrics_SOURCES = tests/test_metrics.c
tests_test_metrics_CFLAGS = $(TEST_CFLAGS)
tests_test_metrics_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)

TESTS += tests/skmsd.sh
EXTRA_DIST += tests/skmsd.sh

# The descriptor budget checked at start and at reload.
check_PROGRAMS += tests/test_nofile
TESTS += tests/test_nofile
tests_test_nofile_SOURCES = tests/test_nofile.c
tests_test_nofile_CFLAGS = $(TEST_CFLAGS)
tests_test_nofile_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
# Connections by source, for server.max-connections-per-address.
check_PROGRAMS += tests/test_peers
TESTS += tests/test_peers
tests_test_peers_SOURCES = tests/test_peers.c
tests_test_peers_CFLAGS = $(TEST_CFLAGS)
tests_test_peers_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)

# Connection limits against a real skmsd: refused requests closing their
# connection, the per-address limit, the descriptor budget at start.
# connflood is the client holding a thousand connections for it.
check_PROGRAMS += tests/connflood
tests_connflood_SOURCES = tests/connflood.c
tests_connflood_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
tests_connflood_LDADD = $(OPENSSL_LIBS)
TESTS += tests/skmsd_conn.sh
EXTRA_DIST += tests/skmsd_conn.sh

# The KMS API: path parser and refusal table, and the functional suite
# against a real skmsd over TLS with a temporary domain.
check_PROGRAMS += tests/test_route
TESTS += tests/test_route
tests_test_route_SOURCES = tests/test_route.c
tests_test_route_CFLAGS = $(TEST_CFLAGS)
tests_test_route_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
check_PROGRAMS += tests/test_http_parse
TESTS += tests/test_http_parse
tests_test_http_parse_SOURCES = tests/test_http_parse.c
tests_test_http_parse_CFLAGS = $(TEST_CFLAGS)
tests_test_http_parse_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
check_PROGRAMS += tests/test_cache
TESTS += tests/test_cache
tests_test_cache_SOURCES = tests/test_cache.c
tests_test_cache_CFLAGS = $(TEST_CFLAGS)
tests_test_cache_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
check_PROGRAMS += tests/test_precompute
TESTS += tests/test_precompute
tests_test_precompute_SOURCES = tests/test_precompute.c
tests_test_precompute_CFLAGS = $(TEST_CFLAGS)
tests_test_precompute_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
# The audit journal against a real LMDB store in a temporary directory.
check_PROGRAMS += tests/test_auditj
TESTS += tests/test_auditj
tests_test_auditj_SOURCES = tests/test_auditj.c tests/store_fixture.c tests/store_fixture.h
tests_test_auditj_CFLAGS = $(TEST_CFLAGS) $(LMDB_CFLAGS)
tests_test_auditj_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
# The audit writer's group delay, with a store and an event loop.
check_PROGRAMS += tests/test_auditq
TESTS += tests/test_auditq
tests_test_auditq_SOURCES = tests/test_auditq.c tests/store_fixture.c tests/store_fixture.h
tests_test_auditq_CFLAGS = $(TEST_CFLAGS) $(LMDB_CFLAGS)
tests_test_auditq_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
TESTS += tests/skmsd_api.sh
# Master-secret and Root certificate rollover across a period boundary.
TESTS += tests/skmsd_rollover.sh
EXTRA_DIST += tests/skmsd_rollover.sh
# audit.durability write: a SIGKILL under load loses no acknowledged record.
TESTS += tests/skmsd_audit_kill.sh
EXTRA_DIST += tests/skmsd_audit_kill.sh
# Two cluster nodes over a PostgreSQL server of the test's own.
TESTS += tests/skmsd_cluster.sh
EXTRA_DIST += tests/skmsd_cluster.sh
# The emergency rollover of a suspected compromise, and skmc following it.
TESTS += tests/skmsd_compromise.sh
EXTRA_DIST += tests/skmsd_compromise.sh
# Files that decide trust: owner, mode, directories above, FIFOs; -n and SIGHUP.
TESTS += tests/skmsd_trust.sh
EXTRA_DIST += tests/skmsd_trust.sh
EXTRA_DIST += tests/skmsd_api.sh tests/data/kms-response.xsd tests/fuzz_route.c \
	tests/fuzz_http.c

# 'make fuzz-route': the path parser under libFuzzer with ASan and UBSan for
# FUZZ_TIME seconds (not part of make check; needs clang).
FUZZ_ROUTE_SRCS = \
	$(top_srcdir)/src/server/route.c $(top_srcdir)/src/server/errmap.c \
	$(top_srcdir)/src/lib/uri.c $(top_srcdir)/src/common/utf8.c $(top_srcdir)/src/common/err.c \
	$(top_srcdir)/tests/fuzz_route.c
FUZZ_ROUTE_HDRS = \
	$(top_srcdir)/src/server/route.h $(top_srcdir)/src/server/errmap.h \
	$(top_srcdir)/src/lib/uri.h $(top_srcdir)/src/common/err.h $(top_srcdir)/src/common/hex.h
PHONY_TARGETS += fuzz-route
fuzz-route: tests/fuzz_route
	@mkdir -p tests/fuzz-route-corpus
	./tests/fuzz_route -max_total_time=$(FUZZ_TIME) -max_len=4096 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_route- \
	    tests/fuzz-route-corpus
tests/fuzz_route: $(FUZZ_ROUTE_SRCS) $(FUZZ_ROUTE_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    -o $@ $(FUZZ_ROUTE_SRCS)
CLEANFILES += tests/fuzz_route

# 'make fuzz-http': the HTTP/1.1 request parser (head and chunked body) under
# libFuzzer with ASan and UBSan for FUZZ_TIME seconds (not part of make check;
# needs clang).
FUZZ_HTTP_SRCS = \
	$(top_srcdir)/src/server/http_parse.c $(top_srcdir)/tests/fuzz_http.c
FUZZ_HTTP_HDRS = \
	$(top_srcdir)/src/server/http_parse.h $(top_srcdir)/src/server/req.h
PHONY_TARGETS += fuzz-http
fuzz-http: tests/fuzz_http
	@mkdir -p tests/fuzz-http-corpus
	./tests/fuzz_http -max_total_time=$(FUZZ_TIME) -max_len=4096 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_http- \
	    tests/fuzz-http-corpus
tests/fuzz_http: $(FUZZ_HTTP_SRCS) $(FUZZ_HTTP_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(OPENSSL_CFLAGS) -o $@ $(FUZZ_HTTP_SRCS)
CLEANFILES += tests/fuzz_http
# Per-identity token buckets on an injected clock, and the functional test
# of the limit against a real skmsd.
check_PROGRAMS += tests/test_ratelimit
TESTS += tests/test_ratelimit
tests_test_ratelimit_SOURCES = tests/test_ratelimit.c
tests_test_ratelimit_CFLAGS = $(TEST_CFLAGS)
tests_test_ratelimit_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
TESTS += tests/skmsd_rate.sh
EXTRA_DIST += tests/skmsd_rate.sh

# 'make fuzz-reload': skms.yaml reloaded through gen_reload(), the path
# SIGHUP takes, under libFuzzer with ASan and UBSan for FUZZ_TIME seconds
# (not part of make check; needs clang). Seeds in tests/data/reload.
EXTRA_DIST += tests/fuzz_reload.c
FUZZ_RELOAD_SRCS = \
	$(top_srcdir)/src/server/gen.c $(top_srcdir)/src/server/tls.c \
	$(top_srcdir)/src/server/auth.c $(top_srcdir)/src/server/auth_cache.c \
	$(top_srcdir)/src/server/auth_claim.c $(top_srcdir)/src/server/auth_json.c \
	$(top_srcdir)/src/server/auth_key.c $(top_srcdir)/src/lib/uri.c \
	$(top_srcdir)/src/common/utf8.c \
	$(top_srcdir)/src/common/err.c $(top_srcdir)/src/common/secfile.c \
	$(FUZZ_CONF_LIB_SRCS) $(top_srcdir)/tests/fuzz_reload.c
FUZZ_RELOAD_HDRS = \
	$(top_srcdir)/src/server/gen.h $(top_srcdir)/src/server/tls.h \
	$(FUZZ_JWT_HDRS) $(top_srcdir)/src/common/secfile.h
PHONY_TARGETS += fuzz-reload
fuzz-reload: tests/fuzz_reload
	@mkdir -p tests/fuzz-reload-corpus
	cat $(top_srcdir)/tests/data/fuzz_conf.dict \
	    $(top_srcdir)/tests/data/reload/fuzz_reload.dict >tests/fuzz_reload.dict
	./tests/fuzz_reload -max_total_time=$(FUZZ_TIME) -max_len=8192 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_reload- \
	    -dict=tests/fuzz_reload.dict \
	    tests/fuzz-reload-corpus $(top_srcdir)/tests/data/reload
tests/fuzz_reload: $(FUZZ_RELOAD_SRCS) $(FUZZ_RELOAD_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    -DFUZZ_DATA_DIR='"$(abs_top_srcdir)/tests/data"' \
	    $(OPENSSL_CFLAGS) $(JWT_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) \
	    -o $@ $(FUZZ_RELOAD_SRCS) $(JWT_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) \
	    $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_reload tests/fuzz_reload.dict

# What leaves the server as text: log lines escaped, ClientReqUrl in ASCII.
check_PROGRAMS += tests/test_log tests/test_requrl
TESTS += tests/test_log tests/test_requrl
tests_test_log_SOURCES = tests/test_log.c
tests_test_log_CFLAGS = $(TEST_CFLAGS)
tests_test_log_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
tests_test_requrl_SOURCES = tests/test_requrl.c
tests_test_requrl_CFLAGS = $(TEST_CFLAGS)
tests_test_requrl_LDADD = src/server/libserver.la $(TEST_LIBS) $(LIBEVENT_LIBS)
# log.format json, a reload to text, and the journal's stream against a real skmsd.
TESTS += tests/skmsd_log.sh
EXTRA_DIST += tests/skmsd_log.sh
# The TS 33.180 D.1 security extension: TrK/InK, signed and encrypted responses.
TESTS += tests/skmsd_tk.sh
EXTRA_DIST += tests/skmsd_tk.sh
