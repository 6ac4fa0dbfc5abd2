/*
 * store_sqlite_registry.c - the registry methods of the SQLite engine:
 * producers, products, and the appended history of recognitions,
 * extensions and revocations.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_sqlite.h"

enum {
	SQ_PRODUCER_FIND = SQ_REGISTRY_FIRST,
	SQ_PRODUCER_ADD,
	SQ_PRODUCER_BY_REG_NO,
	SQ_PRODUCER_UPDATE,
	SQ_PRODUCT_FIND,
	SQ_PRODUCT_ADD,
	SQ_PRODUCT_UPDATE,
	SQ_PRODUCT_GET,
	SQ_PRODUCT_GET_BY_ID,
	SQ_PRODUCT_GET_BY_GTIN,
	SQ_PRODUCT_EACH,
	SQ_PRODUCT_PAGE,
	SQ_PRODUCT_TOTAL,
	SQ_PRODUCT_COUNTS,
	SQ_REC_FIND,
	SQ_REC_ADD,
	SQ_REC_EXISTS,
	SQ_REC_SET_SOURCE,
	SQ_EXT_ADD,
	SQ_REV_FIND,
	SQ_REV_ADD,
	SQ_HISTORY_RECS,
	SQ_HISTORY_REVS,
	SQ_REGISTRY_END
};

_Static_assert((int)SQ_REGISTRY_END <= (int)SQ_LABELS_FIRST,
	       "registry statements overflow their slots");

/* The producer with a registration number (its id, name and kind): 1,
 * or 0 when none has it (*id unset). */
static int
producer_by_reg_no(struct sq_store *s, const char *reg_no, int64_t *id,
		   struct ocop_producer *old, struct ocop_error *err)
{
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_PRODUCER_BY_REG_NO,
		     "SELECT id, name, kind FROM producers WHERE reg_no = ?");
	sq_bind_text(st, 1, reg_no);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sq_col_text(st, 1, old->name, sizeof(old->name));
		sq_col_text(st, 2, old->kind, sizeof(old->kind));
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read producer");
	return 0;
}

/* Write p's name, kind and registration number over producer id (its
 * latest decision's words). Its place stays where it was first recorded:
 * one with a registration number has products at several places, each
 * keeping its own. */
static int
producer_update(struct sq_store *s, const struct ocop_producer *p,
		struct ocop_error *err)
{
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_PRODUCER_UPDATE,
		     "UPDATE producers SET name = ?, kind = ?, reg_no = ? "
		     "WHERE id = ?");
	sq_bind_text(st, 1, p->name);
	sq_bind_text(st, 2, p->kind);
	sq_bind_text_or_null(st, 3, p->reg_no);
	sqlite3_bind_int64(st, 4, p->id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return ocop_error_set(err, OCOP_EEXIST,
				      "producer '%s' at '%s' is already "
				      "recorded as another producer",
				      p->name, p->address);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot update producer");
	return 0;
}

/*
 * Find the producer or add it. One with a registration number is found
 * by it (and takes the row's name and kind); else, or when none has it
 * yet, by name and a place: its own or one of its products' (so that a
 * row without the number finds the producer that a row with it placed
 * there). Its kind is updated, and the number given.
 */
static int
producer_put(struct sq_store *s, struct ocop_producer *p, int *changed,
	     struct ocop_error *err)
{
	struct ocop_producer old;
	sqlite3_stmt *st;
	char kind[sizeof(p->kind)], reg_no[sizeof(p->reg_no)];
	int rc;

