/*
 * snapshot.c - the field snapshot (see snapshot.h): built from the store
 * and the validity engine, read back and judged without the store.
 *
 * Size: a label costs about bits - log2(labels of its batch) + 1.6 bits
 * in its batch's Golomb-Rice set; bits = ceil(log2(labels)) + 19, so a
 * made-up code matches some label with probability labels / 2^bits <=
 * 2^-19 (under 2e-6; 1.8e-6 for 1,000,000 labels).
 */
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "registry.h"
#include "rice.h"
#include "snapshot.h"

#define SALT_LEN 16
#define FP_BITS 19 /* -log2 of the false-match rate of a made-up code */
#define HEADER_MAX (64u << 20)

enum period_state {
	P_IN_FORCE,
	P_REVOKED,
	P_EXPIRED,
	P_NOT_YET,
};
static const char *const state_names[] = {
    [P_IN_FORCE] = "in_force",
    [P_REVOKED] = "revoked",
    [P_EXPIRED] = "expired",
    [P_NOT_YET] = "not_yet_recognised",
};

struct period {
	int32_t from, to; /* OCOP_NO_DAY: open */
	enum period_state state;
	int stars; /* in force */
	int rec;   /* the recognition shown, or -1 */
};

struct snap_product {
	struct ocop_product p;
	struct ocop_history h; /* resolved */
	struct period *periods;
	size_t nperiods;
};

struct snap_batch {
	struct ocop_batch b;
	size_t product;
	size_t n; /* values in its set */
	int k;
	size_t off, len; /* of its stream in the body */
};

struct listed {
	char serial[OCOP_SERIAL_LEN + 1];
	size_t batch;
	int64_t voided_at;
};

struct snapshot {
	struct snapshot_info info;
	unsigned char salt[SALT_LEN];
	struct snap_product *products;
	struct snap_batch *batches;
	struct listed *listed; /* sorted by serial */
	size_t nlisted;
	unsigned char *data;
	size_t len;
	const unsigned char *body;
};

/* ---- periods: the engine's verdicts as runs of days ----------------- */

static void
day_state(const struct ocop_history *h, int32_t day, struct period *p)
{
	int i = ocop_history_in_force(h, day);

	p->stars = 0;
	if (i >= 0) {
		p->state = P_IN_FORCE;
		p->stars = h->recs[i].stars;
		p->rec = i;
		return;
	}
	i = ocop_history_latest_started(h, day);
	p->rec = i;
	if (i < 0)
		p->state = P_NOT_YET;
	else if (h->recs[i].revoked_on != OCOP_NO_DAY &&
		 h->recs[i].revoked_on <= day)
		p->state = P_REVOKED;
	else
		p->state = P_EXPIRED;
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* The days on which the verdict may change are a recognition's start,
 * the day after its end and its revocation day (validity.c): between
 * them every day has the same state. */
static void
periods_of(const struct ocop_history *h, struct period **out, size_t *nout)
{
	int32_t *u = ocop_xmalloc((3 * h->nrecs + 1) * sizeof(*u));
	struct period *p = ocop_xmalloc((3 * h->nrecs + 2) * sizeof(*p));
	size_t nb = 0, m = 0, n = 0;

	for (size_t i = 0; i < h->nrecs; i++) {
		u[nb++] = h->recs[i].valid_from;
		u[nb++] = h->recs[i].end + 1;
		if (h->recs[i].revoked_on != OCOP_NO_DAY)
			u[nb++] = h->recs[i].revoked_on;
	}
	if (nb > 1) /* qsort wants a non-NULL base even for none */
		qsort(u, nb, sizeof(*u), cmp_day);
	for (size_t i = 0; i < nb; i++)
		if (m == 0 || u[i] != u[m - 1])
			u[m++] = u[i];
	/* run j >= 1 starts on u[j - 1]; run 0 holds every day before */
	for (size_t j = 0; j <= m; j++) {
		struct period cur;

		cur.from = j == 0 ? OCOP_NO_DAY : u[j - 1];
		cur.to = OCOP_NO_DAY;
		day_state(h, j > 0 ? u[j - 1] : m ? u[0] - 1 : 0, &cur);
		if (n > 0 && p[n - 1].state == cur.state &&
		    p[n - 1].stars == cur.stars && p[n - 1].rec == cur.rec)
			continue;
		if (n > 0)
			p[n - 1].to = cur.from - 1;
		p[n++] = cur;
	}
	free(u);
	*out = p;
	*nout = n;
}

/* The verdict and reason of state for printed stars. */
static enum ocop_verdict
period_verdict(const struct period *p, int printed, enum ocop_reason *reason)
{
	switch (p->state) {
	case P_IN_FORCE:
		if (p->stars < printed) {
			*reason = OCOP_REASON_FEWER_STARS;
			return OCOP_STAR_MISMATCH;
		}
		*reason = OCOP_REASON_IN_FORCE;
		return OCOP_VALID;
	case P_REVOKED:
		*reason = OCOP_REASON_REVOKED;
		return OCOP_REVOKED;
	case P_EXPIRED:
		*reason = OCOP_REASON_EXPIRED;
		return OCOP_EXPIRED;
	default:
		*reason = OCOP_REASON_NOT_YET;
		return OCOP_EXPIRED;
	}
}

/* The first day of the run of days that ends on the day of period i with
 * verdict v, as validity.c's period_start finds it: the earliest start of
 * the periods before with the same verdict, but never the open start of
 * the first period (none when the day is in it). */
static int32_t
periods_since(const struct period *p, size_t i, int printed,
	      enum ocop_verdict v)
{
	enum ocop_reason reason;

	if (i == 0)
		return OCOP_NO_DAY;
	while (i > 1 && period_verdict(&p[i - 1], printed, &reason) == v)
		i--;
	return p[i].from;
}

static size_t
period_at(const struct period *p, size_t n, int32_t day)
{
	size_t i = 0;

	while (i + 1 < n && p[i + 1].from <= day)
		i++;
	return i;
}

/* ---- building ------------------------------------------------------- */

struct entry {
	uint64_t v; /* the first 64 bits of the hash, then cut to bits */
	uint32_t batch;
	char serial[OCOP_SERIAL_LEN];
};

struct builder {
	struct ocop_store *st;
	char *want; /* folded province, NULL: all */
	struct snap_product *products;
	size_t nproducts;
	struct snap_batch *batches;
	size_t nbatches;
	struct entry *entries;
	size_t nentries, capentries;
	struct listed *listed;
	size_t nlisted;
	crypto_hash_sha256_state salted;
	unsigned char salt[SALT_LEN];
	size_t cur_product;
	uint32_t cur_batch;
	char province[128];
};

/* A province's name folded for matching, without a leading "tỉnh" or
 * "thành phố". Caller frees; NULL for text that is not UTF-8. */
static char *
province_fold(const char *s)
{
	char *f = names_fold(s);
	static const char *const leads[] = {"tinh ", "thanh pho ", "tp "};

	if (!f)
		return NULL;
	for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
		size_t n = strlen(leads[i]);

		if (strncmp(f, leads[i], n) == 0 && f[n]) {
			memmove(f, f + n, strlen(f + n) + 1);
			break;
		}
	}
	return f;
}

