/*
 * console.c - the web console's core (console.h, SPEC 8): the session,
 * role, Origin and CSRF checks that server.c runs before every console
 * handler, the posted form, the layout every console page shares, and the
 * pages of signing in and out and of choosing a password.
 *
 * A form is parsed by libmicrohttpd's post processor as the body arrives
 * (application/x-www-form-urlencoded and multipart/form-data alike); every
 * field, a file's bytes too, is kept in memory, at most the route's
 * body_max in all.
 */
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "assets.h"
#include "console.h"
#include "server_int.h"

#define FIELDS_MAX 256
#define FIELD_TEXT_MAX ((size_t)1 << 20)
#define PP_BUFFER 16384
#define VARS_MAX 160

struct console_field {
	char *name;
	char *filename; /* NULL for a text field */
	struct ocop_buf value;
};

struct console_form {
	struct console_field f[FIELDS_MAX];
	size_t n;
	size_t total, max; /* bytes kept, and their cap */
	int bad;	   /* too many fields or bytes */
};

struct console_ctx {
	int signed_in;
	struct console_user user;
	char cookie[ACCOUNT_SECRET_LEN + 1];
	struct console_form *form;
	struct MHD_PostProcessor *pp;
};

static const char *
pick(const struct conn *c, const char *vi, const char *en)
{
	return strcmp(c->lang, "en") == 0 ? en : vi;
}

/* ---- the form ------------------------------------------------------------ */

struct console_form *
console_form_new(size_t max)
{
	struct console_form *f = ocop_xcalloc(1, sizeof(*f));

	f->max = max;
	return f;
}

int
console_form_add(struct console_form *f, const char *key, const char *filename,
		 const char *data, uint64_t off, size_t size)
{
	struct console_field *fl = f->n ? &f->f[f->n - 1] : NULL;

	if (f->bad)
		return -1;
	/* a field arrives in pieces: off > 0 continues the last one */
	if (off == 0 || !fl || strcmp(fl->name, key) != 0) {
		if (f->n >= FIELDS_MAX) {
			f->bad = 1;
			return -1;
		}
		fl = &f->f[f->n++];
		fl->name = ocop_xstrdup(key);
		fl->filename = filename ? ocop_xstrdup(filename) : NULL;
		ocop_buf_init(&fl->value, filename ? f->max : FIELD_TEXT_MAX);
	}
	if (size == 0)
		return 0;
	if (f->total + size > f->max ||
	    ocop_buf_add(&fl->value, data, size) < 0) {
		f->bad = 1;
		return -1;
	}
	f->total += size;
	return 0;
}

static enum MHD_Result
form_iterate(void *cls, enum MHD_ValueKind kind, const char *key,
	     const char *filename, const char *content_type,
	     const char *transfer_encoding, const char *data, uint64_t off,
	     size_t size)
{
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	return console_form_add(cls, key, filename, data, off, size) < 0
		   ? MHD_NO
		   : MHD_YES;
}

void
console_form_free(struct console_form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->f[i].name);
		free(f->f[i].filename);
		/* a password may be in it */
		if (f->f[i].value.data)
			sodium_memzero(f->f[i].value.data, f->f[i].value.len);
		ocop_buf_release(&f->f[i].value);
	}
	free(f);
}

static const struct console_field *
form_get(const struct console_form *f, const char *name)
{
	if (!f)
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0)
			return &f->f[i];
	return NULL;
}

const char *
console_field(const struct console_form *f, const char *name)
{
	const struct console_field *fl = form_get(f, name);

	if (!fl || fl->filename)
		return NULL;
	if (!fl->value.data || memchr(fl->value.data, '\0', fl->value.len))
		return fl->value.data ? NULL : "";
	return fl->value.data;
}

int
console_file(const struct console_form *f, const char *name, const char **data,
	     size_t *len, const char **filename)
{
	const struct console_field *fl = form_get(f, name);

	if (!fl || fl->value.len == 0)
		return OCOP_ENOENT;
	*data = fl->value.data;
	*len = fl->value.len;
	if (filename)
		*filename = fl->filename ? fl->filename : "";
	return 0;
}

/* s's digits as a number (at most 18 of them, so that it fits), or -1
 * when s is not digits only. */
