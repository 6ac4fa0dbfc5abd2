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

/* A value that outlives the rendering (a static string, the record's or
 * the caller's fields): kept by reference, not copied. */
static void
var_put(struct vars *vs, const char *name, const char *value)
{
	if (vs->n >= VARS_MAX)
		return;
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = value;
	vs->n++;
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

static int render_range(const char *p, const char *end,
			const struct page_var *vars, size_t nvars,
			struct ocop_buf *out, struct ocop_error *err);

/*
 * A template shared by the pages (their head and style), rendered with the
 * caller's variables. A partial includes no partial, so a mistake in the
 * templates cannot recurse.
 */
static int
render_partial(const char *name, size_t len, const struct page_var *vars,
	       size_t nvars, struct ocop_buf *out, struct ocop_error *err)
{
	const struct ocop_asset *a;
	char path[96];

	snprintf(path, sizeof(path), "templates/%.*s", (int)len, name);
	a = assets_find(path);
	if (!a)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "template: unknown partial '%s'", path);
	if (strstr(a->data, "{{>"))
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "template: partial '%s' includes another",
				      path);
	return render_range(a->data, a->data + strlen(a->data), vars, nvars,
			    out, err);
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
		if (open[2] == '{') {
			/* {{{name}}}: a fragment the caller rendered */
			name = open + 3;
			close = strstr(name, "}}}");
			if (!close || close >= end)
				return ocop_error_set(err, OCOP_EINTERNAL,
						      "template: unclosed "
						      "'{{{'");
			len = (size_t)(close - name);
			p = close + 3;
			val = var_get(vars, nvars, name, len);
			if (!val)
				return ocop_error_set(err, OCOP_EINTERNAL,
						      "template: unknown "
						      "placeholder '%.*s'",
						      (int)len, name);
			if ((rc = ocop_buf_adds(out, val)) < 0)
				return ocop_error_set(err, rc,
						      "page too large");
			continue;
		}
		close = strstr(open, "}}");
		if (!close || close >= end)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: unclosed '{{'");
		kind = open[2];
		name = open + 2;
		if (kind == '#' || kind == '^' || kind == '/' || kind == '>')
			name++;
		len = (size_t)(close - name);
		p = close + 2;
		if (kind == '>') {
			/* {{>file}}: assets/templates/file, same variables */
			if ((rc = render_partial(name, len, vars, nvars, out,
						 err)) < 0)
				return rc;
			continue;
		}
		val = var_get(vars, nvars, name, len);
		if (!val)
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "template: unknown placeholder "
					      "'%.*s'",
					      (int)len, name);
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

/* The q of an Accept-Language range's parameters ("; q=0.5"): 0..1000. */
static int
lang_q(const char *p, const char *end)
{
	int q = 1000;

	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p));
		int scale = 100;

		if (!semi)
			break;
		p = semi + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			continue;
		p += 2;
		if (p < end && *p == '1')
			return 1000;
		q = 0;
		if (p < end && *p == '0' && ++p < end && *p == '.')
			for (p++; p < end && *p >= '0' && *p <= '9' && scale;
			     p++) {
				q += (*p - '0') * scale;
				scale /= 10;
			}
	}
	return q;
}

