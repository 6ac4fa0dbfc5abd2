/*
 * store_pg_labels.c - the labels methods of the PostgreSQL
 * engine: batches, labels, voiding, the verification's one read.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "places.h"
#include "store_pg.h"

enum {
	PG_BATCH_ADD = PG_LABELS_FIRST,
	PG_LABEL_ADD,
	PG_LABEL_GET,
	PG_BATCH_GET,
	PG_LABEL_VOID,
	PG_BATCH_VOID,
	PG_LABEL_EACH,
	PG_LABEL_COUNT,
	PG_LABEL_LOOKUP,
	PG_LABEL_LOOKUP_MANY,
	PG_LABEL_BY_ID,
	PG_LABEL_MAX_STARS,
	PG_LABEL_MAX_ID,
	PG_LABEL_EACH_OF_PRODUCT,
	PG_BATCH_EACH_OF_PRODUCT,
	PG_BATCH_EACH,
	PG_LABELS_END
};

/* label_lookup reads this many places of a label */
_Static_assert(PLACES_KEPT == 3, "label_lookup reads PLACES_KEPT places");
_Static_assert((int)PG_LABELS_END <= (int)PG_SCANS_FIRST,
	       "labels statements overflow their slots");

int
pg_batch_add(struct ocop_store *base, struct ocop_batch *b,
	     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, b->product_id);
	pp_int(&q, b->stars);
	pp_text_or_null(&q, b->lot);
	pp_int(&q, b->count);
	pp_day(&q, b->made_on);
	pp_day(&q, b->best_before);
	pp_time(&q, b->issued_at);
	PG_OR_FAIL(res, PG_BATCH_ADD,
		   "INSERT INTO batches (product_id, stars, lot, count, "
		   "made_on, best_before, issued_at) "
		   "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		   &q, "cannot add batch");
	b->id = pg_col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_label_add(struct ocop_store *base, struct ocop_label *l,
	     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, l->serial);
	pp_int(&q, l->batch_id);
	pp_int(&q, l->product_id);
	pp_int(&q, l->stars);
	/* a serial taken is OCOP_EEXIST, and the caller's transaction
	 * goes on (a failed statement would abort it) */
	PG_OR_FAIL(res, PG_LABEL_ADD,
		   "INSERT INTO labels (serial, batch_id, product_id, stars) "
		   "VALUES ($1, $2, $3, $4) ON CONFLICT (serial) DO NOTHING "
		   "RETURNING id",
		   &q, "cannot add label");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_EEXIST,
				      "cannot add label: serial '%s' is taken",
				      l->serial);
	}
	l->id = pg_col_int(res, 0, 0);
	PQclear(res);
	l->voided_at = OCOP_NO_TIME;
	l->void_reason[0] = '\0';
	return 0;
}

#define LABEL_COLS                                                             \
	"l.id, l.serial, l.batch_id, l.product_id, l.stars, l.voided_at, "     \
	"l.void_reason"
#define BATCH_COLS                                                             \
	"b.id, b.product_id, b.stars, b.lot, b.count, b.made_on, "             \
	"b.best_before, b.issued_at, b.voided_at, b.void_reason"

static void
label_from_row(const PGresult *res, int r, struct ocop_label *l)
{
	l->id = pg_col_int(res, r, 0);
	pg_col_text(res, r, 1, l->serial, sizeof(l->serial));
	l->batch_id = pg_col_int(res, r, 2);
	l->product_id = pg_col_int(res, r, 3);
	l->stars = (int)pg_col_int(res, r, 4);
	l->voided_at = pg_col_time(res, r, 5);
	pg_col_text(res, r, 6, l->void_reason, sizeof(l->void_reason));
}

static void
batch_from_row(const PGresult *res, int r, int i, struct ocop_batch *out)
{
	out->id = pg_col_int(res, r, i);
	out->product_id = pg_col_int(res, r, i + 1);
	out->stars = (int)pg_col_int(res, r, i + 2);
	pg_col_text(res, r, i + 3, out->lot, sizeof(out->lot));
	out->count = (int)pg_col_int(res, r, i + 4);
	out->made_on = pg_col_day(res, r, i + 5);
	out->best_before = pg_col_day(res, r, i + 6);
	out->issued_at = pg_col_time(res, r, i + 7);
	out->voided_at = pg_col_time(res, r, i + 8);
	pg_col_text(res, r, i + 9, out->void_reason, sizeof(out->void_reason));
}

