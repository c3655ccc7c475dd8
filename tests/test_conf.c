/* SPDX-License-Identifier: ISC */
/*
 * src/conf: skms.yaml loading. Valid and invalid forms of every type, the
 * exact position of each error, defaults against the shipped sample, the
 * dump round trip, and hostile input (junk, deep nesting, huge lists).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/valgrind.h>
#endif

#include "common/err.h"
#include "conf/conf.h"
#include "testlib.h"

/* Time limits hold for a native run; valgrind runs code ~50 times slower. */
#ifdef RUNNING_ON_VALGRIND
#define TIME_LIMIT(s) ((s) * (RUNNING_ON_VALGRIND ? 50.0 : 1.0))
#else
#define TIME_LIMIT(s) (s)
#endif

static struct conf *
load_ok(const char *text)
{
	struct conf_error err;
	struct conf *cf = NULL;
	int rc;

	rc = conf_load_buffer("t.yaml", text, strlen(text), &cf, &err);
	ck_assert_msg(rc == 0, "'%.80s' refused: %u:%u: %s", text, err.line,
	    err.column, err.msg);
	ck_assert_ptr_nonnull(cf);
	return cf;
}

static void
load_fails(const char *text, size_t len, int want_rc, unsigned line,
    unsigned column, const char *msg)
{
	struct conf_error err;
	struct conf *cf = (struct conf *)&err;
	int rc;

	rc = conf_load_buffer("t.yaml", text, len, &cf, &err);
	ck_assert_msg(rc == want_rc, "'%.80s': rc %d, want %d (%s)", text, rc,
	    want_rc, err.msg);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(err.file, "t.yaml");
	ck_assert_msg(err.line == line && err.column == column,
	    "'%.80s': at %u:%u, want %u:%u (%s)", text, err.line, err.column,
	    line, column, err.msg);
	if (msg != NULL)
		ck_assert_str_eq(err.msg, msg);
}

static char *
dump_text(const struct conf *cf)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(conf_dump(cf, fp), 0);
	fclose(fp);
	return buf;
}

/* Dumps cf, loads the dump, and requires an equal config. */
static void
round_trip(const struct conf *cf)
{
	struct conf *back;
	char *text = dump_text(cf);

	back = load_ok(text);
	ck_assert_msg(conf_equal(cf, back), "dump did not load back:\n%.2000s",
	    text);
	conf_free(back);
	free(text);
}

START_TEST(defaults)
{
	struct conf *cf;

	ck_assert_int_eq(conf_defaults(&cf), 0);
	ck_assert_str_eq(cf->store.path, "/var/lib/skms");
	ck_assert_uint_eq(cf->store.map_size, 1ULL << 30);
	ck_assert_str_eq(cf->kek.file, "");
	ck_assert_str_eq(cf->kek.passphrase_file, "");
	ck_assert_str_eq(cf->kek.pkcs11_uri, "");
	ck_assert_str_eq(cf->kek.pkcs11_module, "");
	ck_assert_str_eq(cf->kek.pin_file, "");
	ck_assert_int_eq(cf->kek.pkcs11_mechanism, CONF_KEK_MECH_AUTO);
	ck_assert_uint_eq(cf->kek.scrypt_n, 32768);
	ck_assert_uint_eq(cf->kek.scrypt_r, 8);
	ck_assert_uint_eq(cf->kek.scrypt_p, 1);
	ck_assert_uint_eq(cf->server.listen_count, 1);
	ck_assert_int_eq(cf->server.listen[0].family, CONF_ADDR_IPV4);
	ck_assert_str_eq(cf->server.listen[0].host, "127.0.0.1");
	ck_assert_uint_eq(cf->server.listen[0].port, 8443);
	ck_assert_str_eq(cf->server.tls_certificate,
	    "/etc/skms/tls/server.pem");
	ck_assert_str_eq(cf->server.tls_key, "/etc/skms/tls/server.key");
	ck_assert_str_eq(cf->server.tls_client_ca, "");
	ck_assert_uint_eq(cf->server.tls_ticket_rotation, 3600);
	ck_assert_uint_eq(cf->server.workers, 2);
	ck_assert_uint_eq(cf->server.threads, 0);
	ck_assert_uint_eq(cf->server.max_connections, 1024);
	ck_assert_uint_eq(cf->server.max_connections_per_address, 64);
	ck_assert_uint_eq(cf->server.max_header_size, 8192);
	ck_assert_uint_eq(cf->server.max_body_size, 65536);
	ck_assert_uint_eq(cf->server.request_timeout, 10);
	ck_assert_uint_eq(cf->server.idle_timeout, 60);
	ck_assert_str_eq(cf->server.user, "");
	ck_assert_int_eq(cf->server.metrics_listen.family, CONF_ADDR_IPV4);
	ck_assert_str_eq(cf->server.metrics_listen.host, "127.0.0.1");
	ck_assert_uint_eq(cf->server.metrics_listen.port, 9443);
	ck_assert(!cf->server.enroll_on_first_token);
	ck_assert(!cf->server.client_cert_identity);
	ck_assert(!cf->server.require_transport_key);
	ck_assert_uint_eq(cf->tokens.leeway, 30);
	ck_assert_str_eq(cf->tokens.required_scope, "3gpp:seal:km");
	ck_assert_uint_eq(cf->tokens.issuers_count, 0);
	ck_assert_ptr_null(cf->tokens.issuers);
	ck_assert_uint_eq(cf->period.window_past, 1);
	ck_assert_uint_eq(cf->period.window_future, 1);
	ck_assert_uint_eq(cf->precompute.lead_time, 600);
	ck_assert_uint_eq(cf->precompute.batch_size, 256);
	ck_assert_uint_eq(cf->cache.max_entries, 100000);
	ck_assert_uint_eq(cf->ratelimit.burst, 20);
	ck_assert_uint_eq(cf->ratelimit.refill_interval, 10);
	ck_assert_uint_eq(cf->ratelimit.max_identities, 65536);
	ck_assert_int_eq(cf->log.level, CONF_LOG_INFO);
	ck_assert_int_eq(cf->log.target, CONF_LOG_STDERR);
	ck_assert_int_eq(cf->log.facility, CONF_FAC_DAEMON);
	ck_assert_int_eq(cf->log.format, CONF_LOG_TEXT);
	ck_assert(cf->audit.group_commit);
	ck_assert_uint_eq(cf->audit.commit_window_ms, 0);
	ck_assert_uint_eq(cf->audit.group_delay_us, 2000);
	ck_assert_uint_eq(cf->audit.group_size, 8);
	ck_assert_int_eq(cf->audit.durability, CONF_AUDIT_FLUSH);
	ck_assert_uint_eq(cf->audit.flush_ms, 10);
	ck_assert_str_eq(cf->gms.store, "/var/lib/skgms");
	ck_assert_str_eq(cf->gms.keystore, "");
	ck_assert_uint_eq(cf->gms.retry_min, 1);
	ck_assert_uint_eq(cf->gms.retry_max, 60);
	ck_assert_str_eq(conf_log_level_name(cf->log.level), "info");
	ck_assert_str_eq(conf_log_target_name(CONF_LOG_SYSLOG), "syslog");
	ck_assert_str_eq(conf_log_facility_name(CONF_FAC_LOCAL7), "local7");
	ck_assert_str_eq(conf_log_format_name(CONF_LOG_JSON), "json");
	round_trip(cf);
	conf_free(cf);
	conf_free(NULL);
}
END_TEST

