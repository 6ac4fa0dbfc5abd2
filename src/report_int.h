/*
 * report_int.h - what the report_*.c files share; nothing outside them
 * includes it.
 *
 * A report computes its entries once and describes them three ways: a
 * JSON array (the "entries" of the JSON output), a table of strings (what
 * the table, CSV and HTML outputs print) and a chart (HTML only). The
 * renderer (report_out.c) turns those into the requested format.
 */
#ifndef OCOP_REPORT_INT_H
#define OCOP_REPORT_INT_H

#include <jansson.h>

#include "report.h"

/* What a column's cells hold: the machine value that CSV prints, which
 * the table and HTML turn into what people read (words, Vietnam local
 * dates and times). */
enum rcol_kind {
	RCOL_TEXT = 0, /* as is */
	RCOL_DAY,      /* YYYY-MM-DD -> 02/12/2026 */
	RCOL_TIME,     /* RFC 3339 -> 02/12/2026 15:04, Vietnam time */
	RCOL_VERDICT,  /* revoked -> bị thu hồi (revoked) */
	RCOL_WINDOW,   /* re-evaluation window: not_open, open, closed */
	RCOL_GROUND,   /* revocation ground: a..e, dd, lapsed */
	RCOL_REASON,   /* not_found, mistyped... */
	RCOL_ENDS_BY,  /* expiry, revocation, renewal */
	RCOL_BOOL,     /* true, false */
	RCOL_PLACE,    /* a place; "" is a scan that gave none */
	RCOL_SERIAL,   /* a serial -> XXXX-XXXX-XXXX-XXXX, as printed */
};

/* A column: its JSON/CSV key, Vietnamese and English headings, whether
 * it holds numbers (right-aligned), what its cells hold, and whether
 * only people read it (table and HTML; CSV keeps the columns scripts
 * already read). */
struct rcol {
	const char *key;
	const char *vi;
	const char *en;
	int num;
	enum rcol_kind kind;
	int people;
};

/*
 * The words for a machine name of a kind (RCOL_VERDICT "revoked": "bị
 * thu hồi", "revoked"): 0, or -1 when name is not one of the kind's (vi
 * and en then point at name). Static strings.
 */
int rwords(enum rcol_kind kind, const char *name, const char **vi,
	   const char **en);
/*
 * What people read for a cell value of a kind, into buf: "vi (en)" for
 * the named kinds, local day and time for RCOL_DAY and RCOL_TIME, the
 * words for "no place" for an empty RCOL_PLACE, a serial grouped as the
 * label prints it for RCOL_SERIAL; the value itself
 * otherwise (and for anything it does not recognise). Returns buf.
 */
char *rpeople(enum rcol_kind kind, const char *value, char *buf, size_t size);
/* The words for a scan without a place, Vietnamese and English. */
extern const char rno_place_vi[], rno_place_en[];

/* Rows of strings, row-major; cells NULL print as "". A cell may have a
 * brief form (a long list cut short) that the table and HTML print; CSV
 * always has the whole value. */
struct rtab {
	const struct rcol *cols;
	size_t ncols;
	char **cells;
	char **brief;
	size_t nrows;
	size_t cap; /* in rows */
};

