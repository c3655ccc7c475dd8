/* SPDX-License-Identifier: ISC */
/*
 * The table of every skms.yaml key. Rows are in the order of
 * etc/skms.yaml.sample and skms.yaml(5); keep the three in step. Defaults
 * are YAML text parsed by the same code as the file, so a default can never
 * be a value the loader would refuse.
 */
#include "conf/schema.h"

#include <string.h>

#include "conf/conf.h"

#define F(m) offsetof(struct conf, m)
#define I(m) offsetof(struct conf_issuer, m)

#define KIB 1024ULL
#define MIB (1024ULL * KIB)
#define GIB (1024ULL * MIB)
#define MINUTE 60ULL
#define HOUR (60ULL * MINUTE)
#define DAY (24ULL * HOUR)

const char *const conf_schema_log_levels[] = {
	"debug", "info", "notice", "warning", "error", NULL
};
const char *const conf_schema_log_targets[] = { "stderr", "syslog", NULL };
const char *const conf_schema_log_formats[] = { "text", "json", NULL };
const char *const conf_schema_kek_mechs[] = { "auto", "gcm", "kwp", NULL };
const char *const conf_schema_log_facilities[] = {
	"daemon", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7", NULL
};
const char *const conf_schema_store_backends[] = { "lmdb", "postgresql", NULL };
const char *const conf_schema_audit_durability[] = { "flush", "write", NULL };
const char *const conf_schema_algs[] = {
	"ES256", "ES384", "RS256", "PS256", NULL
};

const struct conf_schema conf_schema_issuer[] = {
	{ NULL, "issuer", CONF_T_STRING, NULL, 1, 1024, I(issuer), 0, NULL,
	    NULL, CONF_F_REQUIRED | CONF_F_NONEMPTY },
	{ NULL, "audience", CONF_T_STRING, NULL, 1, 1024, I(audience), 0, NULL,
	    NULL, CONF_F_REQUIRED | CONF_F_NONEMPTY },
	{ NULL, "key-file", CONF_T_PATH, NULL, 1, 4096, I(key_file), 0, NULL,
	    NULL, CONF_F_REQUIRED | CONF_F_NONEMPTY },
	{ NULL, "algorithms", CONF_T_ALGS, "[ES256, RS256]", 0, 0,
	    I(algorithms), 0, conf_schema_algs, NULL, 0 },
	{ NULL, "identity-claim", CONF_T_STRING, "sub", 1, 256,
	    I(identity_claim), 0, NULL, NULL, CONF_F_NONEMPTY },
	{ NULL, NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL, 0 },
};

