/*
 * console_producer.c - the console's pages of products and labels (SPEC
 * 8): the dashboard, a product, the issue form, a batch with its files,
 * and voiding. A producer sees only its own products, batches and labels:
 * anything else answers exactly as a missing one (console_not_found).
 *
 * The dashboard reads one page of products (PAGE_SIZE, from the store's
 * page in code order), the page's histories together, and the page's
 * labels issued and recent scans in one statement over index ranges:
 * the page's cost does not grow with the registry or the scan log, and
 * its round trips to a database server do not grow with the page.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "label.h"
#include "registry.h"
#include "render_pdf.h"
#include "report.h"
#include "server_int.h"
#include "zip.h"

#define PAGE_SIZE 50
#define CONSOLE_MAX_COUNT 100000
#define RECENT_DAYS 30
#define PV_MAX 128
#define PV_POOL 16384

/* ---- a page's variables ---------------------------------------------------
 */

struct pv {
	struct page_var v[PV_MAX];
	size_t n;
	char pool[PV_POOL];
	size_t used;
};

static void
pv_put(struct pv *p, const char *name, const char *value)
{
	if (p->n < PV_MAX) {
		p->v[p->n].name = name;
		p->v[p->n].value = value ? value : "";
		p->n++;
	}
}

static void pv_set(struct pv *p, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pv_set(struct pv *p, const char *name, const char *fmt, ...)
{
	size_t room = PV_POOL - p->used;
	char *dst = p->pool + p->used;
	va_list ap;
	int n;

	if (room < 2) {
		pv_put(p, name, "");
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		n = (int)room - 1;
	p->used += (size_t)n + 1;
	pv_put(p, name, dst);
}

static const char *
W(const struct conn *c, const char *vi, const char *en)
{
	return strcmp(console_lang(c), "en") == 0 ? en : vi;
}

static char *
day_text(int32_t day, char *buf)
{
	if (day == OCOP_NO_DAY) {
		buf[0] = '\0';
		return buf;
	}
	return report_local_day(day, buf);
}

/* An HTML table row of escaped cells; a cell beginning with '\x01' is
 * right-aligned (numbers). */
static void
row(struct ocop_buf *out, const char *const *cells, size_t n)
{
	ocop_buf_adds(out, "<tr>");
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i] ? cells[i] : "";

		if (s[0] == '\x01') {
			ocop_buf_adds(out, "<td class=\"r num\">");
			s++;
		} else {
			ocop_buf_adds(out, "<td>");
		}
		ocop_buf_add_html(out, s);
		ocop_buf_adds(out, "</td>");
	}
	ocop_buf_adds(out, "</tr>");
}

static void
head(struct ocop_buf *out, const char *const *cells, size_t n)
{
	ocop_buf_adds(out, "<tr>");
	for (size_t i = 0; i < n; i++) {
		const char *s = cells[i];
		int right = s[0] == '\x01';

		ocop_buf_adds(out, right ? "<th scope=\"col\" class=\"r\">"
					 : "<th scope=\"col\">");
		ocop_buf_add_html(out, right ? s + 1 : s);
		ocop_buf_adds(out, "</th>");
	}
	ocop_buf_adds(out, "</tr>");
}

/* A path segment percent-encoded (a product code may hold '/'). */
static void
path_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
}

static void
fail(struct conn *c, struct http_resp *resp, const struct ocop_error *err)
{
	console_error(c, resp, http_fail_status(resp, err->code), err->msg);
}

/* ---- a product's state today ------------------------------------------ */

enum pstate { P_NONE = 0, P_IN_FORCE, P_LAPSED, P_REVOKED };

struct pstatus {
	enum pstate state;
	const struct ocop_recognition *r; /* in force, else the latest */
	int32_t since;			  /* lapsed/revoked: from this day */
	int days_left;			  /* in force: end - today */
};

static void
status_of(const struct ocop_history *h, int32_t today, struct pstatus *s)
{
	int i = ocop_history_in_force(h, today);

	memset(s, 0, sizeof(*s));
	if (i >= 0) {
		s->state = P_IN_FORCE;
		s->r = &h->recs[i];
		s->days_left = s->r->end - today;
		return;
	}
	i = ocop_history_latest_started(h, today);
	if (i < 0)
		return;
	s->r = &h->recs[i];
	if (s->r->revoked_on != OCOP_NO_DAY && s->r->revoked_on <= today) {
		s->state = P_REVOKED;
		s->since = s->r->revoked_on;
	} else {
		s->state = P_LAPSED;
		s->since = s->r->end + 1;
	}
}

static const char *
ground_text(const struct conn *c, enum ocop_ground g)
{
	switch (g) {
	case OCOP_GROUND_A:
		return W(c, "hồ sơ không trung thực", "false dossier");
	case OCOP_GROUND_B:
		return W(c, "không còn đáp ứng tiêu chí",
			 "no longer meets the criteria");
	case OCOP_GROUND_C:
		return W(c,
			 "vi phạm chất lượng, an toàn thực phẩm, môi "
			 "trường, sở hữu trí tuệ hoặc ghi nhãn",
			 "quality, food safety, environment, IP or "
			 "labelling violation");
	case OCOP_GROUND_D:
		return W(c, "sử dụng sai biểu tượng OCOP",
			 "misuse of the OCOP mark");
	case OCOP_GROUND_DD:
		return W(c, "ngừng sản xuất", "production stopped");
	case OCOP_GROUND_E:
		return W(c, "kết luận khác của cơ quan có thẩm quyền",
			 "other official conclusion");
	case OCOP_GROUND_LAPSED:
		return W(c, "hết hạn mà không đánh giá lại",
			 "lapsed without re-evaluation");
	default:
		return "";
	}
}

/* The banner of a product that may not carry the mark, into buf. */
static const char *
banner_text(const struct conn *c, const struct pstatus *s, char *buf,
	    size_t size)
{
	char d[16];

	switch (s->state) {
	case P_LAPSED:
		snprintf(buf, size, "%s %s",
			 W(c, "Hết hiệu lực từ ngày", "Lapsed on"),
			 day_text(s->since, d));
		snprintf(buf + strlen(buf), size - strlen(buf), "%s",
			 W(c,
			   ": sản phẩm không được mang dấu OCOP cho đến khi "
			   "được công nhận lại.",
			   ": the product may not carry the OCOP mark until "
			   "it is recognised again."));
		return buf;
	case P_REVOKED:
		snprintf(buf, size, "%s %s (%s)%s",
			 W(c, "Bị thu hồi ngày", "Revoked on"),
			 day_text(s->since, d), ground_text(c, s->r->ground),
			 W(c, ": sản phẩm không được mang dấu OCOP.",
			   ": the product may not carry the OCOP mark."));
		return buf;
	case P_NONE:
		snprintf(buf, size, "%s",
			 W(c, "Chưa có công nhận OCOP đang hiệu lực.",
			   "No OCOP recognition in force yet."));
		return buf;
	default:
		buf[0] = '\0';
		return buf;
	}
}

/* The re-evaluation window (SPEC 1, 7: 180 to 120 days before the end)
 * in words, into buf; open is set when it is open now. */
static const char *
window_text(const struct conn *c, const struct pstatus *s, int *open, char *buf,
	    size_t size)
{
	char d1[16], d2[16];
	int32_t from = s->r->end - 180, to = s->r->end - 120;

	*open = 0;
	day_text(from, d1);
	day_text(to, d2);
	if (s->days_left > 240)
		snprintf(buf, size, "%s %s",
			 W(c, "Chưa mở; mở từ", "Not open; opens on"), d1);
	else if (s->days_left > 180)
		snprintf(buf, size, "%s %s %s %s",
			 W(c, "Sắp mở: nộp hồ sơ từ", "Opens soon: file from"),
			 d1, W(c, "đến", "to"), d2);
	else if (s->days_left >= 120) {
		*open = 1;
		snprintf(buf, size, "%s %s %s %s",
			 W(c, "Đang mở: nộp hồ sơ từ", "Open: file from"), d1,
			 W(c, "đến", "to"), d2);
	} else
		snprintf(buf, size, "%s %s%s",
			 W(c, "Đã đóng ngày", "Closed on"), d2,
			 W(c,
			   "; quá hạn này chỉ còn gia hạn (tối đa 180 ngày "
			   "sau khi hết hạn)",
			   "; past it only an extension is possible (at most "
			   "180 days after the expiry)"));
	return buf;
}

static const char *
stars_marks(int n)
{
	static const char *const m[] = {"", "★", "★★", "★★★", "★★★★", "★★★★★"};

	return n >= 0 && n <= 5 ? m[n] : "";
}

/* ---- the dashboard ------------------------------------------------------ */

struct plist {
	struct ocop_product *p; /* PAGE_SIZE of them */
	size_t n;
};

static int
collect_product(void *ctx, const struct ocop_product *p)
{
	struct plist *l = ctx;

	if (l->n == PAGE_SIZE)
		return OCOP_EINTERNAL;
	l->p[l->n++] = *p;
	return 0;
}

/* One product's card on the dashboard, appended to out: its status, its
 * labels issued, its scans of the last 30 days and, when it may no
 * longer carry the mark, those since it lapsed or was revoked (late). */
