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
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "account.h"
#include "assets.h"
#include "console.h"
#include "keys.h"
#include "server_int.h"
#include "snapshot.h"
#include "utf8.h"

#define PLACE_COOKIE "ocop_place"

/* ---- the session -------------------------------------------------------- */

/*
 * The console session of the request's cookie, on any route (the label
 * pages are no console routes): 1 for an inspector's or admin's, with *u
 * filled; -1 for a session of another role; 0 for none.
 */
static int
session_of(struct conn *c, struct console_user *u)
{
	if (!console_session(c, u, NULL))
		return 0;
	if (u->role != OCOP_ROLE_ADMIN && u->role != OCOP_ROLE_INSPECTOR)
		return -1;
	return 1;
}

static void
unescape(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '+')
			*p = ' ';
	MHD_http_unescape(s);
}

/* ---- the label page with the inspection panel --------------------------- */

void
field_place_decode(const char *value, char *out, size_t size)
{
	out[0] = '\0';
	if (!value || strlen(value) >= size)
		return;
	ocop_strlcpy(out, value, size);
	unescape(out);
	/* the cookie came from outside: a place the scans API takes, or none */
	if (strlen(out) > FIELD_PLACE_MAX || !utf8_printable(out))
		out[0] = '\0';
}

void
field_place_encode(const char *place, char *out)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)place;
	     *p && n + 4 < FIELD_PLACE_COOKIE_SIZE; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_')
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(
			    out + n, FIELD_PLACE_COOKIE_SIZE - n, "%%%02X", *p);
	}
	out[n] = '\0';
}

/* The place remembered from the last inspection (its cookie), or "". */
static void
remembered_place(struct conn *c, char *out, size_t size)
{
	field_place_decode(
	    MHD_lookup_connection_value(c->mhd, MHD_COOKIE_KIND, PLACE_COOKIE),
	    out, size);
}

