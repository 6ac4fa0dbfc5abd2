/*
 * report_out.c - the shapes every report shares (table of strings, chart,
 * counting map) and the four renderings: JSON, CSV, an aligned table for
 * terminals, and a self-contained HTML page with an inline SVG chart.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "report_int.h"

/* ---- table of strings ------------------------------------------------ */

void
rtab_init(struct rtab *t, const struct rcol *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

void
rtab_release(struct rtab *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
		free(t->brief[i]);
	}
	free(t->cells);
	free(t->brief);
	memset(t, 0, sizeof(*t));
}

void
rtab_row(struct rtab *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells =
		    ocop_xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
		t->brief =
		    ocop_xrealloc(t->brief, t->cap * t->ncols * sizeof(char *));
	}
	memset(t->cells + t->nrows * t->ncols, 0, t->ncols * sizeof(char *));
	memset(t->brief + t->nrows * t->ncols, 0, t->ncols * sizeof(char *));
	t->nrows++;
}

void
rtab_set(struct rtab *t, size_t col, const char *fmt, ...)
{
	char **cell;
	va_list ap;
	int n;

	if (t->nrows == 0 || col >= t->ncols)
		return;
	cell = &t->cells[(t->nrows - 1) * t->ncols + col];
	free(*cell);
	va_start(ap, fmt);
	n = vasprintf(cell, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort(); /* allocation failure, as ocop_xmalloc */
}

void
rtab_set_brief(struct rtab *t, size_t col, char *s)
{
	char **cell;

	if (t->nrows == 0 || col >= t->ncols) {
		free(s);
		return;
	}
	cell = &t->brief[(t->nrows - 1) * t->ncols + col];
	free(*cell);
	*cell = s;
}

const char *
rtab_get(const struct rtab *t, size_t row, size_t col)
{
	const char *s = t->cells[row * t->ncols + col];

	return s ? s : "";
}

const char *
rtab_view(const struct rtab *t, size_t row, size_t col)
{
	const char *s = t->brief[row * t->ncols + col];

	return s ? s : rtab_get(t, row, col);
}

/* ---- chart ----------------------------------------------------------- */

void
rchart_init(struct rchart *c, enum rchart_kind kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
}

void
rchart_release(struct rchart *c)
{
	for (size_t i = 0; i < c->nbars; i++) {
		free(c->bars[i].label);
		free(c->bars[i].note);
	}
	free(c->bars);
	for (size_t i = 0; i < c->nseries; i++) {
		free(c->series[i].label);
		free(c->series[i].v);
	}
	free(c->series);
	memset(c, 0, sizeof(*c));
}

static struct rbar *
rchart_new_bar(struct rchart *c, const char *label)
{
	struct rbar *b;

	c->bars = ocop_xrealloc(c->bars, (c->nbars + 1) * sizeof(*c->bars));
	b = &c->bars[c->nbars++];
	memset(b, 0, sizeof(*b));
	b->label = ocop_xstrdup(label);
	return b;
}

void
rchart_add_stack(struct rchart *c, const char *label, const double *v,
		 const char *const *cls, size_t n)
{
	struct rbar *b = rchart_new_bar(c, label);

	for (size_t i = 0; i < n && i < RCHART_SEGS; i++) {
		b->v[i] = v[i];
		b->cls[i] = cls[i];
	}
}

void
rchart_add_bar(struct rchart *c, const char *label, double v, const char *cls)
{
	struct rbar *b = rchart_new_bar(c, label);

	b->v[0] = v;
	b->cls[0] = cls;
}

void
rchart_note(struct rchart *c, const char *fmt, ...)
{
	struct rbar *b;
	va_list ap;
	int n;

	if (c->nbars == 0)
		return;
	b = &c->bars[c->nbars - 1];
	free(b->note);
	va_start(ap, fmt);
	n = vasprintf(&b->note, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort(); /* allocation failure, as ocop_xmalloc */
}

void
rchart_legend(struct rchart *c, const char *cls, const char *vi, const char *en)
{
	if (c->nlegend >= sizeof(c->legend_cls) / sizeof(c->legend_cls[0]))
		return;
	c->legend_cls[c->nlegend] = cls;
	c->legend_vi[c->nlegend] = vi;
	c->legend_en[c->nlegend] = en;
	c->nlegend++;
}

void
rchart_add_series(struct rchart *c, const char *label, const char *cls,
		  const double *v, size_t n)
{
	struct rseries *s;

	c->series =
	    ocop_xrealloc(c->series, (c->nseries + 1) * sizeof(*c->series));
	s = &c->series[c->nseries++];
	s->label = ocop_xstrdup(label);
	s->cls = cls;
	s->v = ocop_xmalloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(s->v, v, n * sizeof(double));
	s->n = n;
}

int
rmonth_of(int32_t day)
{
	int y, m, d;

	ocop_day_to_ymd(day, &y, &m, &d);
	return y * 12 + m - 1;
}

/* ---- counting map ---------------------------------------------------- */

void
rcount_init(struct rcount *m)
{
	memset(m, 0, sizeof(*m));
}

void
rcount_release(struct rcount *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->counts);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static size_t
rhash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
rcount_rehash(struct rcount *m)
{
	free(m->slots);
	m->nslots = m->nslots ? 2 * m->nslots : 16;
	m->slots = ocop_xcalloc(m->nslots, sizeof(size_t));
	for (size_t i = 0; i < m->n; i++) {
		size_t h = rhash(m->keys[i]) & (m->nslots - 1);

		while (m->slots[h])
			h = (h + 1) & (m->nslots - 1);
		m->slots[h] = i + 1;
	}
}

void
rcount_add(struct rcount *m, const char *key, int64_t n)
{
	size_t h;

	if (2 * (m->n + 1) > m->nslots)
		rcount_rehash(m);
	h = rhash(key) & (m->nslots - 1);
	while (m->slots[h]) {
		size_t i = m->slots[h] - 1;

		if (strcmp(m->keys[i], key) == 0) {
			m->counts[i] += n;
			return;
		}
		h = (h + 1) & (m->nslots - 1);
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->keys = ocop_xrealloc(m->keys, m->cap * sizeof(*m->keys));
		m->counts =
		    ocop_xrealloc(m->counts, m->cap * sizeof(*m->counts));
	}
	m->keys[m->n] = ocop_xstrdup(key);
	m->counts[m->n] = n;
	m->slots[h] = ++m->n;
}

void
rcount_sort(struct rcount *m)
{
	/* insertion sort: maps are small (places of one product) */
	for (size_t i = 1; i < m->n; i++) {
		char *k = m->keys[i];
		int64_t c = m->counts[i];
		size_t j = i;

		while (j > 0 && (m->counts[j - 1] < c ||
				 (m->counts[j - 1] == c &&
				  strcmp(m->keys[j - 1], k) > 0))) {
			m->keys[j] = m->keys[j - 1];
			m->counts[j] = m->counts[j - 1];
			j--;
		}
		m->keys[j] = k;
		m->counts[j] = c;
	}
	free(m->slots);
	m->slots = NULL;
	m->nslots = 0;
}

json_t *
rcount_json(const struct rcount *m)
{
	json_t *o = json_object();

	for (size_t i = 0; i < m->n; i++)
		json_object_set_new(o, m->keys[i], json_integer(m->counts[i]));
	return o;
}

char *
rcount_text(const struct rcount *m, size_t max, int people)
{
	struct ocop_buf b;
	size_t n = max && max < m->n ? max : m->n;

	ocop_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		if (*m->keys[i] || !people)
			ocop_buf_addf(&b, "%s%s (%lld)", i ? "; " : "",
				      *m->keys[i] ? m->keys[i] : "?",
				      (long long)m->counts[i]);
		else
			ocop_buf_addf(&b, "%s%s / %s (%lld)", i ? "; " : "",
				      rno_place_vi, rno_place_en,
				      (long long)m->counts[i]);
	if (n < m->n)
		ocop_buf_addf(&b, "; … +%zu", m->n - n);
	if (b.len == 0)
		return ocop_xstrdup("");
	return ocop_buf_detach(&b, NULL);
}

void
rtab_set_counts(struct rtab *t, size_t col, const struct rcount *m)
{
	/* the places people read: the busiest ones */
	enum { BRIEF = 8 };
	char *s = rcount_text(m, 0, 0);
	char *view = rcount_text(m, BRIEF, 1);

	rtab_set(t, col, "%s", s);
	if (strcmp(s, view) != 0)
		rtab_set_brief(t, col, view);
	else
		free(view);
	free(s);
}

/* ---- helpers --------------------------------------------------------- */

json_t *
rjson_day(int32_t day)
{
	char buf[16];

	if (day == OCOP_NO_DAY)
		return json_null();
	return json_string(ocop_day_format(day, buf));
}

json_t *
rjson_time(int64_t t)
{
	char buf[32];

	if (t == OCOP_NO_TIME)
		return json_null();
	return json_string(ocop_time_format(t, buf));
}

int64_t
rend_of(int32_t as_of)
{
	return ocop_day_start(as_of + 1);
}

struct rproducts_ctx {
	int64_t *ids;
	size_t n, cap;
};

static int
rproducts_cb(void *vctx, const struct ocop_product *p)
{
	struct rproducts_ctx *c = vctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->ids = ocop_xrealloc(c->ids, c->cap * sizeof(*c->ids));
	}
	c->ids[c->n++] = p->id;
	return 0;
}

int
rproducts(struct ocop_store *st, int64_t **ids, size_t *n,
	  struct ocop_error *err)
{
	struct rproducts_ctx c = {0};
	int rc;

	rc = st->m->product_each(st, rproducts_cb, &c, err);
	if (rc < 0) {
		free(c.ids);
		return rc;
	}
	*ids = c.ids;
	*n = c.n;
	return 0;
}

/* ---- document -------------------------------------------------------- */

void
rdoc_init(struct rdoc *d, const char *name, const struct rcol *cols,
	  size_t ncols, enum rchart_kind kind, int32_t as_of)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->as_of = as_of;
	d->entries = json_array();
	rtab_init(&d->tab, cols, ncols);
	rchart_init(&d->chart, kind);
	rchart_init(&d->where, RCHART_NONE);
}

