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
	PG_PARTITION_FOR,
	PG_REGISTRY_FIRST,
	PG_LABELS_FIRST = PG_REGISTRY_FIRST + 32,
	PG_SCANS_FIRST = PG_LABELS_FIRST + 32,
	PG_ACCOUNTS_FIRST = PG_SCANS_FIRST + 32,
	PG_KEYS_FIRST = PG_ACCOUNTS_FIRST + 32, /* store_pg_keys.c */
	PG_SLOTS = PG_KEYS_FIRST + 16
};

struct pg_store;

/* A statement sent in the scan writer's pipeline (or, sent 0, a value
 * taken from an earlier one's result), its result read at commit. */
struct pg_pending {
	int sent;	  /* a statement went: its result comes in order */
	const char *what; /* for the message when it fails */
	int prepare_slot; /* a PREPARE of this slot: -1 when not */
	/* fills the caller's outputs from the result */
	void (*done)(struct pg_store *s, const PGresult *res,
		     struct pg_pending *p);
	/* after the results, outside the pipeline (fix set by done) */
	int (*fixup)(struct pg_store *s, struct pg_pending *p,
		     struct ocop_error *err);
	int fix;
	/* the scan's (caller-owned until commit returns) */
	struct ocop_scan *scan;
	int *duplicate;
	int64_t label_id;
	int64_t *count, *first_at;
	int64_t count_v, first_v; /* what a scan's insert returned */
	int got_count;
	long from; /* sent 0: the entry whose count this is */
	/* a consumer scan waiting for its group's one insert (batch_no),
	 * or that insert */
	int batched;
	long batch_no;
};

/* The pending entries of one pipeline at most; past this the pipeline
 * is read and a new one begun, in the same transaction. */
#define PG_MAX_PENDING 8192

/* What a read has done so far (OCOP_STORE_READER handles take their
 * snapshot lazily: a read of one statement needs no transaction). */
enum pg_snap {
	PG_SNAP_NONE = 0, /* not in a read */
	PG_SNAP_LAZY,	  /* in a read, no statement yet */
	PG_SNAP_ONE,	  /* one statement ran, its own snapshot */
	PG_SNAP_TX	  /* a REPEATABLE READ transaction is open */
};

struct pg_store {
	struct ocop_store base;
	PGconn *conn;
	int flags;   /* OCOP_STORE_* it was opened with */
	int depth;   /* transaction nesting (writes and reads) */
	int reading; /* the outermost is a read snapshot */
	int failed;  /* a nested rollback happened */
	enum pg_snap snap;
	unsigned char prepared[PG_SLOTS];
	unsigned plans;	     /* generation of the statement names (pg_replan) */
	int stale;	     /* the schema changed under them: prepare anew */
	int64_t parts_until; /* when to make the coming months' again */
	int64_t parts_lo, parts_hi; /* the instants their months cover */
	char *uri;		    /* for pg_touch's connection of its own */
	double revive_failed_at;    /* ocop_mono() of a failed reconnection */
	/* the scan writer's transaction in pipeline mode */
	int piping;
	int may_fix;   /* some entry may need a fixup before COMMIT */
	size_t nbatch; /* consumer scans not yet sent (pg_scans_flush) */
	long batch_no;
	struct pg_pending *pend;
	size_t npend, cap;
	/* 'ocop db copy' loading a table (store_pg_copy.c) */
	const struct store_table *load_t;
	int loaded; /* a load finished: VACUUM once it is committed */
	struct ocop_buf load_line;
	struct ocop_buf load_places; /* label_places rows of label_scans */
};

/* A prepared statement's name: "s<slot>.<generation>" */
#define PG_NAME_MAX 32

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
/* In the scan writer's transaction: whether statements go to the
 * pipeline (pg_send) rather than one round trip each. */
int pg_pipelined(const struct pg_store *s);
/* Send the statement of slot with p in the pipeline; the entry returned
 * (filled by the caller: done, scan, ...) is valid until the next call;
 * NULL with err set when it cannot be sent. */
struct pg_pending *pg_send(struct pg_store *s, int slot, const char *sql,
			   const struct pg_params *p, const char *what,
			   struct ocop_error *err);
/* Send the consumer scans that wait for one insert (pg_send, commit
 * and every read of the pipeline call it first). */
int pg_scans_flush(struct pg_store *s, struct ocop_error *err);
/* A pending entry that sends nothing (its outputs come from an earlier
 * entry's result). */
