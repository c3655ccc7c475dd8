/* SPDX-License-Identifier: ISC */
/*
 * A pass-through OpenSSL BIO on a connection's socket that notices when
 * the socket has been read empty: a read() that returned less than was
 * asked for, or would block. With edge-triggered events that is what
 * tells the transport to wait for the next edge instead of calling read()
 * once more only to see EAGAIN.
 */
#ifndef SKM_SERVER_HTTP_BIO_H
#define SKM_SERVER_HTTP_BIO_H

#include <openssl/bio.h>

/*
 * A BIO chain over socket fd (not closed with the chain) that sets
 * *drained to 1 when the socket has been read empty; the caller clears
 * it on each read edge. NULL when out of memory.
 */
BIO *http_bio_new(int fd, int *drained);

#endif
