# SPDX-License-Identifier: ISC
# Token verification and request parsing tests, and 'make fuzz-kmsreq': the
# KmsRequest parser under libFuzzer with ASan and UBSan for FUZZ_TIME
# seconds on the seed corpus in tests/data/kmsreq (not part of make check).
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
