/*
 * test_gs1.c - GTINs, lots, Digital Link paths (SPEC 5.1) and every code
 * form a label carries (ocop_code_parse).
 */
#include <string.h>

#include "harness.h"
#include "ocop.h"

/* A serial with a good check symbol, and the same with a bad one. */
static char good[OCOP_SERIAL_LEN + 1], bad[OCOP_SERIAL_LEN + 1];

static void
make_serials(void)
{
	memcpy(good, "7KQ3M9XH2PAB4C5", 15);
	good[15] = ocop_serial_check_symbol(good);
	good[16] = '\0';
	memcpy(bad, good, sizeof(bad));
	bad[15] = good[15] == '0' ? '1' : '0';
}

static void
test_gtin(void)
{
	char g[15];

	TEST("gs1: GTIN-8/12/13/14 with check digits, normalised to 14");
	CHECK_INT(ocop_gtin_normalize("08930000000019", g, NULL), 0);
	CHECK_STR(g, "08930000000019");
	CHECK_INT(ocop_gtin_normalize("8930000000019", g, NULL), 0);
	CHECK_STR(g, "08930000000019");
	CHECK_INT(ocop_gtin_normalize("96385074", g, NULL), 0); /* GTIN-8 */
	CHECK_STR(g, "00000096385074");
	CHECK_INT(ocop_gtin_normalize("036000291452", g, NULL), 0); /* UPC */
	CHECK_STR(g, "00036000291452");
	CHECK_INT(ocop_gtin_normalize("8930000000018", g, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_gtin_normalize("893000000001", g, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_gtin_normalize("08930000000010", g, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_gtin_normalize("893000000001X", g, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_gtin_normalize("", g, NULL), OCOP_EINVAL);
}

static void
test_lot(void)
{
	char l[21];

	TEST("gs1: lots are 1-20 of 0-9 A-Z . - upper-cased");
	CHECK_INT(ocop_lot_normalize("l2406a", l, NULL), 0);
	CHECK_STR(l, "L2406A");
	CHECK_INT(ocop_lot_normalize("A.B-C", l, NULL), 0);
	CHECK_INT(ocop_lot_normalize("12345678901234567890", l, NULL), 0);
	CHECK_INT(ocop_lot_normalize("123456789012345678901", l, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_lot_normalize("", l, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_lot_normalize("A B", l, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_lot_normalize("A/B", l, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_lot_normalize("LÔ1", l, NULL), OCOP_EINVAL);
}

static void
test_dl_valid(void)
{
	struct ocop_code c;
	char path[128];

	TEST("gs1: valid Digital Link paths");
	CHECK_INT(ocop_dl_parse_path("/01/08930000000019", &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_PRODUCT);
	CHECK_STR(c.gtin, "08930000000019");
	CHECK_STR(c.lot, "");
	CHECK_STR(c.serial, "");

	/* 13 digits, trailing slash ignored */
	CHECK_INT(ocop_dl_parse_path("/01/8930000000019/", &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_PRODUCT);
	CHECK_STR(c.gtin, "08930000000019");

	/* GTIN-8 and GTIN-12 */
	CHECK_INT(ocop_dl_parse_path("/01/96385074", &c, NULL), 0);
	CHECK_STR(c.gtin, "00000096385074");
	CHECK_INT(ocop_dl_parse_path("/01/036000291452", &c, NULL), 0);
	CHECK_STR(c.gtin, "00036000291452");

	/* product with lot, upper-cased; any GS1 character in a lot */
	CHECK_INT(ocop_dl_parse_path("/01/08930000000019/10/l2406a", &c,
				     NULL),
		  0);
	CHECK_INT(c.kind, OCOP_CODE_DL_PRODUCT);
	CHECK_STR(c.lot, "L2406A");
	CHECK_INT(ocop_dl_parse_path("/01/08930000000019/10/A_B*C", &c, NULL),
		  0);
	CHECK_STR(c.lot, "A_B*C");

	/* label URIs */
	snprintf(path, sizeof(path), "/01/08930000000019/21/%s", good);
	CHECK_INT(ocop_dl_parse_path(path, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_LABEL);
	CHECK_STR(c.serial, good);
	CHECK_INT(c.mistyped, 0);
	CHECK_STR(c.foreign, "");
	snprintf(path, sizeof(path), "/01/08930000000019/10/L1/21/%s/", good);
	CHECK_INT(ocop_dl_parse_path(path, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_LABEL);
	CHECK_STR(c.lot, "L1");
	CHECK_STR(c.serial, good);

	/* serial typed in lower case with hyphens (19 <= 20 characters) */
	{
		char g[OCOP_SERIAL_GROUPED + 1];

		ocop_serial_group(good, g);
		for (char *p = g; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		snprintf(path, sizeof(path), "/01/08930000000019/21/%s", g);
		CHECK_INT(ocop_dl_parse_path(path, &c, NULL), 0);
		CHECK_STR(c.serial, good);
	}

	/* a bad check symbol: well-formed, flagged */
	snprintf(path, sizeof(path), "/01/08930000000019/21/%s", bad);
	CHECK_INT(ocop_dl_parse_path(path, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_LABEL);
	CHECK_INT(c.mistyped, 1);
	CHECK_STR(c.serial, bad);

	/* valid GS1 serial that is not ours: unknown serial, not 400 */
	CHECK_INT(ocop_dl_parse_path("/01/08930000000019/21/abc-12", &c, NULL),
		  0);
	CHECK_INT(c.kind, OCOP_CODE_DL_LABEL);
	CHECK_STR(c.serial, "");
	CHECK_STR(c.foreign, "ABC-12");
	CHECK_INT(ocop_dl_parse_path("/01/08930000000019/21/"
				     "12345678901234567890",
				     &c, NULL),
		  0);
	CHECK_STR(c.foreign, "12345678901234567890");
}

static void
test_dl_invalid(void)
{
	static const char *const bad_paths[] = {
		"/01/",                             /* missing value */
		"/01",                              /* missing value */
		"/",                                /* no AI */
		"",                                 /* nothing */
		"/02/08930000000019",               /* not AI 01 */
		"/01/08930000000018",               /* check digit */
		"/01/893000000001",                 /* 12 digits, bad */
		"/01/0893000000001X",               /* not digits */
		"/01/089300000000190",              /* 15 digits */
		"/01/08930000000019/22/X",          /* AI 22 */
		"/01/08930000000019/17/260101",     /* AI 17 */
		"/01/08930000000019/10",            /* missing lot */
		"/01/08930000000019/10/",           /* missing lot (slash) */
		"/01/08930000000019//10/L1",        /* empty segment */
		"/01/08930000000019/10/L1/10/L2",   /* 10 twice */
		"/01/08930000000019/21/A/21/B",     /* 21 twice */
		"/01/08930000000019/21/A/10/L1",    /* out of order */
		"/01/08930000000019/21/A/extra",    /* extra segment */
		"/01/08930000000019/10/L1/21",      /* missing serial */
		"/01/08930000000019/10/A B",        /* space: outside set */
		"/01/08930000000019/10/A#B",        /* # outside the set */
		"/01/08930000000019/10/LÔ",         /* non-ASCII */
		"/01/08930000000019/10/123456789012345678901", /* 21 chars */
		"/01/08930000000019/21/123456789012345678901",
		"/L/7KQ3M9XH2PAB4C5D",              /* not a DL path */
		"//01/08930000000019",
	};
	struct ocop_code c;
	struct ocop_error err;

	TEST("gs1: invalid Digital Link paths are OCOP_EINVAL");
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]);
	     i++) {
		err.msg[0] = '\0';
		if (ocop_dl_parse_path(bad_paths[i], &c, &err) != OCOP_EINVAL)
			HARNESS_FAIL("'%s' accepted", bad_paths[i]);
		else if (!err.msg[0])
			HARNESS_FAIL("'%s': no message", bad_paths[i]);
	}
	/* the message names the problem */
	ocop_dl_parse_path("/01/08930000000019/22/X", &c, &err);
	CHECK(strstr(err.msg, "22") != NULL);
	ocop_dl_parse_path("/01/08930000000019/21/A/10/L1", &c, &err);
	CHECK(strstr(err.msg, "order") != NULL);
}

static void
test_code_parse(void)
{
	struct ocop_code c;
	char in[256], g[OCOP_SERIAL_GROUPED + 1];

	TEST("gs1: every code form a label carries");
	/* typed serials */
	CHECK_INT(ocop_code_parse(good, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_SERIAL);
	CHECK_STR(c.serial, good);
	ocop_serial_group(good, g);
	snprintf(in, sizeof(in), "  %s\n", g);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_STR(c.serial, good);
	CHECK_INT(ocop_code_parse(bad, &c, NULL), 0);
	CHECK_INT(c.mistyped, 1);
	CHECK_INT(ocop_code_parse("ABC", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("   ", &c, NULL), OCOP_EINVAL);

	/* /L/ URLs in any case, with a port, a query, a fragment */
	snprintf(in, sizeof(in), "HTTP://LOCALHOST:8080/L/%s", good);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_SERIAL);
	CHECK_STR(c.serial, good);
	snprintf(in, sizeof(in), "https://ocop.example.vn/l/%s?lang=en#x", g);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_STR(c.serial, good);
	snprintf(in, sizeof(in), "/L/%s/", good);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_STR(c.serial, good);
	snprintf(in, sizeof(in), "http://h/L/%s", bad);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_INT(c.mistyped, 1);
	CHECK_INT(ocop_code_parse("http://h/L/ABC", &c, NULL), OCOP_EINVAL);
	/* percent-encoded hyphens and spaces */
	snprintf(in, sizeof(in), "http://h/L/%.4s%%2D%.4s%%20%.8s", good,
		 good + 4, good + 8);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_STR(c.serial, good);

	/* Digital Link URLs */
	snprintf(in, sizeof(in),
		 "HTTP://LOCALHOST:8080/01/08930000000019/10/L2406A/21/%s",
		 good);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_LABEL);
	CHECK_STR(c.gtin, "08930000000019");
	CHECK_STR(c.lot, "L2406A");
	CHECK_STR(c.serial, good);
	snprintf(in, sizeof(in), "https://h/01/8930000000019/21/%s?x=1", good);
	CHECK_INT(ocop_code_parse(in, &c, NULL), 0);
	CHECK_STR(c.gtin, "08930000000019");
	CHECK_INT(ocop_code_parse("http://h/01/08930000000019", &c, NULL), 0);
	CHECK_INT(c.kind, OCOP_CODE_DL_PRODUCT);

	/* not label URLs */
	CHECK_INT(ocop_code_parse("http://h", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("http://h/", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("http://h/P/08930000000019", &c, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("http://h/01/08930000000018", &c, NULL),
		  OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("http://h/L/%zz", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("http://h/L/%00", &c, NULL), OCOP_EINVAL);
	CHECK_INT(ocop_code_parse("ftp://h/L/x", &c, NULL), OCOP_EINVAL);
	memset(in, 'A', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	{
		char big[1024];

		memset(big, 'A', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(ocop_code_parse(big, &c, NULL), OCOP_EINVAL);
	}
}

int
main(void)
{
	make_serials();
	test_gtin();
	test_lot();
	test_dl_valid();
	test_dl_invalid();
	test_code_parse();
	return harness_done();
}
