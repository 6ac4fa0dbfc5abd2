/*
 * store_sqlite.c - the embedded SQLite engine: open, migrations,
 * transactions, settings, and the method table. The areas live in
 * store_sqlite_{registry,labels,scans,tokens}.c.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "places.h"
#include "store_sqlite.h"

sqlite3_stmt *
sq_stmt(struct sq_store *s, int slot, const char *sql, struct ocop_error *err)
{
	sqlite3_stmt *st = s->stmts[slot];

	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return st;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		sq_error(s, err, "cannot prepare statement");
		return NULL;
	}
	s->stmts[slot] = st;
	return st;
}

int
sq_error(struct sq_store *s, struct ocop_error *err, const char *what)
{
	int rc = sqlite3_errcode(s->db);
	int code = OCOP_EINTERNAL;

	if (rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_READONLY ||
	    rc == SQLITE_CANTOPEN)
		code = OCOP_EOUTPUT;
	else if (rc == SQLITE_CONSTRAINT)
		code = OCOP_EEXIST;
	return ocop_error_set(err, code, "%s: %s", what,
			      sqlite3_errmsg(s->db));
}

int
sq_step_done(struct sq_store *s, sqlite3_stmt *st, const char *what,
	     struct ocop_error *err)
{
	int rc = 0;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sq_error(s, err, what);
	sqlite3_reset(st);
	return rc;
}

void
sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

void
sq_bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void
sq_bind_day(sqlite3_stmt *st, int i, int32_t day)
{
	char buf[16];

	if (day == OCOP_NO_DAY)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, ocop_day_format(day, buf), -1,
				  SQLITE_TRANSIENT);
}

void
sq_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == OCOP_NO_TIME)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

void
sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	ocop_strlcpy(buf, v ? (const char *)v : "", size);
}

int32_t
sq_col_day(sqlite3_stmt *st, int i)
{
	int32_t day;
	const unsigned char *v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return OCOP_NO_DAY;
	v = sqlite3_column_text(st, i);
	if (!v || ocop_day_parse((const char *)v, &day, NULL) < 0)
		return OCOP_NO_DAY;
	return day;
}

int64_t
sq_col_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return OCOP_NO_TIME;
	return sqlite3_column_int64(st, i);
}

static int
sq_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth++ > 0)
		return 0;
	s->failed = 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		s->depth = 0;
		return sq_error(s, err, "cannot begin transaction");
	}
	return 0;
}

static void
sq_rollback(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth == 0)
		return;
	if (--s->depth > 0) {
		s->failed = 1;
		return;
	}
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
sq_commit(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	if (s->depth == 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "commit without a transaction");
	if (--s->depth > 0)
		return 0;
	if (s->failed) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "transaction rolled back");
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = sq_error(s, err, "cannot commit");

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

/* Prepared once: a server thread begins and ends a read snapshot per
 * request, and parsing the SQL each time costs more than running it. */
static int
sq_read_begin(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	if (s->depth++ > 0)
		return 0;
	s->failed = 0;
	st = sq_stmt(s, SQ_READ_BEGIN, "BEGIN DEFERRED", err);
	if (!st || sqlite3_step(st) != SQLITE_DONE) {
		int rc = st ? sq_error(s, err, "cannot begin reading")
			    : (err ? err->code : OCOP_EINTERNAL);

		if (st)
			sqlite3_reset(st);
		s->depth = 0;
		return rc;
	}
	sqlite3_reset(st);
	return 0;
}

static void
sq_read_end(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	if (s->depth == 0 || --s->depth > 0)
		return;
	/* a read transaction has nothing to lose: end it either way */
	st = sq_stmt(s, SQ_READ_END, "COMMIT", NULL);
	if (!st || sqlite3_step(st) != SQLITE_DONE)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (st)
		sqlite3_reset(st);
}

