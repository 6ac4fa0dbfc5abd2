/*
 * render_pdf.h - print-ready A4 sheets of whole labels (cairo PDF).
 *
 * Each label is size_mm wide: the QR symbol in vector form (whole
 * rectangles) with its quiet zone in a square on top, then "OCOP" and the
 * printed stars, the product name (two lines at most, shortened with an
 * ellipsis when longer), the grouped serial, under it where the code can
 * be typed ("Nhập mã tại {host}", or the host alone where the lead would
 * make it too small), and "Quét mã để xác thực".
 * A QR module is a whole number of printer dots at dpi, and every label
 * starts on the dot grid, so module edges fall on dot edges. Labels sit in
 * a grid with gutters; crop marks in the page margin show every cut line,
 * and a footer names the batch and the sheet.
 *
 * Usage: render_pdf_open, render_pdf_add once per label, then
 * render_pdf_finish (or render_pdf_free to give up). The renderer writes
 * to f and never closes it; the caller checks and syncs f afterwards.
 */
#ifndef OCOP_RENDER_PDF_H
#define OCOP_RENDER_PDF_H

#include <stdio.h>

#include "ocop.h"
#include "qr.h"

#define RENDER_PDF_MIN_MM 20
#define RENDER_PDF_MAX_MM 100

struct render_pdf_opts {
	const char *product_name; /* UTF-8, as printed */
	int stars;                /* 3..5 */
	int size_mm;              /* label width, RENDER_PDF_MIN_MM..MAX_MM */
	int dpi;                  /* printer resolution, 150..4800 */
	int count;                /* labels in the document (page numbers) */
	const char *footer;       /* left part of each sheet's footer */
	const char *title;        /* document metadata */
	const char *host;         /* host[:port] of the base URL; NULL: none */
};

struct render_pdf;

/* OCOP_EINVAL for options out of range (size, dpi, a label too small for
 * its text), OCOP_EINTERNAL when cairo fails. */
int render_pdf_open(FILE *f, const struct render_pdf_opts *o,
		    struct render_pdf **out, struct ocop_error *err);
/* Place one label; serial is the 16-symbol serial. */
int render_pdf_add(struct render_pdf *p, const struct qr_symbol *q,
		   const char *serial, struct ocop_error *err);
/* Finish the document and free p (also on failure). OCOP_EOUTPUT when
 * writing failed. */
int render_pdf_finish(struct render_pdf *p, struct ocop_error *err);
/* Free without finishing; NULL is a no-op. */
void render_pdf_free(struct render_pdf *p);

#endif