const char *
page_lang(const char *lang_arg, const char *accept_language)
{
	const char *p = accept_language, *best = "vi";
	int best_q = 0;

	if (lang_arg && strncasecmp(lang_arg, "en", 2) == 0)
		return "en";
	if (lang_arg && strncasecmp(lang_arg, "vi", 2) == 0)
		return "vi";
	while (p && *p) {
		const char *end = strchr(p, ',');
		const char *tag, *tag_end;
		int q;

		if (!end)
			end = p + strlen(p);
		for (tag = p; tag < end && (*tag == ' ' || *tag == '\t');)
			tag++;
		for (tag_end = tag; tag_end < end && *tag_end != ';' &&
				    *tag_end != '-' && *tag_end != ' ';)
			tag_end++;
		q = lang_q(tag_end, end);
		if (tag_end - tag == 2 && q > best_q) {
			if (strncasecmp(tag, "vi", 2) == 0) {
				best = "vi";
				best_q = q;
			} else if (strncasecmp(tag, "en", 2) == 0) {
				best = "en";
				best_q = q;
			}
		}
		p = *end ? end + 1 : end;
	}
	return best;
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
	{"t_printed_stars", "Hạng sao in trên tem", "Stars printed on the label"},
	{"t_rec_stars", "Hạng sao được công nhận", "Stars recognised"},
	{"t_decision", "Quyết định công nhận", "Recognition decision"},
	{"t_issuer", "Cơ quan công nhận", "Recognised by"},
	{"t_validity", "Thời hạn công nhận", "Recognition valid"},
	{"t_extended", "Gia hạn đến", "Extended until"},
	{"t_revoked", "Thu hồi", "Revoked"},
	{"t_serial", "Mã tem", "Label code"},
	{"t_code", "Mã đã quét", "Code scanned"},
	{"t_lot", "Lô sản xuất", "Lot"},
	{"t_made_on", "Ngày sản xuất (NSX)", "Production date"},
	{"t_best_before", "Hạn sử dụng (HSD)", "Best before"},
	{"t_issued", "Ngày phát hành tem", "Label issued"},
	{"t_voided", "Tem bị hủy lúc", "Label voided"},
	{"t_gtin", "Mã số GTIN", "GTIN"},
	{"t_checked_at", "Kiểm tra lúc", "Checked at"},
	{"t_site", "Kiểm tra tem OCOP", "OCOP label check"},
	{"t_run_by", "Đơn vị vận hành:", "Run by"},
	{"t_advice", "Bạn nên làm gì", "What to do"},
	{"t_retype", "Nhập lại mã", "Type the code again"},
	{"t_code_label", "Mã in dưới mã QR trên tem",
	 "The code printed under the QR code"},
	{"t_check", "Kiểm tra", "Check"},
	{"t_home", "Kiểm tra một tem khác", "Check another label"},
	{"t_copy_title", "Cảnh báo: tem này có thể bị sao chép",
	 "Warning: this label may have been copied"},
	{"t_copy_text",
	 "Mã của tem này đã được quét ở nhiều nơi khác nhau trong thời gian "
	 "ngắn, trong khi mỗi tem thật chỉ dán trên một sản phẩm. Trước khi "
	 "mua, hãy:",
	 "This label's code has been scanned in several different places "
	 "within a short time, while a genuine label is on one item only. "
	 "Before you buy:"},
	{"t_copy_1",
	 "so bao bì với thông tin bên dưới: tên sản phẩm, chủ thể sản xuất, lô "
	 "và hạn sử dụng phải trùng khớp;",
	 "compare the package with the details below: the product name, "
	 "producer, lot and best-before date must match;"},
	{"t_copy_2",
	 "mua ở cửa hàng xuất được hóa đơn, chứng từ nguồn gốc hàng hóa;",
	 "buy from a shop that gives an invoice and can show where the goods "
	 "come from;"},
	{"t_copy_3", "nếu còn nghi ngờ, đừng mua và hãy báo cáo.",
	 "if in doubt, do not buy and report it."},
};

static const char *const verdict_vi[] = {
	[OCOP_UNKNOWN] = "Không tìm thấy tem",
	[OCOP_VOIDED] = "Tem đã bị hủy",
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
		var_put(vs, w[i].name, pick(lang, w[i].vi, w[i].en));
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

/*
 * decision, issuer, validity, extended, revoked of a recognition. ended,
 * when not NULL, says (in lang) why the period no longer holds: the
 * period is then shown with it, in red, never so that it reads as valid.
 */
static void
set_recognition(struct vars *vs, const struct ocop_recognition *r,
		const char *ended, const char *lang)
{
	char a[32], b[32];

	set_stars(vs, "rec_star_marks", "rec_stars", r->stars, lang);
	var_set(vs, "decision", "%s, %s %s", r->decision_no,
		pick(lang, "ngày", "dated"),
		fmt_day(r->decided_on, lang, a, sizeof(a)));
	var_put(vs, "issuer", r->issuer);
	var_set(vs, "validity", "%s – %s",
		fmt_day(r->valid_from, lang, a, sizeof(a)),
		fmt_day(r->valid_until, lang, b, sizeof(b)));
	var_put(vs, "validity_ended", ended ? ended : "");
	if (r->extended_until != OCOP_NO_DAY)
		var_set(vs, "extended", "%s",
			fmt_day(r->extended_until, lang, a, sizeof(a)));
	else
		var_put(vs, "extended", "");
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
		var_put(vs, "revoked", "");
	}
}

static int
has_text(const char *s)
{
	return s && *s;
}

