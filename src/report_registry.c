/*
 * report_registry.c - the reports read from the registry: lapsed
 * (recognitions that ended by expiry with neither renewal nor revocation)
 * and expiring (recognitions in force that end soon, with the state of
 * the re-evaluation window). Both walk every product's resolved history.
 */
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "report_int.h"

/* The last day of R's own term: its extension, else its validity. */
static int32_t
natural_end(const struct ocop_recognition *r)
{
	return r->extended_until != OCOP_NO_DAY ? r->extended_until
						: r->valid_until;
}

/* ---- lapsed ---------------------------------------------------------- */

struct lapsed {
	struct ocop_product p;
	int stars;
	char decision_no[128];
	int32_t end;
	int32_t lapsed_on;
	int64_t scans;
	int64_t last_scan;
};

static const struct rcol lapsed_cols[] = {
    {"code", "Mã sản phẩm", "Code", 0, RCOL_TEXT, 0},
    {"name", "Tên sản phẩm", "Name", 0, RCOL_TEXT, 0},
    {"producer", "Chủ thể", "Producer", 0, RCOL_TEXT, 0},
    {"province", "Tỉnh", "Province", 0, RCOL_TEXT, 0},
    {"stars", "Số sao", "Stars", 1, RCOL_TEXT, 0},
    {"decision_no", "Quyết định", "Decision", 0, RCOL_TEXT, 0},
    {"valid_until", "Hiệu lực đến", "Valid until", 0, RCOL_DAY, 0},
    {"lapsed_on", "Hết hiệu lực từ", "Lapsed on", 0, RCOL_DAY, 0},
    {"days_since", "Số ngày", "Days since", 1, RCOL_TEXT, 0},
    {"scans_since", "Lượt quét từ đó", "Scans since", 1, RCOL_TEXT, 0},
    {"last_scan", "Quét lần cuối", "Last scan", 0, RCOL_TIME, 0},
    {"still_scanned", "Còn bị quét", "Still scanned", 0, RCOL_BOOL, 0},
};

static int
cmp_lapsed(const void *a, const void *b)
{
	const struct lapsed *x = a, *y = b;

	if (x->lapsed_on != y->lapsed_on)
		return x->lapsed_on < y->lapsed_on ? -1 : 1;
	return strcmp(x->p.code, y->p.code);
}

static int
cmp_lapsed_scans(const void *a, const void *b)
{
	const struct lapsed *x = *(const struct lapsed *const *)a;
	const struct lapsed *y = *(const struct lapsed *const *)b;

	if (x->scans != y->scans)
		return x->scans > y->scans ? -1 : 1;
	return strcmp(x->p.code, y->p.code);
}

int
report_lapsed(struct ocop_store *st, const struct report_opts *o,
	      struct rdoc *d, struct ocop_error *err)
{
	struct ocop_history h;
	struct lapsed *v = NULL, **top = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, n = 0;
	int64_t to = rend_of(o->as_of);
	char b1[16], b2[16], b3[32];
	int rc;

	rdoc_init(d, "lapsed", lapsed_cols,
		  sizeof(lapsed_cols) / sizeof(lapsed_cols[0]), RCHART_BARS,
		  o->as_of);
	d->title_vi = "Sản phẩm hết hiệu lực chưa được đánh giá lại hoặc "
		      "thu hồi";
	d->title_en = "Products whose recognition lapsed, neither renewed "
		      "nor revoked";
	d->about_vi = "Công nhận gần nhất đã hết hạn trước ngày báo cáo, "
		      "không có quyết định mới và chưa bị thu hồi: cần xem "
		      "xét ra quyết định thu hồi. Lượt quét từ ngày hết hiệu "
		      "lực cho biết tem còn lưu hành.";
	d->about_en = "The latest recognition expired before the as-of date "
		      "with no new decision and no revocation: candidates "
		      "for a revocation decision. Scans since the lapse show "
		      "labels still in circulation.";
	ocop_strlcpy(d->chart.title_vi,
		     "Tem còn lưu hành: lượt quét từ khi hết hiệu lực",
		     sizeof(d->chart.title_vi));
	ocop_strlcpy(d->chart.title_en,
		     "Labels still in circulation: scans since the lapse",
		     sizeof(d->chart.title_en));
	ocop_strlcpy(d->chart.x_vi, "Lượt quét", sizeof(d->chart.x_vi));
	ocop_strlcpy(d->chart.x_en, "Scans", sizeof(d->chart.x_en));
	rchart_legend(&d->chart, "expired", "hết hiệu lực", "expired");
	d->chart.none_vi = "Không có lượt quét nào của các sản phẩm này sau "
			   "ngày hết hiệu lực.";
	d->chart.none_en = "No scans of these products since they lapsed.";

