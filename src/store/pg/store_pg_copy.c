/*
 * store_pg_copy.c - a whole database's tables row by row, out and in,
 * for 'ocop db copy' (store.h: table_each, load_*). Rows come out
 * streamed one at a time and go in by COPY FROM STDIN; "label_scans" is
 * label_scan_stats with each label's places from label_places. The scans
 * go first to a temporary table, then to their months' partitions, made
 * for them; their products' counts by day (product_day_scans), derived
 * and not copied, are counted from them there. The id sequences are moved
 * past the ids loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "places.h"
#include "store_pg.h"

/* what a copy may hold in memory of one table's label_places rows */
#define PG_LOAD_PLACES_MAX ((size_t)1 << 30)

/* PostgreSQL's type OIDs (catalog/pg_type_d.h) of the columns read */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701

static int
is_label_scans(const struct store_table *t)
{
	return t && strcmp(t->name, "label_scans") == 0;
}

static int
is_scans(const struct store_table *t)
{
	return t && strcmp(t->name, "scans") == 0;
}

struct each {
	store_row_cb cb;
	void *ctx;
	int label_scans;
};

static int
each_row(struct each *e, const PGresult *res)
{
	struct store_row row;
	unsigned char *bytes[STORE_MAX_COLS] = {0};
	unsigned char blob[PLACES_BLOB_MAX];
	int rc;

	memset(&row, 0, sizeof(row));
	row.n = (size_t)PQnfields(res);
	if (row.n > STORE_MAX_COLS)
		row.n = STORE_MAX_COLS;
	for (size_t i = 0; i < row.n; i++) {
		struct store_value *v = &row.v[i];
		const char *text = PQgetvalue(res, 0, (int)i);

		if (PQgetisnull(res, 0, (int)i))
			continue; /* STORE_NULL */
		switch (PQftype(res, (int)i)) {
		case OID_INT2:
		case OID_INT4:
		case OID_INT8:
			v->type = STORE_INT;
			v->i = strtoll(text, NULL, 10);
			break;
		case OID_BOOL: /* SQLite's 0 and 1 */
			v->type = STORE_INT;
			v->i = text[0] == 't';
			break;
		case OID_FLOAT4:
		case OID_FLOAT8:
			v->type = STORE_REAL;
			v->r = strtod(text, NULL);
			break;
		case OID_BYTEA:
			v->type = STORE_BLOB;
			bytes[i] = PQunescapeBytea((const unsigned char *)text,
						   &v->len);
			v->p = bytes[i];
			break;
		default: /* text, dates (ISO) */
			v->type = STORE_TEXT;
			v->p = text;
			v->len = (size_t)PQgetlength(res, 0, (int)i);
		}
	}
	if (e->label_scans && row.n == 4 && row.v[3].type == STORE_TEXT) {
		/* the places as places_encode's blob */
		struct places pl;

		memset(&pl, 0, sizeof(pl));
		pg_places_parse(&pl, row.v[3].p);
		row.v[3].type = pl.n ? STORE_BLOB : STORE_NULL;
		row.v[3].p = blob;
		row.v[3].len = places_encode(&pl, blob);
	}
	rc = e->cb(e->ctx, &row);
	for (size_t i = 0; i < row.n; i++)
		PQfreemem(bytes[i]);
	return rc;
}

int
pg_table_each(struct ocop_store *base, const struct store_table *t,
	      store_row_cb cb, void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct each e = {cb, ctx, is_label_scans(t)};
	char sql[640], first[64];
	PGresult *res;
	int rc = 0, stopped = 0;

	if (e.label_scans) {
		snprintf(sql, sizeof(sql),
			 "SELECT x.label_id, x.count, x.first_at, "
			 "(SELECT string_agg(place_key || ':' || day, ',') "
			 "FROM label_places p WHERE p.label_id = x.label_id) "
			 "FROM label_scan_stats x ORDER BY 1");
	} else {
		snprintf(first, sizeof(first), "%.*s",
			 (int)strcspn(t->cols, ","), t->cols);
		snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" ORDER BY %s",
			 t->cols, t->name, first);
	}
	if (!PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0))
		return pg_error(s, NULL, err, "cannot read table");
	PQsetSingleRowMode(s->conn);
	while ((res = PQgetResult(s->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE) {
			if (!stopped && (rc = each_row(&e, res)) != 0)
				stopped = 1;
		} else if (st != PGRES_TUPLES_OK && !stopped) {
			const char *state =
			    PQresultErrorField(res, PG_DIAG_SQLSTATE);

			rc = pg_error(s, res, err, "cannot read table");
			ocop_error_prefix(err, "'%s'", t->name);
			if (state && strcmp(state, "42P01") == 0)
				rc = err ? (err->code = OCOP_ENOENT)
					 : OCOP_ENOENT;
			stopped = 1;
			if (s->depth > 0)
				s->failed = 1;
		}
		PQclear(res);
	}
	return rc;
}

