/*
 * store_pg_scans.c - the scans methods of the PostgreSQL engine.
 *
 * scan_add is one statement, a round trip in the scan writer's group
 * transaction: the inspector's client id claimed in scan_clients (its
 * primary key makes a re-sent scan, from any node, "no row"), the scan in
 * its month's partition, the label's count and its place, and its
 * product's count of the day (product_day_scans), each updated in place
 * with ON CONFLICT DO UPDATE: concurrent nodes counting one label or one
 * product's day wait for each other's row lock, and none is lost. A
 * re-sent scan inserts no row, so counts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "places.h"
#include "store_pg.h"

enum {
	PG_SCAN_INSERT = PG_SCANS_FIRST,
	PG_SCAN_BY_CLIENT,
	PG_SCAN_STATS,
	PG_SCAN_EACH_OF_PRODUCT,
	PG_SCAN_COUNT_OF_PRODUCT,
	PG_SCAN_EACH_PLACED,
	PG_SCAN_EACH_UNKNOWN,
	PG_SCAN_EACH_STORED,
	PG_SCAN_BATCH,
	PG_SCANS_END
};

_Static_assert((int)PG_SCANS_END <= (int)PG_SLOTS,
	       "scans statements overflow their slots");

#define SCAN_COLS                                                              \
	"s.id, s.client_id, s.code, s.label_id, s.product_id, s.scanned_at, "  \
	"s.received_at, s.verdict, s.reason, s.source, s.place, s.province, "  \
	"s.lat, s.lon, s.net, s.ua"

static enum ocop_verdict
col_verdict(const PGresult *res, int i)
{
	enum ocop_verdict v = OCOP_UNKNOWN;

	if (PQgetisnull(res, 0, i) ||
	    ocop_verdict_parse(PQgetvalue(res, 0, i), &v) < 0)
		return OCOP_UNKNOWN;
	return v;
}

static enum ocop_reason
col_reason(const PGresult *res, int i)
{
	enum ocop_reason r = OCOP_REASON_NOT_FOUND;

	if (PQgetisnull(res, 0, i) ||
	    ocop_reason_parse(PQgetvalue(res, 0, i), &r) < 0)
		return OCOP_REASON_NOT_FOUND;
	return r;
}

static enum ocop_scan_source
col_source(const PGresult *res, int i)
{
	return pg_col_int(res, 0, i) == OCOP_SCAN_INSPECTOR
		   ? OCOP_SCAN_INSPECTOR
		   : OCOP_SCAN_CONSUMER;
}

static void
scan_from_row(const PGresult *res, struct ocop_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->id = pg_col_int(res, 0, 0);
	pg_col_text(res, 0, 1, s->client_id, sizeof(s->client_id));
	pg_col_text(res, 0, 2, s->code, sizeof(s->code));
	s->label_id = pg_col_int(res, 0, 3);
	s->product_id = pg_col_int(res, 0, 4);
	s->scanned_at = pg_col_int(res, 0, 5);
	s->received_at = pg_col_int(res, 0, 6);
	s->verdict = col_verdict(res, 7);
	s->reason = col_reason(res, 8);
	s->source = col_source(res, 9);
	pg_col_text(res, 0, 10, s->place, sizeof(s->place));
	pg_col_text(res, 0, 11, s->province, sizeof(s->province));
	if (!PQgetisnull(res, 0, 12) && !PQgetisnull(res, 0, 13)) {
		s->has_geo = 1;
		s->lat = strtod(PQgetvalue(res, 0, 12), NULL);
		s->lon = strtod(PQgetvalue(res, 0, 13), NULL);
	}
	pg_col_text(res, 0, 14, s->net, sizeof(s->net));
	pg_col_text(res, 0, 15, s->ua, sizeof(s->ua));
}

/* The insert's parameters; lat and lon hold 32 bytes each. */
static void
scan_params(struct pg_params *q, const struct ocop_scan *sc, char *lat,
	    char *lon)
{
	uint64_t key;

	pp_text(q, sc->code);			    /* $1 */
	pp_id_or_null(q, sc->label_id);		    /* $2 */
	pp_id_or_null(q, sc->product_id);	    /* $3 */
	pp_int(q, sc->scanned_at);		    /* $4 */
	pp_int(q, sc->received_at);		    /* $5 */
	pp_text(q, ocop_verdict_name(sc->verdict)); /* $6 */
	pp_text(q, ocop_reason_name(sc->reason));   /* $7 */
	pp_int(q, (int)sc->source);		    /* $8 */
	pp_text_or_null(q, sc->place);		    /* $9 */
	pp_text_or_null(q, sc->province);	    /* $10 */
	if (sc->has_geo) {			    /* $11, $12 */
		snprintf(lat, 32, "%.17g", sc->lat);
		snprintf(lon, 32, "%.17g", sc->lon);
		pp_text(q, lat);
		pp_text(q, lon);
	} else {
		pp_text_or_null(q, NULL);
		pp_text_or_null(q, NULL);
	}
	pp_text_or_null(q, sc->net);	   /* $13 */
	pp_text_or_null(q, sc->ua);	   /* $14 */
	pp_text_or_null(q, sc->client_id); /* $15 */
	/* where it was scanned (places.h); no place: NULL, no row */
	key = places_key(places_name(sc));
	if (key) { /* $16, $17 */
		pp_int(q, (int64_t)key);
		pp_int(q, ocop_day_of(sc->scanned_at));
	} else {
		pp_text_or_null(q, NULL);
		pp_text_or_null(q, NULL);
	}
	/* its product's day (product_day_scans), with a place or not */
	pp_int(q, ocop_day_of(sc->scanned_at)); /* $18 */
}

