/*
 * test_report.c - the inspector reports over a scenario built through the
 * store API in a temporary database: products lapsed, revoked late with an
 * earlier date, downgraded, re-recognised after a gap, voided labels and
 * batches, forged codes, and one serial scanned in many places. Each
 * report's JSON is checked entry by entry; CSV, table and HTML are checked
 * to carry the same numbers.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assets.h"
#include "harness.h"
#include "report.h"
#include "store/store.h"

static struct ocop_store *st;
static char dbpath[256];

static int32_t
D(const char *s)
{
	int32_t d = OCOP_NO_DAY;

	if (ocop_day_parse(s, &d, NULL) < 0) {
		printf("bad date in test: %s\n", s);
		abort();
	}
	return d;
}

/* noon, Vietnam time, of a day */
static int64_t
T(const char *day)
{
	return ocop_day_start(D(day)) + 12 * 3600;
}

static int64_t
product(const char *code, const char *name, const char *province)
{
	struct ocop_product p;
	struct ocop_error err = {0};
	int changed;

	memset(&p, 0, sizeof(p));
	ocop_strlcpy(p.code, code, sizeof(p.code));
	ocop_strlcpy(p.name, name, sizeof(p.name));
	ocop_strlcpy(p.group, "I", sizeof(p.group));
	snprintf(p.producer.name, sizeof(p.producer.name), "HTX %s", code);
	ocop_strlcpy(p.producer.kind, "HTX", sizeof(p.producer.kind));
	ocop_strlcpy(p.producer.province, province,
		     sizeof(p.producer.province));
	ocop_strlcpy(p.producer.address, "Ấp 1", sizeof(p.producer.address));
	if (st->m->product_put(st, &p, &changed, &err) < 0) {
		printf("product_put: %s\n", err.msg);
		abort();
	}
	return p.id;
}

static void
recognise(int64_t pid, int stars, const char *decision, const char *on)
{
	struct ocop_recognition r;
	struct ocop_error err = {0};
	int changed;

	memset(&r, 0, sizeof(r));
	r.stars = stars;
	ocop_strlcpy(r.decision_no, decision, sizeof(r.decision_no));
	r.decided_on = D(on);
	ocop_strlcpy(r.issuer, "UBND tỉnh Đồng Tháp", sizeof(r.issuer));
	r.valid_from = OCOP_NO_DAY;
	r.valid_until = OCOP_NO_DAY;
	r.extended_until = OCOP_NO_DAY;
	if (st->m->recognition_add(st, pid, &r, &changed, &err) < 0) {
		printf("recognition_add: %s\n", err.msg);
		abort();
	}
}

static void
revoke_on(int64_t pid, const char *decision, const char *on, enum ocop_ground g)
{
	struct ocop_revocation v;
	struct ocop_error err = {0};
	int changed;

	memset(&v, 0, sizeof(v));
	ocop_strlcpy(v.decision_no, decision, sizeof(v.decision_no));
	v.revoked_on = D(on);
	v.ground = g;
	if (st->m->revocation_add(st, pid, &v, &changed, &err) < 0) {
		printf("revocation_add: %s\n", err.msg);
		abort();
	}
}

/* A batch of n labels; their ids and serials go to ids/serials. */
static int64_t
batch(int64_t pid, int stars, int n, const char *issued, int64_t *ids,
      char (*serials)[OCOP_SERIAL_LEN + 1])
{
	struct ocop_batch b;
	struct ocop_error err = {0};

	memset(&b, 0, sizeof(b));
	b.product_id = pid;
	b.stars = stars;
	b.count = n;
	b.made_on = OCOP_NO_DAY;
	b.best_before = OCOP_NO_DAY;
	b.issued_at = T(issued);
	b.voided_at = OCOP_NO_TIME;
	if (st->m->begin(st, &err) < 0 || st->m->batch_add(st, &b, &err) < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct ocop_label l;

		memset(&l, 0, sizeof(l));
		ocop_serial_new(l.serial);
		l.batch_id = b.id;
		l.product_id = pid;
		l.stars = stars;
		l.voided_at = OCOP_NO_TIME;
		if (st->m->label_add(st, &l, &err) < 0)
			goto fail;
		ids[i] = l.id;
		if (serials)
			memcpy(serials[i], l.serial, sizeof(serials[i]));
	}
	if (st->m->commit(st, &err) < 0)
		goto fail;
	return b.id;
fail:
	printf("batch: %s\n", err.msg);
	abort();
}

static int scan_seq;

/* A scan as the server records it; the verdict stored is whatever it
 * was then (reports must not trust it), here always "valid". */
static void
scan(int64_t pid, int64_t label_id, const char *code, int64_t t,
     const char *place)
{
	struct ocop_scan s;
	struct ocop_error err = {0};
	int dup;

	memset(&s, 0, sizeof(s));
	snprintf(s.client_id, sizeof(s.client_id), "c%d", ++scan_seq);
	ocop_strlcpy(s.code, code, sizeof(s.code));
	s.product_id = pid;
	s.label_id = label_id;
	s.scanned_at = t;
	s.received_at = t;
	s.verdict = label_id ? OCOP_VALID : OCOP_UNKNOWN;
	s.reason = label_id ? OCOP_REASON_IN_FORCE : OCOP_REASON_NOT_FOUND;
	s.source = OCOP_SCAN_INSPECTOR;
	ocop_strlcpy(s.place, place, sizeof(s.place));
	ocop_strlcpy(s.province, "87", sizeof(s.province));
	if (st->m->begin(st, &err) < 0 ||
	    st->m->scan_add(st, &s, &dup, &err) < 0 ||
	    st->m->commit(st, &err) < 0) {
		printf("scan_add: %s\n", err.msg);
		abort();
	}
}

/* ids of the products and labels, for the checks */
static int64_t p_lapsed, p_revoked, p_down, p_gap, p_void, p_exp1, p_exp2,
    p_exp3, p_lapsed_revoked;
static int64_t l_lapsed[3], l_revoked[2], l_down4[2], l_down3[1], l_gap[2],
    l_void[2], l_void_batch[1], l_exp1[2];
static char s_exp1[2][OCOP_SERIAL_LEN + 1];

static const char *FORGED = "7KQ3M9XH2PAB4C5D";
static const char *FORGED2 = "ZZZZZZZZZZZZZZZZ";

