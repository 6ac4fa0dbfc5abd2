/*
 * store.h - the storage interface: what the product keeps, in its own
 * words (settings, products and their histories, labels, scans, tokens).
 *
 * An engine is a struct ocop_store whose first member points to a table of
 * methods, in the manner of SQLite's VFS; store.c (ocop_store_open) picks
 * the engine by the form of the --db value (a file path: SQLite, in
 * sqlite/; postgres:// or postgresql://: PostgreSQL) as SQLite picks a VFS
 * by name. Each engine keeps its schema in assets/migrations/<engine>/.
 * Callers never see SQL and call through the table:
 * st->m->label_get(st, ...).
 *
 * The contract every engine keeps:
 *
 * - Errors. Every int method returns 0 or a negative OCOP_E* code with
 *   *err set (err may be NULL). "Not found" is OCOP_ENOENT; a unique rule
 *   broken is OCOP_EEXIST; the disk or the server refusing a write is
 *   OCOP_EOUTPUT; a server that cannot be reached is OCOP_EUNREACH;
 *   anything else OCOP_EINTERNAL. The first two say the database as a
 *   whole cannot be used now (store_down), not one call's business.
 * - Memory. Strings and rows are copied into structs the caller owns;
 *   nothing a method returns points into the engine. An iterator's row is
 *   valid only during its callback (copy what you keep).
 * - Transactions. begin/commit/rollback nest by counting; only the
 *   outermost commit is real. A rollback at any depth makes the outermost
 *   commit fail and roll back; a commit that fails has rolled back:
 *   nothing of the transaction is stored, and the handle is usable again.
 *   A method that writes outside a transaction is its own transaction.
 * - Reads. read_begin/read_end hold one consistent snapshot across several
 *   reads; no writes inside. A snapshot begun after a commit returned (on
 *   any handle of this process) sees that commit; a change committed by
 *   another process is seen by a snapshot begun a millisecond after it.
 *   On an OCOP_STORE_READER handle a read of one statement may be its
 *   own snapshot, the snapshot of the others then beginning with the
 *   second (PostgreSQL: no BEGIN and COMMIT round trips around the one
 *   lookup of a request); callers there combine a first read with later
 *   ones only through what the first read returned (record.c keys what
 *   it caches by the registry version read with the label).
 * - Iterators (the _each methods) call back once per row, in the order
 *   stated; a non-zero return stops the iteration and is returned. A
 *   callback must not call any method of the same handle (the engine may
 *   be in the middle of a statement or a network reply): collect what you
 *   need and read it after the iteration, or use a second handle.
 * - Threads. A handle is used by one thread at a time; handles are
 *   independent, so any methods may run at the same time on separate
 *   handles of the same database, from threads of one process or from
 *   several processes. Writers are serialised by the engine (a writer may
 *   wait for another's commit; readers are never blocked by writers).
 * - Upkeep is the engine's own business: its logs, caches, counters and
 *   snapshots are kept by the engine behind these methods (a handle
 *   opened with OCOP_STORE_SCAN_WRITER may run a thread of its own for
 *   them, stopped by close). Callers only say, when they open a handle,
 *   what it is for (ocop.h: OCOP_STORE_*).
 * - Instants are the caller's: every time stored (issue, scan, void) is a
 *   value the caller passes in, from the ocop process's clock, never the
 *   database's.
 */
#ifndef OCOP_STORE_H
#define OCOP_STORE_H

#include "ocop.h"
#include "places.h"

struct ocop_store_methods;

#define STORE_MAX_TABLES 32

struct store_stats {
	char engine[16];
	int schema; /* the latest migration applied */
	size_t ntables;
	struct {
		char name[48];
		int64_t rows;
	} tables[STORE_MAX_TABLES]; /* ordered by name */
	char check[1024]; /* "ok", or the problems, one a line */
};

struct ocop_store {
	const struct ocop_store_methods *m;
};

/* A row of a table as 'ocop db copy' moves it: typed values, in the
 * order of the table's columns (struct store_table). TEXT is
 * NUL-terminated; a day is TEXT (YYYY-MM-DD). */