/* The header (who runs the service), the language link and the way home,
 * common to every page. */
static void
set_site(struct vars *vs, const struct page_site *site, const char *lang,
	 const char *self_path)
{
	const char *other = is_en(lang) ? "vi" : "en";
	const char *op = site ? site->operator_name : NULL;

	set_words(vs, label_words, sizeof(label_words) / sizeof(label_words[0]),
		  lang);
	var_put(vs, "lang", lang);
	var_put(vs, "switch_lang", other);
	var_put(vs, "switch_name",
		is_en(lang) ? "Xem bằng tiếng Việt" : "View in English");
	var_set(vs, "switch_href", "%s?lang=%s", self_path, other);
	var_set(vs, "home_href", "/?lang=%s", lang);
	var_put(vs, "operator", has_text(op) ? op : "");
}

/* Where to report a suspect product: "report_lead" and "contact". */
static void
set_report(struct vars *vs, const struct page_site *site, const char *lang)
{
	const char *op = site ? site->operator_name : NULL;
	const char *contact = site ? site->contact : NULL;

	if (has_text(contact) && has_text(op))
		var_set(vs, "report_lead",
			"%s %s:", pick(lang, "Báo cáo cho", "Report it to"),
			op);
	else if (has_text(contact))
		var_put(vs, "report_lead",
			pick(lang, "Báo cáo:", "Report it:"));
	else if (has_text(op))
		var_set(vs, "report_lead", "%s %s %s",
			pick(lang, "Báo cáo cho", "Report it to"), op,
			pick(lang,
			     "hoặc cơ quan quản lý thị trường nơi bạn mua "
			     "hàng.",
			     "or to the market surveillance office where you "
			     "bought it."));
	else
		var_put(vs, "report_lead",
			pick(lang,
			     "Báo cáo cho cơ quan quản lý thị trường nơi bạn "
			     "mua hàng.",
			     "Report it to the market surveillance office "
			     "where you bought it."));
	var_put(vs, "contact", has_text(contact) ? contact : "");
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
		var_put(vs, "count_text",
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

/* What a shopper should do, per verdict (SPEC 5.0); "" for valid. */
static const char *
advice_text(enum ocop_verdict v, enum ocop_reason reason, const char *lang)
{
	switch (v) {
	case OCOP_EXPIRED:
		return pick(lang,
			    "Công nhận OCOP của sản phẩm không còn hiệu lực, "
			    "nên sản phẩm không được mang dấu OCOP (các ngôi "
			    "sao OCOP) trên bao bì. Đừng dựa vào dấu OCOP khi "
			    "chọn mua. Nếu sản phẩm vẫn được bày bán với dấu "
			    "OCOP, hãy báo cáo.",
			    "The product's OCOP recognition is no longer in "
			    "force, so it may not carry the OCOP mark (the "
			    "OCOP stars) on its packaging. Do not rely on the "
			    "mark when you choose. If it is still sold with "
			    "the OCOP mark, please report it.");
	case OCOP_REVOKED:
		return pick(lang,
			    "Công nhận OCOP của sản phẩm đã bị thu hồi, nên "
			    "sản phẩm không được mang dấu OCOP (các ngôi sao "
			    "OCOP) trên bao bì. Đừng dựa vào dấu OCOP khi chọn "
			    "mua. Nếu sản phẩm vẫn được bày bán với dấu OCOP, "
			    "hãy báo cáo.",
			    "The product's OCOP recognition was revoked, so "
			    "it may not carry the OCOP mark (the OCOP stars) "
			    "on its packaging. Do not rely on the mark when "
			    "you choose. If it is still sold with the OCOP "
			    "mark, please report it.");
	case OCOP_VOIDED:
		return pick(lang,
			    "Nhà sản xuất đã thu hồi tem này (ví dụ tem in "
			    "lỗi hoặc lô tem bị hủy), nên tem không còn chứng "
			    "nhận sản phẩm. Hãy hỏi người bán; nếu sản phẩm "
			    "vẫn được bán với tem này, hãy báo cáo.",
			    "The producer withdrew this label (for example a "
			    "misprint or a cancelled batch of labels), so it "
			    "no longer certifies the product. Ask the seller; "
			    "if the product is still sold with this label, "
			    "please report it.");
	case OCOP_STAR_MISMATCH:
		return pick(lang,
			    "Tem in nhiều sao hơn số sao sản phẩm đang được "
			    "công nhận, thường vì sản phẩm đã được xếp hạng "
			    "lại sau khi tem được in. Sản phẩm vẫn là sản phẩm "
			    "OCOP, nhưng với số sao được công nhận ghi ở dưới. "
			    "Nếu hàng mới sản xuất vẫn mang tem in sai số "
			    "sao, hãy báo cáo.",
			    "The label shows more stars than the product is "
			    "recognised with, usually because the product was "
			    "re-rated after the label was printed. It is still "
			    "an OCOP product, with the stars recognised below. "
			    "If newly made goods still carry labels with the "
			    "wrong stars, please report it.");
	case OCOP_UNKNOWN:
		if (reason == OCOP_REASON_MISTYPED)
			return pick(lang,
				    "Mã này có ký tự bị gõ sai: ký tự cuối, "
				    "dùng để kiểm tra, không khớp với các ký "
				    "tự trước. Hãy so từng ký tự với mã in "
				    "dưới mã QR trên tem rồi nhập lại bên "
				    "dưới. Nếu mã quét từ mã QR cũng báo như "
				    "vậy, tem có thể là giả: đừng mua sản "
				    "phẩm và hãy báo cáo.",
				    "A character of this code was mistyped: "
				    "its last symbol, a check, does not match "
				    "the others. Compare each character with "
				    "the code printed under the QR code on the "
				    "label and type it again below. If the "
				    "code scanned from the QR code says the "
				    "same, the label may be fake: do not buy "
				    "the product and report it.");
		return pick(lang,
			    "Đừng mua sản phẩm này. Hãy so mã ghi bên dưới "
			    "với mã in dưới mã QR trên tem; nếu gõ tay, hãy "
			    "nhập lại. Nếu mã trùng khớp mà vẫn không tìm "
			    "thấy, tem có thể là giả: hãy báo cáo.",
			    "Do not buy this product. Compare the code shown "
			    "below with the one printed under the QR code on "
			    "the label; if you typed it, type it again. If the "
			    "codes match and the label is still not found, it "
			    "may be fake: please report it.");
	case OCOP_VALID:
		break;
	}
	return "";
}

/* Why the recognition's period no longer holds for this label, or NULL
 * when it does. */
static const char *
ended_text(const struct ocop_record *rec, const char *lang, char *buf,
	   size_t size)
{
	const struct ocop_recognition *r = &rec->recognition;
	int32_t day;
	char d[32];

	switch (rec->verdict) {
	case OCOP_REVOKED:
		if (r->revoked_on == OCOP_NO_DAY)
			break;
		snprintf(buf, size, "%s %s",
			 pick(lang, "Đã bị thu hồi, từ ngày", "Revoked on"),
			 fmt_day(r->revoked_on, lang, d, sizeof(d)));
		return buf;
	case OCOP_EXPIRED:
		day = rec->since != OCOP_NO_DAY ? rec->since : r->end + 1;
		snprintf(buf, size, "%s %s",
			 pick(lang, "Đã hết hiệu lực, từ ngày", "Ended on"),
			 fmt_day(day, lang, d, sizeof(d)));
		return buf;
	case OCOP_VOIDED:
		snprintf(buf, size, "%s",
			 pick(lang, "Tem đã bị hủy nên không còn chứng nhận",
			      "The label is void and certifies nothing"));
		return buf;
	default:
		return NULL;
	}
	/* revoked with no date: still never shown as valid */
	snprintf(buf, size, "%s", pick(lang, "Không còn hiệu lực", "Ended"));
	return buf;
}

int
page_label(const struct ocop_record *rec, const struct page_site *site,
	   const char *lang, const char *self_path, struct ocop_buf *out,
	   struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	enum ocop_verdict v = rec->verdict;
	char reason[512], a[64], grouped[OCOP_SERIAL_GROUPED + 1], ended[128];
	int rc, known = rec->known && v != OCOP_UNKNOWN;
	int copy = known && rec->suspect_copy;

	if (v < OCOP_UNKNOWN || v > OCOP_VALID)
		v = OCOP_UNKNOWN;
	lang = is_en(lang) ? "en" : "vi";
	set_site(vs, site, lang, self_path);
	var_put(vs, "tone", tone_of(v));
	var_put(vs, "mark",
		v == OCOP_VALID		  ? "✓"
		: v == OCOP_STAR_MISMATCH ? "!"
					  : "✗");
	var_put(vs, "verdict_title",
		is_en(lang) ? verdict_en[v] : verdict_vi[v]);
	record_reason_text(rec, lang, reason, sizeof(reason));
	var_put(vs, "reason", reason);
	var_set(vs, "checked_at", "%s",
		fmt_time(rec->checked_at, lang, a, sizeof(a)));
	if (strlen(rec->serial) == OCOP_SERIAL_LEN)
		var_put(vs, "serial", ocop_serial_group(rec->serial, grouped));
	else
		var_put(vs, "serial", rec->serial);
	var_put(vs, "known", known ? "1" : "");
	var_put(vs, "advice", advice_text(v, rec->reason, lang));
	var_put(vs, "suspect_copy", copy ? "1" : "");
	/* the contact: every verdict but valid, and a copied label */
	var_put(vs, "show_report", v != OCOP_VALID || copy ? "1" : "");
	set_report(vs, site, lang);
	if (known) {
		const struct ocop_batch *b = &rec->batch;
		int64_t voided = rec->label.voided_at;

		if (b->voided_at != OCOP_NO_TIME &&
		    (voided == OCOP_NO_TIME || b->voided_at < voided))
			voided = b->voided_at;
		var_put(vs, "product_name", rec->product.name);
		set_producer(vs, &rec->product.producer, lang);
		var_put(vs, "group", group_text(rec->product.group, lang));
		set_stars(vs, "printed_star_marks", "printed_stars",
			  rec->label.stars, lang);
		var_put(vs, "has_rec", rec->has_recognition ? "1" : "");
		if (rec->has_recognition)
			set_recognition(vs, &rec->recognition,
					ended_text(rec, lang, ended,
						   sizeof(ended)),
					lang);
		var_put(vs, "lot", b->lot);
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
			var_put(vs, "voided", "");
		set_count(vs, rec, lang);
	}
	rc = render_asset("templates/label.html", vs, out, err);
	free(vs);
	return rc;
}

int
page_product(const struct ocop_product *p, const struct ocop_history *h,
	     int64_t now, const struct page_site *site, const char *lang,
	     const char *self_path, struct ocop_buf *out,
	     struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	struct ocop_judgement j;
	const struct ocop_recognition *r = NULL;
	const char *ended = NULL;
	char a[64], b[64], e[128];
	int rc;

	lang = is_en(lang) ? "en" : "vi";
	set_site(vs, site, lang, self_path);
	/* printed stars 0: any recognition in force counts */
	ocop_judge(h, 0, OCOP_NO_TIME, 0, now, &j);
	if (j.rec >= 0 && (size_t)j.rec < h->nrecs)
		r = &h->recs[j.rec];
	var_put(vs, "tone", j.verdict == OCOP_VALID ? "ok" : "bad");
	var_put(vs, "mark", j.verdict == OCOP_VALID ? "✓" : "✗");
	var_put(vs, "product_name", p->name);
	set_producer(vs, &p->producer, lang);
	var_put(vs, "group", group_text(p->group, lang));
	var_put(vs, "gtin", p->gtin);
	var_set(vs, "checked_at", "%s", fmt_time(now, lang, a, sizeof(a)));
	var_put(vs, "has_rec", r ? "1" : "");
	if (j.verdict == OCOP_VALID && r) {
		int32_t end = r->end;

		var_put(vs, "status_title",
			pick(lang, "Đang được công nhận OCOP",
			     "Recognised OCOP product"));
		var_set(vs, "status_text", "%s %d %s %s.",
			pick(lang, "Sản phẩm OCOP", "OCOP"), r->stars,
			pick(lang, "sao, còn hiệu lực đến hết ngày",
			     "stars, valid until"),
			fmt_day(end, lang, b, sizeof(b)));
	} else if (j.verdict == OCOP_REVOKED) {
		var_put(vs, "status_title",
			pick(lang, "Đã bị thu hồi công nhận OCOP",
			     "OCOP recognition revoked"));
		var_set(vs, "status_text", "%s %s.",
			pick(lang, "Công nhận OCOP của sản phẩm bị thu hồi từ "
				   "ngày",
			     "The product's OCOP recognition was revoked on"),
			fmt_day(r ? r->revoked_on : j.since, lang, b,
				sizeof(b)));
		snprintf(e, sizeof(e), "%s %s",
			 pick(lang, "Đã bị thu hồi, từ ngày", "Revoked on"), b);
		ended = e;
	} else if (r) {
		var_put(vs, "status_title",
			pick(lang, "Hết hạn công nhận OCOP",
			     "OCOP recognition expired"));
		var_set(vs, "status_text", "%s %s.",
			pick(lang, "Công nhận OCOP của sản phẩm đã hết hạn từ "
				   "ngày",
			     "The product's OCOP recognition expired on"),
			fmt_day(r->end + 1, lang, b, sizeof(b)));
		snprintf(e, sizeof(e), "%s %s",
			 pick(lang, "Đã hết hiệu lực, từ ngày", "Ended on"), b);
		ended = e;
	} else {
		var_put(vs, "status_title",
			pick(lang, "Chưa được công nhận OCOP",
			     "Not recognised as OCOP"));
		var_put(vs, "status_text",
			pick(lang,
			     "Sản phẩm chưa có quyết định công nhận OCOP "
			     "nào có hiệu lực.",
			     "The product has no OCOP recognition in force."));
	}
	if (r)
		set_recognition(vs, r, ended, lang);
	var_put(vs, "advice",
		j.verdict == OCOP_VALID
		    ? ""
		    : advice_text(j.verdict == OCOP_REVOKED ? OCOP_REVOKED
							    : OCOP_EXPIRED,
				  OCOP_REASON_EXPIRED, lang));
	var_put(vs, "show_report", j.verdict == OCOP_VALID ? "" : "1");
	set_report(vs, site, lang);
	var_put(vs, "product_help",
		pick(lang,
		     "Mỗi tem OCOP có một mã riêng. Hãy quét mã QR trên "
		     "tem của từng sản phẩm để kiểm tra tem đó.",
		     "Every OCOP label has its own code. Scan the QR code on "
		     "the label of each item to check that label."));
	rc = render_asset("templates/product.html", vs, out, err);
	free(vs);
	return rc;
}

int
page_home(const struct page_site *site, const char *lang, const char *typed,
	  const char *problem, struct ocop_buf *out, struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	int rc;

	lang = is_en(lang) ? "en" : "vi";
	set_site(vs, site, lang, "/");
	var_put(vs, "typed", typed ? typed : "");
	var_put(vs, "problem", problem ? problem : "");
	var_put(vs, "home_title",
		pick(lang, "Kiểm tra tem OCOP", "Check an OCOP label"));
	var_put(vs, "home_intro",
		pick(lang,
		     "Quét mã QR trên tem bằng camera điện thoại, hoặc nhập "
		     "mã in dưới mã QR: 16 ký tự chữ và số, ví dụ "
		     "7KQ3-M9XH-2PAB-4C5D. Chữ hoa hay chữ thường, dấu gạch "
		     "và khoảng trắng đều được.",
		     "Scan the QR code on the label with your phone's camera, "
		     "or type the code printed under it: 16 letters and "
		     "digits, for example 7KQ3-M9XH-2PAB-4C5D. Upper or lower "
		     "case, hyphens and spaces are all fine."));
	var_put(vs, "home_paste",
		pick(lang, "Bạn cũng có thể dán địa chỉ mở ra khi quét mã QR.",
		     "You can also paste the address the QR code opens."));
	rc = render_asset("templates/home.html", vs, out, err);
	free(vs);
	return rc;
}

/* Crockford base32 as typed: digits and letters but U (I, L, O read as
 * 1, 1, 0). */
static int
serial_symbol(int ch)
{
	if (ch >= '0' && ch <= '9')
		return 1;
	ch &= ~0x20;
	return ch >= 'A' && ch <= 'Z' && ch != 'U';
}

const char *
page_code_problem(const char *input, const char *lang, char *buf, size_t size)
{
	const char *s = input ? input : "";
	size_t n = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (!*s) {
		snprintf(buf, size, "%s",
			 pick(lang, "Hãy nhập mã in dưới mã QR trên tem.",
			      "Type the code printed under the QR code on the "
			      "label."));
		return buf;
	}
	if (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0 || s[0] == '/' ||
	    strncasecmp(s, "www.", 4) == 0) {
		snprintf(buf, size, "%s",
			 pick(lang,
			      "Địa chỉ này không phải địa chỉ của một tem "
			      "OCOP. Hãy nhập mã 16 ký tự in dưới mã QR trên "
			      "tem.",
			      "This address is not an OCOP label's address. "
			      "Type the 16-character code printed under the QR "
			      "code on the label."));
		return buf;
	}
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == ' ' || ch == '-' || ch == '\t' || ch == '\r' ||
		    ch == '\n')
			continue;
		if (!serial_symbol(ch)) {
			/* the whole character, UTF-8 included */
			size_t len = 1;
			char shown[8];

			if (ch >= 0xc0)
				while (len < 4 &&
				       ((unsigned char)s[len] & 0xc0) == 0x80)
					len++;
			memcpy(shown, s, len);
			shown[len] = '\0';
			snprintf(buf, size,
				 is_en(lang)
				     ? "A label code has only digits and "
				       "unaccented letters (no U); “%s” "
				       "is not one of them. Compare with "
				       "the code printed on the label."
				     : "Mã tem chỉ gồm chữ số và chữ cái "
				       "không dấu (không có chữ U); ký tự "
				       "“%s” không có trong mã. Hãy so lại "
				       "với mã in trên tem.",
				 shown);
			return buf;
		}
		n++;
	}
	snprintf(buf, size,
		 is_en(lang) ? "The code you typed has %zu characters; a "
			       "label code has exactly 16 (4 groups of 4, "
			       "for example 7KQ3-M9XH-2PAB-4C5D). Compare "
			       "with the code printed on the label."
			     : "Mã vừa nhập có %zu ký tự, nhưng mã tem có "
			       "đúng 16 ký tự (4 nhóm 4 ký tự, ví dụ "
			       "7KQ3-M9XH-2PAB-4C5D). Hãy so lại với mã in "
			       "trên tem.",
		 n);
	return buf;
}

