/*
 * record.c - the verification record of SPEC 5: label -> batch -> product
 * -> history -> verdict at an instant, its JSON, and its reason in words.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "registry.h"
#include "utf8.h"

static void
record_unknown(struct ocop_record *rec, enum ocop_reason reason)
{
	rec->verdict = OCOP_UNKNOWN;
	rec->reason = reason;
	rec->known = 0;
}

#define CACHE_SLOTS 256 /* a power of two */

struct cache_entry {
	int64_t product_id; /* 0: empty */
	int64_t version;    /* the registry version it was read under */
	struct ocop_product product;
	struct ocop_history history;
};

struct record_cache {
	struct cache_entry slots[CACHE_SLOTS];
};

struct record_cache *
record_cache_new(void)
{
	struct record_cache *c = ocop_xcalloc(1, sizeof(*c));

	for (size_t i = 0; i < CACHE_SLOTS; i++)
		ocop_history_init(&c->slots[i].history);
	return c;
}

void
record_cache_free(struct record_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		ocop_history_release(&c->slots[i].history);
	free(c);
}

/* The product and its resolved history: from the cache when read under
 * the same registry version, else from the store (and kept). *h points
 * into the cache or at own, which the caller releases. */
static int
product_history(struct ocop_store *st, struct record_cache *cache,
		int64_t product_id, int64_t version, struct ocop_product *p,
		const struct ocop_history **h, struct ocop_history *own,
		struct ocop_error *err)
{
	struct cache_entry *e;
	int rc;

	if (!cache) {
		if ((rc = st->m->product_get_by_id(st, product_id, p, err)) < 0)
			return rc;
		*h = own;
		return registry_history(st, product_id, own, err);
	}
	e = &cache->slots[(uint64_t)product_id & (CACHE_SLOTS - 1)];
	if (e->product_id != product_id || e->version != version) {
		e->product_id = 0;
		if ((rc = st->m->product_get_by_id(st, product_id, &e->product,
						   err)) < 0 ||
		    (rc = registry_history(st, product_id, &e->history, err)) <
			0)
			return rc;
		e->product_id = product_id;
		e->version = version;
	}
	*p = e->product;
	*h = &e->history;
	return 0;
}

/* The record's start from the code alone: 1 when its label is to be read,
 * 0 when the code answers (unknown), or the code's failure. */
static int
record_start(const struct ocop_code *code, int64_t at, struct ocop_record *rec,
	     struct ocop_error *err)
{
	memset(rec, 0, sizeof(*rec));
	rec->checked_at = at;
	rec->since = OCOP_NO_DAY;
	rec->first_scan_at = OCOP_NO_TIME;
	record_unknown(rec, OCOP_REASON_NOT_FOUND);
	if (code->kind == OCOP_CODE_DL_PRODUCT)
		return ocop_error_set(err, OCOP_EINVAL,
				      "a product code (GTIN %s) names no "
				      "label",
				      code->gtin);
	if (code->kind == OCOP_CODE_DL_LABEL && code->foreign[0]) {
		ocop_strlcpy(rec->serial, code->foreign, sizeof(rec->serial));
		return 0;
	}
	ocop_strlcpy(rec->serial, code->serial, sizeof(rec->serial));
	if (code->mistyped) {
		record_unknown(rec, OCOP_REASON_MISTYPED);
		return 0;
	}
	return 1;
}

/* The rest of the record once its label was read (r->found 0: none). */
static int
record_judge(struct ocop_store *st, struct record_cache *cache,
	     const struct ocop_code *code, int64_t at,
	     const struct store_label_read *r, struct ocop_record *rec,
	     struct ocop_error *err)
{
	struct ocop_history own;
	const struct ocop_history *h;
	struct ocop_judgement j;
	int64_t lv, bv, voided_at;
	char t1[32], t2[32];
	int rc;

