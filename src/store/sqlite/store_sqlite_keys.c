/*
 * store_sqlite_keys.c - the signing keys and snapshot numbers of the
 * SQLite engine (schema 9). A secret key leaves the database only through
 * sq_key_secret, into the caller's buffer.
 */
#include <sodium.h>
#include <string.h>

#include "store_sqlite.h"

enum {
	SQ_KEY_ADD = SQ_KEYS_FIRST,
	SQ_KEY_EACH,
	SQ_KEY_SECRET,
	SQ_KEY_RETIRE,
	SQ_SNAPSHOT_ADD,
};

int
sq_key_add(struct ocop_store *base, const struct store_key *k,
	   const unsigned char *secret, size_t secret_len,
	   struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_KEY_ADD,
		     "INSERT INTO signing_keys (id, public_key, secret_key, "
		     "created_at, valid_from, retired_at) "
		     "VALUES (?, ?, ?, ?, ?, ?)");
	sq_bind_text(st, 1, k->id);
	sqlite3_bind_blob(st, 2, k->public_key, sizeof(k->public_key),
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, secret, (int)secret_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, k->created_at);
	sqlite3_bind_int64(st, 5, k->valid_from);
	sq_bind_time(st, 6, k->retired_at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT)
		rc = ocop_error_set(err, OCOP_EEXIST,
				    "signing key '%s' already exists", k->id);
	else if (rc != SQLITE_DONE)
		rc = sq_error(s, err, "cannot store signing key");
	else
		rc = 0;
	sqlite3_reset(st);
	/* the statement keeps no reference to the secret once unbound */
	sqlite3_clear_bindings(st);
	return rc;
}

int
sq_key_each(struct ocop_store *base, store_key_cb cb, void *ctx,
	    struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	struct store_key k;
	sqlite3_stmt *st;
	int rc;

	/* not cached: a callback may call back into the store */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, public_key, created_at, valid_from, "
			       "retired_at FROM signing_keys "
			       "ORDER BY valid_from, id",
			       -1, &st, NULL) != SQLITE_OK)
		return sq_error(s, err, "cannot list signing keys");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&k, 0, sizeof(k));
		sq_col_text(st, 0, k.id, sizeof(k.id));
		if (sqlite3_column_bytes(st, 1) == sizeof(k.public_key))
			memcpy(k.public_key, sqlite3_column_blob(st, 1),
			       sizeof(k.public_key));
		k.created_at = sqlite3_column_int64(st, 2);
		k.valid_from = sqlite3_column_int64(st, 3);
		k.retired_at = sq_col_time(st, 4);
		if ((rc = cb(ctx, &k)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		rc = sq_error(s, err, "cannot list signing keys");
	else
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
sq_key_secret(struct ocop_store *base, const char *id, unsigned char *secret,
	      size_t size, size_t *len, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc, n;

	STMT_OR_FAIL(st, SQ_KEY_SECRET,
		     "SELECT secret_key FROM signing_keys WHERE id = ?");
	sq_bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_ENOENT,
				      "signing key '%s' not found", id);
	}
	if (rc != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot read signing key");
		sqlite3_reset(st);
		return rc;
	}
	n = sqlite3_column_bytes(st, 0);
	if (n < 0 || (size_t)n > size) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "signing key '%s' is damaged", id);
	}
	memcpy(secret, sqlite3_column_blob(st, 0), (size_t)n);
	*len = (size_t)n;
	sqlite3_reset(st);
	return 0;
}

int
sq_key_retire(struct ocop_store *base, int64_t at, struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	STMT_OR_FAIL(st, SQ_KEY_RETIRE,
		     "UPDATE signing_keys SET retired_at = ? "
		     "WHERE retired_at IS NULL");
	sqlite3_bind_int64(st, 1, at);
	return sq_step_done(s, st, "cannot retire signing key", err);
}

int
sq_snapshot_seq_next(struct ocop_store *base, const char *province,
		     int64_t issued_at, const char *key_id, int64_t *seq,
		     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	int rc;

	STMT_OR_FAIL(st, SQ_SNAPSHOT_ADD,
		     "INSERT INTO snapshots (province, issued_at, key_id) "
		     "VALUES (?, ?, ?)");
	sq_bind_text(st, 1, province);
	sqlite3_bind_int64(st, 2, issued_at);
	sq_bind_text(st, 3, key_id);
	if ((rc = sq_step_done(s, st, "cannot record snapshot", err)) < 0)
		return rc;
	*seq = sqlite3_last_insert_rowid(s->db);
	return 0;
}
