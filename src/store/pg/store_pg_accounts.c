/*
 * store_pg_accounts.c - the tokens, console users, sessions, sign-in
 * attempts, audit log and retention methods of the PostgreSQL engine.
 * Only keyed hashes of tokens, setup links and session cookies are stored
 * (token.c, account.c); a lookup by such a hash leaks nothing by its
 * timing, as the hash is keyed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

enum {
	PG_TOKEN_ADD = PG_ACCOUNTS_FIRST,
	PG_TOKEN_FIND,
	PG_TOKEN_EACH,
	PG_TOKEN_REVOKE,
	PG_TOKEN_TOUCH,
	PG_SESSION_TOUCH,
	PG_USER_ADD,
	PG_USER_GET,
	PG_USER_GET_ID,
	PG_USER_GET_SETUP,
	PG_USER_EACH,
	PG_USER_UPDATE,
	PG_SESSION_ADD,
	PG_SESSION_FIND,
	PG_SESSION_END,
	PG_SESSION_END_USER,
	PG_SIGNIN_ADD,
	PG_SIGNIN_FAILURES,
	PG_AUDIT_ADD,
	PG_AUDIT_EACH,
	PG_PURGE_CLIENT,
	PG_PURGE_CONSUMER,
	PG_PURGE_COUNTS,
	PG_PURGE_FIRST,
	PG_ACCOUNTS_END
};
_Static_assert(PG_ACCOUNTS_END <= PG_ACCOUNTS_FIRST + 32,
	       "too many statements for the accounts' slots");

static int
col_role(const PGresult *res, int r, int i, enum ocop_role *role,
	 struct ocop_error *err)
{
	char name[16];

	pg_col_text(res, r, i, name, sizeof(name));
	if (ocop_role_parse(name, role) < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "stored role '%s' is unknown", name);
	return 0;
}

/* The new row's id of an INSERT ... RETURNING id. */
static int
returned_id(PGresult *res, int64_t *id)
{
	*id = PQntuples(res) > 0 ? pg_col_int(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

/* ---- tokens ------------------------------------------------------------ */

#define TOKEN_COLS                                                             \
	"id, role, producer_id, created_at, last_used_at, expires_at, "        \
	"revoked_at"

static int
token_row(const PGresult *res, int r, struct store_token *t,
	  struct ocop_error *err)
{
	memset(t, 0, sizeof(*t));
	t->id = pg_col_int(res, r, 0);
	t->producer_id = pg_col_int(res, r, 2);
	t->created_at = pg_col_time(res, r, 3);
	t->last_used_at = pg_col_time(res, r, 4);
	t->expires_at = pg_col_time(res, r, 5);
	t->revoked_at = pg_col_time(res, r, 6);
	return col_role(res, r, 1, &t->role, err);
}

int
pg_token_add(struct ocop_store *base, const unsigned char *hash,
	     size_t hash_len, struct store_token *t, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_bytes(&q, hash, hash_len);
	pp_text(&q, ocop_role_name(t->role));
	pp_id_or_null(&q, t->producer_id);
	pp_int(&q, t->created_at);
	pp_time(&q, t->expires_at);
	PG_OR_FAIL(res, PG_TOKEN_ADD,
		   "INSERT INTO tokens (hash, role, producer_id, created_at,"
		   " expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		   &q, "cannot store token");
	return returned_id(res, &t->id);
}

int
pg_token_find(struct ocop_store *base, const unsigned char *hash,
	      size_t hash_len, struct store_token *out, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	int rc;

	pp_bytes(&q, hash, hash_len);
	PG_OR_FAIL(res, PG_TOKEN_FIND,
		   "SELECT " TOKEN_COLS " FROM tokens WHERE hash = $1", &q,
		   "cannot read tokens");
	if (PQntuples(res) == 0)
		rc = ocop_error_set(err, OCOP_ENOENT, "unknown token");
	else
		rc = token_row(res, 0, out, err);
	PQclear(res);
	return rc;
}

int
pg_token_each(struct ocop_store *base, store_token_cb cb, void *ctx,
	      struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_token t;
	PGresult *res;
	int rc = 0;

	PG_OR_FAIL(res, PG_TOKEN_EACH,
		   "SELECT " TOKEN_COLS " FROM tokens ORDER BY id", NULL,
		   "cannot read tokens");
	for (int i = 0; i < PQntuples(res) && rc == 0; i++)
		if ((rc = token_row(res, i, &t, err)) == 0)
			rc = cb(ctx, &t);
	PQclear(res);
	return rc;
}

int
pg_token_revoke(struct ocop_store *base, int64_t id, int64_t at,
		struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	int n;

	pp_int(&q, at);
	pp_int(&q, id);
	PG_OR_FAIL(res, PG_TOKEN_REVOKE,
		   "UPDATE tokens SET revoked_at = coalesce(revoked_at, $1)"
		   " WHERE id = $2",
		   &q, "cannot revoke token");
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (n == 0)
		return ocop_error_set(err, OCOP_ENOENT, "no token %lld",
				      (long long)id);
	return 0;
}

int
pg_token_touch(struct ocop_store *base, int64_t id, int64_t at,
	       struct ocop_error *err)
{
	return pg_touch((struct pg_store *)base, PG_TOKEN_TOUCH,
			"UPDATE tokens SET last_used_at = $1 WHERE id = $2"
			" AND (last_used_at IS NULL OR last_used_at < $1)",
			at, id, err);
}

int
pg_session_touch(struct ocop_store *base, int64_t id, int64_t at,
		 struct ocop_error *err)
{
	return pg_touch((struct pg_store *)base, PG_SESSION_TOUCH,
			"UPDATE sessions SET used_at = $1 WHERE id = $2"
			" AND used_at < $1",
			at, id, err);
}

/* ---- users ------------------------------------------------------------- */

#define USER_COLS                                                              \
	"id, login, role, producer_id, province, name, password, "             \
	"created_at, disabled_at, password_at, setup_hash, setup_expires"

static int
user_row(const PGresult *res, int r, struct store_user *u,
	 struct ocop_error *err)
{
	memset(u, 0, sizeof(*u));
	u->id = pg_col_int(res, r, 0);
	pg_col_text(res, r, 1, u->login, sizeof(u->login));
	u->producer_id = pg_col_int(res, r, 3);
	pg_col_text(res, r, 4, u->province, sizeof(u->province));
	pg_col_text(res, r, 5, u->name, sizeof(u->name));
	pg_col_text(res, r, 6, u->password, sizeof(u->password));
	u->created_at = pg_col_time(res, r, 7);
	u->disabled_at = pg_col_time(res, r, 8);
	u->password_at = pg_col_time(res, r, 9);
	if (!PQgetisnull(res, r, 10)) {
		size_t len = 0;
		unsigned char *h = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(res, r, 10), &len);

		if (h && len == STORE_HASH_LEN) {
			u->has_setup = 1;
			memcpy(u->setup_hash, h, STORE_HASH_LEN);
		}
		PQfreemem(h);
	}
	u->setup_expires = pg_col_time(res, r, 11);
	return col_role(res, r, 2, &u->role, err);
}

static int
user_one(PGresult *res, struct store_user *out, struct ocop_error *err)
{
	int rc;

	if (PQntuples(res) == 0)
		rc = ocop_error_set(err, OCOP_ENOENT, "no such user");
	else
		rc = user_row(res, 0, out, err);
	PQclear(res);
	return rc;
}

int
pg_user_add(struct ocop_store *base, struct store_user *u,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, u->login);
	pp_text(&q, ocop_role_name(u->role));
	pp_id_or_null(&q, u->producer_id);
	pp_text(&q, u->province);
	pp_text(&q, u->name);
	pp_int(&q, u->created_at);
	if (u->has_setup) {
		pp_bytes(&q, u->setup_hash, STORE_HASH_LEN);
		pp_int(&q, u->setup_expires);
	} else {
		pp_text_or_null(&q, NULL);
		pp_time(&q, OCOP_NO_TIME);
	}
	res = pg_exec(s, PG_USER_ADD,
		      "INSERT INTO users (login, role, producer_id, province,"
		      " name, created_at, setup_hash, setup_expires)"
		      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
		      &q, "cannot store user", err);
	if (!res) {
		if (err && err->code == OCOP_EEXIST)
			ocop_error_set(err, OCOP_EEXIST,
				       "user '%s' already exists", u->login);
		return err ? err->code : OCOP_EINTERNAL;
	}
	return returned_id(res, &u->id);
}

int
pg_user_get(struct ocop_store *base, const char *login, struct store_user *out,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, login);
	PG_OR_FAIL(res, PG_USER_GET,
		   "SELECT " USER_COLS " FROM users WHERE login = $1", &q,
		   "cannot read users");
	return user_one(res, out, err);
}

