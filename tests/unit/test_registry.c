/*
 * test_registry.c - the CSV reader, row checks, UTF-8 helpers, history
 * containers, and registry import/grant/extend/revoke against a
 * temporary database.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "registry.h"
#include "utf8.h"

/* Read all records of data; fields of record i joined by '|' in out[i]. */
static int
read_csv(const char *data, size_t len, char out[][256], long *lines, int max,
	 char bad[][160])
{
	struct registry_csv c;
	struct ocop_error err = {0};
	int n = 0, rc;

	registry_csv_init(&c, data, len);
	while ((rc = registry_csv_next(&c, &err)) > 0 && n < max) {
		out[n][0] = '\0';
		for (size_t i = 0; i < c.nfields; i++) {
			if (i)
				strcat(out[n], "|");
			strcat(out[n], registry_csv_field(&c, i, NULL));
		}
		lines[n] = c.line;
		if (bad)
			strcpy(bad[n], c.bad);
		n++;
	}
	registry_csv_release(&c);
	return rc < 0 ? rc : n;
}

static void
test_csv(void)
{
	char out[8][256], bad[8][160];
	long lines[8];
	int n;

	TEST("csv: plain fields, LF, trailing newline");
	n = read_csv("a,b,c\n1,2,3\n", 12, out, lines, 8, NULL);
	CHECK_INT(n, 2);
	CHECK_STR(out[0], "a|b|c");
	CHECK_STR(out[1], "1|2|3");
	CHECK_INT(lines[1], 2);

	TEST("csv: CRLF and no final newline");
	n = read_csv("a,b\r\n1,2\r\n3,4", 14, out, lines, 8, NULL);
	CHECK_INT(n, 3);
	CHECK_STR(out[1], "1|2");
	CHECK_STR(out[2], "3|4");
	CHECK_INT(lines[2], 3);

	TEST("csv: quotes, doubled quotes, commas inside quotes");
	{
		const char *s = "\"x, y\",\"say \"\"hi\"\"\",\"\"\n";

		n = read_csv(s, strlen(s), out, lines, 8, NULL);
		CHECK_INT(n, 1);
		CHECK_STR(out[0], "x, y|say \"hi\"|");
	}

	TEST("csv: UTF-8 BOM is skipped");
	{
		const char *s = "\xef\xbb\xbf"
				"code,name\nA,Hoa\n";

		n = read_csv(s, strlen(s), out, lines, 8, NULL);
		CHECK_INT(n, 2);
		CHECK_STR(out[0], "code|name");
		CHECK_INT(lines[0], 1);
	}

	TEST("csv: embedded newlines keep physical line numbers");
	{
		const char *s = "h1,h2\n"
				"a,\"line one\nline two\r\nline three\"\n"
				"b,c\n"
				"\n"
				"d,e\n";

		n = read_csv(s, strlen(s), out, lines, 8, NULL);
		CHECK_INT(n, 4);
		CHECK_STR(out[1], "a|line one\nline two\r\nline three");
		CHECK_INT(lines[1], 2);
		CHECK_INT(lines[2], 5); /* after a 3-line record */
		CHECK_INT(lines[3], 7); /* a blank line was skipped */
	}

	TEST("csv: empty fields and trailing comma");
	n = read_csv("a,,b,\n", 6, out, lines, 8, NULL);
	CHECK_INT(n, 1);
	CHECK_STR(out[0], "a||b|");

	TEST("csv: stray quote marks the record bad but reading goes on");
	{
		const char *s = "a,b\"c,d\n\"q\"x,2\nok,1\n";

		n = read_csv(s, strlen(s), out, lines, 8, bad);
		CHECK_INT(n, 3);
		CHECK(strstr(bad[0], "quote inside unquoted field 2") != NULL);
		CHECK(strstr(bad[1], "after the closing quote of field 1") !=
		      NULL);
		CHECK_STR(bad[2], "");
	}

	TEST("csv: unterminated quote is an error naming the line");
	{
		struct registry_csv c;
		struct ocop_error err = {0};
		const char *s = "a,b\n1,\"open\n2,3\n";

		registry_csv_init(&c, s, strlen(s));
		CHECK_INT(registry_csv_next(&c, &err), 1);
		CHECK_INT(registry_csv_next(&c, &err), OCOP_EINVAL);
		CHECK(strstr(err.msg, "line 2") != NULL);
		registry_csv_release(&c);
	}

	TEST("csv: NUL bytes are kept with their length");
	{
		struct registry_csv c;
		struct ocop_error err = {0};
		size_t len = 0;

		registry_csv_init(&c, "a\0b,c\n", 6);
		CHECK_INT(registry_csv_next(&c, &err), 1);
		registry_csv_field(&c, 0, &len);
		CHECK_INT(len, 3);
		registry_csv_release(&c);
	}
}

