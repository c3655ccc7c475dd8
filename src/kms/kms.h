/* SPDX-License-Identifier: ISC */
/*
 * The KMS: the one layer that combines the store with the crypto. It
 * creates a domain (master secrets sealed under the key-encryption key),
 * opens it (unseals the secrets into libskm objects held in the secure
 * heap), and derives the key set of an identity for a key period:
 * UID (TS 33.180 F.2.1), SAKKE RSK (RFC 6508 6.1.1) and ECCSI SSK/PVT
 * (RFC 6507 5.1.1, v deterministic). Derivation is deterministic, so the
 * KMS keeps no per-user private state. Used by skmsctl and skmsd alike.
 */
#ifndef SKM_KMS_KMS_H
#define SKM_KMS_KMS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/eccsi.h"
#include "lib/kmsxml.h"
#include "lib/sakke.h"
#include "lib/uid.h"
#include "store/domain.h"
#include "store/generation.h"
#include "store/generation_state.h"

struct store;
struct store_config;
struct conf;
struct kek;
struct kms_gens;

/* The sealed plaintext: KSAK || PRF key for ECCSI v || z. */
#define KMS_SECRETS_LEN	(ECCSI_SCALAR_LEN + ECCSI_PRF_KEY_LEN + SAKKE_FE_LEN)

/*
 * One generation of master secrets and its Root certificate
 * (store/generation.h). Once published in a struct kms it never changes.
 */
struct kms_gen {
	/*
	 * Public. A running process sees rec.revoked and rec.effective change
	 * once, by an emergency rollover: read them with kms_gen_revoked()
	 * and through the functions below.
	 */
	struct generation_rec rec;
	int withdrawn;			/* a scheduled one an emergency replaced */
	struct sakke_kms *sakke;	/* SECRET: z; NULL when opened public */
	struct eccsi_kms *eccsi;	/* SECRET: KSAK, PRF key */
};

/*
 * An open domain. The generations sit behind gens: kms_refresh() appends
 * the ones another process added, even through a const pointer, while
 * other threads derive with the ones published before.
 */
struct kms {
	struct domain_rec domain;	/* public: what every generation shares */
	const char *domains[DOMAIN_LIST_MAX];	/* into domain.kms_domain_list */
	struct kms_gens *gens;
	struct kms_tkc *tkc;		/* kms_tk.c: keys held while the KEK is set aside */
};

/* What an administrator chooses when creating a domain. */
struct kms_domain_params {
	const char *kms_uri;
	uint64_t key_period;		/* seconds, > 0 */
	uint64_t key_offset;		/* seconds, < key_period */
	const char *cert_uri;		/* NULL: none */
	const char *issuer;		/* NULL: none */
	int64_t valid_from;		/* Unix seconds */
	int64_t valid_to;		/* Unix seconds, > valid_from */
	const char *const *domains;	/* KmsDomainList */
	size_t ndomains;
};

/* One identity's key material for one period. rsk and ssk are SECRET. */
struct kms_keyset {
	uint8_t uid[UID_LEN];
	uint64_t period_no;
	uint32_t gen;			/* generation id of the secrets used */
	int64_t valid_from;		/* period start, Unix seconds */
	int64_t valid_to;		/* period end, Unix seconds */
	uint8_t rsk[SAKKE_POINT_LEN];
	uint8_t ssk[ECCSI_SCALAR_LEN];
	uint8_t pvt[ECCSI_POINT_LEN];
};

/*
 * Creates the domain in one write transaction: fresh master secrets sealed
 * under kek (whose reference ref is recorded, never the key), the domain
 * record with Z and KPAK, and an audit entry by actor. An existing domain
 * is SKM_EEXIST and nothing changes.
 */
int kms_domain_create(struct store *st, const struct kms_domain_params *p,
    const struct kek_ref *ref, const struct kek *kek, const char *actor, int64_t now);

/*
 * Opens the domain of st: loads its key-encryption key from the recorded
 * reference, unseals the secrets and checks that they match the published
 * Z and KPAK. A key file kek_file or a passphrase file passphrase_file
 * (the config's kek.file, kek.passphrase-file; NULL or empty: not named;
 * at most one) overrides the recorded path; naming the other kind of
 * source than the recorded one is SKM_EINVAL. why receives a reason on
 * failure. Free with kms_free().
 */
