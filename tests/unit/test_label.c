/*
 * test_label.c - label URLs, base URLs, formats, and the symbol renderers
 * (QR sizes, PNG header and pHYs, SVG shape). Decoding with a real scanner
 * is in tests/e2e/labels.sh.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "label.h"
#include "qr.h"
#include "render_png.h"
#include "render_svg.h"

static void
test_url(void)
{
	char out[256];

	TEST("label: QR URLs, upper case, each form");
	CHECK_INT(label_url("http://localhost:8080", "", "", "7KQ3M9XH2PAB4C5D",
			    out, sizeof(out)) > 0,
		  1);
	CHECK_STR(out, "HTTP://LOCALHOST:8080/L/7KQ3M9XH2PAB4C5D");
	label_url("https://ocop.example.vn", "08930000000019", NULL,
		  "7KQ3M9XH2PAB4C5D", out, sizeof(out));
	CHECK_STR(out, "HTTPS://OCOP.EXAMPLE.VN/01/08930000000019/21/"
		       "7KQ3M9XH2PAB4C5D");
	label_url("https://ocop.example.vn", "08930000000019", "L2406A",
		  "7KQ3M9XH2PAB4C5D", out, sizeof(out));
	CHECK_STR(out, "HTTPS://OCOP.EXAMPLE.VN/01/08930000000019/10/L2406A/"
		       "21/7KQ3M9XH2PAB4C5D");
	/* no GTIN: the lot is not in the URL */
	label_url("http://h", NULL, "L1", "7KQ3M9XH2PAB4C5D", out,
		  sizeof(out));
	CHECK_STR(out, "HTTP://H/L/7KQ3M9XH2PAB4C5D");
	CHECK_INT(label_url("http://h", NULL, NULL, "7KQ3M9XH2PAB4C5D", out,
			    10),
		  -1);
}

static void
test_base_and_format(void)
{
	char out[256];
	enum label_format f;

	TEST("label: base URLs and output formats");
	CHECK_INT(label_base_url_normalize("HTTPS://Ocop.Example.VN/", out,
					   sizeof(out), NULL),
		  0);
	CHECK_STR(out, "https://ocop.example.vn");
	CHECK_INT(label_base_url_normalize("http://h:8080", out, sizeof(out),
					   NULL),
		  0);
	CHECK_INT(label_base_url_normalize("http://h/path", out, sizeof(out),
					   NULL),
		  OCOP_EINVAL);
	CHECK_INT(label_base_url_normalize("ftp://h", out, sizeof(out), NULL),
		  OCOP_EINVAL);
	CHECK_INT(label_format_parse("png", &f, NULL), 0);
	CHECK_INT(f, LABEL_FORMAT_PNG);
	CHECK_INT(label_format_parse("PDF", &f, NULL), 0);
	CHECK_INT(f, LABEL_FORMAT_PDF);
	CHECK_INT(label_format_parse("svg", &f, NULL), 0);
	CHECK_INT(label_format_parse("csv", &f, NULL), 0);
	CHECK_INT(f, LABEL_FORMAT_CSV);
	CHECK_INT(label_format_parse("jpeg", &f, NULL), OCOP_EINVAL);
}

static void
test_qr(void)
{
	struct qr_symbol q;
	char url[256];

	TEST("qr: level M, smallest version, alphanumeric upper-case URLs");
	qr_symbol_init(&q);
	/* a GS1 Digital Link label URL with a lot: 71 characters fit
	 * version 4 at M only in alphanumeric mode */
	label_url("http://localhost:8080", "08930000000019", "L2406A",
		  "7KQ3M9XH2PAB4C5D", url, sizeof(url));
	CHECK_INT(qr_encode(url, &q, NULL), 0);
	CHECK_INT(q.version, 4);
	CHECK_INT(q.width, 33);
	/* the short form is version 3 */
	label_url("http://localhost:8080", "", "", "7KQ3M9XH2PAB4C5D", url,
		  sizeof(url));
	CHECK_INT(qr_encode(url, &q, NULL), 0);
	CHECK_INT(q.version, 3);
	CHECK_INT(q.width, 29);
	/* finder pattern corners are dark, separator light */
	CHECK_INT(q.dark[0], 1);
	CHECK_INT(q.dark[7], 0);
	CHECK_INT(q.dark[q.width - 1], 1);
	qr_symbol_release(&q);
}

static uint32_t
be32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void
test_png(void)
{
	struct qr_symbol q;
	struct render_png r;
	const char *d;
	size_t i;
	int found_phys = 0;

	TEST("render_png: 1-bit gray, quiet zone, pHYs from dpi");
	qr_symbol_init(&q);
	render_png_init(&r);
	CHECK_INT(qr_encode("HTTP://H/L/7KQ3M9XH2PAB4C5D", &q, NULL), 0);
	CHECK_INT(render_png_encode(&r, &q, 8, 600, NULL), 0);
	d = r.out.data;
	CHECK(r.out.len > 100);
	CHECK(memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0);
	CHECK(memcmp(d + 12, "IHDR", 4) == 0);
	CHECK_INT(be32(d + 16), (uint32_t)(q.width + 8) * 8);
	CHECK_INT(be32(d + 20), (uint32_t)(q.width + 8) * 8);
	CHECK_INT((unsigned char)d[24], 1); /* bit depth */
	CHECK_INT((unsigned char)d[25], 0); /* grayscale */
	for (i = 8; i + 8 < r.out.len;) {
		uint32_t len = be32(d + i);

		if (memcmp(d + i + 4, "pHYs", 4) == 0) {
			found_phys = 1;
			/* 600 dpi = 23622 pixels a metre, unit metre */
			CHECK_INT(be32(d + i + 8), 23622);
			CHECK_INT(be32(d + i + 12), 23622);
			CHECK_INT((unsigned char)d[i + 16], 1);
		}
		i += 12 + len;
	}
	CHECK(found_phys);
	/* buffers are reused: a second image the same */
	CHECK_INT(render_png_encode(&r, &q, 3, 300, NULL), 0);
	CHECK_INT(be32(r.out.data + 16), (uint32_t)(q.width + 8) * 3);
	CHECK_INT(render_png_encode(&r, &q, 0, 300, NULL), OCOP_EINVAL);
	CHECK_INT(render_png_encode(&r, &q, 8, 10, NULL), OCOP_EINVAL);
	render_png_release(&r);
	qr_symbol_release(&q);
}

static void
test_svg(void)
{
	struct qr_symbol q;
	struct ocop_buf b;
	const char *p;
	int paths = 0;
	char want[64];

	TEST("render_svg: one path, viewBox in modules, crispEdges");
	qr_symbol_init(&q);
	ocop_buf_init(&b, 0);
	CHECK_INT(qr_encode("HTTP://H/L/7KQ3M9XH2PAB4C5D", &q, NULL), 0);
	CHECK_INT(render_svg_encode(&q, 8, &b, NULL), 0);
	for (p = b.data; (p = strstr(p, "<path")) != NULL; p++)
		paths++;
	CHECK_INT(paths, 1);
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", q.width + 8,
		 q.width + 8);
	CHECK(strstr(b.data, want) != NULL);
	CHECK(strstr(b.data, "shape-rendering=\"crispEdges\"") != NULL);
	/* the first finder pattern's top row starts at the quiet zone */
	CHECK(strstr(b.data, "M4 4h7v1h-7z") != NULL);
	ocop_buf_release(&b);
	qr_symbol_release(&q);
}

int
main(void)
{
	test_url();
	test_base_and_format();
	test_qr();
	test_png();
	test_svg();
	return harness_done();
}
