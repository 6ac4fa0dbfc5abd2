/*
 * page.c - the consumer pages (see page.h): a tiny template engine and the
 * words of the pages in Vietnamese and English.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assets.h"
#include "page.h"

#define VARS_MAX 96
#define POOL_SIZE 32768

/* The values of one page: names are static strings, values live in pool. */
struct vars {
	struct page_var v[VARS_MAX];
	size_t n;
	char pool[POOL_SIZE];
	size_t used;
};

static void
var_set(struct vars *vs, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
var_set(struct vars *vs, const char *name, const char *fmt, ...)
{
	size_t room = POOL_SIZE - vs->used;
	char *dst = vs->pool + vs->used;
	va_list ap;
	int n;

	if (vs->n >= VARS_MAX || room == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(dst, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		n = (int)room - 1;
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = dst;
	vs->n++;
	vs->used += (size_t)n + 1;
}

static const char *
var_get(const struct page_var *vars, size_t n, const char *name, size_t len)
{
	/* later settings win, so a caller can override a default */
	for (size_t i = n; i-- > 0;)
		if (strlen(vars[i].name) == len &&
		    memcmp(vars[i].name, name, len) == 0)
			return vars[i].value;
	return NULL;
}

/* Find the "{{/name}}" that closes a section opened before p. */
static const char *
find_close(const char *p, const char *end, const char *name, size_t len)
{
	int depth = 0;

	for (; p < end; p++) {
		if (p[0] != '{' || p + 1 >= end || p[1] != '{')
			continue;
		if ((p[2] == '#' || p[2] == '^') &&
		    strncmp(p + 3, name, len) == 0 && p[3 + len] == '}')
			depth++;
		else if (p[2] == '/' && strncmp(p + 3, name, len) == 0 &&
			 p[3 + len] == '}') {
			if (depth == 0)
				return p;
			depth--;
		}
	}
	return NULL;
}

static int
render_range(const char *p, const char *end, const struct page_var *vars,
	     size_t nvars, struct ocop_buf *out, struct ocop_error *err)
{
	int rc;

	while (p < end) {
		const char *open = strstr(p, "{{");
		const char *close, *name, *val, *sec_end;
		size_t len;
		char kind;

		if (!open || open >= end)
			open = end;
		if ((rc = ocop_buf_add(out, p, (size_t)(open - p))) < 0)
			return ocop_error_set(err, rc, "page too large");
		if (open == end)
			break;
		close = strstr(open, "}}");
		if (!close || close >= end)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: unclosed '{{'");
		kind = open[2];
		name = open + 2;
		if (kind == '#' || kind == '^' || kind == '/')
			name++;
		len = (size_t)(close - name);
		val = var_get(vars, nvars, name, len);
		if (!val)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: unknown placeholder "
					      "'%.*s'",
					      (int)len, name);
		p = close + 2;
		if (kind == '/')
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: stray '{{/%.*s}}'",
					      (int)len, name);
		if (kind != '#' && kind != '^') {
			if ((rc = ocop_buf_add_html(out, val)) < 0)
				return ocop_error_set(err, rc,
						      "page too large");
			continue;
		}
		sec_end = find_close(p, end, name, len);
		if (!sec_end)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: section '%.*s' is not "
					      "closed",
					      (int)len, name);
		if ((kind == '#') == (val[0] != '\0')) {
			/* drop the newline after a section tag */
			const char *b = p;

			if (b < sec_end && *b == '\n')
				b++;
			rc = render_range(b, sec_end, vars, nvars, out, err);
			if (rc < 0)
				return rc;
		}
		p = sec_end + len + 5;
		if (p < end && *p == '\n')
			p++;
	}
	return 0;
}

int
page_render(const char *tmpl, const struct page_var *vars, size_t nvars,
	    struct ocop_buf *out, struct ocop_error *err)
{
	return render_range(tmpl, tmpl + strlen(tmpl), vars, nvars, out, err);
}

const char *
page_lang(const char *lang_arg, const char *accept_language)
{
	if (lang_arg && *lang_arg)
		return strncasecmp(lang_arg, "en", 2) == 0 ? "en" : "vi";
	if (accept_language) {
		while (*accept_language == ' ')
			accept_language++;
		if (strncasecmp(accept_language, "en", 2) == 0)
			return "en";
	}
	return "vi";
}

/* ---- words ------------------------------------------------------------ */

struct words {
	const char *name;
	const char *vi;
	const char *en;
};