static long long
digits_value(const char *s, size_t n)
{
	long long v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
console_form_int(const char *s, long lo, long hi, int *out)
{
	size_t n;
	long long v;

	if (!s)
		return -1;
	/* no sign: a count or a size is written as its digits */
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 1 && s[0] == '0') {
		s++;
		n--;
	}
	v = digits_value(s, n);
	if (v < 0 || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

int
console_form_day(const char *s, int32_t *day)
{
	*day = OCOP_NO_DAY;
	if (!s || !*s)
		return 0;
	return ocop_day_parse(s, day, NULL) < 0 ? -1 : 0;
}

int
console_form_id(const char *s, int64_t *id)
{
	long long v;

	/* an id is written as the service writes it: no zeros before */
	if (!s || s[0] == '0' || (v = digits_value(s, strlen(s))) <= 0)
		return -1;
	*id = v;
	return 0;
}

/* ---- what handlers ask --------------------------------------------------- */

const struct console_user *
console_user(const struct conn *c)
{
	return c->console && c->console->signed_in ? &c->console->user : NULL;
}

const struct console_form *
console_form(const struct conn *c)
{
	return c->console ? c->console->form : NULL;
}

const char *
console_lang(const struct conn *c)
{
	return strcmp(c->lang, "en") == 0 ? "en" : "vi";
}

const char *
console_actor(const struct conn *c, char *buf, size_t size)
{
	const struct console_user *u = console_user(c);

	snprintf(buf, size, "user:%s", u ? u->login : "");
	return buf;
}

const char *
console_net(const struct conn *c)
{
	return c->net;
}

int
console_may_see(const struct console_user *u, int64_t producer_id)
{
	if (!u)
		return 0;
	if (u->role == OCOP_ROLE_ADMIN || u->role == OCOP_ROLE_INSPECTOR)
		return 1;
	return u->role == OCOP_ROLE_PRODUCER && u->producer_id != 0 &&
	       u->producer_id == producer_id;
}

/* Whether ?lang=en (or a form's lang=en) asked for English. */
static int
lang_asked(const struct conn *c)
{
	const char *q = server_query_arg(c, "lang");
	const char *f = console_field(console_form(c), "lang");

	return (q && strcmp(q, "en") == 0) || (f && strcmp(f, "en") == 0);
}

/* ---- answers ------------------------------------------------------------- */

void
console_headers(struct http_resp *resp)
{
	http_resp_header(resp, "Content-Security-Policy",
			 "default-src 'self'; img-src 'self' data:; style-src "
			 "'self' 'unsafe-inline'; frame-ancestors 'none'");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	http_resp_header(resp, "Referrer-Policy", "same-origin");
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "Vary", "Cookie, Accept-Language");
}

void
console_redirect(struct conn *c, struct http_resp *resp, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	resp->status = 303;
	resp->body.len = 0;
	if (lang_asked(c))
		http_resp_header(resp, "Location", "%s%slang=en", path,
				 strchr(path, '?') ? "&" : "?");
	else
		http_resp_header(resp, "Location", "%s", path);
}

void
console_download(struct http_resp *resp, const char *content_type,
		 const char *filename, const void *data, size_t len)
{
	resp->status = 200;
	ocop_strlcpy(resp->content_type, content_type,
		     sizeof(resp->content_type));
	resp->body.len = 0;
	ocop_buf_add(&resp->body, data, len);
	http_resp_header(resp, "Content-Disposition",
			 "attachment; filename=\"%s\"", filename);
}

/* The role in words. */
static const char *
role_text(const struct conn *c, enum ocop_role r)
{
	switch (r) {
	case OCOP_ROLE_ADMIN:
		return pick(c, "Văn phòng OCOP", "OCOP office");
	case OCOP_ROLE_INSPECTOR:
		return pick(c, "Thanh tra", "Inspector");
	case OCOP_ROLE_PRODUCER:
		return pick(c, "Chủ thể OCOP", "Producer");
	default:
		return "";
	}
}

/* The navigation the user's role may use, as list items. */
static void
nav_items(struct conn *c, const struct console_user *u, struct ocop_buf *out)
{
	static const struct {
		const char *href, *vi, *en;
		unsigned roles;
	} items[] = {
	    {"/console/", "Tổng quan", "Overview", ~0u},
	    {"/console/registry", "Sổ đăng ký", "Registry",
	     ROLE(OCOP_ROLE_ADMIN)},
	    {"/console/reports/circulation", "Báo cáo", "Reports",
	     ROLE(OCOP_ROLE_ADMIN) | ROLE(OCOP_ROLE_INSPECTOR)},
	    {"/console/field", "Kiểm tra ngoại tuyến", "Offline checks",
	     ROLE(OCOP_ROLE_INSPECTOR)},
	    {"/console/users", "Người dùng", "Users", ROLE(OCOP_ROLE_ADMIN)},
	    {"/console/tokens", "Token API", "API tokens",
	     ROLE(OCOP_ROLE_ADMIN)},
	    {"/console/audit", "Nhật ký", "Audit log", ROLE(OCOP_ROLE_ADMIN)},
	};
	const char *q = lang_asked(c) ? "?lang=en" : "";

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (!(items[i].roles & ROLE(u->role)))
			continue;
		ocop_buf_adds(out, "<li><a href=\"");
		ocop_buf_add_html(out, items[i].href);
		ocop_buf_adds(out, q);
		ocop_buf_adds(out, "\"");
		if (strcmp(c->path, items[i].href) == 0)
			ocop_buf_adds(out, " aria-current=\"page\"");
		ocop_buf_adds(out, ">");
		ocop_buf_add_html(out, pick(c, items[i].vi, items[i].en));
		ocop_buf_adds(out, "</a></li>");
	}
}

