/*
 * store_sqlite_accounts.c - the tokens, console users, sessions, sign-in
 * attempts, audit log and retention methods of the SQLite engine. Only
 * keyed hashes of tokens, setup links and session cookies are stored
 * (token.c, account.c); a lookup by such a hash leaks nothing by its
 * timing, as the hash is keyed.
 */
#include <string.h>

#include "store_sqlite.h"

enum {
	SQ_TOKEN_ADD = SQ_ACCOUNTS_FIRST,
	SQ_TOKEN_FIND,
	SQ_TOKEN_EACH,
	SQ_TOKEN_REVOKE,
	SQ_TOKEN_TOUCH,
	SQ_SESSION_TOUCH,
	SQ_USER_ADD,
	SQ_USER_GET,
	SQ_USER_GET_ID,
	SQ_USER_GET_SETUP,
	SQ_USER_EACH,
	SQ_USER_UPDATE,
	SQ_SESSION_ADD,
	SQ_SESSION_FIND,
	SQ_SESSION_END,
	SQ_SESSION_END_USER,
	SQ_SIGNIN_ADD,
	SQ_SIGNIN_LOGIN,
	SQ_SIGNIN_NET,
	SQ_AUDIT_ADD,
	SQ_AUDIT_EACH,
	SQ_PURGE_CLIENT,
	SQ_PURGE_CONSUMER,
	SQ_ACCOUNTS_END
};
_Static_assert(SQ_ACCOUNTS_END <= SQ_ACCOUNTS_FIRST + 32,
	       "too many statements for the accounts' slots");

static int64_t
col_id(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		   ? 0
		   : sqlite3_column_int64(st, i);
}

static int
col_role(sqlite3_stmt *st, int i, enum ocop_role *role, struct ocop_error *err)
{
	char name[16];

	sq_col_text(st, i, name, sizeof(name));
	if (ocop_role_parse(name, role) < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "stored role '%s' is unknown", name);
	return 0;
}

/* ---- tokens ------------------------------------------------------------ */

#define TOKEN_COLS                                                             \
	"id, role, producer_id, created_at, last_used_at, expires_at, "        \
	"revoked_at"

static int
token_row(sqlite3_stmt *st, struct store_token *t, struct ocop_error *err)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->producer_id = col_id(st, 2);
	t->created_at = sq_col_time(st, 3);
	t->last_used_at = sq_col_time(st, 4);
	t->expires_at = sq_col_time(st, 5);
	t->revoked_at = sq_col_time(st, 6);
	return col_role(st, 1, &t->role, err);
}

int
sq_token_add(struct ocop_store *base, const unsigned char *hash,
	     size_t hash_len, struct store_token *t, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_TOKEN_ADD,
		     "INSERT INTO tokens (hash, role, producer_id, created_at,"
		     " expires_at) VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	sq_bind_text(st, 2, ocop_role_name(t->role));
	if (t->producer_id > 0)
		sqlite3_bind_int64(st, 3, t->producer_id);
	sqlite3_bind_int64(st, 4, t->created_at);
	sq_bind_time(st, 5, t->expires_at);
	if ((rc = sq_step_done(s, st, "cannot store token", err)) < 0)
		return rc;
	t->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
sq_token_find(struct ocop_store *base, const unsigned char *hash,
	      size_t hash_len, struct store_token *out, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_TOKEN_FIND,
		     "SELECT " TOKEN_COLS " FROM tokens WHERE hash = ?");
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = token_row(st, out, err);
	else if (rc == SQLITE_DONE)
		rc = ocop_error_set(err, OCOP_ENOENT, "unknown token");
	else
		rc = sq_error(s, err, "cannot read tokens");
	sqlite3_reset(st);
	return rc;
}

int
sq_token_each(struct ocop_store *base, store_token_cb cb, void *ctx,
	      struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct store_token t;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_TOKEN_EACH,
		     "SELECT " TOKEN_COLS " FROM tokens ORDER BY id");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = token_row(st, &t, err)) < 0 ||
		    (rc = cb(ctx, &t)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "cannot read tokens");
	sqlite3_reset(st);
	return rc;
}

