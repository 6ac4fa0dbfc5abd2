/*
 * keys.c - the snapshot signing keys (see keys.h). Ed25519 by libsodium;
 * secret keys are read from the store only to sign and wiped after.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

static void
key_id_of(const unsigned char *pk, char *id)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, crypto_sign_PUBLICKEYBYTES);
	sodium_bin2base64(id, KEYS_ID_LEN + 1, h, 9,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A new key valid from now, stored (the caller's transaction). */
static int
key_make(struct ocop_store *st, int64_t now, struct store_key *out,
	 struct ocop_error *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	int rc;

	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	memset(out, 0, sizeof(*out));
	crypto_sign_keypair(out->public_key, sk);
	key_id_of(out->public_key, out->id);
	out->created_at = now;
	out->valid_from = now;
	out->retired_at = OCOP_NO_TIME;
	rc = st->m->key_add(st, out, sk, sizeof(sk), err);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

struct key_list {
	struct store_key *keys;
	size_t n;
};

static int
list_cb(void *ctx, const struct store_key *k)
{
	struct key_list *l = ctx;

	l->keys = ocop_xrealloc(l->keys, (l->n + 1) * sizeof(*l->keys));
	l->keys[l->n++] = *k;
	return 0;
}

int
keys_list(struct ocop_store *st, struct store_key **keys, size_t *n,
	  struct ocop_error *err)
{
	struct key_list l = {NULL, 0};
	int rc = st->m->key_each(st, list_cb, &l, err);

	if (rc < 0) {
		free(l.keys);
		return rc;
	}
	*keys = l.keys;
	*n = l.n;
	return 0;
}

int
keys_current(struct ocop_store *st, struct store_key *out,
	     struct ocop_error *err)
{
	struct store_key *keys;
	size_t n;
	int rc, found = 0;

	if ((rc = keys_list(st, &keys, &n, err)) < 0)
		return rc;
	/* ordered by valid_from: the last one not retired */
	for (size_t i = 0; i < n; i++) {
		if (keys[i].retired_at == OCOP_NO_TIME) {
			*out = keys[i];
			found = 1;
		}
	}
	free(keys);
	if (!found)
		return ocop_error_set(err, OCOP_ENOENT,
				      "no signing key: run 'ocop init' or "
				      "'ocop key rotate'");
	return 0;
}

int
keys_ensure(struct ocop_store *st, int64_t now, int *made,
	    struct ocop_error *err)
{
	struct store_key k;
	int rc;

	if (made)
		*made = 0;
	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	rc = keys_current(st, &k, NULL);
	if (rc == OCOP_ENOENT) {
		rc = key_make(st, now, &k, err);
		if (rc == 0 && made)
			*made = 1;
	} else if (rc < 0) {
		rc = ocop_error_set(err, rc, "cannot read signing keys");
	}
	if (rc < 0) {
		st->m->rollback(st);
		return rc;
	}
	return st->m->commit(st, err);
}

int
keys_rotate(struct ocop_store *st, int64_t now, struct store_key *out,
	    struct ocop_error *err)
{
	int rc;

	if ((rc = st->m->begin(st, err)) < 0)
		return rc;
	if ((rc = st->m->key_retire(st, now, err)) < 0 ||
	    (rc = key_make(st, now, out, err)) < 0) {
		st->m->rollback(st);
		return rc;
	}
	return st->m->commit(st, err);
}

int
keys_sign(struct ocop_store *st, const char *id, const void *msg, size_t len,
	  unsigned char *sig, struct ocop_error *err)
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	size_t n = 0;
	int rc;

	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	rc = st->m->key_secret(st, id, sk, sizeof(sk), &n, err);
	if (rc == 0 && n != sizeof(sk))
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "signing key '%s' is damaged", id);
	if (rc == 0)
		crypto_sign_detached(sig, NULL, msg, len, sk);
	sodium_memzero(sk, sizeof(sk));
	return rc;
}

int64_t
keys_valid_until(const struct store_key *k)
{
	if (k->retired_at == OCOP_NO_TIME)
		return OCOP_NO_TIME;
	return k->retired_at + KEYS_SNAPSHOT_LIFETIME;
}

static json_t *
json_time_or_null(int64_t t)
{
	char buf[32];

	return t == OCOP_NO_TIME ? json_null()
				 : json_string(ocop_time_format(t, buf));
}

