# SPDX-License-Identifier: ISC
# Group key management on the client and the GMS (src/client/libgmk): unit
# suites sharing a generated KMS domain (gmk_fixture), and the end-to-end
# tests over skmsd with TLS.
GMK_TEST_LIBS = src/client/libgmk.la $(TEST_LIBS) $(LIBXML_LIBS)
check_LTLIBRARIES += tests/libgmkfixture.la
tests_libgmkfixture_la_SOURCES = tests/gmk_fixture.c tests/gmk_fixture.h
tests_libgmkfixture_la_CFLAGS = $(TEST_CFLAGS)

check_PROGRAMS += tests/test_gmk tests/test_accept
TESTS += tests/test_gmk tests/test_accept
tests_test_gmk_SOURCES = tests/test_gmk.c
tests_test_gmk_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_gmk_LDADD = tests/libgmkfixture.la $(GMK_TEST_LIBS)
tests_test_accept_SOURCES = tests/test_accept.c
tests_test_accept_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS)
tests_test_accept_LDADD = tests/libgmkfixture.la $(GMK_TEST_LIBS)

# The client of a GMS service (src/client/libgmsc): notifications, back-off.
check_PROGRAMS += tests/test_gmsc
TESTS += tests/test_gmsc
tests_test_gmsc_SOURCES = tests/test_gmsc.c
tests_test_gmsc_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
tests_test_gmsc_LDADD = src/client/libgmsc.la $(GMK_TEST_LIBS) $(CURL_LIBS)

TESTS += tests/skmc_gmk.sh
EXTRA_DIST += tests/skmc_gmk.sh

# The GMS service end to end: skmsd, skgmsd and three VAL clients on skmc
# listen, each with its own keystore (issue 17).
TESTS += tests/skgms_e2e.sh
EXTRA_DIST += tests/skgms_e2e.sh

# NTP era 1 (after 2036-02-07) for skmsd and skmc, under libfaketime.
TESTS += tests/ntp_era.sh
EXTRA_DIST += tests/ntp_era.sh