static int
product_cb(void *ctx, const struct ocop_product *p)
{
	struct builder *b = ctx;
	struct snap_product *sp;

	if (b->want) {
		char *f = province_fold(p->producer.province);
		int same = f && strcmp(f, b->want) == 0;

		free(f);
		if (!same)
			return 0;
		if (!b->province[0])
			ocop_strlcpy(b->province, p->producer.province,
				     sizeof(b->province));
	}
	b->products = ocop_xrealloc(b->products,
				    (b->nproducts + 1) * sizeof(*b->products));
	sp = &b->products[b->nproducts++];
	memset(sp, 0, sizeof(*sp));
	sp->p = *p;
	ocop_history_init(&sp->h);
	return 0;
}

static int
batch_cb(void *ctx, const struct ocop_batch *batch)
{
	struct builder *b = ctx;
	struct snap_batch *sb;

	b->batches =
	    ocop_xrealloc(b->batches, (b->nbatches + 1) * sizeof(*b->batches));
	sb = &b->batches[b->nbatches++];
	memset(sb, 0, sizeof(*sb));
	sb->b = *batch;
	sb->product = b->cur_product;
	return 0;
}

static int
label_cb(void *ctx, const struct ocop_label *l)
{
	struct builder *b = ctx;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state hs;
	struct entry *e;

	if (strlen(l->serial) != OCOP_SERIAL_LEN)
		return 0;
	if (l->voided_at != OCOP_NO_TIME) {
		struct listed *x;

		b->listed = ocop_xrealloc(b->listed, (b->nlisted + 1) *
							 sizeof(*b->listed));
		x = &b->listed[b->nlisted++];
		memcpy(x->serial, l->serial, sizeof(x->serial));
		x->batch = b->cur_batch;
		x->voided_at = l->voided_at;
		return 0;
	}
	if (b->nentries == b->capentries) {
		b->capentries = b->capentries ? 2 * b->capentries : 4096;
		b->entries = ocop_xrealloc(b->entries,
					   b->capentries * sizeof(*b->entries));
	}
	e = &b->entries[b->nentries++];
	hs = b->salted;
	crypto_hash_sha256_update(&hs, (const unsigned char *)l->serial,
				  OCOP_SERIAL_LEN);
	crypto_hash_sha256_final(&hs, h);
	e->v = 0;
	for (int i = 0; i < 8; i++)
		e->v = (e->v << 8) | h[i];
	e->batch = b->cur_batch;
	memcpy(e->serial, l->serial, OCOP_SERIAL_LEN);
	return 0;
}

static int
cmp_entry_v(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v;
}

static int
cmp_entry_bv(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->batch != y->batch)
		return x->batch < y->batch ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

static int
cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->serial,
		      ((const struct listed *)b)->serial);
}

static json_t *
jday(int32_t day)
{
	char buf[16];

	return day == OCOP_NO_DAY ? json_null()
				  : json_string(ocop_day_format(day, buf));
}