	if ((rc = rproducts(st, &ids, &nids, err)) < 0)
		return rc;
	ocop_history_init(&h);
	for (size_t i = 0; i < nids; i++) {
		const struct ocop_recognition *r;
		struct lapsed *e;
		int k;

		if ((rc = registry_history(st, ids[i], &h, err)) < 0)
			goto out;
		k = ocop_history_latest_started(&h, o->as_of);
		if (k < 0)
			continue;
		r = &h.recs[k];
		/* ended before the as-of date, by its own term (not cut by
		 * a revocation), and not revoked afterwards either */
		if (r->end >= o->as_of || r->end != natural_end(r))
			continue;
		if (r->revoked_on != OCOP_NO_DAY && r->revoked_on <= o->as_of)
			continue;
		v = ocop_xrealloc(v, (n + 1) * sizeof(*v));
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->stars = r->stars;
		ocop_strlcpy(e->decision_no, r->decision_no,
			     sizeof(e->decision_no));
		e->end = r->end;
		e->lapsed_on = r->end + 1;
		if ((rc = st->m->product_get_by_id(st, ids[i], &e->p, err)) <
			0 ||
		    (rc = st->m->scan_count_of_product(
			 st, ids[i], ocop_day_start(e->lapsed_on), to,
			 &e->scans, &e->last_scan, err)) < 0)
			goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_lapsed);

	for (size_t i = 0; i < n; i++) {
		struct lapsed *e = &v[i];
		json_t *j = json_object();

		json_object_set_new(j, "code", json_string(e->p.code));
		json_object_set_new(j, "name", json_string(e->p.name));
		json_object_set_new(j, "producer",
				    json_string(e->p.producer.name));
		json_object_set_new(j, "province",
				    json_string(e->p.producer.province));
		json_object_set_new(j, "stars", json_integer(e->stars));
		json_object_set_new(j, "decision_no",
				    json_string(e->decision_no));
		json_object_set_new(j, "valid_until", rjson_day(e->end));
		json_object_set_new(j, "lapsed_on", rjson_day(e->lapsed_on));
		json_object_set_new(j, "days_since",
				    json_integer(o->as_of - e->lapsed_on));
		json_object_set_new(j, "scans_since", json_integer(e->scans));
		json_object_set_new(j, "last_scan", rjson_time(e->last_scan));
		json_object_set_new(j, "still_scanned",
				    json_boolean(e->scans > 0));
		json_array_append_new(d->entries, j);

		rtab_row(&d->tab);
		rtab_set(&d->tab, 0, "%s", e->p.code);
		rtab_set(&d->tab, 1, "%s", e->p.name);
		rtab_set(&d->tab, 2, "%s", e->p.producer.name);
		rtab_set(&d->tab, 3, "%s", e->p.producer.province);
		rtab_set(&d->tab, 4, "%d", e->stars);
		rtab_set(&d->tab, 5, "%s", e->decision_no);
		rtab_set(&d->tab, 6, "%s", ocop_day_format(e->end, b1));
		rtab_set(&d->tab, 7, "%s", ocop_day_format(e->lapsed_on, b2));
		rtab_set(&d->tab, 8, "%d", (int)(o->as_of - e->lapsed_on));
		rtab_set(&d->tab, 9, "%lld", (long long)e->scans);
		rtab_set(&d->tab, 10, "%s",
			 e->last_scan == OCOP_NO_TIME
			     ? ""
			     : ocop_time_format(e->last_scan, b3));
		rtab_set(&d->tab, 11, "%s", e->scans > 0 ? "true" : "false");
	}