	if (!r->found) {
		rec->scan_count = 0;
		rec->first_scan_at = OCOP_NO_TIME;
		return 0;
	}
	rec->label = r->label;
	rec->batch = r->batch;
	rec->scan_count = r->scan_count;
	rec->first_scan_at = r->first_scan_at;
	rec->places = r->places;
	ocop_history_init(&own);
	rc = product_history(st, cache, rec->label.product_id,
			     r->registry_version, &rec->product, &h, &own, err);
	if (rc < 0)
		goto out;
	if (code->kind == OCOP_CODE_DL_LABEL &&
	    (strcmp(code->gtin, rec->product.gtin) != 0 ||
	     (code->lot[0] && strcmp(code->lot, rec->batch.lot) != 0))) {
		/* a genuine serial on another product is a forgery: say
		 * nothing about the label */
		char serial[sizeof(rec->serial)];

		ocop_strlcpy(serial, rec->serial, sizeof(serial));
		memset(rec, 0, sizeof(*rec));
		ocop_strlcpy(rec->serial, serial, sizeof(rec->serial));
		rec->checked_at = at;
		rec->since = OCOP_NO_DAY;
		rec->first_scan_at = OCOP_NO_TIME;
		record_unknown(rec, OCOP_REASON_WRONG_PRODUCT);
		goto out;
	}
	if (at < rec->batch.issued_at) {
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "time %s is before label %s was issued "
				    "(%s)",
				    ocop_time_format(at, t1), rec->serial,
				    ocop_time_format(rec->batch.issued_at, t2));
		goto out;
	}
	rec->known = 1;
	rec->suspect_copy = places_suspect(&rec->places, ocop_day_of(at));

	/* the earlier of the label's and its batch's void */
	lv = rec->label.voided_at;
	bv = rec->batch.voided_at;
	voided_at = lv;
	if (bv != OCOP_NO_TIME && (lv == OCOP_NO_TIME || bv < lv))
		voided_at = bv;

	ocop_judge(h, rec->label.stars, voided_at,
		   voided_at != OCOP_NO_TIME && voided_at == bv &&
		       voided_at != lv,
		   at, &j);
	rec->verdict = j.verdict;
	rec->reason = j.reason;
	rec->since = j.since;
	if (j.rec >= 0 && (size_t)j.rec < h->nrecs) {
		rec->has_recognition = 1;
		rec->recognition = h->recs[j.rec];
	}
out:
	ocop_history_release(&own);
	return rc;
}

int
record_lookup_cached(struct ocop_store *st, struct record_cache *cache,
		     const struct ocop_code *code, int64_t at,
		     struct ocop_record *rec, struct ocop_error *err)
{
	struct store_label_read r;
	int rc;

	if ((rc = record_start(code, at, rec, err)) <= 0)
		return rc;
	/* label, batch and scan stats in one read */
	memset(&r, 0, sizeof(r));
	rc = st->m->label_lookup(st, code->serial, &r.label, &r.batch,
				 &r.scan_count, &r.first_scan_at, &r.places,
				 &r.registry_version, err);
	if (rc < 0 && rc != OCOP_ENOENT)
		return rc;
	r.found = rc == 0;
	return record_judge(st, cache, code, at, &r, rec, err);
}

int
record_lookup_many(struct ocop_store *st, struct record_cache *cache,
		   struct record_query *q, size_t n)
{
	const char *serials[STORE_LOOKUPS_MAX];
	size_t need[STORE_LOOKUPS_MAX], k = 0;
	struct store_label_read *r;
	struct ocop_error err = {0};
	int rc;

	assert(n <= STORE_LOOKUPS_MAX);
	for (size_t i = 0; i < n; i++) {
		memset(&q[i].err, 0, sizeof(q[i].err));
		q[i].rc = record_start(q[i].code, q[i].at, q[i].rec, &q[i].err);
		if (q[i].rc > 0) {
			serials[k] = q[i].code->serial;
			need[k++] = i;
		}
	}
	if (k == 0)
		return 0;
	/* their labels, batches and scan stats in one read */
	r = ocop_xmalloc(k * sizeof(*r));
	rc = st->m->label_lookup_many(st, serials, k, r, &err);
	for (size_t i = 0; i < k; i++) {
		struct record_query *e = &q[need[i]];

		if (rc < 0) {
			e->rc = rc;
			e->err = err;
			continue;
		}
		e->rc = record_judge(st, cache, e->code, e->at, &r[i], e->rec,
				     &e->err);
	}
	free(r);
	return rc;
}

