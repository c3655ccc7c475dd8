/* SPDX-License-Identifier: ISC */
/*
 * skgmsd, the group management service: parses the command line and runs
 * the start-up steps in their security order (config, secure heap, no core
 * dumps, store, verifier, TLS, listeners, descriptor limit, privilege
 * drop, no core dumps again, key worker, service, loop). Nothing else
 * happens here.
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
#include "conf/conf.h"
#include "gms/gmsd.h"
#include "gms/gmsd_maker.h"
#include "gms/gstore.h"
#include "lib/version.h"
#include "server/auth.h"
#include "server/log.h"
#include "server/server.h"
#include "server/tls.h"

#define SKGMSD_DEFAULT_CONFIG	SYSCONFDIR "/skms/skgmsd.yaml"
#define SKGMSD_SECURE_HEAP	(1024 * 1024)

enum { SKGMSD_OK = 0, SKGMSD_FAILED = 1, SKGMSD_USAGE = 2 };

static void
usage(FILE *f)
{
	fprintf(f, "usage: skgmsd [-c FILE | --config FILE] [-n | --check]\n"
	    "       skgmsd --help | --version\n");
}

static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "skgmsd: %s: %s\n", what, why);
	log_warnx("%s: %s", what, why);
	return SKGMSD_FAILED;
}

/* No core file and no ptrace by other users: GMKs and the GMS's keys are in memory. */
static int
harden(void)
{
	struct rlimit rl = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &rl) != 0 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct server_params p = { 0 };
	struct conf_error cerr;
	struct conf *cf = NULL;
	struct gstore *st = NULL;
	struct auth *auth = NULL;
	struct tls_tickets *tk = NULL;
	struct tls *tls = NULL;
	struct server *srv = NULL;
	struct gmsd *gmsd = NULL;
	struct gmsd_maker *maker = NULL;
	const char *conf_path = NULL;
	char why[512], uri[1100];
	int ch, check = 0, rc, status = SKGMSD_FAILED;

	while ((ch = getopt_long(argc, argv, "c:n", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) == 0 && !ferror(stdout) ? SKGMSD_OK : SKGMSD_FAILED;
		case 'V':
			printf("skgmsd %s\n", skm_version());
			return fflush(stdout) == 0 && !ferror(stdout) ? SKGMSD_OK : SKGMSD_FAILED;
		default:
			usage(stderr);
			return SKGMSD_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "skgmsd: unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return SKGMSD_USAGE;
	}

	memset(&cerr, 0, sizeof(cerr));
	if (conf_path == NULL && access(SKGMSD_DEFAULT_CONFIG, F_OK) == 0)
		conf_path = SKGMSD_DEFAULT_CONFIG;
	rc = conf_path != NULL ? conf_load(conf_path, &cf, &cerr) : conf_defaults(&cf);
	if (rc != 0) {
		conf_error_str(&cerr, why, sizeof(why));
		fprintf(stderr, "skgmsd: %s\n", why[0] != '\0' ? why : skm_strerror(rc));
		return SKGMSD_FAILED;
	}
	log_init("skgmsd", check ? CONF_LOG_STDERR : cf->log.target, cf->log.facility,
	    cf->log.level);
	log_set_format(cf->log.format);
	if (cf->gms.keystore[0] == '\0') {
		status = fail("gms.keystore", "not set: the GMS identity's keystore "
		    "(skmc init) is required");
		goto out;
	}
	if (cf->gms.retry_min > cf->gms.retry_max) {
		status = fail("gms.retry-min", "longer than gms.retry-max");
		goto out;
	}
	if (CRYPTO_secure_malloc_init(SKGMSD_SECURE_HEAP, 16) == 0) {
		status = fail("secure heap", "cannot reserve locked memory");
		goto out;
	}
	if (harden() != 0) {
		status = fail("hardening", "cannot disable core dumps");
		goto out;
	}
	why[0] = '\0';
	/* Flushed at each tick of the service; skgmsctl's changes flush at once. */
	if ((rc = gstore_open(cf->gms.store, GSTORE_LAZY, (size_t)cf->gms.map_size, &st, why,
	    sizeof(why))) != 0) {
		status = fail("store", why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
	/* Read as started: the key file, like the store, may be root's. */
	why[0] = '\0';
	if (cf->gms.kek_file[0] != '\0' &&
	    (rc = gstore_set_kek(st, cf->gms.kek_file, why, sizeof(why))) != 0) {
		status = fail("gms.kek-file", why[0] != '\0' ? why : skm_strerror(rc));
		goto out;
	}
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
		status = fflush(stdout) == 0 && !ferror(stdout) ? SKGMSD_OK : SKGMSD_FAILED;
		goto out;
	}

	p.conf_path = conf_path;
	p.cf = cf;
	p.service_uri = "skgmsd";
	/* The held polls, the metrics and the store live on one loop. */
	p.loops = 1;
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
	if ((rc = server_drop_privileges(server_conf(srv)->server.user, why,
	    sizeof(why))) != 0) {
		status = fail("privileges", why);
		goto out;
	}
	if (harden() != 0) {
		status = fail("hardening", "cannot disable core dumps after switching users");
		goto out;
	}
	/* After the switch: key sets it fetches belong to server.user. */
	if ((rc = gmsd_maker_start(st, server_conf(srv)->gms.keystore,
	    server_conf(srv)->gms.identity[0] != '\0' ? server_conf(srv)->gms.identity : NULL,
	    uri, sizeof(uri), &maker, why, sizeof(why))) != 0) {
		status = fail("keystore", why);
		goto out;
	}
	log_info("GMS identity %s, keystore %s, store %s", uri,
	    server_conf(srv)->gms.keystore, server_conf(srv)->gms.store);
	if ((rc = gmsd_new(server_base(srv), st, uri, server_conf(srv), server_auth(srv),
	    maker, &gmsd)) != 0) {
		status = fail("starting the service", skm_strerror(rc));
		goto out;
	}
	server_set_service(srv, gmsd_service(gmsd));
	status = server_run(srv) == 0 ? SKGMSD_OK : SKGMSD_FAILED;
out:
	/* Held polls are answered before the transport goes. */
	gmsd_free(gmsd);
	gmsd_maker_stop(maker);
	server_free(srv);
	tls_free(tls);
	tls_tickets_free(tk);
	if (auth != NULL)
		auth_free(auth);
	gstore_close(st);
	conf_free(cf);
	CRYPTO_secure_malloc_done();
	return status;
}
