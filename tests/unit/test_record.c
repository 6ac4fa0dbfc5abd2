/*
 * test_record.c - the verification record over a real (temporary) store:
 * every verdict, Digital Link GTIN/lot checks, voids of labels and
 * batches, the JSON shape of SPEC 5, and the reasons in words.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "record.h"

static struct ocop_store *st;
static struct ocop_product prod;
static struct ocop_batch batch;
static char s1[OCOP_SERIAL_LEN + 1], s2[OCOP_SERIAL_LEN + 1];
static char s3[OCOP_SERIAL_LEN + 1];
static char dir[] = "/tmp/ocop-test-record-XXXXXX";

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

static void
make_serial(char *s, const char *first15)
{
	memcpy(s, first15, 15);
	s[15] = ocop_serial_check_symbol(s);
	s[16] = '\0';
}

static int
setup(void)
{
	struct ocop_error err = {0};
	struct ocop_recognition r;
	struct ocop_label l;
	char path[128];
	int changed;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (ocop_store_open(path, 1, &st, &err) < 0)
		goto fail;
	memset(&prod, 0, sizeof(prod));
	strcpy(prod.code, "DT-01-2024");
	strcpy(prod.name, "Mắm cá linh Hồng Ngự");
	strcpy(prod.group, "I");
	strcpy(prod.gtin, "08930000000019");
	strcpy(prod.producer.name, "HTX Thủy sản Hồng Ngự");
	strcpy(prod.producer.kind, "HTX");
	strcpy(prod.producer.province, "Đồng Tháp");
	strcpy(prod.producer.address, "Hồng Ngự");
	if (st->m->product_put(st, &prod, &changed, &err) < 0)
		goto fail;
	memset(&r, 0, sizeof(r));
	r.stars = 4;
	strcpy(r.decision_no, "1446/QĐ-UBND-HC");
	r.decided_on = r.valid_from = day("2024-03-01");
	r.valid_until = ocop_default_valid_until(r.valid_from);
	r.extended_until = OCOP_NO_DAY;
	strcpy(r.issuer, "UBND tỉnh Đồng Tháp");
	if (st->m->recognition_add(st, prod.id, &r, &changed, &err) < 0)
		goto fail;

	memset(&batch, 0, sizeof(batch));
	batch.product_id = prod.id;
	batch.stars = 4;
	strcpy(batch.lot, "L2406A");
	batch.count = 3;
	batch.made_on = day("2024-12-20");
	batch.best_before = OCOP_NO_DAY;
	batch.issued_at = at("2025-01-01T08:00:00+07:00");
	batch.voided_at = OCOP_NO_TIME;
	make_serial(s1, "7KQ3M9XH2PAB4C5");
	make_serial(s2, "0000000000000AB");
	make_serial(s3, "ZZZZZZZZZZZZZZZ");
	if (st->m->begin(st, &err) < 0 ||
	    st->m->batch_add(st, &batch, &err) < 0)
		goto fail;
	memset(&l, 0, sizeof(l));
	l.batch_id = batch.id;
	l.product_id = prod.id;
	l.stars = 4;
	strcpy(l.serial, s1);
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	strcpy(l.serial, s2);
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	strcpy(l.serial, s3);
	if (st->m->label_add(st, &l, &err) < 0)
		goto fail;
	/* a duplicate serial is OCOP_EEXIST (the issuer draws again) */
	if (st->m->label_add(st, &l, &err) != OCOP_EEXIST)
		goto fail;
	if (st->m->commit(st, &err) < 0)
		goto fail;
	return 0;
fail:
	printf("FAIL setup: %s\n", err.msg);
	return -1;
}

static void
code_serial(struct ocop_code *c, const char *s)
{
	if (ocop_code_parse(s, c, NULL) < 0)
		abort();
}

