/*
 * report_out.c - the shapes every report shares (table of strings, chart,
 * counting map) and the four renderings: JSON, CSV, an aligned table for
 * terminals, and a self-contained HTML page with an inline SVG chart.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	va_list ap, aq;
	int n;

	if (t->nrows == 0 || col >= t->ncols)
		return;
	cell = &t->cells[(t->nrows - 1) * t->ncols + col];
	free(*cell);
	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*cell = ocop_xmalloc((size_t)(n > 0 ? n : 0) + 1);
	vsnprintf(*cell, (size_t)(n > 0 ? n : 0) + 1, fmt, aq);
	va_end(aq);
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
	for (size_t i = 0; i < c->nbars; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->values);
	free(c->classes);
	for (size_t i = 0; i < c->nseries; i++) {
		free(c->series[i].label);
		free(c->series[i].v);
	}
	free(c->series);
	memset(c, 0, sizeof(*c));
}

void
rchart_add_bar(struct rchart *c, const char *label, double v, const char *cls)
{
	size_t n = c->nbars + 1;

	c->labels = ocop_xrealloc(c->labels, n * sizeof(*c->labels));
	c->values = ocop_xrealloc(c->values, n * sizeof(*c->values));
	c->classes = ocop_xrealloc(c->classes, n * sizeof(*c->classes));
	c->labels[c->nbars] = ocop_xstrdup(label);
	c->values[c->nbars] = v;
	c->classes[c->nbars] = cls;
	c->nbars = n;
}

void
rchart_add_series(struct rchart *c, const char *label, const double *v,
		  size_t n)
{
	struct rseries *s;

	c->series =
	    ocop_xrealloc(c->series, (c->nseries + 1) * sizeof(*c->series));
	s = &c->series[c->nseries++];
	s->label = ocop_xstrdup(label);
	s->v = ocop_xmalloc((n ? n : 1) * sizeof(double));
	if (n)
		memcpy(s->v, v, n * sizeof(double));
	s->n = n;
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
rcount_text(const struct rcount *m, size_t max)
{
	struct ocop_buf b;
	size_t n = max && max < m->n ? max : m->n;

	ocop_buf_init(&b, 0);
	for (size_t i = 0; i < n; i++)
		ocop_buf_addf(&b, "%s%s (%lld)", i ? "; " : "",
			      *m->keys[i] ? m->keys[i] : "?",
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
	char *s = rcount_text(m, 0);

	rtab_set(t, col, "%s", s);
	free(s);
	if (m->n > BRIEF)
		rtab_set_brief(t, col, rcount_text(m, BRIEF));
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
}

void
rdoc_release(struct rdoc *d)
{
	json_decref(d->entries);
	rtab_release(&d->tab);
	rchart_release(&d->chart);
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
	int rc = 0;

	for (size_t c = 0; c < t->ncols && rc == 0; c++) {
		if (c && (rc = ocop_buf_adds(out, ",")) < 0)
			break;
		rc = csv_cell(out, t->cols[c].key, 1);
	}
	if (rc == 0)
		rc = ocop_buf_adds(out, "\r\n");
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		for (size_t c = 0; c < t->ncols && rc == 0; c++) {
			if (c && (rc = ocop_buf_adds(out, ",")) < 0)
				break;
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
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (*p) {
		uint32_t c = *p;
		size_t n = 1;

		if (c >= 0xc0 && c < 0xe0 && (p[1] & 0xc0) == 0x80) {
			c = (c & 0x1f) << 6 | (p[1] & 0x3f);
			n = 2;
		} else if (c >= 0xe0 && c < 0xf0 && (p[1] & 0xc0) == 0x80 &&
			   (p[2] & 0xc0) == 0x80) {
			n = 3;
			c = 0x800; /* no combining marks up here */
		} else if (c >= 0xf0 && c < 0xf8 && (p[1] & 0xc0) == 0x80 &&
			   (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
			n = 4;
		}
		/* combining diacritical marks: the decomposed Vietnamese
		 * tones (U+0300 grave, U+0301 acute, U+0303 tilde, U+0309
		 * hook, U+0323 dot below) sit on the letter before them */
		if (!(c >= 0x300 && c <= 0x36f))
			w++;
		p += n;
	}
	return w;
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
	   const char *const *cells)
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
	const char **cells = ocop_xcalloc(t->ncols, sizeof(char *));
	char day[16];
	int rc;

	for (size_t c = 0; c < t->ncols; c++) {
		size_t a = report_display_width(t->cols[c].vi);
		size_t b = report_display_width(t->cols[c].en);

		w[c] = a > b ? a : b;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t x = report_display_width(rtab_view(t, r, c));

			if (x > w[c])
				w[c] = x;
		}
	}
	rc = ocop_buf_addf(out, "%s / %s\n", d->title_vi, d->title_en);
	if (rc == 0)
		rc = ocop_buf_addf(out, "Tính đến ngày / As of: %s",
				   ocop_day_format(d->as_of, day));
	for (size_t i = 0; i < d->nparams && rc == 0; i++)
		rc = ocop_buf_addf(out, "; %s / %s: %s", d->param_vi[i],
				   d->param_en[i], d->param_vals[i]);
	if (rc == 0)
		rc = ocop_buf_adds(out, "\n\n");
	for (size_t c = 0; c < t->ncols; c++)
		cells[c] = t->cols[c].vi;
	if (rc == 0)
		rc = table_line(out, t, w, cells);
	for (size_t c = 0; c < t->ncols; c++)
		cells[c] = t->cols[c].en;
	if (rc == 0)
		rc = table_line(out, t, w, cells);
	for (size_t r = 0; r < t->nrows && rc == 0; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			cells[c] = rtab_view(t, r, c);
		rc = table_line(out, t, w, cells);
	}
	if (rc == 0)
		rc = ocop_buf_addf(out, "\n%zu mục / entries\n", t->nrows);
	free(w);
	free(cells);
	return rc;
}

