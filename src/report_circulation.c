/*
 * report_circulation.c - labels still in circulation for products that may
 * not carry the mark (SPEC 7): one entry per (product, verdict) for the
 * recomputed verdicts expired, revoked and star_mismatch.
 *
 * Millions of scans, bounded memory. Products are processed one at a time
 * (split over two threads with a read connection each). For a product,
 * the history is loaded once and cut into the runs of days between its
 * change points (a recognition's start, the day after its end); on a run
 * where a recognition is in force with at least the most stars printed on
 * any of the product's labels, every scan is valid or voided, so only the
 * other runs are read, from a covering index, in time order. Each scan
 * read is judged by the validity engine (ocop_judge) with its label's
 * printed stars and void times; the label is looked up once per product.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "report_int.h"

/* ---- a set of label ids ---------------------------------------------- */

struct idset {
	int64_t *slots; /* 0 = empty (ids are > 0) */
	size_t nslots;
	size_t n;
};

static void
idset_release(struct idset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

static size_t
id_hash(int64_t id)
{
	uint64_t x = (uint64_t)id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(x ^ (x >> 29));
}

static void idset_add(struct idset *s, int64_t id);

static void
idset_grow(struct idset *s)
{
	struct idset old = *s;

	s->nslots = old.nslots ? 2 * old.nslots : 16;
	s->slots = ocop_xcalloc(s->nslots, sizeof(int64_t));
	s->n = 0;
	for (size_t i = 0; i < old.nslots; i++)
		if (old.slots[i])
			idset_add(s, old.slots[i]);
	free(old.slots);
}

static void
idset_add(struct idset *s, int64_t id)
{
	size_t h;

	if (2 * (s->n + 1) > s->nslots)
		idset_grow(s);
	h = id_hash(id) & (s->nslots - 1);
	while (s->slots[h]) {
		if (s->slots[h] == id)
			return;
		h = (h + 1) & (s->nslots - 1);
	}
	s->slots[h] = id;
	s->n++;
}

/* ---- the labels of the product being read ---------------------------- */

struct linfo {
	int64_t id; /* 0 = empty slot */
	int stars;
	int64_t voided_at; /* earlier of label's and batch's; OCOP_NO_TIME */
	int batch_voided;  /* the batch's void is the one that counts */
};

struct lcache {
	struct linfo *slots;
	size_t nslots;
	size_t n;
};

static void
lcache_clear(struct lcache *c)
{
	if (c->n)
		memset(c->slots, 0, c->nslots * sizeof(*c->slots));
	c->n = 0;
}

static struct linfo *
lcache_slot(struct lcache *c, int64_t id)
{
	size_t h = id_hash(id) & (c->nslots - 1);

	while (c->slots[h].id && c->slots[h].id != id)
		h = (h + 1) & (c->nslots - 1);
	return &c->slots[h];
}

static struct linfo *
lcache_put(struct lcache *c, const struct linfo *li)
{
	struct linfo *slot;

	if (2 * (c->n + 1) > c->nslots) {
		struct lcache old = *c;

		c->nslots = old.nslots ? 2 * old.nslots : 256;
		c->slots = ocop_xcalloc(c->nslots, sizeof(*c->slots));
		c->n = 0;
		for (size_t i = 0; i < old.nslots; i++)
			if (old.slots[i].id)
				lcache_put(c, &old.slots[i]);
		free(old.slots);
	}
	slot = lcache_slot(c, li->id);
	*slot = *li;
	c->n++;
	return slot;
}

/* ---- entries --------------------------------------------------------- */

struct centry {
	int64_t product_id;
	enum ocop_verdict verdict;
	int32_t since;
	enum ocop_ground ground; /* revoked: the revocation's ground */
	int base;		 /* month of the first scan (rmonth_of) */
	int64_t scans;
	int64_t first_seen;
	int64_t last_seen;
	struct idset labels;
	struct rcount places;
	int64_t *months; /* scans per month from base */
	size_t nmonths;
	/* filled after the workers */
	struct ocop_product p;
	int64_t labels_issued;
};

static void
centry_release(struct centry *e)
{
	idset_release(&e->labels);
	rcount_release(&e->places);
	free(e->months);
}

/* ---- workers --------------------------------------------------------- */

struct circ_job {
	const struct report_opts *o;
	const int64_t *ids;
	size_t nids;
	atomic_size_t next;
	int64_t from, to; /* the scan window */
};

struct memo {
	int32_t day; /* OCOP_NO_DAY: empty */
	struct ocop_judgement j;
};

/* A scan read while iterating that cannot be judged yet: its label is not
 * among the product's labels read before, and reading it would call the
 * store back from inside its iterator (store.h). */
struct deferred {
	int64_t label_id;
	int64_t product_id;
	int64_t scanned_at;
	char *place;
};

struct circ_worker {
	struct circ_job *job;
	struct ocop_store *st;
	int own_store;
	struct ocop_history h;
	struct lcache labels;
	struct memo memo[6]; /* by printed stars, for unvoided labels */
	int32_t mday;	     /* the day whose month is in mmonth */
	int mmonth;
	/* entries of the current product, by verdict */
	struct centry *cur[OCOP_VALID + 1];
	struct centry *entries;
	size_t n, cap;
	/* scans held back during an iteration (worker_scan) */
	struct deferred *dv;
	size_t dn, dcap;
	int rc;
	struct ocop_error err;
};

static struct centry *
worker_entry(struct circ_worker *w, int64_t product_id, enum ocop_verdict v)
{
	struct centry *e;

	if (w->cur[v])
		return w->cur[v];
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->entries =
		    ocop_xrealloc(w->entries, w->cap * sizeof(*w->entries));
		/* cur[] points into entries: re-aim after the move */
		memset(w->cur, 0, sizeof(w->cur));
		for (size_t i = 0; i < w->n; i++)
			if (w->entries[i].product_id == product_id)
				w->cur[w->entries[i].verdict] = &w->entries[i];
	}
	e = &w->entries[w->n++];
	memset(e, 0, sizeof(*e));
	e->product_id = product_id;
	e->verdict = v;
	e->since = OCOP_NO_DAY;
	rcount_init(&e->places);
	w->cur[v] = e;
	return e;
}

