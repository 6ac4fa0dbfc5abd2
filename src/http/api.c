/*
 * api.c - the JSON API of SPEC 5 (a label's record, inspectors' scan
 * batches, reports) and the operators' endpoints (health, metrics).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "server_int.h"

/* ---- /api/v1/labels/{serial} --------------------------------------------- */

/* The record's answer: 404 for an unknown code, 422 for an instant
 * before the label's issue. */
static void
label_answer(struct http_resp *resp, int rc, const struct ocop_error *err,
	     const struct ocop_record *rec)
{
	if (rc == OCOP_EINVAL)
		http_resp_error(resp, 422, "invalid 'at': %s", err->msg);
	else if (rc < 0) /* 503: the database away, the server stopping */
		http_resp_error(resp, http_fail_status(resp, rc), "%s",
				err->msg);
	else
		server_resp_record(
		    resp, rec->verdict == OCOP_UNKNOWN ? 404 : 200, rec);
}

/* 1 when the lookup waits for the reader (api_label_resume answers) */
static int
label_record(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_code code;
	struct ocop_record *rec;
	const char *at_s;
	int64_t at = ocop_now();
	int rc;

	http_resp_header(resp, "Cache-Control", "no-store");
	if (ocop_code_parse(c->arg[0], &code, &err) < 0 ||
	    code.kind != OCOP_CODE_SERIAL) {
		if (!err.msg[0])
			ocop_error_set(&err, OCOP_EINVAL,
				       "'%.64s' is not a label serial",
				       c->arg[0]);
		http_resp_error(resp, 400, "invalid serial: %s", err.msg);
		return 0;
	}
	at_s = server_query_arg(c, "at");
	if (at_s && ocop_time_parse(at_s, &at, &err) < 0) {
		http_resp_error(resp, 422, "invalid 'at': %s", err.msg);
		return 0;
	}
	if (c->srv->lookups) {
		struct pending *pd = c->pending = ocop_xcalloc(1, sizeof(*pd));

		pd->code = code;
		pd->now = at;
		return server_lookup_later(c, pd);
	}
	if (!(st = server_store(c->srv, &err))) {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
		return 0;
	}
	rec = ocop_xmalloc(sizeof(*rec));
	rc = server_lookup(st, &code, at, rec, &err);
	label_answer(resp, rc, &err, rec);
	free(rec);
	return 0;
}

void
api_label_resume(struct conn *c, struct http_resp *resp)
{
	struct pending *pd = c->pending;

	http_resp_header(resp, "Cache-Control", "no-store");
	label_answer(resp, pd->lookup.rc, &pd->lookup.err, &pd->rec);
}

/* ---- POST /api/v1/scans
 * ------------------------------------------------------ */

static const char *const item_fields[] = {
    "id", "code", "scanned_at", "place", "province", "lat", "lon", NULL};

static int
printable(const char *s, int allow_utf8)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && !allow_utf8))
			return 0;
	}
	return 1;
}

/* Optional string field: NULL/absent -> "", else checked and copied. */
static int
opt_string(json_t *it, const char *name, size_t max, int utf8, char *out,
	   size_t size, char *msg, size_t msz)
{
	json_t *v = json_object_get(it, name);
	const char *s;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(msg, msz, "'%s' must be a string", name);
		return -1;
	}
	s = json_string_value(v);
	if (strlen(s) > max || strlen(s) >= size) {
		snprintf(msg, msz, "'%s' is longer than %zu bytes", name, max);
		return -1;
	}
	if (strlen(s) != json_string_length(v) || !printable(s, utf8)) {
		snprintf(msg, msz, "'%s' has control characters", name);
		return -1;
	}
	ocop_strlcpy(out, s, size);
	return 0;
}

static int
opt_number(json_t *it, const char *name, double lo, double hi, int *has,
	   double *out, char *msg, size_t msz)
{
	json_t *v = json_object_get(it, name);

	*has = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v)) {
		snprintf(msg, msz, "'%s' must be a number", name);
		return -1;
	}
	*out = json_number_value(v);
	if (!(*out >= lo && *out <= hi)) {
		snprintf(msg, msz, "'%s' must be between %g and %g", name, lo,
			 hi);
		return -1;
	}
	*has = 1;
	return 0;
}

int
server_scan_check(json_t *it, int64_t now, struct ocop_scan *s,
		  struct ocop_code *code, char *msg, size_t msz)
{
	struct ocop_error e = {0};
	const char *key, *id, *cs, *ts;
	json_t *v;
	int has_lat, has_lon;
	double lat = 0, lon = 0;

