/*
 * resolver.c - the GS1-Conformant resolver of SPEC 5.1 for AI 01.
 *
 * A Digital Link URI names a level: a label (/01/G[/10/L]/21/S), a lot
 * (/01/G/10/L) or a product (/01/G). Each level has links; a request is
 * answered by its own level's links, falling back to the levels above it
 * (a label's lot, then its product), as GS1 Resolver 1.2 requires.
 *   label:   certificationInfo, defaultLink -> {BASE}/L/{SERIAL}
 *   lot:     pip, defaultLink               -> {BASE}/P/{GTIN14}
 *   product: pip, defaultLink               -> {BASE}/P/{GTIN14}
 * Nothing here records a scan: the redirect target (/L/...) does.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "record.h"
#include "resolver.h"
#include "server_int.h"

#define WELL_KNOWN "/.well-known/gs1resolver"
#define CONTEXT_PATH "/context/linkset.jsonld"
#define JSONLD_CONTEXT_REL "http://www.w3.org/ns/json-ld#context"
#define VOC "https://ref.gs1.org/voc/"
#define LINKSET_TYPE "application/linkset+json"
#define MAX_URI 1024 /* an http_header value */
#define FAR_FUTURE INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static const char title_label[] =
	"Xác thực tem và chứng nhận OCOP / "
	"OCOP label and certification check";
static const char title_product[] =
	"Thông tin sản phẩm OCOP / OCOP product information";

struct link {
	const char *type; /* short name in the gs1: namespace */
	const char *title;
	char href[MAX_URI];
};

struct level {
	char path[MAX_URI]; /* normal form, from "/01/" on */
	char desc[1024];    /* itemDescription */
	struct link links[2];
	int nlinks;
};

/* Everything a Digital Link answer is built from. */
struct dl {
	struct ocop_code code;
	char uri[MAX_URI]; /* {BASE} + the request's normal path */
	struct level levels[3]; /* the request's level first */
	int nlevels;
};

int
resolver_owns(const char *path)
{
	return strcmp(path, "/01") == 0 || strncmp(path, "/01/", 4) == 0 ||
	       strcmp(path, WELL_KNOWN) == 0 ||
	       strcmp(path, WELL_KNOWN "/") == 0 ||
	       strcmp(path, CONTEXT_PATH) == 0;
}

/* ---- small helpers --------------------------------------------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The first value of query parameter name, percent-decoded into buf.
 * Returns 1 when present, 0 when absent. Uses the server's parser when
 * there is one, so both agree on '+' and repeated names.
 */