static void
build_scenario(void)
{
	struct ocop_error err = {0};
	char serials[3][OCOP_SERIAL_LEN + 1];

	/* lapsed: 3 stars from 2022-01-10, so valid until 2025-01-09 */
	p_lapsed =
	    product("87-001-0001-2022", "Bánh phồng tôm Sa Giang", "Đồng Tháp");
	recognise(p_lapsed, 3, "100/QĐ-UBND", "2022-01-10");
	batch(p_lapsed, 3, 3, "2023-03-01", l_lapsed, serials);
	scan(p_lapsed, l_lapsed[0], serials[0], T("2024-06-01"), "Chợ Sa Đéc");
	scan(p_lapsed, l_lapsed[0], serials[0], T("2025-02-01"),
	     "Chợ Bến Thành");
	scan(p_lapsed, l_lapsed[1], serials[1], T("2025-02-03"),
	     "Chợ Bến Thành");
	scan(p_lapsed, l_lapsed[1], serials[1], T("2025-03-01"),
	     "Siêu thị Co.op");

	/* revoked late with an earlier date: scans first, valid when made */
	p_revoked =
	    product("87-002-0002-2024", "Mắm <tôm> & \"Ba Làng\"", "Đồng Tháp");
	recognise(p_revoked, 4, "200/QĐ-UBND", "2024-01-01");
	batch(p_revoked, 4, 2, "2024-02-01", l_revoked, serials);
	scan(p_revoked, l_revoked[0], serials[0], T("2025-05-01"), "Chợ A");
	scan(p_revoked, l_revoked[0], serials[0], T("2025-06-10"), "Chợ A");
	scan(p_revoked, l_revoked[1], serials[1], T("2025-07-01"), "Chợ B");

	/* downgraded: 4 stars, re-evaluated to 3 from 2025-03-01 */
	p_down = product("87-003-0003-2023", "Nem Lai Vung", "Đồng Tháp");
	recognise(p_down, 4, "300/QĐ-UBND", "2023-01-01");
	recognise(p_down, 3, "301/QĐ-UBND", "2025-03-01");
	batch(p_down, 4, 2, "2024-01-15", l_down4, serials);
	scan(p_down, l_down4[0], serials[0], T("2025-02-20"), "Chợ Lai Vung");
	scan(p_down, l_down4[0], serials[0], T("2025-05-01"), "Chợ Lai Vung");
	scan(p_down, l_down4[1], serials[1], T("2025-05-02"), "Chợ Cao Lãnh");
	batch(p_down, 3, 1, "2025-04-01", l_down3, serials);
	scan(p_down, l_down3[0], serials[0], T("2025-05-03"), "Chợ Lai Vung");

	/* re-recognised after a gap: 2024-06-01 .. 2024-08-31 not in force */
	p_gap = product("87-004-0004-2021", "Hủ tiếu Sa Đéc", "Đồng Tháp");
	recognise(p_gap, 3, "400/QĐ-UBND", "2021-06-01");
	recognise(p_gap, 3, "401/QĐ-UBND", "2024-09-01");
	batch(p_gap, 3, 2, "2023-01-01", l_gap, serials);
	scan(p_gap, l_gap[0], serials[0], T("2024-07-15"), "Chợ Sa Đéc");
	scan(p_gap, l_gap[1], serials[1], T("2024-10-01"), "Chợ Sa Đéc");

	/* voided: a label voided, a batch voided, one label left */
	p_void = product("87-005-0005-2022", "Sen sấy", "Đồng Tháp");
	recognise(p_void, 5, "500/QĐ-BNN", "2022-03-01");
	batch(p_void, 5, 2, "2023-01-01", l_void, serials);
	if (st->m->label_void(st, serials[0], T("2025-02-15"), "lost", &err) <
	    0)
		printf("label_void: %s\n", err.msg);
	scan(p_void, l_void[0], serials[0], T("2025-04-01"), "Chợ Tràm Chim");
	scan(p_void, l_void[1], serials[1], T("2025-04-01"), "Chợ Tràm Chim");
	{
		int64_t bid =
		    batch(p_void, 5, 1, "2024-01-01", l_void_batch, serials);

		if (st->m->batch_void(st, bid, T("2024-12-01"), "misprint",
				      &err) < 0)
			printf("batch_void: %s\n", err.msg);
		scan(p_void, l_void_batch[0], serials[0], T("2025-04-02"),
		     "Chợ Tràm Chim");
	}

	/* expiring: ends 2026-05-31 (91 days left on 2026-03-01) */
	p_exp1 = product("87-006-0006-2023", "Xoài cát Hòa Lộc", "Đồng Tháp");
	recognise(p_exp1, 4, "600/QĐ-UBND", "2023-06-01");
	batch(p_exp1, 4, 2, "2024-01-01", l_exp1, s_exp1);
	/* one serial in four places within three days: a copied label */
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-01"), "Chợ Cao Lãnh");
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-02"), "Chợ Bến Thành");
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-02") + 60, "Chợ Lớn");
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-03"), "Cần Thơ");
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-20"), "Chợ Cao Lãnh");
	/* consumers' scans carry no place: they show no copy, and the
	 * clone entry counts the scans with a place only */
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-01-20"), "");
	scan(p_exp1, l_exp1[0], s_exp1[0], T("2026-02-25"), "");
	/* the other label in two places only */
	scan(p_exp1, l_exp1[1], s_exp1[1], T("2026-02-01"), "Chợ Cao Lãnh");
	scan(p_exp1, l_exp1[1], s_exp1[1], T("2026-02-02"), "Chợ Lớn");

	/* expiring: ends 2026-08-14 (166 days) and 2026-09-09 (192) */
	p_exp2 = product("87-007-0007-2023", "Gạo Tám Xoan", "Đồng Tháp");
	recognise(p_exp2, 3, "700/QĐ-UBND", "2023-08-15");
	p_exp3 = product("87-008-0008-2023", "Cá lóc khô", "Đồng Tháp");
	recognise(p_exp3, 3, "800/QĐ-UBND", "2023-09-10");

	/* lapsed, then revoked for lapsing: not a lapsed candidate */
	p_lapsed_revoked = product("87-009-0009-2021", "Bánh xèo", "Đồng Tháp");
	recognise(p_lapsed_revoked, 3, "900/QĐ-UBND", "2021-01-01");
	revoke_on(p_lapsed_revoked, "901/QĐ-UBND", "2024-03-01",
		  OCOP_GROUND_LAPSED);

	/* forged codes */
	scan(0, 0, FORGED, T("2025-09-01"), "Chợ Lớn");
	scan(0, 0, FORGED, T("2025-09-05"), "Chợ Lớn");
	scan(0, 0, FORGED, T("2025-09-02"), "Chợ Bến Thành");
	scan(0, 0, FORGED2, T("2025-10-01"), "Chợ Lớn");

	/* the revocation arrives after the scans, dated earlier */
	revoke_on(p_revoked, "201/QĐ-UBND", "2025-06-01", OCOP_GROUND_C);
}