START_TEST(sample_is_defaults)
{
	struct conf *def, *sample;
	struct conf_error err;
	char path[4096], *a, *b;
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/etc/skms.yaml.sample",
	    top != NULL ? top : ".");
	ck_assert_int_eq(conf_defaults(&def), 0);
	ck_assert_msg(conf_load(path, &sample, &err) == 0, "%s:%u:%u: %s",
	    err.file, err.line, err.column, err.msg);
	ck_assert(conf_equal(def, sample));
	a = dump_text(def);
	b = dump_text(sample);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	conf_free(def);
	conf_free(sample);
}
END_TEST

START_TEST(empty_means_defaults)
{
	static const char *const files[] = {
		"conf/valid-empty.yaml", "conf/valid-empty-document.yaml",
		"conf/valid-comments.yaml",
	};
	static const char *const texts[] = {
		"", "\n", "~\n", "---\n", "--- ~\n", "# only a comment\n",
		"server:\nlog: {}\ntokens:\n  issuers:\n",
	};
	struct conf *def, *cf;
	struct conf_error err;
	size_t i;

	ck_assert_int_eq(conf_defaults(&def), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ck_assert_msg(conf_load(test_data_path(files[i]), &cf, &err) ==
		    0, "%s: %s", files[i], err.msg);
		ck_assert_msg(conf_equal(def, cf), "%s", files[i]);
		conf_free(cf);
	}
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cf = load_ok(texts[i]);
		ck_assert_msg(conf_equal(def, cf), "'%s'", texts[i]);
		conf_free(cf);
	}
	conf_free(def);
}
END_TEST

START_TEST(full_file)
{
	struct conf *def, *cf;
	struct conf_error err;
	const struct conf_issuer *is;

	ck_assert_int_eq(conf_load(test_data_path("conf/valid-full.yaml"), &cf,
	    &err), 0);
	ck_assert_str_eq(cf->store.path, "/srv/skms/db");
	ck_assert_uint_eq(cf->store.map_size, 4ULL << 30);
	ck_assert_str_eq(cf->kek.passphrase_file, "/etc/skms/kek.pass");
	ck_assert_uint_eq(cf->kek.scrypt_n, 65536);
	ck_assert_uint_eq(cf->server.listen_count, 3);
	ck_assert_int_eq(cf->server.listen[1].family, CONF_ADDR_IPV6);
	ck_assert_str_eq(cf->server.listen[1].host, "::");
	ck_assert_uint_eq(cf->server.listen[1].port, 443);
	ck_assert_int_eq(cf->server.listen[2].family, CONF_ADDR_NAME);
	ck_assert_str_eq(cf->server.listen[2].host, "kms.example.org");
	ck_assert_uint_eq(cf->server.tls_ticket_rotation, 7200);
	ck_assert_uint_eq(cf->server.max_body_size, 1 << 20);
	ck_assert_uint_eq(cf->server.idle_timeout, 300);
	ck_assert_str_eq(cf->server.user, "skms");
	ck_assert_int_eq(cf->server.metrics_listen.family, CONF_ADDR_IPV6);
	ck_assert_str_eq(cf->server.metrics_listen.host, "::1");
	ck_assert(cf->server.client_cert_identity);
	ck_assert_str_eq(cf->tokens.required_scope, "3gpp:seal:km openid");
	ck_assert_uint_eq(cf->tokens.issuers_count, 2);
	is = &cf->tokens.issuers[0];
	ck_assert_str_eq(is->issuer, "https://idms.example.org");
	ck_assert_str_eq(is->audience, "https://kms.example.org");
	ck_assert_str_eq(is->key_file, "/etc/skms/issuers/idms.pem");
	ck_assert_uint_eq(is->algorithms, CONF_ALG_ES256 | CONF_ALG_RS256);
	ck_assert_str_eq(is->identity_claim, "sub");
	is = &cf->tokens.issuers[1];
	ck_assert_uint_eq(is->algorithms, CONF_ALG_ES384 | CONF_ALG_PS256);
	ck_assert_str_eq(is->identity_claim, "mcptt_id");
	ck_assert_uint_eq(cf->precompute.lead_time, 3600);
	ck_assert_uint_eq(cf->cache.max_entries, 0);
	ck_assert_int_eq(cf->log.level, CONF_LOG_DEBUG);
	ck_assert_int_eq(cf->log.target, CONF_LOG_SYSLOG);
	ck_assert_int_eq(cf->log.facility, CONF_FAC_LOCAL3);
	ck_assert_int_eq(cf->log.format, CONF_LOG_JSON);
	ck_assert(!cf->audit.group_commit);
	ck_assert_int_eq(conf_defaults(&def), 0);
	ck_assert(!conf_equal(def, cf));
	round_trip(cf);
	conf_free(def);
	conf_free(cf);
}
END_TEST

/* Each key differs from the defaults after one change, and only then. */
START_TEST(equal_sees_each_key)
{
	static const char *const one[] = {
		"store: {path: /x}", "store: {map-size: 2G}", "kek: {file: /k}",
		"store: {backend: postgresql, postgresql: {conninfo: 'dbname=skms'}}",
		"store: {max-staleness: 61s}", "store: {postgresql: {conninfo: 'host=x'}}",
		"store: {postgresql: {password-file: /pw}}", "node: {name: n1}",
		"kek: {passphrase-file: /p}", "kek: {scrypt-n: 16384}",
		"kek: {pkcs11-uri: 'pkcs11:object=k'}", "kek: {pkcs11-module: /m.so}",
		"kek: {pin-file: /pin}", "kek: {pkcs11-mechanism: kwp}",
		"kek: {scrypt-r: 9}", "kek: {scrypt-p: 2}",
		"server: {listen: [127.0.0.1:8444]}",
		"server: {listen: [127.0.0.1:8443, 127.0.0.2:8443]}",
		"server: {tls-certificate: /c}", "server: {tls-key: /k}",
		"server: {tls-client-ca: /ca}",
		"server: {tls-ticket-rotation: 2h}", "server: {workers: 3}",
		"server: {threads: 1}",
		"server: {max-connections: 1}", "server: {max-header-size: 4K}",
		"server: {max-body-size: 4K}", "server: {request-timeout: 9}",
		"server: {idle-timeout: 61}", "server: {user: nobody}",
		"server: {metrics-listen: ''}",
		"server: {metrics-listen: 'localhost:9443'}",
		"server: {enroll-on-first-token: yes}",
		"server: {tls-client-ca: /ca, client-cert-identity: on}",
		"tokens: {leeway: 0}", "tokens: {required-scope: ''}",
		"tokens: {issuers: [{issuer: i, audience: a, key-file: /f}]}",
		"period: {window-past: 0}", "period: {window-future: 100}",
		"precompute: {lead-time: 0}", "precompute: {batch-size: 1}",
		"cache: {max-entries: 1}", "log: {level: error}",
		"ratelimit: {burst: 0}", "ratelimit: {refill-interval: 7d}",
		"ratelimit: {max-identities: 1024}",
		"log: {target: syslog}", "log: {facility: local0}",
		"log: {format: json}",
		"audit: {group-commit: no}", "audit: {commit-window-ms: 20}",
		"audit: {group-delay-us: 0}", "audit: {group-size: 1}",
		"audit: {durability: write}", "audit: {flush-ms: 1}",
		"gms: {store: /srv/gms}", "gms: {keystore: /srv/gks}",
		"gms: {identity: 'sip:gms@example.org'}", "gms: {retry-min: 5s}",
		"gms: {retry-max: 1h}", "gms: {map-size: 64M}", "gms: {kek-file: /k}",
	};
	struct conf *def, *cf;
	size_t i;

	ck_assert_int_eq(conf_defaults(&def), 0);
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		cf = load_ok(one[i]);
		ck_assert_msg(!conf_equal(def, cf), "'%s' equals defaults",
		    one[i]);
		round_trip(cf);
		conf_free(cf);
	}
	conf_free(def);
}
END_TEST

