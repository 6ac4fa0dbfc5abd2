/*
 * test_report_words.c - what people read in the table and HTML reports:
 * days and instants in Vietnam local time whatever the machine's time
 * zone, every machine name the engine can produce in words (Vietnamese
 * first), the words for a scan without a place, and display widths.
 */
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "report_int.h"

static int32_t
D(const char *s)
{
	int32_t d = OCOP_NO_DAY;

	ocop_day_parse(s, &d, NULL);
	return d;
}

static int64_t
I(const char *s)
{
	int64_t t = OCOP_NO_TIME;

	ocop_time_parse(s, &t, NULL);
	return t;
}

static void
test_local_time(void)
{
	char b[32];

	TEST("report_local_day_and_time");
	CHECK_STR(report_local_day(D("2026-12-02"), b), "02/12/2026");
	CHECK_STR(report_local_day(D("2024-02-29"), b), "29/02/2024");
	CHECK_STR(report_local_day(OCOP_NO_DAY, b), "");
	/* UTC+7: 08:04 UTC is 15:04 in Vietnam, seconds left out */
	CHECK_STR(report_local_time(I("2026-12-02T08:04:55Z"), b),
		  "02/12/2026 15:04");
	CHECK_STR(report_local_time(I("2026-12-02T21:24:55+07:00"), b),
		  "02/12/2026 21:24");
	/* the day turns at 17:00 UTC */
	CHECK_STR(report_local_time(I("2026-12-31T17:00:00Z"), b),
		  "01/01/2027 00:00");
	CHECK_STR(report_local_time(I("2026-12-31T16:59:59Z"), b),
		  "31/12/2026 23:59");
	CHECK_STR(report_local_time(I("1969-12-31T23:30:00+07:00"), b),
		  "31/12/1969 23:30");
	CHECK_STR(report_local_time(OCOP_NO_TIME, b), "");

	/* the machine's time zone changes nothing */
	setenv("TZ", "America/New_York", 1);
	tzset();
	CHECK_STR(report_local_time(I("2026-12-02T08:04:55Z"), b),
		  "02/12/2026 15:04");
	setenv("TZ", "Pacific/Kiritimati", 1);
	tzset();
	CHECK_STR(report_local_time(I("2026-12-02T20:30:00Z"), b),
		  "03/12/2026 03:30");
	unsetenv("TZ");
	tzset();
}

/* Every name of a kind the engine produces has words of its own. */
static void
check_named(enum rcol_kind kind, const char *name)
{
	const char *vi, *en;

	if (!name)
		return;
	if (rwords(kind, name, &vi, &en) != 0 || strcmp(vi, name) == 0) {
		HARNESS_FAIL("no words for '%s'", name);
		return;
	}
	CHECK(strlen(vi) > 0 && strlen(en) > 0);
}

