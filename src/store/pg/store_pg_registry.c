/*
 * store_pg_registry.c - the registry methods of the PostgreSQL engine:
 * producers, products, and the appended history of recognitions,
 * extensions and revocations. Inserts meet the unique keys with
 * ON CONFLICT DO NOTHING, and a row another node added in between is then
 * read as if it had been there: no check-then-insert race.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "store_pg.h"

enum {
	PG_PRODUCER_FIND = PG_REGISTRY_FIRST,
	PG_PRODUCER_ADD,
	PG_PRODUCER_BY_REG_NO,
	PG_PRODUCER_UPDATE,
	PG_PRODUCT_FIND,
	PG_PRODUCT_ADD,
	PG_PRODUCT_UPDATE,
	PG_PRODUCT_GET,
	PG_PRODUCT_GET_BY_ID,
	PG_PRODUCT_GET_BY_GTIN,
	PG_PRODUCT_EACH,
	PG_PRODUCT_TOTAL,
	PG_PRODUCT_PAGE,
	PG_PRODUCT_COUNTS,
	PG_REC_FIND,
	PG_REC_ADD,
	PG_REC_EXISTS,
	PG_REC_SET_SOURCE,
	PG_EXT_ADD,
	PG_REV_FIND,
	PG_REV_ADD,
	PG_HISTORY_RECS,
	PG_HISTORY_REVS,
	PG_HISTORY_RECS_MANY,
	PG_HISTORY_REVS_MANY,
	PG_REGISTRY_END
};

_Static_assert((int)PG_REGISTRY_END <= (int)PG_LABELS_FIRST,
	       "registry statements overflow their slots");

/* As the SQLite engine: name, kind and number; the place stays. */
static int
producer_update(struct pg_store *s, const struct ocop_producer *p,
		struct ocop_error *err)
{
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, p->name);
	pp_text(&q, p->kind);
	pp_text_or_null(&q, p->reg_no);
	pp_int(&q, p->id);
	res = pg_exec(s, PG_PRODUCER_UPDATE,
		      "UPDATE producers SET name = $1, kind = $2, reg_no = $3 "
		      "WHERE id = $4",
		      &q, "cannot update producer", err);
	if (!res) {
		if (err && err->code == OCOP_EEXIST)
			return ocop_error_set(
			    err, OCOP_EEXIST,
			    "producer '%s' at '%s' is already "
			    "recorded as another producer",
			    p->name, p->address);
		return err ? err->code : OCOP_EINTERNAL;
	}
	PQclear(res);
	return 0;
}

/* As the SQLite engine: by registration number first, else by name and
 * a place (its own or one of its products'); added when neither finds it. */
static int
producer_put(struct pg_store *s, struct ocop_producer *p, int *changed,
	     struct ocop_error *err)
{
	PGresult *res;
	char kind[sizeof(p->kind)], reg_no[sizeof(p->reg_no)];

