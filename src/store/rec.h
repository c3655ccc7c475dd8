/* SPDX-License-Identifier: ISC */
/*
 * Record encoding for the store: big-endian integers and length-prefixed
 * octet strings, written to a growing buffer and read back with bounds
 * checks. Internal to src/store; knows nothing about record meanings.
 * A writer or reader records its first error and ignores later calls.
 */
#ifndef SKM_STORE_REC_H
#define SKM_STORE_REC_H

#include <stddef.h>
#include <stdint.h>

struct rec_buf {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
	int heap;	/* p was allocated here and is freed by rec_free() */
	uint8_t stack[256];
};

/* Starts an empty writer; small records stay in the struct. */
void rec_init(struct rec_buf *b);
void rec_free(struct rec_buf *b);
void rec_u8(struct rec_buf *b, uint8_t v);
void rec_u16(struct rec_buf *b, uint16_t v);
void rec_u32(struct rec_buf *b, uint32_t v);
void rec_u64(struct rec_buf *b, uint64_t v);
void rec_i64(struct rec_buf *b, int64_t v);
void rec_bytes(struct rec_buf *b, const void *p, size_t n);
/* A u16 length then the octets; longer than 65535 is SKM_ELEN. */
void rec_str16(struct rec_buf *b, const void *p, size_t n);

struct rec_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	int err;
};

void rec_rd_init(struct rec_rd *r, const uint8_t *p, size_t len);
uint8_t rec_get_u8(struct rec_rd *r);
uint16_t rec_get_u16(struct rec_rd *r);
uint32_t rec_get_u32(struct rec_rd *r);
uint64_t rec_get_u64(struct rec_rd *r);
int64_t rec_get_i64(struct rec_rd *r);
/* n octets in place (NULL after an error). */
const uint8_t *rec_get_bytes(struct rec_rd *r, size_t n);
/* A rec_str16() string in place; *n gets its length. */
const uint8_t *rec_get_str16(struct rec_rd *r, size_t *n);
/* 0 if everything was read without error, else SKM_ESTORE (a corrupt record). */
int rec_rd_end(struct rec_rd *r);

/* A NUL-terminated text stored with its NUL (u16 length includes it). */
void rec_text(struct rec_buf *b, const char *s);
/* A rec_text() string in place, checked to end in its NUL. */
const char *rec_get_text(struct rec_rd *r);

/*
 * The key form of a URI: LMDB keys are at most 511 octets but URIs up to
 * 1024, so a URI longer than REC_URI_INLINE octets is keyed by its first
 * REC_URI_HEAD octets and its SHA-256 (REC_URI_PART octets). The lengths
 * differ, so an inline and a hashed form never collide; the full URI is
 * kept in the value. out holds REC_URI_PART octets; returns the length.
 */
#define REC_URI_INLINE	463
#define REC_URI_HEAD	432
#define REC_URI_PART	(REC_URI_HEAD + 32)
size_t rec_uri_part(const uint8_t *uri, size_t len, uint8_t *out);

/* Big-endian helpers for keys. */
void rec_be16(uint8_t *p, uint16_t v);
void rec_be64(uint8_t *p, uint64_t v);
uint64_t rec_get_be64(const uint8_t *p);

#endif
