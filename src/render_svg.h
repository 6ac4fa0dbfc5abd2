/*
 * render_svg.h - a QR symbol as SVG, for designers who place the code in
 * their own artwork: the symbol alone with its 4-module quiet zone on a
 * white square, every dark module in one <path>, the viewBox in modules
 * (so the drawing scales to any size), width and height module_px pixels
 * a module, shape-rendering crispEdges.
 */
#ifndef OCOP_RENDER_SVG_H
#define OCOP_RENDER_SVG_H

#include "ocop.h"
#include "qr.h"

/* Replace out's content with the SVG document of q. OCOP_EINVAL for a
 * module size out of range, OCOP_ETOOBIG past out's cap. */
int render_svg_encode(const struct qr_symbol *q, int module_px,
		      struct ocop_buf *out, struct ocop_error *err);

#endif