enum store_type {
	STORE_NULL = 0,
	STORE_INT,
	STORE_REAL,
	STORE_TEXT,
	STORE_BLOB
};
struct store_value {
	enum store_type type;
	int64_t i;
	double r;
	const void *p; /* TEXT and BLOB: the engine's until the callback
			* returns */
	size_t len;
};
#define STORE_MAX_COLS 20
struct store_row {
	size_t n;
	struct store_value v[STORE_MAX_COLS];
};
typedef int (*store_row_cb)(void *ctx, const struct store_row *row);

/* A table as both engines name it and its columns. */
struct store_table {
	const char *name;
	const char *cols; /* comma-separated, the first one orders the rows */
};

/*
 * Every table of the product's data, each after the tables it refers to:
 * what 'ocop db copy' copies (store.c). "label_scans" is not a table but
 * what each engine derives from the scans, kept as it is (label_id,
 * count, first_at, places: places_encode's blob). A new table is one line
 * there; a table of the database that is not there makes a copy fail
 * rather than leave it behind. What an engine alone derives from these
 * (PostgreSQL's product_day_scans: each product's scans by day) is not
 * listed: the engine's rows leave it out, and its load makes it anew.
 */
extern const struct store_table store_tables[];
extern const size_t store_ntables;

/* Called once per row by the iterating methods; a non-zero return stops
 * the iteration and is returned by the method. The row is the engine's
 * until the callback returns, and the callback calls no method of the
 * handle iterating. */
typedef int (*store_product_cb)(void *ctx, const struct ocop_product *p);
/* The most products one product_counts call takes. */
#define STORE_COUNTS_MAX 64
typedef int (*store_scan_cb)(void *ctx, const struct ocop_scan *s);
typedef int (*store_label_cb)(void *ctx, const struct ocop_label *l);
typedef int (*store_batch_cb)(void *ctx, const struct ocop_batch *b);
/* A label with its batch's void time (OCOP_NO_TIME when not voided). */
typedef int (*store_label_batch_cb)(void *ctx, const struct ocop_label *l,
				    int64_t batch_voided_at);

/* What label_lookup reads of one label, for label_lookup_many. */
#define STORE_LOOKUPS_MAX 256
struct store_label_read {
	int found;
	struct ocop_label label;
	struct ocop_batch batch;
	int64_t scan_count, first_scan_at;
	struct places places;
	int64_t registry_version;
};

/* A signing key of the field snapshots (keys.h), without its secret,
 * which only key_secret reads. */
struct store_key {
	char id[32];
	unsigned char public_key[32];
	int64_t created_at;
	int64_t valid_from;
	int64_t retired_at; /* OCOP_NO_TIME while it is the current key */
};
typedef int (*store_key_cb)(void *ctx, const struct store_key *k);

/* An API token as stored (its keyed hash aside). Times are OCOP_NO_TIME
 * when not set. */
struct store_token {
	int64_t id;
	enum ocop_role role;
	int64_t producer_id; /* 0 unless role is producer */
	int64_t created_at;
	int64_t last_used_at;
	int64_t expires_at;
	int64_t revoked_at;
};

#define STORE_HASH_LEN 32
/* A console user as stored (account.h is the API over it). */
struct store_user {
	int64_t id;
	char login[128];
	enum ocop_role role;
	int64_t producer_id; /* 0 unless role is producer */
	char province[64];
	char name[256];
	char password[160]; /* crypto_pwhash_str's string, "" for none */
	int64_t created_at;
	int64_t disabled_at;   /* OCOP_NO_TIME: enabled */
	int64_t password_at;   /* when the password was set, or NO_TIME */
	int has_setup;	       /* a setup link is pending: */
	unsigned char setup_hash[STORE_HASH_LEN]; /* its keyed hash */
	int64_t setup_expires;
};

/* A console session (its cookie's keyed hash aside). */
struct store_session {
	int64_t id;
	int64_t user_id;
	char csrf[64];
	int64_t created_at;
	int64_t used_at;
	int64_t ended_at; /* OCOP_NO_TIME while open */
};

/* A row of the audit log. */
struct store_audit {
	int64_t id;
	int64_t at;
	char actor[160];
	char action[64];
	char subject[256];
	char net[64];
	char detail[512];
};

typedef int (*store_token_cb)(void *ctx, const struct store_token *t);
typedef int (*store_user_cb)(void *ctx, const struct store_user *u);
typedef int (*store_audit_cb)(void *ctx, const struct store_audit *a);