	for (int attempt = 0; attempt < 2; attempt++) {
		struct pg_params q = {0};

		if (p->reg_no[0]) {
			struct ocop_producer old;

			pp_text(&q, p->reg_no);
			PG_OR_FAIL(res, PG_PRODUCER_BY_REG_NO,
				   "SELECT id, name, kind FROM producers "
				   "WHERE reg_no = $1",
				   &q, "cannot read producer");
			if (PQntuples(res) > 0) {
				memset(&old, 0, sizeof(old));
				p->id = pg_col_int(res, 0, 0);
				pg_col_text(res, 0, 1, old.name,
					    sizeof(old.name));
				pg_col_text(res, 0, 2, old.kind,
					    sizeof(old.kind));
				PQclear(res);
				if (strcmp(old.name, p->name) == 0 &&
				    strcmp(old.kind, p->kind) == 0)
					return 0;
				*changed = 1;
				return producer_update(s, p, err);
			}
			PQclear(res);
			memset(&q, 0, sizeof(q));
		}
		pp_text(&q, p->name);
		pp_text(&q, p->province);
		pp_text(&q, p->address);
		PG_OR_FAIL(
		    res, PG_PRODUCER_FIND,
		    "SELECT 0, id, kind, coalesce(reg_no, '') FROM producers "
		    "WHERE name = $1 AND province = $2 AND address = $3 "
		    "UNION ALL SELECT 1, c.id, c.kind, coalesce(c.reg_no, '') "
		    "FROM producers c JOIN products p ON p.producer_id = c.id "
		    "WHERE c.name = $1 AND c.reg_no IS NOT NULL "
		    "AND p.province = $2 AND p.address = $3 "
		    "ORDER BY 1, 2 LIMIT 1",
		    &q, "cannot read producer");
		if (PQntuples(res) > 0) {
			p->id = pg_col_int(res, 0, 1);
			pg_col_text(res, 0, 2, kind, sizeof(kind));
			pg_col_text(res, 0, 3, reg_no, sizeof(reg_no));
			PQclear(res);
			if (p->reg_no[0] && reg_no[0])
				return ocop_error_set(
				    err, OCOP_EEXIST,
				    "producer '%s' at '%s' is recorded with "
				    "producer_id '%s', not '%s'",
				    p->name, p->address, reg_no, p->reg_no);
			if (!p->reg_no[0])
				ocop_strlcpy(p->reg_no, reg_no,
					     sizeof(p->reg_no));
			if (strcmp(kind, p->kind) == 0 &&
			    strcmp(reg_no, p->reg_no) == 0)
				return 0;
			*changed = 1;
			return producer_update(s, p, err);
		}
		PQclear(res);
		memset(&q, 0, sizeof(q));
		pp_text(&q, p->name);
		pp_text(&q, p->kind);
		pp_text(&q, p->province);
		pp_text(&q, p->address);
		pp_text_or_null(&q, p->reg_no);
		PG_OR_FAIL(res, PG_PRODUCER_ADD,
			   "INSERT INTO producers (name, kind, province, "
			   "address, reg_no) VALUES ($1, $2, $3, $4, $5) "
			   "ON CONFLICT DO NOTHING RETURNING id",
			   &q, "cannot add producer");
		if (PQntuples(res) > 0) {
			p->id = pg_col_int(res, 0, 0);
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res); /* added meanwhile by another: read it */
	}
	return ocop_error_set(err, OCOP_EEXIST,
			      "producer '%s' at '%s' changed while it was "
			      "being recorded: try again",
			      p->name, p->address);
}

static void
product_params(struct pg_params *q, const struct ocop_product *p)
{
	pp_text(q, p->name);
	pp_text(q, p->group);
	pp_text_or_null(q, p->gtin);
	pp_int(q, p->producer.id);
	pp_text(q, p->producer.province);
	pp_text(q, p->producer.address);
}

int
pg_product_put(struct ocop_store *base, struct ocop_product *p, int *changed,
	       struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
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
	for (int attempt = 0; attempt < 2; attempt++) {
		struct pg_params q = {0};

		pp_text(&q, p->code);
		PG_OR_FAIL(
		    res, PG_PRODUCT_FIND,
		    "SELECT id, name, grp, coalesce(gtin, ''), "
		    "producer_id, coalesce(province, ''), "
		    "coalesce(address, '') FROM products WHERE code = $1",
		    &q, "cannot read product");
		if (PQntuples(res) > 0) {
			p->id = pg_col_int(res, 0, 0);
			pg_col_text(res, 0, 1, name, sizeof(name));
			pg_col_text(res, 0, 2, grp, sizeof(grp));
			pg_col_text(res, 0, 3, gtin, sizeof(gtin));
			producer_id = pg_col_int(res, 0, 4);
			pg_col_text(res, 0, 5, province, sizeof(province));
			pg_col_text(res, 0, 6, address, sizeof(address));
			PQclear(res);
			if (strcmp(name, p->name) == 0 &&
			    strcmp(grp, p->group) == 0 &&
			    strcmp(gtin, p->gtin) == 0 &&
			    producer_id == p->producer.id &&
			    strcmp(province, p->producer.province) == 0 &&
			    strcmp(address, p->producer.address) == 0)
				return 0;
			memset(&q, 0, sizeof(q));
			product_params(&q, p);
			pp_int(&q, p->id);
			PG_OR_FAIL(
			    res, PG_PRODUCT_UPDATE,
			    "UPDATE products SET name = $1, grp = $2, "
			    "gtin = $3, producer_id = $4, province = $5, "
			    "address = $6 WHERE id = $7",
			    &q, "cannot update product");
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res);
		memset(&q, 0, sizeof(q));
		product_params(&q, p);
		pp_text(&q, p->code);
		PG_OR_FAIL(
		    res, PG_PRODUCT_ADD,
		    "INSERT INTO products (name, grp, gtin, producer_id, "
		    "province, address, code) "
		    "VALUES ($1, $2, $3, $4, $5, $6, $7) "
		    "ON CONFLICT (code) DO NOTHING RETURNING id",
		    &q, "cannot add product");
		if (PQntuples(res) > 0) {
			p->id = pg_col_int(res, 0, 0);
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res);
	}
	return ocop_error_set(err, OCOP_EEXIST,
			      "product '%s' changed while it was being "
			      "recorded: try again",
			      p->code);
}

