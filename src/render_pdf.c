/*
 * render_pdf.c - A4 sheets of labels with cairo's PDF surface.
 *
 * Speed (10,000 labels in a few seconds) comes from doing per label only
 * what differs between labels: the parts common to a batch (stars, name,
 * "Quét mã để xác thực") are drawn once into a recording surface, which
 * cairo writes once as a PDF form XObject and references from every
 * label; the QR is a few hundred rectangles (runs of dark modules merged
 * across and down) in one fill; the serial is one show_text in a font
 * that stays selected.
 *
 * All geometry is in printer dots at the chosen dpi, converted to points
 * (dots * 72 / dpi) only when drawing.
 */
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render_pdf.h"

#define MM_PER_INCH 25.4
#define A4_W_MM 210.0
#define A4_H_MM 297.0
#define MARGIN_MM 14.0 /* room for crop marks and the footer */
#define GUTTER_MM 4.0  /* between labels: two cuts */
#define MARK_GAP_MM 1.5
#define MARK_LEN_MM 4.0
#define PAD_MM 1.2 /* text padding inside the label, left and right */

#define FONT_SANS "DejaVu Sans"
#define FONT_MONO "DejaVu Sans Mono"

struct render_pdf {
	FILE *f;
	int write_failed; /* the errno of the failed write, else 0 */
	cairo_surface_t *surface;
	cairo_t *cr;
	cairo_surface_t *common; /* recording: the batch's common text */
	cairo_font_face_t *mono;
	cairo_font_face_t *sans;
	double dot;        /* points per dot */
	int page_w, page_h; /* dots */
	int lw, lh;        /* label size, dots */
	int gutter;        /* dots */
	int cols, rows;
	int x0, y0;        /* grid origin, dots */
	int serial_base;   /* baseline of the serial below the label top */
	double serial_size; /* points */
	double serial_w;   /* points, monospace: the same for every serial */
	/* glyph index and advance of each serial symbol in the serial font,
	 * looked up once: a label's serial is then placed as glyphs */
	unsigned long glyph[128];
	double advance[128];
	int placed;        /* labels placed so far */
	int pages;         /* total, for the footer */
	char footer[256];
	/* per-label scratch: which modules are already covered */
	unsigned char *done;
	size_t done_cap;
};

/* Outline metrics, no hinting: on paper, glyph advances rounded to whole
 * points at 6 pt would space letters visibly apart. */
static void
set_font_options(cairo_t *cr)
{
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
}

