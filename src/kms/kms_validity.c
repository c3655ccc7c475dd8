/* SPDX-License-Identifier: ISC */
/*
 * The Root KmsCertificate's validity as it bounds the key sets issued
 * under it, and when its coming end is announced. Pure rules over Unix
 * seconds; nothing here reads the clock or the store.
 *
 * A key set must not outlive the certificate that vouches for it: its
 * ValidTo (the period end) is never later than the certificate's. At the
 * other end, the certificate is made at some moment inside a period (init
 * takes "now" for ValidFrom): the period holding ValidFrom is served, or a
 * new domain would have no keys until its next boundary; a period that
 * ends at or before ValidFrom is not.
 */
#include "kms/kms.h"
#include "common/err.h"

int
kms_validity_check(int64_t valid_from, int64_t valid_to, int64_t start, int64_t end)
{
	if (end <= start)
		return SKM_EINVAL;
	if (end > valid_to || end <= valid_from)
		return SKM_ERANGE;
	return 0;
}

int
kms_validity_period(const struct kms *k, uint64_t period_no)
{
	const struct kms_gen *g;
	int64_t start, end;
	int rc;

	if ((rc = kms_period_bounds(k, period_no, &start, &end)) != 0)
		return rc;
	/* The certificate of the period's own generation (a rollover's, say). */
	if ((g = kms_gen_of_period(k, period_no)) == NULL)
		return SKM_ERANGE;
	/* Its secrets are suspected known: no key set is issued under it. */
	if (kms_gen_revoked(g))
		return SKM_EREVOKED;
	return kms_validity_check(g->rec.valid_from, g->rec.valid_to, start, end);
}

int
kms_validity_warn_due(int64_t now, int64_t valid_to, int64_t last)
{
	if (valid_to - now > KMS_VALIDITY_WARN)
		return 0;
	return last == 0 || now - last >= KMS_VALIDITY_WARN_EVERY || now < last;
}