/* ---- helpers --------------------------------------------------------- */

static json_t *
run_json(const char *name, const struct report_opts *o)
{
	struct ocop_buf b;
	struct ocop_error err = {0};
	json_error_t jerr;
	json_t *j;

	ocop_buf_init(&b, 0);
	if (report_render(st, name, o, REPORT_JSON, &b, &err) < 0) {
		HARNESS_FAIL("report %s: %s", name, err.msg);
		ocop_buf_release(&b);
		return json_object();
	}
	j = json_loads(b.data, 0, &jerr);
	if (!j) {
		HARNESS_FAIL("report %s: bad JSON: %s", name, jerr.text);
		j = json_object();
	}
	ocop_buf_release(&b);
	return j;
}

static char *
run_fmt(const char *name, const struct report_opts *o, enum report_format f)
{
	struct ocop_buf b;
	struct ocop_error err = {0};

	ocop_buf_init(&b, 0);
	if (report_render(st, name, o, f, &b, &err) < 0) {
		HARNESS_FAIL("report %s: %s", name, err.msg);
		ocop_buf_release(&b);
		return ocop_xstrdup("");
	}
	ocop_buf_adds(&b, "");
	return ocop_buf_detach(&b, NULL);
}

static size_t
nentries(json_t *j)
{
	return json_array_size(json_object_get(j, "entries"));
}

/* The entry with code (and verdict, when given). */
static json_t *
entry(json_t *j, const char *key, const char *code, const char *verdict)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(j, "entries"), i, e)
	{
		const char *c = json_string_value(json_object_get(e, key));
		const char *v =
		    json_string_value(json_object_get(e, "verdict"));

		if (c && strcmp(c, code) == 0 &&
		    (!verdict || (v && strcmp(v, verdict) == 0)))
			return e;
	}
	return NULL;
}

static const char *
sget(json_t *e, const char *k)
{
	const char *s = json_string_value(json_object_get(e, k));

	return s ? s : "(missing)";
}

static long long
iget(json_t *e, const char *k)
{
	json_t *v = json_object_get(e, k);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -999;
}

static long long
place(json_t *e, const char *p)
{
	return iget(json_object_get(e, "places"), p);
}

/* ---- tests ----------------------------------------------------------- */

static void
test_circulation(void)
{
	struct report_opts o;
	json_t *j, *e;
	char t[32];

	TEST("report_circulation_entries");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	j = run_json("circulation", &o);
	CHECK_STR(sget(j, "as_of"), "2026-03-01");
	CHECK_INT(nentries(j), 5);

	e = entry(j, "code", "87-001-0001-2022", "expired");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "name"), "Bánh phồng tôm Sa Giang");
		CHECK_STR(sget(e, "producer"), "HTX 87-001-0001-2022");
		CHECK_STR(sget(e, "province"), "Đồng Tháp");
		CHECK_STR(sget(e, "since"), "2025-01-10");
		CHECK_INT(iget(e, "labels_issued"), 3);
		CHECK_INT(iget(e, "labels_seen"), 2);
		CHECK_INT(iget(e, "scans"), 3);
		CHECK_STR(sget(e, "first_seen"),
			  ocop_time_format(T("2025-02-01"), t));
		CHECK_STR(sget(e, "last_seen"),
			  ocop_time_format(T("2025-03-01"), t));
		CHECK_INT(place(e, "Chợ Bến Thành"), 2);
		CHECK_INT(place(e, "Siêu thị Co.op"), 1);
		CHECK_INT(json_object_size(json_object_get(e, "places")), 2);
	}

	/* the late revocation turned valid scans into revoked ones */
	e = entry(j, "code", "87-002-0002-2024", "revoked");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "since"), "2025-06-01");
		CHECK_INT(iget(e, "scans"), 2);
		CHECK_INT(iget(e, "labels_seen"), 2);
		CHECK_INT(iget(e, "labels_issued"), 2);
		CHECK_STR(sget(e, "first_seen"),
			  ocop_time_format(T("2025-06-10"), t));
		CHECK_INT(place(e, "Chợ A"), 1);
		CHECK_INT(place(e, "Chợ B"), 1);
	}

	/* 4-star labels after the downgrade to 3 stars */
	e = entry(j, "code", "87-003-0003-2023", "star_mismatch");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "since"), "2025-03-01");
		CHECK_INT(iget(e, "scans"), 2);
		CHECK_INT(iget(e, "labels_seen"), 2);
		CHECK_INT(iget(e, "labels_issued"), 3);
		CHECK_INT(place(e, "Chợ Lai Vung"), 1);
		CHECK_INT(place(e, "Chợ Cao Lãnh"), 1);
	}
	CHECK(entry(j, "code", "87-003-0003-2023", "expired") == NULL);

	/* the gap between two recognitions */
	e = entry(j, "code", "87-004-0004-2021", "expired");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "since"), "2024-06-01");
		CHECK_INT(iget(e, "scans"), 1);
	}

	/* voided labels and batches are not in circulation entries */
	e = entry(j, "code", "87-005-0005-2022", "expired");
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "since"), "2025-03-01");
		CHECK_INT(iget(e, "scans"), 1);
		CHECK_INT(iget(e, "labels_seen"), 1);
		CHECK_INT(iget(e, "labels_issued"), 3);
	}

	/* most scans first */
	{
		json_t *es = json_object_get(j, "entries");
		long long prev = 1LL << 60;

		for (size_t i = 0; i < json_array_size(es); i++) {
			long long n = iget(json_array_get(es, i), "scans");

			CHECK(n <= prev);
			prev = n;
		}
		CHECK_STR(sget(json_array_get(es, 0), "code"),
			  "87-001-0001-2022");
	}
	json_decref(j);

	TEST("report_circulation_as_of_and_since");
	o.as_of = D("2025-02-15");
	j = run_json("circulation", &o);
	CHECK_STR(sget(j, "as_of"), "2025-02-15");
	e = entry(j, "code", "87-001-0001-2022", "expired");
	CHECK(e && iget(e, "scans") == 2);
	/* the downgrade and the revocation are after this as-of date */
	CHECK(entry(j, "code", "87-002-0002-2024", NULL) == NULL);
	CHECK(entry(j, "code", "87-003-0003-2023", NULL) == NULL);
	json_decref(j);

	o.as_of = D("2026-03-01");
	o.since = D("2025-03-01");
	j = run_json("circulation", &o);
	e = entry(j, "code", "87-001-0001-2022", "expired");
	CHECK(e && iget(e, "scans") == 1);
	CHECK(entry(j, "code", "87-004-0004-2021", NULL) == NULL);
	json_decref(j);
}