static json_t *
jtime(int64_t t)
{
	return t == OCOP_NO_TIME ? json_null() : json_integer(t);
}

static json_t *
jtext(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *
product_json(const struct snap_product *sp)
{
	json_t *o = json_object(), *prod = json_object(), *recs = json_array();
	json_t *periods = json_array();

	json_object_set_new(o, "code", json_string(sp->p.code));
	json_object_set_new(o, "name", json_string(sp->p.name));
	json_object_set_new(o, "group", json_string(sp->p.group));
	json_object_set_new(o, "gtin", jtext(sp->p.gtin));
	json_object_set_new(prod, "name", json_string(sp->p.producer.name));
	json_object_set_new(prod, "kind", json_string(sp->p.producer.kind));
	json_object_set_new(prod, "province",
			    json_string(sp->p.producer.province));
	json_object_set_new(o, "producer", prod);
	for (size_t i = 0; i < sp->h.nrecs; i++) {
		const struct ocop_recognition *r = &sp->h.recs[i];
		const char *g = ocop_ground_name(r->ground);
		json_t *x = json_object();

		json_object_set_new(x, "stars", json_integer(r->stars));
		json_object_set_new(x, "decision_no",
				    json_string(r->decision_no));
		json_object_set_new(x, "decided_on", jday(r->decided_on));
		json_object_set_new(x, "issuer", json_string(r->issuer));
		json_object_set_new(x, "valid_from", jday(r->valid_from));
		json_object_set_new(x, "valid_until", jday(r->valid_until));
		json_object_set_new(x, "extended_until",
				    jday(r->extended_until));
		json_object_set_new(x, "end", jday(r->end));
		json_object_set_new(x, "revoked_on", jday(r->revoked_on));
		json_object_set_new(x, "ground",
				    r->revoked_on != OCOP_NO_DAY && g
					? json_string(g)
					: json_null());
		json_object_set_new(x, "revocation_decision_no",
				    jtext(r->revoke_decision_no));
		json_array_append_new(recs, x);
	}
	json_object_set_new(o, "recognitions", recs);
	for (size_t i = 0; i < sp->nperiods; i++) {
		const struct period *p = &sp->periods[i];
		json_t *x = json_object();

		json_object_set_new(x, "from", jday(p->from));
		json_object_set_new(x, "to", jday(p->to));
		json_object_set_new(x, "state",
				    json_string(state_names[p->state]));
		json_object_set_new(x, "stars",
				    p->state == P_IN_FORCE
					? json_integer(p->stars)
					: json_null());
		json_object_set_new(
		    x, "rec", p->rec >= 0 ? json_integer(p->rec) : json_null());
		json_array_append_new(periods, x);
	}
	json_object_set_new(o, "periods", periods);
	return o;
}

static void
builder_release(struct builder *b)
{
	for (size_t i = 0; i < b->nproducts; i++) {
		ocop_history_release(&b->products[i].h);
		free(b->products[i].periods);
	}
	free(b->products);
	free(b->batches);
	free(b->entries);
	free(b->listed);
}

/* Read everything the snapshot holds, in one read snapshot. */
static int
builder_read(struct builder *b, struct ocop_error *err)
{
	struct ocop_store *st = b->st;
	size_t first;
	int rc;

	if ((rc = st->m->read_begin(st, err)) < 0)
		return rc;
	if ((rc = st->m->product_each(st, product_cb, b, err)) < 0)
		goto out;
	for (size_t i = 0; i < b->nproducts; i++) {
		struct snap_product *sp = &b->products[i];

		if ((rc = registry_history(st, sp->p.id, &sp->h, err)) < 0)
			goto out;
		periods_of(&sp->h, &sp->periods, &sp->nperiods);
		b->cur_product = i;
		first = b->nbatches;
		if ((rc = st->m->batch_each_of_product(st, sp->p.id, batch_cb,
						       b, err)) < 0)
			goto out;
		for (size_t j = first; j < b->nbatches; j++) {
			b->cur_batch = (uint32_t)j;
			rc = st->m->label_each_in_batch(st, b->batches[j].b.id,
							label_cb, b, err);
			if (rc < 0)
				goto out;
		}
	}
out:
	st->m->read_end(st);
	return rc;
}

/* Cut the hashes to bits, move the labels whose value another shares to
 * the listed ones, and code each batch's set into body. */
static int
builder_sets(struct builder *b, int bits, struct ocop_buf *body,
	     struct ocop_error *err)
{
	size_t n = 0, i = 0, j;
	int rc;

	for (size_t k = 0; k < b->nentries; k++)
		b->entries[k].v >>= 64 - bits;
	if (b->nentries > 1)
		qsort(b->entries, b->nentries, sizeof(*b->entries),
		      cmp_entry_v);
	while (i < b->nentries) {
		for (j = i + 1;
		     j < b->nentries && b->entries[j].v == b->entries[i].v; j++)
			;
		for (size_t k = i; k < j; k++) {
			if (j - i == 1) {
				b->entries[n++] = b->entries[k];
				continue;
			}
			b->listed = ocop_xrealloc(
			    b->listed, (b->nlisted + 1) * sizeof(*b->listed));
			memcpy(b->listed[b->nlisted].serial,
			       b->entries[k].serial, OCOP_SERIAL_LEN);
			b->listed[b->nlisted].serial[OCOP_SERIAL_LEN] = '\0';
			b->listed[b->nlisted].batch = b->entries[k].batch;
			b->listed[b->nlisted].voided_at = OCOP_NO_TIME;
			b->nlisted++;
		}
		i = j;
	}
	b->nentries = n;
	if (n > 1)
		qsort(b->entries, n, sizeof(*b->entries), cmp_entry_bv);
	if (b->nlisted > 1)
		qsort(b->listed, b->nlisted, sizeof(*b->listed), cmp_listed);

	{
		uint64_t *vals = ocop_xmalloc((n ? n : 1) * sizeof(*vals));

		i = 0;
		for (size_t bi = 0; bi < b->nbatches; bi++) {
			struct snap_batch *sb = &b->batches[bi];
			size_t m = 0;

			while (i < n && b->entries[i].batch == bi)
				vals[m++] = b->entries[i++].v;
			sb->n = m;
			sb->k = rice_param(m, bits);
			sb->off = body->len;
			rc = rice_encode(body, vals, m, sb->k);
			if (rc < 0) {
				free(vals);
				return ocop_error_set(err, rc,
						      "snapshot too large");
			}
			sb->len = body->len - sb->off;
		}
		free(vals);
	}
	return 0;
}

static json_t *
header_json(const struct builder *b, const char *province, int64_t seq,
	    int64_t now, const char *key_id, int bits, size_t labels)
{
	json_t *o = json_object(), *hash = json_object(), *arr;
	char t[32], salt[SALT_LEN * 2];

	json_object_set_new(o, "v", json_integer(1));
	json_object_set_new(o, "seq", json_integer(seq));
	json_object_set_new(o, "province", json_string(province));
	json_object_set_new(o, "issued_at",
			    json_string(ocop_time_format(now, t)));
	json_object_set_new(
	    o, "expires_at",
	    json_string(ocop_time_format(now + KEYS_SNAPSHOT_LIFETIME, t)));
	json_object_set_new(o, "key_id", json_string(key_id));
	sodium_bin2base64(salt, sizeof(salt), b->salt, SALT_LEN,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	json_object_set_new(hash, "alg", json_string("sha256"));
	json_object_set_new(hash, "salt", json_string(salt));
	json_object_set_new(hash, "bits", json_integer(bits));
	json_object_set_new(o, "hash", hash);
	json_object_set_new(o, "labels", json_integer((json_int_t)labels));
	arr = json_array();
	for (size_t i = 0; i < b->nproducts; i++)
		json_array_append_new(arr, product_json(&b->products[i]));
	json_object_set_new(o, "products", arr);
	json_object_set_new(o, "batch_fields",
			    json_pack("[sssssssssss]", "id", "product", "stars",
				      "lot", "issued_at", "made_on",
				      "best_before", "voided_at", "labels",
				      "rice_k", "bytes"));
	arr = json_array();
	for (size_t i = 0; i < b->nbatches; i++) {
		const struct snap_batch *sb = &b->batches[i];

		json_array_append_new(
		    arr,
		    json_pack("[IIioIoooIiI]", (json_int_t)sb->b.id,
			      (json_int_t)sb->product, sb->b.stars,
			      jtext(sb->b.lot), (json_int_t)sb->b.issued_at,
			      jday(sb->b.made_on), jday(sb->b.best_before),
			      jtime(sb->b.voided_at), (json_int_t)sb->n, sb->k,
			      (json_int_t)sb->len));
	}
	json_object_set_new(o, "batches", arr);
	arr = json_array();
	for (size_t i = 0; i < b->nlisted; i++) {
		const struct listed *x = &b->listed[i];

		json_array_append_new(arr, json_pack("[sIo]", x->serial,
						     (json_int_t)x->batch,
						     jtime(x->voided_at)));
	}
	json_object_set_new(o, "listed", arr);
	return o;
}

int
snapshot_build(struct ocop_store *st, const char *province, int64_t now,
	       struct ocop_buf *out, struct ocop_error *err)
{
	struct builder b;
	struct store_key key;
	struct ocop_buf body;
	unsigned char sig[KEYS_SIG_LEN];
	size_t labels, start = out->len;
	json_t *header = NULL;
	char *htext = NULL;
	int64_t seq;
	int bits, rc;

	memset(&b, 0, sizeof(b));
	b.st = st;
	ocop_buf_init(&body, SNAPSHOT_MAX);
	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	if (strcmp(province, "all") != 0 && strcmp(province, "ALL") != 0) {
		char *f = province_fold(province);

		if (!f || !*f) {
			free(f);
			return ocop_error_set(err, OCOP_EINVAL,
					      "province '%s' is not a name",
					      province);
		}
		b.want = f;
	}
	if ((rc = keys_ensure(st, now, NULL, err)) < 0 ||
	    (rc = keys_current(st, &key, err)) < 0)
		goto out;
	randombytes_buf(b.salt, sizeof(b.salt));
	crypto_hash_sha256_init(&b.salted);
	crypto_hash_sha256_update(&b.salted, b.salt, sizeof(b.salt));
	if ((rc = builder_read(&b, err)) < 0)
		goto out;
	if (b.want && b.nproducts == 0) {
		rc = ocop_error_set(err, OCOP_ENOENT,
				    "no product of province '%s' in the "
				    "registry",
				    province);
		goto out;
	}
	labels = b.nentries + b.nlisted;
	bits = (labels > 1 ? (int)ceil(log2((double)labels)) : 0) + FP_BITS;
	if (bits < 24)
		bits = 24;
	if (bits > 48)
		bits = 48;
	if ((rc = builder_sets(&b, bits, &body, err)) < 0)
		goto out;
	if ((rc = st->m->snapshot_seq_next(st, b.want ? b.province : "all", now,
					   key.id, &seq, err)) < 0)
		goto out;
	header = header_json(&b, b.want ? b.province : "all", seq, now, key.id,
			     bits, labels);
	htext = json_dumps(header, JSON_COMPACT);
	if (!htext || strlen(htext) > HEADER_MAX) {
		rc = ocop_error_set(err, OCOP_ETOOBIG, "snapshot too large");
		goto out;
	}
	{
		size_t hl = strlen(htext);
		unsigned char be[4] = {
		    (unsigned char)(hl >> 24), (unsigned char)(hl >> 16),
		    (unsigned char)(hl >> 8), (unsigned char)hl};

		if ((rc = ocop_buf_add(out, SNAPSHOT_MAGIC, 8)) < 0 ||
		    (rc = ocop_buf_add(out, be, 4)) < 0 ||
		    (rc = ocop_buf_add(out, htext, hl)) < 0 ||
		    (rc = ocop_buf_add(out, body.data, body.len)) < 0) {
			rc = ocop_error_set(err, rc, "snapshot too large");
			goto out;
		}
	}
	if ((rc = keys_sign(st, key.id, out->data + start, out->len - start,
			    sig, err)) < 0)
		goto out;
	if ((rc = ocop_buf_add(out, sig, sizeof(sig))) < 0)
		rc = ocop_error_set(err, rc, "snapshot too large");
out:
	if (rc < 0)
		out->len = start;
	free(htext);
	json_decref(header);
	ocop_buf_release(&body);
	free(b.want);
	builder_release(&b);
	return rc;
}

/* ---- reading -------------------------------------------------------- */

static int
bad(struct ocop_error *err, const char *what)
{
	return ocop_error_set(err, OCOP_EINVAL,
			      "snapshot is damaged or not a snapshot: %s",
			      what);
}

/* A day member: "YYYY-MM-DD" or null (OCOP_NO_DAY). -1 when neither. */
static int
get_day(json_t *v, int32_t *day)
{
	*day = OCOP_NO_DAY;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    ocop_day_parse(json_string_value(v), day, NULL) < 0)
		return -1;
	return 0;
}

static int64_t
get_time(json_t *v)
{
	return json_is_integer(v) ? (int64_t)json_integer_value(v)
				  : OCOP_NO_TIME;
}

static void
get_text(json_t *v, char *buf, size_t size)
{
	ocop_strlcpy(buf, json_is_string(v) ? json_string_value(v) : "", size);
}

static int
parse_product(json_t *o, struct snap_product *sp, struct ocop_error *err)
{
	json_t *prod = json_object_get(o, "producer");
	json_t *recs = json_object_get(o, "recognitions");
	json_t *periods = json_object_get(o, "periods");
	size_t n;

	get_text(json_object_get(o, "code"), sp->p.code, sizeof(sp->p.code));
	get_text(json_object_get(o, "name"), sp->p.name, sizeof(sp->p.name));
	get_text(json_object_get(o, "group"), sp->p.group, sizeof(sp->p.group));
	get_text(json_object_get(o, "gtin"), sp->p.gtin, sizeof(sp->p.gtin));
	get_text(json_object_get(prod, "name"), sp->p.producer.name,
		 sizeof(sp->p.producer.name));
	get_text(json_object_get(prod, "kind"), sp->p.producer.kind,
		 sizeof(sp->p.producer.kind));
	get_text(json_object_get(prod, "province"), sp->p.producer.province,
		 sizeof(sp->p.producer.province));
	if (!json_is_array(recs) || !json_is_array(periods) ||
	    json_array_size(periods) == 0)
		return bad(err, "product without periods");
	for (size_t i = 0; i < json_array_size(recs); i++) {
		json_t *x = json_array_get(recs, i);
		struct ocop_recognition r;

		memset(&r, 0, sizeof(r));
		r.stars = (int)json_integer_value(json_object_get(x, "stars"));
		get_text(json_object_get(x, "decision_no"), r.decision_no,
			 sizeof(r.decision_no));
		get_text(json_object_get(x, "issuer"), r.issuer,
			 sizeof(r.issuer));
		get_text(json_object_get(x, "revocation_decision_no"),
			 r.revoke_decision_no, sizeof(r.revoke_decision_no));
		if (get_day(json_object_get(x, "decided_on"), &r.decided_on) ||
		    get_day(json_object_get(x, "valid_from"), &r.valid_from) ||
		    get_day(json_object_get(x, "valid_until"),
			    &r.valid_until) ||
		    get_day(json_object_get(x, "extended_until"),
			    &r.extended_until) ||
		    get_day(json_object_get(x, "end"), &r.end) ||
		    get_day(json_object_get(x, "revoked_on"), &r.revoked_on))
			return bad(err, "a recognition's day");
		r.ground = OCOP_GROUND_NONE;
		if (json_is_string(json_object_get(x, "ground")))
			ocop_ground_parse(
			    json_string_value(json_object_get(x, "ground")),
			    &r.ground);
		ocop_history_add_recognition(&sp->h, &r);
	}
	n = json_array_size(periods);
	sp->periods = ocop_xcalloc(n, sizeof(*sp->periods));
	sp->nperiods = n;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(periods, i);
		struct period *p = &sp->periods[i];
		const char *state =
		    json_string_value(json_object_get(x, "state"));
		json_t *rec = json_object_get(x, "rec");
		size_t k;

		if (get_day(json_object_get(x, "from"), &p->from) ||
		    get_day(json_object_get(x, "to"), &p->to) || !state ||
		    (i == 0) != (p->from == OCOP_NO_DAY))
			return bad(err, "a period");
		for (k = 0; k < sizeof(state_names) / sizeof(state_names[0]);
		     k++)
			if (strcmp(state, state_names[k]) == 0)
				break;
		if (k == sizeof(state_names) / sizeof(state_names[0]))
			return bad(err, "a period's state");
		p->state = (enum period_state)k;
		p->stars = (int)json_integer_value(json_object_get(x, "stars"));
		p->rec =
		    json_is_integer(rec) ? (int)json_integer_value(rec) : -1;
		if (p->rec >= (int)sp->h.nrecs || p->rec < -1)
			return bad(err, "a period's recognition");
	}
	return 0;
}