struct num_case {
	const char *text;
	size_t offset;
	int wide;		/* the field is uint64_t, not unsigned */
	uint64_t want;
};

#define U(m) offsetof(struct conf, m), 0
#define W(m) offsetof(struct conf, m), 1

START_TEST(numbers_valid)
{
	static const struct num_case cases[] = {
		{ "server: {workers: 1}", U(server.workers), 1 },
		{ "server: {workers: 256}", U(server.workers), 256 },
		{ "server: {workers: '7'}", U(server.workers), 7 },
		{ "server: {threads: 0}", U(server.threads), 0 },
		{ "server: {threads: 64}", U(server.threads), 64 },
		{ "server: {max-connections: 1000000}",
		    U(server.max_connections), 1000000 },
		{ "server: {max-connections-per-address: 0}",
		    U(server.max_connections_per_address), 0 },
		{ "server: {max-connections-per-address: 1000000}",
		    U(server.max_connections_per_address), 1000000 },
		{ "cache: {max-entries: 0}", U(cache.max_entries), 0 },
		{ "ratelimit: {burst: 100000}", U(ratelimit.burst), 100000 },
		{ "ratelimit: {refill-interval: 1}", U(ratelimit.refill_interval), 1 },
		{ "ratelimit: {max-identities: 16777216}",
		    U(ratelimit.max_identities), 16777216 },
		{ "kek: {scrypt-n: 1048576}", U(kek.scrypt_n), 1048576 },
		{ "kek: {scrypt-n: 16384}", U(kek.scrypt_n), 16384 },
		{ "server: {request-timeout: 90}", U(server.request_timeout),
		    90 },
		{ "server: {request-timeout: 90s}", U(server.request_timeout),
		    90 },
		{ "server: {request-timeout: 2m}", U(server.request_timeout),
		    120 },
		{ "server: {request-timeout: 1h}", U(server.request_timeout),
		    3600 },
		{ "server: {tls-ticket-rotation: 1d}",
		    U(server.tls_ticket_rotation), 86400 },
		{ "tokens: {leeway: 0s}", U(tokens.leeway), 0 },
		{ "server: {max-body-size: 65536}", W(server.max_body_size),
		    65536 },
		{ "server: {max-body-size: 2K}", W(server.max_body_size), 2048 },
		{ "server: {max-body-size: 2k}", W(server.max_body_size), 2048 },
		{ "server: {max-body-size: 16M}", W(server.max_body_size),
		    16 << 20 },
		{ "store: {map-size: 1024G}", W(store.map_size), 1ULL << 40 },
		{ "store: {map-size: 1m}", W(store.map_size), 1 << 20 },
		{ "store: {map-size: 1048577}", W(store.map_size), 1048577 },
	};
	struct conf *cf;
	unsigned u;
	uint64_t w;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cf = load_ok(cases[i].text);
		if (cases[i].wide) {
			memcpy(&w, (char *)cf + cases[i].offset, sizeof(w));
			ck_assert_msg(w == cases[i].want, "'%s'",
			    cases[i].text);
		} else {
			memcpy(&u, (char *)cf + cases[i].offset, sizeof(u));
			ck_assert_msg(u == cases[i].want, "'%s': %u",
			    cases[i].text, u);
		}
		round_trip(cf);
		conf_free(cf);
	}
}
END_TEST

struct bad_case {
	const char *text;
	unsigned line, column;
	const char *msg;
};

static void
run_bad(const struct bad_case *c, size_t n, int rc)
{
	size_t i;

	for (i = 0; i < n; i++)
		load_fails(c[i].text, strlen(c[i].text), rc, c[i].line,
		    c[i].column, c[i].msg);
}