static int
product_card(struct conn *c, const struct ocop_product *p,
	     const struct pstatus *sp, int64_t issued, int64_t scans,
	     int64_t late, int may_issue, struct ocop_buf *out,
	     struct ocop_error *err)
{
	struct pstatus s = *sp;
	struct pv v = {0};
	char d[16], code[200], banner[512], window[256];
	int open = 0;

	path_escape(p->code, code, sizeof(code));
	pv_put(&v, "name", p->name);
	pv_put(&v, "code", p->code);
	pv_set(&v, "href", "/console/products/%s", code);
	pv_set(&v, "issue_href", "/console/products/%s/issue", code);
	pv_put(&v, "in_force", s.state == P_IN_FORCE ? "1" : "");
	pv_put(&v, "may_issue", may_issue && s.state == P_IN_FORCE ? "1" : "");
	pv_put(&v, "banner", banner_text(c, &s, banner, sizeof(banner)));
	if (s.state == P_IN_FORCE) {
		pv_put(&v, "stars", stars_marks(s.r->stars));
		pv_set(&v, "stars_text", "%d %s", s.r->stars,
		       W(c, "sao", s.r->stars == 1 ? "star" : "stars"));
		pv_put(&v, "until", day_text(s.r->end, d));
		if (strcmp(console_lang(c), "en") == 0)
			pv_set(&v, "days_left", "%d %s left", s.days_left,
			       s.days_left == 1 ? "day" : "days");
		else
			pv_set(&v, "days_left", "còn %d ngày", s.days_left);
		window_text(c, &s, &open, window, sizeof(window));
		pv_put(&v, "window", window);
	} else {
		pv_put(&v, "stars", "");
		pv_put(&v, "stars_text", "");
		pv_put(&v, "until", "");
		pv_put(&v, "days_left", "");
		pv_put(&v, "window", "");
	}
	pv_put(&v, "window_open", open ? "1" : "");
	pv_set(&v, "issued", "%lld", (long long)issued);
	pv_set(&v, "scans", "%lld", (long long)scans);
	pv_put(&v, "late", late > 0 ? "1" : "");
	pv_set(&v, "late_text", "%s %lld %s", W(c, "Vẫn còn", "Still"),
	       (long long)late,
	       W(c,
		 "lượt quét tem của sản phẩm này trong 30 ngày qua, dù sản "
		 "phẩm không còn được mang dấu OCOP: hãy thu hồi hàng còn "
		 "lưu thông.",
		 "scans of this product's labels in the last 30 days, "
		 "though it may no longer carry the OCOP mark: withdraw the "
		 "goods still in circulation."));
	pv_put(&v, "t_stars", W(c, "Số sao", "Stars"));
	pv_put(&v, "t_until", W(c, "Hiệu lực đến", "Valid until"));
	pv_put(&v, "t_left", W(c, "Còn lại", "Days left"));
	pv_put(&v, "t_window", W(c, "Đánh giá lại", "Re-evaluation"));
	pv_put(&v, "t_issued", W(c, "Tem đã phát hành", "Labels issued"));
	pv_put(&v, "t_scans",
	       W(c, "Lượt quét 30 ngày qua", "Scans, last 30 days"));
	pv_put(&v, "t_issue", W(c, "Phát hành tem", "Issue labels"));
	pv_put(&v, "t_details", W(c, "Chi tiết", "Details"));
	return console_render(c, "card.html", v.v, v.n, out, err);
}

/* The start of "the last 30 days": today and the 29 days before it, from
 * 00:00 Vietnam time, so that the counts are of whole days (the store may
 * keep them by day: product_counts). */
static int64_t
recent_since(int64_t now)
{
	return ocop_day_start(ocop_day_of(now) - (RECENT_DAYS - 1));
}

/* The start of the scans that count against a product which may no
 * longer carry the mark: the later of its lapse or revocation and from. */
static int64_t
late_since(const struct pstatus *s, int64_t from)
{
	int64_t t = ocop_day_start(s->since);

	return t > from ? t : from;
}

int
console_dashboard(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_user *u = console_user(c);
	struct ocop_error err = {0};
	struct plist l = {0};
	struct ocop_history h[PAGE_SIZE];
	struct pstatus ps[PAGE_SIZE];
	int64_t ids[PAGE_SIZE], since[PAGE_SIZE], late_from[PAGE_SIZE],
	    issued[PAGE_SIZE], scans[PAGE_SIZE], late[PAGE_SIZE];
	struct ocop_buf cards, pager;
	struct ocop_store *st;
	struct pv v = {0};
	const char *q = server_query_arg(c, "q"),
		   *pg = server_query_arg(c, "page");
	int64_t now = ocop_now(), month = recent_since(now), total = 0;
	int64_t producer_id = 0;
	int producer = u->role == OCOP_ROLE_PRODUCER, warn = 0, rc = 0;
	long page = pg ? strtol(pg, NULL, 10) : 1;
	size_t from, to;
	char qs[256];

	_Static_assert(PAGE_SIZE <= STORE_COUNTS_MAX,
		       "a page's products are counted at once");
	(void)method;
	ocop_buf_init(&cards, 0);
	ocop_buf_init(&pager, 0);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		ocop_history_init(&h[i]);
	l.p = ocop_xcalloc(PAGE_SIZE, sizeof(*l.p));
	if (!(st = server_store(c->srv, &err)))
		goto out_fail;
	if (producer)
		producer_id = u->producer_id > 0 ? u->producer_id : -1;
	if (page < 1 || page > INT32_MAX / PAGE_SIZE)
		page = 1;
	/* a producer without one sees nothing; the page past the end is
	 * the first */
	if (producer_id >= 0 && (rc = st->m->product_page(
				     st, producer_id, producer ? NULL : q,
				     (int64_t)(page - 1) * PAGE_SIZE, PAGE_SIZE,
				     collect_product, &l, &total, &err)) < 0)
		goto out_fail;
	if (l.n == 0 && page > 1 && total > 0) {
		page = 1;
		if ((rc = st->m->product_page(
			 st, producer_id, producer ? NULL : q, 0, PAGE_SIZE,
			 collect_product, &l, &total, &err)) < 0)
			goto out_fail;
	}
	from = (size_t)(page - 1) * PAGE_SIZE;
	to = from + l.n;
	/* the page's statuses, then its counts in one statement (the late
	 * scans of the products that may no longer carry the mark with
	 * them): the cost follows the page, not the registry or the scan
	 * log */
	for (size_t i = 0; i < l.n; i++) {
		ids[i] = l.p[i].id;
		since[i] = month;
	}
	if ((rc = registry_histories(st, ids, l.n, h, &err)) < 0)
		goto out_fail;
	for (size_t i = 0; i < l.n; i++) {
		status_of(&h[i], ocop_day_of(now), &ps[i]);
		late_from[i] =
		    ps[i].state == P_LAPSED || ps[i].state == P_REVOKED
			? late_since(&ps[i], month)
			: INT64_MAX;
	}
	if ((rc = st->m->product_counts(st, ids, since, late_from, l.n, issued,
					scans, late, &err)) < 0)
		goto out_fail;
	for (size_t i = 0; i < l.n; i++) {
		if (late[i] > 0)
			warn = 1;
		if ((rc = product_card(c, &l.p[i], &ps[i], issued[i], scans[i],
				       late[i], u->role != OCOP_ROLE_INSPECTOR,
				       &cards, &err)) < 0)
			goto out_fail;
	}
	path_escape(q ? q : "", qs, sizeof(qs));
	if (page > 1)
		ocop_buf_addf(&pager,
			      "<a class=\"button second\" rel=\"prev\" "
			      "href=\"/console/?q=%s&amp;page=%ld%s\">%s</a>",
			      qs, page - 1,
			      strcmp(console_lang(c), "en") == 0 &&
				      server_query_arg(c, "lang")
				  ? "&amp;lang=en"
				  : "",
			      W(c, "← Trang trước", "← Previous"));
	if ((int64_t)to < total)
		ocop_buf_addf(&pager,
			      "<a class=\"button second\" rel=\"next\" "
			      "href=\"/console/?q=%s&amp;page=%ld%s\">%s</a>",
			      qs, page + 1,
			      strcmp(console_lang(c), "en") == 0 &&
				      server_query_arg(c, "lang")
				  ? "&amp;lang=en"
				  : "",
			      W(c, "Trang sau →", "Next →"));
	pv_put(&v, "cards", cards.data ? cards.data : "");
	pv_put(&v, "pager", pager.data ? pager.data : "");
	pv_put(&v, "q", q ? q : "");
	pv_put(&v, "search", producer ? "" : "1");
	pv_put(&v, "none", total == 0 ? "1" : "");
	pv_put(&v, "warn", warn ? "1" : "");
	pv_put(&v, "heading",
	       producer ? W(c, "Sản phẩm của bạn", "Your products")
			: W(c, "Sản phẩm OCOP", "OCOP products"));
	if (producer && l.n > 0)
		pv_put(&v, "producer", l.p[0].producer.name);
	else
		pv_put(&v, "producer", "");
	if (total > PAGE_SIZE)
		pv_set(&v, "count", "%lld %s · %s %zu–%zu", (long long)total,
		       W(c, "sản phẩm", "products"),
		       W(c, "đang xem", "showing"), from + 1, to);
	else
		pv_set(&v, "count", "%lld %s", (long long)total,
		       W(c, "sản phẩm", total == 1 ? "product" : "products"));
	pv_put(&v, "t_search",
	       W(c, "Tìm theo mã hoặc tên sản phẩm",
		 "Search by product code or name"));
	pv_put(&v, "t_find", W(c, "Tìm", "Search"));
	pv_put(&v, "t_none",
	       producer ? W(c, "Tài khoản này chưa gắn với sản phẩm nào.",
			    "No product is linked to this account.")
			: W(c, "Không có sản phẩm nào khớp.",
			    "No product matches."));
	pv_put(&v, "t_warn",
	       W(c,
		 "Tem của sản phẩm đã hết hiệu lực hoặc bị thu hồi vẫn đang "
		 "được quét: xem các sản phẩm có khung đỏ bên dưới.",
		 "Labels of lapsed or revoked products are still being "
		 "scanned: see the products marked in red below."));
	console_page(c, resp, 200, W(c, "Tổng quan", "Overview"),
		     "dashboard.html", v.v, v.n);
	goto out;
out_fail:
	fail(c, resp, &err);
out:
	for (size_t i = 0; i < PAGE_SIZE; i++)
		ocop_history_release(&h[i]);
	free(l.p);
	ocop_buf_release(&cards);
	ocop_buf_release(&pager);
	return 0;
}