int
pg_label_get(struct ocop_store *base, const char *serial,
	     struct ocop_label *out, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, serial);
	PG_OR_FAIL(res, PG_LABEL_GET,
		   "SELECT " LABEL_COLS " FROM labels l WHERE l.serial = $1",
		   &q, "cannot read label");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "label '%s' not found",
				      serial);
	}
	label_from_row(res, 0, out);
	PQclear(res);
	return 0;
}

int
pg_batch_get(struct ocop_store *base, int64_t id, struct ocop_batch *out,
	     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, id);
	PG_OR_FAIL(res, PG_BATCH_GET,
		   "SELECT " BATCH_COLS " FROM batches b WHERE b.id = $1", &q,
		   "cannot read batch");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "batch %lld not found",
				      (long long)id);
	}
	batch_from_row(res, 0, 0, out);
	PQclear(res);
	return 0;
}

/* One statement: the row is voided unless it already was (the first time
 * kept); no row at all is "not found". */
static int
void_row(struct pg_store *s, int slot, const char *sql, struct pg_params *q,
	 const char *what, struct ocop_error *err)
{
	PGresult *res;
	int found;

	PG_OR_FAIL(res, slot, sql, q, "cannot void");
	found = PQntuples(res) > 0;
	PQclear(res);
	if (!found)
		return ocop_error_set(err, OCOP_ENOENT, "%s not found", what);
	return 0;
}

int
pg_label_void(struct ocop_store *base, const char *serial, int64_t at,
	      const char *reason, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	char what[64];

	pp_time(&q, at);
	pp_text_or_null(&q, reason);
	pp_text(&q, serial);
	snprintf(what, sizeof(what), "label '%s'", serial);
	return void_row(s, PG_LABEL_VOID,
			"UPDATE labels SET "
			"void_reason = CASE WHEN voided_at IS NULL THEN $2 "
			"ELSE void_reason END, "
			"voided_at = coalesce(voided_at, $1) "
			"WHERE serial = $3 RETURNING id",
			&q, what, err);
}

int
pg_batch_void(struct ocop_store *base, int64_t batch_id, int64_t at,
	      const char *reason, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	char what[64];

	pp_time(&q, at);
	pp_text_or_null(&q, reason);
	pp_int(&q, batch_id);
	snprintf(what, sizeof(what), "batch %lld", (long long)batch_id);
	return void_row(s, PG_BATCH_VOID,
			"UPDATE batches SET "
			"void_reason = CASE WHEN voided_at IS NULL THEN $2 "
			"ELSE void_reason END, "
			"voided_at = coalesce(voided_at, $1) "
			"WHERE id = $3 RETURNING id",
			&q, what, err);
}

struct label_each {
	store_label_cb cb;
	store_label_batch_cb bcb;
	void *ctx;
	int64_t product_id;
};

static int
label_row(void *ctx, const PGresult *res)
{
	struct label_each *e = ctx;
	struct ocop_label l;

	memset(&l, 0, sizeof(l));
	label_from_row(res, 0, &l);
	return e->cb(e->ctx, &l);
}

int
pg_label_each_in_batch(struct ocop_store *base, int64_t batch_id,
		       store_label_cb cb, void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct label_each e = {cb, NULL, ctx, 0};

	pp_int(&q, batch_id);
	return pg_stream(s, PG_LABEL_EACH,
			 "SELECT " LABEL_COLS " FROM labels l "
			 "WHERE l.batch_id = $1 ORDER BY l.id",
			 &q, "cannot list labels", label_row, &e, err);
}

struct batch_each {
	store_batch_cb cb;
	void *ctx;
};

static int
batch_row(void *ctx, const PGresult *res)
{
	struct batch_each *e = ctx;
	struct ocop_batch b;

	memset(&b, 0, sizeof(b));
	batch_from_row(res, 0, 0, &b);
	return e->cb(e->ctx, &b);
}

int
pg_batch_each(struct ocop_store *base, int64_t product_id, store_batch_cb cb,
	      void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct batch_each e = {cb, ctx};

	pp_int(&q, product_id);
	return pg_stream(s, PG_BATCH_EACH,
			 "SELECT " BATCH_COLS " FROM batches b "
			 "WHERE $1::bigint = 0 OR b.product_id = $1 "
			 "ORDER BY b.product_id, b.issued_at DESC, b.id DESC",
			 &q, "cannot list batches", batch_row, &e, err);
}

