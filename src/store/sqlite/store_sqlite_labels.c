/*
 * store_sqlite_labels.c - the labels methods of the SQLite engine:
 * batches, labels, voiding.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"

enum {
	SQ_BATCH_ADD = SQ_LABELS_FIRST,
	SQ_LABEL_ADD,
	SQ_LABEL_GET,
	SQ_BATCH_GET,
	SQ_LABEL_VOID,
	SQ_LABEL_EXISTS,
	SQ_BATCH_VOID,
	SQ_BATCH_EXISTS,
	SQ_LABEL_EACH,
	SQ_LABEL_COUNT,
	SQ_LABEL_LOOKUP,
};

int
sq_batch_add(struct ocop_store *base, struct ocop_batch *b,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_BATCH_ADD,
		     "INSERT INTO batches (product_id, stars, lot, count, "
		     "made_on, best_before, issued_at) "
		     "VALUES (?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, b->product_id);
	sqlite3_bind_int(st, 2, b->stars);
	sq_bind_text_or_null(st, 3, b->lot);
	sqlite3_bind_int(st, 4, b->count);
	sq_bind_day(st, 5, b->made_on);
	sq_bind_day(st, 6, b->best_before);
	sq_bind_time(st, 7, b->issued_at);
	if ((rc = sq_step_done(s, st, "cannot add batch", err)) < 0)
		return rc;
	b->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
sq_label_add(struct ocop_store *base, struct ocop_label *l,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_LABEL_ADD,
		     "INSERT INTO labels (serial, batch_id, product_id, stars) "
		     "VALUES (?, ?, ?, ?)");
	sq_bind_text(st, 1, l->serial);
	sqlite3_bind_int64(st, 2, l->batch_id);
	sqlite3_bind_int64(st, 3, l->product_id);
	sqlite3_bind_int(st, 4, l->stars);
	/* SQLITE_CONSTRAINT (a serial taken) maps to OCOP_EEXIST */
	if ((rc = sq_step_done(s, st, "cannot add label", err)) < 0)
		return rc;
	l->id = sqlite3_last_insert_rowid(s->db);
	l->voided_at = OCOP_NO_TIME;
	l->void_reason[0] = '\0';
	return 0;
}

static void
label_from_row(sqlite3_stmt *st, struct ocop_label *l)
{
	l->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, l->serial, sizeof(l->serial));
	l->batch_id = sqlite3_column_int64(st, 2);
	l->product_id = sqlite3_column_int64(st, 3);
	l->stars = sqlite3_column_int(st, 4);
	l->voided_at = sq_col_time(st, 5);
	sq_col_text(st, 6, l->void_reason, sizeof(l->void_reason));
}

#define LABEL_COLS                                                             \
	"id, serial, batch_id, product_id, stars, voided_at, void_reason"

int
sq_label_get(struct ocop_store *base, const char *serial,
	     struct ocop_label *out, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_LABEL_GET,
		     "SELECT " LABEL_COLS " FROM labels WHERE serial = ?");
	sq_bind_text(st, 1, serial);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		label_from_row(st, out);
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot read label");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return ocop_error_set(err, OCOP_ENOENT, "label '%s' not found", serial);
}

/* Statements cost no round trip here: the labels one by one, over the
 * same cached statement, in the caller's read. */
int
sq_label_lookup_many(struct ocop_store *base, const char *const *serials,
		     size_t n, struct store_label_read *out,
		     struct ocop_error *err)
{
	assert(n <= STORE_LOOKUPS_MAX);
	for (size_t i = 0; i < n; i++) {
		struct store_label_read *r = &out[i];
		struct ocop_error e = {0};
		int rc;

		memset(r, 0, sizeof(*r));
		rc = sq_label_lookup(base, serials[i], &r->label, &r->batch,
				     &r->scan_count, &r->first_scan_at,
				     &r->places, &r->registry_version, &e);
		if (rc == OCOP_ENOENT)
			continue;
		if (rc < 0) {
			if (err)
				*err = e;
			return rc;
		}
		r->found = 1;
	}
	return 0;
}