static void
test_valid_and_expired(void)
{
	struct ocop_code c;
	struct ocop_record rec;
	char buf[512];

	TEST("record: valid, then expired from the day after the end");
	code_serial(&c, s1);
	CHECK_INT(record_lookup(st, &c, at("2025-06-01T10:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	CHECK_INT(rec.reason, OCOP_REASON_IN_FORCE);
	CHECK_INT(rec.known, 1);
	CHECK_INT(rec.has_recognition, 1);
	CHECK_INT(rec.recognition.stars, 4);
	CHECK_INT(rec.label.stars, 4);
	CHECK_STR(rec.batch.lot, "L2406A");
	CHECK_STR(rec.product.code, "DT-01-2024");
	CHECK_INT(rec.scan_count, 0);
	record_reason_text(&rec, "vi", buf, sizeof(buf));
	CHECK(strstr(buf, "4 sao") != NULL);
	CHECK(strstr(buf, "28/02/2027") != NULL);
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK(strstr(buf, "2027-02-28") != NULL);

	CHECK_INT(record_lookup(st, &c, at("2027-03-05T10:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_EXPIRED);
	CHECK_INT(rec.reason, OCOP_REASON_EXPIRED);
	record_reason_text(&rec, "vi", buf, sizeof(buf));
	CHECK_STR(buf, "Sản phẩm đã hết hạn công nhận OCOP từ ngày "
		       "01/03/2027.");
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK_STR(buf, "The product's OCOP recognition expired on "
		       "2027-03-01.");
}

static void
test_bad_time(void)
{
	struct ocop_code c;
	struct ocop_record rec;
	struct ocop_error err = {0};

	TEST("record: a time before the label's issue is bad input");
	code_serial(&c, s1);
	CHECK_INT(record_lookup(st, &c, at("2024-12-31T23:59:59+07:00"), &rec,
				&err),
		  OCOP_EINVAL);
	CHECK(strstr(err.msg, "before") != NULL);
	CHECK_INT(record_lookup(st, &c, at("2025-01-01T08:00:00+07:00"), &rec,
				NULL),
		  0);
}

static void
test_unknowns(void)
{
	struct ocop_code c;
	struct ocop_record rec;
	char in[160], buf[512];
	json_t *o;
	int64_t t = at("2025-06-01T10:00:00+07:00");

	TEST("record: unknown, mistyped, wrong product, foreign serial");
	code_serial(&c, "0000-0000-0000-0000");
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.verdict, OCOP_UNKNOWN);
	CHECK_INT(rec.reason, OCOP_REASON_NOT_FOUND);
	o = record_to_json(&rec);
	CHECK_INT(json_object_size(o), 4);
	CHECK_STR(json_string_value(json_object_get(o, "verdict")),
		  "unknown");
	CHECK_STR(json_string_value(json_object_get(o, "reason")),
		  "not_found");
	CHECK_STR(json_string_value(json_object_get(o, "checked_at")),
		  "2025-06-01T10:00:00+07:00");
	json_decref(o);

	/* mistyped: one symbol changed */
	strcpy(in, s1);
	in[3] = in[3] == 'A' ? 'B' : 'A';
	code_serial(&c, in);
	CHECK_INT(c.mistyped, 1);
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.verdict, OCOP_UNKNOWN);
	CHECK_INT(rec.reason, OCOP_REASON_MISTYPED);
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK(strstr(buf, "check symbol") != NULL);

	/* Digital Link: right GTIN and lot, GTIN alone, wrong lot, wrong
	 * GTIN, and a GS1 serial that is not ours */
	snprintf(in, sizeof(in), "http://h/01/08930000000019/10/l2406a/21/%s",
		 s1);
	code_serial(&c, in);
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	snprintf(in, sizeof(in), "http://h/01/8930000000019/21/%s", s1);
	code_serial(&c, in);
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	snprintf(in, sizeof(in), "http://h/01/08930000000019/10/L2406B/21/%s",
		 s1);
	code_serial(&c, in);
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.verdict, OCOP_UNKNOWN);
	CHECK_INT(rec.reason, OCOP_REASON_WRONG_PRODUCT);
	CHECK_INT(rec.known, 0);
	o = record_to_json(&rec);
	CHECK_INT(json_object_size(o), 4);
	CHECK_STR(json_string_value(json_object_get(o, "serial")), s1);
	CHECK_STR(json_string_value(json_object_get(o, "reason")),
		  "wrong_product");
	json_decref(o);
	snprintf(in, sizeof(in), "http://h/01/96385074/21/%s", s1);
	code_serial(&c, in);
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.reason, OCOP_REASON_WRONG_PRODUCT);
	code_serial(&c, "http://h/01/08930000000019/21/abc");
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), 0);
	CHECK_INT(rec.reason, OCOP_REASON_NOT_FOUND);
	CHECK_STR(rec.serial, "ABC");
	/* a product URI names no label */
	code_serial(&c, "http://h/01/08930000000019");
	CHECK_INT(record_lookup(st, &c, t, &rec, NULL), OCOP_EINVAL);
}

