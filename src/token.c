/*
 * token.c - API tokens (see token.h). A token is "ocop_" and 32 random
 * bytes in base64url; the store keeps BLAKE2b(token, key) only, so a
 * copied database gives no usable token.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "token.h"

static const char *const role_names[] = {
	[OCOP_ROLE_ADMIN] = "admin",
	[OCOP_ROLE_PRODUCER] = "producer",
	[OCOP_ROLE_INSPECTOR] = "inspector",
};

const char *
ocop_role_name(enum ocop_role r)
{
	if (r <= OCOP_ROLE_NONE || r > OCOP_ROLE_INSPECTOR)
		return "none";
	return role_names[r];
}

int
ocop_role_parse(const char *s, enum ocop_role *r)
{
	for (int i = OCOP_ROLE_ADMIN; i <= OCOP_ROLE_INSPECTOR; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*r = (enum ocop_role)i;
			return 0;
		}
	}
	return OCOP_EINVAL;
}

static int
key_from_hex(const char *hex, unsigned char *key, struct ocop_error *err)
{
	size_t n = 0;

	if (sodium_hex2bin(key, TOKEN_KEY_LEN, hex, strlen(hex), NULL, &n,
			   NULL) != 0 ||
	    n != TOKEN_KEY_LEN)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "setting 'token_key' is damaged: expected "
				      "%d bytes in hex",
				      TOKEN_KEY_LEN);
	return 0;
}

int
token_key_load(struct ocop_store *st, unsigned char *key,
	       struct ocop_error *err)
{
	char hex[2 * TOKEN_KEY_LEN + 8];
	int rc;

	rc = st->m->meta_get(st, "token_key", hex, sizeof(hex), err);
	if (rc < 0)
		return rc;
	if (!hex[0])
		return ocop_error_set(err, OCOP_ENOENT, "no token made yet");
	rc = key_from_hex(hex, key, err);
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int
token_key_get_or_make(struct ocop_store *st, unsigned char *key,
		struct ocop_error *err)
{
	char hex[2 * TOKEN_KEY_LEN + 1];
	int rc;

	rc = token_key_load(st, key, err);
	if (rc != OCOP_ENOENT)
		return rc;
	randombytes_buf(key, TOKEN_KEY_LEN);
	sodium_bin2hex(hex, sizeof(hex), key, TOKEN_KEY_LEN);
	rc = st->m->meta_set(st, "token_key", hex, err);
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

void
token_keyed_hash(const unsigned char *key, const char *text, size_t len,
		 unsigned char *hash)
{
	crypto_generichash(hash, TOKEN_HASH_LEN, (const unsigned char *)text,
			   len, key, TOKEN_KEY_LEN);
}

int
token_create(struct ocop_store *st, enum ocop_role role, int64_t producer_id,
	     int64_t now, int64_t expires_at, char *out, int64_t *id,
	     struct ocop_error *err)
{
	unsigned char key[TOKEN_KEY_LEN], raw[32], hash[TOKEN_HASH_LEN];
	size_t plen = strlen(TOKEN_PREFIX);
	struct store_token t;
	int rc;

	if (role < OCOP_ROLE_ADMIN || role > OCOP_ROLE_INSPECTOR)
		return ocop_error_set(err, OCOP_EINVAL, "invalid role");
	if ((role == OCOP_ROLE_PRODUCER) != (producer_id > 0))
		return ocop_error_set(err, OCOP_EINVAL,
				      "a producer token needs a producer, and "
				      "only a producer token takes one");
	if (expires_at != OCOP_NO_TIME && expires_at <= now)
		return ocop_error_set(err, OCOP_EINVAL,
				      "a token's expiry must be in the future");
	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((rc = token_key_get_or_make(st, key, err)) < 0)
		goto out_rollback;
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, TOKEN_PREFIX, plen);
	sodium_bin2base64(out + plen, TOKEN_LEN + 1 - plen, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	token_keyed_hash(key, out, strlen(out), hash);
	memset(&t, 0, sizeof(t));
	t.role = role;
	t.producer_id = producer_id;
	t.created_at = now;
	t.expires_at = expires_at;
	rc = st->m->token_add(st, hash, sizeof(hash), &t, err);
	if (rc < 0)
		goto out_rollback;
	if (id)
		*id = t.id;
	rc = st->m->commit(st, err);
	goto out;
out_rollback:
	st->m->rollback(st);
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hash, sizeof(hash));
	if (rc < 0)
		sodium_memzero(out, TOKEN_LEN + 1);
	return rc;
}

/* The last uses this process recorded, so that the request threads of a
 * server record a token's use once a minute between them, not once each:
 * on PostgreSQL each record opens a connection. */