#define PRODUCT_FIELDS                                                         \
	"p.id, p.code, p.name, p.grp, p.gtin, c.id, c.name, c.kind, "          \
	"coalesce(p.province, c.province), coalesce(p.address, c.address), "   \
	"coalesce(c.reg_no, '') "
#define PRODUCT_COLS                                                           \
	PRODUCT_FIELDS                                                         \
	    "FROM products p JOIN producers c ON c.id = p.producer_id "

static void
product_from_row(const PGresult *res, int r, struct ocop_product *p)
{
	memset(p, 0, sizeof(*p));
	p->id = pg_col_int(res, r, 0);
	pg_col_text(res, r, 1, p->code, sizeof(p->code));
	pg_col_text(res, r, 2, p->name, sizeof(p->name));
	pg_col_text(res, r, 3, p->group, sizeof(p->group));
	pg_col_text(res, r, 4, p->gtin, sizeof(p->gtin));
	p->producer.id = pg_col_int(res, r, 5);
	pg_col_text(res, r, 6, p->producer.name, sizeof(p->producer.name));
	pg_col_text(res, r, 7, p->producer.kind, sizeof(p->producer.kind));
	pg_col_text(res, r, 8, p->producer.province,
		    sizeof(p->producer.province));
	pg_col_text(res, r, 9, p->producer.address,
		    sizeof(p->producer.address));
	pg_col_text(res, r, 10, p->producer.reg_no, sizeof(p->producer.reg_no));
}

static int
product_one(struct pg_store *s, int slot, const char *sql,
	    const struct pg_params *q, struct ocop_product *out,
	    const char *what, struct ocop_error *err)
{
	PGresult *res;

	PG_OR_FAIL(res, slot, sql, q, "cannot read product");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "unknown product %s",
				      what);
	}
	product_from_row(res, 0, out);
	PQclear(res);
	return 0;
}

int
pg_product_get(struct ocop_store *base, const char *code,
	       struct ocop_product *out, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	char what[96];

	pp_text(&q, code);
	snprintf(what, sizeof(what), "'%.80s'", code);
	return product_one(s, PG_PRODUCT_GET,
			   "SELECT " PRODUCT_COLS "WHERE p.code = $1", &q, out,
			   what, err);
}

int
pg_product_get_by_id(struct ocop_store *base, int64_t id,
		     struct ocop_product *out, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	char what[48];

	pp_int(&q, id);
	snprintf(what, sizeof(what), "id %lld", (long long)id);
	return product_one(s, PG_PRODUCT_GET_BY_ID,
			   "SELECT " PRODUCT_COLS "WHERE p.id = $1", &q, out,
			   what, err);
}