void
rdoc_release(struct rdoc *d)
{
	json_decref(d->entries);
	rtab_release(&d->tab);
	rchart_release(&d->chart);
	rchart_release(&d->where);
	memset(d, 0, sizeof(*d));
}

void
rdoc_param(struct rdoc *d, const char *key, const char *vi, const char *en,
	   const char *fmt, ...)
{
	va_list ap;

	if (d->nparams >= sizeof(d->param_keys) / sizeof(d->param_keys[0]))
		return;
	d->param_keys[d->nparams] = key;
	d->param_vi[d->nparams] = vi;
	d->param_en[d->nparams] = en;
	va_start(ap, fmt);
	vsnprintf(d->param_vals[d->nparams], sizeof(d->param_vals[0]), fmt, ap);
	va_end(ap);
	d->nparams++;
}

/* ---- JSON ------------------------------------------------------------ */

static int
render_json(const struct rdoc *d, struct ocop_buf *out, struct ocop_error *err)
{
	json_t *root = json_object();
	char *s;
	int rc;

	json_object_set_new(root, "as_of", rjson_day(d->as_of));
	json_object_set(root, "entries", d->entries);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!s)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "report %s: cannot encode JSON", d->name);
	rc = ocop_buf_adds(out, s);
	if (rc == 0)
		rc = ocop_buf_adds(out, "\n");
	free(s);
	if (rc < 0)
		return ocop_error_set(err, rc, "report %s: output too large",
				      d->name);
	return 0;
}

/* ---- CSV ------------------------------------------------------------- */

/* RFC 4180 quoting. Free text that a spreadsheet would read as a formula
 * (= + - @ first) gets a leading apostrophe, so an inspector who opens
 * the file is not attacked by a place name typed into a scanner. */
