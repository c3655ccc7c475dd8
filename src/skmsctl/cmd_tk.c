/* SPDX-License-Identifier: ISC */
/*
 * The Transport and Integrity Keys of identities and of their devices (TS
 * 33.180 D.1): trk|ink set, rotate, remove, and list. --device DEV works
 * on the keys of one device of the identity, each its own record; an ID
 * names one key of one record of the identity, so that the TrK-ID or
 * Signature-ID of a request finds its record. A key comes from a
 * 32-octet secret file (owner only, as every secret file) or, when the
 * file named does not exist, is generated and written there (mode 0600)
 * for out-of-band provisioning of the client. Keys are sealed in the
 * store under the key-encryption key; neither output nor the audit log
 * shows a key, only its ID.
 */
#include "skmsctl/ctl.h"
#include "common/err.h"
#include "common/secfile.h"
#include "kms/kms.h"
#include "store/identity.h"
#include "store/store.h"
#include "store/tk.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* trk or ink, from the command's name: the slots it works on. */
static void
tk_slots(const struct ctl *c, enum store_tk_which *cur, enum store_tk_which *next,
    const char **label)
{
	int ink = strcmp(c->cmd->noun, "ink") == 0;

	*cur = ink ? STORE_TK_INK : STORE_TK_TRK;
	*next = ink ? STORE_TK_INK_NEXT : STORE_TK_TRK_NEXT;
	*label = ink ? "ink" : "trk";
}

/* The key in path, or a new one written there when path does not exist. */
static int
tk_key_file(struct ctl *c, const char *path, uint8_t *key, int *made)
{
	char why[SECFILE_WHY_MAX];
	struct stat sb;
	size_t len = 0;
	int rc;

	*made = 0;
	if (lstat(path, &sb) != 0 && errno == ENOENT) {
		if (RAND_priv_bytes(key, STORE_TK_KEY_LEN) != 1)
			return ctl_fail(c, path, "no random octets");
		if ((rc = secfile_write(path, key, STORE_TK_KEY_LEN, 0)) != 0)
			return ctl_fail(c, path, skm_strerror(rc));
		*made = 1;
		return 0;
	}
	why[0] = '\0';
	if ((rc = secfile_read(path, key, STORE_TK_KEY_LEN, &len, why, sizeof(why))) != 0)
		return ctl_fail(c, path, why[0] != '\0' ? why : skm_strerror(rc));
	if (len != STORE_TK_KEY_LEN)
		return ctl_fail(c, path, "a key file holds exactly 32 octets");
	return 0;
}

/* Opens the domain and a write transaction; the identity must be registered. */
static int
tk_begin(struct ctl *c, const char *uri, const char *device, struct store_txn *t,
    struct store_tk *tk)
{
	struct identity_rec r;
	int rc;

