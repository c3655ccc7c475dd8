# SPDX-License-Identifier: ISC
# The client's KMS document reader and checks (src/client/libkmsdoc), and
# 'make fuzz-kmsdoc': the reader under libFuzzer with ASan and UBSan for
# FUZZ_TIME seconds (not part of make check; needs clang).
KMSDOC_TEST_LIBS = src/client/libkmsdoc.la $(TEST_LIBS) $(LIBXML_LIBS)

check_PROGRAMS += tests/test_kmsdoc
TESTS += tests/test_kmsdoc
tests_test_kmsdoc_SOURCES = tests/test_kmsdoc.c
tests_test_kmsdoc_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_kmsdoc_LDADD = $(KMSDOC_TEST_LIBS)

check_PROGRAMS += tests/test_kmscheck
TESTS += tests/test_kmscheck
tests_test_kmscheck_SOURCES = tests/test_kmscheck.c
tests_test_kmscheck_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_kmscheck_LDADD = $(KMSDOC_TEST_LIBS)

EXTRA_DIST += tests/fuzz_kmsdoc.c
FUZZ_KMSDOC_SRCS = \
	$(top_srcdir)/src/client/kmsdoc.c $(top_srcdir)/src/client/kmsdoc_value.c \
	$(top_srcdir)/src/lib/kmsxml.c $(top_srcdir)/src/lib/keywrap.c \
	$(top_srcdir)/src/lib/xmlw.c $(top_srcdir)/src/common/utf8.c \
	$(top_srcdir)/src/common/err.c $(top_srcdir)/src/common/hex.c \
	$(top_srcdir)/src/common/time.c $(top_srcdir)/src/common/dec.c \
	$(top_srcdir)/tests/fuzz_kmsdoc.c
FUZZ_KMSDOC_HDRS = \
	$(top_srcdir)/src/client/kmsdoc.h $(top_srcdir)/src/client/kmsdoc_value.h \
	$(top_srcdir)/src/lib/kmsxml.h $(top_srcdir)/src/lib/keywrap.h $(top_srcdir)/src/lib/xmlw.h
PHONY_TARGETS += fuzz-kmsdoc
fuzz-kmsdoc: tests/fuzz_kmsdoc
	@mkdir -p tests/fuzz_kmsdoc.corpus
	./tests/fuzz_kmsdoc -max_total_time=$(FUZZ_TIME) -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_kmsdoc- \
	    -dict=$(top_srcdir)/tests/data/kmsdoc/fuzz_kmsdoc.dict \
	    tests/fuzz_kmsdoc.corpus $(top_srcdir)/tests/data/kmsdoc
tests/fuzz_kmsdoc: $(FUZZ_KMSDOC_SRCS) $(FUZZ_KMSDOC_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(LIBXML_CFLAGS) $(OPENSSL_CFLAGS) -o $@ $(FUZZ_KMSDOC_SRCS) \
	    $(LIBXML_LIBS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_kmsdoc

check_PROGRAMS += tests/ct_kmsdoc
CT_CHECKS += tests/ct_kmsdoc
tests_ct_kmsdoc_SOURCES = tests/ct_kmsdoc.c
tests_ct_kmsdoc_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(OPENSSL_CFLAGS)
tests_ct_kmsdoc_LDADD = src/client/libkmsdoc.la src/lib/libskm.la src/common/libcommon.la \
	$(LIBXML_LIBS) $(OPENSSL_LIBS)
