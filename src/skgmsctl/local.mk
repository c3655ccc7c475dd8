# SPDX-License-Identifier: ISC
# skgmsctl: the administration tool of the group management service.
sbin_PROGRAMS += src/skgmsctl/skgmsctl
src_skgmsctl_skgmsctl_SOURCES = src/skgmsctl/main.c src/skgmsctl/cmd.c src/skgmsctl/ctl.h
src_skgmsctl_skgmsctl_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LMDB_CFLAGS)
src_skgmsctl_skgmsctl_LDADD = src/gms/libgstore.la src/client/libgmk.la src/conf/libconf.la \
	src/lib/libskm.la src/common/libcommon.la $(LIBXML_LIBS) $(LMDB_LIBS) $(YAML_LIBS) \
	$(OPENSSL_LIBS)
