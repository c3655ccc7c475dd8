/* SPDX-License-Identifier: ISC */
/*
 * The client of a GMS service: the Notifications document of the long
 * poll (well-formed, empty, malformed, too many, wrong namespace, a
 * DOCTYPE, notifications without their parts), the Error document, the
 * delivery ID rule, the path-segment encoding of URIs and the reconnection
 * back-off (doubling, the cap, the jitter's bounds).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/backoff.h"
#include "client/gmschan.h"
#include "client/gmsnote.h"
#include "common/err.h"

#define NS	"urn:skms:seal:gm:1"
/* "mikey" as an I_MESSAGE stand-in: the parser checks base64 only. */
#define B64	"bWlrZXk="

static const char gmk_note[] =
    "<Notification id=\"d-1\" kind=\"gmk\">"
    "<NotifyGroupConfigurationRequest>"
    "<RequesterIdentity>sip:gms@example.org</RequesterIdentity>"
    "<ValGroupId>g1</ValGroupId>"
    "<GroupRelatedKeyMaterial>\n  " B64 "\n</GroupRelatedKeyMaterial>"
    "</NotifyGroupConfigurationRequest></Notification>";

static const char removal_note[] =
    "<Notification id=\"d_2\" kind=\"removal\">"
    "<NotifyGroupRemoval>"
    "<RequesterIdentity>sip:gms@example.org</RequesterIdentity>"
    "<ValGroupId>g2</ValGroupId>"
    "</NotifyGroupRemoval></Notification>";

/* Parses doc; returns the error, with *n notifications on success. */
static int
parse(const char *doc, struct gmsnote **notes, size_t *n, char *why)
{
	why[0] = '\0';
	return gmsnote_parse(doc, strlen(doc), notes, n, why, 256);
}

/* doc is refused with err and a reason containing what; nothing returned. */
static void
refused(const char *doc, int err, const char *what)
{
	struct gmsnote *notes = (struct gmsnote *)1;
	size_t n = 99;
	char why[256];

	ck_assert_int_eq(parse(doc, &notes, &n, why), err);
	ck_assert_ptr_null(notes);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(strstr(why, what) != NULL, "reason '%s' lacks '%s'", why, what);
}

static char *
wrap(const char *inner)
{
	char *d;
	size_t len = strlen(inner) + 256;

	ck_assert_ptr_nonnull(d = malloc(len));
	snprintf(d, len, "<?xml version=\"1.0\"?>\n<Notifications xmlns=\"" NS "\">%s"
	    "</Notifications>", inner);
	return d;
}

START_TEST(parse_well_formed)
{
	struct gmsnote *notes;
	char why[256], inner[2048], *doc;
	size_t n;

	snprintf(inner, sizeof(inner), "%s<x:Ext xmlns:x=\"urn:other\">ignored</x:Ext>%s",
	    gmk_note, removal_note);
	doc = wrap(inner);
	ck_assert_msg(parse(doc, &notes, &n, why) == 0, "%s", why);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(notes[0].id, "d-1");
	ck_assert_int_eq(notes[0].kind, GMSNOTE_GMK);
	ck_assert_str_eq(notes[0].requester, "sip:gms@example.org");
	ck_assert_str_eq(notes[0].group, "g1");
	ck_assert_uint_eq(notes[0].imsglen, 5);
	ck_assert_mem_eq(notes[0].imsg, "mikey", 5);
	ck_assert_str_eq(notes[1].id, "d_2");
	ck_assert_int_eq(notes[1].kind, GMSNOTE_REMOVAL);
	ck_assert_str_eq(notes[1].group, "g2");
	ck_assert_ptr_null(notes[1].imsg);
	gmsnote_free(notes, n);
	free(doc);
}
END_TEST