static int
csv_cell(struct ocop_buf *b, const char *s, int num)
{
	int quote = 0;
	int rc;

	if (!num && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
		     s[0] == '\t' || s[0] == '\r'))
		if ((rc = ocop_buf_adds(b, "'")) < 0)
			return rc;
	for (const char *p = s; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			quote = 1;
	if (!quote)
		return ocop_buf_adds(b, s);
	if ((rc = ocop_buf_adds(b, "\"")) < 0)
		return rc;
	for (const char *p = s; *p; p++) {
		rc = *p == '"' ? ocop_buf_adds(b, "\"\"")
			       : ocop_buf_add(b, p, 1);
		if (rc < 0)
			return rc;
	}
	return ocop_buf_adds(b, "\"");
}

static int
render_csv(const struct rdoc *d, struct ocop_buf *out)
{
	const struct rtab *t = &d->tab;
	int rc = 0, first = 1;

	for (size_t c = 0; c < t->ncols && rc == 0; c++) {
		if (t->cols[c].people)
			continue;
		if (!first && (rc = ocop_buf_adds(out, ",")) < 0)
			break;
		first = 0;
		rc = csv_cell(out, t->cols[c].key, 1);
	}
	if (rc == 0)
		rc = ocop_buf_adds(out, "\r\n");
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		first = 1;
		for (size_t c = 0; c < t->ncols && rc == 0; c++) {
			if (t->cols[c].people)
				continue;
			if (!first && (rc = ocop_buf_adds(out, ",")) < 0)
				break;
			first = 0;
			rc = csv_cell(out, rtab_get(t, r, c), t->cols[c].num);
		}
		if (rc == 0)
			rc = ocop_buf_adds(out, "\r\n");
	}
	return rc;
}

/* ---- aligned table --------------------------------------------------- */

size_t
report_display_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t w = 0;

	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0) { /* a stray byte: one column, as a terminal's ? */
			w++;
			p++;
			continue;
		}
		w += (size_t)utf8proc_charwidth(c);
		p += n;
	}
	return w;
}

/* The longest prefix of s that fits in max display columns less one,
 * then "…": a name that would stretch its column past a screen. */
static char *
table_cut(const char *s, size_t max)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t w = 0;
	char *out;

	if (report_display_width(s) <= max)
		return ocop_xstrdup(s);
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
		size_t cw;

		if (n <= 0)
			n = 1, c = '?';
		cw = (size_t)utf8proc_charwidth(c);
		/* keep combining marks with their letter */
		if (w + cw > max - 1)
			break;
		w += cw;
		p += n;
	}
	out = ocop_xmalloc((size_t)(p - (const utf8proc_uint8_t *)s) + 4);
	memcpy(out, s, (size_t)(p - (const utf8proc_uint8_t *)s));
	strcpy(out + (p - (const utf8proc_uint8_t *)s), "…");
	return out;
}

/* The widest a free-text column gets in the table (names, producers);
 * the last column (places) is not padded and never cut. CSV, JSON and
 * HTML have the whole text. */
#define TABLE_TEXT_MAX 40

/* What the table prints in a cell: words, local times; free text cut. */
static char *
table_cell(const struct rtab *t, size_t r, size_t c)
{
	char buf[512];
	const char *v = rtab_view(t, r, c);

	if (t->cols[c].kind != RCOL_TEXT)
		return ocop_xstrdup(
		    rpeople(t->cols[c].kind, v, buf, sizeof(buf)));
	if (c + 1 < t->ncols && !t->cols[c].num)
		return table_cut(v, TABLE_TEXT_MAX);
	return ocop_xstrdup(v);
}

static int
pad(struct ocop_buf *b, size_t n)
{
	static const char spaces[] = "                                ";
	int rc = 0;

	while (n > 0 && rc == 0) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		rc = ocop_buf_add(b, spaces, k);
		n -= k;
	}
	return rc;
}

/* One line of cells; the last column is not padded on the right. */
static int
table_line(struct ocop_buf *b, const struct rtab *t, const size_t *w,
	   char *const *cells)
{
	int rc = 0;

	for (size_t c = 0; c < t->ncols && rc == 0; c++) {
		size_t cw = report_display_width(cells[c]);
		size_t gap = w[c] > cw ? w[c] - cw : 0;

		if (c && (rc = ocop_buf_adds(b, "  ")) < 0)
			break;
		if (t->cols[c].num) {
			if ((rc = pad(b, gap)) == 0)
				rc = ocop_buf_adds(b, cells[c]);
		} else {
			rc = ocop_buf_adds(b, cells[c]);
			if (rc == 0 && c + 1 < t->ncols)
				rc = pad(b, gap);
		}
	}
	if (rc == 0)
		rc = ocop_buf_adds(b, "\n");
	return rc;
}

static int
render_table(const struct rdoc *d, struct ocop_buf *out)
{
	const struct rtab *t = &d->tab;
	size_t *w = ocop_xcalloc(t->ncols, sizeof(size_t));
	char **cells = ocop_xcalloc(t->nrows * t->ncols + 1, sizeof(char *));
	char **head = ocop_xcalloc(t->ncols, sizeof(char *));
	char day[16];
	int rc;

	for (size_t c = 0; c < t->ncols; c++) {
		size_t a = report_display_width(t->cols[c].vi);
		size_t b = report_display_width(t->cols[c].en);

		w[c] = a > b ? a : b;
		for (size_t r = 0; r < t->nrows; r++) {
			char *x = table_cell(t, r, c);
			size_t xw = report_display_width(x);

			cells[r * t->ncols + c] = x;
			if (xw > w[c])
				w[c] = xw;
		}
	}
	rc = ocop_buf_addf(out, "%s / %s\n", d->title_vi, d->title_en);
	if (rc == 0)
		rc = ocop_buf_addf(out, "Tính đến ngày / As of: %s",
				   report_local_day(d->as_of, day));
	for (size_t i = 0; i < d->nparams && rc == 0; i++)
		rc = ocop_buf_addf(out, "; %s / %s: %s", d->param_vi[i],
				   d->param_en[i], d->param_vals[i]);
	if (rc == 0)
		rc =
		    ocop_buf_adds(out, "\nNgày giờ theo giờ Việt Nam (UTC+7) / "
				       "Dates and times in Vietnam time "
				       "(UTC+7)\n\n");
	for (size_t c = 0; c < t->ncols; c++)
		head[c] = (char *)(uintptr_t)t->cols[c].vi;
	if (rc == 0)
		rc = table_line(out, t, w, head);
	for (size_t c = 0; c < t->ncols; c++)
		head[c] = (char *)(uintptr_t)t->cols[c].en;
	if (rc == 0)
		rc = table_line(out, t, w, head);
	for (size_t r = 0; r < t->nrows && rc == 0; r++)
		rc = table_line(out, t, w, cells + r * t->ncols);
	if (rc == 0)
		rc = ocop_buf_addf(out, "\n%zu mục / entries\n", t->nrows);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(cells[i]);
	free(cells);
	free(head);
	free(w);
	return rc;
}