void
record_add_place(struct ocop_record *rec, const char *name)
{
	int32_t day = ocop_day_of(rec->checked_at);

	if (!rec->known)
		return;
	places_add(&rec->places, places_key(name), day);
	rec->suspect_copy = places_suspect(&rec->places, day);
}

int
record_lookup(struct ocop_store *st, const struct ocop_code *code, int64_t at,
	      struct ocop_record *rec, struct ocop_error *err)
{
	return record_lookup_cached(st, NULL, code, at, rec, err);
}

static json_t *
json_day(int32_t day)
{
	char buf[16];

	if (day == OCOP_NO_DAY)
		return json_null();
	return json_string(ocop_day_format(day, buf));
}

static json_t *
json_time(int64_t t)
{
	char buf[32];

	if (t == OCOP_NO_TIME)
		return json_null();
	return json_string(ocop_time_format(t, buf));
}

static json_t *
json_text(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

json_t *
record_to_json(const struct ocop_record *rec)
{
	json_t *o = json_object(), *label, *product, *producer, *recog, *scans;
	const struct ocop_recognition *r = &rec->recognition;
	int64_t voided = rec->label.voided_at, bv = rec->batch.voided_at;

	json_object_set_new(o, "serial", json_string(rec->serial));
	json_object_set_new(o, "verdict",
			    json_string(ocop_verdict_name(rec->verdict)));
	json_object_set_new(o, "checked_at", json_time(rec->checked_at));
	json_object_set_new(o, "reason",
			    json_string(ocop_reason_name(rec->reason)));
	if (rec->verdict == OCOP_UNKNOWN || !rec->known)
		return o;

	if (bv != OCOP_NO_TIME && (voided == OCOP_NO_TIME || bv < voided))
		voided = bv;
	label = json_object();
	json_object_set_new(label, "printed_stars",
			    json_integer(rec->label.stars));
	json_object_set_new(label, "lot", json_text(rec->batch.lot));
	json_object_set_new(label, "batch", json_integer(rec->batch.id));
	json_object_set_new(label, "issued_at",
			    json_time(rec->batch.issued_at));
	json_object_set_new(label, "made_on", json_day(rec->batch.made_on));
	json_object_set_new(label, "best_before",
			    json_day(rec->batch.best_before));
	json_object_set_new(label, "voided_at", json_time(voided));
	json_object_set_new(o, "label", label);

	product = json_object();
	json_object_set_new(product, "code", json_string(rec->product.code));
	json_object_set_new(product, "name", json_string(rec->product.name));
	json_object_set_new(product, "group", json_string(rec->product.group));
	json_object_set_new(product, "gtin", json_text(rec->product.gtin));
	producer = json_object();
	json_object_set_new(producer, "name",
			    json_string(rec->product.producer.name));
	json_object_set_new(producer, "kind",
			    json_string(rec->product.producer.kind));
	json_object_set_new(producer, "province",
			    json_string(rec->product.producer.province));
	json_object_set_new(product, "producer", producer);
	json_object_set_new(o, "product", product);

	if (rec->has_recognition) {
		const char *ground = ocop_ground_name(r->ground);

		recog = json_object();
		json_object_set_new(recog, "stars", json_integer(r->stars));
		json_object_set_new(recog, "decision_no",
				    json_string(r->decision_no));
		json_object_set_new(recog, "decided_on",
				    json_day(r->decided_on));
		json_object_set_new(recog, "issuer", json_string(r->issuer));
		json_object_set_new(recog, "valid_from",
				    json_day(r->valid_from));
		json_object_set_new(recog, "valid_until",
				    json_day(r->valid_until));
		json_object_set_new(recog, "extended_until",
				    json_day(r->extended_until));
		json_object_set_new(recog, "revoked_on",
				    json_day(r->revoked_on));
		json_object_set_new(recog, "ground",
				    r->revoked_on != OCOP_NO_DAY && ground
					? json_string(ground)
					: json_null());
		json_object_set_new(o, "recognition", recog);
	} else {
		json_object_set_new(o, "recognition", json_null());
	}

	scans = json_object();
	json_object_set_new(scans, "count", json_integer(rec->scan_count));
	json_object_set_new(
	    scans, "first_at",
	    json_time(rec->scan_count > 0 ? rec->first_scan_at : OCOP_NO_TIME));
	json_object_set_new(o, "scans", scans);
	json_object_set_new(o, "suspect_copy", json_boolean(rec->suspect_copy));
	return o;
}

/* ---- the record's JSON written directly ---------------------------- */

/* What jansson's compact dump would write for a string value, with the
 * same escapes (\uXXXX in upper case for other control characters).
 * -1 when s is not valid UTF-8: jansson would refuse the value. */
static int
jw_string(struct ocop_buf *b, const char *s)
{
	size_t n = strlen(s);
	const char *start = s, *end = s + n;
	char esc[8];
	int ascii = 1;

	for (size_t i = 0; i < n; i++)
		ascii &= (unsigned char)s[i] < 0x80;
	if (!ascii && !utf8_valid(s, n, NULL))
		return -1;
	ocop_buf_add(b, "\"", 1);
	for (; s < end; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ocop_buf_add(b, start, (size_t)(s - start));
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		default:
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = "0123456789ABCDEF"[c >> 4];
			esc[5] = "0123456789ABCDEF"[c & 15];
			esc[6] = '\0';
			e = esc;
			break;
		}
		ocop_buf_adds(b, e);
		start = s + 1;
	}
	ocop_buf_add(b, start, (size_t)(s - start));
	ocop_buf_add(b, "\"", 1);
	return 0;
}

