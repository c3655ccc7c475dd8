/* SPDX-License-Identifier: ISC */
/*
 * Which instruction-set extensions the field arithmetic may use (fp1024.c
 * for SAKKE, p256n.c for ECCSI). Probed once at load time; every level
 * computes the same results in constant time, so the choice is only about
 * speed. Memcheck's CPU hides ADX and AVX-512, so the constant-time checks
 * run the portable level.
 */
#ifndef SKM_LIB_CPU_H
#define SKM_LIB_CPU_H

enum cpu_level {
	CPU_PORTABLE,		/* C with 128-bit products */
	CPU_ADX,		/* BMI2 mulx with ADX adcx/adox carry chains */
	CPU_IFMA,		/* and AVX-512 IFMA for the 1024-bit field */
};

extern enum cpu_level cpu_level_cur;

/* The level in use: the CPU's highest unless cpu_level_set() capped it. */
static inline enum cpu_level
cpu_level(void)
{
	return cpu_level_cur;
}

enum cpu_level cpu_level_max(void);
/*
 * Uses level from now on; -1 (nothing changed) when the CPU lacks it. For
 * tests and benchmarks: call it before other threads compute.
 */
int cpu_level_set(enum cpu_level level);
/* "portable", "bmi2-adx", "avx512ifma"; cpu_level_parse(): -1 if unknown. */
const char *cpu_level_name(enum cpu_level level);
int cpu_level_parse(const char *name);

#endif