static void
linfo_set(struct linfo *li, const struct ocop_label *l, int64_t batch_voided_at)
{
	li->id = l->id;
	li->stars = l->stars;
	li->voided_at = l->voided_at;
	li->batch_voided = 0;
	if (batch_voided_at != OCOP_NO_TIME &&
	    (li->voided_at == OCOP_NO_TIME ||
	     batch_voided_at < li->voided_at)) {
		li->voided_at = batch_voided_at;
		li->batch_voided = 1;
	}
}

static int
worker_label_loaded(void *vctx, const struct ocop_label *l,
		    int64_t batch_voided_at)
{
	struct circ_worker *w = vctx;
	struct linfo li;

	linfo_set(&li, l, batch_voided_at);
	lcache_put(&w->labels, &li);
	return 0;
}

/* The label with this id: the product's, else read from the store (not
 * from inside an iterator). */
static int
worker_label(struct circ_worker *w, int64_t id, struct linfo **out)
{
	struct ocop_label l;
	struct linfo li;
	int64_t batch_voided_at;
	int rc;

	if (w->labels.nslots) {
		struct linfo *slot = lcache_slot(&w->labels, id);

		if (slot->id == id) {
			*out = slot;
			return 0;
		}
	}
	/* not one of the product's labels: the scan row says otherwise
	 * than the label row; trust the label */
	rc =
	    w->st->m->label_get_by_id(w->st, id, &l, &batch_voided_at, &w->err);
	if (rc < 0)
		return rc;
	linfo_set(&li, &l, batch_voided_at);
	*out = lcache_put(&w->labels, &li);
	return 0;
}

/* The cached label with this id, or NULL. */
static struct linfo *
worker_label_cached(struct circ_worker *w, int64_t id)
{
	struct linfo *slot;

	if (!w->labels.nslots)
		return NULL;
	slot = lcache_slot(&w->labels, id);
	return slot->id == id ? slot : NULL;
}

