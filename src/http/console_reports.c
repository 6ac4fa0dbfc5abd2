/*
 * console_reports.c - /console/reports/{name} (SPEC 8): the reports of
 * SPEC 7 for inspectors and the office, their parameters as a GET form,
 * the report shown in the page (report_render's HTML content) with CSV
 * and JSON downloads carrying the same parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "console_office.h"
#include "report.h"
#include "server_int.h"

/* The reports, their words, and the parameters each takes beside as_of. */
static const struct {
	const char *name;
	const char *vi, *en;
	const char *about_vi, *about_en;
	const char *params[2];
} reports[] = {
    {"circulation",
     "Tem còn lưu hành",
     "Labels in circulation",
     "Tem của sản phẩm hết hiệu lực, bị thu hồi hoặc sai số sao vẫn được "
     "quét.",
     "Labels of expired, revoked or wrong-star products still scanned.",
     {"since", NULL}},
    {"expiring",
     "Sắp hết hiệu lực",
     "Expiring",
     "Công nhận còn hiệu lực, sắp hết hạn, và cửa sổ đánh giá lại.",
     "Recognitions in force that end soon, and their re-evaluation window.",
     {"within", NULL}},
    {"lapsed",
     "Hết hiệu lực chưa xử lý",
     "Lapsed",
     "Sản phẩm hết hạn, không được gia hạn hay thu hồi.",
     "Products whose recognition ended, neither renewed nor revoked.",
     {NULL, NULL}},
    {"clones",
     "Tem bị sao chép",
     "Copied labels",
     "Một số sê-ri quét ở nhiều nơi trong ít ngày.",
     "One serial scanned in several places within a few days.",
     {"min_places", "window_days"}},
    {"unknown",
     "Mã không khớp tem nào",
     "Unknown codes",
     "Mã được quét nhưng không có tem nào: tem giả, theo nơi quét.",
     "Codes scanned that match no label: forged labels, by place.",
     {NULL, NULL}},
};
#define NREPORTS (sizeof(reports) / sizeof(reports[0]))

/* The form's fields: name (as report_opts_set takes it), words, type. */
static const struct {
	const char *name;
	const char *vi, *en;
	const char *type;
} params[] = {
    {"as_of", "Tính đến ngày", "As of", "date"},
    {"since", "Lượt quét từ ngày (để trống: tất cả)", "Scans from (empty: all)",
     "date"},
    {"within", "Còn không quá (ngày)", "Days left at most", "number"},
    {"min_places", "Số nơi quét tối thiểu", "Distinct places, at least",
     "number"},
    {"window_days", "Trong số ngày", "Within days", "number"},
};
#define NPARAMS (sizeof(params) / sizeof(params[0]))

static const struct office_word words[] = {
    {"t_reports", "Báo cáo", "Reports"},
    {"t_params", "Tham số", "Parameters"},
    {"t_show", "Xem báo cáo", "Show the report"},
    {"t_download", "Tải về", "Download"},
    {"t_csv", "Tải CSV", "Download CSV"},
    {"t_json", "Tải JSON", "Download JSON"},
    {"t_other", "Báo cáo khác", "Other reports"},
};

static const char *
tr(const char *lang, const char *vi, const char *en)
{
	return strcmp(lang, "en") == 0 ? en : vi;
}