int
pg_label_count_for_product(struct ocop_store *base, int64_t product_id,
			   int64_t *n, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, product_id);
	PG_OR_FAIL(res, PG_LABEL_COUNT,
		   "SELECT count(*) FROM labels WHERE product_id = $1", &q,
		   "cannot count labels");
	*n = pg_col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

/* "key:day,key:day" (string_agg) or "{key:day,key:day}" (an array) */
void
pg_places_parse(struct places *p, const char *v)
{
	if (v && *v == '{')
		v++;
	while (v && *v) {
		char *end;
		long long key = strtoll(v, &end, 10);
		long day;

		if (*end != ':')
			return;
		day = strtol(end + 1, &end, 10);
		places_add(p, (uint64_t)key, (int32_t)day);
		v = *end == ',' ? end + 1 : NULL;
	}
}

/* What a verification reads of a label (store.h label_lookup): the label
 * and its batch by the serial's index, its counted scans, and its latest
 * places from their index in its order (an array: no sort, no
 * aggregate); then the registry version. */
#define LOOKUP_COLS                                                            \
	LABEL_COLS                                                             \
	    ", " BATCH_COLS ", coalesce(x.count, 0), x.first_at, "             \
	    "ARRAY(SELECT place_key || ':' || day FROM label_places "          \
	    " WHERE label_id = l.id ORDER BY day DESC, place_key LIMIT 3)"
#define LOOKUP_FROM                                                            \
	" FROM labels l JOIN batches b ON b.id = l.batch_id "                  \
	"LEFT JOIN label_scan_stats x ON x.label_id = l.id "
#define LOOKUP_VERSION "(SELECT version FROM registry_version WHERE id = 1)"

static void
lookup_from_row(const PGresult *res, int r, struct ocop_label *label,
		struct ocop_batch *batch, int64_t *scan_count,
		int64_t *first_scan_at, struct places *places,
		int64_t *registry_version)
{
	label_from_row(res, r, label);
	batch_from_row(res, r, 7, batch);
	if (scan_count)
		*scan_count = pg_col_int(res, r, 17);
	if (first_scan_at)
		*first_scan_at = pg_col_time(res, r, 18);
	if (places && !PQgetisnull(res, r, 19))
		pg_places_parse(places, PQgetvalue(res, r, 19));
	if (registry_version)
		*registry_version = pg_col_int(res, r, 20);
}

/* One statement for a verification (store.h). */
int
pg_label_lookup(struct ocop_store *base, const char *serial,
		struct ocop_label *label, struct ocop_batch *batch,
		int64_t *scan_count, int64_t *first_scan_at,
		struct places *places, int64_t *registry_version,
		struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, serial);
	PG_OR_FAIL(res, PG_LABEL_LOOKUP,
		   "SELECT " LOOKUP_COLS ", " LOOKUP_VERSION LOOKUP_FROM
		   "WHERE l.serial = $1",
		   &q, "cannot read label");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "label '%s' not found",
				      serial);
	}
	lookup_from_row(res, 0, label, batch, scan_count, first_scan_at, places,
			registry_version);
	PQclear(res);
	return 0;
}

/* One statement for n verifications: a round trip and a statement's
 * overhead shared by all (a networked engine's lookups come in groups,
 * lookups.h). Each serial is read by the single lookup's plan: a
 * subquery the planner may not flatten (OFFSET 0) over the serials, so a
 * plan made while the tables were small (a new database) cannot join a
 * whole table by hash once they have grown. */