START_TEST(numbers_invalid)
{
	static const struct bad_case cases[] = {
		{ "server:\n  workers: 0\n", 2, 12,
		    "server.workers: 0 is out of range (1..256)" },
		{ "server:\n  workers: 257\n", 2, 12,
		    "server.workers: 257 is out of range (1..256)" },
		{ "server:\n  threads: 65\n", 2, 12,
		    "server.threads: 65 is out of range (0..64)" },
		{ "server:\n  workers: -1\n", 2, 12,
		    "server.workers: '-1' is not an integer" },
		{ "server:\n  workers: +1\n", 2, 12,
		    "server.workers: '+1' is not an integer" },
		{ "server:\n  workers: 1.5\n", 2, 12,
		    "server.workers: '1.5' is not an integer" },
		{ "server:\n  workers: 0x10\n", 2, 12,
		    "server.workers: '0x10' is not an integer" },
		{ "server:\n  workers: 4s\n", 2, 12,
		    "server.workers: '4s' is not an integer" },
		{ "server:\n  workers:\n", 2, 11,
		    "server.workers: expected an integer, found an empty value" },
		{ "server:\n  workers: ''\n", 2, 12,
		    "server.workers: '' is not an integer" },
		{ "server:\n  workers: 99999999999999999999999\n", 2, 12,
		    "server.workers: 99999999999999999999999 is out of range "
		    "(1..256)" },
		{ "server:\n  max-connections: 0\n", 2, 20,
		    "server.max-connections: 0 is out of range (1..1000000)" },
		{ "server:\n  max-connections-per-address: 1000001\n", 2, 32,
		    "server.max-connections-per-address: 1000001 is out of range "
		    "(0..1000000)" },
		{ "kek: {scrypt-n: 20000}", 1, 17,
		    "kek.scrypt-n: 20000 is not a power of two" },
		{ "kek: {scrypt-n: 8192}", 1, 17,
		    "kek.scrypt-n: 8192 is out of range (16384..1048576)" },
		{ "server: {tls-ticket-rotation: 25h}", 1, 31,
		    "server.tls-ticket-rotation: 25h is out of range (1m..1d)" },
		{ "server: {request-timeout: 1w}", 1, 27,
		    "server.request-timeout: '1w' is not a duration (number "
		    "with s, m, h or d)" },
		{ "server: {request-timeout: 10ms}", 1, 27, NULL },
		{ "server: {request-timeout: s}", 1, 27, NULL },
		{ "server: {request-timeout: 1.5h}", 1, 27, NULL },
		{ "server: {request-timeout: 1H}", 1, 27, NULL },
		{ "server: {request-timeout: 0}", 1, 27,
		    "server.request-timeout: 0 is out of range (1s..1h)" },
		{ "tokens: {leeway: 99999999999999999d}", 1, 18, NULL },
		{ "server: {max-body-size: 1T}", 1, 25,
		    "server.max-body-size: '1T' is not a size (number with K, "
		    "M or G)" },
		{ "server: {max-body-size: 1KB}", 1, 25, NULL },
		{ "server: {max-body-size: K}", 1, 25, NULL },
		{ "server: {max-body-size: 17M}", 1, 25,
		    "server.max-body-size: 17M is out of range (1K..16M)" },
		{ "server: {max-header-size: 1023}", 1, 27,
		    "server.max-header-size: 1023 is out of range (1K..1M)" },
		{ "store: {map-size: 18446744073709551615G}", 1, 19, NULL },
		{ "period: {window-past: 101}", 1, 23,
		    "period.window-past: 101 is out of range (0..100)" },
		{ "precompute: {batch-size: 10001}", 1, 26, NULL },
		{ "audit: {commit-window-ms: 10001}", 1, 27,
		    "audit.commit-window-ms: 10001 is out of range (0..10000)" },
		{ "audit: {commit-window-ms: 5ms}", 1, 27, NULL },
		{ "audit: {group-delay-us: 100001}", 1, 25,
		    "audit.group-delay-us: 100001 is out of range (0..100000)" },
		{ "audit: {group-size: 0}", 1, 21,
		    "audit.group-size: 0 is out of range (1..4096)" },
		{ "audit: {group-size: 4097}", 1, 21, NULL },
		{ "audit: {flush-ms: 0}", 1, 19,
		    "audit.flush-ms: 0 is out of range (1..1000)" },
		{ "audit: {flush-ms: 1001}", 1, 19, NULL },
		{ "audit: {flush-ms: 10ms}", 1, 19, NULL },
		{ "gms: {retry-min: 0s}", 1, 18,
		    "gms.retry-min: 0s is out of range (1s..1h)" },
		{ "gms: {retry-max: 2d}", 1, 18, NULL },
		{ "gms: {keystore: relative/dir}", 1, 17, NULL },
		{ "ratelimit: {burst: 100001}", 1, 20,
		    "ratelimit.burst: 100001 is out of range (0..100000)" },
		{ "ratelimit: {refill-interval: 0}", 1, 30, NULL },
		{ "ratelimit: {refill-interval: 8d}", 1, 30, NULL },
		{ "ratelimit: {max-identities: 1023}", 1, 29, NULL },
	};

	run_bad(cases, sizeof(cases) / sizeof(cases[0]), SKM_EINVAL);
}
END_TEST

START_TEST(bool_enum_string)
{
	static const char *const yes[] = { "true", "yes", "on", "True", "ON" };
	static const char *const no[] = { "false", "no", "off", "FALSE" };
	static const char *const levels[] = {
		"debug", "info", "notice", "warning", "error"
	};
	static const struct bad_case cases[] = {
		{ "audit:\n  group-commit: 1\n", 2, 17,
		    "audit.group-commit: '1' is not true or false" },
		{ "audit:\n  group-commit: maybe\n", 2, 17, NULL },
		{ "audit:\n  group-commit:\n", 2, 16,
		    "audit.group-commit: expected true or false, found an empty "
		    "value" },
		{ "log:\n  level: verbose\n", 2, 10,
		    "log.level: 'verbose' is not one of debug, info, notice, "
		    "warning, error" },
		{ "log:\n  level: INFO\n", 2, 10, NULL },
		{ "log:\n  facility: local8\n", 2, 13, NULL },
		{ "log:\n  target: file\n", 2, 11,
		    "log.target: 'file' is not one of stderr, syslog" },
		{ "log:\n  format: JSON\n", 2, 11,
		    "log.format: 'JSON' is not one of text, json" },
		{ "audit:\n  durability: fsync\n", 2, 15,
		    "audit.durability: 'fsync' is not one of flush, write" },
		{ "kek:\n  pkcs11-mechanism: wrap\n", 2, 21,
		    "kek.pkcs11-mechanism: 'wrap' is not one of auto, gcm, kwp" },
		{ "tokens:\n  required-scope: \"a\\tb\"\n", 2, 19,
		    "tokens.required-scope: control character at offset 1" },
		{ "tokens:\n  required-scope: \"a\\0b\"\n", 2, 19,
		    "tokens.required-scope: control character at offset 1" },
		{ "store:\n  path: var/lib/skms\n", 2, 9,
		    "store.path: must be an absolute path" },
		{ "store:\n  path: ''\n", 2, 9, "store.path: must not be empty" },
		{ "store:\n  path:\n", 2, 8, "store.path: must not be empty" },
		{ "server:\n  user: -root\n", 2, 9,
		    "server.user: not a valid user name" },
		{ "server:\n  user: a b\n", 2, 9, NULL },
		{ "server:\n  user: abcdefghijklmnopqrstuvwxyz0123456\n", 2, 9,
		    "server.user: longer than 32 octets" },
	};
	char text[128], big[400];
	struct conf *cf;
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "audit: {group-commit: %s}\n"
		    "server: {enroll-on-first-token: %s}\n", no[i % 4], yes[i]);
		cf = load_ok(text);
		ck_assert(!cf->audit.group_commit);
		ck_assert(cf->server.enroll_on_first_token);
		conf_free(cf);
	}
	cf = load_ok("audit: {commit-window-ms: 10000}\n");
	ck_assert_uint_eq(cf->audit.commit_window_ms, 10000);
	conf_free(cf);
	cf = load_ok("audit: {group-delay-us: 100000, group-size: 4096}\n");
	ck_assert_uint_eq(cf->audit.group_delay_us, 100000);
	ck_assert_uint_eq(cf->audit.group_size, 4096);
	conf_free(cf);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		snprintf(text, sizeof(text), "log: {level: %s}", levels[i]);
		cf = load_ok(text);
		ck_assert_int_eq(cf->log.level, (int)i);
		ck_assert_str_eq(conf_log_level_name(cf->log.level), levels[i]);
		conf_free(cf);
	}
	cf = load_ok("log: {facility: local5}\ntokens: {required-scope: ''}\n"
	    "server: {user: _skms-1.d}\n");
	ck_assert_int_eq(cf->log.facility, CONF_FAC_LOCAL5);
	ck_assert_str_eq(cf->tokens.required_scope, "");
	ck_assert_str_eq(cf->server.user, "_skms-1.d");
	conf_free(cf);
	/* Quotes, backslashes and non-ASCII text survive the dump. */
	cf = load_ok("tokens: {required-scope: \"q\\\"\\\\ caf\\u00e9 "
	    "\\u2028 \\U0001F511 true\"}\nstore: {path: \"/a b/#c: d\"}\n");
	ck_assert_str_eq(cf->tokens.required_scope,
	    "q\"\\ caf\xc3\xa9 \xe2\x80\xa8 \xf0\x9f\x94\x91 true");
	ck_assert_str_eq(cf->store.path, "/a b/#c: d");
	round_trip(cf);
	conf_free(cf);
	strcpy(big, "tokens: {required-scope: ");
	memset(big + 25, 'a', 257);
	strcpy(big + 25 + 257, "}");
	load_fails(big, strlen(big), SKM_EINVAL, 1, 26,
	    "tokens.required-scope: longer than 256 octets");
	run_bad(cases, sizeof(cases) / sizeof(cases[0]), SKM_EINVAL);
}
END_TEST