	if ((rc = ctl_kms(c)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 1, t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	if (store_identity_get(t, (const uint8_t *)uri, strlen(uri), &r) != 0) {
		store_txn_abort(t);
		return ctl_fail(c, uri, "identity not registered");
	}
	rc = kms_tk_get_txn(c->kms, t, uri, strlen(uri), device, tk);
	if (rc != 0 && rc != SKM_ENOTFOUND) {
		store_txn_abort(t);
		return ctl_fail(c, uri, rc == SKM_ESTATE ?
		    "the key-encryption key is not available" : skm_strerror(rc));
	}
	return 0;
}

static int
tk_commit(struct ctl *c, struct store_txn *t, const char *uri, const char *device,
    const struct store_tk *tk, const char *action, const char *detail)
{
	int rc;

	kms_tk_put_txn(c->kms, t, uri, strlen(uri), device, tk);
	ctl_audit(c, t, action, uri, detail);
	if ((rc = store_txn_commit(t)) != 0)
		return ctl_fail(c, uri, skm_strerror(rc));
	return 0;
}

/* --device: absent (the identity's own keys) or a usable name. */
static int
tk_device(struct ctl *c, const char *device)
{
	if (device != NULL && !store_tk_device_ok(device))
		return ctl_usage(c, "--device", "1 to 64 printable characters, no space, < or &");
	return 0;
}

struct tk_dup {
	const char *device;		/* the record being changed, "" for the identity's */
	const char *id;
	char other[STORE_TK_DEVICE_MAX + 1];
	int found;
};

/* Stops at another record of the identity that has a key named id. */
static int
tk_dup_one(const char *uri, size_t len, const char *device, const struct store_tk *tk,
    void *arg)
{
	struct tk_dup *d = arg;
	size_t i;

	(void)uri;
	(void)len;
	if (strcmp(device, d->device) == 0)
		return 0;
	for (i = 0; i < STORE_TK_SLOTS; i++) {
		if (tk->slot[i].set && strcmp(tk->slot[i].id, d->id) == 0) {
			snprintf(d->other, sizeof(d->other), "%s", device);
			d->found = 1;
			return 1;
		}
	}
	return 0;
}

/* set (rotate 0) or rotate (1): the key goes to the current or the next slot. */
static int
tk_set(struct ctl *c, int argc, char **argv, int rotate)
{
	const char *uri = NULL, *id = NULL, *file = NULL, *device = NULL, *label;
	const struct ctl_arg args[] = {
		{ "device", CTL_ARG_STR, &device, NULL },
		{ "id", CTL_ARG_STR, &id, NULL },
		{ "key-file", CTL_ARG_STR, &file, NULL },
		{ NULL, 0, NULL, NULL },
	};
	enum store_tk_which cur, next;
	struct store_tk *tk = NULL;
	struct store_txn t;
	struct tk_dup dup;
	char action[32], detail[STORE_TK_ID_MAX + STORE_TK_DEVICE_MAX + 64];
	uint8_t key[STORE_TK_KEY_LEN];
	int rc = 0, made = 0;

	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	tk_slots(c, &cur, &next, &label);
	if ((rc = ctl_uri(c, uri)) != 0 || (rc = tk_device(c, device)) != 0)
		return rc;
	if (id == NULL || !store_tk_id_ok(id))
		return ctl_usage(c, "--id", "1 to 128 printable characters, no space, < or &");
	if (file == NULL)
		return ctl_usage(c, "--key-file", "required: the key is read from it, or "
		    "generated into it when it does not exist");
	if ((tk = OPENSSL_secure_zalloc(sizeof(*tk))) == NULL)
		return ctl_fail(c, uri, "out of memory");
	if ((rc = tk_begin(c, uri, device, &t, tk)) != 0)
		goto out;
	memset(&dup, 0, sizeof(dup));
	dup.device = device != NULL ? device : "";
	dup.id = id;
	if ((rc = kms_tk_each_txn(c->kms, &t, uri, strlen(uri), tk_dup_one, &dup)) != 0 ||
	    dup.found) {
		store_txn_abort(&t);
		if (rc != 0)
			rc = ctl_fail(c, uri, skm_strerror(rc));
		else {
			if (dup.other[0] != '\0')
				snprintf(detail, sizeof(detail), "already names a key of "
				    "device %s of the identity", dup.other);
			else
				snprintf(detail, sizeof(detail), "already names one of the "
				    "identity's own keys");
			rc = ctl_fail(c, id, detail);
		}
		goto out;
	}
	if (rotate && !tk->slot[cur].set) {
		store_txn_abort(&t);
		rc = ctl_fail(c, uri, "no key to rotate: set one first");
		goto out;
	}
	if (strcmp(label, "ink") == 0 && !tk->slot[STORE_TK_TRK].set) {
		store_txn_abort(&t);
		rc = ctl_fail(c, uri, "an integrity key needs a transport key first");
		goto out;
	}
	if ((rc = tk_key_file(c, file, key, &made)) != 0) {
		store_txn_abort(&t);
		goto out;
	}
	if (rotate) {
		/* A rotation not yet taken up is completed by the next one. */
		if (tk->slot[next].set)
			tk->slot[cur] = tk->slot[next];
		tk->slot[next].set = 1;
		snprintf(tk->slot[next].id, sizeof(tk->slot[next].id), "%s", id);
		memcpy(tk->slot[next].key, key, sizeof(key));
	} else {
		memset(&tk->slot[next], 0, sizeof(tk->slot[next]));
		tk->slot[cur].set = 1;
		snprintf(tk->slot[cur].id, sizeof(tk->slot[cur].id), "%s", id);
		memcpy(tk->slot[cur].key, key, sizeof(key));
	}
	snprintf(action, sizeof(action), "%s %s", label, rotate ? "rotate" : "set");
	if (device != NULL)
		snprintf(detail, sizeof(detail), "device %s id %s%s", device, id,
		    made ? " generated" : "");
	else
		snprintf(detail, sizeof(detail), "id %s%s", id, made ? " generated" : "");
	if ((rc = tk_commit(c, &t, uri, device, tk, action, detail)) != 0)
		goto out;
	out_begin(&c->out, c->json);
	out_str(&c->out, "uri", uri);
	if (device != NULL)
		out_str(&c->out, "device", device);
	out_str(&c->out, rotate ? "next-id" : "id", id);
	out_bool(&c->out, "generated", made);
	out_end(&c->out);
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return rc;
}

int
cmd_tk_set(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return tk_set(ctx, argc, argv, 0);
}

int
cmd_tk_rotate(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	return tk_set(ctx, argc, argv, 1);
}

int
cmd_tk_remove(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const char *uri = NULL, *device = NULL, *label;
	const struct ctl_arg args[] = {
		{ "device", CTL_ARG_STR, &device, NULL },
		{ NULL, 0, NULL, NULL },
	};
	enum store_tk_which cur, next;
	struct store_tk *tk;
	struct store_txn t;
	char action[32], detail[STORE_TK_DEVICE_MAX + 16];
	int rc = 0;

	if (!ctl_args(c, argc, argv, args, 1, 1, &uri, &rc))
		return rc;
	tk_slots(c, &cur, &next, &label);
	if ((rc = ctl_uri(c, uri)) != 0 || (rc = tk_device(c, device)) != 0)
		return rc;
	if ((tk = OPENSSL_secure_zalloc(sizeof(*tk))) == NULL)
		return ctl_fail(c, uri, "out of memory");
	if ((rc = tk_begin(c, uri, device, &t, tk)) != 0)
		goto out;
	if (!tk->slot[cur].set) {
		store_txn_abort(&t);
		if (device != NULL)
			rc = ctl_fail(c, device, strcmp(label, "ink") == 0 ?
			    "no integrity key for this device" :
			    "no transport key for this device");
		else
			rc = ctl_fail(c, uri, strcmp(label, "ink") == 0 ? "no integrity key" :
			    "no transport key");
		goto out;
	}
	memset(&tk->slot[cur], 0, sizeof(tk->slot[cur]));
	memset(&tk->slot[next], 0, sizeof(tk->slot[next]));
	/* Without a TrK no InK can be delivered or used to encrypt: both go. */
	if (cur == STORE_TK_TRK)
		memset(tk, 0, sizeof(*tk));
	snprintf(action, sizeof(action), "%s remove", label);
	detail[0] = '\0';
	if (device != NULL)
		snprintf(detail, sizeof(detail), "device %s", device);
	rc = tk_commit(c, &t, uri, device, tk, action, detail);
out:
	OPENSSL_secure_clear_free(tk, sizeof(*tk));
	return rc;
}

static void
tk_list_slot(struct out *o, const char *name, const struct store_tk_slot *s)
{
	out_str(o, name, s->set ? s->id : "-");
}

static int
tk_list_one(const char *uri, size_t len, const char *device, const struct store_tk *tk,
    void *arg)
{
	struct ctl *c = arg;

	out_item_begin(&c->out);
	out_strn(&c->out, "uri", uri, len);
	out_str(&c->out, "device", device[0] != '\0' ? device : "-");
	tk_list_slot(&c->out, "trk-id", &tk->slot[STORE_TK_TRK]);
	tk_list_slot(&c->out, "trk-next-id", &tk->slot[STORE_TK_TRK_NEXT]);
	tk_list_slot(&c->out, "ink-id", &tk->slot[STORE_TK_INK]);
	tk_list_slot(&c->out, "ink-next-id", &tk->slot[STORE_TK_INK_NEXT]);
	out_item_end(&c->out);
	return 0;
}

int
cmd_tk_list(const struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    void *ctx)
{
	struct ctl *c = ctx;
	const char *uri = NULL;
	struct store_txn t;
	int rc = 0;

	if (!ctl_args(c, argc, argv, NULL, 0, 1, &uri, &rc))
		return rc;
	if (uri != NULL && (rc = ctl_uri(c, uri)) != 0)
		return rc;
	if ((rc = ctl_kms(c)) != 0)
		return rc;
	if ((rc = store_txn_begin(c->store, 0, &t)) != 0)
		return ctl_fail(c, "store", skm_strerror(rc));
	out_begin(&c->out, c->json);
	out_list_begin(&c->out, "identities");
	rc = kms_tk_each_txn(c->kms, &t, uri, uri != NULL ? strlen(uri) : 0, tk_list_one, c);
	out_list_end(&c->out);
	out_end(&c->out);
	store_txn_abort(&t);
	if (rc == SKM_ESTATE)
		return ctl_fail(c, "list", "the key-encryption key is not available");
	return rc != 0 ? ctl_fail(c, "store", skm_strerror(rc)) : 0;
}