	if (p->reg_no[0]) {
		memset(&old, 0, sizeof(old));
		rc = producer_by_reg_no(s, p->reg_no, &p->id, &old, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (strcmp(old.name, p->name) == 0 &&
			    strcmp(old.kind, p->kind) == 0)
				return 0;
			*changed = 1;
			return producer_update(s, p, err);
		}
	}
	STMT_OR_FAIL(
	    st, SQ_PRODUCER_FIND,
	    "SELECT 0, id, kind, coalesce(reg_no, '') FROM producers "
	    "WHERE name = ?1 AND province = ?2 AND address = ?3 "
	    "UNION ALL SELECT 1, c.id, c.kind, coalesce(c.reg_no, '') "
	    "FROM producers c JOIN products p ON p.producer_id = c.id "
	    "WHERE c.name = ?1 AND c.reg_no IS NOT NULL "
	    "AND p.province = ?2 AND p.address = ?3 ORDER BY 1, 2 LIMIT 1");
	sq_bind_text(st, 1, p->name);
	sq_bind_text(st, 2, p->province);
	sq_bind_text(st, 3, p->address);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 1);
		sq_col_text(st, 2, kind, sizeof(kind));
		sq_col_text(st, 3, reg_no, sizeof(reg_no));
		sqlite3_reset(st);
		if (p->reg_no[0] && reg_no[0])
			return ocop_error_set(
			    err, OCOP_EEXIST,
			    "producer '%s' at '%s' is recorded with "
			    "producer_id '%s', not '%s'",
			    p->name, p->address, reg_no, p->reg_no);
		if (!p->reg_no[0])
			ocop_strlcpy(p->reg_no, reg_no, sizeof(p->reg_no));
		if (strcmp(kind, p->kind) == 0 &&
		    strcmp(reg_no, p->reg_no) == 0)
			return 0;
		*changed = 1;
		return producer_update(s, p, err);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read producer");
	STMT_OR_FAIL(st, SQ_PRODUCER_ADD,
		     "INSERT INTO producers (name, kind, province, address, "
		     "reg_no) VALUES (?, ?, ?, ?, ?)");
	sq_bind_text(st, 1, p->name);
	sq_bind_text(st, 2, p->kind);
	sq_bind_text(st, 3, p->province);
	sq_bind_text(st, 4, p->address);
	sq_bind_text_or_null(st, 5, p->reg_no);
	if ((rc = sq_step_done(s, st, "cannot add producer", err)) < 0)
		return rc;
	p->id = sqlite3_last_insert_rowid(s->db);
	*changed = 1;
	return 0;
}

int
sq_product_put(struct ocop_store *base, struct ocop_product *p, int *changed,
	       struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char name[sizeof(p->name)], grp[sizeof(p->group)],
	    gtin[sizeof(p->gtin)], province[sizeof(p->producer.province)],
	    address[sizeof(p->producer.address)];
	int64_t producer_id;
	int rc, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if ((rc = producer_put(s, &p->producer, changed, err)) < 0)
		return rc;
	STMT_OR_FAIL(st, SQ_PRODUCT_FIND,
		     "SELECT id, name, grp, gtin, producer_id, "
		     "coalesce(province, ''), coalesce(address, '') "
		     "FROM products WHERE code = ?");
	sq_bind_text(st, 1, p->code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		sq_col_text(st, 1, name, sizeof(name));
		sq_col_text(st, 2, grp, sizeof(grp));
		sq_col_text(st, 3, gtin, sizeof(gtin));
		producer_id = sqlite3_column_int64(st, 4);
		sq_col_text(st, 5, province, sizeof(province));
		sq_col_text(st, 6, address, sizeof(address));
		sqlite3_reset(st);
		if (strcmp(name, p->name) == 0 && strcmp(grp, p->group) == 0 &&
		    strcmp(gtin, p->gtin) == 0 &&
		    producer_id == p->producer.id &&
		    strcmp(province, p->producer.province) == 0 &&
		    strcmp(address, p->producer.address) == 0)
			return 0;
		STMT_OR_FAIL(st, SQ_PRODUCT_UPDATE,
			     "UPDATE products SET name = ?, grp = ?, gtin = ?, "
			     "producer_id = ?, province = ?, address = ? "
			     "WHERE id = ?");
		sq_bind_text(st, 1, p->name);
		sq_bind_text(st, 2, p->group);
		sq_bind_text_or_null(st, 3, p->gtin);
		sqlite3_bind_int64(st, 4, p->producer.id);
		sq_bind_text(st, 5, p->producer.province);
		sq_bind_text(st, 6, p->producer.address);
		sqlite3_bind_int64(st, 7, p->id);
		*changed = 1;
		return sq_step_done(s, st, "cannot update product", err);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read product");
	STMT_OR_FAIL(
	    st, SQ_PRODUCT_ADD,
	    "INSERT INTO products (code, name, grp, gtin, producer_id, "
	    "province, address) VALUES (?, ?, ?, ?, ?, ?, ?)");
	sq_bind_text(st, 1, p->code);
	sq_bind_text(st, 2, p->name);
	sq_bind_text(st, 3, p->group);
	sq_bind_text_or_null(st, 4, p->gtin);
	sqlite3_bind_int64(st, 5, p->producer.id);
	sq_bind_text(st, 6, p->producer.province);
	sq_bind_text(st, 7, p->producer.address);
	if ((rc = sq_step_done(s, st, "cannot add product", err)) < 0)
		return rc;
	p->id = sqlite3_last_insert_rowid(s->db);
	*changed = 1;
	return 0;
}

#define PRODUCT_COLS                                                           \
	"p.id, p.code, p.name, p.grp, p.gtin, c.id, c.name, c.kind, "          \
	"coalesce(p.province, c.province), coalesce(p.address, c.address), "   \
	"coalesce(c.reg_no, '') FROM products p "                              \
	"JOIN producers c ON c.id = p.producer_id "

static void
product_from_row(sqlite3_stmt *st, struct ocop_product *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, p->code, sizeof(p->code));
	sq_col_text(st, 2, p->name, sizeof(p->name));
	sq_col_text(st, 3, p->group, sizeof(p->group));
	sq_col_text(st, 4, p->gtin, sizeof(p->gtin));
	p->producer.id = sqlite3_column_int64(st, 5);
	sq_col_text(st, 6, p->producer.name, sizeof(p->producer.name));
	sq_col_text(st, 7, p->producer.kind, sizeof(p->producer.kind));
	sq_col_text(st, 8, p->producer.province, sizeof(p->producer.province));
	sq_col_text(st, 9, p->producer.address, sizeof(p->producer.address));
	sq_col_text(st, 10, p->producer.reg_no, sizeof(p->producer.reg_no));
}