static cairo_status_t
on_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct render_pdf *p = closure;

	if (fwrite(data, 1, len, p->f) != len) {
		p->write_failed = errno ? errno : EIO;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static int
mm_to_dots(double mm, int dpi)
{
	return (int)floor(mm / MM_PER_INCH * dpi + 1e-9);
}

/* Font size that makes text at most maxw points wide (never above size). */
static double
fit_size(cairo_t *cr, const char *text, double size, double maxw)
{
	cairo_text_extents_t te;

	cairo_set_font_size(cr, size);
	cairo_text_extents(cr, text, &te);
	if (te.x_advance > maxw && te.x_advance > 0)
		size *= maxw / te.x_advance * 0.999;
	cairo_set_font_size(cr, size);
	return size;
}

static double
text_width(cairo_t *cr, const char *text)
{
	cairo_text_extents_t te;

	cairo_text_extents(cr, text, &te);
	return te.x_advance;
}

/* Length in bytes of the longest UTF-8 prefix of s (at most n bytes),
 * followed by suffix, that fits in maxw points; cut at a character. */
static size_t
fit_prefix(cairo_t *cr, const char *s, size_t n, const char *suffix,
	   double maxw)
{
	char buf[1024];
	size_t best = 0, i = 0;

	while (i < n) {
		size_t j = i + 1;

		while (j < n && ((unsigned char)s[j] & 0xc0) == 0x80)
			j++;
		if (j + strlen(suffix) + 1 > sizeof(buf))
			break;
		memcpy(buf, s, j);
		strcpy(buf + j, suffix);
		if (text_width(cr, buf) > maxw)
			break;
		best = j;
		i = j;
	}
	return best;
}

static void
show_centered(cairo_t *cr, const char *text, double cx, double baseline)
{
	cairo_move_to(cr, cx - text_width(cr, text) / 2, baseline);
	cairo_show_text(cr, text);
}

/*
 * Wrap name into at most two lines of maxw points; the second is cut with
 * an ellipsis when the name is longer. Lines break at spaces, or inside a
 * word too long for a line.
 */
static void
wrap_name(cairo_t *cr, const char *name, double maxw, char *l1, char *l2,
	  size_t size)
{
	size_t n = strlen(name), cut = 0, k;
	const char *rest;

	l1[0] = l2[0] = '\0';
	if (text_width(cr, name) <= maxw) {
		ocop_strlcpy(l1, name, size);
		return;
	}
	/* the last space before which the text fits */
	for (size_t i = 1; i <= n && i < size; i++) {
		if (i < n && name[i] != ' ')
			continue;
		memcpy(l1, name, i);
		l1[i] = '\0';
		if (text_width(cr, l1) > maxw)
			break;
		cut = i;
	}
	if (cut == 0)
		cut = fit_prefix(cr, name, n < size ? n : size - 1, "", maxw);
	memcpy(l1, name, cut);
	l1[cut] = '\0';
	rest = name + cut;
	while (*rest == ' ')
		rest++;
	ocop_strlcpy(l2, rest, size);
	if (text_width(cr, l2) <= maxw)
		return;
	k = fit_prefix(cr, rest, strlen(l2), "…", maxw);
	while (k > 0 && rest[k - 1] == ' ')
		k--;
	if (k + sizeof("…") > size)
		k = 0; /* cannot happen: a line's width holds far less */
	strcpy(l2 + k, "…");
}

/*
 * Draw what every label of the batch shares into a recording surface of
 * the label's size, and fix where the serial goes. Text sizes scale with
 * the label width (30 mm is the reference) and shrink to fit.
 */
static int
draw_common(struct render_pdf *p, const struct render_pdf_opts *o,
	    struct ocop_error *err)
{
	cairo_rectangle_t ext;
	cairo_t *cr;
	double s = o->size_mm / 30.0, mm = 72.0 / MM_PER_INCH;
	double w = p->lw * p->dot, cx = w / 2, maxw = w - 2 * PAD_MM * mm;
	double y, ocop_size, star_size, name_size, note_size, ow, sw, x;
	double lh_name;
	char stars[32] = "", l1[512], l2[512];
	const char *note = "Quét mã để xác thực";
	cairo_font_face_t *bold;
	int rc = 0;

	for (int i = 0; i < o->stars && i < 5; i++)
		strcat(stars, "★");
	bold = cairo_toy_font_face_create(FONT_SANS, CAIRO_FONT_SLANT_NORMAL,
					  CAIRO_FONT_WEIGHT_BOLD);
	ext.x = ext.y = 0;
	ext.width = w;
	ext.height = p->lh * p->dot;
	p->common = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA,
						   &ext);
	cr = cairo_create(p->common);
	set_font_options(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* "OCOP ★★★★": bold word, stars in the regular face (DejaVu Sans
	 * has U+2605), centred together */
	y = p->lw * p->dot; /* below the QR square */
	cairo_set_font_face(cr, bold);
	ocop_size = 8.5 * s;
	cairo_set_font_size(cr, ocop_size);
	ow = text_width(cr, "OCOP ");
	cairo_set_font_face(cr, p->sans);
	star_size = 8.5 * s;
	cairo_set_font_size(cr, star_size);
	sw = text_width(cr, stars);
	if (ow + sw > maxw) {
		double k = maxw / (ow + sw) * 0.999;

		ocop_size *= k;
		star_size *= k;
		ow *= k;
		sw *= k;
	}
	y += ocop_size * 1.05;
	x = cx - (ow + sw) / 2;
	cairo_set_font_face(cr, bold);
	cairo_set_font_size(cr, ocop_size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, "OCOP ");
	cairo_set_font_face(cr, p->sans);
	cairo_set_font_size(cr, star_size);
	cairo_move_to(cr, x + ow, y);
	cairo_show_text(cr, stars);

	/* product name: two lines at most */
	name_size = 6.0 * s;
	lh_name = name_size * 1.2;
	cairo_set_font_face(cr, p->sans);
	cairo_set_font_size(cr, name_size);
	wrap_name(cr, o->product_name, maxw, l1, l2, sizeof(l1));
	if (l2[0]) {
		show_centered(cr, l1, cx, y + lh_name * 1.15);
		show_centered(cr, l2, cx, y + lh_name * 2.15);
	} else {
		show_centered(cr, l1, cx, y + lh_name * 1.65);
	}
	y += lh_name * 2.15;

	/* the serial's place; drawn per label */
	cairo_set_font_face(cr, p->mono);
	p->serial_size = fit_size(cr, "XXXX-XXXX-XXXX-XXXX", 6.8 * s, maxw);
	p->serial_w = text_width(cr, "XXXX-XXXX-XXXX-XXXX");
	y += p->serial_size * 1.45;
	p->serial_base = (int)lround(y / p->dot);

	/* where to type the code, under the serial (SPEC 5.0): with a lead
	 * while it keeps the host at 85% of its size, else the host alone */
	if (o->host && *o->host) {
		char typed[300];
		const char *line = typed;
		double host_size;

		snprintf(typed, sizeof(typed), "Nhập mã tại %s", o->host);
		cairo_set_font_face(cr, bold);
		host_size = fit_size(cr, typed, 5.2 * s, maxw);
		if (host_size < 0.85 * 5.2 * s) {
			line = o->host;
			host_size = fit_size(cr, line, 5.2 * s, maxw);
		}
		y += host_size * 1.4;
		show_centered(cr, line, cx, y);
	}

	/* "Quét mã để xác thực" */
	cairo_set_font_face(cr, p->sans);
	note_size = fit_size(cr, note, 5.2 * s, maxw);
	y += note_size * 1.4;
	show_centered(cr, note, cx, y);
	if (y + note_size * 0.6 > ext.height)
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "label text does not fit its height");
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot draw label text: %s",
				    cairo_status_to_string(cairo_status(cr)));
	cairo_destroy(cr);
	cairo_font_face_destroy(bold);
	return rc;
}