int
pg_product_get_by_gtin(struct ocop_store *base, const char *gtin14,
		       struct ocop_product *out, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	char what[48];

	pp_text(&q, gtin14);
	snprintf(what, sizeof(what), "with GTIN '%.14s'", gtin14);
	return product_one(s, PG_PRODUCT_GET_BY_GTIN,
			   "SELECT " PRODUCT_COLS "WHERE p.gtin = $1", &q, out,
			   what, err);
}

struct product_each {
	store_product_cb cb;
	void *ctx;
};

static int
product_row(void *ctx, const PGresult *res)
{
	struct product_each *e = ctx;
	struct ocop_product p;

	product_from_row(res, 0, &p);
	return e->cb(e->ctx, &p);
}

int
pg_product_each(struct ocop_store *base, store_product_cb cb, void *ctx,
		struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct product_each e = {cb, ctx};

	return pg_stream(s, PG_PRODUCT_EACH,
			 "SELECT " PRODUCT_COLS "ORDER BY p.code COLLATE \"C\"",
			 NULL, "cannot list products", product_row, &e, err);
}

/* As the SQLite engine: the order of the bytes, and LIKE on the text in
 * the "C" collation, where lower() folds ASCII letters only */
#define PAGE_WHERE                                                             \
	"WHERE ($1 = 0 OR p.producer_id = $1) AND ($2::text IS NULL"           \
	" OR lower(p.code COLLATE \"C\") LIKE lower($2 COLLATE \"C\")"         \
	" OR lower(p.name COLLATE \"C\") LIKE lower($2 COLLATE \"C\")) "

int
pg_product_page(struct ocop_store *base, int64_t producer_id, const char *q,
		int64_t offset, int limit, store_product_cb cb, void *ctx,
		int64_t *total, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct product_each e = {cb, ctx};
	struct pg_params p = {0};
	char pattern[2 * sizeof(((struct ocop_product *)0)->name) + 3];
	PGresult *res;

	*total = 0;
	pp_int(&p, producer_id);
	if (q && *q) {
		store_like_pattern(q, pattern, sizeof(pattern));
		pp_text(&p, pattern);
	} else
		pp_text_or_null(&p, NULL);
	PG_OR_FAIL(res, PG_PRODUCT_TOTAL,
		   "SELECT count(*) FROM products p " PAGE_WHERE, &p,
		   "cannot count products");
	*total = pg_col_int(res, 0, 0);
	PQclear(res);
	pp_int(&p, limit);
	pp_int(&p, offset);
	/* the page of products first, over products_code_c, then their
	 * producers: not a sort of the whole registry joined */
	return pg_stream(s, PG_PRODUCT_PAGE,
			 "SELECT " PRODUCT_FIELDS
			 "FROM (SELECT * FROM products p " PAGE_WHERE
			 "ORDER BY p.code COLLATE \"C\" LIMIT $3 OFFSET $4) p "
			 "JOIN producers c ON c.id = p.producer_id "
			 "ORDER BY p.code COLLATE \"C\"",
			 &p, "cannot list products", product_row, &e, err);
}
#undef PAGE_WHERE

