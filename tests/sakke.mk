# SPDX-License-Identifier: ISC
# SAKKE unit tests and its constant-time program.
check_PROGRAMS += tests/test_sakke
TESTS += tests/test_sakke
tests_test_sakke_SOURCES = tests/test_sakke.c
tests_test_sakke_CFLAGS = $(TEST_CFLAGS)
tests_test_sakke_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_sakke_batch
TESTS += tests/test_sakke_batch
tests_test_sakke_batch_SOURCES = tests/test_sakke_batch.c
tests_test_sakke_batch_CFLAGS = $(TEST_CFLAGS)
tests_test_sakke_batch_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/ct_sakke
CT_CHECKS += tests/ct_sakke
tests_ct_sakke_SOURCES = tests/ct_sakke.c
tests_ct_sakke_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
tests_ct_sakke_LDADD = src/lib/libskm.la src/common/libcommon.la $(OPENSSL_LIBS)

check_PROGRAMS += tests/test_sakke_table
TESTS += tests/test_sakke_table
tests_test_sakke_table_SOURCES = tests/test_sakke_table.c
tests_test_sakke_table_CFLAGS = $(TEST_CFLAGS)
tests_test_sakke_table_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_fp1024x8
TESTS += tests/test_fp1024x8
tests_test_fp1024x8_SOURCES = tests/test_fp1024x8.c
tests_test_fp1024x8_CFLAGS = $(TEST_CFLAGS)
tests_test_fp1024x8_LDADD = $(TEST_LIBS)