int kms_open(struct store *st, const char *kek_file, const char *passphrase_file,
    struct kms **out, char *why, size_t whylen);
void kms_free(struct kms *k);

/*
 * Checks that the key-encryption key named as for kms_open() opens the
 * domain's master secrets (skmsd at a reload): 0, or an SKM_E* code with
 * the reason in why. On success the key goes to *keep when keep is not
 * NULL (the caller frees it, or gives it to kms_kek_adopt()), else it is
 * freed.
 */
int kms_kek_check(struct store *st, const char *kek_file, const char *passphrase_file,
    struct kek **keep, char *why, size_t whylen);

/*
 * From now on k unseals the generations a later rollover adds with kek
 * (after 'skmsctl kek rotate' re-sealed them all under it), taking it
 * over; the key k held is freed. With kek NULL the key is set aside (a
 * PKCS#11 key's session closed) and kms_refresh() refuses to load a new
 * generation until a key is adopted again. Thread-safe against
 * kms_refresh().
 */
void kms_kek_adopt(const struct kms *k, struct kek *kek);

/* What kms_kek_rotate() did. */
struct kms_kek_rotation {
	struct kek_ref from;	/* the source before */
	size_t nsealed;		/* sealed records moved */
};

/*
 * Moves the domain of st from its key-encryption key (named as for
 * kms_open()) to to, whose reference to_ref is recorded: in one write
 * transaction every sealed record is re-sealed under to, the domain
 * records to_ref and an audit entry by actor is added. Any kind of source
 * may go to any kind. A current key that does not open the store, or a
 * new one that is the current key (it opens the store already, or names a
 * file of the current kind that yields it), is refused before anything is
 * written: SKM_EVERIFY, SKM_EEXIST, with the reason in why.
 */
int kms_kek_rotate(struct store *st, const char *kek_file, const char *passphrase_file,
    const struct kek_ref *to_ref, const struct kek *to, const char *actor, int64_t now,
    struct kms_kek_rotation *res, char *why, size_t whylen);

/*
 * Opens only the public side of the domain (no key-encryption key, no
 * secrets): enough for kms_cert() and kms_period_at(); derivation on it is
 * SKM_ESTATE.
 */
int kms_open_public(struct store *st, struct kms **out);

/* The Root KmsCertificate in force at now (pointers into k). */
void kms_cert(const struct kms *k, int64_t now, struct kmsxml_cert *cert);

/* The certificate of generation g (pointers into k and g). */
void kms_gen_cert(const struct kms *k, const struct kms_gen *g, struct kmsxml_cert *cert);

/* The next certificate at now, when a rollover is scheduled; else SKM_ENOTFOUND. */
int kms_cert_next(const struct kms *k, int64_t now, struct kmsxml_cert *cert);

/* Generations published in k, oldest first; kms_gen_at(k, i) for i < the count. */
size_t kms_gen_count(const struct kms *k);
const struct kms_gen *kms_gen_at(const struct kms *k, size_t i);

/* The state at now of the i-th generation. */
enum generation_state kms_gen_state(const struct kms *k, size_t i, int64_t now);

/*
 * The store's generation serial k last loaded (store_generation_serial()):
 * it grows with every rollover, revocation and purge.
 */
uint64_t kms_gen_serial(const struct kms *k);

/*
 * Calls fn with the KmsCertificate element (no XML declaration; len
 * octets, valid for the call) of each revoked generation of k, oldest
 * first; stops at and returns fn's first non-zero result.
 */
int kms_revoked_each(const struct kms *k, int (*fn)(const char *xml, size_t len,
    void *arg), void *arg);

/* Is g's certificate revoked (an emergency rollover replaced it)? */
int kms_gen_revoked(const struct kms_gen *g);

/* The generation whose secrets derive period_no; NULL when it was purged. */
const struct kms_gen *kms_gen_of_period(const struct kms *k, uint64_t period_no);

/* The generation with id, or NULL. */
const struct kms_gen *kms_gen_by_id(const struct kms *k, uint32_t id);

/*
 * Loads the generations added to st since k was opened or last refreshed
 * (by a rollover in another process), unsealing them with the key the
 * domain was opened with. Cheap when nothing changed: one read of the
 * store's generation serial. Thread-safe; derivations on other threads go
 * on meanwhile. *added (may be NULL) gets how many were loaded. A failure
 * leaves k as it was, with why set; it is not retried until the store
 * changes again.
 */