#define BATCH_COLS                                                             \
	"id, product_id, stars, lot, count, made_on, best_before, "            \
	"issued_at, voided_at, void_reason"

/* The BATCH_COLS of a row, from column i on. */
static void
batch_from_row(sqlite3_stmt *st, int i, struct ocop_batch *out)
{
	out->id = sqlite3_column_int64(st, i);
	out->product_id = sqlite3_column_int64(st, i + 1);
	out->stars = sqlite3_column_int(st, i + 2);
	sq_col_text(st, i + 3, out->lot, sizeof(out->lot));
	out->count = sqlite3_column_int(st, i + 4);
	out->made_on = sq_col_day(st, i + 5);
	out->best_before = sq_col_day(st, i + 6);
	out->issued_at = sq_col_time(st, i + 7);
	out->voided_at = sq_col_time(st, i + 8);
	sq_col_text(st, i + 9, out->void_reason, sizeof(out->void_reason));
}

int
sq_batch_get(struct ocop_store *base, int64_t id, struct ocop_batch *out,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_BATCH_GET,
		     "SELECT " BATCH_COLS " FROM batches WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		batch_from_row(st, 0, out);
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot read batch");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return ocop_error_set(err, OCOP_ENOENT, "batch %lld not found",
			      (long long)id);
}

/* Run an UPDATE ... WHERE key AND voided_at IS NULL, then tell "not found"
 * from "already voided" (not an error: the first time is kept). */
static int
void_rows(struct sq_store *s, sqlite3_stmt *upd, sqlite3_stmt *exists,
	  const char *what, struct ocop_error *err)
{
	int rc;

	if (sqlite3_step(upd) != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot void");
		sqlite3_reset(upd);
		ocop_error_prefix(err, "%s", what);
		return rc;
	}
	sqlite3_reset(upd);
	if (sqlite3_changes(s->db) > 0)
		return 0;
	rc = sqlite3_step(exists);
	sqlite3_reset(exists);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot void");
	return ocop_error_set(err, OCOP_ENOENT, "%s not found", what);
}

int
sq_label_void(struct ocop_store *base, const char *serial, int64_t at,
	      const char *reason, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *upd, *ex;
	char what[64];

	STMT_OR_FAIL(upd, SQ_LABEL_VOID,
		     "UPDATE labels SET voided_at = ?, void_reason = ? "
		     "WHERE serial = ? AND voided_at IS NULL");
	STMT_OR_FAIL(ex, SQ_LABEL_EXISTS,
		     "SELECT 1 FROM labels WHERE serial = ?");
	sq_bind_time(upd, 1, at);
	sq_bind_text_or_null(upd, 2, reason);
	sq_bind_text(upd, 3, serial);
	sq_bind_text(ex, 1, serial);
	snprintf(what, sizeof(what), "label '%s'", serial);
	return void_rows(s, upd, ex, what, err);
}

int
sq_batch_void(struct ocop_store *base, int64_t batch_id, int64_t at,
	      const char *reason, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *upd, *ex;
	char what[64];

	STMT_OR_FAIL(upd, SQ_BATCH_VOID,
		     "UPDATE batches SET voided_at = ?, void_reason = ? "
		     "WHERE id = ? AND voided_at IS NULL");
	STMT_OR_FAIL(ex, SQ_BATCH_EXISTS, "SELECT 1 FROM batches WHERE id = ?");
	sq_bind_time(upd, 1, at);
	sq_bind_text_or_null(upd, 2, reason);
	sqlite3_bind_int64(upd, 3, batch_id);
	sqlite3_bind_int64(ex, 1, batch_id);
	snprintf(what, sizeof(what), "batch %lld", (long long)batch_id);
	return void_rows(s, upd, ex, what, err);
}

