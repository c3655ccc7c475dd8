#!/bin/sh
# SPDX-License-Identifier: ISC
# Runs the PostgreSQL store's unit tests (tests/test_store_pg) against a
# server of their own.
set -u
. "${top_srcdir:-.}/tests/checks.sh"
. "${top_srcdir:-.}/tests/pgserver.sh"
cleanup_extra() { pg_cleanup; }
need_pg
pg_start || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
unset PGPASSFILE
SKMS_TEST_PG_CONNINFO=$pg_conninfo SKMS_TEST_PG_PWFILE=$pg_pwfile \
    "$top_builddir/tests/test_store_pg"