static const struct words label_words[] = {
	{"t_producer", "Chủ thể sản xuất", "Producer"},
	{"t_group", "Nhóm sản phẩm", "Product group"},
	{"t_printed_stars", "Hạng sao in trên nhãn", "Stars printed on the label"},
	{"t_rec_stars", "Hạng sao được công nhận", "Stars recognised"},
	{"t_decision", "Quyết định công nhận", "Recognition decision"},
	{"t_issuer", "Cơ quan công nhận", "Recognised by"},
	{"t_validity", "Thời hạn công nhận", "Recognition valid"},
	{"t_extended", "Gia hạn đến", "Extended until"},
	{"t_revoked", "Thu hồi", "Revoked"},
	{"t_serial", "Mã nhãn", "Label code"},
	{"t_code", "Mã đã quét", "Code scanned"},
	{"t_lot", "Lô sản xuất", "Lot"},
	{"t_made_on", "Ngày sản xuất (NSX)", "Production date"},
	{"t_best_before", "Hạn sử dụng (HSD)", "Best before"},
	{"t_issued", "Ngày phát hành nhãn", "Label issued"},
	{"t_voided", "Nhãn bị hủy", "Label voided"},
	{"t_gtin", "Mã số GTIN", "GTIN"},
	{"t_checked_at", "Kiểm tra lúc", "Checked at"},
};

static const char *const verdict_vi[] = {
	[OCOP_UNKNOWN] = "Không tìm thấy nhãn",
	[OCOP_VOIDED] = "Nhãn đã bị hủy",
	[OCOP_REVOKED] = "Đã bị thu hồi công nhận OCOP",
	[OCOP_EXPIRED] = "Hết hạn công nhận OCOP",
	[OCOP_STAR_MISMATCH] = "Sai hạng sao OCOP",
	[OCOP_VALID] = "Sản phẩm OCOP hợp lệ",
};
static const char *const verdict_en[] = {
	[OCOP_UNKNOWN] = "Label not found",
	[OCOP_VOIDED] = "Label voided",
	[OCOP_REVOKED] = "OCOP recognition revoked",
	[OCOP_EXPIRED] = "OCOP recognition expired",
	[OCOP_STAR_MISMATCH] = "OCOP star rating mismatch",
	[OCOP_VALID] = "Genuine OCOP product",
};

static const struct {
	const char *code, *vi, *en;
} groups[] = {
	{"I", "I – Thực phẩm", "I – Food"},
	{"II", "II – Đồ uống", "II – Beverages"},
	{"III", "III – Dược liệu và sản phẩm từ dược liệu",
	 "III – Medicinal herbs and herbal products"},
	{"IV", "IV – Thủ công mỹ nghệ", "IV – Handicrafts"},
	{"V", "V – Sinh vật cảnh", "V – Ornamental plants and animals"},
	{"VI", "VI – Du lịch cộng đồng, sinh thái và điểm du lịch",
	 "VI – Community and eco-tourism"},
};

static const struct {
	const char *code, *vi, *en;
} kinds[] = {
	{"HTX", "Hợp tác xã", "Cooperative"},
	{"THT", "Tổ hợp tác", "Cooperative group"},
	{"DN", "Doanh nghiệp", "Enterprise"},
	{"hộ", "Hộ kinh doanh", "Household business"},
};

static const char *const ground_vi[] = {
	[OCOP_GROUND_A] = "hồ sơ không trung thực",
	[OCOP_GROUND_B] = "không còn đáp ứng tiêu chí",
	[OCOP_GROUND_C] = "vi phạm về chất lượng, an toàn thực phẩm, môi "
			  "trường, sở hữu trí tuệ hoặc ghi nhãn",
	[OCOP_GROUND_D] = "sử dụng sai biểu trưng OCOP",
	[OCOP_GROUND_DD] = "ngừng sản xuất",
	[OCOP_GROUND_E] = "theo kết luận của cơ quan có thẩm quyền",
	[OCOP_GROUND_LAPSED] = "hết hạn mà không được đánh giá lại",
};
static const char *const ground_en[] = {
	[OCOP_GROUND_A] = "false dossier",
	[OCOP_GROUND_B] = "no longer meets the criteria",
	[OCOP_GROUND_C] = "quality, food safety, environment, intellectual "
			  "property or labelling violation",
	[OCOP_GROUND_D] = "misuse of the OCOP mark",
	[OCOP_GROUND_DD] = "production stopped",
	[OCOP_GROUND_E] = "official conclusion",
	[OCOP_GROUND_LAPSED] = "lapsed without re-evaluation",
};

static int
is_en(const char *lang)
{
	return strcmp(lang, "en") == 0;
}

static const char *
pick(const char *lang, const char *vi, const char *en)
{
	return is_en(lang) ? en : vi;
}

