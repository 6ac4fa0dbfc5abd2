/*
 * server.c - the HTTP service (see server.h and SPEC 5).
 *
 * libmicrohttpd calls handle() several times per request: the first call
 * only sets the request up (queueing a response there would make 0.9.75
 * close the connection: a third of the throughput), POST bodies arrive in
 * the middle calls, and the work is done on the last. A request that
 * records scans hands them to the scan-log writer and suspends its
 * connection; the writer resumes it after the commit and the next call
 * answers. So an answer never precedes the durability of its scan.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "metrics.h"
#include "page.h"
#include "ratelimit.h"
#include "record.h"
#include "registry.h"
#include "report.h"
#include "resolver.h"
#include "scanlog.h"
#include "server.h"
#include "store/store.h"
#include "token.h"

#define MAX_THREADS 16
#define DISCARD_MAX ((size_t)8 << 20) /* past this an oversize body closes */

struct server {
	struct server_config cfg;
	char db_path[4096];
	char base_url[256];
	/* ocop init --operator/--contact as read at start (site_of) */
	char operator_name[256];
	char contact[512];
	struct MHD_Daemon *mhd;
	int listen_fd;
	int networked; /* the engine's (store.h) */
	struct scanlog *scanlog;
	struct ratelimit *rl;
	struct metrics *metrics;
	atomic_long in_flight;
	/* the token key, loaded on first use (tokens may be made while the
	 * server runs) */
	pthread_mutex_t key_mu;
	int have_key;
	unsigned char key[TOKEN_KEY_LEN];
	/* the request threads' stores (struct reader), closed at stop */
	pthread_mutex_t st_mu;
	struct reader *readers[MAX_THREADS * 2 + 4];
	size_t nreaders;
	/* the scan-log writer's, for the consumer scans it judges */
	struct record_cache *writer_cache;
};

enum conn_state {
	CONN_NEW = 0,
	CONN_BODY,    /* receiving a POST body */
	CONN_WAITING, /* suspended until the scan log commits */
	CONN_DONE,    /* response queued */
};

enum job_state { JOB_NONE = 0, JOB_PENDING, JOB_COMMITTED };

/* A consumer scan waiting for the writer: made only for GET /L/...
 * The writer judges it (label_prepare) in the transaction that stores
 * it. */
struct pending {
	struct scanlog_job job;
	struct ocop_scan scan;
	int dup;
	int64_t count, first_at;
	struct ocop_code code;
	int64_t now;
	int lookup_rc; /* the judging's failure: err says why */
	struct ocop_error err;
	struct ocop_record rec; /* the record being answered */
};

/* One request's state, made by the URI logger before any other call;
 * small, since every request makes one. */
struct conn {
	struct server *srv;
	struct MHD_Connection *mhd;
	enum conn_state state;
	enum metrics_route route;
	char *query; /* as sent, without '?'; "" when none */
	int bad_uri; /* a '%' without two hex digits, or an encoded NUL */
	char net[RATELIMIT_NET_MAX];
	struct ocop_buf body;
	int too_big;
	/* a suspended scan (consumer GET or inspector POST) */
	atomic_int job_state;
	struct scanlog_job *job;
	struct pending *pending;
	int want_json;
	int html; /* errors are pages (page routes, browsers elsewhere) */
	char lang[4];
	char self_path[64];
	/* inspector POST: items and their answers */
	struct scanlog_job batch_job;
	struct ocop_scan *scans;
	int *dups;
	size_t nscans;
};

/*
 * A request thread's store and its record cache. The store is opened
 * OCOP_STORE_READER: each handler call reads inside one read_begin /
 * read_end (thread_store, reader_release), and the engine decides how
 * long a snapshot lives between them (store.h: a read begun after a scan
 * was acknowledged sees it).
 */
struct reader {
	struct ocop_store *st;
	struct record_cache *cache;
};

static char empty_query[] = "";
static _Thread_local struct server *tls_srv;
static _Thread_local struct reader *tls_reader;
static _Thread_local int tls_held; /* tls_reader->st is in a read */
static _Thread_local struct record_cache *tls_cache;

/* ---- helpers ------------------------------------------------------------ */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct reader *
reader_new(struct server *srv, struct ocop_error *err)
{
	struct reader *r = ocop_xcalloc(1, sizeof(*r));

	if (ocop_store_open(srv->db_path, OCOP_STORE_READER, &r->st, err) <
	    0) {
		free(r);
		return NULL;
	}
	r->cache = record_cache_new();
	pthread_mutex_lock(&srv->st_mu);
	if (srv->nreaders >= sizeof(srv->readers) / sizeof(srv->readers[0])) {
		pthread_mutex_unlock(&srv->st_mu);
		ocop_store_close(r->st);
		record_cache_free(r->cache);
		free(r);
		ocop_error_set(err, OCOP_EINTERNAL, "too many store handles");
		return NULL;
	}
	srv->readers[srv->nreaders++] = r;
	pthread_mutex_unlock(&srv->st_mu);
	return r;
}

/* The calling thread's store, in a read for the rest of the handler call
 * (until reader_release). */
static struct ocop_store *
thread_store(struct server *srv, struct ocop_error *err)
{
	struct reader *r = tls_srv == srv ? tls_reader : NULL;

	if (!r) {
		if (!(r = reader_new(srv, err)))
			return NULL;
		tls_srv = srv;
		tls_reader = r;
		tls_cache = r->cache;
	}
	if (!tls_held) {
		if (r->st->m->read_begin(r->st, err) < 0)
			return NULL;
		tls_held = 1;
	}
	return r->st;
}

/*
 * Who runs the service, as the pages show it (page.h): each request thread
 * keeps a copy that it reads again from the store at most every
 * SITE_MAX_AGE seconds, so that 'ocop init --operator/--contact' reaches
 * a running server without a restart or a read per page.
 */
#define SITE_MAX_AGE 1.0

struct site_copy {
	const struct server *srv;
	double read_at;
	char operator_name[256];
	char contact[512];
	struct page_site site;
};
static _Thread_local struct site_copy tls_site;

