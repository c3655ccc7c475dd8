/* SPDX-License-Identifier: ISC */
/*
 * The drained-socket BIO (see http_bio.h). A stream socket's read()
 * returns everything that has arrived, up to the size asked for, so a
 * short read means nothing is left; data arriving after it raises a new
 * edge. Everything else is passed to the socket BIO underneath.
 */
#include "server/http_bio.h"

#include <pthread.h>

static BIO_METHOD *http_bio_method;
static pthread_once_t http_bio_once = PTHREAD_ONCE_INIT;

static int
http_bio_read(BIO *b, char *buf, size_t len, size_t *got)
{
	BIO *next = BIO_next(b);
	int *drained = BIO_get_data(b);
	int n;

	BIO_clear_retry_flags(b);
	if (next == NULL || len == 0)
		return 0;
	n = BIO_read(next, buf, len > 0x7fffffff ? 0x7fffffff : (int)len);
	if (n <= 0) {
		BIO_copy_next_retry(b);
		if (BIO_should_retry(next))
			*drained = 1;
		return 0;
	}
	if ((size_t)n < len)
		*drained = 1;
	*got = (size_t)n;
	return 1;
}

static int
http_bio_write(BIO *b, const char *buf, size_t len, size_t *put)
{
	BIO *next = BIO_next(b);
	int n;

	BIO_clear_retry_flags(b);
	if (next == NULL)
		return 0;
	n = BIO_write(next, buf, len > 0x7fffffff ? 0x7fffffff : (int)len);
	if (n <= 0) {
		BIO_copy_next_retry(b);
		return 0;
	}
	*put = (size_t)n;
	return 1;
}

static long
http_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	BIO *next = BIO_next(b);

	return next != NULL ? BIO_ctrl(next, cmd, num, ptr) : 0;
}

static int
http_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void
http_bio_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "skms drained");

	if (m == NULL || BIO_meth_set_read_ex(m, http_bio_read) != 1 ||
	    BIO_meth_set_write_ex(m, http_bio_write) != 1 ||
	    BIO_meth_set_ctrl(m, http_bio_ctrl) != 1 ||
	    BIO_meth_set_create(m, http_bio_create) != 1) {
		BIO_meth_free(m);
		return;
	}
	http_bio_method = m;
}

BIO *
http_bio_new(int fd, int *drained)
{
	BIO *f, *s;

	if (pthread_once(&http_bio_once, http_bio_init) != 0 || http_bio_method == NULL)
		return NULL;
	if ((f = BIO_new(http_bio_method)) == NULL)
		return NULL;
	if ((s = BIO_new_socket(fd, BIO_NOCLOSE)) == NULL) {
		BIO_free(f);
		return NULL;
	}
	BIO_set_data(f, drained);
	return BIO_push(f, s);
}