struct ocop_store_methods {
	const char *name;
	/* Each statement is a round trip to a server (PostgreSQL), not a
	 * call in process (SQLite): the service then runs more request
	 * threads than cores, so that some work while others wait for
	 * replies, and judges a consumer scan on its request thread, which
	 * leaves the scan writer only inserts to send as one pipeline. */
	int networked;
	void (*close)(struct ocop_store *st);

	int (*begin)(struct ocop_store *st, struct ocop_error *err);
	int (*commit)(struct ocop_store *st, struct ocop_error *err);
	void (*rollback)(struct ocop_store *st);

	/* Settings: base_url, token_key, ... value "" when absent. */
	int (*meta_get)(struct ocop_store *st, const char *key, char *buf,
			size_t size, struct ocop_error *err);
	int (*meta_set)(struct ocop_store *st, const char *key,
			const char *value, struct ocop_error *err);

	/* Registry. product_put inserts or updates the product (by code)
	 * and its producer; sets p->id and p->producer.id. *changed tells
	 * whether anything was written. */
	int (*product_put)(struct ocop_store *st, struct ocop_product *p,
			   int *changed, struct ocop_error *err);
	int (*product_get)(struct ocop_store *st, const char *code,
			   struct ocop_product *out, struct ocop_error *err);
	int (*product_get_by_id)(struct ocop_store *st, int64_t id,
				 struct ocop_product *out,
				 struct ocop_error *err);
	int (*product_get_by_gtin)(struct ocop_store *st, const char *gtin14,
				   struct ocop_product *out,
				   struct ocop_error *err);
	/* All products ordered by code. */
	int (*product_each)(struct ocop_store *st, store_product_cb cb,
			    void *ctx, struct ocop_error *err);
	/* A page of products ordered by code: those of producer_id (0:
	 * every producer's) whose code or name holds q (ASCII letters
	 * matched without regard to case; NULL or "": every product),
	 * from the offset-th (0-based), at most limit (none past the
	 * end). *total: how many match in all. */
	int (*product_page)(struct ocop_store *st, int64_t producer_id,
			    const char *q, int64_t offset, int limit,
			    store_product_cb cb, void *ctx, int64_t *total,
			    struct ocop_error *err);
	/* For each of n products (n <= STORE_COUNTS_MAX), in one statement:
	 * issued[i] its labels (voided ones too), scans[i] its scans at or
	 * after since[i], and late[i] those of them at or after
	 * late_since[i] (INT64_MAX: none). since[i] and late_since[i] are
	 * the starts of days (ocop_day_start), or INT64_MAX for late_since:
	 * an engine may count the scans by day. Reads index ranges only:
	 * the cost follows the products asked for, not the registry or the
	 * scan log. */
	int (*product_counts)(struct ocop_store *st, const int64_t *ids,
			      const int64_t *since, const int64_t *late_since,
			      size_t n, int64_t *issued, int64_t *scans,
			      int64_t *late, struct ocop_error *err);

	/* Append a recognition; an identical one (same product and
	 * decision_no, same content) is a no-op with *changed = 0; the same
	 * decision_no with other content is OCOP_EEXIST. Sets r->id. */
	int (*recognition_add)(struct ocop_store *st, int64_t product_id,
			       struct ocop_recognition *r, int *changed,
			       struct ocop_error *err);
	/* Append an extension of recognition rec_id (the latest appended
	 * extension of a recognition is the one in effect). */
	int (*extension_add)(struct ocop_store *st, int64_t rec_id,
			     int32_t until, const char *decision_no,
			     struct ocop_error *err);
	/* Append a revocation; same rules as recognition_add. */
	int (*revocation_add)(struct ocop_store *st, int64_t product_id,
			      struct ocop_revocation *r, int *changed,
			      struct ocop_error *err);
	/* The product's history as stored, not resolved: recognitions
	 * ordered by valid_from, decided_on, id, each with the latest
	 * appended extension's end as extended_until (end = valid_until,
	 * revoked_on = OCOP_NO_DAY); revocations ordered by revoked_on, id.
	 * h must be initialised; it is emptied first. The rules that read a
	 * history are the caller's (registry_history resolves it). */
	int (*history_read)(struct ocop_store *st, int64_t product_id,
			    struct ocop_history *h, struct ocop_error *err);
	/* The same for n products (n <= STORE_COUNTS_MAX) into h[0..n), in
	 * a number of round trips that does not grow with n. */
	int (*history_read_many)(struct ocop_store *st, const int64_t *ids,
				 size_t n, struct ocop_history *h,
				 struct ocop_error *err);