/* Judge one scan of label li and count it. */
static void
worker_judge(struct circ_worker *w, const struct ocop_scan *sc,
	     const struct linfo *li)
{
	struct ocop_judgement jbuf;
	const struct ocop_judgement *j;
	struct centry *e;
	int32_t day;
	size_t month;

	day = ocop_day_of(sc->scanned_at);
	if (li->voided_at == OCOP_NO_TIME && li->stars >= 0 && li->stars <= 5) {
		/* an unvoided label's verdict depends on stars and day only */
		struct memo *m = &w->memo[li->stars];

		if (m->day != day) {
			ocop_judge(&w->h, li->stars, OCOP_NO_TIME, 0,
				   sc->scanned_at, &m->j);
			m->day = day;
		}
		j = &m->j;
	} else {
		ocop_judge(&w->h, li->stars, li->voided_at, li->batch_voided,
			   sc->scanned_at, &jbuf);
		j = &jbuf;
	}
	if (j->verdict != OCOP_EXPIRED && j->verdict != OCOP_REVOKED &&
	    j->verdict != OCOP_STAR_MISMATCH)
		return;

	if (w->mday != day) {
		w->mday = day;
		w->mmonth = rmonth_of(day);
	}
	e = worker_entry(w, sc->product_id, j->verdict);
	if (e->scans == 0) {
		e->since = j->since;
		e->base = w->mmonth;
		e->first_seen = sc->scanned_at;
		if (j->verdict == OCOP_REVOKED && j->rec >= 0)
			e->ground = w->h.recs[j->rec].ground;
	}
	e->scans++;
	e->last_seen = sc->scanned_at;
	idset_add(&e->labels, sc->label_id);
	rcount_add(&e->places, sc->place, 1);
	if (w->mmonth < e->base) /* scans come in time order; be safe */
		return;
	month = (size_t)(w->mmonth - e->base);
	if (month >= e->nmonths) {
		size_t n =
		    month + 1 > 2 * e->nmonths ? month + 1 : 2 * e->nmonths;

		e->months = ocop_xrealloc(e->months, n * sizeof(*e->months));
		memset(e->months + e->nmonths, 0,
		       (n - e->nmonths) * sizeof(*e->months));
		e->nmonths = n;
	}
	e->months[month]++;
}

static void
worker_defer(struct circ_worker *w, const struct ocop_scan *sc)
{
	struct deferred *d;

	if (w->dn == w->dcap) {
		w->dcap = w->dcap ? 2 * w->dcap : 64;
		w->dv = ocop_xrealloc(w->dv, w->dcap * sizeof(*w->dv));
	}
	d = &w->dv[w->dn++];
	d->label_id = sc->label_id;
	d->product_id = sc->product_id;
	d->scanned_at = sc->scanned_at;
	d->place = ocop_xstrdup(sc->place);
}

/* The iterator's callback: scans are judged as they come, in order; from
 * the first whose label is unknown here, they are held back in order
 * until the iteration ends (worker_flush). */
static int
worker_scan(void *vctx, const struct ocop_scan *sc)
{
	struct circ_worker *w = vctx;
	const struct linfo *li;

	if (sc->label_id <= 0)
		return 0;
	if (w->dn || !(li = worker_label_cached(w, sc->label_id))) {
		worker_defer(w, sc);
		return 0;
	}
	worker_judge(w, sc, li);
	return 0;
}

/* After an iteration: read the labels of the scans held back, and judge
 * them in the order they came. */
static int
worker_flush(struct circ_worker *w)
{
	struct ocop_scan sc;
	struct linfo *li;
	int rc = 0;

	memset(&sc, 0, sizeof(sc));
	for (size_t i = 0; i < w->dn; i++) {
		struct deferred *d = &w->dv[i];

		if (rc == 0 && (rc = worker_label(w, d->label_id, &li)) == 0) {
			sc.label_id = d->label_id;
			sc.product_id = d->product_id;
			sc.scanned_at = d->scanned_at;
			ocop_strlcpy(sc.place, d->place, sizeof(sc.place));
			worker_judge(w, &sc, li);
		}
		free(d->place);
	}
	w->dn = 0;
	return rc;
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* The time ranges [a, b) of the product's scans to read: the scan window
 * cut to the runs of days on which some label may not be valid. */
struct ranges {
	int64_t (*v)[2];
	size_t n, cap;
};

static void
ranges_add(struct ranges *r, const struct circ_job *job, int64_t a, int64_t b)
{
	/* a, b: OCOP_NO_TIME for unbounded */
	if (a == OCOP_NO_TIME || (job->from != OCOP_NO_TIME && a < job->from))
		a = job->from;
	if (b == OCOP_NO_TIME || b > job->to)
		b = job->to;
	if (a != OCOP_NO_TIME && a >= b)
		return;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->v = ocop_xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n][0] = a;
	r->v[r->n][1] = b;
	r->n++;
}

/* Read and judge the scans of one product on the days some of its labels
 * may not be valid. */
