/*
 * report.c - report options, formats and dispatch (see report.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

const char *const report_names[] = {
    "circulation", "lapsed", "expiring", "clones", "unknown", NULL,
};

void
report_opts_init(struct report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->as_of = ocop_today();
	o->since = OCOP_NO_DAY;
	o->within = 180;
	o->min_places = 3;
	o->window_days = 7;
}

static int
opt_name_is(const char *name, const char *want)
{
	/* "as-of" and "as_of" are the same option */
	for (; *name && *want; name++, want++) {
		char a = *name == '-' ? '_' : *name;

		if (a != *want)
			return 0;
	}
	return *name == '\0' && *want == '\0';
}

static int
opt_int(const char *name, const char *value, long lo, long hi, int *out,
	struct ocop_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (!*value || *end || errno || v < lo || v > hi)
		return ocop_error_set(err, OCOP_EINVAL,
				      "%s: '%s' is not a whole number from "
				      "%ld to %ld",
				      name, value, lo, hi);
	*out = (int)v;
	return 0;
}

static int
opt_day(const char *name, const char *value, int32_t *out,
	struct ocop_error *err)
{
	if (ocop_day_parse(value, out, err) < 0)
		return ocop_error_prefix(err, "%s", name);
	return 0;
}

int
report_opts_set(struct report_opts *o, const char *name, const char *value,
		struct ocop_error *err)
{
	if (!value)
		value = "";
	/* messages name the option as the caller spelled it */
	if (opt_name_is(name, "as_of"))
		return opt_day(name, value, &o->as_of, err);
	if (opt_name_is(name, "since"))
		return opt_day(name, value, &o->since, err);
	if (opt_name_is(name, "within"))
		return opt_int(name, value, 0, 36500, &o->within, err);
	if (opt_name_is(name, "min_places"))
		return opt_int(name, value, 2, 1000000, &o->min_places, err);
	if (opt_name_is(name, "window_days"))
		return opt_int(name, value, 1, 36500, &o->window_days, err);
	return ocop_error_set(err, OCOP_ENOENT, "unknown report option '%s'",
			      name);
}

int
report_format_parse(const char *s, enum report_format *fmt,
		    struct ocop_error *err)
{
	static const char *const names[] = {"table", "csv", "json", "html"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum report_format)i;
			return 0;
		}
	}
	return ocop_error_set(err, OCOP_EINVAL,
			      "format '%s' is not one of table, csv, json, "
			      "html",
			      s);
}

const char *
report_content_type(enum report_format fmt)
{
	switch (fmt) {
	case REPORT_CSV:
		return "text/csv; charset=utf-8";
	case REPORT_JSON:
		return "application/json";
	case REPORT_HTML:
	case REPORT_HTML_PART:
		return "text/html; charset=utf-8";
	default:
		return "text/plain; charset=utf-8";
	}
}

int
report_exists(const char *name)
{
	for (const char *const *n = report_names; *n; n++)
		if (strcmp(*n, name) == 0)
			return 1;
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct ocop_store *, const struct report_opts *,
		  struct rdoc *, struct ocop_error *);
} reports[] = {
    {"circulation", report_circulation}, {"lapsed", report_lapsed},
    {"expiring", report_expiring},	 {"clones", report_clones},
    {"unknown", report_unknown},
};

int
report_render(struct ocop_store *st, const char *name,
	      const struct report_opts *o, enum report_format fmt,
	      struct ocop_buf *out, struct ocop_error *err)
{
	struct rdoc d;
	int rc;

	if (o->as_of == OCOP_NO_DAY)
		return ocop_error_set(err, OCOP_EINVAL, "as_of: no date");
	for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		if (strcmp(reports[i].name, name) != 0)
			continue;
		/* one snapshot: the report sees the store as of one moment,
		 * and takes one lock instead of one per statement */
		if ((rc = st->m->read_begin(st, err)) < 0)
			return rc;
		rc = reports[i].fn(st, o, &d, err);
		st->m->read_end(st);
		if (rc == 0)
			rc = rdoc_render(&d, fmt, out, err);
		rdoc_release(&d);
		return rc;
	}
	return ocop_error_set(err, OCOP_ENOENT,
			      "no report named '%s' (circulation, lapsed, "
			      "expiring, clones, unknown)",
			      name);
}