int
pg_label_lookup_many(struct ocop_store *base, const char *const *serials,
		     size_t n, struct store_label_read *out,
		     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct ocop_buf a;
	PGresult *res;

	assert(n <= STORE_LOOKUPS_MAX);
	for (size_t i = 0; i < n; i++)
		memset(&out[i], 0, sizeof(out[i]));
	if (n == 0)
		return 0;
	ocop_buf_init(&a, 0);
	ocop_buf_adds(&a, "{");
	for (size_t i = 0; i < n; i++)
		pg_array_add(&a, serials[i]);
	if (ocop_buf_adds(&a, "}") < 0) {
		ocop_buf_release(&a);
		return ocop_error_set(err, OCOP_ETOOBIG,
				      "cannot read labels: too many");
	}
	pp_text(&q, a.data);
	res =
	    pg_exec(s, PG_LABEL_LOOKUP_MANY,
		    "SELECT r.*, " LOOKUP_VERSION ", q.i "
		    "FROM unnest($1::text[]) WITH ORDINALITY AS q(serial, i), "
		    "LATERAL (SELECT " LOOKUP_COLS LOOKUP_FROM
		    "WHERE l.serial = q.serial OFFSET 0) r",
		    &q, "cannot read labels", err);
	ocop_buf_release(&a);
	if (!res)
		return err ? err->code : OCOP_EINTERNAL;
	for (int r = 0; r < PQntuples(res); r++) {
		int64_t i = pg_col_int(res, r, 21) - 1;
		struct store_label_read *o;

		if (i < 0 || (size_t)i >= n)
			continue;
		o = &out[i];
		o->found = 1;
		lookup_from_row(res, r, &o->label, &o->batch, &o->scan_count,
				&o->first_scan_at, &o->places,
				&o->registry_version);
	}
	PQclear(res);
	return 0;
}

int
pg_label_get_by_id(struct ocop_store *base, int64_t id, struct ocop_label *out,
		   int64_t *batch_voided_at, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, id);
	PG_OR_FAIL(res, PG_LABEL_BY_ID,
		   "SELECT l.id, l.serial, l.batch_id, l.product_id, l.stars, "
		   "l.voided_at, l.void_reason, b.voided_at "
		   "FROM labels l JOIN batches b ON b.id = l.batch_id "
		   "WHERE l.id = $1",
		   &q, "cannot read label");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "label %lld not found",
				      (long long)id);
	}
	memset(out, 0, sizeof(*out));
	label_from_row(res, 0, out);
	if (batch_voided_at)
		*batch_voided_at = pg_col_time(res, 0, 7);
	PQclear(res);
	return 0;
}

int
pg_label_max_stars(struct ocop_store *base, int64_t product_id, int *stars,
		   struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, product_id);
	PG_OR_FAIL(res, PG_LABEL_MAX_STARS,
		   "SELECT max(stars) FROM labels WHERE product_id = $1", &q,
		   "cannot read labels");
	*stars = (int)pg_col_int(res, 0, 0); /* NULL reads as 0 */
	PQclear(res);
	return 0;
}

int
pg_label_max_id(struct ocop_store *base, int64_t *id, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;

	PG_OR_FAIL(res, PG_LABEL_MAX_ID, "SELECT max(id) FROM labels", NULL,
		   "cannot read labels");
	*id = pg_col_int(res, 0, 0);
	PQclear(res);
	return 0;
}

static int
label_batch_row(void *ctx, const PGresult *res)
{
	struct label_each *e = ctx;
	struct ocop_label l;

	memset(&l, 0, sizeof(l));
	l.product_id = e->product_id;
	l.id = pg_col_int(res, 0, 0);
	l.batch_id = pg_col_int(res, 0, 1);
	l.stars = (int)pg_col_int(res, 0, 2);
	l.voided_at = pg_col_time(res, 0, 3);
	return e->bcb(e->ctx, &l, pg_col_time(res, 0, 4));
}

int
pg_label_each_of_product(struct ocop_store *base, int64_t product_id,
			 store_label_batch_cb cb, void *ctx,
			 struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct label_each e = {NULL, cb, ctx, product_id};

	pp_int(&q, product_id);
	return pg_stream(s, PG_LABEL_EACH_OF_PRODUCT,
			 "SELECT l.id, l.batch_id, l.stars, l.voided_at, "
			 "b.voided_at FROM labels l "
			 "JOIN batches b ON b.id = l.batch_id "
			 "AND b.product_id = $1 WHERE l.product_id = $1",
			 &q, "cannot read labels", label_batch_row, &e, err);
}

int
pg_batch_each_of_product(struct ocop_store *base, int64_t product_id,
			 store_batch_cb cb, void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct batch_each e = {cb, ctx};

	pp_int(&q, product_id);
	return pg_stream(s, PG_BATCH_EACH_OF_PRODUCT,
			 "SELECT " BATCH_COLS " FROM batches b "
			 "WHERE b.product_id = $1 ORDER BY b.id",
			 &q, "cannot list batches", batch_row, &e, err);
}