/* Height of the text block below the QR square, points, at scale s. It
 * must match draw_common's advances (checked there). */
static double
text_block_pt(double s)
{
	return (8.5 * 1.05 + 6.0 * 1.2 * 2.15 + 6.8 * 1.45 + 5.2 * 1.4 +
		5.2 * 1.4 + 5.2 * 0.9) *
	       s;
}

static int
cache_serial_glyphs(struct render_pdf *p, struct ocop_error *err)
{
	static const char symbols[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ-";
	cairo_scaled_font_t *sf;

	cairo_set_font_face(p->cr, p->mono);
	cairo_set_font_size(p->cr, p->serial_size);
	sf = cairo_get_scaled_font(p->cr);
	for (const char *c = symbols; *c; c++) {
		cairo_glyph_t *g = NULL;
		cairo_text_extents_t te;
		int n = 0;

		if (cairo_scaled_font_text_to_glyphs(sf, 0, 0, c, 1, &g, &n,
						     NULL, NULL,
						     NULL) !=
			    CAIRO_STATUS_SUCCESS ||
		    n != 1) {
			cairo_glyph_free(g);
			return ocop_error_set(err, OCOP_EINTERNAL,
					      "cannot find glyph '%c' in font "
					      "'%s'",
					      *c, FONT_MONO);
		}
		cairo_scaled_font_glyph_extents(sf, g, 1, &te);
		p->glyph[(unsigned char)*c] = g[0].index;
		p->advance[(unsigned char)*c] = te.x_advance;
		cairo_glyph_free(g);
	}
	return 0;
}

/* Whether fontconfig found family itself for face: when it is missing,
 * cairo takes whatever font there is (or none), and the labels would
 * print in it or without their words. */
static int
check_font(cairo_t *cr, cairo_font_face_t *face, const char *family,
	   struct ocop_error *err)
{
	cairo_scaled_font_t *sf;
	FT_Face ft;
	char found[128] = "";

	cairo_set_font_face(cr, face);
	cairo_set_font_size(cr, 10);
	sf = cairo_get_scaled_font(cr);
	if (cairo_scaled_font_status(sf) == CAIRO_STATUS_SUCCESS &&
	    cairo_scaled_font_get_type(sf) == CAIRO_FONT_TYPE_FT &&
	    (ft = cairo_ft_scaled_font_lock_face(sf))) {
		if (ft->family_name)
			ocop_strlcpy(found, ft->family_name, sizeof(found));
		cairo_ft_scaled_font_unlock_face(sf);
	}
	if (strcmp(found, family) == 0)
		return 0;
	if (found[0])
		return ocop_error_set(err, OCOP_ENOINPUT,
				      "the font '%s' is not installed "
				      "(fontconfig offers '%s' instead): "
				      "install fonts-dejavu-core",
				      family, found);
	return ocop_error_set(err, OCOP_ENOINPUT,
			      "the font '%s' is not installed (fontconfig "
			      "finds no font at all): install "
			      "fonts-dejavu-core",
			      family);
}

void
render_pdf_free(struct render_pdf *p)
{
	if (!p)
		return;
	if (p->cr)
		cairo_destroy(p->cr);
	if (p->surface) {
		cairo_surface_finish(p->surface);
		cairo_surface_destroy(p->surface);
	}
	if (p->common)
		cairo_surface_destroy(p->common);
	if (p->mono)
		cairo_font_face_destroy(p->mono);
	if (p->sans)
		cairo_font_face_destroy(p->sans);
	free(p->done);
	free(p);
}

int
render_pdf_open(FILE *f, const struct render_pdf_opts *o,
		struct render_pdf **out, struct ocop_error *err)
{
	struct render_pdf *p;
	double s;
	int per_page, rc;

	*out = NULL;
	if (o->size_mm < RENDER_PDF_MIN_MM || o->size_mm > RENDER_PDF_MAX_MM)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid label size %d mm: expected %d "
				      "to %d",
				      o->size_mm, RENDER_PDF_MIN_MM,
				      RENDER_PDF_MAX_MM);
	if (o->dpi < 150 || o->dpi > 4800)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid printer resolution %d dpi: "
				      "expected 150 to 4800",
				      o->dpi);
	p = ocop_xcalloc(1, sizeof(*p));
	p->f = f;
	p->dot = 72.0 / o->dpi;
	s = o->size_mm / 30.0;
	p->page_w = mm_to_dots(A4_W_MM, o->dpi);
	p->page_h = mm_to_dots(A4_H_MM, o->dpi);
	p->lw = mm_to_dots(o->size_mm, o->dpi);
	p->lh = p->lw + (int)ceil(text_block_pt(s) / p->dot);
	p->gutter = mm_to_dots(GUTTER_MM, o->dpi);
	{
		int m = mm_to_dots(MARGIN_MM, o->dpi);

		p->cols = (p->page_w - 2 * m + p->gutter) /
			  (p->lw + p->gutter);
		p->rows = (p->page_h - 2 * m + p->gutter) /
			  (p->lh + p->gutter);
	}
	if (p->cols < 1 || p->rows < 1) {
		render_pdf_free(p);
		return ocop_error_set(err, OCOP_EINVAL,
				      "label size %d mm does not fit an A4 "
				      "sheet",
				      o->size_mm);
	}
	p->x0 = (p->page_w - (p->cols * (p->lw + p->gutter) - p->gutter)) / 2;
	p->y0 = (p->page_h - (p->rows * (p->lh + p->gutter) - p->gutter)) / 2;
	per_page = p->cols * p->rows;
	p->pages = o->count > 0 ? (o->count + per_page - 1) / per_page : 1;
	ocop_strlcpy(p->footer, o->footer ? o->footer : "", sizeof(p->footer));

	p->surface = cairo_pdf_surface_create_for_stream(
		on_write, p, A4_W_MM / MM_PER_INCH * 72,
		A4_H_MM / MM_PER_INCH * 72);
	if (cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot create PDF: %s",
				    cairo_status_to_string(
					    cairo_surface_status(p->surface)));
		render_pdf_free(p);
		return rc;
	}
	if (o->title)
		cairo_pdf_surface_set_metadata(p->surface,
					       CAIRO_PDF_METADATA_TITLE,
					       o->title);
	cairo_pdf_surface_set_metadata(p->surface, CAIRO_PDF_METADATA_CREATOR,
				       "ocop");
	p->cr = cairo_create(p->surface);
	set_font_options(p->cr);
	p->mono = cairo_toy_font_face_create(FONT_MONO, CAIRO_FONT_SLANT_NORMAL,
					     CAIRO_FONT_WEIGHT_BOLD);
	p->sans = cairo_toy_font_face_create(FONT_SANS, CAIRO_FONT_SLANT_NORMAL,
					     CAIRO_FONT_WEIGHT_NORMAL);
	if ((rc = check_font(p->cr, p->mono, FONT_MONO, err)) < 0 ||
	    (rc = check_font(p->cr, p->sans, FONT_SANS, err)) < 0 ||
	    (rc = draw_common(p, o, err)) < 0 ||
	    (rc = cache_serial_glyphs(p, err)) < 0) {
		render_pdf_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

/* Crop marks in the margin at every cut line, and the footer. */
static void
draw_sheet(struct render_pdf *p)
{
	cairo_t *cr = p->cr;
	double d = p->dot, mm = 72.0 / MM_PER_INCH;
	double gx0 = p->x0 * d, gy0 = p->y0 * d;
	double gx1 = (p->x0 + p->cols * (p->lw + p->gutter) - p->gutter) * d;
	double gy1 = (p->y0 + p->rows * (p->lh + p->gutter) - p->gutter) * d;
	double gap = MARK_GAP_MM * mm, len = MARK_LEN_MM * mm;
	int page = p->placed / (p->cols * p->rows) + 1;
	char right[96];

	cairo_save(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.25);
	for (int c = 0; c < p->cols; c++) {
		for (int e = 0; e < 2; e++) {
			double x = (p->x0 + c * (p->lw + p->gutter) +
				    e * p->lw) *
				   d;

			cairo_move_to(cr, x, gy0 - gap);
			cairo_line_to(cr, x, gy0 - gap - len);
			cairo_move_to(cr, x, gy1 + gap);
			cairo_line_to(cr, x, gy1 + gap + len);
		}
	}
	for (int r = 0; r < p->rows; r++) {
		for (int e = 0; e < 2; e++) {
			double y = (p->y0 + r * (p->lh + p->gutter) +
				    e * p->lh) *
				   d;

			cairo_move_to(cr, gx0 - gap, y);
			cairo_line_to(cr, gx0 - gap - len, y);
			cairo_move_to(cr, gx1 + gap, y);
			cairo_line_to(cr, gx1 + gap + len, y);
		}
	}
	cairo_stroke(cr);

	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	cairo_set_font_face(cr, p->sans);
	cairo_set_font_size(cr, 6.5);
	cairo_move_to(cr, gx0, gy1 + gap + len + 3 * mm);
	cairo_show_text(cr, p->footer);
	snprintf(right, sizeof(right), "Tờ %d/%d · Sheet %d of %d", page,
		 p->pages, page, p->pages);
	cairo_move_to(cr, gx1 - text_width(cr, right),
		      gy1 + gap + len + 3 * mm);
	cairo_show_text(cr, right);
	cairo_restore(cr);
	/* the serial font stays selected between labels */
	cairo_set_font_face(cr, p->mono);
	cairo_set_font_size(cr, p->serial_size);
}

/*
 * The dark modules as few rectangles one module wide: from each dark
 * module not yet covered, its whole horizontal or whole vertical run,
 * whichever covers more new modules (finder patterns become four bars and
 * a square of three). Each rectangle is written as a stroke of width 1
 * with butt caps along its centre line: the same rectangle, in 4 numbers
 * instead of the 8 of a filled outline, which is what costs time in
 * cairo's PDF writer. Returns the number of rectangles.
 */
static int
path_symbol(struct render_pdf *p, cairo_t *cr, const struct qr_symbol *q)
{
	int w = q->width, count = 0;
	size_t n = (size_t)w * (size_t)w;
	const unsigned char *dark = q->dark;
	unsigned char *done;

	if (n > p->done_cap) {
		p->done = ocop_xrealloc(p->done, n);
		p->done_cap = n;
	}
	done = p->done;
	memset(done, 0, n);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; x++) {
			int x0 = x, x1 = x + 1, y0 = y, y1 = y + 1;
			int nh = 0, nv = 0;

			if (!dark[y * w + x] || done[y * w + x])
				continue;
			while (x0 > 0 && dark[y * w + x0 - 1])
				x0--;
			while (x1 < w && dark[y * w + x1])
				x1++;
			while (y0 > 0 && dark[(y0 - 1) * w + x])
				y0--;
			while (y1 < w && dark[y1 * w + x])
				y1++;
			for (int k = x0; k < x1; k++)
				nh += !done[y * w + k];
			for (int k = y0; k < y1; k++)
				nv += !done[k * w + x];
			if (nh >= nv) {
				memset(done + y * w + x0, 1, (size_t)(x1 - x0));
				cairo_move_to(cr, 2 * x0, 2 * y + 1);
				cairo_line_to(cr, 2 * x1, 2 * y + 1);
			} else {
				for (int k = y0; k < y1; k++)
					done[k * w + x] = 1;
				cairo_move_to(cr, 2 * x + 1, 2 * y0);
				cairo_line_to(cr, 2 * x + 1, 2 * y1);
			}
			count++;
		}
	}
	return count;
}