int
sq_token_revoke(struct ocop_store *base, int64_t id, int64_t at,
		struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_TOKEN_REVOKE,
		     "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?)"
		     " WHERE id = ?");
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sq_step_done(s, st, "cannot revoke token", err)) < 0)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return ocop_error_set(err, OCOP_ENOENT, "no token %lld",
				      (long long)id);
	return 0;
}

int
sq_token_touch(struct ocop_store *base, int64_t id, int64_t at,
	       struct ocop_error *err)
{
	return sq_touch((struct sq_store *)base, SQ_TOKEN_TOUCH,
			"UPDATE tokens SET last_used_at = ?1 WHERE id = ?2"
			" AND (last_used_at IS NULL OR last_used_at < ?1)",
			at, id, err);
}

int
sq_session_touch(struct ocop_store *base, int64_t id, int64_t at,
		 struct ocop_error *err)
{
	return sq_touch((struct sq_store *)base, SQ_SESSION_TOUCH,
			"UPDATE sessions SET used_at = ?1 WHERE id = ?2"
			" AND used_at < ?1",
			at, id, err);
}

/* ---- users ------------------------------------------------------------- */

#define USER_COLS                                                              \
	"id, login, role, producer_id, province, name, password, "             \
	"created_at, disabled_at, password_at, setup_hash, setup_expires"

static int
user_row(sqlite3_stmt *st, struct store_user *u, struct ocop_error *err)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	sq_col_text(st, 1, u->login, sizeof(u->login));
	u->producer_id = col_id(st, 3);
	sq_col_text(st, 4, u->province, sizeof(u->province));
	sq_col_text(st, 5, u->name, sizeof(u->name));
	sq_col_text(st, 6, u->password, sizeof(u->password));
	u->created_at = sq_col_time(st, 7);
	u->disabled_at = sq_col_time(st, 8);
	u->password_at = sq_col_time(st, 9);
	if (sqlite3_column_bytes(st, 10) == STORE_HASH_LEN) {
		u->has_setup = 1;
		memcpy(u->setup_hash, sqlite3_column_blob(st, 10),
		       STORE_HASH_LEN);
	}
	u->setup_expires = sq_col_time(st, 11);
	return col_role(st, 2, &u->role, err);
}

/* One user from a statement already bound. */
static int
user_one(struct sq_store *s, sqlite3_stmt *st, struct store_user *out,
	 struct ocop_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		rc = user_row(st, out, err);
	else if (rc == SQLITE_DONE)
		rc = ocop_error_set(err, OCOP_ENOENT, "no such user");
	else
		rc = sq_error(s, err, "cannot read users");
	sqlite3_reset(st);
	return rc;
}

int
sq_user_add(struct ocop_store *base, struct store_user *u,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_USER_ADD,
		     "INSERT INTO users (login, role, producer_id, province,"
		     " name, created_at, setup_hash, setup_expires)"
		     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	sq_bind_text(st, 1, u->login);
	sq_bind_text(st, 2, ocop_role_name(u->role));
	if (u->producer_id > 0)
		sqlite3_bind_int64(st, 3, u->producer_id);
	sq_bind_text(st, 4, u->province);
	sq_bind_text(st, 5, u->name);
	sqlite3_bind_int64(st, 6, u->created_at);
	if (u->has_setup)
		sqlite3_bind_blob(st, 7, u->setup_hash, STORE_HASH_LEN,
				  SQLITE_TRANSIENT);
	sq_bind_time(st, 8, u->has_setup ? u->setup_expires : OCOP_NO_TIME);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return ocop_error_set(err, OCOP_EEXIST,
				      "user '%s' already exists", u->login);
	if (rc != SQLITE_DONE)
		return sq_error(s, err, "cannot store user");
	u->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
sq_user_get(struct ocop_store *base, const char *login, struct store_user *out,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_USER_GET,
		     "SELECT " USER_COLS " FROM users WHERE login = ?");
	sq_bind_text(st, 1, login);
	return user_one(s, st, out, err);
}

int
sq_user_get_by_id(struct ocop_store *base, int64_t id, struct store_user *out,
		  struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_USER_GET_ID,
		     "SELECT " USER_COLS " FROM users WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	return user_one(s, st, out, err);
}