/* Step a bound product query: one row into out, or OCOP_ENOENT. */
static int
product_one(struct sq_store *s, sqlite3_stmt *st, struct ocop_product *out,
	    const char *what, struct ocop_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		product_from_row(st, out);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read product");
	return ocop_error_set(err, OCOP_ENOENT, "unknown product %s", what);
}

int
sq_product_get(struct ocop_store *base, const char *code,
	       struct ocop_product *out, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char what[96];

	STMT_OR_FAIL(st, SQ_PRODUCT_GET,
		     "SELECT " PRODUCT_COLS "WHERE p.code = ?");
	sq_bind_text(st, 1, code);
	snprintf(what, sizeof(what), "'%.80s'", code);
	return product_one(s, st, out, what, err);
}

int
sq_product_get_by_id(struct ocop_store *base, int64_t id,
		     struct ocop_product *out, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char what[48];

	STMT_OR_FAIL(st, SQ_PRODUCT_GET_BY_ID,
		     "SELECT " PRODUCT_COLS "WHERE p.id = ?");
	sqlite3_bind_int64(st, 1, id);
	snprintf(what, sizeof(what), "id %lld", (long long)id);
	return product_one(s, st, out, what, err);
}

int
sq_product_get_by_gtin(struct ocop_store *base, const char *gtin14,
		       struct ocop_product *out, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char what[48];

	STMT_OR_FAIL(st, SQ_PRODUCT_GET_BY_GTIN,
		     "SELECT " PRODUCT_COLS "WHERE p.gtin = ?");
	sq_bind_text(st, 1, gtin14);
	snprintf(what, sizeof(what), "with GTIN '%.14s'", gtin14);
	return product_one(s, st, out, what, err);
}

