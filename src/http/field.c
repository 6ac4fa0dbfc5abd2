/*
 * field.c - inspectors in the field (SPEC 9): the inspection panel on a
 * label's page for a signed-in inspector or admin, the form that records
 * an inspection and the batch that sends those recorded offline (both
 * stored as POST /api/v1/scans stores them), the offline mode's page
 * /console/field and its scripts under /assets/field/ (the service
 * worker at /sw.js, scope /), the signed snapshot it keeps and the public
 * keys that verify it.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "assets.h"
#include "keys.h"
#include "server_int.h"
#include "snapshot.h"

#define FIELD_COOKIE "ocop_session"
#define PLACE_COOKIE "ocop_place"
#define PLACE_MAX 255
#define FORM_FIELDS 16

/* What a console answer carries (SPEC 8). */
#define FIELD_CSP                                                              \
	"default-src 'self'; img-src 'self' data:; style-src 'self' "          \
	"'unsafe-inline'; frame-ancestors 'none'"

struct field_user {
	struct account_user u;
	char csrf[ACCOUNT_SECRET_LEN + 1];
};

/* ---- the session -------------------------------------------------------- */

/* 1: an inspector's or admin's session; -1: a session of another role;
 * 0: none. */
static int
session_of(struct conn *c, struct field_user *fu)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	const char *cookie =
	    MHD_lookup_connection_value(c->mhd, MHD_COOKIE_KIND, FIELD_COOKIE);

	memset(fu, 0, sizeof(*fu));
	if (!cookie || !*cookie || strlen(cookie) > ACCOUNT_SECRET_LEN)
		return 0;
	if (!(st = server_store(c->srv, &err)))
		return 0;
	if (account_session_check(st, cookie, ocop_now(), &fu->u, fu->csrf,
				  &err) < 0)
		return 0;
	if (fu->u.role != OCOP_ROLE_ADMIN && fu->u.role != OCOP_ROLE_INSPECTOR)
		return -1;
	return 1;
}

int
field_session(struct conn *c, struct field_user *u)
{
	struct field_user tmp;
	int rc = session_of(c, u ? u : &tmp);

	if (!u)
		sodium_memzero(&tmp, sizeof(tmp));
	return rc == 1;
}

/* The security headers of a console answer (SPEC 8). */
static void
console_headers(struct http_resp *resp)
{
	http_resp_header(resp, "Content-Security-Policy", FIELD_CSP);
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	http_resp_header(resp, "Referrer-Policy", "same-origin");
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* Whether the request's Origin, when sent, is the service's own. */
static int
origin_ok(struct conn *c)
{
	const char *o = server_header(c, "Origin");
	const char *b = c->srv->base_url, *p = strstr(b, "://");
	size_t n = p ? (size_t)(p + 3 - b) + strcspn(p + 3, "/") : strlen(b);

	return !o || (strlen(o) == n && strncasecmp(o, b, n) == 0);
}

/* ---- a posted form (application/x-www-form-urlencoded) ------------------ */

struct form {
	char *buf;
	size_t n;
	const char *name[FORM_FIELDS];
	const char *value[FORM_FIELDS];
};

static void
unescape(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '+')
			*p = ' ';
	MHD_http_unescape(s);
}

static void
form_parse(struct form *f, const char *body, size_t len)
{
	char *p, *save = NULL;

	f->n = 0;
	f->buf = ocop_xmalloc(len + 1);
	memcpy(f->buf, body ? body : "", len);
	f->buf[len] = '\0';
	for (p = strtok_r(f->buf, "&", &save); p && f->n < FORM_FIELDS;
	     p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');

		if (eq)
			*eq++ = '\0';
		unescape(p);
		if (eq)
			unescape(eq);
		f->name[f->n] = p;
		f->value[f->n++] = eq ? eq : "";
	}
}

static const char *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

static void
form_release(struct form *f)
{
	free(f->buf);
	f->buf = NULL;
}

/* ---- the label page with the inspection panel --------------------------- */

/* The place remembered from the last inspection (its cookie), or "". */
static void
remembered_place(struct conn *c, char *out, size_t size)
{
	const char *v =
	    MHD_lookup_connection_value(c->mhd, MHD_COOKIE_KIND, PLACE_COOKIE);

	out[0] = '\0';
	if (!v || strlen(v) >= size)
		return;
	ocop_strlcpy(out, v, size);
	unescape(out);
}

