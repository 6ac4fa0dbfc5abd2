/*
 * test_validity.c - table-driven tests of the verdict engine (SPEC 2).
 */
#include <stdlib.h>

#include "harness.h"
#include "ocop.h"

struct rec_spec {
	int stars;
	const char *decision;
	const char *from;
	const char *until;    /* NULL: default term */
	const char *extended; /* NULL: none */
};

struct rev_spec {
	const char *decision;
	const char *on;
	enum ocop_ground ground;
};

struct history_spec {
	struct rec_spec recs[4];
	struct rev_spec revs[3];
};

struct verdict_case {
	const char *name;
	const struct history_spec *h;
	int printed;
	const char *voided_at; /* RFC 3339 or NULL */
	const char *at;        /* RFC 3339 */
	enum ocop_verdict want;
	const char *want_rec; /* decision of the recognition shown, or NULL */
	const char *want_since;
};

static int32_t
day(const char *s)
{
	int32_t d = OCOP_NO_DAY;

	if (ocop_day_parse(s, &d, NULL) < 0)
		abort();
	return d;
}

static int64_t
instant(const char *s)
{
	int64_t t = 0;

	if (ocop_time_parse(s, &t, NULL) < 0)
		abort();
	return t;
}

static void
build(const struct history_spec *spec, struct ocop_history *h)
{
	ocop_history_init(h);
	for (int i = 0; i < 4 && spec->recs[i].decision; i++) {
		const struct rec_spec *s = &spec->recs[i];
		struct ocop_recognition r = {0};

		r.id = i + 1;
		r.stars = s->stars;
		ocop_strlcpy(r.decision_no, s->decision, sizeof(r.decision_no));
		r.decided_on = r.valid_from = day(s->from);
		r.valid_until = s->until ? day(s->until)
					 : ocop_default_valid_until(r.valid_from);
		r.extended_until = s->extended ? day(s->extended) : OCOP_NO_DAY;
		ocop_history_add_recognition(h, &r);
	}
	for (int i = 0; i < 3 && spec->revs[i].decision; i++) {
		const struct rev_spec *s = &spec->revs[i];
		struct ocop_revocation v = {0};

		v.id = i + 1;
		ocop_strlcpy(v.decision_no, s->decision, sizeof(v.decision_no));
		v.revoked_on = day(s->on);
		v.ground = s->ground;
		ocop_history_add_revocation(h, &v);
	}
	ocop_history_resolve(h);
}

/* 4 stars from 2023-03-02 (default term: until 2026-03-01) */
static const struct history_spec one = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, NULL}},
};
/* decided on 29 February */
static const struct history_spec leap = {
	.recs = {{3, "29/QĐ-UBND", "2024-02-29", NULL, NULL}},
};
static const struct history_spec explicit_until = {
	.recs = {{4, "7/QĐ-UBND", "2023-05-10", "2025-12-31", NULL}},
};
static const struct history_spec extended = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, "2026-08-28"}},
};
/* re-evaluated down to 3 stars, and separately up to 5 */
static const struct history_spec down = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, NULL},
		 {3, "202/QĐ-UBND", "2025-11-15", NULL, NULL}},
};
static const struct history_spec up = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, NULL},
		 {5, "377/QĐ-BNN-VPĐP", "2025-11-15", NULL, NULL}},
};
/* lapsed on 2026-03-02, revoked for lapse on 2026-06-15 */
static const struct history_spec lapsed_revoked = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, NULL}},
	.revs = {{"55/QĐ-UBND", "2026-06-15", OCOP_GROUND_LAPSED}},
};
/* revoked in force (ground c), re-recognised later */
static const struct history_spec revoked_then_again = {
	.recs = {{4, "101/QĐ-UBND", "2023-03-02", NULL, NULL},
		 {3, "300/QĐ-UBND", "2025-09-01", NULL, NULL}},
	.revs = {{"88/QĐ-UBND", "2024-07-01", OCOP_GROUND_C}},
};
/* lapsed, gap, re-recognised */
static const struct history_spec gap = {
	.recs = {{4, "10/QĐ-UBND", "2020-01-15", NULL, NULL},
		 {4, "20/QĐ-UBND", "2023-06-01", NULL, NULL}},
};