/* ---- a product ---------------------------------------------------------- */

/* The product of the route's first '*' when u may see it; else 404
 * answered and 1 returned (also for a failure). */
static int
product_of(struct conn *c, struct http_resp *resp, struct ocop_store *st,
	   struct ocop_product *p)
{
	struct ocop_error err = {0};
	char code[sizeof(p->code)];
	int rc;

	if (c->arg_len[0] >= sizeof(code)) {
		console_not_found(c, resp);
		return 1;
	}
	memcpy(code, c->arg[0], c->arg_len[0]);
	code[c->arg_len[0]] = '\0';
	rc = st->m->product_get(st, code, p, &err);
	if (rc == OCOP_ENOENT ||
	    (rc == 0 && !console_may_see(console_user(c), p->producer.id))) {
		console_not_found(c, resp);
		return 1;
	}
	if (rc < 0) {
		fail(c, resp, &err);
		return 1;
	}
	return 0;
}

static void
history_table(struct conn *c, const struct ocop_history *h,
	      struct ocop_buf *out)
{
	const char *cols[] = {
	    W(c, "Số sao", "Stars"),
	    W(c, "Quyết định", "Decision"),
	    W(c, "Ngày quyết định", "Decided on"),
	    W(c, "Cơ quan", "Issuer"),
	    W(c, "Hiệu lực", "Valid"),
	    W(c, "Gia hạn", "Extension"),
	    W(c, "Thu hồi", "Revocation"),
	};

	head(out, cols, 7);
	for (size_t i = h->nrecs; i-- > 0;) {
		const struct ocop_recognition *r = &h->recs[i];
		char stars[32], d1[16], d2[16], d3[16], valid[64], ext[200],
		    rev[400];
		const char *cells[7];

		snprintf(stars, sizeof(stars), "%s %d", stars_marks(r->stars),
			 r->stars);
		snprintf(valid, sizeof(valid), "%s – %s",
			 day_text(r->valid_from, d1),
			 day_text(r->valid_until, d2));
		ext[0] = '\0';
		if (r->extended_until != OCOP_NO_DAY)
			snprintf(ext, sizeof(ext), "%s %s%s%s",
				 W(c, "đến", "until"),
				 day_text(r->extended_until, d3),
				 r->ext_decision_no[0] ? " · " : "",
				 r->ext_decision_no);
		rev[0] = '\0';
		if (r->revoked_on != OCOP_NO_DAY)
			snprintf(rev, sizeof(rev), "%s · %s%s%s",
				 day_text(r->revoked_on, d3),
				 ground_text(c, r->ground),
				 r->revoke_decision_no[0] ? " · " : "",
				 r->revoke_decision_no);
		cells[0] = stars;
		cells[1] = r->decision_no;
		cells[2] = day_text(r->decided_on, d1);
		cells[3] = r->issuer;
		cells[4] = valid;
		cells[5] = ext;
		cells[6] = rev;
		row(out, cells, 7);
	}
}

struct batches {
	struct ocop_batch *b;
	size_t n, cap;
};

static int
collect_batch(void *ctx, const struct ocop_batch *b)
{
	struct batches *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->b = ocop_xrealloc(l->b, l->cap * sizeof(*l->b));
	}
	l->b[l->n++] = *b;
	return 0;
}

static void
batches_table(struct conn *c, const struct batches *l, struct ocop_buf *out)
{
	const char *cols[] = {
	    W(c, "Lô tem", "Batch"),
	    W(c, "Phát hành lúc", "Issued"),
	    W(c, "\x01Số tem", "\x01Labels"),
	    W(c, "Sao in", "Stars printed"),
	    W(c, "Số lô", "Lot"),
	    W(c, "NSX / HSD", "Made / best before"),
	    W(c, "Tình trạng", "State"),
	};

	head(out, cols, 7);
	for (size_t i = 0; i < l->n; i++) {
		const struct ocop_batch *b = &l->b[i];
		char when[32], n[24], dates[40], d1[16], d2[16], state[300];
		const char *cells[6];

		ocop_buf_addf(
		    out,
		    "<tr><td><a href=\"/console/batches/%lld%s\">#%lld"
		    "</a></td>",
		    (long long)b->id,
		    strcmp(console_lang(c), "en") == 0 &&
			    server_query_arg(c, "lang")
			? "?lang=en"
			: "",
		    (long long)b->id);
		snprintf(n, sizeof(n), "\x01%d", b->count);
		snprintf(
		    dates, sizeof(dates), "%s / %s",
		    b->made_on != OCOP_NO_DAY ? day_text(b->made_on, d1) : "–",
		    b->best_before != OCOP_NO_DAY ? day_text(b->best_before, d2)
						  : "–");
		if (b->voided_at != OCOP_NO_TIME)
			snprintf(state, sizeof(state), "%s %s%s%s",
				 W(c, "Đã hủy", "Voided"),
				 report_local_time(b->voided_at, when),
				 b->void_reason[0] ? " · " : "",
				 b->void_reason);
		else
			snprintf(state, sizeof(state), "%s",
				 W(c, "Đang dùng", "In use"));
		cells[0] = report_local_time(b->issued_at, when);
		cells[1] = n;
		cells[2] = stars_marks(b->stars);
		cells[3] = b->lot[0] ? b->lot : "–";
		cells[4] = dates;
		cells[5] = state;
		/* the row's opening cell is written above */
		{
			struct ocop_buf tmp;

			ocop_buf_init(&tmp, 0);
			row(&tmp, cells, 6);
			/* drop "<tr>": the row is already open */
			ocop_buf_add(out, tmp.data + 4, tmp.len - 4);
			ocop_buf_release(&tmp);
		}
	}
}

/* Scans by month and by place over the last 12 months. */
#define MONTHS 12
#define PLACES_SHOWN 10
#define PLACES_MAX 512

struct scan_sums {
	int32_t first_month; /* y * 12 + m - 1 of the earliest month */
	int64_t month[MONTHS];
	struct {
		char place[256];
		int64_t n;
	} places[PLACES_MAX];
	size_t nplaces;
	int64_t other; /* scans of places past PLACES_MAX */
};

static int
month_key(int64_t t)
{
	int y, m, d;

	ocop_day_to_ymd(ocop_day_of(t), &y, &m, &d);
	return y * 12 + m - 1;
}

static int
sum_scan(void *ctx, const struct ocop_scan *s)
{
	struct scan_sums *sum = ctx;
	int k = month_key(s->scanned_at) - sum->first_month;
	size_t i;

	if (k >= 0 && k < MONTHS)
		sum->month[k]++;
	for (i = 0; i < sum->nplaces; i++)
		if (strcmp(sum->places[i].place, s->place) == 0)
			break;
	if (i == sum->nplaces) {
		if (sum->nplaces == PLACES_MAX) {
			sum->other++;
			return 0;
		}
		ocop_strlcpy(sum->places[i].place, s->place,
			     sizeof(sum->places[i].place));
		sum->places[i].n = 0;
		sum->nplaces++;
	}
	sum->places[i].n++;
	return 0;
}

static int
cmp_place(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)((const char *)a + 256);
	int64_t y = *(const int64_t *)((const char *)b + 256);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void
bar(struct ocop_buf *out, int64_t n, int64_t max)
{
	int w = max > 0 ? (int)(n * 160 / max) : 0;

	ocop_buf_addf(out,
		      "<td><span class=\"bar\" style=\"width:%dpx\"></span>"
		      "</td></tr>",
		      w > 0 ? w : (n > 0 ? 1 : 0));
}

static void
scans_tables(struct conn *c, struct scan_sums *s, struct ocop_buf *months,
	     struct ocop_buf *places)
{
	const char *mcols[] = {W(c, "Tháng", "Month"),
			       W(c, "\x01Lượt quét", "\x01Scans"),
			       W(c, "Biểu đồ", "Chart")};
	const char *pcols[] = {W(c, "Nơi quét", "Where"),
			       W(c, "\x01Lượt quét", "\x01Scans"),
			       W(c, "Biểu đồ", "Chart")};
	int64_t max = 0;

