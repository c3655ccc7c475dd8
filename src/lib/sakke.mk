# SPDX-License-Identifier: ISC
# SAKKE: F_p (1024-bit), F_p^2, the curve, the pairing, RFC 6508.
src_lib_libskm_la_SOURCES += src/lib/sakke.h
src_lib_libskm_la_SOURCES += \
	src/lib/cpu.c src/lib/cpu.h \
	src/lib/fpp.h src/lib/fp1024.c src/lib/fp1024.h \
	src/lib/fp1024_ifma.c src/lib/fp1024_ifma.h \
	src/lib/fp1024x8.c src/lib/fp1024x8.h \
	src/lib/safegcd.c src/lib/safegcd.h \
	src/lib/modq.c src/lib/modq.h \
	src/lib/fp2.c src/lib/fp2.h \
	src/lib/ecp1024.c src/lib/ecp1024.h src/lib/ecp1024_int.h \
	src/lib/ecp1024_x8.c \
	src/lib/pairing.c src/lib/pairing.h \
	src/lib/sakke.c