static int
sq_meta_get(struct ocop_store *base, const char *key, char *buf, size_t size,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	st = sq_stmt(s, SQ_META_GET, "SELECT value FROM meta WHERE key = ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		sq_col_text(st, 0, buf, size);
	else if (rc == SQLITE_DONE)
		buf[0] = '\0';
	else
		return sq_error(s, err, "cannot read setting");
	sqlite3_reset(st);
	return 0;
}

static int
sq_meta_set(struct ocop_store *base, const char *key, const char *value,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_META_SET,
		     "INSERT INTO meta (key, value) VALUES (?, ?) "
		     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sq_bind_text(st, 1, key);
	sq_bind_text(st, 2, value);
	return sq_step_done(s, st, "cannot write setting", err);
}

static int
sq_log_autocheckpoint(struct ocop_store *base, int pages,
		      struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;

	if (sqlite3_wal_autocheckpoint(s->db, pages) != SQLITE_OK)
		return sq_error(s, err, "cannot set the checkpoint interval");
	return 0;
}

/* PASSIVE: copies what it can without waiting for readers or writers;
 * another checkpoint running (SQLITE_BUSY) is not an error. */
static int
sq_log_checkpoint(struct ocop_store *base, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	int rc = sqlite3_wal_checkpoint_v2(s->db, NULL,
					   SQLITE_CHECKPOINT_PASSIVE, NULL,
					   NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return sq_error(s, err, "cannot checkpoint");
	return 0;
}

static void
sq_close(struct ocop_store *base)
{
	struct sq_store *s = (struct sq_store *)base;

	if (!s)
		return;
	for (int i = 0; i < SQ_SLOTS; i++)
		sqlite3_finalize(s->stmts[i]);
	sqlite3_close_v2(s->db);
	free(s);
}

static const struct ocop_store_methods sq_methods = {
	.name = "sqlite",
	.close = sq_close,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.product_put = sq_product_put,
	.product_get = sq_product_get,
	.product_get_by_id = sq_product_get_by_id,
	.product_get_by_gtin = sq_product_get_by_gtin,
	.product_each = sq_product_each,
	.recognition_add = sq_recognition_add,
	.extension_add = sq_extension_add,
	.revocation_add = sq_revocation_add,
	.history_read = sq_history_read,
	.batch_add = sq_batch_add,
	.label_add = sq_label_add,
	.label_get = sq_label_get,
	.batch_get = sq_batch_get,
	.label_void = sq_label_void,
	.batch_void = sq_batch_void,
	.label_each_in_batch = sq_label_each_in_batch,
	.label_count_for_product = sq_label_count_for_product,
	.scan_add = sq_scan_add,
	.scan_stats = sq_scan_stats,
	.scan_fold = sq_scan_fold,
	.scan_each_of_product = sq_scan_each_of_product,
	.scan_count_of_product = sq_scan_count_of_product,
	.scan_each_placed = sq_scan_each_placed,
	.scan_each_unknown = sq_scan_each_unknown,
	.label_get_by_id = sq_label_get_by_id,
	.label_max_stars = sq_label_max_stars,
	.label_max_id = sq_label_max_id,
	.label_each_of_product = sq_label_each_of_product,
	.token_add = sq_token_add,
	.token_find = sq_token_find,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.label_lookup = sq_label_lookup,
	.log_autocheckpoint = sq_log_autocheckpoint,
	.log_checkpoint = sq_log_checkpoint,
};

/* Apply assets/migrations/NNNN_*.sql with NNNN > user_version, in order,
 * each in its own transaction with the version bump. */
static int
migrate(struct sq_store *s, struct ocop_error *err)
{
	int version = 0, target;
	sqlite3_stmt *st;
	const struct ocop_asset *a, *next;
	char pragma[64];

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return sq_error(s, err, "cannot read schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);

	for (;;) {
		/* the smallest migration number above version */
		next = NULL;
		target = 0;
		for (a = ocop_assets; a->name; a++) {
			int n;

			if (strncmp(a->name, "migrations/", 11) != 0 ||
			    sscanf(a->name + 11, "%4d", &n) != 1)
				continue;
			if (n > version && (!next || n < target)) {
				next = a;
				target = n;
			}
		}
		if (!next)
			return 0;
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
			    SQLITE_OK ||
		    sqlite3_exec(s->db, next->data, NULL, NULL, NULL) !=
			    SQLITE_OK) {
			int rc = sq_error(s, err, "cannot apply migration");

			ocop_error_prefix(err, "%s", next->name);
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 target);
		if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK) {
			int rc = sq_error(s, err, "cannot record migration");

			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		version = target;
	}
}

/* The file layer every connection opens with: SQLite's default one with
 * log appends gathered (store_sqlite_vfs.c); NULL is the default. */
static const char *sq_vfs;

/* Statement journals (a statement's undo inside a longer transaction)
 * stay in memory up to this size; SQLite's default spills past 64 KiB
 * to a temporary file. The scan log's fold of the recent counts, one
 * statement changing a page of label_scan_stats per few hundred labels,
 * went past it: every fold created, wrote and deleted a file while every
 * waiting scan waited. SQLite allocates a journal in pieces of this size;
 * under glibc's largest mmap threshold (32 MiB) a piece comes from the
 * heap once the first is freed. */
#define SQ_STMT_JOURNAL_MAX (4 << 20)

/* Before SQLite's first use: no allocation statistics, which cost every
 * allocation of every connection a process-wide mutex (ocop reads none),
 * and the journal size above. */
static void
sq_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, SQ_STMT_JOURNAL_MAX);
	sq_vfs = sq_vfs_register();
}

