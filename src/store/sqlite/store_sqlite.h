/*
 * store_sqlite.h - internals shared by the store_sqlite*.c files only.
 * The engine is split by area (registry, labels, scans, tokens); this file
 * is the handle and the helpers they share.
 */
#ifndef OCOP_STORE_SQLITE_H
#define OCOP_STORE_SQLITE_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"

/* Slots of the prepared-statement cache, one per SQL text. */
enum sq_slot {
	SQ_META_GET,
	SQ_META_SET,
	SQ_READ_BEGIN,
	SQ_READ_END,
	SQ_REGISTRY_FIRST, /* store_sqlite_registry.c: FIRST + 0..31 */
	SQ_LABELS_FIRST = SQ_REGISTRY_FIRST + 32,
	SQ_SCANS_FIRST = SQ_LABELS_FIRST + 32,
	SQ_ACCOUNTS_FIRST = SQ_SCANS_FIRST + 32,
	SQ_KEYS_FIRST = SQ_ACCOUNTS_FIRST + 32, /* store_sqlite_keys.c */
	SQ_SLOTS = SQ_KEYS_FIRST + 16
};

struct sq_upkeep;

struct sq_store {
	struct ocop_store base;
	sqlite3 *db;
	int flags;  /* OCOP_STORE_* it was opened with */
	int depth;  /* transaction nesting */
	int failed; /* a nested rollback happened */
	sqlite3_stmt *stmts[SQ_SLOTS];
	/* OCOP_STORE_READER: the read transaction is kept open after the
	 * outermost read_end while fresh (store_sqlite.c, sq_read_begin);
	 * mu is held from the outermost read_begin to its read_end */
	pthread_mutex_t mu;
	int snap_open;
	double snap_at;		/* monotonic seconds */
	uint64_t snap_commits;	/* sq_commits when it began */
	struct sq_store *next_reader;
	/* scan_add counted scans in label_scan_recent since the last fold */
	int unfolded;
	double folded_at;
	/* OCOP_STORE_SCAN_WRITER: the log's checkpointer */
	struct sq_upkeep *upkeep;
	/* opened read-only because the file, its directory or the file
	 * system refused writing (store_sqlite.c, sq_open_ro); read-write
	 * is tried again at most once a second (sq_retry_rw) */
	int readonly;
	double rw_tried_at;
	char *path;
	sqlite3_stmt *load; /* the table being loaded (load_begin) */
};

/* Registers SQLite's default file layer with the appends to a
 * write-ahead log gathered into one write a commit (store_sqlite_vfs.c);
 * its name, or NULL when the default layer cannot be wrapped. Once, before
 * any connection opens. */
const char *sq_vfs_register(void);

/* The cached statement for slot, prepared from sql on first use, reset and
 * unbound. NULL with *err set on failure. Do not finalize it. */
sqlite3_stmt *sq_stmt(struct sq_store *s, int slot, const char *sql,
		      struct ocop_error *err);
/* Set err from the connection's last error: "what: sqlite message". */
int sq_error(struct sq_store *s, struct ocop_error *err, const char *what);
/* Step a statement that writes and reset it either way: 0, or the error
 * as sq_error(what) gives it. */
int sq_step_done(struct sq_store *s, sqlite3_stmt *st, const char *what,
		 struct ocop_error *err);

/* In a method with a struct sq_store *s and a struct ocop_error *err:
 * var = the cached statement for slot, or return the error. */
#define STMT_OR_FAIL(var, slot, sql)                                           \
	do {                                                                   \
		(var) = sq_stmt(s, (slot), (sql), err);                        \
		if (!(var))                                                    \
			return err ? err->code : OCOP_EINTERNAL;               \
	} while (0)

/* Bind helpers: NULL / OCOP_NO_DAY / OCOP_NO_TIME / "" bind SQL NULL. */
void sq_bind_text(sqlite3_stmt *st, int i, const char *v);
void sq_bind_text_or_null(sqlite3_stmt *st, int i, const char *v);
void sq_bind_day(sqlite3_stmt *st, int i, int32_t day);
void sq_bind_time(sqlite3_stmt *st, int i, int64_t t);
/* Column helpers. */
void sq_col_text(sqlite3_stmt *st, int i, char *buf, size_t size);
int32_t sq_col_day(sqlite3_stmt *st, int i);   /* NULL -> OCOP_NO_DAY */
int64_t sq_col_time(sqlite3_stmt *st, int i);  /* NULL -> OCOP_NO_TIME */

