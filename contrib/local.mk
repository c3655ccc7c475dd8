# SPDX-License-Identifier: ISC
# Benchmarks and helper scripts; nothing here is part of make check. The
# benchmark is built with everything (so it cannot rot) and run by 'make bench'.
noinst_PROGRAMS += contrib/bench-crypto
contrib_bench_crypto_SOURCES = contrib/bench-crypto.c
contrib_bench_crypto_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
contrib_bench_crypto_LDADD = src/lib/libskm.la src/common/libcommon.la $(OPENSSL_LIBS)
PHONY_TARGETS += bench
bench: contrib/bench-crypto$(EXEEXT)
	./contrib/bench-crypto
# A test-only token minter standing in for the identity management server
# in the quick start and the functional tests; never installed.
noinst_PROGRAMS += contrib/skms-mint-token
contrib_skms_mint_token_SOURCES = contrib/skms-mint-token.c
contrib_skms_mint_token_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(JWT_CFLAGS)
contrib_skms_mint_token_LDADD = src/lib/libskm.la src/common/libcommon.la \
	$(JWT_LIBS) $(OPENSSL_LIBS)
# Prometheus alert rules (with their promtool unit tests) and a Grafana
# dashboard for skmsd's /metrics, checked by tests/monitoring.sh.
EXTRA_DIST += contrib/prometheus/skms-alerts.yml contrib/prometheus/skms-alerts.test.yml \
	contrib/grafana/skms-dashboard.json
# The load benchmark of skmsd against nginx and the rollover storm, run by
# 'make bench-server' (needs wrk and nginx; loopback only, bounded in time).
EXTRA_DIST += contrib/bench-server contrib/bench-post.lua contrib/bench-storm.lua
PHONY_TARGETS += bench-server
bench-server: src/skmsd/skmsd$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT) \
	contrib/skms-mint-token$(EXEEXT) contrib/bench-flusher$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-server .
# The audit journal's disk writes without skmsd, run beside nginx by
# bench-server with BENCH_NGINX_FLUSH=1.
noinst_PROGRAMS += contrib/bench-flusher
contrib_bench_flusher_SOURCES = contrib/bench-flusher.c
# Precomputation of the next period with and without a rollover at its
# start, run by 'make bench-rollover' (loopback only, about 20 s a run).
EXTRA_DIST += contrib/bench-rollover
PHONY_TARGETS += bench-rollover
bench-rollover: src/skmsd/skmsd$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-rollover .
# How the cost of a rollover grows with the identities (10,000, 100,000,
# 1,000,000), run by 'make bench-scale' (wrk and curl; loopback, bounded in
# time, a temporary directory removed at the end; about 20 minutes).
EXTRA_DIST += contrib/bench-scale
PHONY_TARGETS += bench-scale
bench-scale: src/skmsd/skmsd$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT) \
	contrib/skms-mint-token$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-scale .
# Cluster mode under load, run by 'make bench-cluster' (wrk, haproxy and
# PostgreSQL's server programs; loopback and Unix socket only, bounded).
EXTRA_DIST += contrib/bench-cluster
PHONY_TARGETS += bench-cluster
bench-cluster: src/skmsd/skmsd$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT) \
	contrib/skms-mint-token$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-cluster .
# skmsd's CPU per KeyProv with the TS 33.180 D.1 security extension against
# a plain one, run by 'make bench-tk' (curl only; loopback, bounded).
EXTRA_DIST += contrib/bench-tk
PHONY_TARGETS += bench-tk
bench-tk: src/skmsd/skmsd$(EXEEXT) src/skmsctl/skmsctl$(EXEEXT) \
	contrib/skms-mint-token$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-tk .
# The GMK I_MESSAGE benchmark (make and accept per group member), also run
# by 'make bench'.
noinst_PROGRAMS += contrib/bench-gmk
contrib_bench_gmk_SOURCES = contrib/bench-gmk.c
contrib_bench_gmk_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
contrib_bench_gmk_LDADD = src/lib/libskm.la src/common/libcommon.la $(OPENSSL_LIBS)
PHONY_TARGETS += bench-gmk
bench: bench-gmk
bench-gmk: contrib/bench-gmk$(EXEEXT)
	./contrib/bench-gmk
# The audit journal benchmark (one synchronous group write, direct and
# through the page cache), also run by 'make bench'.
noinst_PROGRAMS += contrib/bench-journal
contrib_bench_journal_SOURCES = contrib/bench-journal.c
contrib_bench_journal_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS) $(LMDB_CFLAGS)
contrib_bench_journal_LDADD = src/server/libserver.la $(LIBEVENT_LIBS)
PHONY_TARGETS += bench-journal
bench: bench-journal
bench-journal: contrib/bench-journal$(EXEEXT)
	./contrib/bench-journal
# The GMS service benchmark: one process holding a long-poll channel per
# member of a 1,000-member group, timing a rekey until every member has
# answered, with skgmsd's CPU and peak memory; run by 'make bench-gms'.
noinst_PROGRAMS += contrib/bench-gms
contrib_bench_gms_SOURCES = contrib/bench-gms.c
contrib_bench_gms_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS) $(CURL_CFLAGS)
contrib_bench_gms_LDADD = src/client/libgmsc.la src/client/libgmk.la src/lib/libskm.la \
	src/common/libcommon.la $(LIBXML_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS)
EXTRA_DIST += contrib/bench-gms
PHONY_TARGETS += bench-gms
bench-gms: contrib/bench-gms$(EXEEXT) src/skmc/skmc$(EXEEXT) \
	src/skmsctl/skmsctl$(EXEEXT) src/skmsd/skmsd$(EXEEXT) src/skgmsd/skgmsd$(EXEEXT) \
	src/skgmsctl/skgmsctl$(EXEEXT) contrib/skms-mint-token$(EXEEXT)
	$(SHELL) $(top_srcdir)/contrib/bench-gms .
