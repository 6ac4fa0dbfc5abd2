/*
 * record.h - the verification record of SPEC 5: what a scan of a code
 * answers, built from the store and the validity engine, and its JSON.
 */
#ifndef OCOP_RECORD_H
#define OCOP_RECORD_H

#include <jansson.h>

#include "ocop.h"
#include "store/store.h"

struct ocop_record {
	/* the normalised serial as given; for a Digital Link /21/ value
	 * that is not of the serial shape, that value (up to 20) */
	char serial[24];
	enum ocop_verdict verdict;
	enum ocop_reason reason;
	int64_t checked_at;
	int32_t since; /* first day of the verdict's period (OCOP_NO_DAY) */
	int known;     /* label found (and, for DL codes, GTIN/lot match) */
	struct ocop_label label;
	struct ocop_batch batch;
	struct ocop_product product;
	int has_recognition;
	struct ocop_recognition recognition;
	int64_t scan_count; /* stored scans of the label (see record_lookup) */
	int64_t first_scan_at;
	/* the label was scanned from at least the clones report's minimum
	 * number of distinct places within its window (SPEC 5.0): the
	 * window_days days that end on the day of checked_at, as far as
	 * the stored scans tell (places) */
	int suspect_copy;
	struct places places;
};

/*
 * Build the record for code at instant at. A mistyped or unknown serial,
 * or a DL code whose GTIN/lot are not the label's, gives verdict unknown
 * (return 0). OCOP_EINVAL when at is before the label's issue (SPEC 2).
 * scan_count/first_scan_at are the stored scans; a caller that records
 * this scan adds it (count + 1, first = at when none).
 */
int record_lookup(struct ocop_store *st, const struct ocop_code *code,
		  int64_t at, struct ocop_record *rec, struct ocop_error *err);

/* Count one more scan of the label, from place name (places.h; NULL:
 * none) at rec->checked_at, in rec->places and rec->suspect_copy: the scan
 * being answered, which record_lookup read the label before. */
void record_add_place(struct ocop_record *rec, const char *name);

/* The record as SPEC 5's JSON object (new reference). For unknown, only
 * serial, verdict, checked_at and reason. */
json_t *record_to_json(const struct ocop_record *rec);

/* Append the compact JSON text of record_to_json(rec) to b (the same keys
 * in the same order with the same values, no newline), written directly
 * rather than through a tree. 0, or OCOP_EINTERNAL when jansson cannot
 * build it either. */
int record_json_write(const struct ocop_record *rec, struct ocop_buf *b);

/*
 * Products and their resolved histories kept between lookups, for a
 * server thread: an entry is used only while the store's registry version
 * (store.h label_lookup) is the one it was read under, so a registry
 * change by any process is seen on the next lookup. Bounded (a few hundred
 * products); one per thread, not thread-safe.
 */
struct record_cache;
struct record_cache *record_cache_new(void);
void record_cache_free(struct record_cache *cache); /* NULL is a no-op */

/* record_lookup, reading the product and its history through cache
 * (NULL: no cache). */
int record_lookup_cached(struct ocop_store *st, struct record_cache *cache,
			 const struct ocop_code *code, int64_t at,
			 struct ocop_record *rec, struct ocop_error *err);

/* One verification of record_lookup_many: code at instant at into *rec,
 * with rc and err as record_lookup_cached gives them. */
struct record_query {
	const struct ocop_code *code;
	int64_t at;
	struct ocop_record *rec;
	int rc;
	struct ocop_error err;
};

/* record_lookup_cached for n queries (n <= STORE_LOOKUPS_MAX), their
 * labels read together (store.h label_lookup_many: on a networked engine
 * one round trip for all). 0, or the read's failure, which every query
 * that needed it has too. */
int record_lookup_many(struct ocop_store *st, struct record_cache *cache,
		       struct record_query *q, size_t n);

/* One line of plain-language reason, e.g. "Sản phẩm đã hết hạn công nhận
 * OCOP từ ngày 01/03/2026"; lang "vi" or "en". Writes into buf. */
const char *record_reason_text(const struct ocop_record *rec, const char *lang,
			       char *buf, size_t size);

#endif