static const struct page_site *
site_of(struct server *srv)
{
	struct site_copy *s = &tls_site;
	struct ocop_error err = {0};
	struct ocop_store *st;
	char op[sizeof(s->operator_name)], contact[sizeof(s->contact)];
	double now = mono();

	if (s->srv != srv) {
		/* the values read at start until the first read succeeds */
		s->srv = srv;
		s->read_at = now - SITE_MAX_AGE;
		ocop_strlcpy(s->operator_name, srv->operator_name,
			     sizeof(s->operator_name));
		ocop_strlcpy(s->contact, srv->contact, sizeof(s->contact));
		s->site.operator_name = s->operator_name;
		s->site.contact = s->contact;
	}
	if (now - s->read_at < SITE_MAX_AGE)
		return &s->site;
	/* on failure the copy stays as it was: the pages still render */
	s->read_at = now;
	if ((st = thread_store(srv, &err)) &&
	    st->m->meta_get(st, "operator", op, sizeof(op), &err) == 0 &&
	    st->m->meta_get(st, "contact", contact, sizeof(contact), &err) ==
		0) {
		ocop_strlcpy(s->operator_name, op, sizeof(s->operator_name));
		ocop_strlcpy(s->contact, contact, sizeof(s->contact));
	}
	return &s->site;
}

/* The end of a handler call: the thread's read ends. */
static void
reader_release(void)
{
	if (tls_held) {
		tls_held = 0;
		tls_reader->st->m->read_end(tls_reader->st);
	}
}

static const char *
header(struct MHD_Connection *mhd, const char *name)
{
	return MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, name);
}

static const char *
req_arg(const struct http_req *req, const char *name)
{
	const struct conn *c = req->impl;

	return MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND,
					   name);
}

static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
		       (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) &&
			in6->sin6_addr.s6_addr[12] == 127);
	}
	return 0;
}

/*
 * The client's network. Behind a TLS proxy on the same host every peer is
 * loopback, so for a loopback peer the last X-Forwarded-For address (the
 * one the proxy saw) is the client.
 */
static void
client_net(struct MHD_Connection *mhd, char *out)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa = NULL;
	const char *xff;

	ci = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci)
		sa = ci->client_addr;
	if (sa && is_loopback(sa) &&
	    (xff = header(mhd, "X-Forwarded-For")) != NULL) {
		const char *last = strrchr(xff, ',');
		char ip[64];
		size_t n;

		last = last ? last + 1 : xff;
		while (*last == ' ' || *last == '\t')
			last++;
		n = strcspn(last, " \t");
		if (n < sizeof(ip)) {
			memcpy(ip, last, n);
			ip[n] = '\0';
			if (ratelimit_net_of_text(ip, out) == 0)
				return;
		}
	}
	ratelimit_net_of_sockaddr(sa, out);
}

/* Case-insensitive path prefix; returns what follows it or NULL. */
static const char *
after_prefix(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncasecmp(path, prefix, n) == 0 ? path + n : NULL;
}

static enum metrics_route
route_of(const char *path)
{
	if (strcmp(path, "/") == 0 || strcasecmp(path, "/l") == 0 ||
	    strcasecmp(path, "/l/") == 0)
		return METRICS_ROUTE_HOME;
	if (after_prefix(path, "/l/"))
		return METRICS_ROUTE_LABEL;
	if (after_prefix(path, "/p/"))
		return METRICS_ROUTE_PRODUCT;
	if (resolver_owns(path))
		return METRICS_ROUTE_RESOLVER;
	if (strncmp(path, "/api/v1/labels/", 15) == 0)
		return METRICS_ROUTE_API_LABEL;
	if (strcmp(path, "/api/v1/scans") == 0 ||
	    strcmp(path, "/api/v1/scans/") == 0)
		return METRICS_ROUTE_API_SCANS;
	if (strncmp(path, "/api/v1/reports/", 16) == 0)
		return METRICS_ROUTE_REPORTS;
	if (strcmp(path, "/healthz") == 0)
		return METRICS_ROUTE_HEALTHZ;
	if (strcmp(path, "/metrics") == 0)
		return METRICS_ROUTE_METRICS;
	return METRICS_ROUTE_OTHER;
}

/* record_lookup through the thread's cache of products and histories
 * (st is the thread's store): the label, its batch and scans are one
 * read, and the product's part is read again only when the registry has
 * changed since. */
static int
lookup(struct ocop_store *st, const struct ocop_code *code, int64_t at,
       struct ocop_record *rec, struct ocop_error *err)
{
	return record_lookup_cached(st, tls_cache, code, at, rec, err);
}

/* A record as JSON into resp, written directly (record_json_write). */
static void
resp_record(struct http_resp *resp, int status,
	    const struct ocop_record *rec)
{
	resp->status = status;
	ocop_strlcpy(resp->content_type, "application/json",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	if (record_json_write(rec, &resp->body) < 0) {
		http_resp_error(resp, 500, "cannot build the JSON answer");
		return;
	}
	ocop_buf_add(&resp->body, "\n", 1);
}

/* Put a JSON value into resp (one pass into a stack buffer when it fits,
 * as record JSON does). */
static void
resp_json(struct http_resp *resp, int status, json_t *j)
{
	char small[4096];
	size_t n = j ? json_dumpb(j, small, sizeof(small), JSON_COMPACT) : 0;
	char *big;

	if (n == 0) {
		http_resp_error(resp, 500, "cannot build the JSON answer");
		return;
	}
	resp->status = status;
	ocop_strlcpy(resp->content_type, "application/json",
		     sizeof(resp->content_type));
	resp->body.len = 0;
	if (n <= sizeof(small)) {
		ocop_buf_add(&resp->body, small, n);
	} else {
		big = json_dumps(j, JSON_COMPACT);
		if (!big) {
			http_resp_error(resp, 500,
					"cannot build the JSON answer");
			return;
		}
		ocop_buf_adds(&resp->body, big);
		free(big);
	}
	ocop_buf_add(&resp->body, "\n", 1);
}

/* ---- access control: the single table of who may do what ------------- */

#define ROLE(r) (1u << (r))

static const struct access_rule {
	enum metrics_route route;
	unsigned roles; /* the roles allowed */
	const char *action;
} access_rules[] = {
	{METRICS_ROUTE_API_SCANS, ROLE(OCOP_ROLE_ADMIN) | ROLE(OCOP_ROLE_INSPECTOR),
	 "record scans"},
	{METRICS_ROUTE_REPORTS, ROLE(OCOP_ROLE_ADMIN) | ROLE(OCOP_ROLE_INSPECTOR),
	 "read reports"},
};

static const struct access_rule *
access_rule_of(enum metrics_route route)
{
	for (size_t i = 0; i < sizeof(access_rules) / sizeof(access_rules[0]);
	     i++)
		if (access_rules[i].route == route)
			return &access_rules[i];
	return NULL;
}

static int
load_key(struct server *srv, struct ocop_store *st, struct ocop_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&srv->key_mu);
	if (!srv->have_key) {
		rc = token_key_load(st, srv->key, err);
		if (rc == 0)
			srv->have_key = 1;
	}
	pthread_mutex_unlock(&srv->key_mu);
	return rc;
}