struct pg_pending *pg_pend_virtual(struct pg_store *s, struct ocop_error *err);

/* The scans partition of the month of instant at exists (made if
 * missing, outside the months made ahead): no scan lands in
 * scans_default. */
int pg_partition_for(struct pg_store *s, int64_t at, struct ocop_error *err);

/* "key:day,key:day" (label_places rows) into p (places.h). */
struct places;
void pg_places_parse(struct places *p, const char *v);

/* Set err from a failed result (NULL: the connection's error). */
int pg_error(struct pg_store *s, const PGresult *res, struct ocop_error *err,
	     const char *what);

/* Append v (NULL: NULL) as one element of the array literal in b, which
 * holds "{" and the elements so far. */
void pg_array_add(struct ocop_buf *b, const char *v);

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
int pg_product_page(struct ocop_store *, int64_t, const char *, int64_t, int,
		    store_product_cb, void *, int64_t *, struct ocop_error *);
int pg_product_counts(struct ocop_store *, const int64_t *, const int64_t *,
		      const int64_t *, size_t, int64_t *, int64_t *, int64_t *,
		      struct ocop_error *);
int pg_recognition_add(struct ocop_store *, int64_t, struct ocop_recognition *,
		       int *, struct ocop_error *);
int pg_extension_add(struct ocop_store *, int64_t, int32_t, const char *,
		     struct ocop_error *);
int pg_revocation_add(struct ocop_store *, int64_t, struct ocop_revocation *,
		      int *, struct ocop_error *);
int pg_history_read(struct ocop_store *, int64_t, struct ocop_history *,
		    struct ocop_error *);
int pg_history_read_many(struct ocop_store *, const int64_t *, size_t,
			 struct ocop_history *, struct ocop_error *);

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
int pg_label_lookup_many(struct ocop_store *, const char *const *, size_t,
			 struct store_label_read *, struct ocop_error *);
int pg_label_get_by_id(struct ocop_store *, int64_t, struct ocop_label *,
		       int64_t *, struct ocop_error *);
int pg_label_max_stars(struct ocop_store *, int64_t, int *,
		       struct ocop_error *);
int pg_label_max_id(struct ocop_store *, int64_t *, struct ocop_error *);
int pg_label_each_of_product(struct ocop_store *, int64_t, store_label_batch_cb,
			     void *, struct ocop_error *);
int pg_batch_each_of_product(struct ocop_store *, int64_t, store_batch_cb,
			     void *, struct ocop_error *);
int pg_key_add(struct ocop_store *, const struct store_key *,
	       const unsigned char *, size_t, struct ocop_error *);
int pg_key_each(struct ocop_store *, store_key_cb, void *, struct ocop_error *);
int pg_key_secret(struct ocop_store *, const char *, unsigned char *, size_t,
		  size_t *, struct ocop_error *);
int pg_key_retire(struct ocop_store *, int64_t, struct ocop_error *);
int pg_snapshot_seq_next(struct ocop_store *, const char *, int64_t,
			 const char *, int64_t *, struct ocop_error *);

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
int pg_token_revoke(struct ocop_store *, int64_t, int64_t, struct ocop_error *);
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
int pg_signin_add(struct ocop_store *, const char *, const char *, int64_t, int,
		  struct ocop_error *);
int pg_signin_failures(struct ocop_store *, const char *, const char *, int64_t,
		       int64_t *, int64_t *, struct ocop_error *);
int pg_audit_add(struct ocop_store *, struct store_audit *,
		 struct ocop_error *);
int pg_audit_each(struct ocop_store *, int64_t, store_audit_cb, void *,
		  struct ocop_error *);
int pg_scan_purge_client_data(struct ocop_store *, int64_t, int64_t *,
			      struct ocop_error *);
int pg_scan_purge_consumer(struct ocop_store *, int64_t, int64_t *,
			   struct ocop_error *);

int pg_table_each(struct ocop_store *, const struct store_table *, store_row_cb,
		  void *, struct ocop_error *);
int pg_load_begin(struct ocop_store *, const struct store_table *,
		  struct ocop_error *);
int pg_load_row(struct ocop_store *, const struct store_row *,
		struct ocop_error *);
int pg_load_end(struct ocop_store *, struct ocop_error *);
int pg_load_finish(struct ocop_store *, struct ocop_error *);

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
