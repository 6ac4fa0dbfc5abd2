/*
 * store_pg_keys.c - the signing keys and snapshot numbers of the
 * PostgreSQL engine (schema 3). A secret key leaves the database only
 * through pg_key_secret, into the caller's buffer.
 */
#include <sodium.h>
#include <string.h>

#include "store_pg.h"

enum {
	PG_KEY_ADD = PG_KEYS_FIRST,
	PG_KEY_EACH,
	PG_KEY_SECRET,
	PG_KEY_RETIRE,
	PG_SNAPSHOT_ADD,
	PG_KEYS_END
};

_Static_assert((int)PG_KEYS_END <= (int)PG_SLOTS,
	       "keys statements overflow their slots");

int
pg_key_add(struct ocop_store *base, const struct store_key *k,
	   const unsigned char *secret, size_t secret_len,
	   struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, k->id);
	pp_bytes(&q, k->public_key, sizeof(k->public_key));
	pp_bytes(&q, secret, secret_len);
	pp_int(&q, k->created_at);
	pp_int(&q, k->valid_from);
	pp_time(&q, k->retired_at);
	res = pg_exec(s, PG_KEY_ADD,
		      "INSERT INTO signing_keys (id, public_key, secret_key, "
		      "created_at, valid_from, retired_at) "
		      "VALUES ($1, $2, $3, $4, $5, $6)",
		      &q, "cannot store signing key", err);
	if (!res)
		return err && err->code == OCOP_EEXIST
			   ? ocop_error_set(err, OCOP_EEXIST,
					    "signing key '%s' already "
					    "exists",
					    k->id)
			   : (err ? err->code : OCOP_EINTERNAL);
	PQclear(res);
	return 0;
}

struct key_each {
	store_key_cb cb;
	void *ctx;
};

static int
key_row(void *ctx, const PGresult *res)
{
	struct key_each *e = ctx;
	struct store_key k;
	unsigned char *pk;
	size_t len = 0;

	memset(&k, 0, sizeof(k));
	pg_col_text(res, 0, 0, k.id, sizeof(k.id));
	pk =
	    PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1), &len);
	if (pk && len == sizeof(k.public_key))
		memcpy(k.public_key, pk, sizeof(k.public_key));
	PQfreemem(pk);
	k.created_at = pg_col_int(res, 0, 2);
	k.valid_from = pg_col_int(res, 0, 3);
	k.retired_at = pg_col_time(res, 0, 4);
	return e->cb(e->ctx, &k);
}

int
pg_key_each(struct ocop_store *base, store_key_cb cb, void *ctx,
	    struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct key_each e = {cb, ctx};

	return pg_stream(s, PG_KEY_EACH,
			 "SELECT id, public_key, created_at, valid_from, "
			 "retired_at FROM signing_keys ORDER BY valid_from, id",
			 NULL, "cannot list signing keys", key_row, &e, err);
}

int
pg_key_secret(struct ocop_store *base, const char *id, unsigned char *secret,
	      size_t size, size_t *len, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;
	unsigned char *sk;
	size_t n = 0;
	int rc = 0;

	pp_text(&q, id);
	PG_OR_FAIL(res, PG_KEY_SECRET,
		   "SELECT secret_key FROM signing_keys WHERE id = $1", &q,
		   "cannot read signing key");
	if (PQntuples(res) == 0) {
		PQclear(res);
		return ocop_error_set(err, OCOP_ENOENT,
				      "signing key '%s' not found", id);
	}
	sk = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n);
	if (!sk || n > size) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "signing key '%s' is damaged", id);
	} else {
		memcpy(secret, sk, n);
		*len = n;
	}
	if (sk) {
		sodium_memzero(sk, n);
		PQfreemem(sk);
	}
	/* the result's text form holds the secret too */
	if (PQntuples(res) > 0 && PQgetlength(res, 0, 0) > 0)
		sodium_memzero(PQgetvalue(res, 0, 0),
			       (size_t)PQgetlength(res, 0, 0));
	PQclear(res);
	return rc;
}

int
pg_key_retire(struct ocop_store *base, int64_t at, struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_int(&q, at);
	PG_OR_FAIL(res, PG_KEY_RETIRE,
		   "UPDATE signing_keys SET retired_at = $1 "
		   "WHERE retired_at IS NULL",
		   &q, "cannot retire signing key");
	PQclear(res);
	return 0;
}

int
pg_snapshot_seq_next(struct ocop_store *base, const char *province,
		     int64_t issued_at, const char *key_id, int64_t *seq,
		     struct ocop_error *err)
{
	struct pg_store *s = (struct pg_store *)base;
	struct pg_params q = {0};
	PGresult *res;

	pp_text(&q, province);
	pp_int(&q, issued_at);
	pp_text(&q, key_id);
	PG_OR_FAIL(res, PG_SNAPSHOT_ADD,
		   "INSERT INTO snapshots (province, issued_at, key_id) "
		   "VALUES ($1, $2, $3) RETURNING seq",
		   &q, "cannot record snapshot");
	*seq = pg_col_int(res, 0, 0);
	PQclear(res);
	return 0;
}