START_TEST(addresses)
{
	static const struct {
		const char *text;
		enum conf_addr_family family;
		const char *host;
		unsigned port;
	} good[] = {
		{ "127.0.0.1:1", CONF_ADDR_IPV4, "127.0.0.1", 1 },
		{ "0.0.0.0:65535", CONF_ADDR_IPV4, "0.0.0.0", 65535 },
		{ "'[::1]:8443'", CONF_ADDR_IPV6, "::1", 8443 },
		{ "\"[2001:db8::1]:443\"", CONF_ADDR_IPV6, "2001:db8::1", 443 },
		{ "kms.example.org:443", CONF_ADDR_NAME, "kms.example.org", 443 },
		{ "localhost:80", CONF_ADDR_NAME, "localhost", 80 },
		{ "a-1.b2:9", CONF_ADDR_NAME, "a-1.b2", 9 },
	};
	static const struct bad_case bad[] = {
		{ "server:\n  metrics-listen: 127.0.0.1\n", 2, 19,
		    "server.metrics-listen: missing :port" },
		{ "server: {metrics-listen: 127.0.0.1:0}", 1, 26,
		    "server.metrics-listen: port must be 1..65535" },
		{ "server: {metrics-listen: 127.0.0.1:65536}", 1, 26, NULL },
		{ "server: {metrics-listen: 127.0.0.1:80x}", 1, 26, NULL },
		{ "server: {metrics-listen: '::1:8443'}", 1, 26,
		    "server.metrics-listen: an IPv6 address needs brackets: "
		    "[address]:port" },
		{ "server: {metrics-listen: '[::1]'}", 1, 26,
		    "server.metrics-listen: missing :port after ']'" },
		{ "server: {metrics-listen: '[::1:8443'}", 1, 26,
		    "server.metrics-listen: missing ']' after IPv6 address" },
		{ "server: {metrics-listen: '[zz::1]:80'}", 1, 26,
		    "server.metrics-listen: not a valid IPv6 address" },
		{ "server: {metrics-listen: '[10.0.0.1]:80'}", 1, 26, NULL },
		{ "server: {metrics-listen: 256.1.1.1:80}", 1, 26,
		    "server.metrics-listen: not a valid IPv4 address" },
		{ "server: {metrics-listen: -bad.example:80}", 1, 26,
		    "server.metrics-listen: not a valid host name" },
		{ "server: {metrics-listen: a..b:80}", 1, 26, NULL },
		{ "server: {metrics-listen: a_b:80}", 1, 26, NULL },
		{ "server: {metrics-listen: \"a\\0:80\"}", 1, 26,
		    "server.metrics-listen: NUL in address" },
		{ "server: {metrics-listen: ':8443'}", 1, 26,
		    "server.metrics-listen: missing host before :port" },
		{ "server: {metrics-listen: [127.0.0.1:1]}", 1, 26,
		    "server.metrics-listen: expected an address, found a list" },
		{ "server:\n  listen: []\n", 2, 11,
		    "server.listen: needs 1 to 16 addresses, found 0" },
		{ "server:\n  listen:\n", 2, 10,
		    "server.listen: needs 1 to 16 addresses, found 0" },
		{ "server:\n  listen:\n    - 10.0.0.1:1\n    - 10.0.0.2:1\n"
		    "    - 10.0.0.1:1\n", 5, 7,
		    "server.listen: address listed twice" },
		{ "server:\n  listen:\n    - 10.0.0.1:1\n    - {a: 1}\n", 4, 7,
		    "server.listen: expected an address, found a mapping" },
		{ "server:\n  listen:\n    - 10.0.0.1:1\n    -\n", 4, 6,
		    "server.listen: expected an address, found an empty value" },
		{ "server:\n  listen: [10.0.0.1:1, 10.0.0.1]\n", 2, 24,
		    "server.listen: missing :port" },
		{ "server:\n  listen: {a: 1}\n", 2, 11,
		    "server.listen: expected a list of addresses, found a "
		    "mapping" },
		{ "server:\n  listen: [127.0.0.1:9443]\n", 2, 11,
		    "server.metrics-listen: also in server.listen" },
	};
	char text[256];
	struct conf *cf;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "server:\n  metrics-listen: %s\n"
		    "  listen: %s\n", good[i].text, "10.9.8.7:6");
		cf = load_ok(text);
		ck_assert_int_eq(cf->server.metrics_listen.family,
		    good[i].family);
		ck_assert_str_eq(cf->server.metrics_listen.host, good[i].host);
		ck_assert_uint_eq(cf->server.metrics_listen.port, good[i].port);
		ck_assert_uint_eq(cf->server.listen_count, 1);
		ck_assert_str_eq(cf->server.listen[0].host, "10.9.8.7");
		round_trip(cf);
		conf_free(cf);
		/* A single scalar is a list of one. */
		snprintf(text, sizeof(text), "server:\n  listen: %s\n",
		    good[i].text);
		cf = load_ok(text);
		ck_assert_uint_eq(cf->server.listen_count, 1);
		ck_assert_int_eq(cf->server.listen[0].family, good[i].family);
		ck_assert_str_eq(cf->server.listen[0].host, good[i].host);
		ck_assert_uint_eq(cf->server.listen[0].port, good[i].port);
		conf_free(cf);
	}
	cf = load_ok("server:\n  metrics-listen:\n");
	ck_assert_int_eq(cf->server.metrics_listen.family, CONF_ADDR_NONE);
	round_trip(cf);
	conf_free(cf);
	cf = load_ok("server:\n  metrics-listen: ''\n");
	ck_assert_int_eq(cf->server.metrics_listen.family, CONF_ADDR_NONE);
	conf_free(cf);
	snprintf(text, sizeof(text), "server:\n  listen: [");
	for (i = 1; i <= 16; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%s10.0.0.%zu:1", i > 1 ? ", " : "", i);
	strcat(text, "]\n");
	cf = load_ok(text);
	ck_assert_uint_eq(cf->server.listen_count, 16);
	ck_assert_str_eq(cf->server.listen[15].host, "10.0.0.16");
	round_trip(cf);
	conf_free(cf);
	text[strlen(text) - 2] = '\0';
	strcat(text, ", 10.0.0.17:1]\n");
	load_fails(text, strlen(text), SKM_EINVAL, 2, 11,
	    "server.listen: needs 1 to 16 addresses, found 17");
	run_bad(bad, sizeof(bad) / sizeof(bad[0]), SKM_EINVAL);
}
END_TEST