static const struct {
	int status;
	const char *title_vi, *title_en, *text_vi, *text_en;
} error_words[] = {
	{400, "Yêu cầu không hợp lệ", "Bad request",
	 "Địa chỉ này không đúng dạng.", "This address is not well formed."},
	{404, "Không có trang này", "Page not found",
	 "Địa chỉ này không có trên trang kiểm tra tem OCOP. Để kiểm tra "
	 "một tem, hãy quét mã QR trên tem hoặc nhập mã tem.",
	 "This address is not on the OCOP label check. To check a label, "
	 "scan its QR code or type its code."},
	{405, "Thao tác không được hỗ trợ", "Method not allowed",
	 "Trang này chỉ để xem.", "This page can only be viewed."},
	{413, "Yêu cầu quá lớn", "Request too large",
	 "Dữ liệu gửi lên quá lớn.", "The data sent is too large."},
	{422, "Không kiểm tra được", "Cannot check",
	 "Không kiểm tra được mã này vào thời điểm đã cho.",
	 "This code cannot be checked at the time given."},
	{429, "Quá nhiều lượt kiểm tra", "Too many requests",
	 "Có quá nhiều lượt kiểm tra từ mạng của bạn trong một lúc. Hãy đợi "
	 "vài giây rồi thử lại.",
	 "Too many checks came from your network at once. Wait a few "
	 "seconds and try again."},
	{503, "Tạm thời chưa phục vụ được", "Temporarily unavailable",
	 "Hệ thống đang bận hoặc đang khởi động lại. Hãy thử lại sau ít "
	 "phút.",
	 "The service is busy or restarting. Please try again in a few "
	 "minutes."},
	{500, "Lỗi hệ thống", "Something went wrong",
	 "Trang kiểm tra đang gặp sự cố. Hãy thử lại sau ít phút.",
	 "The label check has a problem. Please try again in a few "
	 "minutes."},
};

int
page_error(const struct page_site *site, const char *lang, int status,
	   const char *detail, const char *self_path, struct ocop_buf *out,
	   struct ocop_error *err)
{
	struct vars *vs = ocop_xcalloc(1, sizeof(*vs));
	size_t n = sizeof(error_words) / sizeof(error_words[0]);
	size_t i;
	int rc;

	lang = is_en(lang) ? "en" : "vi";
	for (i = 0; i < n - 1 && error_words[i].status != status; i++)
		;
	set_site(vs, site, lang, self_path ? self_path : "/");
	var_put(vs, "error_title",
		pick(lang, error_words[i].title_vi, error_words[i].title_en));
	var_put(vs, "error_text",
		has_text(detail) ? detail
				 : pick(lang, error_words[i].text_vi,
					error_words[i].text_en));
	rc = render_asset("templates/error.html", vs, out, err);
	free(vs);
	return rc;
}
