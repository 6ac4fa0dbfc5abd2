/*
 * test_record_json.c - the record's JSON written directly against
 * record_to_json dumped by jansson (same text for every kind of record and
 * every string escape), the one-read label lookup with its scan stats kept
 * by a trigger, and the cache of products and histories seeing registry
 * changes made through another handle.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "record.h"

static char dir[] = "/tmp/ocop-test-record-json-XXXXXX";
static char db_path[256];

static int64_t
at(const char *rfc3339)
{
	int64_t t = 0;

	if (ocop_time_parse(rfc3339, &t, NULL) < 0)
		abort();
	return t;
}

static int32_t
day(const char *ymd)
{
	int32_t d = 0;

	if (ocop_day_parse(ymd, &d, NULL) < 0)
		abort();
	return d;
}

/* 1 when record_json_write gives exactly jansson's compact dump. */
static int
same_json(const struct ocop_record *rec)
{
	struct ocop_buf b;
	json_t *j = record_to_json(rec);
	char *want = json_dumps(j, JSON_COMPACT);
	int ok;

	ocop_buf_init(&b, 0);
	ok = record_json_write(rec, &b) == 0 && want && b.data &&
	     strcmp(b.data, want) == 0;
	if (!ok)
		printf("  want %s\n  got  %s\n", want ? want : "(null)",
		       b.data ? b.data : "(null)");
	free(want);
	json_decref(j);
	ocop_buf_release(&b);
	return ok;
}

static void
full_record(struct ocop_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->serial, "7KQ3M9XH2PAB4C5D");
	rec->verdict = OCOP_VALID;
	rec->reason = OCOP_REASON_IN_FORCE;
	rec->checked_at = at("2026-03-01T10:11:12+07:00");
	rec->since = day("2024-03-01");
	rec->known = 1;
	rec->label.id = 7;
	rec->label.stars = 4;
	rec->label.voided_at = OCOP_NO_TIME;
	rec->batch.id = 3;
	strcpy(rec->batch.lot, "L2406A");
	rec->batch.made_on = day("2024-12-20");
	rec->batch.best_before = OCOP_NO_DAY;
	rec->batch.issued_at = at("2025-01-01T08:00:00+07:00");
	rec->batch.voided_at = OCOP_NO_TIME;
	strcpy(rec->product.code, "DT-01-2024");
	strcpy(rec->product.name, "Mắm cá linh Hồng Ngự");
	strcpy(rec->product.group, "I");
	strcpy(rec->product.gtin, "08930000000019");
	strcpy(rec->product.producer.name, "HTX Thủy sản Hồng Ngự");
	strcpy(rec->product.producer.kind, "HTX");
	strcpy(rec->product.producer.province, "Đồng Tháp");
	rec->has_recognition = 1;
	rec->recognition.stars = 4;
	strcpy(rec->recognition.decision_no, "1446/QĐ-UBND-HC");
	rec->recognition.decided_on = day("2024-03-01");
	strcpy(rec->recognition.issuer, "UBND tỉnh Đồng Tháp");
	rec->recognition.valid_from = day("2024-03-01");
	rec->recognition.valid_until = day("2027-02-28");
	rec->recognition.extended_until = OCOP_NO_DAY;
	rec->recognition.revoked_on = OCOP_NO_DAY;
	rec->scan_count = 0;
	rec->first_scan_at = OCOP_NO_TIME;
}

