/* SPDX-License-Identifier: ISC */
/*
 * Shared test fixtures: reading vector files from tests/data. A vector file
 * holds "name = value" lines; a value is hex (spaces allowed) or a quoted
 * string in which \0 stands for a NUL octet. '#' starts a comment line.
 */
#ifndef SKM_TESTS_TESTLIB_H
#define SKM_TESTS_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

struct vec;

/* Loads tests/data/<name> (found through $top_srcdir); aborts the test on failure. */
struct vec *vec_load(const char *name);
void vec_free(struct vec *v);

/* The raw value text of key, or NULL. */
const char *vec_text(const struct vec *v, const char *key);

/*
 * The value of key as octets (hex decoded, or the string's octets) into a
 * buffer owned by v; *len receives its length. Aborts when key is missing.
 */
const uint8_t *vec_bytes(const struct vec *v, const char *key, size_t *len);

/* The value of key as an unsigned decimal integer; aborts when missing. */
unsigned long long vec_uint(const struct vec *v, const char *key);

/* Path of a file under tests/data, in a static buffer. */
const char *test_data_path(const char *name);

/*
 * CPU time this process has used, in seconds. Bounds on work (a hostile
 * document refused before it is expanded) are checked in CPU time, which
 * other load on the machine does not change, never in wall-clock time.
 */
double test_cpu_seconds(void);

struct sakke_pub;

/*
 * An SSV (16 octets) whose SAKKE encapsulation to id under pub has an H
 * starting with a zero octet, as 1 in 256 have, and that SED (273
 * octets): the SSVs tried are a counter. Aborts after 16384 tries.
 */
void test_sakke_short_h(const struct sakke_pub *pub, const uint8_t *id, size_t idlen,
    uint8_t *ssv, uint8_t *sed);

#endif
