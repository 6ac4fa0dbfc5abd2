/*
 * report_scans.c - the reports read from the scan log alone: clones
 * (one serial scanned from many places within a few days: a copied label)
 * and unknown (codes that match no label, by place: forged labels).
 *
 * clones counts the places of places.h, as the consumer page does: an
 * inspector's place, else a consumer's network. No index orders the
 * consumers' scans by label (writing one cost every scan most of its
 * time), so it reads the scans in table order twice: first counting each
 * label's distinct places (a set of label-place pairs, up to the minimum
 * a label needs), then keeping the scans of the labels that have enough,
 * which it sorts by label and time and judges one label at a time. Its
 * memory grows with the labels and their places, not with the scans.
 */
#include <stdlib.h>
#include <string.h>

#include "places.h"
#include "report_int.h"

/* ---- clones ---------------------------------------------------------- */

struct cscan {
	int64_t t;
	int32_t day;
	int place; /* index into the label's distinct places, -1: none */
};

struct clone {
	int64_t label_id;
	int64_t scans;
	int nplaces;	/* distinct places, all scans */
	int max_places; /* most distinct places within the window */
	int32_t win_from, win_to;
	int64_t first_seen, last_seen;
	struct rcount places;
	/* filled after the workers */
	struct ocop_label l;
	struct ocop_product p;
};

struct clone_job {
	const struct report_opts *o;
};

struct clone_worker {
	struct clone_job *job;
	/* the label being read */
	int64_t label_id;
	struct cscan *scans;
	size_t n, cap;
	char *arena; /* the distinct place names, NUL-separated */
	size_t alen, acap;
	size_t *poff; /* offsets of the distinct places in arena */
	uint64_t *phash;
	int *pcount; /* scratch: per place, scans in the window */
	size_t np, pcap;
	/* results */
	struct clone *out;
	size_t nout, outcap;
};

static uint64_t
place_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int
clone_place(struct clone_worker *w, const char *place)
{
	uint64_t h;
	size_t len;

	if (!*place)
		return -1; /* a scan without a place proves nothing */
	h = place_hash(place);
	for (size_t i = 0; i < w->np; i++)
		if (w->phash[i] == h &&
		    strcmp(w->arena + w->poff[i], place) == 0)
			return (int)i;
	if (w->np == w->pcap) {
		w->pcap = w->pcap ? 2 * w->pcap : 16;
		w->poff = ocop_xrealloc(w->poff, w->pcap * sizeof(*w->poff));
		w->phash = ocop_xrealloc(w->phash, w->pcap * sizeof(*w->phash));
		w->pcount =
		    ocop_xrealloc(w->pcount, w->pcap * sizeof(*w->pcount));
	}
	len = strlen(place) + 1;
	if (w->alen + len > w->acap) {
		w->acap = (w->alen + len) * 2;
		w->arena = ocop_xrealloc(w->arena, w->acap);
	}
	memcpy(w->arena + w->alen, place, len);
	w->poff[w->np] = w->alen;
	w->phash[w->np] = h;
	w->alen += len;
	return (int)w->np++;
}

/* Judge the label just read: the most distinct places within any run of
 * window_days calendar days. */
static void
clone_finish(struct clone_worker *w)
{
	const struct report_opts *o = w->job->o;
	int best = 0, cur = 0;
	size_t i = 0, bi = 0, bj = 0;
	struct clone *c;

	if (w->n == 0 || w->np < (size_t)o->min_places)
		goto reset;
	memset(w->pcount, 0, w->np * sizeof(*w->pcount));
	for (size_t j = 0; j < w->n; j++) {
		if (w->scans[j].place >= 0 &&
		    w->pcount[w->scans[j].place]++ == 0)
			cur++;
		while (w->scans[j].day - w->scans[i].day >= o->window_days) {
			if (w->scans[i].place >= 0 &&
			    --w->pcount[w->scans[i].place] == 0)
				cur--;
			i++;
		}
		if (cur > best) {
			best = cur;
			bi = i;
			bj = j;
		}
	}
	if (best < o->min_places)
		goto reset;
	if (w->nout == w->outcap) {
		w->outcap = w->outcap ? 2 * w->outcap : 16;
		w->out = ocop_xrealloc(w->out, w->outcap * sizeof(*w->out));
	}
	c = &w->out[w->nout++];
	memset(c, 0, sizeof(*c));
	c->label_id = w->label_id;
	c->scans = (int64_t)w->n;
	c->nplaces = (int)w->np;
	c->max_places = best;
	c->win_from = w->scans[bi].day;
	c->win_to = w->scans[bj].day;
	c->first_seen = w->scans[0].t;
	c->last_seen = w->scans[w->n - 1].t;
	rcount_init(&c->places);
	for (size_t k = 0; k < w->n; k++)
		rcount_add(&c->places,
			   w->scans[k].place >= 0
			       ? w->arena + w->poff[w->scans[k].place]
			       : "",
			   1);
reset:
	w->n = 0;
	w->np = 0;
	w->alen = 0;
}