int
sq_user_get_by_setup(struct ocop_store *base, const unsigned char *hash,
		     size_t hash_len, struct store_user *out,
		     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_USER_GET_SETUP,
		     "SELECT " USER_COLS " FROM users WHERE setup_hash = ?");
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	return user_one(s, st, out, err);
}

int
sq_user_each(struct ocop_store *base, store_user_cb cb, void *ctx,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct store_user u;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_USER_EACH,
		     "SELECT " USER_COLS " FROM users ORDER BY login");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = user_row(st, &u, err)) < 0 ||
		    (rc = cb(ctx, &u)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "cannot read users");
	sqlite3_reset(st);
	return rc;
}

int
sq_user_update(struct ocop_store *base, const struct store_user *u,
	       struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_USER_UPDATE,
		     "UPDATE users SET password = ?, disabled_at = ?,"
		     " password_at = ?, setup_hash = ?, setup_expires = ?"
		     " WHERE id = ?");
	sq_bind_text_or_null(st, 1, u->password);
	sq_bind_time(st, 2, u->disabled_at);
	sq_bind_time(st, 3, u->password_at);
	if (u->has_setup)
		sqlite3_bind_blob(st, 4, u->setup_hash, STORE_HASH_LEN,
				  SQLITE_TRANSIENT);
	sq_bind_time(st, 5, u->has_setup ? u->setup_expires : OCOP_NO_TIME);
	sqlite3_bind_int64(st, 6, u->id);
	if ((rc = sq_step_done(s, st, "cannot update user", err)) < 0)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return ocop_error_set(err, OCOP_ENOENT, "no such user");
	return 0;
}

/* ---- sessions ---------------------------------------------------------- */

int
sq_session_add(struct ocop_store *base, const unsigned char *hash,
	       size_t hash_len, struct store_session *se,
	       struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_SESSION_ADD,
		     "INSERT INTO sessions (hash, user_id, csrf, created_at,"
		     " used_at) VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, se->user_id);
	sq_bind_text(st, 3, se->csrf);
	sqlite3_bind_int64(st, 4, se->created_at);
	sqlite3_bind_int64(st, 5, se->used_at);
	if ((rc = sq_step_done(s, st, "cannot store session", err)) < 0)
		return rc;
	se->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
sq_session_find(struct ocop_store *base, const unsigned char *hash,
		size_t hash_len, struct store_session *out,
		struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_SESSION_FIND,
		     "SELECT id, user_id, csrf, created_at, used_at, ended_at"
		     " FROM sessions WHERE hash = ?");
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		out->user_id = sqlite3_column_int64(st, 1);
		sq_col_text(st, 2, out->csrf, sizeof(out->csrf));
		out->created_at = sq_col_time(st, 3);
		out->used_at = sq_col_time(st, 4);
		out->ended_at = sq_col_time(st, 5);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ocop_error_set(err, OCOP_ENOENT, "no such session");
	} else {
		rc = sq_error(s, err, "cannot read sessions");
	}
	sqlite3_reset(st);
	return rc;
}

int
sq_session_end(struct ocop_store *base, int64_t id, int64_t at,
	       struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_SESSION_END,
		     "UPDATE sessions SET ended_at = ? WHERE id = ?"
		     " AND ended_at IS NULL");
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	return sq_step_done(s, st, "cannot end session", err);
}

int
sq_session_end_user(struct ocop_store *base, int64_t user_id, int64_t at,
		    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_SESSION_END_USER,
		     "UPDATE sessions SET ended_at = ? WHERE user_id = ?"
		     " AND ended_at IS NULL");
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, user_id);
	return sq_step_done(s, st, "cannot end sessions", err);
}

/* ---- sign-in attempts -------------------------------------------------- */

int
sq_signin_add(struct ocop_store *base, const char *login, const char *net,
	      int64_t at, int ok, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_SIGNIN_ADD,
		     "INSERT INTO signin_attempts (login, net, at, ok)"
		     " VALUES (?, ?, ?, ?)");
	sq_bind_text(st, 1, login);
	sq_bind_text(st, 2, net);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int(st, 4, ok ? 1 : 0);
	return sq_step_done(s, st, "cannot record sign-in attempt", err);
}

static int
count_one(struct sq_store *s, sqlite3_stmt *st, int64_t *n,
	  struct ocop_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = sq_error(s, err, "cannot read sign-in attempts");
	}
	sqlite3_reset(st);
	return rc;
}

