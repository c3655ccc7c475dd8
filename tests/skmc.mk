# SPDX-License-Identifier: ISC
# The keystore and KMS requests (test_ks), skmc import offline, and skmc
# against a real skmsd over TLS.
check_PROGRAMS += tests/test_ks
TESTS += tests/test_ks
tests_test_ks_SOURCES = tests/test_ks.c
tests_test_ks_CFLAGS = $(TEST_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
tests_test_ks_LDADD = src/client/libks.la src/client/libkmsdoc.la $(TEST_LIBS) \
	$(LIBXML_LIBS) $(CURL_LIBS)

TESTS += tests/skmc_import.sh tests/skmc_client.sh
EXTRA_DIST += tests/skmc_import.sh tests/skmc_client.sh

# skmc across a master-secret rollover, clocks set by libfaketime.
TESTS += tests/skmc_rollover.sh
EXTRA_DIST += tests/skmc_rollover.sh
