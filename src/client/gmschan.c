/* SPDX-License-Identifier: ISC */
/*
 * The GMS service requests with libcurl. The long poll is held for up to
 * its wait plus a margin for the network; a held request must be
 * abandonable at once on SIGTERM, hence the progress callback watching the
 * caller's flag. The token sits in the secure heap and is cleansed at the
 * end; response bodies hold no secret (GMKs travel SAKKE-encrypted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "client/gmschan.h"
#include "client/gmsnote.h"
#include "common/err.h"
#include "common/secfile.h"

#define GMSCHAN_TOKEN_MAX	16384
#define GMSCHAN_URL_MAX		4096
#define GMSCHAN_MARGIN		30	/* seconds beyond the poll's wait */

struct gmschan {
	CURL *c;
	char url[GMSCHAN_URL_MAX];	/* base URL + /gm/v1/members/USER */
	char *auth;			/* SECRET: the Authorization header line */
	size_t authlen;
	char *token_file, *cacert, *client_cert, *client_key;
	long timeout;
	volatile sig_atomic_t *stop;
};

struct gmschan_buf {
	char *data;
	size_t len, cap;
	int over;
};

static size_t
gmschan_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct gmschan_buf *b = arg;
	size_t n = size * nmemb, cap;
	char *p;

	if (b->len + n > GMSNOTE_DOC_MAX) {
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 16384; cap < b->len + n + 1; cap *= 2)
			;
		if ((p = realloc(b->data, cap)) == NULL)
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static int
gmschan_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct gmschan *ch = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return ch->stop != NULL && *ch->stop;
}

int
gmschan_segment(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~!$&'()*+,;=:@", ch) != NULL) {
			if (o + 1 >= outlen)
				return SKM_ELEN;
			out[o++] = (char)ch;
			continue;
		}
		if (o + 3 >= outlen)
			return SKM_ELEN;
		out[o++] = '%';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	if (o >= outlen)
		return SKM_ELEN;
	out[o] = '\0';
	return 0;
}

static int
dup_opt(const char *s, char **out)
{
	*out = NULL;
	return s != NULL && (*out = strdup(s)) == NULL ? SKM_ENOMEM : 0;
}

