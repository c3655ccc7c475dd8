/* SPDX-License-Identifier: ISC */
/*
 * libskm: MIKEY-SAKKE key management for SEAL clients (VAL clients) and
 * group management servers, without the skms programs: the UID of TS
 * 33.180 F.2.1, the checks on KMS documents (TS 33.180 Annex D), SAKKE
 * (RFC 6508) and ECCSI (RFC 6507) with keys held in memory, and the GMK
 * I_MESSAGE (TS 33.180 E, RFC 6509) made and accepted.
 *
 * The library keeps no files, no keystore and no network connection:
 * every key comes in as bytes from the caller and every result goes back
 * to it. Functions return 0 or a negative SKM_E* code (skm/err.h). Handles
 * are opaque; each has one free function, which accepts NULL and
 * cleanses any secret the handle holds. A handle may be used from several
 * threads at once for reading (every function taking a const handle);
 * functions taking a non-const handle need exclusive use.
 *
 * Link with `pkg-config --cflags --libs skm`; see skm(3).
 */
#ifndef SKM_SKM_H
#define SKM_SKM_H

#include <skm/err.h>
#include <skm/uid.h>
#include <skm/kms.h>
#include <skm/sakke.h>
#include <skm/eccsi.h>
#include <skm/gmk.h>

#endif
