# SPDX-License-Identifier: ISC
# Token verification and request parsing tests, and 'make fuzz-kmsreq': the
# KmsRequest parser under libFuzzer with ASan and UBSan for FUZZ_TIME
# seconds on the seed corpus in tests/data/kmsreq (not part of make check);
# 'make fuzz-jwt' the same for the bearer-token path (seeds in tests/data/jwt).
AUTH_TEST_LIBS = src/server/libauth.la src/conf/libconf.la $(TEST_LIBS) \
	$(YAML_LIBS) $(JWT_LIBS) $(JANSSON_LIBS) $(LIBXML_LIBS)

check_PROGRAMS += tests/test_auth
TESTS += tests/test_auth
tests_test_auth_SOURCES = tests/test_auth.c
tests_test_auth_CFLAGS = $(TEST_CFLAGS) $(JWT_CFLAGS)
tests_test_auth_LDADD = $(AUTH_TEST_LIBS)

check_PROGRAMS += tests/test_kmsreq
TESTS += tests/test_kmsreq
tests_test_kmsreq_SOURCES = tests/test_kmsreq.c
tests_test_kmsreq_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_kmsreq_LDADD = $(AUTH_TEST_LIBS)

EXTRA_DIST += tests/fuzz_kmsreq.c
FUZZ_KMSREQ_SRCS = \
	$(top_srcdir)/src/server/kmsreq.c $(top_srcdir)/src/common/time.c \
	$(top_srcdir)/tests/fuzz_kmsreq.c
FUZZ_KMSREQ_HDRS = \
	$(top_srcdir)/src/server/kmsreq.h $(top_srcdir)/src/common/time.h \
	$(top_srcdir)/src/common/err.h
PHONY_TARGETS += fuzz-kmsreq
fuzz-kmsreq: tests/fuzz_kmsreq
	@mkdir -p tests/fuzz-kmsreq-corpus
	./tests/fuzz_kmsreq -max_total_time=$(FUZZ_TIME) -max_len=70000 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_kmsreq- \
	    tests/fuzz-kmsreq-corpus $(top_srcdir)/tests/data/kmsreq
tests/fuzz_kmsreq: $(FUZZ_KMSREQ_SRCS) $(FUZZ_KMSREQ_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(LIBXML_CFLAGS) -o $@ $(FUZZ_KMSREQ_SRCS) $(LIBXML_LIBS)
CLEANFILES += tests/fuzz_kmsreq

EXTRA_DIST += tests/fuzz_jwt.c
FUZZ_JWT_SRCS = \
	$(top_srcdir)/src/server/auth.c $(top_srcdir)/src/server/auth_cache.c \
	$(top_srcdir)/src/server/auth_claim.c $(top_srcdir)/src/server/auth_json.c \
	$(top_srcdir)/src/server/auth_key.c $(top_srcdir)/src/lib/uri.c \
	$(top_srcdir)/src/common/utf8.c \
	$(top_srcdir)/src/common/err.c $(FUZZ_CONF_LIB_SRCS) \
	$(top_srcdir)/tests/fuzz_jwt.c
FUZZ_JWT_HDRS = \
	$(top_srcdir)/src/server/auth.h $(top_srcdir)/src/server/auth_cache.h \
	$(top_srcdir)/src/server/auth_claim.h $(top_srcdir)/src/server/auth_json.h \
	$(top_srcdir)/src/server/auth_key.h $(top_srcdir)/src/lib/uri.h \
	$(top_srcdir)/src/common/err.h $(FUZZ_CONF_HDRS)
PHONY_TARGETS += fuzz-jwt
fuzz-jwt: tests/fuzz_jwt
	@mkdir -p tests/fuzz-jwt-corpus
	./tests/fuzz_jwt -max_total_time=$(FUZZ_TIME) -max_len=12000 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_jwt- \
	    -dict=$(top_srcdir)/tests/data/jwt/fuzz_jwt.dict \
	    tests/fuzz-jwt-corpus $(top_srcdir)/tests/data/jwt
tests/fuzz_jwt: $(FUZZ_JWT_SRCS) $(FUZZ_JWT_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    -DFUZZ_DATA_DIR='"$(abs_top_srcdir)/tests/data"' \
	    $(OPENSSL_CFLAGS) $(JWT_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) \
	    -o $@ $(FUZZ_JWT_SRCS) $(JWT_LIBS) $(JANSSON_LIBS) \
	    $(YAML_LIBS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_jwt

# The signed-request path of the D.1 security extension: kmsreq, then xsec.
EXTRA_DIST += tests/fuzz_signedreq.c
FUZZ_SIGNEDREQ_SRCS = \
	$(top_srcdir)/src/server/kmsreq.c $(top_srcdir)/src/common/time.c \
	$(top_srcdir)/src/xsec/xsec.c $(top_srcdir)/src/xsec/xsec_sign.c \
	$(top_srcdir)/src/xsec/xsec_verify.c $(top_srcdir)/tests/fuzz_signedreq.c
FUZZ_SIGNEDREQ_HDRS = \
	$(top_srcdir)/src/server/kmsreq.h $(top_srcdir)/src/xsec/xsec.h \
	$(top_srcdir)/src/xsec/xsec_impl.h $(top_srcdir)/src/common/err.h
PHONY_TARGETS += fuzz-signedreq
fuzz-signedreq: tests/fuzz_signedreq
	@mkdir -p tests/fuzz-signedreq-corpus
	./tests/fuzz_signedreq -max_total_time=$(FUZZ_TIME) -max_len=70000 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_signedreq- \
	    tests/fuzz-signedreq-corpus $(top_srcdir)/tests/data/signedreq
tests/fuzz_signedreq: $(FUZZ_SIGNEDREQ_SRCS) $(FUZZ_SIGNEDREQ_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(XMLSEC_CFLAGS) $(LIBXML_CFLAGS) -o $@ $(FUZZ_SIGNEDREQ_SRCS) \
	    $(XMLSEC_LIBS) $(LIBXML_LIBS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_signedreq
