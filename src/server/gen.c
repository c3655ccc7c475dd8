/* SPDX-License-Identifier: ISC */
/*
 * Configuration generations (see gen.h). Everything that can fail runs
 * before the running generation is touched; the swap itself cannot fail.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "conf/conf.h"
#include "server/auth.h"
#include "server/gen.h"
#include "server/tls.h"

void
gen_free(struct gen *g)
{
	tls_free(g->tls);
	if (g->auth != NULL)
		auth_free(g->auth);
	conf_free(g->cf);
	memset(g, 0, sizeof(*g));
}

int
gen_build(const char *path, struct tls_tickets *tk, struct gen *out, char *why,
    size_t whylen)
{
	struct conf_error cerr;
	char sub[512];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&cerr, 0, sizeof(cerr));
	sub[0] = '\0';
	rc = path != NULL ? conf_load(path, &out->cf, &cerr) : conf_defaults(&out->cf);
	if (rc != 0) {
		conf_error_str(&cerr, why, whylen);
		goto out;
	}
	if ((rc = auth_new(out->cf, &out->auth, sub, sizeof(sub))) != 0) {
		snprintf(why, whylen, "tokens: %s",
		    sub[0] != '\0' ? sub : skm_strerror(rc));
		goto out;
	}
	if ((rc = tls_new(out->cf, tk, &out->tls, sub, sizeof(sub))) != 0) {
		snprintf(why, whylen, "tls: %s", sub[0] != '\0' ? sub : skm_strerror(rc));
		goto out;
	}
out:
	if (rc != 0)
		gen_free(out);
	return rc;
}

void
gen_install(struct gen *cur, struct gen *prev, struct gen *next, pthread_mutex_t *mu)
{
	struct gen old;

	if (mu != NULL)
		pthread_mutex_lock(mu);
	old = *prev;
	*prev = *cur;
	*cur = *next;
	if (mu != NULL)
		pthread_mutex_unlock(mu);
	memset(next, 0, sizeof(*next));
	/* Freed outside the lock: the loops no longer see it. */
	gen_free(&old);
}

int
gen_reload(struct gen *cur, struct gen *prev, const char *path,
    struct tls_tickets *tk, pthread_mutex_t *mu, char *why, size_t whylen)
{
	struct gen next;
	int rc;

	if ((rc = gen_build(path, tk, &next, why, whylen)) != 0)
		return rc;
	gen_install(cur, prev, &next, mu);
	return 0;
}