/*
 * Check the bearer token for the route's rule. 0 when allowed; otherwise
 * resp holds the 401/403/500 and a negative code is returned.
 */
static int
authorize(struct server *srv, struct MHD_Connection *mhd,
	  const struct access_rule *rule, struct http_resp *resp,
	  enum ocop_role *role_out, int64_t *producer_out)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	const char *tok;
	enum ocop_role role = OCOP_ROLE_NONE;
	int64_t producer = 0;
	size_t len = 0;
	int rc;

	tok = token_from_header(header(mhd, MHD_HTTP_HEADER_AUTHORIZATION),
				&len);
	if (!tok || len == 0) {
		http_resp_error(resp, 401,
				"missing token: send 'Authorization: Bearer "
				"TOKEN' (ocop token create)");
		http_resp_header(resp, "WWW-Authenticate", "Bearer");
		return OCOP_EAUTH;
	}
	if (!(st = thread_store(srv, &err))) {
		http_resp_error(resp, 500, "%s", err.msg);
		return OCOP_EINTERNAL;
	}
	rc = load_key(srv, st, &err);
	if (rc == OCOP_ENOENT) {
		rc = ocop_error_set(&err, OCOP_EAUTH, "unknown token");
	} else if (rc == 0) {
		rc = token_check(st, srv->key, tok, len, &role, &producer,
				 &err);
	}
	if (rc == OCOP_EAUTH) {
		http_resp_error(resp, 401, "bad token: %s", err.msg);
		http_resp_header(resp, "WWW-Authenticate",
				 "Bearer error=\"invalid_token\"");
		return rc;
	}
	if (rc < 0) {
		http_resp_error(resp, 500, "cannot check token: %s", err.msg);
		return rc;
	}
	if (!(rule->roles & ROLE(role))) {
		http_resp_error(resp, 403,
				"a token of role '%s' may not %s (inspector or "
				"admin only)",
				ocop_role_name(role), rule->action);
		return OCOP_EFORBID;
	}
	if (role_out)
		*role_out = role;
	if (producer_out)
		*producer_out = producer;
	return 0;
}

/* ---- sending -------------------------------------------------------------- */

static enum MHD_Result
send_resp(struct conn *c, struct http_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t len;
	char *data = ocop_buf_detach(&r->body, &len);

	mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!mr) {
		free(data);
		return MHD_NO;
	}
	if (r->content_type[0])
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
					r->content_type);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(mr, r->headers[i].name,
					r->headers[i].value);
	ret = MHD_queue_response(c->mhd, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	metrics_request(c->srv->metrics, c->route, r->status);
	c->state = CONN_DONE;
	return ret;
}

/* ---- scans: hand to the writer, suspend, resume ------------------------- */

static void
job_done(struct scanlog_job *job)
{
	struct conn *c = job->ctx;

	atomic_store(&c->job_state, JOB_COMMITTED);
	MHD_resume_connection(c->mhd);
}

/* Suspend c and queue its job. Returns 0, or an error code when the job
 * could not be queued (the connection is then resumed right away and
 * job->rc says why). */
static void
submit_job(struct conn *c)
{
	c->job->done = job_done;
	c->job->ctx = c;
	atomic_store(&c->job_state, JOB_PENDING);
	c->state = CONN_WAITING;
	/* suspend first: the writer may finish before this call returns,
	 * and a resume must not come before its suspend */
	MHD_suspend_connection(c->mhd);
	if (scanlog_submit(c->srv->scanlog, c->job) < 0) {
		c->job->rc = OCOP_EREFUSED;
		atomic_store(&c->job_state, JOB_COMMITTED);
		MHD_resume_connection(c->mhd);
	}
}

static void
fill_client(struct conn *c, struct ocop_scan *s)
{
	ocop_strlcpy(s->net, c->net, sizeof(s->net));
	ocop_strlcpy(s->ua,
		     scanlog_ua_family(header(c->mhd,
					      MHD_HTTP_HEADER_USER_AGENT)),
		     sizeof(s->ua));
}

/* ---- /L/{serial} ------------------------------------------------------------ */