static int
query_arg(const struct http_req *req, const char *name, char *buf,
	  size_t size)
{
	size_t nlen = strlen(name), o = 0;
	const char *p, *v;

	if (req->arg) {
		v = req->arg(req, name);
		if (!v)
			return 0;
		ocop_strlcpy(buf, v, size);
		return 1;
	}
	for (p = req->query ? req->query : ""; *p;) {
		const char *end = p + strcspn(p, "&");

		if ((size_t)(end - p) >= nlen && strncmp(p, name, nlen) == 0 &&
		    (p[nlen] == '=' || p + nlen == end)) {
			for (v = p + nlen + (p[nlen] == '='); v < end; v++) {
				int c = (unsigned char)*v;

				if (c == '+') {
					c = ' ';
				} else if (c == '%' && end - v >= 3 &&
					   hexval(v[1]) >= 0 &&
					   hexval(v[2]) >= 0) {
					c = hexval(v[1]) * 16 + hexval(v[2]);
					v += 2;
				}
				if (o + 1 < size)
					buf[o++] = (char)c;
			}
			buf[o] = '\0';
			return 1;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* Append a path segment value, percent-encoding what is not unreserved
 * (our lots and serials never need it; a lot typed in a URI might). */
static void
add_segment(char *out, size_t size, const char *v)
{
	size_t o = strlen(out);

	for (; *v && o + 4 < size; v++) {
		unsigned char c = (unsigned char)*v;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
	}
	out[o] = '\0';
}

static void
level_path(char *out, size_t size, const char *gtin, const char *lot,
	   const char *serial)
{
	snprintf(out, size, "/01/%s", gtin);
	if (lot && *lot) {
		ocop_strlcpy(out + strlen(out), "/10/", size - strlen(out));
		add_segment(out, size, lot);
	}
	if (serial && *serial) {
		ocop_strlcpy(out + strlen(out), "/21/", size - strlen(out));
		add_segment(out, size, serial);
	}
}

static void
level_link(struct level *lv, const char *type, const char *title,
	   const char *href)
{
	struct link *l = &lv->links[lv->nlinks++];

	l->type = type;
	l->title = title;
	ocop_strlcpy(l->href, href, sizeof(l->href));
}

/* The levels of a known label or product, the request's level first. */
static void
build_levels(struct dl *dl, const char *base, const struct ocop_product *p,
	     const char *serial)
{
	const struct ocop_code *c = &dl->code;
	char href[MAX_URI], grouped[OCOP_SERIAL_GROUPED + 1];
	struct level *lv;

	dl->nlevels = 0;
	if (serial) {
		lv = &dl->levels[dl->nlevels++];
		memset(lv, 0, sizeof(*lv));
		level_path(lv->path, sizeof(lv->path), c->gtin, c->lot,
			   serial);
		ocop_serial_group(serial, grouped);
		snprintf(lv->desc, sizeof(lv->desc), "%s – tem %s / label %s",
			 p->name, grouped, grouped);
		snprintf(href, sizeof(href), "%s/L/%s", base, serial);
		level_link(lv, "certificationInfo", title_label, href);
		level_link(lv, "defaultLink", title_label, href);
	}
	snprintf(href, sizeof(href), "%s/P/%s", base, c->gtin);
	if (c->lot[0]) {
		lv = &dl->levels[dl->nlevels++];
		memset(lv, 0, sizeof(*lv));
		level_path(lv->path, sizeof(lv->path), c->gtin, c->lot, NULL);
		snprintf(lv->desc, sizeof(lv->desc), "%s – lô %s / lot %s",
			 p->name, c->lot, c->lot);
		level_link(lv, "pip", title_product, href);
		level_link(lv, "defaultLink", title_product, href);
	}
	lv = &dl->levels[dl->nlevels++];
	memset(lv, 0, sizeof(*lv));
	level_path(lv->path, sizeof(lv->path), c->gtin, NULL, NULL);
	ocop_strlcpy(lv->desc, p->name, sizeof(lv->desc));
	level_link(lv, "pip", title_product, href);
	level_link(lv, "defaultLink", title_product, href);
}

/* The headers every Digital Link answer carries (SPEC 5.1); a linkset
 * answer also links the JSON-LD context that reads it as linked data, in
 * the same Link header (GS1's test suite reads one Link header, split at
 * commas). */
static void
add_dl_headers(struct http_resp *resp, const struct dl *dl, const char *base,
	       int linkset)
{
	http_resp_header(resp, "Access-Control-Allow-Origin", "*");
	http_resp_header(resp, "Access-Control-Allow-Methods",
			 "GET, HEAD, OPTIONS");
	http_resp_header(resp, "Access-Control-Expose-Headers",
			 "Link, Location");
	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	if (dl && linkset)
		http_resp_header(resp, "Link",
				 "<%s?linkType=linkset>; rel=\"linkset\"; "
				 "type=\"" LINKSET_TYPE "\", "
				 "<%s" CONTEXT_PATH ">; "
				 "rel=\"" JSONLD_CONTEXT_REL "\"; "
				 "type=\"application/ld+json\"",
				 dl->uri, base);
	else if (dl)
		http_resp_header(resp, "Link",
				 "<%s?linkType=linkset>; rel=\"linkset\"; "
				 "type=\"" LINKSET_TYPE "\"",
				 dl->uri);
}

/* 307 to href with the request's query appended unchanged. */
static void
redirect(struct http_resp *resp, const struct http_req *req,
	 const char *href)
{
	const char *q = req->query ? req->query : "";
	char loc[MAX_URI];
	int n;

	n = snprintf(loc, sizeof(loc), "%s%s%s", href, *q ? "?" : "", q);
	if (n < 0 || (size_t)n >= sizeof(loc)) {
		http_resp_error(resp, 414, "query string too long: the "
					   "redirect would be over %zu bytes",
				sizeof(loc) - 1);
		return;
	}
	resp->status = 307;
	resp->content_type[0] = '\0';
	resp->body.len = 0;
	http_resp_header(resp, "Location", "%s", loc);
}

/* "gs1:x", "https://ref.gs1.org/voc/x", "https://gs1.org/voc/x" -> x */
static const char *
link_type_name(const char *v)
{
	static const char *const prefixes[] = {
		"gs1:", VOC, "https://gs1.org/voc/",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(v, prefixes[i], n) == 0 && v[n])
			return v + n;
	}
	return NULL;
}

static int
send_json(struct http_resp *resp, int status, const char *type, json_t *j)
{
	char *s;

	if (!j)
		goto fail;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s)
		goto fail;
	resp->status = status;
	ocop_strlcpy(resp->content_type, type, sizeof(resp->content_type));
	resp->body.len = 0;
	ocop_buf_adds(&resp->body, s);
	ocop_buf_adds(&resp->body, "\n");
	free(s);
	return 0;
fail:
	http_resp_error(resp, 500, "cannot build the JSON answer");
	return OCOP_EINTERNAL;
}

static int
send_linkset(struct http_resp *resp, const char *base, const struct dl *dl)
{
	json_t *root = json_object(), *set = json_array();

	for (int i = 0; i < dl->nlevels; i++) {
		const struct level *lv = &dl->levels[i];
		json_t *o = json_object();
		char anchor[2 * MAX_URI], type[128];

		snprintf(anchor, sizeof(anchor), "%s%s", base, lv->path);
		json_object_set_new(o, "anchor", json_string(anchor));
		json_object_set_new(o, "itemDescription",
				    json_string(lv->desc));
		for (int k = 0; k < lv->nlinks; k++) {
			const struct link *l = &lv->links[k];

			snprintf(type, sizeof(type), VOC "%s", l->type);
			json_object_set_new(
				o, type,
				json_pack("[{s:s, s:s, s:s, s:[s,s]}]", "href",
					  l->href, "title", l->title, "type",
					  "text/html", "hreflang", "vi",
					  "en"));
		}
		json_array_append_new(set, o);
	}
	json_object_set_new(root, "linkset", set);
	return send_json(resp, 200, LINKSET_TYPE, root);
}

static int
send_description(struct http_resp *resp, const char *base)
{
	json_t *j = json_pack(
		"{s:s, s:s, s:[s], s:[{s:s, s:s}], s:b, s:{s:s}}", "name",
		"OCOP – Dịch vụ xác thực tem OCOP / OCOP label verification",
		"resolverRoot", base, "supportedPrimaryKeys", "01",
		"supportedLinkType", "namespace", VOC, "prefix", "gs1:",
		"linkTypeDefaultCanBeLinkset", 0, "contact", "fn",
		"Đơn vị vận hành dịch vụ tem OCOP / OCOP label service "
		"operator");

	return send_json(resp, 200, "application/json", j);
}

/*
 * The JSON-LD context of the linksets (JSON-LD 1.1): "linkset" is the
 * graph, each entry's anchor its subject, the GS1 link types (full IRIs)
 * its properties, each link's href the object, with title, media type
 * and languages in Dublin Core terms.
 */
static const char linkset_context[] =
	"{\n"
	"  \"@context\": {\n"
	"    \"@version\": 1.1,\n"
	"    \"gs1\": \"" VOC "\",\n"
	"    \"dcterms\": \"http://purl.org/dc/terms/\",\n"
	"    \"linkset\": \"@graph\",\n"
	"    \"anchor\": \"@id\",\n"
	"    \"href\": \"@id\",\n"
	"    \"itemDescription\": \"dcterms:description\",\n"
	"    \"title\": \"dcterms:title\",\n"
	"    \"type\": \"dcterms:format\",\n"
	"    \"hreflang\": {\"@id\": \"dcterms:language\", "
	"\"@container\": \"@set\"}\n"
	"  }\n"
	"}\n";

static int
send_context(struct http_resp *resp)
{
	resp->status = 200;
	ocop_strlcpy(resp->content_type, "application/ld+json",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	ocop_buf_add(&resp->body, linkset_context, sizeof(linkset_context) - 1);
	/* the same bytes until the service is upgraded */
	http_resp_header(resp, "Cache-Control", "public, max-age=86400");
	return 0;
}

/* ---- the handler ----------------------------------------------------- */

/*
 * Look up the label of a label URI. 1 when it is the label of that GTIN
 * (and lot), 0 when not (rec then holds the unknown record).
 */
static int
find_label(struct ocop_store *st, struct record_cache *cache,
	   const struct ocop_code *code, const struct resolver_read *read,
	   struct ocop_record *rec, struct ocop_error *err)
{
	int rc;

	if (read) {
		rc = read->rc;
		*rec = *read->rec;
		if (rc < 0)
			*err = read->err;
	} else {
		rc =
		    record_lookup_cached(st, cache, code, ocop_now(), rec, err);
	}
	if (rc == OCOP_EINVAL) {
		/*
		 * Only a label issued after "now" (a clock set back) gives
		 * this; whether it matches does not depend on the time.
		 */
		rc = record_lookup_cached(st, cache, code, FAR_FUTURE, rec,
					  err);
	}
	if (rc < 0)
		return rc;
	return rec->known != 0;
}

/*
 * A phone's camera opens a forged label's Digital Link in the browser: it
 * names text/html in Accept and does not prefer JSON. It gets the same
 * "unknown" page as /L/ (404), so a shopper reads what to do rather than
 * a JSON record; scripts and GS1's tools keep the record.
 */
static int
wants_page(const struct http_req *req)
{
	return req->accept && strcasestr(req->accept, "text/html") &&
	       !http_accepts(req->accept, "application/json");
}

static int
send_unknown_page(const struct http_req *req, const struct ocop_record *rec,
		  struct http_resp *resp)
{
	struct ocop_error err = {0};
	const char *lang;

	lang = page_lang(req->arg ? req->arg(req, "lang") : NULL,
			 req->accept_language);
	resp->status = 404;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	if (page_label(rec, req->site, lang, req->path, &resp->body, &err) <
	    0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
	return 0;
}

/* 1 when the query has no control character or space */
static int
query_ok(const struct http_req *req)
{
	for (const char *q = req->query ? req->query : ""; *q; q++)
		if ((unsigned char)*q <= ' ' || *q == 0x7f)
			return 0;
	return 1;
}

static int
is_get(const struct http_req *req)
{
	return strcmp(req->method, "GET") == 0 ||
	       strcmp(req->method, "HEAD") == 0;
}

static int
handle_dl(struct ocop_store *st, struct record_cache *cache, const char *base,
	  const struct http_req *req, const struct resolver_read *read,
	  struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_record rec;
	struct ocop_product prod;
	const struct ocop_code *c;
	char lt[512], path[MAX_URI];
	const char *name;
	struct dl *dl;
	int rc = 0;

	if (!query_ok(req)) {
		http_resp_error(resp, 400,
				"invalid query string: "
				"control character or space");
		add_dl_headers(resp, NULL, base, 0);
		return 0;
	}
	dl = ocop_xcalloc(1, sizeof(*dl));
	c = &dl->code;
	if (ocop_dl_parse_path(req->path, &dl->code, &err) < 0) {
		http_resp_error(resp, 400, "%s", err.msg);
		add_dl_headers(resp, NULL, base, 0);
		goto out;
	}
	/* the request's normal form, known or not */
	level_path(path, sizeof(path), c->gtin, c->lot,
		   c->kind != OCOP_CODE_DL_LABEL ? NULL
		   : c->foreign[0]              ? c->foreign
						: c->serial);
	snprintf(dl->uri, sizeof(dl->uri), "%s%s", base, path);

	if (strcmp(req->method, "OPTIONS") == 0) {
		resp->status = 204;
		http_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
		goto out_headers;
	}
	if (!is_get(req)) {
		http_resp_error(resp, 405, "method %.16s not allowed on a "
					   "Digital Link URI",
				req->method);
		http_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
		goto out_headers;
	}
	if (c->kind == OCOP_CODE_DL_LABEL) {
		rc = find_label(st, cache, c, read, &rec, &err);
		if (rc < 0)
			goto fail;
		if (rc == 0) {
			/* a forged serial never walks up to the product */
			if (wants_page(req))
				rc = send_unknown_page(req, &rec, resp);
			else
				rc = send_json(resp, 404, "application/json",
					       record_to_json(&rec));
			goto out_headers;
		}
		prod = rec.product;
		build_levels(dl, base, &prod, c->serial);
	} else {
		rc = st->m->product_get_by_gtin(st, c->gtin, &prod, &err);
		if (rc == OCOP_ENOENT) {
			rc = 0;
			http_resp_error(resp, 404, "unknown GTIN %s", c->gtin);
			goto out_headers;
		}
		if (rc < 0)
			goto fail;
		build_levels(dl, base, &prod, NULL);
	}
	rc = 0;

	if (!query_arg(req, "linkType", lt, sizeof(lt)) || !lt[0]) {
		if (http_accepts(req->accept, LINKSET_TYPE) ||
		    http_accepts(req->accept, "application/json"))
			rc = send_linkset(resp, base, dl);
		else
			redirect(resp, req, dl->levels[0].links[1].href);
	} else if (strcmp(lt, "linkset") == 0 || strcmp(lt, "all") == 0) {
		rc = send_linkset(resp, base, dl);
	} else {
		const char *href = NULL;

		/* the request's level first, then the levels above it */
		name = link_type_name(lt);
		for (int i = 0; name && !href && i < dl->nlevels; i++)
			for (int k = 0; !href && k < dl->levels[i].nlinks; k++)
				if (strcmp(dl->levels[i].links[k].type,
					   name) == 0)
					href = dl->levels[i].links[k].href;
		if (href)
			redirect(resp, req, href);
		else
			http_resp_error(resp, 404, "link type '%.200s' is not "
						   "available for %s",
					lt, dl->uri);
	}
	/* HEAD is answered as GET: the server sends no body */
out_headers:
	add_dl_headers(resp, dl, base, resp->status == 200);
	goto out;
fail:
	/* 503: the database away, a read handed on while the server stops */
	http_resp_error(resp, http_fail_status(resp, rc),
			"cannot resolve %s: %s", dl->uri, err.msg);
	add_dl_headers(resp, dl, base, 0);
	if (rc >= 0)
		rc = OCOP_EINTERNAL;
out:
	free(dl);
	return rc;
}

int
resolver_label_wanted(const struct http_req *req, struct ocop_code *code)
{
	struct ocop_error err = {0};

	if (!is_get(req) || !query_ok(req) ||
	    strncmp(req->path, "/01/", 4) != 0 ||
	    ocop_dl_parse_path(req->path, code, &err) < 0)
		return 0;
	/* a serial not of ours (code->foreign) is answered unread */
	return code->kind == OCOP_CODE_DL_LABEL && !code->foreign[0];
}

int
resolver_handle(struct ocop_store *st, struct record_cache *cache,
		const char *base_url, const struct http_req *req,
		struct http_resp *resp)
{
	return resolver_handle_read(st, cache, base_url, req, NULL, resp);
}

int
resolver_handle_read(struct ocop_store *st, struct record_cache *cache,
		     const char *base_url, const struct http_req *req,
		     const struct resolver_read *read, struct http_resp *resp)
{
	if (strcmp(req->path, CONTEXT_PATH) == 0 ||
	    strncmp(req->path, WELL_KNOWN, strlen(WELL_KNOWN)) == 0) {
		http_resp_header(resp, "Access-Control-Allow-Origin", "*");
		http_resp_header(resp, "Access-Control-Allow-Methods",
				 "GET, HEAD, OPTIONS");
		if (strcmp(req->method, "OPTIONS") == 0) {
			resp->status = 204;
			http_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
			return 0;
		}
		if (strcmp(req->method, "GET") != 0 &&
		    strcmp(req->method, "HEAD") != 0) {
			http_resp_error(resp, 405, "method %.16s not allowed",
					req->method);
			http_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
			return 0;
		}
		if (strcmp(req->path, CONTEXT_PATH) == 0)
			return send_context(resp);
		return send_description(resp, base_url);
	}
	return handle_dl(st, cache, base_url, req, read, resp);
}

/* The request as struct http_req, for resolver_handle. */
static void
route_req(struct conn *c, const char *method, struct http_req *req)
{
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->path = c->path;
	req->query = c->query;
	req->accept = server_header(c, MHD_HTTP_HEADER_ACCEPT);
	req->accept_language =
	    server_header(c, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
	req->authorization = server_header(c, MHD_HTTP_HEADER_AUTHORIZATION);
	req->user_agent = server_header(c, MHD_HTTP_HEADER_USER_AGENT);
	req->client_net = c->net;
	req->arg = server_req_arg;
	req->site = server_site(c->srv);
	req->impl = c;
}

/* The route: answered by resolver_handle from the thread's store; on a
 * networked engine a label URI's label is read by the lookups' reader
 * first (resolver_route_resume answers). */
int
resolver_route(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_code code;
	struct http_req req;

	route_req(c, method, &req);
	if (c->srv->lookups && resolver_label_wanted(&req, &code)) {
		struct pending *pd = c->pending = ocop_xcalloc(1, sizeof(*pd));

		pd->code = code;
		pd->now = ocop_now();
		ocop_strlcpy(pd->method, method, sizeof(pd->method));
		return server_lookup_later(c, pd);
	}
	if (!(st = server_store(c->srv, &err))) {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
		return 0;
	}
	resolver_handle(st, server_cache(), c->srv->base_url, &req, resp);
	return 0;
}

void
resolver_route_resume(struct conn *c, struct http_resp *resp)
{
	struct pending *pd = c->pending;
	struct ocop_error err = {0};
	struct resolver_read read;
	struct ocop_store *st;
	struct http_req req;

	if (!(st = server_store(c->srv, &err))) {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
		return;
	}
	read.rc = pd->lookup.rc;
	read.rec = &pd->rec;
	read.err = pd->lookup.err;
	route_req(c, pd->method, &req);
	resolver_handle_read(st, server_cache(), c->srv->base_url, &req, &read,
			     resp);
}