	/* Labels. batch_add sets b->id; label_add sets l->id. Call inside a
	 * transaction for a whole batch. */
	int (*batch_add)(struct ocop_store *st, struct ocop_batch *b,
			 struct ocop_error *err);
	int (*label_add)(struct ocop_store *st, struct ocop_label *l,
			 struct ocop_error *err);
	int (*label_get)(struct ocop_store *st, const char *serial,
			 struct ocop_label *out, struct ocop_error *err);
	int (*batch_get)(struct ocop_store *st, int64_t id,
			 struct ocop_batch *out, struct ocop_error *err);
	/* Void one label / a whole batch at instant at. Voiding twice keeps
	 * the first time and is not an error. */
	int (*label_void)(struct ocop_store *st, const char *serial,
			  int64_t at, const char *reason,
			  struct ocop_error *err);
	int (*batch_void)(struct ocop_store *st, int64_t batch_id, int64_t at,
			  const char *reason, struct ocop_error *err);
	/* The labels of a batch in issue order. */
	int (*label_each_in_batch)(struct ocop_store *st, int64_t batch_id,
				   store_label_cb cb, void *ctx,
				   struct ocop_error *err);
	/* The batches of a product (product_id 0: of every product, ordered
	 * by product_id first), the latest issued first. */
	int (*batch_each)(struct ocop_store *st, int64_t product_id,
			  store_batch_cb cb, void *ctx, struct ocop_error *err);
	/* Every label of a product, voided ones too. */
	int (*label_count_for_product)(struct ocop_store *st,
				       int64_t product_id, int64_t *n,
				       struct ocop_error *err);

	/* Scans. scan_add stores s (sets s->id) unless s->client_id is
	 * non-empty and already stored: then *duplicate = 1 and *s is
	 * overwritten with the stored scan. The scan and its label's count
	 * are stored together (in the caller's transaction if any). In a
	 * transaction of an OCOP_STORE_SCAN_WRITER handle, an engine may
	 * send the statements of scan_add and scan_stats on and fill their
	 * outputs (s, *duplicate, *count, *first_at: the caller's until
	 * then) only when commit returns 0. */
	int (*scan_add)(struct ocop_store *st, struct ocop_scan *s,
			int *duplicate, struct ocop_error *err);
	/* Count and first time of the stored scans of a label. */
	int (*scan_stats)(struct ocop_store *st, int64_t label_id,
			  int64_t *count, int64_t *first_at,
			  struct ocop_error *err);