static void
label_answer(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_record *rec = &c->pending->rec;
	int status = rec->verdict == OCOP_UNKNOWN ? 404 : 200;

	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	http_resp_header(resp, "Cache-Control", "no-store");
	if (c->want_json) {
		resp_record(resp, status, rec);
		return;
	}
	resp->status = status;
	ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
		     sizeof(resp->content_type));
	if (page_label(rec, site_of(c->srv), c->lang, c->self_path, &resp->body,
		       &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
}

/*
 * An error in the request's form: a page in the page's language (detail,
 * in that language, may be NULL for the status's own words) when c->html,
 * else the JSON error with the message fmt.
 */
static void consumer_fail(struct conn *c, struct http_resp *resp, int status,
			  const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
consumer_fail(struct conn *c, struct http_resp *resp, int status,
	      const char *detail, const char *fmt, ...)
{
	struct ocop_error err = {0};
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	if (c->html) {
		resp->status = status;
		ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
			     sizeof(resp->content_type));
		resp->body.len = 0;
		if (page_error(site_of(c->srv), c->lang, status, detail,
			       c->self_path[0] ? c->self_path : "/",
			       &resp->body, &err) == 0)
			return;
	}
	http_resp_error(resp, status, "%s", msg);
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
	if (page_home(site_of(c->srv), c->lang, typed, problem, &resp->body,
		      &err) < 0)
		http_resp_error(resp, 500, "cannot render page: %s", err.msg);
}

/* The routes that answer people with pages (page.h). */
static int
page_route(enum metrics_route route)
{
	return route == METRICS_ROUTE_LABEL || route == METRICS_ROUTE_PRODUCT ||
	       route == METRICS_ROUTE_HOME;
}

static void
negotiate(struct conn *c)
{
	c->want_json = http_accepts(header(c->mhd, MHD_HTTP_HEADER_ACCEPT),
				    "application/json");
	ocop_strlcpy(c->lang,
		     page_lang(MHD_lookup_connection_value(
				       c->mhd, MHD_GET_ARGUMENT_KIND, "lang"),
			       header(c->mhd,
				      MHD_HTTP_HEADER_ACCEPT_LANGUAGE)),
		     sizeof(c->lang));
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
	rc = record_lookup_cached(st, c->srv->writer_cache, &pd->code,
				  pd->now, &pd->rec, &pd->err);
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

/* Returns 1 when the request was suspended (answer later), else 0 with
 * resp filled. */
static int
handle_label(struct conn *c, const char *method, const char *path,
	     struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_code code;
	struct pending *pd;
	struct ocop_scan *s;
	char input[128];
	const char *p = after_prefix(path, "/l/");
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
	pd = c->pending = ocop_xmalloc(sizeof(*pd));
	if (strcmp(method, "HEAD") == 0) {
		/* nothing stored: judged here */
		if (!(st = thread_store(c->srv, &err))) {
			consumer_fail(c, resp, 500, NULL, "%s", err.msg);
			return 0;
		}
		rc = lookup(st, &code, now, &pd->rec, &err);
		if (rc < 0) {
			consumer_fail(c, resp, rc == OCOP_EINVAL ? 422 : 500,
				      NULL, "cannot verify '%s': %s",
				      code.serial, err.msg);
			return 0;
		}
		label_answer(c, resp);
		return 0;
	}
	/* the scan: coarse client data only; the writer judges it (on a
	 * networked engine, this thread) */
	pd->code = code;
	pd->now = now;
	pd->lookup_rc = 0;
	s = &pd->scan;
	memset(s, 0, sizeof(*s));
	fill_client(c, s);
	memset(&pd->job, 0, sizeof(pd->job));
	pd->job.scans = s;
	pd->job.n = 1;
	pd->job.duplicate = &pd->dup;
	pd->count = 0;
	pd->first_at = OCOP_NO_TIME;
	if (c->srv->networked) {
		/* judged here, where threads wait for the database side by
		 * side; the writer sends the inserts as one pipeline and
		 * returns the label's count after the scan */
		if (!(st = thread_store(c->srv, &err))) {
			consumer_fail(c, resp, 500, NULL, "%s", err.msg);
			return 0;
		}
		rc = lookup(st, &code, now, &pd->rec, &err);
		if (rc < 0) {
			consumer_fail(c, resp, rc == OCOP_EINVAL ? 422 : 500,
				      NULL, "cannot verify '%s': %s",
				      code.serial, err.msg);
			return 0;
		}
		scan_of_record(pd);
		pd->job.want_stats = 1;
		pd->job.count = &pd->count;
		pd->job.first_at = &pd->first_at;
	} else {
		pd->job.prepare = label_prepare; /* counts the scans too */
	}
	c->job = &pd->job;
	submit_job(c);
	return 1;
}

/* Connections: at most SERVER_CONN_LIMIT open, SERVER_CONN_PER_IP from
 * one address, each closed after SERVER_IDLE_TIMEOUT seconds without a
 * byte. */
#define SERVER_CONN_LIMIT 4000
#define SERVER_CONN_PER_IP 512
#define SERVER_IDLE_TIMEOUT 10

/* Seconds a client is asked to wait when scans cannot be stored. */
#define SERVER_STORE_RETRY_AFTER 30

/* Whether a scan job failed for a cause that passes (SPEC 11): the disk
 * full, the database read-only or locked, the service stopping. The
 * client is asked to try again (503, Retry-After), never told 500. */
static int
scan_store_unavailable(int rc)
{
	return rc == OCOP_EOUTPUT || rc == OCOP_EUNREACH ||
	       rc == OCOP_EREFUSED;
}

static void
label_after_commit(struct conn *c, struct http_resp *resp)
{
	struct pending *pd = c->pending;

	if (pd->lookup_rc < 0) {
		consumer_fail(c, resp, pd->lookup_rc == OCOP_EINVAL ? 422 : 500,
			      NULL, "cannot verify '%s': %s", pd->code.serial,
			      pd->err.msg);
		return;
	}
	if (pd->job.rc < 0 && scan_store_unavailable(pd->job.rc)) {
		/* a scan is answered only once stored (SPEC 5): the
		 * shopper is asked to check again in a moment */
		consumer_fail(c, resp, 503,
			      strcmp(c->lang, "en") == 0
				  ? "This check could not be recorded just "
				    "now, so it cannot be answered. Please "
				    "check again in a minute."
				  : "Lượt kiểm tra này tạm thời chưa ghi lại "
				    "được nên chưa thể trả lời. Hãy kiểm tra "
				    "lại sau một phút.",
			      "cannot record the scan: %s", pd->job.err.msg);
		http_resp_header(resp, "Retry-After", "%d",
				 SERVER_STORE_RETRY_AFTER);
		return;
	}
	if (pd->job.rc < 0) {
		consumer_fail(c, resp, 500, NULL, "cannot record the scan: %s",
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
handle_home(struct conn *c, const char *path, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_code code;
	const char *typed = NULL, *lang_arg;
	char where[128], q[16] = "";

	if (strcmp(path, "/") != 0)
		typed = MHD_lookup_connection_value(c->mhd,
						    MHD_GET_ARGUMENT_KIND,
						    "code");
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
		if (page_home(site_of(c->srv), c->lang, NULL, NULL, &resp->body,
			      &err) < 0)
			http_resp_error(resp, 500, "cannot render page: %s",
					err.msg);
		return;
	}
	lang_arg = MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND,
					       "lang");
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
handle_product(struct conn *c, const char *path, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_product prod;
	struct ocop_history h;
	char gtin[15], self[32];
	const char *p = after_prefix(path, "/p/");
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
		consumer_fail(c, resp, 400,
			      strcmp(c->lang, "en") == 0
				  ? "A product code (GTIN) has 8, 12, 13 "
				    "or 14 digits, the last a check digit."
				  : "Mã sản phẩm (GTIN) gồm 8, 12, 13 hoặc "
				    "14 chữ số, chữ số cuối để kiểm tra.",
			      "%s", err.msg);
		return;
	}
	if (!(st = thread_store(c->srv, &err))) {
		consumer_fail(c, resp, 500, NULL, "%s", err.msg);
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
		consumer_fail(c, resp, 404, msg, "unknown GTIN %s", gtin);
		return;
	}
	if (rc < 0) {
		consumer_fail(c, resp, 500, NULL, "%s", err.msg);
		return;
	}
	ocop_history_init(&h);
	if ((rc = registry_history(st, prod.id, &h, &err)) < 0) {
		ocop_history_release(&h);
		consumer_fail(c, resp, 500, NULL, "%s", err.msg);
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
			      j.verdict == OCOP_VALID ? "in_force"
						      : ocop_verdict_name(
								j.verdict));
		if (o && j.rec >= 0) {
			const struct ocop_recognition *r = &h.recs[j.rec];
			char d1[16], d2[16], d3[16];

			json_object_set_new(
				o, "recognition",
				json_pack("{s:i,s:s,s:s,s:s,s:s}", "stars",
					  r->stars, "decision_no",
					  r->decision_no, "decided_on",
					  ocop_day_format(r->decided_on, d1),
					  "valid_from",
					  ocop_day_format(r->valid_from, d2),
					  "valid_until",
					  ocop_day_format(r->end, d3)));
		}
		resp_json(resp, 200, o);
		json_decref(o);
	} else {
		snprintf(self, sizeof(self), "/P/%s", gtin);
		resp->status = 200;
		ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
			     sizeof(resp->content_type));
		if (page_product(&prod, &h, now, site_of(c->srv), c->lang, self,
				 &resp->body, &err) < 0)
			http_resp_error(resp, 500, "cannot render page: %s",
					err.msg);
	}
	ocop_history_release(&h);
}

/* ---- /api/v1/labels/{serial} --------------------------------------------- */

static void
handle_api_label(struct conn *c, const char *path, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	struct ocop_code code;
	struct ocop_record *rec;
	const char *at_s;
	int64_t at = ocop_now();
	int rc;

	http_resp_header(resp, "Cache-Control", "no-store");
	if (ocop_code_parse(path + 15, &code, &err) < 0 ||
	    code.kind != OCOP_CODE_SERIAL) {
		if (!err.msg[0])
			ocop_error_set(&err, OCOP_EINVAL,
				       "'%.64s' is not a label serial",
				       path + 15);
		http_resp_error(resp, 400, "invalid serial: %s", err.msg);
		return;
	}
	at_s = MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND, "at");
	if (at_s && ocop_time_parse(at_s, &at, &err) < 0) {
		http_resp_error(resp, 422, "invalid 'at': %s", err.msg);
		return;
	}
	if (!(st = thread_store(c->srv, &err))) {
		http_resp_error(resp, 500, "%s", err.msg);
		return;
	}
	rec = ocop_xmalloc(sizeof(*rec));
	rc = lookup(st, &code, at, rec, &err);
	if (rc == OCOP_EINVAL) {
		http_resp_error(resp, 422, "invalid 'at': %s", err.msg);
	} else if (rc < 0) {
		http_resp_error(resp, 500, "%s", err.msg);
	} else {
		resp_record(resp, rec->verdict == OCOP_UNKNOWN ? 404 : 200,
			    rec);
	}
	free(rec);
}