static int
simple(struct pg_store *s, const char *sql, const char *what,
       struct ocop_error *err)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = pg_error(s, res, err, what);
		if (s->depth > 0)
			s->failed = 1;
	}
	PQclear(res);
	return rc;
}

static int
copy_in(struct pg_store *s, const char *sql, const char *what,
	struct ocop_error *err)
{
	PGresult *res = PQexec(s->conn, sql);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_error(s, res, err, what);
		if (s->depth > 0)
			s->failed = 1;
	}
	PQclear(res);
	return rc;
}

static int
copy_end(struct pg_store *s, const char *what, struct ocop_error *err)
{
	PGresult *res;
	int rc = 0;

	if (PQputCopyEnd(s->conn, NULL) != 1)
		rc = pg_error(s, NULL, err, what);
	while ((res = PQgetResult(s->conn))) {
		if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pg_error(s, res, err, what);
		PQclear(res);
	}
	if (rc < 0 && s->depth > 0)
		s->failed = 1;
	return rc;
}

int
pg_load_begin(struct ocop_store *base, const struct store_table *t,
	      struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[640];
	int rc;

	ocop_buf_release(&s->load_line);
	ocop_buf_init(&s->load_line, 0);
	ocop_buf_release(&s->load_places);
	ocop_buf_init(&s->load_places, PG_LOAD_PLACES_MAX);
	s->load_t = t;
	if (is_label_scans(t)) {
		if ((rc = simple(s,
				 "DELETE FROM label_scan_stats; "
				 "DELETE FROM label_places",
				 "cannot empty 'label_scans'", err)) < 0)
			return rc;
		return copy_in(s,
			       "COPY label_scan_stats (label_id, count, "
			       "first_at) FROM STDIN",
			       "cannot load 'label_scans'", err);
	}
	/* the audit log refuses any DELETE (its trigger fires for none
	 * too); a target's log is empty, or its ids collide below */
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", t->name);
	if (strcmp(t->name, "audit") != 0 &&
	    (rc = simple(s, sql, "cannot empty table", err)) < 0) {
		ocop_error_prefix(err, "'%s'", t->name);
		return rc;
	}
	if (is_scans(t)) {
		/* into a table of no index nor log first: their months'
		 * partitions are made before they go in (load_end) */
		if ((rc = simple(s,
				 "DELETE FROM product_day_scans; "
				 "CREATE TEMP TABLE copy_scans (LIKE scans) "
				 "ON COMMIT DROP",
				 "cannot load 'scans'", err)) < 0)
			return rc;
		snprintf(sql, sizeof(sql), "COPY copy_scans (%s) FROM STDIN",
			 t->cols);
		return copy_in(s, sql, "cannot load 'scans'", err);
	}
	snprintf(sql, sizeof(sql), "COPY \"%s\" (%s) FROM STDIN", t->name,
		 t->cols);
	if ((rc = copy_in(s, sql, "cannot load table", err)) < 0)
		ocop_error_prefix(err, "'%s'", t->name);
	return rc;
}

/* A value in COPY's text format. */
static void
copy_value(struct ocop_buf *b, const struct store_value *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = v->p;

	switch (v->type) {
	case STORE_INT:
		ocop_buf_addf(b, "%lld", (long long)v->i);
		break;
	case STORE_REAL:
		ocop_buf_addf(b, "%.17g", v->r);
		break;
	case STORE_TEXT:
		for (size_t i = 0; i < v->len; i++) {
			const char *esc = NULL;

			switch (p[i]) {
			case '\\':
				esc = "\\\\";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			}
			if (esc)
				ocop_buf_adds(b, esc);
			else
				ocop_buf_add(b, &p[i], 1);
		}
		break;
	case STORE_BLOB:
		ocop_buf_adds(b, "\\\\x");
		for (size_t i = 0; i < v->len; i++) {
			char h[2] = {hex[p[i] >> 4], hex[p[i] & 15]};

			ocop_buf_add(b, h, 2);
		}
		break;
	default:
		ocop_buf_adds(b, "\\N");
	}
}

