# SPDX-License-Identifier: ISC
# Unit tests (Check), one suite per module, plus functional and constant-time checks.
# Check's per-test time-outs only catch a hang: multiplied by ten (unless
# set already) so that a loaded machine or the sanitizers cannot fail a test.
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	CT_PROGRAMS='$(CT_CHECKS)'; VALGRIND='$(VALGRIND)'; \
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10}; \
	FUZZ_TARGETS='$(FUZZ_TARGETS)'; \
	export top_srcdir top_builddir CT_PROGRAMS VALGRIND CK_TIMEOUT_MULTIPLIER FUZZ_TARGETS;
EXTRA_DIST += tests/data tests/ct.sh tests/checks.sh tests/pgserver.sh

check_LTLIBRARIES = tests/libtestlib.la
tests_libtestlib_la_SOURCES = tests/testlib.c tests/testlib.h

TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(OPENSSL_CFLAGS)
TEST_LIBS = tests/libtestlib.la src/lib/libskm.la src/common/libcommon.la $(CHECK_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/test_common
TESTS += tests/test_common
tests_test_common_SOURCES = tests/test_common.c
tests_test_common_CFLAGS = $(TEST_CFLAGS)
tests_test_common_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_trustfile
TESTS += tests/test_trustfile
tests_test_trustfile_SOURCES = tests/test_trustfile.c
tests_test_trustfile_CFLAGS = $(TEST_CFLAGS)
tests_test_trustfile_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_kmsxml
TESTS += tests/test_kmsxml
tests_test_kmsxml_SOURCES = tests/test_kmsxml.c
tests_test_kmsxml_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_kmsxml_LDADD = $(TEST_LIBS) $(LIBXML_LIBS)

# Functional tests of the administration tool.
TESTS += tests/skmsctl.sh
EXTRA_DIST += tests/skmsctl.sh
TESTS += tests/skmsctl_pg.sh
EXTRA_DIST += tests/skmsctl_pg.sh
# skmsctl kek rotate, with skmsd running and killed at random points.
TESTS += tests/skmsctl_kek.sh
EXTRA_DIST += tests/skmsctl_kek.sh
# A key-encryption key in a PKCS#11 token (SoftHSM2): init, rotation, skmsd.
TESTS += tests/skmsctl_hsm.sh
EXTRA_DIST += tests/skmsctl_hsm.sh
check_PROGRAMS += tests/hsm_mkkey
tests_hsm_mkkey_SOURCES = tests/hsm_mkkey.c
tests_hsm_mkkey_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_hsm_mkkey_LDADD = $(P11KIT_LIBS)
check_PROGRAMS += tests/hsm_sealed
tests_hsm_sealed_SOURCES = tests/hsm_sealed.c
tests_hsm_sealed_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS)
tests_hsm_sealed_LDADD = src/store/libstore.la src/common/libcommon.la $(LMDB_LIBS) \
	$(OPENSSL_LIBS) $(P11KIT_LIBS)

# The alert rules and dashboard in contrib/ against the metrics skmsd exports
# (needs promtool, from Debian's prometheus, and jq; skipped without them).
TESTS += tests/monitoring.sh
EXTRA_DIST += tests/monitoring.sh

# Constant-time checks: programs that mark secrets undefined and run the
# secret-handling paths; tests/ct.sh runs each under memcheck and fails on
# any report. Run alone with 'make ct'. ASan and valgrind do not mix.
CT_CHECKS =
include tests/sakke.mk
include tests/eccsi.mk
include tests/conf.mk
include tests/store.mk
include tests/kms.mk
include tests/server.mk
include tests/auth.mk
include tests/mikey.mk
include tests/client.mk
include tests/skmc.mk
include tests/gmk.mk
include tests/gms.mk
include tests/systemd.mk
if HAVE_VALGRIND
if !SANITIZERS
TESTS += tests/ct.sh
endif
endif
CLEANFILES += tests/*.ct.log
PHONY_TARGETS += ct
ct: $(CT_CHECKS)
	$(AM_TESTS_ENVIRONMENT) $(SHELL) $(top_srcdir)/tests/ct.sh

# Every fuzz target is built and run over its seeds (and a few thousand
# inputs of its own, from a fixed seed) by make check wherever clang links
# libFuzzer, so no target stops building or crashes unseen between fuzzing
# runs. The targets carry ASan and UBSan themselves: not again in a
# sanitizer build.
FUZZ_TARGETS = tests/fuzz_conf tests/fuzz_kmsreq tests/fuzz_kmsdoc tests/fuzz_mikey \
	tests/fuzz_route tests/fuzz_http tests/fuzz_jwt tests/fuzz_reload tests/fuzz_signedreq
EXTRA_DIST += tests/fuzz_seeds.sh
if HAVE_FUZZ
if !SANITIZERS
check_SCRIPTS += $(FUZZ_TARGETS)
TESTS += tests/fuzz_seeds.sh
endif
endif

# The D.1 security extension: key wrap and the XML-DSig profile (src/xsec).
check_PROGRAMS += tests/test_xsec
TESTS += tests/test_xsec
tests_test_xsec_SOURCES = tests/test_xsec.c
tests_test_xsec_CFLAGS = $(TEST_CFLAGS) $(XMLSEC_CFLAGS) $(LIBXML_CFLAGS)
tests_test_xsec_LDADD = src/xsec/libxsec.la $(TEST_LIBS) $(LIBXML_LIBS)
