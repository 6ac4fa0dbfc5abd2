/*
 * store_pg.h - internals shared by the store_pg*.c files only: the
 * handle, the parameter builder and the statement helpers.
 */
#ifndef OCOP_STORE_PG_H
#define OCOP_STORE_PG_H

#include <libpq-fe.h>
#include <stdint.h>

#include "store/store.h"

/* Slots of the prepared statements, one per SQL text; each is prepared
 * once per connection, on first use. */
enum pg_slot {
	PG_META_GET,
	PG_META_SET,
	PG_REGISTRY_FIRST,
	PG_LABELS_FIRST = PG_REGISTRY_FIRST + 32,
	PG_SCANS_FIRST = PG_LABELS_FIRST + 32,
	PG_ACCOUNTS_FIRST = PG_SCANS_FIRST + 32,
	PG_SLOTS = PG_ACCOUNTS_FIRST + 32
};

struct pg_store {
	struct ocop_store base;
	PGconn *conn;
	int flags;   /* OCOP_STORE_* it was opened with */
	int depth;   /* transaction nesting (writes and reads) */
	int reading; /* the outermost is a read snapshot */
	int failed;  /* a nested rollback happened */
	unsigned char prepared[PG_SLOTS];
	int64_t parts_until; /* scans partitions made up to this instant */
	char *uri;	     /* for pg_touch's connection of its own */
};

/* Up to PG_MAX_PARAMS parameters, in text form except bytea. */
#define PG_MAX_PARAMS 24
struct pg_params {
	int n;
	const char *v[PG_MAX_PARAMS];
	int len[PG_MAX_PARAMS];
	int fmt[PG_MAX_PARAMS];
	char buf[PG_MAX_PARAMS][24];
};

void pp_text(struct pg_params *p, const char *v);	  /* "" too */
void pp_text_or_null(struct pg_params *p, const char *v); /* "": NULL */
void pp_int(struct pg_params *p, int64_t v);
void pp_id_or_null(struct pg_params *p, int64_t v); /* <= 0: NULL */
void pp_day(struct pg_params *p, int32_t day);	    /* NO_DAY: NULL */
void pp_time(struct pg_params *p, int64_t t);	    /* NO_TIME: NULL */
void pp_bytes(struct pg_params *p, const void *v, size_t len);

/* Run the statement of slot (prepared from sql on first use) with p; the
 * result when it succeeded (PGRES_TUPLES_OK or PGRES_COMMAND_OK), else
 * NULL with *err set from the server's error: "what: message". */
PGresult *pg_exec(struct pg_store *s, int slot, const char *sql,
		  const struct pg_params *p, const char *what,
		  struct ocop_error *err);
/* Run it with the rows streamed one at a time to row(ctx, res) (single-
 * row mode: a report over millions of scans holds one row); a non-zero
 * return of row stops and is returned. */
int pg_stream(struct pg_store *s, int slot, const char *sql,
	      const struct pg_params *p, const char *what,
	      int (*row)(void *ctx, const PGresult *res), void *ctx,
	      struct ocop_error *err);
/* Set err from a failed result (NULL: the connection's error). */
int pg_error(struct pg_store *s, const PGresult *res, struct ocop_error *err,
	     const char *what);

/* Column helpers (row r, column i). */
void pg_col_text(const PGresult *res, int r, int i, char *buf, size_t size);
int64_t pg_col_int(const PGresult *res, int r, int i);	/* NULL: 0 */
int32_t pg_col_day(const PGresult *res, int r, int i);	/* NULL: NO_DAY */
int64_t pg_col_time(const PGresult *res, int r, int i); /* NULL: NO_TIME */

/* In a method with s and err: var = the result, or return the error. */
#define PG_OR_FAIL(var, slot, sql, params, what)                               \
	do {                                                                   \
		(var) = pg_exec(s, (slot), (sql), (params), (what), err);      \
		if (!(var))                                                    \
			return err ? err->code : OCOP_EINTERNAL;               \
	} while (0)

/* The methods of each area (store_pg_*.c). */
int pg_product_put(struct ocop_store *, struct ocop_product *, int *,
		   struct ocop_error *);
int pg_product_get(struct ocop_store *, const char *, struct ocop_product *,
		   struct ocop_error *);
int pg_product_get_by_id(struct ocop_store *, int64_t, struct ocop_product *,
			 struct ocop_error *);
int pg_product_get_by_gtin(struct ocop_store *, const char *,
			   struct ocop_product *, struct ocop_error *);
int pg_product_each(struct ocop_store *, store_product_cb, void *,
		    struct ocop_error *);
int pg_recognition_add(struct ocop_store *, int64_t, struct ocop_recognition *,
		       int *, struct ocop_error *);
int pg_extension_add(struct ocop_store *, int64_t, int32_t, const char *,
		     struct ocop_error *);
int pg_revocation_add(struct ocop_store *, int64_t, struct ocop_revocation *,
		      int *, struct ocop_error *);
int pg_history_read(struct ocop_store *, int64_t, struct ocop_history *,
		    struct ocop_error *);

int pg_batch_add(struct ocop_store *, struct ocop_batch *, struct ocop_error *);
int pg_label_add(struct ocop_store *, struct ocop_label *, struct ocop_error *);
int pg_label_get(struct ocop_store *, const char *, struct ocop_label *,
		 struct ocop_error *);