static void
test_writer_matches_jansson(void)
{
	struct ocop_record rec;

	TEST("record JSON written directly is jansson's compact dump");
	full_record(&rec);
	CHECK(same_json(&rec));

	/* unknown: four keys only */
	memset(&rec, 0, sizeof(rec));
	strcpy(rec.serial, "0000000000000ABX");
	rec.verdict = OCOP_UNKNOWN;
	rec.reason = OCOP_REASON_NOT_FOUND;
	rec.checked_at = at("2025-06-01T00:00:00Z");
	CHECK(same_json(&rec));
	rec.reason = OCOP_REASON_MISTYPED;
	CHECK(same_json(&rec));

	/* known but not answered in full */
	full_record(&rec);
	rec.known = 0;
	CHECK(same_json(&rec));

	/* revoked with a ground, extended, voided by the batch, scanned */
	full_record(&rec);
	rec.verdict = OCOP_REVOKED;
	rec.reason = OCOP_REASON_REVOKED;
	rec.recognition.revoked_on = day("2026-01-15");
	rec.recognition.ground = OCOP_GROUND_DD;
	rec.recognition.extended_until = day("2028-02-28");
	rec.label.voided_at = at("2026-02-01T00:00:00+07:00");
	rec.batch.voided_at = at("2026-01-01T00:00:00+07:00");
	rec.scan_count = 12345678901LL;
	rec.first_scan_at = at("2025-01-02T03:04:05+07:00");
	CHECK(same_json(&rec));
	rec.suspect_copy = 1;
	CHECK(same_json(&rec));

	/* revoked_on without a ground name; no recognition; empty texts */
	rec.recognition.ground = (enum ocop_ground)99;
	CHECK(same_json(&rec));
	rec.has_recognition = 0;
	rec.batch.lot[0] = '\0';
	rec.product.gtin[0] = '\0';
	rec.product.producer.kind[0] = '\0';
	rec.batch.made_on = OCOP_NO_DAY;
	rec.scan_count = 0; /* first_at is null then, whatever is stored */
	CHECK(same_json(&rec));

	/* every escape: quotes, backslash, slash, control characters, DEL,
	 * Vietnamese, a 4-byte character */
	full_record(&rec);
	strcpy(rec.product.name, "A \"quoted\" \\ back/slash\b\f\n\r\t\x01"
				 "\x1f\x7f end");
	strcpy(rec.product.producer.name, "Cơ sở \xF0\x9F\x8D\x9A Bánh");
	strcpy(rec.recognition.issuer, "\"");
	strcpy(rec.batch.lot, "\\");
	CHECK(same_json(&rec));

	/* times and days at the edges of the usual formats */
	rec.checked_at = 0;
	rec.batch.issued_at = -86400 * 365LL * 3000;
	rec.recognition.decided_on = -1000000; /* year -768 */
	rec.recognition.valid_until = 3000000; /* past 9999 */
	rec.recognition.valid_from = 2932896;  /* 9999-12-31 */
	rec.scan_count = 1;
	rec.first_scan_at = at("2025-12-31T23:59:59+07:00");
	CHECK(same_json(&rec));
	rec.label.stars = -5;
	rec.batch.id = INT64_MAX;
	CHECK(same_json(&rec));

	/* not UTF-8: jansson drops the value; the writer falls back to it */
	full_record(&rec);
	strcpy(rec.product.name, "bad \xC3\x28 byte");
	CHECK(same_json(&rec));
	strcpy(rec.product.name, "overlong \xC0\xAF");
	CHECK(same_json(&rec));
}

/* A product with one recognition, a batch and two labels. */
static int
setup(struct ocop_store *st, struct ocop_product *prod, char *s1, char *s2)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	struct ocop_batch b;
	struct ocop_label l;
	int changed;

	memset(prod, 0, sizeof(*prod));
	strcpy(prod->code, "DT-01-2024");
	strcpy(prod->name, "Mắm cá linh");
	strcpy(prod->group, "I");
	strcpy(prod->producer.name, "HTX Hồng Ngự");
	strcpy(prod->producer.kind, "HTX");
	strcpy(prod->producer.province, "Đồng Tháp");
	strcpy(prod->producer.address, "Hồng Ngự");
	if (st->m->product_put(st, prod, &changed, &err) < 0)
		goto fail;
	memset(&r, 0, sizeof(r));
	r.stars = 4;
	strcpy(r.decision_no, "1446/QĐ-UBND");
	r.decided_on = r.valid_from = day("2024-03-01");
	r.valid_until = ocop_default_valid_until(r.valid_from);
	r.extended_until = OCOP_NO_DAY;
	strcpy(r.issuer, "UBND tỉnh Đồng Tháp");
	if (st->m->recognition_add(st, prod->id, &r, &changed, &err) < 0)
		goto fail;
	memset(&b, 0, sizeof(b));
	b.product_id = prod->id;
	b.stars = 4;
	b.count = 2;
	b.made_on = b.best_before = OCOP_NO_DAY;
	b.issued_at = at("2025-01-01T08:00:00+07:00");
	if (st->m->batch_add(st, &b, &err) < 0)
		goto fail;
	memcpy(s1, "7KQ3M9XH2PAB4C5", 15);
	s1[15] = ocop_serial_check_symbol(s1);
	s1[16] = '\0';
	memcpy(s2, "0000000000000AB", 15);
	s2[15] = ocop_serial_check_symbol(s2);
	s2[16] = '\0';
	memset(&l, 0, sizeof(l));
	l.batch_id = b.id;
	l.product_id = prod->id;
	l.stars = 4;
	strcpy(l.serial, s1);
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	strcpy(l.serial, s2);
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	return 0;
fail:
	printf("  setup: %s\n", err.msg);
	return -1;
}

