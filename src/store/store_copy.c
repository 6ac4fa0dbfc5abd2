/*
 * store_copy.c - a whole database copied from one engine to another
 * (store.h: store_copy), table by table through the engines' row methods:
 * no SQL here, ids kept.
 */
#include <string.h>

#include "store/store.h"

static const struct store_table *
table_known(const char *name)
{
	for (size_t i = 0; i < store_ntables; i++)
		if (strcmp(store_tables[i].name, name) == 0)
			return &store_tables[i];
	return NULL;
}

/* Every table the engine lists is one the copy knows. */
static int
tables_known(const struct store_stats *st, const char *which,
	     struct ocop_error *err)
{
	for (size_t i = 0; i < st->ntables; i++)
		if (!table_known(st->tables[i].name))
			return ocop_error_set(
			    err, OCOP_EREFUSED,
			    "cannot copy: the %s database has a table "
			    "'%s' that this version cannot copy",
			    which, st->tables[i].name);
	return 0;
}

static int64_t
rows_of(const struct store_stats *st, const char *name)
{
	for (size_t i = 0; i < st->ntables; i++)
		if (strcmp(st->tables[i].name, name) == 0)
			return st->tables[i].rows;
	return -1;
}

struct load {
	struct ocop_store *dst;
	struct ocop_error *err;
	int64_t rows;
};

static int
load_row(void *ctx, const struct store_row *row)
{
	struct load *l = ctx;

	l->rows++;
	return l->dst->m->load_row(l->dst, row, l->err);
}

static int
copy_tables(struct ocop_store *src, struct ocop_store *dst,
	    struct ocop_error *err)
{
	int rc;

	for (size_t i = 0; i < store_ntables; i++) {
		const struct store_table *t = &store_tables[i];
		struct load l = {dst, err, 0};

		if ((rc = dst->m->load_begin(dst, t, err)) < 0)
			return rc;
		rc = src->m->table_each(src, t, load_row, &l, err);
		if (rc < 0) {
			(void)dst->m->load_end(dst, NULL);
			return rc;
		}
		if ((rc = dst->m->load_end(dst, err)) < 0)
			return rc;
	}
	return dst->m->load_finish(dst, err);
}

int
store_copy(const char *from, const char *to, struct store_stats *out,
	   struct ocop_error *err)
{
	struct ocop_store *src = NULL, *dst = NULL;
	struct store_stats a, b;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ocop_store_open(from, 0, &src, err)) < 0) {
		ocop_error_prefix(err, "source");
		return rc;
	}
	if ((rc = ocop_store_open(to, OCOP_STORE_CREATE, &dst, err)) < 0) {
		ocop_error_prefix(err, "target");
		goto out;
	}
	if ((rc = src->m->rows(src, &a, err)) < 0 ||
	    (rc = dst->m->rows(dst, &b, err)) < 0 ||
	    (rc = tables_known(&a, "source", err)) < 0 ||
	    (rc = tables_known(&b, "target", err)) < 0)
		goto out;
	/* a new database holds its settings only */
	for (size_t i = 0; i < b.ntables; i++)
		if (b.tables[i].rows > 0 && strcmp(b.tables[i].name, "meta")) {
			rc = ocop_error_set(err, OCOP_EREFUSED,
					    "cannot copy into a database that "
					    "is not empty (table '%s' has %lld "
					    "rows)",
					    b.tables[i].name,
					    (long long)b.tables[i].rows);
			goto out;
		}
	if ((rc = src->m->read_begin(src, err)) < 0)
		goto out;
	if ((rc = dst->m->begin(dst, err)) < 0) {
		src->m->read_end(src);
		goto out;
	}
	rc = copy_tables(src, dst, err);
	src->m->read_end(src);
	if (rc < 0) {
		dst->m->rollback(dst);
		goto out;
	}
	if ((rc = dst->m->commit(dst, err)) < 0)
		goto out;
	/* every table's rows counted again on both sides */
	if ((rc = src->m->rows(src, &a, err)) < 0 ||
	    (rc = dst->m->rows(dst, &b, err)) < 0)
		goto out;
	for (size_t i = 0; i < a.ntables; i++) {
		int64_t n = rows_of(&b, a.tables[i].name);

		if (n != a.tables[i].rows) {
			rc = ocop_error_set(err, OCOP_EINTERNAL,
					    "the copy of table '%s' has %lld "
					    "rows, the source %lld",
					    a.tables[i].name, (long long)n,
					    (long long)a.tables[i].rows);
			goto out;
		}
	}
	*out = b;
out:
	ocop_store_close(dst);
	ocop_store_close(src);
	return rc;
}
