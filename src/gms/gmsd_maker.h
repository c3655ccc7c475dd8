/* SPDX-License-Identifier: ISC */
/*
 * skgmsd's key worker, one thread beside the event loop: it keeps the GMS
 * identity's key material fresh in its keystore (the key sets of the
 * current and next key period, a KMS Init now and then for a scheduled
 * rollover, as 'skmc watch' does) and makes the I_MESSAGEs of the GMK
 * deliveries the store holds without one (gmksend, on its own threads),
 * storing them before they can be sent. It never touches the loop.
 */
#ifndef SKM_GMS_GMSD_MAKER_H
#define SKM_GMS_GMSD_MAKER_H

#include <stddef.h>

struct gstore;
struct gmsd_maker;

#define GMSD_IMSG_MAX_AGE	120	/* seconds an I_MESSAGE is sent before it is made anew */

/*
 * Opens the keystore identity (keystore directory, identity URI or NULL
 * for its only one) to check it, copies its URI into uri, and starts the
 * thread. why says what failed.
 */
int gmsd_maker_start(struct gstore *st, const char *keystore, const char *identity,
    char *uri, size_t urilen, struct gmsd_maker **out, char *why, size_t whylen);

/* Wakes the thread: the store changed (any thread). */
void gmsd_maker_kick(struct gmsd_maker *m);

/* Stops and joins the thread; frees. */
void gmsd_maker_stop(struct gmsd_maker *m);

#endif
