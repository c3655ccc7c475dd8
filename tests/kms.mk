# SPDX-License-Identifier: ISC
# src/kms: which key periods the Root certificate covers, the rule alone
# and on a real domain.
check_PROGRAMS += tests/test_kms_validity
TESTS += tests/test_kms_validity
tests_test_kms_validity_SOURCES = tests/test_kms_validity.c
tests_test_kms_validity_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_kms_validity_LDADD = src/kms/libkms.la $(STORE_TEST_LIBS)
