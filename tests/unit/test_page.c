/*
 * test_page.c - the page template engine and language choice.
 */
#include <stdlib.h>

#include "harness.h"
#include "http/page.h"

static int
render(const char *tmpl, const struct page_var *v, size_t n,
       struct ocop_buf *out, struct ocop_error *err)
{
	out->len = 0;
	if (out->data)
		out->data[0] = '\0';
	return page_render(tmpl, v, n, out, err);
}

static void
test_render(void)
{
	struct page_var v[] = {
		{"name", "<b>Mật ong</b> & \"trà\" 'x'"},
		{"empty", ""},
		{"yes", "1"},
	};
	struct ocop_error err = {0};
	struct ocop_buf b;

	ocop_buf_init(&b, 0);
	TEST("page_render escapes every value");
	CHECK_INT(render("<p>{{name}}</p>", v, 3, &b, &err), 0);
	CHECK_STR(b.data, "<p>&lt;b&gt;Mật ong&lt;/b&gt; &amp; &quot;trà&quot; "
			  "&#39;x&#39;</p>");

	TEST("page_render sections");
	CHECK_INT(render("a{{#yes}}[{{name}}]{{/yes}}b", v, 3, &b, &err), 0);
	CHECK(strstr(b.data, "[&lt;b&gt;") != NULL);
	CHECK_INT(render("a{{#empty}}X{{/empty}}b{{^empty}}Y{{/empty}}c", v, 3,
			 &b, &err),
		  0);
	CHECK_STR(b.data, "abYc");
	CHECK_INT(render("{{#yes}}\n1{{#yes}}2{{/yes}}3\n{{/yes}}\n4", v, 3,
			 &b, &err),
		  0);
	CHECK_STR(b.data, "123\n4");

	TEST("page_render refuses unknown or unclosed placeholders");
	CHECK_INT(render("{{nope}}", v, 3, &b, &err), OCOP_EINTERNAL);
	CHECK(strstr(err.msg, "nope") != NULL);
	CHECK_INT(render("{{#yes}}open", v, 3, &b, &err), OCOP_EINTERNAL);
	CHECK_INT(render("{{name", v, 3, &b, &err), OCOP_EINTERNAL);
	CHECK_INT(render("x{{/yes}}", v, 3, &b, &err), OCOP_EINTERNAL);

	TEST("page_render includes the pages' shared style");
	CHECK_INT(render("a{{>style.part}}b", v, 3, &b, &err), 0);
	CHECK(b.data && strncmp(b.data, "a<style>", 8) == 0);
	CHECK(b.data && strstr(b.data, "</style>\nb") != NULL);
	CHECK_INT(render("{{>nope.part}}", v, 3, &b, &err), OCOP_EINTERNAL);
	CHECK(strstr(err.msg, "nope.part") != NULL);

	TEST("page_render puts a rendered fragment in as it is");
	{
		struct ocop_buf row;
		struct page_var rv[2] = {{"name", ""}, {"rows", ""}};

		/* a list: each row rendered with its values escaped, the rows
		 * then put in whole */
		ocop_buf_init(&row, 0);
		rv[0].value = "<i>a</i>";
		CHECK_INT(page_render("<li>{{name}}</li>", rv, 1, &row, &err),
			  0);
		rv[0].value = "b&c";
		CHECK_INT(page_render("<li>{{name}}</li>", rv, 1, &row, &err),
			  0);
		rv[1].value = row.data;
		CHECK_INT(
		    render("<ul>{{{rows}}}</ul>{{name}}", rv, 2, &b, &err), 0);
		CHECK_STR(b.data, "<ul><li>&lt;i&gt;a&lt;/i&gt;</li>"
				  "<li>b&amp;c</li></ul>b&amp;c");
		CHECK_INT(render("{{{nope}}}", rv, 2, &b, &err),
			  OCOP_EINTERNAL);
		CHECK_INT(render("{{{rows}}", rv, 2, &b, &err), OCOP_EINTERNAL);
		ocop_buf_release(&row);
	}

	TEST("page_render respects the buffer cap");
	ocop_buf_release(&b);
	ocop_buf_init(&b, 8);
	CHECK_INT(render("0123456789", v, 3, &b, &err), OCOP_ETOOBIG);
	ocop_buf_release(&b);
}

