/* SPDX-License-Identifier: ISC */
/*
 * The documents skgmsd answers with, in namespace urn:skms:seal:gm:1:
 * Notifications (each Notification wraps the 'Notify group configuration
 * request' notify.c writes, or a NotifyGroupRemoval), Groups, and Error.
 * Every text is XML-escaped. Results are from malloc.
 */
#ifndef SKM_GMS_GMSD_XML_H
#define SKM_GMS_GMSD_XML_H

#include <stddef.h>

#include "gms/gstore.h"

int gmsd_xml_notifications(const char *gms_uri, const struct gstore_dlv *d, size_t n,
    char **doc, size_t *len);
int gmsd_xml_groups(const char (*groups)[GSTORE_GROUP_MAX + 1],
    const struct gstore_member *m, size_t n, char **doc, size_t *len);
int gmsd_xml_error(const char *reason, char **doc, size_t *len);

#endif