int
pg_product_counts(struct ocop_store *base, const int64_t *ids,
		  const int64_t *since, const int64_t *late_since, size_t n,
		  int64_t *issued, int64_t *scans, int64_t *late,
		  struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params p = {0};
	struct ocop_buf a, b, c;
	PGresult *res;
	int rc = 0;

	assert(n <= STORE_COUNTS_MAX);
	if (n == 0)
		return 0;
	/* the products as three arrays: one round trip whatever their
	 * number. A batch's count is the number of its labels (stored
	 * together, never deleted): the labels are counted over the
	 * batches' index; the scans are the sums of the product's days
	 * from the first one asked (product_day_scans: ~30 rows a product
	 * for the last 30 days), the late ones of the days from late_since
	 * (NULL: none) */
	ocop_buf_init(&a, 32 * STORE_COUNTS_MAX);
	ocop_buf_init(&b, 32 * STORE_COUNTS_MAX);
	ocop_buf_init(&c, 32 * STORE_COUNTS_MAX);
	for (size_t k = 0; k < n; k++) {
		assert(since[k] == ocop_day_start(ocop_day_of(since[k])));
		assert(late_since[k] == INT64_MAX ||
		       late_since[k] ==
			   ocop_day_start(ocop_day_of(late_since[k])));
		ocop_buf_addf(&a, "%s%lld", k ? "," : "{", (long long)ids[k]);
		ocop_buf_addf(&b, "%s%d", k ? "," : "{",
			      (int)ocop_day_of(since[k]));
		if (late_since[k] == INT64_MAX)
			ocop_buf_adds(&c, k ? ",NULL" : "{NULL");
		else
			ocop_buf_addf(&c, "%s%d", k ? "," : "{",
				      (int)ocop_day_of(late_since[k]));
	}
	ocop_buf_adds(&a, "}");
	ocop_buf_adds(&b, "}");
	ocop_buf_adds(&c, "}");
	pp_text(&p, a.data);
	pp_text(&p, b.data);
	pp_text(&p, c.data);
	res = pg_exec(s, PG_PRODUCT_COUNTS,
		      "SELECT w.i,"
		      " (SELECT coalesce(sum(b.count), 0) FROM batches b"
		      " WHERE b.product_id = w.id), x.n, x.late"
		      " FROM unnest($1::bigint[], $2::int[], $3::int[])"
		      " WITH ORDINALITY AS w(id, since, late_since, i)"
		      " CROSS JOIN LATERAL (SELECT"
		      " coalesce(sum(d.count), 0)::bigint AS n,"
		      " coalesce(sum(d.count) FILTER"
		      " (WHERE d.day >= w.late_since), 0)::bigint AS late"
		      " FROM product_day_scans d WHERE d.product_id = w.id"
		      " AND d.day >= w.since) x"
		      " ORDER BY w.i",
		      &p, "cannot count labels and scans", err);
	if (!res) {
		rc = err ? err->code : OCOP_EINTERNAL;
		goto out;
	}
	if ((size_t)PQntuples(res) != n)
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "counted %d products of %zu",
				    PQntuples(res), n);
	for (size_t k = 0; rc == 0 && k < n; k++) {
		issued[k] = pg_col_int(res, (int)k, 1);
		scans[k] = pg_col_int(res, (int)k, 2);
		late[k] = pg_col_int(res, (int)k, 3);
	}
	PQclear(res);
out:
	ocop_buf_release(&a);
	ocop_buf_release(&b);
	ocop_buf_release(&c);
	return rc;
}