#define TOUCHED_SLOTS 64
static struct {
	int64_t id, at;
} touched[TOUCHED_SLOTS];
static pthread_mutex_t touched_mu = PTHREAD_MUTEX_INITIALIZER;

/* 1 when the caller is to record token id's use at now (and it is noted
 * as recorded), 0 when this process did within TOKEN_TOUCH_EVERY. */
static int
touch_due(int64_t id, int64_t now)
{
	size_t i = (size_t)id % TOUCHED_SLOTS;
	int due;

	pthread_mutex_lock(&touched_mu);
	due = touched[i].id != id || now - touched[i].at >= TOKEN_TOUCH_EVERY ||
	      now < touched[i].at;
	if (due) {
		touched[i].id = id;
		touched[i].at = now;
	}
	pthread_mutex_unlock(&touched_mu);
	return due;
}

int
token_check_at(struct ocop_store *st, const unsigned char *key,
	       const char *token, size_t len, int64_t now,
	       struct store_token *out, struct ocop_error *err)
{
	unsigned char hash[TOKEN_HASH_LEN];
	size_t plen = strlen(TOKEN_PREFIX);
	struct store_token t;
	int rc;

	/* the shape is public: checking it first leaks nothing */
	if (len != TOKEN_LEN || memcmp(token, TOKEN_PREFIX, plen) != 0)
		return ocop_error_set(err, OCOP_EAUTH, "malformed token");
	token_keyed_hash(key, token, len, hash);
	rc = st->m->token_find(st, hash, sizeof(hash), &t, err);
	sodium_memzero(hash, sizeof(hash));
	if (rc == OCOP_ENOENT)
		return ocop_error_set(err, OCOP_EAUTH, "unknown token");
	if (rc < 0)
		return rc;
	if (t.revoked_at != OCOP_NO_TIME)
		return ocop_error_set(err, OCOP_EAUTH, "token %lld is revoked",
				      (long long)t.id);
	if (t.expires_at != OCOP_NO_TIME && now >= t.expires_at)
		return ocop_error_set(err, OCOP_EAUTH, "token %lld has expired",
				      (long long)t.id);
	/* a write per minute a token, not per request; verification goes
	 * on when the use cannot be recorded (a read-only disk) */
	if ((t.last_used_at == OCOP_NO_TIME ||
	     now - t.last_used_at >= TOKEN_TOUCH_EVERY) &&
	    touch_due(t.id, now)) {
		if (st->m->token_touch(st, t.id, now, NULL) == 0)
			t.last_used_at = now;
	}
	if (out)
		*out = t;
	return 0;
}

int
token_check(struct ocop_store *st, const unsigned char *key,
	    const char *token, size_t len, enum ocop_role *role,
	    int64_t *producer_id, struct ocop_error *err)
{
	struct store_token t;
	int rc = token_check_at(st, key, token, len, ocop_now(), &t, err);

	if (rc == 0) {
		*role = t.role;
		*producer_id = t.producer_id;
	}
	return rc;
}

const char *
token_from_header(const char *header, size_t *len)
{
	const char *p, *e;

	if (!header || strncasecmp(header, "Bearer", 6) != 0 ||
	    (header[6] != ' ' && header[6] != '\t'))
		return NULL;
	for (p = header + 6; *p == ' ' || *p == '\t'; p++)
		;
	for (e = p + strlen(p); e > p && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*len = (size_t)(e - p);
	return p;
}
