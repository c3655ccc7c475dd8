# SPDX-License-Identifier: ISC
# skmsctl: the administration tool.
sbin_PROGRAMS += src/skmsctl/skmsctl
src_skmsctl_skmsctl_SOURCES = \
	src/skmsctl/main.c \
	src/skmsctl/ctl.c src/skmsctl/ctl.h \
	src/skmsctl/out.c src/skmsctl/out.h \
	src/skmsctl/cmd_init.c \
	src/skmsctl/cmd_domain.c \
	src/skmsctl/cmd_kek.c \
	src/skmsctl/cmd_rollover.c \
	src/skmsctl/cmd_keyset.c \
	src/skmsctl/cmd_user.c \
	src/skmsctl/cmd_external.c src/skmsctl/cmd_tk.c \
	src/skmsctl/cmd_audit.c \
	src/skmsctl/cmd_backup.c \
	src/skmsctl/cmd_config.c
src_skmsctl_skmsctl_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS) $(LMDB_CFLAGS)
src_skmsctl_skmsctl_LDADD = src/kms/libkms.la src/conf/libconf.la src/store/libstore.la \
	src/lib/libskm.la src/common/libcommon.la \
	$(LIBXML_LIBS) $(LMDB_LIBS) $(YAML_LIBS) $(OPENSSL_LIBS)