/* ---- HTML ------------------------------------------------------------ */

static const char html_style[] =
    "body{font-family:\"DejaVu Sans\",\"Noto Sans\",Arial,sans-serif;"
    "margin:1.5em;color:#1a1a1a;line-height:1.35}"
    "h1{font-size:1.45em;margin:0 0 .2em}"
    "h1 .en,h2 .en{display:block;font-size:.68em;font-weight:normal;"
    "color:#555}"
    "h2{font-size:1.1em;margin:1.2em 0 .4em}"
    ".about{margin:.3em 0 .8em;color:#333}.about .en{color:#666}"
    ".params{display:flex;flex-wrap:wrap;gap:.4em 1.6em;margin:.6em 0;"
    "padding:.5em .8em;background:#f3f5f7;border-left:4px solid #2a6f97}"
    ".params div{white-space:nowrap}.params b{font-weight:600}"
    ".params .en{color:#666}"
    "table{border-collapse:collapse;width:100%;font-size:.85em}"
    "th,td{border:1px solid #c4c4c4;padding:.25em .45em;"
    "vertical-align:top;text-align:left}"
    "th{background:#e9eef2}th .en{display:block;font-weight:normal;"
    "color:#555;font-size:.9em}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}td.k{white-space:nowrap}"
    "tbody tr:nth-child(even) td{background:#fafafa}"
    ".chart svg{width:100%;max-width:60em;height:auto;display:block}"
    ".chart text{font-family:inherit;font-size:11px;fill:#333}"
    ".chart .axis{stroke:#888;stroke-width:1}"
    ".chart .grid{stroke:#ddd;stroke-width:1}"
    ".chart .bar{fill:#2a6f97}.chart .bar.closed,.chart .bar.revoked"
    "{fill:#b3261e}.chart .bar.open,.chart .bar.expired{fill:#d98c00}"
    ".chart .bar.not_open,.chart .bar.star_mismatch{fill:#6a4c93}"
    ".none{padding:1em;background:#f3f5f7}"
    ".foot{margin-top:1em;font-size:.8em;color:#666}"
    "@media print{body{margin:0;font-size:9.5pt}"
    "@page{size:A4 landscape;margin:12mm}"
    ".params{background:none;border:1px solid #999}"
    "thead{display:table-header-group}.chart{break-inside:avoid}"
    "th{background:#eee!important}"
    "tbody tr:nth-child(even) td{background:none}"
    ".chart svg{max-width:100%;max-height:115mm;width:auto}}";

static const char *const palette[] = {
    "#2a6f97", "#b3261e", "#d98c00", "#2e7d32",
    "#6a4c93", "#00838f", "#8d6e63", "#c2185b",
};

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

static int
svg_text(struct ocop_buf *b, double x, double y, const char *anchor,
	 const char *text)
{
	int rc = ocop_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s>", x, y,
			       anchor ? " text-anchor=\"" : "",
			       anchor ? anchor : "", anchor ? "\"" : "");

	if (rc == 0)
		rc = ocop_buf_add_html(b, text);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</text>");
	return rc;
}