	if (!json_is_object(it)) {
		snprintf(msg, msz, "not an object");
		return -1;
	}
	json_object_foreach(it, key, v)
	{
		int known = 0;

		for (int k = 0; item_fields[k]; k++)
			known |= strcmp(key, item_fields[k]) == 0;
		if (!known) {
			snprintf(msg, msz, "unknown field '%.40s'", key);
			return -1;
		}
	}
	v = json_object_get(it, "id");
	if (!json_is_string(v)) {
		snprintf(msg, msz, "'id' is required (a string)");
		return -1;
	}
	id = json_string_value(v);
	if (json_string_length(v) < 1 || json_string_length(v) > 128 ||
	    strlen(id) != json_string_length(v) || !printable(id, 0)) {
		snprintf(msg, msz,
			 "'id' must be 1 to 128 printable ASCII "
			 "characters");
		return -1;
	}
	v = json_object_get(it, "code");
	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(msg, msz,
			 "'code' is required (a serial or label URL)");
		return -1;
	}
	cs = json_string_value(v);
	if (json_string_length(v) > 512 ||
	    strlen(cs) != json_string_length(v)) {
		snprintf(msg, msz, "'code' is too long");
		return -1;
	}
	if (ocop_code_parse(cs, code, &e) < 0) {
		snprintf(msg, msz, "'code': %.200s", e.msg);
		return -1;
	}
	if (code->kind == OCOP_CODE_DL_PRODUCT) {
		snprintf(msg, msz, "'code' names a product, not a label");
		return -1;
	}
	v = json_object_get(it, "scanned_at");
	if (!json_is_string(v)) {
		snprintf(msg, msz,
			 "'scanned_at' is required (RFC 3339 with an "
			 "offset)");
		return -1;
	}
	ts = json_string_value(v);
	memset(s, 0, sizeof(*s));
	if (ocop_time_parse(ts, &s->scanned_at, &e) < 0) {
		snprintf(msg, msz, "'scanned_at': %.200s", e.msg);
		return -1;
	}
	if (s->scanned_at > now + 86400) {
		snprintf(msg, msz,
			 "'scanned_at' is more than a day in the "
			 "future");
		return -1;
	}
	if (opt_string(it, "place", 255, 1, s->place, sizeof(s->place), msg,
		       msz) < 0 ||
	    opt_string(it, "province", 7, 0, s->province, sizeof(s->province),
		       msg, msz) < 0 ||
	    opt_number(it, "lat", -90, 90, &has_lat, &lat, msg, msz) < 0 ||
	    opt_number(it, "lon", -180, 180, &has_lon, &lon, msg, msz) < 0)
		return -1;
	if (has_lat != has_lon) {
		snprintf(msg, msz, "'lat' and 'lon' go together");
		return -1;
	}
	s->has_geo = has_lat;
	s->lat = lat;
	s->lon = lon;
	ocop_strlcpy(s->client_id, id, sizeof(s->client_id));
	return 0;
}

/*
 * Check item i and fill s (verdict included, from the store as of its
 * scan time). 0; -1 with msg for a bad item; < -1 (an OCOP_E* code) for
 * an internal failure with err.
 */
static int
scan_item(struct ocop_store *st, json_t *it, struct ocop_scan *s, int64_t now,
	  char *msg, size_t msz, struct ocop_error *err)
{
	struct ocop_error e = {0};
	struct ocop_code code;
	struct ocop_record *rec;
	int rc;

	if (server_scan_check(it, now, s, &code, msg, msz) < 0)
		return -1;
	rec = ocop_xmalloc(sizeof(*rec));
	rc = record_lookup(st, &code, s->scanned_at, rec, &e);
	if (rc == OCOP_EINVAL) {
		snprintf(msg, msz, "'scanned_at': %.200s", e.msg);
		free(rec);
		return -1;
	}
	if (rc < 0) {
		*err = e;
		free(rec);
		return rc < -1 ? rc : OCOP_EINTERNAL;
	}
	ocop_strlcpy(s->code, rec->serial[0] ? rec->serial : code.foreign,
		     sizeof(s->code));
	if (rec->verdict != OCOP_UNKNOWN) {
		s->label_id = rec->label.id;
		s->product_id = rec->product.id;
	}
	s->verdict = rec->verdict;
	s->reason = rec->reason;
	s->received_at = now;
	s->source = OCOP_SCAN_INSPECTOR;
	free(rec);
	return 0;
}

