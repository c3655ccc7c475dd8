/* SPDX-License-Identifier: ISC */
/*
 * The strict JSON check of a token's header and payload, for auth.c only.
 * libjwt 1.10 hands both to jansson without flags, and jansson keeps the
 * last of two members of the same name (RFC 7515 4 and RFC 7519 4 allow
 * a parser that does): a token could then show one "sub" to whoever reads
 * it first and another to skmsd. This module decodes both parts itself
 * and parses them again with jansson, the same parser libjwt uses, asking
 * it to reject duplicate names. It never judges claims or signatures.
 */
#ifndef SKM_SERVER_AUTH_JSON_H
#define SKM_SERVER_AUTH_JSON_H

#include <stddef.h>

/*
 * Checks the first two parts of the compact JWS tok (base64url only, as
 * auth.c passes it). 0 when each decodes to one JSON object in which no
 * object, at any depth, names a member twice (names compare after their
 * escapes are decoded: "s\u0075b" is "sub"). SKM_EEXIST for a repeated
 * name, SKM_EINVAL for anything else; why (whylen octets, may be NULL)
 * then names the part and the reason, printable ASCII with every other
 * octet escaped, fit for a log line.
 */
int auth_json_check(const char *tok, char *why, size_t whylen);

/*
 * s (len octets) into out (cap octets with the NUL) for a log line: the
 * printable ASCII kept but '"' and '\\' escaped with a backslash, every
 * other octet as \xHH; cut short rather than split an escape.
 */
void auth_json_escape(const char *s, size_t len, char *out, size_t cap);

#endif