	head(months, mcols, 3);
	for (int i = 0; i < MONTHS; i++)
		if (s->month[i] > max)
			max = s->month[i];
	for (int i = MONTHS; i-- > 0;) {
		int k = s->first_month + i;
		char m[16], n[24];
		const char *cells[2] = {m, n};

		snprintf(m, sizeof(m), "%02d/%04d", k % 12 + 1, k / 12);
		snprintf(n, sizeof(n), "\x01%lld", (long long)s->month[i]);
		row(months, cells, 2);
		months->len -= 5; /* reopen the row for its bar */
		bar(months, s->month[i], max);
	}
	qsort(s->places, s->nplaces, sizeof(s->places[0]), cmp_place);
	head(places, pcols, 3);
	max = s->nplaces ? s->places[0].n : 0;
	for (size_t i = 0; i < s->nplaces && i < PLACES_SHOWN; i++) {
		char n[24];
		const char *cells[2];

		cells[0] = s->places[i].place[0]
			       ? s->places[i].place
			       : W(c, "Người mua quét (không rõ nơi)",
				   "Shoppers' scans (place unknown)");
		snprintf(n, sizeof(n), "\x01%lld", (long long)s->places[i].n);
		cells[1] = n;
		row(places, cells, 2);
		places->len -= 5;
		bar(places, s->places[i].n, max);
	}
}

/* An RFC 3339 instant as Vietnam local time, or as it is. */
static const char *
local_time(const char *rfc3339, char *buf)
{
	int64_t t;

	if (!rfc3339)
		return "";
	if (ocop_time_parse(rfc3339, &t, NULL) < 0)
		return rfc3339;
	return report_local_time(t, buf);
}

/* The copied-label suspects of the product: the clones report's entries
 * for its code. */
static int
clones_table(struct conn *c, struct ocop_store *st, const char *code,
	     struct ocop_buf *out, int *count, struct ocop_error *err)
{
	struct report_opts o;
	struct ocop_buf j;
	json_t *root = NULL, *entries, *e;
	json_error_t je;
	size_t i;
	int rc;
	const char *cols[] = {
	    W(c, "Mã tem", "Serial"), W(c, "\x01Số nơi", "\x01Places"),
	    W(c, "Lần đầu", "First"), W(c, "Lần cuối", "Last")};

	*count = 0;
	report_opts_init(&o);
	ocop_buf_init(&j, 0);
	if ((rc = report_render(st, "clones", &o, REPORT_JSON, &j, err)) < 0)
		goto out;
	if (!(root = json_loadb(j.data, j.len, 0, &je))) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot read the clones report: %s",
				    je.text);
		goto out;
	}
	head(out, cols, 4);
	entries = json_object_get(root, "entries");
	json_array_foreach(entries, i, e)
	{
		const char *ec = json_string_value(json_object_get(e, "code"));
		char grouped[OCOP_SERIAL_GROUPED + 1], n[24], t1[32], t2[32];
		const char *serial =
		    json_string_value(json_object_get(e, "serial"));
		const char *cells[4];

		if (!ec || strcmp(ec, code) != 0 || !serial)
			continue;
		ocop_serial_group(serial, grouped);
		snprintf(n, sizeof(n), "\x01%lld",
			 (long long)json_integer_value(
			     json_object_get(e, "distinct_places")));
		cells[0] = grouped;
		cells[1] = n;
		cells[2] = local_time(
		    json_string_value(json_object_get(e, "first_seen")), t1);
		cells[3] = local_time(
		    json_string_value(json_object_get(e, "last_seen")), t2);
		row(out, cells, 4);
		(*count)++;
	}
out:
	json_decref(root);
	ocop_buf_release(&j);
	return rc;
}

int
console_product(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_user *u = console_user(c);
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_history h;
	struct batches bl = {0};
	struct scan_sums *sums = NULL;
	struct ocop_buf hist, batches, months, places, clones;
	struct ocop_store *st;
	struct pstatus s;
	struct pv v = {0};
	int64_t now = ocop_now(), count, last, issued = 0;
	int32_t today = ocop_day_of(now);
	int y, m, d, open = 0, nclones = 0, rc;
	char code[200], banner[512], window[256], dd[16], title[600];

	(void)method;
	ocop_history_init(&h);
	ocop_buf_init(&hist, 0);
	ocop_buf_init(&batches, 0);
	ocop_buf_init(&months, 0);
	ocop_buf_init(&places, 0);
	ocop_buf_init(&clones, 0);
	if (!(st = server_store(c->srv, &err))) {
		fail(c, resp, &err);
		goto out;
	}
	if (product_of(c, resp, st, &p))
		goto out;
	if ((rc = registry_history(st, p.id, &h, &err)) < 0 ||
	    (rc = st->m->batch_each(st, p.id, collect_batch, &bl, &err)) < 0)
		goto out_fail;
	status_of(&h, today, &s);
	sums = ocop_xcalloc(1, sizeof(*sums));
	ocop_day_to_ymd(today, &y, &m, &d);
	sums->first_month = y * 12 + m - 1 - (MONTHS - 1);
	if ((rc = st->m->scan_each_of_product(
		 st, p.id,
		 ocop_day_start(ocop_day_from_ymd(
		     sums->first_month / 12, sums->first_month % 12 + 1, 1)),
		 OCOP_NO_TIME, sum_scan, sums, &err)) < 0)
		goto out_fail;
	if ((rc = st->m->scan_count_of_product(st, p.id, recent_since(now),
					       OCOP_NO_TIME, &count, &last,
					       &err)) < 0)
		goto out_fail;
	if ((rc = clones_table(c, st, p.code, &clones, &nclones, &err)) < 0)
		goto out_fail;
	for (size_t i = 0; i < bl.n; i++)
		issued += bl.b[i].count;
	history_table(c, &h, &hist);
	batches_table(c, &bl, &batches);
	scans_tables(c, sums, &months, &places);
	path_escape(p.code, code, sizeof(code));
	pv_put(&v, "name", p.name);
	pv_put(&v, "code", p.code);
	pv_put(&v, "group", p.group);
	pv_put(&v, "gtin", p.gtin);
	pv_put(&v, "producer", p.producer.name);
	pv_put(&v, "province", p.producer.province);
	pv_set(&v, "issue_href", "/console/products/%s/issue", code);
	pv_put(&v, "may_issue",
	       u->role != OCOP_ROLE_INSPECTOR && s.state == P_IN_FORCE ? "1"
								       : "");
	pv_put(&v, "in_force", s.state == P_IN_FORCE ? "1" : "");
	pv_put(&v, "banner", banner_text(c, &s, banner, sizeof(banner)));
	if (s.state == P_IN_FORCE) {
		pv_put(&v, "stars_marks", stars_marks(s.r->stars));
		pv_set(&v, "stars", "%d %s", s.r->stars, W(c, "sao", "stars"));
		pv_put(&v, "until", day_text(s.r->end, dd));
		pv_set(&v, "days_left", "%d", s.days_left);
		pv_put(&v, "window",
		       window_text(c, &s, &open, window, sizeof(window)));
	} else {
		pv_put(&v, "stars_marks", "");
		pv_put(&v, "stars", "");
		pv_put(&v, "until", "");
		pv_put(&v, "days_left", "");
		pv_put(&v, "window", "");
	}
	pv_put(&v, "window_open", open ? "1" : "");
	pv_set(&v, "issued", "%lld", (long long)issued);
	pv_set(&v, "scans30", "%lld", (long long)count);
	pv_put(&v, "history", hist.data);
	pv_put(&v, "batches", bl.n ? batches.data : "");
	pv_put(&v, "months", months.data);
	pv_put(&v, "places", sums->nplaces ? places.data : "");
	pv_put(&v, "clones", nclones ? clones.data : "");
	pv_put(&v, "t_code", W(c, "Mã sản phẩm", "Product code"));
	pv_put(&v, "t_group", W(c, "Nhóm", "Group"));
	pv_put(&v, "t_producer", W(c, "Chủ thể", "Producer"));
	pv_put(&v, "t_stars", W(c, "Số sao", "Stars"));
	pv_put(&v, "t_until", W(c, "Hiệu lực đến", "Valid until"));
	pv_put(&v, "t_left", W(c, "Số ngày còn lại", "Days left"));
	pv_put(&v, "t_window", W(c, "Đánh giá lại", "Re-evaluation"));
	pv_put(&v, "t_issued", W(c, "Tem đã phát hành", "Labels issued"));
	pv_put(&v, "t_scans30",
	       W(c, "Lượt quét 30 ngày qua", "Scans, last 30 days"));
	pv_put(&v, "t_issue", W(c, "Phát hành tem", "Issue labels"));
	pv_put(&v, "t_history",
	       W(c, "Lịch sử công nhận", "Recognition history"));
	pv_put(&v, "t_batches", W(c, "Các lô tem", "Label batches"));
	pv_put(&v, "t_no_batches",
	       W(c, "Chưa phát hành lô tem nào.", "No batch issued yet."));
	pv_put(&v, "t_months",
	       W(c, "Lượt quét theo tháng (12 tháng)",
		 "Scans by month (12 months)"));
	pv_put(&v, "t_places",
	       W(c, "Lượt quét theo nơi (12 tháng)",
		 "Scans by place (12 months)"));
	pv_put(&v, "t_no_scans",
	       W(c, "Chưa có lượt quét nào.", "No scans yet."));
	pv_put(&v, "t_clones",
	       W(c, "Tem nghi bị sao chép", "Suspected copied labels"));
	pv_put(&v, "t_clones_help",
	       W(c,
		 "Cùng một mã tem được quét ở từ 3 nơi trở lên trong 7 ngày: "
		 "tem có thể đã bị in lại.",
		 "The same serial scanned at 3 or more places within 7 "
		 "days: the label may have been copied."));
	pv_put(&v, "t_no_clones",
	       W(c, "Không có tem nào đáng ngờ.", "No suspect label."));
	snprintf(title, sizeof(title), "%s", p.name);
	console_page(c, resp, 200, title, "product.html", v.v, v.n);
	goto out;
out_fail:
	fail(c, resp, &err);
out:
	free(sums);
	free(bl.b);
	ocop_history_release(&h);
	ocop_buf_release(&hist);
	ocop_buf_release(&batches);
	ocop_buf_release(&months);
	ocop_buf_release(&places);
	ocop_buf_release(&clones);
	return 0;
}

