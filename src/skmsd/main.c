/* SPDX-License-Identifier: ISC */
/*
 * skmsd, the KMS daemon: parses the command line and runs the start-up
 * steps in their security order (config, secure heap, no core dumps,
 * store and master secrets, verifier, TLS, listeners, descriptor limit,
 * privilege drop, no core dumps again, API, loop). Nothing else happens here.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/err.h"
#include "common/time.h"
#include "conf/conf.h"
#include "kms/kms.h"
#include "lib/version.h"
#include "server/api.h"
#include "server/auditj.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/replica.h"
#include "server/server.h"
#include "server/tls.h"
#include "store/kek.h"
#include "store/store.h"

#define SKMSD_DEFAULT_CONFIG	SYSCONFDIR "/skms/skms.yaml"
#define SKMSD_SECURE_HEAP	(1024 * 1024)

enum { SKMSD_OK = 0, SKMSD_FAILED = 1, SKMSD_USAGE = 2 };

static void
usage(FILE *f)
{
	fprintf(f, "usage: skmsd [-c FILE | --config FILE] [--store DIR] [-n | --check]\n"
	    "       skmsd --help | --version\n");
}

static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "skmsd: %s: %s\n", what, why);
	return SKMSD_FAILED;
}

/*
 * No core file and no ptrace by other users: the master secrets are in
 * memory. Done before any secret exists and again after a change of user,
 * since the kernel then resets the dumpable flag to fs.suid_dumpable,
 * which may allow both again.
 */
static int
harden(void)
{
	struct rlimit rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &rl) != 0 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}

/*
 * A cluster node catches up with the database before it opens the domain
 * (a first start fills the empty store). Without the database it starts
 * from what its store holds, stale from its last sync (replica.h).
 */
