/*
 * test_names.c - the registry's words as written: folding and matching
 * of groups and producer kinds (names.c, assets/registry/).
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "assets.h"
#include "harness.h"
#include "names.h"

static void
check_fold(const char *in, const char *want)
{
	char *f = names_fold(in);

	CHECK_STR(f ? f : "(null)", want);
	free(f);
}

/* Every name of a list file must match its own canonical value as
 * written, decomposed (NFD) and upper-cased. */
static void
check_file(const char *asset, const char *(*match)(const char *))
{
	const struct ocop_asset *a = assets_find(asset);
	const char *p, *end, *nl;
	int lines = 0;

	CHECK(a != NULL);
	if (!a)
		return;
	for (p = a->data, end = a->data + a->len; p < end; p = nl + 1) {
		char line[512], *canon, *rule, *text, *save = NULL;
		utf8proc_uint8_t *nfd, *upper;
		const char *got;
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		len = (size_t)(nl - p);
		if (len == 0 || p[0] == '#')
			continue;
		CHECK(len < sizeof(line));
		if (len >= sizeof(line))
			continue;
		memcpy(line, p, len);
		line[len] = '\0';
		canon = strtok_r(line, "\t", &save);
		rule = strtok_r(NULL, "\t", &save);
		text = strtok_r(NULL, "\t", &save);
		CHECK(canon && rule && text);
		if (!canon || !rule || !text)
			continue;
		lines++;
		if (strcmp(rule, "strip") == 0) {
			CHECK_STR(canon, "-");
			continue;
		}
		CHECK(strcmp(rule, "name") == 0 || strcmp(rule, "prefix") == 0);
		got = match(text);
		if (!got || strcmp(got, canon) != 0)
			printf("  %s: '%s' gives %s, not %s\n", asset, text,
			       got ? got : "nothing", canon);
		CHECK_STR(got ? got : "(none)", canon);
		nfd = utf8proc_NFD((const utf8proc_uint8_t *)text);
		got = match((const char *)nfd);
		CHECK_STR(got ? got : "(none)", canon);
		free(nfd);
		upper = NULL;
		/* upper case: decompose, then map every code point */
		{
			utf8proc_int32_t cp;
			utf8proc_ssize_t k;
			const utf8proc_uint8_t *q =
			    (const utf8proc_uint8_t *)text;
			size_t n = 0;

			upper = malloc(strlen(text) * 4 + 1);
			while (*q && (k = utf8proc_iterate(q, -1, &cp)) > 0) {
				n += (size_t)utf8proc_encode_char(
				    utf8proc_toupper(cp), upper + n);
				q += k;
			}
			upper[n] = '\0';
		}
		got = match((const char *)upper);
		CHECK_STR(got ? got : "(none)", canon);
		free(upper);
	}
	CHECK(lines > 10);
}

int
main(void)
{
	TEST("fold: marks, case, đ, punctuation, NFC and NFD alike");
	check_fold("Thực phẩm", "thuc pham");
	check_fold("THU\xcc\x9b\xcc\xa3\x43 PHA\xcc\x82\xcc\x89M", "thuc pham");
	check_fold("Đồ uống", "do uong");
	check_fold("\xc4\x90\xe1\xbb\x92 U\xe1\xbb\x90NG", "do uong");
	check_fold("D\xcc\x9b", "d"); /* D + horn: not đ, just D */
	check_fold("  Du lịch cộng đồng,  sinh thái và điểm du lịch ",
		   "du lich cong dong sinh thai va diem du lich");
	check_fold("C.ty TNHH", "c ty tnhh");
	check_fold("Ｈｏ\xcc\x9b\xcc\xa3p", "hop"); /* fullwidth */
	check_fold("\xc3\x90\xe1\xbb\x93ng", "dong"); /* Ð for Đ */
	check_fold("", "");
	CHECK(names_fold("bad\xff") == NULL);

	TEST("groups: numerals, names and short names as written");
	CHECK_STR(names_group("I"), "I");
	CHECK_STR(names_group("vi"), "VI");
	CHECK_STR(names_group("Nhóm III"), "III");
	CHECK_STR(names_group("NGÀNH IV"), "IV");
	CHECK_STR(names_group("II - Đồ uống"), "II");
	CHECK_STR(names_group("Nhóm Thực phẩm"), "I");
	CHECK_STR(names_group("thuc pham"), "I");
	CHECK_STR(names_group("Thảo dược"), "III");
	CHECK_STR(names_group("Du lịch"), "VI");
	CHECK_STR(names_group("DU LỊCH CỘNG ĐỒNG, SINH THÁI VÀ ĐIỂM DU LỊCH"),
		  "VI");
	CHECK(names_group("VII") == NULL);
	CHECK(names_group("Thực phẩm chức năng xyz") == NULL);
	CHECK(names_group("Nhóm") == NULL);
	CHECK(names_group("") == NULL);
	CHECK(names_group(NULL) == NULL);

	TEST("producer kinds: codes, words and producers' names");
	CHECK_STR(names_producer_kind("htx"), "HTX");
	CHECK_STR(names_producer_kind("Hợp tác xã Nông nghiệp Mỹ Hòa"), "HTX");
	CHECK_STR(names_producer_kind("HTX Xoài"), "HTX");
	CHECK_STR(names_producer_kind("Tổ hợp tác dệt chiếu"), "THT");
	CHECK_STR(names_producer_kind("Công ty TNHH MTV Sen Việt"), "DN");
	CHECK_STR(names_producer_kind("CÔNG TY CỔ PHẦN"), "DN");
	CHECK_STR(names_producer_kind("CTCP Sa Giang"), "DN");
	CHECK_STR(names_producer_kind("DNTN Ba Lợi"), "DN");
	CHECK_STR(names_producer_kind("Doanh nghiệp tư nhân"), "DN");
	CHECK_STR(names_producer_kind("Hộ kinh doanh Tư Tôn"), "h\xe1\xbb\x99");
	CHECK_STR(names_producer_kind("ho\xcc\xa3\xcc\x82 gia \xc4\x91inh"),
		  "h\xe1\xbb\x99");
	CHECK_STR(names_producer_kind("HỘ"), "h\xe1\xbb\x99");
	CHECK_STR(names_producer_kind("Cơ sở sản xuất nem"), "other");
	CHECK_STR(names_producer_kind("Trang trại"), "other");
	/* Hồ, a family name, folds like hộ: a person is not a household
	 * business by the name alone */
	CHECK(names_producer_kind("Hồ Văn Tám") == NULL);
	CHECK(names_producer_kind("Nguyễn Văn Tám") == NULL);
	/* "Tổ hợp tác" is not "Hợp tác xã" though it holds its words */
	CHECK_STR(names_producer_kind("Tổ hợp tác xã"), "THT");

	TEST("lists: every accepted name matches its canonical value");
	check_file("registry/groups.tsv", names_group);
	check_file("registry/producer_kinds.tsv", names_producer_kind);
	return harness_done();
}
