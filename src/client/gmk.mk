# SPDX-License-Identifier: ISC
# Group key management on the client: the user profile, stored GMKs, the
# replay cache, the notification documents, the receiver checks (accept)
# and, for a GMS, its group state and the parallel I_MESSAGE maker.
noinst_LTLIBRARIES += src/client/libgmk.la
src_client_libgmk_la_SOURCES = \
	src/client/gmkfile.c src/client/gmkfile.h \
	src/client/profile.c src/client/profile.h \
	src/client/gmkstore.c src/client/gmkstore.h \
	src/client/replay.c src/client/replay.h \
	src/client/gms.c src/client/gms.h \
	src/client/gmksend.c src/client/gmksend.h \
	src/client/gmksend_ks.c src/client/gmksend_ks.h \
	src/client/leave.c src/client/leave.h \
	src/client/accept.c src/client/accept.h
src_client_libgmk_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS)
src_client_libgmk_la_LIBADD = src/client/libgmkmsg.la
# The part of the receiver that needs no files (accept_msg) and the
# notification documents: also in the public libskm.
noinst_LTLIBRARIES += src/client/libgmkmsg.la
src_client_libgmkmsg_la_SOURCES = \
	src/client/accept_msg.c src/client/accept_msg.h \
	src/client/notify.c src/client/notify.h \
	src/client/notify_resp.c src/client/notify_resp.h
src_client_libgmkmsg_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS)
