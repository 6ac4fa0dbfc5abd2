/*
 * fuzz_home_code.c - what a shopper types in the home page's field
 * (GET /L?code=...): the code parser, the problem told in words in both
 * languages, and the form drawn again with the text typed, which must
 * come back escaped: input holding '<' shows up no more often in the
 * page than in the same page with nothing typed (the template's own
 * markup may hold it, as "<s" is in "<span").
 */
#include "fuzz.h"
#include "http/page.h"

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	if (!*needle)
		return 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct page_site site = {"Sở Nông nghiệp", "1800 1234"};
	static const char *const langs[] = {"vi", "en"};
	char *s = fuzz_cstr(data, size);
	struct ocop_code code;
	struct ocop_error err = {0};
	char problem[512];

	if (ocop_code_parse(s, &code, &err) == 0 &&
	    code.kind == OCOP_CODE_SERIAL && strlen(code.serial) != 16)
		abort();
	for (int i = 0; i < 2; i++) {
		struct ocop_buf out, bare;

		page_code_problem(s, langs[i], problem, sizeof(problem));
		ocop_buf_init(&out, 1 << 20);
		ocop_buf_init(&bare, 1 << 20);
		if (page_home(&site, langs[i], s, problem, &out, &err) < 0 ||
		    page_home(&site, langs[i], "", problem, &bare, &err) < 0)
			abort();
		if (strchr(s, '<') && count(out.data, s) > count(bare.data, s))
			abort();
		ocop_buf_release(&out);
		ocop_buf_release(&bare);
	}
	free(s);
	return 0;
}
