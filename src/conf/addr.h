/* SPDX-License-Identifier: ISC */
/*
 * host:port addresses in skms.yaml: IPv4, [IPv6] or a DNS name, then a port
 * 1..65535. Only the text is checked; names are not resolved here and no
 * socket is touched.
 */
#ifndef SKM_CONF_ADDR_H
#define SKM_CONF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/conf.h"

/*
 * Parses len octets of text into *a. Returns 0, or SKM_EINVAL with the
 * reason in why. Empty text is an error; callers decide what empty means.
 */
int conf_addr_parse(const char *text, size_t len, struct conf_addr *a,
    char *why, size_t whylen);

/* Writes a as it would be parsed back, IPv6 in brackets. */
void conf_addr_print(const struct conf_addr *a, FILE *fp);

bool conf_addr_equal(const struct conf_addr *a, const struct conf_addr *b);

#endif
