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

/*
 * Create a token with role (admin, producer or inspector); a producer
 * token is bound to producer_id (> 0), the others take 0. Writes the
 * token text into out (>= TOKEN_LEN + 1 bytes); only its hash is stored.
 * Makes the hashing key on first use.
 */
int token_create(struct ocop_store *st, enum ocop_role role,
		 int64_t producer_id, char *out, struct ocop_error *err);

/*
 * Load the hashing key into key (TOKEN_KEY_LEN bytes). OCOP_ENOENT when
 * no token was ever made (no key yet).
 */
int token_key_load(struct ocop_store *st, unsigned char *key,
		   struct ocop_error *err);

/*
 * Check a bearer token against the store with key. 0 with *role and
 * *producer_id for a stored token; OCOP_EAUTH for a malformed or unknown
 * one (len bytes of token). The token's hash is wiped after use.
 */
int token_check(struct ocop_store *st, const unsigned char *key,
		const char *token, size_t len, enum ocop_role *role,
		int64_t *producer_id, struct ocop_error *err);

/*
 * The token of an "Authorization: Bearer T" header value, or NULL when
 * the header is absent or of another scheme. Points into header.
 */
const char *token_from_header(const char *header, size_t *len);

#endif
