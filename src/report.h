/*
 * report.h - the inspector reports of SPEC 7: circulation, lapsed,
 * expiring, clones, unknown.
 *
 * A report is computed from the store as it stands when it runs: every
 * verdict is recomputed with the validity engine (ocop_judge) from the
 * registry of today, so a revocation entered late but dated earlier counts
 * against the scans since its date. The same report renders as a table
 * (aligned by display width), CSV (with a header row), JSON
 * ({"as_of":"...","entries":[...]}) or a self-contained HTML page.
 *
 * Used by `ocop report` (cmd_report.c) and GET /api/v1/reports/{name}.
 */
#ifndef OCOP_REPORT_H
#define OCOP_REPORT_H

#include "ocop.h"
#include "store/store.h"

enum report_format {
	REPORT_TABLE = 0,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_HTML,
	/* the HTML report's content alone, for a page that holds it: a
	 * <div class="report"> without document, head nor style (see
	 * report_html_style); not one of report_format_parse's names */
	REPORT_HTML_PART,
};

struct report_opts {
	int32_t as_of;	 /* default: today (ocop_today) */
	int32_t since;	 /* circulation: scans from this day; OCOP_NO_DAY */
	int within;	 /* expiring: days_left <= within; default 180 */
	int min_places;	 /* clones: distinct places; default 3 */
	int window_days; /* clones: within this many days; default 7 */
	/* The path of the database, so a report may open more read
	 * connections and split its work over threads. NULL: one
	 * thread on the handle given. Not owned. */
	const char *db_path;
	/* 0: automatic when db_path is set: 2, or 4 on a networked
	 * engine, whose threads mostly wait for its server */
	int threads;
	/* circulation: read every scan, not only those on days when some
	 * label of the product may not be valid (to check that shortcut) */
	int full_scan;
};

/* Defaults as above; as_of = ocop_today(). */
void report_opts_init(struct report_opts *o);
/*
 * Set one option by name, as given on the command line or in a query
 * string: "as_of" (or "as-of"), "since", "within", "min_places" (or
 * "min-places"), "window_days" (or "window-days"). Values are checked
 * (dates YYYY-MM-DD, numbers in range). OCOP_EINVAL with a message naming
 * the option for a bad value; OCOP_ENOENT for an unknown name (the caller
 * decides whether to ignore it).
 */
int report_opts_set(struct report_opts *o, const char *name, const char *value,
		    struct ocop_error *err);

/* "table", "csv", "json", "html"; OCOP_EINVAL otherwise. */
int report_format_parse(const char *s, enum report_format *fmt,
			struct ocop_error *err);
/* The MIME type of a format, with charset: "text/csv; charset=utf-8"... */
const char *report_content_type(enum report_format fmt);

/* 1 when name is one of the reports. */
int report_exists(const char *name);
/* The report names, NULL-terminated, in the order of the help text. */
extern const char *const report_names[];

/*
 * Compute report name as of o->as_of and append it to out in fmt.
 * OCOP_ENOENT for an unknown report name (HTTP 404), OCOP_EINVAL for bad
 * options, OCOP_ETOOBIG when out's cap is reached, store errors otherwise.
 * On failure out may hold a partial rendering: discard it.
 */
int report_render(struct ocop_store *st, const char *name,
		  const struct report_opts *o, enum report_format fmt,
		  struct ocop_buf *out, struct ocop_error *err);

/*
 * The HTML report's style with every rule scoped to the elements under
 * selector scope (its "body" rules on scope itself), for a page that
 * shows REPORT_HTML_PART inside an element scope matches. Appended to
 * out; OCOP_ETOOBIG when out's cap is reached.
 */
int report_html_style(const char *scope, struct ocop_buf *out);

/* The display width of UTF-8 text on a terminal (utf8proc's character
 * widths: combining marks none, wide East Asian characters two). */
size_t report_display_width(const char *s);

/* What people read in the table and HTML reports: a day as Vietnam
 * writes it, "02/12/2026" (buf of at least 11 bytes), and an instant as
 * Vietnam local time, "02/12/2026 15:04" (UTC+7 whatever the machine's
 * time zone; buf of at least 17 bytes). "" for OCOP_NO_DAY/OCOP_NO_TIME.
 * Return buf. */
char *report_local_day(int32_t day, char *buf);
char *report_local_time(int64_t t, char *buf);

#endif