int
gmschan_token(struct gmschan *ch, char *why, size_t whylen)
{
	char twhy[SECFILE_WHY_MAX] = "", *auth = NULL;
	uint8_t token[GMSCHAN_TOKEN_MAX];
	size_t tlen = 0, authlen;
	int err;

	if ((err = secfile_read_line(ch->token_file, token, sizeof(token) - 1, &tlen, twhy,
	    sizeof(twhy))) != 0) {
		skm_why(why, whylen, err, "token file: %s", *twhy ? twhy : skm_strerror(err));
		goto out;
	}
	authlen = tlen + 32;
	if ((auth = OPENSSL_secure_zalloc(authlen)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	snprintf(auth, authlen, "Authorization: Bearer %.*s", (int)tlen, (const char *)token);
	if (ch->auth != NULL)
		OPENSSL_secure_clear_free(ch->auth, ch->authlen);
	ch->auth = auth;
	ch->authlen = authlen;
	err = 0;
out:
	OPENSSL_cleanse(token, sizeof(token));
	return err;
}

int
gmschan_new(struct gmschan **out, const struct gmschan_target *t, char *why, size_t whylen)
{
	static int global_done;
	char user[1024];
	struct gmschan *ch;
	size_t slen;
	int err;

	*out = NULL;
	if (t->url == NULL || strncmp(t->url, "https://", 8) != 0)
		return skm_why(why, whylen, SKM_EINVAL, "%s: not an https URL",
		    t->url != NULL ? t->url : "(none)");
	if (t->token_file == NULL)
		return skm_why(why, whylen, SKM_EINVAL, "no token file configured");
	if (gmschan_segment(t->user, user, sizeof(user)) != 0)
		return skm_why(why, whylen, SKM_ELEN, "VAL user ID too long");
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return skm_why(why, whylen, SKM_EIO, "libcurl initialisation failed");
		global_done = 1;
	}
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return SKM_ENOMEM;
	slen = strlen(t->url);
	while (slen > 8 && t->url[slen - 1] == '/')
		slen--;
	if ((size_t)snprintf(ch->url, sizeof(ch->url), "%.*s/gm/v1/members/%s", (int)slen,
	    t->url, user) >= sizeof(ch->url)) {
		err = skm_why(why, whylen, SKM_ELEN, "URL too long");
		goto out;
	}
	if ((err = dup_opt(t->token_file, &ch->token_file)) != 0 ||
	    (err = gmschan_token(ch, why, whylen)) != 0)
		goto out;
	if ((err = dup_opt(t->cacert, &ch->cacert)) != 0 ||
	    (err = dup_opt(t->client_cert, &ch->client_cert)) != 0 ||
	    (err = dup_opt(t->client_key, &ch->client_key)) != 0)
		goto out;
	if ((ch->c = curl_easy_init()) == NULL) {
		err = skm_why(why, whylen, SKM_ENOMEM, "libcurl: cannot create a handle");
		goto out;
	}
	ch->timeout = t->timeout > 0 ? t->timeout : 60;
	*out = ch;
	ch = NULL;
	err = 0;
out:
	gmschan_free(ch);
	return err;
}

void
gmschan_free(struct gmschan *ch)
{
	if (ch == NULL)
		return;
	if (ch->c != NULL)
		curl_easy_cleanup(ch->c);
	if (ch->auth != NULL)
		OPENSSL_secure_clear_free(ch->auth, ch->authlen);
	free(ch->token_file);
	free(ch->cacert);
	free(ch->client_cert);
	free(ch->client_key);
	free(ch);
}

void
gmschan_set_stop(struct gmschan *ch, volatile sig_atomic_t *stop)
{
	ch->stop = stop;
}

/* The curl errors that mean "nobody answered or the connection broke". */
static int
gmschan_unreachable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

/* One table from HTTP status to SKM_E* (STYLE: not at each call site). */
static int
gmschan_status_err(long status)
{
	switch (status) {
	case 400:
		return SKM_EINVAL;
	case 401:
		return SKM_EAUTH;
	case 403:
		return SKM_EPERM;
	case 404:
		return SKM_ENOTFOUND;
	case 503:
		return SKM_EBUSY;
	default:
		return SKM_EIO;
	}
}

/*
 * One request: method on base URL + path, with body (may be NULL); want is
 * the success status. *resp (may be NULL) receives the body on success.
 */
static int
gmschan_do(struct gmschan *ch, const char *method, const char *path, const char *body,
    size_t len, long want, long timeout, char **resp, size_t *resplen, char *why,
    size_t whylen)
{
	struct gmschan_buf b = { NULL, 0, 0, 0 };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", url[GMSCHAN_URL_MAX + 512], reason[256];
	CURLcode cc;
	long status = 0;
	int err;

	if ((size_t)snprintf(url, sizeof(url), "%s%s", ch->url, path) >= sizeof(url))
		return skm_why(why, whylen, SKM_ELEN, "URL too long");
	if ((hdrs = curl_slist_append(hdrs, ch->auth)) == NULL ||
	    (hdrs = curl_slist_append(hdrs, "Accept: application/xml")) == NULL ||
	    (hdrs = curl_slist_append(hdrs, "Content-Type: application/xml")) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	curl_easy_reset(ch->c);
	curl_easy_setopt(ch->c, CURLOPT_URL, url);
	curl_easy_setopt(ch->c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ch->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ch->c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(ch->c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(ch->c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(ch->c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(ch->c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(ch->c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (ch->cacert != NULL)
		curl_easy_setopt(ch->c, CURLOPT_CAINFO, ch->cacert);
	if (ch->client_cert != NULL) {
		curl_easy_setopt(ch->c, CURLOPT_SSLCERT, ch->client_cert);
		curl_easy_setopt(ch->c, CURLOPT_SSLKEY, ch->client_key != NULL ?
		    ch->client_key : ch->client_cert);
	}
	curl_easy_setopt(ch->c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(ch->c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(ch->c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(ch->c, CURLOPT_XFERINFOFUNCTION, gmschan_progress);
	curl_easy_setopt(ch->c, CURLOPT_XFERINFODATA, ch);
	curl_easy_setopt(ch->c, CURLOPT_WRITEFUNCTION, gmschan_write);
	curl_easy_setopt(ch->c, CURLOPT_WRITEDATA, &b);
	if (strcmp(method, "GET") != 0)
		curl_easy_setopt(ch->c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL || strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0) {
		curl_easy_setopt(ch->c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		curl_easy_setopt(ch->c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	cc = curl_easy_perform(ch->c);
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		err = skm_why(why, whylen, SKM_EBUSY, "stopped");
		goto out;
	}
	if (cc != CURLE_OK) {
		if (b.over)
			err = skm_why(why, whylen, SKM_ELEN, "response longer than %d octets",
			    GMSNOTE_DOC_MAX);
		else
			err = skm_why(why, whylen, gmschan_unreachable(cc) ? SKM_EUNREACH :
			    SKM_EIO, "%s", *errbuf ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(ch->c, CURLINFO_RESPONSE_CODE, &status);
	if (status != want) {
		err = gmschan_status_err(status);
		if (b.data != NULL && gmsnote_error_reason(b.data, b.len, reason,
		    sizeof(reason)) == 0)
			skm_why(why, whylen, err, "HTTP %ld: %s", status, reason);
		else
			skm_why(why, whylen, err, "HTTP %ld", status);
		goto out;
	}
	if (resp != NULL) {
		if (b.data == NULL) {
			err = skm_why(why, whylen, SKM_EPARSE, "empty response");
			goto out;
		}
		*resp = b.data;
		*resplen = b.len;
		b.data = NULL;
	}
	err = 0;
out:
	curl_slist_free_all(hdrs);
	free(b.data);
	return err;
}

int
gmschan_poll(struct gmschan *ch, unsigned wait, char **body, size_t *len, char *why,
    size_t whylen)
{
	char path[64];

	*body = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "/notifications?wait=%u", wait);
	return gmschan_do(ch, "GET", path, NULL, 0, 200, (long)wait + GMSCHAN_MARGIN, body, len,
	    why, whylen);
}

int
gmschan_respond(struct gmschan *ch, const char *id, const char *doc, size_t len, char *why,
    size_t whylen)
{
	char path[GMSNOTE_ID_MAX + 64];

	if (!gmsnote_id_ok(id))
		return skm_why(why, whylen, SKM_EINVAL, "not a delivery ID");
	snprintf(path, sizeof(path), "/notifications/%s/response", id);
	return gmschan_do(ch, "POST", path, doc, len, 204, ch->timeout, NULL, NULL, why,
	    whylen);
}

int
gmschan_subscription(struct gmschan *ch, const char *group, int subscribe, char *why,
    size_t whylen)
{
	char seg[1024], path[1100];

	if (gmschan_segment(group, seg, sizeof(seg)) != 0)
		return skm_why(why, whylen, SKM_ELEN, "VAL group ID too long");
	snprintf(path, sizeof(path), "/groups/%s/subscription", seg);
	return gmschan_do(ch, subscribe ? "PUT" : "DELETE", path, NULL, 0, 204, ch->timeout,
	    NULL, NULL, why, whylen);
}
