/*
 * render_png.h - a QR symbol as a 1-bit grayscale PNG in memory: the
 * symbol alone with its 4-module quiet zone, module_px pixels a module,
 * and a pHYs chunk carrying the print resolution (dpi).
 *
 * A struct render_png is one worker's reusable state (output buffer, row
 * buffer, and a small pool that keeps zlib's buffers between images, which
 * saves most of the cost of small images). Not shared between threads.
 */
#ifndef OCOP_RENDER_PNG_H
#define OCOP_RENDER_PNG_H

#include <stddef.h>

#include "ocop.h"
#include "qr.h"

#define RENDER_PNG_POOL 16

struct render_png {
	struct ocop_buf out; /* the last image encoded */
	unsigned char *row;
	size_t row_cap;
	int level; /* zlib level, 1 by default (fast, files a bit larger) */
	struct {
		void *p;
		size_t size;
		int used;
	} pool[RENDER_PNG_POOL];
	char msg[160];
};

void render_png_init(struct render_png *r);
void render_png_release(struct render_png *r);

/* Encode q into r->out (replacing what was there). OCOP_EINVAL for a
 * module size or resolution out of range, OCOP_EINTERNAL for a libpng
 * failure. */
int render_png_encode(struct render_png *r, const struct qr_symbol *q,
		      int module_px, int dpi, struct ocop_error *err);

#endif