static void
test_utf8(void)
{
	TEST("utf8: strict validation");
	CHECK(utf8_valid("Đồng Tháp", strlen("Đồng Tháp"), NULL));
	CHECK(!utf8_valid("\xc0\xaf", 2, NULL));	 /* overlong */
	CHECK(!utf8_valid("\xed\xa0\x80", 3, NULL));	 /* surrogate */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
	CHECK(!utf8_valid("ab\xe1\xbb", 4, NULL));	 /* truncated */
	{
		size_t off = 0;

		CHECK(!utf8_valid("ok\xff", 3, &off));
		CHECK_INT(off, 2);
	}

	TEST("utf8: display width counts code points, not marks");
	CHECK_INT(utf8_width("Quýt hồng"), 9);
	/* decomposed: o + U+0323 + U+0302 is one column */
	CHECK_INT(utf8_width("ho\xcc\xa3\xcc\x82"), 2);
	CHECK_INT(utf8_width("\xe6\x97\xa5"), 2); /* a CJK character */
}

static const char *const good_rec[] = {
    "87-1",  "Quýt hồng", "i",		" 8936045120019 ",
    "HTX A", "HỘ",	  "Đồng Tháp",	"xã A,\nhuyện B",
    "4",     "1/QĐ",	  "2024-02-29", "UBND tỉnh Đồng Tháp",
    "",	     "",	  "",
};

static void
test_check(void)
{
	struct ocop_product p;
	struct ocop_recognition r;
	struct ocop_revocation v;
	struct ocop_buf why;
	const char *row[15];
	char code[64], d[11];

	ocop_buf_init(&why, 0);

	TEST("check: a good row, canonical group/kind, default term");
	CHECK_INT(registry_check_recognition(good_rec, &p, &r, &why), 0);
	CHECK_STR(p.group, "I");
	CHECK_STR(p.gtin, "08936045120019");
	CHECK_STR(p.producer.kind, "hộ");
	CHECK_STR(p.producer.address, "xã A,\nhuyện B");
	CHECK_INT(r.stars, 4);
	CHECK_STR(ocop_day_format(r.valid_until, d), "2027-02-27");
	CHECK_INT(r.valid_from, r.decided_on);

	TEST("check: every bad field is named");
	memcpy(row, good_rec, sizeof(row));
	row[2] = "VII";
	row[3] = "8936045120018";
	row[5] = "coop";
	row[8] = "6";
	row[10] = "2025-02-30";
	row[11] = "";
	why.len = 0;
	CHECK_INT(registry_check_recognition(row, &p, &r, &why), OCOP_EINVAL);
	CHECK(strstr(why.data, "invalid group 'VII'") != NULL);
	CHECK(strstr(why.data, "check digit") != NULL);
	CHECK(strstr(why.data, "producer_kind 'coop'") != NULL);
	CHECK(strstr(why.data, "invalid stars '6'") != NULL);
	CHECK(strstr(why.data, "decided_on '2025-02-30'") != NULL);
	CHECK(strstr(why.data, "missing issuer") != NULL);

	TEST("check: valid_until before decided_on, control characters");
	memcpy(row, good_rec, sizeof(row));
	row[12] = "2020-01-01";
	row[1] = "bad\x01name";
	why.len = 0;
	CHECK_INT(registry_check_recognition(row, &p, &r, &why), OCOP_EINVAL);
	CHECK(strstr(why.data, "valid_until 2020-01-01 is before") != NULL);
	CHECK(strstr(why.data, "name contains a control character") != NULL);

	TEST("check: revocation rows");
	{
		const char *ok[] = {"87-1", "9/QĐ", "2025-01-02", "đ", ""};
		const char *no[] = {"", "9/QĐ", "2025-13-01", "f", ""};

		why.len = 0;
		CHECK_INT(
		    registry_check_revocation(ok, code, sizeof(code), &v, &why),
		    0);
		CHECK_INT(v.ground, OCOP_GROUND_DD);
		why.len = 0;
		CHECK_INT(
		    registry_check_revocation(no, code, sizeof(code), &v, &why),
		    OCOP_EINVAL);
		CHECK(strstr(why.data, "missing code") != NULL);
		CHECK(strstr(why.data, "revoked_on '2025-13-01'") != NULL);
		CHECK(strstr(why.data, "invalid ground 'f'") != NULL);
	}
	ocop_buf_release(&why);

	TEST("ground names round-trip");
	for (int g = OCOP_GROUND_A; g <= OCOP_GROUND_LAPSED; g++) {
		enum ocop_ground back = OCOP_GROUND_NONE;

		CHECK_INT(ocop_ground_parse(ocop_ground_name(g), &back), 0);
		CHECK_INT(back, g);
	}
	CHECK(ocop_ground_name(OCOP_GROUND_NONE) == NULL);
}

