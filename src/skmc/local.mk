# SPDX-License-Identifier: ISC
# skmc: the key management client.
bin_PROGRAMS += src/skmc/skmc
src_skmc_skmc_SOURCES = \
	src/skmc/main.c \
	src/skmc/cmd.c src/skmc/cmd.h \
	src/skmc/cmd_uid.c
src_skmc_skmc_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
src_skmc_skmc_LDADD = src/lib/libskm.la src/common/libcommon.la $(OPENSSL_LIBS)