struct layout_vars {
	struct page_var v[VARS_MAX];
	size_t n;
	char switch_href[1200];
	struct ocop_buf nav;
};

static void
lv_put(struct layout_vars *lv, const char *name, const char *value)
{
	if (lv->n < VARS_MAX) {
		lv->v[lv->n].name = name;
		lv->v[lv->n].value = value ? value : "";
		lv->n++;
	}
}

/* The variables every console template may use. */
static void
common_vars(struct conn *c, struct layout_vars *lv)
{
	const struct console_user *u = console_user(c);
	int en = strcmp(c->lang, "en") == 0;

	lv->n = 0;
	ocop_buf_init(&lv->nav, 0);
	lv_put(lv, "lang", en ? "en" : "vi");
	lv_put(lv, "lang_q", lang_asked(c) ? "?lang=en" : "");
	lv_put(lv, "lang_amp", lang_asked(c) ? "&lang=en" : "");
	lv_put(lv, "lang_field", lang_asked(c) ? "en" : "");
	lv_put(lv, "csrf", u ? u->csrf : "");
	lv_put(lv, "signed_in", u ? "1" : "");
	lv_put(lv, "user_name", u ? (u->name[0] ? u->name : u->login) : "");
	lv_put(lv, "user_login", u ? u->login : "");
	lv_put(lv, "user_role", u ? role_text(c, u->role) : "");
	lv_put(lv, "is_admin", u && u->role == OCOP_ROLE_ADMIN ? "1" : "");
	lv_put(lv, "is_producer",
	       u && u->role == OCOP_ROLE_PRODUCER ? "1" : "");
	lv_put(lv, "is_inspector",
	       u && u->role == OCOP_ROLE_INSPECTOR ? "1" : "");
	if (u)
		nav_items(c, u, &lv->nav);
	lv_put(lv, "nav", lv->nav.data ? lv->nav.data : "");
	snprintf(lv->switch_href, sizeof(lv->switch_href), "%s?lang=%s",
		 c->path, en ? "vi" : "en");
	lv_put(lv, "switch_href", lv->switch_href);
	lv_put(lv, "switch_lang", en ? "vi" : "en");
	lv_put(lv, "switch_name", en ? "Tiếng Việt" : "English");
	lv_put(lv, "t_site", pick(c, "Bảng điều khiển OCOP", "OCOP console"));
	lv_put(lv, "t_nav", pick(c, "Các trang", "Pages"));
	lv_put(lv, "t_signed_in", pick(c, "Đang đăng nhập:", "Signed in:"));
	lv_put(lv, "t_sign_out", pick(c, "Đăng xuất", "Sign out"));
	lv_put(lv, "t_skip",
	       pick(c, "Bỏ qua, tới nội dung", "Skip to content"));
}