	/* chart: the products still scanned most */
	top = ocop_xcalloc(n ? n : 1, sizeof(*top));
	for (size_t i = 0; i < n; i++)
		top[i] = &v[i];
	if (n > 1)
		qsort(top, n, sizeof(*top), cmp_lapsed_scans);
	for (size_t i = 0; i < n && i < 20 && top[i]->scans > 0; i++) {
		char label[600];

		snprintf(label, sizeof(label), "%s %s", top[i]->p.code,
			 top[i]->p.name);
		rchart_add_bar(&d->chart, label, (double)top[i]->scans,
			       "expired");
		rchart_note(&d->chart,
			    "lượt quét / scans: %lld · số ngày từ khi hết hiệu "
			    "lực / days since the lapse: %d",
			    (long long)top[i]->scans,
			    (int)(o->as_of - top[i]->lapsed_on));
	}
	rc = 0;
out:
	ocop_history_release(&h);
	free(top);
	free(v);
	free(ids);
	return rc;
}

/* ---- expiring -------------------------------------------------------- */

struct expiring {
	struct ocop_product p;
	int stars;
	char decision_no[128];
	int32_t end;
	int days_left;
	const char *ends_by;
};

static const struct rcol expiring_cols[] = {
    {"code", "Mã sản phẩm", "Code", 0, RCOL_TEXT, 0},
    {"name", "Tên sản phẩm", "Name", 0, RCOL_TEXT, 0},
    {"producer", "Chủ thể", "Producer", 0, RCOL_TEXT, 0},
    {"province", "Tỉnh", "Province", 0, RCOL_TEXT, 0},
    {"stars", "Số sao", "Stars", 1, RCOL_TEXT, 0},
    {"decision_no", "Quyết định", "Decision", 0, RCOL_TEXT, 0},
    {"valid_until", "Hiệu lực đến", "Valid until", 0, RCOL_DAY, 0},
    {"days_left", "Còn (ngày)", "Days left", 1, RCOL_TEXT, 0},
    {"window", "Hạn nộp hồ sơ", "Window", 0, RCOL_WINDOW, 0},
    {"file_from", "Nộp từ ngày", "File from", 0, RCOL_DAY, 0},
    {"file_by", "Nộp chậm nhất", "File by", 0, RCOL_DAY, 0},
    {"ends_by", "Kết thúc do", "Ends by", 0, RCOL_ENDS_BY, 0},
};

/* The re-evaluation window: the producer files no earlier than 180 and
 * no later than 120 days before the end. */
static const char *
window_state(int days_left)
{
	if (days_left > 180)
		return "not_open";
	if (days_left >= 120)
		return "open";
	return "closed";
}

static int
cmp_expiring(const void *a, const void *b)
{
	const struct expiring *x = a, *y = b;

	if (x->days_left != y->days_left)
		return x->days_left < y->days_left ? -1 : 1;
	return strcmp(x->p.code, y->p.code);
}

int
report_expiring(struct ocop_store *st, const struct report_opts *o,
		struct rdoc *d, struct ocop_error *err)
{
	struct ocop_history h;
	struct expiring *v = NULL;
	int64_t *ids = NULL;
	size_t nids = 0, n = 0;
	char b1[16], b2[16], b3[16];
	int rc;

	rdoc_init(d, "expiring", expiring_cols,
		  sizeof(expiring_cols) / sizeof(expiring_cols[0]), RCHART_BARS,
		  o->as_of);
	d->title_vi = "Công nhận OCOP sắp hết hiệu lực";
	d->title_en = "Recognitions about to end";
	d->about_vi = "Công nhận đang có hiệu lực, còn không quá số ngày "
		      "đã chọn. Chủ thể nộp hồ sơ đánh giá lại sớm nhất 180 "
		      "ngày và chậm nhất 120 ngày trước ngày hết hiệu lực.";
	d->about_en = "Recognitions in force with at most the chosen number "
		      "of days left. The producer files for re-evaluation no "
		      "earlier than 180 and no later than 120 days before "
		      "the end.";
	rdoc_param(d, "within", "Còn tối đa (ngày)", "Within (days)", "%d",
		   o->within);
	ocop_strlcpy(d->chart.title_vi, "Số ngày còn lại",
		     sizeof(d->chart.title_vi));
	ocop_strlcpy(d->chart.title_en, "Days left", sizeof(d->chart.title_en));
	ocop_strlcpy(d->chart.x_vi, "Số ngày còn lại", sizeof(d->chart.x_vi));
	ocop_strlcpy(d->chart.x_en, "Days left", sizeof(d->chart.x_en));
	rchart_legend(&d->chart, "not_open", "chưa đến hạn nộp hồ sơ",
		      "window not open yet");
	rchart_legend(&d->chart, "open", "đang trong hạn nộp hồ sơ",
		      "window open");
	rchart_legend(&d->chart, "closed", "đã quá hạn nộp hồ sơ",
		      "window closed");
	d->chart.none_vi = "Không có công nhận nào sắp hết hiệu lực.";
	d->chart.none_en = "No recognition ends within the chosen days.";