START_TEST(issuers)
{
	static const struct bad_case bad[] = {
		{ "tokens:\n  issuers:\n    - issuer: a\n      audience: b\n",
		    3, 7, "tokens.issuers[0]: missing key 'key-file'" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, algorithms: []}\n", 3, 58,
		    "tokens.issuers[0].algorithms: needs at least one "
		    "algorithm" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, algorithms: [ES256, HS256]}\n", 3, 66,
		    "tokens.issuers[0].algorithms: 'HS256' is not one of ES256, "
		    "ES384, RS256, PS256" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, algorithms: [ES256, ES256]}\n", 3, 66,
		    "tokens.issuers[0].algorithms: ES256 listed twice" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: k.pem}\n", 3, 42,
		    "tokens.issuers[0].key-file: must be an absolute path" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: '', "
		    "key-file: /k}\n", 3, 29,
		    "tokens.issuers[0].audience: must not be empty" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, identity-claim: ''}\n", 3, 62,
		    "tokens.issuers[0].identity-claim: must not be empty" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, kid: x}\n", 3, 46,
		    "tokens.issuers[0].kid: unknown key" },
		{ "tokens:\n  issuers:\n    - {issuer: a, audience: b, "
		    "key-file: /k, issuer: c}\n", 3, 46,
		    "tokens.issuers[0].issuer: duplicate key" },
		{ "tokens:\n  issuers:\n    - https://idms.example.org\n", 3, 7,
		    "tokens.issuers[0]: expected a mapping, found a scalar" },
		{ "tokens:\n  issuers:\n    -\n", 3, 6,
		    "tokens.issuers[0]: expected a mapping, found an empty "
		    "value" },
		{ "tokens:\n  issuers: {issuer: a}\n", 2, 12,
		    "tokens.issuers: expected a list of issuers, found a "
		    "mapping" },
		{ "tokens:\n  issuers: x\n", 2, 12,
		    "tokens.issuers: expected a list of issuers, found a "
		    "scalar" },
	};
	struct conf_error err;
	struct conf *cf;
	char *text;
	size_t i, len, cut = 0;
	FILE *fp;

	cf = load_ok("tokens:\n  issuers:\n    - issuer: a\n      audience: b\n"
	    "      key-file: /k\n      algorithms: PS256\n");
	ck_assert_uint_eq(cf->tokens.issuers_count, 1);
	ck_assert_uint_eq(cf->tokens.issuers[0].algorithms, CONF_ALG_PS256);
	round_trip(cf);
	conf_free(cf);

	ck_assert_int_eq(conf_load(test_data_path(
	    "conf/bad-issuer-missing.yaml"), &cf, &err), SKM_EINVAL);
	ck_assert_uint_eq(err.line, 6);
	ck_assert_uint_eq(err.column, 7);
	ck_assert_str_eq(err.msg, "tokens.issuers[1]: missing key 'audience'");
	ck_assert_int_eq(conf_load(test_data_path(
	    "conf/bad-issuer-duplicate.yaml"), &cf, &err), SKM_EINVAL);
	ck_assert_uint_eq(err.line, 7);
	ck_assert_uint_eq(err.column, 15);
	ck_assert_str_eq(err.msg,
	    "tokens.issuers[1].issuer: same issuer as tokens.issuers[0]");

	/* 64 issuers load; the 65th is refused. */
	fp = open_memstream(&text, &len);
	fputs("tokens:\n  issuers:\n", fp);
	for (i = 0; i < 65; i++) {
		if (i == 64)
			cut = (size_t)ftell(fp);
		fprintf(fp, "    - {issuer: 'https://i%zu', audience: kms, "
		    "key-file: /k/%zu.pem}\n", i, i);
	}
	fclose(fp);
	load_fails(text, len, SKM_EINVAL, 3, 5,
	    "tokens.issuers: more than 64 issuers");
	text[cut] = '\0';
	cf = load_ok(text);
	ck_assert_uint_eq(cf->tokens.issuers_count, 64);
	ck_assert_str_eq(cf->tokens.issuers[63].issuer, "https://i63");
	round_trip(cf);
	conf_free(cf);
	free(text);
	run_bad(bad, sizeof(bad) / sizeof(bad[0]), SKM_EINVAL);
}
END_TEST

struct file_case {
	const char *name;
	int rc;
	unsigned line, column;
	const char *msg;		/* exact */
};

START_TEST(bad_files)
{
	static const struct file_case cases[] = {
		{ "bad-unknown-top.yaml", SKM_EINVAL, 3, 1,
		    "servers: unknown key" },
		{ "bad-unknown-nested.yaml", SKM_EINVAL, 3, 3,
		    "server.worker: unknown key" },
		{ "bad-duplicate.yaml", SKM_EINVAL, 5, 1,
		    "server: duplicate key" },
		{ "bad-range.yaml", SKM_EINVAL, 4, 20,
		    "server.max-connections: 0 is out of range (1..1000000)" },
		{ "bad-kek-both.yaml", SKM_EINVAL, 4, 20,
		    "kek: set file or passphrase-file, not both" },
		{ "bad-type-mapping.yaml", SKM_EINVAL, 3, 5,
		    "server.workers: expected an integer, found a mapping" },
		{ "bad-type-list.yaml", SKM_EINVAL, 3, 5,
		    "store.path: expected a path, found a list" },
		{ "bad-alias.yaml", SKM_EINVAL, 2, 11,
		    "anchors are not supported (&l)" },
		{ "bad-tag.yaml", SKM_EINVAL, 2, 12,
		    "tags are not supported (tag:yaml.org,2002:int)" },
		/* Found at end of input; the message says where it began. */
		{ "bad-syntax-quote.yaml", SKM_EPARSE, 5, 1,
		    "syntax error: found unexpected end of stream while "
		    "scanning a quoted scalar started at 2:9" },
		{ "bad-syntax-bracket.yaml", SKM_EPARSE, 3, 10,
		    "syntax error: did not find expected ',' or ']' while "
		    "parsing a flow sequence started at 2:11" },
		{ "bad-syntax-indent.yaml", SKM_EPARSE, 3, 20,
		    "syntax error: mapping values are not allowed in this "
		    "context" },
	};
	struct conf_error err;
	struct conf *cf;
	const char *path;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];

		snprintf(name, sizeof(name), "conf/%s", cases[i].name);
		path = test_data_path(name);
		cf = (struct conf *)&err;
		ck_assert_int_eq(conf_load(path, &cf, &err), cases[i].rc);
		ck_assert_ptr_null(cf);
		ck_assert_str_eq(err.file, path);
		ck_assert_msg(err.line == cases[i].line &&
		    err.column == cases[i].column, "%s: at %u:%u (%s)",
		    cases[i].name, err.line, err.column, err.msg);
		ck_assert_str_eq(err.msg, cases[i].msg);
	}
}
END_TEST