int
pg_load_row(struct ocop_store *base, const struct store_row *row,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct ocop_buf *b = &s->load_line;
	size_t n = row->n;

	b->len = 0;
	if (is_label_scans(s->load_t) && n == 4) {
		/* the places to label_places at load_end */
		struct places pl;

		memset(&pl, 0, sizeof(pl));
		if (row->v[3].type == STORE_BLOB)
			places_decode(&pl, row->v[3].p, row->v[3].len);
		for (int i = 0; i < pl.n; i++)
			if (ocop_buf_addf(&s->load_places, "%lld\t%lld\t%d\n",
					  (long long)row->v[0].i,
					  (long long)pl.p[i].key,
					  (int)pl.p[i].day) < 0)
				return ocop_error_set(
				    err, OCOP_ETOOBIG,
				    "cannot load 'label_scans': too many "
				    "places");
		n = 3;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			ocop_buf_add(b, "\t", 1);
		copy_value(b, &row->v[i]);
	}
	if (ocop_buf_add(b, "\n", 1) < 0)
		return ocop_error_set(err, OCOP_ETOOBIG,
				      "cannot load a row of '%s': too large",
				      s->load_t->name);
	if (PQputCopyData(s->conn, b->data, (int)b->len) != 1)
		return pg_error(s, NULL, err, "cannot load row");
	return 0;
}

int
pg_load_end(struct ocop_store *base, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	int rc;

	if ((rc = copy_end(s, "cannot load table", err)) < 0) {
		ocop_error_prefix(err, "'%s'", s->load_t->name);
		return rc;
	}
	if (is_scans(s->load_t) &&
	    ((rc = simple(s,
			  "SELECT scans_partition(min(scanned_at)) "
			  "FROM copy_scans GROUP BY date_trunc('month', "
			  "to_timestamp(scanned_at) AT TIME ZONE 'UTC')",
			  "cannot make the scans' partitions", err)) < 0 ||
	     (rc = simple(s, "INSERT INTO scans SELECT * FROM copy_scans",
			  "cannot load 'scans'", err)) < 0 ||
	     (rc = simple(s,
			  "INSERT INTO product_day_scans (product_id, day, "
			  "count) SELECT product_id, ocop_day_of(scanned_at), "
			  "count(*) FROM copy_scans WHERE product_id IS NOT "
			  "NULL GROUP BY 1, 2",
			  "cannot count the scans by day", err)) < 0 ||
	     (rc = simple(s, "DROP TABLE copy_scans", "cannot load 'scans'",
			  err)) < 0))
		return rc;
	if (is_label_scans(s->load_t)) {
		if ((rc = copy_in(s,
				  "COPY label_places (label_id, place_key, "
				  "day) FROM STDIN",
				  "cannot load 'label_scans'", err)) < 0)
			return rc;
		if (s->load_places.len > 0 &&
		    PQputCopyData(s->conn, s->load_places.data,
				  (int)s->load_places.len) != 1)
			rc =
			    pg_error(s, NULL, err, "cannot load 'label_scans'");
		if (copy_end(s, "cannot load 'label_scans'", err) < 0 &&
		    rc == 0)
			rc = err ? err->code : OCOP_EINTERNAL;
	}
	ocop_buf_release(&s->load_places);
	s->load_t = NULL;
	return rc;
}

int
pg_load_finish(struct ocop_store *base, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	char sql[256];
	int rc;

	/* the scans to their months, their client ids claimed */
	if ((rc = simple(s, "SELECT scans_from_default()",
			 "cannot move the scans to their months", err)) < 0 ||
	    (rc =
		 simple(s,
			"DELETE FROM scan_clients; INSERT INTO scan_clients "
			"(client_id, scan_id, scanned_at) SELECT client_id, "
			"id, scanned_at FROM scans WHERE client_id IS NOT NULL",
			"cannot claim the client ids", err)) < 0)
		return rc;
	/* each id sequence past the ids loaded */
	for (size_t i = 0; i < store_ntables; i++) {
		const struct store_table *t = &store_tables[i];

		const char *key = strncmp(t->cols, "id,", 3) == 0    ? "id"
				  : strncmp(t->cols, "seq,", 4) == 0 ? "seq"
								     : NULL;

		/* signing_keys' ids are text: no sequence */
		if (!key || strcmp(t->name, "signing_keys") == 0)
			continue;
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('%s', '%s'), "
			 "coalesce(max(%s), 0) + 1, false) FROM \"%s\"",
			 t->name, key, key, t->name);
		if ((rc = simple(s, sql, "cannot move an id sequence", err)) <
		    0)
			return rc;
	}
	/* the tables are vacuumed and analyzed once committed (pg_commit) */
	s->loaded = 1;
	return 0;
}
