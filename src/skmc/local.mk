# SPDX-License-Identifier: ISC
# skmc: the key management client. client.mk adds the key material
# commands, group.mk the group key commands; each appends its client
# libraries to SKMC_LIBS (dependents before what they depend on).
bin_PROGRAMS += src/skmc/skmc
SKMC_LIBS =
src_skmc_skmc_SOURCES = \
	src/skmc/main.c \
	src/skmc/cmd.c src/skmc/cmd.h \
	src/skmc/cmd_uid.c
include src/skmc/group.mk
include src/skmc/client.mk
src_skmc_skmc_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
src_skmc_skmc_LDADD = $(SKMC_LIBS) src/lib/libskm.la src/common/libcommon.la \
	$(LIBXML_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)