static void
set_words(struct vars *vs, const struct words *w, size_t n, const char *lang)
{
	for (size_t i = 0; i < n; i++)
		var_set(vs, w[i].name, "%s", pick(lang, w[i].vi, w[i].en));
}

static const char *const months_en[] = {"Jan", "Feb", "Mar", "Apr",
					"May", "Jun", "Jul", "Aug",
					"Sep", "Oct", "Nov", "Dec"};

/* A day as people write it: 05/03/2026, or 5 Mar 2026 in English. */
static char *
fmt_day(int32_t day, const char *lang, char *buf, size_t size)
{
	int y, m, d;

	if (day == OCOP_NO_DAY) {
		buf[0] = '\0';
		return buf;
	}
	ocop_day_to_ymd(day, &y, &m, &d);
	if (is_en(lang))
		snprintf(buf, size, "%d %s %d", d, months_en[(m - 1) % 12], y);
	else
		snprintf(buf, size, "%02d/%02d/%d", d, m, y);
	return buf;
}

/* An instant in Vietnam time: "14:05 ngày 05/03/2026". */
static char *
fmt_time(int64_t t, const char *lang, char *buf, size_t size)
{
	char day[32];
	int64_t local = t + OCOP_TZ_OFFSET;
	int64_t secs = ((local % 86400) + 86400) % 86400;

	fmt_day(ocop_day_of(t), lang, day, sizeof(day));
	snprintf(buf, size, "%02d:%02d %s %s", (int)(secs / 3600),
		 (int)(secs / 60 % 60), pick(lang, "ngày", "on"), day);
	return buf;
}

static const char *
group_text(const char *code, const char *lang)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].code, code) == 0)
			return pick(lang, groups[i].vi, groups[i].en);
	return code;
}

static const char *
kind_text(const char *kind, const char *lang)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].code, kind) == 0)
			return pick(lang, kinds[i].vi, kinds[i].en);
	return kind;
}

static void
set_stars(struct vars *vs, const char *marks_name, const char *text_name,
	  int stars, const char *lang)
{
	char marks[32] = "";

	for (int i = 0; i < stars && i < 5; i++)
		strcat(marks, "★");
	var_set(vs, marks_name, "%s", marks);
	var_set(vs, text_name, "%d %s", stars, pick(lang, "sao", "stars"));
}

static void
set_producer(struct vars *vs, const struct ocop_producer *pr,
	     const char *lang)
{
	if (pr->province[0])
		var_set(vs, "producer", "%s (%s), %s", pr->name,
			kind_text(pr->kind, lang), pr->province);
	else
		var_set(vs, "producer", "%s (%s)", pr->name,
			kind_text(pr->kind, lang));
}

/* decision, issuer, validity, extended, revoked of a recognition */
static void
set_recognition(struct vars *vs, const struct ocop_recognition *r,
		const char *lang)
{
	char a[32], b[32];

	set_stars(vs, "rec_star_marks", "rec_stars", r->stars, lang);
	var_set(vs, "decision", "%s, %s %s", r->decision_no,
		pick(lang, "ngày", "dated"),
		fmt_day(r->decided_on, lang, a, sizeof(a)));
	var_set(vs, "issuer", "%s", r->issuer);
	var_set(vs, "validity", "%s – %s",
		fmt_day(r->valid_from, lang, a, sizeof(a)),
		fmt_day(r->valid_until, lang, b, sizeof(b)));
	if (r->extended_until != OCOP_NO_DAY)
		var_set(vs, "extended", "%s",
			fmt_day(r->extended_until, lang, a, sizeof(a)));
	else
		var_set(vs, "extended", "%s", "");
	if (r->revoked_on != OCOP_NO_DAY) {
		const char *g = NULL;

		if (r->ground > OCOP_GROUND_NONE &&
		    r->ground <= OCOP_GROUND_LAPSED)
			g = is_en(lang) ? ground_en[r->ground]
					: ground_vi[r->ground];
		var_set(vs, "revoked", "%s %s%s%s%s%s",
			pick(lang, "từ ngày", "from"),
			fmt_day(r->revoked_on, lang, a, sizeof(a)),
			r->revoke_decision_no[0] ? pick(lang, ", quyết định ",
							", decision ")
						 : "",
			r->revoke_decision_no, g ? pick(lang, ": ", ": ") : "",
			g ? g : "");
	} else {
		var_set(vs, "revoked", "%s", "");
	}
}