START_TEST(parse_empty)
{
	static const char *const docs[] = {
		"<Notifications xmlns=\"" NS "\"/>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Notifications xmlns=\"" NS
		    "\">\n  <!-- nothing due -->\n</Notifications>\n",
	};
	struct gmsnote *notes = (struct gmsnote *)1;
	char why[256];
	size_t i, n = 99;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		ck_assert_msg(parse(docs[i], &notes, &n, why) == 0, "%s", why);
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_null(notes);
	}
}
END_TEST

/* A kind this client does not know is kept, to be left unanswered. */
START_TEST(parse_other_kind)
{
	struct gmsnote *notes;
	char why[256], *doc;
	size_t n;

	doc = wrap("<Notification id=\"z\" kind=\"future\"><Whatever/></Notification>");
	ck_assert_msg(parse(doc, &notes, &n, why) == 0, "%s", why);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(notes[0].kind, GMSNOTE_OTHER);
	ck_assert_ptr_null(notes[0].group);
	gmsnote_free(notes, n);
	free(doc);
}
END_TEST

START_TEST(parse_malformed)
{
	static const struct {
		const char *inner;
		const char *what;
	} cases[] = {
		{ "<Notification kind=\"gmk\"/>", "id missing" },
		{ "<Notification id=\"a/b\" kind=\"gmk\"/>", "id missing or not" },
		{ "<Notification id=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
		    "kind=\"gmk\"/>", "id missing or not" },
		{ "<Notification id=\"a\"/>", "kind missing" },
		{ "<Notification id=\"a\" kind=\"gmk\"/>", "no NotifyGroupConfigurationRequest" },
		{ "<Notification id=\"a\" kind=\"gmk\"><NotifyGroupRemoval/></Notification>",
		    "not one NotifyGroupConfigurationRequest" },
		{ "<Notification id=\"a\" kind=\"removal\"><NotifyGroupRemoval>"
		    "<ValGroupId>g</ValGroupId></NotifyGroupRemoval></Notification>",
		    "are required" },
		{ "<Notification id=\"a\" kind=\"gmk\"><NotifyGroupConfigurationRequest>"
		    "<RequesterIdentity>sip:g@x</RequesterIdentity><ValGroupId>g</ValGroupId>"
		    "<GroupRelatedKeyMaterial>not base64!</GroupRelatedKeyMaterial>"
		    "</NotifyGroupConfigurationRequest></Notification>", "not base64" },
		{ "<Notification id=\"a\" kind=\"gmk\"><NotifyGroupConfigurationRequest>"
		    "<RequesterIdentity>sip:g@x</RequesterIdentity><ValGroupId>g</ValGroupId>"
		    "<ValGroupId>h</ValGroupId><GroupRelatedKeyMaterial>" B64
		    "</GroupRelatedKeyMaterial></NotifyGroupConfigurationRequest></Notification>",
		    "given twice" },
		{ "<Notification id=\"a\" kind=\"removal\"><NotifyGroupRemoval>"
		    "<RequesterIdentity>sip:g@x</RequesterIdentity><ValGroupId>g h</ValGroupId>"
		    "</NotifyGroupRemoval></Notification>", "not a usable" },
		{ "<Notification id=\"a\" kind=\"removal\"><NotifyGroupRemoval>"
		    "<RequesterIdentity>sip:g@x</RequesterIdentity><ValGroupId><b>g</b>"
		    "</ValGroupId></NotifyGroupRemoval></Notification>", "not text" },
		{ "<Notice id=\"a\" kind=\"gmk\"/>", "unknown element" },
	};
	char *doc;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		doc = wrap(cases[i].inner);
		refused(doc, SKM_EPARSE, cases[i].what);
		free(doc);
	}
	refused("<Notifications xmlns=\"" NS "\">", SKM_EPARSE, "not well-formed");
	refused("", SKM_EPARSE, "not well-formed");
	refused("{\"notifications\": []}", SKM_EPARSE, "not well-formed");
}
END_TEST