/* ---- HTML ------------------------------------------------------------ */

/* The colours mean what they mean on the consumer page: red for a
 * product that may not carry the mark (revoked, expired; a forged code),
 * amber for the wrong stars and for warnings, green for valid. Each
 * passes 3:1 against white (WCAG 1.4.11); text passes 4.5:1 (1.4.3). */
static const char html_style[] =
    "body{font-family:\"DejaVu Sans\",\"Noto Sans\",Arial,sans-serif;"
    "margin:1.5em;color:#1a1a1a;line-height:1.35;max-width:80em}"
    "h1{font-size:1.45em;margin:0 0 .2em}"
    "h1 .en,h2 .en{display:block;font-size:.68em;font-weight:normal;"
    "color:#555}"
    "h2{font-size:1.1em;margin:1.4em 0 .4em}"
    ".about{margin:.3em 0 .8em;color:#333}.about .en{color:#595959}"
    ".params{display:flex;flex-wrap:wrap;gap:.4em 1.6em;margin:.6em 0;"
    "padding:.5em .8em;background:#f3f5f7;border-left:4px solid #2a6f97}"
    ".params b{font-weight:600}.params .en{color:#595959}"
    "table{border-collapse:collapse;width:100%;font-size:.85em}"
    "caption{text-align:left;font-weight:600;padding:.3em 0}"
    "th,td{border:1px solid #c4c4c4;padding:.25em .45em;"
    "vertical-align:top;text-align:left}"
    "th{background:#e9eef2}th .en{display:block;font-weight:normal;"
    "color:#4a4a4a;font-size:.9em}td .en{color:#4a4a4a}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}td.k{white-space:nowrap}"
    "tbody tr:nth-child(even) td{background:#fafafa}"
    "td.v-red{color:#b3261e;font-weight:600}"
    "td.v-amber{color:#8a5100;font-weight:600}"
    "td.v-green{color:#17702f;font-weight:600}"
    ".chart{margin:.4em 0 1em}"
    ".chart svg{max-width:100%;height:auto;display:block}"
    ".chart text{font-family:\"DejaVu Sans\",\"Noto Sans\",Arial,"
    "sans-serif;font-size:13px;fill:#1a1a1a}"
    ".chart text.t{fill:#4a4a4a;font-size:12px}"
    ".chart .axis{stroke:#767676;stroke-width:1}"
    ".chart .grid{stroke:#e0e0e0;stroke-width:1}"
    ".red,.revoked,.expired,.unknown{fill:#b3261e;background:#b3261e}"
    ".amber,.star_mismatch,.closed{fill:#9a5b00;background:#9a5b00}"
    ".green,.valid,.not_open{fill:#17702f;background:#17702f}"
    ".blue,.open{fill:#0b57d0;background:#0b57d0}"
    ".legend{display:flex;flex-wrap:wrap;gap:.3em 1.4em;margin:.3em 0;"
    "padding:0;list-style:none;font-size:.9em}"
    ".legend .sw{display:inline-block;width:1em;height:1em;"
    "vertical-align:-.15em;margin-right:.35em;border-radius:2px}"
    ".legend .en{color:#595959}"
    "figure{margin:.2em 0 .9em}figcaption{font-size:.92em;margin:0 0 .1em}"
    "figcaption .en{color:#595959}figcaption b{font-weight:600}"
    ".none{padding:.8em 1em;background:#f3f5f7}"
    ".foot{margin-top:1em;font-size:.8em;color:#595959}"
    "@media print{body{margin:0;font-size:9.5pt;max-width:none}"
    "@page{size:A4 landscape;margin:12mm}"
    ".params{background:none;border:1px solid #999}"
    "thead{display:table-header-group}.chart,figure{break-inside:avoid}"
    "th{background:#eee!important}"
    "tbody tr:nth-child(even) td{background:none}"
    ".chart svg{max-width:100%;max-height:115mm;width:auto}"
    ".red,.amber,.green,.blue,.revoked,.expired,.unknown,.star_mismatch,"
    ".closed,.valid,.not_open,.open{print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}}";

/* Append selector list sel[0..n) with each selector under scope ("body"
 * becomes scope itself). */