int
console_render(struct conn *c, const char *tmpl, const struct page_var *vars,
	       size_t nvars, struct ocop_buf *out, struct ocop_error *err)
{
	struct layout_vars lv;
	const struct ocop_asset *a;
	char path[128];
	int rc;

	snprintf(path, sizeof(path), "templates/console/%s", tmpl);
	if (!(a = assets_find(path)))
		return ocop_error_set(err, OCOP_EINTERNAL,
				      "missing template '%s'", path);
	common_vars(c, &lv);
	for (size_t i = 0; i < nvars; i++)
		lv_put(&lv, vars[i].name, vars[i].value);
	rc = page_render(a->data, lv.v, lv.n, out, err);
	ocop_buf_release(&lv.nav);
	return rc;
}

void
console_page(struct conn *c, struct http_resp *resp, int status,
	     const char *title, const char *tmpl, const struct page_var *vars,
	     size_t nvars)
{
	struct ocop_error err = {0};
	struct ocop_buf content;
	struct page_var lv[2];
	int rc;

	ocop_buf_init(&content, 0);
	rc = console_render(c, tmpl, vars, nvars, &content, &err);
	resp->body.len = 0;
	if (rc == 0) {
		lv[0].name = "title";
		lv[0].value = title;
		lv[1].name = "content";
		lv[1].value = content.data ? content.data : "";
		rc = console_render(c, "layout.html", lv, 2, &resp->body, &err);
	}
	ocop_buf_release(&content);
	if (rc < 0) {
		http_resp_error(resp, 500, "cannot render the page: %s",
				err.msg);
		return;
	}
	resp->status = status;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
}

void
console_error(struct conn *c, struct http_resp *resp, int status,
	      const char *message)
{
	const char *title;
	struct page_var v[3];

	switch (status) {
	case 400:
	case 422:
		title = pick(c, "Yêu cầu không hợp lệ", "Bad request");
		break;
	case 403:
		title = pick(c, "Không được phép", "Not allowed");
		break;
	case 404:
		title = pick(c, "Không tìm thấy", "Not found");
		break;
	case 413:
		title = pick(c, "Tệp quá lớn", "Too large");
		break;
	case 429:
		title = pick(c, "Quá nhiều lần thử", "Too many attempts");
		break;
	case 503:
		title = pick(c, "Đang bận", "Busy");
		break;
	default:
		title = pick(c, "Đã có lỗi", "Something went wrong");
		break;
	}
	v[0].name = "heading";
	v[0].value = title;
	v[1].name = "message";
	v[1].value = message ? message : "";
	v[2].name = "t_back";
	v[2].value = pick(c, "Về trang tổng quan", "Back to the overview");
	console_page(c, resp, status, title, "error.html", v, 3);
	if (resp->status == status && message)
		http_resp_cause(resp, status, "%s", message);
}

void
console_not_found(struct conn *c, struct http_resp *resp)
{
	console_error(c, resp, 404,
		      pick(c, "Trang này không có, hoặc bạn không được xem nó.",
			   "There is no such page, or it is not yours to "
			   "see."));
}

/* ---- the checks before a handler (server.c) ----------------------------- */

/* Whether the Origin header (when sent) is {BASE}'s. */
static int
origin_ok(struct conn *c)
{
	const char *o = server_header(c, "Origin");

	return !o || strcasecmp(o, c->srv->base_url) == 0;
}

/* path percent-encoded for a query value into out. */
static void
query_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/-._~", ch)) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
}

int
console_session_of(struct ocop_store *st, const char *cookie, int64_t now,
		   struct console_user *u)
{
	struct ocop_error err = {0};
	struct account_user au;

	memset(u, 0, sizeof(*u));
	if (!cookie || strlen(cookie) != ACCOUNT_SECRET_LEN)
		return 0;
	if (account_session_check(st, cookie, now, &au, u->csrf, &err) < 0) {
		memset(u, 0, sizeof(*u));
		return 0;
	}
	u->id = au.id;
	ocop_strlcpy(u->login, au.login, sizeof(u->login));
	u->role = au.role;
	u->producer_id = au.producer_id;
	ocop_strlcpy(u->province, au.province, sizeof(u->province));
	ocop_strlcpy(u->name, au.name, sizeof(u->name));
	return 1;
}

