# SPDX-License-Identifier: ISC
# systemd: skmsd's sd_notify messages against a stand-in notification
# socket (tests/sdnotify_listen), and the units in contrib/systemd checked
# with systemd-analyze verify and security (no running systemd needed).
check_PROGRAMS += tests/sdnotify_listen
tests_sdnotify_listen_SOURCES = tests/sdnotify_listen.c
TESTS += tests/skmsd_sdnotify.sh tests/systemd_units.sh
EXTRA_DIST += tests/skmsd_sdnotify.sh tests/systemd_units.sh
if HAVE_SYSTEMD
AM_TESTS_ENVIRONMENT += SKMS_SYSTEMD=yes; export SKMS_SYSTEMD;
endif
AM_TESTS_ENVIRONMENT += SYSTEMD_ANALYZE='$(SYSTEMD_ANALYZE)'; export SYSTEMD_ANALYZE;
