# SPDX-License-Identifier: ISC
# ECCSI (RFC 6507), the UID and KDFs of TS 33.180 Annex F.
src_lib_libskm_la_SOURCES += src/lib/eccsi.h
src_lib_libskm_la_SOURCES += src/lib/eccsi.c \
	src/lib/eccsi_kpak.c src/lib/eccsi_kpak.h \
	src/lib/p256.c src/lib/p256.h \
	src/lib/p256n.c src/lib/p256n.h src/lib/p256n_adx.h \
	src/lib/kdf.c src/lib/kdf.h \
	src/lib/uid.c src/lib/uid.h \
	src/lib/period.c src/lib/period.h
