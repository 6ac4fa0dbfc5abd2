/*
 * registry.h - the OCOP registry: importing recognition and revocation
 * files (SPEC 6), the clerk's actions (grant, extend, revoke) and a
 * product's status.
 *
 * Import contract: a file is CSV (UTF-8, RFC 4180, header row, optional
 * BOM) or JSON (an array of objects with the same keys, or one object
 * {"registry":[...],"extensions":[...],"revocations":[...]}, the form
 * `ocop registry export` writes to standard output). Every row is
 * checked; when any row is bad, every problem is reported with the row's
 * place ("line N": the physical line where a CSV record starts; "item N":
 * the 0-based index of a JSON array element) and nothing is imported. One
 * import is one transaction. Importing the same rows again changes
 * nothing.
 */
#ifndef OCOP_REGISTRY_H
#define OCOP_REGISTRY_H

#include <stddef.h>
#include <stdio.h>

#include "ocop.h"
#include "store/store.h"

#define REGISTRY_MAX_INPUT ((size_t)64 << 20) /* bytes of one file */
#define REGISTRY_MAX_PROBLEMS 10000	      /* messages kept */

/* The problems found in an import, in file order. Owned strings. */
struct registry_problems {
	char **msgs;
	size_t n;     /* messages kept (at most REGISTRY_MAX_PROBLEMS) */
	size_t total; /* problems found, kept or not */
	size_t cap;
};
void registry_problems_init(struct registry_problems *p);
void registry_problems_release(struct registry_problems *p);
void registry_problems_add(struct registry_problems *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

enum registry_kind {
	REGISTRY_RECOGNITIONS = 1, /* code,name,group,gtin,...,valid_until */
	REGISTRY_REVOCATIONS,	   /* code,decision_no,revoked_on,ground,note */
	REGISTRY_EXTENSIONS,	   /* code,decision_no,extended_until,... */
	REGISTRY_BUNDLE,	   /* a JSON object of the three */
};

struct registry_summary {
	enum registry_kind kind;
	size_t rows;	  /* rows (or items) read */
	size_t by_kind[4]; /* of those, rows of each kind (index kind - 1) */
	size_t products;  /* distinct product codes among them */
	size_t added;	  /* rows that changed the database */
	size_t unchanged; /* rows already recorded exactly so */
};

/* The columns of each kind, in their canonical order; NULL-terminated.
 * Recognitions: producer_id and source (the last two) are optional;
 * extensions: extension_decision_no (the last) is optional. */
extern const char *const registry_recognition_columns[];
extern const char *const registry_revocation_columns[];
extern const char *const registry_extension_columns[];

/* The kind of a file's content, as the import reads it (CSV header or
 * JSON keys); REGISTRY_RECOGNITIONS when it cannot tell. */
enum registry_kind registry_sniff_kind(const char *name, const char *data,
				       size_t len);

/*
 * Import the bytes data[0..len) named name (a path or URL, used in
 * messages and, by its extension, as a format hint). Bad rows are added
 * to probs and give OCOP_EINVAL with nothing written; OCOP_ETOOBIG when
 * len > REGISTRY_MAX_INPUT; other errors are the store's. sum is filled
 * on success.
 */
int registry_import_buffer(struct ocop_store *st, const char *name,
			   const char *data, size_t len,
			   struct registry_summary *sum,
			   struct registry_problems *probs,
			   struct ocop_error *err);
/* Read the file at path ("-": standard input), then as above.
 * OCOP_ENOINPUT when it cannot be read. */
int registry_import_file(struct ocop_store *st, const char *path,
			 struct registry_summary *sum,
			 struct registry_problems *probs,
			 struct ocop_error *err);

/* Read the file at path ("-": standard input) into b (initialised with
 * a cap of REGISTRY_MAX_INPUT). OCOP_ENOINPUT when it cannot be read,
 * OCOP_ETOOBIG when it is larger. */
int registry_read_file(const char *path, struct ocop_buf *b,
		       struct ocop_error *err);

/*
 * Check one row given as strings in canonical column order, every column
 * of the kind including the optional ones (NULL or "" for empty). The
 * group and producer kind are read as the decisions write them (see
 * names.h); an empty producer kind is what the producer's name says.
 * Appends "; "-separated reasons to why and returns
 * OCOP_EINVAL when the row is bad; else fills the structs (recognition:
 * valid_from = decided_on, valid_until defaulted; producer kind and group
 * in canonical form; gtin as 14 digits or "").
 */
int registry_check_recognition(const char *const *vals, struct ocop_product *p,
			       struct ocop_recognition *r,
			       struct ocop_buf *why);
int registry_check_revocation(const char *const *vals, char *code,
			      size_t code_size, struct ocop_revocation *v,
			      struct ocop_buf *why);

/* ---- export ------------------------------------------------------- */

struct registry_export_counts {
	size_t products, recognitions, extensions, revocations;
};

/*
 * Write the whole registry into dir (created with its missing parents)
 * as registry.csv, extensions.csv and revocations.csv (json: the same
 * names in .json, arrays of objects), in the columns the import reads:
 * every recognition (valid_until written out), the extension in effect
 * of each, every revocation. Values are written as stored; CSV fields are
 * quoted as RFC 4180 says and nothing else (no spreadsheet guards, which
 * would change the values imported back). Each file is replaced whole
 * (a temporary file, synced, renamed). OCOP_EOUTPUT when a file cannot
 * be written.
 */
int registry_export_dir(struct ocop_store *st, const char *dir, int json,
			struct registry_export_counts *n,
			struct ocop_error *err);
/* The same as one JSON object {"registry":[...],"extensions":[...],
 * "revocations":[...]} written to out, which the import reads back. */
int registry_export_bundle(struct ocop_store *st, FILE *out,
			   struct registry_export_counts *n,
			   struct ocop_error *err);

/* ---- CSV reader (RFC 4180) ---------------------------------------- */

/*
 * Reads records from a buffer: fields separated by ',', records by CRLF,
 * LF or CR; "quoted" fields may hold commas, line breaks and doubled
 * quotes. A leading UTF-8 BOM is skipped and blank lines are ignored.
 * The buffer must outlive the reader.
 */
struct registry_csv {
	const char *data;
	size_t len;
	size_t pos;
	long next_line;	      /* physical line at pos, from 1 */
	long line;	      /* where the current record starts */
	struct ocop_buf text; /* the current record's fields, NUL-separated */
	size_t *offs;	      /* start of each field in text */
	size_t *lens;	      /* length of each field */
	size_t nfields;
	size_t cap;
	char bad[160]; /* why the current record is malformed, or "" */
};
void registry_csv_init(struct registry_csv *c, const char *data, size_t len);
void registry_csv_release(struct registry_csv *c);
/* 1 with the next record, 0 at the end, OCOP_EINVAL when a quoted field
 * is never closed (nothing more can be read). A record that is readable
 * but malformed (a stray quote) is returned with bad set. */
int registry_csv_next(struct registry_csv *c, struct ocop_error *err);
/* Field i of the current record (NUL-terminated; *len, when not NULL,
 * is its length, which can hide NUL bytes). */
const char *registry_csv_field(const struct registry_csv *c, size_t i,
			       size_t *len);

/* ---- clerk's actions ---------------------------------------------- */

/* The issuer written when none is given: the ministry for 5 stars (MARD
 * before 2025-03-01, then the Ministry of Agriculture and Environment),
 * else the province's People's Committee. */
void registry_default_issuer(int stars, int32_t decided_on,
			     const char *province, char *out, size_t size);

/*
 * Record a recognition of an existing product. r: stars (3..5),
 * decision_no, decided_on, issuer ("" for the default), valid_until
 * (OCOP_NO_DAY for the default) and source; valid_from is decided_on.
 * *changed is 0 when the same decision was already recorded identically.
 * OCOP_ENOENT for an unknown product, OCOP_EINVAL for bad values,
 * OCOP_EEXIST when the decision is recorded with other content, and
 * OCOP_EREFUSED when another decision of the product starts the same day
 * (both named).
 */
int registry_grant(struct ocop_store *st, const char *code,
		   struct ocop_recognition *r, int *changed,
		   struct ocop_error *err);
/*
 * Extend the recognition of code with decision_no (NULL: the latest) to
 * until, which must lie in [valid_until, valid_until + 180 days]
 * (OCOP_EREFUSED otherwise), by the extension decision ext_decision_no
 * (NULL or "" when none). Any recognition of the history may be
 * extended, entered in any order: one superseded since counts until its
 * successor starts, one revoked until its revocation. out receives the
 * recognition as extended. *changed is 0 when it already was extended
 * so.
 */
int registry_extend(struct ocop_store *st, const char *code,
		    const char *decision_no, int32_t until,
		    const char *ext_decision_no, struct ocop_recognition *out,
		    int *changed, struct ocop_error *err);
#define REGISTRY_MAX_EXTENSION_DAYS 180
/*
 * Record a revocation of code: v holds decision_no, revoked_on, ground
 * and note. Refused (OCOP_EREFUSED) for a product without recognitions
 * or a date before its first recognition.
 */
int registry_revoke(struct ocop_store *st, const char *code,
		    struct ocop_revocation *v, int *changed,
		    struct ocop_error *err);

/* ---- status ------------------------------------------------------- */

/* The product's history read from the store and resolved
 * (ocop_history_resolve), ready for the validity engine. h must be
 * initialised; it is emptied first. */
int registry_history(struct ocop_store *st, int64_t product_id,
		     struct ocop_history *h, struct ocop_error *err);
/* The same for n products (n <= STORE_COUNTS_MAX) into h[0..n), read
 * together (history_read_many). */
int registry_histories(struct ocop_store *st, const int64_t *ids, size_t n,
		       struct ocop_history *h, struct ocop_error *err);

enum registry_status {
	REGISTRY_IN_FORCE = 0, /* a recognition is in force on the day */
	REGISTRY_EXPIRED,      /* none, and the latest was not revoked */
	REGISTRY_REVOKED,      /* none: the latest started was revoked */
};
/* "in_force", "expired", "revoked" */
const char *registry_status_name(enum registry_status s);
int registry_status_parse(const char *s, enum registry_status *out);
/* The status of a resolved history on day; *rec (if not NULL) gets the
 * recognition in force, else the latest started on or before day, else
 * the first one, or -1 when there is none. */
enum registry_status registry_status_of(const struct ocop_history *h,
					int32_t day, int *rec);

#endif
