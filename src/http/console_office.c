/*
 * console_office.c - what the office's console pages share: variables,
 * words, rows (console_office.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assets.h"
#include "console_office.h"
#include "report.h"

void
office_vars_init(struct office_vars *vs)
{
	memset(vs, 0, sizeof(*vs));
}

void
office_vars_release(struct office_vars *vs)
{
	for (size_t i = 0; i < vs->nowned; i++)
		free(vs->owned[i]);
	free(vs->owned);
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

void
office_var(struct office_vars *vs, const char *name, const char *value)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? 2 * vs->cap : 32;
		vs->v = ocop_xrealloc(vs->v, vs->cap * sizeof(*vs->v));
	}
	vs->v[vs->n].name = name;
	vs->v[vs->n].value = value ? value : "";
	vs->n++;
}

static const char *
own(struct office_vars *vs, char *s)
{
	if (vs->nowned == vs->capowned) {
		vs->capowned = vs->capowned ? 2 * vs->capowned : 16;
		vs->owned =
		    ocop_xrealloc(vs->owned, vs->capowned * sizeof(*vs->owned));
	}
	vs->owned[vs->nowned++] = s;
	return s;
}

void
office_var_copy(struct office_vars *vs, const char *name, const char *value)
{
	office_var(vs, name, own(vs, ocop_xstrdup(value ? value : "")));
}

void
office_varf(struct office_vars *vs, const char *name, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	office_var(vs, name, own(vs, s));
}

const char *
office_word(const struct office_word *w, const char *lang)
{
	return strcmp(lang, "en") == 0 ? w->en : w->vi;
}

void
office_words(struct office_vars *vs, const struct office_word *w, size_t n,
	     const char *lang)
{
	for (size_t i = 0; i < n; i++)
		office_var(vs, w[i].name, office_word(&w[i], lang));
}

int
office_render(struct ocop_buf *out, const char *name,
	      const struct office_vars *vs, struct ocop_error *err)
{
	const struct ocop_asset *a;
	char path[128];

	snprintf(path, sizeof(path), "templates/console/%s", name);
	if (!(a = assets_find(path)))
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "template: unknown '%s'", path);
	return page_render(a->data, vs->v, vs->n, out, err);
}

int
office_field(struct ocop_buf *out, const char *fid, const char *fname,
	     const char *label, const char *type, int required,
	     const char *value, const char *error, struct ocop_error *err)
{
	struct office_vars fv;
	int rc;

	office_vars_init(&fv);
	office_var(&fv, "fid", fid);
	office_var(&fv, "fname", fname);
	office_var(&fv, "label", label);
	office_var(&fv, "type", type);
	office_var(&fv, "required", required ? "1" : "");
	office_var(&fv, "value", value ? value : "");
	office_var(&fv, "error", error ? error : "");
	rc = office_render(out, "form_field.html", &fv, err);
	office_vars_release(&fv);
	return rc;
}

void
office_role_choice(struct office_vars *vs, const char *role)
{
	static const struct {
		const char *role, *var; /* office_var keeps the name */
	} roles[] = {{"admin", "sel_admin"},
		     {"inspector", "sel_inspector"},
		     {"producer", "sel_producer"}};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		office_var(vs, roles[i].var,
			   role && strcmp(role, roles[i].role) == 0 ? "1" : "");
}

const char *
office_when(int64_t t, char *buf)
{
	if (t == OCOP_NO_TIME) {
		buf[0] = '\0';
		return buf;
	}
	return report_local_time(t, buf);
}

void
office_style(struct office_vars *vs)
{
	const struct ocop_asset *a =
	    assets_find("templates/console/office.part");

	office_var(vs, "office_style", a ? a->data : "");
}
