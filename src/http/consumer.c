/*
 * consumer.c - the pages people open (SPEC 5, 5.0): the home page and its
 * form, a label's page /L/{serial} (which records the scan), a product's
 * page /P/{gtin}, and the page for an address that is not there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "places.h"
#include "registry.h"
#include "server_int.h"

/* ---- /L/{serial} ------------------------------------------------------------
 */

static void
label_answer(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_record *rec = &c->pending->rec;
	int status = rec->verdict == OCOP_UNKNOWN ? 404 : 200;

	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	http_resp_header(resp, "Cache-Control", "no-store");
	if (c->want_json) {
		server_resp_record(resp, status, rec);
		return;
	}
	resp->status = status;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	if (page_label(rec, server_site(c->srv), c->lang, c->self_path,
		       &resp->body, &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
}

/* HEAD of a label's page: its status and headers, nothing stored; rc and
 * err: the lookup's. */
static void
label_head(struct conn *c, int rc, const struct ocop_error *err,
	   struct http_resp *resp)
{
	if (rc < 0) {
		server_fail(c, resp,
			    rc == OCOP_EINVAL ? 422
					      : http_fail_status(resp, rc),
			    NULL, "cannot verify '%s': %s",
			    c->pending->code.serial, err->msg);
		return;
	}
	label_answer(c, resp);
}

/* The home page's form again with typed and the problem with it: 400 for
 * a code of the wrong shape (SPEC 3). JSON clients get the JSON error. */
static void
code_problem(struct conn *c, struct http_resp *resp, const char *typed,
	     const char *dev_msg)
{
	struct ocop_error err = {0};
	char problem[512];

	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	http_resp_header(resp, "Cache-Control", "no-store");
	if (!c->html) {
		http_resp_error(resp, 400, "%s", dev_msg);
		return;
	}
	page_code_problem(typed, c->lang, problem, sizeof(problem));
	resp->status = 400;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	if (page_home(server_site(c->srv), c->lang, typed, problem, &resp->body,
		      &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
}

/* The consumer scan of the record judged. */
static void
scan_of_record(struct pending *pd)
{
	struct ocop_scan *s = &pd->scan;

	ocop_strlcpy(s->code, pd->rec.serial, sizeof(s->code));
	if (pd->rec.verdict != OCOP_UNKNOWN) {
		s->label_id = pd->rec.label.id;
		s->product_id = pd->rec.product.id;
	}
	s->scanned_at = pd->now;
	s->received_at = pd->now;
	s->verdict = pd->rec.verdict;
	s->reason = pd->rec.reason;
	s->source = OCOP_SCAN_CONSUMER;
}

/* On the writer thread, in the transaction that stores the scan: the
 * record of the label as of the scan (its stored scans counted after it
 * by the writer), and the scan filled from it. The writer's own handle
 * and cache: its pages stay warm, and no read transaction of its own. */
static int
label_prepare(struct ocop_store *st, struct scanlog_job *job,
	      struct ocop_error *err)
{
	struct conn *c = job->ctx;
	struct pending *pd = c->pending;
	int rc;

	(void)err;
	rc = record_lookup_cached(st, c->srv->writer_cache, &pd->code, pd->now,
				  &pd->rec, &pd->err);
	if (rc < 0) {
		pd->lookup_rc = rc;
		return rc;
	}
	scan_of_record(pd);
	/* the scan is stored next, in this transaction, and has no client
	 * id to repeat: the label's scans after it are those just read plus
	 * this one (record.h), with no second read */
	pd->count = pd->rec.scan_count + 1;
	pd->first_at = pd->now;
	if (pd->rec.scan_count > 0 && pd->rec.first_scan_at < pd->now)
		pd->first_at = pd->rec.first_scan_at;
	return 0;
}

/* On the lookups' reader thread once a networked engine read the label:
 * the scan judged goes to the writer from here, the connection still
 * suspended (1), or the request is resumed to answer the failure (0). */
static int
label_read(struct conn *c)
{
	struct pending *pd = c->pending;

	if ((pd->lookup_rc = pd->lookup.rc) < 0) {
		pd->err = pd->lookup.err;
		return 0;
	}
	scan_of_record(pd);
	c->job = &pd->job;
	server_submit_waiting(c);
	return 1;
}

/* Returns 1 when the request was suspended (answer later), else 0 with
 * resp filled. */
int
consumer_label(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_code code;
	struct pending *pd;
	struct ocop_scan *s;
	char input[128];
	const char *p = c->arg[0];
	size_t n = strlen(p);
	int64_t now = ocop_now();
	int rc;

	if (n > 0 && p[n - 1] == '/')
		n--;
	if (n >= sizeof(input)) {
		code_problem(c, resp, p,
			     "the code is too long for a label serial");
		return 0;
	}
	memcpy(input, p, n);
	input[n] = '\0';
	if (ocop_code_parse(input, &code, &err) < 0 ||
	    code.kind != OCOP_CODE_SERIAL) {
		if (code.kind != OCOP_CODE_SERIAL && !err.msg[0])
			ocop_error_set(&err, OCOP_EINVAL,
				       "'%s' is not a label serial", input);
		code_problem(c, resp, input, err.msg);
		return 0;
	}
	snprintf(c->self_path, sizeof(c->self_path), "/L/%s", code.serial);
	/* an inspector's own visit is no consumer scan (SPEC 9) */
	if (field_label(c, &code, resp) == 0)
		return 0;
	pd = c->pending = ocop_xmalloc(sizeof(*pd));
	pd->then = NULL;
	pd->code = code;
	pd->now = now;
	pd->lookup_rc = 0;
	ocop_strlcpy(pd->method, method, sizeof(pd->method));
	if (strcmp(method, "HEAD") == 0) {
		/* nothing stored: judged here, or by the lookups' reader
		 * beside the lookups queued with it on a networked engine */
		if (server_lookup_later(c, pd))
			return 1;
		if (!(st = server_store(c->srv, &err))) {
			server_fail(c, resp, http_fail_status(resp, err.code),
				    NULL, "%s", err.msg);
			return 0;
		}
		rc = server_lookup(st, &code, now, &pd->rec, &err);
		label_head(c, rc, &err, resp);
		return 0;
	}
	/* the scan: coarse client data only; the writer judges it (on a
	 * networked engine, this thread) */
	s = &pd->scan;
	memset(s, 0, sizeof(*s));
	server_fill_client(c, s);
	memset(&pd->job, 0, sizeof(pd->job));
	pd->job.scans = s;
	pd->job.n = 1;
	pd->job.duplicate = &pd->dup;
	pd->count = 0;
	pd->first_at = OCOP_NO_TIME;
	if (c->srv->networked) {
		/* judged by the lookups' reader with the lookups queued
		 * beside it, then stored: the writer sends the inserts as
		 * one pipeline and returns the label's count after the
		 * scan */
		pd->job.want_stats = 1;
		pd->job.count = &pd->count;
		pd->job.first_at = &pd->first_at;
		pd->then = label_read;
		return server_lookup_later(c, pd);
	}
	pd->job.prepare = label_prepare; /* judges and counts the scans too */
	c->job = &pd->job;
	server_submit(c);
	return 1;
}

void
consumer_label_resume(struct conn *c, struct http_resp *resp)
{
	struct pending *pd = c->pending;

	if (strcmp(pd->method, "HEAD") == 0) {
		label_head(c, pd->lookup.rc, &pd->lookup.err, resp);
		return;
	}
	if (pd->lookup_rc < 0) {
		server_fail(c, resp,
			    pd->lookup_rc == OCOP_EINVAL
				? 422
				: http_fail_status(resp, pd->lookup_rc),
			    NULL, "cannot verify '%s': %s", pd->code.serial,
			    pd->err.msg);
		return;
	}
	if (pd->job.rc < 0 && http_unavailable(pd->job.rc)) {
		/* a scan is answered only once stored (SPEC 5): the
		 * shopper is asked to check again in a moment */
		server_fail(c, resp, http_fail_status(resp, pd->job.rc),
			    strcmp(c->lang, "en") == 0
				? "This check could not be recorded just "
				  "now, so it cannot be answered. Please "
				  "check again in a minute."
				: "Lượt kiểm tra này tạm thời chưa ghi lại "
				  "được nên chưa thể trả lời. Hãy kiểm tra "
				  "lại sau một phút.",
			    "cannot record the scan: %s", pd->job.err.msg);
		return;
	}
	if (pd->job.rc < 0) {
		server_fail(c, resp, 500, NULL, "cannot record the scan: %s",
			    pd->job.err.msg);
		return;
	}
	if (pd->rec.verdict != OCOP_UNKNOWN) {
		pd->rec.scan_count = pd->count;
		pd->rec.first_scan_at = pd->first_at;
		/* this scan's network too, here rather than on the writer */
		record_add_place(&pd->rec, places_name(&pd->scan));
	}
	label_answer(c, resp);
}

/* ---- / and /L?code= -------------------------------------------------------
 */

/*
 * The home page, and its form's answer: a code of the right shape (a
 * mistyped one too: its page says so and the scan is recorded, SPEC 3)
 * goes to its page by 303, a label's URL to the page it names; anything
 * else shows the field again with the problem in words.
 */
static void
home_page(struct conn *c, const char *path, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_code code;
	const char *typed = NULL, *lang_arg;
	char where[128], q[16] = "";

	if (strcmp(path, "/") != 0)
		typed = MHD_lookup_connection_value(
		    c->mhd, MHD_GET_ARGUMENT_KIND, "code");
	if (typed && ocop_code_parse(typed, &code, &err) < 0) {
		code_problem(c, resp, typed, err.msg);
		return;
	}
	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	if (!typed) {
		resp->status = 200;
		http_resp_header(resp, "Cache-Control", "no-cache");
		ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
			     sizeof(resp->content_type));
		if (page_home(server_site(c->srv), c->lang, NULL, NULL,
			      &resp->body, &err) < 0)
			http_resp_error(resp, 500, "cannot render page: %s",
					err.msg);
		return;
	}
	lang_arg =
	    MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND, "lang");
	if (lang_arg && *lang_arg)
		snprintf(q, sizeof(q), "?lang=%s", c->lang);
	if (code.kind == OCOP_CODE_SERIAL)
		snprintf(where, sizeof(where), "/L/%s%s", code.serial, q);
	else if (code.kind == OCOP_CODE_DL_PRODUCT)
		snprintf(where, sizeof(where), "/P/%s%s", code.gtin, q);
	else /* the resolver checks the GTIN and lot against the label */
		snprintf(where, sizeof(where), "/01/%s%s%s/21/%s%s", code.gtin,
			 code.lot[0] ? "/10/" : "", code.lot,
			 code.serial[0] ? code.serial : code.foreign, q);
	resp->status = 303;
	http_resp_header(resp, "Location", "%s", where);
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* ---- /P/{gtin} ----------------------------------------------------------- */

static void
product_page(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_product prod;
	struct ocop_history h;
	char gtin[15], self[32];
	const char *p = c->arg[0];
	size_t n = strlen(p);
	char input[32];
	int64_t now = ocop_now();
	int rc;

	if (n > 0 && p[n - 1] == '/')
		n--;
	if (n >= sizeof(input) ||
	    (memcpy(input, p, n), input[n] = '\0',
	     ocop_gtin_normalize(input, gtin, &err) < 0)) {
		if (!err.msg[0])
			ocop_error_set(&err, OCOP_EINVAL, "GTIN too long");
		server_fail(c, resp, 400,
			    strcmp(c->lang, "en") == 0
				? "A product code (GTIN) has 8, 12, 13 "
				  "or 14 digits, the last a check digit."
				: "Mã sản phẩm (GTIN) gồm 8, 12, 13 hoặc "
				  "14 chữ số, chữ số cuối để kiểm tra.",
			    "%s", err.msg);
		return;
	}
	if (!(st = server_store(c->srv, &err))) {
		server_fail(c, resp, http_fail_status(resp, err.code), NULL,
			    "%s", err.msg);
		return;
	}
	rc = st->m->product_get_by_gtin(st, gtin, &prod, &err);
	if (rc == OCOP_ENOENT) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 strcmp(c->lang, "en") == 0
			     ? "No OCOP product has the product code "
			       "(GTIN) %s."
			     : "Không có sản phẩm OCOP nào mang mã sản "
			       "phẩm (GTIN) %s.",
			 gtin);
		server_fail(c, resp, 404, msg, "unknown GTIN %s", gtin);
		return;
	}
	if (rc < 0) {
		server_fail(c, resp, http_fail_status(resp, err.code), NULL,
			    "%s", err.msg);
		return;
	}
	ocop_history_init(&h);
	if ((rc = registry_history(st, prod.id, &h, &err)) < 0) {
		ocop_history_release(&h);
		server_fail(c, resp, http_fail_status(resp, err.code), NULL,
			    "%s", err.msg);
		return;
	}
	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	http_resp_header(resp, "Cache-Control", "no-cache");
	if (c->want_json) {
		struct ocop_judgement j;
		json_t *o;

		ocop_judge(&h, 0, OCOP_NO_TIME, 0, now, &j);
		o = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:s}", "gtin",
			      gtin, "code", prod.code, "name", prod.name,
			      "group", prod.group, "producer", "name",
			      prod.producer.name, "kind", prod.producer.kind,
			      "province", prod.producer.province, "status",
			      j.verdict == OCOP_VALID
				  ? "in_force"
				  : ocop_verdict_name(j.verdict));
		if (o && j.rec >= 0) {
			const struct ocop_recognition *r = &h.recs[j.rec];
			char d1[16], d2[16], d3[16];

			json_object_set_new(
			    o, "recognition",
			    json_pack(
				"{s:i,s:s,s:s,s:s,s:s}", "stars", r->stars,
				"decision_no", r->decision_no, "decided_on",
				ocop_day_format(r->decided_on, d1),
				"valid_from",
				ocop_day_format(r->valid_from, d2),
				"valid_until", ocop_day_format(r->end, d3)));
		}
		server_resp_json(resp, 200, o);
		json_decref(o);
	} else {
		snprintf(self, sizeof(self), "/P/%s", gtin);
		resp->status = 200;
		ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
			     sizeof(resp->content_type));
		if (page_product(&prod, &h, now, server_site(c->srv), c->lang,
				 self, &resp->body, &err) < 0)
			http_resp_error(resp, 500, "cannot render page: %s",
					err.msg);
	}
	ocop_history_release(&h);
}

/* "/", and "/L" and "/L/" that the home page's form sends to (?code=) */
int
consumer_home_owns(const char *path)
{
	return strcmp(path, "/") == 0 || strcasecmp(path, "/l") == 0 ||
	       strcasecmp(path, "/l/") == 0;
}

int
consumer_home(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	home_page(c, c->path, resp);
	return 0;
}

int
consumer_product(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	product_page(c, resp);
	return 0;
}

int
consumer_not_found(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	server_fail(c, resp, 404, NULL, "no such resource '%.200s'", c->path);
	return 0;
}