static void
set_switch(struct vars *vs, const char *lang, const char *self_path)
{
	const char *other = is_en(lang) ? "vi" : "en";

	var_set(vs, "lang", "%s", lang);
	var_set(vs, "switch_lang", "%s", other);
	var_set(vs, "switch_name", "%s",
		is_en(lang) ? "Xem bằng tiếng Việt" : "View in English");
	var_set(vs, "switch_href", "%s?lang=%s", self_path, other);
}

static const char *
tone_of(enum ocop_verdict v)
{
	if (v == OCOP_VALID)
		return "ok";
	if (v == OCOP_STAR_MISMATCH)
		return "warn";
	return "bad";
}

static int
render_asset(const char *name, struct vars *vs, struct ocop_buf *out,
	     struct ocop_error *err)
{
	const struct ocop_asset *a = assets_find(name);

	if (!a)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "missing template '%s'", name);
	return page_render(a->data, vs->v, vs->n, out, err);
}

static void
set_count(struct vars *vs, const struct ocop_record *rec, const char *lang)
{
	char when[64];

	if (rec->scan_count <= 0) {
		var_set(vs, "count_text", "%s",
			pick(lang, "Mã này chưa được kiểm tra lần nào.",
			     "This code has not been checked before."));
		return;
	}
	fmt_time(rec->first_scan_at != OCOP_NO_TIME ? rec->first_scan_at
						    : rec->checked_at,
		 lang, when, sizeof(when));
	if (rec->scan_count == 1)
		var_set(vs, "count_text", "%s %s.",
			pick(lang,
			     "Mã này đã được kiểm tra 1 lần: đây là lần đầu, "
			     "lúc",
			     "This code has been checked once: this is the "
			     "first time, at"),
			when);
	else
		var_set(vs, "count_text", "%s %lld %s %s.",
			pick(lang, "Mã này đã được kiểm tra",
			     "This code has been checked"),
			(long long)rec->scan_count,
			pick(lang, "lần, lần đầu lúc", "times, first at"),
			when);
}

int
page_label(const struct ocop_record *rec, const char *lang,
	   const char *self_path, struct ocop_buf *out,
	   struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	enum ocop_verdict v = rec->verdict;
	char reason[512], a[64], grouped[OCOP_SERIAL_GROUPED + 1];
	int rc, known = rec->known && v != OCOP_UNKNOWN;

	if (v < OCOP_UNKNOWN || v > OCOP_VALID)
		v = OCOP_UNKNOWN;
	lang = is_en(lang) ? "en" : "vi";
	set_words(vs, label_words, sizeof(label_words) / sizeof(label_words[0]),
		  lang);
	set_switch(vs, lang, self_path);
	var_set(vs, "tone", "%s", tone_of(v));
	var_set(vs, "mark", "%s",
		v == OCOP_VALID ? "✓" : v == OCOP_STAR_MISMATCH ? "!" : "✗");
	var_set(vs, "verdict_title", "%s",
		is_en(lang) ? verdict_en[v] : verdict_vi[v]);
	record_reason_text(rec, lang, reason, sizeof(reason));
	var_set(vs, "reason", "%s", reason);
	var_set(vs, "checked_at", "%s",
		fmt_time(rec->checked_at, lang, a, sizeof(a)));
	if (strlen(rec->serial) == OCOP_SERIAL_LEN)
		var_set(vs, "serial", "%s",
			ocop_serial_group(rec->serial, grouped));
	else
		var_set(vs, "serial", "%s", rec->serial);
	var_set(vs, "known", "%s", known ? "1" : "");
	var_set(vs, "unknown_help", "%s",
		pick(lang,
		     "Hãy so lại mã với mã in dưới mã QR trên nhãn. Nếu mã "
		     "trùng khớp mà vẫn không tìm thấy, nhãn có thể là giả: "
		     "đừng mua sản phẩm và hãy báo cho cơ quan quản lý thị "
		     "trường.",
		     "Compare the code with the one printed under the QR "
		     "code on the label. If they match and the label is "
		     "still not found, it may be fake: do not buy the product "
		     "and report it to the market surveillance authority."));
	if (known) {
		const struct ocop_batch *b = &rec->batch;
		int64_t voided = rec->label.voided_at;

		if (b->voided_at != OCOP_NO_TIME &&
		    (voided == OCOP_NO_TIME || b->voided_at < voided))
			voided = b->voided_at;
		var_set(vs, "product_name", "%s", rec->product.name);
		set_producer(vs, &rec->product.producer, lang);
		var_set(vs, "group", "%s",
			group_text(rec->product.group, lang));
		set_stars(vs, "printed_star_marks", "printed_stars",
			  rec->label.stars, lang);
		var_set(vs, "has_rec", "%s", rec->has_recognition ? "1" : "");
		if (rec->has_recognition)
			set_recognition(vs, &rec->recognition, lang);
		var_set(vs, "lot", "%s", b->lot);
		var_set(vs, "made_on", "%s",
			fmt_day(b->made_on, lang, a, sizeof(a)));
		var_set(vs, "best_before", "%s",
			fmt_day(b->best_before, lang, a, sizeof(a)));
		var_set(vs, "issued", "%s",
			fmt_day(ocop_day_of(b->issued_at), lang, a,
				sizeof(a)));
		if (voided != OCOP_NO_TIME)
			var_set(vs, "voided", "%s",
				fmt_time(voided, lang, a, sizeof(a)));
		else
			var_set(vs, "voided", "%s", "");
		set_count(vs, rec, lang);
	}
	rc = render_asset("templates/label.html", vs, out, err);
	free(vs);
	return rc;
}

