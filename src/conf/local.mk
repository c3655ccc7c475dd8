# SPDX-License-Identifier: ISC
# src/conf: skms.yaml through libyaml into an immutable config.
noinst_LTLIBRARIES += src/conf/libconf.la
LIBCONF_SRCS = \
	src/conf/addr.c \
	src/conf/conf.c \
	src/conf/dump.c \
	src/conf/load.c \
	src/conf/node.c \
	src/conf/schema.c \
	src/conf/value.c
src_conf_libconf_la_SOURCES = $(LIBCONF_SRCS) \
	src/conf/addr.h src/conf/conf.h src/conf/node.h src/conf/schema.h \
	src/conf/value.h
src_conf_libconf_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
src_conf_libconf_la_LIBADD = src/common/libcommon.la $(YAML_LIBS)
EXTRA_DIST += etc/skms.yaml.sample
