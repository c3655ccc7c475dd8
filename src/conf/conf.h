/* SPDX-License-Identifier: ISC */
/*
 * skms.yaml: the one configuration file read by skmsd and skmsctl. A loaded
 * struct conf is immutable: every string and array in it is owned by it and
 * freed by conf_free(). This module reads and checks the file; it must not
 * open the store, bind sockets, read key files or act on any setting.
 */
#ifndef SKM_CONF_CONF_H
#define SKM_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest host part of an address: a DNS name is at most 253 octets. */
#define CONF_HOST_MAX 256

enum conf_addr_family {
	CONF_ADDR_NONE = 0,	/* empty: the listener is disabled */
	CONF_ADDR_IPV4,
	CONF_ADDR_IPV6,
	CONF_ADDR_NAME,
};

/* host:port, [IPv6]:port or name:port; host is kept without brackets. */
struct conf_addr {
	enum conf_addr_family family;
	char host[CONF_HOST_MAX];
	unsigned port;			/* 1..65535, 0 when family is NONE */
};

/* JWS algorithms a token issuer may use; a bit set in conf_issuer. */
enum conf_alg {
	CONF_ALG_ES256 = 1 << 0,
	CONF_ALG_ES384 = 1 << 1,
	CONF_ALG_RS256 = 1 << 2,
	CONF_ALG_PS256 = 1 << 3,
};

struct conf_issuer {
	char *issuer;			/* the "iss" claim value */
	char *audience;			/* required "aud" value */
	char *key_file;			/* PEM public key or certificate */
	unsigned algorithms;		/* enum conf_alg bits, never 0 */
	char *identity_claim;		/* claim naming the caller's URI */
};

enum conf_log_level {
	CONF_LOG_DEBUG,
	CONF_LOG_INFO,
	CONF_LOG_NOTICE,
	CONF_LOG_WARNING,
	CONF_LOG_ERROR,
};

enum conf_log_target {
	CONF_LOG_STDERR,
	CONF_LOG_SYSLOG,
};

enum conf_log_format {
	CONF_LOG_TEXT,
	CONF_LOG_JSON,
};

/* kek.pkcs11-mechanism; in the order of enum kek_pkcs11_mech. */
enum conf_kek_mech {
	CONF_KEK_MECH_AUTO,
	CONF_KEK_MECH_GCM,
	CONF_KEK_MECH_KWP,
};

enum conf_log_facility {
	CONF_FAC_DAEMON,
	CONF_FAC_LOCAL0,
	CONF_FAC_LOCAL1,
	CONF_FAC_LOCAL2,
	CONF_FAC_LOCAL3,
	CONF_FAC_LOCAL4,
	CONF_FAC_LOCAL5,
	CONF_FAC_LOCAL6,
	CONF_FAC_LOCAL7,
};

/*
 * One field per key; the section is the member, '-' becomes '_'. Durations
 * are in seconds, sizes in octets. Empty optional strings are "" (not NULL).
 */
/* store.backend; the numbers of enum store_backend. */
enum conf_store_backend {
	CONF_STORE_LMDB,
	CONF_STORE_POSTGRESQL,
};

/* audit.durability: when a key set's reply may leave (skms.yaml(5)). */
enum conf_audit_durability {
	CONF_AUDIT_FLUSH,		/* its record on disk */
	CONF_AUDIT_WRITE,		/* its record in the journal file, on disk within flush-ms */
};