static void
test_json_shape(void)
{
	static const char *const top[] = {"serial", "verdict", "checked_at",
					  "reason", "label", "product",
					  "recognition", "scans",
					  "suspect_copy"};
	static const char *const label[] = {"printed_stars", "lot", "batch",
					    "issued_at", "made_on",
					    "best_before", "voided_at"};
	static const char *const recog[] = {
		"stars",      "decision_no", "decided_on",
		"issuer",     "valid_from",  "valid_until",
		"extended_until", "revoked_on", "ground"};
	struct ocop_code c;
	struct ocop_record rec;
	json_t *o, *l, *p, *r, *s;
	const char *key;
	json_t *v;
	size_t i = 0;

	TEST("record: JSON in the shape of SPEC 5, in order");
	code_serial(&c, s1);
	CHECK_INT(record_lookup(st, &c, at("2025-06-01T10:00:00Z"), &rec,
				NULL),
		  0);
	o = record_to_json(&rec);
	CHECK_INT(json_object_size(o), 9);
	json_object_foreach(o, key, v) {
		if (i < 9)
			CHECK_STR(key, top[i]);
		i++;
	}
	CHECK_STR(json_string_value(json_object_get(o, "checked_at")),
		  "2025-06-01T17:00:00+07:00");
	CHECK(json_is_false(json_object_get(o, "suspect_copy")));
	l = json_object_get(o, "label");
	CHECK_INT(json_object_size(l), 7);
	for (i = 0; i < 7; i++)
		CHECK(json_object_get(l, label[i]) != NULL);
	CHECK_INT(json_integer_value(json_object_get(l, "printed_stars")), 4);
	CHECK_STR(json_string_value(json_object_get(l, "lot")), "L2406A");
	CHECK_INT(json_integer_value(json_object_get(l, "batch")), batch.id);
	CHECK_STR(json_string_value(json_object_get(l, "issued_at")),
		  "2025-01-01T08:00:00+07:00");
	CHECK_STR(json_string_value(json_object_get(l, "made_on")),
		  "2024-12-20");
	CHECK(json_is_null(json_object_get(l, "best_before")));
	CHECK(json_is_null(json_object_get(l, "voided_at")));
	p = json_object_get(o, "product");
	CHECK_INT(json_object_size(p), 5);
	CHECK_STR(json_string_value(json_object_get(p, "name")),
		  "Mắm cá linh Hồng Ngự");
	CHECK_STR(json_string_value(json_object_get(p, "group")), "I");
	CHECK_STR(json_string_value(json_object_get(p, "gtin")),
		  "08930000000019");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(p, "producer"), "kind")),
		  "HTX");
	CHECK_INT(json_object_size(json_object_get(p, "producer")), 3);
	r = json_object_get(o, "recognition");
	CHECK_INT(json_object_size(r), 9);
	for (i = 0; i < 9; i++)
		CHECK(json_object_get(r, recog[i]) != NULL);
	CHECK_STR(json_string_value(json_object_get(r, "valid_until")),
		  "2027-02-28");
	CHECK(json_is_null(json_object_get(r, "revoked_on")));
	CHECK(json_is_null(json_object_get(r, "ground")));
	s = json_object_get(o, "scans");
	CHECK_INT(json_integer_value(json_object_get(s, "count")), 0);
	CHECK(json_is_null(json_object_get(s, "first_at")));
	json_decref(o);
}

