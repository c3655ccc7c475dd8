/* SPDX-License-Identifier: ISC */
/*
 * CPU feature probing for the arithmetic (see cpu.h). Only CPUID and XGETBV
 * are read here; no arithmetic lives in this file.
 */
#include "lib/cpu.h"

#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static const char *const cpu_names[] = { "portable", "bmi2-adx", "avx512ifma" };

enum cpu_level cpu_level_cur;
static enum cpu_level cpu_level_top;

__attribute__((constructor)) static void
cpu_probe(void)
{
#if defined(__x86_64__)
	unsigned int a, b, c, d, lo, hi;

	/* CPUID 7 EBX: 8 BMI2 (mulx), 19 ADX, 16 AVX512F, 21 AVX512IFMA. */
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return;
	if (!(b & (1u << 8)) || !(b & (1u << 19)))
		return;
	cpu_level_top = CPU_ADX;
	/* CPUID 1 ECX 27: OSXSAVE; XCR0 must enable the ZMM and mask state. */
	if ((b & (1u << 16)) && (b & (1u << 21)) &&
	    __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27))) {
		__asm__("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		if ((lo & 0xe6) == 0xe6)
			cpu_level_top = CPU_IFMA;
	}
	cpu_level_cur = cpu_level_top;
#endif
}

enum cpu_level
cpu_level_max(void)
{
	return cpu_level_top;
}

int
cpu_level_set(enum cpu_level level)
{
	if ((int)level < 0 || level > cpu_level_top)
		return -1;
	cpu_level_cur = level;
	return 0;
}

const char *
cpu_level_name(enum cpu_level level)
{
	if ((int)level < 0 || level > CPU_IFMA)
		return "?";
	return cpu_names[level];
}

int
cpu_level_parse(const char *name)
{
	int i;

	for (i = CPU_PORTABLE; i <= CPU_IFMA; i++)
		if (strcmp(name, cpu_names[i]) == 0)
			return i;
	return -1;
}
