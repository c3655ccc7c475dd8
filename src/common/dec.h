/* SPDX-License-Identifier: ISC */
/* Unsigned integers in decimal, without printf: for per-request text. */
#ifndef SKM_COMMON_DEC_H
#define SKM_COMMON_DEC_H

#include <stddef.h>
#include <stdint.h>

/* Digits of the largest uint64_t and a NUL. */
#define DEC_U64_LEN	21

/* Writes v's digits and a NUL to out; returns the number of digits. */
size_t dec_u64(uint64_t v, char out[DEC_U64_LEN]);

#endif
