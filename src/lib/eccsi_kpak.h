/* SPDX-License-Identifier: ISC */
/*
 * The fixed-base tables of the KPAKs a client checks keys under, kept
 * across calls: a client validates every key set of a KMS under the same
 * KPAK, so the table is built once (internal to libskm).
 */
#ifndef SKM_LIB_ECCSI_KPAK_H
#define SKM_LIB_ECCSI_KPAK_H

#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/p256.h"

struct eccsi_kpak;

/*
 * The table of kpak (a checked point), from the cache or built now; the
 * reference is the caller's until eccsi_kpak_put. NULL if memory ran out.
 */
struct eccsi_kpak *eccsi_kpak_get(const uint8_t kpak[ECCSI_POINT_LEN]);
const struct p256_tab *eccsi_kpak_tab(const struct eccsi_kpak *k);
void eccsi_kpak_put(struct eccsi_kpak *k);

#endif
