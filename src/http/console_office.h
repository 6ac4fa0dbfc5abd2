/*
 * console_office.h - what the province office's console pages share
 * (console_registry.c, console_reports.c, console_people.c): a page's
 * variables with the words of its language, and rows of a list rendered
 * from a row template. Not for use outside src/http/.
 */
#ifndef OCOP_CONSOLE_OFFICE_H
#define OCOP_CONSOLE_OFFICE_H

#include <stddef.h>

#include "ocop.h"
#include "page.h"

/* A word of a page, in both languages. */
struct office_word {
	const char *name;
	const char *vi;
	const char *en;
};

/* A page's variables. Values given to office_var are not copied (the
 * caller keeps them alive until the page is rendered); office_varf's and
 * office_var_copy's are, and freed by office_vars_release. */
struct office_vars {
	struct page_var *v;
	size_t n, cap;
	char **owned;
	size_t nowned, capowned;
};

void office_vars_init(struct office_vars *vs);
void office_vars_release(struct office_vars *vs);
void office_var(struct office_vars *vs, const char *name, const char *value);
void office_var_copy(struct office_vars *vs, const char *name,
		     const char *value);
void office_varf(struct office_vars *vs, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Every word of w[0..n) in lang ("vi" or "en"). */
void office_words(struct office_vars *vs, const struct office_word *w, size_t n,
		  const char *lang);
/* A word's text in lang. */
const char *office_word(const struct office_word *w, const char *lang);

/*
 * Append the template assets/templates/console/NAME expanded with vs to
 * out (a list's row, a part of a page). OCOP_EINTERNAL for an unknown
 * template or placeholder, OCOP_ETOOBIG when out's cap is reached.
 */
int office_render(struct ocop_buf *out, const char *name,
		  const struct office_vars *vs, struct ocop_error *err);

/* One form field (console/form_field.html) into out: its element id,
 * field name, label (already in the page's language), input type,
 * whether it is required, its value and its error (NULL: none). */
int office_field(struct ocop_buf *out, const char *fid, const char *fname,
		 const char *label, const char *type, int required,
		 const char *value, const char *error, struct ocop_error *err);

/* sel_admin, sel_inspector, sel_producer: which role a form had chosen. */
void office_role_choice(struct office_vars *vs, const char *role);

/* The office pages' own style (console/office.part) as "office_style",
 * for {{{office_style}}} at the top of each of their templates. */
void office_style(struct office_vars *vs);

/* An instant as Vietnam local time, "02/12/2026 15:04", or "" for
 * OCOP_NO_TIME; buf of at least 17 bytes. */
const char *office_when(int64_t t, char *buf);

#endif
