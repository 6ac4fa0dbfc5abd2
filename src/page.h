/*
 * page.h - the consumer pages: what a shopper sees after scanning a label
 * (/L/{serial}) and a product's page (/P/{gtin}). Vietnamese first,
 * English on request. Built from the templates in assets/templates/ with
 * {{name}} placeholders, every value HTML-escaped; {{#name}}...{{/name}}
 * keeps its content when name is non-empty, {{^name}}...{{/name}} when it
 * is empty. No script, no external resource, readable at 360 px.
 */
#ifndef OCOP_PAGE_H
#define OCOP_PAGE_H

#include "ocop.h"
#include "record.h"

struct page_var {
	const char *name;
	const char *value;
};

/* "en" when lang_arg is "en", or when there is no lang_arg and the
 * Accept-Language header starts with "en"; else "vi". */
const char *page_lang(const char *lang_arg, const char *accept_language);

/*
 * Expand template tmpl (NUL-terminated) with vars into out. OCOP_EINTERNAL
 * naming the placeholder for an unknown name or an unclosed section;
 * OCOP_ETOOBIG when out's cap is reached.
 */
int page_render(const char *tmpl, const struct page_var *vars, size_t nvars,
		struct ocop_buf *out, struct ocop_error *err);

/*
 * The page of a label's record (any verdict, unknown included) in lang.
 * self_path is the page's path without query (for the language link).
 */
int page_label(const struct ocop_record *rec, const char *lang,
	       const char *self_path, struct ocop_buf *out,
	       struct ocop_error *err);

/*
 * The page of product p with its resolved history h as of instant now:
 * its current recognition (in force, else the latest started).
 */
int page_product(const struct ocop_product *p, const struct ocop_history *h,
		 int64_t now, const char *lang, const char *self_path,
		 struct ocop_buf *out, struct ocop_error *err);

#endif