static void
add_scan(struct ocop_store *st, int64_t label_id, const char *when)
{
	struct ocop_error err = {0};
	struct ocop_scan s;
	int dup = 0;

	memset(&s, 0, sizeof(s));
	strcpy(s.code, "X");
	s.label_id = label_id;
	s.scanned_at = s.received_at = at(when);
	if (st->m->scan_add(st, &s, &dup, &err) < 0)
		printf("  scan_add: %s\n", err.msg);
}

/* record_lookup_many as record_lookup_cached one by one: a label twice,
 * an unknown serial, another label, a code before its label's issue. */
static void
lookups_many(struct ocop_store *st, struct record_cache *cache, const char *s1,
	     const char *s2, int64_t t)
{
	const char *serials[5] = {s1, "NOSUCHSERIAL0000", s2, s1, s2};
	struct ocop_error err = {0};
	struct ocop_code code[5];
	struct ocop_record rec[5], one;
	struct record_query q[5];

	for (int i = 0; i < 5; i++) {
		memset(&code[i], 0, sizeof(code[i]));
		code[i].kind = OCOP_CODE_SERIAL;
		snprintf(code[i].serial, sizeof(code[i].serial), "%s",
			 serials[i]);
		q[i].code = &code[i];
		q[i].at = i == 4 ? at("2000-01-01T00:00:00+07:00") : t;
		q[i].rec = &rec[i];
	}
	CHECK_INT(record_lookup_many(st, cache, q, 5), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(q[i].rc, 0);
		CHECK_INT(
		    record_lookup_cached(st, cache, &code[i], t, &one, &err),
		    0);
		CHECK(memcmp(&one, &rec[i], sizeof(one)) == 0);
	}
	CHECK_INT(rec[0].verdict, OCOP_VALID);
	CHECK_INT(rec[0].scan_count, 3);
	CHECK_INT(rec[1].verdict, OCOP_UNKNOWN);
	CHECK_INT(q[4].rc, OCOP_EINVAL);
	CHECK(strstr(q[4].err.msg, "before label") != NULL);
}

