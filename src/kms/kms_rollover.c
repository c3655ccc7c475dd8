/* SPDX-License-Identifier: ISC */
/*
 * Rollover and purge of the domain's generations of master secrets and
 * Root certificates. Each is one write transaction that re-reads the
 * generations inside it, so two administrators cannot schedule two
 * rollovers, and carries its audit entry. Never touches identities: its
 * cost does not grow with their number.
 */
#include "kms/kms.h"
#include "kms/kms_impl.h"
#include "common/err.h"
#include "common/time.h"
#include "store/audit.h"
#include "store/secrets.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define ROLLOVER_VALIDITY	(5 * 365 * 86400)	/* when the current one has none */

/*
 * The default CertUri of generation id: the current one with its
 * generation suffix (".g" and digits) replaced, or the KmsUri when the
 * current certificate has no CertUri.
 */
static int
rollover_cert_uri(const struct kms *k, const struct generation_rec *cur, uint32_t id,
    char *out, size_t cap)
{
	const char *base = cur->cert_uri[0] != '\0' ? cur->cert_uri : k->domain.kms_uri;
	size_t n = strlen(base), d = n;

	while (d > 0 && isdigit((unsigned char)base[d - 1]))
		d--;
	if (d < n && d >= 2 && base[d - 1] == 'g' && base[d - 2] == '.')
		n = d - 2;
	if ((size_t)snprintf(out, cap, "%.*s.g%u", (int)n, base, (unsigned)id) >= cap)
		return SKM_ELEN;
	return 0;
}

/* The start of the first key period starting at or after at. */
static int
rollover_boundary(const struct kms *k, int64_t at, int64_t *eff)
{
	uint64_t no;
	int64_t start, end;
	int rc;

	if ((rc = kms_period_at(k, at, &no, &start, &end)) != 0)
		return rc;
	*eff = start == at ? start : end;
	return 0;
}

/*
 * An emergency rollover's effective time: the start of the current key
 * period, so the period in progress switches to the new secrets. When the
 * generation in force took effect at that start itself (a rollover at
 * this period's boundary, or an earlier emergency), its own effective time
 * moves back, halfway to the later of prev's (the generation before it)
 * and the previous period's start: no period starts there, so it keeps no
 * period at all, the list stays in order, and repeated emergencies in one
 * period find room until the seconds run out.
 */
static int
rollover_now(const struct kms *k, struct generation_rec *cur,
    const struct generation_rec *prev, int64_t now, int64_t *eff, char *why,
    size_t whylen)
{
	uint64_t no;
	int64_t start, end;
	int rc;

	if ((rc = kms_period_at(k, now, &no, &start, &end)) != 0)
		return skm_why(why, whylen, rc, "--now: %s", skm_strerror(rc));
	if (cur->effective >= start) {
		int64_t lo = start - (end - start);

		if (prev != NULL && prev->effective > lo)
			lo = prev->effective;
		if (prev == NULL || start - lo < 2)
			return skm_why(why, whylen, SKM_ESTATE, "--now: generation %u (%s) "
			    "cannot give up the current key period: too many emergency "
			    "rollovers in it", (unsigned)cur->id, cur->cert_uri);
		cur->effective = lo + (start - lo) / 2;
	}
	*eff = start;
	return 0;
}

static int
rollover_secrets(struct generation_rec *g, uint8_t *plain)
{
	struct eccsi_kms *eccsi = NULL;
	struct sakke_kms *sakke = NULL;
	int rc;

	if ((rc = eccsi_kms_generate(&eccsi)) == 0 &&
	    (rc = sakke_kms_generate(&sakke)) == 0 &&
	    (rc = eccsi_kms_kpak(eccsi, g->kpak)) == 0 &&
	    (rc = sakke_pub_export(sakke_kms_pub(sakke), g->z)) == 0 &&
	    (rc = eccsi_kms_export(eccsi, plain, plain + ECCSI_SCALAR_LEN)) == 0)
		rc = sakke_kms_export(sakke, plain + ECCSI_SCALAR_LEN + ECCSI_PRF_KEY_LEN);
	eccsi_kms_free(eccsi);
	sakke_kms_free(sakke);
	return rc;
}

/*
 * Begins the write transaction t and reads every generation into a new
 * *list (the caller frees it) with their effective times in eff. *open is
 * set once t needs an abort or a commit.
 */
static int
rollover_begin(struct store *st, struct store_txn *t, int *open,
    struct generation_rec **list, size_t *n, int64_t *eff, char *why, size_t whylen)
{
	size_t i;
	int rc;