static void
test_words(void)
{
	const char *vi, *en;
	char b[256];

	TEST("report_words_every_name");
	for (int v = OCOP_UNKNOWN; v <= OCOP_VALID; v++)
		check_named(RCOL_VERDICT,
			    ocop_verdict_name((enum ocop_verdict)v));
	for (int g = OCOP_GROUND_A; g <= OCOP_GROUND_LAPSED; g++)
		check_named(RCOL_GROUND, ocop_ground_name((enum ocop_ground)g));
	for (int r = OCOP_REASON_IN_FORCE; r <= OCOP_REASON_FEWER_STARS; r++)
		check_named(RCOL_REASON, ocop_reason_name((enum ocop_reason)r));
	check_named(RCOL_WINDOW, "not_open");
	check_named(RCOL_WINDOW, "open");
	check_named(RCOL_WINDOW, "closed");
	check_named(RCOL_ENDS_BY, "expiry");
	check_named(RCOL_ENDS_BY, "revocation");
	check_named(RCOL_ENDS_BY, "renewal");
	check_named(RCOL_BOOL, "true");
	check_named(RCOL_BOOL, "false");

	/* the words SPEC 7 names, and the decree's letter đ */
	CHECK(rwords(RCOL_VERDICT, "revoked", &vi, &en) == 0);
	CHECK_STR(vi, "bị thu hồi");
	CHECK(rwords(RCOL_VERDICT, "expired", &vi, &en) == 0);
	CHECK_STR(vi, "hết hiệu lực");
	CHECK(rwords(RCOL_VERDICT, "star_mismatch", &vi, &en) == 0);
	CHECK_STR(vi, "sai số sao");
	CHECK(rwords(RCOL_GROUND, "dd", &vi, &en) == 0);
	CHECK(strncmp(vi, "đ) ", strlen("đ) ")) == 0);
	/* a name of another kind is not taken for one */
	CHECK_INT(rwords(RCOL_WINDOW, "revoked", &vi, &en), -1);
	CHECK_STR(vi, "revoked");

	TEST("report_people_cells");
	CHECK_STR(rpeople(RCOL_VERDICT, "revoked", b, sizeof(b)),
		  "bị thu hồi (revoked)");
	CHECK_STR(rpeople(RCOL_VERDICT, "star_mismatch", b, sizeof(b)),
		  "sai số sao (star mismatch)");
	CHECK_STR(rpeople(RCOL_WINDOW, "closed", b, sizeof(b)),
		  "đã quá hạn nộp hồ sơ (closed)");
	CHECK_STR(rpeople(RCOL_DAY, "2025-06-01", b, sizeof(b)), "01/06/2025");
	CHECK_STR(rpeople(RCOL_TIME, "2025-06-20T11:13:00+07:00", b, sizeof(b)),
		  "20/06/2025 11:13");
	CHECK_STR(rpeople(RCOL_TIME, "2025-06-20T04:13:00Z", b, sizeof(b)),
		  "20/06/2025 11:13");
	CHECK_STR(rpeople(RCOL_PLACE, "", b, sizeof(b)),
		  "Người tiêu dùng quét (không có địa điểm) / consumer scan, "
		  "no place");
	CHECK_STR(rpeople(RCOL_PLACE, "Chợ Lớn", b, sizeof(b)), "Chợ Lớn");
	/* a serial as the label prints it; a scanned code of another
	 * length stays as scanned */
	CHECK_STR(rpeople(RCOL_SERIAL, "7KQ3M9XH2PAB4C5D", b, sizeof(b)),
		  "7KQ3-M9XH-2PAB-4C5D");
	CHECK_STR(rpeople(RCOL_SERIAL, "7KQ3M9XH", b, sizeof(b)), "7KQ3M9XH");
	/* empty and unrecognised values stay as they are */
	CHECK_STR(rpeople(RCOL_GROUND, "", b, sizeof(b)), "");
	CHECK_STR(rpeople(RCOL_DAY, "", b, sizeof(b)), "");
	CHECK_STR(rpeople(RCOL_VERDICT, "later", b, sizeof(b)), "later");
	CHECK_STR(rpeople(RCOL_TEXT, "2025-06-01", b, sizeof(b)), "2025-06-01");
	/* a small buffer cuts between characters, never overflows */
	CHECK_STR(rpeople(RCOL_VERDICT, "revoked", b, 5), "bị");
	CHECK_STR(rpeople(RCOL_VERDICT, "revoked", b, 4), "b");
	CHECK_STR(rpeople(RCOL_VERDICT, "revoked", b, 3), "b");
	CHECK_STR(rpeople(RCOL_TEXT, "Đ", b, 2), "");
}

static void
test_places(void)
{
	struct rcount m;
	char *s;

	TEST("report_places_in_words");
	rcount_init(&m);
	rcount_add(&m, "Chợ Lớn", 2);
	rcount_add(&m, "", 3);
	rcount_sort(&m);
	/* CSV keeps "?" (scripts read it), people read words */
	s = rcount_text(&m, 0, 0);
	CHECK_STR(s, "? (3); Chợ Lớn (2)");
	free(s);
	s = rcount_text(&m, 0, 1);
	CHECK_STR(s, "Người tiêu dùng quét (không có địa điểm) / consumer "
		     "scan, no place (3); Chợ Lớn (2)");
	free(s);
	s = rcount_text(&m, 1, 1);
	CHECK(strstr(s, "… +1") != NULL);
	CHECK(strchr(s, '?') == NULL);
	free(s);
	rcount_release(&m);
}

static void
test_width(void)
{
	TEST("report_display_width_unicode");
	CHECK_INT(report_display_width("Bánh"), 4);
	CHECK_INT(report_display_width("Ba\xcc\x81nh"), 4); /* NFD */
	CHECK_INT(report_display_width("Đồng Tháp"), 9);
	CHECK_INT(report_display_width("bị thu hồi (revoked)"), 20);
	CHECK_INT(report_display_width("中文"), 4); /* wide */
	CHECK_INT(report_display_width("…"), 1);
	CHECK_INT(report_display_width(""), 0);
	CHECK_INT(report_display_width("a\xff"
				       "b"),
		  3); /* a stray byte counts one */
}

int
main(void)
{
	test_local_time();
	test_words();
	test_places();
	test_width();
	return harness_done();
}