int
keys_json(struct ocop_store *st, int64_t now, struct ocop_buf *out,
	  struct ocop_error *err)
{
	struct store_key *keys;
	json_t *doc, *arr;
	char *text;
	size_t n;
	int rc;

	if ((rc = keys_list(st, &keys, &n, err)) < 0)
		return rc;
	doc = json_object();
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct store_key *k = &keys[i];
		int64_t until = keys_valid_until(k);
		char pk[64];
		json_t *o;

		if (until != OCOP_NO_TIME && until <= now)
			continue;
		sodium_bin2base64(pk, sizeof(pk), k->public_key,
				  sizeof(k->public_key),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		o = json_object();
		json_object_set_new(o, "id", json_string(k->id));
		json_object_set_new(o, "alg", json_string("Ed25519"));
		json_object_set_new(o, "public_key", json_string(pk));
		json_object_set_new(o, "valid_from",
				    json_time_or_null(k->valid_from));
		json_object_set_new(o, "retired_at",
				    json_time_or_null(k->retired_at));
		json_object_set_new(o, "valid_until", json_time_or_null(until));
		json_array_append_new(arr, o);
	}
	free(keys);
	json_object_set_new(doc, "keys", arr);
	json_object_set_new(doc, "snapshot_lifetime_seconds",
			    json_integer(KEYS_SNAPSHOT_LIFETIME));
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot write the keys document");
	rc = ocop_buf_adds(out, text);
	free(text);
	if (rc < 0)
		return ocop_error_set(err, rc, "keys document too large");
	return 0;
}

static int
set_add(void *ctx, const struct store_key *k)
{
	struct keys_set *set = ctx;

	if (set->n < KEYS_MAX)
		set->keys[set->n++] = *k;
	return 0;
}

int
keys_set_from_store(struct ocop_store *st, struct keys_set *set,
		    struct ocop_error *err)
{
	set->n = 0;
	return st->m->key_each(st, set_add, set, err);
}

/* An RFC 3339 member, or null (OCOP_NO_TIME). */
static int
member_time(json_t *o, const char *name, int64_t *t, size_t i,
	    struct ocop_error *err)
{
	json_t *v = json_object_get(o, name);

	*t = OCOP_NO_TIME;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    ocop_time_parse(json_string_value(v), t, NULL) < 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "keys document: key %zu: '%s' is not "
				      "an RFC 3339 time",
				      i + 1, name);
	return 0;
}

int
keys_set_parse(const char *text, size_t len, struct keys_set *set,
	       struct ocop_error *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr), *arr;
	int rc = 0;

	set->n = 0;
	if (!doc)
		return ocop_error_set(err, OCOP_EINVAL,
				      "keys document: not JSON: %s (line %d)",
				      jerr.text, jerr.line);
	arr = json_object_get(doc, "keys");
	if (!json_is_array(arr)) {
		json_decref(doc);
		return ocop_error_set(err, OCOP_EINVAL,
				      "keys document: no \"keys\" array");
	}
	for (size_t i = 0; i < json_array_size(arr) && set->n < KEYS_MAX; i++) {
		json_t *o = json_array_get(arr, i);
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *pk =
		    json_string_value(json_object_get(o, "public_key"));
		struct store_key k;
		size_t n = 0;

		memset(&k, 0, sizeof(k));
		if (!id || strlen(id) >= sizeof(k.id) || !pk ||
		    sodium_base642bin(
			k.public_key, sizeof(k.public_key), pk, strlen(pk),
			NULL, &n, NULL,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
		    n != sizeof(k.public_key)) {
			rc = ocop_error_set(err, OCOP_EINVAL,
					    "keys document: key %zu needs an "
					    "\"id\" and a 32-byte base64url "
					    "\"public_key\"",
					    i + 1);
			break;
		}
		ocop_strlcpy(k.id, id, sizeof(k.id));
		if ((rc = member_time(o, "valid_from", &k.valid_from, i, err)) <
			0 ||
		    (rc = member_time(o, "retired_at", &k.retired_at, i, err)) <
			0)
			break;
		k.created_at = k.valid_from;
		set->keys[set->n++] = k;
	}
	json_decref(doc);
	return rc;
}

const struct store_key *
keys_set_find(const struct keys_set *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->keys[i].id, id) == 0)
			return &set->keys[i];
	return NULL;
}