	/* Reports. These stream only some fields of struct ocop_scan (the
	 * others are zero) so that millions of rows are read from indexes.
	 * Time bounds are from <= scanned_at < to, OCOP_NO_TIME: unbounded.
	 * scan_each_of_product: one product's scans ordered by scanned_at;
	 * id, label_id, product_id, scanned_at and place are filled. */
	int (*scan_each_of_product)(struct ocop_store *st, int64_t product_id,
				    int64_t from, int64_t to,
				    store_scan_cb cb, void *ctx,
				    struct ocop_error *err);
	/* Count and last scanned_at (OCOP_NO_TIME if none) of those. */
	int (*scan_count_of_product)(struct ocop_store *st,
				     int64_t product_id, int64_t from,
				     int64_t to, int64_t *count,
				     int64_t *last_at, struct ocop_error *err);
	/* Scans of a label that have a place (places.h: an inspector's
	 * place, else a consumer's network), in no particular order;
	 * label_id, scanned_at, source, place and net are filled. */
	int (*scan_each_placed)(struct ocop_store *st, int64_t from,
				int64_t to, store_scan_cb cb, void *ctx,
				struct ocop_error *err);
	/* Every field of the stored scans, in the order stored: those of
	 * code (NULL: any) whose client id begins with id_prefix (NULL:
	 * any, consumer scans included). What 'ocop db scans' lists. */
	int (*scan_each_stored)(struct ocop_store *st, const char *code,
				const char *id_prefix, store_scan_cb cb,
				void *ctx, struct ocop_error *err);
	/* Scans that matched no label, ordered by place, code, scanned_at;
	 * id, code, scanned_at, verdict, reason, source, place and province
	 * are filled. */
	int (*scan_each_unknown)(struct ocop_store *st, int64_t from,
				 int64_t to, store_scan_cb cb, void *ctx,
				 struct ocop_error *err);
	/* The label with this id, and its batch's void time (OCOP_NO_TIME
	 * when the batch is not voided). */
	int (*label_get_by_id)(struct ocop_store *st, int64_t id,
			       struct ocop_label *out,
			       int64_t *batch_voided_at,
			       struct ocop_error *err);
	/* The most stars printed on any label of the product (0: none). */
	int (*label_max_stars)(struct ocop_store *st, int64_t product_id,
			       int *stars, struct ocop_error *err);
	/* The largest label id (0: no labels). */
	int (*label_max_id)(struct ocop_store *st, int64_t *id,
			    struct ocop_error *err);
	/* Every label of a product, in no particular order, with its
	 * batch's void time; id, batch_id, product_id, stars and voided_at
	 * are filled. */
	int (*label_each_of_product)(struct ocop_store *st,
				     int64_t product_id,
				     store_label_batch_cb cb, void *ctx,
				     struct ocop_error *err);

	/* Every batch of a product, ordered by id. */
	int (*batch_each_of_product)(struct ocop_store *st, int64_t product_id,
				     store_batch_cb cb, void *ctx,
				     struct ocop_error *err);

	/* Signing keys. key_add stores k with its secret (OCOP_EEXIST for
	 * an id already stored); key_each lists them ordered by valid_from,
	 * id; key_secret copies the secret of key id into secret (size
	 * bytes at most, *len its length; OCOP_ENOENT when no such key);
	 * key_retire sets retired_at = at on every key not yet retired. */
	int (*key_add)(struct ocop_store *st, const struct store_key *k,
		       const unsigned char *secret, size_t secret_len,
		       struct ocop_error *err);
	int (*key_each)(struct ocop_store *st, store_key_cb cb, void *ctx,
			struct ocop_error *err);
	int (*key_secret)(struct ocop_store *st, const char *id,
			  unsigned char *secret, size_t size, size_t *len,
			  struct ocop_error *err);
	int (*key_retire)(struct ocop_store *st, int64_t at,
			  struct ocop_error *err);
	/* Record a snapshot issued at issued_at for province, signed by
	 * key_id, and give its sequence number: larger than any given
	 * before on this database, never reused. */
	int (*snapshot_seq_next)(struct ocop_store *st, const char *province,
				 int64_t issued_at, const char *key_id,
				 int64_t *seq, struct ocop_error *err);

	/* Tokens: stored by keyed hash only. token_add stores t's role,
	 * producer_id, created_at and expires_at and sets t->id. */
	int (*token_add)(struct ocop_store *st, const unsigned char *hash,
			 size_t hash_len, struct store_token *t,
			 struct ocop_error *err);
	/* OCOP_ENOENT when no token has this hash. */
	int (*token_find)(struct ocop_store *st, const unsigned char *hash,
			  size_t hash_len, struct store_token *out,
			  struct ocop_error *err);
	/* Every token, ordered by id. */
	int (*token_each)(struct ocop_store *st, store_token_cb cb, void *ctx,
			  struct ocop_error *err);
	/* Revoke token id at instant at; revoking twice keeps the first
	 * time. OCOP_ENOENT when there is no such token. */
	int (*token_revoke)(struct ocop_store *st, int64_t id, int64_t at,
			    struct ocop_error *err);

	/* Record that token id / session id was used at instant at. Unlike
	 * every other write, callable on any handle, an OCOP_STORE_READER
	 * one inside a read too: the engine then writes it on a connection
	 * of its own, opened for it and closed after (so call it rarely:
	 * token.c and account.c do at most once a minute a token or
	 * session). Inside a write transaction it is part of it. */
	int (*token_touch)(struct ocop_store *st, int64_t id, int64_t at,
			   struct ocop_error *err);
	int (*session_touch)(struct ocop_store *st, int64_t id, int64_t at,
			     struct ocop_error *err);