static int
worker_product(struct circ_worker *w, int64_t pid)
{
	struct circ_job *job = w->job;
	struct ocop_store *st = w->st;
	struct ranges rg = {0};
	int32_t *cut = NULL, prev = OCOP_NO_DAY;
	size_t ncut = 0;
	int64_t lo = OCOP_NO_TIME; /* start of the pending range */
	int pending = 1;	   /* before the first cut: never in force */
	int max_stars, rc;

	if ((rc = st->m->label_max_stars(st, pid, &max_stars, &w->err)) < 0)
		return rc;
	if (max_stars == 0)
		return 0; /* no labels, no scans of labels */
	if ((rc = registry_history(st, pid, &w->h, &w->err)) < 0)
		return rc;

	/* the days on which being in force can change, in order; between
	 * two of them the recognition in force (if any) is the same */
	cut = ocop_xmalloc((2 * w->h.nrecs + 1) * sizeof(*cut));
	for (size_t i = 0; i < w->h.nrecs; i++) {
		cut[ncut++] = w->h.recs[i].valid_from;
		cut[ncut++] = w->h.recs[i].end + 1;
	}
	qsort(cut, ncut, sizeof(*cut), cmp_day);
	for (size_t k = 0; k < ncut; k++) {
		int r, read;

		if (cut[k] == prev)
			continue;
		prev = cut[k];
		r = ocop_history_in_force(&w->h, cut[k]);
		read = job->o->full_scan || r < 0 ||
		       w->h.recs[r].stars < max_stars;
		if (read && !pending) {
			lo = ocop_day_start(cut[k]);
			pending = 1;
		} else if (!read && pending) {
			ranges_add(&rg, job, lo, ocop_day_start(cut[k]));
			pending = 0;
		}
	}
	if (pending)
		ranges_add(&rg, job, lo, OCOP_NO_TIME);
	free(cut);
	if (rg.n == 0)
		return 0;

	/* the product's labels at once: one range read, not a lookup per
	 * label seen */
	lcache_clear(&w->labels);
	for (size_t i = 0; i < sizeof(w->memo) / sizeof(w->memo[0]); i++)
		w->memo[i].day = OCOP_NO_DAY;
	w->mday = OCOP_NO_DAY;
	memset(w->cur, 0, sizeof(w->cur));
	rc = st->m->label_each_of_product(st, pid, worker_label_loaded, w,
					  &w->err);
	for (size_t i = 0; i < rg.n && rc == 0; i++) {
		rc = st->m->scan_each_of_product(
		    st, pid, rg.v[i][0], rg.v[i][1], worker_scan, w, &w->err);
		if (rc == 0)
			rc = worker_flush(w);
	}
	free(rg.v);
	return rc;
}

static void *
worker_run(void *arg)
{
	struct circ_worker *w = arg;
	struct circ_job *job = w->job;

	/* a second connection reads its own snapshot, taken now */
	if (w->own_store &&
	    (w->rc = w->st->m->read_begin(w->st, &w->err)) < 0) {
		atomic_store(&job->next, job->nids);
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);

		if (i >= job->nids || w->rc < 0)
			break;
		w->rc = worker_product(w, job->ids[i]);
		if (w->rc < 0)
			atomic_store(&job->next, job->nids); /* stop all */
	}
	if (w->own_store)
		w->st->m->read_end(w->st);
	return NULL;
}

/* ---- the report ------------------------------------------------------ */

static const struct rcol cols[] = {
    {"code", "Mã sản phẩm", "Code", 0, RCOL_TEXT, 0},
    {"name", "Tên sản phẩm", "Name", 0, RCOL_TEXT, 0},
    {"producer", "Chủ thể", "Producer", 0, RCOL_TEXT, 0},
    {"province", "Tỉnh", "Province", 0, RCOL_TEXT, 0},
    {"verdict", "Kết luận", "Verdict", 0, RCOL_VERDICT, 0},
    {"ground", "Căn cứ thu hồi", "Revocation ground", 0, RCOL_GROUND, 1},
    {"since", "Từ ngày", "Since", 0, RCOL_DAY, 0},
    {"labels_issued", "Tem đã cấp", "Labels issued", 1, RCOL_TEXT, 0},
    {"labels_seen", "Tem đã quét", "Labels seen", 1, RCOL_TEXT, 0},
    {"scans", "Lượt quét", "Scans", 1, RCOL_TEXT, 0},
    {"first_seen", "Quét lần đầu", "First seen", 0, RCOL_TIME, 0},
    {"last_seen", "Quét lần cuối", "Last seen", 0, RCOL_TIME, 0},
    {"places", "Nơi quét (lượt)", "Places (scans)", 0, RCOL_TEXT, 0},
};