/* A scan recorded under another product than its label's: the label is
 * read after the store's iterator ends (a callback does not call the
 * store back), and the scans after it are judged in their order. */
static void
test_circulation_foreign_label(const char *dir)
{
	struct ocop_store *main_st = st;
	struct ocop_error err = {0};
	struct report_opts o;
	char path[300], serials[2][OCOP_SERIAL_LEN + 1], t[32];
	int64_t pa, pb, la[2], lb[1];
	char *one, *two;
	json_t *j, *e;

	TEST("report_circulation_scan_of_another_products_label");
	snprintf(path, sizeof(path), "%s/foreign.db", dir);
	if (ocop_store_open(path, 1, &st, &err) < 0) {
		HARNESS_FAIL("open: %s", err.msg);
		st = main_st;
		return;
	}
	pa = product("87-020-0020-2020", "Mật ong", "Đồng Tháp");
	recognise(pa, 4, "2000/QĐ-UBND", "2020-01-01");
	batch(pa, 4, 2, "2020-02-01", la, serials);
	/* in force 2022-01-01 .. 2024-12-31, so expired in 2025 */
	pb = product("87-021-0021-2022", "Trà sen", "Đồng Tháp");
	recognise(pb, 3, "2100/QĐ-UBND", "2022-01-01");
	batch(pb, 3, 1, "2022-02-01", lb, NULL);
	scan(pb, lb[0], "B0", T("2025-05-01"), "Chợ Một");
	scan(pb, la[0], serials[0], T("2025-05-02"), "Chợ Hai");
	scan(pb, lb[0], "B0", T("2025-05-03"), "Chợ Một");
	scan(pb, la[0], serials[0], T("2025-05-04"), "Chợ Hai");

	report_opts_init(&o);
	o.as_of = D("2025-06-01");
	j = run_json("circulation", &o);
	e = entry(j, "code", "87-021-0021-2022", "expired");
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(iget(e, "scans"), 4);
		CHECK_INT(iget(e, "labels_seen"), 2);
		CHECK_STR(sget(e, "first_seen"),
			  ocop_time_format(T("2025-05-01"), t));
		CHECK_STR(sget(e, "last_seen"),
			  ocop_time_format(T("2025-05-04"), t));
		CHECK_INT(place(e, "Chợ Hai"), 2);
	}
	CHECK(entry(j, "code", "87-020-0020-2020", NULL) == NULL);
	json_decref(j);
	/* the same on worker threads with handles of their own */
	one = run_fmt("circulation", &o, REPORT_JSON);
	o.db_path = path;
	o.threads = 2;
	two = run_fmt("circulation", &o, REPORT_JSON);
	CHECK_STR(two, one);
	free(one);
	free(two);
	ocop_store_close(st);
	st = main_st;
}

static void
test_circulation_threads(void)
{
	struct report_opts o;
	char *one, *two;

	TEST("report_circulation_two_threads_same_answer");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	o.threads = 1;
	one = run_fmt("circulation", &o, REPORT_JSON);
	o.db_path = dbpath;
	o.threads = 2;
	two = run_fmt("circulation", &o, REPORT_JSON);
	CHECK_STR(two, one);
	free(two);
	/* reading only the days some label may not be valid is exact */
	o.full_scan = 1;
	two = run_fmt("circulation", &o, REPORT_JSON);
	CHECK_STR(two, one);
	o.full_scan = 0;
	free(one);
	free(two);
	one = run_fmt("clones", &o, REPORT_JSON);
	o.db_path = NULL;
	two = run_fmt("clones", &o, REPORT_JSON);
	CHECK_STR(one, two);
	free(one);
	free(two);
}

static void
test_lapsed(void)
{
	struct report_opts o;
	json_t *j, *e;
	char t[32];

	TEST("report_lapsed_entries");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	j = run_json("lapsed", &o);
	CHECK_INT(nentries(j), 2);
	e = entry(j, "code", "87-001-0001-2022", NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "valid_until"), "2025-01-09");
		CHECK_STR(sget(e, "lapsed_on"), "2025-01-10");
		CHECK_INT(iget(e, "days_since"),
			  D("2026-03-01") - D("2025-01-10"));
		CHECK_INT(iget(e, "days_since"), 415);
		CHECK_INT(iget(e, "scans_since"), 3);
		CHECK_STR(sget(e, "last_scan"),
			  ocop_time_format(T("2025-03-01"), t));
		CHECK(json_is_true(json_object_get(e, "still_scanned")));
	}
	e = entry(j, "code", "87-005-0005-2022", NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "lapsed_on"), "2025-03-01");
		CHECK_INT(iget(e, "scans_since"), 3);
	}
	/* revoked ones and renewed ones are not candidates */
	CHECK(entry(j, "code", "87-002-0002-2024", NULL) == NULL);
	CHECK(entry(j, "code", "87-009-0009-2021", NULL) == NULL);
	CHECK(entry(j, "code", "87-004-0004-2021", NULL) == NULL);
	/* oldest lapse first */
	CHECK_STR(
	    sget(json_array_get(json_object_get(j, "entries"), 0), "code"),
	    "87-001-0001-2022");
	json_decref(j);

	/* before the product expired it is not lapsed; a lapse with no
	 * scans since is not still scanned */
	o.as_of = D("2025-01-09");
	j = run_json("lapsed", &o);
	CHECK(entry(j, "code", "87-001-0001-2022", NULL) == NULL);
	json_decref(j);
	o.as_of = D("2025-01-10");
	j = run_json("lapsed", &o);
	e = entry(j, "code", "87-001-0001-2022", NULL);
	CHECK(e && iget(e, "days_since") == 0 && iget(e, "scans_since") == 0);
	CHECK(e && json_is_false(json_object_get(e, "still_scanned")));
	CHECK(e && json_is_null(json_object_get(e, "last_scan")));
	json_decref(j);
}

