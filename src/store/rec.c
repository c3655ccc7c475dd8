/* SPDX-License-Identifier: ISC */
/*
 * Big-endian record encoding for the store. Bounds are checked on every
 * read: a record that does not parse is a corrupt store, never a crash.
 */
#include "store/rec.h"
#include "common/be.h"
#include "common/err.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

void
rec_init(struct rec_buf *b)
{
	b->p = b->stack;
	b->cap = sizeof(b->stack);
	b->len = 0;
	b->err = 0;
	b->heap = 0;
}

void
rec_free(struct rec_buf *b)
{
	if (b->heap)
		free(b->p);
	b->p = b->stack;
	b->heap = 0;
	b->len = 0;
}

static uint8_t *
rec_room(struct rec_buf *b, size_t n)
{
	uint8_t *np;
	size_t ncap;

	if (b->err != 0)
		return NULL;
	if (n > b->cap - b->len) {
		ncap = b->cap * 2;
		while (ncap - b->len < n)
			ncap *= 2;
		if (b->heap) {
			np = realloc(b->p, ncap);
		} else {
			np = malloc(ncap);
			if (np != NULL)
				memcpy(np, b->p, b->len);
		}
		if (np == NULL) {
			b->err = SKM_ENOMEM;
			return NULL;
		}
		b->p = np;
		b->cap = ncap;
		b->heap = 1;
	}
	b->len += n;
	return b->p + b->len - n;
}

void
rec_u8(struct rec_buf *b, uint8_t v)
{
	uint8_t *p = rec_room(b, 1);

	if (p != NULL)
		p[0] = v;
}

void
rec_be16(uint8_t *p, uint16_t v)
{
	be_put(p, v, 2);
}

void
rec_be64(uint8_t *p, uint64_t v)
{
	be_put(p, v, 8);
}

uint64_t
rec_get_be64(const uint8_t *p)
{
	return be_get(p, 8);
}

void
rec_u16(struct rec_buf *b, uint16_t v)
{
	uint8_t *p = rec_room(b, 2);

	if (p != NULL)
		rec_be16(p, v);
}

void
rec_u32(struct rec_buf *b, uint32_t v)
{
	uint8_t *p = rec_room(b, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void
rec_u64(struct rec_buf *b, uint64_t v)
{
	uint8_t *p = rec_room(b, 8);

	if (p != NULL)
		rec_be64(p, v);
}

void
rec_i64(struct rec_buf *b, int64_t v)
{
	rec_u64(b, (uint64_t)v);
}

void
rec_bytes(struct rec_buf *b, const void *src, size_t n)
{
	uint8_t *p;

	if (n == 0)
		return;
	if ((p = rec_room(b, n)) != NULL)
		memcpy(p, src, n);
}

void
rec_str16(struct rec_buf *b, const void *src, size_t n)
{
	if (n > UINT16_MAX) {
		if (b->err == 0)
			b->err = SKM_ELEN;
		return;
	}
	rec_u16(b, (uint16_t)n);
	rec_bytes(b, src, n);
}

void
rec_rd_init(struct rec_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = 0;
}

const uint8_t *
rec_get_bytes(struct rec_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err != 0)
		return NULL;
	if (n > r->len - r->off) {
		r->err = SKM_ESTORE;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

uint8_t
rec_get_u8(struct rec_rd *r)
{
	const uint8_t *p = rec_get_bytes(r, 1);

	return p != NULL ? p[0] : 0;
}

uint16_t
rec_get_u16(struct rec_rd *r)
{
	const uint8_t *p = rec_get_bytes(r, 2);

	return p != NULL ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t
rec_get_u32(struct rec_rd *r)
{
	const uint8_t *p = rec_get_bytes(r, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rec_get_u64(struct rec_rd *r)
{
	const uint8_t *p = rec_get_bytes(r, 8);

	return p != NULL ? rec_get_be64(p) : 0;
}

int64_t
rec_get_i64(struct rec_rd *r)
{
	return (int64_t)rec_get_u64(r);
}

const uint8_t *
rec_get_str16(struct rec_rd *r, size_t *n)
{
	size_t len = rec_get_u16(r);
	const uint8_t *p = rec_get_bytes(r, len);

	*n = p != NULL ? len : 0;
	return p;
}

int
rec_rd_end(struct rec_rd *r)
{
	if (r->err == 0 && r->off != r->len)
		r->err = SKM_ESTORE;
	return r->err;
}

void
rec_text(struct rec_buf *b, const char *s)
{
	rec_str16(b, s, strlen(s) + 1);
}

const char *
rec_get_text(struct rec_rd *r)
{
	size_t n;
	const uint8_t *p = rec_get_str16(r, &n);

	if (p == NULL)
		return NULL;
	if (n == 0 || p[n - 1] != '\0') {
		r->err = SKM_ESTORE;
		return NULL;
	}
	return (const char *)p;
}

size_t
rec_uri_part(const uint8_t *uri, size_t len, uint8_t *out)
{
	if (len <= REC_URI_INLINE) {
		if (len > 0)
			memcpy(out, uri, len);
		return len;
	}
	memcpy(out, uri, REC_URI_HEAD);
	SHA256(uri, len, out + REC_URI_HEAD);
	return REC_URI_PART;
}