/* ---- issuing ------------------------------------------------------------ */

struct issue_form {
	const char *count, *lot, *made, *best_before, *format, *size_mm;
};

static void
issue_page(struct conn *c, struct http_resp *resp, int status,
	   const struct ocop_product *p, const struct pstatus *s,
	   const struct issue_form *f, const char *problem)
{
	static const char *const formats[] = {"pdf", "png", "svg", "csv"};
	struct pv v = {0};
	char code[200], banner[512], d[16];
	const char *fmt = f->format && *f->format ? f->format : "pdf";

	path_escape(p->code, code, sizeof(code));
	pv_put(&v, "name", p->name);
	pv_put(&v, "code", p->code);
	pv_set(&v, "action", "/console/products/%s/issue", code);
	pv_set(&v, "product_href", "/console/products/%s", code);
	pv_put(&v, "in_force", s->state == P_IN_FORCE ? "1" : "");
	pv_put(&v, "refused", banner_text(c, s, banner, sizeof(banner)));
	pv_put(&v, "problem", problem);
	pv_put(&v, "count", f->count ? f->count : "");
	pv_put(&v, "lot", f->lot ? f->lot : "");
	pv_put(&v, "made", f->made ? f->made : "");
	pv_put(&v, "best_before", f->best_before ? f->best_before : "");
	pv_put(&v, "size_mm", f->size_mm && *f->size_mm ? f->size_mm : "30");
	for (size_t i = 0; i < 4; i++) {
		static const char *const sel[] = {"sel_pdf", "sel_png",
						  "sel_svg", "sel_csv"};

		pv_put(&v, sel[i], strcmp(fmt, formats[i]) == 0 ? "1" : "");
	}
	pv_put(&v, "stars_marks",
	       s->state == P_IN_FORCE ? stars_marks(s->r->stars) : "");
	if (s->state == P_IN_FORCE)
		pv_set(&v, "stars", "%d %s · %s %s", s->r->stars,
		       W(c, "sao", "stars"),
		       W(c, "hiệu lực đến", "valid until"),
		       day_text(s->r->end, d));
	else
		pv_put(&v, "stars", "");
	pv_put(&v, "t_title", W(c, "Phát hành tem", "Issue labels"));
	pv_put(&v, "t_refused",
	       W(c, "Không thể phát hành tem cho sản phẩm này",
		 "Labels cannot be issued for this product"));
	pv_put(&v, "t_back", W(c, "Về trang sản phẩm", "Back to the product"));
	pv_put(&v, "t_count", W(c, "Số tem", "Number of labels"));
	pv_put(&v, "t_count_hint", W(c, "Từ 1 đến 100.000.", "1 to 100,000."));
	pv_put(&v, "t_lot", W(c, "Số lô (không bắt buộc)", "Lot (optional)"));
	pv_put(&v, "t_lot_hint",
	       W(c, "Tối đa 20 ký tự: chữ, số, dấu chấm, gạch ngang.",
		 "Up to 20 of: letters, digits, dot, hyphen."));
	pv_put(&v, "t_made",
	       W(c, "Ngày sản xuất (NSX, không bắt buộc)",
		 "Production date (optional)"));
	pv_put(&v, "t_best_before",
	       W(c, "Hạn sử dụng (HSD, không bắt buộc)",
		 "Best before (optional)"));
	pv_put(&v, "t_format", W(c, "Dạng tệp", "File format"));
	pv_put(&v, "t_pdf", W(c, "PDF in sẵn (tờ A4)", "Print-ready PDF (A4)"));
	pv_put(&v, "t_png",
	       W(c, "PNG, mỗi tem một tệp (tệp .zip)",
		 "PNG, one file a label (.zip)"));
	pv_put(&v, "t_svg",
	       W(c, "SVG, mỗi tem một tệp (tệp .zip)",
		 "SVG, one file a label (.zip)"));
	pv_put(&v, "t_csv",
	       W(c, "Chỉ danh sách CSV (cho nhà in)",
		 "The CSV list only (for print shops)"));
	pv_put(&v, "t_size",
	       W(c, "Cỡ tem (mm, với PDF)", "Label size (mm, for PDF)"));
	pv_set(&v, "size_min", "%d", RENDER_PDF_MIN_MM);
	pv_set(&v, "size_max", "%d", RENDER_PDF_MAX_MM);
	pv_put(&v, "t_submit", W(c, "Phát hành", "Issue"));
	pv_put(&v, "t_note",
	       W(c,
		 "Tem in số sao đang có hiệu lực hôm nay. Lô tem được lưu "
		 "ngay; tệp để in được tạo khi bạn tải về.",
		 "Labels carry the stars in force today. The batch is stored "
		 "at once; the files to print are made when you download "
		 "them."));
	console_page(c, resp, status, W(c, "Phát hành tem", "Issue labels"),
		     "issue.html", v.v, v.n);
}

int
console_issue(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_form *form = console_form(c);
	struct ocop_error err = {0};
	struct label_issue_opts o;
	struct issue_form f = {0};
	struct ocop_product p;
	struct ocop_history h;
	struct ocop_batch batch;
	struct ocop_store *st, *ws;
	struct pstatus s;
	char lot[21], actor[200], problem[512];
	int rc;

	ocop_history_init(&h);
	if (!(st = server_store(c->srv, &err))) {
		fail(c, resp, &err);
		goto out;
	}
	if (product_of(c, resp, st, &p))
		goto out;
	if ((rc = registry_history(st, p.id, &h, &err)) < 0) {
		fail(c, resp, &err);
		goto out;
	}
	status_of(&h, ocop_today(), &s);
	if (strcmp(method, "POST") != 0) {
		issue_page(c, resp, s.state == P_IN_FORCE ? 200 : 409, &p, &s,
			   &f, NULL);
		goto out;
	}
	f.count = console_field(form, "count");
	f.lot = console_field(form, "lot");
	f.made = console_field(form, "made");
	f.best_before = console_field(form, "best_before");
	f.format = console_field(form, "format");
	f.size_mm = console_field(form, "size_mm");
	if (s.state != P_IN_FORCE) {
		issue_page(c, resp, 409, &p, &s, &f, NULL);
		goto out;
	}
	label_issue_opts_init(&o);
	problem[0] = '\0';
	if (console_form_int(f.count, 1, CONSOLE_MAX_COUNT, &o.count) < 0)
		snprintf(problem, sizeof(problem), "%s",
			 W(c, "Số tem phải là một số từ 1 đến 100.000.",
			   "The number of labels must be 1 to 100,000."));
	else if (f.lot && *f.lot && ocop_lot_normalize(f.lot, lot, NULL) < 0)
		snprintf(problem, sizeof(problem), "%s",
			 W(c,
			   "Số lô chỉ gồm 1 đến 20 ký tự: chữ không dấu, số, "
			   "dấu chấm, gạch ngang.",
			   "A lot is 1 to 20 of: letters without accents, "
			   "digits, dot, hyphen."));
	else if (console_form_day(f.made, &o.made_on) < 0 ||
		 console_form_day(f.best_before, &o.best_before) < 0)
		snprintf(problem, sizeof(problem), "%s",
			 W(c, "Ngày không hợp lệ: dùng dạng NNNN-TT-NN.",
			   "Invalid date: use the form YYYY-MM-DD."));
	else if (o.made_on != OCOP_NO_DAY && o.best_before != OCOP_NO_DAY &&
		 o.best_before < o.made_on)
		snprintf(problem, sizeof(problem), "%s",
			 W(c, "Hạn sử dụng không thể trước ngày sản xuất.",
			   "The best-before date cannot be before the "
			   "production date."));
	else if (label_format_parse(f.format ? f.format : "pdf", &o.format,
				    NULL) < 0)
		snprintf(problem, sizeof(problem), "%s",
			 W(c, "Dạng tệp không hợp lệ.", "Invalid format."));
	else if (console_form_int(f.size_mm && *f.size_mm ? f.size_mm : "30",
				  RENDER_PDF_MIN_MM, RENDER_PDF_MAX_MM,
				  &o.size_mm) < 0)
		snprintf(problem, sizeof(problem), "%s %d–%d mm.",
			 W(c, "Cỡ tem phải từ", "The label size must be"),
			 RENDER_PDF_MIN_MM, RENDER_PDF_MAX_MM);
	if (problem[0]) {
		issue_page(c, resp, 422, &p, &s, &f, problem);
		goto out;
	}
	o.product_code = p.code;
	o.lot = f.lot;
	o.out_dir = NULL; /* the files are made from the stored batch */
	o.actor = console_actor(c, actor, sizeof(actor));
	o.net = console_net(c);
	if (!(ws = server_write_store(c->srv, &err))) {
		fail(c, resp, &err);
		goto out;
	}
	rc = label_issue(ws, &o, &batch, &err);
	if (rc == OCOP_EREFUSED || rc == OCOP_EINVAL) {
		issue_page(c, resp, rc == OCOP_EREFUSED ? 409 : 422, &p, &s, &f,
			   err.msg);
		goto out;
	}
	if (rc < 0) {
		fail(c, resp, &err);
		goto out;
	}
	console_redirect(c, resp, "/console/batches/%lld?format=%s&size_mm=%d",
			 (long long)batch.id,
			 f.format && *f.format ? f.format : "pdf", o.size_mm);
out:
	ocop_history_release(&h);
	return 0;
}