/* SQL functions over a label's places (places.h), for the statements
 * that count scans: ocop_places_add(PLACES, KEY, DAY) and
 * ocop_places_merge(PLACES, PLACES), each giving the new PLACES blob (NULL
 * when empty). Not usable from the schema (SQLITE_DIRECTONLY): a shell
 * without them can still read and write every table. */
static void
sq_places_result(sqlite3_context *ctx, const struct places *p)
{
	unsigned char blob[PLACES_BLOB_MAX];
	size_t len = places_encode(p, blob);

	if (len == 0)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_blob(ctx, blob, (int)len, SQLITE_TRANSIENT);
}

static void
sq_places_read(sqlite3_value *v, struct places *p)
{
	if (sqlite3_value_type(v) == SQLITE_BLOB)
		places_decode(p, sqlite3_value_blob(v),
			      (size_t)sqlite3_value_bytes(v));
}

static void
sq_places_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct places p = {0};

	(void)argc;
	sq_places_read(argv[0], &p);
	if (sqlite3_value_type(argv[1]) == SQLITE_INTEGER &&
	    sqlite3_value_type(argv[2]) == SQLITE_INTEGER)
		places_add(&p, (uint64_t)sqlite3_value_int64(argv[1]),
			   (int32_t)sqlite3_value_int64(argv[2]));
	sq_places_result(ctx, &p);
}

static void
sq_places_merge(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct places p = {0};

	(void)argc;
	sq_places_read(argv[0], &p);
	sq_places_read(argv[1], &p);
	sq_places_result(ctx, &p);
}

static int
sq_functions(struct sq_store *s, struct ocop_error *err)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;

	if (sqlite3_create_function(s->db, "ocop_places_add", 3, flags, NULL,
				    sq_places_add, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "ocop_places_merge", 2, flags,
				    NULL, sq_places_merge, NULL,
				    NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot register SQL functions");
	return 0;
}

int
store_sqlite_open(const char *path, int create, struct ocop_store **out,
		  struct ocop_error *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_store *s;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	pthread_once(&once, sq_configure);
	s = ocop_xcalloc(1, sizeof(*s));

	s->base.m = &sq_methods;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags, sq_vfs) != SQLITE_OK) {
		rc = ocop_error_set(err, create ? OCOP_EOUTPUT : OCOP_ENOINPUT,
				    "cannot open database '%s': %s%s", path,
				    sqlite3_errmsg(s->db),
				    create ? "" : " (run 'ocop init' first)");
		sq_close(&s->base);
		return rc;
	}
	sqlite3_busy_timeout(s->db, 10000);
	sqlite3_extended_result_codes(s->db, 0);
	if (sqlite3_exec(s->db,
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA synchronous = NORMAL;"
			 "PRAGMA foreign_keys = ON;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		rc = sq_error(s, err, "cannot configure database");
		ocop_error_prefix(err, "'%s'", path);
		sq_close(&s->base);
		return rc;
	}
	if ((rc = sq_functions(s, err)) < 0 || (rc = migrate(s, err)) < 0) {
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

int
ocop_store_open(const char *path, int create, struct ocop_store **out,
		struct ocop_error *err)
{
	return store_sqlite_open(path, create, out, err);
}

void
ocop_store_close(struct ocop_store *st)
{
	if (st)
		st->m->close(st);
}