static int
clone_scan(void *vctx, const struct ocop_scan *sc)
{
	struct clone_worker *w = vctx;
	struct cscan *s;

	if (sc->label_id != w->label_id) {
		clone_finish(w);
		w->label_id = sc->label_id;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		w->scans = ocop_xrealloc(w->scans, w->cap * sizeof(*w->scans));
	}
	s = &w->scans[w->n++];
	s->t = sc->scanned_at;
	s->day = ocop_day_of(sc->scanned_at);
	s->place = clone_place(w, sc->place);
	return 0;
}

/* ---- the two passes ---- */

/* a label-place pair of pass 1 (label 0: empty slot) */
struct lp_pair {
	int64_t label;
	uint64_t key;
};

/* a kept scan of pass 2 */
struct kscan {
	int64_t label;
	int64_t t;
	uint32_t name; /* offset of its place's name in the names arena */
};

struct clone_pass {
	const struct report_opts *o;
	int64_t max_id;
	uint32_t *nd; /* per label id: distinct places, at most min_places */
	struct lp_pair *pairs;
	size_t npairs, pcap; /* pcap: a power of two */
	/* pass 2 */
	struct kscan *ks;
	size_t nks, kcap;
	char *names; /* distinct names, NUL-separated */
	size_t nlen, ncap;
	uint32_t *nslot; /* hash table of name offsets + 1 (0: empty) */
	size_t nn, nscap;
};

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* 1 when (label, key) is new, and then stored */
static int
pair_add(struct clone_pass *cp, int64_t label, uint64_t key)
{
	size_t i;

	if (2 * (cp->npairs + 1) > cp->pcap) {
		struct lp_pair *old = cp->pairs;
		size_t ocap = cp->pcap;

		cp->pcap = ocap ? 2 * ocap : 1024;
		cp->pairs = ocop_xcalloc(cp->pcap, sizeof(*cp->pairs));
		for (size_t j = 0; j < ocap; j++) {
			if (!old[j].label)
				continue;
			i = mix64(old[j].key ^ (uint64_t)old[j].label) &
			    (cp->pcap - 1);
			while (cp->pairs[i].label)
				i = (i + 1) & (cp->pcap - 1);
			cp->pairs[i] = old[j];
		}
		free(old);
	}
	i = mix64(key ^ (uint64_t)label) & (cp->pcap - 1);
	while (cp->pairs[i].label) {
		if (cp->pairs[i].label == label && cp->pairs[i].key == key)
			return 0;
		i = (i + 1) & (cp->pcap - 1);
	}
	cp->pairs[i].label = label;
	cp->pairs[i].key = key;
	cp->npairs++;
	return 1;
}

static int
count_places(void *vctx, const struct ocop_scan *sc)
{
	struct clone_pass *cp = vctx;
	const char *name = places_name(sc);
	int64_t l = sc->label_id;

	if (!name || l <= 0 || l > cp->max_id ||
	    cp->nd[l] >= (uint32_t)cp->o->min_places)
		return 0;
	if (pair_add(cp, l, places_key(name)))
		cp->nd[l]++;
	return 0;
}

