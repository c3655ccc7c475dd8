# SPDX-License-Identifier: ISC
# ECCSI, P-256 arithmetic, UID and KDF unit tests and the ECCSI constant-time program.
check_PROGRAMS += tests/test_eccsi tests/test_p256n tests/test_uid tests/test_kdf tests/test_time
TESTS += tests/test_eccsi tests/test_p256n tests/test_uid tests/test_kdf tests/test_time
tests_test_eccsi_SOURCES = tests/test_eccsi.c
tests_test_eccsi_CFLAGS = $(TEST_CFLAGS)
tests_test_eccsi_LDADD = $(TEST_LIBS)
tests_test_p256n_SOURCES = tests/test_p256n.c
tests_test_p256n_CFLAGS = $(TEST_CFLAGS)
tests_test_p256n_LDADD = $(TEST_LIBS)
tests_test_uid_SOURCES = tests/test_uid.c
tests_test_uid_CFLAGS = $(TEST_CFLAGS)
tests_test_uid_LDADD = $(TEST_LIBS)
tests_test_kdf_SOURCES = tests/test_kdf.c
tests_test_kdf_CFLAGS = $(TEST_CFLAGS)
tests_test_kdf_LDADD = $(TEST_LIBS)
tests_test_time_SOURCES = tests/test_time.c
tests_test_time_CFLAGS = $(TEST_CFLAGS)
tests_test_time_LDADD = $(TEST_LIBS)

# ECCSI secrets under memcheck (tests/ct.sh)
check_PROGRAMS += tests/ct_eccsi
CT_CHECKS += tests/ct_eccsi
tests_ct_eccsi_SOURCES = tests/ct_eccsi.c
tests_ct_eccsi_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
tests_ct_eccsi_LDADD = src/lib/libskm.la src/common/libcommon.la $(OPENSSL_LIBS)

# skmc uid, through the built binary
TESTS += tests/skmc_uid.sh
EXTRA_DIST += tests/skmc_uid.sh