static int
parse_header(struct snapshot *s, json_t *h, size_t body_len,
	     struct ocop_error *err)
{
	json_t *hash = json_object_get(h, "hash");
	json_t *products = json_object_get(h, "products");
	json_t *batches = json_object_get(h, "batches");
	json_t *listed = json_object_get(h, "listed");
	const char *salt = json_string_value(json_object_get(hash, "salt"));
	size_t n = 0, off = 0;
	int rc;

	if (json_integer_value(json_object_get(h, "v")) != 1)
		return ocop_error_set(err, OCOP_EINVAL,
				      "snapshot of an unknown version");
	s->info.seq = json_integer_value(json_object_get(h, "seq"));
	get_text(json_object_get(h, "key_id"), s->info.key_id,
		 sizeof(s->info.key_id));
	get_text(json_object_get(h, "province"), s->info.province,
		 sizeof(s->info.province));
	if (!json_is_string(json_object_get(h, "issued_at")) ||
	    ocop_time_parse(json_string_value(json_object_get(h, "issued_at")),
			    &s->info.issued_at, NULL) < 0 ||
	    !json_is_string(json_object_get(h, "expires_at")) ||
	    ocop_time_parse(json_string_value(json_object_get(h, "expires_at")),
			    &s->info.expires_at, NULL) < 0)
		return bad(err, "issued_at or expires_at");
	s->info.bits = (int)json_integer_value(json_object_get(hash, "bits"));
	if (s->info.bits < 8 || s->info.bits > 48 || !salt ||
	    sodium_base642bin(s->salt, sizeof(s->salt), salt, strlen(salt),
			      NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != SALT_LEN)
		return bad(err, "hash");
	s->info.labels =
	    (size_t)json_integer_value(json_object_get(h, "labels"));
	if (!json_is_array(products) || !json_is_array(batches) ||
	    !json_is_array(listed))
		return bad(err, "products, batches or listed");
	s->info.products = json_array_size(products);
	s->products = ocop_xcalloc(s->info.products + 1, sizeof(*s->products));
	for (size_t i = 0; i < s->info.products; i++) {
		ocop_history_init(&s->products[i].h);
		rc = parse_product(json_array_get(products, i), &s->products[i],
				   err);
		if (rc < 0)
			return rc;
	}
	s->info.batches = json_array_size(batches);
	s->batches = ocop_xcalloc(s->info.batches + 1, sizeof(*s->batches));
	for (size_t i = 0; i < s->info.batches; i++) {
		json_t *a = json_array_get(batches, i);
		struct snap_batch *sb = &s->batches[i];
		json_int_t prod = json_integer_value(json_array_get(a, 1));

		if (json_array_size(a) != 11 || prod < 0 ||
		    (size_t)prod >= s->info.products)
			return bad(err, "a batch");
		sb->b.id = json_integer_value(json_array_get(a, 0));
		sb->product = (size_t)prod;
		sb->b.product_id = 0;
		sb->b.stars = (int)json_integer_value(json_array_get(a, 2));
		get_text(json_array_get(a, 3), sb->b.lot, sizeof(sb->b.lot));
		sb->b.issued_at = get_time(json_array_get(a, 4));
		if (get_day(json_array_get(a, 5), &sb->b.made_on) ||
		    get_day(json_array_get(a, 6), &sb->b.best_before))
			return bad(err, "a batch's days");
		sb->b.voided_at = get_time(json_array_get(a, 7));
		sb->n = (size_t)json_integer_value(json_array_get(a, 8));
		sb->k = (int)json_integer_value(json_array_get(a, 9));
		sb->len = (size_t)json_integer_value(json_array_get(a, 10));
		sb->off = off;
		if (sb->k < 0 || sb->k > 62 || sb->len > body_len - off)
			return bad(err, "a batch's set");
		off += sb->len;
	}
	if (off != body_len)
		return bad(err, "the sets' length");
	s->nlisted = json_array_size(listed);
	s->listed = ocop_xcalloc(s->nlisted + 1, sizeof(*s->listed));
	for (size_t i = 0; i < s->nlisted; i++) {
		json_t *a = json_array_get(listed, i);
		struct listed *x = &s->listed[i];
		json_int_t bi = json_integer_value(json_array_get(a, 1));

		get_text(json_array_get(a, 0), x->serial, sizeof(x->serial));
		if (strlen(x->serial) != OCOP_SERIAL_LEN || bi < 0 ||
		    (size_t)bi >= s->info.batches)
			return bad(err, "a listed label");
		x->batch = (size_t)bi;
		x->voided_at = get_time(json_array_get(a, 2));
	}
	if (s->nlisted > 1)
		qsort(s->listed, s->nlisted, sizeof(*s->listed), cmp_listed);
	return 0;
}

int
snapshot_open(const void *data, size_t len, const struct keys_set *trusted,
	      int64_t now, struct snapshot **out, struct ocop_error *err)
{
	const unsigned char *d = data;
	const struct store_key *key;
	struct snapshot *s;
	json_error_t jerr;
	json_t *h = NULL;
	size_t hl;
	char t1[32], t2[32];
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot initialise libsodium");
	if (len < 12 + KEYS_SIG_LEN || memcmp(d, SNAPSHOT_MAGIC, 8) != 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "not a snapshot file (no OCOPSNAP "
				      "header)");
	hl = (size_t)d[8] << 24 | (size_t)d[9] << 16 | (size_t)d[10] << 8 |
	     d[11];
	if (hl > len - 12 - KEYS_SIG_LEN)
		return bad(err, "header length");
	s = ocop_xcalloc(1, sizeof(*s));
	s->data = ocop_xmalloc(len);
	memcpy(s->data, data, len);
	s->len = len;
	s->body = s->data + 12 + hl;
	h = json_loadb((const char *)s->data + 12, hl, 0, &jerr);
	if (!h || !json_is_object(h)) {
		rc = bad(err, "header is not JSON");
		goto fail;
	}
	/* the signer first: nothing else of the header counts before */
	get_text(json_object_get(h, "key_id"), s->info.key_id,
		 sizeof(s->info.key_id));
	key = keys_set_find(trusted, s->info.key_id);
	if (!key) {
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "snapshot signed by key '%s', which is "
				    "not a trusted key: refused",
				    s->info.key_id);
		goto fail;
	}
	if (crypto_sign_verify_detached(s->data + len - KEYS_SIG_LEN, s->data,
					len - KEYS_SIG_LEN,
					key->public_key) != 0) {
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "snapshot signature does not verify "
				    "(altered or damaged file): refused");
		goto fail;
	}
	if ((rc = parse_header(s, h, len - 12 - hl - KEYS_SIG_LEN, err)) < 0)
		goto fail;
	if ((key->valid_from != OCOP_NO_TIME &&
	     s->info.issued_at < key->valid_from) ||
	    (key->retired_at != OCOP_NO_TIME &&
	     s->info.issued_at >= key->retired_at)) {
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "snapshot issued %s, when key '%s' was "
				    "not the signing key: refused",
				    ocop_time_format(s->info.issued_at, t1),
				    key->id);
		goto fail;
	}
	if (now >= s->info.expires_at) {
		rc = ocop_error_set(err, OCOP_EINVAL,
				    "snapshot expired at %s (issued %s): "
				    "refused, get a new one",
				    ocop_time_format(s->info.expires_at, t1),
				    ocop_time_format(s->info.issued_at, t2));
		goto fail;
	}
	json_decref(h);
	*out = s;
	return 0;
