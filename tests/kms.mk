# SPDX-License-Identifier: ISC
# src/kms: which key periods the Root certificate covers, the rule alone
# and on a real domain; and skmsd against a domain whose certificate ends
# soon (refusals, the expiry gauge and warning, precomputation).
check_PROGRAMS += tests/test_kms_validity
TESTS += tests/test_kms_validity
tests_test_kms_validity_SOURCES = tests/test_kms_validity.c
tests_test_kms_validity_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_kms_validity_LDADD = src/kms/libkms.la $(STORE_TEST_LIBS)

TESTS += tests/skmsd_expiry.sh
EXTRA_DIST += tests/skmsd_expiry.sh
