# SPDX-License-Identifier: ISC
# MIKEY-SAKKE: the payload codec, the key-parameters extension and the GMK
# I_MESSAGE; 'make fuzz-mikey' runs the parsers under libFuzzer with ASan
# and UBSan for FUZZ_TIME seconds (not part of make check; needs clang).
check_PROGRAMS += tests/test_mikey tests/test_mikey_kp tests/test_mikey_gmk
TESTS += tests/test_mikey tests/test_mikey_kp tests/test_mikey_gmk
tests_test_mikey_SOURCES = tests/test_mikey.c
tests_test_mikey_CFLAGS = $(TEST_CFLAGS)
tests_test_mikey_LDADD = $(TEST_LIBS)
tests_test_mikey_kp_SOURCES = tests/test_mikey_kp.c
tests_test_mikey_kp_CFLAGS = $(TEST_CFLAGS)
tests_test_mikey_kp_LDADD = $(TEST_LIBS)
tests_test_mikey_gmk_SOURCES = tests/test_mikey_gmk.c
tests_test_mikey_gmk_CFLAGS = $(TEST_CFLAGS)
tests_test_mikey_gmk_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fuzz_mikey.c

FUZZ_MIKEY_SRCS = \
	$(top_srcdir)/src/lib/mikey.c $(top_srcdir)/src/lib/mikey_idr.c \
	$(top_srcdir)/src/lib/mikey_kp.c \
	$(top_srcdir)/src/lib/kdf.c $(top_srcdir)/src/lib/eccsi.c \
	$(top_srcdir)/src/lib/eccsi_point.c $(top_srcdir)/src/lib/eccsi_kpak.c \
	$(top_srcdir)/src/lib/p256.c \
	$(top_srcdir)/src/lib/p256n.c $(top_srcdir)/src/lib/cpu.c \
	$(top_srcdir)/src/lib/safegcd.c $(top_srcdir)/src/common/err.c \
	$(top_srcdir)/tests/fuzz_mikey.c
FUZZ_MIKEY_HDRS = \
	$(top_srcdir)/src/lib/mikey.h $(top_srcdir)/src/lib/mikey_kp.h \
	$(top_srcdir)/src/lib/kdf.h $(top_srcdir)/src/lib/eccsi.h
PHONY_TARGETS += fuzz-mikey
fuzz-mikey: tests/fuzz_mikey
	@mkdir -p tests/fuzz_mikey.corpus
	./tests/fuzz_mikey -max_total_time=$(FUZZ_TIME) -max_len=4096 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_mikey- \
	    tests/fuzz_mikey.corpus
tests/fuzz_mikey: $(FUZZ_MIKEY_SRCS) $(FUZZ_MIKEY_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(OPENSSL_CFLAGS) -o $@ $(FUZZ_MIKEY_SRCS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_mikey