START_TEST(structure)
{
	static const struct bad_case cases[] = {
		{ "- store\n- server\n", 1, 1,
		    "expected a mapping of sections, found a list" },
		{ "hello\n", 1, 1,
		    "expected a mapping of sections, found a scalar" },
		{ "server: 4\n", 1, 9,
		    "server: expected a mapping, found a scalar" },
		{ "log:\n  - level: info\n", 2, 3,
		    "log: expected a mapping, found a list" },
		{ "server:\n  workers: [4]\n", 2, 12,
		    "server.workers: expected an integer, found a list" },
		{ "server:\n  user: {name: skms}\n", 2, 9,
		    "server.user: expected a string, found a mapping" },
		{ "store: {}\nlog: {}\nstore: {}\n", 3, 1,
		    "store: duplicate key" },
		{ "log:\n  level: info\n  target: stderr\n  level: debug\n",
		    4, 3, "log.level: duplicate key" },
		{ "log:\n  lev\\u0000el: info\n", 2, 3, NULL },
		{ "\"ser\\0ver\": {}\n", 1, 1, "ser?ver: unknown key" },
		{ "'': {}\n", 1, 1, "\"\": unknown key" },
		{ "server:\n  \"work\\0ers\": 4\n", 2, 3,
		    "server.work?ers: unknown key" },
		{ "kek:\n  file: /k\nserver: {}\nkek:\n  scrypt-r: 1\n", 4, 1,
		    "kek: duplicate key" },
		{ "kek:\n  passphrase-file: /p\n  file: /k\n", 3, 9,
		    "kek: set file or passphrase-file, not both" },
		{ "kek:\n  file: /k\n  pkcs11-uri: 'pkcs11:object=k'\n", 3, 15,
		    "kek: set file, passphrase-file or pkcs11-uri, only one" },
		{ "server:\n  client-cert-identity: true\n", 2, 25,
		    "server.client-cert-identity: needs server.tls-client-ca" },
		{ "server: {listen: '[::1]:80', metrics-listen: '[::1]:80'}\n",
		    1, 46, "server.metrics-listen: also in server.listen" },
		{ "server:\n  metrics-listen: &m 127.0.0.1:1\n", 2, 19,
		    "anchors are not supported (&m)" },
		{ "server:\n  metrics-listen: *m\n", 2, 19,
		    "aliases are not supported (*m)" },
		{ "server: !srv\n  workers: 1\n", 1, 9,
		    "tags are not supported (!srv)" },
		{ "? [a, b]\n: c\n", 1, 3, "mapping keys must be scalars" },
		{ "? {a: b}\n: c\n", 1, 3, "mapping keys must be scalars" },
	};
	static const struct bad_case syntax[] = {
		{ "store: {}\n---\nlog: {}\n", 2, 1,
		    "more than one document in the file" },
		{ "server:\n  workers: 2\n listen: x\n", 3, 2, NULL },
		{ "server: {workers: 2\n", 2, 1, NULL },
		{ "store:\n  path: '/var\n", 3, 1, NULL },
		{ "\tserver: {}\n", 1, 1, NULL },
		{ "a: b: c\n", 1, 5, NULL },
		{ "x\xff\xfey: 1\n", 1, 2, NULL },
	};

	run_bad(cases, sizeof(cases) / sizeof(cases[0]), SKM_EINVAL);
	run_bad(syntax, sizeof(syntax) / sizeof(syntax[0]), SKM_EPARSE);
}
END_TEST

/* store.backend and the nested store.postgresql mapping, node.name. */
START_TEST(store_backend)
{
	static const struct bad_case cases[] = {
		{ "store:\n  backend: mysql\n", 2, 12,
		    "store.backend: 'mysql' is not one of lmdb, postgresql" },
		{ "store:\n  backend: postgresql\n", 2, 12,
		    "store.backend: postgresql needs store.postgresql.conninfo" },
		{ "store: {backend: postgresql, postgresql: {conninfo: x}}\n"
		    "server:\n  enroll-on-first-token: true\n", 3, 26,
		    "server.enroll-on-first-token: not with store.backend postgresql" },
		{ "store:\n  postgresql:\n    conn: x\n", 3, 5,
		    "store.postgresql.conn: unknown key" },
		{ "store:\n  postgresql: 4\n", 2, 15,
		    "store.postgresql: expected a mapping, found a scalar" },
		{ "store.postgresql:\n  conninfo: x\n", 1, 1,
		    "store.postgresql: unknown key" },
		{ "postgresql:\n  conninfo: x\n", 1, 1, "postgresql: unknown key" },
		{ "store:\n  postgresql:\n    password-file: pw\n", 3, 20,
		    "store.postgresql.password-file: must be an absolute path" },
		{ "store:\n  postgresql: {}\n  postgresql: {}\n", 3, 3,
		    "store.postgresql: duplicate key" },
		{ "node:\n  name: \"a\\tb\"\n", 2, 9,
		    "node.name: control character at offset 1" },
	};
	struct conf *cf;

	cf = load_ok("store:\n  backend: postgresql\n  path: /n\n  postgresql:\n"
	    "    conninfo: 'host=db dbname=skms sslmode=verify-full'\n"
	    "    password-file: /etc/skms/pg.password\nnode: {name: node-1}\n");
	ck_assert_int_eq(cf->store.backend, CONF_STORE_POSTGRESQL);
	ck_assert_str_eq(cf->store.postgresql.conninfo,
	    "host=db dbname=skms sslmode=verify-full");
	ck_assert_str_eq(cf->store.postgresql.password_file, "/etc/skms/pg.password");
	ck_assert_str_eq(cf->store.path, "/n");
	ck_assert_str_eq(cf->node.name, "node-1");
	round_trip(cf);
	conf_free(cf);
	cf = load_ok("store: {max-staleness: 15s}\n");
	ck_assert_uint_eq(cf->store.max_staleness, 15);
	round_trip(cf);
	conf_free(cf);
	cf = load_ok("store: {postgresql: {conninfo: 'dbname=x'}}\n");
	ck_assert_int_eq(cf->store.backend, CONF_STORE_LMDB);
	ck_assert_str_eq(cf->node.name, "");
	round_trip(cf);
	conf_free(cf);
	run_bad(cases, sizeof(cases) / sizeof(cases[0]), SKM_EINVAL);
}
END_TEST

