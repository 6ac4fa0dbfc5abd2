/*
 * test_snapshot.c - the field snapshot: Golomb-Rice coding at its edges,
 * the signed format (tampering, expiry, unknown and rotated keys), and
 * the verdicts judged from a snapshot against the engine's over a
 * generated registry that gives every reason, at many instants.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "keys.h"
#include "record.h"
#include "rice.h"
#include "snapshot.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Encode then decode; 1 when every value comes back. */
static int
round_trip(const uint64_t *v, size_t n, int k)
{
	struct ocop_buf b;
	struct rice_reader r;
	uint64_t got;
	int ok = 1;

	ocop_buf_init(&b, 64u << 20);
	if (rice_encode(&b, v, n, k) < 0)
		ok = 0;
	rice_reader_init(&r, b.data ? b.data : "", b.len, k);
	for (size_t i = 0; ok && i < n; i++)
		if (rice_next(&r, &got) < 0 || got != v[i])
			ok = 0;
	ocop_buf_release(&b);
	return ok;
}

static void
test_rice(void)
{
	uint64_t v[5000], big[3] = {0, (1ULL << 48) - 2, (1ULL << 48) - 1};
	uint64_t dup[4] = {7, 7, 7, 9}, unsorted[2] = {5, 4};
	struct ocop_buf b;
	struct rice_reader r;
	uint64_t got;

	TEST("rice: edge cases round trip");
	CHECK(round_trip(v, 0, 0));
	v[0] = 0;
	CHECK(round_trip(v, 1, 0));
	CHECK(round_trip(v, 1, 20));
	CHECK(round_trip(big, 3, 47));
	CHECK(round_trip(big, 3, 40));
	CHECK(round_trip(dup, 4, 0));
	CHECK(round_trip(dup, 4, 3));
	for (int k = 0; k <= 8; k++) {
		for (size_t i = 0; i < 64; i++)
			v[i] = i * (uint64_t)(i % 5);
		qsort(v, 64, sizeof(v[0]), cmp_u64);
		CHECK(round_trip(v, 64, k));
	}

	TEST("rice: random sets at the chosen parameter");
	for (int bits = 24; bits <= 48; bits += 8) {
		size_t n = 5000;
		int k = rice_param(n, bits);

		for (size_t i = 0; i < n; i++)
			v[i] = rnd() >> (64 - bits);
		qsort(v, n, sizeof(v[0]), cmp_u64);
		CHECK(round_trip(v, n, k));
		/* about bits - log2(n) + 1.5 bits a value */
		ocop_buf_init(&b, 1 << 20);
		CHECK_INT(rice_encode(&b, v, n, k), 0);
		CHECK(b.len * 8 < n * (size_t)(bits - 12 + 2));
		ocop_buf_release(&b);
	}
	CHECK_INT(rice_param(0, 40), 0);
	CHECK_INT(rice_param(1000000, 40), 19);

	TEST("rice: refuses unsorted input, a cut stream ends");
	ocop_buf_init(&b, 1 << 20);
	CHECK_INT(rice_encode(&b, unsorted, 2, 2), OCOP_EINVAL);
	CHECK_INT(rice_encode(&b, v, 1, 63), OCOP_EINVAL);
	ocop_buf_release(&b);
	ocop_buf_init(&b, 1 << 20);
	CHECK_INT(rice_encode(&b, big, 3, 40), 0);
	rice_reader_init(&r, b.data, b.len - 4, 40);
	CHECK_INT(rice_next(&r, &got), 0);
	CHECK_INT(rice_next(&r, &got), 0);
	CHECK_INT(rice_next(&r, &got), OCOP_EINVAL);
	ocop_buf_release(&b);
}

/* ---- a generated registry ---------------------------------------------- */

#define NPROD 60
static struct ocop_store *st;
static char dir[] = "/tmp/ocop-test-snapshot-XXXXXX";
static int64_t now;

struct glabel {
	char serial[OCOP_SERIAL_LEN + 1];
	int64_t issued_at;
	int mine; /* of the snapshot's province */
	char gtin[15], lot[21];
};
static struct glabel labels[NPROD * 8];
static size_t nlabels;