/* the offset of name in the arena, added when new */
static uint32_t
name_offset(struct clone_pass *cp, const char *name)
{
	size_t len = strlen(name) + 1, i;

	if (2 * (cp->nn + 1) > cp->nscap) {
		uint32_t *old = cp->nslot;
		size_t ocap = cp->nscap;

		cp->nscap = ocap ? 2 * ocap : 256;
		cp->nslot = ocop_xcalloc(cp->nscap, sizeof(*cp->nslot));
		for (size_t j = 0; j < ocap; j++) {
			if (!old[j])
				continue;
			i = mix64(places_key(cp->names + old[j] - 1)) &
			    (cp->nscap - 1);
			while (cp->nslot[i])
				i = (i + 1) & (cp->nscap - 1);
			cp->nslot[i] = old[j];
		}
		free(old);
	}
	i = mix64(places_key(name)) & (cp->nscap - 1);
	while (cp->nslot[i]) {
		if (strcmp(cp->names + cp->nslot[i] - 1, name) == 0)
			return cp->nslot[i] - 1;
		i = (i + 1) & (cp->nscap - 1);
	}
	if (cp->nlen + len > cp->ncap) {
		cp->ncap = (cp->nlen + len) * 2;
		cp->names = ocop_xrealloc(cp->names, cp->ncap);
	}
	memcpy(cp->names + cp->nlen, name, len);
	cp->nslot[i] = (uint32_t)cp->nlen + 1;
	cp->nlen += len;
	cp->nn++;
	return cp->nslot[i] - 1;
}

static int
keep_scan(void *vctx, const struct ocop_scan *sc)
{
	struct clone_pass *cp = vctx;
	const char *name = places_name(sc);
	int64_t l = sc->label_id;
	struct kscan *k;

	if (!name || l <= 0 || l > cp->max_id ||
	    cp->nd[l] < (uint32_t)cp->o->min_places)
		return 0;
	if (cp->nks == cp->kcap) {
		cp->kcap = cp->kcap ? 2 * cp->kcap : 1024;
		cp->ks = ocop_xrealloc(cp->ks, cp->kcap * sizeof(*cp->ks));
	}
	k = &cp->ks[cp->nks++];
	k->label = l;
	k->t = sc->scanned_at;
	k->name = name_offset(cp, name);
	return 0;
}

