/*
 * store_sqlite_scans.c - the scans methods of the SQLite engine.
 *
 * scan_add runs on the server's writer thread inside a group commit, so it
 * is two cached statements: the INSERT, where a re-sent client_id hits
 * the unique index, which ON CONFLICT turns into "no row changed" (only
 * then is the stored scan read back), and the count of the label's
 * recent scans. Each changes one table, so neither needs SQLite's
 * statement journal (migration 5).
 */
#include <string.h>

#include "places.h"
#include "store_sqlite.h"

enum {
	SQ_SCAN_INSERT = SQ_SCANS_FIRST,
	SQ_SCAN_BY_CLIENT,
	SQ_SCAN_STATS,
	SQ_SCAN_RECENT_ADD,
	SQ_SCAN_FOLD_ADD,
	SQ_SCAN_FOLD_CLEAR,
	SQ_SCAN_EACH_OF_PRODUCT,
	SQ_SCAN_COUNT_OF_PRODUCT,
	SQ_SCAN_EACH_PLACED,
	SQ_SCAN_EACH_UNKNOWN,
	SQ_LABEL_BY_ID,
	SQ_LABEL_MAX_STARS,
	SQ_LABEL_MAX_ID,
	SQ_LABEL_EACH_OF_PRODUCT,
	SQ_SCAN_EACH_STORED,
};

#define SCAN_COLS                                                              \
	"id, client_id, code, label_id, product_id, scanned_at, received_at, " \
	"verdict, reason, source, place, province, lat, lon, net, ua"

/* Verdicts and reasons are stored by their names (ocop_verdict_name,
 * ocop_reason_name), so the log stays readable with the sqlite3 shell and
 * survives renumbering of the enums. */
static enum ocop_verdict
col_verdict(sqlite3_stmt *st, int i)
{
	enum ocop_verdict v = OCOP_UNKNOWN;
	const unsigned char *t = sqlite3_column_text(st, i);

	if (!t || ocop_verdict_parse((const char *)t, &v) < 0)
		return OCOP_UNKNOWN;
	return v;
}

static enum ocop_reason
col_reason(sqlite3_stmt *st, int i)
{
	enum ocop_reason r = OCOP_REASON_NOT_FOUND;
	const unsigned char *t = sqlite3_column_text(st, i);

	if (!t || ocop_reason_parse((const char *)t, &r) < 0)
		return OCOP_REASON_NOT_FOUND;
	return r;
}

static void
scan_from_row(sqlite3_stmt *st, struct ocop_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, s->client_id, sizeof(s->client_id));
	sq_col_text(st, 2, s->code, sizeof(s->code));
	s->label_id = sqlite3_column_int64(st, 3);
	s->product_id = sqlite3_column_int64(st, 4);
	s->scanned_at = sqlite3_column_int64(st, 5);
	s->received_at = sqlite3_column_int64(st, 6);
	s->verdict = col_verdict(st, 7);
	s->reason = col_reason(st, 8);
	s->source = sqlite3_column_int(st, 9) == OCOP_SCAN_INSPECTOR
			? OCOP_SCAN_INSPECTOR
			: OCOP_SCAN_CONSUMER;
	sq_col_text(st, 10, s->place, sizeof(s->place));
	sq_col_text(st, 11, s->province, sizeof(s->province));
	if (sqlite3_column_type(st, 12) != SQLITE_NULL &&
	    sqlite3_column_type(st, 13) != SQLITE_NULL) {
		s->has_geo = 1;
		s->lat = sqlite3_column_double(st, 12);
		s->lon = sqlite3_column_double(st, 13);
	}
	sq_col_text(st, 14, s->net, sizeof(s->net));
	sq_col_text(st, 15, s->ua, sizeof(s->ua));
}