static const char scan_insert_sql[] =
    "WITH c AS (INSERT INTO scan_clients (client_id, scan_id, "
    " scanned_at) SELECT $15::text, nextval('scans_id'), $4 "
    " WHERE $15::text IS NOT NULL "
    " ON CONFLICT (client_id) DO NOTHING RETURNING scan_id), "
    "s AS (INSERT INTO scans (id, code, label_id, product_id, "
    " scanned_at, received_at, verdict, reason, source, place, "
    " province, lat, lon, net, ua, client_id) "
    " SELECT CASE WHEN $15::text IS NULL THEN nextval('scans_id') "
    " ELSE (SELECT scan_id FROM c) END, $1, $2::bigint, $3, $4, $5, "
    " $6, $7, $8, $9, $10, $11::float8, $12::float8, $13, $14, $15 "
    " WHERE $15::text IS NULL OR EXISTS (SELECT 1 FROM c) "
    " RETURNING id, label_id, product_id), "
    "n AS (INSERT INTO label_scan_stats (label_id, count, first_at) "
    " SELECT label_id, 1, $4 FROM s WHERE label_id IS NOT NULL "
    " ON CONFLICT (label_id) DO UPDATE SET "
    " count = label_scan_stats.count + 1, "
    " first_at = least(label_scan_stats.first_at, excluded.first_at) "
    " RETURNING count, first_at), "
    "p AS (INSERT INTO label_places (label_id, place_key, day) "
    " SELECT label_id, $16::bigint, $17::int FROM s "
    " WHERE label_id IS NOT NULL AND $16::bigint IS NOT NULL "
    " ON CONFLICT (label_id, place_key) DO UPDATE SET "
    " day = excluded.day WHERE label_places.day < excluded.day), "
    "d AS (INSERT INTO product_day_scans (product_id, day, count) "
    " SELECT product_id, $18::int, 1 FROM s WHERE product_id IS NOT NULL "
    " ON CONFLICT (product_id, day) DO UPDATE SET "
    " count = product_day_scans.count + 1) "
    "SELECT s.id, n.count, n.first_at FROM s LEFT JOIN n ON true";

/*
 * The consumer scans of a group in one statement, their columns as
 * arrays: the scans with ids in order, each label's count and first time
 * (one upsert a label) and places (a place's row rewritten only when its
 * day moves later: most scans come on the day it already has, and a
 * rewrite is a new row version, its log record and its pruning later,
 * for nothing), each product's count of a day (one
 * upsert a product and day); each table's rows in the order of their
 * keys, so that every node's group takes their row locks in one order
 * and two nodes counting the same labels wait rather than deadlock (a
 * hash aggregate's order depends on what else the group holds); a row
 * per scan with its id and its label's count after it (the count after
 * the group less the group's later scans of the label).
 */