int
console_session(struct conn *c, struct console_user *u, const char **cookie)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	const char *value = MHD_lookup_connection_value(c->mhd, MHD_COOKIE_KIND,
							"ocop_session");

	memset(u, 0, sizeof(*u));
	if (!value || strlen(value) != ACCOUNT_SECRET_LEN)
		return 0; /* not worth opening the store for */
	if (!(st = server_store(c->srv, &err)) ||
	    !console_session_of(st, value, ocop_now(), u))
		return 0;
	if (cookie)
		*cookie = value;
	return 1;
}

/* The session of the request's cookie, when there is one. */
static void
read_session(struct conn *c, struct console_ctx *cx)
{
	const char *cookie;

	if (!console_session(c, &cx->user, &cookie))
		return;
	cx->signed_in = 1;
	ocop_strlcpy(cx->cookie, cookie, sizeof(cx->cookie));
}

int
console_begin(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct route *r = c->route;
	struct console_ctx *cx = ocop_xcalloc(1, sizeof(*cx));
	int post = strcmp(method, "POST") == 0;
	char next[1024];

	c->console = cx;
	c->html = 1;
	read_session(c, cx);
	if (r->access == ACCESS_SESSION && !cx->signed_in) {
		if (post) {
			console_error(c, resp, 403,
				      pick(c,
					   "Phiên đăng nhập đã kết thúc: hãy "
					   "đăng nhập lại.",
					   "Your session has ended: sign in "
					   "again."));
			return 1;
		}
		query_escape(c->path, next, sizeof(next));
		console_redirect(c, resp, "/console/login?next=%s", next);
		return 1;
	}
	if (r->access == ACCESS_SESSION && r->roles &&
	    !(r->roles & ROLE(cx->user.role))) {
		console_not_found(c, resp);
		return 1;
	}
	if (!post)
		return 0;
	if (!origin_ok(c)) {
		console_error(c, resp, 403,
			      pick(c,
				   "Biểu mẫu này không được gửi từ trang của "
				   "dịch vụ: không có gì thay đổi.",
				   "This form was not sent from the "
				   "service's own page: nothing was "
				   "changed."));
		return 1;
	}
	cx->form =
	    console_form_new(r->body_max ? r->body_max : SERVER_BODY_MAX);
	/* NULL for a body of another type: the form stays empty */
	cx->pp = MHD_create_post_processor(c->mhd, PP_BUFFER, form_iterate,
					   cx->form);
	return 0;
}

int
console_body(struct conn *c, const char *data, size_t size)
{
	struct console_ctx *cx = c->console;

	if (!cx->pp)
		return 0;
	if (MHD_post_process(cx->pp, data, size) != MHD_YES)
		return cx->form->bad ? -1 : 0;
	return 0;
}

int
console_ready(struct conn *c, const char *method, struct http_resp *resp)
{
	struct console_ctx *cx = c->console;

	if (strcmp(method, "POST") != 0)
		return 0;
	if (cx->pp) {
		MHD_destroy_post_processor(cx->pp);
		cx->pp = NULL;
	}
	if (c->too_big || (cx->form && cx->form->bad)) {
		console_error(c, resp, 413,
			      pick(c,
				   "Dữ liệu gửi lên quá lớn: không có gì thay "
				   "đổi.",
				   "What was sent is too large: nothing was "
				   "changed."));
		return 1;
	}
	if (c->route->access == ACCESS_SESSION &&
	    !account_csrf_ok(cx->user.csrf, console_field(cx->form, "csrf"))) {
		console_error(c, resp, 403,
			      pick(c,
				   "Biểu mẫu đã cũ hoặc không hợp lệ: hãy mở "
				   "lại trang và gửi lại. Không có gì thay "
				   "đổi.",
				   "The form is stale or invalid: open the "
				   "page again and resend it. Nothing was "
				   "changed."));
		return 1;
	}
	return 0;
}