static void
test_lang(void)
{
	TEST("page_lang: ?lang first, then Accept-Language, else Vietnamese");
	CHECK_STR(page_lang(NULL, NULL), "vi");
	CHECK_STR(page_lang("en", NULL), "en");
	CHECK_STR(page_lang("EN", "vi"), "en");
	CHECK_STR(page_lang("vi", "en-US"), "vi");
	CHECK_STR(page_lang("fr", NULL), "vi");
	CHECK_STR(page_lang(NULL, "en-GB,en;q=0.9"), "en");
	CHECK_STR(page_lang(NULL, "vi-VN,vi;q=0.9,en;q=0.8"), "vi");
	CHECK_STR(page_lang("", "en"), "en");

	TEST("page_lang: Accept-Language q-values, other languages ignored");
	CHECK_STR(page_lang(NULL, "en;q=0.1, vi;q=0.9"), "vi");
	CHECK_STR(page_lang(NULL, "en;q=0.1, vi"), "vi");
	CHECK_STR(page_lang(NULL, "en-US,en;q=0.9"), "en");
	CHECK_STR(page_lang(NULL, "fr-FR, fr;q=0.9, en;q=0.5"), "en");
	CHECK_STR(page_lang(NULL, "fr, de"), "vi");
	CHECK_STR(page_lang(NULL, "en;q=0, vi;q=0"), "vi");
	CHECK_STR(page_lang(NULL, "vi;q=0.5, en;q=0.8"), "en");
	CHECK_STR(page_lang(NULL, "vi;q=0.8, en;q=0.8"), "vi");
	CHECK_STR(page_lang(NULL, "en;q=0.8, vi;q=0.8"), "en");
	CHECK_STR(page_lang(NULL, "*, en;q=0.2"), "en");
	CHECK_STR(page_lang(NULL, "eng, vi;q=0.1"), "vi");
	CHECK_STR(page_lang(NULL, "EN ; Q=0.7 , vi ; q=0.6"), "en");
	CHECK_STR(page_lang("vi", "en"), "vi");
	CHECK_STR(page_lang("fr", "en"), "en");
}

static void
test_label_page(void)
{
	struct ocop_record rec;
	struct ocop_error err = {0};
	struct ocop_buf b;

	memset(&rec, 0, sizeof(rec));
	ocop_strlcpy(rec.serial, "7KQ3M9XH2PAB4C5D", sizeof(rec.serial));
	rec.verdict = OCOP_UNKNOWN;
	rec.reason = OCOP_REASON_NOT_FOUND;
	rec.checked_at = 1780000000;
	rec.first_scan_at = OCOP_NO_TIME;
	rec.since = OCOP_NO_DAY;
	ocop_buf_init(&b, 0);
	TEST("page_label renders an unknown record in both languages");
	CHECK_INT(page_label(&rec, NULL, "vi", "/L/7KQ3M9XH2PAB4C5D", &b, &err),
		  0);
	CHECK(b.data && strstr(b.data, "<html lang=\"vi\">") != NULL);
	CHECK(b.data && strstr(b.data, "Không tìm thấy tem") != NULL);
	CHECK(b.data && strstr(b.data, "7KQ3-M9XH-2PAB-4C5D") != NULL);
	CHECK(b.data && strstr(b.data, "/L/7KQ3M9XH2PAB4C5D?lang=en") != NULL);
	CHECK(b.data && strstr(b.data, "{{") == NULL);
	b.len = 0;
	CHECK_INT(page_label(&rec, NULL, "en", "/L/7KQ3M9XH2PAB4C5D", &b, &err),
		  0);
	CHECK(b.data && strstr(b.data, "<html lang=\"en\">") != NULL);
	CHECK(b.data && strstr(b.data, "Label not found") != NULL);
	ocop_buf_release(&b);
}

static int
has(const struct ocop_buf *b, const char *text)
{
	return b->data && strstr(b->data, text) != NULL;
}

/* A known label of a 4-star product, valid on 2026-06-01. */
static void
known_record(struct ocop_record *rec)
{
	int32_t d;

	memset(rec, 0, sizeof(*rec));
	ocop_strlcpy(rec->serial, "7KQ3M9XH2PAB4C5D", sizeof(rec->serial));
	rec->verdict = OCOP_VALID;
	rec->reason = OCOP_REASON_IN_FORCE;
	rec->known = 1;
	ocop_day_parse("2026-06-01", &d, NULL);
	rec->checked_at = (int64_t)d * 86400 + 3600;
	rec->since = OCOP_NO_DAY;
	rec->first_scan_at = rec->checked_at;
	rec->scan_count = 1;
	ocop_strlcpy(rec->product.name, "Xoài cát Hòa Lộc",
		     sizeof(rec->product.name));
	ocop_strlcpy(rec->product.group, "I", sizeof(rec->product.group));
	ocop_strlcpy(rec->product.producer.name, "HTX Mỹ Xương",
		     sizeof(rec->product.producer.name));
	ocop_strlcpy(rec->product.producer.kind, "HTX",
		     sizeof(rec->product.producer.kind));
	rec->label.stars = 4;
	rec->label.voided_at = OCOP_NO_TIME;
	rec->batch.voided_at = OCOP_NO_TIME;
	rec->batch.made_on = OCOP_NO_DAY;
	rec->batch.best_before = OCOP_NO_DAY;
	rec->batch.issued_at = rec->checked_at - 86400 * 30;
	rec->has_recognition = 1;
	rec->recognition.stars = 4;
	ocop_strlcpy(rec->recognition.decision_no, "1446/QĐ-UBND-HC",
		     sizeof(rec->recognition.decision_no));
	ocop_day_parse("2024-03-01", &rec->recognition.decided_on, NULL);
	rec->recognition.valid_from = rec->recognition.decided_on;
	ocop_day_parse("2027-02-28", &rec->recognition.valid_until, NULL);
	rec->recognition.end = rec->recognition.valid_until;
	rec->recognition.extended_until = OCOP_NO_DAY;
	rec->recognition.revoked_on = OCOP_NO_DAY;
}