/* ---- a batch ------------------------------------------------------------ */

/* The batch of the route's first '*' and its product when u may see
 * them; else 404 answered and 1 returned. */
static int
batch_of(struct conn *c, struct http_resp *resp, struct ocop_store *st,
	 struct ocop_batch *b, struct ocop_product *p)
{
	struct ocop_error err = {0};
	char id[24];
	int64_t n;
	int rc;

	if (c->arg_len[0] == 0 || c->arg_len[0] >= sizeof(id)) {
		console_not_found(c, resp);
		return 1;
	}
	memcpy(id, c->arg[0], c->arg_len[0]);
	id[c->arg_len[0]] = '\0';
	if (console_form_id(id, &n) < 0) {
		console_not_found(c, resp);
		return 1;
	}
	rc = st->m->batch_get(st, n, b, &err);
	if (rc == 0)
		rc = st->m->product_get_by_id(st, b->product_id, p, &err);
	if (rc == OCOP_ENOENT ||
	    (rc == 0 && !console_may_see(console_user(c), p->producer.id))) {
		console_not_found(c, resp);
		return 1;
	}
	if (rc < 0) {
		fail(c, resp, &err);
		return 1;
	}
	return 0;
}

struct voided {
	struct ocop_buf *out;
	const struct conn *c;
	int n;
};

static int
voided_label(void *ctx, const struct ocop_label *l)
{
	struct voided *v = ctx;
	char grouped[OCOP_SERIAL_GROUPED + 1], when[32];
	const char *cells[3];

	if (l->voided_at == OCOP_NO_TIME)
		return 0;
	if (v->n++ >= 200)
		return 0;
	ocop_serial_group(l->serial, grouped);
	cells[0] = grouped;
	cells[1] = report_local_time(l->voided_at, when);
	cells[2] = l->void_reason;
	row(v->out, cells, 3);
	return 0;
}

int
console_batch(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_user *u = console_user(c);
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_batch b;
	struct ocop_store *st;
	struct ocop_buf vl;
	struct voided vd;
	struct pv v = {0};
	const char *fmt = server_query_arg(c, "format");
	const char *size = server_query_arg(c, "size_mm");
	char code[200], when[32], d[16], d2[16];
	const char *vcols[] = {W(c, "Mã tem", "Serial"),
			       W(c, "Hủy lúc", "Voided"),
			       W(c, "Lý do", "Reason")};
	int rc, size_mm = 30;

	(void)method;
	ocop_buf_init(&vl, 0);
	if (!(st = server_store(c->srv, &err))) {
		fail(c, resp, &err);
		goto out;
	}
	if (batch_of(c, resp, st, &b, &p))
		goto out;
	head(&vl, vcols, 3);
	vd.out = &vl;
	vd.c = c;
	vd.n = 0;
	if ((rc = st->m->label_each_in_batch(st, b.id, voided_label, &vd,
					     &err)) < 0) {
		fail(c, resp, &err);
		goto out;
	}
	if (size)
		console_form_int(size, RENDER_PDF_MIN_MM, RENDER_PDF_MAX_MM,
				 &size_mm);
	if (!fmt || (strcmp(fmt, "png") != 0 && strcmp(fmt, "svg") != 0 &&
		     strcmp(fmt, "csv") != 0))
		fmt = "pdf";
	path_escape(p.code, code, sizeof(code));
	pv_set(&v, "id", "%lld", (long long)b.id);
	pv_put(&v, "name", p.name);
	pv_put(&v, "code", p.code);
	pv_set(&v, "product_href", "/console/products/%s", code);
	pv_put(&v, "issued_at", report_local_time(b.issued_at, when));
	pv_set(&v, "stars", "%s %d", stars_marks(b.stars), b.stars);
	pv_set(&v, "count", "%d", b.count);
	pv_put(&v, "lot", b.lot[0] ? b.lot : "–");
	pv_put(&v, "made",
	       b.made_on != OCOP_NO_DAY ? day_text(b.made_on, d) : "–");
	pv_put(&v, "best_before",
	       b.best_before != OCOP_NO_DAY ? day_text(b.best_before, d2)
					    : "–");
	pv_put(&v, "voided", b.voided_at != OCOP_NO_TIME ? "1" : "");
	{
		char vw[32];

		pv_set(&v, "voided_text", "%s %s%s%s",
		       W(c, "Lô tem đã bị hủy lúc", "This batch was voided at"),
		       b.voided_at != OCOP_NO_TIME
			   ? report_local_time(b.voided_at, vw)
			   : "",
		       b.void_reason[0] ? ": " : "", b.void_reason);
	}
	pv_put(&v, "may_void", u->role != OCOP_ROLE_INSPECTOR ? "1" : "");
	pv_put(&v, "notice",
	       server_query_arg(c, "voided")
		   ? W(c, "Đã hủy.", "Voided.")
		   : (server_query_arg(c, "format")
			  ? W(c, "Lô tem đã được phát hành. Tải tệp về để in.",
			      "The batch is issued. Download its files to "
			      "print.")
			  : ""));
	pv_set(&v, "size_mm", "%d", size_mm);
	pv_put(&v, "fmt_pdf", strcmp(fmt, "pdf") == 0 ? "1" : "");
	pv_put(&v, "fmt_svg", strcmp(fmt, "svg") == 0 ? "1" : "");
	pv_set(&v, "nvoided", "%d", vd.n);
	pv_put(&v, "voided_labels", vd.n ? vl.data : "");
	pv_set(&v, "size_min", "%d", RENDER_PDF_MIN_MM);
	pv_set(&v, "size_max", "%d", RENDER_PDF_MAX_MM);
	pv_put(&v, "t_batch", W(c, "Lô tem", "Label batch"));
	pv_put(&v, "t_product", W(c, "Sản phẩm", "Product"));
	pv_put(&v, "t_issued_at", W(c, "Phát hành lúc", "Issued at"));
	pv_put(&v, "t_stars", W(c, "Số sao in trên tem", "Stars printed"));
	pv_put(&v, "t_count", W(c, "Số tem", "Labels"));
	pv_put(&v, "t_lot", W(c, "Số lô", "Lot"));
	pv_put(&v, "t_made", W(c, "Ngày sản xuất", "Production date"));
	pv_put(&v, "t_best_before", W(c, "Hạn sử dụng", "Best before"));
	pv_put(&v, "t_files", W(c, "Tải tệp về", "Download the files"));
	pv_put(&v, "t_pdf",
	       W(c, "Tem in sẵn (PDF, tờ A4)", "Print-ready labels (PDF, A4)"));
	pv_put(&v, "t_size", W(c, "Cỡ tem (mm)", "Label size (mm)"));
	pv_put(&v, "t_get_pdf", W(c, "Tải labels.pdf", "Download labels.pdf"));
	pv_put(&v, "t_zip_png",
	       W(c, "Tải labels.zip (PNG + CSV)",
		 "Download labels.zip (PNG + CSV)"));
	pv_put(&v, "t_zip_svg",
	       W(c, "Tải labels.zip (SVG + CSV)",
		 "Download labels.zip (SVG + CSV)"));
	pv_put(&v, "t_csv",
	       W(c, "Tải labels.csv (danh sách mã)",
		 "Download labels.csv (the list of codes)"));
	pv_put(&v, "t_void", W(c, "Hủy tem", "Void labels"));
	pv_put(&v, "t_void_batch",
	       W(c, "Hủy cả lô tem này…", "Void this whole batch…"));
	pv_put(&v, "t_void_one",
	       W(c, "Hủy một tem của lô (nhập mã tem)",
		 "Void one label of the batch (its code)"));
	pv_put(&v, "t_next", W(c, "Tiếp tục…", "Continue…"));
	pv_put(&v, "t_voided_labels", W(c, "Tem đã hủy", "Voided labels"));
	console_page(c, resp, 200, W(c, "Lô tem", "Label batch"), "batch.html",
		     v.v, v.n);
out:
	ocop_buf_release(&vl);
	return 0;
}

/* ---- a batch's files ------------------------------------------------------
 */