int
pg_user_get_by_id(struct ocop_store *base, int64_t id, struct store_user *out,
		  struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, id);
	PG_OR_FAIL(res, PG_USER_GET_ID,
		   "SELECT " USER_COLS " FROM users WHERE id = $1", &q,
		   "cannot read users");
	return user_one(res, out, err);
}

int
pg_user_get_by_setup(struct ocop_store *base, const unsigned char *hash,
		     size_t hash_len, struct store_user *out,
		     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_bytes(&q, hash, hash_len);
	PG_OR_FAIL(res, PG_USER_GET_SETUP,
		   "SELECT " USER_COLS " FROM users WHERE setup_hash = $1", &q,
		   "cannot read users");
	return user_one(res, out, err);
}

int
pg_user_each(struct ocop_store *base, store_user_cb cb, void *ctx,
	     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct store_user u;
	PGresult *res;
	int rc = 0;

	PG_OR_FAIL(res, PG_USER_EACH,
		   "SELECT " USER_COLS
		   " FROM users ORDER BY login COLLATE \"C\"",
		   NULL, "cannot read users");
	for (int i = 0; i < PQntuples(res) && rc == 0; i++)
		if ((rc = user_row(res, i, &u, err)) == 0)
			rc = cb(ctx, &u);
	PQclear(res);
	return rc;
}