void
console_end(struct conn *c)
{
	struct console_ctx *cx = c->console;

	if (cx->pp)
		MHD_destroy_post_processor(cx->pp);
	console_form_free(cx->form);
	sodium_memzero(cx, sizeof(*cx));
	free(cx);
	c->console = NULL;
}

/* ---- signing in and out ------------------------------------------------- */

/* Set or clear the session cookie. */
static void
set_cookie(struct conn *c, struct http_resp *resp, const char *value)
{
	int secure = strncmp(c->srv->base_url, "https:", 6) == 0;

	http_resp_header(resp, "Set-Cookie",
			 "ocop_session=%s; HttpOnly; SameSite=Lax; Path=/%s%s",
			 value, value[0] ? "" : "; Max-Age=0",
			 secure ? "; Secure" : "");
}

const char *
console_next_path(const char *next)
{
	if (!next || strncmp(next, "/console/", 9) != 0 || strstr(next, "//") ||
	    strchr(next, '\\') || strlen(next) > 512)
		return "/console/";
	/* nor a control character: a header cannot carry it */
	for (const unsigned char *p = (const unsigned char *)next; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "/console/";
	return next;
}

static void
login_page(struct conn *c, struct http_resp *resp, int status,
	   const char *problem, const char *notice, const char *login,
	   const char *next)
{
	struct page_var v[] = {
	    {"problem", problem ? problem : ""},
	    {"notice", notice ? notice : ""},
	    {"login", login ? login : ""},
	    {"next", console_next_path(next)},
	    {"t_title", pick(c, "Đăng nhập", "Sign in")},
	    {"t_intro", pick(c,
			     "Dành cho văn phòng OCOP, thanh tra và chủ thể "
			     "OCOP có tài khoản.",
			     "For the OCOP office, inspectors and producers "
			     "who have an account.")},
	    {"t_login",
	     pick(c, "Số điện thoại hoặc e-mail", "Phone number or e-mail")},
	    {"t_password", pick(c, "Mật khẩu", "Password")},
	    {"t_submit", pick(c, "Đăng nhập", "Sign in")},
	};

	console_page(c, resp, status, pick(c, "Đăng nhập", "Sign in"),
		     "login.html", v, sizeof(v) / sizeof(v[0]));
}

int
console_login(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_form *f = console_form(c);
	struct ocop_error err = {0};
	struct account_user au;
	struct ocop_store *ws;
	char cookie[ACCOUNT_SECRET_LEN + 1], csrf[ACCOUNT_SECRET_LEN + 1];
	const char *login, *password, *next;
	int rc;

	if (strcmp(method, "POST") != 0) {
		next = server_query_arg(c, "next");
		if (console_user(c)) {
			console_redirect(c, resp, "%s",
					 console_next_path(next));
			return 0;
		}
		login_page(c, resp, 200, NULL,
			   server_query_arg(c, "done")
			       ? pick(c, "Mật khẩu đã được đặt. Hãy đăng nhập.",
				      "Your password is set. Sign in.")
			       : NULL,
			   NULL, next);
		return 0;
	}
	login = console_field(f, "login");
	password = console_field(f, "password");
	next = console_field(f, "next");
	if (!login || !password || !*login || !*password) {
		login_page(c, resp, 400,
			   pick(c, "Hãy nhập tên đăng nhập và mật khẩu.",
				"Enter your login and password."),
			   NULL, login, next);
		return 0;
	}
	if (!(ws = server_write_store(c->srv, &err))) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	rc = account_login(ws, login, password, c->net, ocop_now(), cookie,
			   csrf, &au, &err);
	if (rc == 0) {
		set_cookie(c, resp, cookie);
		sodium_memzero(cookie, sizeof(cookie));
		sodium_memzero(csrf, sizeof(csrf));
		console_redirect(c, resp, "%s", console_next_path(next));
		return 0;
	}
	if (rc == OCOP_EBUSY) {
		http_resp_header(resp, "Retry-After", "%d",
				 ACCOUNT_THROTTLE_WINDOW);
		login_page(c, resp, 429,
			   pick(c,
				"Quá nhiều lần đăng nhập sai: hãy thử lại sau "
				"15 phút.",
				"Too many failed sign-ins: try again in 15 "
				"minutes."),
			   NULL, login, next);
		return 0;
	}
	if (rc == OCOP_EAUTH || rc == OCOP_EINVAL) {
		/* the same answer for a wrong login and a wrong password */
		login_page(c, resp, 401,
			   pick(c, "Sai tên đăng nhập hoặc mật khẩu.",
				"Wrong login or password."),
			   NULL, login, next);
		return 0;
	}
	console_error(c, resp, http_fail_status(resp, err.code), err.msg);
	return 0;
}

int
console_logout(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *ws;

	(void)method;
	if (!(ws = server_write_store(c->srv, &err)) ||
	    account_logout(ws, c->console->cookie, c->net, ocop_now(), &err) <
		0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	set_cookie(c, resp, "");
	console_redirect(c, resp, "/console/login");
	return 0;
}

static void
setup_page(struct conn *c, struct http_resp *resp, int status,
	   const char *problem, const char *who)
{
	char action[256];
	struct page_var v[] = {
	    {"problem", problem ? problem : ""},
	    {"who", who ? who : ""},
	    {"action", action},
	    {"t_title", pick(c, "Đặt mật khẩu", "Choose a password")},
	    {"t_for", pick(c, "Tài khoản:", "Account:")},
	    {"t_password", pick(c, "Mật khẩu mới (ít nhất 10 ký tự)",
				"New password (at least 10 characters)")},
	    {"t_again", pick(c, "Nhập lại mật khẩu", "The password again")},
	    {"t_submit", pick(c, "Lưu mật khẩu", "Save the password")},
	};

	snprintf(action, sizeof(action), "/console/setup/%.*s",
		 (int)c->arg_len[0], c->arg[0]);
	console_page(c, resp, status,
		     pick(c, "Đặt mật khẩu", "Choose a password"), "setup.html",
		     v, sizeof(v) / sizeof(v[0]));
}

int
console_setup(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_form *f = console_form(c);
	struct ocop_error err = {0};
	struct account_user au;
	struct ocop_store *st, *ws;
	char token[ACCOUNT_SECRET_LEN + 1];
	const char *pw, *pw2;
	int rc;

	if (c->arg_len[0] != ACCOUNT_SECRET_LEN) {
		console_not_found(c, resp);
		return 0;
	}
	memcpy(token, c->arg[0], ACCOUNT_SECRET_LEN);
	token[ACCOUNT_SECRET_LEN] = '\0';
	if (!(st = server_store(c->srv, &err))) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	rc = account_setup_check(st, token, ocop_now(), &au, &err);
	if (rc == OCOP_ENOENT || rc == OCOP_EREFUSED) {
		console_error(
		    c, resp, rc == OCOP_ENOENT ? 404 : 410,
		    pick(c,
			 "Liên kết này không dùng được nữa (đã dùng, đã hết "
			 "hạn 72 giờ, hoặc không có). Hãy xin văn phòng OCOP "
			 "một liên kết mới.",
			 "This link can no longer be used (already used, "
			 "past its 72 hours, or unknown). Ask the OCOP "
			 "office for a new one."));
		return 0;
	}
	if (rc < 0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	if (strcmp(method, "POST") != 0) {
		setup_page(c, resp, 200, NULL, au.login);
		return 0;
	}
	pw = console_field(f, "password");
	pw2 = console_field(f, "password2");
	if (!pw || !pw2 || strcmp(pw, pw2) != 0) {
		setup_page(c, resp, 422,
			   pick(c, "Hai mật khẩu không giống nhau.",
				"The two passwords differ."),
			   au.login);
		return 0;
	}
	if (!(ws = server_write_store(c->srv, &err))) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	rc = account_setup_complete(ws, token, pw, c->net, ocop_now(), &err);
	if (rc == OCOP_EINVAL) {
		setup_page(c, resp, 422,
			   pick(c, "Mật khẩu phải có ít nhất 10 ký tự.",
				"The password needs at least 10 "
				"characters."),
			   au.login);
		return 0;
	}
	if (rc < 0) {
		console_error(c, resp, http_fail_status(resp, err.code),
			      err.msg);
		return 0;
	}
	console_redirect(c, resp, "/console/login?done=1");
	return 0;
}

int
console_missing(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	console_not_found(c, resp);
	return 0;
}