static const char scan_batch_sql[] =
    "WITH v AS MATERIALIZED (SELECT nextval('scans_id') AS id, v.* "
    " FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], "
    " $5::bigint[], $6::text[], $7::text[], $8::int[], $9::text[], "
    " $10::text[], $11::float8[], $12::float8[], $13::text[], "
    " $14::text[], $15::bigint[], $16::int[], $17::int[]) "
    " WITH ORDINALITY AS v(code, label_id, product_id, scanned_at, "
    " received_at, verdict, reason, source, place, province, lat, lon, "
    " net, ua, place_key, day, scan_day, i) ORDER BY i), "
    "s AS (INSERT INTO scans (id, code, label_id, product_id, "
    " scanned_at, received_at, verdict, reason, source, place, "
    " province, lat, lon, net, ua) SELECT id, code, label_id, "
    " product_id, scanned_at, received_at, verdict, reason, source, "
    " place, province, lat, lon, net, ua FROM v), "
    "n AS (INSERT INTO label_scan_stats (label_id, count, first_at) "
    " SELECT label_id, count(*), min(scanned_at) FROM v "
    " WHERE label_id IS NOT NULL GROUP BY label_id ORDER BY label_id "
    " ON CONFLICT (label_id) DO UPDATE SET "
    " count = label_scan_stats.count + excluded.count, "
    " first_at = least(label_scan_stats.first_at, excluded.first_at) "
    " RETURNING label_id, count, first_at), "
    "p AS (INSERT INTO label_places (label_id, place_key, day) "
    " SELECT label_id, place_key, max(day) FROM v "
    " WHERE label_id IS NOT NULL AND place_key IS NOT NULL "
    " GROUP BY label_id, place_key ORDER BY label_id, place_key "
    " ON CONFLICT (label_id, place_key) DO UPDATE SET "
    " day = excluded.day WHERE label_places.day < excluded.day), "
    "d AS (INSERT INTO product_day_scans (product_id, day, count) "
    " SELECT product_id, scan_day, count(*) FROM v "
    " WHERE product_id IS NOT NULL GROUP BY product_id, scan_day "
    " ORDER BY product_id, scan_day "
    " ON CONFLICT (product_id, day) DO UPDATE SET "
    " count = product_day_scans.count + excluded.count) "
    "SELECT v.id, n.count - count(*) OVER (PARTITION BY v.label_id "
    " ORDER BY v.i DESC) + 1, n.first_at "
    "FROM v LEFT JOIN n ON n.label_id = v.label_id ORDER BY v.i";

enum { BATCH_COLS = 17 };

static void
batch_sent(struct pg_store *s, const PGresult *res, struct pg_pending *p)
{
	int r = 0;

	for (size_t i = 0; i < s->npend && r < PQntuples(res); i++) {
		struct pg_pending *e = &s->pend[i];

		if (!e->batched || e->sent || e->batch_no != p->batch_no)
			continue;
		e->scan->id = pg_col_int(res, r, 0);
		if (e->duplicate)
			*e->duplicate = 0;
		if (!PQgetisnull(res, r, 1)) {
			e->got_count = 1;
			e->count_v = pg_col_int(res, r, 1);
			e->first_v = pg_col_time(res, r, 2);
		}
		r++;
	}
}

int
pg_scans_flush(struct pg_store *s, struct ocop_error *err)
{
	struct ocop_buf col[BATCH_COLS];
	struct pg_params q = {0};
	struct pg_pending *p;
	long no = s->batch_no;
	int rc = 0;

	if (s->nbatch == 0)
		return 0;
	s->nbatch = 0;
	s->batch_no++;
	for (int c = 0; c < BATCH_COLS; c++) {
		ocop_buf_init(&col[c], 0);
		ocop_buf_adds(&col[c], "{");
	}
	for (size_t i = 0; i < s->npend; i++) {
		const struct pg_pending *e = &s->pend[i];
		struct pg_params v = {0};
		char lat[32], lon[32];

		if (!e->batched || e->sent || e->batch_no != no)
			continue;
		/* the single insert's parameters, $15 (client id) left out */
		scan_params(&v, e->scan, lat, lon);
		for (int c = 0, k = 0; k < v.n; k++) {
			if (k == 14)
				continue;
			pg_array_add(&col[c++], v.v[k]);
		}
	}
	for (int c = 0; c < BATCH_COLS; c++) {
		if (ocop_buf_adds(&col[c], "}") < 0)
			rc = ocop_error_set(err, OCOP_ETOOBIG,
					    "cannot store scans: the group "
					    "is too large");
		pp_text(&q, col[c].data);
	}
	if (rc == 0) {
		if ((p = pg_send(s, PG_SCAN_BATCH, scan_batch_sql, &q,
				 "cannot store scans", err))) {
			p->batched = 1;
			p->batch_no = no;
			p->done = batch_sent;
		} else {
			rc = err ? err->code : OCOP_EINTERNAL;
		}
	}
	for (int c = 0; c < BATCH_COLS; c++)
		ocop_buf_release(&col[c]);
	return rc;
}