int
pg_user_update(struct ocop_store *base, const struct store_user *u,
	       struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	int n;

	pp_text_or_null(&q, u->password);
	pp_time(&q, u->disabled_at);
	pp_time(&q, u->password_at);
	if (u->has_setup) {
		pp_bytes(&q, u->setup_hash, STORE_HASH_LEN);
		pp_int(&q, u->setup_expires);
	} else {
		pp_text_or_null(&q, NULL);
		pp_time(&q, OCOP_NO_TIME);
	}
	pp_int(&q, u->id);
	PG_OR_FAIL(res, PG_USER_UPDATE,
		   "UPDATE users SET password = $1, disabled_at = $2,"
		   " password_at = $3, setup_hash = $4, setup_expires = $5"
		   " WHERE id = $6",
		   &q, "cannot update user");
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (n == 0)
		return ocop_error_set(err, OCOP_ENOENT, "no such user");
	return 0;
}

/* ---- sessions ---------------------------------------------------------- */

int
pg_session_add(struct ocop_store *base, const unsigned char *hash,
	       size_t hash_len, struct store_session *se,
	       struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_bytes(&q, hash, hash_len);
	pp_int(&q, se->user_id);
	pp_text(&q, se->csrf);
	pp_int(&q, se->created_at);
	pp_int(&q, se->used_at);
	PG_OR_FAIL(res, PG_SESSION_ADD,
		   "INSERT INTO sessions (hash, user_id, csrf, created_at,"
		   " used_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		   &q, "cannot store session");
	return returned_id(res, &se->id);
}

int
pg_session_find(struct ocop_store *base, const unsigned char *hash,
		size_t hash_len, struct store_session *out,
		struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_bytes(&q, hash, hash_len);
	PG_OR_FAIL(res, PG_SESSION_FIND,
		   "SELECT id, user_id, csrf, created_at, used_at, ended_at"
		   " FROM sessions WHERE hash = $1",
		   &q, "cannot read sessions");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT, "no such session");
	}
	memset(out, 0, sizeof(*out));
	out->id = pg_col_int(res, 0, 0);
	out->user_id = pg_col_int(res, 0, 1);
	pg_col_text(res, 0, 2, out->csrf, sizeof(out->csrf));
	out->created_at = pg_col_time(res, 0, 3);
	out->used_at = pg_col_time(res, 0, 4);
	out->ended_at = pg_col_time(res, 0, 5);
	PQclear(res);
	return 0;
}

