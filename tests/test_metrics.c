/* SPDX-License-Identifier: ISC */
/* src/server/metrics: counters and their Prometheus text exposition. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/errmap.h"
#include "server/metrics.h"

static char *
render(void)
{
	char *text = NULL;
	size_t len = 0;

	ck_assert_int_eq(metrics_render(&text, &len), 0);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

/* The value on the line that starts with name (exact series), or -1. */
static double
value(const char *text, const char *series)
{
	const char *p = text;
	size_t n = strlen(series);

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

START_TEST(metrics_requests_by_endpoint_and_status)
{
	char *t;

	metrics_request(METRICS_KEYPROV, 200, 0.002);
	metrics_request(METRICS_KEYPROV, 200, 0.02);
	metrics_request(METRICS_INIT, 401, 0.0005);
	metrics_request(METRICS_OTHER, 299, 0.5);
	t = render();
	ck_assert(value(t, "skms_requests_total{endpoint=\"keyprov\",status=\"200\"}") == 2);
	ck_assert(value(t, "skms_requests_total{endpoint=\"init\",status=\"401\"}") == 1);
	ck_assert(value(t, "skms_requests_total{endpoint=\"other\",status=\"other\"}") == 1);
	ck_assert(value(t, "skms_requests_total{endpoint=\"certcache\",status=\"200\"}") == -1);
	/* Buckets are cumulative: 0.0005 <= 0.001; 0.002 <= 0.0025; 0.02 <= 0.025; 0.5 <= 0.5. */
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"0.001\"}") == 1);
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"0.0025\"}") == 2);
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"0.025\"}") == 3);
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"0.25\"}") == 3);
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"0.5\"}") == 4);
	ck_assert(value(t, "skms_request_duration_seconds_bucket{le=\"+Inf\"}") == 4);
	ck_assert(value(t, "skms_request_duration_seconds_count") == 4);
	ck_assert(value(t, "skms_request_duration_seconds_sum") > 0.5225 - 1e-5);
	ck_assert(value(t, "skms_request_duration_seconds_sum") < 0.5225 + 1e-5);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_request_duration_seconds histogram\n"));
	free(t);
}
END_TEST

START_TEST(metrics_gauges_and_counters)
{
	char *t;

	metrics_keysets_derived(256);
	metrics_keysets_derived(1);
	metrics_cache_lookup(1);
	metrics_cache_lookup(0);
	metrics_cache_lookup(1);
	metrics_current_period(625);
	metrics_connections(3);
	metrics_connections(-1);
	metrics_ratelimit_refused();
	metrics_ratelimit_refused();
	metrics_ratelimit_evicted();
	t = render();
	ck_assert(value(t, "skms_ratelimit_refused_total") == 2);
	ck_assert(value(t, "skms_ratelimit_evictions_total") == 1);
	ck_assert(value(t, "skms_keysets_derived_total") == 257);
	ck_assert(value(t, "skms_cache_lookups_total{result=\"hit\"}") == 2);
	ck_assert(value(t, "skms_cache_lookups_total{result=\"miss\"}") == 1);
	ck_assert(value(t, "skms_current_period") == 625);
	ck_assert(value(t, "skms_open_connections") == 2);
	metrics_current_period(626);
	metrics_connections(-2);
	free(t);
	t = render();
	ck_assert(value(t, "skms_current_period") == 626);
	ck_assert(value(t, "skms_open_connections") == 0);
	ck_assert(value(t, "skms_connections_over_address_limit_total") == 0);
	free(t);
	metrics_address_limit();
	metrics_address_limit();
	t = render();
	ck_assert(value(t, "skms_connections_over_address_limit_total") == 2);
	free(t);
}
END_TEST

/* The usage gauges, and one warning per passing of the mark. */
START_TEST(metrics_store_gauges)
{
	const uint64_t mib = 1 << 20;
	char *t;

	ck_assert_int_eq(metrics_store_usage(0, 0), 0);
	ck_assert_int_eq(metrics_store_usage(mib / 2, mib), 0);
	t = render();
	ck_assert(value(t, "skms_store_used_bytes") == mib / 2);
	ck_assert(value(t, "skms_store_map_size_bytes") == mib);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_store_used_bytes gauge\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_store_map_size_bytes gauge\n"));
	free(t);
	ck_assert_int_eq(metrics_store_usage(mib * 80 / 100 - 1, mib), 0);
	ck_assert_int_eq(metrics_store_usage(mib * 80 / 100 + 1, mib), 1);
	/* Once per passing: not on every refresh, nor when it falls back a little. */
	ck_assert_int_eq(metrics_store_usage(mib * 90 / 100, mib), 0);
	ck_assert_int_eq(metrics_store_usage(mib * 79 / 100, mib), 0);
	ck_assert_int_eq(metrics_store_usage(mib * 85 / 100, mib), 0);
	/* After an archive brings it down, the next passing warns again. */
	ck_assert_int_eq(metrics_store_usage(mib / 4, mib), 0);
	ck_assert_int_eq(metrics_store_usage(mib, mib), 1);
	ck_assert_int_eq(metrics_store_usage(mib, mib), 0);
	t = render();
	ck_assert(value(t, "skms_store_used_bytes") == mib);
	free(t);
	/* A map grown by another process counts: 80% of the old size is not 80% of the new. */
	ck_assert_int_eq(metrics_store_usage(mib / 10, mib), 0);
	ck_assert_int_eq(metrics_store_usage(mib, 2 * mib), 0);
}
END_TEST