static int
scope_selectors(struct ocop_buf *b, const char *scope, const char *sel,
		size_t n)
{
	int rc = 0;

	while (n > 0 && rc == 0) {
		size_t k = 0;

		while (k < n && sel[k] != ',')
			k++;
		if (k == 4 && memcmp(sel, "body", 4) == 0)
			rc = ocop_buf_adds(b, scope);
		else
			rc = ocop_buf_addf(b, "%s %.*s", scope, (int)k, sel);
		if (rc == 0 && k < n)
			rc = ocop_buf_adds(b, ",");
		sel += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
	return rc;
}

/* The rules of css up to its end or an unmatched '}', scoped; *end is
 * where it stopped. At-rules (html_style has only @media and @page)
 * keep their prelude and have their own rules scoped, but @page's
 * declarations are kept as they are. */
static int
scope_rules(struct ocop_buf *b, const char *scope, const char *css,
	    const char **end)
{
	const char *p = css;
	int rc = 0;

	while (*p && *p != '}' && rc == 0) {
		const char *open = strchr(p, '{'), *close;

		if (!open)
			break;
		if (*p == '@' && strncmp(p, "@media", 6) == 0) {
			rc = ocop_buf_addf(b, "%.*s{", (int)(open - p), p);
			if (rc == 0)
				rc = scope_rules(b, scope, open + 1, &p);
			if (rc == 0)
				rc = ocop_buf_adds(b, "}");
			if (*p == '}')
				p++;
			continue;
		}
		if (!(close = strchr(open, '}')))
			break;
		if (*p == '@')
			rc = ocop_buf_addf(b, "%.*s", (int)(close + 1 - p), p);
		else
			rc = scope_selectors(b, scope, p, (size_t)(open - p));
		if (rc == 0 && *p != '@')
			rc = ocop_buf_addf(b, "%.*s", (int)(close + 1 - open),
					   open);
		p = close + 1;
	}
	*end = p;
	return rc;
}

int
report_html_style(const char *scope, struct ocop_buf *out)
{
	const char *end;

	return scope_rules(out, scope, html_style, &end);
}

/* The text colour of a cell of a verdict's kind: as the consumer page. */
static const char *
tone_of(enum rcol_kind kind, const char *v)
{
	if (kind == RCOL_VERDICT) {
		if (!strcmp(v, "revoked") || !strcmp(v, "expired") ||
		    !strcmp(v, "unknown") || !strcmp(v, "voided"))
			return "v-red";
		if (!strcmp(v, "star_mismatch"))
			return "v-amber";
		if (!strcmp(v, "valid"))
			return "v-green";
	}
	if (kind == RCOL_WINDOW && !strcmp(v, "closed"))
		return "v-amber";
	return NULL;
}

/* A round step for an axis from 0 to max with about n ticks. */
static double
nice_step(double max, int n)
{
	double raw = max / n, mag, f;

	if (raw <= 0)
		return 1;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	if (f <= 1)
		f = 1;
	else if (f <= 2)
		f = 2;
	else if (f <= 5)
		f = 5;
	else
		f = 10;
	return f * mag < 1 ? 1 : f * mag;
}

/* The width of text at 13px DejaVu Sans, erring wide: its widest letters
 * (M, W, Đ) are 11px, its average 7.5px. Labels are sized by it, so no
 * label runs out of the picture. */
static double
text_px(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	double w = 0;

	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0)
			n = 1, c = '?';
		if (utf8proc_charwidth(c) > 0)
			w += c == ' ' || c == '.' || c == ',' || c == 'i' ||
				     c == 'l' || c == '(' || c == ')'
				 ? 4.5
			     : (c >= 'A' && c <= 'Z') || c == 0x110 ||
				     c == 'm' || c == 'w'
				 ? 10.5
				 : 8.0 * utf8proc_charwidth(c);
		p += n;
	}
	return w;
}

/* The label an axis prints, on one or two lines of at most max columns:
 * broken at the last space that fits, the second line cut with "…"
 * when still too long. *l2 is NULL for one line. */
static void
axis_label(const char *s, size_t max, char **l1, char **l2)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	const char *brk = NULL;
	size_t w = 0;

	*l2 = NULL;
	if (report_display_width(s) <= max) {
		*l1 = ocop_xstrdup(s);
		return;
	}
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0)
			n = 1, c = '?';
		w += (size_t)utf8proc_charwidth(c);
		if (w > max)
			break;
		if (c == ' ')
			brk = (const char *)p;
		p += n;
	}
	if (!brk) /* one long word: cut it */
		brk = (const char *)p;
	*l1 = ocop_xmalloc((size_t)(brk - s) + 1);
	memcpy(*l1, s, (size_t)(brk - s));
	(*l1)[brk - s] = '\0';
	while (*brk == ' ')
		brk++;
	*l2 = table_cut(brk, max);
}

static int
svg_text(struct ocop_buf *b, double x, double y, const char *attrs,
	 const char *text)
{
	int rc = ocop_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\"%s%s>", x, y,
			       attrs ? " " : "", attrs ? attrs : "");

	if (rc == 0)
		rc = ocop_buf_add_html(b, text);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</text>");
	return rc;
}

/* The opening of a chart's picture, named for assistive technology: the
 * table under it carries the same numbers as text. */
static int
svg_open(struct ocop_buf *b, const char *id, double w, double h,
	 const char *name)
{
	int rc = ocop_buf_addf(
	    b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-labelledby=\"%s-t\"><title id=\"%s-t\">",
	    w, h, w, h, id, id);

	if (rc == 0)
		rc = ocop_buf_add_html(b, name);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</title>");
	return rc;
}

static double
bar_total(const struct rbar *r)
{
	double t = 0;

	for (size_t k = 0; k < RCHART_SEGS; k++)
		t += r->v[k];
	return t;
}

/* The longest a line of an axis label gets, in columns; a longer label
 * takes two lines, and the whole label is in the bar's tooltip and in
 * the table. */
#define AXIS_LABEL_MAX 40

