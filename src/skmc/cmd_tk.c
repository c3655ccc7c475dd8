/* SPDX-License-Identifier: ISC */
/*
 * The --trk-file, --trk-id, --ink-file and --ink-id options of skmc init
 * and import (TS 33.180 D.1): the Transport and Integrity Keys, each 32
 * octets in a secret file (owner only), with their IDs.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "client/kmstk.h"
#include "common/err.h"
#include "common/secfile.h"
#include "skmc/cmd.h"

/* A 32-octet key from a secret file (owner only). */
static int
tk_key(const struct cli *cli, const struct cli_cmd *cmd, const char *path, uint8_t *key)
{
	char why[SECFILE_WHY_MAX] = "";
	size_t len = 0;
	int err;

	if ((err = secfile_read(path, key, KMSTK_KEY_LEN, &len, why, sizeof(why))) != 0)
		return cli_error(cli, cmd, CLI_FAILED, path, *why ? why : skm_strerror(err));
	if (len != KMSTK_KEY_LEN)
		return cli_error(cli, cmd, CLI_FAILED, path, "a key file holds exactly 32 octets");
	return CLI_OK;
}

int
cmd_tk_keys(const struct cli *cli, const struct cli_cmd *cmd, const char *trk_file,
    const char *trk_id, const char *ink_file, const char *ink_id, struct kmstk **tk)
{
	int rc;

	*tk = NULL;
	if (trk_file == NULL && trk_id == NULL && ink_file == NULL &&
	    ink_id == NULL)
		return CLI_OK;
	if (trk_file == NULL || trk_id == NULL)
		return cli_usage_error(cli, cmd, "--trk-file, --trk-id", "give both");
	if ((ink_file == NULL) != (ink_id == NULL))
		return cli_usage_error(cli, cmd, "--ink-file, --ink-id", "give both or neither");
	if (!kmstk_id_ok(trk_id) || (ink_id != NULL && !kmstk_id_ok(ink_id)))
		return cli_usage_error(cli, cmd, "--trk-id, --ink-id",
		    "1 to 128 printable characters, no space, < or &");
	if ((*tk = OPENSSL_secure_zalloc(sizeof(**tk))) == NULL)
		return cli_error(cli, cmd, CLI_FAILED, "keys", "out of memory");
	snprintf((*tk)->trk_id, sizeof((*tk)->trk_id), "%s", trk_id);
	if ((rc = tk_key(cli, cmd, trk_file, (*tk)->trk)) != CLI_OK)
		return rc;
	if (ink_file != NULL) {
		(*tk)->has_ink = 1;
		snprintf((*tk)->ink_id, sizeof((*tk)->ink_id), "%s", ink_id);
		if ((rc = tk_key(cli, cmd, ink_file, (*tk)->ink)) != CLI_OK)
			return rc;
	}
	return CLI_OK;
}