int
pg_recognition_add(struct ocop_store *base, int64_t product_id,
		   struct ocop_recognition *r, int *changed,
		   struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
	char issuer[sizeof(r->issuer)], source[sizeof(r->source)];
	int32_t decided_on, valid_from, valid_until;
	int64_t id;
	int stars, dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (r->valid_from == OCOP_NO_DAY)
		r->valid_from = r->decided_on;
	if (r->valid_until == OCOP_NO_DAY)
		r->valid_until = ocop_default_valid_until(r->valid_from);

	for (int attempt = 0; attempt < 2; attempt++) {
		struct pg_params q = {0};

		pp_int(&q, product_id);
		pp_text(&q, r->decision_no);
		PG_OR_FAIL(res, PG_REC_FIND,
			   "SELECT id, stars, decided_on, issuer, valid_from, "
			   "valid_until, source FROM recognitions "
			   "WHERE product_id = $1 AND decision_no = $2",
			   &q, "cannot read recognition");
		if (PQntuples(res) > 0) {
			id = pg_col_int(res, 0, 0);
			stars = (int)pg_col_int(res, 0, 1);
			decided_on = pg_col_day(res, 0, 2);
			pg_col_text(res, 0, 3, issuer, sizeof(issuer));
			valid_from = pg_col_day(res, 0, 4);
			valid_until = pg_col_day(res, 0, 5);
			pg_col_text(res, 0, 6, source, sizeof(source));
			PQclear(res);
			if (stars != r->stars || decided_on != r->decided_on ||
			    strcmp(issuer, r->issuer) != 0 ||
			    valid_from != r->valid_from ||
			    valid_until != r->valid_until) {
				char d[11], u[11];

				return ocop_error_set(
				    err, OCOP_EEXIST,
				    "decision '%s' is already recorded for "
				    "this product with other content (%d "
				    "stars, decided on %s, valid until %s)",
				    r->decision_no, stars,
				    ocop_day_format(decided_on, d),
				    ocop_day_format(valid_until, u));
			}
			r->id = id;
			if (!r->source[0] || strcmp(source, r->source) == 0) {
				ocop_strlcpy(r->source, source,
					     sizeof(r->source));
				return 0;
			}
			memset(&q, 0, sizeof(q));
			pp_text(&q, r->source);
			pp_int(&q, id);
			PG_OR_FAIL(res, PG_REC_SET_SOURCE,
				   "UPDATE recognitions SET source = $1 "
				   "WHERE id = $2",
				   &q, "cannot update recognition");
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res);
		memset(&q, 0, sizeof(q));
		pp_int(&q, product_id);
		pp_int(&q, r->stars);
		pp_text(&q, r->decision_no);
		pp_day(&q, r->decided_on);
		pp_text(&q, r->issuer);
		pp_day(&q, r->valid_from);
		pp_day(&q, r->valid_until);
		pp_int(&q, ocop_now());
		pp_text(&q, r->source);
		PG_OR_FAIL(res, PG_REC_ADD,
			   "INSERT INTO recognitions (product_id, stars, "
			   "decision_no, decided_on, issuer, valid_from, "
			   "valid_until, recorded_at, source) "
			   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
			   "ON CONFLICT (product_id, decision_no) DO NOTHING "
			   "RETURNING id",
			   &q, "cannot add recognition");
		if (PQntuples(res) > 0) {
			r->id = pg_col_int(res, 0, 0);
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res);
	}
	return ocop_error_set(err, OCOP_EEXIST,
			      "decision '%s' changed while it was being "
			      "recorded: try again",
			      r->decision_no);
}

int
pg_extension_add(struct ocop_store *base, int64_t rec_id, int32_t until,
		 const char *decision_no, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	int found;

	pp_int(&q, rec_id);
	PG_OR_FAIL(res, PG_REC_EXISTS,
		   "SELECT 1 FROM recognitions WHERE id = $1", &q,
		   "cannot read recognition");
	found = PQntuples(res) > 0;
	PQclear(res);
	if (!found)
		return ocop_error_set(err, OCOP_ENOENT,
				      "unknown recognition id %lld",
				      (long long)rec_id);
	if (until == OCOP_NO_DAY)
		return ocop_error_set(err, OCOP_EINVAL,
				      "an extension needs an end date");
	memset(&q, 0, sizeof(q));
	pp_int(&q, rec_id);
	pp_day(&q, until);
	pp_text(&q, decision_no ? decision_no : "");
	pp_int(&q, ocop_now());
	PG_OR_FAIL(res, PG_EXT_ADD,
		   "INSERT INTO extensions (recognition_id, extended_until, "
		   "decision_no, recorded_at) VALUES ($1, $2, $3, $4)",
		   &q, "cannot add extension");
	PQclear(res);
	return 0;
}