int
sq_label_each_in_batch(struct ocop_store *base, int64_t batch_id,
		       store_label_cb cb, void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct ocop_label l;
	sqlite3_stmt *st;
	int rc;

	/* not cached: a callback may call back into the store */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " LABEL_COLS " FROM labels "
			       "WHERE batch_id = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot list labels");
	sqlite3_bind_int64(st, 1, batch_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		label_from_row(st, &l);
		if ((rc = cb(ctx, &l)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = sq_error(s, err, "cannot list labels");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The batches that sql (one parameter, the product id) selects. */
static int
batch_list(struct ocop_store *base, int64_t product_id, const char *sql,
	   store_batch_cb cb, void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct ocop_batch b;
	sqlite3_stmt *st;
	int rc;

	/* not cached: a callback may call back into the store */
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot list batches");
	sqlite3_bind_int64(st, 1, product_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&b, 0, sizeof(b));
		batch_from_row(st, 0, &b);
		if ((rc = cb(ctx, &b)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = sq_error(s, err, "cannot list batches");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
sq_batch_each_of_product(struct ocop_store *base, int64_t product_id,
			 store_batch_cb cb, void *ctx, struct ocop_error *err)
{
	return batch_list(base, product_id,
			  "SELECT " BATCH_COLS " FROM batches "
			  "WHERE product_id = ?1 ORDER BY id",
			  cb, ctx, err);
}

int
sq_batch_each(struct ocop_store *base, int64_t product_id, store_batch_cb cb,
	      void *ctx, struct ocop_error *err)
{
	return batch_list(base, product_id,
			  "SELECT " BATCH_COLS " FROM batches "
			  "WHERE ?1 = 0 OR product_id = ?1 "
			  "ORDER BY product_id, issued_at DESC, id DESC",
			  cb, ctx, err);
}

int
sq_label_count_for_product(struct ocop_store *base, int64_t product_id,
			   int64_t *n, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_LABEL_COUNT,
		     "SELECT count(*) FROM labels WHERE product_id = ?");
	sqlite3_bind_int64(st, 1, product_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		int rc = sq_error(s, err, "cannot count labels");

		sqlite3_reset(st);
		return rc;
	}
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* One statement for a verification (see store.h): the label and its batch
 * by the serial's index, the scan stats by the label's id, and the
 * one-row registry version. */
int
sq_label_lookup(struct ocop_store *base, const char *serial,
		struct ocop_label *label, struct ocop_batch *batch,
		int64_t *scan_count, int64_t *first_scan_at,
		struct places *places, int64_t *registry_version,
		struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_LABEL_LOOKUP,
		     "SELECT l.id, l.serial, l.batch_id, l.product_id, "
		     "l.stars, l.voided_at, l.void_reason, "
		     "b.id, b.product_id, b.stars, b.lot, b.count, b.made_on, "
		     "b.best_before, b.issued_at, b.voided_at, b.void_reason, "
		     "coalesce(x.count, 0) + coalesce(r.count, 0), "
		     "CASE WHEN x.first_at IS NULL THEN r.first_at "
		     "WHEN r.first_at IS NULL THEN x.first_at "
		     "ELSE min(x.first_at, r.first_at) END, "
		     "(SELECT version FROM registry_version WHERE id = 1), "
		     "x.places, r.places "
		     "FROM labels l JOIN batches b ON b.id = l.batch_id "
		     "LEFT JOIN label_scan_stats x ON x.label_id = l.id "
		     "LEFT JOIN label_scan_recent r ON r.label_id = l.id "
		     "WHERE l.serial = ?");
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		label_from_row(st, label);
		batch_from_row(st, 7, batch);
		if (scan_count)
			*scan_count = sqlite3_column_int64(st, 17);
		if (first_scan_at)
			*first_scan_at = sq_col_time(st, 18);
		if (registry_version)
			*registry_version = sqlite3_column_int64(st, 19);
		/* the places of the folded and the recent scans (places.h) */
		if (places) {
			places_decode(places, sqlite3_column_blob(st, 20),
				      (size_t)sqlite3_column_bytes(st, 20));
			places_decode(places, sqlite3_column_blob(st, 21),
				      (size_t)sqlite3_column_bytes(st, 21));
		}
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot read label");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return ocop_error_set(err, OCOP_ENOENT, "label '%s' not found", serial);
}
