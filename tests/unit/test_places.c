/*
 * test_places.c - a label's recent distinct places (src/places.c): the
 * window that ends on the day asked, its boundary, the order of arrival,
 * the stored form.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "places.h"

static int32_t
day(const char *s)
{
	int32_t d = OCOP_NO_DAY;

	if (ocop_day_parse(s, &d, NULL) < 0)
		printf("  bad day %s\n", s);
	return d;
}

static void
test_names(void)
{
	struct ocop_scan s;

	TEST("places: an inspector's place, else a consumer's network");
	memset(&s, 0, sizeof(s));
	s.source = OCOP_SCAN_CONSUMER;
	CHECK(places_name(&s) == NULL);
	CHECK_INT(places_key(places_name(&s)), 0);
	strcpy(s.net, "203.162.4.0/24");
	CHECK_STR(places_name(&s), "203.162.4.0/24");
	s.source = OCOP_SCAN_INSPECTOR;
	CHECK(places_name(&s) ==
	      NULL); /* an inspector's network is not a place */
	strcpy(s.place, "Chợ Sa Đéc");
	CHECK_STR(places_name(&s), "Chợ Sa Đéc");
	CHECK(places_key("Chợ Sa Đéc") != 0);
	CHECK(places_key("Chợ Sa Đéc") != places_key("Chợ Cao Lãnh"));
}

static void
test_window(void)
{
	struct places p = {0};
	int32_t d1 = day("2026-03-01");

	TEST("places: three places within 7 days that end today, boundary");
	places_add(&p, places_key("a"), d1);
	places_add(&p, places_key("b"), d1 + 3);
	CHECK_INT(places_within(&p, d1 + 3, 7), 2);
	CHECK(!places_suspect(&p, d1 + 3));
	/* the same place again is still two */
	places_add(&p, places_key("b"), d1 + 4);
	places_add(&p, places_key("a"), d1 + 4);
	places_add(&p, places_key("a"), d1);
	CHECK(!places_suspect(&p, d1 + 4));
	/* a third on the 7th day counting the first: suspect */
	p.n = 0;
	places_add(&p, places_key("a"), d1);
	places_add(&p, places_key("b"), d1 + 3);
	places_add(&p, places_key("c"), d1 + 6);
	CHECK_INT(places_within(&p, d1 + 6, 7), 3);
	CHECK(places_suspect(&p, d1 + 6));
	/* on the 8th day the first has left the window */
	CHECK(!places_suspect(&p, d1 + 7));
	CHECK_INT(places_within(&p, d1 + 7, 7), 2);
	/* days after the one asked are not in its window */
	CHECK_INT(places_within(&p, d1 + 3, 7), 2);
	/* a third on the 8th day: the first is too old */
	p.n = 0;
	places_add(&p, places_key("a"), d1);
	places_add(&p, places_key("b"), d1 + 3);
	places_add(&p, places_key("c"), d1 + 7);
	CHECK(!places_suspect(&p, d1 + 7));
	/* ... until "a" is scanned again */
	places_add(&p, places_key("a"), d1 + 7);
	CHECK(places_suspect(&p, d1 + 7));
}

static void
test_order(void)
{
	struct places p = {0}, q = {0}, r = {0};
	int32_t d1 = day("2026-03-01");

	TEST("places: the most recent kept, whatever the order of arrival");
	/* four places long ago, then three this week, then a late old one */
	for (int i = 0; i < 4; i++) {
		char name[2] = {(char)('w' + i), '\0'};

		places_add(&p, places_key(name), d1 - 60 + i);
	}
	CHECK(!places_suspect(&p, d1));
	places_add(&p, places_key("a"), d1);
	places_add(&p, places_key("b"), d1 + 1);
	places_add(&p, places_key("c"), d1 + 2);
	places_add(&p, places_key("z"), d1 - 90); /* an old batch, sent late */
	CHECK_INT(p.n, PLACES_KEPT);
	CHECK(places_suspect(&p, d1 + 2));

	/* merging two halves gives the same answer as one stream */
	places_add(&q, places_key("a"), d1);
	places_add(&q, places_key("x"), d1 - 30);
	places_add(&r, places_key("b"), d1 + 1);
	places_add(&r, places_key("c"), d1 + 2);
	places_add(&r, places_key("y"), d1 - 20);
	places_merge(&q, &r);
	CHECK(places_suspect(&q, d1 + 2));
	CHECK_INT(places_within(&q, d1 + 2, 60), 3);

	/* the stored form round-trips; a broken one reads as none */
	{
		unsigned char blob[PLACES_BLOB_MAX];
		struct places back = {0};
		size_t len = places_encode(&q, blob);

		CHECK_INT(len, 3 * PLACES_ENTRY_BYTES);
		places_decode(&back, blob, len);
		CHECK_INT(back.n, 3);
		CHECK(places_suspect(&back, d1 + 2));
		back.n = 0;
		places_decode(&back, blob, len - 1);
		CHECK_INT(back.n, 0);
		places_decode(&back, NULL, 0);
		CHECK_INT(back.n, 0);
	}
}

int
main(void)
{
	test_names();
	test_window();
	test_order();
	return harness_done();
}
