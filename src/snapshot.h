/*
 * snapshot.h - the field snapshot of SPEC 9: everything needed to judge,
 * offline, every label of a province's products as the server would on
 * any day until the snapshot expires, signed with Ed25519.
 *
 * The file (the exact bytes GET /api/v1/snapshot serves):
 *
 *   "OCOPSNAP"                 8 bytes, the magic
 *   header length              4 bytes, big-endian
 *   header                     that many bytes of UTF-8 JSON (below)
 *   body                       the batches' Golomb-Rice streams (rice.h),
 *                              one after the other, each byte-aligned
 *   signature                  64 bytes, Ed25519 over every byte before it
 *
 * The header: {"v":1,"seq","province","issued_at","expires_at","key_id",
 * "hash":{"alg":"sha256","salt","bits"},"labels","products":[…],
 * "batch_fields":[…],"batches":[[…]],"listed":[[serial,batch,voided_at]]}.
 * Each product has the fields the consumer page shows, its recognitions
 * as the engine resolved them (end, revocation) and its verdict periods
 * [{"from","to","state","stars","rec"}] (state in_force, revoked,
 * expired, not_yet_recognised; from/to days, null for open). A batch's
 * set holds, for each of its labels, the first `bits` bits of
 * SHA-256(salt || serial), sorted; a label whose value another label
 * shares, and every voided label, is listed whole in "listed" instead.
 * assets/field/snapshot.js reads the same format.
 */
#ifndef OCOP_SNAPSHOT_H
#define OCOP_SNAPSHOT_H

#include "keys.h"
#include "ocop.h"
#include "record.h"
#include "store/store.h"

#define SNAPSHOT_MAGIC "OCOPSNAP"
#define SNAPSHOT_MAX (256u << 20) /* bytes of a snapshot, at most */

/*
 * Build the snapshot of the products of province (matched without regard
 * to case or diacritics, a leading "Tỉnh"/"Thành phố" ignored; "all": every
 * product) at instant now, signed by the current key (made first when the
 * database has none), and append its bytes to out. Takes the next seq
 * (recorded in the store). OCOP_ENOENT when no product is of that
 * province; OCOP_ETOOBIG past out's cap.
 */
int snapshot_build(struct ocop_store *st, const char *province, int64_t now,
		   struct ocop_buf *out, struct ocop_error *err);

/* An opened snapshot: checked, parsed, ready to judge codes. */
struct snapshot;

/*
 * Check and parse len bytes of data: the format, the signature by the key
 * the header names, which must be in trusted and have been current when
 * the snapshot was issued, and the expiry (now before expires_at).
 * OCOP_EINVAL naming the problem (tampered, unknown key, expired). The
 * snapshot keeps a copy of data.
 */
int snapshot_open(const void *data, size_t len, const struct keys_set *trusted,
		  int64_t now, struct snapshot **out, struct ocop_error *err);
void snapshot_free(struct snapshot *s); /* NULL is a no-op */

struct snapshot_info {
	int64_t seq;
	int64_t issued_at;
	int64_t expires_at;
	char key_id[32];
	char province[128];
	size_t products, batches, labels;
	int bits; /* of the truncated hashes */
};
void snapshot_get_info(const struct snapshot *s, struct snapshot_info *out);

/*
 * Judge code at instant at from the snapshot, filling rec as
 * record_lookup does from the database (same verdict, reason, since,
 * label, batch, product and recognition; no scans: scan_count 0).
 * OCOP_EINVAL for a product code, for at before the label's issue (as
 * the server) or after the snapshot's expiry.
 */
int snapshot_judge(const struct snapshot *s, const struct ocop_code *code,
		   int64_t at, struct ocop_record *rec, struct ocop_error *err);

#endif