static void
bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static int
scan_get_by_client(struct sq_store *s, const char *client_id,
		   struct ocop_scan *out, struct ocop_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st =
	    sq_stmt(s, SQ_SCAN_BY_CLIENT,
		    "SELECT " SCAN_COLS " FROM scans WHERE client_id = ?", err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text(st, 1, client_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		scan_from_row(st, out);
		sqlite3_reset(st);
		return 0;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_ENOENT, "scan '%s' not found",
				      client_id);
	}
	rc = sq_error(s, err, "cannot read scan");
	sqlite3_reset(st);
	return rc;
}

static int
scan_insert(struct sq_store *s, struct ocop_scan *sc, int *duplicate,
	    struct ocop_error *err)
{
	const char *vname = ocop_verdict_name(sc->verdict);
	const char *rname = ocop_reason_name(sc->reason);
	sqlite3_stmt *st;
	uint64_t key;
	int rc;

	if (duplicate)
		*duplicate = 0;
	st = sq_stmt(s, SQ_SCAN_INSERT,
		     "INSERT INTO scans (client_id, code, label_id, product_id,"
		     " scanned_at, received_at, verdict, reason, source, place,"
		     " province, lat, lon, net, ua)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		     " ON CONFLICT (client_id) WHERE client_id IS NOT NULL"
		     " DO NOTHING",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	/* consumer scans have no client id: NULL, which UNIQUE ignores */
	sq_bind_text_or_null(st, 1, sc->client_id);
	sq_bind_text(st, 2, sc->code);
	bind_id_or_null(st, 3, sc->label_id);
	bind_id_or_null(st, 4, sc->product_id);
	sqlite3_bind_int64(st, 5, sc->scanned_at);
	sqlite3_bind_int64(st, 6, sc->received_at);
	sq_bind_text(st, 7, vname);
	sq_bind_text(st, 8, rname);
	sqlite3_bind_int(st, 9, (int)sc->source);
	sq_bind_text_or_null(st, 10, sc->place);
	sq_bind_text_or_null(st, 11, sc->province);
	if (sc->has_geo) {
		sqlite3_bind_double(st, 12, sc->lat);
		sqlite3_bind_double(st, 13, sc->lon);
	} else {
		sqlite3_bind_null(st, 12);
		sqlite3_bind_null(st, 13);
	}
	sq_bind_text_or_null(st, 14, sc->net);
	sq_bind_text_or_null(st, 15, sc->ua);
	if ((rc = sq_step_done(s, st, "cannot store scan", err)) < 0)
		return rc;
	if (sqlite3_changes(s->db) == 0) {
		/* only a client id can conflict */
		char client_id[sizeof(sc->client_id)];

		ocop_strlcpy(client_id, sc->client_id, sizeof(client_id));
		if (duplicate)
			*duplicate = 1;
		return scan_get_by_client(s, client_id, sc, err);
	}
	sc->id = sqlite3_last_insert_rowid(s->db);
	if (sc->label_id <= 0)
		return 0;
	/* counted in the same transaction: label_scan_recent until the
	 * next fold (sq_scan_fold) */
	st = sq_stmt(s, SQ_SCAN_RECENT_ADD,
		     "INSERT INTO label_scan_recent (label_id, count, first_at,"
		     " places) VALUES (?1, 1, ?2, ?5)"
		     " ON CONFLICT (label_id) DO UPDATE SET"
		     " count = count + 1,"
		     " first_at = min(first_at, excluded.first_at),"
		     " places = ocop_places_add(places, ?3, ?4)",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, sc->label_id);
	sqlite3_bind_int64(st, 2, sc->scanned_at);
	/* and where it was scanned (places.h); no place: NULL, no change.
	 * The first scan of a label since the fold (the usual case) binds
	 * its one place rather than calling the function. */
	key = places_key(places_name(sc));
	if (key) {
		struct places one = {0};
		unsigned char blob[PLACES_BLOB_MAX];
		int32_t day = ocop_day_of(sc->scanned_at);
		size_t len;

		places_add(&one, key, day);
		len = places_encode(&one, blob);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)key);
		sqlite3_bind_int64(st, 4, day);
		sqlite3_bind_blob(st, 5, blob, (int)len, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(st, 3);
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	s->unfolded = 1;
	return sq_step_done(s, st, "cannot count scan", err);
}

/* The scan and its count together: in the caller's transaction (the scan
 * log's group: begin only counts), else in one of its own. */
int
sq_scan_add(struct ocop_store *base, struct ocop_scan *sc, int *duplicate,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	int rc;

	if ((rc = base->m->begin(base, err)) < 0)
		return rc;
	if ((rc = scan_insert(s, sc, duplicate, err)) < 0) {
		base->m->rollback(base);
		return rc;
	}
	return base->m->commit(base, err);
}

int
sq_scan_stats(struct ocop_store *base, int64_t label_id, int64_t *count,
	      int64_t *first_at, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	/* kept in two parts by scan_add and sq_scan_fold (migrations 4,
	 * 5) */
	st = sq_stmt(s, SQ_SCAN_STATS,
		     "SELECT coalesce(sum(count), 0), min(first_at) FROM"
		     " (SELECT count, first_at FROM label_scan_stats"
		     " WHERE label_id = ?1 UNION ALL"
		     " SELECT count, first_at FROM label_scan_recent"
		     " WHERE label_id = ?1)",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, label_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot count scans");
		sqlite3_reset(st);
		return rc;
	}
	if (count)
		*count = sqlite3_column_int64(st, 0);
	if (first_at)
		*first_at = sq_col_time(st, 1);
	sqlite3_reset(st);
	return 0;
}

int
sq_scan_fold(struct sq_store *s, struct ocop_error *err)
{
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_SCAN_FOLD_ADD,
		     "INSERT INTO label_scan_stats (label_id, count, first_at,"
		     " places) SELECT label_id, count, first_at, places"
		     " FROM label_scan_recent"
		     " WHERE true ON CONFLICT (label_id) DO UPDATE SET"
		     " count = count + excluded.count,"
		     " first_at = min(first_at, excluded.first_at),"
		     " places = ocop_places_merge(places, excluded.places)",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	if ((rc = sq_step_done(s, st, "cannot fold scan counts", err)) < 0)
		return rc;
	st = sq_stmt(s, SQ_SCAN_FOLD_CLEAR, "DELETE FROM label_scan_recent",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	return sq_step_done(s, st, "cannot fold scan counts", err);
}

static int64_t
bound_from(int64_t t)
{
	return t == OCOP_NO_TIME ? INT64_MIN : t;
}

static int64_t
bound_to(int64_t t)
{
	return t == OCOP_NO_TIME ? INT64_MAX : t;
}

/* Step st to the end, handing each row to fill then cb. The scan is
 * reused: fill sets what changes from row to row. */
static int
scan_stream(struct sq_store *s, sqlite3_stmt *st,
	    void (*fill)(sqlite3_stmt *, struct ocop_scan *),
	    int64_t product_id, store_scan_cb cb, void *ctx,
	    struct ocop_error *err)
{
	struct ocop_scan sc;
	int rc;

	memset(&sc, 0, sizeof(sc));
	sc.product_id = product_id;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fill(st, &sc);
		if ((rc = cb(ctx, &sc)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot read scans");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

int
sq_scan_each_stored(struct ocop_store *base, const char *code,
		    const char *id_prefix, store_scan_cb cb, void *ctx,
		    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_SCAN_EACH_STORED,
		     "SELECT " SCAN_COLS " FROM scans"
		     " WHERE (?1 IS NULL OR code = ?1)"
		     " AND (?2 IS NULL OR substr(client_id, 1, length(?2)) = ?2)"
		     " ORDER BY id",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text_or_null(st, 1, code);
	sq_bind_text_or_null(st, 2, id_prefix);
	return scan_stream(s, st, scan_from_row, 0, cb, ctx, err);
}

/*
 * The methods for reports. A product's scans are answered from the
 * covering index scans_product (migrations 2, 4), so a report reads
 * millions of scans without a lookup into the scans table per row; the
 * scans by place are read from the table itself (sq_scan_each_placed).
 */

/* id, label_id, scanned_at, place; product_id left as set by the caller */
static void
fill_brief(sqlite3_stmt *st, struct ocop_scan *sc)
{
	sc->id = sqlite3_column_int64(st, 0);
	sc->label_id = sqlite3_column_int64(st, 1);
	sc->scanned_at = sqlite3_column_int64(st, 2);
	sq_col_text(st, 3, sc->place, sizeof(sc->place));
}

int
sq_scan_each_of_product(struct ocop_store *base, int64_t product_id,
			int64_t from, int64_t to, store_scan_cb cb, void *ctx,
			struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_SCAN_EACH_OF_PRODUCT,
		     "SELECT id, label_id, scanned_at, place FROM scans"
		     ""
		     " WHERE product_id = ? AND scanned_at >= ?"
		     " AND scanned_at < ? ORDER BY scanned_at",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, product_id);
	sqlite3_bind_int64(st, 2, bound_from(from));
	sqlite3_bind_int64(st, 3, bound_to(to));
	return scan_stream(s, st, fill_brief, product_id, cb, ctx, err);
}

int
sq_scan_count_of_product(struct ocop_store *base, int64_t product_id,
			 int64_t from, int64_t to, int64_t *count,
			 int64_t *last_at, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_SCAN_COUNT_OF_PRODUCT,
		     "SELECT count(*), max(scanned_at) FROM scans"
		     " WHERE product_id = ? AND scanned_at >= ?"
		     " AND scanned_at < ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, product_id);
	sqlite3_bind_int64(st, 2, bound_from(from));
	sqlite3_bind_int64(st, 3, bound_to(to));
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot count scans");
		sqlite3_reset(st);
		return rc;
	}
	if (count)
		*count = sqlite3_column_int64(st, 0);
	if (last_at)
		*last_at = sq_col_time(st, 1);
	sqlite3_reset(st);
	return 0;
}

/* label_id, scanned_at, source, place, net */
static void
fill_placed(sqlite3_stmt *st, struct ocop_scan *sc)
{
	sc->label_id = sqlite3_column_int64(st, 0);
	sc->scanned_at = sqlite3_column_int64(st, 1);
	sc->source = sqlite3_column_int(st, 2) == OCOP_SCAN_INSPECTOR
			 ? OCOP_SCAN_INSPECTOR
			 : OCOP_SCAN_CONSUMER;
	sq_col_text(st, 3, sc->place, sizeof(sc->place));
	sq_col_text(st, 4, sc->net, sizeof(sc->net));
}

/* Every labelled scan is a candidate (a consumer's has its network), so
 * this reads the table in its own order: no index by label holds the
 * consumers' scans (migration 4), and sorting them all would cost more
 * than the caller's two passes. */
int
sq_scan_each_placed(struct ocop_store *base, int64_t from, int64_t to,
		    store_scan_cb cb, void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_SCAN_EACH_PLACED,
		     "SELECT label_id, scanned_at, source, place, net"
		     " FROM scans"
		     " WHERE label_id IS NOT NULL"
		     " AND scanned_at >= ? AND scanned_at < ?"
		     " AND (place IS NOT NULL"
		     " OR (source = ? AND net IS NOT NULL))",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, bound_from(from));
	sqlite3_bind_int64(st, 2, bound_to(to));
	sqlite3_bind_int(st, 3, (int)OCOP_SCAN_CONSUMER);
	return scan_stream(s, st, fill_placed, 0, cb, ctx, err);
}

static void
fill_unknown(sqlite3_stmt *st, struct ocop_scan *sc)
{
	sc->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, sc->code, sizeof(sc->code));
	sc->scanned_at = sqlite3_column_int64(st, 2);
	sc->verdict = col_verdict(st, 3);
	sc->reason = col_reason(st, 4);
	sc->source = sqlite3_column_int(st, 5) == OCOP_SCAN_INSPECTOR
			 ? OCOP_SCAN_INSPECTOR
			 : OCOP_SCAN_CONSUMER;
	sq_col_text(st, 6, sc->place, sizeof(sc->place));
	sq_col_text(st, 7, sc->province, sizeof(sc->province));
}

int
sq_scan_each_unknown(struct ocop_store *base, int64_t from, int64_t to,
		     store_scan_cb cb, void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_SCAN_EACH_UNKNOWN,
		     "SELECT id, code, scanned_at, verdict, reason, source,"
		     " place, province FROM scans"
		     " WHERE label_id IS NULL AND scanned_at >= ?"
		     " AND scanned_at < ?"
		     " ORDER BY coalesce(place, ''), code, scanned_at, id",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, bound_from(from));
	sqlite3_bind_int64(st, 2, bound_to(to));
	return scan_stream(s, st, fill_unknown, 0, cb, ctx, err);
}

