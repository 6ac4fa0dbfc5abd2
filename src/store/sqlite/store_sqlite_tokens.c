/*
 * store_sqlite_tokens.c - the tokens methods of the SQLite engine.
 * Only keyed hashes of tokens are stored (see token.c).
 */
#include <sodium.h>
#include <string.h>

#include "store_sqlite.h"

enum {
	SQ_TOKEN_ADD = SQ_TOKENS_FIRST,
	SQ_TOKEN_FIND,
};

int
sq_token_add(struct ocop_store *base, const unsigned char *hash,
	     size_t hash_len, enum ocop_role role, int64_t producer_id,
	     struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;

	st = sq_stmt(s, SQ_TOKEN_ADD,
		     "INSERT INTO tokens (hash, role, producer_id, created_at) "
		     "VALUES (?, ?, ?, ?)",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	sq_bind_text(st, 2, ocop_role_name(role));
	if (producer_id > 0)
		sqlite3_bind_int64(st, 3, producer_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, ocop_now());
	return sq_step_done(s, st, "cannot store token", err);
}

int
sq_token_find(struct ocop_store *base, const unsigned char *hash,
	      size_t hash_len, enum ocop_role *role, int64_t *producer_id,
	      struct ocop_error *err)
{
	struct sq_store *s = (struct sq_store *)base;
	sqlite3_stmt *st;
	const void *stored;
	char name[16];
	int rc;

	st = sq_stmt(s, SQ_TOKEN_FIND,
		     "SELECT hash, role, producer_id FROM tokens WHERE hash = ?",
		     err);
	if (!st)
		return err ? err->code : OCOP_EINTERNAL;
	sqlite3_bind_blob(st, 1, hash, (int)hash_len, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_ENOENT, "unknown token");
	}
	if (rc != SQLITE_ROW) {
		rc = sq_error(s, err, "cannot read tokens");
		sqlite3_reset(st);
		return rc;
	}
	/* the index found it; compare again in constant time so that no
	 * path depends on how many bytes of a guess were right */
	stored = sqlite3_column_blob(st, 0);
	if (!stored || (size_t)sqlite3_column_bytes(st, 0) != hash_len ||
	    sodium_memcmp(stored, hash, hash_len) != 0) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_ENOENT, "unknown token");
	}
	sq_col_text(st, 1, name, sizeof(name));
	if (ocop_role_parse(name, role) < 0) {
		sqlite3_reset(st);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "token with unknown role '%s'", name);
	}
	*producer_id = sqlite3_column_type(st, 2) == SQLITE_NULL
			       ? 0
			       : sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}
