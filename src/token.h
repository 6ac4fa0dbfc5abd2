/*
 * token.h - API tokens: made from libsodium's CSPRNG, shown once, stored
 * only as a keyed hash (BLAKE2b via crypto_generichash) whose 32-byte key
 * lives in the database setting "token_key" (made on first use).
 */
#ifndef OCOP_TOKEN_H
#define OCOP_TOKEN_H

#include <stddef.h>

#include "ocop.h"
#include "store/store.h"

#define TOKEN_PREFIX "ocop_"
/* "ocop_" + 43 characters of unpadded base64url (32 random bytes) */
#define TOKEN_LEN 48
#define TOKEN_KEY_LEN 32
#define TOKEN_HASH_LEN 32

/* A token's last use is recorded at most this often (seconds). */
#define TOKEN_TOUCH_EVERY 60

/*
 * Create a token with role (admin, producer or inspector); a producer
 * token is bound to producer_id (> 0), the others take 0. It is created
 * at instant now and stops working at expires_at (OCOP_NO_TIME: never;
 * else after now). Writes the token text into out (>= TOKEN_LEN + 1
 * bytes) and its id into *id (may be NULL); only its hash is stored.
 * Makes the hashing key on first use. Nests in the caller's transaction.
 */
int token_create(struct ocop_store *st, enum ocop_role role,
		 int64_t producer_id, int64_t now, int64_t expires_at,
		 char *out, int64_t *id, struct ocop_error *err);

/*
 * Load the hashing key into key (TOKEN_KEY_LEN bytes). OCOP_ENOENT when
 * no token was ever made (no key yet).
 */
int token_key_load(struct ocop_store *st, unsigned char *key,
		   struct ocop_error *err);

/*
 * The hashing key, made and stored when there is none (call in a write
 * transaction). The same key hashes the console's setup links and session
 * cookies (account.c).
 */
int token_key_get_or_make(struct ocop_store *st, unsigned char *key,
			  struct ocop_error *err);

/* The keyed hash (TOKEN_HASH_LEN bytes) of len bytes of text. */
void token_keyed_hash(const unsigned char *key, const char *text, size_t len,
		      unsigned char *hash);

/*
 * Check a bearer token against the store with key at instant now. 0 with
 * *out (may be NULL) for a stored token in force; OCOP_EAUTH for a
 * malformed, unknown, revoked or expired one (len bytes of token), the
 * message saying which. Records the token's last use at now when the
 * stored one is TOKEN_TOUCH_EVERY seconds old or more (on any handle, a
 * reader's too: store.h, token_touch); a failure to record it does not
 * fail the check. The token's hash is wiped after use.
 */
int token_check_at(struct ocop_store *st, const unsigned char *key,
		   const char *token, size_t len, int64_t now,
		   struct store_token *out, struct ocop_error *err);

/* token_check_at at ocop_now(), giving the role and producer. */
int token_check(struct ocop_store *st, const unsigned char *key,
		const char *token, size_t len, enum ocop_role *role,
		int64_t *producer_id, struct ocop_error *err);

/*
 * The token of an "Authorization: Bearer T" header value, or NULL when
 * the header is absent or of another scheme. Points into header.
 */
const char *token_from_header(const char *header, size_t *len);

#endif
