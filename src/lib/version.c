/* SPDX-License-Identifier: ISC */
/* The package version, for every binary's --version. */
#include "config.h"
#include "lib/version.h"

const char *
skm_version(void)
{
	return PACKAGE_VERSION;
}