static int
cmp_kscan(const void *a, const void *b)
{
	const struct kscan *x = a, *y = b;

	if (x->label != y->label)
		return x->label < y->label ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* The clone entries of the scans from..to into w->out. */
static int
clone_passes(struct ocop_store *st, struct clone_worker *w, int64_t from,
	     int64_t to, struct ocop_error *err)
{
	struct clone_pass cp;
	struct ocop_scan *sc = ocop_xcalloc(1, sizeof(*sc));
	int rc;

	memset(&cp, 0, sizeof(cp));
	cp.o = w->job->o;
	if ((rc = st->m->label_max_id(st, &cp.max_id, err)) < 0)
		goto out;
	cp.nd = ocop_xcalloc((size_t)cp.max_id + 1, sizeof(*cp.nd));
	rc = st->m->scan_each_placed(st, from, to, count_places, &cp, err);
	free(cp.pairs);
	cp.pairs = NULL;
	if (rc < 0)
		goto out;
	rc = st->m->scan_each_placed(st, from, to, keep_scan, &cp, err);
	if (rc < 0)
		goto out;
	if (cp.nks > 1)
		qsort(cp.ks, cp.nks, sizeof(*cp.ks), cmp_kscan);
	w->label_id = 0;
	w->n = 0;
	for (size_t i = 0; i < cp.nks; i++) {
		sc->label_id = cp.ks[i].label;
		sc->scanned_at = cp.ks[i].t;
		ocop_strlcpy(sc->place, cp.names + cp.ks[i].name,
			     sizeof(sc->place));
		clone_scan(w, sc);
	}
	clone_finish(w);
out:
	free(sc);
	free(cp.nd);
	free(cp.ks);
	free(cp.names);
	free(cp.nslot);
	return rc;
}

static const struct rcol clone_cols[] = {
    {"serial", "Số sê-ri", "Serial", 0, RCOL_SERIAL, 0},
    {"code", "Mã sản phẩm", "Code", 0, RCOL_TEXT, 0},
    {"name", "Tên sản phẩm", "Name", 0, RCOL_TEXT, 0},
    {"max_places", "Số nơi trong cửa sổ", "Places in window", 1, RCOL_TEXT, 0},
    {"window_from", "Cửa sổ từ", "Window from", 0, RCOL_DAY, 0},
    {"window_to", "Cửa sổ đến", "Window to", 0, RCOL_DAY, 0},
    {"distinct_places", "Tổng số nơi", "Distinct places", 1, RCOL_TEXT, 0},
    {"scans", "Lượt quét", "Scans", 1, RCOL_TEXT, 0},
    {"first_seen", "Quét lần đầu", "First seen", 0, RCOL_TIME, 0},
    {"last_seen", "Quét lần cuối", "Last seen", 0, RCOL_TIME, 0},
    {"places", "Nơi quét (lượt)", "Places (scans)", 0, RCOL_TEXT, 0},
};

static int
cmp_clone(const void *a, const void *b)
{
	const struct clone *x = a, *y = b;

	if (x->max_places != y->max_places)
		return x->max_places > y->max_places ? -1 : 1;
	if (x->scans != y->scans)
		return x->scans > y->scans ? -1 : 1;
	return strcmp(x->l.serial, y->l.serial);
}

/* Where the copies were seen: scans of the serials listed, by place. */
static void
clones_where(struct rdoc *d, const struct clone *all, size_t n)
{
	struct rcount m;
	double rest = 0;

	rchart_init(&d->where, RCHART_BARS);
	ocop_strlcpy(d->where.title_vi, "Nơi phát hiện: lượt quét theo nơi",
		     sizeof(d->where.title_vi));
	ocop_strlcpy(d->where.title_en,
		     "Where the copies were seen: scans by place",
		     sizeof(d->where.title_en));
	ocop_strlcpy(d->where.x_vi, "Lượt quét", sizeof(d->where.x_vi));
	ocop_strlcpy(d->where.x_en, "Scans", sizeof(d->where.x_en));
	rchart_legend(&d->where, "amber", "lượt quét tem có thể bị sao chép",
		      "scans of labels that may be copied");
	rcount_init(&m);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < all[i].places.n; k++)
			rcount_add(&m, all[i].places.keys[k],
				   all[i].places.counts[k]);
	rcount_sort(&m);
	for (size_t i = 0; i < m.n; i++) {
		char label[300];

		if (i >= 15) {
			rest += (double)m.counts[i];
			continue;
		}
		if (*m.keys[i])
			ocop_strlcpy(label, m.keys[i], sizeof(label));
		else
			snprintf(label, sizeof(label), "%s / %s", rno_place_vi,
				 rno_place_en);
		rchart_add_bar(&d->where, label, (double)m.counts[i], "amber");
	}
	if (m.n > 15) {
		snprintf(d->where.foot_vi, sizeof(d->where.foot_vi),
			 "Và %zu nơi khác với %.0f lượt quét (xem bảng).",
			 m.n - 15, rest);
		snprintf(
		    d->where.foot_en, sizeof(d->where.foot_en),
		    "And %zu other places with %.0f scans (see the table).",
		    m.n - 15, rest);
	}
	rcount_release(&m);
}

int
report_clones(struct ocop_store *st, const struct report_opts *o,
	      struct rdoc *d, struct ocop_error *err)
{
	struct clone_job job;
	struct clone_worker w;
	struct clone *all = NULL;
	size_t nall = 0;
	int rc;
	char b1[16], b2[16], t1[32], t2[32];

