/* SPDX-License-Identifier: ISC */
/* Shared by the xsec files: the locked-down parse and the key. */
#ifndef SKM_XSEC_XSEC_IMPL_H
#define SKM_XSEC_XSEC_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/keys.h>

#define XSEC_KMS_NS	"urn:3gpp:ns:mcsecKMSInterface:1.0"

/*
 * Parses len octets with no network, no DTD, no entity substitution;
 * any DOCTYPE is refused. NULL on any failure. Errors are not printed.
 */
xmlDocPtr xsec_parse(const char *doc, size_t len);

/* An HMAC key of XSEC_KEY_LEN octets named name; NULL on failure. */
xmlSecKeyPtr xsec_hmac_key(const uint8_t *key, const char *name);

/* Registers the Id attribute of n as an XML ID; 0 or -1 when n has none. */
int xsec_add_id(xmlDocPtr doc, xmlNodePtr n);

/* The first element child of n in namespace ns named name, or NULL. */
xmlNodePtr xsec_child(xmlNodePtr n, const char *ns, const char *name);

#endif