static void
test_expiring(void)
{
	struct report_opts o;
	json_t *j, *e;

	TEST("report_expiring_entries");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	j = run_json("expiring", &o);
	CHECK_INT(nentries(j), 2);
	e = entry(j, "code", "87-006-0006-2023", NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(iget(e, "stars"), 4);
		CHECK_STR(sget(e, "valid_until"), "2026-05-31");
		CHECK_INT(iget(e, "days_left"), 91);
		CHECK_STR(sget(e, "window"), "closed");
		CHECK_STR(sget(e, "file_by"), "2026-01-31");
		CHECK_STR(sget(e, "file_from"), "2025-12-02");
	}
	e = entry(j, "code", "87-007-0007-2023", NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_INT(iget(e, "days_left"), 166);
		CHECK_STR(sget(e, "window"), "open");
		CHECK_STR(sget(e, "valid_until"), "2026-08-14");
	}
	CHECK_STR(
	    sget(json_array_get(json_object_get(j, "entries"), 0), "code"),
	    "87-006-0006-2023");
	json_decref(j);

	o.within = 200;
	j = run_json("expiring", &o);
	CHECK_INT(nentries(j), 3);
	e = entry(j, "code", "87-008-0008-2023", NULL);
	CHECK(e && iget(e, "days_left") == 192);
	CHECK(e && strcmp(sget(e, "window"), "not_open") == 0);
	json_decref(j);
}

static void
test_clones(void)
{
	struct report_opts o;
	json_t *j, *e;

	TEST("report_clones_entries");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	j = run_json("clones", &o);
	CHECK_INT(nentries(j), 1);
	e = entry(j, "serial", s_exp1[0], NULL);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(sget(e, "code"), "87-006-0006-2023");
		CHECK_INT(iget(e, "max_places"), 4);
		CHECK_INT(iget(e, "distinct_places"), 4);
		CHECK_INT(iget(e, "scans"), 5);
		CHECK_STR(sget(e, "window_from"), "2026-02-01");
		CHECK_STR(sget(e, "window_to"), "2026-02-03");
		CHECK(strncmp(sget(e, "first_seen"), "2026-02-01", 10) == 0);
		CHECK(strncmp(sget(e, "last_seen"), "2026-02-20", 10) == 0);
		CHECK_INT(place(e, "Chợ Cao Lãnh"), 2);
		CHECK_INT(place(e, "Cần Thơ"), 1);
	}
	json_decref(j);

	/* five places needed: none; two days' window: three places */
	o.min_places = 5;
	j = run_json("clones", &o);
	CHECK_INT(nentries(j), 0);
	json_decref(j);
	o.min_places = 2;
	o.window_days = 2;
	j = run_json("clones", &o);
	CHECK_INT(nentries(j), 2);
	e = entry(j, "serial", s_exp1[0], NULL);
	CHECK(e && iget(e, "max_places") == 3);
	json_decref(j);
	/* as of before the copies were scanned */
	report_opts_init(&o);
	o.as_of = D("2026-02-01");
	j = run_json("clones", &o);
	CHECK_INT(nentries(j), 0);
	json_decref(j);
}

static void
test_unknown(void)
{
	struct report_opts o;
	json_t *j, *e, *es;

	TEST("report_unknown_entries");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	j = run_json("unknown", &o);
	es = json_object_get(j, "entries");
	CHECK_INT(json_array_size(es), 3);
	/* by place, then most scans */
	e = json_array_get(es, 0);
	CHECK_STR(sget(e, "place"), "Chợ Bến Thành");
	CHECK_STR(sget(e, "code"), FORGED);
	CHECK_INT(iget(e, "scans"), 1);
	e = json_array_get(es, 1);
	CHECK_STR(sget(e, "place"), "Chợ Lớn");
	CHECK_STR(sget(e, "code"), FORGED);
	CHECK_INT(iget(e, "scans"), 2);
	CHECK_STR(sget(e, "reason"), "not_found");
	e = json_array_get(es, 2);
	CHECK_STR(sget(e, "code"), FORGED2);
	json_decref(j);

	o.as_of = D("2025-09-01");
	j = run_json("unknown", &o);
	CHECK_INT(nentries(j), 1);
	json_decref(j);
}

