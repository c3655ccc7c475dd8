# SPDX-License-Identifier: ISC
# The group management service (skgmsd, skgmsctl): its store and back-off
# (Check, real LMDB in a temporary directory) and the service over TLS.
check_PROGRAMS += tests/test_gstore
TESTS += tests/test_gstore
tests_test_gstore_SOURCES = tests/test_gstore.c
tests_test_gstore_CFLAGS = $(TEST_CFLAGS) $(LMDB_CFLAGS)
tests_test_gstore_LDADD = src/gms/libgstore.la $(TEST_LIBS) $(LMDB_LIBS)

TESTS += tests/skgmsd.sh
EXTRA_DIST += tests/skgmsd.sh tests/gms_checks.sh etc/skgmsd.yaml.sample
# The service's request paths (pure).
check_PROGRAMS += tests/test_gmsd_route
TESTS += tests/test_gmsd_route
tests_test_gmsd_route_SOURCES = tests/test_gmsd_route.c
tests_test_gmsd_route_CFLAGS = $(TEST_CFLAGS)
tests_test_gmsd_route_LDADD = src/gms/libgmsd.la $(TEST_LIBS)