static void
remember_place(struct conn *c, struct http_resp *resp, const char *place)
{
	char enc[FIELD_PLACE_COOKIE_SIZE];

	field_place_encode(place, enc);
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
panel_page(struct conn *c, const struct console_user *fu,
	   const struct ocop_code *code, enum page_inspect_outcome outcome,
	   const char *problem, const char *place, int status,
	   struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct page_inspect in = {0};
	struct ocop_record *rec;
	struct ocop_store *st;
	unsigned char raw[16];
	char id[40], where[FIELD_PLACE_COOKIE_SIZE];
	int rc;

	if (!c->console) /* a label's page, not a console route */
		console_headers(resp);
	http_resp_header(resp, "Vary", "Accept");
	if (!(st = server_store(c->srv, &err))) {
		server_fail(c, resp, http_fail_status(resp, err.code), NULL,
			    "%s", err.msg);
		return;
	}
	rec = ocop_xmalloc(sizeof(*rec));
	rc = server_lookup(st, code, ocop_now(), rec, &err);
	if (rc < 0) {
		server_fail(
		    c, resp,
		    rc == OCOP_EINVAL ? 422 : http_fail_status(resp, rc), NULL,
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
	in.province = fu->province;
	in.inspector = fu->name[0] ? fu->name : fu->login;
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
	struct console_user fu;

	if (session_of(c, &fu) != 1) {
		sodium_memzero(&fu, sizeof(fu));
		return 1;
	}
	panel_page(c, &fu, code, PAGE_INSPECT_NONE, NULL, NULL, 0, resp);
	sodium_memzero(&fu, sizeof(fu));
	return 0;
}

/* ---- posts from a session: the inspection form, the offline batch ------- */

/* The console core checked the session, its role, the Origin and the
 * form's csrf before these run (ACCESS_SESSION routes). */

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

/*
 * POST /console/field/inspect: the inspection panel's form, stored as one
 * item of POST /api/v1/scans (its id the page's client id, scanned now,
 * the account's province when it is a code the API takes); answered with
 * the label's page again saying what became of it.
 */
int
field_inspect(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	const struct console_user *u = console_user(c);
	const struct console_form *f = console_form(c);
	struct ocop_code code;
	json_t *item, *arr, *bad = NULL, *lat, *lon;
	const char *cs, *id, *place;
	char now_s[32], problem[512];
	int64_t now = ocop_now();
	int rc;

	(void)method;
	/* the page answered in the language it was shown in */
	if (console_field(f, "lang"))
		ocop_strlcpy(c->lang, page_lang(console_field(f, "lang"), NULL),
			     sizeof(c->lang));
	cs = console_field(f, "code");
	if (!cs || ocop_code_parse(cs, &code, &err) < 0 ||
	    code.kind != OCOP_CODE_SERIAL) {
		console_error(c, resp, 400,
			      strcmp(c->lang, "en") == 0
				  ? "The form names no label code."
				  : "Biểu mẫu không có mã tem.");
		return 0;
	}
	id = console_field(f, "id");
	place = console_field(f, "place");
	lat = coordinate(console_field(f, "lat"));
	lon = coordinate(console_field(f, "lon"));
	item =
	    json_pack("{s:s,s:s,s:s,s:s}", "id", id ? id : "", "code",
		      code.serial, "scanned_at", ocop_time_format(now, now_s),
		      "place", place ? place : "");
	if (scan_province(u->province)[0])
		json_object_set_new(item, "province", json_string(u->province));
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
		return 1;
	if (rc == -1) {
		json_t *first = json_array_get(bad, 0);

		snprintf(problem, sizeof(problem), "%s %s",
			 strcmp(c->lang, "en") == 0
			     ? "Not recorded:"
			     : "Chưa ghi được (not recorded):",
			 json_string_value(json_object_get(first, "message")));
		json_decref(bad);
		panel_page(c, u, &code, PAGE_INSPECT_FAILED, problem, place,
			   422, resp);
		return 0;
	}
	server_fail(c, resp, http_fail_status(resp, err.code), NULL, "%s",
		    err.msg);
	return 0;
}

void
field_inspect_resume(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	const struct ocop_scan *s = &c->scans[0];
	const struct console_user *u = console_user(c);
	struct ocop_code code;
	int rc = c->batch_job.rc;

	if (ocop_code_parse(s->code, &code, &err) < 0) {
		server_fail(c, resp, http_fail_status(resp, err.code), NULL,
			    "%s", err.msg);
		return;
	}
	if (rc < 0) {
		panel_page(c, u, &code, PAGE_INSPECT_FAILED,
			   strcmp(c->lang, "en") == 0
			       ? "The inspection could not be recorded just "
				 "now. Send it again in a minute."
			       : "Tạm thời chưa ghi được lượt kiểm tra. Hãy "
				 "gửi lại sau một phút.",
			   s->place, http_fail_status(resp, rc), resp);
		return;
	}
	panel_page(c, u, &code,
		   c->dups[0] ? PAGE_INSPECT_DUPLICATE : PAGE_INSPECT_RECORDED,
		   NULL, s->place, 200, resp);
	if (s->place[0])
		remember_place(c, resp, s->place);
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
	const struct console_user *u = console_user(c);
	const char *body = console_field(console_form(c), "scans");
	const char *prov = scan_province(u->province);
	json_t *root = NULL, *arr, *bad = NULL, *it;
	char msg[256];
	size_t i;
	int rc;

	(void)method;
	rc = server_scans_load(body ? body : "", body ? strlen(body) : 0, &root,
			       msg, sizeof(msg));
	if (rc > 0) {
		http_resp_error(resp, rc, "%s", msg);
		return 0;
	}
	arr = json_object_get(root, "scans");
	json_array_foreach(arr, i, it)
	{
		if (json_is_object(it) && prov[0] &&
		    !json_object_get(it, "province"))
			json_object_set_new(it, "province", json_string(prov));
	}
	rc = api_scans_start(c, arr, ocop_now(), &bad, &err);
	json_decref(root);
	if (rc == 1)
		return 1;
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
		json_decref(bad);
	} else {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
	}
	return 0;
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
		http_resp_error(resp, http_fail_status(resp, err.code),
				"cannot list the keys: %s", err.msg);
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
 * The last snapshot built for each province asked of a database, reused
 * for SNAPSHOT_REUSE seconds: a phone that opens the field page again, or
 * a team opening it at once, gets the same bytes (or a 304 for the ETag
 * its page kept) instead of a build each, and a change reaches phones at
 * most that much later. SNAPSHOT_KEPT of them at most, the oldest
 * replaced.
 */
#define SNAPSHOT_REUSE 300
#define SNAPSHOT_KEPT 8

struct kept_snapshot {
	char db[4096];
	char province[128];
	int64_t built_at;
	char etag[40];
	char *data;
	size_t len;
};
static struct kept_snapshot kept[SNAPSHOT_KEPT];
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;

/* A copy of the snapshot kept for db and province into out, with its
 * ETag; 0 when there is none young enough. */
static int
kept_get(const char *db, const char *province, int64_t now,
	 struct ocop_buf *out, char *etag, size_t etag_size)
{
	int found = 0;

	pthread_mutex_lock(&kept_mu);
	for (size_t i = 0; i < SNAPSHOT_KEPT && !found; i++) {
		struct kept_snapshot *k = &kept[i];

		if (!k->data || strcmp(k->db, db) != 0 ||
		    strcmp(k->province, province) != 0 ||
		    now - k->built_at >= SNAPSHOT_REUSE || now < k->built_at)
			continue;
		if (ocop_buf_add(out, k->data, k->len) == 0) {
			ocop_strlcpy(etag, k->etag, etag_size);
			found = 1;
		}
	}
	pthread_mutex_unlock(&kept_mu);
	return found;
}

static void
kept_put(const char *db, const char *province, int64_t now, const char *data,
	 size_t len, const char *etag)
{
	struct kept_snapshot *slot = &kept[0];

	if (strlen(db) >= sizeof(slot->db) ||
	    strlen(province) >= sizeof(slot->province))
		return;
	pthread_mutex_lock(&kept_mu);
	for (size_t i = 0; i < SNAPSHOT_KEPT; i++) {
		struct kept_snapshot *k = &kept[i];

		if ((k->data && strcmp(k->db, db) == 0 &&
		     strcmp(k->province, province) == 0) ||
		    !k->data) {
			slot = k;
			break;
		}
		if (k->built_at < slot->built_at)
			slot = k;
	}
	free(slot->data);
	slot->data = ocop_xmalloc(len ? len : 1);
	memcpy(slot->data, data, len);
	slot->len = len;
	slot->built_at = now;
	ocop_strlcpy(slot->db, db, sizeof(slot->db));
	ocop_strlcpy(slot->province, province, sizeof(slot->province));
	ocop_strlcpy(slot->etag, etag, sizeof(slot->etag));
	pthread_mutex_unlock(&kept_mu);
}

/*
 * GET /api/v1/snapshot?province=P: for a token of an inspector or admin
 * (checked by the core), or else a console session of one. P defaults
 * to the account's province, "all" when it has none (and for tokens).
 * The bytes are snapshot_build's (kept a while, above), named by an ETag
 * (their hash): the phone keeps them itself, in IndexedDB, and sends the
 * ETag back as If-None-Match to get a 304 while they are the same; no
 * HTTP cache keeps a copy.
 */
int
field_snapshot(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct console_user fu;
	struct ocop_store *st = NULL;
	struct ocop_buf b;
	const char *province = server_query_arg(c, "province");
	const char *inm = server_header(c, "If-None-Match");
	int64_t now = ocop_now();
	unsigned char h[16];
	char etag[40], hex[33];
	int rc = 1;

	(void)method;
	memset(&fu, 0, sizeof(fu));
	console_headers(resp);
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
					ocop_role_name(fu.role));
			goto out;
		}
	}
	if (!province || !*province)
		province = fu.province[0] ? fu.province : "all";
	ocop_buf_init(&b, SNAPSHOT_MAX);
	if (!kept_get(c->srv->db_path, province, now, &b, etag, sizeof(etag))) {
		/* the build takes the next seq: a handle that may write */
		if ((rc = ocop_store_open(c->srv->db_path, 0, &st, &err)) ==
		    0) {
			rc = snapshot_build(st, province, now, &b, &err);
			ocop_store_close(st);
		}
		if (rc < 0) {
			ocop_buf_release(&b);
			http_resp_error(resp,
					rc == OCOP_ENOENT
					    ? 404
					    : http_fail_status(resp, rc),
					"%s", err.msg);
			goto out;
		}
		crypto_generichash(h, sizeof(h), (const unsigned char *)b.data,
				   b.len, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		snprintf(etag, sizeof(etag), "\"%s\"", hex);
		kept_put(c->srv->db_path, province, now, b.data, b.len, etag);
	}
	http_resp_header(resp, "ETag", "%s", etag);
	if (inm && strstr(inm, etag)) {
		ocop_buf_release(&b);
		resp->status = 304;
		goto out;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "application/octet-stream",
		     sizeof(resp->content_type));
	ocop_buf_release(&resp->body);
	resp->body = b;
out:
	sodium_memzero(&fu, sizeof(fu));
	return 0;
}

/* ---- /console/field ----------------------------------------------------- */

int
field_page(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct console_user *u = console_user(c);
	int en = strcmp(c->lang, "en") == 0;
	struct page_var v[] = {
	    {"field_province", u->province},
	    {"field_csrf", u->csrf},
	    {"t_field_title", en ? "Offline checks" : "Kiểm tra ngoại tuyến"},
	    {"t_field_intro",
	     en ? "This page keeps the OCOP label data on this phone so that "
		  "labels can be checked with no signal. Open it while "
		  "online, before you go out; then scan labels with the "
		  "camera as usual."
		: "Trang này tải dữ liệu tem OCOP về điện thoại để kiểm tra "
		  "tem cả khi không có mạng. Hãy mở trang này khi còn mạng, "
		  "trước khi đi kiểm tra; sau đó quét mã QR trên tem bằng "
		  "camera như thường lệ."},
	    {"t_field_nojs",
	     en ? "Offline mode needs JavaScript. While online, the label "
		  "pages work without it."
		: "Chế độ ngoại tuyến cần JavaScript. Khi có mạng, các trang "
		  "kiểm tra tem vẫn dùng được mà không cần JavaScript."},
	    {"t_field_preparing", en ? "Preparing the offline data…"
				     : "Đang chuẩn bị dữ liệu ngoại tuyến…"},
	    {"t_field_province",
	     en ? "Province of the data" : "Tỉnh của dữ liệu"},
	    {"t_field_all", en ? "all" : "tất cả"},
	    {"t_field_data_at", en ? "Data as of" : "Dữ liệu lúc"},
	    {"t_field_expires", en ? "Usable until" : "Dùng được đến"},
	    {"t_field_labels", en ? "Labels" : "Số tem"},
	    {"t_field_waiting",
	     en ? "Inspections waiting to be sent" : "Lượt kiểm tra chờ gửi"},
	    {"t_field_refresh",
	     en ? "Download the data again" : "Tải lại dữ liệu"},
	    {"t_field_send",
	     en ? "Send the waiting inspections" : "Gửi các lượt chờ"},
	};

	(void)method;
	console_page(c, resp, 200, v[2].value, "field.html", v,
		     sizeof(v) / sizeof(v[0]));
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