static int
node_sync(const struct conf *cf, struct store *st)
{
	char why[512];
	size_t n = 0;
	double t0 = time_monotonic();
	int rc;

	why[0] = '\0';
	rc = replica_sync_once(st, cf->store.postgresql.conninfo,
	    cf->store.postgresql.password_file, &n, why, sizeof(why));
	if (rc == 0)
		log_info("replica: %zu change%s applied from the database in %.1f ms", n,
		    n == 1 ? "" : "s", (time_monotonic() - t0) * 1000);
	else
		log_warnx("replica: database: %s: starting from the local store",
		    why[0] != '\0' ? why : skm_strerror(rc));
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_params p = { 0 };
	struct conf_error cerr;
	struct conf *cf = NULL;
	struct store *st = NULL;
	struct kms *kms = NULL;
	struct auth *auth = NULL;
	struct tls_tickets *tk = NULL;
	struct tls *tls = NULL;
	struct server *srv = NULL;
	struct api *api = NULL;
	struct auditj *journal = NULL;
	struct replica *replica = NULL;
	const char *conf_path = NULL, *store_path;
	double t0;
	char why[512];
	int ch, check = 0, cluster, synced = 0, rc, status = SKMSD_FAILED;

	while ((ch = getopt_long(argc, argv, "c:n", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 's':
			p.store_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? SKMSD_OK : SKMSD_FAILED;
		case 'V':
			printf("skmsd %s\n", skm_version());
			return fflush(stdout) == 0 && !ferror(stdout) ? SKMSD_OK : SKMSD_FAILED;
		default:
			usage(stderr);
			return SKMSD_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "skmsd: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return SKMSD_USAGE;
	}

	memset(&cerr, 0, sizeof(cerr));
	if (conf_path == NULL && access(SKMSD_DEFAULT_CONFIG, F_OK) == 0)
		conf_path = SKMSD_DEFAULT_CONFIG;
	rc = conf_path != NULL ? conf_load(conf_path, &cf, &cerr) : conf_defaults(&cf);
	if (rc != 0) {
		conf_error_str(&cerr, why, sizeof(why));
		fprintf(stderr, "skmsd: %s\n", why[0] != '\0' ? why : skm_strerror(rc));
		return SKMSD_FAILED;
	}
	log_init("skmsd", check ? CONF_LOG_STDERR : cf->log.target, cf->log.facility,
	    cf->log.level);
	log_set_format(cf->log.format);
	/* Before any secret exists: the secure heap is where they will live. */
	if (CRYPTO_secure_malloc_init(SKMSD_SECURE_HEAP, 16) == 0) {
		status = fail("secure heap", "cannot reserve locked memory");
		goto out;
	}
	if (harden() != 0) {
		status = fail("hardening", "cannot disable core dumps");
		goto out;
	}

	store_path = p.store_path != NULL ? p.store_path : cf->store.path;
	cluster = cf->store.backend == CONF_STORE_POSTGRESQL;
	/* A cluster node's store is its replica: made on the first start. */
	if ((rc = store_open_why(store_path, cluster ? STORE_CREATE : 0,
	    (size_t)cf->store.map_size, &st, why, sizeof(why))) != 0) {
		status = rc != SKM_ENOTFOUND && why[0] != '\0' ? fail("store", why) :
		    fail(store_path, rc == SKM_ENOTFOUND ?
		    "no store here (run 'skmsctl init')" : skm_strerror(rc));
		goto out;
	}
	why[0] = '\0';
	if (cluster)
		synced = node_sync(cf, st) == 0;
	/* A token key was checked (sensitive, not extractable) when recorded. */
	kek_pkcs11_set(cf->kek.pkcs11_module, cf->kek.pin_file,
	    KEK_PKCS11_ALLOW_EXTRACTABLE);
	kek_pkcs11_set_uri(cf->kek.pkcs11_uri);
	kek_pkcs11_set_mechanism((enum kek_pkcs11_mech)cf->kek.pkcs11_mechanism);
	t0 = time_monotonic();
	if ((rc = kms_open(st, cf->kek.file, cf->kek.passphrase_file, &kms, why,
	    sizeof(why))) != 0) {
		status = fail("opening the domain", cluster && !synced && rc == SKM_ENOTFOUND ?
		    "the local store has no domain yet and the database cannot be used "
		    "(see above)" : why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
	/* The source by its reference (a path or a PKCS#11 URI, never a PIN);
	 * the time covers unsealing and loading the master secrets. */
	log_info("domain opened: master secrets unsealed under the %s %s, in %.1f ms",
	    kek_kind_noun(kms->domain.kek.kind), kms->domain.kek.path,
	    (time_monotonic() - t0) * 1000);
	why[0] = '\0';
	if ((rc = auth_new(cf, &auth, why, sizeof(why))) != 0) {
		status = fail("tokens", why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
	if ((rc = tls_tickets_new(&tk)) != 0 ||
	    (rc = tls_new(cf, tk, &tls, why, sizeof(why))) != 0) {
		status = fail("tls", why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
	if (check) {
		printf("%s: ok\n", conf_path != NULL ? conf_path : "defaults");
		status = fflush(stdout) == 0 && !ferror(stdout) ? SKMSD_OK : SKMSD_FAILED;
		goto out;
	}

	p.conf_path = conf_path;
	p.cf = cf;
	p.kms = kms;
	p.store = st;
	p.auth = auth;
	p.tickets = tk;
	p.tls = tls;
	if ((rc = server_new(&p, &srv, why, sizeof(why))) != 0) {
		status = fail("listening", why);
		goto out;
	}
	/* The server owns these now. */
	cf = NULL;
	auth = NULL;
	tk = NULL;
	tls = NULL;
	if ((rc = server_fit_nofile(srv, why, sizeof(why))) != 0) {
		status = fail("descriptor limit", why);
		goto out;
	}
	/* Opened as the store's owner; the descriptor outlives the switch. */
	if ((rc = api_journal_open(server_conf(srv), st, &journal)) != 0) {
		status = fail("starting the API", skm_strerror(rc));
		goto out;
	}
	if ((rc = server_drop_privileges(server_conf(srv)->server.user, why,
	    sizeof(why))) != 0) {
		status = fail("privileges", why);
		goto out;
	}
	if (harden() != 0) {
		status = fail("hardening", "cannot disable core dumps after switching users");
		goto out;
	}
	rc = api_new(server_base(srv), server_conf(srv), st, kms, server_auth(srv), journal,
	    &api);
	journal = NULL;		/* api_new took it over */
	if (rc != 0) {
		status = fail("starting the API", skm_strerror(rc));
		goto out;
	}
	server_set_api(srv, api);
	if (cluster) {
		if ((rc = replica_start(st, server_conf(srv)->store.postgresql.conninfo,
		    server_conf(srv)->store.postgresql.password_file,
		    server_conf(srv)->store.max_staleness, &replica)) != 0) {
			status = fail("replica", skm_strerror(rc));
			goto out;
		}
		api_set_replica(api, replica);
	}
	status = server_run(srv) == 0 ? SKMSD_OK : SKMSD_FAILED;
out:
	/* The API answers or drops its pending requests before the transport goes. */
	if (api != NULL)
		api_free(api);
	if (journal != NULL)
		auditj_close(journal, 1);
	replica_stop(replica);
	server_free(srv);
	tls_free(tls);
	tls_tickets_free(tk);
	if (auth != NULL)
		auth_free(auth);
	kms_free(kms);
	store_close(st);
	conf_free(cf);
	CRYPTO_secure_malloc_done();
	return status;
}
