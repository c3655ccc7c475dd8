# SPDX-License-Identifier: ISC
# Config loader tests, and 'make fuzz': the loader under libFuzzer with
# ASan and UBSan for FUZZ_TIME seconds (not part of make check; needs clang).
check_PROGRAMS += tests/test_conf
TESTS += tests/test_conf
tests_test_conf_SOURCES = tests/test_conf.c
tests_test_conf_CFLAGS = $(TEST_CFLAGS)
tests_test_conf_LDADD = src/conf/libconf.la $(TEST_LIBS) $(YAML_LIBS)
EXTRA_DIST += tests/fuzz_conf.c

FUZZ_CC = clang
FUZZ_TIME = 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -I$(top_srcdir)/include
# The loader's sources, also built into the other targets that load a config.
FUZZ_CONF_LIB_SRCS = \
	$(top_srcdir)/src/conf/addr.c $(top_srcdir)/src/conf/conf.c \
	$(top_srcdir)/src/conf/dump.c $(top_srcdir)/src/conf/load.c \
	$(top_srcdir)/src/conf/node.c $(top_srcdir)/src/conf/schema.c \
	$(top_srcdir)/src/conf/value.c $(top_srcdir)/src/common/trustfile.c
FUZZ_CONF_SRCS = $(FUZZ_CONF_LIB_SRCS) $(top_srcdir)/src/common/err.c \
	$(top_srcdir)/tests/fuzz_conf.c
PHONY_TARGETS += fuzz
fuzz: tests/fuzz_conf
	@mkdir -p tests/fuzz_conf.corpus
	./tests/fuzz_conf -max_total_time=$(FUZZ_TIME) -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=tests/fuzz_conf- \
	    -dict=$(top_srcdir)/tests/data/fuzz_conf.dict \
	    tests/fuzz_conf.corpus $(top_srcdir)/tests/data/conf
FUZZ_CONF_HDRS = \
	$(top_srcdir)/src/conf/addr.h $(top_srcdir)/src/conf/conf.h \
	$(top_srcdir)/src/conf/node.h $(top_srcdir)/src/conf/schema.h \
	$(top_srcdir)/src/conf/value.h
tests/fuzz_conf: $(FUZZ_CONF_SRCS) $(FUZZ_CONF_HDRS)
	@mkdir -p tests
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(top_srcdir)/src -I$(top_builddir) \
	    $(YAML_CFLAGS) $(OPENSSL_CFLAGS) -o $@ $(FUZZ_CONF_SRCS) $(YAML_LIBS) $(OPENSSL_LIBS)
CLEANFILES += tests/fuzz_conf