START_TEST(parse_too_many)
{
	struct gmsnote *notes;
	char why[256], *inner, *doc;
	size_t i, n, one = strlen(removal_note), cap = (GMSNOTE_MAX + 1) * one + 1;

	ck_assert_ptr_nonnull(inner = calloc(1, cap));
	for (i = 0; i < GMSNOTE_MAX; i++)
		memcpy(inner + i * one, removal_note, one);
	doc = wrap(inner);
	ck_assert_msg(parse(doc, &notes, &n, why) == 0, "%s", why);
	ck_assert_uint_eq(n, GMSNOTE_MAX);
	gmsnote_free(notes, n);
	free(doc);
	memcpy(inner + GMSNOTE_MAX * one, removal_note, one);
	doc = wrap(inner);
	refused(doc, SKM_ERANGE, "more than 256");
	free(doc);
	free(inner);
}
END_TEST

START_TEST(parse_wrong_namespace)
{
	char doc[2048];

	refused("<Notifications/>", SKM_EPARSE, "root is not Notifications");
	refused("<Notifications xmlns=\"urn:skms:seal:gm:2\"/>", SKM_EPARSE,
	    "root is not Notifications");
	refused("<Other xmlns=\"" NS "\"/>", SKM_EPARSE, "root is not Notifications");
	/* A notification in another namespace is an extension: ignored. */
	snprintf(doc, sizeof(doc), "<Notifications xmlns=\"" NS "\" xmlns:o=\"urn:o\">"
	    "<o:Notification id=\"a\" kind=\"gmk\"/></Notifications>");
	{
		struct gmsnote *notes;
		char why[256];
		size_t n;

		ck_assert_msg(parse(doc, &notes, &n, why) == 0, "%s", why);
		ck_assert_uint_eq(n, 0);
	}
	/* The parts of a request outside the namespace are not the parts. */
	snprintf(doc, sizeof(doc), "<Notifications xmlns=\"" NS "\"><Notification id=\"a\" "
	    "kind=\"removal\"><NotifyGroupRemoval><RequesterIdentity xmlns=\"urn:o\">"
	    "sip:g@x</RequesterIdentity><ValGroupId>g</ValGroupId></NotifyGroupRemoval>"
	    "</Notification></Notifications>");
	refused(doc, SKM_EPARSE, "are required");
}
END_TEST

START_TEST(parse_doctype_refused)
{
	refused("<?xml version=\"1.0\"?>\n<!DOCTYPE Notifications [\n"
	    "<!ENTITY g \"g1\">\n]>\n<Notifications xmlns=\"" NS "\"><Notification id=\"a\" "
	    "kind=\"removal\"><NotifyGroupRemoval><RequesterIdentity>sip:g@x"
	    "</RequesterIdentity><ValGroupId>&g;</ValGroupId></NotifyGroupRemoval>"
	    "</Notification></Notifications>", SKM_EPARSE, "DOCTYPE not allowed");
	refused("<!DOCTYPE Notifications SYSTEM \"http://127.0.0.1:1/x.dtd\">"
	    "<Notifications xmlns=\"" NS "\"/>", SKM_EPARSE, "DOCTYPE not allowed");
}
END_TEST

START_TEST(parse_too_long)
{
	struct gmsnote *notes;
	size_t n;
	char why[256] = "";

	ck_assert_int_eq(gmsnote_parse("<a/>", (size_t)GMSNOTE_DOC_MAX + 1, &notes, &n, why,
	    sizeof(why)), SKM_ELEN);
	ck_assert_ptr_nonnull(strstr(why, "longer than"));
}
END_TEST