/* Seconds to ValidTo against the clock at rendering, negative once past. */
START_TEST(metrics_cert_expiry)
{
	const char *g = "skms_root_certificate_expiry_seconds";
	time_t before, after;
	char *t;
	double v;

	t = render();
	ck_assert_ptr_null(strstr(t, g));
	free(t);
	before = time(NULL);
	metrics_cert_valid_to((int64_t)before + 1000);
	t = render();
	after = time(NULL);
	v = value(t, g);
	ck_assert(v <= 1000 && v >= 1000 - (double)(after - before));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_root_certificate_expiry_seconds gauge\n"));
	free(t);
	before = time(NULL);
	metrics_cert_valid_to((int64_t)before - 50);
	t = render();
	after = time(NULL);
	v = value(t, g);
	ck_assert(v <= -50 && v >= -50 - (double)(after - before));
	free(t);
}
END_TEST

/* Precomputation: absent until a run ends, then the period; the pending count. */
START_TEST(metrics_precompute)
{
	char *t;

	t = render();
	ck_assert_ptr_null(strstr(t, "\nskms_precomputed_period "));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_precomputed_period gauge\n"));
	ck_assert(value(t, "skms_precompute_pending") == 0);
	free(t);
	metrics_precompute_pending(1234);
	t = render();
	ck_assert(value(t, "skms_precompute_pending") == 1234);
	ck_assert_ptr_null(strstr(t, "\nskms_precomputed_period "));
	free(t);
	metrics_precompute_pending(0);
	metrics_precomputed_period(4321);
	t = render();
	ck_assert(value(t, "skms_precomputed_period") == 4321);
	ck_assert(value(t, "skms_precompute_pending") == 0);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_precomputed_period gauge\n"));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_precompute_pending gauge\n"));
	free(t);
}
END_TEST

/* The audit journal's lag in seconds, to the millisecond; never negative. */
START_TEST(metrics_audit_journal_lag)
{
	const char *g = "skms_audit_journal_lag_seconds";
	char *t;

	t = render();
	ck_assert(value(t, g) == 0);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_audit_journal_lag_seconds gauge\n"));
	free(t);
	metrics_audit_lag(12.5);
	t = render();
	ck_assert(value(t, g) == 12.5);
	free(t);
	metrics_audit_lag(-3);
	t = render();
	ck_assert(value(t, g) == 0);
	free(t);
}
END_TEST

/* The journal's disk writes: a counter, the total last sampled. */
START_TEST(metrics_audit_disk_writes_total)
{
	const char *c = "skms_audit_disk_writes_total";
	char *t;

	metrics_audit_disk_writes(0);
	t = render();
	ck_assert(value(t, c) == 0);
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_audit_disk_writes_total counter\n"));
	free(t);
	metrics_audit_disk_writes(4096);
	t = render();
	ck_assert(value(t, c) == 4096);
	free(t);
}
END_TEST

/* KmsError replies by ErrorCode: only codes seen, none for out-of-range ids or OK. */
START_TEST(metrics_refusals_by_code)
{
	char *t;

	t = render();
	ck_assert_ptr_nonnull(strstr(t, "# TYPE skms_kms_errors_total counter\n"));
	ck_assert_ptr_null(strstr(t, "\nskms_kms_errors_total{"));
	free(t);
	metrics_refusal(ERRMAP_AUDIT);
	metrics_refusal(ERRMAP_AUDIT);
	metrics_refusal(ERRMAP_RATE_LIMITED);
	metrics_refusal(ERRMAP_OK);
	metrics_refusal(-1);
	metrics_refusal(ERRMAP_COUNT);
	t = render();
	ck_assert(value(t, "skms_kms_errors_total{code=\"50302\"}") == 2);
	ck_assert(value(t, "skms_kms_errors_total{code=\"42901\"}") == 1);
	ck_assert(value(t, "skms_kms_errors_total{code=\"0\"}") == -1);
	ck_assert(value(t, "skms_kms_errors_total{code=\"50001\"}") == -1);
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, metrics_requests_by_endpoint_and_status);
	tcase_add_test(tc, metrics_gauges_and_counters);
	tcase_add_test(tc, metrics_store_gauges);
	tcase_add_test(tc, metrics_cert_expiry);
	tcase_add_test(tc, metrics_precompute);
	tcase_add_test(tc, metrics_audit_journal_lag);
	tcase_add_test(tc, metrics_audit_disk_writes_total);
	tcase_add_test(tc, metrics_refusals_by_code);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