static int
cmp_entry(const void *a, const void *b)
{
	const struct centry *x = a, *y = b;
	int c;

	if (x->scans != y->scans)
		return x->scans > y->scans ? -1 : 1;
	if ((c = strcmp(x->p.code, y->p.code)) != 0)
		return c;
	return (int)x->verdict - (int)y->verdict;
}

/* The months a chart shows: from the first month with a scan of the
 * products charted up to the as-of month, two years at most. */
#define CHART_MONTHS_MAX 24
#define CHART_PRODUCTS 6
#define CHART_PLACES 15

static int
is_red(enum ocop_verdict v)
{
	return v == OCOP_EXPIRED || v == OCOP_REVOKED;
}

static int64_t
count_of(const struct rcount *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0)
			return m->counts[i];
	return 0;
}

static void
chart_months(struct rdoc *d, const struct centry *e, size_t n, int32_t as_of)
{
	int last = rmonth_of(as_of), first = last;
	char day[16];

	d->chart.kind = RCHART_MONTHS;
	for (size_t i = 0; i < n && i < CHART_PRODUCTS; i++)
		if (e[i].base < first)
			first = e[i].base;
	if (last - first + 1 > CHART_MONTHS_MAX)
		first = last - CHART_MONTHS_MAX + 1;
	d->chart.first_month = first;
	d->chart.nmonths = n ? (size_t)(last - first + 1) : 0;
	for (size_t i = 0; i < n && i < CHART_PRODUCTS; i++) {
		double *v = ocop_xcalloc(d->chart.nmonths, sizeof(double));
		const char *vi, *en;
		char label[800];

		for (size_t k = 0; k < e[i].nmonths; k++) {
			long m = (long)e[i].base + (long)k - first;

			if (m >= 0 && m < (long)d->chart.nmonths)
				v[m] = (double)e[i].months[k];
		}
		rwords(RCOL_VERDICT, ocop_verdict_name(e[i].verdict), &vi, &en);
		snprintf(label, sizeof(label),
			 "%s — %s · %s (%s) từ / since %s · lượt quét / "
			 "scans: %lld",
			 e[i].p.code, e[i].p.name, vi, en,
			 e[i].since != OCOP_NO_DAY
			     ? report_local_day(e[i].since, day)
			     : "—",
			 (long long)e[i].scans);
		rchart_add_series(&d->chart, label,
				  ocop_verdict_name(e[i].verdict), v,
				  d->chart.nmonths);
		free(v);
	}
}

/* Where the goods were seen: scans by place over every entry, red for
 * expired or revoked, amber for the wrong stars. */
static void
chart_where(struct rdoc *d, const struct centry *e, size_t n)
{
	struct rcount all, red, amber;
	static const char *const cls[] = {"red", "amber"};
	double rest[2] = {0, 0};

	rchart_init(&d->where, RCHART_BARS);
	ocop_strlcpy(d->where.title_vi, "Nơi phát hiện: lượt quét theo nơi",
		     sizeof(d->where.title_vi));
	ocop_strlcpy(d->where.title_en,
		     "Where the goods were seen: scans "
		     "by place",
		     sizeof(d->where.title_en));
	ocop_strlcpy(d->where.x_vi, "Lượt quét", sizeof(d->where.x_vi));
	ocop_strlcpy(d->where.x_en, "Scans", sizeof(d->where.x_en));
	rchart_legend(&d->where, "red", "hết hiệu lực hoặc bị thu hồi",
		      "expired or revoked");
	rchart_legend(&d->where, "amber", "sai số sao", "star mismatch");
	rcount_init(&all);
	rcount_init(&red);
	rcount_init(&amber);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < e[i].places.n; k++) {
			rcount_add(&all, e[i].places.keys[k],
				   e[i].places.counts[k]);
			rcount_add(is_red(e[i].verdict) ? &red : &amber,
				   e[i].places.keys[k], e[i].places.counts[k]);
		}
	rcount_sort(&all);
	for (size_t i = 0; i < all.n; i++) {
		double v[2] = {(double)count_of(&red, all.keys[i]),
			       (double)count_of(&amber, all.keys[i])};
		char label[300];

		if (i >= CHART_PLACES) {
			rest[0] += v[0];
			rest[1] += v[1];
			continue;
		}
		if (*all.keys[i])
			ocop_strlcpy(label, all.keys[i], sizeof(label));
		else
			snprintf(label, sizeof(label), "%s / %s", rno_place_vi,
				 rno_place_en);
		rchart_add_stack(&d->where, label, v, cls, 2);
	}
	if (all.n > CHART_PLACES) {
		/* a line, not a bar: a bar of every other place together
		 * would dwarf the places an inspector should visit */
		snprintf(d->where.foot_vi, sizeof(d->where.foot_vi),
			 "Và %zu nơi khác với %.0f lượt quét (xem bảng).",
			 all.n - CHART_PLACES, rest[0] + rest[1]);
		snprintf(
		    d->where.foot_en, sizeof(d->where.foot_en),
		    "And %zu other places with %.0f scans (see the table).",
		    all.n - CHART_PLACES, rest[0] + rest[1]);
	}
	rcount_release(&all);
	rcount_release(&red);
	rcount_release(&amber);
}

