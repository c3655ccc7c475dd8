/* SPDX-License-Identifier: ISC */
/*
 * HTTPS requests to a KMS (TS 33.180 D.2) with libcurl. Response bodies may
 * hold private keys, so they grow in the secure heap and are cleansed on
 * every path; the token is read through secfile and cleansed after use.
 * Nothing here parses the documents, except a refusal's KmsError message
 * for the reason text.
 */
#include "client/kmsget.h"
#include "client/kmstk.h"
#include "xsec/xsec.h"

#include <inttypes.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "client/kmsdoc.h"
#include "common/err.h"
#include "common/secfile.h"

#define KMSGET_BASE	"/keymanagement/identity/v1"
#define KMSGET_TOKEN_MAX	16384

struct kmsget_buf {
	char *data;
	size_t len, cap;
	int over;
};

static size_t
kmsget_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct kmsget_buf *b = arg;
	size_t n = size * nmemb, cap;
	char *p;

	if (b->len + n + 1 > KMSDOC_MAX_LEN + 1) {
		b->over = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap ? b->cap : 16384; cap < b->len + n + 1; cap *= 2)
			;
		if ((p = OPENSSL_secure_zalloc(cap)) == NULL)
			return 0;
		if (b->data != NULL) {
			memcpy(p, b->data, b->len);
			OPENSSL_secure_clear_free(b->data, b->cap);
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

void
kmsget_free(char *body, size_t len)
{
	if (body != NULL)
		OPENSSL_secure_clear_free(body, len + 1);
}

/* The curl errors that mean "nobody answered", for exit status 3. */
static int
kmsget_unreachable(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* A refusal: the status, and the KmsError message when the body is one. */
static int
kmsget_refused(long status, const struct kmsget_buf *b, char *why, size_t whylen)
{
	struct kmsdoc *doc = NULL;
	const char *msg = NULL;
	int err, code = 0;

	if (b->data != NULL && kmsdoc_parse(b->data, b->len, &doc, NULL, 0) == 0 &&
	    doc->kind == KMSDOC_ERROR) {
		msg = doc->error_msg;
		code = doc->error_code;
	}
	switch (status) {
	case 401:
		err = SKM_EAUTH;
		break;
	case 403:
		/* The KmsError codes of skmsd; other KMSs give only the status. */
		err = code == 40304 ? SKM_EREVOKED : SKM_EPERM;
		break;
	case 404:
		err = SKM_ENOTFOUND;
		break;
	case 503:
		err = SKM_EBUSY;
		break;
	default:
		err = SKM_EIO;
		break;
	}
	if (msg != NULL)
		skm_why(why, whylen, err, "HTTP %ld: %s", status, msg);
	else
		skm_why(why, whylen, err, "HTTP %ld", status);
	kmsdoc_free(doc);
	return err;
}

static int
kmsget_post(const struct kmsget_target *t, const char *path, char **body, size_t *len,
    char *why, size_t whylen)
{
	static int global_done;
	struct kmsget_buf b = { NULL, 0, 0, 0 };
	struct curl_slist *hdrs = NULL;
	char *req = NULL, *plain = NULL;
	size_t reqlen = 0, plainlen = 0;
	char errbuf[CURL_ERROR_SIZE] = "";
	char url[2048], auth[KMSGET_TOKEN_MAX + 32];
	uint8_t token[KMSGET_TOKEN_MAX];
	size_t tlen = 0, slen;
	CURL *c = NULL;
	CURLcode cc;
	long status = 0;
	int err;

	*body = NULL;
	*len = 0;
	if (t->server == NULL || *t->server == '\0')
		return skm_why(why, whylen, SKM_EINVAL, "no server configured");
	slen = strlen(t->server);
	while (slen > 0 && t->server[slen - 1] == '/')
		slen--;
	if (slen >= strlen(KMSGET_BASE) &&
	    memcmp(t->server + slen - strlen(KMSGET_BASE), KMSGET_BASE, strlen(KMSGET_BASE)) == 0)
		slen -= strlen(KMSGET_BASE);
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s/%s", (int)slen, t->server, KMSGET_BASE,
	    path) >= sizeof(url))
		return skm_why(why, whylen, SKM_ELEN, "request URL too long");
	if (strncmp(url, "https://", 8) != 0)
		return skm_why(why, whylen, SKM_EINVAL, "%.*s: not an https URL", (int)slen,
		    t->server);
	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			return skm_why(why, whylen, SKM_EIO, "libcurl initialisation failed");
		global_done = 1;
	}
	if (t->token_file != NULL) {
		char twhy[SECFILE_WHY_MAX] = "";

		if ((err = secfile_read_line(t->token_file, token, sizeof(token) - 1, &tlen,
		    twhy, sizeof(twhy))) != 0) {
			skm_why(why, whylen, err, "token file: %s",
			    *twhy ? twhy : skm_strerror(err));
			goto out;
		}
		snprintf(auth, sizeof(auth), "Authorization: Bearer %.*s", (int)tlen,
		    (const char *)token);
		if ((hdrs = curl_slist_append(hdrs, auth)) == NULL) {
			err = SKM_ENOMEM;
			goto out;
		}
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/xml");
	if (hdrs == NULL || (hdrs = curl_slist_append(hdrs,
	    "Content-Type: application/xml")) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	if ((c = curl_easy_init()) == NULL) {
		err = skm_why(why, whylen, SKM_ENOMEM, "libcurl: cannot create a handle");
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* NOTES 2.13: the deployed clients POST an empty body, but for D.1. */
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	if (t->tk != NULL) {
		if ((err = kmstk_request(t->tk, t->user_uri != NULL ? t->user_uri : "",
		    (int64_t)time(NULL), &req, &reqlen, why, whylen)) != 0)
			goto out;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)reqlen);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (t->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, t->cacert);
	if (t->client_cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, t->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, t->client_key != NULL ? t->client_key :
		    t->client_cert);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, t->timeout > 0 ? t->timeout : 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, kmsget_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		if (b.over)
			err = skm_why(why, whylen, SKM_ELEN, "response larger than %d octets",
			    KMSDOC_MAX_LEN);
		else
			err = skm_why(why, whylen, kmsget_unreachable(cc) ? SKM_EUNREACH :
			    SKM_EIO, "%s", *errbuf ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		err = kmsget_refused(status, &b, why, whylen);
		goto out;
	}
	if (b.data == NULL) {
		err = skm_why(why, whylen, SKM_EPARSE, "empty response");
		goto out;
	}
	if (t->tk != NULL) {
		/* Verified and unwrapped before any other check sees it. */
		if ((err = kmstk_open(t->tk, b.data, b.len, &plain, &plainlen, why,
		    whylen)) != 0)
			goto out;
		*body = plain;
		*len = plainlen;
		goto out;
	}
	/* Hand over a buffer sized len + 1, as kmsget_free() expects. */
	if ((*body = OPENSSL_secure_malloc(b.len + 1)) == NULL) {
		err = SKM_ENOMEM;
		goto out;
	}
	memcpy(*body, b.data, b.len + 1);
	*len = b.len;
	err = 0;
out:
	if (c != NULL)
		curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	if (b.data != NULL)
		OPENSSL_secure_clear_free(b.data, b.cap);
	OPENSSL_cleanse(token, sizeof(token));
	OPENSSL_cleanse(auth, sizeof(auth));
	xsec_free(req, reqlen);
	return err;
}

int
kmsget_init(const struct kmsget_target *t, char **body, size_t *len, char *why,
    size_t whylen)
{
	return kmsget_post(t, "init", body, len, why, whylen);
}

int
kmsget_keyprov(const struct kmsget_target *t, const char *uri, uint64_t ntp_seconds,
    char **body, size_t *len, char *why, size_t whylen)
{
	char path[1024];
	int n;

	/* NOTES 2.13: the URI raw, the time as 16 lower-case hex digits. */
	if (ntp_seconds != 0)
		n = snprintf(path, sizeof(path), "keyprov/%s/%016" PRIx64, uri,
		    (uint64_t)(ntp_seconds << 32));
	else
		n = snprintf(path, sizeof(path), "keyprov/%s", uri);
	if (n < 0 || (size_t)n >= sizeof(path))
		return skm_why(why, whylen, SKM_ELEN, "identity URI too long");
	return kmsget_post(t, path, body, len, why, whylen);
}

int
kmsget_certcache(const struct kmsget_target *t, int has_num, uint64_t cache_num,
    char **body, size_t *len, char *why, size_t whylen)
{
	char path[64];

	if (has_num)
		snprintf(path, sizeof(path), "certcache/%" PRIu64, cache_num);
	else
		snprintf(path, sizeof(path), "certcache");
	return kmsget_post(t, path, body, len, why, whylen);
}