/* The methods of each area (store_sqlite_*.c). */
int sq_table_each(struct ocop_store *, const struct store_table *,
		  store_row_cb, void *, struct ocop_error *);
int sq_load_begin(struct ocop_store *, const struct store_table *,
		  struct ocop_error *);
int sq_load_row(struct ocop_store *, const struct store_row *,
		struct ocop_error *);
int sq_load_end(struct ocop_store *, struct ocop_error *);
int sq_load_finish(struct ocop_store *, struct ocop_error *);
int sq_product_put(struct ocop_store *, struct ocop_product *, int *,
		   struct ocop_error *);
int sq_product_get(struct ocop_store *, const char *, struct ocop_product *,
		   struct ocop_error *);
int sq_product_get_by_id(struct ocop_store *, int64_t, struct ocop_product *,
			 struct ocop_error *);
int sq_product_get_by_gtin(struct ocop_store *, const char *,
			   struct ocop_product *, struct ocop_error *);
int sq_product_each(struct ocop_store *, store_product_cb, void *,
		    struct ocop_error *);
int sq_product_page(struct ocop_store *, int64_t, const char *, int64_t, int,
		    store_product_cb, void *, int64_t *, struct ocop_error *);
int sq_product_counts(struct ocop_store *, const int64_t *, const int64_t *,
		      const int64_t *, size_t, int64_t *, int64_t *, int64_t *,
		      struct ocop_error *);
int sq_recognition_add(struct ocop_store *, int64_t, struct ocop_recognition *,
		       int *, struct ocop_error *);
int sq_extension_add(struct ocop_store *, int64_t, int32_t, const char *,
		     struct ocop_error *);
int sq_revocation_add(struct ocop_store *, int64_t, struct ocop_revocation *,
		      int *, struct ocop_error *);
int sq_history_read(struct ocop_store *, int64_t, struct ocop_history *,
		    struct ocop_error *);
int sq_history_read_many(struct ocop_store *, const int64_t *, size_t,
			 struct ocop_history *, struct ocop_error *);

int sq_batch_add(struct ocop_store *, struct ocop_batch *, struct ocop_error *);
int sq_label_add(struct ocop_store *, struct ocop_label *, struct ocop_error *);
int sq_label_get(struct ocop_store *, const char *, struct ocop_label *,
		 struct ocop_error *);
int sq_batch_get(struct ocop_store *, int64_t, struct ocop_batch *,
		 struct ocop_error *);
int sq_label_void(struct ocop_store *, const char *, int64_t, const char *,
		  struct ocop_error *);
int sq_batch_void(struct ocop_store *, int64_t, int64_t, const char *,
		  struct ocop_error *);
int sq_label_each_in_batch(struct ocop_store *, int64_t, store_label_cb, void *,
			   struct ocop_error *);
int sq_batch_each(struct ocop_store *, int64_t, store_batch_cb, void *,
		  struct ocop_error *);
int sq_label_count_for_product(struct ocop_store *, int64_t, int64_t *,
			       struct ocop_error *);
int sq_label_lookup(struct ocop_store *, const char *, struct ocop_label *,
		    struct ocop_batch *, int64_t *, int64_t *,
		    struct places *, int64_t *, struct ocop_error *);
int sq_label_lookup_many(struct ocop_store *, const char *const *, size_t,
			 struct store_label_read *, struct ocop_error *);

int sq_scan_add(struct ocop_store *, struct ocop_scan *, int *,
		struct ocop_error *);
int sq_scan_stats(struct ocop_store *, int64_t, int64_t *, int64_t *,
		  struct ocop_error *);
/* Move the recent counts into the per-label ones, inside the open
 * transaction; the counts scan_stats reads are the same after. */
int sq_scan_fold(struct sq_store *, struct ocop_error *);
int sq_scan_each_of_product(struct ocop_store *, int64_t, int64_t, int64_t,
			    store_scan_cb, void *, struct ocop_error *);
int sq_scan_count_of_product(struct ocop_store *, int64_t, int64_t, int64_t,
			     int64_t *, int64_t *, struct ocop_error *);