/*
 * The symbol as its own form XObject drawn in half-module units: cairo
 * writes a path in the units of the surface it is drawn on, so the
 * coordinates are small integers ("24 7 m 38 7 l", the centre lines of
 * the rectangles fall on half modules) instead of points with three
 * decimals. All of it is one stroke: rectangles of separate operations
 * would show hairline seams in anti-aliasing viewers.
 */
static void
draw_symbol(struct render_pdf *p, const struct qr_symbol *q, double x,
	    double y, double m)
{
	cairo_rectangle_t ext = {0, 0, 2 * q->width, 2 * q->width};
	cairo_surface_t *rs;
	cairo_pattern_t *pat;
	cairo_matrix_t mx;
	cairo_t *c2;

	rs = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
	c2 = cairo_create(rs);
	cairo_set_source_rgb(c2, 0, 0, 0);
	cairo_set_line_width(c2, 2);
	cairo_set_line_cap(c2, CAIRO_LINE_CAP_BUTT);
	path_symbol(p, c2, q);
	cairo_stroke(c2);
	cairo_destroy(c2);
	pat = cairo_pattern_create_for_surface(rs);
	/* pattern space (half modules) from user space (points) */
	cairo_matrix_init_scale(&mx, 2 / m, 2 / m);
	cairo_matrix_translate(&mx, -x, -y);
	cairo_pattern_set_matrix(pat, &mx);
	cairo_set_source(p->cr, pat);
	cairo_rectangle(p->cr, x, y, q->width * m, q->width * m);
	cairo_fill(p->cr);
	cairo_pattern_destroy(pat);
	cairo_surface_destroy(rs);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

int
render_pdf_add(struct render_pdf *p, const struct qr_symbol *q,
	       const char *serial, struct ocop_error *err)
{
	cairo_t *cr = p->cr;
	int per_page = p->cols * p->rows, slot = p->placed % per_page;
	int lx, ly, mdots, qx, qy, n = q->width + 2 * QR_QUIET;
	double d = p->dot, gx;
	char grouped[OCOP_SERIAL_GROUPED + 1];
	cairo_glyph_t glyphs[OCOP_SERIAL_GROUPED];

	mdots = p->lw / n;
	if (mdots < 1)
		return ocop_error_set(err, OCOP_EINVAL,
				      "QR version %d does not fit a label of "
				      "%d dots",
				      q->version, p->lw);
	if (slot == 0) {
		if (p->placed > 0)
			cairo_show_page(cr);
		draw_sheet(p);
	}
	lx = p->x0 + (slot % p->cols) * (p->lw + p->gutter);
	ly = p->y0 + (slot / p->cols) * (p->lh + p->gutter);

	cairo_set_source_surface(cr, p->common, lx * d, ly * d);
	cairo_paint(cr);

	/* the symbol centred in the label's top square, on whole dots */
	qx = lx + (p->lw - q->width * mdots) / 2;
	qy = ly + (p->lw - q->width * mdots) / 2;
	cairo_set_source_rgb(cr, 0, 0, 0);
	draw_symbol(p, q, qx * d, qy * d, mdots * d);

	gx = lx * d + (p->lw * d - p->serial_w) / 2;
	ocop_serial_group(serial, grouped);
	for (int i = 0; i < OCOP_SERIAL_GROUPED && grouped[i]; i++) {
		unsigned char c = (unsigned char)grouped[i] & 127;

		glyphs[i].index = p->glyph[c];
		glyphs[i].x = gx;
		glyphs[i].y = (ly + p->serial_base) * d;
		gx += p->advance[c];
	}
	cairo_show_glyphs(cr, glyphs, OCOP_SERIAL_GROUPED);
	p->placed++;
	if (p->write_failed)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot write the PDF sheet: %s",
				      strerror(p->write_failed));
	if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "cannot draw label: %s",
				      cairo_status_to_string(cairo_status(cr)));
	return 0;
}

int
render_pdf_finish(struct render_pdf *p, struct ocop_error *err)
{
	cairo_status_t st;
	int rc = 0;

	if (p->placed == 0)
		draw_sheet(p);
	cairo_destroy(p->cr);
	p->cr = NULL;
	cairo_surface_finish(p->surface);
	st = cairo_surface_status(p->surface);
	if (p->write_failed)
		rc = ocop_error_set(err, OCOP_EOUTPUT,
				    "cannot write the PDF sheet: %s",
				    strerror(p->write_failed));
	else if (st != CAIRO_STATUS_SUCCESS)
		rc = ocop_error_set(err, OCOP_EINTERNAL, "cannot write PDF: %s",
				    cairo_status_to_string(st));
	render_pdf_free(p);
	return rc;
}