static void
remember_place(struct conn *c, struct http_resp *resp, const char *place)
{
	char enc[PLACE_MAX * 3 + 1];
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)place;
	     *p && n + 4 < sizeof(enc); p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_')
			enc[n++] = (char)*p;
		else
			n += (size_t)snprintf(enc + n, sizeof(enc) - n,
					      "%%%02X", *p);
	}
	enc[n] = '\0';
	http_resp_header(
	    resp, "Set-Cookie",
	    PLACE_COOKIE "=%s; Path=/; Max-Age=31536000; "
			 "SameSite=Lax; HttpOnly%s",
	    enc, strncmp(c->srv->base_url, "https:", 6) == 0 ? "; Secure" : "");
}

/* A province as the scans API takes it (a code such as "87"), else "". */
static const char *
scan_province(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > 7)
		return "";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
			return "";
	return p;
}

/*
 * Answer code's page as of now with the panel, for the session fu:
 * outcome and problem say what became of a recording; place is the one
 * to show (NULL: the remembered one).
 */
static void
panel_page(struct conn *c, const struct field_user *fu,
	   const struct ocop_code *code, enum page_inspect_outcome outcome,
	   const char *problem, const char *place, int status,
	   struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct page_inspect in = {0};
	struct ocop_record *rec;
	struct ocop_store *st;
	unsigned char raw[16];
	char id[40], where[PLACE_MAX * 3 + 1];
	int rc;

	console_headers(resp);
	http_resp_header(resp, "Vary", "Accept, Accept-Language, Cookie");
	if (!(st = server_store(c->srv, &err))) {
		server_fail(c, resp, 500, NULL, "%s", err.msg);
		return;
	}
	rec = ocop_xmalloc(sizeof(*rec));
	rc = server_lookup(st, code, ocop_now(), rec, &err);
	if (rc < 0) {
		server_fail(c, resp, rc == OCOP_EINVAL ? 422 : 500, NULL,
			    "cannot verify '%s': %s", code->serial, err.msg);
		free(rec);
		return;
	}
	if (c->want_json) {
		server_resp_record(
		    resp, rec->verdict == OCOP_UNKNOWN ? 404 : 200, rec);
		free(rec);
		return;
	}
	/* a client id for this view: a double tap sends it twice, and the
	 * scan log stores it once */
	randombytes_buf(raw, sizeof(raw));
	memcpy(id, "web-", 4);
	sodium_bin2hex(id + 4, sizeof(id) - 4, raw, sizeof(raw));
	if (place)
		ocop_strlcpy(where, place, sizeof(where));
	else
		remembered_place(c, where, sizeof(where));
	in.action = "/console/field/inspect";
	in.csrf = fu->csrf;
	in.client_id = id;
	in.code = rec->serial;
	in.place = where;
	in.province = fu->u.province;
	in.inspector = fu->u.name[0] ? fu->u.name : fu->u.login;
	in.outcome = outcome;
	in.problem = problem;
	resp->status = status			      ? status
		       : rec->verdict == OCOP_UNKNOWN ? 404
						      : 200;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	snprintf(c->self_path, sizeof(c->self_path), "/L/%s", rec->serial);
	if (page_label_inspect(rec, server_site(c->srv), c->lang, c->self_path,
			       &in, &resp->body, &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
	free(rec);
}

int
field_label(struct conn *c, const struct ocop_code *code,
	    struct http_resp *resp)
{
	struct field_user fu;

	if (session_of(c, &fu) != 1) {
		sodium_memzero(&fu, sizeof(fu));
		return 1;
	}
	panel_page(c, &fu, code, PAGE_INSPECT_NONE, NULL, NULL, 0, resp);
	sodium_memzero(&fu, sizeof(fu));
	return 0;
}

/* ---- posts from a session: the inspection form, the offline batch ------- */

/*
 * The checks of a console POST: a session of an inspector or admin, the
 * Origin, the form and its csrf. 0 with *fu and *f; else resp holds the
 * answer (303 to sign in for a page, 401 for a script; 404 to another
 * role, as if the page did not exist; 403).
 */
static int
post_checks(struct conn *c, int page, struct field_user *fu, struct form *f,
	    struct http_resp *resp)
{
	int rc = session_of(c, fu);

	f->buf = NULL;
	console_headers(resp);
	if (rc == 0 && page) {
		resp->status = 303;
		http_resp_header(resp, "Location",
				 "/console/login?next=/console/field");
		return -1;
	}
	if (rc == 0) {
		http_resp_error(resp, 401, "not signed in to the console");
		return -1;
	}
	if (rc < 0) {
		server_fail(c, resp, 404, NULL, "no such resource '%.200s'",
			    c->path);
		return -1;
	}
	if (c->too_big) {
		server_fail(c, resp, 413, NULL, "request body over %zu bytes",
			    SERVER_BODY_MAX);
		return -1;
	}
	form_parse(f, c->body.data, c->body.len);
	if (!origin_ok(c) || !account_csrf_ok(fu->csrf, form_get(f, "csrf"))) {
		form_release(f);
		server_fail(c, resp, 403,
			    strcmp(c->lang, "en") == 0
				? "This form has expired. Open the page "
				  "again and send it from there."
				: "Biểu mẫu này đã hết hạn. Hãy mở lại "
				  "trang rồi gửi từ đó.",
			    "a form without this session's csrf token, or "
			    "from another origin");
		return -1;
	}
	return 0;
}

/* A coordinate of the form, or NULL when absent or not a number. */
static json_t *
coordinate(const char *s)
{
	char *end;
	double v;

	if (!s || !*s)
		return NULL;
	v = strtod(s, &end);
	return *end ? NULL : json_real(v);
}

int
field_inspect(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct field_user fu;
	struct ocop_code code;
	struct form f;
	json_t *item, *arr, *bad = NULL, *lat, *lon;
	const char *cs, *id, *place, *lang;
	char now_s[32], problem[512];
	int64_t now = ocop_now();
	int rc;

	(void)method;
	lang = NULL;
	if (post_checks(c, 1, &fu, &f, resp) < 0)
		goto out;
	if ((lang = form_get(&f, "lang")) != NULL)
		ocop_strlcpy(c->lang, page_lang(lang, NULL), sizeof(c->lang));
	cs = form_get(&f, "code");
	if (!cs || ocop_code_parse(cs, &code, &err) < 0 ||
	    code.kind != OCOP_CODE_SERIAL) {
		server_fail(c, resp, 400, NULL, "'code' is not a label serial");
		goto out;
	}
	id = form_get(&f, "id");
	place = form_get(&f, "place");
	lat = coordinate(form_get(&f, "lat"));
	lon = coordinate(form_get(&f, "lon"));
	item =
	    json_pack("{s:s,s:s,s:s,s:s}", "id", id ? id : "", "code",
		      code.serial, "scanned_at", ocop_time_format(now, now_s),
		      "place", place ? place : "");
	if (scan_province(fu.u.province)[0])
		json_object_set_new(item, "province",
				    json_string(fu.u.province));
	if (lat && lon) {
		json_object_set_new(item, "lat", lat);
		json_object_set_new(item, "lon", lon);
	} else {
		json_decref(lat);
		json_decref(lon);
	}
	arr = json_pack("[o]", item);
	rc = api_scans_start(c, arr, now, &bad, &err);
	json_decref(arr);
	if (rc == 1)
		goto out_suspended;
	if (rc == -1) {
		json_t *first = json_array_get(bad, 0);

		snprintf(problem, sizeof(problem), "%s %s",
			 strcmp(c->lang, "en") == 0
			     ? "Not recorded:"
			     : "Chưa ghi được (not recorded):",
			 json_string_value(json_object_get(first, "message")));
		json_decref(bad);
		panel_page(c, &fu, &code, PAGE_INSPECT_FAILED, problem, place,
			   422, resp);
		goto out;
	}
	server_fail(c, resp, 500, NULL, "%s", err.msg);
out:
	rc = 0;
out_suspended:
	form_release(&f);
	sodium_memzero(&fu, sizeof(fu));
	return rc;
}

void
field_inspect_resume(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	const struct ocop_scan *s = &c->scans[0];
	struct field_user fu;
	struct ocop_code code;
	int rc = c->batch_job.rc;

	if (session_of(c, &fu) != 1 ||
	    ocop_code_parse(s->code, &code, &err) < 0) {
		server_fail(c, resp, rc < 0 ? 503 : 200, NULL, "%s",
			    rc < 0 ? "the inspection could not be recorded"
				   : "inspection recorded");
		goto out;
	}
	if (rc < 0) {
		panel_page(c, &fu, &code, PAGE_INSPECT_FAILED,
			   strcmp(c->lang, "en") == 0
			       ? "The inspection could not be recorded just "
				 "now. Send it again in a minute."
			       : "Tạm thời chưa ghi được lượt kiểm tra. Hãy "
				 "gửi lại sau một phút.",
			   s->place, server_store_unavailable(rc) ? 503 : 500,
			   resp);
		if (server_store_unavailable(rc))
			http_resp_header(resp, "Retry-After", "%d",
					 SERVER_STORE_RETRY_AFTER);
		goto out;
	}
	panel_page(c, &fu, &code,
		   c->dups[0] ? PAGE_INSPECT_DUPLICATE : PAGE_INSPECT_RECORDED,
		   NULL, s->place, 200, resp);
	if (s->place[0])
		remember_place(c, resp, s->place);
out:
	sodium_memzero(&fu, sizeof(fu));
}

/*
 * POST /console/field/scans: the inspections recorded offline, as the
 * form field "scans" holding the body POST /api/v1/scans takes; answered
 * as it answers (api_scans_resume). An item without a province gets the
 * account's when it is a code the API takes.
 */
int
field_sync(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct field_user fu;
	struct form f;
	json_t *root = NULL, *arr, *bad = NULL, *it;
	const char *body, *prov;
	char msg[256];
	size_t i;
	int rc;

	(void)method;
	if (post_checks(c, 0, &fu, &f, resp) < 0) {
		rc = 0;
		goto out;
	}
	body = form_get(&f, "scans");
	rc = server_scans_load(body ? body : "", body ? strlen(body) : 0, &root,
			       msg, sizeof(msg));
	if (rc > 0) {
		http_resp_error(resp, rc, "%s", msg);
		rc = 0;
		goto out;
	}
	arr = json_object_get(root, "scans");
	prov = scan_province(fu.u.province);
	json_array_foreach(arr, i, it)
	{
		if (json_is_object(it) && prov[0] &&
		    !json_object_get(it, "province"))
			json_object_set_new(it, "province", json_string(prov));
	}
	rc = api_scans_start(c, arr, ocop_now(), &bad, &err);
	if (rc == 1)
		goto out;
	if (rc == 0) {
		json_t *o = json_pack("{s:[]}", "results");

		server_resp_json(resp, 200, o);
		json_decref(o);
	} else if (rc == -1) {
		json_t *o = json_pack(
		    "{s:{s:i,s:s,s:O}}", "error", "status", 422, "message",
		    "malformed scans (nothing stored)", "items", bad);

		server_resp_json(resp, 422, o);
		json_decref(o);
	} else {
		http_resp_error(resp, 500, "%s", err.msg);
	}
	json_decref(bad);
	rc = 0;
out:
	json_decref(root);
	form_release(&f);
	sodium_memzero(&fu, sizeof(fu));
	return rc;
}

/* ---- /.well-known/ocop-keys.json, /api/v1/snapshot ---------------------- */

int
field_keys(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;

	(void)method;
	if (!(st = server_store(c->srv, &err)) ||
	    keys_json(st, ocop_now(), &resp->body, &err) < 0) {
		http_resp_error(resp, 500, "cannot list the keys: %s", err.msg);
		return 0;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "application/json",
		     sizeof(resp->content_type));
	/* a rotation reaches phones within minutes; anyone may read it */
	http_resp_header(resp, "Cache-Control", "public, max-age=300");
	http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	return 0;
}

/*
 * GET /api/v1/snapshot?province=P: for a token of an inspector or admin
 * (checked by the core), or else a console session of one. P defaults
 * to the account's province, "all" when it has none (and for tokens).
 * The bytes are snapshot_build's, each answer a new seq; the phone keeps
 * them itself, so no HTTP cache keeps a copy, and the ETag (their hash)
 * only names them.
 */
int
field_snapshot(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct field_user fu;
	struct ocop_store *st = NULL;
	struct ocop_buf b;
	const char *province = server_query_arg(c, "province");
	unsigned char h[16];
	char etag[40], hex[33];
	int rc = 1;

	(void)method;
	memset(&fu, 0, sizeof(fu));
	if (!server_header(c, MHD_HTTP_HEADER_AUTHORIZATION)) {
		rc = session_of(c, &fu);
		if (rc == 0) {
			http_resp_error(resp, 401,
					"missing token: send 'Authorization: "
					"Bearer TOKEN', or sign in to the "
					"console");
			http_resp_header(resp, "WWW-Authenticate", "Bearer");
			goto out;
		}
		if (rc < 0) {
			http_resp_error(resp, 403,
					"a console user of role '%s' may not "
					"read snapshots (inspector or admin "
					"only)",
					ocop_role_name(fu.u.role));
			goto out;
		}
	}
	if (!province || !*province)
		province = fu.u.province[0] ? fu.u.province : "all";
	/* the build takes the next seq: a handle that may write */
	if ((rc = ocop_store_open(c->srv->db_path, 0, &st, &err)) < 0) {
		http_resp_error(resp, 500, "%s", err.msg);
		goto out;
	}
	ocop_buf_init(&b, SNAPSHOT_MAX);
	rc = snapshot_build(st, province, ocop_now(), &b, &err);
	ocop_store_close(st);
	if (rc < 0) {
		ocop_buf_release(&b);
		http_resp_error(resp, rc == OCOP_ENOENT ? 404 : 500, "%s",
				err.msg);
		goto out;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)b.data, b.len,
			   NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "application/octet-stream",
		     sizeof(resp->content_type));
	ocop_buf_release(&resp->body);
	resp->body = b;
	http_resp_header(resp, "ETag", "%s", etag);
	console_headers(resp);
out:
	sodium_memzero(&fu, sizeof(fu));
	return 0;
}

/* ---- /console/field ----------------------------------------------------- */

int
field_page(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct field_user fu;
	int rc;

	(void)method;
	rc = session_of(c, &fu);
	console_headers(resp);
	if (rc == 0) {
		resp->status = 303;
		http_resp_header(resp, "Location",
				 "/console/login?next=/console/field");
		goto out;
	}
	if (rc < 0) {
		server_fail(c, resp, 404, NULL, "no such resource '%.200s'",
			    c->path);
		goto out;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	if (page_field(server_site(c->srv), c->lang, fu.csrf,
		       fu.u.name[0] ? fu.u.name : fu.u.login, fu.u.province,
		       &resp->body, &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
out:
	sodium_memzero(&fu, sizeof(fu));
	return 0;
}

/* ---- /sw.js and the files of /assets/field/ ---------------------------- */

static const char *
content_type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot && strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (dot && strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (dot && strcmp(dot, ".json") == 0)
		return "application/json";
	return NULL;
}

/*
 * A file of assets/field/ as it is, no-cache with an ETag (a phone asks
 * again and gets 304 while it is unchanged); style.css is the consumer
 * pages' style (templates/style.part) without its <style> tags, so that
 * the pages the service worker writes look the same.
 */
int
field_static(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct ocop_asset *a;
	const char *name, *type, *data, *inm;
	unsigned char h[16];
	char path[96], etag[40];
	size_t len;

	(void)method;
	name = c->arg[0] ? c->arg[0] : "sw.js";
	if (strlen(name) > 48 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz"
			 "0123456789-_.") != strlen(name) ||
	    name[0] == '.' || !(type = content_type_of(name))) {
		server_fail(c, resp, 404, NULL, "no such resource '%.200s'",
			    c->path);
		return 0;
	}
	if (strcmp(name, "style.css") == 0) {
		a = assets_find("templates/style.part");
		data = a ? strchr(a->data, '>') : NULL;
		data = data ? data + 1 : NULL;
		len = data ? strlen(data) : 0;
		if (data && strstr(data, "</style>"))
			len = (size_t)(strstr(data, "</style>") - data);
	} else {
		snprintf(path, sizeof(path), "field/%s", name);
		a = assets_find(path);
		data = a ? a->data : NULL;
		len = a ? a->len : 0;
	}
	if (!data) {
		server_fail(c, resp, 404, NULL, "no such resource '%.200s'",
			    c->path);
		return 0;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len, NULL,
			   0);
	etag[0] = '"';
	sodium_bin2hex(etag + 1, sizeof(etag) - 2, h, sizeof(h));
	ocop_strlcpy(etag + 33, "\"", sizeof(etag) - 33);
	http_resp_header(resp, "ETag", "%s", etag);
	http_resp_header(resp, "Cache-Control", "no-cache");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	if (!c->arg[0])
		http_resp_header(resp, "Service-Worker-Allowed", "/");
	inm = server_header(c, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		resp->status = 304;
		return 0;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, type, sizeof(resp->content_type));
	if (strcmp(method, "HEAD") != 0)
		ocop_buf_add(&resp->body, data, len);
	return 0;
}