/* Remove directory dir and the files in it (no subdirectories). */
static void
remove_dir(const char *dir, const char *const *names, size_t n)
{
	char path[512];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Open path for the answer and unlink it: the open file is the body. */
static int
send_file(struct http_resp *resp, const char *path, const char *type,
	  const char *filename)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	int fd;

	if (!f)
		return -1;
	fd = dup(fileno(f));
	fclose(f);
	unlink(path);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, type, sizeof(resp->content_type));
	resp->body.len = 0;
	resp->fd = fd;
	resp->fd_len = (size_t)sb.st_size;
	http_resp_header(resp, "Content-Disposition",
			 "attachment; filename=\"%s\"", filename);
	return 0;
}

static int
read_all(const char *path, struct ocop_buf *b)
{
	char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	b->len = 0;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ocop_buf_add(b, chunk, n) < 0)
			break;
	fclose(f);
	return 0;
}

/* labels.zip: the image files in the manifest's order, then the
 * manifest, into zip_path. */
static int
make_zip(const char *dir, const char *ext, const char *zip_path,
	 struct ocop_error *err)
{
	char path[512], line[512];
	struct ocop_buf data;
	struct zip *z;
	FILE *csv, *out;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, LABEL_MANIFEST);
	if (!(csv = fopen(path, "r")))
		return ocop_error_set(err, OCOP_EOUTPUT, "cannot read '%s'",
				      path);
	if (!(out = fopen(zip_path, "wb"))) {
		fclose(csv);
		return ocop_error_set(err, OCOP_EOUTPUT, "cannot create '%s'",
				      zip_path);
	}
	z = zip_new(out);
	ocop_buf_init(&data, 0);
	if (!fgets(line, sizeof(line), csv)) /* the header */
		rc = ocop_error_set(err, OCOP_EOUTPUT, "empty manifest");
	while (rc == 0 && fgets(line, sizeof(line), csv)) {
		char name[64];
		size_t n = strcspn(line, ",");

		if (n == 0 || n > OCOP_SERIAL_LEN)
			continue;
		snprintf(name, sizeof(name), "%.*s.%s", (int)n, line, ext);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (read_all(path, &data) < 0)
			rc = ocop_error_set(err, OCOP_EOUTPUT,
					    "cannot read '%s'", path);
		else
			rc = zip_add(z, name, data.data, data.len, err);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LABEL_MANIFEST);
	if (rc == 0 && read_all(path, &data) < 0)
		rc =
		    ocop_error_set(err, OCOP_EOUTPUT, "cannot read '%s'", path);
	if (rc == 0)
		rc = zip_add(z, LABEL_MANIFEST, data.data, data.len, err);
	if (rc == 0)
		rc = zip_finish(z, err);
	zip_free(z);
	ocop_buf_release(&data);
	fclose(csv);
	if (fclose(out) != 0 && rc == 0)
		rc = ocop_error_set(err, OCOP_EOUTPUT, "cannot write '%s'",
				    zip_path);
	return rc;
}

/*
 * Files made at a time. A batch's files of 100,000 labels take a core
 * for a while (a request thread, or the PDF's own thread until its
 * response ends); the pool has one thread a core, so one at a time
 * leaves the others to the shoppers' scans. The next asks to come back.
 */
#define FILES_AT_ONCE 1
static atomic_int files_busy;

static int
files_begin(void)
{
	if (atomic_fetch_add(&files_busy, 1) >= FILES_AT_ONCE) {
		atomic_fetch_sub(&files_busy, 1);
		return -1;
	}
	return 0;
}

static void
files_end(void)
{
	atomic_fetch_sub(&files_busy, 1);
}

static int batch_file(struct conn *c, struct http_resp *resp);
/*
 * labels.pdf is drawn on a thread of its own and sent as it is drawn:
 * the pages go to the client while the next ones are drawn, with no
 * file, no manifest and no sync, which only a batch's stored files need.
 * The drawing writes into a buffer (at most PDF_AHEAD bytes ahead of the
 * client); the response reads from it, and suspends its connection while
 * the buffer is empty, which the next bytes drawn resume. The response's
 * end (sent, failed or the client gone) stops the drawing, waits for the
 * thread and frees both.
 */
#define PDF_AHEAD (4 << 20)

struct pdf_stream {
	pthread_mutex_t mu;
	pthread_cond_t room; /* the drawing may go on */
	pthread_cond_t more; /* bytes drawn, or the drawing done */
	struct ocop_buf q;   /* drawn, not yet sent: from off */
	size_t off;
	int drawn; /* the thread is done: rc and err say how */
	int rc;
	struct ocop_error err;
	int suspended;		    /* mhd waits for bytes */
	volatile sig_atomic_t stop; /* the response is over */
	struct MHD_Connection *mhd;
	struct label_sheets *sheets;
	pthread_t th;
	int64_t batch_id;
};

/* Under mu: bytes were drawn, or the drawing ended. */
static void
pdf_stream_wake(struct pdf_stream *ps)
{
	pthread_cond_signal(&ps->more);
	if (ps->suspended) {
		ps->suspended = 0;
		MHD_resume_connection(ps->mhd);
	}
}

static ssize_t
pdf_stream_write(void *cls, const char *data, size_t n)
{
	struct pdf_stream *ps = cls;
	ssize_t rc = (ssize_t)n;

	pthread_mutex_lock(&ps->mu);
	while (!ps->stop && ps->q.len - ps->off > PDF_AHEAD)
		pthread_cond_wait(&ps->room, &ps->mu);
	/* what was sent goes once it is as long as what was not: the
	 * buffer stays under twice PDF_AHEAD and a write */
	if (ps->off > 0 && ps->off >= ps->q.len - ps->off) {
		memmove(ps->q.data, ps->q.data + ps->off, ps->q.len - ps->off);
		ps->q.len -= ps->off;
		ps->off = 0;
	}
	if (ps->stop || ocop_buf_add(&ps->q, data, n) < 0) {
		errno = EPIPE;
		rc = -1;
	} else
		pdf_stream_wake(ps);
	pthread_mutex_unlock(&ps->mu);
	return rc;
}

static void *
pdf_stream_draw(void *arg)
{
	struct pdf_stream *ps = arg;
	cookie_io_functions_t io = {.write = pdf_stream_write};
	struct ocop_error err = {0};
	FILE *f = fopencookie(ps, "w", io);
	int rc;

	if (!f)
		rc = ocop_error_set(&err, OCOP_EOUTPUT, "cannot open a stream");
	else {
		/* whole pages reach the buffer together */
		setvbuf(f, NULL, _IOFBF, 256 * 1024);
		rc = label_sheets_write(ps->sheets, f, &err);
		if (fclose(f) != 0 && rc == 0)
			rc = ocop_error_set(&err, OCOP_EOUTPUT,
					    "cannot send the PDF");
	}
	pthread_mutex_lock(&ps->mu);
	ps->drawn = 1;
	ps->rc = rc;
	ps->err = err;
	pdf_stream_wake(ps);
	pthread_mutex_unlock(&ps->mu);
	return NULL;
}

static ssize_t
pdf_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct pdf_stream *ps = cls;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&ps->mu);
	n = (ssize_t)(ps->q.len - ps->off);
	if (n > 0) {
		if ((size_t)n > max)
			n = (ssize_t)max;
		memcpy(buf, ps->q.data + ps->off, (size_t)n);
		ps->off += (size_t)n;
		pthread_cond_signal(&ps->room);
	} else if (ps->drawn) {
		/* a failure cuts the answer short: the client sees it
		 * incomplete, never a whole-looking PDF */
		n = ps->rc < 0 ? MHD_CONTENT_READER_END_WITH_ERROR
			       : MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* nothing yet: wait for the drawing, not in a loop */
		ps->suspended = 1;
		MHD_suspend_connection(ps->mhd);
		n = 0;
	}
	pthread_mutex_unlock(&ps->mu);
	return n;
}

static void
pdf_stream_free(struct pdf_stream *ps)
{
	label_sheets_free(ps->sheets);
	ocop_buf_release(&ps->q);
	pthread_cond_destroy(&ps->more);
	pthread_cond_destroy(&ps->room);
	pthread_mutex_destroy(&ps->mu);
	free(ps);
}

static void
pdf_stream_done(void *cls)
{
	struct pdf_stream *ps = cls;
	int left;

	pthread_mutex_lock(&ps->mu);
	left = !ps->drawn; /* the client, before the last page */
	ps->stop = 1;
	ps->suspended = 0; /* the connection is going: never resumed */
	pthread_cond_signal(&ps->room);
	pthread_mutex_unlock(&ps->mu);
	pthread_join(ps->th, NULL);
	/* a failure after the first bytes could only cut the answer
	 * short: the log says why */
	if (!left && ps->rc < 0)
		fprintf(stderr, "ocop: labels.pdf of batch %lld: %s\n",
			(long long)ps->batch_id, ps->err.msg);
	pdf_stream_free(ps);
	files_end();
}

/* Answer labels.pdf of batch b as it is drawn (see PDF_AHEAD); 0, or an
 * error before anything is answered. */
static int
pdf_stream_start(struct conn *c, struct http_resp *resp, struct ocop_store *st,
		 const struct ocop_batch *b, struct label_issue_opts *o,
		 struct ocop_error *err)
{
	struct pdf_stream *ps = ocop_xcalloc(1, sizeof(*ps));
	int rc;