static void
describe(struct rdoc *d, struct centry *e, size_t n, int32_t as_of)
{
	char day[16], t1[32], t2[32];

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		const char *g = ocop_ground_name(e[i].ground);

		rcount_sort(&e[i].places);
		json_object_set_new(o, "code", json_string(e[i].p.code));
		json_object_set_new(o, "name", json_string(e[i].p.name));
		json_object_set_new(o, "producer",
				    json_string(e[i].p.producer.name));
		json_object_set_new(o, "province",
				    json_string(e[i].p.producer.province));
		json_object_set_new(
		    o, "verdict", json_string(ocop_verdict_name(e[i].verdict)));
		json_object_set_new(o, "ground",
				    g ? json_string(g) : json_null());
		json_object_set_new(o, "since", rjson_day(e[i].since));
		json_object_set_new(o, "labels_issued",
				    json_integer(e[i].labels_issued));
		json_object_set_new(o, "labels_seen",
				    json_integer((json_int_t)e[i].labels.n));
		json_object_set_new(o, "scans", json_integer(e[i].scans));
		json_object_set_new(o, "first_seen",
				    rjson_time(e[i].first_seen));
		json_object_set_new(o, "last_seen", rjson_time(e[i].last_seen));
		json_object_set_new(o, "places", rcount_json(&e[i].places));
		json_array_append_new(d->entries, o);

		rtab_row(&d->tab);
		rtab_set(&d->tab, 0, "%s", e[i].p.code);
		rtab_set(&d->tab, 1, "%s", e[i].p.name);
		rtab_set(&d->tab, 2, "%s", e[i].p.producer.name);
		rtab_set(&d->tab, 3, "%s", e[i].p.producer.province);
		rtab_set(&d->tab, 4, "%s", ocop_verdict_name(e[i].verdict));
		rtab_set(&d->tab, 5, "%s", g ? g : "");
		rtab_set(&d->tab, 6, "%s", ocop_day_format(e[i].since, day));
		rtab_set(&d->tab, 7, "%lld", (long long)e[i].labels_issued);
		rtab_set(&d->tab, 8, "%zu", e[i].labels.n);
		rtab_set(&d->tab, 9, "%lld", (long long)e[i].scans);
		rtab_set(&d->tab, 10, "%s",
			 ocop_time_format(e[i].first_seen, t1));
		rtab_set(&d->tab, 11, "%s",
			 ocop_time_format(e[i].last_seen, t2));
		rtab_set_counts(&d->tab, 12, &e[i].places);
	}
	chart_months(d, e, n, as_of);
	chart_where(d, e, n);
}

int
report_circulation(struct ocop_store *st, const struct report_opts *o,
		   struct rdoc *d, struct ocop_error *err)
{
	struct circ_job job;
	struct circ_worker *w;
	struct centry *all = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, nw, nall = 0;
	pthread_t tid[8];
	int started[8] = {0};
	int rc;
	char day[16];

