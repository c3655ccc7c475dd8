/* SPDX-License-Identifier: ISC */
/*
 * src/server/kmsreq: KmsRequest bodies (TS 33.180 D.2.2) as deployed
 * clients send them, and every refusal: wrong namespace or root, repeats,
 * unknown elements, bad times, DOCTYPEs (XXE, billion laughs), truncation
 * and size. Also checks that libxml2 prints nothing and that parsing is
 * safe from several threads.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "server/kmsreq.h"
#include "testlib.h"

#define NS "urn:3gpp:ns:mcsecKMSInterface:1.0"
#define T_UTC 1620645782	/* 2021-05-10T11:23:02Z */

static char *
read_data(const char *name, size_t *len)
{
	FILE *fp = fopen(test_data_path(name), "rb");
	char *buf;

	ck_assert_msg(fp != NULL, "cannot open %s", test_data_path(name));
	buf = malloc(KMSREQ_MAX + 1);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, KMSREQ_MAX, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

static void
accept_text(const char *text, struct kmsreq *r)
{
	const char *why = NULL;
	int rc = kmsreq_parse(text, strlen(text), r, &why);

	ck_assert_msg(rc == 0, "refused (%d: %s): %s", rc, why ? why : "-", text);
}

static void
refuse_text(const char *text, int want_rc, const char *want_why)
{
	struct kmsreq r;
	const char *why = NULL;
	int rc = kmsreq_parse(text, strlen(text), &r, &why);

	ck_assert_msg(rc == want_rc, "rc %d, want %d (%s): %s", rc, want_rc,
	    why ? why : "-", text);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_eq(why, want_why);
	/* A refused body leaves nothing behind. */
	ck_assert_str_eq(r.user_uri, "");
	ck_assert_int_eq(r.has_time, 0);
}

/* A KmsRequest around the given children. */
static void
refuse_children(const char *children, int want_rc, const char *want_why)
{
	char buf[8192 + 128];

	snprintf(buf, sizeof(buf), "<KmsRequest xmlns=\"" NS "\">%s</KmsRequest>", children);
	refuse_text(buf, want_rc, want_why);
}

static int64_t
time_of(const char *t)
{
	char buf[512];
	struct kmsreq r;

	snprintf(buf, sizeof(buf), "<KmsRequest xmlns=\"" NS "\"><Time>%s</Time></KmsRequest>", t);
	accept_text(buf, &r);
	ck_assert_int_eq(r.has_time, 1);
	return r.time;
}

START_TEST(empty_body)
{
	struct kmsreq r;
	const char *why = "unset";

	memset(&r, 0x55, sizeof(r));
	ck_assert_int_eq(kmsreq_parse("", 0, &r, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_str_eq(r.user_uri, "");
	ck_assert_int_eq(r.has_time, 0);
	memset(&r, 0x55, sizeof(r));
	ck_assert_int_eq(kmsreq_parse(" \r\n\t ", 5, &r, &why), 0);
	ck_assert_str_eq(r.kms_uri, "");
	ck_assert_int_eq(r.time, 0);
	/* Only the given octets count: what follows is not read. */
	ck_assert_int_eq(kmsreq_parse("  <garbage", 2, &r, &why), 0);
}
END_TEST

START_TEST(streamwide_request)
{
	struct kmsreq r;
	const char *why;
	size_t len;
	char *body = read_data("kmsreq/streamwide.xml", &len);

	ck_assert_int_eq(kmsreq_parse(body, len, &r, &why), 0);
	ck_assert_str_eq(r.user_uri, "sip:alice@example.org");
	ck_assert_str_eq(r.kms_uri, "kms.example.org");
	ck_assert_str_eq(r.client_id, "client-1");
	ck_assert_str_eq(r.device_id, "device-42");
	ck_assert_str_eq(r.client_req_url,
	    "https://kms.example.org/keymanagement/identity/v1/init");
	/* Local time without a zone is read as UTC. */
	ck_assert_int_eq(r.has_time, 1);
	ck_assert_int_eq(r.time, T_UTC);
	free(body);
}
END_TEST

START_TEST(v110_with_zone)
{
	struct kmsreq r;
	const char *why;
	size_t len;
	char *body = read_data("kmsreq/v110.xml", &len);

	ck_assert_int_eq(kmsreq_parse(body, len, &r, &why), 0);
	ck_assert_str_eq(r.user_uri, "sip:alice@example.org");
	ck_assert_str_eq(r.kms_uri, "kms.example.org");
	ck_assert_str_eq(r.client_req_url, "https://kms.example.org/keymanagement/identity/"
	    "v1/keyprov/sip%3Aalice%40example.org?a=1&b=2");
	ck_assert_str_eq(r.client_id, "");
	/* 13:23:02.750+02:00 is 11:23:02.750Z; the fraction is dropped. */
	ck_assert_int_eq(r.time, T_UTC);
	free(body);
}
END_TEST

START_TEST(signed_request)
{
	struct kmsreq r;
	const char *why;
	size_t len;
	char *body = read_data("kmsreq/signed.xml", &len);

	ck_assert_int_eq(kmsreq_parse(body, len, &r, &why), 0);
	ck_assert_str_eq(r.user_uri, "sip:alice@example.org");
	ck_assert_int_eq(r.time, T_UTC);
	free(body);
	refuse_text("<SignedKmsRequest xmlns=\"" NS "\"/>", SKM_EINVAL,
	    "SignedKmsRequest holds no KmsRequest");
	refuse_text("<SignedKmsRequest xmlns=\"" NS "\"><KmsRequest/><KmsRequest/>"
	    "</SignedKmsRequest>", SKM_EINVAL, "SignedKmsRequest has two KmsRequest elements");
	refuse_text("<SignedKmsRequest xmlns=\"" NS "\"><KmsRequest/><Signature/>"
	    "</SignedKmsRequest>", SKM_EINVAL,
	    "SignedKmsRequest holds an unknown element of the KMS namespace");
	refuse_text("<SignedKmsRequest xmlns=\"" NS "\"><KmsRequest><Bad/></KmsRequest>"
	    "</SignedKmsRequest>", SKM_EINVAL,
	    "KmsRequest holds an unknown element of the KMS namespace");
}
END_TEST

/*
 * KmsUri: the KMS URI, or the server base URL that a deployed client
 * writes in its signed requests; anything else is another KMS.
 */
START_TEST(kms_uri)
{
	static const char *const same[] = {
		"kms.example.org", "https://kms.example.org", "https://kms.example.org/",
		"https://kms.example.org:8443", "https://kms.example.org:8443/",
		"https://kms.example.org:1", "https://kms.example.org:65535",
	};
	static const char *const other[] = {
		"", "kms.example.org/", "kms.example.org:8443", "http://kms.example.org",
		"HTTPS://kms.example.org", "https://KMS.example.org", "https://kms.example.or",
		"https://kms.example.org.evil", "https://kms.example.org@evil.example",
		"https://kms.example.org:", "https://kms.example.org:0",
		"https://kms.example.org:65536", "https://kms.example.org:123456",
		"https://kms.example.org:8443//", "https://kms.example.org/keymanagement",
		"https://kms.example.org:8443/x", "https://kms.example.org:+1",
		"https://kms.example.org:8443?", "https://kms.example.org#", "https://",
		"https://user@kms.example.org", " https://kms.example.org",
	};
	struct kmsreq r;
	const char *why;
	size_t i, len;
	char *body = read_data("kmsreq/signed_base_url.xml", &len);

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		ck_assert_msg(kmsreq_kms_uri_ok(same[i], "kms.example.org"), "%s", same[i]);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		ck_assert_msg(!kmsreq_kms_uri_ok(other[i], "kms.example.org"), "%s", other[i]);
	/* a KMS URI with a port: the host is the name, the port any */
	ck_assert(kmsreq_kms_uri_ok("kms.example.org:443", "kms.example.org:443"));
	ck_assert(kmsreq_kms_uri_ok("https://kms.example.org:8443", "kms.example.org:443"));
	ck_assert(kmsreq_kms_uri_ok("https://kms.example.org", "kms.example.org:443"));
	ck_assert(!kmsreq_kms_uri_ok("https://kms.example.org:443:443", "kms.example.org:443"));
	/* an https: KMS URI: its host */
	ck_assert(kmsreq_kms_uri_ok("https://kms.example.org:8443/", "https://kms.example.org/kms"));
	ck_assert(kmsreq_kms_uri_ok("https://kms.example.org/kms", "https://kms.example.org/kms"));
	ck_assert(!kmsreq_kms_uri_ok("https://kms.example.org/km", "https://kms.example.org/kms"));
	/* a sip: or tel: KMS URI has no server base URL */
	ck_assert(kmsreq_kms_uri_ok("sip:kms@example.org", "sip:kms@example.org"));
	ck_assert(!kmsreq_kms_uri_ok("https://sip", "sip:kms@example.org"));
	ck_assert(!kmsreq_kms_uri_ok("https://sip:kms@example.org", "sip:kms@example.org"));
	ck_assert(!kmsreq_kms_uri_ok("https://tel", "tel:+4930123"));
	/* as the deployed client sends it */
	ck_assert_int_eq(kmsreq_parse(body, len, &r, &why), 0);
	ck_assert_str_eq(r.kms_uri, "https://kms.example.org:8443");
	ck_assert(kmsreq_kms_uri_ok(r.kms_uri, "kms.example.org"));
	ck_assert(!kmsreq_kms_uri_ok(r.kms_uri, "kms.other.example"));
	free(body);
}
END_TEST

START_TEST(times)
{
	ck_assert_int_eq(time_of("2021-05-10T11:23:02Z"), T_UTC);
	ck_assert_int_eq(time_of("2021-05-10T11:23:02+00:00"), T_UTC);
	ck_assert_int_eq(time_of("2021-05-10T05:53:02-05:30"), T_UTC);
	ck_assert_int_eq(time_of("2021-05-11T01:23:02+14:00"), T_UTC);
	ck_assert_int_eq(time_of("2021-05-10T11:23:02.999999"), T_UTC);
	ck_assert_int_eq(time_of("  2021-05-10T11:23:02  "), T_UTC);
	ck_assert_int_eq(time_of("1970-01-01T00:00:00"), 0);
	refuse_children("<Time>2021-05-10</Time>", SKM_EINVAL, "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-05-10T11:23:02+14:01</Time>", SKM_EINVAL,
	    "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-05-10T11:23:02+1:00</Time>", SKM_EINVAL,
	    "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-02-30T11:23:02Z</Time>", SKM_EINVAL,
	    "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-05-10T25:23:02Z</Time>", SKM_EINVAL,
	    "Time is not an xsd:dateTime");
	refuse_children("<Time>@1620645782</Time>", SKM_EINVAL, "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-05-10T11:23:02 Z</Time>", SKM_EINVAL,
	    "Time is not an xsd:dateTime");
	refuse_children("<Time></Time>", SKM_EINVAL, "Time is not an xsd:dateTime");
	refuse_children("<Time>2021-05-10T11:23:02.000000000000000000000000000000000000Z</Time>",
	    SKM_EINVAL, "Time is not an xsd:dateTime");
}
END_TEST

START_TEST(wrong_documents)
{
	const char *why = NULL;
	struct kmsreq r;

	refuse_text("<KmsRequest xmlns=\"urn:3gpp:ns:mcsecKMSInterface:2.0\"/>", SKM_EINVAL,
	    "root element is not in the KMS namespace urn:3gpp:ns:mcsecKMSInterface:1.0");
	refuse_text("<KmsRequest><UserUri>sip:a@b</UserUri></KmsRequest>", SKM_EINVAL,
	    "root element is not in the KMS namespace urn:3gpp:ns:mcsecKMSInterface:1.0");
	refuse_text("<KmsResponse xmlns=\"" NS "\"/>", SKM_EINVAL,
	    "root element is neither KmsRequest nor SignedKmsRequest");
	refuse_text("<KmsRequest xmlns=\"" NS "\" Version=\"2.0.0\"/>", SKM_EINVAL,
	    "KmsRequest Version is neither 1.0.0 nor 1.1.0");
	refuse_text("<KmsRequest xmlns=\"" NS "\" Version=\"\"/>", SKM_EINVAL,
	    "KmsRequest Version is neither 1.0.0 nor 1.1.0");
	refuse_text("<KmsRequest xmlns=\"" NS "\"><UserUri>sip:a@b</UserUri>",
	    SKM_EPARSE, "KmsRequest is not well-formed XML");
	refuse_text("not xml at all", SKM_EPARSE, "KmsRequest is not well-formed XML");
	refuse_text("<KmsRequest xmlns=\"" NS "\">&undefined;</KmsRequest>", SKM_EPARSE,
	    "KmsRequest is not well-formed XML");
	/* A NUL inside the given length is not XML either. */
	ck_assert_int_eq(kmsreq_parse("<KmsRequest xmlns=\"" NS "\">\0</KmsRequest>",
	    sizeof("<KmsRequest xmlns=\"" NS "\">\0</KmsRequest>") - 1, &r, &why), SKM_EPARSE);
	accept_text("<KmsRequest xmlns=\"" NS "\"/>", &r);
	ck_assert_str_eq(r.user_uri, "");
	accept_text("<KmsRequest xmlns=\"" NS "\" Version=\"1.1.0\" Id=\"x\"/>", &r);
}
END_TEST

START_TEST(elements)
{
	struct kmsreq r;
	char buf[8192];

	refuse_children("<UserUri>a</UserUri><KmsUri>k</KmsUri><UserUri>b</UserUri>",
	    SKM_EINVAL, "KmsRequest has two UserUri elements");
	refuse_children("<Time>2021-05-10T11:23:02</Time><Time>2021-05-10T11:23:02</Time>",
	    SKM_EINVAL, "KmsRequest has two Time elements");
	refuse_children("<KrrList/><KrrList/>", SKM_EINVAL, "KmsRequest has two KrrList elements");
	refuse_children("<UserName>x</UserName>", SKM_EINVAL,
	    "KmsRequest holds an unknown element of the KMS namespace");
	refuse_children("<UserUri><b>sip:a@b</b></UserUri>", SKM_EINVAL,
	    "UserUri must hold text only");
	refuse_children("<DeviceId>d<x:y xmlns:x=\"urn:x\"/></DeviceId>", SKM_EINVAL,
	    "DeviceId must hold text only");
	refuse_children("stray<UserUri>a</UserUri>", SKM_EINVAL,
	    "KmsRequest holds text outside its elements");
	/* Other namespaces are extensions (D.1): skipped whatever they hold. */
	accept_text("<KmsRequest xmlns=\"" NS "\"><x:UserUri xmlns:x=\"urn:x\">evil</x:UserUri>"
	    "<UserUri>sip:a@b</UserUri><UserName xmlns=\"\">no namespace</UserName>"
	    "<ClientError><ErrorCode>1</ErrorCode></ClientError></KmsRequest>", &r);
	ck_assert_str_eq(r.user_uri, "sip:a@b");
	/* Field limits: the longest value fits, one more octet does not. */
	snprintf(buf, sizeof(buf), "<ClientId>%0257d</ClientId>", 0);
	refuse_children(buf, SKM_EINVAL, "ClientId is too long");
	snprintf(buf, sizeof(buf), "<KmsRequest xmlns=\"" NS "\"><ClientId>%0256d</ClientId>"
	    "<UserUri>%01024d</UserUri><ClientReqUrl>%02048d</ClientReqUrl></KmsRequest>",
	    0, 0, 0);
	accept_text(buf, &r);
	ck_assert_uint_eq(strlen(r.client_id), 256);
	ck_assert_uint_eq(strlen(r.user_uri), 1024);
	ck_assert_uint_eq(strlen(r.client_req_url), 2048);
	snprintf(buf, sizeof(buf), "<UserUri>%01025d</UserUri>", 0);
	refuse_children(buf, SKM_EINVAL, "UserUri is too long");
	snprintf(buf, sizeof(buf), "<ClientReqUrl>%02049d</ClientReqUrl>", 0);
	refuse_children(buf, SKM_EINVAL, "ClientReqUrl is too long");
}
END_TEST

START_TEST(doctype_refused)
{
	const char *names[] = { "kmsreq/laughs.xml", "kmsreq/xxe.xml" };
	struct kmsreq r;
	double t0;
	const char *why;
	size_t i, len;
	char *body;

	for (i = 0; i < 2; i++) {
		body = read_data(names[i], &len);
		t0 = test_cpu_seconds();
		ck_assert_int_eq(kmsreq_parse(body, len, &r, &why), SKM_EINVAL);
		/* Generous: an expansion would take minutes of CPU, not seconds. */
		ck_assert_double_lt(test_cpu_seconds() - t0, 2.0);
		ck_assert_str_eq(why, "KmsRequest must not have a DOCTYPE or entity declarations");
		ck_assert_str_eq(r.user_uri, "");
		free(body);
	}
	refuse_text("<!DOCTYPE KmsRequest><KmsRequest xmlns=\"" NS "\"/>", SKM_EINVAL,
	    "KmsRequest must not have a DOCTYPE or entity declarations");
	refuse_text("<!DOCTYPE KmsRequest SYSTEM \"http://example.org/x.dtd\">"
	    "<KmsRequest xmlns=\"" NS "\"/>", SKM_EINVAL,
	    "KmsRequest must not have a DOCTYPE or entity declarations");
}
END_TEST

START_TEST(size_limit)
{
	static const char head[] = "<KmsRequest xmlns=\"" NS "\"><!--";
	static const char tail[] = "--></KmsRequest>";
	struct kmsreq r;
	const char *why;
	char *buf = malloc(KMSREQ_MAX + 2);

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', KMSREQ_MAX + 1);
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + KMSREQ_MAX - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	ck_assert_int_eq(kmsreq_parse(buf, KMSREQ_MAX, &r, &why), 0);
	memcpy(buf + KMSREQ_MAX + 1 - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	ck_assert_int_eq(kmsreq_parse(buf, KMSREQ_MAX + 1, &r, &why), SKM_ELEN);
	ck_assert_str_eq(why, "KmsRequest larger than 64 KiB");
	free(buf);
}
END_TEST

START_TEST(truncated)
{
	struct kmsreq r;
	const char *why;
	size_t len, cut;
	char *body = read_data("kmsreq/streamwide.xml", &len);

	/* Every proper prefix that is not blank is refused, never accepted in part. */
	for (cut = 1; cut < len - 1; cut++) {
		int rc = kmsreq_parse(body, cut, &r, &why);

		ck_assert_msg(rc == SKM_EPARSE, "prefix %zu: rc %d", cut, rc);
		ck_assert_str_eq(r.user_uri, "");
	}
	free(body);
}
END_TEST

START_TEST(silent_on_errors)
{
	char path[] = "/tmp/test_kmsreq.XXXXXX";
	int fd = mkstemp(path), saved;
	struct kmsreq r;
	const char *why;
	size_t len;
	char *body = read_data("kmsreq/xxe.xml", &len);

	ck_assert_int_ge(fd, 0);
	unlink(path);
	fflush(stderr);
	saved = dup(2);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	ck_assert_int_ne(kmsreq_parse("<KmsRequest xmlns=\"" NS "\"><a></b>", 40, &r, &why), 0);
	ck_assert_int_ne(kmsreq_parse("<?xml version=\"1.0\" encoding=\"no-such\"?><a/>",
	    44, &r, &why), 0);
	ck_assert_int_ne(kmsreq_parse("<a>\xff\xfe</a>", 9, &r, &why), 0);
	ck_assert_int_ne(kmsreq_parse(body, len, &r, &why), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0);
	close(fd);
	free(body);
}
END_TEST

struct worker {
	char *bodies[3];
	size_t lens[3];
	int failures;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct kmsreq r;
	const char *why;
	int i;

	for (i = 0; i < 300; i++) {
		int k = i % 3, rc = kmsreq_parse(w->bodies[k], w->lens[k], &r, &why);

		if ((k < 2 && (rc != 0 || r.time != T_UTC)) || (k == 2 && rc != SKM_EINVAL))
			w->failures++;
	}
	return NULL;
}

START_TEST(threads)
{
	struct worker w = { 0 };
	pthread_t t[4];
	int i;

	w.bodies[0] = read_data("kmsreq/streamwide.xml", &w.lens[0]);
	w.bodies[1] = read_data("kmsreq/signed.xml", &w.lens[1]);
	w.bodies[2] = read_data("kmsreq/laughs.xml", &w.lens[2]);
	kmsreq_init();
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w), 0);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(w.failures, 0);
	for (i = 0; i < 3; i++)
		free(w.bodies[i]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("kmsreq");
	TCase *tc = tcase_create("kmsreq");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, empty_body);
	tcase_add_test(tc, streamwide_request);
	tcase_add_test(tc, v110_with_zone);
	tcase_add_test(tc, signed_request);
	tcase_add_test(tc, kms_uri);
	tcase_add_test(tc, times);
	tcase_add_test(tc, wrong_documents);
	tcase_add_test(tc, elements);
	tcase_add_test(tc, doctype_refused);
	tcase_add_test(tc, size_limit);
	tcase_add_test(tc, truncated);
	tcase_add_test(tc, silent_on_errors);
	tcase_add_test(tc, threads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