int
sq_signin_failures(struct ocop_store *base, const char *login, const char *net,
		   int64_t since, int64_t *by_login, int64_t *by_net,
		   struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_SIGNIN_LOGIN,
		     "SELECT count(*) FROM signin_attempts"
		     " WHERE login = ? AND at >= ? AND NOT ok");
	sq_bind_text(st, 1, login);
	sqlite3_bind_int64(st, 2, since);
	if ((rc = count_one(s, st, by_login, err)) < 0)
		return rc;
	STMT_OR_FAIL(st, SQ_SIGNIN_NET,
		     "SELECT count(*) FROM signin_attempts"
		     " WHERE net = ? AND at >= ? AND NOT ok");
	sq_bind_text(st, 1, net);
	sqlite3_bind_int64(st, 2, since);
	return count_one(s, st, by_net, err);
}

/* ---- audit log --------------------------------------------------------- */

int
sq_audit_add(struct ocop_store *base, struct store_audit *a,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_AUDIT_ADD,
		     "INSERT INTO audit (at, actor, action, subject, net,"
		     " detail) VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_int64(st, 1, a->at);
	sq_bind_text(st, 2, a->actor);
	sq_bind_text(st, 3, a->action);
	sq_bind_text(st, 4, a->subject);
	sq_bind_text(st, 5, a->net);
	sq_bind_text(st, 6, a->detail);
	if ((rc = sq_step_done(s, st, "cannot append to the audit log", err)) <
	    0)
		return rc;
	a->id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int
sq_audit_each(struct ocop_store *base, int64_t since, store_audit_cb cb,
	      void *ctx, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct store_audit a;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_AUDIT_EACH,
		     "SELECT id, at, actor, action, subject, net, detail"
		     " FROM audit WHERE at >= ? ORDER BY at, id");
	sqlite3_bind_int64(st, 1, since == OCOP_NO_TIME ? INT64_MIN : since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(st, 0);
		a.at = sqlite3_column_int64(st, 1);
		sq_col_text(st, 2, a.actor, sizeof(a.actor));
		sq_col_text(st, 3, a.action, sizeof(a.action));
		sq_col_text(st, 4, a.subject, sizeof(a.subject));
		sq_col_text(st, 5, a.net, sizeof(a.net));
		sq_col_text(st, 6, a.detail, sizeof(a.detail));
		if ((rc = cb(ctx, &a)) != 0) {
			sqlite3_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : sq_error(s, err, "cannot read audit log");
	sqlite3_reset(st);
	return rc;
}

/* ---- retention --------------------------------------------------------- */

int
sq_scan_purge_client_data(struct ocop_store *base, int64_t before, int64_t *n,
			  struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_PURGE_CLIENT,
		     "UPDATE scans SET net = NULL, ua = NULL"
		     " WHERE source = 0 AND scanned_at < ?"
		     " AND (net IS NOT NULL OR ua IS NOT NULL)");
	sqlite3_bind_int64(st, 1, before);
	if ((rc = sq_step_done(s, st, "cannot clear scans", err)) < 0)
		return rc;
	*n = sqlite3_changes64(s->db);
	return 0;
}

/* Run sql (no parameters but ?1 = before, NULL: none), for the purge's
 * one-off statements. */
static int
purge_exec(struct sq_store *s, const char *sql, int64_t before,
	   struct ocop_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot delete scans");
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, before);
	rc = sqlite3_step(st) == SQLITE_DONE
		     ? 0
		     : sq_error(s, err, "cannot delete scans");
	sqlite3_finalize(st);
	return rc;
}

#define PURGE_TRIGGERS_MAX 8

/*
 * The triggers of schema 5 keep each label's count and first scan time
 * when a scan is deleted, one row at a time: each finds the label's new
 * first scan by walking its product's scans, so a purge of hundreds of
 * thousands of scans took minutes in one statement (and its statement
 * journal outgrew memory). The purge does the same set-wise instead, in
 * the caller's transaction: the recent counts folded, the scans' triggers
 * on DELETE set aside, the scans deleted, the counts of their labels
 * lowered, the first times found again in one pass, the triggers put
 * back as they were (the schema is the same after the commit).
 */
