/* SPDX-License-Identifier: ISC */
#ifndef SKM_LIB_VERSION_H
#define SKM_LIB_VERSION_H

/* The package version string, static. */
const char *skm_version(void);

#endif