static int
two_ints(struct pg_store *s, int slot, const char *sql, int64_t a, int64_t b,
	 const char *what, struct ocop_error *err)
{
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, a);
	pp_int(&q, b);
	PG_OR_FAIL(res, slot, sql, &q, what);
	PQclear(res);
	return 0;
}

int
pg_session_end(struct ocop_store *base, int64_t id, int64_t at,
	       struct ocop_error *err)
{
	return two_ints((struct pg_store *)base, PG_SESSION_END,
			"UPDATE sessions SET ended_at = $1 WHERE id = $2"
			" AND ended_at IS NULL",
			at, id, "cannot end session", err);
}

int
pg_session_end_user(struct ocop_store *base, int64_t user_id, int64_t at,
		    struct ocop_error *err)
{
	return two_ints((struct pg_store *)base, PG_SESSION_END_USER,
			"UPDATE sessions SET ended_at = $1 WHERE user_id = $2"
			" AND ended_at IS NULL",
			at, user_id, "cannot end sessions", err);
}

/* ---- sign-in attempts -------------------------------------------------- */

int
pg_signin_add(struct ocop_store *base, const char *login, const char *net,
	      int64_t at, int ok, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, login);
	pp_text(&q, net);
	pp_int(&q, at);
	pp_text(&q, ok ? "true" : "false");
	PG_OR_FAIL(res, PG_SIGNIN_ADD,
		   "INSERT INTO signin_attempts (login, net, at, ok)"
		   " VALUES ($1, $2, $3, $4)",
		   &q, "cannot record sign-in attempt");
	PQclear(res);
	return 0;
}

int
pg_signin_failures(struct ocop_store *base, const char *login, const char *net,
		   int64_t since, int64_t *by_login, int64_t *by_net,
		   struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, login);
	pp_text(&q, net);
	pp_int(&q, since);
	PG_OR_FAIL(res, PG_SIGNIN_FAILURES,
		   "SELECT (SELECT count(*) FROM signin_attempts"
		   " WHERE login = $1 AND at >= $3 AND NOT ok),"
		   " (SELECT count(*) FROM signin_attempts"
		   " WHERE net = $2 AND at >= $3 AND NOT ok)",
		   &q, "cannot read sign-in attempts");
	*by_login = pg_col_int(res, 0, 0);
	*by_net = pg_col_int(res, 0, 1);
	PQclear(res);
	return 0;
}

/* ---- audit log --------------------------------------------------------- */

int
pg_audit_add(struct ocop_store *base, struct store_audit *a,
	     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, a->at);
	pp_text(&q, a->actor);
	pp_text(&q, a->action);
	pp_text(&q, a->subject);
	pp_text(&q, a->net);
	pp_text(&q, a->detail);
	PG_OR_FAIL(res, PG_AUDIT_ADD,
		   "INSERT INTO audit (at, actor, action, subject, net, detail)"
		   " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
		   &q, "cannot append to the audit log");
	return returned_id(res, &a->id);
}

struct audit_each {
	store_audit_cb cb;
	void *ctx;
};

static int
audit_row(void *ctx, const PGresult *res)
{
	struct audit_each *e = ctx;
	struct store_audit a;

	memset(&a, 0, sizeof(a));
	a.id = pg_col_int(res, 0, 0);
	a.at = pg_col_int(res, 0, 1);
	pg_col_text(res, 0, 2, a.actor, sizeof(a.actor));
	pg_col_text(res, 0, 3, a.action, sizeof(a.action));
	pg_col_text(res, 0, 4, a.subject, sizeof(a.subject));
	pg_col_text(res, 0, 5, a.net, sizeof(a.net));
	pg_col_text(res, 0, 6, a.detail, sizeof(a.detail));
	return e->cb(e->ctx, &a);
}