static int
report_index(const char *name, size_t len)
{
	for (size_t i = 0; i < NREPORTS; i++)
		if (strlen(reports[i].name) == len &&
		    memcmp(reports[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int
takes(size_t r, const char *param)
{
	return strcmp(param, "as_of") == 0 ||
	       (reports[r].params[0] &&
		strcmp(reports[r].params[0], param) == 0) ||
	       (reports[r].params[1] &&
		strcmp(reports[r].params[1], param) == 0);
}

/* The reports' links, keeping the language. OCOP_EINTERNAL, with err,
 * when the template cannot be rendered. */
static int
report_links(struct ocop_buf *b, const char *lang, int current,
	     struct ocop_error *err)
{
	struct office_vars rv;
	int failed = 0;

	for (size_t i = 0; i < NREPORTS; i++) {
		office_vars_init(&rv);
		office_varf(&rv, "href", "/console/reports/%s%s",
			    reports[i].name,
			    strcmp(lang, "en") == 0 ? "?lang=en" : "");
		office_var(&rv, "title",
			   tr(lang, reports[i].vi, reports[i].en));
		office_var(&rv, "about",
			   tr(lang, reports[i].about_vi, reports[i].about_en));
		office_var(&rv, "current", (int)i == current ? "1" : "");
		failed |= office_render(b, "report_link.html", &rv, err);
		office_vars_release(&rv);
	}
	return failed ? OCOP_EINTERNAL : 0;
}

int
console_reports(struct conn *c, const char *method, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	struct office_vars vs;
	struct ocop_buf links;
	struct ocop_error err = {0};
	int failed;

	(void)method;
	office_vars_init(&vs);
	ocop_buf_init(&links, 1 << 16);
	failed = report_links(&links, lang, -1, &err);
	office_style(&vs);
	office_words(&vs, words, sizeof(words) / sizeof(words[0]), lang);
	office_var(&vs, "links", links.data ? links.data : "");
	if (failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else
		console_page(c, resp, 200, tr(lang, "Báo cáo", "Reports"),
			     "reports.html", vs.v, vs.n);
	ocop_buf_release(&links);
	office_vars_release(&vs);
	return 0;
}

int
console_report(struct conn *c, const char *method, struct http_resp *resp)
{
	const char *lang = console_lang(c);
	const char *format = server_query_arg(c, "format");
	struct ocop_error err = {0};
	struct report_opts opts;
	struct office_vars vs;
	struct ocop_buf out, inputs, style, links, query;
	struct ocop_store *st;
	char *ferr[NPARAMS] = {0};
	enum report_format fmt = REPORT_HTML_PART;
	int r = report_index(c->arg[0], c->arg_len[0]), status = 200, bad = 0;
	int failed = 0;
	int rc;

	(void)method;
	if (r < 0) {
		console_not_found(c, resp);
		return 0;
	}
	if (format && *format) {
		if (strcmp(format, "csv") == 0)
			fmt = REPORT_CSV;
		else if (strcmp(format, "json") == 0)
			fmt = REPORT_JSON;
		else {
			console_error(c, resp, 400,
				      tr(lang,
					 "Định dạng phải là csv hoặc json",
					 "The format is csv or json"));
			return 0;
		}
	}
	report_opts_init(&opts);
	ocop_buf_init(&query, 4096);
	for (size_t i = 0; i < NPARAMS; i++) {
		const char *v = server_query_arg(c, params[i].name);

		if (!v || !*v || !takes((size_t)r, params[i].name))
			continue;
		if (report_opts_set(&opts, params[i].name, v, &err) < 0) {
			if (asprintf(&ferr[i], "%s (%s)",
				     tr(lang, "Giá trị không hợp lệ",
					"Invalid value"),
				     err.msg) < 0)
				abort();
			bad = 1;
			continue;
		}
		ocop_buf_addf(&query, "&%s=", params[i].name);
		for (const unsigned char *s = (const unsigned char *)v; *s; s++)
			ocop_buf_addf(&query,
				      (*s >= '0' && *s <= '9') ||
					      (*s >= 'A' && *s <= 'Z') ||
					      (*s >= 'a' && *s <= 'z') ||
					      *s == '-' || *s == '_'
					  ? "%c"
					  : "%%%02X",
				      *s);
	}
	if (bad && fmt != REPORT_HTML_PART) {
		console_error(c, resp, 400,
			      tr(lang, "Tham số báo cáo không hợp lệ",
				 "Invalid report parameters"));
		goto out_query;
	}
	ocop_buf_init(&out, (size_t)64 << 20);
	if (!bad) {
		if (!(st = server_store(c->srv, &err)))
			rc = OCOP_EINTERNAL;
		else
			rc = report_render(st, reports[r].name, &opts, fmt,
					   &out, &err);
		if (rc < 0) {
			console_error(c, resp,
				      rc == OCOP_EINVAL
					  ? 400
					  : http_fail_status(resp, rc),
				      err.msg);
			goto out_buf;
		}
	} else {
		status = 400;
	}
	if (fmt != REPORT_HTML_PART) {
		char file[96], day[11];

		snprintf(file, sizeof(file), "%s-%s.%s", reports[r].name,
			 ocop_day_format(opts.as_of, day),
			 fmt == REPORT_CSV ? "csv" : "json");
		console_download(resp, report_content_type(fmt), file,
				 out.data ? out.data : "", out.len);
		goto out_buf;
	}

	office_vars_init(&vs);
	ocop_buf_init(&inputs, 1 << 16);
	ocop_buf_init(&style, 1 << 16);
	ocop_buf_init(&links, 1 << 16);
	for (size_t i = 0; i < NPARAMS; i++) {
		const char *v = server_query_arg(c, params[i].name);
		char day[11];

		if (!takes((size_t)r, params[i].name))
			continue;
		if (i == 0 && (!v || !*v))
			v = ocop_day_format(opts.as_of, day);
		failed |= office_field(&inputs, params[i].name, params[i].name,
				       tr(lang, params[i].vi, params[i].en),
				       params[i].type, 0, v, ferr[i], &err);
	}
	report_html_style(".console-report", &style);
	failed |= report_links(&links, lang, r, &err);
	office_style(&vs);
	office_words(&vs, words, sizeof(words) / sizeof(words[0]), lang);
	office_var(&vs, "name", reports[r].name);
	office_var(&vs, "title", tr(lang, reports[r].vi, reports[r].en));
	office_var(&vs, "lang", lang);
	office_var(&vs, "en", strcmp(lang, "en") == 0 ? "1" : "");
	office_var(&vs, "inputs", inputs.data ? inputs.data : "");
	office_var(&vs, "report_style", style.data ? style.data : "");
	office_var(&vs, "report", out.data ? out.data : "");
	office_varf(&vs, "csv_href", "/console/reports/%s?format=csv%s",
		    reports[r].name, query.data ? query.data : "");
	office_varf(&vs, "json_href", "/console/reports/%s?format=json%s",
		    reports[r].name, query.data ? query.data : "");
	office_var(&vs, "links", links.data ? links.data : "");
	if (failed)
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
	else
		console_page(c, resp, status,
			     tr(lang, reports[r].vi, reports[r].en),
			     "report.html", vs.v, vs.n);
	ocop_buf_release(&inputs);
	ocop_buf_release(&style);
	ocop_buf_release(&links);
	office_vars_release(&vs);
out_buf:
	ocop_buf_release(&out);
out_query:
	ocop_buf_release(&query);
	for (size_t i = 0; i < NPARAMS; i++)
		free(ferr[i]);
	return 0;
}