const struct conf_schema conf_schema_keys[] = {
	{ "store", "path", CONF_T_PATH, "/var/lib/skms", 1, 4096,
	    F(store.path), 0, NULL, NULL, CONF_F_NONEMPTY },
	/* LMDB reserves this much address space; 64-bit hosts only. */
	{ "store", "map-size", CONF_T_SIZE, "1G", 1 * MIB, 1024 * GIB,
	    F(store.map_size), 0, NULL, NULL, 0 },
	{ "store", "backend", CONF_T_ENUM, "lmdb", 0, 0, F(store.backend), 0,
	    conf_schema_store_backends, NULL, 0 },
	/* Cluster node: key sets withheld this long after the last sync. */
	{ "store", "max-staleness", CONF_T_DURATION, "60s", 1, 1 * DAY,
	    F(store.max_staleness), 0, NULL, NULL, 0 },
	/* A libpq connection string or URI, without the password. */
	{ "store.postgresql", "conninfo", CONF_T_STRING, "", 0, 1023,
	    F(store.postgresql.conninfo), 0, NULL, NULL, 0 },
	{ "store.postgresql", "password-file", CONF_T_PATH, "", 0, 4096,
	    F(store.postgresql.password_file), 0, NULL, NULL, 0 },

	/* The node's name in the audit and the logs; empty: the host name. */
	{ "node", "name", CONF_T_STRING, "", 0, 255, F(node.name), 0, NULL, NULL,
	    0 },

	{ "kek", "file", CONF_T_PATH, "", 0, 4096, F(kek.file), 0, NULL, NULL,
	    0 },
	{ "kek", "passphrase-file", CONF_T_PATH, "", 0, 4096,
	    F(kek.passphrase_file), 0, NULL, NULL, 0 },
	/* A key object in a PKCS#11 token (RFC 7512 URI), its module and PIN file. */
	{ "kek", "pkcs11-uri", CONF_T_STRING, "", 0, 1023, F(kek.pkcs11_uri), 0, NULL,
	    NULL, 0 },
	{ "kek", "pkcs11-module", CONF_T_PATH, "", 0, 1023, F(kek.pkcs11_module), 0,
	    NULL, NULL, 0 },
	{ "kek", "pin-file", CONF_T_PATH, "", 0, 1023, F(kek.pin_file), 0, NULL,
	    NULL, 0 },
	/* How the token seals: GCM where it has CKM_AES_GCM, else RFC 5649. */
	{ "kek", "pkcs11-mechanism", CONF_T_ENUM, "auto", 0, 0,
	    F(kek.pkcs11_mechanism), 0, conf_schema_kek_mechs, NULL, 0 },
	/* RFC 7914 2: N a power of two; 2^14 is the interactive minimum. */
	{ "kek", "scrypt-n", CONF_T_UINT, "32768", 16384, 1048576,
	    F(kek.scrypt_n), 0, NULL, NULL, CONF_F_POW2 },
	{ "kek", "scrypt-r", CONF_T_UINT, "8", 1, 16, F(kek.scrypt_r), 0, NULL,
	    NULL, 0 },
	{ "kek", "scrypt-p", CONF_T_UINT, "1", 1, 16, F(kek.scrypt_p), 0, NULL,
	    NULL, 0 },

	{ "server", "listen", CONF_T_ADDRS, "[127.0.0.1:8443]", 1, 16,
	    F(server.listen), F(server.listen_count), NULL, NULL, 0 },
	{ "server", "tls-certificate", CONF_T_PATH, "/etc/skms/tls/server.pem",
	    1, 4096, F(server.tls_certificate), 0, NULL, NULL,
	    CONF_F_NONEMPTY },
	{ "server", "tls-key", CONF_T_PATH, "/etc/skms/tls/server.key", 1, 4096,
	    F(server.tls_key), 0, NULL, NULL, CONF_F_NONEMPTY },
	{ "server", "tls-client-ca", CONF_T_PATH, "", 0, 4096,
	    F(server.tls_client_ca), 0, NULL, NULL, 0 },
	{ "server", "tls-ticket-rotation", CONF_T_DURATION, "1h", 1 * MINUTE,
	    1 * DAY, F(server.tls_ticket_rotation), 0, NULL, NULL, 0 },
	{ "server", "workers", CONF_T_UINT, "2", 1, 256, F(server.workers), 0,
	    NULL, NULL, 0 },
	{ "server", "threads", CONF_T_UINT, "0", 0, 64, F(server.threads), 0,
	    NULL, NULL, 0 },
	{ "server", "max-connections", CONF_T_UINT, "1024", 1, 1000000,
	    F(server.max_connections), 0, NULL, NULL, 0 },
	{ "server", "max-connections-per-address", CONF_T_UINT, "64", 0, 1000000,
	    F(server.max_connections_per_address), 0, NULL, NULL, 0 },
	{ "server", "max-header-size", CONF_T_SIZE, "8K", 1 * KIB, 1 * MIB,
	    F(server.max_header_size), 0, NULL, NULL, 0 },
	{ "server", "max-body-size", CONF_T_SIZE, "64K", 1 * KIB, 16 * MIB,
	    F(server.max_body_size), 0, NULL, NULL, 0 },
	{ "server", "request-timeout", CONF_T_DURATION, "10s", 1, 1 * HOUR,
	    F(server.request_timeout), 0, NULL, NULL, 0 },
	{ "server", "idle-timeout", CONF_T_DURATION, "60s", 1, 1 * DAY,
	    F(server.idle_timeout), 0, NULL, NULL, 0 },
	{ "server", "user", CONF_T_STRING, "", 0, 32, F(server.user), 0, NULL,
	    NULL, CONF_F_USER },
	{ "server", "metrics-listen", CONF_T_ADDR, "127.0.0.1:9443", 0, 0,
	    F(server.metrics_listen), 0, NULL, NULL, 0 },
	{ "server", "enroll-on-first-token", CONF_T_BOOL, "false", 0, 0,
	    F(server.enroll_on_first_token), 0, NULL, NULL, 0 },
	{ "server", "client-cert-identity", CONF_T_BOOL, "false", 0, 0,
	    F(server.client_cert_identity), 0, NULL, NULL, 0 },
	{ "server", "require-transport-key", CONF_T_BOOL, "false", 0, 0,
	    F(server.require_transport_key), 0, NULL, NULL, 0 },

	{ "tokens", "leeway", CONF_T_DURATION, "30s", 0, 10 * MINUTE,
	    F(tokens.leeway), 0, NULL, NULL, 0 },
	{ "tokens", "required-scope", CONF_T_STRING, "3gpp:seal:km", 0, 256,
	    F(tokens.required_scope), 0, NULL, NULL, 0 },
	{ "tokens", "issuers", CONF_T_ISSUERS, "[]", 0, 64, F(tokens.issuers),
	    F(tokens.issuers_count), NULL, conf_schema_issuer, 0 },

	{ "period", "window-past", CONF_T_UINT, "1", 0, 100,
	    F(period.window_past), 0, NULL, NULL, 0 },
	{ "period", "window-future", CONF_T_UINT, "1", 0, 100,
	    F(period.window_future), 0, NULL, NULL, 0 },

	{ "precompute", "lead-time", CONF_T_DURATION, "10m", 0, 1 * DAY,
	    F(precompute.lead_time), 0, NULL, NULL, 0 },
	{ "precompute", "batch-size", CONF_T_UINT, "256", 1, 10000,
	    F(precompute.batch_size), 0, NULL, NULL, 0 },

	{ "cache", "max-entries", CONF_T_UINT, "100000", 0, 100000000,
	    F(cache.max_entries), 0, NULL, NULL, 0 },

	/* Requests per identity: burst at once, one more per refill-interval. */
	{ "ratelimit", "burst", CONF_T_UINT, "20", 0, 100000,
	    F(ratelimit.burst), 0, NULL, NULL, 0 },
	{ "ratelimit", "refill-interval", CONF_T_DURATION, "10s", 1, 7 * DAY,
	    F(ratelimit.refill_interval), 0, NULL, NULL, 0 },
	/* 16 octets each, allocated at start. */
	{ "ratelimit", "max-identities", CONF_T_UINT, "65536", 1024, 16777216,
	    F(ratelimit.max_identities), 0, NULL, NULL, 0 },

	{ "log", "level", CONF_T_ENUM, "info", 0, 0, F(log.level), 0,
	    conf_schema_log_levels, NULL, 0 },
	{ "log", "target", CONF_T_ENUM, "stderr", 0, 0, F(log.target), 0,
	    conf_schema_log_targets, NULL, 0 },
	{ "log", "facility", CONF_T_ENUM, "daemon", 0, 0, F(log.facility), 0,
	    conf_schema_log_facilities, NULL, 0 },
	{ "log", "format", CONF_T_ENUM, "text", 0, 0, F(log.format), 0,
	    conf_schema_log_formats, NULL, 0 },

	{ "audit", "group-commit", CONF_T_BOOL, "true", 0, 0,
	    F(audit.group_commit), 0, NULL, NULL, 0 },
	/* Milliseconds: a reply may precede its record's commit by this much. */
	{ "audit", "commit-window-ms", CONF_T_UINT, "0", 0, 10000,
	    F(audit.commit_window_ms), 0, NULL, NULL, 0 },
	/* Microseconds a small group may wait to grow before its write. */
	{ "audit", "group-delay-us", CONF_T_UINT, "2000", 0, 100000,
	    F(audit.group_delay_us), 0, NULL, NULL, 0 },
	/* Records that end that wait. */
	{ "audit", "group-size", CONF_T_UINT, "8", 1, 4096,
	    F(audit.group_size), 0, NULL, NULL, 0 },
	/* A reply after its record is on disk (flush) or in the journal file (write). */
	{ "audit", "durability", CONF_T_ENUM, "flush", 0, 0, F(audit.durability), 0,
	    conf_schema_audit_durability, NULL, 0 },
	/* durability write: milliseconds from a record's write to its flush. */
	{ "audit", "flush-ms", CONF_T_UINT, "10", 1, 1000,
	    F(audit.flush_ms), 0, NULL, NULL, 0 },

	/* skgmsd: its store, the GMS identity's keystore, the redelivery back-off. */
	{ "gms", "store", CONF_T_PATH, "/var/lib/skgms", 1, 4096, F(gms.store), 0, NULL,
	    NULL, CONF_F_NONEMPTY },
	{ "gms", "map-size", CONF_T_SIZE, "1G", 1 * MIB, 1024 * GIB, F(gms.map_size), 0,
	    NULL, NULL, 0 },
	{ "gms", "keystore", CONF_T_PATH, "", 0, 4096, F(gms.keystore), 0, NULL, NULL, 0 },
	{ "gms", "identity", CONF_T_STRING, "", 0, 1024, F(gms.identity), 0, NULL, NULL,
	    0 },
	/* GMKs sealed in the store under this 32-octet key; empty: unsealed. */
	{ "gms", "kek-file", CONF_T_PATH, "", 0, 4096, F(gms.kek_file), 0, NULL, NULL, 0 },
	{ "gms", "retry-min", CONF_T_DURATION, "1s", 1, 1 * HOUR, F(gms.retry_min), 0, NULL,
	    NULL, 0 },
	{ "gms", "retry-max", CONF_T_DURATION, "60s", 1, 1 * DAY, F(gms.retry_max), 0, NULL,
	    NULL, 0 },

	{ NULL, NULL, 0, NULL, 0, 0, 0, 0, NULL, NULL, 0 },
};

/* Enum fields are written through an int. */
_Static_assert(sizeof(enum conf_log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_log_target) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_log_facility) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_log_format) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_kek_mech) == sizeof(int), "enum size");
_Static_assert(sizeof(enum conf_audit_durability) == sizeof(int), "enum size");

const struct conf_schema *
conf_schema_find(const char *section, const char *name)
{
	const struct conf_schema *s;

	for (s = conf_schema_keys; s->name != NULL; s++)
		if (strcmp(s->section, section) == 0 &&
		    strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

int
conf_schema_has_section(const char *section)
{
	const struct conf_schema *s;

	for (s = conf_schema_keys; s->name != NULL; s++)
		if (strcmp(s->section, section) == 0)
			return 1;
	return 0;
}

const struct conf_schema *
conf_schema_find_sub(const struct conf_schema *sub, const char *name)
{
	for (; sub->name != NULL; sub++)
		if (strcmp(sub->name, name) == 0)
			return sub;
	return NULL;
}