START_TEST(error_reason)
{
	static const char e[] = "<Error xmlns=\"" NS "\"><Reason>token is not for this user"
	    "</Reason></Error>";
	char out[64];

	ck_assert_int_eq(gmsnote_error_reason(e, strlen(e), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "token is not for this user");
	ck_assert_int_eq(gmsnote_error_reason("<Error/>", 8, out, sizeof(out)), SKM_EPARSE);
	ck_assert_int_eq(gmsnote_error_reason("oops", 4, out, sizeof(out)), SKM_EPARSE);
}
END_TEST

START_TEST(delivery_id)
{
	ck_assert_int_eq(gmsnote_id_ok("Abc-09_x"), 1);
	ck_assert_int_eq(gmsnote_id_ok(""), 0);
	ck_assert_int_eq(gmsnote_id_ok("a.b"), 0);
	ck_assert_int_eq(gmsnote_id_ok("../x"), 0);
	ck_assert_int_eq(gmsnote_id_ok(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 1);
	ck_assert_int_eq(gmsnote_id_ok(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 0);
}
END_TEST

START_TEST(path_segment)
{
	char out[64];

	ck_assert_int_eq(gmschan_segment("sip:alice@example.org", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "sip:alice@example.org");
	ck_assert_int_eq(gmschan_segment("a/b%c?d#e f", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%2Fb%25c%3Fd%23e%20f");
	ck_assert_int_eq(gmschan_segment("tel:+1-555", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "tel:+1-555");
	ck_assert_int_eq(gmschan_segment("\xc3\xa9", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "%C3%A9");
	ck_assert_int_eq(gmschan_segment("abc", out, 3), SKM_ELEN);
	ck_assert_int_eq(gmschan_segment("a/", out, 4), SKM_ELEN);
}
END_TEST

START_TEST(backoff_doubles_to_cap)
{
	/* rnd 0: no jitter. */
	ck_assert_int_eq(backoff_delay(1000, 60000, 1, 0), 1000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 2, 0), 2000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 3, 0), 4000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 6, 0), 32000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 7, 0), 60000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 1000000, 0), 60000);
	ck_assert_int_eq(backoff_delay(1000, 60000, 0xffffffffu, 0), 60000);
	/* Degenerate settings still give a delay within the cap. */
	ck_assert_int_eq(backoff_delay(5000, 2000, 1, 0), 2000);
	ck_assert_int_eq(backoff_delay(0, 0, 3, 0), 1);
}
END_TEST

START_TEST(backoff_jitter_bounds)
{
	uint64_t r;
	unsigned f;
	int64_t d, base;
	int lower = 0;

	for (f = 1; f < 12; f++) {
		base = backoff_delay(1000, 60000, f, 0);
		for (r = 0; r < 5000; r += 7) {
			d = backoff_delay(1000, 60000, f, r * 2654435761u);
			ck_assert_int_le(d, base);
			ck_assert_int_ge(d, base - base / 2);
			lower |= d < base;
		}
		/* The extremes: exactly half off. */
		ck_assert_int_eq(backoff_delay(1000, 60000, f, (uint64_t)(base / 2)),
		    base - base / 2);
	}
	ck_assert_int_eq(lower, 1);
	for (f = 1; f < 40; f++) {
		d = backoff_next(1000, 60000, f);
		ck_assert_int_ge(d, 500);
		ck_assert_int_le(d, 60000);
	}
}
END_TEST

static Suite *
gmsc_suite(void)
{
	Suite *s = suite_create("gmsc");
	TCase *tp = tcase_create("notifications"), *tb = tcase_create("backoff");

	tcase_add_test(tp, parse_well_formed);
	tcase_add_test(tp, parse_empty);
	tcase_add_test(tp, parse_other_kind);
	tcase_add_test(tp, parse_malformed);
	tcase_add_test(tp, parse_too_many);
	tcase_add_test(tp, parse_wrong_namespace);
	tcase_add_test(tp, parse_doctype_refused);
	tcase_add_test(tp, parse_too_long);
	tcase_add_test(tp, error_reason);
	tcase_add_test(tp, delivery_id);
	tcase_add_test(tp, path_segment);
	suite_add_tcase(s, tp);
	tcase_add_test(tb, backoff_doubles_to_cap);
	tcase_add_test(tb, backoff_jitter_bounds);
	suite_add_tcase(s, tb);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gmsc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
