# SPDX-License-Identifier: ISC
# Store tests: real LMDB in temporary directories.
STORE_TEST_CFLAGS = $(TEST_CFLAGS) $(LMDB_CFLAGS)
STORE_TEST_LIBS = tests/libstorefix.la src/store/libstore.la $(TEST_LIBS) $(LMDB_LIBS)
check_LTLIBRARIES += tests/libstorefix.la
tests_libstorefix_la_SOURCES = tests/store_fixture.c tests/store_fixture.h

check_PROGRAMS += tests/test_store tests/test_seal tests/test_identity \
	tests/test_identity_state tests/test_generation
TESTS += tests/test_store tests/test_seal tests/test_identity \
	tests/test_identity_state tests/test_generation
tests_test_store_SOURCES = tests/test_store.c
tests_test_store_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_store_LDADD = $(STORE_TEST_LIBS)
tests_test_seal_SOURCES = tests/test_seal.c
tests_test_seal_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_seal_LDADD = $(STORE_TEST_LIBS)
tests_test_identity_SOURCES = tests/test_identity.c
tests_test_identity_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_identity_LDADD = $(STORE_TEST_LIBS)
tests_test_identity_state_SOURCES = tests/test_identity_state.c
tests_test_identity_state_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_identity_state_LDADD = $(STORE_TEST_LIBS)
tests_test_generation_SOURCES = tests/test_generation.c
tests_test_generation_CFLAGS = $(STORE_TEST_CFLAGS)
tests_test_generation_LDADD = $(STORE_TEST_LIBS)
# The kms layer across a rollover, on a real LMDB.
check_PROGRAMS += tests/test_kms_rollover
TESTS += tests/test_kms_rollover
tests_test_kms_rollover_SOURCES = tests/test_kms_rollover.c
tests_test_kms_rollover_CFLAGS = $(STORE_TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_test_kms_rollover_LDADD = tests/libstorefix.la src/kms/libkms.la \
	src/store/libstore.la $(TEST_LIBS) $(LMDB_LIBS)
# TrK/InK records of identities and devices as skmsd finds and keeps them.
check_PROGRAMS += tests/test_kms_tk
TESTS += tests/test_kms_tk
tests_test_kms_tk_SOURCES = tests/test_kms_tk.c
tests_test_kms_tk_CFLAGS = $(STORE_TEST_CFLAGS) $(OPENSSL_CFLAGS)
tests_test_kms_tk_LDADD = tests/libstorefix.la src/kms/libkms.la \
	src/store/libstore.la $(TEST_LIBS) $(LMDB_LIBS)
# The PostgreSQL backend: run by tests/store_pg.sh with a server of its own.
check_PROGRAMS += tests/test_store_pg
TESTS += tests/store_pg.sh
EXTRA_DIST += tests/store_pg.sh
tests_test_store_pg_SOURCES = tests/test_store_pg.c
tests_test_store_pg_CFLAGS = $(STORE_TEST_CFLAGS) $(PQ_CFLAGS)
tests_test_store_pg_LDADD = $(STORE_TEST_LIBS) $(PQ_LIBS)