int kms_refresh(const struct kms *k, struct store *st, size_t *added, char *why,
    size_t whylen);

/* What an administrator chooses for a rollover. */
struct kms_rollover_params {
	int64_t at;			/* effective from the first period starting at or after */
	int64_t valid_to;		/* 0: as long as the current certificate's validity */
	const char *cert_uri;		/* NULL: derived from the current one */
	int immediate;			/* --now: from the current period; at is ignored */
	int revoke_current;		/* revoke the certificate in force (needs immediate) */
};

/*
 * A rollover in one write transaction: fresh master secrets sealed under
 * the key-encryption key k was opened with, a new generation with its Root
 * certificate, and an audit entry by actor. k must have been opened with
 * kms_open(). Refused (SKM_ESTATE) while another rollover is scheduled,
 * SKM_EEXIST for a CertUri in use, SKM_EINVAL for a time or validity out
 * of range, SKM_ELEN when GENERATION_MAX generations exist; why says
 * which. *out gets the new generation.
 *
 * An immediate rollover with revoke_current (a suspected compromise) takes
 * effect from the start of the current key period: the generation in force
 * is marked revoked, and a scheduled rollover is replaced (its generation,
 * never in force, is deleted with its secrets). When the generation in
 * force took effect at the start of the current period itself, its
 * effective time moves back between two period starts, so it keeps no
 * period: a period belongs to exactly one generation.
 */
int kms_rollover(const struct kms *k, struct store *st, const struct kms_rollover_params *p,
    const char *actor, int64_t now, struct generation_rec *out, char *why, size_t whylen);

/*
 * Deletes the retired generations no key period from oldest_start on can
 * reach (generation_purgeable()), with their sealed secrets and an audit
 * entry, in one write transaction. ids (cap entries) gets the purged
 * generations, *n their count. Retired generations that are still
 * reachable and none purgeable is SKM_ESTATE, with why naming the first
 * and when it stops being reachable; nothing retired is 0 with *n 0.
 */
int kms_purge_retired(const struct kms *k, struct store *st, int64_t oldest_start,
    const char *actor, int64_t now, uint32_t *ids, size_t cap, size_t *n, char *why,
    size_t whylen);

/* Period number and bounds of the period containing a Unix time. */
int kms_period_at(const struct kms *k, int64_t unix_time, uint64_t *period_no,
    int64_t *start, int64_t *end);

/* Bounds of period_no, Unix seconds. */
int kms_period_bounds(const struct kms *k, uint64_t period_no, int64_t *start,
    int64_t *end);

/*
 * Whether the key set of the period [start, end) may be issued under a
 * certificate valid from valid_from to valid_to (kms_validity.c): 0 when
 * the period ends after valid_from and no later than valid_to, else
 * SKM_ERANGE (SKM_EINVAL for an empty period). Pure.
 */
int kms_validity_check(int64_t valid_from, int64_t valid_to, int64_t start,
    int64_t end);

/*
 * The same for period_no under the domain's Root certificate of that
 * period; SKM_EREVOKED when that certificate is revoked.
 */
int kms_validity_period(const struct kms *k, uint64_t period_no);

/*
 * Whether the certificate's coming end is to be logged at now: once it is
 * KMS_VALIDITY_WARN seconds away or less (or past), at the first check
 * (last, the time of the previous warning, is 0) and then every
 * KMS_VALIDITY_WARN_EVERY seconds. Pure.
 */
#define KMS_VALIDITY_WARN	(90 * 86400)
#define KMS_VALIDITY_WARN_EVERY	86400
int kms_validity_warn_due(int64_t now, int64_t valid_to, int64_t last);

/*
 * Derives the key set of uri (exact octets) for period_no. SKM_EZERO in the
 * 2^-1022-probable case that no SAKKE key exists for the UID; SKM_ERANGE
 * for a period the Root certificate does not cover (kms_validity_period).
 */
int kms_keyset_derive(const struct kms *k, const char *uri, size_t urilen,
    uint64_t period_no, struct kms_keyset *ks);