static const struct verdict_case cases[] = {
	{"last valid day", &one, 4, NULL, "2026-03-01T12:00:00+07:00",
	 OCOP_VALID, "101/QĐ-UBND", "2023-03-02"},
	{"first lapsed day", &one, 4, NULL, "2026-03-02T12:00:00+07:00",
	 OCOP_EXPIRED, "101/QĐ-UBND", "2026-03-02"},
	{"23:59 Vietnam time given in UTC is still the last day", &one, 4,
	 NULL, "2026-03-01T16:59:00Z", OCOP_VALID, "101/QĐ-UBND",
	 "2023-03-02"},
	{"00:01 Vietnam time given in UTC is the next day", &one, 4, NULL,
	 "2026-03-01T17:01:00Z", OCOP_EXPIRED, "101/QĐ-UBND", "2026-03-02"},
	{"before any recognition", &one, 4, NULL, "2023-03-01T23:00:00+07:00",
	 OCOP_EXPIRED, NULL, NULL},
	{"29 February: last day of the term", &leap, 3, NULL,
	 "2027-02-27T10:00:00+07:00", OCOP_VALID, "29/QĐ-UBND", "2024-02-29"},
	{"29 February: day after the term", &leap, 3, NULL,
	 "2027-02-28T10:00:00+07:00", OCOP_EXPIRED, "29/QĐ-UBND",
	 "2027-02-28"},
	{"explicit valid_until: last day", &explicit_until, 4, NULL,
	 "2025-12-31T20:00:00+07:00", OCOP_VALID, "7/QĐ-UBND", "2023-05-10"},
	{"explicit valid_until: after", &explicit_until, 4, NULL,
	 "2026-01-01T08:00:00+07:00", OCOP_EXPIRED, "7/QĐ-UBND",
	 "2026-01-01"},
	{"extension keeps it valid past valid_until", &extended, 4, NULL,
	 "2026-08-28T08:00:00+07:00", OCOP_VALID, "101/QĐ-UBND",
	 "2023-03-02"},
	{"extension ends", &extended, 4, NULL, "2026-08-29T08:00:00+07:00",
	 OCOP_EXPIRED, "101/QĐ-UBND", "2026-08-29"},
	{"re-evaluated down: before", &down, 4, NULL,
	 "2025-11-14T08:00:00+07:00", OCOP_VALID, "101/QĐ-UBND",
	 "2023-03-02"},
	{"re-evaluated down: 4-star label now mismatched", &down, 4, NULL,
	 "2025-11-15T08:00:00+07:00", OCOP_STAR_MISMATCH, "202/QĐ-UBND",
	 "2025-11-15"},
	{"re-evaluated down: 3-star label valid throughout", &down, 3, NULL,
	 "2026-05-01T08:00:00+07:00", OCOP_VALID, "202/QĐ-UBND",
	 "2023-03-02"},
	{"re-evaluated up: 4-star label still valid", &up, 4, NULL,
	 "2026-05-01T08:00:00+07:00", OCOP_VALID, "377/QĐ-BNN-VPĐP",
	 "2023-03-02"},
	{"re-evaluated up: supersedes the old term", &up, 5, NULL,
	 "2025-11-14T08:00:00+07:00", OCOP_STAR_MISMATCH, "101/QĐ-UBND",
	 "2023-03-02"},
	{"lapsed, revocation not yet in effect: expired", &lapsed_revoked, 4,
	 NULL, "2026-06-14T08:00:00+07:00", OCOP_EXPIRED, "101/QĐ-UBND",
	 "2026-03-02"},
	{"lapsed then revoked for lapse: revoked", &lapsed_revoked, 4, NULL,
	 "2026-06-15T08:00:00+07:00", OCOP_REVOKED, "101/QĐ-UBND",
	 "2026-06-15"},
	{"revoked while in force: day before", &revoked_then_again, 4, NULL,
	 "2024-06-30T08:00:00+07:00", OCOP_VALID, "101/QĐ-UBND",
	 "2023-03-02"},
	{"revoked while in force: from its date", &revoked_then_again, 4, NULL,
	 "2024-07-01T00:00:00+07:00", OCOP_REVOKED, "101/QĐ-UBND",
	 "2024-07-01"},
	{"re-recognised after revocation, 3 stars", &revoked_then_again, 3,
	 NULL, "2025-09-01T08:00:00+07:00", OCOP_VALID, "300/QĐ-UBND",
	 "2025-09-01"},
	{"re-recognised after revocation, old 4-star label", &revoked_then_again,
	 4, NULL, "2025-09-02T08:00:00+07:00", OCOP_STAR_MISMATCH,
	 "300/QĐ-UBND", "2025-09-01"},
	{"gap between terms: expired", &gap, 4, NULL,
	 "2023-01-20T08:00:00+07:00", OCOP_EXPIRED, "10/QĐ-UBND",
	 "2023-01-15"},
	{"re-recognised after a gap: valid", &gap, 4, NULL,
	 "2023-06-01T08:00:00+07:00", OCOP_VALID, "20/QĐ-UBND", "2023-06-01"},
	{"voided label", &one, 4, "2025-01-01T08:00:00+07:00",
	 "2025-01-01T08:00:00+07:00", OCOP_VOIDED, "101/QĐ-UBND",
	 "2025-01-01"},
	{"voided later than the scan: still valid", &one, 4,
	 "2025-01-01T08:00:01+07:00", "2025-01-01T08:00:00+07:00", OCOP_VALID,
	 "101/QĐ-UBND", "2023-03-02"},
	{"voided beats expired", &one, 4, "2025-01-01T08:00:00+07:00",
	 "2026-05-01T08:00:00+07:00", OCOP_VOIDED, "101/QĐ-UBND",
	 "2025-01-01"},
};