void rtab_init(struct rtab *t, const struct rcol *cols, size_t ncols);
void rtab_release(struct rtab *t);
/* Start a new row of empty cells. */
void rtab_row(struct rtab *t);
/* Set a cell of the last row. */
void rtab_set(struct rtab *t, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set the brief form of a cell of the last row (takes s; NULL: none). */
void rtab_set_brief(struct rtab *t, size_t col, char *s);
/* The whole value, and what people read (the brief form if any). */
const char *rtab_get(const struct rtab *t, size_t row, size_t col);
const char *rtab_view(const struct rtab *t, size_t row, size_t col);

enum rchart_kind {
	RCHART_NONE = 0,
	RCHART_BARS,   /* one horizontal bar per item, of 1..3 segments */
	RCHART_MONTHS, /* one strip of monthly bars per series */
};

#define RCHART_SEGS 3

/* A bar: the item's label (cut short on the axis, whole in its tooltip),
 * the segments' values and CSS classes (the colours of the consumer
 * page: "revoked", "expired" red, "star_mismatch" amber, "valid" green;
 * window states "not_open", "open", "closed"), and an optional note
 * printed after the bar instead of the total. */
struct rbar {
	char *label;
	char *note;
	double v[RCHART_SEGS];
	const char *cls[RCHART_SEGS];
};

/* A series of monthly counts, months first_month.. of the chart. */
struct rseries {
	char *label;
	const char *cls;
	double *v;
	size_t n;
};

struct rchart {
	enum rchart_kind kind;
	char title_vi[160];
	char title_en[160];
	char x_vi[80]; /* the value axis' title */
	char x_en[80];
	/* the legend: a colour (CSS class) and what it means */
	const char *legend_cls[4];
	const char *legend_vi[4];
	const char *legend_en[4];
	size_t nlegend;
	/* what to say when there is nothing to draw (default: no data) */
	const char *none_vi;
	const char *none_en;
	/* a line under the chart (the places left out...), "" for none */
	char foot_vi[160];
	char foot_en[160];
	/* bars */
	struct rbar *bars;
	size_t nbars;
	/* months: year * 12 + month - 1 of the first; nmonths of them */
	int first_month;
	size_t nmonths;
	struct rseries *series;
	size_t nseries;
};

void rchart_init(struct rchart *c, enum rchart_kind kind);
void rchart_release(struct rchart *c);
/* A bar of one segment. */
void rchart_add_bar(struct rchart *c, const char *label, double v,
		    const char *cls);
/* A bar of n (<= RCHART_SEGS) segments. */
void rchart_add_stack(struct rchart *c, const char *label, const double *v,
		      const char *const *cls, size_t n);
/* The note of the last bar. */
void rchart_note(struct rchart *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rchart_legend(struct rchart *c, const char *cls, const char *vi,
		   const char *en);
/* Adds a series of n monthly points (copied). */
void rchart_add_series(struct rchart *c, const char *label, const char *cls,
		       const double *v, size_t n);
/* year * 12 + month - 1 of a day, for first_month */
int rmonth_of(int32_t day);

/* What a report hands to the renderer. */
struct rdoc {
	const char *name;     /* "circulation" */
	const char *title_vi; /* headings */
	const char *title_en;
	const char *about_vi; /* one sentence under the heading */
	const char *about_en;
	int32_t as_of;
	/* parameters printed at the top: "key" -> value text */
	const char *param_keys[8];
	char param_vals[8][32];
	const char *param_vi[8];
	const char *param_en[8];
	size_t nparams;
	json_t *entries; /* owned */
	struct rtab tab;
	struct rchart chart;
	/* where the goods were seen (bars by place); RCHART_NONE if not */
	struct rchart where;
};

void rdoc_init(struct rdoc *d, const char *name, const struct rcol *cols,
	       size_t ncols, enum rchart_kind kind, int32_t as_of);
void rdoc_release(struct rdoc *d);
void rdoc_param(struct rdoc *d, const char *key, const char *vi, const char *en,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int rdoc_render(const struct rdoc *d, enum report_format fmt,
		struct ocop_buf *out, struct ocop_error *err);

/* The reports (report_*.c). Each fills d (initialised by it). */
int report_circulation(struct ocop_store *st, const struct report_opts *o,
		       struct rdoc *d, struct ocop_error *err);
int report_lapsed(struct ocop_store *st, const struct report_opts *o,
		  struct rdoc *d, struct ocop_error *err);
int report_expiring(struct ocop_store *st, const struct report_opts *o,
		    struct rdoc *d, struct ocop_error *err);
int report_clones(struct ocop_store *st, const struct report_opts *o,
		  struct rdoc *d, struct ocop_error *err);
int report_unknown(struct ocop_store *st, const struct report_opts *o,
		   struct rdoc *d, struct ocop_error *err);

/* Helpers shared by the reports. */
/* JSON string of a day / an instant; null for none. */
json_t *rjson_day(int32_t day);
json_t *rjson_time(int64_t t);
/* Every product id, ordered by code. *ids is allocated. */
int rproducts(struct ocop_store *st, int64_t **ids, size_t *n,
	      struct ocop_error *err);
/* The first instant of the day after as_of: scans "up to as_of" are
 * before it. */
int64_t rend_of(int32_t as_of);

/* A map from strings to counts, keeping first-insertion order. */
struct rcount {
	char **keys;
	int64_t *counts;
	size_t n;
	size_t cap;
	size_t *slots; /* open addressing over indexes + 1 */
	size_t nslots;
};
void rcount_init(struct rcount *m);
void rcount_release(struct rcount *m);
void rcount_add(struct rcount *m, const char *key, int64_t n);
/* Sort by count descending, then key; breaks the hash (read-only after). */
void rcount_sort(struct rcount *m);
/* {"key": n, ...} in the current order. */
json_t *rcount_json(const struct rcount *m);
/* "key (n); key (n)" in the current order, into a fresh string; with
 * max > 0 only the first max keys and "… +N" for the rest. An empty key
 * prints as "?" or, with people set, as the words for "no place". */
char *rcount_text(const struct rcount *m, size_t max, int people);
/* Set cell col of the last row from m: whole (for CSV), and the brief
 * form people read (the busiest places, "no place" in words). */
void rtab_set_counts(struct rtab *t, size_t col, const struct rcount *m);

#endif