static int
svg_bars(struct ocop_buf *b, const struct rchart *c)
{
	const double left = 190, right = 60, top = 10, row = 22;
	const double width = 800, plot = width - left - right;
	double height = top + row * (double)c->nbars + 30, max = 0, step;
	char num[32];
	int rc;

	for (size_t i = 0; i < c->nbars; i++)
		if (c->values[i] > max)
			max = c->values[i];
	step = nice_step(max, 5);
	max = step * ceil(max / step);
	if (max <= 0)
		max = 1;
	rc = ocop_buf_addf(b,
			   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			   "viewBox=\"0 0 %.0f %.0f\" role=\"img\">",
			   width, height);
	for (double v = 0; v <= max + step / 2 && rc == 0; v += step) {
		double x = left + plot * v / max;

		snprintf(num, sizeof(num), "%.0f", v);
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/>",
				  x, top, x, height - 25);
		if (rc == 0)
			rc = svg_text(b, x, height - 10, "middle", num);
	}
	for (size_t i = 0; i < c->nbars && rc == 0; i++) {
		double y = top + row * (double)i;
		double w = plot * c->values[i] / max;
		char label[64];
		size_t n;

		/* cut long labels on a character boundary */
		ocop_strlcpy(label, c->labels[i], sizeof(label));
		n = strlen(label);
		if (n == sizeof(label) - 1) {
			while (n > 0 &&
			       ((unsigned char)label[n - 1] & 0xc0) == 0x80)
				n--;
			if (n > 0)
				n--;
			label[n] = '\0';
		}
		rc = svg_text(b, left - 6, y + row * 0.65, "end", label);
		if (rc == 0)
			rc = ocop_buf_addf(b,
					   "<rect class=\"bar%s%s\" x=\"%.1f\" "
					   "y=\"%.1f\" width=\"%.1f\" "
					   "height=\"%.1f\"/>",
					   c->classes[i] ? " " : "",
					   c->classes[i] ? c->classes[i] : "",
					   left, y + 3, w, row - 6);
		snprintf(num, sizeof(num), "%.0f", c->values[i]);
		if (rc == 0)
			rc = svg_text(b, left + w + 4, y + row * 0.65, NULL,
				      num);
	}
	if (rc == 0)
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/></svg>",
				  left, top, left, height - 25);
	return rc;
}