int pg_batch_get(struct ocop_store *, int64_t, struct ocop_batch *,
		 struct ocop_error *);
int pg_label_void(struct ocop_store *, const char *, int64_t, const char *,
		  struct ocop_error *);
int pg_batch_void(struct ocop_store *, int64_t, int64_t, const char *,
		  struct ocop_error *);
int pg_label_each_in_batch(struct ocop_store *, int64_t, store_label_cb, void *,
			   struct ocop_error *);
int pg_batch_each(struct ocop_store *, int64_t, store_batch_cb, void *,
		  struct ocop_error *);
int pg_label_count_for_product(struct ocop_store *, int64_t, int64_t *,
			       struct ocop_error *);
int pg_label_lookup(struct ocop_store *, const char *, struct ocop_label *,
		    struct ocop_batch *, int64_t *, int64_t *, struct places *,
		    int64_t *, struct ocop_error *);
int pg_label_get_by_id(struct ocop_store *, int64_t, struct ocop_label *,
		       int64_t *, struct ocop_error *);
int pg_label_max_stars(struct ocop_store *, int64_t, int *,
		       struct ocop_error *);
int pg_label_max_id(struct ocop_store *, int64_t *, struct ocop_error *);
int pg_label_each_of_product(struct ocop_store *, int64_t, store_label_batch_cb,
			     void *, struct ocop_error *);
/* Run sql, an UPDATE of parameters $1 = a and $2 = b, as store.h says of
 * token_touch: on s (slot's statement) when s may write here, else on a
 * connection of its own, opened and closed for it. */
int pg_touch(struct pg_store *s, int slot, const char *sql, int64_t a,
	     int64_t b, struct ocop_error *err);

int pg_token_add(struct ocop_store *, const unsigned char *, size_t,
		 struct store_token *, struct ocop_error *);
int pg_token_find(struct ocop_store *, const unsigned char *, size_t,
		  struct store_token *, struct ocop_error *);
int pg_token_each(struct ocop_store *, store_token_cb, void *,
		  struct ocop_error *);
int pg_token_revoke(struct ocop_store *, int64_t, int64_t,
		    struct ocop_error *);
int pg_token_touch(struct ocop_store *, int64_t, int64_t, struct ocop_error *);
int pg_session_touch(struct ocop_store *, int64_t, int64_t,
		     struct ocop_error *);
int pg_user_add(struct ocop_store *, struct store_user *, struct ocop_error *);
int pg_user_get(struct ocop_store *, const char *, struct store_user *,
		struct ocop_error *);
int pg_user_get_by_id(struct ocop_store *, int64_t, struct store_user *,
		      struct ocop_error *);
int pg_user_get_by_setup(struct ocop_store *, const unsigned char *, size_t,
			 struct store_user *, struct ocop_error *);
int pg_user_each(struct ocop_store *, store_user_cb, void *,
		 struct ocop_error *);
int pg_user_update(struct ocop_store *, const struct store_user *,
		   struct ocop_error *);
int pg_session_add(struct ocop_store *, const unsigned char *, size_t,
		   struct store_session *, struct ocop_error *);
int pg_session_find(struct ocop_store *, const unsigned char *, size_t,
		    struct store_session *, struct ocop_error *);
int pg_session_end(struct ocop_store *, int64_t, int64_t, struct ocop_error *);
int pg_session_end_user(struct ocop_store *, int64_t, int64_t,
			struct ocop_error *);
int pg_signin_add(struct ocop_store *, const char *, const char *, int64_t,
		  int, struct ocop_error *);
int pg_signin_failures(struct ocop_store *, const char *, const char *,
		       int64_t, int64_t *, int64_t *, struct ocop_error *);
int pg_audit_add(struct ocop_store *, struct store_audit *,
		 struct ocop_error *);
int pg_audit_each(struct ocop_store *, int64_t, store_audit_cb, void *,
		  struct ocop_error *);
int pg_scan_purge_client_data(struct ocop_store *, int64_t, int64_t *,
			      struct ocop_error *);
int pg_scan_purge_consumer(struct ocop_store *, int64_t, int64_t *,
			   struct ocop_error *);

int pg_scan_add(struct ocop_store *, struct ocop_scan *, int *,
		struct ocop_error *);
int pg_scan_stats(struct ocop_store *, int64_t, int64_t *, int64_t *,
		  struct ocop_error *);
int pg_scan_each_of_product(struct ocop_store *, int64_t, int64_t, int64_t,
			    store_scan_cb, void *, struct ocop_error *);
int pg_scan_count_of_product(struct ocop_store *, int64_t, int64_t, int64_t,
			     int64_t *, int64_t *, struct ocop_error *);
int pg_scan_each_placed(struct ocop_store *, int64_t, int64_t, store_scan_cb,
			void *, struct ocop_error *);
int pg_scan_each_stored(struct ocop_store *, const char *, const char *,
			store_scan_cb, void *, struct ocop_error *);
int pg_scan_each_unknown(struct ocop_store *, int64_t, int64_t, store_scan_cb,
			 void *, struct ocop_error *);

#endif