/* The insert's row: the scan's id and its label's count after it (the
 * row lock taken by the upsert holds it until commit); no row: the
 * client id was claimed already. */
static void
scan_sent(struct pg_store *s, const PGresult *res, struct pg_pending *p)
{
	(void)s;
	if (PQntuples(res) == 0) {
		p->fix = 1;
		return;
	}
	p->scan->id = pg_col_int(res, 0, 0);
	if (p->duplicate)
		*p->duplicate = 0;
	if (!PQgetisnull(res, 0, 1)) {
		p->got_count = 1;
		p->count_v = pg_col_int(res, 0, 1);
		p->first_v = pg_col_time(res, 0, 2);
	}
}

static int scan_stored(struct pg_store *s, struct ocop_scan *sc,
		       struct ocop_error *err);

static int
scan_fixup(struct pg_store *s, struct pg_pending *p, struct ocop_error *err)
{
	if (p->duplicate)
		*p->duplicate = 1;
	return scan_stored(s, p->scan, err);
}

static void scan_params(struct pg_params *q, const struct ocop_scan *sc,
			char *lat, char *lon);

static int
scan_insert(struct pg_store *s, struct ocop_scan *sc, int *duplicate,
	    struct ocop_error *err)
{
	struct pg_params q = {0};
	char lat[32], lon[32];
	struct pg_pending *p;
	PGresult *res;

	if (duplicate)
		*duplicate = 0;
	if (pg_partition_for(s, sc->scanned_at, err) < 0)
		return err ? err->code : OCOP_EINTERNAL;
	if (pg_pipelined(s) && !sc->client_id[0]) {
		/* a consumer scan: the group's go as one insert */
		if (!(p = pg_pend_virtual(s, err)))
			return err ? err->code : OCOP_EINTERNAL;
		p->batched = 1;
		p->batch_no = s->batch_no;
		p->scan = sc;
		p->duplicate = duplicate;
		p->label_id = sc->label_id;
		s->nbatch++;
		return 0;
	}
	scan_params(&q, sc, lat, lon);
	if (pg_pipelined(s)) {
		/* the outputs are filled at commit */
		if (!(p = pg_send(s, PG_SCAN_INSERT, scan_insert_sql, &q,
				  "cannot store scan", err)))
			return err ? err->code : OCOP_EINTERNAL;
		p->done = scan_sent;
		p->fixup = scan_fixup;
		p->scan = sc;
		p->duplicate = duplicate;
		p->label_id = sc->label_id;
		if (sc->client_id[0])
			s->may_fix = 1;
		return 0;
	}
	PG_OR_FAIL(res, PG_SCAN_INSERT, scan_insert_sql, &q,
		   "cannot store scan");
	if (PQntuples(res) > 0) {
		sc->id = pg_col_int(res, 0, 0);
		PQclear(res);
		return 0;
	}
	PQclear(res);
	/* only a client id already claimed gives no row: the stored scan */
	if (duplicate)
		*duplicate = 1;
	return scan_stored(s, sc, err);
}

/* The stored scan of sc's client id, over *sc. */
static int
scan_stored(struct pg_store *s, struct ocop_scan *sc, struct ocop_error *err)
{
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, sc->client_id);
	PG_OR_FAIL(res, PG_SCAN_BY_CLIENT,
		   "SELECT " SCAN_COLS " FROM scan_clients c "
		   "JOIN scans s ON s.id = c.scan_id "
		   "AND s.scanned_at = c.scanned_at WHERE c.client_id = $1",
		   &q, "cannot read scan");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "scan '%s' not found",
				      sc->client_id);
	}
	scan_from_row(res, sc);
	PQclear(res);
	return 0;
}