int
page_product(const struct ocop_product *p, const struct ocop_history *h,
	     int64_t now, const char *lang, const char *self_path,
	     struct ocop_buf *out, struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	struct ocop_judgement j;
	const struct ocop_recognition *r = NULL;
	char a[64], b[64];
	int rc;

	lang = is_en(lang) ? "en" : "vi";
	set_words(vs, label_words, sizeof(label_words) / sizeof(label_words[0]),
		  lang);
	set_switch(vs, lang, self_path);
	/* printed stars 0: any recognition in force counts */
	ocop_judge(h, 0, OCOP_NO_TIME, 0, now, &j);
	if (j.rec >= 0 && (size_t)j.rec < h->nrecs)
		r = &h->recs[j.rec];
	var_set(vs, "tone", "%s", j.verdict == OCOP_VALID ? "ok" : "bad");
	var_set(vs, "mark", "%s", j.verdict == OCOP_VALID ? "✓" : "✗");
	var_set(vs, "product_name", "%s", p->name);
	set_producer(vs, &p->producer, lang);
	var_set(vs, "group", "%s", group_text(p->group, lang));
	var_set(vs, "gtin", "%s", p->gtin);
	var_set(vs, "checked_at", "%s", fmt_time(now, lang, a, sizeof(a)));
	var_set(vs, "has_rec", "%s", r ? "1" : "");
	if (r)
		set_recognition(vs, r, lang);
	if (j.verdict == OCOP_VALID && r) {
		int32_t end = r->end;

		var_set(vs, "status_title", "%s",
			pick(lang, "Đang được công nhận OCOP",
			     "Recognised OCOP product"));
		var_set(vs, "status_text", "%s %d %s %s.",
			pick(lang, "Sản phẩm OCOP", "OCOP"), r->stars,
			pick(lang, "sao, còn hiệu lực đến hết ngày",
			     "stars, valid until"),
			fmt_day(end, lang, b, sizeof(b)));
	} else if (j.verdict == OCOP_REVOKED) {
		var_set(vs, "status_title", "%s",
			pick(lang, "Đã bị thu hồi công nhận OCOP",
			     "OCOP recognition revoked"));
		var_set(vs, "status_text", "%s %s.",
			pick(lang, "Công nhận OCOP của sản phẩm bị thu hồi từ "
				   "ngày",
			     "The product's OCOP recognition was revoked on"),
			fmt_day(r ? r->revoked_on : j.since, lang, b,
				sizeof(b)));
	} else if (r) {
		var_set(vs, "status_title", "%s",
			pick(lang, "Hết hạn công nhận OCOP",
			     "OCOP recognition expired"));
		var_set(vs, "status_text", "%s %s.",
			pick(lang, "Công nhận OCOP của sản phẩm đã hết hạn từ "
				   "ngày",
			     "The product's OCOP recognition expired on"),
			fmt_day(r->end + 1, lang, b, sizeof(b)));
	} else {
		var_set(vs, "status_title", "%s",
			pick(lang, "Chưa được công nhận OCOP",
			     "Not recognised as OCOP"));
		var_set(vs, "status_text", "%s",
			pick(lang, "Sản phẩm chưa có quyết định công nhận OCOP "
				   "nào có hiệu lực.",
			     "The product has no OCOP recognition in force."));
	}
	var_set(vs, "product_help", "%s",
		pick(lang,
		     "Mỗi nhãn OCOP có một mã riêng. Hãy quét mã QR trên "
		     "nhãn của từng sản phẩm để kiểm tra nhãn đó.",
		     "Every OCOP label has its own code. Scan the QR code on "
		     "the label of each item to check that label."));
	rc = render_asset("templates/product.html", vs, out, err);
	free(vs);
	return rc;
}