/* ---- POST /api/v1/scans ------------------------------------------------------ */

static const char *const item_fields[] = {"id",	  "code", "scanned_at",
					  "place",    "province", "lat",
					  "lon",      NULL};

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
		snprintf(msg, msz, "'id' must be 1 to 128 printable ASCII "
				   "characters");
		return -1;
	}
	v = json_object_get(it, "code");
	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(msg, msz, "'code' is required (a serial or label URL)");
		return -1;
	}
	cs = json_string_value(v);
	if (json_string_length(v) > 512 || strlen(cs) != json_string_length(v)) {
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
		snprintf(msg, msz, "'scanned_at' is required (RFC 3339 with an "
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
		snprintf(msg, msz, "'scanned_at' is more than a day in the "
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
scan_item(struct ocop_store *st, json_t *it, struct ocop_scan *s,
	  int64_t now, char *msg, size_t msz, struct ocop_error *err)
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
		ocop_buf_addf(&m, "%sitem %lld: %s", i ? "; " : "",
			      (long long)json_integer_value(
				      json_object_get(v, "index")),
			      json_string_value(json_object_get(v, "message")));
	}
	json_object_set_new(e, "status", json_integer(422));
	json_object_set_new(e, "message", json_string(m.data ? m.data : ""));
	json_object_set(e, "items", items);
	json_object_set_new(o, "error", e);
	resp_json(resp, 422, o);
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

static int
handle_scans(struct conn *c, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	json_t *root, *arr, *bad;
	size_t n, nbad = 0;
	int64_t now = ocop_now();
	char msg[256];
	int rc;

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
	arr = json_object_get(root, "scans");
	n = json_array_size(arr);
	if (!(st = thread_store(c->srv, &err))) {
		http_resp_error(resp, 500, "%s", err.msg);
		json_decref(root);
		return 0;
	}
	c->scans = ocop_xcalloc(n ? n : 1, sizeof(*c->scans));
	c->dups = ocop_xcalloc(n ? n : 1, sizeof(*c->dups));
	c->nscans = n;
	if (st->m->read_begin(st, &err) < 0) {
		http_resp_error(resp, 500, "%s", err.msg);
		json_decref(root);
		return 0;
	}
	bad = json_array();
	for (size_t i = 0; i < n; i++) {
		rc = scan_item(st, json_array_get(arr, i), &c->scans[i], now,
			       msg, sizeof(msg), &err);
		if (rc < -1) {
			st->m->read_end(st);
			http_resp_error(resp, 500, "%s", err.msg);
			json_decref(bad);
			json_decref(root);
			return 0;
		}
		if (rc < 0) {
			nbad++;
			json_array_append_new(bad, json_pack("{s:i,s:s}",
							     "index", (int)i,
							     "message", msg));
			continue;
		}
		fill_client(c, &c->scans[i]);
	}
	st->m->read_end(st);
	json_decref(root);
	if (nbad) {
		bad_items(resp, bad, nbad);
		json_decref(bad);
		return 0;
	}
	json_decref(bad);
	if (n == 0) {
		json_t *o = json_pack("{s:[]}", "results");

		resp_json(resp, 200, o);
		json_decref(o);
		return 0;
	}
	c->batch_job.scans = c->scans;
	c->batch_job.n = n;
	c->batch_job.duplicate = c->dups;
	c->batch_job.want_stats = 0;
	c->job = &c->batch_job;
	submit_job(c);
	return 1;
}

static void
scans_after_commit(struct conn *c, struct http_resp *resp)
{
	json_t *o, *results;

	if (c->batch_job.rc < 0) {
		int unavailable = scan_store_unavailable(c->batch_job.rc);

		http_resp_error(resp, unavailable ? 503 : 500,
				"cannot store the scans (none stored): %s",
				c->batch_job.err.msg);
		if (unavailable)
			http_resp_header(resp, "Retry-After", "%d",
					 SERVER_STORE_RETRY_AFTER);
		return;
	}
	results = json_array();
	for (size_t i = 0; i < c->nscans; i++) {
		const struct ocop_scan *s = &c->scans[i];

		json_array_append_new(
			results,
			json_pack("{s:s,s:s,s:s,s:s,s:b}", "id", s->client_id,
				  "serial", s->code, "verdict",
				  ocop_verdict_name(s->verdict), "reason",
				  ocop_reason_name(s->reason), "duplicate",
				  c->dups[i]));
	}
	o = json_pack("{s:o}", "results", results);
	resp_json(resp, 200, o);
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
handle_report(struct conn *c, const char *path, struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct report_opts opts;
	struct report_args args = {0};
	struct ocop_store *st;
	const char *name = path + 16;
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
	if (!(st = thread_store(c->srv, &err))) {
		http_resp_error(resp, 500, "%s", err.msg);
		return;
	}
	rc = report_render(st, name, &opts, args.fmt, &resp->body, &err);
	if (rc < 0) {
		http_resp_error(resp,
				rc == OCOP_ENOENT  ? 404
				: rc == OCOP_EINVAL ? 400
						    : 500,
				"%s", err.msg);
		return;
	}
	resp->status = 200;
	ocop_strlcpy(resp->content_type, report_content_type(args.fmt),
		     sizeof(resp->content_type));
	http_resp_header(resp, "Cache-Control", "no-store");
}

/* ---- dispatch ---------------------------------------------------------------- */

static int
method_is(const char *m, const char *a, const char *b)
{
	return strcmp(m, a) == 0 || (b && strcmp(m, b) == 0);
}

static void
not_allowed(struct conn *c, struct http_resp *resp, const char *method,
	    const char *allow)
{
	consumer_fail(c, resp, 405, NULL,
		      "method %.16s not allowed here (allowed: %s)", method,
		      allow);
	http_resp_header(resp, "Allow", "%s", allow);
}

/* The last call: answer, or start a scan and return 1 (suspended). */
static int
dispatch(struct conn *c, const char *method, const char *path,
	 struct http_resp *resp)
{
	struct ocop_error err = {0};
	struct ocop_store *st;

	switch (c->route) {
	case METRICS_ROUTE_HOME:
		if (!method_is(method, "GET", "HEAD"))
			break;
		handle_home(c, path, resp);
		return 0;
	case METRICS_ROUTE_LABEL:
		if (!method_is(method, "GET", "HEAD"))
			break;
		return handle_label(c, method, path, resp);
	case METRICS_ROUTE_PRODUCT:
		if (!method_is(method, "GET", "HEAD"))
			break;
		handle_product(c, path, resp);
		return 0;
	case METRICS_ROUTE_RESOLVER: {
		struct http_req req = {0};

		if (!(st = thread_store(c->srv, &err))) {
			http_resp_error(resp, 500, "%s", err.msg);
			return 0;
		}
		req.method = method;
		req.path = path;
		req.query = c->query;
		req.accept = header(c->mhd, MHD_HTTP_HEADER_ACCEPT);
		req.accept_language =
			header(c->mhd, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
		req.authorization =
			header(c->mhd, MHD_HTTP_HEADER_AUTHORIZATION);
		req.user_agent = header(c->mhd, MHD_HTTP_HEADER_USER_AGENT);
		req.client_net = c->net;
		req.arg = req_arg;
		req.site = site_of(c->srv);
		req.impl = c;
		resolver_handle(st, tls_cache, c->srv->base_url, &req, resp);
		return 0;
	}
	case METRICS_ROUTE_API_LABEL:
		if (!method_is(method, "GET", "HEAD"))
			break;
		handle_api_label(c, path, resp);
		return 0;
	case METRICS_ROUTE_API_SCANS:
		if (!method_is(method, "POST", NULL)) {
			not_allowed(c, resp, method, "POST");
			return 0;
		}
		return handle_scans(c, resp);
	case METRICS_ROUTE_REPORTS:
		if (!method_is(method, "GET", "HEAD"))
			break;
		handle_report(c, path, resp);
		return 0;
	case METRICS_ROUTE_HEALTHZ:
		if (!method_is(method, "GET", "HEAD"))
			break;
		resp->status = 200;
		ocop_strlcpy(resp->content_type, "application/json",
			     sizeof(resp->content_type));
		ocop_buf_adds(&resp->body, "{\"status\":\"ok\"}\n");
		http_resp_header(resp, "Cache-Control", "no-store");
		return 0;
	case METRICS_ROUTE_METRICS:
		if (!method_is(method, "GET", "HEAD"))
			break;
		resp->status = 200;
		ocop_strlcpy(resp->content_type,
			     "text/plain; version=0.0.4; charset=utf-8",
			     sizeof(resp->content_type));
		metrics_render(c->srv->metrics, scanlog_depth(c->srv->scanlog),
			       (size_t)atomic_load(&c->srv->in_flight),
			       &resp->body);
		return 0;
	default:
		consumer_fail(c, resp, 404, NULL, "no such resource '%.200s'",
			      path);
		return 0;
	}
	not_allowed(c, resp, method, "GET, HEAD");
	return 0;
}

/* The first call: checks that need only the headers. Returns 1 with resp
 * filled to refuse the request now. */
static int
first_checks(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct access_rule *rule;
	const char *cl;
	int retry;

	client_net(c->mhd, c->net);
	if (page_route(c->route)) {
		negotiate(c);
		c->html = !c->want_json;
	} else if (c->route == METRICS_ROUTE_OTHER) {
		/* a browser that opened a wrong address gets a page */
		const char *accept = header(c->mhd, MHD_HTTP_HEADER_ACCEPT);

		negotiate(c);
		c->html = accept && strcasestr(accept, "text/html") != NULL;
	}
	if (!ratelimit_take(c->srv->rl, c->net, ratelimit_clock(), &retry)) {
		consumer_fail(c, resp, 429, NULL,
			      "too many requests from %s: at most %u a second",
			      c->net, c->srv->cfg.rate_limit);
		http_resp_header(resp, "Retry-After", "%d", retry);
		return 1;
	}
	rule = access_rule_of(c->route);
	if (rule && !method_is(method, "OPTIONS", NULL) &&
	    authorize(c->srv, c->mhd, rule, resp, NULL, NULL) < 0)
		return 1;
	if (method_is(method, "POST", "PUT")) {
		cl = header(c->mhd, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > SERVER_BODY_MAX) {
			consumer_fail(c, resp, 413, NULL,
				      "request body of %s bytes: at most %zu",
				      cl, SERVER_BODY_MAX);
			return 1;
		}
		c->state = CONN_BODY;
		ocop_buf_init(&c->body, SERVER_BODY_MAX);
	}
	return 0;
}

static enum MHD_Result
handle_call(struct MHD_Connection *mhd, const char *url, const char *method,
	    const char *upload_data, size_t *upload_data_size,
	    void **con_cls)
{
	struct conn *c = *con_cls;
	struct http_resp resp;
	enum MHD_Result ret;
	int later;

	if (!c)
		return MHD_NO;
	c->mhd = mhd;
	if (c->state == CONN_NEW) {
		c->route = route_of(url);
		http_resp_init(&resp);
		if (c->bad_uri) {
			http_resp_error(&resp, 400,
					"malformed address: a '%%' not "
					"followed by two hex digits, or an "
					"encoded NUL (%%00)");
			ret = send_resp(c, &resp);
			http_resp_release(&resp);
			return ret;
		}
		if (first_checks(c, method, &resp)) {
			ret = send_resp(c, &resp);
			http_resp_release(&resp);
			return ret;
		}
		http_resp_release(&resp);
		if (c->state == CONN_NEW)
			c->state = CONN_BODY;
		return MHD_YES;
	}
	if (c->state == CONN_BODY && *upload_data_size) {
		if (!c->too_big &&
		    ocop_buf_add(&c->body, upload_data, *upload_data_size) < 0) {
			c->too_big = 1;
			ocop_buf_release(&c->body);
		}
		if (c->too_big) {
			c->body.len += *upload_data_size; /* count discarded */
			if (c->body.len > DISCARD_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	http_resp_init(&resp);
	if (c->state == CONN_WAITING) {
		if (atomic_load(&c->job_state) != JOB_COMMITTED) {
			http_resp_release(&resp);
			return MHD_YES;
		}
		if (c->route == METRICS_ROUTE_LABEL)
			label_after_commit(c, &resp);
		else
			scans_after_commit(c, &resp);
		ret = send_resp(c, &resp);
		http_resp_release(&resp);
		return ret;
	}
	if (c->state == CONN_DONE) {
		http_resp_release(&resp);
		return MHD_YES;
	}
	later = dispatch(c, method, url, &resp);
	if (later) {
		http_resp_release(&resp);
		return MHD_YES;
	}
	ret = send_resp(c, &resp);
	http_resp_release(&resp);
	return ret;
}

/* libmicrohttpd's access handler: one call of it at a time per thread,
 * and the thread's store held only within it. */
static enum MHD_Result
handle(void *cls, struct MHD_Connection *mhd, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	ret = handle_call(mhd, url, method, upload_data, upload_data_size,
			  con_cls);
	reader_release();
	return ret;
}

/*
 * A request thread runs as SCHED_BATCH: its wakeups do not preempt the
 * thread running. Every waiting scan waits for the scan log's writer,
 * which wakes the request threads as it resumes each group it committed;
 * as ordinary threads they took the processor from the writer at once,
 * and the next group waited behind them (on 2 cores under wrk, the writer
 * was preempted 2,000 times a second; 270 with this). Any user may ask
 * this for its own threads; if refused, nothing changes.
 */
static void
request_thread_init(void)
{
	static _Thread_local int done;
	struct sched_param sp = {0};

	if (done)
		return;
	done = 1;
	pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp);
}

/* Whether every '%' of the raw URI starts two hex digits, none of them
 * an encoded NUL: libmicrohttpd keeps a bad escape as sent and decodes
 * %00 into a NUL that ends the path early ("/L/SERIAL%00x" would be
 * answered as /L/SERIAL). */
static int
uri_escapes_ok(const char *uri)
{
	for (const char *p = uri; (p = strchr(p, '%')); p += 3) {
		if (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2]) ||
		    (p[1] == '0' && p[2] == '0'))
			return 0;
	}
	return 1;
}

/* Called with the raw URI before anything else: keeps the query string
 * as sent (the resolver appends it unchanged) and makes the request's
 * state. */
static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *mhd)
{
	struct server *srv = cls;
	struct conn *c = ocop_xcalloc(1, sizeof(*c));
	const char *q = strchr(uri, '?');

	request_thread_init();
	c->srv = srv;
	c->mhd = mhd;
	ocop_buf_init(&c->body, SERVER_BODY_MAX);
	c->query = q ? ocop_xstrdup(q + 1) : empty_query;
	c->bad_uri = !uri_escapes_ok(uri);
	atomic_fetch_add(&srv->in_flight, 1);
	return c;
}

static void
completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn *c = *con_cls;

	(void)mhd;
	(void)toe;
	if (!c)
		return;
	ocop_buf_release(&c->body);
	free(c->pending);
	if (c->query != empty_query)
		free(c->query);
	free(c->scans);
	free(c->dups);
	free(c);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* ---- start and stop ------------------------------------------------------ */

static int
parse_listen(const char *addr, char *host, size_t hsize, char *port,
	     size_t psize, struct ocop_error *err)
{
	const char *colon;
	size_t hl;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || rb[1] != ':')
			goto bad;
		hl = (size_t)(rb - addr - 1);
		if (hl == 0 || hl >= hsize)
			goto bad;
		memcpy(host, addr + 1, hl);
		host[hl] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			goto bad;
		hl = (size_t)(colon - addr);
		if (hl >= hsize || memchr(addr, ':', hl))
			goto bad;
		memcpy(host, addr, hl);
		host[hl] = '\0';
	}
	if (!colon[1] || strlen(colon + 1) >= psize ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    atoi(colon + 1) > 65535)
		goto bad;
	ocop_strlcpy(port, colon + 1, psize);
	return 0;
bad:
	return ocop_error_set(err, OCOP_EINVAL,
			      "invalid listen address '%s': expected "
			      "ADDR:PORT such as 127.0.0.1:8080 or [::1]:8080",
			      addr);
}

static int
open_listener(const char *addr, char *bound, size_t bsize,
	      struct ocop_error *err)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[8], name[INET6_ADDRSTRLEN];
	int fd = -1, one = 1, rc, saved = 0;

	if ((rc = parse_listen(addr, host, sizeof(host), port, sizeof(port),
			       err)) < 0)
		return rc;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc != 0)
		return ocop_error_set(err, OCOP_EINVAL,
				      "invalid listen address '%s': %s",
				      addr, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ocop_error_set(err, OCOP_EOUTPUT,
				      "cannot listen on '%s': %s", addr,
				      strerror(saved));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, name, sizeof(name));
			snprintf(bound, bsize, "[%s]:%u", name,
				 ntohs(a->sin6_port));
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, name, sizeof(name));
			snprintf(bound, bsize, "%s:%u", name,
				 ntohs(a->sin_port));
		}
	}
	return fd;
}

