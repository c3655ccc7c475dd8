/* SPDX-License-Identifier: ISC */
/*
 * Constant-time verification hooks. Under valgrind's memcheck a test marks
 * secrets undefined with ct_poison(); every branch or memory index that then
 * depends on them is reported. The library calls ct_declassify() at the few
 * points where a value computed from secrets is public by design (a result
 * that is published, or the accept/reject outcome of a check). Outside
 * valgrind both are a handful of no-op instructions.
 */
#ifndef SKM_LIB_CT_H
#define SKM_LIB_CT_H

#include "config.h"

#include <stddef.h>

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#define ct_poison(p, n)		VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define ct_declassify(p, n)	VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define ct_poison(p, n)		((void)(p), (void)(n))
#define ct_declassify(p, n)	((void)(p), (void)(n))
#endif

#endif