static const char header[] =
    "code,name,group,gtin,producer,producer_kind,province,address,"
    "stars,decision_no,decided_on,issuer,valid_until\n";

static int
import(struct ocop_store *st, const char *name, const char *data,
       struct registry_summary *sum, struct registry_problems *probs)
{
	struct ocop_error err = {0};

	registry_problems_release(probs);
	return registry_import_buffer(st, name, data, strlen(data), sum, probs,
				      &err);
}

static int
count_recs(struct ocop_store *st, const char *code)
{
	struct ocop_product p;
	struct ocop_history h;
	int n;

	ocop_history_init(&h);
	if (st->m->product_get(st, code, &p, NULL) < 0 ||
	    registry_history(st, p.id, &h, NULL) < 0)
		return -1;
	n = (int)h.nrecs;
	ocop_history_release(&h);
	return n;
}

static void
test_import(void)
{
	char path[] = "/tmp/test_registry_XXXXXX";
	struct ocop_store *st = NULL;
	struct ocop_error err = {0};
	struct registry_summary sum;
	struct registry_problems probs;
	struct ocop_product p;
	struct ocop_history h;
	char buf[4096], d[11];
	int fd, rc, changed;

	fd = mkstemp(path);
	close(fd);
	registry_problems_init(&probs);
	ocop_history_init(&h);

	TEST("import: CSV with history, columns in any order");
	rc = ocop_store_open(path, 1, &st, &err);
	CHECK_INT(rc, 0);
	if (rc < 0)
		return;
	snprintf(buf, sizeof(buf),
		 "%s"
		 "A-1,Hoa,V,,HTX A,HTX,Đồng Tháp,xã A,3,1/QĐ,2020-01-10,"
		 "UBND,\n"
		 "A-1,Hoa Sa Đéc,V,8936045120019,HTX A,HTX,Đồng Tháp,xã A,4,"
		 "2/QĐ,2023-01-05,UBND,2025-12-31\n"
		 "B-2,Nem,I,,Cơ sở B,hộ,Đồng Tháp,\"ấp 1, xã B\",3,1/QĐ,"
		 "2024-02-29,UBND,\n",
		 header);
	rc = import(st, "a.csv", buf, &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.kind, REGISTRY_RECOGNITIONS);
	CHECK_INT(sum.rows, 3);
	CHECK_INT(sum.products, 2);
	CHECK_INT(sum.unchanged, 0);
	CHECK_INT(count_recs(st, "A-1"), 2);
	CHECK_INT(st->m->product_get(st, "A-1", &p, &err), 0);
	CHECK_STR(p.name, "Hoa Sa Đéc"); /* the latest decision's name */
	CHECK_STR(p.gtin, "08936045120019");
	CHECK_INT(st->m->product_get_by_gtin(st, "08936045120019", &p, &err),
		  0);
	CHECK_STR(p.code, "A-1");

	TEST("import: the same file again changes nothing");
	rc = import(st, "a.csv", buf, &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.unchanged, 3);

	TEST("import: an older row does not overwrite newer details");
	snprintf(buf, sizeof(buf),
		 "stars,code,name,group,gtin,producer,producer_kind,province,"
		 "address,decision_no,decided_on,issuer,valid_until\n"
		 "3,A-1,Hoa cũ,V,,HTX A,HTX,Đồng Tháp,xã A,0/QĐ,2017-01-10,"
		 "UBND,\n");
	rc = import(st, "old.csv", buf, &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(st->m->product_get(st, "A-1", &p, &err), 0);
	CHECK_STR(p.name, "Hoa Sa Đéc");
	CHECK_INT(count_recs(st, "A-1"), 3);

	TEST("import: bad rows are all listed and nothing is written");
	snprintf(buf, sizeof(buf),
		 "%s"
		 "C-3,Mới,I,,HTX C,HTX,Đồng Tháp,xã C,3,1/QĐ,2024-01-01,U,\n"
		 "A-1,Hoa,V,,HTX A,HTX,Đồng Tháp,xã A,5,2/QĐ,2023-01-05,"
		 "UBND,2025-12-31\n"
		 "D-4,Khác,I,08936045120019,HTX D,DN,Đồng Tháp,xã D,3,1/QĐ,"
		 "2024-01-01,U,\n"
		 "E-5,\"Tên\nhai dòng\",I,,HTX E,DN,Đồng Tháp,xã E,7,1/QĐ,"
		 "2024-01-01,U,\n",
		 header);
	rc = import(st, "bad.csv", buf, &sum, &probs);
	CHECK_INT(rc, OCOP_EINVAL);
	CHECK_INT(probs.total, 3);
	if (probs.n == 3) {
		CHECK(strstr(probs.msgs[0], "bad.csv line 3:") != NULL);
		CHECK(strstr(probs.msgs[0], "other content") != NULL);
		CHECK(strstr(probs.msgs[1], "bad.csv line 4:") != NULL);
		CHECK(strstr(probs.msgs[1], "already belongs to product "
					    "'A-1'") != NULL);
		CHECK(strstr(probs.msgs[2], "bad.csv line 5:") != NULL);
	}
	CHECK_INT(st->m->product_get(st, "C-3", &p, NULL), OCOP_ENOENT);

	TEST("import: revocations, by CSV and JSON");
	rc = import(st, "r.csv",
		    "code,decision_no,revoked_on,ground,note\n"
		    "B-2,5/QĐ,2025-03-01,c,\"nhãn sai\"\n",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.kind, REGISTRY_REVOCATIONS);
	rc = import(st, "r.json",
		    "[{\"code\":\"B-2\",\"decision_no\":\"5/QĐ\","
		    "\"revoked_on\":\"2025-03-01\",\"ground\":\"c\","
		    "\"note\":\"nhãn sai\"}]",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.unchanged, 1);
	rc = import(st, "r.json",
		    "[{\"code\":\"Z\",\"decision_no\":\"5\",\"revoked_on\":"
		    "\"2025-03-01\",\"ground\":\"c\",\"note\":null},"
		    "{\"code\":\"B-2\",\"decision_no\":\"6\",\"revoked_on\":"
		    "\"2020-03-01\",\"ground\":\"c\",\"note\":\"\"},"
		    "{\"code\":\"B-2\",\"decision_no\":\"7\",\"revoked_on\":"
		    "\"2025-03-01\",\"ground\":\"c\"}]",
		    &sum, &probs);
	CHECK_INT(rc, OCOP_EINVAL);
	CHECK_INT(probs.total, 3);
	if (probs.n == 3) {
		CHECK(strstr(probs.msgs[0], "item 0: unknown product code "
					    "'Z'") != NULL);
		CHECK(strstr(probs.msgs[1], "item 1: revoked_on 2020-03-01 is "
					    "before") != NULL);
		CHECK(strstr(probs.msgs[2], "item 2: missing key 'note'") !=
		      NULL);
	}

	TEST("import: JSON recognitions with integer stars");
	rc = import(st, "p.json",
		    "\xef\xbb\xbf[{\"code\":\"F-6\",\"name\":\"Chiếu\","
		    "\"group\":\"IV\",\"gtin\":null,\"producer\":\"HTX F\","
		    "\"producer_kind\":\"THT\",\"province\":\"Đồng Tháp\","
		    "\"address\":\"xã F\",\"stars\":4,\"decision_no\":\"1\","
		    "\"decided_on\":\"2025-01-01\",\"issuer\":\"UBND\","
		    "\"valid_until\":null}]",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(count_recs(st, "F-6"), 1);

	TEST("import: size cap and empty input");
	{
		struct ocop_error e2 = {0};

		rc = registry_import_buffer(st, "big.csv", "",
					    REGISTRY_MAX_INPUT + 1, &sum,
					    &probs, &e2);
		CHECK_INT(rc, OCOP_ETOOBIG);
		rc = import(st, "empty.csv", "", &sum, &probs);
		CHECK_INT(rc, OCOP_EINVAL);
		CHECK_INT(probs.total, 1);
	}

	TEST("grant, extend (180-day cap) and revoke");
	{
		struct ocop_recognition r;
		struct ocop_revocation v;

		memset(&r, 0, sizeof(r));
		r.stars = 5;
		ocop_strlcpy(r.decision_no, "9/QĐ-BNNMT",
			     sizeof(r.decision_no));
		ocop_day_parse("2025-06-01", &r.decided_on, NULL);
		r.valid_until = OCOP_NO_DAY;
		CHECK_INT(registry_grant(st, "F-6", &r, &changed, &err), 0);
		CHECK_INT(changed, 1);
		CHECK_STR(r.issuer, "Bộ Nông nghiệp và Môi trường");
		CHECK_STR(ocop_day_format(r.valid_until, d), "2028-05-31");
		CHECK_INT(registry_grant(st, "F-6", &r, &changed, &err), 0);
		CHECK_INT(changed, 0);
		CHECK_INT(registry_grant(st, "nope", &r, &changed, &err),
			  OCOP_ENOENT);

		int32_t until;

		ocop_day_parse("2028-11-28", &until, NULL); /* +181 days */
		CHECK_INT(registry_extend(st, "F-6", NULL, until, NULL, &r,
					  &changed, &err),
			  OCOP_EREFUSED);
		until--;
		CHECK_INT(registry_extend(st, "F-6", NULL, until, NULL, &r,
					  &changed, &err),
			  0);
		CHECK_STR(ocop_day_format(r.extended_until, d), "2028-11-27");
		CHECK_INT(registry_extend(st, "F-6", "1", until, NULL, &r,
					  &changed, &err),
			  OCOP_EREFUSED); /* far past decision 1 ends */
		CHECK_INT(st->m->product_get(st, "F-6", &p, &err), 0);
		CHECK_INT(registry_history(st, p.id, &h, &err), 0);
		CHECK_INT(h.nrecs, 2);
		CHECK_STR(ocop_day_format(h.recs[1].extended_until, d),
			  "2028-11-27");

		memset(&v, 0, sizeof(v));
		ocop_strlcpy(v.decision_no, "10/QĐ", sizeof(v.decision_no));
		v.ground = OCOP_GROUND_D;
		ocop_day_parse("2024-12-31", &v.revoked_on, NULL);
		CHECK_INT(registry_revoke(st, "F-6", &v, &changed, &err),
			  OCOP_EREFUSED);
		ocop_day_parse("2026-01-01", &v.revoked_on, NULL);
		CHECK_INT(registry_revoke(st, "F-6", &v, &changed, &err), 0);
		CHECK_INT(registry_history(st, p.id, &h, &err), 0);

		int cur;

		CHECK_INT(registry_status_of(&h, v.revoked_on - 1, &cur),
			  REGISTRY_IN_FORCE);
		CHECK_INT(cur, 1);
		CHECK_INT(registry_status_of(&h, v.revoked_on, &cur),
			  REGISTRY_REVOKED);
		CHECK_INT(registry_status_of(&h, r.decided_on - 100, &cur),
			  REGISTRY_IN_FORCE);
		CHECK_INT(cur, 0);
		CHECK_INT(registry_status_of(&h, r.decided_on - 10000, &cur),
			  REGISTRY_EXPIRED);
	}

	TEST("import: the decisions' words, stored canonical");
	rc = import(st, "w.csv",
		    "code,name,group,gtin,producer,producer_kind,province,"
		    "address,stars,decision_no,decided_on,issuer,valid_until,"
		    "producer_id,source\n"
		    "W-1,Tr\xc3\xa0,\xc4\x90\xe1\xbb\x92 U\xe1\xbb\x90NG,,"
		    "C\xc3\xb4ng ty TNHH A,,L\xc3\xa2m \xc4\x90\xe1\xbb\x93ng,"
		    "x\xc3\xa3 A,4,1/Q\xc4\x90,2025-01-02,UBND,,0101,s1\n",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(st->m->product_get(st, "W-1", &p, &err), 0);
	CHECK_STR(p.group, "II");
	CHECK_STR(p.producer.kind, "DN");
	CHECK_STR(p.producer.reg_no, "0101");

	TEST("import: an extension of a superseded recognition, by file");
	rc = import(st, "w2.csv",
		    "code,name,group,gtin,producer,producer_kind,province,"
		    "address,stars,decision_no,decided_on,issuer,valid_until\n"
		    "W-1,Tr\xc3\xa0,II,,C\xc3\xb4ng ty TNHH A,DN,"
		    "L\xc3\xa2m \xc4\x90\xe1\xbb\x93ng,x\xc3\xa3 A,3,2/QD,"
		    "2025-06-01,UBND,\n",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	rc = import(st, "x.csv",
		    "code,decision_no,extended_until,extension_decision_no\n"
		    "W-1,1/Q\xc4\x90,2028-01-01,9/QD\n",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.kind, REGISTRY_EXTENSIONS);
	CHECK_INT(sum.added, 1);
	CHECK_INT(registry_history(st, p.id, &h, &err), 0);
	CHECK_INT(h.nrecs, 2);
	CHECK_STR(ocop_day_format(h.recs[0].extended_until, d), "2028-01-01");
	CHECK_STR(h.recs[0].ext_decision_no, "9/QD");
	CHECK_STR(h.recs[0].source, "s1");
	/* it counts until the successor starts */
	CHECK_STR(ocop_day_format(h.recs[0].end, d), "2025-05-31");

	TEST("import: the same start day as another decision is refused");
	rc = import(st, "s.csv",
		    "code,name,group,gtin,producer,producer_kind,province,"
		    "address,stars,decision_no,decided_on,issuer,valid_until\n"
		    "W-1,Tr\xc3\xa0,II,,C\xc3\xb4ng ty TNHH A,DN,"
		    "L\xc3\xa2m \xc4\x90\xe1\xbb\x93ng,x\xc3\xa3 A,5,3/QD,"
		    "2025-06-01,UBND,\n",
		    &sum, &probs);
	CHECK_INT(rc, OCOP_EINVAL);
	CHECK_INT(probs.n, 1);
	if (probs.n)
		CHECK(strstr(probs.msgs[0],
			     "s.csv line 2: decision '3/QD' starts on "
			     "2025-06-01, the same day as decision '2/QD'") !=
		      NULL);

	TEST("import: a JSON bundle, extensions before their registry rows");
	rc = import(st, "b.json",
		    "{\"extensions\":[{\"code\":\"W-2\",\"decision_no\":"
		    "\"1\",\"extended_until\":\"2028-02-01\"}],"
		    "\"registry\":[{\"code\":\"W-2\",\"name\":\"B\","
		    "\"group\":\"thuc pham\",\"gtin\":null,\"producer\":"
		    "\"HTX B\",\"producer_kind\":\"\",\"province\":\"P\","
		    "\"address\":\"A\",\"stars\":3,\"decision_no\":\"1\","
		    "\"decided_on\":\"2025-01-01\",\"issuer\":\"U\","
		    "\"valid_until\":\"2027-12-31\"}]}",
		    &sum, &probs);
	CHECK_INT(rc, 0);
	CHECK_INT(sum.kind, REGISTRY_BUNDLE);
	CHECK_INT(sum.by_kind[REGISTRY_RECOGNITIONS - 1], 1);
	CHECK_INT(sum.by_kind[REGISTRY_EXTENSIONS - 1], 1);
	CHECK_INT(st->m->product_get(st, "W-2", &p, &err), 0);
	CHECK_STR(p.group, "I");
	CHECK_STR(p.producer.kind, "HTX");
	CHECK_INT(registry_sniff_kind("b.json", "{\"registry\":[]}", 15),
		  REGISTRY_BUNDLE);
	CHECK_INT(registry_sniff_kind(
		      "r.csv", "code,decision_no,revoked_on,ground,note", 39),
		  REGISTRY_REVOCATIONS);
	CHECK_INT(registry_sniff_kind(
		      "e.json", "[{\"code\":\"X\",\"extended_until\":1}]", 35),
		  REGISTRY_EXTENSIONS);

	TEST("import: one decision's rows that disagree on the product");
	/* Found by fuzzing: two rows of one decision with different
	 * addresses imported, each overwriting the other, so importing the
	 * same file again reported both rows as changes. */
	snprintf(buf, sizeof(buf),
		 "%sDUP-1,Cúc mâm xôi,V,,HTX Tân Quy Đông,HTX,Đồng Tháp,"
		 "ấp Tân Hòa,3,1520/QĐ-UBND,2020-08-12,UBND Sa Đéc,\n"
		 "DUP-1,Cúc mâm xôi,V,,HTX Tân Quy Đông,HTX,Đồng Tháp,"
		 "khóm Tân Mỹ,3,1520/QĐ-UBND,2020-08-12,UBND Sa Đéc,\n",
		 header);
	CHECK_INT(import(st, "dup.csv", buf, &sum, &probs), OCOP_EINVAL);
	CHECK_INT(probs.n, 1);
	if (probs.n)
		CHECK(strstr(probs.msgs[0], "dup.csv line 3: the product's "
					    "details differ from those of an "
					    "earlier row of decision "
					    "'1520/QĐ-UBND'") != NULL);
	CHECK_INT(count_recs(st, "DUP-1"), -1);
	/* the same row twice is no contradiction; a later file may still
	 * correct the address, and importing it again changes nothing */
	snprintf(buf, sizeof(buf),
		 "%sDUP-1,Cúc mâm xôi,V,,HTX Tân Quy Đông,HTX,Đồng Tháp,"
		 "ấp Tân Hòa,3,1520/QĐ-UBND,2020-08-12,UBND Sa Đéc,\n"
		 "DUP-1,Cúc mâm xôi,V,,HTX Tân Quy Đông,HTX,Đồng Tháp,"
		 "ấp Tân Hòa,3,1520/QĐ-UBND,2020-08-12,UBND Sa Đéc,\n",
		 header);
	CHECK_INT(import(st, "dup.csv", buf, &sum, &probs), 0);
	CHECK_INT(import(st, "dup.csv", buf, &sum, &probs), 0);
	CHECK_INT(sum.added, 0);
	snprintf(buf, sizeof(buf),
		 "%sDUP-1,Cúc mâm xôi,V,,HTX Tân Quy Đông,HTX,Đồng Tháp,"
		 "khóm Tân Mỹ,3,1520/QĐ-UBND,2020-08-12,UBND Sa Đéc,\n",
		 header);
	CHECK_INT(import(st, "fix.csv", buf, &sum, &probs), 0);
	CHECK_INT(sum.added, 1);
	CHECK_INT(st->m->product_get(st, "DUP-1", &p, NULL), 0);
	CHECK_STR(p.producer.address, "khóm Tân Mỹ");
	CHECK_INT(import(st, "fix.csv", buf, &sum, &probs), 0);
	CHECK_INT(sum.added, 0);

	ocop_history_release(&h);
	registry_problems_release(&probs);
	ocop_store_close(st);
	unlink(path);
	snprintf(buf, sizeof(buf), "%s-wal", path);
	unlink(buf);
	snprintf(buf, sizeof(buf), "%s-shm", path);
	unlink(buf);
}

int
main(void)
{
	test_csv();
	test_utf8();
	test_check();
	test_import();
	return harness_done();
}
