/*
 * label.h - labels: the base URL, the URL a label's QR carries, and the
 * issuing of a batch (serials, files, one transaction). Rendering lives in
 * qr.c and render_*.c.
 */
#ifndef OCOP_LABEL_H
#define OCOP_LABEL_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "ocop.h"
#include "store/store.h"

#define LABEL_DEFAULT_BASE_URL "http://localhost:8080"

/* Validate scheme://host[:port] (http or https, no path, query, user);
 * writes it lower-cased without a trailing slash. OCOP_EINVAL otherwise. */
int label_base_url_normalize(const char *in, char *out, size_t size,
			     struct ocop_error *err);

/* The QR content, upper case: {BASE}/L/{SERIAL} without a GTIN, else
 * {BASE}/01/{GTIN14}[/10/{LOT}]/21/{SERIAL}. lot and gtin14 may be "" or
 * NULL. Returns the length, or -1 when out is too small. */
int label_url(const char *base, const char *gtin14, const char *lot,
	      const char *serial, char *out, size_t size);

/* ---- issuing a batch ---- */

enum label_format {
	LABEL_FORMAT_PDF = 0,
	LABEL_FORMAT_PNG,
	LABEL_FORMAT_SVG,
	LABEL_FORMAT_CSV,
};
/* "pdf", "png", "svg", "csv"; OCOP_EINVAL otherwise. */
int label_format_parse(const char *s, enum label_format *f,
		       struct ocop_error *err);

#define LABEL_MAX_COUNT 1000000
#define LABEL_MANIFEST "labels.csv"
#define LABEL_PDF_FILE "labels.pdf"

struct label_issue_opts {
	const char *product_code;
	int count;                 /* 1..LABEL_MAX_COUNT */
	const char *lot;           /* as typed; NULL or "" for none */
	int32_t made_on;           /* OCOP_NO_DAY when not given */
	int32_t best_before;       /* OCOP_NO_DAY when not given */
	enum label_format format;
	int size_mm;               /* PDF label width */
	int module_px;             /* PNG/SVG pixels a module */
	int dpi;                   /* printer resolution: PDF dots, PNG pHYs */
	const char *out_dir;	   /* created when missing; NULL: no files
				    * (label_files makes them later) */
	/* Set (by a signal handler) to stop: the batch is rolled back and
	 * its files removed. May be NULL. */
	const volatile sig_atomic_t *cancel;
	/* Who issues, for the audit log (audit.h: "cli:USER", "user:LOGIN",
	 * "token:ID"), and from which client network (NULL: none): the
	 * batch's entry is written in its transaction. NULL actor: not
	 * recorded (tests, benchmarks). */
	const char *actor;
	const char *net;
};

/* Defaults: PDF, 30 mm, 8 px a module, 600 dpi, no lot, no dates. */
void label_issue_opts_init(struct label_issue_opts *o);

/*
 * Issue one batch: serials from the CSPRNG, the files of o->format and
 * LABEL_MANIFEST (serial,url,lot,stars) written into a hidden temporary
 * directory (.ocop-issue-*: beside o->out_dir when it does not exist yet,
 * then renamed to it; else inside it, then each file renamed out of it)
 * and synced, then the batch and all its labels committed in one
 * transaction, then the files put into place. On any failure before the
 * commit nothing is stored, the temporary files are removed and a missing
 * o->out_dir is not created. The stars printed are those in force
 * today. Fills *batch (with its id).
 *
 * Errors: OCOP_EINVAL (bad option or lot), OCOP_ENOENT (unknown
 * product), OCOP_EREFUSED (no recognition in force today), OCOP_EOUTPUT
 * (cannot write the files, or the directory already holds a manifest or
 * PDF), OCOP_EINTERNAL.
 *
 * Test hooks (environment, for the failure tests only):
 * OCOP_FAIL_AFTER_LABELS=N fails as a full disk would once N label files
 * (PDF: labels drawn) are written; OCOP_FAIL_AFTER_ROWS=N fails inside the
 * transaction after N label rows; OCOP_TEST_FIRST_SERIAL=S makes S the
 * first serial tried, to exercise the collision path.
 */
int label_issue(struct ocop_store *st, const struct label_issue_opts *o,
		struct ocop_batch *batch, struct ocop_error *err);

/*
 * Void one label (serial, normalised) or, with serial NULL, batch
 * batch_id at now with reason (may be NULL), and append its audit entry
 * (label.void or batch.void, by actor from net: audit.h) in the same
 * transaction. Voiding twice keeps the first time. OCOP_ENOENT: no such
 * label or batch.
 */
int label_void(struct ocop_store *st, const char *serial, int64_t batch_id,
	       const char *actor, const char *net, int64_t now,
	       const char *reason, struct ocop_error *err);

/*
 * Write the files of stored batch batch_id into o->out_dir as label_issue
 * wrote them when the batch was issued with o's format, size_mm,
 * module_px and dpi (the other fields are not used): the same serials in
 * the same order, the same URLs, lot and stars, so the same bytes. The
 * directory is handled as label_issue does (made when missing, refused
 * when it holds a manifest or PDF). Nothing is stored; a voided batch
 * still has its files. Errors: OCOP_ENOENT (no such batch), OCOP_EINVAL,
 * OCOP_EOUTPUT, OCOP_EINTERNAL.
 */
int label_files(struct ocop_store *st, int64_t batch_id,
		const struct label_issue_opts *o, struct ocop_error *err);

/*
 * labels.pdf of stored batch batch_id without a file: label_sheets_load
 * reads what label_files reads (the batch, its product, the base URL and
 * its serials in their order; o as for label_files, out_dir unused, and
 * o->cancel, when set, stops the drawing); label_sheets_write then draws
 * the same sheets with the same code into out, each page written as it is
 * drawn (no store needed: another thread may write), the same bytes as
 * label_files' labels.pdf; out is left open. Errors as label_files.
 */
struct label_sheets;
int label_sheets_load(struct ocop_store *st, int64_t batch_id,
		      const struct label_issue_opts *o,
		      struct label_sheets **out, struct ocop_error *err);
int label_sheets_write(struct label_sheets *ls, FILE *out,
		       struct ocop_error *err);
void label_sheets_free(struct label_sheets *ls);

#endif