/* In the caller's transaction (the scan writer's group), else its own:
 * the statement is one, so it is its own transaction. */
int
pg_scan_add(struct ocop_store *base, struct ocop_scan *sc, int *duplicate,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;

	return scan_insert(s, sc, duplicate, err);
}

static const char scan_stats_sql[] =
    "SELECT count, first_at FROM label_scan_stats WHERE label_id = $1";

static void
stats_read(struct pg_store *s, const PGresult *res, struct pg_pending *p)
{
	(void)s;
	*p->count = PQntuples(res) ? pg_col_int(res, 0, 0) : 0;
	*p->first_at = PQntuples(res) ? pg_col_time(res, 0, 1) : OCOP_NO_TIME;
}

int
pg_scan_stats(struct ocop_store *base, int64_t label_id, int64_t *count,
	      int64_t *first_at, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct pg_pending *p;
	PGresult *res;

	if (pg_pipelined(s) && count && first_at) {
		/* after this transaction's own insert of a scan of the
		 * label (with no client id: it is stored), its result
		 * holds the count; else a read goes in the pipeline */
		for (size_t i = s->npend; i-- > 0;) {
			struct pg_pending *e = &s->pend[i];

			if (!e->scan || e->label_id != label_id)
				continue;
			if (e->scan->client_id[0])
				break;
			if (!(p = pg_pend_virtual(s, err)))
				return err ? err->code : OCOP_EINTERNAL;
			p->from = (long)i;
			p->count = count;
			p->first_at = first_at;
			return 0;
		}
		pp_int(&q, label_id);
		if (!(p = pg_send(s, PG_SCAN_STATS, scan_stats_sql, &q,
				  "cannot count scans", err)))
			return err ? err->code : OCOP_EINTERNAL;
		p->done = stats_read;
		p->count = count;
		p->first_at = first_at;
		return 0;
	}
	pp_int(&q, label_id);
	PG_OR_FAIL(res, PG_SCAN_STATS, scan_stats_sql, &q,
		   "cannot count scans");
	if (count)
		*count = PQntuples(res) ? pg_col_int(res, 0, 0) : 0;
	if (first_at)
		*first_at =
		    PQntuples(res) ? pg_col_time(res, 0, 1) : OCOP_NO_TIME;
	PQclear(res);
	return 0;
}

static void
pp_bounds(struct pg_params *q, int64_t from, int64_t to)
{
	pp_int(q, from == OCOP_NO_TIME ? INT64_MIN : from);
	pp_int(q, to == OCOP_NO_TIME ? INT64_MAX : to);
}

struct scan_each {
	store_scan_cb cb;
	void *ctx;
	struct ocop_scan sc; /* reused: each fill sets what changes */
};

static int
brief_row(void *ctx, const PGresult *res)
{
	struct scan_each *e = ctx;

	e->sc.id = pg_col_int(res, 0, 0);
	e->sc.label_id = pg_col_int(res, 0, 1);
	e->sc.scanned_at = pg_col_int(res, 0, 2);
	pg_col_text(res, 0, 3, e->sc.place, sizeof(e->sc.place));
	return e->cb(e->ctx, &e->sc);
}

/* A product's scans from the covering index scans_product, partition by
 * partition: the rows stream, one held at a time. */
int
pg_scan_each_of_product(struct ocop_store *base, int64_t product_id,
			int64_t from, int64_t to, store_scan_cb cb, void *ctx,
			struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct scan_each e;

	memset(&e, 0, sizeof(e));
	e.cb = cb;
	e.ctx = ctx;
	e.sc.product_id = product_id;
	pp_int(&q, product_id);
	pp_bounds(&q, from, to);
	return pg_stream(s, PG_SCAN_EACH_OF_PRODUCT,
			 "SELECT id, label_id, scanned_at, place FROM scans "
			 "WHERE product_id = $1 AND scanned_at >= $2 "
			 "AND scanned_at < $3 ORDER BY scanned_at",
			 &q, "cannot read scans", brief_row, &e, err);
}