static int
svg_lines(struct ocop_buf *b, const struct rchart *c)
{
	const double left = 50, right = 20, top = 10, bottom = 40;
	const double width = 800, height = 300;
	const double pw = width - left - right, ph = height - top - bottom;
	double ymax = 0, ystep, xstep;
	size_t npts = 0;
	char num[32];
	int rc;

	for (size_t s = 0; s < c->nseries; s++) {
		if (c->series[s].n > npts)
			npts = c->series[s].n;
		for (size_t i = 0; i < c->series[s].n; i++)
			if (c->series[s].v[i] > ymax)
				ymax = c->series[s].v[i];
	}
	if (npts < 2)
		npts = 2;
	ystep = nice_step(ymax, 5);
	ymax = ystep * ceil(ymax / ystep);
	if (ymax <= 0)
		ymax = 1;
	xstep = nice_step((double)(npts - 1), 10);
	rc = ocop_buf_addf(b,
			   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			   "viewBox=\"0 0 %.0f %.0f\" role=\"img\">",
			   width, height + 22.0 * (double)c->nseries);
	for (double v = 0; v <= ymax + ystep / 2 && rc == 0; v += ystep) {
		double y = top + ph - ph * v / ymax;

		snprintf(num, sizeof(num), "%.0f", v);
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/>",
				  left, y, left + pw, y);
		if (rc == 0)
			rc = svg_text(b, left - 6, y + 4, "end", num);
	}
	for (double x = 0; x <= (double)(npts - 1) && rc == 0; x += xstep) {
		snprintf(num, sizeof(num), "%.0f", x);
		rc = svg_text(b, left + pw * x / (double)(npts - 1),
			      top + ph + 16, "middle", num);
	}
	if (rc == 0)
		rc =
		    ocop_buf_addf(b,
				  "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\""
				  " x2=\"%.1f\" y2=\"%.1f\"/>",
				  left, top + ph, left + pw, top + ph);
	if (rc == 0) {
		char axis[200];

		snprintf(axis, sizeof(axis), "%s / %s", c->x_vi, c->x_en);
		rc = svg_text(b, left + pw / 2, top + ph + 34, "middle", axis);
	}
	for (size_t s = 0; s < c->nseries && rc == 0; s++) {
		const struct rseries *se = &c->series[s];
		const char *color =
		    palette[s % (sizeof(palette) / sizeof(palette[0]))];
		double ly = height + 22.0 * (double)s + 4;

		rc = ocop_buf_addf(b,
				   "<polyline fill=\"none\" stroke=\"%s\" "
				   "stroke-width=\"2\" points=\"",
				   color);
		for (size_t i = 0; i < se->n && rc == 0; i++)
			rc = ocop_buf_addf(b, "%s%.1f,%.1f", i ? " " : "",
					   left + pw * (double)i /
						      (double)(npts - 1),
					   top + ph - ph * se->v[i] / ymax);
		if (rc == 0)
			rc = ocop_buf_addf(b,
					   "\"/><rect x=\"%.1f\" y=\"%.1f\" "
					   "width=\"14\" height=\"10\" "
					   "fill=\"%s\"/>",
					   left, ly, color);
		if (rc == 0)
			rc = svg_text(b, left + 20, ly + 9, NULL, se->label);
	}
	if (rc == 0)
		rc = ocop_buf_adds(b, "</svg>");
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
render_html(const struct rdoc *d, struct ocop_buf *b)
{
	const struct rtab *t = &d->tab;
	const struct rchart *c = &d->chart;
	char day[16];
	int rc;

	ocop_day_format(d->as_of, day);
	rc =
	    ocop_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
			     "<meta charset=\"utf-8\">\n<meta name=\"viewport\""
			     " content=\"width=device-width, "
			     "initial-scale=1\">\n<title>");
	if (rc == 0)
		rc = ocop_buf_add_html(b, d->title_vi);
	if (rc == 0)
		rc = ocop_buf_adds(b, " / ");
	if (rc == 0)
		rc = ocop_buf_add_html(b, d->title_en);
	if (rc == 0)
		rc = ocop_buf_addf(b,
				   " (%s)</title>\n<style>%s</style>\n"
				   "</head>\n<body>\n<header>\n<h1>",
				   day, html_style);
	if (rc == 0)
		rc = html_both(b, d->title_vi, d->title_en);
	if (rc == 0)
		rc = ocop_buf_adds(b, "</h1>\n<p class=\"about\">");
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
				   day, day);
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
		rc = ocop_buf_adds(b, "</div>\n</header>\n");

	if (rc == 0 && c->kind != RCHART_NONE &&
	    (c->nbars > 0 || c->nseries > 0)) {
		rc = ocop_buf_adds(b, "<section class=\"chart\">\n<h2>");
		if (rc == 0)
			rc = html_both(b, c->title_vi, c->title_en);
		if (rc == 0)
			rc = ocop_buf_adds(b, "</h2>\n");
		if (rc == 0)
			rc = c->kind == RCHART_BARS ? svg_bars(b, c)
						    : svg_lines(b, c);
		if (rc == 0)
			rc = ocop_buf_adds(b, "\n</section>\n");
	}

	if (rc == 0)
		rc = ocop_buf_adds(b, "<h2>Danh sách <span class=\"en\" "
				      "lang=\"en\">Entries</span></h2>\n");
	if (rc == 0 && t->nrows == 0)
		rc = ocop_buf_adds(b, "<p class=\"none\">Không có mục nào. "
				      "<span lang=\"en\">No entries."
				      "</span></p>\n");
	if (rc == 0 && t->nrows > 0) {
		rc = ocop_buf_adds(b, "<table>\n<thead><tr>");
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
				const char *v = rtab_view(t, r, i);

				/* codes and dates stay on one line */
				rc = ocop_buf_adds(
				    b, t->cols[i].num ? "<td class=\"n\">"
				       : !strchr(v, ' ') && strlen(v) <= 20
					   ? "<td class=\"k\">"
					   : "<td>");
				if (rc == 0)
					rc = ocop_buf_add_html(b, v);
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
		rc =
		    ocop_buf_addf(b,
				  "<p class=\"foot\">%zu mục <span lang=\"en\">"
				  "entries</span> · ocop report %s</p>\n"
				  "</body>\n</html>\n",
				  t->nrows, d->name);
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
		rc = render_html(d, out);
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