/* The 422 naming every bad item. */
static void
bad_items(struct http_resp *resp, json_t *items, size_t nbad)
{
	json_t *o = json_object();
	json_t *e = json_object();
	struct ocop_buf m;
	size_t i;
	json_t *v;

	ocop_buf_init(&m, 4096);
	ocop_buf_addf(&m, "%zu malformed scan%s (nothing stored): ", nbad,
		      nbad == 1 ? "" : "s");
	json_array_foreach(items, i, v)
	{
		if (i >= 20) {
			ocop_buf_adds(&m, "; ...");
			break;
		}
		ocop_buf_addf(
		    &m, "%sitem %lld: %s", i ? "; " : "",
		    (long long)json_integer_value(json_object_get(v, "index")),
		    json_string_value(json_object_get(v, "message")));
	}
	json_object_set_new(e, "status", json_integer(422));
	json_object_set_new(e, "message", json_string(m.data ? m.data : ""));
	json_object_set(e, "items", items);
	json_object_set_new(o, "error", e);
	server_resp_json(resp, 422, o);
	json_decref(o);
	ocop_buf_release(&m);
}

int
server_scans_load(const char *body, size_t len, json_t **root, char *msg,
		  size_t msz)
{
	json_error_t jerr;
	int status = 0;

	*root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*root) {
		snprintf(msg, msz, "malformed JSON at line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return 400;
	}
	if (!json_is_object(*root) ||
	    !json_is_array(json_object_get(*root, "scans"))) {
		snprintf(msg, msz, "expected {\"scans\":[...]} as the body");
		status = 422;
	} else if (json_array_size(json_object_get(*root, "scans")) >
		   SERVER_SCANS_MAX) {
		snprintf(msg, msz, "%zu scans in one request: at most %d",
			 json_array_size(json_object_get(*root, "scans")),
			 SERVER_SCANS_MAX);
		status = 413;
	}
	if (status) {
		json_decref(*root);
		*root = NULL;
	}
	return status;
}

int
api_scans_start(struct conn *c, json_t *arr, int64_t now, json_t **bad,
		struct ocop_error *err)
{
	struct ocop_store *st;
	size_t n = json_array_size(arr), nbad = 0;
	char msg[256];
	int rc;

	*bad = NULL;
	if (!(st = server_store(c->srv, err)))
		return OCOP_EINTERNAL;
	free(c->scans);
	free(c->dups);
	c->scans = ocop_xcalloc(n ? n : 1, sizeof(*c->scans));
	c->dups = ocop_xcalloc(n ? n : 1, sizeof(*c->dups));
	c->nscans = n;
	if ((rc = st->m->read_begin(st, err)) < 0)
		return rc;
	*bad = json_array();
	for (size_t i = 0; i < n; i++) {
		rc = scan_item(st, json_array_get(arr, i), &c->scans[i], now,
			       msg, sizeof(msg), err);
		if (rc < -1) {
			st->m->read_end(st);
			json_decref(*bad);
			*bad = NULL;
			return rc;
		}
		if (rc < 0) {
			nbad++;
			json_array_append_new(*bad, json_pack("{s:i,s:s}",
							      "index", (int)i,
							      "message", msg));
			continue;
		}
		server_fill_client(c, &c->scans[i]);
	}
	st->m->read_end(st);
	if (nbad)
		return -1;
	json_decref(*bad);
	*bad = NULL;
	if (n == 0)
		return 0;
	memset(&c->batch_job, 0, sizeof(c->batch_job));
	c->batch_job.scans = c->scans;
	c->batch_job.n = n;
	c->batch_job.duplicate = c->dups;
	c->batch_job.want_stats = 0;
	c->job = &c->batch_job;
	server_submit(c);
	return 1;
}

int
api_scans(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	json_t *root, *bad;
	char msg[256];
	int rc;

	(void)method;
	if (c->too_big) {
		http_resp_error(resp, 413, "request body over %zu bytes",
				SERVER_BODY_MAX);
		return 0;
	}
	rc = server_scans_load(c->body.data ? c->body.data : "", c->body.len,
			       &root, msg, sizeof(msg));
	if (rc > 0) {
		http_resp_error(resp, rc, "%s", msg);
		return 0;
	}
	rc = api_scans_start(c, json_object_get(root, "scans"), ocop_now(),
			     &bad, &err);
	json_decref(root);
	if (rc == 1)
		return 1;
	if (rc == 0) {
		json_t *o = json_pack("{s:[]}", "results");

		server_resp_json(resp, 200, o);
		json_decref(o);
	} else if (rc == -1) {
		bad_items(resp, bad, json_array_size(bad));
		json_decref(bad);
	} else {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
	}
	return 0;
}

void
api_scans_resume(struct conn *c, struct http_resp *resp)
{
	json_t *o, *results;

	if (c->batch_job.rc < 0) {
		http_resp_error(resp, http_fail_status(resp, c->batch_job.rc),
				"cannot store the scans (none stored): %s",
				c->batch_job.err.msg);
		return;
	}
	results = json_array();
	for (size_t i = 0; i < c->nscans; i++) {
		const struct ocop_scan *s = &c->scans[i];

		json_array_append_new(
		    results, json_pack("{s:s,s:s,s:s,s:s,s:b}", "id",
				       s->client_id, "serial", s->code,
				       "verdict", ocop_verdict_name(s->verdict),
				       "reason", ocop_reason_name(s->reason),
				       "duplicate", c->dups[i]));
	}
	o = json_pack("{s:o}", "results", results);
	server_resp_json(resp, 200, o);
	json_decref(o);
}