int
pg_revocation_add(struct ocop_store *base, int64_t product_id,
		  struct ocop_revocation *r, int *changed,
		  struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	PGresult *res;
	char ground[16], note[sizeof(r->note)];
	const char *gname = ocop_ground_name(r->ground);
	int32_t revoked_on;
	int dummy;

	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (!gname)
		return ocop_error_set(err, OCOP_EINVAL,
				      "revocation '%s' has no ground",
				      r->decision_no);
	for (int attempt = 0; attempt < 2; attempt++) {
		struct pg_params q = {0};

		pp_int(&q, product_id);
		pp_text(&q, r->decision_no);
		PG_OR_FAIL(res, PG_REV_FIND,
			   "SELECT id, revoked_on, ground, note "
			   "FROM revocations "
			   "WHERE product_id = $1 AND decision_no = $2",
			   &q, "cannot read revocation");
		if (PQntuples(res) > 0) {
			int64_t id = pg_col_int(res, 0, 0);

			revoked_on = pg_col_day(res, 0, 1);
			pg_col_text(res, 0, 2, ground, sizeof(ground));
			pg_col_text(res, 0, 3, note, sizeof(note));
			PQclear(res);
			if (revoked_on != r->revoked_on ||
			    strcmp(ground, gname) != 0 ||
			    strcmp(note, r->note) != 0) {
				char d[11];

				return ocop_error_set(
				    err, OCOP_EEXIST,
				    "revocation '%s' is already recorded for "
				    "this product with other content (revoked "
				    "on %s, ground %s)",
				    r->decision_no,
				    ocop_day_format(revoked_on, d), ground);
			}
			r->id = id;
			return 0;
		}
		PQclear(res);
		memset(&q, 0, sizeof(q));
		pp_int(&q, product_id);
		pp_text(&q, r->decision_no);
		pp_day(&q, r->revoked_on);
		pp_text(&q, gname);
		pp_text(&q, r->note);
		pp_int(&q, ocop_now());
		PG_OR_FAIL(res, PG_REV_ADD,
			   "INSERT INTO revocations (product_id, decision_no, "
			   "revoked_on, ground, note, recorded_at) "
			   "VALUES ($1, $2, $3, $4, $5, $6) "
			   "ON CONFLICT (product_id, decision_no) DO NOTHING "
			   "RETURNING id",
			   &q, "cannot add revocation");
		if (PQntuples(res) > 0) {
			r->id = pg_col_int(res, 0, 0);
			PQclear(res);
			*changed = 1;
			return 0;
		}
		PQclear(res);
	}
	return ocop_error_set(err, OCOP_EEXIST,
			      "revocation '%s' changed while it was being "
			      "recorded: try again",
			      r->decision_no);
}

/* A recognition from columns 0-9 of row i (HISTORY_RECS). */
static void
rec_from_row(const PGresult *res, int i, struct ocop_recognition *r)
{
	memset(r, 0, sizeof(*r));
	r->id = pg_col_int(res, i, 0);
	r->stars = (int)pg_col_int(res, i, 1);
	pg_col_text(res, i, 2, r->decision_no, sizeof(r->decision_no));
	r->decided_on = pg_col_day(res, i, 3);
	pg_col_text(res, i, 4, r->issuer, sizeof(r->issuer));
	r->valid_from = pg_col_day(res, i, 5);
	r->valid_until = pg_col_day(res, i, 6);
	r->extended_until = pg_col_day(res, i, 7);
	pg_col_text(res, i, 8, r->ext_decision_no, sizeof(r->ext_decision_no));
	pg_col_text(res, i, 9, r->source, sizeof(r->source));
	r->end = r->valid_until;
	r->revoked_on = OCOP_NO_DAY;
}

/* A revocation from columns 0-4 of row i (HISTORY_REVS). */
static void
rev_from_row(const PGresult *res, int i, struct ocop_revocation *v)
{
	char ground[16];

	memset(v, 0, sizeof(*v));
	v->id = pg_col_int(res, i, 0);
	pg_col_text(res, i, 1, v->decision_no, sizeof(v->decision_no));
	v->revoked_on = pg_col_day(res, i, 2);
	pg_col_text(res, i, 3, ground, sizeof(ground));
	if (ocop_ground_parse(ground, &v->ground) < 0)
		v->ground = OCOP_GROUND_E;
	pg_col_text(res, i, 4, v->note, sizeof(v->note));
}

/* the latest appended extension of a recognition is in effect */
#define HISTORY_RECS                                                           \
	"SELECT r.id, r.stars, r.decision_no, r.decided_on, "                  \
	"r.issuer, r.valid_from, r.valid_until, "                              \
	"x.extended_until, coalesce(x.decision_no, ''), r.source, "            \
	"r.product_id FROM recognitions r LEFT JOIN LATERAL "                  \
	"(SELECT e.extended_until, e.decision_no FROM extensions e "           \
	" WHERE e.recognition_id = r.id ORDER BY e.id DESC LIMIT 1)"           \
	" x ON true "