	ps->batch_id = b->id;
	ps->mhd = c->mhd;
	o->cancel = &ps->stop;
	if ((rc = label_sheets_load(st, b->id, o, &ps->sheets, err)) < 0) {
		free(ps);
		return rc;
	}
	ocop_buf_init(&ps->q, 4 * PDF_AHEAD);
	pthread_mutex_init(&ps->mu, NULL);
	pthread_cond_init(&ps->room, NULL);
	pthread_cond_init(&ps->more, NULL);
	if (pthread_create(&ps->th, NULL, pdf_stream_draw, ps) != 0) {
		pdf_stream_free(ps);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot start drawing the PDF");
	}
	/* the answer starts with the first bytes: what fails before them
	 * (a missing font) still gets its error page */
	pthread_mutex_lock(&ps->mu);
	while (!ps->drawn && ps->q.len == 0)
		pthread_cond_wait(&ps->more, &ps->mu);
	rc = ps->drawn && ps->rc < 0 ? ps->rc : 0; /* nothing sent yet */
	pthread_mutex_unlock(&ps->mu);
	if (rc < 0) {
		pthread_join(ps->th, NULL);
		if (err)
			*err = ps->err;
		pdf_stream_free(ps);
		return rc;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "application/pdf",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	resp->read = pdf_stream_read;
	resp->done = pdf_stream_done;
	resp->cls = ps;
	http_resp_header(resp, "Content-Disposition",
			 "attachment; filename=\"batch-%lld-%s\"",
			 (long long)b->id, LABEL_PDF_FILE);
	return 0;
}

int
console_batch_file(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	if (files_begin() < 0) {
		http_resp_header(resp, "Retry-After", "30");
		console_error(c, resp, 503,
			      W(c,
				"Đang tạo tệp của một lô tem khác. Hãy thử lại "
				"sau ít phút.",
				"The files of another batch are being made. "
				"Try again in a few minutes."));
		return 0;
	}
	/* a PDF being sent keeps the slot until its response ends */
	if (batch_file(c, resp) == 0)
		files_end();
	return 0;
}

/* 1 when the answer is a PDF sent as it is drawn (pdf_stream_start),
 * which keeps the files' slot; else 0, answered. */
static int
batch_file(struct conn *c, struct http_resp *resp)
{
	const char *names[] = {LABEL_MANIFEST, "labels.zip"};
	struct ocop_error err = {0};
	struct label_issue_opts o;
	struct ocop_product p;
	struct ocop_batch b;
	struct ocop_store *st;
	const char *tmp = getenv("TMPDIR"), *size, *fmt;
	char file[32], top[256], dir[320], path[512];
	int rc;

	if (!(st = server_store(c->srv, &err))) {
		fail(c, resp, &err);
		return 0;
	}
	if (batch_of(c, resp, st, &b, &p))
		return 0;
	if (c->arg_len[1] >= sizeof(file)) {
		console_not_found(c, resp);
		return 0;
	}
	memcpy(file, c->arg[1], c->arg_len[1]);
	file[c->arg_len[1]] = '\0';
	label_issue_opts_init(&o);
	fmt = server_query_arg(c, "format");
	if (strcmp(file, LABEL_PDF_FILE) == 0) {
		o.format = LABEL_FORMAT_PDF;
		size = server_query_arg(c, "size_mm");
		if (size &&
		    console_form_int(size, RENDER_PDF_MIN_MM, RENDER_PDF_MAX_MM,
				     &o.size_mm) < 0) {
			console_error(c, resp, 400,
				      W(c, "Cỡ tem không hợp lệ.",
					"Invalid label size."));
			return 0;
		}
	} else if (strcmp(file, LABEL_MANIFEST) == 0) {
		o.format = LABEL_FORMAT_CSV;
	} else if (strcmp(file, "labels.zip") == 0) {
		o.format = fmt && strcmp(fmt, "svg") == 0 ? LABEL_FORMAT_SVG
							  : LABEL_FORMAT_PNG;
	} else {
		console_not_found(c, resp);
		return 0;
	}
	if (o.format == LABEL_FORMAT_PDF) {
		if (pdf_stream_start(c, resp, st, &b, &o, &err) == 0)
			return 1;
		fail(c, resp, &err);
		return 0;
	}
	if (!tmp || !*tmp || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(top, sizeof(top), "%s/ocop-files-XXXXXX", tmp);
	if (!mkdtemp(top)) {
		ocop_error_set(&err, OCOP_EOUTPUT,
			       "cannot make a directory in '%s': %s", tmp,
			       strerror(errno));
		fail(c, resp, &err);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/batch", top);
	o.out_dir = dir;
	rc = label_files(st, b.id, &o, &err);
	if (rc == 0 && o.format != LABEL_FORMAT_CSV) {
		snprintf(path, sizeof(path), "%s/labels.zip", dir);
		rc = make_zip(dir, o.format == LABEL_FORMAT_SVG ? "svg" : "png",
			      path, &err);
	}
	if (rc == 0) {
		char filename[64];

		snprintf(path, sizeof(path), "%s/%s", dir, file);
		snprintf(filename, sizeof(filename), "batch-%lld-%s",
			 (long long)b.id, file);
		if (send_file(resp, path,
			      o.format == LABEL_FORMAT_CSV
				  ? "text/csv; charset=utf-8"
				  : "application/zip",
			      filename) < 0)
			rc = ocop_error_set(&err, OCOP_EOUTPUT,
					    "cannot open '%s'", path);
	}
	remove_dir(dir, names, 2);
	rmdir(top);
	if (rc < 0)
		fail(c, resp, &err);
	return 0;
}

/* ---- voiding ------------------------------------------------------------- */

int
console_batch_void(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_form *form = console_form(c);
	struct ocop_error err = {0};
	struct ocop_product p;
	struct ocop_batch b;
	struct ocop_label l;
	struct ocop_store *st, *ws;
	struct pv v = {0};
	const char *typed, *reason = NULL;
	char serial[OCOP_SERIAL_LEN + 1], grouped[OCOP_SERIAL_GROUPED + 1];
	char actor[200], when[32];
	int post = strcmp(method, "POST") == 0, one, rc;

	if (!(st = server_store(c->srv, &err))) {
		fail(c, resp, &err);
		return 0;
	}
	if (batch_of(c, resp, st, &b, &p))
		return 0;
	typed = post ? console_field(form, "serial")
		     : server_query_arg(c, "serial");
	one = typed && *typed;
	serial[0] = grouped[0] = '\0';
	if (one) {
		/* a label of another batch is as missing as no label */
		if (ocop_serial_normalize(typed, serial, NULL) < 0 ||
		    st->m->label_get(st, serial, &l, NULL) < 0 ||
		    l.batch_id != b.id) {
			console_error(c, resp, 404,
				      W(c,
					"Lô tem này không có tem nào mang mã "
					"đó.",
					"No label of this batch has that "
					"code."));
			return 0;
		}
		ocop_serial_group(serial, grouped);
	}
	if (post) {
		reason = console_field(form, "reason");
		if (!reason || !*reason)
			goto confirm;
		if (!(ws = server_write_store(c->srv, &err))) {
			fail(c, resp, &err);
			return 0;
		}
		rc = label_void(ws, one ? serial : NULL, b.id,
				console_actor(c, actor, sizeof(actor)),
				console_net(c), ocop_now(), reason, &err);
		if (rc < 0) {
			fail(c, resp, &err);
			return 0;
		}
		console_redirect(c, resp, "/console/batches/%lld?voided=1",
				 (long long)b.id);
		return 0;
	}
confirm:
	pv_set(&v, "action", "/console/batches/%lld/void", (long long)b.id);
	pv_set(&v, "back", "/console/batches/%lld", (long long)b.id);
	pv_put(&v, "serial", serial);
	pv_put(&v, "problem",
	       post ? W(c, "Hãy ghi lý do hủy.", "Give the reason.") : "");
	if (one)
		pv_set(&v, "what", "%s %s (%s, %s #%lld)",
		       W(c, "Hủy tem", "Void label"), grouped, p.name,
		       W(c, "lô", "batch"), (long long)b.id);
	else
		pv_set(&v, "what", "%s #%lld: %d %s (%s, %s %s)",
		       W(c, "Hủy cả lô tem", "Void the whole batch"),
		       (long long)b.id, b.count, W(c, "tem", "labels"), p.name,
		       W(c, "phát hành lúc", "issued"),
		       report_local_time(b.issued_at, when));
	pv_put(&v, "t_warn",
	       W(c,
		 "Tem đã hủy sẽ hiện là \"đã bị hủy\" với mọi người quét nó, "
		 "từ bây giờ. Việc này không hoàn tác được.",
		 "A voided label shows as \"voided\" to everyone who scans "
		 "it, from now on. This cannot be undone."));
	pv_put(&v, "t_reason", W(c, "Lý do hủy", "Reason"));
	pv_put(&v, "t_confirm", W(c, "Xác nhận hủy", "Void"));
	pv_put(&v, "t_cancel", W(c, "Không, quay lại", "No, go back"));
	console_page(c, resp, post ? 422 : 200, W(c, "Hủy tem", "Void labels"),
		     "void.html", v.v, v.n);
	return 0;
}