/* Each product of the statement's rows to cb; the statement is reset. */
static int
product_rows(struct sq_store *s, sqlite3_stmt *st, store_product_cb cb,
	     void *ctx, struct ocop_error *err)
{
	struct ocop_product p;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		product_from_row(st, &p);
		if ((rc = cb(ctx, &p)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot list products");
	return 0;
}

int
sq_product_each(struct ocop_store *base, store_product_cb cb, void *ctx,
		struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_PRODUCT_EACH,
		     "SELECT " PRODUCT_COLS "ORDER BY p.code");
	return product_rows(s, st, cb, ctx, err);
}

int
sq_product_page(struct ocop_store *base, int64_t producer_id, const char *q,
		int64_t offset, int limit, store_product_cb cb, void *ctx,
		int64_t *total, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char pattern[2 * sizeof(((struct ocop_product *)0)->name) + 3];
	int rc;

	/* LIKE matches ASCII letters without regard to case, as the
	 * search always has */
#define PAGE_WHERE                                                             \
	"WHERE (?1 = 0 OR p.producer_id = ?1) AND (?2 IS NULL"                 \
	" OR p.code LIKE ?2 ESCAPE '\\' OR p.name LIKE ?2 ESCAPE '\\') "
	STMT_OR_FAIL(st, SQ_PRODUCT_TOTAL,
		     "SELECT count(*) FROM products p " PAGE_WHERE);
	sqlite3_bind_int64(st, 1, producer_id);
	if (q && *q) {
		store_like_pattern(q, pattern, sizeof(pattern));
		sq_bind_text(st, 2, pattern);
	}
	rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return sq_error(s, err, "cannot count products");
	STMT_OR_FAIL(st, SQ_PRODUCT_PAGE,
		     "SELECT " PRODUCT_COLS PAGE_WHERE
		     "ORDER BY p.code LIMIT ?3 OFFSET ?4");
#undef PAGE_WHERE
	sqlite3_bind_int64(st, 1, producer_id);
	if (q && *q)
		sq_bind_text(st, 2, pattern);
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_int64(st, 4, offset);
	return product_rows(s, st, cb, ctx, err);
}

int
sq_product_counts(struct ocop_store *base, const int64_t *ids,
		  const int64_t *since, const int64_t *late_since, size_t n,
		  int64_t *issued, int64_t *scans, int64_t *late,
		  struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct ocop_buf want;
	sqlite3_stmt *st;
	size_t i = 0;
	int rc;

	assert(n <= STORE_COUNTS_MAX);
	if (n == 0)
		return 0;
	/* the products as one JSON array of [id, since, late_since]: one
	 * statement whatever their number. A batch's count is the number of
	 * its labels (stored together, never deleted), so the labels are
	 * counted over the batches' index, and the scans over the ranges of
	 * scans_product that the times give (counted in the index: faster
	 * here than one pass grouped). */
	STMT_OR_FAIL(st, SQ_PRODUCT_COUNTS,
		     "SELECT w.key,"
		     " (SELECT coalesce(sum(b.count), 0) FROM batches b"
		     " WHERE b.product_id = w.value ->> 0),"
		     " (SELECT count(*) FROM scans s"
		     " WHERE s.product_id = w.value ->> 0"
		     " AND s.scanned_at >= w.value ->> 1),"
		     " (SELECT count(*) FROM scans s"
		     " WHERE s.product_id = w.value ->> 0"
		     " AND s.scanned_at >= max(w.value ->> 1, w.value ->> 2))"
		     " FROM json_each(?1) w ORDER BY w.key");
	ocop_buf_init(&want, 80 * STORE_COUNTS_MAX);
	for (size_t k = 0; k < n; k++)
		ocop_buf_addf(&want, "%s[%lld,%lld,%lld]", k ? "," : "[",
			      (long long)ids[k], (long long)since[k],
			      (long long)late_since[k]);
	ocop_buf_adds(&want, "]");
	sqlite3_bind_text(st, 1, want.data, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < n) {
		issued[i] = sqlite3_column_int64(st, 1);
		scans[i] = sqlite3_column_int64(st, 2);
		late[i] = sqlite3_column_int64(st, 3);
		i++;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	ocop_buf_release(&want);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_error(s, err, "cannot count labels and scans");
	if (i != n)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "counted %zu products of %zu", i, n);
	return 0;
}

int
sq_recognition_add(struct ocop_store *base, int64_t product_id,
		   struct ocop_recognition *r, int *changed,
		   struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char issuer[sizeof(r->issuer)], source[sizeof(r->source)];
	int32_t decided_on, valid_from, valid_until;
	int64_t id;
	int stars, rc, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (r->valid_from == OCOP_NO_DAY)
		r->valid_from = r->decided_on;
	if (r->valid_until == OCOP_NO_DAY)
		r->valid_until = ocop_default_valid_until(r->valid_from);

	STMT_OR_FAIL(st, SQ_REC_FIND,
		     "SELECT id, stars, decided_on, issuer, valid_from, "
		     "valid_until, source FROM recognitions "
		     "WHERE product_id = ? AND decision_no = ?");
	sqlite3_bind_int64(st, 1, product_id);
	sq_bind_text(st, 2, r->decision_no);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		stars = sqlite3_column_int(st, 1);
		decided_on = sq_col_day(st, 2);
		sq_col_text(st, 3, issuer, sizeof(issuer));
		valid_from = sq_col_day(st, 4);
		valid_until = sq_col_day(st, 5);
		sq_col_text(st, 6, source, sizeof(source));
		sqlite3_reset(st);
		if (stars != r->stars || decided_on != r->decided_on ||
		    strcmp(issuer, r->issuer) != 0 ||
		    valid_from != r->valid_from ||
		    valid_until != r->valid_until) {
			char d[11], u[11];

			return ocop_error_set(
			    err, OCOP_EEXIST,
			    "decision '%s' is already recorded for this "
			    "product with other content (%d stars, "
			    "decided on %s, valid until %s)",
			    r->decision_no, stars,
			    ocop_day_format(decided_on, d),
			    ocop_day_format(valid_until, u));
		}
		r->id = id;
		/* where the decision was published is not part of it: a
		 * source given replaces the one recorded, none keeps it */
		if (!r->source[0] || strcmp(source, r->source) == 0) {
			ocop_strlcpy(r->source, source, sizeof(r->source));
			return 0;
		}
		STMT_OR_FAIL(st, SQ_REC_SET_SOURCE,
			     "UPDATE recognitions SET source = ? WHERE id = ?");
		sq_bind_text(st, 1, r->source);
		sqlite3_bind_int64(st, 2, id);
		*changed = 1;
		return sq_step_done(s, st, "cannot update recognition", err);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read recognition");

	STMT_OR_FAIL(
	    st, SQ_REC_ADD,
	    "INSERT INTO recognitions (product_id, stars, decision_no, "
	    "decided_on, issuer, valid_from, valid_until, recorded_at, "
	    "source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, product_id);
	sqlite3_bind_int(st, 2, r->stars);
	sq_bind_text(st, 3, r->decision_no);
	sq_bind_day(st, 4, r->decided_on);
	sq_bind_text(st, 5, r->issuer);
	sq_bind_day(st, 6, r->valid_from);
	sq_bind_day(st, 7, r->valid_until);
	sq_bind_time(st, 8, ocop_now());
	sq_bind_text(st, 9, r->source);
	if ((rc = sq_step_done(s, st, "cannot add recognition", err)) < 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(s->db);
	*changed = 1;
	return 0;
}

int
sq_extension_add(struct ocop_store *base, int64_t rec_id, int32_t until,
		 const char *decision_no, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_REC_EXISTS,
		     "SELECT 1 FROM recognitions WHERE id = ?");
	sqlite3_bind_int64(st, 1, rec_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return ocop_error_set(err, OCOP_ENOENT,
				      "unknown recognition id %lld",
				      (long long)rec_id);
	if (rc != SQLITE_ROW)
		return sq_error(s, err, "cannot read recognition");
	if (until == OCOP_NO_DAY)
		return ocop_error_set(err, OCOP_EINVAL,
				      "an extension needs an end date");

	STMT_OR_FAIL(st, SQ_EXT_ADD,
		     "INSERT INTO extensions (recognition_id, extended_until, "
		     "decision_no, recorded_at) VALUES (?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, rec_id);
	sq_bind_day(st, 2, until);
	sq_bind_text(st, 3, decision_no ? decision_no : "");
	sq_bind_time(st, 4, ocop_now());
	return sq_step_done(s, st, "cannot add extension", err);
}

int
sq_revocation_add(struct ocop_store *base, int64_t product_id,
		  struct ocop_revocation *r, int *changed,
		  struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	char ground[16], note[sizeof(r->note)];
	const char *gname = ocop_ground_name(r->ground);
	int32_t revoked_on;
	int64_t id;
	int rc, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (!gname)
		return ocop_error_set(err, OCOP_EINVAL,
				      "revocation '%s' has no ground",
				      r->decision_no);

	STMT_OR_FAIL(st, SQ_REV_FIND,
		     "SELECT id, revoked_on, ground, note FROM revocations "
		     "WHERE product_id = ? AND decision_no = ?");
	sqlite3_bind_int64(st, 1, product_id);
	sq_bind_text(st, 2, r->decision_no);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		revoked_on = sq_col_day(st, 1);
		sq_col_text(st, 2, ground, sizeof(ground));
		sq_col_text(st, 3, note, sizeof(note));
		sqlite3_reset(st);
		if (revoked_on != r->revoked_on || strcmp(ground, gname) != 0 ||
		    strcmp(note, r->note) != 0) {
			char d[11];

			return ocop_error_set(
			    err, OCOP_EEXIST,
			    "revocation '%s' is already recorded for this "
			    "product with other content (revoked on %s, "
			    "ground %s)",
			    r->decision_no, ocop_day_format(revoked_on, d),
			    ground);
		}
		r->id = id;
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot read revocation");

	STMT_OR_FAIL(st, SQ_REV_ADD,
		     "INSERT INTO revocations (product_id, decision_no, "
		     "revoked_on, ground, note, recorded_at) "
		     "VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, product_id);
	sq_bind_text(st, 2, r->decision_no);
	sq_bind_day(st, 3, r->revoked_on);
	sq_bind_text(st, 4, gname);
	sq_bind_text(st, 5, r->note);
	sq_bind_time(st, 6, ocop_now());
	if ((rc = sq_step_done(s, st, "cannot add revocation", err)) < 0)
		return rc;
	r->id = sqlite3_last_insert_rowid(s->db);
	*changed = 1;
	return 0;
}

int
sq_history_read(struct ocop_store *base, int64_t product_id,
		struct ocop_history *h, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	struct ocop_recognition r;
	struct ocop_revocation v;
	char ground[16];
	int rc;

	ocop_history_release(h);
	/* the latest appended extension of a recognition is in effect */
	STMT_OR_FAIL(st, SQ_HISTORY_RECS,
		     "SELECT r.id, r.stars, r.decision_no, r.decided_on, "
		     "r.issuer, r.valid_from, r.valid_until, "
		     "x.extended_until, coalesce(x.decision_no, ''), "
		     "r.source FROM recognitions r "
		     "LEFT JOIN extensions x ON x.id = "
		     "(SELECT e.id FROM extensions e "
		     " WHERE e.recognition_id = r.id "
		     " ORDER BY e.id DESC LIMIT 1) "
		     "WHERE r.product_id = ? "
		     "ORDER BY r.valid_from, r.decided_on, r.id");
	sqlite3_bind_int64(st, 1, product_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.stars = sqlite3_column_int(st, 1);
		sq_col_text(st, 2, r.decision_no, sizeof(r.decision_no));
		r.decided_on = sq_col_day(st, 3);
		sq_col_text(st, 4, r.issuer, sizeof(r.issuer));
		r.valid_from = sq_col_day(st, 5);
		r.valid_until = sq_col_day(st, 6);
		r.extended_until = sq_col_day(st, 7);
		sq_col_text(st, 8, r.ext_decision_no,
			    sizeof(r.ext_decision_no));
		sq_col_text(st, 9, r.source, sizeof(r.source));
		r.end = r.valid_until;
		r.revoked_on = OCOP_NO_DAY;
		ocop_history_add_recognition(h, &r);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto out_fail;

	STMT_OR_FAIL(st, SQ_HISTORY_REVS,
		     "SELECT id, decision_no, revoked_on, ground, note "
		     "FROM revocations WHERE product_id = ? "
		     "ORDER BY revoked_on, id");
	sqlite3_bind_int64(st, 1, product_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		v.id = sqlite3_column_int64(st, 0);
		sq_col_text(st, 1, v.decision_no, sizeof(v.decision_no));
		v.revoked_on = sq_col_day(st, 2);
		sq_col_text(st, 3, ground, sizeof(ground));
		if (ocop_ground_parse(ground, &v.ground) < 0)
			v.ground = OCOP_GROUND_E;
		sq_col_text(st, 4, v.note, sizeof(v.note));
		ocop_history_add_revocation(h, &v);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		goto out_fail;
	return 0;

out_fail:
	rc = sq_error(s, err, "cannot read product history");
	ocop_history_release(h);
	return rc;
}

/* Statements cost no round trip here: the products' histories one by
 * one, over the same cached statements. */
int
sq_history_read_many(struct ocop_store *base, const int64_t *ids, size_t n,
		     struct ocop_history *h, struct ocop_error *err)
{
	int rc = 0;

	assert(n <= STORE_COUNTS_MAX);
	for (size_t k = 0; k < n && rc == 0; k++)
		rc = sq_history_read(base, ids[k], &h[k], err);
	if (rc < 0)
		for (size_t k = 0; k < n; k++)
			ocop_history_release(&h[k]);
	return rc;
}