static void
test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct verdict_case *c = &cases[i];
		struct ocop_history h;
		struct ocop_judgement j;
		char since[16];

		build(c->h, &h);
		TEST(c->name);
		ocop_judge(&h, c->printed,
			   c->voided_at ? instant(c->voided_at) : OCOP_NO_TIME,
			   0, instant(c->at), &j);
		CHECK_STR(ocop_verdict_name(j.verdict),
			  ocop_verdict_name(c->want));
		if (c->want_rec) {
			CHECK(j.rec >= 0);
			if (j.rec >= 0)
				CHECK_STR(h.recs[j.rec].decision_no,
					  c->want_rec);
		} else {
			CHECK_INT(j.rec, -1);
		}
		CHECK_STR(ocop_day_format(j.since, since),
			  c->want_since ? c->want_since : "");
		ocop_history_release(&h);
	}
}

static void
test_terms(void)
{
	char buf[16];

	TEST("default term is 36 months less a day");
	CHECK_STR(ocop_day_format(ocop_default_valid_until(day("2023-03-02")),
				  buf),
		  "2026-03-01");
	TEST("adding months clamps to the month's end");
	CHECK_STR(ocop_day_format(ocop_day_add_months(day("2024-02-29"), 36),
				  buf),
		  "2027-02-28");
	CHECK_STR(ocop_day_format(ocop_day_add_months(day("2024-01-31"), 1),
				  buf),
		  "2024-02-29");
	TEST("revocation attaches to the recognition in force on its date");
	{
		struct ocop_history h;

		build(&revoked_then_again, &h);
		CHECK_STR(ocop_day_format(h.recs[0].revoked_on, buf),
			  "2024-07-01");
		CHECK_STR(ocop_day_format(h.recs[0].end, buf), "2024-06-30");
		CHECK_INT(h.recs[1].revoked_on, OCOP_NO_DAY);
		ocop_history_release(&h);
	}
	TEST("supersession cuts the earlier term");
	{
		struct ocop_history h;

		build(&down, &h);
		CHECK_STR(ocop_day_format(h.recs[0].end, buf), "2025-11-14");
		ocop_history_release(&h);
	}
}

static void
test_batch_void_reason(void)
{
	struct ocop_history h;
	struct ocop_judgement j;

	TEST("a voided batch says so");
	build(&one, &h);
	ocop_judge(&h, 4, instant("2024-01-01T00:00:00Z"), 1,
		   instant("2024-02-01T00:00:00Z"), &j);
	CHECK_INT(j.verdict, OCOP_VOIDED);
	CHECK_STR(ocop_reason_name(j.reason), "batch_voided");
	ocop_history_release(&h);
}

int
main(void)
{
	test_cases();
	test_terms();
	test_batch_void_reason();
	return harness_done();
}
