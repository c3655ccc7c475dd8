/* SPDX-License-Identifier: ISC */
/*
 * UTF-8 decoding, strict (RFC 3629): one place that knows what is valid,
 * for the identity URI checks and the XML writer. Reads only; never
 * repairs or rewrites text.
 */
#ifndef SKM_COMMON_UTF8_H
#define SKM_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at the start of s (len octets, len > 0): returns
 * its length (1 to 4) and sets *cp, or 0 when s does not start a valid
 * sequence: a stray continuation octet, 0xC0, 0xC1 or 0xF5 to 0xFF, an
 * overlong form, a surrogate, a code point beyond U+10FFFF, or a sequence
 * cut short.
 */
size_t utf8_decode(const uint8_t *s, size_t len, uint32_t *cp);

/*
 * 1 when cp is a Char of XML 1.0 (2.2): tab, LF, CR, U+0020 to U+D7FF,
 * U+E000 to U+FFFD and U+10000 to U+10FFFF; else 0.
 */
int utf8_xml_char(uint32_t cp);

#endif