static unsigned
default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 2;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

int
server_start(const struct server_config *cfg, struct server **out,
	     char *bound, size_t bound_size, struct ocop_error *err)
{
	struct server *srv = ocop_xcalloc(1, sizeof(*srv));
	struct ocop_store *st = NULL;
	unsigned threads = cfg->threads ? cfg->threads : default_threads();
	char host[256], port[8];
	int rc;

	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	srv->cfg = *cfg;
	srv->listen_fd = -1;
	/* a bad address is a usage error: say so before touching anything */
	if ((rc = parse_listen(cfg->listen ? cfg->listen
					   : SERVER_DEFAULT_LISTEN,
			       host, sizeof(host), port, sizeof(port), err)) <
	    0) {
		free(srv);
		return rc;
	}
	ocop_strlcpy(srv->db_path, cfg->db_path, sizeof(srv->db_path));
	pthread_mutex_init(&srv->key_mu, NULL);
	pthread_mutex_init(&srv->st_mu, NULL);
	if (sodium_init() < 0) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot initialise libsodium");
		goto out_free;
	}
	/* check the database and read the base URL once */
	if ((rc = ocop_store_open(srv->db_path, 0, &st, err)) < 0)
		goto out_free;
	srv->networked = st->m->networked;
	if (srv->networked && !cfg->threads)
		threads = MAX_THREADS;
	rc = st->m->meta_get(st, "base_url", srv->base_url,
			     sizeof(srv->base_url), err);
	if (rc == 0)
		rc = st->m->meta_get(st, "operator", srv->operator_name,
				     sizeof(srv->operator_name), err);
	if (rc == 0)
		rc = st->m->meta_get(st, "contact", srv->contact,
				     sizeof(srv->contact), err);
	ocop_store_close(st);
	if (rc < 0)
		goto out_free;
	if (!srv->base_url[0])
		ocop_strlcpy(srv->base_url, "http://localhost:8080",
			     sizeof(srv->base_url));
	srv->metrics = metrics_new();
	srv->rl = ratelimit_new(cfg->rate_limit);
	srv->writer_cache = record_cache_new();
	if ((rc = scanlog_start(srv->db_path, srv->metrics, &srv->scanlog,
				err)) < 0)
		goto out_free;
	rc = open_listener(cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN,
			   bound, bound_size, err);
	if (rc < 0)
		goto out_free;
	srv->listen_fd = rc;
	srv->mhd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
			MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
		0, NULL, NULL, handle, srv, MHD_OPTION_LISTEN_SOCKET,
		srv->listen_fd, MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logger, srv,
		MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		/* a client silent this long is let go (a slow client
		 * holds a connection at most that long between bytes) */
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_IDLE_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_CONN_LIMIT,
		/* one address may not take all of them (behind a proxy, the
		 * proxy is that address: its own limits apply first) */
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)SERVER_CONN_PER_IP,
		/* 16 KiB a connection for the request line and headers (as
		 * much as nginx's large header buffers): libmicrohttpd zeroes
		 * the whole of it between requests, 32 KiB by default */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (!srv->mhd) {
		rc = ocop_error_set(err, OCOP_EINTERNAL,
				    "cannot start the HTTP server on '%s'",
				    bound);
		goto out_free;
	}
	*out = srv;
	return 0;