static void
test_lookup_and_cache(void)
{
	struct ocop_store *st = NULL, *other = NULL;
	struct ocop_error err = {0};
	struct record_cache *cache = record_cache_new();
	struct ocop_product prod;
	struct ocop_revocation v;
	struct ocop_record rec, plain;
	struct ocop_label l;
	struct ocop_batch b;
	struct ocop_code code;
	char s1[OCOP_SERIAL_LEN + 1], s2[OCOP_SERIAL_LEN + 1];
	int64_t n = -1, first = 0, v1 = 0, v2 = 0;
	int64_t t = at("2025-06-01T10:00:00+07:00");
	int changed;

	TEST("one-read lookup, scan stats by trigger, cache sees registry "
	     "changes of another handle");
	snprintf(db_path, sizeof(db_path), "%s/t.db", dir);
	CHECK_INT(ocop_store_open(db_path, 1, &st, &err), 0);
	CHECK_INT(ocop_store_open(db_path, 0, &other, &err), 0);
	if (!st || !other || setup(st, &prod, s1, s2) < 0) {
		CHECK(0);
		goto out;
	}
	CHECK_INT(
	    st->m->label_lookup(st, s1, &l, &b, &n, &first, NULL, &v1, &err),
	    0);
	CHECK_STR(l.serial, s1);
	CHECK_INT(b.id, l.batch_id);
	CHECK_INT(n, 0);
	CHECK(first == OCOP_NO_TIME);
	CHECK_INT(st->m->label_lookup(st, "NOSUCHSERIAL0000", &l, &b, &n,
				      &first, NULL, &v1, &err),
		  OCOP_ENOENT);

	/* scans: counted and the earliest kept, whatever the order */
	add_scan(other, l.id, "2025-05-02T00:00:00+07:00");
	add_scan(other, l.id, "2025-05-01T00:00:00+07:00");
	add_scan(other, l.id, "2025-05-03T00:00:00+07:00");
	add_scan(other, 0, "2025-05-03T00:00:00+07:00");
	CHECK_INT(
	    st->m->label_lookup(st, s1, &l, &b, &n, &first, NULL, &v2, &err),
	    0);
	CHECK_INT(n, 3);
	CHECK(first == at("2025-05-01T00:00:00+07:00"));
	CHECK(v1 == v2); /* scans leave the registry version alone */
	CHECK_INT(st->m->scan_stats(st, l.id, &n, &first, &err), 0);
	CHECK_INT(n, 3);
	CHECK(first == at("2025-05-01T00:00:00+07:00"));

	/* cached and uncached answers agree, twice (the second from the
	 * cache) */
	CHECK_INT(ocop_code_parse(s1, &code, NULL), 0);
	CHECK_INT(record_lookup(st, &code, t, &plain, &err), 0);
	CHECK_INT(record_lookup_cached(st, cache, &code, t, &rec, &err), 0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	CHECK_INT(rec.scan_count, 3);
	CHECK(memcmp(&rec, &plain, sizeof(rec)) == 0);
	CHECK_INT(record_lookup_cached(st, cache, &code, t, &rec, &err), 0);
	CHECK(memcmp(&rec, &plain, sizeof(rec)) == 0);
	lookups_many(st, cache, s1, s2, t);

	/* a revocation through another handle: seen on the next lookup */
	memset(&v, 0, sizeof(v));
	strcpy(v.decision_no, "99/QĐ-UBND");
	v.revoked_on = day("2025-05-01");
	v.ground = OCOP_GROUND_B;
	CHECK_INT(other->m->revocation_add(other, prod.id, &v, &changed, &err),
		  0);
	CHECK_INT(record_lookup_cached(st, cache, &code, t, &rec, &err), 0);
	CHECK_INT(rec.verdict, OCOP_REVOKED);
	CHECK_INT(
	    st->m->label_lookup(st, s1, &l, &b, &n, &first, NULL, &v2, &err),
	    0);
	CHECK(v2 != v1);

	/* a renamed product, a voided label: seen at once too */
	strcpy(prod.name, "Mắm cá linh mới");
	CHECK_INT(other->m->product_put(other, &prod, &changed, &err), 0);
	CHECK_INT(changed, 1);
	CHECK_INT(other->m->label_void(
		      other, s1, at("2025-05-20T00:00:00+07:00"), "lost", &err),
		  0);
	CHECK_INT(record_lookup_cached(st, cache, &code, t, &rec, &err), 0);
	CHECK_STR(rec.product.name, "Mắm cá linh mới");
	CHECK_INT(rec.verdict, OCOP_VOIDED);
	CHECK_INT(record_lookup(st, &code, t, &plain, &err), 0);
	CHECK(memcmp(&rec, &plain, sizeof(rec)) == 0);
out:
	record_cache_free(cache);
	ocop_store_close(other);
	ocop_store_close(st);
}

static void
add_scan_from(struct ocop_store *st, int64_t label_id, const char *when,
	      enum ocop_scan_source source, const char *net, const char *place)
{
	struct ocop_error err = {0};
	struct ocop_scan s;
	int dup = 0;

	memset(&s, 0, sizeof(s));
	strcpy(s.code, "X");
	s.label_id = label_id;
	s.scanned_at = s.received_at = at(when);
	s.source = source;
	strcpy(s.net, net);
	strcpy(s.place, place);
	if (st->m->scan_add(st, &s, &dup, &err) < 0)
		printf("  scan_add: %s\n", err.msg);
}

static void
test_suspect_copy(void)
{
	struct ocop_store *st = NULL;
	struct ocop_error err = {0};
	struct ocop_product prod;
	struct ocop_record rec;
	struct ocop_label l;
	struct ocop_code code;
	char s1[OCOP_SERIAL_LEN + 1], s2[OCOP_SERIAL_LEN + 1];
	const enum ocop_scan_source C = OCOP_SCAN_CONSUMER,
				    I = OCOP_SCAN_INSPECTOR;

	TEST("suspect_copy: 3 places within the 7 days that end at the "
	     "scan, kept across folds");
	snprintf(db_path, sizeof(db_path), "%s/s.db", dir);
	CHECK_INT(ocop_store_open(db_path, 1, &st, &err), 0);
	if (!st || setup(st, &prod, s1, s2) < 0) {
		CHECK(0);
		goto out;
	}
	CHECK_INT(st->m->label_get(st, s1, &l, &err), 0);
	CHECK_INT(ocop_code_parse(s1, &code, NULL), 0);

	/* two networks, many scans: not a copy */
	add_scan_from(st, l.id, "2025-06-01T09:00:00+07:00", C, "10.0.1.0/24",
		      "");
	add_scan_from(st, l.id, "2025-06-01T10:00:00+07:00", C, "10.0.1.0/24",
		      "");
	add_scan_from(st, l.id, "2025-06-02T10:00:00+07:00", C, "10.0.2.0/24",
		      "");
	/* an inspector's scan without a place, and its network, prove
	 * nothing */
	add_scan_from(st, l.id, "2025-06-02T11:00:00+07:00", I, "10.0.9.0/24",
		      "");
	CHECK_INT(record_lookup(st, &code, at("2025-06-03T10:00:00+07:00"),
				&rec, &err),
		  0);
	CHECK_INT(rec.scan_count, 4);
	CHECK_INT(rec.suspect_copy, 0);
	/* folded (the engine folds as a handle closes), then an
	 * inspector's place on day 7: a copy */
	ocop_store_close(st);
	st = NULL;
	CHECK_INT(ocop_store_open(db_path, 0, &st, &err), 0);
	if (!st)
		goto out;
	add_scan_from(st, l.id, "2025-06-07T08:00:00+07:00", I, "10.0.1.0/24",
		      "Chợ Sa Đéc");
	CHECK_INT(record_lookup(st, &code, at("2025-06-07T09:00:00+07:00"),
				&rec, &err),
		  0);
	CHECK_INT(rec.suspect_copy, 1);
	/* eight days after the first: two places left in the window */
	CHECK_INT(record_lookup(st, &code, at("2025-06-08T09:00:00+07:00"),
				&rec, &err),
		  0);
	CHECK_INT(rec.suspect_copy, 0);
	/* the scan being answered counts too (record_add_place) */
	record_add_place(&rec, "10.0.3.0/24");
	CHECK_INT(rec.suspect_copy, 1);
	/* the other label is untouched */
	CHECK_INT(ocop_code_parse(s2, &code, NULL), 0);
	CHECK_INT(record_lookup(st, &code, at("2025-06-07T09:00:00+07:00"),
				&rec, &err),
		  0);
	CHECK_INT(rec.suspect_copy, 0);
out:
	ocop_store_close(st);
}

int
main(void)
{
	char cmd[128];

	setenv("TZ", "UTC", 1);
	if (!mkdtemp(dir)) {
		printf("FAIL setup: cannot make a temporary directory\n");
		return 1;
	}
	test_writer_matches_jansson();
	test_lookup_and_cache();
	test_suspect_copy();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("  cleanup of %s failed\n", dir);
	return harness_done();
}