/*
 * Derives the key sets of n identities (uris[i], lens[i] octets) for
 * period_no into ks[i], sharing the SAKKE inversions (kms_batch.c).
 * status[i] gets 0 or the SKM_E* of entry i (whose ks[i] is then
 * cleansed); the call returns 0 when the batch ran, else an SKM_E* for all
 * (SKM_ERANGE for a period the Root certificate does not cover).
 */
int kms_keyset_derive_batch(const struct kms *k, size_t n, const char *const uris[],
    const size_t lens[], uint64_t period_no, struct kms_keyset ks[], int status[]);

/* The KmsKeySet view of ks for uri (pointers into k and ks). */
void kms_keyset_xml(const struct kms *k, const struct kms_keyset *ks, const char *uri,
    struct kmsxml_keyset *x);

/* Cleanses a key set. */
void kms_keyset_clear(struct kms_keyset *ks);

/*
 * The store cf names (store.backend, store.path or path when not NULL,
 * store.map-size, store.postgresql.*, node.name) into sc, whose strings
 * stay cf's; and opening it, as store_open_config().
 */
void kms_store_config(const struct conf *cf, const char *path, struct store_config *sc);
int kms_store_open(const struct conf *cf, const char *path, unsigned flags,
    struct store **out, char *why, size_t whylen);

/*
 * The Transport and Integrity Keys of identity uri (len octets) and its
 * devices, unsealed under the key-encryption key the domain was opened
 * with (store/tk.h). kms_tk_find() gives in out the first of the
 * identity's records (its own, then its devices' by name) for which match
 * returns 1 (any record when match is NULL), and its device name ("" for
 * the identity's own) in device (STORE_TK_DEVICE_MAX + 1 octets, may be
 * NULL): 0, SKM_ENOTFOUND (no record, or none matched), SKM_ESTATE (the
 * key is set aside, a PKCS#11 token's, see kms_kek_adopt, and no held
 * record matched while the identity has one kms_tk_hold() did not hold)
 * or another SKM_E*. out is SECRET. Opened records are kept (secure heap,
 * bounded, checked against the store at each call, see kms_tk.c).
 * Reads the store in a transaction of its own; thread-safe.
 */
struct store_tk;
typedef int kms_tk_match_fn(const struct store_tk *tk, const char *device, void *arg);
int kms_tk_find(const struct kms *k, struct store *st, const char *uri, size_t len,
    kms_tk_match_fn *match, void *arg, struct store_tk *out, char *device);

/* Cleanses and drops the kept records, unless they are held (kms_tk_hold). */
void kms_tk_forget(const struct kms *k);

/*
 * The records kept unsealed (or held), at most KMS_TK_KEPT_MAX unless
 * held: each takes 1 KiB of skmsd's 1 MiB secure heap, which the key sets
 * being derived and the other keys share.
 */
#define KMS_TK_KEPT_MAX	64
size_t kms_tk_kept(const struct kms *k);

/*
 * While the key-encryption key is held (a PKCS#11 token's session open),
 * unseals every record of every identity into memory (secure heap),
 * replacing and cleansing what was held: kms_tk_find() answers from there
 * once the key is set aside, so a token's KEK does not leave the
 * extension unavailable. A record added or changed afterwards is taken up
 * at the next call (skmsd: the next reload); until then an identity
 * with a record not held gets SKM_ESTATE when no held record matches. 0
 * with *count the records held, SKM_ESTATE (no key held), or another
 * SKM_E* with what was held before left as it was. Call from one thread
 * at a time.
 */
int kms_tk_hold(const struct kms *k, struct store *st, size_t *count);

/*
 * As store_tk_get() and store_tk_put() for uri and device (NULL or "": the
 * identity's own record) inside the caller's transaction t (skmsctl).
 */
struct store_txn;
int kms_tk_get_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const char *device, struct store_tk *out);
int kms_tk_put_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    const char *device, const struct store_tk *tk);

/*
 * Calls fn with each record of uri (len octets), or of every identity when
 * uri is NULL, unsealed (tk is SECRET, cleansed after the call); fn
 * returns 0 to go on, > 0 to stop, < 0 to stop with that error.
 */
typedef int kms_tk_each_fn(const char *uri, size_t len, const char *device,
    const struct store_tk *tk, void *arg);
int kms_tk_each_txn(const struct kms *k, struct store_txn *t, const char *uri, size_t len,
    kms_tk_each_fn *fn, void *arg);

#endif
