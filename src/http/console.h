/*
 * console.h - the web console's shared core (SPEC 8), for the console's
 * route handlers in src/http/console_*.c. The server core (server.c) runs,
 * for every route with .access = ACCESS_SESSION, before the handler:
 *   - the session: cookie ocop_session checked (account.h); none or ended:
 *     a page route answers 303 to /console/login?next=PATH; a user whose
 *     role is not in route->roles gets 404 (as if it did not exist);
 *   - for POST: the Origin (when sent) must be {BASE}'s origin, the form is
 *     parsed with libmicrohttpd's post processor (urlencoded or
 *     multipart/form-data, files up to route->body_max), and the field
 *     "csrf" must equal the session's token (constant-time): else 403,
 *     nothing changed;
 *   - every console answer carries the security headers of SPEC 8
 *     (Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
 *     Cache-Control: no-store).
 * So a handler finds c->user set, and for a POST c->form parsed and its
 * CSRF checked. Pages are rendered from the templates in
 * assets/templates/console/ inside the console layout (header with the
 * user's name and role, the navigation the role may use, the sign-out
 * form, the language switch), with the consumer pages' style (style.part).
 */
#ifndef OCOP_CONSOLE_H
#define OCOP_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "ocop.h"
#include "page.h"

struct conn;

/* The signed-in person (a copy; account.h fills it). */
struct console_user {
	int64_t id;
	char login[128];
	enum ocop_role role; /* OCOP_ROLE_ADMIN, _INSPECTOR, _PRODUCER */
	int64_t producer_id; /* a producer's own; 0 for the others */
	char province[128];  /* an inspector's home province, or "" */
	char name[256];
	char csrf[64]; /* the session's token, for forms */
};

/* The posted fields of a console POST. */
struct console_form;

/*
 * A form outside a request (the post processor fills a request's): at
 * most max bytes of values in all. console_form_add takes a field's next
 * piece as libmicrohttpd's post processor hands it over (off > 0 goes on
 * with the last field of that key); -1 once too many fields or bytes
 * came, after which the form is bad. console_form_free(NULL) is a no-op.
 */
struct console_form *console_form_new(size_t max);
int console_form_add(struct console_form *f, const char *key,
		     const char *filename, const char *data, uint64_t off,
		     size_t size);
void console_form_free(struct console_form *f);

/* A text field's value (UTF-8, NUL-terminated), or NULL when absent. */
const char *console_field(const struct console_form *f, const char *name);
/* An uploaded file: 0 with its bytes and the name the browser gave;
 * OCOP_ENOENT when the field was not sent or is empty. */
int console_file(const struct console_form *f, const char *name,
		 const char **data, size_t *len, const char **filename);

/*
 * What a form's fields say, checked: each 0 with the value, or -1 when
 * the field does not say one. console_form_int: a whole number lo..hi
 * (lo >= 0) in decimal digits, no sign (blanks around them are ignored).
 * console_form_day: a day YYYY-MM-DD, *day OCOP_NO_DAY for NULL or "".
 * console_form_id: a record's id as the service writes it: digits, from
 * 1, no zero before.
 */
int console_form_int(const char *s, long lo, long hi, int *out);
int console_form_day(const char *s, int32_t *day);
int console_form_id(const char *s, int64_t *id);

/* next when it is a console path to go to after signing in (no other
 * site, no control characters), else "/console/". */
const char *console_next_path(const char *next);

/*
 * The session of a cookie's value at now from st: 1 with *u filled
 * (csrf too), 0 for a value of another form, an unknown or an ended
 * session.
 */
int console_session_of(struct ocop_store *st, const char *cookie, int64_t now,
		       struct console_user *u);

/*
 * The console session of c's cookie, on any route (a label page shows an
 * inspector's panel): 1 with *u filled and, when cookie is not NULL,
 * *cookie the cookie's value; 0 for none, an unknown or an ended one.
 */
int console_session(struct conn *c, struct console_user *u,
		    const char **cookie);

/* The signed-in user of c (never NULL inside a session route's handler). */
const struct console_user *console_user(const struct conn *c);
/* The posted form of c, or NULL for a GET. */
const struct console_form *console_form(const struct conn *c);
/* c's language, "vi" or "en" (?lang=, else Accept-Language). */
const char *console_lang(const struct conn *c);
/* The audit actor of c: "user:LOGIN" into buf. */
const char *console_actor(const struct conn *c, char *buf, size_t size);
/* The client network of c, for the audit log. */
const char *console_net(const struct conn *c);

/*
 * Answer with a console page: template tmpl (a name under
 * assets/templates/console/, e.g. "dashboard.html") expanded with vars
 * (every value escaped; see page_render) inside the layout, with title
 * (already in lang). The layout adds the variables every page has: lang,
 * csrf, user_name, user_role, the navigation, t_* words of the layout.
 */
void console_page(struct conn *c, struct http_resp *resp, int status,
		  const char *title, const char *tmpl,
		  const struct page_var *vars, size_t nvars);
/* Render template tmpl (under assets/templates/console/, e.g. a list's
 * row) with vars and the variables every page has, appending to out: for
 * the {{{fragments}}} of a page (page.h). */
int console_render(struct conn *c, const char *tmpl,
		   const struct page_var *vars, size_t nvars,
		   struct ocop_buf *out, struct ocop_error *err);
/* 303 to a console path (printf-style), keeping ?lang=en when set. */
void console_redirect(struct conn *c, struct http_resp *resp, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));
/* The console's 404 page (also for what a producer may not see). */
void console_not_found(struct conn *c, struct http_resp *resp);
/* A console error page with status and a message already in lang. */
void console_error(struct conn *c, struct http_resp *resp, int status,
		   const char *message);
/* A file to download: content type, filename (Content-Disposition). The
 * data is copied. */
void console_download(struct http_resp *resp, const char *content_type,
		      const char *filename, const void *data, size_t len);

/*
 * Whether the user may see the product with owner producer_id: admins and
 * inspectors every product, a producer only its own. A handler that gets
 * 0 answers console_not_found.
 */
int console_may_see(const struct console_user *u, int64_t producer_id);

#endif
