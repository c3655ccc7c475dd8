/* SPDX-License-Identifier: ISC */
/*
 * Claim values as JSON text from libjwt, read back with libyaml. The text
 * comes from jansson's compact encoder, so a string is one double-quoted
 * scalar (escapes \" \\ \b \f \n \r \t \uXXXX, all YAML escapes too) and
 * an array is one flow sequence. Anything else is "not a string". Must
 * not accept a plain scalar as a string: that is how a number or true
 * looks.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "common/err.h"
#include "server/auth_claim.h"

int
auth_claim_strings(jwt_t *jwt, const char *name, int list,
    int (*fn)(void *ctx, const char *s, size_t len), void *ctx)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	char *json;
	int rc = 0, depth = 0, done = 0, stopped = 0;

	json = jwt_get_grants_json(jwt, name);
	if (json == NULL)
		return SKM_ENOTFOUND;
	if (!yaml_parser_initialize(&parser)) {
		free(json);
		return SKM_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)json, strlen(json));
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = SKM_EINVAL;
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
			/* One level: a string, or an array of strings (RFC 7519 4.1.3). */
			if (!list || depth != 0)
				rc = SKM_EINVAL;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			if (ev.data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
				rc = SKM_EINVAL;
			else if (!stopped)
				stopped = fn(ctx, (const char *)ev.data.scalar.value,
				    ev.data.scalar.length);
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_ALIAS_EVENT:
			rc = SKM_EINVAL;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(json);
	/* A walk that failed later (a number after the match) still fails. */
	if (rc != 0)
		return rc;
	return stopped;
}

struct claim_copy {
	char *buf;
	size_t cap;
	size_t len;
	int rc;
};

static int
claim_copy_one(void *ctx, const char *s, size_t len)
{
	struct claim_copy *c = ctx;

	/*
	 * "\u0000" would decode to a NUL that a C string silently cuts at.
	 * jansson refuses it by default; that is a decoder flag, so check.
	 */
	if (memchr(s, '\0', len) != NULL)
		c->rc = SKM_EINVAL;
	else if (len >= c->cap)
		c->rc = SKM_ELEN;
	else {
		memcpy(c->buf, s, len);
		c->buf[len] = '\0';
		c->len = len;
	}
	return 1;
}

int
auth_claim_string(jwt_t *jwt, const char *name, char *buf, size_t cap, size_t *len)
{
	struct claim_copy c = { buf, cap, 0, 0 };
	int rc;

	if (cap == 0)
		return SKM_ELEN;
	buf[0] = '\0';
	rc = auth_claim_strings(jwt, name, 0, claim_copy_one, &c);
	if (rc < 0)
		return rc;
	if (c.rc != 0) {
		buf[0] = '\0';
		return c.rc;
	}
	*len = c.len;
	return 0;
}

int
auth_claim_time(jwt_t *jwt, const char *name, int64_t *out)
{
	char *json, *end;
	double d;
	int rc = SKM_EINVAL;

	json = jwt_get_grants_json(jwt, name);
	if (json == NULL)
		return SKM_ENOTFOUND;
	/* A JSON number starts with '-' or a digit; strtod alone would take "nan". */
	if (json[0] != '-' && (json[0] < '0' || json[0] > '9'))
		goto out;
	d = strtod(json, &end);
	if (*end != '\0' || !isfinite(d))
		goto out;
	if (d >= 9223372036854775807.0)
		*out = INT64_MAX;
	else if (d <= -9223372036854775808.0)
		*out = INT64_MIN;
	else {
		/* Round towards minus infinity: a fraction never extends exp. */
		*out = (int64_t)d;
		if ((double)*out > d)
			(*out)--;
	}
	rc = 0;
out:
	free(json);
	return rc;
}