static void
test_formats(void)
{
	struct report_opts o;
	char *csv, *html, *tab;
	const char *line2;

	TEST("report_formats_carry_the_same_numbers");
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	csv = run_fmt("circulation", &o, REPORT_CSV);
	CHECK(strncmp(csv,
		      "code,name,producer,province,verdict,since,"
		      "labels_issued,labels_seen,scans,first_seen,last_seen,"
		      "places\r\n",
		      strlen("code,name,producer,province,verdict,since,"
			     "labels_issued,labels_seen,scans,first_seen,"
			     "last_seen,places\r\n")) == 0);
	line2 = strstr(csv, "\r\n");
	CHECK(line2 &&
	      strncmp(line2 + 2, "87-001-0001-2022,Bánh phồng tôm Sa Giang,",
		      strlen("87-001-0001-2022,Bánh phồng tôm Sa "
			     "Giang,")) == 0);
	CHECK(strstr(csv, ",expired,2025-01-10,3,2,3,") != NULL);
	/* a name with quotes is quoted, quotes doubled */
	CHECK(strstr(csv, "\"Mắm <tôm> & \"\"Ba Làng\"\"\"") != NULL);
	free(csv);

	html = run_fmt("circulation", &o, REPORT_HTML);
	CHECK(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	CHECK(strstr(html, "<svg") != NULL);
	CHECK(strstr(html, "@media print") != NULL);
	CHECK(strstr(html, "2026-03-01") != NULL);
	CHECK(strstr(html, "Mắm &lt;tôm&gt; &amp; &quot;Ba Làng&quot;") !=
	      NULL);
	CHECK(strstr(html, "<tôm>") == NULL);
	CHECK(strstr(html, "<td class=\"n\">3</td>") != NULL);
	CHECK(strstr(html, "<script") == NULL);
	CHECK(strstr(html, "http://") == NULL ||
	      strstr(html, "http://www.w3.org/2000/svg") != NULL);
	CHECK(strstr(html, "src=") == NULL);
	CHECK(strstr(html, "Tem còn lưu hành") != NULL);
	/* people read words and local dates; the machine value rides along */
	CHECK(strstr(html, "<td class=\"v-red\" data-value=\"revoked\">bị "
			   "thu hồi <span class=\"en\" lang=\"en\">(revoked)"
			   "</span></td>") != NULL);
	CHECK(strstr(html,
		     "data-value=\"2025-06-01\"><time "
		     "datetime=\"2025-06-01\">01/06/2025</time>") != NULL);
	CHECK(strstr(html, "data-value=\"c\">c) vi phạm") != NULL);
	CHECK(strstr(html, "<svg") && strstr(html, "role=\"img\""));
	CHECK(strstr(html, "<html lang=\"vi\">") != NULL);
	free(html);

	/* the same content for a page that holds it: no document around */
	html = run_fmt("circulation", &o, REPORT_HTML_PART);
	CHECK(strncmp(html, "<div class=\"report\">", 20) == 0);
	CHECK(strstr(html, "<h1") == NULL);
	CHECK(strstr(html, "<svg") != NULL);
	CHECK(strstr(html, "<style") == NULL);
	CHECK(strstr(html, "<body") == NULL);
	CHECK(strstr(html, "<html") == NULL);
	CHECK(strstr(html, "</div>\n") != NULL);
	CHECK(strstr(html, "Mắm &lt;tôm&gt; &amp; &quot;Ba Làng&quot;") !=
	      NULL);
	free(html);
	{
		struct ocop_buf css;

		ocop_buf_init(&css, 1 << 20);
		CHECK_INT(report_html_style(".report", &css), 0);
		CHECK(css.data != NULL);
		CHECK(strncmp(css.data, ".report{", 8) == 0);
		CHECK(strstr(css.data, ".report h1{") != NULL);
		CHECK(strstr(css.data, ".report h1 .en,.report h2 .en{") !=
		      NULL);
		CHECK(strstr(css.data, "@media print{.report{") != NULL);
		CHECK(strstr(css.data, "@page{size:A4 landscape") != NULL);
		CHECK(strstr(css.data, "}table{") == NULL);
		ocop_buf_release(&css);
	}

	tab = run_fmt("circulation", &o, REPORT_TABLE);
	CHECK(strstr(tab, "bị thu hồi (revoked)") != NULL);
	CHECK(strstr(tab, "hết hiệu lực (expired)") != NULL);
	CHECK(strstr(tab, "sai số sao (star mismatch)") != NULL);
	CHECK(strstr(tab, "As of: 01/03/2026") != NULL);
	CHECK(strstr(tab, "01/06/2025") != NULL);
	CHECK(strstr(tab, "2025-06-01") == NULL);
	CHECK(strstr(tab, "+07:00") == NULL);
	free(tab);

	tab = run_fmt("expiring", &o, REPORT_TABLE);
	CHECK(strstr(tab, "87-006-0006-2023") != NULL);
	CHECK(strstr(tab, "đã quá hạn nộp hồ sơ (closed)") != NULL);
	free(tab);

	/* every report renders in every format */
	for (const char *const *n = report_names; *n; n++)
		for (int f = REPORT_TABLE; f <= REPORT_HTML; f++) {
			char *s = run_fmt(*n, &o, (enum report_format)f);

			CHECK(strlen(s) > 0);
			free(s);
		}
}

static void
test_table_width(void)
{
	struct report_opts o;
	char *tab, *line, *save = NULL;
	size_t w = 0;
	int rows = 0;

	TEST("report_table_display_width");
	/* precomposed letters count one; combining marks count none */
	CHECK_INT(report_display_width("Bánh"), 4);
	CHECK_INT(report_display_width("Ba\xcc\x81nh"), 4); /* a + U+0301 */
	CHECK_INT(report_display_width("Đồng Tháp"), 9);
	CHECK_INT(report_display_width("O\xcc\x82\xcc\x80"), 1); /* O^` */
	CHECK_INT(report_display_width(""), 0);

	/* every line of the expiring table with its stars column right
	 * aligned: the columns after the Vietnamese names line up */
	report_opts_init(&o);
	o.as_of = D("2026-03-01");
	o.within = 200;
	tab = run_fmt("expiring", &o, REPORT_TABLE);
	for (line = strtok_r(tab, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *p = strstr(line, "/QĐ-UBND");
		char *cut;

		if (!p)
			continue;
		/* the display width up to the decision number */
		cut = ocop_xstrdup(line);
		cut[p - line] = '\0';
		if (w == 0)
			w = report_display_width(cut);
		CHECK_INT(report_display_width(cut), w);
		free(cut);
		rows++;
	}
	CHECK_INT(rows, 3);
	free(tab);
}

static void
test_opts(void)
{
	struct report_opts o;
	struct ocop_error err = {0};
	enum report_format f;
	struct ocop_buf b;

	TEST("report_options");
	report_opts_init(&o);
	CHECK_INT(o.within, 180);
	CHECK_INT(o.min_places, 3);
	CHECK_INT(o.window_days, 7);
	CHECK_INT(o.as_of, ocop_today());
	CHECK_INT(report_opts_set(&o, "as_of", "2025-02-30", &err),
		  OCOP_EINVAL);
	CHECK(strstr(err.msg, "as_of") != NULL);
	CHECK_INT(report_opts_set(&o, "as-of", "2025-02-28", &err), 0);
	CHECK_INT(o.as_of, D("2025-02-28"));
	CHECK_INT(report_opts_set(&o, "within", "-1", &err), OCOP_EINVAL);
	CHECK_INT(report_opts_set(&o, "within", "12x", &err), OCOP_EINVAL);
	CHECK_INT(report_opts_set(&o, "within", "30", &err), 0);
	CHECK_INT(o.within, 30);
	CHECK_INT(report_opts_set(&o, "min_places", "1", &err), OCOP_EINVAL);
	CHECK_INT(report_opts_set(&o, "window-days", "0", &err), OCOP_EINVAL);
	CHECK_INT(report_opts_set(&o, "colour", "red", &err), OCOP_ENOENT);
	CHECK_INT(report_format_parse("html", &f, &err), 0);
	CHECK_INT(f, REPORT_HTML);
	CHECK_INT(report_format_parse("xml", &f, &err), OCOP_EINVAL);
	CHECK(report_exists("clones"));
	CHECK(!report_exists("nope"));
	ocop_buf_init(&b, 0);
	CHECK_INT(report_render(st, "nope", &o, REPORT_JSON, &b, &err),
		  OCOP_ENOENT);
	ocop_buf_release(&b);
}

static void
test_scan_store(void)
{
	struct ocop_scan s;
	struct ocop_error err = {0};
	int64_t n, first;
	int dup = -1;

	TEST("store_scan_add_duplicate_and_stats");
	memset(&s, 0, sizeof(s));
	ocop_strlcpy(s.client_id, "c1", sizeof(s.client_id));
	ocop_strlcpy(s.code, "X", sizeof(s.code));
	s.scanned_at = 1;
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->scan_add(st, &s, &dup, &err), 0);
	CHECK_INT(st->m->commit(st, &err), 0);
	CHECK_INT(dup, 1);
	/* the stored scan comes back, not the one sent */
	CHECK_INT(s.label_id, l_lapsed[0]);
	CHECK_STR(s.place, "Chợ Sa Đéc");
	CHECK_INT(s.verdict, OCOP_VALID);
	CHECK_INT(st->m->scan_stats(st, l_exp1[0], &n, &first, &err), 0);
	CHECK_INT(n, 7);
	CHECK_INT(first, T("2026-01-20"));
	CHECK_INT(st->m->scan_stats(st, 999999, &n, &first, &err), 0);
	CHECK_INT(n, 0);
	CHECK(first == OCOP_NO_TIME);
	/* consumer scans have no client id and never collide */
	memset(&s, 0, sizeof(s));
	ocop_strlcpy(s.code, "Y", sizeof(s.code));
	s.scanned_at = T("2020-01-01");
	CHECK_INT(st->m->scan_add(st, &s, &dup, &err), 0);
	CHECK_INT(dup, 0);
	CHECK_INT(st->m->scan_add(st, &s, &dup, &err), 0);
	CHECK_INT(dup, 0);
}

/* One integer from printf-style sql on db, or -1. */
static int64_t
sql_int(sqlite3 *db, const char *fmt, ...)
{
	sqlite3_stmt *q;
	char sql[512];
	int64_t v = -1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* ocop never removes or moves a scan; should someone, the label's count
 * and first time follow (the triggers of migrations 3 and 4). Done in a
 * transaction of a second connection that is rolled back. */
static void
test_scan_stats_follow(void)
{
	static const char count[] =
	    "SELECT count FROM label_scan_stats WHERE label_id = %lld";
	static const char first[] =
	    "SELECT first_at FROM label_scan_stats WHERE label_id = %lld";
	sqlite3 *db;
	long long l = (long long)l_exp1[0], l2 = (long long)l_exp1[1];

	TEST("store_scan_stats_follow_delete_and_update");
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	/* remove the label's first scan (2026-01-20, no place) */
	sql_int(db,
		"DELETE FROM scans WHERE label_id = %lld AND place IS NULL"
		" AND scanned_at = %lld",
		l, (long long)T("2026-01-20"));
	CHECK_INT(sql_int(db, count, l), 6);
	CHECK_INT(sql_int(db, first, l), T("2026-02-01"));
	/* move its 2026-02-01 scan to the other label */
	sql_int(db,
		"UPDATE scans SET label_id = %lld WHERE label_id = %lld"
		" AND scanned_at = %lld",
		l2, l, (long long)T("2026-02-01"));
	CHECK_INT(sql_int(db, count, l), 5);
	CHECK_INT(sql_int(db, first, l), T("2026-02-02"));
	CHECK_INT(sql_int(db, "SELECT count(*) FROM scans WHERE label_id = %lld",
			  l2) > 0,
		  1);
	CHECK_INT(sql_int(db, count, l2),
		  sql_int(db, "SELECT count(*) FROM scans WHERE label_id = %lld",
			  l2));
	CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int
recent_rows(void)
{
	sqlite3 *db;
	int n;

	if (sqlite3_open(dbpath, &db) != SQLITE_OK)
		return -1;
	n = sql_int(db, "SELECT count(*) FROM label_scan_recent");
	sqlite3_close(db);
	return n;
}

/* The engine folds the recent counts into the per-label ones by itself:
 * at the first write transaction 50 ms after its last fold, and when the
 * handle closes. Folding changes no count. */
static void
test_scan_fold(void)
{
	struct ocop_error err = {0};
	struct timespec pause = {0, 60 * 1000 * 1000};
	int64_t n0, f0, n1, f1, n2, f2;
	sqlite3 *db;

	TEST("store_scan_fold_keeps_counts");
	scan(p_exp1, l_exp1[1], s_exp1[1], T("2026-01-05"), "");
	CHECK_INT(st->m->scan_stats(st, l_exp1[0], &n0, &f0, &err), 0);
	CHECK_INT(st->m->scan_stats(st, l_exp1[1], &n1, &f1, &err), 0);
	CHECK_INT(n0, 7);
	CHECK(recent_rows() > 0);
	nanosleep(&pause, NULL);
	CHECK_INT(st->m->begin(st, &err), 0);
	CHECK_INT(st->m->commit(st, &err), 0);
	CHECK_INT(recent_rows(), 0);
	CHECK_INT(sqlite3_open(dbpath, &db), SQLITE_OK);
	CHECK_INT(sql_int(db,
			  "SELECT count FROM label_scan_stats"
			  " WHERE label_id = %lld",
			  (long long)l_exp1[0]),
		  7);
	sqlite3_close(db);
	CHECK_INT(st->m->scan_stats(st, l_exp1[0], &n2, &f2, &err), 0);
	CHECK_INT(n2, n0);
	CHECK_INT(f2, f0);
	CHECK_INT(st->m->scan_stats(st, l_exp1[1], &n2, &f2, &err), 0);
	CHECK_INT(n2, n1);
	CHECK_INT(f2, f1);
	/* a scan after the fold is counted from the recent part again */
	scan(p_exp1, l_exp1[1], s_exp1[1], T("2026-01-10"), "");
	CHECK(recent_rows() > 0);
	CHECK_INT(st->m->scan_stats(st, l_exp1[1], &n2, &f2, &err), 0);
	CHECK_INT(n2, n1 + 1);
	CHECK_INT(f2, f1 < T("2026-01-10") ? f1 : T("2026-01-10"));
	/* closing leaves the counts folded, and the next checks start
	 * from folded counts */
	ocop_store_close(st);
	st = NULL;
	CHECK_INT(recent_rows(), 0);
	CHECK_INT(ocop_store_open(dbpath, 0, &st, &err), 0);
	CHECK_INT(st->m->scan_stats(st, l_exp1[1], &n2, &f2, &err), 0);
	CHECK_INT(n2, n1 + 1);
}

/* Schema 4 by its own migrations, on a new database at path. */
static int
make_schema4(const char *path, sqlite3 **out)
{
	sqlite3 *db;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	for (int n = 1; n <= 4; n++) {
		char prefix[32];
		const struct ocop_asset *a;

		snprintf(prefix, sizeof(prefix), "migrations/sqlite/%04d_", n);
		for (a = ocop_assets; a->name; a++)
			if (strncmp(a->name, prefix, strlen(prefix)) == 0)
				break;
		if (!a->name ||
		    sqlite3_exec(db, a->data, NULL, NULL, NULL) != SQLITE_OK) {
			printf("schema 4: %s: %s\n", prefix, sqlite3_errmsg(db));
			sqlite3_close(db);
			return -1;
		}
	}
	*out = db;
	return sqlite3_exec(db, "PRAGMA user_version = 4", NULL, NULL, NULL) ==
			       SQLITE_OK
		   ? 0
		   : -1;
}

/* Migration 5 copies the scans table: every scan keeps its id and fields,
 * counts stay exact, and a re-sent inspector id is still caught. */
static void
test_migration5(const char *dir)
{
	static const char ins[] =
	    "INSERT INTO scans (client_id, code, label_id, product_id,"
	    " scanned_at, received_at, verdict, reason, source, place)"
	    " VALUES (%s, 'C', %s, 3, %lld, %lld, 'valid', 'in_force', %d, %s)";
	struct ocop_store *s5;
	struct ocop_error err = {0};
	struct ocop_scan sc;
	char path[300];
	sqlite3 *db;
	int64_t n, first;
	int dup = -1;

	TEST("store_migration5_keeps_scans_counts_and_ids");
	snprintf(path, sizeof(path), "%s/v4.db", dir);
	if (make_schema4(path, &db) < 0) {
		CHECK(0);
		return;
	}
	/* counted by the schema 4 trigger; one of them folded */
	sql_int(db, ins, "NULL", "7", (long long)T("2026-03-02"),
		(long long)T("2026-03-02"), 0, "NULL");
	sql_int(db, "INSERT INTO label_scan_stats SELECT * FROM"
		    " label_scan_recent");
	sql_int(db, "DELETE FROM label_scan_recent");
	sql_int(db, ins, "NULL", "7", (long long)T("2026-03-03"),
		(long long)T("2026-03-03"), 0, "NULL");
	sql_int(db, ins, "'insp-7'", "7", (long long)T("2026-03-01"),
		(long long)T("2026-03-04"), 1, "'Chợ Cao Lãnh'");
	sql_int(db, ins, "NULL", "NULL", (long long)T("2026-03-04"),
		(long long)T("2026-03-04"), 0, "NULL");
	CHECK_INT(sql_int(db, "SELECT count(*) FROM scans"), 4);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM label_scan_stats"), 1);
	sqlite3_close(db);

	CHECK_INT(ocop_store_open(path, 0, &s5, &err), 0);
	if (!s5)
		return;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK(sql_int(db, "PRAGMA user_version") >= 5); /* and later ones */
	CHECK_INT(sql_int(db, "SELECT count(*) FROM scans"), 4);
	CHECK_INT(sql_int(db, "SELECT max(id) FROM scans"), 4);
	CHECK_INT(sql_int(db,
			  "SELECT count(*) FROM sqlite_master"
			  " WHERE name = 'sqlite_autoindex_scans_1'"),
		  0);
	CHECK_INT(sql_int(db,
			  "SELECT count(*) FROM scans WHERE id = 3"
			  " AND client_id = 'insp-7' AND place = 'Chợ Cao Lãnh'"
			  " AND source = 1 AND scanned_at = %lld",
			  (long long)T("2026-03-01")),
		  1);
	CHECK_INT(s5->m->scan_stats(s5, 7, &n, &first, &err), 0);
	CHECK_INT(n, 3);
	CHECK_INT(first, T("2026-03-01"));
	/* the inspector's id is still unique */
	memset(&sc, 0, sizeof(sc));
	ocop_strlcpy(sc.client_id, "insp-7", sizeof(sc.client_id));
	ocop_strlcpy(sc.code, "C", sizeof(sc.code));
	sc.label_id = 7;
	sc.scanned_at = T("2026-03-05");
	CHECK_INT(s5->m->scan_add(s5, &sc, &dup, &err), 0);
	CHECK_INT(dup, 1);
	CHECK_INT(sc.id, 3);
	/* a new scan, outside any transaction, is stored and counted */
	memset(&sc, 0, sizeof(sc));
	ocop_strlcpy(sc.code, "C", sizeof(sc.code));
	sc.label_id = 7;
	sc.scanned_at = T("2026-03-05");
	CHECK_INT(s5->m->scan_add(s5, &sc, &dup, &err), 0);
	CHECK_INT(dup, 0);
	CHECK_INT(s5->m->scan_stats(s5, 7, &n, &first, &err), 0);
	CHECK_INT(n, 4);
	CHECK_INT(sql_int(db, "SELECT count(*) FROM scans WHERE label_id = 7"),
		  4);
	/* a scan removed: the triggers kept by migration 5 follow */
	sql_int(db, "DELETE FROM scans WHERE id = 1");
	CHECK_INT(s5->m->scan_stats(s5, 7, &n, &first, &err), 0);
	CHECK_INT(n, 3);
	{
		sqlite3_stmt *q;

		CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1,
					     &q, NULL),
			  SQLITE_OK);
		CHECK_INT(sqlite3_step(q), SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(q, 0), "ok");
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	ocop_store_close(s5);
}

int
main(void)
{
	struct ocop_error err = {0};
	char dir[] = "/tmp/ocop-test-report-XXXXXX";

	if (!mkdtemp(dir)) {
		printf("FAIL report: cannot make a temporary directory\n");
		return 1;
	}
	snprintf(dbpath, sizeof(dbpath), "%s/ocop.db", dir);
	if (ocop_store_open(dbpath, 1, &st, &err) < 0) {
		printf("FAIL report: %s\n", err.msg);
		return 1;
	}
	build_scenario();
	test_opts();
	test_circulation();
	test_circulation_threads();
	test_circulation_foreign_label(dir);
	test_lapsed();
	test_expiring();
	test_clones();
	test_unknown();
	test_formats();
	test_table_width();
	test_scan_store();
	test_scan_stats_follow(); /* counts still in label_scan_recent */
	test_scan_fold();
	test_scan_stats_follow(); /* and once folded */
	test_migration5(dir);
	ocop_store_close(st);
	{
		char path[300];

		snprintf(path, sizeof(path), "%s/ocop.db-wal", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/ocop.db-shm", dir);
		unlink(path);
		unlink(dbpath);
		rmdir(dir);
	}
	return harness_done();
}