	if ((*list = calloc(GENERATION_MAX, sizeof(**list))) == NULL)
		return SKM_ENOMEM;
	if ((rc = store_txn_begin(st, 1, t)) != 0)
		return rc;
	*open = 1;
	if ((rc = store_generation_list(t, *list, GENERATION_MAX, n)) != 0)
		return skm_why(why, whylen, rc, "generations: %s", skm_strerror(rc));
	for (i = 0; i < *n; i++)
		eff[i] = (*list)[i].effective;
	return 0;
}

int
kms_rollover(const struct kms *k, struct store *st, const struct kms_rollover_params *p,
    const char *actor, int64_t now, struct generation_rec *out, char *why, size_t whylen)
{
	uint8_t plain[KMS_SECRETS_LEN];
	struct generation_rec *list = NULL, *g = out, *cur;
	int64_t eff[GENERATION_MAX], validity;
	const struct kek *kek = kms_gens_kek(k);
	struct store_txn t;
	struct audit_rec a;
	char detail[3 * DOMAIN_URI_MAX + 256], from[32], to[32];
	size_t n = 0, i, c, len, sched = GENERATION_MAX;
	int rc, open = 0;

	why[0] = '\0';
	memset(out, 0, sizeof(*out));
	/* Only a compromise justifies replacing key sets clients already hold. */
	if (!p->revoke_current != !p->immediate)
		return skm_why(why, whylen, SKM_EINVAL, p->immediate ? "--now: only with "
		    "--revoke-current" : "--revoke-current: only with --now");
	if (kek == NULL)
		return skm_why(why, whylen, SKM_ESTATE, "the domain is open without its "
		    "key-encryption key");
	if ((rc = rollover_begin(st, &t, &open, &list, &n, eff, why, whylen)) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (generation_state(eff, n, i, now) == GENERATION_NEXT) {
			/* An emergency replaces it: it was made by the same server. */
			if (p->immediate) {
				sched = i;
				continue;
			}
			time_format(eff[i], from, sizeof(from));
			rc = skm_why(why, whylen, SKM_ESTATE, "a rollover is already "
			    "scheduled: generation %u (%s) from %s", (unsigned)list[i].id,
			    list[i].cert_uri, from);
			goto out;
		}
	if (generation_for(eff, n, now, &c) != 0) {
		rc = skm_why(why, whylen, SKM_ESTATE, "no certificate is in force now");
		goto out;
	}
	if (n - (sched != GENERATION_MAX) >= GENERATION_MAX) {
		rc = skm_why(why, whylen, SKM_ELEN, "%d generations are kept: run "
		    "'skmsctl domain purge-retired' first", GENERATION_MAX);
		goto out;
	}
	cur = &list[c];
	if (p->immediate) {
		if ((rc = rollover_now(k, cur, c > 0 ? &list[c - 1] : NULL, now,
		    &g->effective, why, whylen)) != 0)
			goto out;
	} else if ((rc = rollover_boundary(k, p->at, &g->effective)) != 0) {
		snprintf(why, whylen, "--at: %s", skm_strerror(rc));
		goto out;
	} else if (g->effective < now) {
		/* Key sets already issued for earlier periods must keep their certificate. */
		rc = skm_why(why, whylen, SKM_EINVAL, "--at: the first key period "
		    "starting then has begun already");
		goto out;
	}
	g->id = list[n - 1].id + 1;
	g->created = now;
	g->valid_from = g->effective;
	validity = cur->valid_to > cur->valid_from ? cur->valid_to - cur->valid_from :
	    ROLLOVER_VALIDITY;
	g->valid_to = p->valid_to != 0 ? p->valid_to : g->effective + validity;
	if (g->valid_to <= g->valid_from) {
		time_format(g->valid_from, from, sizeof(from));
		rc = skm_why(why, whylen, SKM_EINVAL, "--valid-to: must be after the "
		    "new certificate's ValidFrom, %s", from);
		goto out;
	}
	if (p->cert_uri != NULL) {
		if (strlen(p->cert_uri) > DOMAIN_URI_MAX) {
			rc = skm_why(why, whylen, SKM_ELEN, "--cert-uri: longer than %d "
			    "octets", DOMAIN_URI_MAX);
			goto out;
		}
		snprintf(g->cert_uri, sizeof(g->cert_uri), "%s", p->cert_uri);
	} else if ((rc = rollover_cert_uri(k, cur, g->id, g->cert_uri,
	    sizeof(g->cert_uri))) != 0) {
		snprintf(why, whylen, "the derived CertUri is too long: give --cert-uri");
		goto out;
	}
	/* A key set's CertUri must name exactly one certificate. */
	for (i = 0; i < n; i++)
		if (i != sched && strcmp(list[i].cert_uri, g->cert_uri) == 0) {
			rc = skm_why(why, whylen, SKM_EEXIST, "CertUri %s is generation "
			    "%u's", g->cert_uri, (unsigned)list[i].id);
			goto out;
		}
	if ((rc = rollover_secrets(g, plain)) != 0) {
		snprintf(why, whylen, "new master secrets: %s", skm_strerror(rc));
		goto out;
	}
	time_format(g->effective, from, sizeof(from));
	time_format(g->valid_to, to, sizeof(to));
	len = (size_t)snprintf(detail, sizeof(detail), "generation %u cert-uri %s "
	    "effective %s valid-to %s", (unsigned)g->id, g->cert_uri, from, to);
	if (p->revoke_current && len < sizeof(detail))
		len += (size_t)snprintf(detail + len, sizeof(detail) - len, "; now, "
		    "revoking generation %u (%s)", (unsigned)cur->id, cur->cert_uri);
	if (sched != GENERATION_MAX && len < sizeof(detail))
		snprintf(detail + len, sizeof(detail) - len, "; replacing scheduled "
		    "generation %u (%s)", (unsigned)list[sched].id, list[sched].cert_uri);
	memset(&a, 0, sizeof(a));
	a.time = now;
	a.actor = actor;
	a.action = p->revoke_current ? "domain rollover --now --revoke-current" :
	    "domain rollover";
	a.detail = detail;
	/* The scheduled one and cur's new time first: the new one must follow the last kept. */
	if (sched != GENERATION_MAX)
		store_generation_del(&t, list[sched].id);
	if (p->revoke_current)
		store_generation_revoke(&t, cur->id, cur->effective);
	store_generation_add(&t, g);
	store_secrets_put_gen(&t, g->id, kek, plain, sizeof(plain));
	store_audit_append(&t, &a, NULL);
	open = 0;
	if ((rc = store_txn_commit(&t)) != 0)
		snprintf(why, whylen, "store: %s", skm_strerror(rc));
out:
	if (open)
		store_txn_abort(&t);
	OPENSSL_cleanse(plain, sizeof(plain));
	free(list);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int
kms_purge_retired(const struct kms *k, struct store *st, int64_t oldest_start,
    const char *actor, int64_t now, uint32_t *ids, size_t cap, size_t *nout, char *why,
    size_t whylen)
{
	struct generation_rec *list = NULL;
	int64_t eff[GENERATION_MAX];
	struct store_txn t;
	struct audit_rec a;
	char detail[512], when[32];
	size_t n = 0, i, len = 0, stuck = GENERATION_MAX;
	int rc, open = 0;

	(void)k;
	*nout = 0;
	why[0] = '\0';
	detail[0] = '\0';
	if ((rc = rollover_begin(st, &t, &open, &list, &n, eff, why, whylen)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (generation_state(eff, n, i, now) != GENERATION_RETIRED)
			continue;
		if (!generation_purgeable(eff, n, i, now, oldest_start)) {
			if (stuck == GENERATION_MAX)
				stuck = i;
			continue;
		}
		if (*nout == cap) {
			rc = SKM_ELEN;
			goto out;
		}
		ids[(*nout)++] = list[i].id;
		store_generation_del(&t, list[i].id);
		if (len < sizeof(detail))
			len += (size_t)snprintf(detail + len, sizeof(detail) - len, "%s%u (%s)",
			    len > 0 ? ", " : "generation ", (unsigned)list[i].id,
			    list[i].cert_uri);
	}
	if (*nout == 0) {
		if (stuck != GENERATION_MAX) {
			time_format(eff[stuck + 1], when, sizeof(when));
			rc = skm_why(why, whylen, SKM_ESTATE, "generation %u (%s) is retired "
			    "but the key-period window still reaches its periods, the last "
			    "of which ended at %s", (unsigned)list[stuck].id,
			    list[stuck].cert_uri, when);
		}
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.time = now;
	a.actor = actor;
	a.action = "domain purge-retired";
	a.detail = detail;
	store_audit_append(&t, &a, NULL);
	open = 0;
	if ((rc = store_txn_commit(&t)) != 0) {
		snprintf(why, whylen, "store: %s", skm_strerror(rc));
		*nout = 0;
	}
out:
	if (open)
		store_txn_abort(&t);
	free(list);
	return rc;
}