int sq_scan_each_placed(struct ocop_store *, int64_t, int64_t, store_scan_cb,
			void *, struct ocop_error *);
int sq_scan_each_stored(struct ocop_store *, const char *, const char *,
			store_scan_cb, void *, struct ocop_error *);
int sq_scan_each_unknown(struct ocop_store *, int64_t, int64_t, store_scan_cb,
			 void *, struct ocop_error *);
int sq_label_get_by_id(struct ocop_store *, int64_t, struct ocop_label *,
		       int64_t *, struct ocop_error *);
int sq_label_max_stars(struct ocop_store *, int64_t, int *,
		       struct ocop_error *);
int sq_label_max_id(struct ocop_store *, int64_t *, struct ocop_error *);
int sq_label_each_of_product(struct ocop_store *, int64_t,
			     store_label_batch_cb, void *,
			     struct ocop_error *);
int sq_batch_each_of_product(struct ocop_store *, int64_t, store_batch_cb,
			     void *, struct ocop_error *);

int sq_key_add(struct ocop_store *, const struct store_key *,
	       const unsigned char *, size_t, struct ocop_error *);
int sq_key_each(struct ocop_store *, store_key_cb, void *,
		struct ocop_error *);
int sq_key_secret(struct ocop_store *, const char *, unsigned char *, size_t,
		  size_t *, struct ocop_error *);
int sq_key_retire(struct ocop_store *, int64_t, struct ocop_error *);
int sq_snapshot_seq_next(struct ocop_store *, const char *, int64_t,
			 const char *, int64_t *, struct ocop_error *);

/* Run sql, an UPDATE of parameters ?1 = a and ?2 = b, as store.h says of
 * token_touch: on s (slot's statement) when s may write here, else on a
 * connection of its own, opened and closed for it. */
int sq_touch(struct sq_store *s, int slot, const char *sql, int64_t a,
	     int64_t b, struct ocop_error *err);

int sq_token_add(struct ocop_store *, const unsigned char *, size_t,
		 struct store_token *, struct ocop_error *);
int sq_token_find(struct ocop_store *, const unsigned char *, size_t,
		  struct store_token *, struct ocop_error *);
int sq_token_each(struct ocop_store *, store_token_cb, void *,
		  struct ocop_error *);
int sq_token_revoke(struct ocop_store *, int64_t, int64_t,
		    struct ocop_error *);
int sq_token_touch(struct ocop_store *, int64_t, int64_t, struct ocop_error *);
int sq_session_touch(struct ocop_store *, int64_t, int64_t,
		     struct ocop_error *);
int sq_user_add(struct ocop_store *, struct store_user *, struct ocop_error *);
int sq_user_get(struct ocop_store *, const char *, struct store_user *,
		struct ocop_error *);
int sq_user_get_by_id(struct ocop_store *, int64_t, struct store_user *,
		      struct ocop_error *);
int sq_user_get_by_setup(struct ocop_store *, const unsigned char *, size_t,
			 struct store_user *, struct ocop_error *);
int sq_user_each(struct ocop_store *, store_user_cb, void *,
		 struct ocop_error *);
int sq_user_update(struct ocop_store *, const struct store_user *,
		   struct ocop_error *);
int sq_session_add(struct ocop_store *, const unsigned char *, size_t,
		   struct store_session *, struct ocop_error *);
int sq_session_find(struct ocop_store *, const unsigned char *, size_t,
		    struct store_session *, struct ocop_error *);
int sq_session_end(struct ocop_store *, int64_t, int64_t, struct ocop_error *);
int sq_session_end_user(struct ocop_store *, int64_t, int64_t,
			struct ocop_error *);
int sq_signin_add(struct ocop_store *, const char *, const char *, int64_t,
		  int, struct ocop_error *);
int sq_signin_failures(struct ocop_store *, const char *, const char *,
		       int64_t, int64_t *, int64_t *, struct ocop_error *);
int sq_audit_add(struct ocop_store *, struct store_audit *,
		 struct ocop_error *);
int sq_audit_each(struct ocop_store *, int64_t, store_audit_cb, void *,
		  struct ocop_error *);
int sq_scan_purge_client_data(struct ocop_store *, int64_t, int64_t *,
			      struct ocop_error *);
int sq_scan_purge_consumer(struct ocop_store *, int64_t, int64_t *,
			   struct ocop_error *);

#endif