/* Hostile sizes: each is refused, in well under a second of CPU time. */
START_TEST(junk)
{
	const size_t mib = 1024 * 1024;
	struct conf_error err;
	double t0;
	struct conf *cf;
	char *buf, path[] = "/tmp/test_conf.XXXXXX";
	uint32_t x = 2463534242u;
	size_t i, n;
	int fd, rc;

	buf = malloc(mib + 16);
	ck_assert_ptr_nonnull(buf);

	/* Random octets (xorshift32, fixed seed). */
	for (i = 0; i < mib; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)x;
	}
	t0 = test_cpu_seconds();
	rc = conf_load_buffer("junk", buf, mib, &cf, &err);
	ck_assert_int_eq(rc, SKM_EPARSE);
	ck_assert_uint_ge(err.line, 1);
	ck_assert(test_cpu_seconds() - t0 < TIME_LIMIT(1.0));

	/* Printable junk: a long plain scalar at the top. */
	for (i = 0; i < mib; i++)
		buf[i] = (char)('!' + (buf[i] & 0x3f));
	buf[0] = 'x';
	t0 = test_cpu_seconds();
	rc = conf_load_buffer("junk", buf, mib, &cf, &err);
	ck_assert_int_ne(rc, 0);
	ck_assert(test_cpu_seconds() - t0 < TIME_LIMIT(1.0));

	/* Valid YAML, too many nodes: one long flow list. */
	n = 0;
	n += (size_t)sprintf(buf, "server: {listen: [");
	while (n + 16 < mib)
		n += (size_t)sprintf(buf + n, "1.2.3.4:5, ");
	n += (size_t)sprintf(buf + n, "1.2.3.4:5]}\n");
	t0 = test_cpu_seconds();
	rc = conf_load_buffer("junk", buf, n, &cf, &err);
	ck_assert_int_eq(rc, SKM_EPARSE);
	ck_assert_str_eq(err.msg, "document has more than 20000 nodes");
	ck_assert(test_cpu_seconds() - t0 < TIME_LIMIT(1.0));

	/* One octet over the cap, from a file and from a buffer. */
	memset(buf, '#', mib + 1);
	load_fails(buf, mib + 1, SKM_EINVAL, 0, 0, "larger than 1 MiB");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, mib + 1), (ssize_t)mib + 1);
	close(fd);
	ck_assert_int_eq(conf_load(path, &cf, &err), SKM_EINVAL);
	ck_assert_str_eq(err.msg, "larger than 1 MiB");
	/* Exactly the cap is read whole: a 1 MiB comment is all defaults. */
	ck_assert_int_eq(truncate(path, (off_t)mib), 0);
	ck_assert_int_eq(conf_load(path, &cf, &err), 0);
	conf_free(cf);
	unlink(path);
	free(buf);
}
END_TEST

START_TEST(deep_nesting)
{
	const size_t depth = 10000;
	double t0;
	char *buf;
	size_t i;

	buf = malloc(5 * depth + 16);
	ck_assert_ptr_nonnull(buf);
	/* Flow sequences: [[[[...]]]] */
	memset(buf, '[', depth);
	memset(buf + depth, ']', depth);
	t0 = test_cpu_seconds();
	load_fails(buf, 2 * depth, SKM_EPARSE, 1, 33,
	    "nested more than 32 levels deep");
	/* Flow mappings under a key: {a: {a: {a: ...}}} */
	for (i = 0; i < depth; i++)
		memcpy(buf + 4 * i, "{a: ", 4);
	memset(buf + 4 * depth, '}', depth);
	load_fails(buf, 5 * depth, SKM_EPARSE, 1, 4 * 32 + 1,
	    "nested more than 32 levels deep");
	/* Block sequences: - - - - x */
	for (i = 0; i < depth; i++)
		memcpy(buf + 2 * i, "- ", 2);
	memcpy(buf + 2 * depth, "x\n", 2);
	load_fails(buf, 2 * depth + 2, SKM_EPARSE, 1, 2 * 32 + 1,
	    "nested more than 32 levels deep");
	ck_assert(test_cpu_seconds() - t0 < TIME_LIMIT(1.0));
	free(buf);
}
END_TEST

START_TEST(unreadable)
{
	struct conf_error err;
	struct conf *cf = (struct conf *)&err;
	char text[128];

	ck_assert_int_eq(conf_load("/nonexistent/skms.yaml", &cf, &err),
	    SKM_EIO);
	ck_assert_ptr_null(cf);
	ck_assert_str_eq(err.file, "/nonexistent/skms.yaml");
	ck_assert_uint_eq(err.line, 0);
	ck_assert_str_eq(err.msg, "cannot open: No such file or directory");
	conf_error_str(&err, text, sizeof(text));
	ck_assert_str_eq(text, "/nonexistent/skms.yaml: cannot open: No such "
	    "file or directory");
	ck_assert_int_eq(conf_load("/", &cf, &err), SKM_EIO);
	ck_assert_str_eq(err.msg, "not a regular file");
	load_fails("server:\n  workers: 0\n", 21, SKM_EINVAL, 2, 12, NULL);
	ck_assert_int_eq(conf_load_buffer("skms.yaml",
	    "server:\n  workers: 0\n", 21, &cf, &err), SKM_EINVAL);
	conf_error_str(&err, text, sizeof(text));
	ck_assert_str_eq(text,
	    "skms.yaml:2:12: server.workers: 0 is out of range (1..256)");
	conf_error_str(&err, text, 12);
	ck_assert_str_eq(text, "skms.yaml:2");
	/* err may be NULL. */
	ck_assert_int_eq(conf_load_buffer("x", "a: 1", 4, &cf, NULL),
	    SKM_EINVAL);
	ck_assert_int_eq(conf_load_buffer("x", "[", 1, &cf, NULL), SKM_EPARSE);
	ck_assert_int_eq(conf_load("/nonexistent", &cf, NULL), SKM_EIO);
}
END_TEST

START_TEST(dump_write_error)
{
	struct conf *cf;
	FILE *fp = fopen("/dev/full", "w");

	if (fp == NULL)
		return;
	ck_assert_int_eq(conf_defaults(&cf), 0);
	ck_assert_int_eq(conf_dump(cf, fp), SKM_EIO);
	fclose(fp);
	conf_free(cf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, sample_is_defaults);
	tcase_add_test(tc, empty_means_defaults);
	tcase_add_test(tc, full_file);
	tcase_add_test(tc, equal_sees_each_key);
	tcase_add_test(tc, numbers_valid);
	tcase_add_test(tc, numbers_invalid);
	tcase_add_test(tc, bool_enum_string);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, issuers);
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, junk);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, unreadable);
	tcase_add_test(tc, dump_write_error);
	tcase_add_test(tc, store_backend);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
