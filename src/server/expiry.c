/* SPDX-License-Identifier: ISC */
/*
 * The Root certificate's expiry warning (see expiry.h). The warning names
 * the last key period that can still be served, since the key sets stop
 * there, up to a whole period before ValidTo itself.
 */
#include "server/expiry.h"
#include "common/time.h"
#include "kms/kms.h"
#include "server/log.h"
#include "server/metrics.h"

#include <stdio.h>

/* The end of the last period wholly inside the validity, 0 when unknown. */
static int64_t
expiry_last_end(const struct kms *k, int64_t valid_to)
{
	uint64_t no;
	int64_t start, end;

	if (kms_period_at(k, valid_to - 1, &no, &start, &end) != 0)
		return 0;
	return end <= valid_to ? end : start;
}

void
expiry_tick(const struct kms *k, int64_t now, int64_t *last)
{
	struct kmsxml_cert cert;
	int64_t valid_to, left, last_end;
	char to[TIME_TEXT_LEN], end[TIME_TEXT_LEN];

	/* The certificate in force now: after a rollover, the new one. */
	kms_cert(k, now, &cert);
	valid_to = cert.valid_to;
	left = valid_to - now;

	metrics_cert_valid_to(valid_to);
	if (!kms_validity_warn_due(now, valid_to, *last))
		return;
	*last = now;
	if (time_format(valid_to, to, sizeof(to)) != 0)
		snprintf(to, sizeof(to), "@%lld", (long long)valid_to);
	if ((last_end = expiry_last_end(k, valid_to)) == 0 ||
	    time_format(last_end, end, sizeof(end)) != 0)
		snprintf(end, sizeof(end), "none");
	if (left > 0)
		log_warnx("root certificate expires in %lld d %lld h, at %s: the last "
		    "key period served ends at %s", (long long)(left / 86400),
		    (long long)(left % 86400 / 3600), to, end);
	else
		log_warnx("root certificate expired at %s: the last key period served "
		    "ended at %s", to, end);
}