	rdoc_init(d, "clones", clone_cols,
		  sizeof(clone_cols) / sizeof(clone_cols[0]), RCHART_BARS,
		  o->as_of);
	d->title_vi = "Tem bị sao chép: một số sê-ri quét ở nhiều nơi";
	d->title_en = "Copied labels: one serial scanned in many places";
	d->about_vi = "Số sê-ri được quét từ ít nhất số nơi đã chọn trong "
		      "một khoảng số ngày: một tem thật chỉ ở một chỗ, nên "
		      "đó là tem bị in sao. Nơi quét là nơi thanh tra ghi, "
		      "hoặc mạng của người tiêu dùng quét mã.";
	d->about_en = "Serials scanned from at least the chosen number of "
		      "distinct places within the window: a genuine label is "
		      "in one place at a time, so these are copies. A place "
		      "is the one an inspector gave, or the network of the "
		      "consumer who scanned.";
	rdoc_param(d, "min_places", "Số nơi tối thiểu", "Min places", "%d",
		   o->min_places);
	rdoc_param(d, "window_days", "Trong số ngày", "Window (days)", "%d",
		   o->window_days);
	if (o->since != OCOP_NO_DAY)
		rdoc_param(d, "since", "Quét từ ngày", "Scans since", "%s",
			   ocop_day_format(o->since, b1));
	ocop_strlcpy(d->chart.title_vi, "Số nơi quét trong cửa sổ",
		     sizeof(d->chart.title_vi));
	ocop_strlcpy(d->chart.title_en, "Places within the window",
		     sizeof(d->chart.title_en));
	ocop_strlcpy(d->chart.x_vi, "Số nơi", sizeof(d->chart.x_vi));
	ocop_strlcpy(d->chart.x_en, "Places", sizeof(d->chart.x_en));
	rchart_legend(&d->chart, "amber", "tem có thể bị sao chép",
		      "label may be copied");
	d->chart.none_vi = "Không có số sê-ri nào bị quét ở nhiều nơi.";
	d->chart.none_en = "No serial was scanned in many places.";

	memset(&job, 0, sizeof(job));
	job.o = o;
	memset(&w, 0, sizeof(w));
	w.job = &job;
	rc = clone_passes(st, &w,
			  o->since != OCOP_NO_DAY ? ocop_day_start(o->since)
						  : OCOP_NO_TIME,
			  rend_of(o->as_of), err);
	all = w.out;
	nall = w.nout;
	free(w.scans);
	free(w.arena);
	free(w.poff);
	free(w.phash);
	free(w.pcount);
	if (rc < 0)
		goto out;

	for (size_t i = 0; i < nall && rc == 0; i++) {
		rc = st->m->label_get_by_id(st, all[i].label_id, &all[i].l,
					    NULL, err);
		if (rc == 0)
			rc = st->m->product_get_by_id(st, all[i].l.product_id,
						      &all[i].p, err);
	}
	if (rc < 0)
		goto out;
	if (nall > 1)
		qsort(all, nall, sizeof(*all), cmp_clone);

	for (size_t i = 0; i < nall; i++) {
		struct clone *c = &all[i];
		json_t *j = json_object();

		rcount_sort(&c->places);
		json_object_set_new(j, "serial", json_string(c->l.serial));
		json_object_set_new(j, "code", json_string(c->p.code));
		json_object_set_new(j, "name", json_string(c->p.name));
		json_object_set_new(j, "max_places",
				    json_integer(c->max_places));
		json_object_set_new(j, "window_from", rjson_day(c->win_from));
		json_object_set_new(j, "window_to", rjson_day(c->win_to));
		json_object_set_new(j, "distinct_places",
				    json_integer(c->nplaces));
		json_object_set_new(j, "scans", json_integer(c->scans));
		json_object_set_new(j, "first_seen", rjson_time(c->first_seen));
		json_object_set_new(j, "last_seen", rjson_time(c->last_seen));
		json_object_set_new(j, "places", rcount_json(&c->places));
		json_array_append_new(d->entries, j);

		rtab_row(&d->tab);
		rtab_set(&d->tab, 0, "%s", c->l.serial);
		rtab_set(&d->tab, 1, "%s", c->p.code);
		rtab_set(&d->tab, 2, "%s", c->p.name);
		rtab_set(&d->tab, 3, "%d", c->max_places);
		rtab_set(&d->tab, 4, "%s", ocop_day_format(c->win_from, b1));
		rtab_set(&d->tab, 5, "%s", ocop_day_format(c->win_to, b2));
		rtab_set(&d->tab, 6, "%d", c->nplaces);
		rtab_set(&d->tab, 7, "%lld", (long long)c->scans);
		rtab_set(&d->tab, 8, "%s", ocop_time_format(c->first_seen, t1));
		rtab_set(&d->tab, 9, "%s", ocop_time_format(c->last_seen, t2));
		rtab_set_counts(&d->tab, 10, &c->places);
		if (i < 20) {
			char label[96];
			char grouped[OCOP_SERIAL_GROUPED + 1];

			snprintf(label, sizeof(label), "%s %s",
				 ocop_serial_group(c->l.serial, grouped),
				 c->p.code);
			rchart_add_bar(&d->chart, label, (double)c->max_places,
				       "amber");
			rchart_note(&d->chart, "%d nơi / places, %s–%s",
				    c->max_places,
				    report_local_day(c->win_from, b1),
				    report_local_day(c->win_to, b2));
		}
	}
	clones_where(d, all, nall);
out:
	for (size_t i = 0; i < nall; i++)
		rcount_release(&all[i].places);
	free(all);
	return rc;
}