static int
svg_bars(struct ocop_buf *b, const struct rchart *c, const char *id)
{
	const double top = 6, width_min = 960;
	double row = 26, left = 0, right = 0, width, plot, height, max = 0;
	double step;
	struct ocop_buf name;
	char num[32];
	int rc;

	for (size_t i = 0; i < c->nbars; i++) {
		char *l1, *l2;
		double t = bar_total(&c->bars[i]), wl, wn;

		axis_label(c->bars[i].label, AXIS_LABEL_MAX, &l1, &l2);
		wl = text_px(l1);
		if (l2) {
			row = 40; /* room for two lines */
			if (text_px(l2) > wl)
				wl = text_px(l2);
		}
		snprintf(num, sizeof(num), "%.0f", t);
		wn = text_px(c->bars[i].note ? c->bars[i].note : num);
		if (wl > left)
			left = wl;
		if (wn > right)
			right = wn;
		if (t > max)
			max = t;
		free(l1);
		free(l2);
	}
	left += 14;
	right += 14;
	width = left + right + 420 > width_min ? left + right + 420 : width_min;
	plot = width - left - right;
	height = top + row * (double)c->nbars + 48;
	step = nice_step(max, 5);
	max = step * ceil(max / step);
	if (max <= 0)
		max = 1;

	ocop_buf_init(&name, 0);
	ocop_buf_addf(&name, "%s / %s:", c->title_vi, c->title_en);
	for (size_t i = 0; i < c->nbars; i++) {
		snprintf(num, sizeof(num), "%.0f", bar_total(&c->bars[i]));
		ocop_buf_addf(&name, "%s %s: %s", i ? ";" : "",
			      c->bars[i].label,
			      c->bars[i].note ? c->bars[i].note : num);
	}
	rc = svg_open(b, id, width, height, name.data ? name.data : "");
	ocop_buf_release(&name);
	for (double v = 0; v <= max + step / 2 && rc == 0; v += step) {
		double x = left + plot * v / max;

		snprintf(num, sizeof(num), "%.0f", v);
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/>",
				  x, top, x, height - 42);
		if (rc == 0)
			rc =
			    svg_text(b, x, height - 26,
				     "text-anchor=\"middle\" class=\"t\"", num);
	}
	if (rc == 0 && (c->x_vi[0] || c->x_en[0])) {
		char axis[200];

		snprintf(axis, sizeof(axis), "%s / %s", c->x_vi, c->x_en);
		rc = svg_text(b, left + plot / 2, height - 6,
			      "text-anchor=\"middle\" class=\"t\"", axis);
	}
	for (size_t i = 0; i < c->nbars && rc == 0; i++) {
		const struct rbar *r = &c->bars[i];
		double y = top + row * (double)i, x = left, mid = y + row / 2;
		char *l1, *l2;

		axis_label(r->label, AXIS_LABEL_MAX, &l1, &l2);
		/* the whole label as the row's tooltip */
		rc = ocop_buf_adds(b, "<g><title>");
		if (rc == 0)
			rc = ocop_buf_add_html(b, r->label);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</title>");
		if (rc == 0)
			rc = svg_text(b, left - 8, l2 ? mid - 3 : mid + 4.5,
				      "text-anchor=\"end\"", l1);
		if (rc == 0 && l2)
			rc = svg_text(b, left - 8, mid + 12,
				      "text-anchor=\"end\"", l2);
		free(l1);
		free(l2);
		for (size_t k = 0; k < RCHART_SEGS && rc == 0; k++) {
			double w = plot * r->v[k] / max;

			if (r->v[k] <= 0)
				continue;
			rc = ocop_buf_addf(b,
					   "<rect class=\"bar %s\" x=\"%.1f\" "
					   "y=\"%.1f\" width=\"%.1f\" "
					   "height=\"%.1f\"/>",
					   r->cls[k] ? r->cls[k] : "blue", x,
					   mid - 9, w < 1 ? 1 : w, 18.0);
			x += w;
		}
		snprintf(num, sizeof(num), "%.0f", bar_total(r));
		if (rc == 0)
			rc = svg_text(b, x + 6, mid + 4.5, NULL,
				      r->note ? r->note : num);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</g>");
	}
	if (rc == 0)
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/></svg>",
				  left, top, left, height - 42);
	return rc;
}

/* "MM/YYYY" of a month number (year * 12 + month - 1). */
static char *
month_text(int m, char *buf, size_t size, int brief)
{
	if (brief)
		snprintf(buf, size, "%02d/%02d", m % 12 + 1, m / 12 % 100);
	else
		snprintf(buf, size, "%02d/%04d", m % 12 + 1, m / 12);
	return buf;
}

/* One strip of monthly bars per series, the product named above it in
 * HTML (so a long name wraps instead of being cut), the count printed
 * over every month that has one: few scans far apart still read. */
static int
html_months(struct ocop_buf *b, const struct rchart *c, const char *id)
{
	const double width = 960, left = 44, right = 8, top = 20, bh = 64;
	const double height = top + bh + 24;
	double plot = width - left - right, slot, max = 0;
	size_t every;
	char num[32], mt[16];
	int rc = 0;

	if (c->nmonths == 0)
		return 0;
	slot = plot / (double)c->nmonths;
	every = (size_t)ceil(64.0 / slot);
	if (every < 1)
		every = 1;
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->series[s].n; i++)
			if (c->series[s].v[i] > max)
				max = c->series[s].v[i];
	if (max <= 0)
		max = 1;
	for (size_t s = 0; s < c->nseries && rc == 0; s++) {
		const struct rseries *se = &c->series[s];
		struct ocop_buf name;
		char sid[64];

		snprintf(sid, sizeof(sid), "%s-%zu", id, s);
		rc = ocop_buf_adds(b, "<figure><figcaption>");
		if (rc == 0)
			rc = ocop_buf_add_html(b, se->label);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</figcaption>");
		/* the name read out: the months that have scans */
		ocop_buf_init(&name, 0);
		ocop_buf_addf(&name, "%s / %s: %s.", c->title_vi, c->title_en,
			      se->label);
		for (size_t i = 0; i < se->n && i < c->nmonths; i++)
			if (se->v[i] > 0)
				ocop_buf_addf(
				    &name, " %s: %.0f;",
				    month_text(c->first_month + (int)i, mt,
					       sizeof(mt), 0),
				    se->v[i]);
		if (rc == 0)
			rc = svg_open(b, sid, width, height,
				      name.data ? name.data : "");
		ocop_buf_release(&name);
		if (rc == 0)
			rc = ocop_buf_addf(
			    b,
			    "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
			    "x2=\"%.1f\" y2=\"%.1f\"/>",
			    left, top, width - right, top);
		snprintf(num, sizeof(num), "%.0f", max);
		if (rc == 0)
			rc = svg_text(b, left - 6, top + 4,
				      "text-anchor=\"end\" class=\"t\"", num);
		if (rc == 0)
			rc = svg_text(b, left - 6, top + bh + 4,
				      "text-anchor=\"end\" class=\"t\"", "0");
		for (size_t i = 0; i < c->nmonths && rc == 0; i++) {
			double v = i < se->n ? se->v[i] : 0;
			double x = left + slot * (double)i;
			double h = bh * v / max;
			double bw = slot * 0.7 > 40 ? 40 : slot * 0.7;

			if (v > 0) {
				rc = ocop_buf_addf(
				    b,
				    "<rect class=\"bar %s\" x=\"%.1f\" "
				    "y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>",
				    se->cls ? se->cls : "blue",
				    x + (slot - bw) / 2, top + bh - h, bw,
				    h < 1.5 ? 1.5 : h);
				snprintf(num, sizeof(num), "%.0f", v);
				if (rc == 0)
					rc = svg_text(
					    b, x + slot / 2, top + bh - h - 4,
					    "text-anchor=\"middle\"", num);
			}
			if (rc == 0 && i % every == 0)
				rc = svg_text(
				    b, x + slot / 2, top + bh + 18,
				    "text-anchor=\"middle\" class=\"t\"",
				    month_text(c->first_month + (int)i, mt,
					       sizeof(mt),
					       slot < 64 && every == 1));
		}
		if (rc == 0)
			rc = ocop_buf_addf(
			    b,
			    "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" "
			    "x2=\"%.1f\" y2=\"%.1f\"/></svg></figure>\n",
			    left, top + bh, width - right, top + bh);
	}
	return rc;
}