	/* Console users. user_add sets u->id; OCOP_EEXIST when the login is
	 * taken. The getters answer OCOP_ENOENT when there is no such user.
	 * user_update writes u's password, disabled_at, password_at and
	 * setup link (has_setup, setup_hash, setup_expires) by u->id. */
	int (*user_add)(struct ocop_store *st, struct store_user *u,
			struct ocop_error *err);
	int (*user_get)(struct ocop_store *st, const char *login,
			struct store_user *out, struct ocop_error *err);
	int (*user_get_by_id)(struct ocop_store *st, int64_t id,
			      struct store_user *out, struct ocop_error *err);
	int (*user_get_by_setup)(struct ocop_store *st,
				 const unsigned char *hash, size_t hash_len,
				 struct store_user *out,
				 struct ocop_error *err);
	/* Every user, ordered by login. */
	int (*user_each)(struct ocop_store *st, store_user_cb cb, void *ctx,
			 struct ocop_error *err);
	int (*user_update)(struct ocop_store *st, const struct store_user *u,
			   struct ocop_error *err);

	/* Sessions, stored by their cookie's keyed hash. session_add sets
	 * s->id; session_find answers OCOP_ENOENT for no such hash, ended
	 * ones included (the caller checks ended_at). session_end ends one,
	 * session_end_user every open one of a user, at instant at. */
	int (*session_add)(struct ocop_store *st, const unsigned char *hash,
			   size_t hash_len, struct store_session *s,
			   struct ocop_error *err);
	int (*session_find)(struct ocop_store *st, const unsigned char *hash,
			    size_t hash_len, struct store_session *out,
			    struct ocop_error *err);
	int (*session_end)(struct ocop_store *st, int64_t id, int64_t at,
			   struct ocop_error *err);
	int (*session_end_user)(struct ocop_store *st, int64_t user_id,
				int64_t at, struct ocop_error *err);

	/* Sign-in attempts: record one; count the failed ones since instant
	 * since for a login and for a client network. */
	int (*signin_add)(struct ocop_store *st, const char *login,
			  const char *net, int64_t at, int ok,
			  struct ocop_error *err);
	int (*signin_failures)(struct ocop_store *st, const char *login,
			       const char *net, int64_t since,
			       int64_t *by_login, int64_t *by_net,
			       struct ocop_error *err);

	/* The audit log: appended, never changed nor deleted (no method
	 * does; the schema refuses it too). audit_add sets a->id;
	 * audit_each calls back for the rows with at >= since
	 * (OCOP_NO_TIME: all), ordered by at, id. */
	int (*audit_add)(struct ocop_store *st, struct store_audit *a,
			 struct ocop_error *err);
	int (*audit_each)(struct ocop_store *st, int64_t since,
			  store_audit_cb cb, void *ctx,
			  struct ocop_error *err);

	/* Retention (SPEC 11), on consumer scans (source
	 * OCOP_SCAN_CONSUMER) with scanned_at < before; inspector scans
	 * are never touched. scan_purge_client_data clears their network
	 * and browser fields; scan_purge_consumer deletes them, the labels'
	 * scan counts and first scan times following (scan_stats and
	 * label_lookup then count the scans kept). *n: the scans changed. */
	int (*scan_purge_client_data)(struct ocop_store *st, int64_t before,
				      int64_t *n, struct ocop_error *err);
	int (*scan_purge_consumer)(struct ocop_store *st, int64_t before,
				   int64_t *n, struct ocop_error *err);

	/* A read snapshot around several reads (one lock instead of one per
	 * statement; writers are not blocked). No writes inside. Nests with
	 * begin/commit by the same counting; read_end ends it (an engine
	 * may keep it for the next read_begin of an OCOP_STORE_READER
	 * handle while that sees the same as a new one would: the
	 * freshness rules of "Reads" above). */
	int (*read_begin)(struct ocop_store *st, struct ocop_error *err);
	void (*read_end)(struct ocop_store *st);

