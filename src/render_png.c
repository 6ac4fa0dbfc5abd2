/*
 * render_png.c - QR symbols as 1-bit PNG images, encoded in memory.
 *
 * Speed matters here (a batch of thousands of files): a 1-bit image is
 * the smallest to deflate, zlib level 1 is ~1.7x faster than the default
 * for files ~45% larger (still ~1 KB), and zlib's large buffers are kept
 * in a per-renderer pool instead of going back to the OS after each image
 * (PERF-NOTES: that alone costs ~130 us an image).
 */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "render_png.h"

void
render_png_init(struct render_png *r)
{
	memset(r, 0, sizeof(*r));
	ocop_buf_init(&r->out, 0);
	r->level = 1;
}

void
render_png_release(struct render_png *r)
{
	ocop_buf_release(&r->out);
	free(r->row);
	for (int i = 0; i < RENDER_PNG_POOL; i++)
		free(r->pool[i].p);
	memset(r, 0, sizeof(*r));
}

static png_voidp
pool_malloc(png_structp png, png_alloc_size_t size)
{
	struct render_png *r = png_get_mem_ptr(png);
	int free_slot = -1;

	for (int i = 0; i < RENDER_PNG_POOL; i++) {
		if (r->pool[i].used)
			continue;
		if (r->pool[i].p && r->pool[i].size == size) {
			r->pool[i].used = 1;
			return r->pool[i].p;
		}
		if (!r->pool[i].p && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return ocop_xmalloc(size); /* pool full: plain malloc */
	r->pool[free_slot].p = ocop_xmalloc(size);
	r->pool[free_slot].size = size;
	r->pool[free_slot].used = 1;
	return r->pool[free_slot].p;
}

static void
pool_free(png_structp png, png_voidp p)
{
	struct render_png *r = png_get_mem_ptr(png);

	if (!p)
		return;
	for (int i = 0; i < RENDER_PNG_POOL; i++) {
		if (r->pool[i].p == p) {
			r->pool[i].used = 0;
			return;
		}
	}
	free(p);
}

static void
on_error(png_structp png, png_const_charp msg)
{
	struct render_png *r = png_get_error_ptr(png);

	ocop_strlcpy(r->msg, msg, sizeof(r->msg));
	png_longjmp(png, 1);
}

static void
on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
on_write(png_structp png, png_bytep data, size_t len)
{
	struct render_png *r = png_get_io_ptr(png);

	if (ocop_buf_add(&r->out, data, len) < 0)
		png_error(png, "image too large");
}

static void
on_flush(png_structp png)
{
	(void)png;
}

/* Clear pixels [x0, x1) of a packed row to black (0). */
static void
clear_pixels(unsigned char *row, size_t x0, size_t x1)
{
	size_t b0 = x0 >> 3, b1 = x1 >> 3;

	if (b0 == b1) {
		row[b0] &= (unsigned char)~((0xffu >> (x0 & 7)) &
					    ~(0xffu >> (x1 & 7)));
		return;
	}
	row[b0] &= (unsigned char)~(0xffu >> (x0 & 7));
	memset(row + b0 + 1, 0, b1 - b0 - 1);
	if (x1 & 7)
		row[b1] &= (unsigned char)(0xffu >> (x1 & 7));
}

/* Pack module row y (-1.. for the quiet zone) into r->row: 1 bit a
 * pixel, 1 = white, most significant bit first. Each run of dark modules
 * is cleared at once (bit by bit this took 13% of an image). */
static void
pack_row(struct render_png *r, const struct qr_symbol *q, int y, int px,
	 size_t rowbytes)
{
	const unsigned char *dark = q->dark + (size_t)y * (size_t)q->width;

	memset(r->row, 0xff, rowbytes);
	if (y < 0 || y >= q->width)
		return;
	for (int m = 0; m < q->width;) {
		int m0;

		if (!dark[m]) {
			m++;
			continue;
		}
		m0 = m;
		while (m < q->width && dark[m])
			m++;
		clear_pixels(r->row, (size_t)(m0 + QR_QUIET) * (size_t)px,
			     (size_t)(m + QR_QUIET) * (size_t)px);
	}
}

int
render_png_encode(struct render_png *r, const struct qr_symbol *q,
		  int module_px, int dpi, struct ocop_error *err)
{
	png_structp png;
	png_infop info = NULL;
	png_uint_32 side, ppm;
	size_t rowbytes;
	int n;

	if (module_px < 1 || module_px > 64)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid module size %d px: expected 1 "
				      "to 64",
				      module_px);
	if (dpi < 72 || dpi > 4800)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid resolution %d dpi: expected 72 "
				      "to 4800",
				      dpi);
	n = q->width + 2 * QR_QUIET;
	side = (png_uint_32)n * (png_uint_32)module_px;
	rowbytes = (side + 7) / 8;
	if (rowbytes > r->row_cap) {
		r->row = ocop_xrealloc(r->row, rowbytes);
		r->row_cap = rowbytes;
	}
	r->out.len = 0;
	r->msg[0] = '\0';
	png = png_create_write_struct_2(PNG_LIBPNG_VER_STRING, r, on_error,
					on_warning, r, pool_malloc, pool_free);
	if (!png)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot create PNG writer");
	info = png_create_info_struct(png);
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot create PNG info");
	}
	/* nothing assigned below is read after a longjmp */
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot encode PNG: %s", r->msg);
	}
	png_set_write_fn(png, r, on_write, on_flush);
	png_set_compression_level(png, r->level);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE,
		     PNG_FILTER_TYPE_BASE);
	ppm = (png_uint_32)(dpi / 0.0254 + 0.5); /* pixels per metre */
	png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
	png_write_info(png, info);
	for (int y = -QR_QUIET; y < q->width + QR_QUIET; y++) {
		pack_row(r, q, y, module_px, rowbytes);
		for (int k = 0; k < module_px; k++)
			png_write_row(png, r->row);
	}
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	return 0;
}
