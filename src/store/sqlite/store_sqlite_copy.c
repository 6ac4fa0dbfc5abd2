/*
 * store_sqlite_copy.c - a whole database's tables row by row, out and in,
 * for 'ocop db copy' (store.h: table_each, load_*). Values keep the type
 * SQLite stored them with; "label_scans" is the per-label counts and
 * places, folded and recent counts merged on the way out, folded on the
 * way in.
 */
#include <stdio.h>
#include <string.h>

#include "places.h"
#include "store_sqlite.h"

static int
is_label_scans(const struct store_table *t)
{
	return strcmp(t->name, "label_scans") == 0;
}

static void
value_of(sqlite3_stmt *st, int i, struct store_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		v->type = STORE_INT;
		v->i = sqlite3_column_int64(st, i);
		break;
	case SQLITE_FLOAT:
		v->type = STORE_REAL;
		v->r = sqlite3_column_double(st, i);
		break;
	case SQLITE_TEXT:
		v->type = STORE_TEXT;
		v->p = sqlite3_column_text(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		break;
	case SQLITE_BLOB:
		v->type = STORE_BLOB;
		v->p = sqlite3_column_blob(st, i);
		v->len = (size_t)sqlite3_column_bytes(st, i);
		break;
	default:
		v->type = STORE_NULL;
	}
}

/* The folded and the recent counts of each label, one row a label. */
static int
label_scans_each(struct sq_store *s, store_row_cb cb, void *ctx,
		 struct ocop_error *err)
{
	sqlite3_stmt *st = NULL;
	struct store_row row;
	struct places pl;
	unsigned char blob[PLACES_BLOB_MAX];
	int64_t label = 0, count = 0, first = OCOP_NO_TIME;
	int rc = 0, have = 0, step;

	if (sqlite3_prepare_v2(
		s->db,
		"SELECT label_id, count, first_at, places, 0 FROM "
		"label_scan_stats UNION ALL SELECT label_id, count, first_at, "
		"places, 1 FROM label_scan_recent ORDER BY 1, 5",
		-1, &st, NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot read 'label_scans'");
	memset(&pl, 0, sizeof(pl));
	for (;;) {
		step = sqlite3_step(st);
		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = sq_error(s, err, "cannot read 'label_scans'");
			break;
		}
		if (have && (step == SQLITE_DONE ||
			     sqlite3_column_int64(st, 0) != label)) {
			memset(&row, 0, sizeof(row));
			row.n = 4;
			row.v[0].type = STORE_INT;
			row.v[0].i = label;
			row.v[1].type = STORE_INT;
			row.v[1].i = count;
			row.v[2].type =
			    first == OCOP_NO_TIME ? STORE_NULL : STORE_INT;
			row.v[2].i = first;
			row.v[3].type = pl.n ? STORE_BLOB : STORE_NULL;
			row.v[3].p = blob;
			row.v[3].len = places_encode(&pl, blob);
			if ((rc = cb(ctx, &row)) != 0)
				break;
			have = 0;
		}
		if (step == SQLITE_DONE)
			break;
		if (!have) {
			label = sqlite3_column_int64(st, 0);
			count = 0;
			first = OCOP_NO_TIME;
			memset(&pl, 0, sizeof(pl));
			have = 1;
		}
		count += sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
		    (first == OCOP_NO_TIME ||
		     sqlite3_column_int64(st, 2) < first))
			first = sqlite3_column_int64(st, 2);
		places_decode(&pl, sqlite3_column_blob(st, 3),
			      (size_t)sqlite3_column_bytes(st, 3));
	}
	sqlite3_finalize(st);
	return rc;
}

int
sq_table_each(struct ocop_store *base, const struct store_table *t,
	      store_row_cb cb, void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st = NULL;
	struct store_row row;
	char sql[512], first[64];
	int rc = 0, step;

	if (is_label_scans(t))
		return label_scans_each(s, cb, ctx, err);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(t->cols, ","),
		 t->cols);
	snprintf(sql, sizeof(sql), "SELECT %s FROM \"%s\" ORDER BY %s", t->cols,
		 t->name, first);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = sq_error(s, err, "cannot read table");
		ocop_error_prefix(err, "'%s'", t->name);
		return strstr(err ? err->msg : "", "no such table")
			   ? OCOP_ENOENT
			   : rc;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row.n = (size_t)sqlite3_column_count(st);
		if (row.n > STORE_MAX_COLS)
			row.n = STORE_MAX_COLS;
		for (size_t i = 0; i < row.n; i++)
			value_of(st, (int)i, &row.v[i]);
		if ((rc = cb(ctx, &row)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sq_error(s, err, "cannot read table");
	sqlite3_finalize(st);
	return rc;
}

int
sq_load_begin(struct ocop_store *base, const struct store_table *t,
	      struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	const char *name = is_label_scans(t) ? "label_scan_stats" : t->name;
	char sql[640];
	size_t len;
	int n = 1;

	for (const char *c = t->cols; *c; c++)
		n += *c == ',';
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", name);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		int rc = sq_error(s, err, "cannot empty table");

		ocop_error_prefix(err, "'%s'", name);
		return rc;
	}
	len = (size_t)snprintf(sql, sizeof(sql),
			       "INSERT INTO \"%s\" (%s) VALUES (?", name,
			       t->cols);
	for (int i = 1; i < n && len + 4 < sizeof(sql); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", ?");
	snprintf(sql + len, sizeof(sql) - len, ")");
	sqlite3_finalize(s->load);
	s->load = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &s->load, NULL) != SQLITE_OK) {
		int rc = sq_error(s, err, "cannot load table");

		ocop_error_prefix(err, "'%s'", t->name);
		return rc;
	}
	return 0;
}

int
sq_load_row(struct ocop_store *base, const struct store_row *row,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st = s->load;

	for (size_t i = 0; i < row->n; i++) {
		const struct store_value *v = &row->v[i];
		int k = (int)i + 1;

		switch (v->type) {
		case STORE_INT:
			sqlite3_bind_int64(st, k, v->i);
			break;
		case STORE_REAL:
			sqlite3_bind_double(st, k, v->r);
			break;
		case STORE_TEXT:
			sqlite3_bind_text(st, k, v->p, (int)v->len,
					  SQLITE_STATIC);
			break;
		case STORE_BLOB:
			sqlite3_bind_blob(st, k, v->p, (int)v->len,
					  SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, k);
		}
	}
	return sq_step_done(s, st, "cannot load row", err);
}

int
sq_load_end(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	(void)err;
	sqlite3_finalize(s->load);
	s->load = NULL;
	return 0;
}

/* Ids are the rows' own (INTEGER PRIMARY KEY): nothing to move on. */
int
sq_load_finish(struct ocop_store *base, struct ocop_error *err)
{
	(void)base;
	(void)err;
	return 0;
}