fail:
	json_decref(h);
	snapshot_free(s);
	return rc;
}

void
snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->products && i < s->info.products; i++) {
		ocop_history_release(&s->products[i].h);
		free(s->products[i].periods);
	}
	free(s->products);
	free(s->batches);
	free(s->listed);
	free(s->data);
	free(s);
}

void
snapshot_get_info(const struct snapshot *s, struct snapshot_info *out)
{
	*out = s->info;
}

/* The batch of serial: listed whole, else the one set holding its hash.
 * -1 when none. */
static long
find_label(const struct snapshot *s, const char *serial, int64_t *voided_at)
{
	struct listed key = {0}, *x;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state hs;
	uint64_t v = 0, got;

	*voided_at = OCOP_NO_TIME;
	memcpy(key.serial, serial, sizeof(key.serial));
	x = bsearch(&key, s->listed, s->nlisted, sizeof(*s->listed),
		    cmp_listed);
	if (x) {
		*voided_at = x->voided_at;
		return (long)x->batch;
	}
	crypto_hash_sha256_init(&hs);
	crypto_hash_sha256_update(&hs, s->salt, SALT_LEN);
	crypto_hash_sha256_update(&hs, (const unsigned char *)serial,
				  OCOP_SERIAL_LEN);
	crypto_hash_sha256_final(&hs, h);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | h[i];
	v >>= 64 - s->info.bits;
	for (size_t i = 0; i < s->info.batches; i++) {
		const struct snap_batch *sb = &s->batches[i];
		struct rice_reader r;

		rice_reader_init(&r, s->body + sb->off, sb->len, sb->k);
		for (size_t j = 0; j < sb->n; j++) {
			if (rice_next(&r, &got) < 0 || got > v)
				break;
			if (got == v)
				return (long)i;
		}
	}
	return -1;
}