int
pg_audit_each(struct ocop_store *base, int64_t since, store_audit_cb cb,
	      void *ctx, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	struct audit_each e = {cb, ctx};

	pp_int(&q, since == OCOP_NO_TIME ? INT64_MIN : since);
	return pg_stream(s, PG_AUDIT_EACH,
			 "SELECT id, at, actor, action, subject, net, detail"
			 " FROM audit WHERE at >= $1 ORDER BY at, id",
			 &q, "cannot read audit log", audit_row, &e, err);
}

/* ---- retention --------------------------------------------------------- */

int
pg_scan_purge_client_data(struct ocop_store *base, int64_t before, int64_t *n,
			  struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, before);
	PG_OR_FAIL(res, PG_PURGE_CLIENT,
		   "UPDATE scans SET net = NULL, ua = NULL"
		   " WHERE source = 0 AND scanned_at < $1"
		   " AND (net IS NOT NULL OR ua IS NOT NULL)",
		   &q, "cannot clear scans");
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

/* The labels' counts and the products' counts by day are kept in place
 * by each scan's transaction (label_scan_stats, product_day_scans), not by
 * triggers: the purge takes the deleted scans off them in the same
 * transaction, drops the counts gone to zero and finds again the first
 * scan of the labels whose first scan is gone.
 * Consumer scans carry no client id, so scan_clients is untouched. */
int
pg_scan_purge_consumer(struct ocop_store *base, int64_t before, int64_t *n,
		       struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	int rc;

	if ((rc = base->m->begin(base, err)) < 0)
		return rc;
	pp_int(&q, before);
	res = pg_exec(
	    s, PG_PURGE_CONSUMER,
	    "WITH d AS (DELETE FROM scans WHERE source = 0"
	    " AND scanned_at < $1 RETURNING label_id, product_id,"
	    " scanned_at),"
	    " c AS (SELECT label_id, count(*) AS n FROM d"
	    " WHERE label_id IS NOT NULL GROUP BY label_id),"
	    " u AS (UPDATE label_scan_stats x SET count = x.count - c.n"
	    " FROM c WHERE x.label_id = c.label_id RETURNING 1),"
	    " p AS (SELECT product_id, ocop_day_of(scanned_at) AS day,"
	    " count(*) AS n FROM d WHERE product_id IS NOT NULL"
	    " GROUP BY 1, 2),"
	    " q AS (UPDATE product_day_scans x SET count = x.count - p.n"
	    " FROM p WHERE x.product_id = p.product_id AND x.day = p.day"
	    " RETURNING 1)"
	    " SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM u),"
	    " (SELECT count(*) FROM q)",
	    &q, "cannot delete scans", err);
	if (!res)
		goto out_rollback;
	*n = pg_col_int(res, 0, 0);
	PQclear(res);
	/* the counts gone to zero, of labels and of products' days, in one
	 * round trip (a statement after the update, so both see it) */
	res =
	    pg_exec(s, PG_PURGE_COUNTS,
		    "WITH l AS (DELETE FROM label_scan_stats WHERE count <= 0)"
		    " DELETE FROM product_day_scans WHERE count <= 0",
		    NULL, "cannot count scans", err);
	if (!res)
		goto out_rollback;
	PQclear(res);
	res =
	    pg_exec(s, PG_PURGE_FIRST,
		    "UPDATE label_scan_stats x SET first_at = m.f"
		    " FROM (SELECT label_id, min(scanned_at) AS f FROM scans"
		    " WHERE label_id IN (SELECT label_id FROM label_scan_stats"
		    " WHERE first_at < $1) GROUP BY label_id) m"
		    " WHERE x.label_id = m.label_id AND x.first_at <> m.f",
		    &q, "cannot count scans", err);
	if (!res)
		goto out_rollback;
	PQclear(res);
	return base->m->commit(base, err);
out_rollback:
	base->m->rollback(base);
	return err ? err->code : OCOP_EINTERNAL;
}