int
sq_label_get_by_id(struct ocop_store *base, int64_t id, struct ocop_label *out,
		   int64_t *batch_voided_at, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_LABEL_BY_ID,
		     "SELECT l.id, l.serial, l.batch_id, l.product_id, l.stars,"
		     " l.voided_at, l.void_reason, b.voided_at"
		     " FROM labels l JOIN batches b ON b.id = l.batch_id"
		     " WHERE l.id = ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_ENOENT, "label %lld not found",
				      (long long)id);
	}
	if (rc != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot read label");
		sqlite3_reset(st);
		return rc;
	}
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, out->serial, sizeof(out->serial));
	out->batch_id = sqlite3_column_int64(st, 2);
	out->product_id = sqlite3_column_int64(st, 3);
	out->stars = sqlite3_column_int(st, 4);
	out->voided_at = sq_col_time(st, 5);
	sq_col_text(st, 6, out->void_reason, sizeof(out->void_reason));
	if (batch_voided_at)
		*batch_voided_at = sq_col_time(st, 7);
	sqlite3_reset(st);
	return 0;
}

int
sq_label_max_stars(struct ocop_store *base, int64_t product_id, int *stars,
		   struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_LABEL_MAX_STARS,
		     "SELECT max(stars) FROM labels WHERE product_id = ?", err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, product_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot read labels");
		sqlite3_reset(st);
		return rc;
	}
	*stars = sqlite3_column_int(st, 0); /* NULL reads as 0 */
	sqlite3_reset(st);
	return 0;
}

