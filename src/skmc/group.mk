# SPDX-License-Identifier: ISC
# skmc's group key commands: the VAL client's user profile and GMK checks
# (group, gmk accept/list/active), a GMS service's client (listen,
# subscribe) and the GMS side (gmk make, gms).
SKMC_LIBS += src/client/libgmsc.la src/client/libgmk.la
src_skmc_skmc_SOURCES += \
	src/skmc/gmkcli.c src/skmc/gmkcli.h \
	src/skmc/gmkkeys.c src/skmc/gmkkeys.h \
	src/skmc/cmd_group.c src/skmc/cmd_gmk.c src/skmc/cmd_gms.c \
	src/skmc/cmd_listen.c src/skmc/cmd_subscribe.c
# 'make bench-rekey': wall-clock time of a 1,000-member GMS rekey.
EXTRA_DIST += contrib/bench-rekey
PHONY_TARGETS += bench-rekey
bench-rekey: src/skmc/skmc$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-rekey . 1000