int
snapshot_judge(const struct snapshot *s, const struct ocop_code *code,
	       int64_t at, struct ocop_record *rec, struct ocop_error *err)
{
	const struct snap_batch *sb;
	const struct snap_product *sp;
	const struct period *p;
	enum ocop_verdict v;
	enum ocop_reason reason;
	int64_t lv, bv, voided_at;
	size_t pi;
	long bi;
	char t1[32], t2[32];

	memset(rec, 0, sizeof(*rec));
	rec->checked_at = at;
	rec->since = OCOP_NO_DAY;
	rec->first_scan_at = OCOP_NO_TIME;
	rec->verdict = OCOP_UNKNOWN;
	rec->reason = OCOP_REASON_NOT_FOUND;
	if (code->kind == OCOP_CODE_DL_PRODUCT)
		return ocop_error_set(err, OCOP_EINVAL,
				      "a product code (GTIN %s) names no "
				      "label",
				      code->gtin);
	if (at >= s->info.expires_at)
		return ocop_error_set(err, OCOP_EINVAL,
				      "time %s is after the snapshot expires "
				      "(%s)",
				      ocop_time_format(at, t1),
				      ocop_time_format(s->info.expires_at, t2));
	if (code->kind == OCOP_CODE_DL_LABEL && code->foreign[0]) {
		ocop_strlcpy(rec->serial, code->foreign, sizeof(rec->serial));
		return 0;
	}
	ocop_strlcpy(rec->serial, code->serial, sizeof(rec->serial));
	if (code->mistyped) {
		rec->reason = OCOP_REASON_MISTYPED;
		return 0;
	}
	if ((bi = find_label(s, code->serial, &lv)) < 0)
		return 0;
	sb = &s->batches[bi];
	sp = &s->products[sb->product];
	if (code->kind == OCOP_CODE_DL_LABEL &&
	    (strcmp(code->gtin, sp->p.gtin) != 0 ||
	     (code->lot[0] && strcmp(code->lot, sb->b.lot) != 0))) {
		rec->reason = OCOP_REASON_WRONG_PRODUCT;
		return 0;
	}
	if (at < sb->b.issued_at)
		return ocop_error_set(err, OCOP_EINVAL,
				      "time %s is before label %s was issued "
				      "(%s)",
				      ocop_time_format(at, t1), rec->serial,
				      ocop_time_format(sb->b.issued_at, t2));
	rec->known = 1;
	ocop_strlcpy(rec->label.serial, code->serial,
		     sizeof(rec->label.serial));
	rec->label.batch_id = sb->b.id;
	rec->label.stars = sb->b.stars;
	rec->label.voided_at = lv;
	rec->batch = sb->b;
	rec->product = sp->p;

	bv = sb->b.voided_at;
	voided_at = lv;
	if (bv != OCOP_NO_TIME && (lv == OCOP_NO_TIME || bv < lv))
		voided_at = bv;
	pi = period_at(sp->periods, sp->nperiods, ocop_day_of(at));
	p = &sp->periods[pi];
	v = period_verdict(p, sb->b.stars, &reason);
	if (p->rec >= 0) {
		rec->has_recognition = 1;
		rec->recognition = sp->h.recs[p->rec];
	}
	if (voided_at != OCOP_NO_TIME && voided_at <= at) {
		rec->verdict = OCOP_VOIDED;
		rec->reason = voided_at == bv && voided_at != lv
				  ? OCOP_REASON_BATCH_VOIDED
				  : OCOP_REASON_LABEL_VOIDED;
		rec->since = ocop_day_of(voided_at);
		return 0;
	}
	rec->verdict = v;
	rec->reason = reason;
	rec->since = periods_since(sp->periods, pi, sb->b.stars, v);
	return 0;
}