int
pg_scan_count_of_product(struct ocop_store *base, int64_t product_id,
			 int64_t from, int64_t to, int64_t *count,
			 int64_t *last_at, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, product_id);
	pp_bounds(&q, from, to);
	PG_OR_FAIL(res, PG_SCAN_COUNT_OF_PRODUCT,
		   "SELECT count(*), max(scanned_at) FROM scans "
		   "WHERE product_id = $1 AND scanned_at >= $2 "
		   "AND scanned_at < $3",
		   &q, "cannot count scans");
	if (count)
		*count = pg_col_int(res, 0, 0);
	if (last_at)
		*last_at = pg_col_time(res, 0, 1);
	PQclear(res);
	return 0;
}

static int
placed_row(void *ctx, const PGresult *res)
{
	struct scan_each *e = ctx;

	e->sc.label_id = pg_col_int(res, 0, 0);
	e->sc.scanned_at = pg_col_int(res, 0, 1);
	e->sc.source = col_source(res, 2);
	pg_col_text(res, 0, 3, e->sc.place, sizeof(e->sc.place));
	pg_col_text(res, 0, 4, e->sc.net, sizeof(e->sc.net));
	return e->cb(e->ctx, &e->sc);
}

int
pg_scan_each_placed(struct ocop_store *base, int64_t from, int64_t to,
		    store_scan_cb cb, void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct scan_each e;

	memset(&e, 0, sizeof(e));
	e.cb = cb;
	e.ctx = ctx;
	pp_bounds(&q, from, to);
	pp_int(&q, OCOP_SCAN_CONSUMER);
	return pg_stream(s, PG_SCAN_EACH_PLACED,
			 "SELECT label_id, scanned_at, source, place, net "
			 "FROM scans WHERE label_id IS NOT NULL "
			 "AND scanned_at >= $1 AND scanned_at < $2 "
			 "AND (place IS NOT NULL "
			 "OR (source = $3 AND net IS NOT NULL))",
			 &q, "cannot read scans", placed_row, &e, err);
}

static int
unknown_row(void *ctx, const PGresult *res)
{
	struct scan_each *e = ctx;

	memset(&e->sc, 0, sizeof(e->sc));
	e->sc.id = pg_col_int(res, 0, 0);
	pg_col_text(res, 0, 1, e->sc.code, sizeof(e->sc.code));
	e->sc.scanned_at = pg_col_int(res, 0, 2);
	e->sc.verdict = col_verdict(res, 3);
	e->sc.reason = col_reason(res, 4);
	e->sc.source = col_source(res, 5);
	pg_col_text(res, 0, 6, e->sc.place, sizeof(e->sc.place));
	pg_col_text(res, 0, 7, e->sc.province, sizeof(e->sc.province));
	return e->cb(e->ctx, &e->sc);
}

int
pg_scan_each_unknown(struct ocop_store *base, int64_t from, int64_t to,
		     store_scan_cb cb, void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct scan_each e;

	memset(&e, 0, sizeof(e));
	e.cb = cb;
	e.ctx = ctx;
	pp_bounds(&q, from, to);
	return pg_stream(
	    s, PG_SCAN_EACH_UNKNOWN,
	    "SELECT id, code, scanned_at, verdict, reason, source, "
	    "place, province FROM scans "
	    "WHERE label_id IS NULL AND scanned_at >= $1 "
	    "AND scanned_at < $2 ORDER BY "
	    "coalesce(place, '') COLLATE \"C\", code COLLATE \"C\", "
	    "scanned_at, id",
	    &q, "cannot read scans", unknown_row, &e, err);
}

static int
stored_row(void *ctx, const PGresult *res)
{
	struct scan_each *e = ctx;

	scan_from_row(res, &e->sc);
	return e->cb(e->ctx, &e->sc);
}

int
pg_scan_each_stored(struct ocop_store *base, const char *code,
		    const char *id_prefix, store_scan_cb cb, void *ctx,
		    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct scan_each e;

	memset(&e, 0, sizeof(e));
	e.cb = cb;
	e.ctx = ctx;
	pp_text_or_null(&q, code);
	pp_text_or_null(&q, id_prefix);
	/* the ids are given in the order stored */
	return pg_stream(s, PG_SCAN_EACH_STORED,
			 "SELECT " SCAN_COLS " FROM scans s "
			 "WHERE ($1::text IS NULL OR s.code = $1) "
			 "AND ($2::text IS NULL OR "
			 "left(s.client_id, length($2)) = $2) ORDER BY s.id",
			 &q, "cannot read scans", stored_row, &e, err);
}
