/* SPDX-License-Identifier: ISC */
/*
 * The simple values of KMS documents (TS 33.180 D.3): binary values in hex
 * or base64, xs:dateTime, xs:integer and xs:boolean, decoded from text the
 * caller has taken out of the tree. Key bytes may pass through here, so the
 * hex path runs in constant time and scratch copies are cleansed. It knows
 * no element names; the caller puts the element into the reason.
 */
#ifndef SKM_CLIENT_KMSDOC_VALUE_H
#define SKM_CLIENT_KMSDOC_VALUE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes exactly n octets (n <= 257) from s (no whitespace): hex when s
 * is 2n hex digits of either case, base64 otherwise. SKM_EPARSE when it is
 * neither, SKM_ELEN when it decodes to another length; the reason goes to
 * why. out is written only on success.
 */
int kmsdoc_value_bin(const char *s, size_t len, uint8_t *out, size_t n, char *why,
    size_t whylen);

/*
 * xs:dateTime as Unix seconds: "YYYY-MM-DDTHH:MM:SS", optional fraction
 * (truncated), then "Z", "+hh:mm", "-hh:mm" or nothing (read as UTC, as
 * deployed KMSs write local time without a zone). SKM_EPARSE otherwise.
 */
int kmsdoc_value_time(const char *s, int64_t *t);

/* xs:integer in [0, 2^64): optional '+', decimal digits. SKM_EPARSE otherwise. */
int kmsdoc_value_uint(const char *s, uint64_t *v);

/* xs:integer in the range of int: optional sign, decimal digits. */
int kmsdoc_value_int(const char *s, int *v);

/* xs:boolean: "true", "false", "1" or "0". */
int kmsdoc_value_bool(const char *s, int *v);

#endif
