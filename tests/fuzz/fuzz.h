/*
 * fuzz.h - what every libFuzzer target in tests/fuzz/ shares: the entry
 * point, a NUL-terminated copy of the input, and a small database.
 *
 * Each fuzz_NAME.c defines LLVMFuzzerTestOneInput. `make fuzz` links it
 * with libFuzzer (clang -fsanitize=fuzzer,address,undefined); the unit
 * build links it with replay.c instead, which feeds it every file of
 * tests/fuzz/corpus/NAME/, so that `make test` and `make check` replay
 * the seeds and every crash kept there.
 */
#ifndef OCOP_FUZZ_H
#define OCOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocop.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string: a copy cut at its first NUL. Caller frees. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = ocop_xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The serial of the fixture's label (a valid check symbol), its GTIN
 * and lot, so that seeds can name a label that exists. */
#define FUZZ_SERIAL "7K3MQ9TXR2W4HB6R"
#define FUZZ_GTIN "08935049500018"
#define FUZZ_LOT "L2406A"
#define FUZZ_BASE "https://ocop.example.vn"

static inline void
fuzz_die(const char *what, const struct ocop_error *err)
{
	fprintf(stderr, "fuzz fixture: %s: %s\n", what, err->msg);
	abort();
}

/*
 * An in-memory database, made on the first call and kept for the
 * process: one product of group I with GTIN FUZZ_GTIN, recognised from
 * 2025-06-01, and one label FUZZ_SERIAL of lot FUZZ_LOT. The clock is
 * fixed ($OCOP_NOW) so that every run judges alike.
 */
static inline struct ocop_store *
fuzz_store(void)
{
	static struct ocop_store *st;
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_recognition r;
	struct ocop_batch b;
	struct ocop_label l;
	int changed;

	if (st)
		return st;
	setenv("OCOP_NOW", "2026-01-15T10:00:00+07:00", 1);
	if (ocop_store_open(":memory:", OCOP_STORE_CREATE, &st, &err) < 0)
		fuzz_die("open", &err);
	memset(&p, 0, sizeof(p));
	ocop_strlcpy(p.code, "83-001-0001-2025", sizeof(p.code));
	ocop_strlcpy(p.name, "Mật ong hoa nhãn", sizeof(p.name));
	ocop_strlcpy(p.group, "I", sizeof(p.group));
	ocop_strlcpy(p.gtin, FUZZ_GTIN, sizeof(p.gtin));
	ocop_strlcpy(p.producer.name, "HTX Ong mật", sizeof(p.producer.name));
	ocop_strlcpy(p.producer.kind, "HTX", sizeof(p.producer.kind));
	ocop_strlcpy(p.producer.province, "Đồng Tháp",
		     sizeof(p.producer.province));
	memset(&r, 0, sizeof(r));
	r.stars = 4;
	ocop_strlcpy(r.decision_no, "1446/QĐ-UBND", sizeof(r.decision_no));
	ocop_day_parse("2025-06-01", &r.decided_on, NULL);
	ocop_strlcpy(r.issuer, "UBND tỉnh Đồng Tháp", sizeof(r.issuer));
	r.valid_from = r.decided_on;
	r.valid_until = OCOP_NO_DAY;
	r.extended_until = OCOP_NO_DAY;
	if (st->m->product_put(st, &p, &changed, &err) < 0 ||
	    st->m->recognition_add(st, p.id, &r, &changed, &err) < 0)
		fuzz_die("product", &err);
	memset(&b, 0, sizeof(b));
	b.product_id = p.id;
	b.stars = 4;
	b.count = 1;
	ocop_strlcpy(b.lot, FUZZ_LOT, sizeof(b.lot));
	b.made_on = OCOP_NO_DAY;
	b.best_before = OCOP_NO_DAY;
	b.issued_at = ocop_day_start(r.decided_on + 30);
	b.voided_at = OCOP_NO_TIME;
	memset(&l, 0, sizeof(l));
	ocop_strlcpy(l.serial, FUZZ_SERIAL, sizeof(l.serial));
	l.product_id = p.id;
	l.stars = 4;
	l.voided_at = OCOP_NO_TIME;
	if (st->m->begin(st, &err) < 0 || st->m->batch_add(st, &b, &err) < 0)
		fuzz_die("batch", &err);
	l.batch_id = b.id;
	if (st->m->label_add(st, &l, &err) < 0 || st->m->commit(st, &err) < 0)
		fuzz_die("label", &err);
	return st;
}

#endif
