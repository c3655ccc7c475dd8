/* SPDX-License-Identifier: ISC */
/*
 * The documents a VAL client reads from a GMS service's notification
 * channel (the long-poll binding of skgmsd(8)): the Notifications list,
 * each Notification a 'Notify group configuration request' carrying a GMK
 * (kind gmk) or the notice that the member was removed from a group (kind
 * removal), and the Error document of a refusal. Parsed with libxml2
 * without network access or entity substitution; a DOCTYPE is refused.
 * This module checks nothing about the I_MESSAGE it hands on (accept.c
 * does) and performs no request.
 */
#ifndef SKM_CLIENT_GMSNOTE_H
#define SKM_CLIENT_GMSNOTE_H

#include <stddef.h>
#include <stdint.h>

#define GMSNOTE_MAX		256		/* notifications in one answer */
#define GMSNOTE_ID_MAX		64		/* delivery ID: [A-Za-z0-9_-]{1,64} */
#define GMSNOTE_DOC_MAX		(4 * 1024 * 1024)	/* larger answers are SKM_ELEN */

enum gmsnote_kind {
	GMSNOTE_GMK,		/* NotifyGroupConfigurationRequest */
	GMSNOTE_REMOVAL,	/* NotifyGroupRemoval */
	GMSNOTE_OTHER,		/* a kind this client does not know: left unanswered */
};

/* One notification; strings and imsg from malloc (gmsnote_free). */
struct gmsnote {
	char id[GMSNOTE_ID_MAX + 1];
	enum gmsnote_kind kind;
	char *requester;	/* GMS URI; NULL for GMSNOTE_OTHER */
	char *group;		/* VAL group ID; NULL for GMSNOTE_OTHER */
	uint8_t *imsg;		/* gmk: the I_MESSAGE octets */
	size_t imsglen;
};

/* 1 iff s is a delivery ID of the protocol. */
int gmsnote_id_ok(const char *s);

/*
 * Parses a Notifications document into *notes (calloc'ed array of *n; none
 * for an empty list, *notes NULL). SKM_EPARSE (malformed, wrong namespace or
 * root, DOCTYPE, a notification without its parts), SKM_ERANGE (more than
 * GMSNOTE_MAX) or SKM_ELEN, with the reason in why; nothing is returned then.
 */
int gmsnote_parse(const char *buf, size_t len, struct gmsnote **notes, size_t *n,
    char *why, size_t whylen);

void gmsnote_free(struct gmsnote *notes, size_t n);

/*
 * The Reason of an Error document into out (truncated); SKM_EPARSE when buf
 * is not one.
 */
int gmsnote_error_reason(const char *buf, size_t len, char *out, size_t outlen);

#endif