/* ---- unknown --------------------------------------------------------- */

struct unk {
	char place[256];
	char code[64];
	enum ocop_reason reason;
	int64_t scans;
	int64_t first_seen, last_seen;
	struct rcount provinces;
};

struct unk_ctx {
	struct unk *v;
	size_t n, cap;
	struct rcount byplace;
};

static int
unk_scan(void *vctx, const struct ocop_scan *sc)
{
	struct unk_ctx *c = vctx;
	struct unk *u = c->n ? &c->v[c->n - 1] : NULL;

	if (!u || strcmp(u->place, sc->place) != 0 ||
	    strcmp(u->code, sc->code) != 0) {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 64;
			c->v = ocop_xrealloc(c->v, c->cap * sizeof(*c->v));
		}
		u = &c->v[c->n++];
		memset(u, 0, sizeof(*u));
		ocop_strlcpy(u->place, sc->place, sizeof(u->place));
		ocop_strlcpy(u->code, sc->code, sizeof(u->code));
		/* the reason it matched no label; older rows may lack it */
		u->reason = sc->reason == OCOP_REASON_MISTYPED ||
				    sc->reason == OCOP_REASON_WRONG_PRODUCT
				? sc->reason
				: OCOP_REASON_NOT_FOUND;
		u->first_seen = sc->scanned_at;
		rcount_init(&u->provinces);
	}
	u->scans++;
	if (sc->scanned_at < u->first_seen)
		u->first_seen = sc->scanned_at;
	if (sc->scanned_at > u->last_seen)
		u->last_seen = sc->scanned_at;
	if (sc->province[0])
		rcount_add(&u->provinces, sc->province, 1);
	rcount_add(&c->byplace, sc->place, 1);
	return 0;
}

static int
cmp_unk(const void *a, const void *b)
{
	const struct unk *x = a, *y = b;
	int c;

	if ((c = strcmp(x->place, y->place)) != 0)
		return c;
	if (x->scans != y->scans)
		return x->scans > y->scans ? -1 : 1;
	return strcmp(x->code, y->code);
}

static const struct rcol unk_cols[] = {
    {"place", "Nơi quét", "Place", 0, RCOL_PLACE, 0},
    {"code", "Mã đã quét", "Scanned code", 0, RCOL_SERIAL, 0},
    {"reason", "Lý do", "Reason", 0, RCOL_REASON, 0},
    {"scans", "Lượt quét", "Scans", 1, RCOL_TEXT, 0},
    {"first_seen", "Quét lần đầu", "First seen", 0, RCOL_TIME, 0},
    {"last_seen", "Quét lần cuối", "Last seen", 0, RCOL_TIME, 0},
    {"provinces", "Tỉnh", "Provinces", 0, RCOL_TEXT, 0},
};

int
report_unknown(struct ocop_store *st, const struct report_opts *o,
	       struct rdoc *d, struct ocop_error *err)
{
	struct unk_ctx c;
	int64_t from;
	char b1[16], t1[32], t2[32];
	int rc;

