/*
 * render_svg.c - QR symbols as SVG. Horizontal runs of dark modules are
 * merged into one rectangle each ("M x y h n v 1 h -n z"), which keeps a
 * version-4 symbol near 4 KB.
 */
#include <string.h>

#include "render_svg.h"

int
render_svg_encode(const struct qr_symbol *q, int module_px,
		  struct ocop_buf *out, struct ocop_error *err)
{
	int n = q->width + 2 * QR_QUIET;
	int rc;

	if (module_px < 1 || module_px > 64)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid module size %d px: expected 1 "
				      "to 64",
				      module_px);
	out->len = 0;
	rc = ocop_buf_addf(out,
			   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
			   "version=\"1.1\" viewBox=\"0 0 %d %d\" "
			   "width=\"%d\" height=\"%d\" "
			   "shape-rendering=\"crispEdges\">\n"
			   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
			   "<path fill=\"#000\" d=\"",
			   n, n, n * module_px, n * module_px, n, n);
	for (int y = 0; y < q->width && rc == 0; y++) {
		const unsigned char *row = q->dark + (size_t)y * q->width;

		for (int x = 0; x < q->width && rc == 0;) {
			int x0;

			if (!row[x]) {
				x++;
				continue;
			}
			x0 = x;
			while (x < q->width && row[x])
				x++;
			rc = ocop_buf_addf(out, "M%d %dh%dv1h-%dz",
					   x0 + QR_QUIET, y + QR_QUIET, x - x0,
					   x - x0);
		}
	}
	if (rc == 0)
		rc = ocop_buf_adds(out, "\"/>\n</svg>\n");
	if (rc < 0)
		return ocop_error_set(err, rc, "SVG image too large");
	return 0;
}