	if ((rc = rproducts(st, &ids, &nids, err)) < 0)
		return rc;
	ocop_history_init(&h);
	for (size_t i = 0; i < nids; i++) {
		const struct ocop_recognition *r;
		struct expiring *e;
		int k;

		if ((rc = registry_history(st, ids[i], &h, err)) < 0)
			goto out;
		k = ocop_history_in_force(&h, o->as_of);
		if (k < 0)
			continue;
		r = &h.recs[k];
		if (r->end - o->as_of > o->within)
			continue;
		v = ocop_xrealloc(v, (n + 1) * sizeof(*v));
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->stars = r->stars;
		ocop_strlcpy(e->decision_no, r->decision_no,
			     sizeof(e->decision_no));
		e->end = r->end;
		e->days_left = (int)(r->end - o->as_of);
		if (r->end == natural_end(r))
			e->ends_by = "expiry";
		else if (r->revoked_on != OCOP_NO_DAY &&
			 r->revoked_on - 1 == r->end)
			e->ends_by = "revocation";
		else
			e->ends_by = "renewal";
		if ((rc = st->m->product_get_by_id(st, ids[i], &e->p, err)) < 0)
			goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_expiring);

	for (size_t i = 0; i < n; i++) {
		struct expiring *e = &v[i];
		json_t *j = json_object();
		const char *w = window_state(e->days_left);

		json_object_set_new(j, "code", json_string(e->p.code));
		json_object_set_new(j, "name", json_string(e->p.name));
		json_object_set_new(j, "producer",
				    json_string(e->p.producer.name));
		json_object_set_new(j, "province",
				    json_string(e->p.producer.province));
		json_object_set_new(j, "stars", json_integer(e->stars));
		json_object_set_new(j, "decision_no",
				    json_string(e->decision_no));
		json_object_set_new(j, "valid_until", rjson_day(e->end));
		json_object_set_new(j, "days_left", json_integer(e->days_left));
		json_object_set_new(j, "window", json_string(w));
		json_object_set_new(j, "file_from", rjson_day(e->end - 180));
		json_object_set_new(j, "file_by", rjson_day(e->end - 120));
		json_object_set_new(j, "ends_by", json_string(e->ends_by));
		json_array_append_new(d->entries, j);

		rtab_row(&d->tab);
		rtab_set(&d->tab, 0, "%s", e->p.code);
		rtab_set(&d->tab, 1, "%s", e->p.name);
		rtab_set(&d->tab, 2, "%s", e->p.producer.name);
		rtab_set(&d->tab, 3, "%s", e->p.producer.province);
		rtab_set(&d->tab, 4, "%d", e->stars);
		rtab_set(&d->tab, 5, "%s", e->decision_no);
		rtab_set(&d->tab, 6, "%s", ocop_day_format(e->end, b1));
		rtab_set(&d->tab, 7, "%d", e->days_left);
		rtab_set(&d->tab, 8, "%s", w);
		rtab_set(&d->tab, 9, "%s", ocop_day_format(e->end - 180, b2));
		rtab_set(&d->tab, 10, "%s", ocop_day_format(e->end - 120, b3));
		rtab_set(&d->tab, 11, "%s", e->ends_by);
		if (i < 30) {
			const char *wvi, *wen;
			char label[600];

			rwords(RCOL_WINDOW, w, &wvi, &wen);
			snprintf(label, sizeof(label), "%s %s", e->p.code,
				 e->p.name);
			rchart_add_bar(&d->chart, label, (double)e->days_left,
				       w);
			rchart_note(&d->chart, "%d ngày / days · %s (%s)",
				    e->days_left, wvi, wen);
		}
	}
	rc = 0;
out:
	ocop_history_release(&h);
	free(v);
	free(ids);
	return rc;
}
