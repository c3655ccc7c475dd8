/* SPDX-License-Identifier: ISC */
/*
 * The SEAL group management documents that carry a GMK (TS 23.434
 * 10.3.2.24/25): 'Notify group configuration request' (GMS to VAL client:
 * Requester Identity, VAL group ID, Group related key material) and its
 * response (VAL group ID, result, reason). skms writes them as small XML
 * documents in its own namespace, described in skmc(1):
 *
 *   <NotifyGroupConfigurationRequest xmlns="urn:skms:seal:gm:1">
 *     <RequesterIdentity>GMS URI</RequesterIdentity>
 *     <ValGroupId>GROUP</ValGroupId>
 *     <GroupRelatedKeyMaterial>base64 I_MESSAGE</GroupRelatedKeyMaterial>
 *   </NotifyGroupConfigurationRequest>
 *
 *   <NotifyGroupConfigurationResponse xmlns="urn:skms:seal:gm:1">
 *     <ValGroupId>GROUP</ValGroupId>
 *     <Result>success|failure</Result>
 *     <Reason>text</Reason>            (failure only)
 *   </NotifyGroupConfigurationResponse>
 *
 * Parsing uses libxml2 without network access, DTDs or entity
 * substitution (a DOCTYPE is refused). This module checks nothing about the
 * I_MESSAGE it carries.
 */
#ifndef SKM_CLIENT_NOTIFY_H
#define SKM_CLIENT_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#define NOTIFY_NS		"urn:skms:seal:gm:1"
#define NOTIFY_MAX_LEN		(64 * 1024)	/* larger inputs are SKM_ELEN */

/* A received request; every pointer owned (notify_req_clear). */
struct notify_req {
	char *requester;	/* NULL for a bare I_MESSAGE */
	char *group;		/* NULL for a bare I_MESSAGE */
	uint8_t *imsg;		/* the I_MESSAGE octets */
	size_t imsglen;
};

/*
 * The request document for one receiver, NUL-terminated, from malloc
 * (*doclen excludes the NUL). Safe to call from several threads.
 */
int notify_req_write(const char *requester, const char *group, const uint8_t *imsg,
    size_t len, char **doc, size_t *doclen);

/* The response document (reason NULL for success), from malloc. */
int notify_resp_write(const char *group, int success, const char *reason, char **doc,
    size_t *doclen);

/*
 * Reads what a VAL client was handed: a request document, a bare
 * I_MESSAGE in base64 (optionally after "mikey "; surrounding white space
 * ignored) or the binary I_MESSAGE (first octets 01 1a). SKM_EPARSE with
 * the reason in why (may be NULL).
 */
int notify_input(const uint8_t *buf, size_t len, struct notify_req *req, char *why,
    size_t whylen);

void notify_req_clear(struct notify_req *req);

/* Standard base64 (with padding) of in, NUL-terminated, from malloc. */
int notify_b64_encode(const uint8_t *in, size_t len, char **out, size_t *outlen);

/*
 * Decodes standard base64 (padding required, no white space inside) into
 * a buffer from malloc. SKM_EPARSE on any other character.
 */
int notify_b64_decode(const char *in, size_t len, uint8_t **out, size_t *outlen);

#endif
