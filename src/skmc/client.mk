# SPDX-License-Identifier: ISC
# skmc's key material commands (init, fetch, certcache, import, status,
# watch, keys show) over the keystore and the KMS requests of libks.
src_skmc_skmc_SOURCES += \
	src/skmc/ctx.c \
	src/skmc/cmd_init.c src/skmc/cmd_fetch.c src/skmc/cmd_certcache.c \
	src/skmc/cmd_import.c src/skmc/cmd_status.c src/skmc/cmd_watch.c \
	src/skmc/cmd_keys.c src/skmc/cmd_tk.c
SKMC_LIBS += src/client/libks.la src/client/libkmsdoc.la
EXTRA_DIST += etc/skmc.conf.sample
