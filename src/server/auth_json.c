/* SPDX-License-Identifier: ISC */
/*
 * The strict JSON check of a token's header and payload (see auth_json.h).
 * The parts are decoded with OpenSSL's base64 and parsed with jansson's
 * JSON_REJECT_DUPLICATES, which refuses a repeated name in every object of
 * the text, nested ones included: no claim or header skmsd reads is an
 * object today, but one that is must not be ambiguous either. Must not
 * keep anything of the token, nor let an octet of it reach the reason
 * unescaped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "common/err.h"
#include "server/auth_json.h"

void
auth_json_escape(const char *s, size_t len, char *out, size_t cap)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i, n = 0;

	if (cap == 0)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)c;
			continue;
		}
		if (c == '"' || c == '\\') {
			if (n + 2 >= cap)
				break;
			out[n++] = '\\';
			out[n++] = (char)c;
			continue;
		}
		if (n + 4 >= cap)
			break;
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hexd[c >> 4];
		out[n++] = hexd[c & 15];
	}
	out[n] = '\0';
}

/* RFC 4648 5 without padding: the decoded octets from malloc, or NULL. */
static unsigned char *
auth_json_b64url(const char *in, size_t len, size_t *outlen)
{
	size_t i, pad = (4 - len % 4) % 4;
	unsigned char *text, *out = NULL;
	int n;

	if (len == 0 || pad == 3)
		return NULL;
	text = malloc(len + pad + 1);
	out = malloc((len + pad) / 4 * 3 + 1);
	if (text == NULL || out == NULL)
		goto fail;
	for (i = 0; i < len; i++)
		text[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : (unsigned char)in[i];
	memset(text + len, '=', pad);
	n = EVP_DecodeBlock(out, text, (int)(len + pad));
	if (n < (int)pad)
		goto fail;
	free(text);
	*outlen = (size_t)n - pad;
	return out;
fail:
	free(text);
	free(out);
	return NULL;
}

/* One part: a JSON object with unique names in every object it holds. */
static int
auth_json_part(const char *what, const char *b64, size_t len, char *why,
    size_t whylen)
{
	json_error_t err;
	json_t *root;
	unsigned char *text;
	size_t n = 0;
	char esc[sizeof(err.text) * 4];
	int rc = 0;

	if ((text = auth_json_b64url(b64, len, &n)) == NULL) {
		snprintf(why, whylen, "token %s: not base64url", what);
		return SKM_EINVAL;
	}
	/* json_loadb: a NUL octet ends nothing early, it is refused. */
	root = json_loadb((const char *)text, n, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL) {
		auth_json_escape(err.text, strlen(err.text), esc, sizeof(esc));
		snprintf(why, whylen, "token %s: %s at octet %d", what, esc, err.position);
		rc = json_error_code(&err) == json_error_duplicate_key ? SKM_EEXIST :
		    SKM_EINVAL;
	} else if (!json_is_object(root)) {
		snprintf(why, whylen, "token %s: not a JSON object", what);
		rc = SKM_EINVAL;
	}
	json_decref(root);
	free(text);
	return rc;
}

int
auth_json_check(const char *tok, char *why, size_t whylen)
{
	const char *d1, *d2;
	char dummy[1];
	int rc;

	if (why == NULL || whylen == 0) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	why[0] = '\0';
	if ((d1 = strchr(tok, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) == NULL) {
		snprintf(why, whylen, "token: not three parts");
		return SKM_EINVAL;
	}
	rc = auth_json_part("header", tok, (size_t)(d1 - tok), why, whylen);
	if (rc == 0)
		rc = auth_json_part("payload", d1 + 1, (size_t)(d2 - d1 - 1), why, whylen);
	return rc;
}
