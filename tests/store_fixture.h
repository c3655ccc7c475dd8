/* SPDX-License-Identifier: ISC */
/*
 * Fixtures shared by the store test suites: a temporary directory per test
 * case (created and removed by the parent, so a failed test still cleans
 * up) and paths inside it.
 */
#ifndef SKM_TESTS_STORE_FIXTURE_H
#define SKM_TESTS_STORE_FIXTURE_H

#include <stddef.h>

/* Unchecked fixture: creates / removes the case directory. */
void fix_setup(void);
void fix_teardown(void);

/* base/name, in one of a few rotating static buffers. */
const char *fix_path(const char *name);

/* Counts directory entries other than . and ..; -1 if dir cannot be read. */
int fix_count_entries(const char *dir);

#endif