static void
test_site_and_advice(void)
{
	struct page_site site = {"Văn phòng Điều phối <NTM> Đồng Tháp",
				 "Đường dây nóng 0277 3851 234"};
	struct page_site none = {NULL, ""};
	struct ocop_record rec;
	struct ocop_error err = {0};
	struct ocop_buf b;

	ocop_buf_init(&b, 0);
	known_record(&rec);
	TEST("page_label: the operator in the header, no advice when valid");
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Đơn vị vận hành: <strong>Văn phòng Điều phối "
		      "&lt;NTM&gt; Đồng Tháp</strong>"));
	CHECK(!has(&b, "0277 3851 234"));
	CHECK(!has(&b, "Bạn nên làm gì"));
	CHECK(!has(&b, "sao chép"));
	CHECK(!has(&b, "class=\"ended\""));
	CHECK(has(&b, "01/03/2024 – 28/02/2027</dd>"));

	TEST("page_label: expired shows advice, contact and an ended period");
	rec.verdict = OCOP_EXPIRED;
	rec.reason = OCOP_REASON_EXPIRED;
	ocop_day_parse("2026-03-01", &rec.recognition.end, NULL);
	rec.since = rec.recognition.end + 1;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Bạn nên làm gì"));
	CHECK(has(&b, "không được mang dấu OCOP"));
	CHECK(has(&b, "<strong>Đường dây nóng 0277 3851 234</strong>"));
	CHECK(has(&b, "<dd class=\"ended\">01/03/2024 – 28/02/2027 <span "
		      "class=\"tag\">Đã hết hiệu lực, từ ngày 02/03/2026"));
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "en", "/L/X", &b, &err), 0);
	CHECK(has(&b, "What to do"));
	CHECK(has(&b, "may not carry the OCOP mark"));
	CHECK(has(&b, "Ended on 2 Mar 2026"));

	TEST("page_label: revoked, voided, star mismatch, unknown advice");
	rec.verdict = OCOP_REVOKED;
	rec.reason = OCOP_REASON_REVOKED;
	ocop_day_parse("2025-06-01", &rec.recognition.revoked_on, NULL);
	rec.recognition.ground = OCOP_GROUND_C;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "đã bị thu hồi, nên sản phẩm không được mang dấu OCOP"));
	CHECK(has(&b, "Đã bị thu hồi, từ ngày 01/06/2025"));
	CHECK(has(&b, "0277 3851 234"));
	rec.verdict = OCOP_VOIDED;
	rec.reason = OCOP_REASON_LABEL_VOIDED;
	rec.recognition.revoked_on = OCOP_NO_DAY;
	rec.label.voided_at = rec.checked_at - 60;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Nhà sản xuất đã thu hồi tem này"));
	CHECK(has(&b, "Tem đã bị hủy nên không còn chứng nhận"));
	rec.verdict = OCOP_STAR_MISMATCH;
	rec.reason = OCOP_REASON_FEWER_STARS;
	rec.label.voided_at = OCOP_NO_TIME;
	rec.recognition.stars = 3;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Tem in nhiều sao hơn"));
	CHECK(has(&b, "0277 3851 234"));
	CHECK(!has(&b, "class=\"ended\""));
	rec.verdict = OCOP_UNKNOWN;
	rec.reason = OCOP_REASON_MISTYPED;
	rec.known = 0;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Mã này có ký tự bị gõ sai"));
	CHECK(has(&b, "name=\"code\" value=\"7KQ3-M9XH-2PAB-4C5D\""));
	CHECK(has(&b, "0277 3851 234"));
	rec.reason = OCOP_REASON_NOT_FOUND;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "en", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Do not buy this product"));

	TEST("page_label: no operator set names no one, advice still there");
	b.len = 0;
	CHECK_INT(page_label(&rec, &none, "vi", "/L/X", &b, &err), 0);
	CHECK(!has(&b, "Đơn vị vận hành"));
	CHECK(has(&b, "Báo cáo cho cơ quan quản lý thị trường"));
	CHECK(!has(&b, "<strong></strong>"));
	ocop_buf_release(&b);
}

