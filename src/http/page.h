/*
 * page.h - the consumer pages: what a shopper sees after scanning a label
 * (/L/{serial}) and a product's page (/P/{gtin}). Vietnamese first,
 * English on request. Built from the templates in assets/templates/ with
 * {{name}} placeholders, every value HTML-escaped; {{#name}}...{{/name}}
 * keeps its content when name is non-empty, {{^name}}...{{/name}} when it
 * is empty; {{{name}}} puts the value in as it is, for an HTML fragment
 * the caller rendered with page_render itself (a list's rows, each value
 * escaped there), never for a value from outside. No script, no external
 * resource, readable at 360 px.
 */
#ifndef OCOP_PAGE_H
#define OCOP_PAGE_H

#include "ocop.h"
#include "record.h"

struct page_var {
	const char *name;
	const char *value;
};

/*
 * Who runs the service (ocop init --operator/--contact): the operator is
 * named in every page's header, the contact on every verdict other than
 * valid. NULL or "" when not set: the header then names no one and the
 * advice points to the market surveillance authority.
 */
struct page_site {
	const char *operator_name;
	const char *contact;
};

/*
 * The page's language, "vi" or "en": lang_arg (?lang=) when it is one of
 * them, else the Accept-Language range of vi or en with the highest q
 * (the first on a tie; other languages and "*" are ignored), else "vi".
 */
const char *page_lang(const char *lang_arg, const char *accept_language);

/*
 * Expand template tmpl (NUL-terminated) with vars into out. OCOP_EINTERNAL
 * naming the placeholder for an unknown name or an unclosed section;
 * OCOP_ETOOBIG when out's cap is reached.
 */
int page_render(const char *tmpl, const struct page_var *vars, size_t nvars,
		struct ocop_buf *out, struct ocop_error *err);

/*
 * The page of a label's record (any verdict, unknown included) in lang:
 * the verdict, advice and the contact for every verdict but valid, and a
 * warning when rec->suspect_copy. self_path is the page's path without
 * query (for the language link). site may be NULL.
 */
int page_label(const struct ocop_record *rec, const struct page_site *site,
	       const char *lang, const char *self_path, struct ocop_buf *out,
	       struct ocop_error *err);

/*
 * The page of product p with its resolved history h as of instant now:
 * its current recognition (in force, else the latest started).
 */
int page_product(const struct ocop_product *p, const struct ocop_history *h,
		 int64_t now, const struct page_site *site, const char *lang,
		 const char *self_path, struct ocop_buf *out,
		 struct ocop_error *err);

/*
 * The home page: one field for a label's code or URL, submitted as
 * GET /L?code=... typed (may be NULL) fills the field again; problem (in
 * lang, may be NULL) says what is wrong with it.
 */
int page_home(const struct page_site *site, const char *lang, const char *typed,
	      const char *problem, struct ocop_buf *out,
	      struct ocop_error *err);

/*
 * Why input is not a label code of the right shape (SPEC 3), in words
 * for a shopper in lang: empty, a character no code has, the number of
 * symbols, an address that is not a label's. Writes into buf.
 */
const char *page_code_problem(const char *input, const char *lang, char *buf,
			      size_t size);

/*
 * An error page for HTTP status (400, 404, 405, 413, 422, 429, 500,
 * 503; others read as a general failure) in lang, with detail (in lang,
 * may be NULL) under its title. self_path is for the language link.
 */
int page_error(const struct page_site *site, const char *lang, int status,
	       const char *detail, const char *self_path, struct ocop_buf *out,
	       struct ocop_error *err);

#endif