#define HISTORY_REVS                                                           \
	"SELECT id, decision_no, revoked_on, ground, note, product_id "        \
	"FROM revocations "

int
pg_history_read(struct ocop_store *base, int64_t product_id,
		struct ocop_history *h, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	ocop_history_release(h);
	pp_int(&q, product_id);
	PG_OR_FAIL(res, PG_HISTORY_RECS,
		   HISTORY_RECS "WHERE r.product_id = $1 "
				"ORDER BY r.valid_from, r.decided_on, r.id",
		   &q, "cannot read product history");
	for (int i = 0; i < PQntuples(res); i++) {
		struct ocop_recognition r;

		rec_from_row(res, i, &r);
		ocop_history_add_recognition(h, &r);
	}
	PQclear(res);

	res = pg_exec(s, PG_HISTORY_REVS,
		      HISTORY_REVS
		      "WHERE product_id = $1 ORDER BY revoked_on, id",
		      &q, "cannot read product history", err);
	if (!res) {
		ocop_history_release(h);
		return err ? err->code : OCOP_EINTERNAL;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		struct ocop_revocation v;

		rev_from_row(res, i, &v);
		ocop_history_add_revocation(h, &v);
	}
	PQclear(res);
	return 0;
}

/* The index in ids of a row's product (column col), or -1. */
static int
row_product(const PGresult *res, int i, int col, const int64_t *ids, size_t n)
{
	int64_t id = pg_col_int(res, i, col);

	for (size_t k = 0; k < n; k++)
		if (ids[k] == id)
			return (int)k;
	return -1;
}

int
pg_history_read_many(struct ocop_store *base, const int64_t *ids, size_t n,
		     struct ocop_history *h, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct ocop_buf a;
	PGresult *res = NULL;
	int rc = 0;

	assert(n <= STORE_COUNTS_MAX);
	for (size_t k = 0; k < n; k++)
		ocop_history_release(&h[k]);
	if (n == 0)
		return 0;
	/* two round trips for the n products, each product's rows in the
	 * order history_read gives them */
	ocop_buf_init(&a, 32 * STORE_COUNTS_MAX);
	for (size_t k = 0; k < n; k++)
		ocop_buf_addf(&a, "%s%lld", k ? "," : "{", (long long)ids[k]);
	ocop_buf_adds(&a, "}");
	pp_text(&q, a.data);
	if (!(res = pg_exec(s, PG_HISTORY_RECS_MANY,
			    HISTORY_RECS
			    "WHERE r.product_id = ANY ($1::bigint[]) "
			    "ORDER BY r.product_id, r.valid_from, "
			    "r.decided_on, r.id",
			    &q, "cannot read product histories", err)))
		goto out_fail;
	for (int i = 0; i < PQntuples(res); i++) {
		struct ocop_recognition r;
		int k = row_product(res, i, 10, ids, n);

		rec_from_row(res, i, &r);
		if (k >= 0)
			ocop_history_add_recognition(&h[k], &r);
	}
	PQclear(res);
	if (!(res =
		  pg_exec(s, PG_HISTORY_REVS_MANY,
			  HISTORY_REVS "WHERE product_id = ANY ($1::bigint[]) "
				       "ORDER BY product_id, revoked_on, id",
			  &q, "cannot read product histories", err)))
		goto out_fail;
	for (int i = 0; i < PQntuples(res); i++) {
		struct ocop_revocation v;
		int k = row_product(res, i, 5, ids, n);

		rev_from_row(res, i, &v);
		if (k >= 0)
			ocop_history_add_revocation(&h[k], &v);
	}
	PQclear(res);
	goto out;
out_fail:
	rc = err ? err->code : OCOP_EINTERNAL;
	for (size_t k = 0; k < n; k++)
		ocop_history_release(&h[k]);
out:
	ocop_buf_release(&a);
	return rc;
}