static int32_t
rday(int32_t lo, int32_t hi)
{
	return lo + (int32_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static int
gen(void)
{
	struct ocop_error err = {0};
	int32_t base = ocop_day_from_ymd(2019, 1, 1);
	char path[128];
	int changed;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (ocop_store_open(path, OCOP_STORE_CREATE, &st, &err) < 0)
		goto fail;
	for (int i = 0; i < NPROD; i++) {
		struct ocop_product p;
		struct ocop_recognition r;
		int32_t from = base + rday(0, 400);
		int nrecs = (int)(rnd() % 4); /* 0: never recognised */

		memset(&p, 0, sizeof(p));
		snprintf(p.code, sizeof(p.code), "87-%05d-001-2020", i);
		snprintf(p.name, sizeof(p.name), "Sản phẩm %d", i);
		strcpy(p.group, "I");
		if (i % 3 == 0) {
			char g[24];

			snprintf(g, sizeof(g), "0893%09d", i);
			g[13] = '\0';
			/* check digit */
			{
				int sum = 0;

				for (int k = 0; k < 13; k++)
					sum += (g[k] - '0') * (k % 2 ? 1 : 3);
				g[13] = (char)('0' + (10 - sum % 10) % 10);
				g[14] = '\0';
			}
			strcpy(p.gtin, g);
		}
		snprintf(p.producer.name, sizeof(p.producer.name), "HTX %d", i);
		strcpy(p.producer.kind, "HTX");
		strcpy(p.producer.province,
		       i % 4 == 3 ? "An Giang" : "Đồng Tháp");
		strcpy(p.producer.address, "xã");
		if (st->m->product_put(st, &p, &changed, &err) < 0)
			goto fail;
		for (int k = 0; k < nrecs; k++) {
			memset(&r, 0, sizeof(r));
			r.stars = 3 + (int)(rnd() % 3);
			snprintf(r.decision_no, sizeof(r.decision_no),
				 "%d/QĐ-UBND", k + 1);
			r.decided_on = r.valid_from = from;
			r.valid_until = ocop_default_valid_until(from);
			r.extended_until = OCOP_NO_DAY;
			strcpy(r.issuer, "UBND tỉnh");
			if (st->m->recognition_add(st, p.id, &r, &changed,
						   &err) < 0)
				goto fail;
			if (rnd() % 3 == 0 &&
			    st->m->extension_add(st, r.id,
						 r.valid_until + rday(1, 180),
						 "GH", &err) < 0)
				goto fail;
			/* renewed before, on or after the end */
			from = r.valid_until + rday(-200, 300);
		}
		if (nrecs && rnd() % 3 == 0) {
			struct ocop_revocation v;

			memset(&v, 0, sizeof(v));
			strcpy(v.decision_no, "TH/QĐ-UBND");
			v.revoked_on = base + rday(100, 2600);
			v.ground = (enum ocop_ground)(1 + rnd() % 7);
			if (st->m->revocation_add(st, p.id, &v, &changed,
						  &err) < 0)
				goto fail;
		}
		for (int b = 0; b < 2; b++) {
			struct ocop_batch bt;

			memset(&bt, 0, sizeof(bt));
			bt.product_id = p.id;
			bt.stars = 3 + (int)(rnd() % 3);
			if (b == 1)
				strcpy(bt.lot, "L1");
			bt.count = 4;
			bt.made_on = OCOP_NO_DAY;
			bt.best_before = b ? base + 900 : OCOP_NO_DAY;
			bt.issued_at =
			    ocop_day_start(base + rday(-100, 1500)) + 3600 * 9;
			bt.voided_at = OCOP_NO_TIME;
			if (st->m->begin(st, &err) < 0 ||
			    st->m->batch_add(st, &bt, &err) < 0)
				goto fail;
			for (int k = 0; k < 4; k++) {
				struct ocop_label l;
				struct glabel *g = &labels[nlabels++];

				memset(&l, 0, sizeof(l));
				ocop_serial_new(l.serial);
				l.batch_id = bt.id;
				l.product_id = p.id;
				l.stars = bt.stars;
				l.voided_at = OCOP_NO_TIME;
				if (st->m->label_add(st, &l, &err) < 0)
					goto fail;
				memcpy(g->serial, l.serial, sizeof(g->serial));
				g->issued_at = bt.issued_at;
				g->mine = i % 4 != 3;
				strcpy(g->gtin, p.gtin);
				strcpy(g->lot, bt.lot);
			}
			if (st->m->commit(st, &err) < 0)
				goto fail;
			if (rnd() % 5 == 0 &&
			    st->m->batch_void(
				st, bt.id, bt.issued_at + 86400 * rday(0, 400),
				"in sai", &err) < 0)
				goto fail;
			if (rnd() % 3 == 0 &&
			    st->m->label_void(st, labels[nlabels - 1].serial,
					      bt.issued_at +
						  86400 * rday(0, 400),
					      "mất", &err) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	printf("setup: %s\n", err.msg);
	return -1;
}

static void
check_same(const struct ocop_record *want, const struct ocop_record *got,
	   const char *serial, int64_t t)
{
	char buf[32];

	if (want->verdict != got->verdict || want->reason != got->reason ||
	    want->since != got->since ||
	    want->has_recognition != got->has_recognition ||
	    (want->has_recognition &&
	     strcmp(want->recognition.decision_no,
		    got->recognition.decision_no) != 0) ||
	    want->batch.id != got->batch.id)
		HARNESS_FAIL("%s at %s: engine %s/%s since %d, snapshot "
			     "%s/%s since %d",
			     serial, ocop_time_format(t, buf),
			     ocop_verdict_name(want->verdict),
			     ocop_reason_name(want->reason), want->since,
			     ocop_verdict_name(got->verdict),
			     ocop_reason_name(got->reason), got->since);
}

static void
test_equality(const struct snapshot *snap)
{
	struct ocop_record want, got;
	struct ocop_code code;
	int seen[OCOP_REASON_FEWER_STARS + 1] = {0};
	struct ocop_error e1, e2;
	size_t compared = 0;

	TEST("snapshot: same verdict, reason and since as the engine");
	for (size_t i = 0; i < nlabels; i++) {
		const struct glabel *g = &labels[i];

		memset(&code, 0, sizeof(code));
		code.kind = OCOP_CODE_SERIAL;
		strcpy(code.serial, g->serial);
		for (int64_t t = g->issued_at - 86400 * 3;
		     t < now + KEYS_SNAPSHOT_LIFETIME; t += 86400 * 17) {
			int r1 = record_lookup(st, &code, t, &want, &e1);
			int r2 = snapshot_judge(snap, &code, t, &got, &e2);

			if (!g->mine) {
				CHECK_INT(r2, 0);
				CHECK_INT(got.verdict, OCOP_UNKNOWN);
				CHECK_INT(got.reason, OCOP_REASON_NOT_FOUND);
				break;
			}
			CHECK_INT(r2, r1);
			if (r1 < 0 || r2 < 0)
				continue;
			check_same(&want, &got, g->serial, t);
			seen[got.reason]++;
			compared++;
		}
		/* the Digital Link of the label, and of another product */
		if (g->mine && g->gtin[0]) {
			int64_t t = g->issued_at + 60;

			code.kind = OCOP_CODE_DL_LABEL;
			strcpy(code.gtin, g->gtin);
			strcpy(code.lot, g->lot);
			CHECK_INT(record_lookup(st, &code, t, &want, &e1), 0);
			CHECK_INT(snapshot_judge(snap, &code, t, &got, &e2), 0);
			check_same(&want, &got, g->serial, t);
			strcpy(code.gtin, "08930000000019");
			CHECK_INT(snapshot_judge(snap, &code, t, &got, &e2), 0);
			CHECK_INT(got.reason, OCOP_REASON_WRONG_PRODUCT);
			seen[got.reason]++;
		}
	}
	/* made-up and mistyped codes */
	for (int i = 0; i < 2000; i++) {
		memset(&code, 0, sizeof(code));
		code.kind = OCOP_CODE_SERIAL;
		ocop_serial_new(code.serial);
		code.mistyped = i % 2;
		CHECK_INT(snapshot_judge(snap, &code, now, &got, &e2), 0);
		CHECK_INT(got.verdict, OCOP_UNKNOWN);
		seen[got.reason]++;
	}
	CHECK(compared > 1000);
	for (int r = 0; r <= OCOP_REASON_FEWER_STARS; r++)
		if (!seen[r])
			HARNESS_FAIL("reason %s never met",
				     ocop_reason_name((enum ocop_reason)r));
}

static void
test_format(void)
{
	struct ocop_error err = {0};
	struct ocop_buf b, b2;
	struct keys_set set, none = {0};
	struct snapshot *snap = NULL, *snap2 = NULL;
	struct snapshot_info info, info2;
	struct store_key k;
	char *copy;

	TEST("snapshot: build, open, province matched loosely");
	ocop_buf_init(&b, SNAPSHOT_MAX);
	CHECK_INT(snapshot_build(st, "dong THAP", now, &b, &err), 0);
	CHECK_INT(keys_set_from_store(st, &set, &err), 0);
	CHECK_INT(set.n, 1);
	CHECK_INT(snapshot_open(b.data, b.len, &set, now, &snap, &err), 0);
	if (!snap) {
		printf("  %s\n", err.msg);
		return;
	}
	snapshot_get_info(snap, &info);
	CHECK_STR(info.province, "Đồng Tháp");
	CHECK(info.expires_at == now + KEYS_SNAPSHOT_LIFETIME);
	CHECK(info.labels > 100);
	ocop_buf_init(&b2, SNAPSHOT_MAX);
	CHECK_INT(snapshot_build(st, "Tỉnh An Giang", now, &b2, &err), 0);
	ocop_buf_release(&b2);

	test_equality(snap);

	TEST("snapshot: altered, expired or foreign snapshots are refused");
	copy = malloc(b.len);
	for (size_t pos = 0; pos < b.len; pos += b.len / 97 + 1) {
		struct snapshot *x = NULL;

		memcpy(copy, b.data, b.len);
		copy[pos] ^= 0x01;
		CHECK(snapshot_open(copy, b.len, &set, now, &x, &err) < 0);
		snapshot_free(x);
	}
	free(copy);
	CHECK_INT(snapshot_open(b.data, b.len - 1, &set, now, &snap2, &err),
		  OCOP_EINVAL);
	CHECK_INT(snapshot_open(b.data, b.len, &set,
				now + KEYS_SNAPSHOT_LIFETIME, &snap2, &err),
		  OCOP_EINVAL);
	CHECK(strstr(err.msg, "expired") != NULL);
	CHECK_INT(snapshot_open(b.data, b.len, &none, now, &snap2, &err),
		  OCOP_EINVAL);
	CHECK(strstr(err.msg, "not a trusted key") != NULL);
	CHECK_INT(snapshot_build(st, "Hà Giang", now, &b, &err), OCOP_ENOENT);

	TEST("snapshot: a rotated key still verifies what it signed");
	CHECK_INT(keys_rotate(st, now + 60, &k, &err), 0);
	CHECK_INT(keys_set_from_store(st, &set, &err), 0);
	CHECK_INT(set.n, 2);
	CHECK_INT(snapshot_open(b.data, b.len, &set, now + 120, &snap2, &err),
		  0);
	snapshot_free(snap2);
	snap2 = NULL;
	ocop_buf_init(&b2, SNAPSHOT_MAX);
	CHECK_INT(snapshot_build(st, "all", now + 120, &b2, &err), 0);
	CHECK_INT(snapshot_open(b2.data, b2.len, &set, now + 120, &snap2, &err),
		  0);
	if (snap2) {
		snapshot_get_info(snap2, &info2);
		CHECK_STR(info2.key_id, k.id);
		CHECK(info2.seq > info.seq);
		CHECK_STR(info2.province, "all");
	}
	snapshot_free(snap2);
	ocop_buf_release(&b2);
	snapshot_free(snap);
	ocop_buf_release(&b);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_rice();
	now = ocop_day_start(ocop_day_from_ymd(2023, 6, 1)) + 3600;
	if (gen() == 0)
		test_format();
	else
		HARNESS_FAIL("cannot generate the registry");
	if (st)
		ocop_store_close(st);
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return harness_done();
}