static void
test_copied(void)
{
	struct page_site site = {"Sở NN&MT", "1800 1234"};
	struct ocop_record rec;
	struct ocop_error err = {0};
	struct ocop_buf b;

	ocop_buf_init(&b, 0);
	known_record(&rec);
	TEST("page_label: a copied label keeps its verdict and warns");
	rec.suspect_copy = 1;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(has(&b, "class=\"banner ok\""));
	CHECK(has(&b, "Sản phẩm OCOP hợp lệ"));
	CHECK(has(&b, "Cảnh báo: tem này có thể bị sao chép"));
	CHECK(has(&b, "hóa đơn"));
	CHECK(has(&b, "<strong>1800 1234</strong>"));
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "en", "/L/X", &b, &err), 0);
	CHECK(has(&b, "Warning: this label may have been copied"));
	CHECK(has(&b, "invoice"));
	TEST("page_label: no copy warning on an unknown code");
	rec.verdict = OCOP_UNKNOWN;
	rec.reason = OCOP_REASON_NOT_FOUND;
	rec.known = 0;
	b.len = 0;
	CHECK_INT(page_label(&rec, &site, "vi", "/L/X", &b, &err), 0);
	CHECK(!has(&b, "sao chép"));
	ocop_buf_release(&b);
}

static void
test_home_and_errors(void)
{
	struct page_site site = {"Văn phòng OCOP", "0277 000"};
	struct ocop_error err = {0};
	struct ocop_buf b;
	char msg[512];

	ocop_buf_init(&b, 0);
	TEST("page_home: one field, a GET form, both languages");
	CHECK_INT(page_home(&site, "vi", NULL, NULL, &b, &err), 0);
	CHECK(has(&b, "<form action=\"/L\" method=\"get\">"));
	CHECK(has(&b, "name=\"code\""));
	CHECK(has(&b, "Kiểm tra tem OCOP"));
	CHECK(has(&b, "Văn phòng OCOP"));
	CHECK(!has(&b, "aria-invalid=\"true\""));
	CHECK(!has(&b, "<script"));
	b.len = 0;
	CHECK_INT(page_home(&site, "en", "ab\"<x>", "Bad <code>", &b, &err), 0);
	CHECK(has(&b, "<html lang=\"en\">"));
	CHECK(has(&b, "value=\"ab&quot;&lt;x&gt;\""));
	CHECK(has(&b, "Bad &lt;code&gt;"));
	CHECK(has(&b, "aria-invalid=\"true\""));

	TEST("page_code_problem: the problem in words");
	CHECK(strstr(page_code_problem("", "vi", msg, sizeof(msg)),
		     "Hãy nhập mã") != NULL);
	CHECK(strstr(page_code_problem("7KQ3-M9XH", "vi", msg, sizeof(msg)),
		     "có 8 ký tự") != NULL);
	CHECK(strstr(page_code_problem("7KQ3-M9XH", "en", msg, sizeof(msg)),
		     "has 8 characters") != NULL);
	CHECK(strstr(page_code_problem("7KQ3-M9XH-2PAB-4C5Đ", "vi", msg,
				       sizeof(msg)),
		     "“Đ”") != NULL);
	CHECK(strstr(page_code_problem("UUUU", "vi", msg, sizeof(msg)),
		     "“U”") != NULL);
	CHECK(strstr(page_code_problem("https://example.com/x", "vi", msg,
				       sizeof(msg)),
		     "không phải địa chỉ của một tem") != NULL);

	TEST("page_error: titles in the page's language");
	b.len = 0;
	CHECK_INT(page_error(&site, "vi", 404, NULL, "/", &b, &err), 0);
	CHECK(has(&b, "<html lang=\"vi\">"));
	CHECK(has(&b, "Không có trang này"));
	CHECK(has(&b, "Văn phòng OCOP"));
	b.len = 0;
	CHECK_INT(page_error(&site, "en", 429, NULL, "/", &b, &err), 0);
	CHECK(has(&b, "Too many requests"));
	b.len = 0;
	CHECK_INT(page_error(&site, "vi", 599, "chi tiết", "/", &b, &err), 0);
	CHECK(has(&b, "Lỗi hệ thống"));
	CHECK(has(&b, "chi tiết"));
	ocop_buf_release(&b);
}

int
main(void)
{
	test_render();
	test_lang();
	test_label_page();
	test_site_and_advice();
	test_copied();
	test_home_and_errors();
	return harness_done();
}