int
sq_scan_purge_consumer(struct ocop_store *base, int64_t before, int64_t *n,
		       struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	char *trig[PURGE_TRIGGERS_MAX] = {0};
	sqlite3_stmt *st;
	int rc, ntrig = 0;

	if ((rc = base->m->begin(base, err)) < 0)
		return rc;
	if ((rc = sq_scan_fold(s, err)) < 0)
		goto out_rollback;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT name, sql FROM sqlite_schema"
			       " WHERE type = 'trigger' AND tbl_name = 'scans'"
			       " AND sql LIKE '%DELETE ON scans%'",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = sq_error(s, err, "cannot delete scans");
		goto out_rollback;
	}
	while (sqlite3_step(st) == SQLITE_ROW && ntrig < PURGE_TRIGGERS_MAX) {
		char *drop = sqlite3_mprintf(
		    "DROP TRIGGER \"%w\"", sqlite3_column_text(st, 0));

		trig[ntrig++] = sqlite3_mprintf("%s", sqlite3_column_text(st, 1));
		rc = purge_exec(s, drop, 0, err);
		sqlite3_free(drop);
		if (rc < 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc < 0 ||
	    (rc = purge_exec(s,
			     "CREATE TEMP TABLE purge_counts"
			     " (label_id INTEGER PRIMARY KEY, n INTEGER)",
			     0, err)) < 0 ||
	    (rc = purge_exec(s,
			     "INSERT INTO temp.purge_counts"
			     " SELECT label_id, count(*) FROM scans"
			     " WHERE source = 0 AND scanned_at < ?1"
			     " AND label_id IS NOT NULL GROUP BY label_id",
			     before, err)) < 0 ||
	    (rc = purge_exec(s,
			     "DELETE FROM scans WHERE source = 0"
			     " AND scanned_at < ?1",
			     before, err)) < 0)
		goto out_rollback;
	*n = sqlite3_changes64(s->db);
	if ((rc = purge_exec(s,
			     "UPDATE label_scan_stats SET count = count -"
			     " (SELECT n FROM temp.purge_counts p"
			     " WHERE p.label_id = label_scan_stats.label_id)"
			     " WHERE label_id IN"
			     " (SELECT label_id FROM temp.purge_counts)",
			     0, err)) < 0 ||
	    (rc = purge_exec(s,
			     "DELETE FROM label_scan_stats WHERE count <= 0", 0,
			     err)) < 0 ||
	    (rc = purge_exec(s,
			     "CREATE TEMP TABLE purge_first"
			     " (label_id INTEGER PRIMARY KEY, f INTEGER)",
			     0, err)) < 0 ||
	    (rc = purge_exec(s,
			     "INSERT INTO temp.purge_first"
			     " SELECT label_id, min(scanned_at) FROM scans"
			     " WHERE label_id IN (SELECT label_id FROM"
			     " label_scan_stats WHERE first_at < ?1)"
			     " GROUP BY label_id",
			     before, err)) < 0 ||
	    (rc = purge_exec(s,
			     "UPDATE label_scan_stats SET first_at ="
			     " (SELECT f FROM temp.purge_first p"
			     " WHERE p.label_id = label_scan_stats.label_id)"
			     " WHERE label_id IN"
			     " (SELECT label_id FROM temp.purge_first)",
			     0, err)) < 0)
		goto out_rollback;
	for (int i = 0; i < ntrig; i++)
		if ((rc = purge_exec(s, trig[i], 0, err)) < 0)
			goto out_rollback;
	if ((rc = purge_exec(s, "DROP TABLE temp.purge_counts", 0, err)) < 0 ||
	    (rc = purge_exec(s, "DROP TABLE temp.purge_first", 0, err)) < 0)
		goto out_rollback;
	rc = base->m->commit(base, err);
	goto out;
out_rollback:
	base->m->rollback(base);
	/* a temporary table outlives the rollback of its creation only
	 * when made outside it: none here, but a later purge must start
	 * clean either way */
	sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.purge_counts;"
			    "DROP TABLE IF EXISTS temp.purge_first",
		     NULL, NULL, NULL);
out:
	for (int i = 0; i < ntrig; i++)
		sqlite3_free(trig[i]);
	return rc;
}
