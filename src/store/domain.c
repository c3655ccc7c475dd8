/* SPDX-License-Identifier: ISC */
/*
 * Encoding of the one domain record, key { STORE_C_DOMAIN }. Value v1:
 * version, then the fields in struct order; texts as u16-length strings.
 * Holds no secret: the key-encryption key appears only as a reference.
 */
#include "store/domain.h"
#include "store/rec.h"
#include "store/store.h"
#include "common/err.h"

#include <string.h>

#define DOMAIN_V1	1

static const uint8_t domain_key[] = { STORE_C_DOMAIN };

static void
put_text(struct rec_buf *b, const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max) {
		if (b->err == 0)
			b->err = SKM_ELEN;
		return;
	}
	rec_str16(b, s, n);
}

static void
get_text(struct rec_rd *r, char *dst, size_t max)
{
	size_t n;
	const uint8_t *p = rec_get_str16(r, &n);

	dst[0] = '\0';
	if (p == NULL)
		return;
	if (n > max || memchr(p, '\0', n) != NULL) {
		r->err = SKM_ESTORE;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = '\0';
}

int
store_domain_put(struct store_txn *t, const struct domain_rec *d, int replace)
{
	struct rec_buf b;
	size_t i;
	int err;

	if (t->err != 0)
		return t->err;
	if (d->n_domains > DOMAIN_LIST_MAX || d->user_key_period == 0 ||
	    kek_ops_find(d->kek.kind) == NULL)
		return store_txn_fail(t, SKM_EINVAL);
	rec_init(&b);
	rec_u8(&b, DOMAIN_V1);
	put_text(&b, d->kms_uri, DOMAIN_URI_MAX);
	rec_u64(&b, d->user_key_period);
	rec_u64(&b, d->user_key_offset);
	rec_u8(&b, d->user_id_format);
	rec_u8(&b, d->parameter_set);
	put_text(&b, d->cert_uri, DOMAIN_URI_MAX);
	put_text(&b, d->issuer, DOMAIN_TEXT_MAX);
	rec_i64(&b, d->valid_from);
	rec_i64(&b, d->valid_to);
	rec_u8(&b, d->revoked != 0);
	rec_u8(&b, (uint8_t)d->n_domains);
	for (i = 0; i < d->n_domains; i++)
		put_text(&b, d->kms_domain_list[i], DOMAIN_URI_MAX);
	rec_bytes(&b, d->z, DOMAIN_Z_LEN);
	rec_bytes(&b, d->kpak, DOMAIN_KPAK_LEN);
	rec_u8(&b, (uint8_t)d->kek.kind);
	put_text(&b, d->kek.path, KEK_PATH_MAX - 1);
	rec_u64(&b, d->kek.scrypt_n);
	rec_u32(&b, d->kek.scrypt_r);
	rec_u32(&b, d->kek.scrypt_p);
	rec_bytes(&b, d->kek.salt, KEK_SALT_LEN);
	if (b.err != 0)
		err = store_txn_fail(t, b.err);
	else
		err = store_txn_put(t, domain_key, sizeof(domain_key), b.p, b.len,
		    replace ? 0 : STORE_NOOVERWRITE);
	rec_free(&b);
	return err;
}

int
store_domain_get(struct store_txn *t, struct domain_rec *d)
{
	struct rec_rd r;
	const uint8_t *v, *p;
	size_t vlen, i;
	int err;

	memset(d, 0, sizeof(*d));
	if ((err = store_txn_get(t, domain_key, sizeof(domain_key), &v, &vlen)) != 0)
		return err;
	rec_rd_init(&r, v, vlen);
	if (rec_get_u8(&r) != DOMAIN_V1)
		return store_txn_fail(t, SKM_ESTORE);
	get_text(&r, d->kms_uri, DOMAIN_URI_MAX);
	d->user_key_period = rec_get_u64(&r);
	d->user_key_offset = rec_get_u64(&r);
	d->user_id_format = rec_get_u8(&r);
	d->parameter_set = rec_get_u8(&r);
	get_text(&r, d->cert_uri, DOMAIN_URI_MAX);
	get_text(&r, d->issuer, DOMAIN_TEXT_MAX);
	d->valid_from = rec_get_i64(&r);
	d->valid_to = rec_get_i64(&r);
	d->revoked = rec_get_u8(&r);
	d->n_domains = rec_get_u8(&r);
	if (d->n_domains > DOMAIN_LIST_MAX)
		return store_txn_fail(t, SKM_ESTORE);
	for (i = 0; i < d->n_domains; i++)
		get_text(&r, d->kms_domain_list[i], DOMAIN_URI_MAX);
	if ((p = rec_get_bytes(&r, DOMAIN_Z_LEN)) != NULL)
		memcpy(d->z, p, DOMAIN_Z_LEN);
	if ((p = rec_get_bytes(&r, DOMAIN_KPAK_LEN)) != NULL)
		memcpy(d->kpak, p, DOMAIN_KPAK_LEN);
	d->kek.kind = (enum kek_kind)rec_get_u8(&r);
	get_text(&r, d->kek.path, KEK_PATH_MAX - 1);
	d->kek.scrypt_n = rec_get_u64(&r);
	d->kek.scrypt_r = rec_get_u32(&r);
	d->kek.scrypt_p = rec_get_u32(&r);
	if ((p = rec_get_bytes(&r, KEK_SALT_LEN)) != NULL)
		memcpy(d->kek.salt, p, KEK_SALT_LEN);
	if ((err = rec_rd_end(&r)) != 0)
		return store_txn_fail(t, err);
	return 0;
}