/* json_text: "" is null */
static int
jw_text(struct ocop_buf *b, const char *s)
{
	if (!s || !*s) {
		ocop_buf_add(b, "null", 4);
		return 0;
	}
	return jw_string(b, s);
}

static void
jw_int(struct ocop_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	ocop_buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void
put_digits(char *p, int v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* ocop_day_format / ocop_time_format without printf (the usual years;
 * others through them) */
static void
jw_day(struct ocop_buf *b, int32_t day)
{
	char tmp[16] = "\"YYYY-MM-DD\"";
	int y, m, d;

	if (day == OCOP_NO_DAY) {
		ocop_buf_add(b, "null", 4);
		return;
	}
	ocop_day_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999) {
		jw_string(b, ocop_day_format(day, tmp));
		return;
	}
	put_digits(tmp + 1, y, 4);
	put_digits(tmp + 6, m, 2);
	put_digits(tmp + 9, d, 2);
	ocop_buf_add(b, tmp, 12);
}

static void
jw_time(struct ocop_buf *b, int64_t t)
{
	char tmp[40] = "\"YYYY-MM-DDTHH:MM:SS+07:00\"";
	int32_t day;
	int64_t sec;
	int y, m, d;

	if (t == OCOP_NO_TIME) {
		ocop_buf_add(b, "null", 4);
		return;
	}
	day = ocop_day_of(t);
	sec = t + OCOP_TZ_OFFSET - (int64_t)day * 86400;
	ocop_day_to_ymd(day, &y, &m, &d);
	if (y < 0 || y > 9999 || sec < 0 || sec >= 86400) {
		jw_string(b, ocop_time_format(t, tmp));
		return;
	}
	put_digits(tmp + 1, y, 4);
	put_digits(tmp + 6, m, 2);
	put_digits(tmp + 9, d, 2);
	put_digits(tmp + 12, (int)(sec / 3600), 2);
	put_digits(tmp + 15, (int)(sec / 60 % 60), 2);
	put_digits(tmp + 18, (int)(sec % 60), 2);
	ocop_buf_add(b, tmp, 27);
}

/* The record; -1 when a string is not valid UTF-8. Keep in step with
 * record_to_json (tests/unit/test_record_json.c compares them). */
static int
jw_record(struct ocop_buf *b, const struct ocop_record *rec)
{
	const struct ocop_recognition *r = &rec->recognition;
	int64_t voided = rec->label.voided_at, bv = rec->batch.voided_at;
	int bad = 0;

	ocop_buf_adds(b, "{\"serial\":");
	bad |= jw_string(b, rec->serial);
	ocop_buf_adds(b, ",\"verdict\":");
	bad |= jw_string(b, ocop_verdict_name(rec->verdict));
	ocop_buf_adds(b, ",\"checked_at\":");
	jw_time(b, rec->checked_at);
	ocop_buf_adds(b, ",\"reason\":");
	bad |= jw_string(b, ocop_reason_name(rec->reason));
	if (rec->verdict == OCOP_UNKNOWN || !rec->known) {
		ocop_buf_add(b, "}", 1);
		return bad;
	}

	if (bv != OCOP_NO_TIME && (voided == OCOP_NO_TIME || bv < voided))
		voided = bv;
	ocop_buf_adds(b, ",\"label\":{\"printed_stars\":");
	jw_int(b, rec->label.stars);
	ocop_buf_adds(b, ",\"lot\":");
	bad |= jw_text(b, rec->batch.lot);
	ocop_buf_adds(b, ",\"batch\":");
	jw_int(b, rec->batch.id);
	ocop_buf_adds(b, ",\"issued_at\":");
	jw_time(b, rec->batch.issued_at);
	ocop_buf_adds(b, ",\"made_on\":");
	jw_day(b, rec->batch.made_on);
	ocop_buf_adds(b, ",\"best_before\":");
	jw_day(b, rec->batch.best_before);
	ocop_buf_adds(b, ",\"voided_at\":");
	jw_time(b, voided);

	ocop_buf_adds(b, "},\"product\":{\"code\":");
	bad |= jw_string(b, rec->product.code);
	ocop_buf_adds(b, ",\"name\":");
	bad |= jw_string(b, rec->product.name);
	ocop_buf_adds(b, ",\"group\":");
	bad |= jw_string(b, rec->product.group);
	ocop_buf_adds(b, ",\"gtin\":");
	bad |= jw_text(b, rec->product.gtin);
	ocop_buf_adds(b, ",\"producer\":{\"name\":");
	bad |= jw_string(b, rec->product.producer.name);
	ocop_buf_adds(b, ",\"kind\":");
	bad |= jw_string(b, rec->product.producer.kind);
	ocop_buf_adds(b, ",\"province\":");
	bad |= jw_string(b, rec->product.producer.province);
	ocop_buf_adds(b, "}},\"recognition\":");

	if (rec->has_recognition) {
		const char *ground = ocop_ground_name(r->ground);

		ocop_buf_adds(b, "{\"stars\":");
		jw_int(b, r->stars);
		ocop_buf_adds(b, ",\"decision_no\":");
		bad |= jw_string(b, r->decision_no);
		ocop_buf_adds(b, ",\"decided_on\":");
		jw_day(b, r->decided_on);
		ocop_buf_adds(b, ",\"issuer\":");
		bad |= jw_string(b, r->issuer);
		ocop_buf_adds(b, ",\"valid_from\":");
		jw_day(b, r->valid_from);
		ocop_buf_adds(b, ",\"valid_until\":");
		jw_day(b, r->valid_until);
		ocop_buf_adds(b, ",\"extended_until\":");
		jw_day(b, r->extended_until);
		ocop_buf_adds(b, ",\"revoked_on\":");
		jw_day(b, r->revoked_on);
		ocop_buf_adds(b, ",\"ground\":");
		if (r->revoked_on != OCOP_NO_DAY && ground)
			bad |= jw_string(b, ground);
		else
			ocop_buf_add(b, "null", 4);
		ocop_buf_add(b, "}", 1);
	} else {
		ocop_buf_add(b, "null", 4);
	}

	ocop_buf_adds(b, ",\"scans\":{\"count\":");
	jw_int(b, rec->scan_count);
	ocop_buf_adds(b, ",\"first_at\":");
	jw_time(b, rec->scan_count > 0 ? rec->first_scan_at : OCOP_NO_TIME);
	ocop_buf_adds(b, rec->suspect_copy ? "},\"suspect_copy\":true}"
					   : "},\"suspect_copy\":false}");
	return bad;
}

int
record_json_write(const struct ocop_record *rec, struct ocop_buf *b)
{
	size_t len = b->len;
	json_t *j;
	char *text;
	int rc;

	if (jw_record(b, rec) == 0)
		return 0;
	/* a string jansson refuses: write what it writes */
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
	j = record_to_json(rec);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	rc = text ? ocop_buf_adds(b, text) : OCOP_EINTERNAL;
	free(text);
	json_decref(j);
	return rc;
}

/* A day as people read it: 01/03/2026 in Vietnamese, 2026-03-01 in
 * English. */
static const char *
day_text(int32_t day, int vi, char *buf)
{
	int y, m, d;

	if (!vi)
		return ocop_day_format(day, buf);
	ocop_day_to_ymd(day, &y, &m, &d);
	snprintf(buf, 16, "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
	return buf;
}

/* Art. 8 grounds of revocation, in words. */
static const char *
ground_text(enum ocop_ground g, int vi)
{
	switch (g) {
	case OCOP_GROUND_A:
		return vi ? "hồ sơ đánh giá không trung thực"
			  : "a false or dishonest dossier";
	case OCOP_GROUND_B:
		return vi ? "sản phẩm không còn đáp ứng tiêu chí OCOP"
			  : "the product no longer meets the OCOP criteria";
	case OCOP_GROUND_C:
		return vi ? "vi phạm về chất lượng, an toàn thực phẩm, môi "
			    "trường, sở hữu trí tuệ hoặc nhãn hàng hóa"
			  : "a violation of quality, food safety, "
			    "environmental, intellectual property or "
			    "labelling rules";
	case OCOP_GROUND_D:
		return vi ? "sử dụng sai biểu trưng OCOP"
			  : "misuse of the OCOP mark";
	case OCOP_GROUND_DD:
		return vi ? "chủ thể ngừng sản xuất" : "production has stopped";
	case OCOP_GROUND_E:
		return vi ? "theo kết luận của cơ quan có thẩm quyền"
			  : "an official conclusion of the authorities";
	case OCOP_GROUND_LAPSED:
		return vi ? "hết hạn mà không được đánh giá lại"
			  : "lapsed without re-evaluation";
	default:
		return vi ? "không rõ lý do" : "no ground recorded";
	}
}

const char *
record_reason_text(const struct ocop_record *rec, const char *lang, char *buf,
		   size_t size)
{
	const struct ocop_recognition *r = &rec->recognition;
	int vi = !lang || strcmp(lang, "en") != 0;
	int32_t day;
	char d1[16];

	switch (rec->reason) {
	case OCOP_REASON_IN_FORCE:
		if (!rec->has_recognition)
			break;
		snprintf(buf, size,
			 vi ? "Sản phẩm đạt OCOP %d sao, công nhận còn hiệu "
			      "lực đến hết ngày %s."
			    : "The product holds a %d-star OCOP "
			      "recognition, in force until %s.",
			 r->stars, day_text(r->end, vi, d1));
		return buf;
	case OCOP_REASON_NOT_FOUND:
		snprintf(buf, size, "%s",
			 vi ? "Không có tem nào mang mã này: tem có thể là "
			      "hàng giả."
			    : "No label has this code: the label may be "
			      "counterfeit.");
		return buf;
	case OCOP_REASON_MISTYPED:
		snprintf(buf, size, "%s",
			 vi ? "Mã tem không hợp lệ (ký tự kiểm tra không "
			      "khớp): mã bị nhập sai hoặc bị làm giả."
			    : "The label code is not valid (its check "
			      "symbol does not match): it was mistyped or "
			      "made up.");
		return buf;
	case OCOP_REASON_WRONG_PRODUCT:
		snprintf(buf, size, "%s",
			 vi ? "Mã tem không thuộc sản phẩm này: tem có thể "
			      "đã bị sao chép sang sản phẩm khác."
			    : "This label code does not belong to this "
			      "product: the label may have been copied onto "
			      "another product.");
		return buf;
	case OCOP_REASON_LABEL_VOIDED:
	case OCOP_REASON_BATCH_VOIDED: {
		int batch = rec->reason == OCOP_REASON_BATCH_VOIDED;
		int64_t t = batch ? rec->batch.voided_at : rec->label.voided_at;

		day = t != OCOP_NO_TIME ? ocop_day_of(t) : rec->since;
		if (day == OCOP_NO_DAY)
			day = ocop_day_of(rec->checked_at);
		snprintf(buf, size,
			 vi ? (batch ? "Lô tem này đã bị nhà sản xuất hủy từ "
				       "ngày %s: tem không còn giá trị."
				     : "Tem này đã bị nhà sản xuất hủy từ "
				       "ngày %s: tem không còn giá trị.")
			    : (batch ? "The producer voided this label's "
				       "batch on %s: the label is no longer "
				       "valid."
				     : "The producer voided this label on "
				       "%s: it is no longer valid."),
			 day_text(day, vi, d1));
		return buf;
	}
	case OCOP_REASON_REVOKED:
		if (!rec->has_recognition || r->revoked_on == OCOP_NO_DAY)
			break;
		snprintf(buf, size,
			 vi ? "Công nhận OCOP của sản phẩm đã bị thu hồi từ "
			      "ngày %s (quyết định %s). Lý do: %s."
			    : "The product's OCOP recognition was revoked "
			      "on %s (decision %s). Ground: %s.",
			 day_text(r->revoked_on, vi, d1),
			 r->revoke_decision_no[0] ? r->revoke_decision_no : "-",
			 ground_text(r->ground, vi));
		return buf;
	case OCOP_REASON_EXPIRED:
		day = rec->since;
		if (day == OCOP_NO_DAY && rec->has_recognition)
			day = r->end + 1;
		if (day == OCOP_NO_DAY)
			break;
		snprintf(buf, size,
			 vi ? "Sản phẩm đã hết hạn công nhận OCOP từ ngày %s."
			    : "The product's OCOP recognition expired on "
			      "%s.",
			 day_text(day, vi, d1));
		return buf;
	case OCOP_REASON_NOT_YET:
		snprintf(buf, size,
			 vi ? "Sản phẩm chưa được công nhận OCOP vào ngày %s."
			    : "The product had no OCOP recognition yet on "
			      "%s.",
			 day_text(ocop_day_of(rec->checked_at), vi, d1));
		return buf;
	case OCOP_REASON_FEWER_STARS:
		if (!rec->has_recognition)
			break;
		snprintf(buf, size,
			 vi ? "Tem in %d sao nhưng sản phẩm hiện chỉ được "
			      "công nhận OCOP %d sao."
			    : "The label shows %d stars but the product's "
			      "OCOP recognition is %d stars.",
			 rec->label.stars, r->stars);
		return buf;
	}
	/* a verdict without the facts to explain it */
	snprintf(buf, size, "%s",
		 vi ? "Không xác định được tình trạng công nhận OCOP."
		    : "The OCOP recognition status could not be "
		      "determined.");
	return buf;
}