	rdoc_init(d, "circulation", cols, sizeof(cols) / sizeof(cols[0]),
		  RCHART_MONTHS, o->as_of);
	d->title_vi = "Tem còn lưu hành của sản phẩm không được mang dấu OCOP";
	d->title_en = "Labels in circulation for products that may not carry "
		      "the OCOP mark";
	d->about_vi = "Mỗi dòng là một sản phẩm với một kết luận (hết hiệu "
		      "lực, bị thu hồi, sai số sao), tính lại cho từng lượt "
		      "quét theo sổ đăng ký hiện hành. Nhiều lượt quét nhất "
		      "ở trên.";
	d->about_en = "One row per product and verdict (expired, revoked, "
		      "star mismatch), every scan judged again against the "
		      "registry as it stands now. Most scans first.";
	if (o->since != OCOP_NO_DAY)
		rdoc_param(d, "since", "Quét từ ngày", "Scans since", "%s",
			   ocop_day_format(o->since, day));
	ocop_strlcpy(d->chart.title_vi,
		     "Lượt quét mỗi tháng của các sản phẩm bị quét nhiều nhất",
		     sizeof(d->chart.title_vi));
	ocop_strlcpy(d->chart.title_en,
		     "Scans per month of the most scanned products",
		     sizeof(d->chart.title_en));
	rchart_legend(&d->chart, "red", "hết hiệu lực hoặc bị thu hồi",
		      "expired or revoked");
	rchart_legend(&d->chart, "amber", "sai số sao", "star mismatch");
	d->chart.none_vi = "Không có lượt quét nào của tem không được mang "
			   "dấu OCOP.";
	d->chart.none_en = "No scans of labels that may not carry the mark.";

	if ((rc = rproducts(st, &ids, &nids, err)) < 0)
		return rc;

	memset(&job, 0, sizeof(job));
	job.o = o;
	job.ids = ids;
	job.nids = nids;
	atomic_init(&job.next, 0);
	job.from =
	    o->since != OCOP_NO_DAY ? ocop_day_start(o->since) : OCOP_NO_TIME;
	job.to = rend_of(o->as_of);

	/* a networked engine's workers mostly wait for their round trips:
	 * more of them keep its server busy */
	nw = o->threads > 0	? (size_t)o->threads
	     : !o->db_path	? 1
	     : st->m->networked ? 4
				: 2;
	if (nw > 8)
		nw = 8;
	if (!o->db_path || nids < 2 * nw)
		nw = 1;
	w = ocop_xcalloc(nw, sizeof(*w));
	for (size_t i = 0; i < nw; i++) {
		w[i].job = &job;
		ocop_history_init(&w[i].h);
		if (i == 0) {
			w[i].st = st;
			continue;
		}
		rc = ocop_store_open(o->db_path, 0, &w[i].st, &w[i].err);
		if (rc < 0) {
			/* fewer threads, same answer */
			w[i].st = NULL;
			nw = i;
			break;
		}
		w[i].own_store = 1;
	}
	for (size_t i = 1; i < nw; i++)
		started[i] =
		    pthread_create(&tid[i], NULL, worker_run, &w[i]) == 0;
	worker_run(&w[0]);
	for (size_t i = 1; i < nw; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			worker_run(&w[i]); /* no thread: do its share here */
	}

	rc = 0;
	for (size_t i = 0; i < nw; i++) {
		if (w[i].rc < 0 && rc == 0) {
			rc = w[i].rc;
			if (err)
				*err = w[i].err;
		}
		all = ocop_xrealloc(all, (nall + w[i].n + 1) * sizeof(*all));
		if (w[i].n)
			memcpy(all + nall, w[i].entries, w[i].n * sizeof(*all));
		nall += w[i].n;
		free(w[i].entries);
		free(w[i].labels.slots);
		for (size_t k = 0; k < w[i].dn; k++)
			free(w[i].dv[k].place);
		free(w[i].dv);
		ocop_history_release(&w[i].h);
		if (w[i].own_store)
			ocop_store_close(w[i].st);
	}
	free(w);
	free(ids);
	if (rc < 0)
		goto out;

	/* name the products: one lookup per product with entries */
	for (size_t i = 0; i < nall && rc == 0; i++) {
		if (i > 0 && all[i - 1].product_id == all[i].product_id) {
			all[i].p = all[i - 1].p;
			all[i].labels_issued = all[i - 1].labels_issued;
			continue;
		}
		rc = st->m->product_get_by_id(st, all[i].product_id, &all[i].p,
					      err);
		if (rc == 0)
			rc = st->m->label_count_for_product(
			    st, all[i].product_id, &all[i].labels_issued, err);
	}
	if (rc < 0)
		goto out;
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_entry);
	describe(d, all, nall, o->as_of);
out:
	for (size_t i = 0; i < nall; i++)
		centry_release(&all[i]);
	free(all);
	return rc;
}
