/*
 * keys.h - the Ed25519 keys that sign field snapshots (SPEC 9), and the
 * public keys document GET /.well-known/ocop-keys.json serves.
 *
 * A key's id is the base64url of the first 9 bytes of SHA-256 of its
 * public key. One key is current (not retired); `ocop key rotate` retires
 * it and makes a new one. A key signs snapshots issued from its
 * valid_from until its retirement, so it verifies them until
 * retired_at + KEYS_SNAPSHOT_LIFETIME (its valid_until), the longest a
 * snapshot it signed may be used. Secret keys stay in the database: they
 * are read only to sign, into a buffer wiped (sodium_memzero) after use.
 */
#ifndef OCOP_KEYS_H
#define OCOP_KEYS_H

#include "ocop.h"
#include "store/store.h"

#define KEYS_SNAPSHOT_LIFETIME (7 * 86400) /* seconds a snapshot is valid */
#define KEYS_ID_LEN 12			   /* characters of a key id */
#define KEYS_SIG_LEN 64			   /* bytes of a signature */
#define KEYS_MAX 64			   /* keys in a trusted set */

/* Make the first key at now when the database has none; *made (may be
 * NULL) tells whether one was made. */
int keys_ensure(struct ocop_store *st, int64_t now, int *made,
		struct ocop_error *err);

/* Retire every current key at now and make a new current one (in one
 * transaction), copied to *out. */
int keys_rotate(struct ocop_store *st, int64_t now, struct store_key *out,
		struct ocop_error *err);

/* The current key (the latest not retired). OCOP_ENOENT when none. */
int keys_current(struct ocop_store *st, struct store_key *out,
		 struct ocop_error *err);

/* Sign msg with the secret of key id into sig (KEYS_SIG_LEN bytes). */
int keys_sign(struct ocop_store *st, const char *id, const void *msg,
	      size_t len, unsigned char *sig, struct ocop_error *err);

/* Every stored key, ordered by valid_from. Caller frees *keys. */
int keys_list(struct ocop_store *st, struct store_key **keys, size_t *n,
	      struct ocop_error *err);

/* The last instant a snapshot signed by k may be used (OCOP_NO_TIME
 * while k is current). */
int64_t keys_valid_until(const struct store_key *k);

/*
 * The public keys document, appended to out:
 *   {"keys":[{"id":"…","alg":"Ed25519","public_key":"<base64url>",
 *             "valid_from":"RFC3339","retired_at":null|"RFC3339",
 *             "valid_until":null|"RFC3339"}, …],
 *    "snapshot_lifetime_seconds":604800}
 * with every key whose valid_until is after now (retired keys stay
 * published until the last snapshot they signed has expired).
 */
int keys_json(struct ocop_store *st, int64_t now, struct ocop_buf *out,
	      struct ocop_error *err);

/* Trusted public keys, from the database or a keys document. */
struct keys_set {
	size_t n;
	struct store_key keys[KEYS_MAX];
};
int keys_set_from_store(struct ocop_store *st, struct keys_set *set,
			struct ocop_error *err);
/* Parse the document keys_json writes. OCOP_EINVAL naming what is wrong. */
int keys_set_parse(const char *text, size_t len, struct keys_set *set,
		   struct ocop_error *err);
/* The key of id in set, or NULL. */
const struct store_key *keys_set_find(const struct keys_set *set,
				      const char *id);

#endif