static void
test_voids(void)
{
	struct ocop_code c;
	struct ocop_record rec;
	char buf[512];
	json_t *o;

	TEST("record: label and batch voids, the earlier one counts");
	CHECK_INT(st->m->label_void(st, s2, at("2025-03-01T00:00:00+07:00"),
				    "misprint", NULL),
		  0);
	/* voiding again keeps the first time */
	CHECK_INT(st->m->label_void(st, s2, at("2025-04-01T00:00:00+07:00"),
				    "again", NULL),
		  0);
	CHECK_INT(st->m->label_void(st, "0000000000000000", 0, NULL, NULL),
		  OCOP_ENOENT);
	code_serial(&c, s2);
	CHECK_INT(record_lookup(st, &c, at("2025-02-28T23:59:59+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	CHECK_INT(record_lookup(st, &c, at("2025-03-01T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VOIDED);
	CHECK_INT(rec.reason, OCOP_REASON_LABEL_VOIDED);
	record_reason_text(&rec, "vi", buf, sizeof(buf));
	CHECK(strstr(buf, "01/03/2025") != NULL);
	o = record_to_json(&rec);
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "label"),
						    "voided_at")),
		  "2025-03-01T00:00:00+07:00");
	json_decref(o);

	/* the batch voided earlier than the label: the batch's time */
	CHECK_INT(st->m->batch_void(st, batch.id,
				    at("2025-02-01T00:00:00+07:00"), "recall",
				    NULL),
		  0);
	CHECK_INT(st->m->batch_void(st, batch.id + 1000, 0, NULL, NULL),
		  OCOP_ENOENT);
	CHECK_INT(record_lookup(st, &c, at("2025-06-01T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VOIDED);
	CHECK_INT(rec.reason, OCOP_REASON_BATCH_VOIDED);
	o = record_to_json(&rec);
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "label"),
						    "voided_at")),
		  "2025-02-01T00:00:00+07:00");
	json_decref(o);
	code_serial(&c, s1);
	CHECK_INT(record_lookup(st, &c, at("2025-06-01T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VOIDED);
	CHECK_INT(rec.reason, OCOP_REASON_BATCH_VOIDED);
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK(strstr(buf, "batch") != NULL);
	CHECK(strstr(buf, "2025-02-01") != NULL);
	CHECK_INT(record_lookup(st, &c, at("2025-01-31T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VALID);
}

static void
test_revoked_and_stars(void)
{
	struct ocop_code c;
	struct ocop_record rec;
	struct ocop_revocation rv;
	struct ocop_recognition r;
	struct ocop_batch b2 = batch;
	struct ocop_label l;
	char s4[OCOP_SERIAL_LEN + 1], buf[512];
	json_t *o;
	int changed;

	TEST("record: revoked with its ground, then fewer stars");
	/* a second batch, not voided */
	b2.id = 0;
	b2.count = 1;
	b2.voided_at = OCOP_NO_TIME;
	make_serial(s4, "ABCDEFGHJKMNPQR");
	memset(&l, 0, sizeof(l));
	CHECK_INT(st->m->batch_add(st, &b2, NULL), 0);
	l.batch_id = b2.id;
	l.product_id = prod.id;
	l.stars = 4;
	strcpy(l.serial, s4);
	CHECK_INT(st->m->label_add(st, &l, NULL), 0);

	memset(&rv, 0, sizeof(rv));
	strcpy(rv.decision_no, "77/QĐ-UBND");
	rv.revoked_on = day("2025-09-01");
	rv.ground = OCOP_GROUND_C;
	CHECK_INT(st->m->revocation_add(st, prod.id, &rv, &changed, NULL), 0);
	code_serial(&c, s4);
	CHECK_INT(record_lookup(st, &c, at("2025-08-31T23:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VALID);
	CHECK_INT(record_lookup(st, &c, at("2025-10-01T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_REVOKED);
	CHECK_INT(rec.reason, OCOP_REASON_REVOKED);
	CHECK_INT(rec.has_recognition, 1);
	CHECK_INT(rec.recognition.revoked_on, day("2025-09-01"));
	record_reason_text(&rec, "vi", buf, sizeof(buf));
	CHECK(strstr(buf, "thu hồi") != NULL);
	CHECK(strstr(buf, "01/09/2025") != NULL);
	CHECK(strstr(buf, "77/QĐ-UBND") != NULL);
	CHECK(strstr(buf, "an toàn thực phẩm") != NULL);
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK(strstr(buf, "revoked on 2025-09-01") != NULL);
	CHECK(strstr(buf, "food safety") != NULL);
	o = record_to_json(&rec);
	CHECK_STR(json_string_value(json_object_get(o, "verdict")),
		  "revoked");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(o, "recognition"), "ground")),
		  "c");
	CHECK_STR(json_string_value(json_object_get(
			  json_object_get(o, "recognition"), "revoked_on")),
		  "2025-09-01");
	json_decref(o);

	/* a new 3-star recognition: a 4-star label is a star mismatch */
	memset(&r, 0, sizeof(r));
	r.stars = 3;
	strcpy(r.decision_no, "12/QĐ-UBND");
	r.decided_on = r.valid_from = day("2026-01-10");
	r.valid_until = ocop_default_valid_until(r.valid_from);
	r.extended_until = OCOP_NO_DAY;
	strcpy(r.issuer, "UBND tỉnh Đồng Tháp");
	CHECK_INT(st->m->recognition_add(st, prod.id, &r, &changed, NULL), 0);
	CHECK_INT(record_lookup(st, &c, at("2026-02-01T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_STAR_MISMATCH);
	CHECK_INT(rec.reason, OCOP_REASON_FEWER_STARS);
	CHECK_INT(rec.recognition.stars, 3);
	record_reason_text(&rec, "vi", buf, sizeof(buf));
	CHECK_STR(buf, "Tem in 4 sao nhưng sản phẩm hiện chỉ được công nhận "
		       "OCOP 3 sao.");
	record_reason_text(&rec, "en", buf, sizeof(buf));
	CHECK_STR(buf, "The label shows 4 stars but the product's OCOP "
		       "recognition is 3 stars.");
	/* before any recognition: expired, not yet recognised */
	CHECK_INT(record_lookup(st, &c, at("2025-01-02T00:00:00+07:00"), &rec,
				NULL),
		  0);
	CHECK_INT(rec.verdict, OCOP_VALID);
}

int
main(void)
{
	char cmd[128];
	int rc;

	setenv("TZ", "UTC", 1);
	if (setup() < 0)
		return 1;
	test_valid_and_expired();
	test_bad_time();
	test_unknowns();
	test_json_shape();
	test_voids();
	test_revoked_and_stars();
	ocop_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	rc = system(cmd);
	(void)rc;
	return harness_done();
}
