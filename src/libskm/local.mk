# SPDX-License-Identifier: ISC
# The installed shared library libskm: the public API of include/skm/ as
# thin wrappers (src/libskm) over the convenience libraries the programs
# link (src/lib, src/common, the KMS documents and the storage-free GMK
# receiver of src/client). Never the keystore, the store, LMDB or libevent.
# Only the symbols of skm.map are exported: everything is compiled with
# -fvisibility=hidden and the public declarations carry SKM_API.
lib_LTLIBRARIES += src/libskm/libskm.la
src_libskm_libskm_la_SOURCES = \
	src/libskm/uid.c \
	src/libskm/kms.c \
	src/libskm/sakke.c \
	src/libskm/eccsi.c \
	src/libskm/gmk.c src/libskm/gmk_impl.h \
	src/libskm/gmk_send.c \
	src/libskm/gmk_recv.c
src_libskm_libskm_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS)
# current:revision:age; the SONAME is libskm.so.(current - age) = libskm.so.1.
src_libskm_libskm_la_LDFLAGS = $(AM_LDFLAGS) -version-info 1:0:0 -no-undefined \
	-Wl,--version-script=$(top_srcdir)/src/libskm/skm.map
src_libskm_libskm_la_LIBADD = src/client/libgmkmsg.la src/client/libkmsdoc.la \
	$(LIBXML_LIBS) $(OPENSSL_LIBS)
EXTRA_src_libskm_libskm_la_DEPENDENCIES = src/libskm/skm.map
EXTRA_DIST += src/libskm/skm.map

skmincludedir = $(includedir)/skm
skminclude_HEADERS = \
	include/skm/skm.h \
	include/skm/err.h \
	include/skm/uid.h \
	include/skm/kms.h \
	include/skm/sakke.h \
	include/skm/eccsi.h \
	include/skm/gmk.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/libskm/skm.pc

# The example an integrator starts from, and the test that installs the
# library into a staging directory and builds the example against it.
EXTRA_DIST += contrib/libskm-example/gmk-accept.c contrib/libskm-example/Makefile
TESTS += tests/libskm_install.sh
EXTRA_DIST += tests/libskm_install.sh

# The public API called through the shared library itself; the keys come
# from the group key suites' domain (gmk_fixture, internal libraries).
check_PROGRAMS += tests/test_libskm
TESTS += tests/test_libskm
tests_test_libskm_SOURCES = tests/test_libskm.c
tests_test_libskm_CFLAGS = $(TEST_CFLAGS)
tests_test_libskm_LDADD = src/libskm/libskm.la tests/libgmkfixture.la $(TEST_LIBS)