	rdoc_init(d, "unknown", unk_cols,
		  sizeof(unk_cols) / sizeof(unk_cols[0]), RCHART_BARS,
		  o->as_of);
	d->title_vi = "Mã không khớp tem nào: tem giả, theo nơi quét";
	d->title_en = "Codes that match no label: forged labels, by place";
	d->about_vi = "Các mã được quét nhưng không có tem nào mang số "
		      "sê-ri đó (hoặc sai ký tự kiểm tra), nhóm theo nơi "
		      "quét. Nơi có nhiều mã giả nhất nên được kiểm tra "
		      "trước.";
	d->about_en = "Codes scanned that no label carries (or with a bad "
		      "check symbol), grouped by place. Places with the most "
		      "forged codes first in the chart.";
	if (o->since != OCOP_NO_DAY)
		rdoc_param(d, "since", "Quét từ ngày", "Scans since", "%s",
			   ocop_day_format(o->since, b1));
	ocop_strlcpy(d->chart.title_vi, "Lượt quét mã giả theo nơi",
		     sizeof(d->chart.title_vi));
	ocop_strlcpy(d->chart.title_en, "Scans of forged codes by place",
		     sizeof(d->chart.title_en));
	ocop_strlcpy(d->chart.x_vi, "Lượt quét", sizeof(d->chart.x_vi));
	ocop_strlcpy(d->chart.x_en, "Scans", sizeof(d->chart.x_en));
	rchart_legend(&d->chart, "unknown", "mã không khớp tem nào",
		      "code that matches no label");
	d->chart.none_vi = "Không có mã lạ nào được quét.";
	d->chart.none_en = "No unknown code was scanned.";

	memset(&c, 0, sizeof(c));
	rcount_init(&c.byplace);
	from =
	    o->since != OCOP_NO_DAY ? ocop_day_start(o->since) : OCOP_NO_TIME;
	rc = st->m->scan_each_unknown(st, from, rend_of(o->as_of), unk_scan, &c,
				      err);
	if (rc < 0)
		goto out;
	if (c.n > 1)
		qsort(c.v, c.n, sizeof(*c.v), cmp_unk);
	for (size_t i = 0; i < c.n; i++) {
		struct unk *u = &c.v[i];
		json_t *j = json_object();

		rcount_sort(&u->provinces);
		json_object_set_new(j, "place", json_string(u->place));
		json_object_set_new(j, "code", json_string(u->code));
		json_object_set_new(j, "reason",
				    json_string(ocop_reason_name(u->reason)));
		json_object_set_new(j, "scans", json_integer(u->scans));
		json_object_set_new(j, "first_seen", rjson_time(u->first_seen));
		json_object_set_new(j, "last_seen", rjson_time(u->last_seen));
		json_object_set_new(j, "provinces", rcount_json(&u->provinces));
		json_array_append_new(d->entries, j);

		rtab_row(&d->tab);
		rtab_set(&d->tab, 0, "%s", u->place);
		rtab_set(&d->tab, 1, "%s", u->code);
		rtab_set(&d->tab, 2, "%s", ocop_reason_name(u->reason));
		rtab_set(&d->tab, 3, "%lld", (long long)u->scans);
		rtab_set(&d->tab, 4, "%s", ocop_time_format(u->first_seen, t1));
		rtab_set(&d->tab, 5, "%s", ocop_time_format(u->last_seen, t2));
		rtab_set_counts(&d->tab, 6, &u->provinces);
	}
	rcount_sort(&c.byplace);
	for (size_t i = 0; i < c.byplace.n && i < 20; i++) {
		char label[300];

		if (*c.byplace.keys[i])
			ocop_strlcpy(label, c.byplace.keys[i], sizeof(label));
		else
			snprintf(label, sizeof(label), "%s / %s", rno_place_vi,
				 rno_place_en);
		rchart_add_bar(&d->chart, label, (double)c.byplace.counts[i],
			       "unknown");
	}
	rc = 0;
out:
	for (size_t i = 0; i < c.n; i++)
		rcount_release(&c.v[i].provinces);
	free(c.v);
	rcount_release(&c.byplace);
	return rc;
}