	/* What a verification reads of a label, in one read: the label by
	 * serial, its batch, its stored scans (count, first time or
	 * OCOP_NO_TIME, as scan_stats; places, when not NULL, merged into
	 * the caller's initialised struct) and the registry version, a number
	 * that changes whenever products, producers, recognitions,
	 * extensions or revocations change (so products and histories read
	 * under the same version may be reused). OCOP_ENOENT when no label
	 * has this serial. */
	int (*label_lookup)(struct ocop_store *st, const char *serial,
			    struct ocop_label *label, struct ocop_batch *batch,
			    int64_t *scan_count, int64_t *first_scan_at,
			    struct places *places, int64_t *registry_version,
			    struct ocop_error *err);
	/* label_lookup for n serials (n <= STORE_LOOKUPS_MAX) into
	 * out[0..n), in a number of round trips that does not grow with n:
	 * out[i].found is 0 when no label has serials[i] (a serial may come
	 * twice). One snapshot for all, so one registry version (an engine
	 * that reads them one by one does so in the caller's read). */
	int (*label_lookup_many)(struct ocop_store *st,
				 const char *const *serials, size_t n,
				 struct store_label_read *out,
				 struct ocop_error *err);

	/* What 'ocop db stats' shows: the engine, its schema version, the
	 * rows of every table of the product's data, and a check of the
	 * whole database ("ok", else the problems found). Read in one
	 * snapshot. */
	int (*stats)(struct ocop_store *st, struct store_stats *out,
		     struct ocop_error *err);

	/* What stats shows without the check (check is "ok"): quick on
	 * millions of scans. */
	int (*rows)(struct ocop_store *st, struct store_stats *out,
		    struct ocop_error *err);

	/* Copying a whole database (store_tables). table_each calls back
	 * once per row of t, ordered by its first column, in the caller's
	 * read if any. Loading, in the caller's transaction: load_begin
	 * empties t, load_row adds a row (ids kept), load_end ends t;
	 * load_finish, after the last table, makes what the engine keeps
	 * beside them (its id sequences past the ids loaded, its indexes of
	 * the scans). OCOP_ENOENT: a table the engine does not have. */
	int (*table_each)(struct ocop_store *st, const struct store_table *t,
			  store_row_cb cb, void *ctx, struct ocop_error *err);
	int (*load_begin)(struct ocop_store *st, const struct store_table *t,
			  struct ocop_error *err);
	int (*load_row)(struct ocop_store *st, const struct store_row *row,
			struct ocop_error *err);
	int (*load_end)(struct ocop_store *st, struct ocop_error *err);
	int (*load_finish)(struct ocop_store *st, struct ocop_error *err);

	/* Optional (NULL: the engine has none; callers say so). A
	 * consistent copy of the whole database into the new file path
	 * (OCOP_EEXIST when it exists), taken while other handles keep
	 * reading and writing, and checked whole before it returns 0;
	 * nothing is left at path on failure. */
	int (*backup)(struct ocop_store *st, const char *path,
		      struct ocop_error *err);
};

/* Engines: open the database db (a path or a URI, as store.c matched it)
 * for what flags say (ocop.h, OCOP_STORE_*), creating it with
 * OCOP_STORE_CREATE, and bring its schema up to date. A schema newer than
 * the engine knows is refused. */
int store_sqlite_open(const char *db, int flags, struct ocop_store **out,
		      struct ocop_error *err);
int store_pg_open(const char *db, int flags, struct ocop_store **out,
		  struct ocop_error *err);

/* Whether a method's rc says the database cannot be used now, whatever
 * the call (OCOP_EOUTPUT, OCOP_EUNREACH: the contract above), rather than
 * something of the call itself. */
int store_down(int rc);

/* For the engines' product_page: the LIKE pattern (escape character
 * backslash) of q anywhere in a text, q's own % _ and \ taken as such,
 * into out (at least 2 * strlen(q) + 3 bytes; q is cut to fit). */
void store_like_pattern(const char *q, char *out, size_t size);

/* Copy the whole database from (a path or URI) into to, created if
 * missing, through the engines' row methods (ids kept), in one
 * transaction of the target; then count every table's rows on both
 * sides. OCOP_EREFUSED: the target holds data already, or either side
 * has a table store_tables does not list; OCOP_EINTERNAL naming the
 * table when the counts differ. *out: the target's stats after. */
int store_copy(const char *from, const char *to, struct store_stats *out,
	       struct ocop_error *err);

#endif