struct conf {
	struct {
		char *path;
		uint64_t map_size;
		enum conf_store_backend backend;
		unsigned max_staleness;
		struct {
			char *conninfo;
			char *password_file;
		} postgresql;
	} store;
	struct {
		char *name;		/* "": the host name */
	} node;
	struct {
		char *file;
		char *passphrase_file;
		char *pkcs11_uri;
		char *pkcs11_module;
		char *pin_file;
		enum conf_kek_mech pkcs11_mechanism;
		unsigned scrypt_n;
		unsigned scrypt_r;
		unsigned scrypt_p;
	} kek;
	struct {
		struct conf_addr *listen;
		size_t listen_count;
		char *tls_certificate;
		char *tls_key;
		char *tls_client_ca;
		unsigned tls_ticket_rotation;
		unsigned workers;
		unsigned threads;	/* event loops; 0: one per online CPU */
		unsigned max_connections;
		unsigned max_connections_per_address;	/* IPv6: per /64; 0: none */
		uint64_t max_header_size;
		uint64_t max_body_size;
		unsigned request_timeout;
		unsigned idle_timeout;
		char *user;
		struct conf_addr metrics_listen;
		bool enroll_on_first_token;
		bool client_cert_identity;
		bool require_transport_key;	/* TS 33.180 D.1 */
	} server;
	struct {
		unsigned leeway;
		char *required_scope;
		struct conf_issuer *issuers;
		size_t issuers_count;
	} tokens;
	struct {
		unsigned window_past;
		unsigned window_future;
	} period;
	struct {
		unsigned lead_time;
		unsigned batch_size;
	} precompute;
	struct {
		unsigned max_entries;
	} cache;
	struct {
		unsigned burst;		/* 0: no limit */
		unsigned refill_interval;
		unsigned max_identities;
	} ratelimit;
	struct {
		enum conf_log_level level;
		enum conf_log_target target;
		enum conf_log_facility facility;
		enum conf_log_format format;
	} log;
	struct {
		bool group_commit;
		unsigned commit_window_ms;
		unsigned group_delay_us;
		unsigned group_size;
		enum conf_audit_durability durability;
		unsigned flush_ms;
	} audit;
	/* skgmsd, the group management service; skmsd ignores it. */
	struct {
		char *store;
		uint64_t map_size;
		char *keystore;
		char *identity;		/* "": the keystore's only identity */
		char *kek_file;		/* "": GMKs stored unsealed */
		unsigned retry_min;
		unsigned retry_max;
	} gms;
};

/*
 * Where and why a load failed. line and column (in characters) count from
 * 1; both are 0 when the error has no position (an unreadable file). msg
 * starts with the key path when there is one: "server.workers: 0 is out of
 * range (1..256)". conf_error_str() formats it for a log or stderr.
 */
struct conf_error {
	char file[256];
	unsigned line, column;
	char msg[256];
};

/*
 * "file:line:column: msg", or "file: msg" without a position, into buf of
 * size octets (cut to fit).
 */
void conf_error_str(const struct conf_error *err, char *buf, size_t size);

/* Upper bound on the size of a configuration file. */
#define CONF_FILE_MAX (1024 * 1024)

/*
 * Reads and checks the file at path, opened as a trust file (trustfile_open():
 * a regular file of root or the effective user that neither others nor a
 * directory above let anybody else write). On success *out is a new config the
 * caller frees with conf_free(); on failure *out is NULL, err (may be NULL)
 * says where, and the result is SKM_EIO (unreadable or refused by those
 * checks), SKM_EPARSE (not YAML,
 * or nested too deeply), SKM_EINVAL (a key or value is wrong) or SKM_ENOMEM.
 */
int conf_load(const char *path, struct conf **out, struct conf_error *err);

/* As conf_load() on len octets of text; name (may be NULL) names it in err. */
int conf_load_buffer(const char *name, const char *text, size_t len,
    struct conf **out, struct conf_error *err);

/* A new config with every key at its default; freed with conf_free(). */
int conf_defaults(struct conf **out);

/* Frees cf and everything it owns; NULL is ignored. */
void conf_free(struct conf *cf);

/* True when a and b hold the same value for every key. */
bool conf_equal(const struct conf *a, const struct conf *b);

/*
 * Writes every key of cf as YAML that conf_load_buffer() reads back to an
 * equal config. Returns 0 or SKM_EIO when writing to fp failed.
 */
int conf_dump(const struct conf *cf, FILE *fp);

/* The name of an enum value as written in the file ("info", "syslog"). */
const char *conf_log_level_name(enum conf_log_level v);
const char *conf_log_target_name(enum conf_log_target v);
const char *conf_log_facility_name(enum conf_log_facility v);
const char *conf_log_format_name(enum conf_log_format v);

#endif