out_free:
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	scanlog_free(srv->scanlog);
	record_cache_free(srv->writer_cache);
	ratelimit_free(srv->rl);
	metrics_free(srv->metrics);
	pthread_mutex_destroy(&srv->key_mu);
	pthread_mutex_destroy(&srv->st_mu);
	free(srv);
	return rc;
}

const char *
server_base_url(const struct server *srv)
{
	return srv->base_url;
}

void
server_stop(struct server *srv, unsigned drain_ms)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	MHD_socket fd;

	if (!srv)
		return;
	/* no new connections; requests in flight go on */
	fd = MHD_quiesce_daemon(srv->mhd);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	for (unsigned waited = 0;
	     atomic_load(&srv->in_flight) > 0 && waited < drain_ms;
	     waited += 10)
		nanosleep(&pause, NULL);
	/* every queued scan is written and its request resumed; scans
	 * that come later on kept-alive connections get 503 */
	scanlog_stop(srv->scanlog);
	MHD_stop_daemon(srv->mhd);
	scanlog_free(srv->scanlog);
	record_cache_free(srv->writer_cache);
	for (size_t i = 0; i < srv->nreaders; i++) {
		struct reader *r = srv->readers[i];

		ocop_store_close(r->st);
		record_cache_free(r->cache);
		free(r);
	}
	ratelimit_free(srv->rl);
	metrics_free(srv->metrics);
	sodium_memzero(srv->key, sizeof(srv->key));
	pthread_mutex_destroy(&srv->key_mu);
	pthread_mutex_destroy(&srv->st_mu);
	free(srv);
}