int
sq_label_max_id(struct ocop_store *base, int64_t *id, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_LABEL_MAX_ID, "SELECT max(id) FROM labels", err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot read labels");
		sqlite3_reset(st);
		return rc;
	}
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int
sq_label_each_of_product(struct ocop_store *base, int64_t product_id,
			 store_label_batch_cb cb, void *ctx,
			 struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct ocop_label l;
	sqlite3_stmt *st;
	int rc;

	/* a product's labels are mostly consecutive rows, and a batch's
	 * labels share one batch row: the lookups stay on cached pages */
	st = sq_stmt(s, SQ_LABEL_EACH_OF_PRODUCT,
		     "SELECT l.id, l.batch_id, l.stars, l.voided_at,"
		     " b.voided_at FROM labels l"
		     " JOIN batches b ON b.id = l.batch_id"
		     " WHERE l.product_id = ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_int64(st, 1, product_id);
	memset(&l, 0, sizeof(l));
	l.product_id = product_id;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.id = sqlite3_column_int64(st, 0);
		l.batch_id = sqlite3_column_int64(st, 1);
		l.stars = sqlite3_column_int(st, 2);
		l.voided_at = sq_col_time(st, 3);
		if ((rc = cb(ctx, &l, sq_col_time(st, 4))) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = sq_error(s, err, "cannot read labels");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}