static int
html_both(struct ocop_buf *b, const char *vi, const char *en)
{
	int rc = ocop_buf_add_html(b, vi);

	if (rc == 0)
		rc = ocop_buf_adds(b, " <span class=\"en\" lang=\"en\">");
	if (rc == 0)
		rc = ocop_buf_add_html(b, en);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</span>");
	return rc;
}

static int
html_chart(struct ocop_buf *b, const struct rchart *c, const char *id)
{
	int rc;

	if (c->kind == RCHART_NONE)
		return 0;
	rc = ocop_buf_addf(b, "<section class=\"chart\" id=\"%s\">\n<h2>", id);
	if (rc == 0)
		rc = html_both(b, c->title_vi, c->title_en);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</h2>\n");
	if (rc == 0 && c->nbars == 0 && c->nseries == 0) {
		rc = ocop_buf_adds(b, "<p class=\"none\">");
		if (rc == 0)
			rc = html_both(b,
				       c->none_vi ? c->none_vi
						  : "Không có số liệu để vẽ "
						    "biểu đồ.",
				       c->none_en ? c->none_en
						  : "No data to chart.");
		if (rc == 0)
			rc = ocop_buf_adds(b, "</p>\n</section>\n");
		return rc;
	}
	if (rc == 0 && c->nlegend > 0) {
		rc = ocop_buf_adds(b, "<ul class=\"legend\">");
		for (size_t i = 0; i < c->nlegend && rc == 0; i++) {
			rc = ocop_buf_addf(b,
					   "<li><span class=\"sw %s\" "
					   "aria-hidden=\"true\"></span>",
					   c->legend_cls[i]);
			if (rc == 0)
				rc = html_both(b, c->legend_vi[i],
					       c->legend_en[i]);
			if (rc == 0)
				rc = ocop_buf_adds(b, "</li>");
		}
		if (rc == 0)
			rc = ocop_buf_adds(b, "</ul>\n");
	}
	if (rc == 0)
		rc = c->kind == RCHART_BARS ? svg_bars(b, c, id)
					    : html_months(b, c, id);
	if (rc == 0 && c->foot_vi[0]) {
		rc = ocop_buf_adds(b, "\n<p>");
		if (rc == 0)
			rc = html_both(b, c->foot_vi, c->foot_en);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</p>");
	}
	if (rc == 0)
		rc = ocop_buf_adds(b, "\n</section>\n");
	return rc;
}

/* A cell: what people read, and the machine value (as in CSV and JSON)
 * in data-value where the two differ, so a script reading the page
 * finds the same value as in the CSV. */
static int
html_cell(struct ocop_buf *b, const struct rtab *t, size_t r, size_t i)
{
	const struct rcol *col = &t->cols[i];
	const char *v = rtab_view(t, r, i), *whole = rtab_get(t, r, i);
	const char *vi, *en, *tone = tone_of(col->kind, whole);
	char buf[64];
	int rc;

	/* codes and dates stay on one line */
	rc = ocop_buf_addf(b, "<td%s%s%s",
			   col->num ? " class=\"n\""
			   : col->kind == RCOL_DAY || col->kind == RCOL_TIME ||
				   (!strchr(v, ' ') && strlen(v) <= 20 &&
				    col->kind == RCOL_TEXT)
			       ? " class=\"k\""
			       : "",
			   tone ? " class=\"" : "", tone ? tone : "");
	if (rc == 0 && tone)
		rc = ocop_buf_adds(b, "\"");
	if (rc == 0 && (col->kind != RCOL_TEXT || v != whole)) {
		rc = ocop_buf_adds(b, " data-value=\"");
		if (rc == 0)
			rc = ocop_buf_add_html(b, whole);
		if (rc == 0)
			rc = ocop_buf_adds(b, "\"");
	}
	if (rc == 0)
		rc = ocop_buf_adds(b, ">");
	if (rc < 0)
		return rc;
	switch (col->kind) {
	case RCOL_TEXT:
		return ocop_buf_add_html(b, v);
	case RCOL_DAY:
	case RCOL_TIME:
		if (!*whole)
			return ocop_buf_adds(b, "—");
		rc = ocop_buf_adds(b, "<time datetime=\"");
		if (rc == 0)
			rc = ocop_buf_add_html(b, whole);
		if (rc == 0)
			rc = ocop_buf_adds(b, "\">");
		if (rc == 0)
			rc = ocop_buf_add_html(
			    b, rpeople(col->kind, whole, buf, sizeof(buf)));
		if (rc == 0)
			rc = ocop_buf_adds(b, "</time>");
		return rc;
	case RCOL_PLACE:
		if (*whole)
			return ocop_buf_add_html(b, whole);
		return html_both(b, rno_place_vi, rno_place_en);
	case RCOL_SERIAL:
		return ocop_buf_add_html(
		    b, rpeople(col->kind, whole, buf, sizeof(buf)));
	default:
		if (rwords(col->kind, whole, &vi, &en) < 0)
			return ocop_buf_add_html(b, whole);
		rc = ocop_buf_add_html(b, vi);
		if (rc == 0)
			rc = ocop_buf_adds(b, " <span class=\"en\" "
					      "lang=\"en\">(");
		if (rc == 0)
			rc = ocop_buf_add_html(b, en);
		if (rc == 0)
			rc = ocop_buf_adds(b, ")</span>");
		return rc;
	}
}

