# SPDX-License-Identifier: ISC
# A VAL client of a GMS service (skmc listen, subscribe): the notification
# documents (gmsnote), the HTTPS requests (gmschan) and the reconnection
# back-off. Checks nothing itself: GMKs go through libgmk's accept.
noinst_LTLIBRARIES += src/client/libgmsc.la
src_client_libgmsc_la_SOURCES = \
	src/client/gmsnote.c src/client/gmsnote.h \
	src/client/gmschan.c src/client/gmschan.h \
	src/client/backoff.c src/client/backoff.h
src_client_libgmsc_la_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
