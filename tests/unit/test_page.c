/*
 * test_page.c - the page template engine and language choice.
 */
#include <stdlib.h>

#include "harness.h"
#include "page.h"

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
	CHECK_INT(page_label(&rec, "vi", "/L/7KQ3M9XH2PAB4C5D", &b, &err), 0);
	CHECK(b.data && strstr(b.data, "<html lang=\"vi\">") != NULL);
	CHECK(b.data && strstr(b.data, "Không tìm thấy nhãn") != NULL);
	CHECK(b.data && strstr(b.data, "7KQ3-M9XH-2PAB-4C5D") != NULL);
	CHECK(b.data && strstr(b.data, "/L/7KQ3M9XH2PAB4C5D?lang=en") != NULL);
	CHECK(b.data && strstr(b.data, "{{") == NULL);
	b.len = 0;
	CHECK_INT(page_label(&rec, "en", "/L/7KQ3M9XH2PAB4C5D", &b, &err), 0);
	CHECK(b.data && strstr(b.data, "<html lang=\"en\">") != NULL);
	CHECK(b.data && strstr(b.data, "Label not found") != NULL);
	ocop_buf_release(&b);
}

int
main(void)
{
	test_render();
	test_lang();
	test_label_page();
	return harness_done();
}