static int
render_html(const struct rdoc *d, struct ocop_buf *b, int whole)
{
	const struct rtab *t = &d->tab;
	char day[16], local[16];
	int rc;

	ocop_day_format(d->as_of, day);
	report_local_day(d->as_of, local);
	if (!whole)
		rc = ocop_buf_adds(b, "<div class=\"report\">\n<header>\n"
				      "<h2 class=\"title\">");
	else
		rc = ocop_buf_adds(
		    b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
		       "<meta charset=\"utf-8\">\n<meta "
		       "name=\"viewport\" content=\"width=device-"
		       "width, initial-scale=1\">\n<title>");
	if (rc == 0 && whole)
		rc = ocop_buf_add_html(b, d->title_vi);
	if (rc == 0 && whole)
		rc = ocop_buf_adds(b, " / ");
	if (rc == 0 && whole)
		rc = ocop_buf_add_html(b, d->title_en);
	if (rc == 0 && whole)
		rc = ocop_buf_addf(b,
				   " (%s)</title>\n<style>%s</style>\n"
				   "</head>\n<body>\n<header>\n<h1>",
				   local, html_style);
	if (rc == 0)
		rc = html_both(b, d->title_vi, d->title_en);
	if (rc == 0)
		rc = ocop_buf_adds(b, whole ? "</h1>\n<p class=\"about\">"
					    : "</h2>\n<p class=\"about\">");
	if (rc == 0)
		rc = ocop_buf_add_html(b, d->about_vi);
	if (rc == 0)
		rc = ocop_buf_adds(b, "<br><span class=\"en\" lang=\"en\">");
	if (rc == 0)
		rc = ocop_buf_add_html(b, d->about_en);
	if (rc == 0)
		rc = ocop_buf_addf(b,
				   "</span></p>\n<div class=\"params\">"
				   "<div><b>Tính đến ngày</b> <span "
				   "class=\"en\" lang=\"en\">As of</span>: "
				   "<time datetime=\"%s\">%s</time></div>",
				   day, local);
	for (size_t i = 0; i < d->nparams && rc == 0; i++) {
		rc = ocop_buf_adds(b, "<div><b>");
		if (rc == 0)
			rc = ocop_buf_add_html(b, d->param_vi[i]);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</b> <span class=\"en\" "
					      "lang=\"en\">");
		if (rc == 0)
			rc = ocop_buf_add_html(b, d->param_en[i]);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</span>: ");
		if (rc == 0)
			rc = ocop_buf_add_html(b, d->param_vals[i]);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</div>");
	}
	if (rc == 0)
		rc = ocop_buf_adds(b, "<div>Giờ Việt Nam (UTC+7) <span "
				      "class=\"en\" lang=\"en\">Vietnam time"
				      "</span></div></div>\n</header>\n"
				      "<main>\n");
	if (rc == 0)
		rc = html_chart(b, &d->chart, "chart");
	if (rc == 0)
		rc = html_chart(b, &d->where, "where");

	if (rc == 0)
		rc = ocop_buf_adds(b, "<h2 id=\"entries\">Danh sách <span "
				      "class=\"en\" lang=\"en\">Entries</span>"
				      "</h2>\n");
	if (rc == 0 && t->nrows == 0)
		rc = ocop_buf_adds(b, "<p class=\"none\">Không có mục nào. "
				      "<span lang=\"en\">No entries."
				      "</span></p>\n");
	if (rc == 0 && t->nrows > 0) {
		rc = ocop_buf_adds(b, "<table aria-labelledby=\"entries\">\n"
				      "<thead><tr>");
		for (size_t i = 0; i < t->ncols && rc == 0; i++) {
			rc = ocop_buf_addf(b,
					   "<th scope=\"col\" data-key=\"%s\">",
					   t->cols[i].key);
			if (rc == 0)
				rc = html_both(b, t->cols[i].vi, t->cols[i].en);
			if (rc == 0)
				rc = ocop_buf_adds(b, "</th>");
		}
		if (rc == 0)
			rc = ocop_buf_adds(b, "</tr></thead>\n<tbody>\n");
		for (size_t r = 0; r < t->nrows && rc == 0; r++) {
			rc = ocop_buf_adds(b, "<tr>");
			for (size_t i = 0; i < t->ncols && rc == 0; i++) {
				rc = html_cell(b, t, r, i);
				if (rc == 0)
					rc = ocop_buf_adds(b, "</td>");
			}
			if (rc == 0)
				rc = ocop_buf_adds(b, "</tr>\n");
		}
		if (rc == 0)
			rc = ocop_buf_adds(b, "</tbody>\n</table>\n");
	}
	if (rc == 0)
		rc = ocop_buf_addf(b,
				   "</main>\n<p class=\"foot\">%zu mục <span "
				   "lang=\"en\">entries</span> · ocop report "
				   "%s</p>\n%s",
				   t->nrows, d->name,
				   whole ? "</body>\n</html>\n" : "</div>\n");
	return rc;
}

int
rdoc_render(const struct rdoc *d, enum report_format fmt, struct ocop_buf *out,
	    struct ocop_error *err)
{
	int rc;

	switch (fmt) {
	case REPORT_JSON:
		return render_json(d, out, err);
	case REPORT_CSV:
		rc = render_csv(d, out);
		break;
	case REPORT_HTML:
	case REPORT_HTML_PART:
		rc = render_html(d, out, fmt == REPORT_HTML);
		break;
	default:
		rc = render_table(d, out);
		break;
	}
	if (rc < 0)
		return ocop_error_set(err, rc, "report %s: output too large",
				      d->name);
	return 0;
}