/* ---- /api/v1/reports/{name} --------------------------------------------- */

struct report_args {
	struct report_opts *opts;
	enum report_format fmt;
	struct ocop_error err;
	int bad;
};

static enum MHD_Result
report_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	   const char *value)
{
	struct report_args *a = cls;
	int rc;

	(void)kind;
	if (a->bad)
		return MHD_NO;
	if (strcmp(key, "format") == 0) {
		if (report_format_parse(value ? value : "", &a->fmt, &a->err) <
		    0)
			a->bad = 1;
		return a->bad ? MHD_NO : MHD_YES;
	}
	rc = report_opts_set(a->opts, key, value ? value : "", &a->err);
	if (rc < 0 && rc != OCOP_ENOENT)
		a->bad = 1;
	return a->bad ? MHD_NO : MHD_YES;
}

static void
report_answer(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct report_opts opts;
	struct report_args args = {0};
	struct ocop_store *st;
	const char *name = c->arg[0];
	int rc;

	if (!report_exists(name)) {
		http_resp_error(resp, 404, "unknown report '%.40s'", name);
		return;
	}
	report_opts_init(&opts);
	args.opts = &opts;
	args.fmt = REPORT_JSON;
	MHD_get_connection_values(c->mhd, MHD_GET_ARGUMENT_KIND, report_arg,
				  &args);
	if (args.bad) {
		http_resp_error(resp, 400, "%s", args.err.msg);
		return;
	}
	if (!(st = server_store(c->srv, &err))) {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
		return;
	}
	rc = report_render(st, name, &opts, args.fmt, &resp->body, &err);
	if (rc < 0) {
		http_resp_error(resp,
				rc == OCOP_ENOENT ? 404
				: rc == OCOP_EINVAL
				    ? 400
				    : http_fail_status(resp, rc),
				"%s", err.msg);
		return;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, report_content_type(args.fmt),
		     sizeof(resp->content_type));
	http_resp_header(resp, "Cache-Control", "no-store");
}

int
api_label(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	return label_record(c, resp);
}

int
api_report(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	report_answer(c, resp);
	return 0;
}

/* ---- /healthz, /metrics ----------------------------------------------------
 */

/*
 * Whether this node can serve, for a load balancer's health check and the
 * operator's monitoring: the database read now (a setting, on the
 * thread's handle as any page reads it) and the scan writer's groups not
 * failing within the last HTTP_RETRY_AFTER seconds (one that failed
 * longer ago with nothing tried since is given the benefit of the doubt,
 * so that a balancer sends the node scans again). 200 when both hold,
 * else 503 with Retry-After; the body says which failed, never why: the
 * log has the cause (metrics_database).
 */
int
api_healthz(struct conn *c, const char *method, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	char url[512];
	int reads = 0, scans;

	(void)method;
	if ((st = server_store(c->srv, &err))) {
		int rc =
		    st->m->meta_get(st, "base_url", url, sizeof(url), &err);

		metrics_database(c->srv->metrics, METRICS_READS, rc, &err, 0);
		reads = rc == 0 || rc == OCOP_ENOENT;
	}
	scans = !metrics_database_failing(c->srv->metrics, METRICS_SCANS,
					  HTTP_RETRY_AFTER);
	resp->status = reads && scans ? 200 : 503;
	if (resp->status == 503)
		http_resp_header(resp, "Retry-After", "%d", HTTP_RETRY_AFTER);
	ocop_strlcpy(resp->content_type, "application/json",
		     sizeof(resp->content_type));
	ocop_buf_addf(&resp->body,
		      "{\"status\":\"%s\",\"database\":\"%s\","
		      "\"scans\":\"%s\"}\n",
		      reads && scans ? "ok" : "unavailable",
		      reads ? "ok" : "failing", scans ? "ok" : "failing");
	http_resp_header(resp, "Cache-Control", "no-store");
	return 0;
}

int
api_metrics(struct conn *c, const char *method, struct http_resp *resp)
{
	(void)method;
	resp->status = 200;
	ocop_strlcpy(resp->content_type,
		     "text/plain; version=0.0.4; charset=utf-8",
		     sizeof(resp->content_type));
	metrics_render(c->srv->metrics, scanlog_depth(c->srv->scanlog),
		       (size_t)atomic_load(&c->srv->in_flight), &resp->body);
	return 0;
}
