/*
 * server.c - the HTTP service (see server.h and SPEC 5).
 *
 * libmicrohttpd calls handle() several times per request: the first call
 * only sets the request up (queueing a response there would make 0.9.75
 * close the connection: a third of the throughput), POST bodies arrive in
 * the middle calls, and the work is done on the last. A request that
 * records scans hands them to the scan-log writer and suspends its
 * connection; the writer resumes it after the commit and the next call
 * answers. So an answer never precedes the durability of its scan. On a
 * networked engine the verification's read is handed on the same way, to
 * the reader that reads the lookups queued meanwhile together
 * (lookups.h), before its scan goes to the writer.
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

#include "server_int.h"

#define DISCARD_MAX ((size_t)8 << 20) /* past this an oversize body closes */

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
	struct ocop_store *wst; /* the console's writes, opened when needed */
};

static char empty_query[] = "";
static _Thread_local struct server *tls_srv;
static _Thread_local struct reader *tls_reader;
static _Thread_local int tls_held; /* tls_reader->st is in a read */
static _Thread_local struct record_cache *tls_cache;

/* ---- helpers ------------------------------------------------------------ */

static struct reader *
reader_new(struct server *srv, struct ocop_error *err)
{
	struct reader *r = ocop_xcalloc(1, sizeof(*r));

	if (ocop_store_open(srv->db_path, OCOP_STORE_READER, &r->st, err) < 0) {
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
struct ocop_store *
server_store(struct server *srv, struct ocop_error *err)
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
		struct ocop_error e = {0};
		int rc = r->st->m->read_begin(r->st, &e);

		metrics_database(srv->metrics, METRICS_READS, rc, &e, 0);
		if (rc < 0) {
			if (err)
				*err = e;
			return NULL;
		}
		tls_held = 1;
	}
	return r->st;
}

struct ocop_store *
server_write_store(struct server *srv, struct ocop_error *err)
{
	struct reader *r;

	if (!server_store(srv, err))
		return NULL;
	r = tls_reader;
	if (!r->wst && ocop_store_open(srv->db_path, 0, &r->wst, err) < 0) {
		r->wst = NULL;
		return NULL;
	}
	return r->wst;
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

const struct page_site *
server_site(struct server *srv)
{
	struct site_copy *s = &tls_site;
	struct ocop_error err = {0};
	struct ocop_store *st;
	char op[sizeof(s->operator_name)], contact[sizeof(s->contact)];
	double now = ocop_mono();

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
	if ((st = server_store(srv, &err)) &&
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

const char *
server_header(const struct conn *c, const char *name)
{
	return header(c->mhd, name);
}

const char *
server_query_arg(const struct conn *c, const char *name)
{
	return MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND, name);
}

const char *
server_req_arg(const struct http_req *req, const char *name)
{
	return server_query_arg(req->impl, name);
}

struct record_cache *
server_cache(void)
{
	return tls_cache;
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
int
server_lookup(struct ocop_store *st, const struct ocop_code *code, int64_t at,
	      struct ocop_record *rec, struct ocop_error *err)
{
	return record_lookup_cached(st, tls_cache, code, at, rec, err);
}

/* A record as JSON into resp, written directly (record_json_write). */
void
server_resp_record(struct http_resp *resp, int status,
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
void
server_resp_json(struct http_resp *resp, int status, json_t *j)
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

/* ---- access: the route's rule (routes.c) --------------------------- */

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
	  const struct route *rule, struct http_resp *resp,
	  enum ocop_role *role_out, int64_t *producer_out)
{
	struct ocop_error err = {0};
	struct ocop_store *st;
	const char *tok;
	enum ocop_role role = OCOP_ROLE_NONE;
	int64_t producer = 0;
	size_t len = 0;
	int rc;

	tok =
	    token_from_header(header(mhd, MHD_HTTP_HEADER_AUTHORIZATION), &len);
	if (!tok || len == 0) {
		http_resp_error(resp, 401,
				"missing token: send 'Authorization: Bearer "
				"TOKEN' (ocop token create)");
		http_resp_header(resp, "WWW-Authenticate", "Bearer");
		return OCOP_EAUTH;
	}
	if (!(st = server_store(srv, &err))) {
		http_resp_error(resp, http_fail_status(resp, err.code), "%s",
				err.msg);
		return OCOP_EINTERNAL;
	}
	rc = load_key(srv, st, &err);
	if (rc == OCOP_ENOENT) {
		rc = ocop_error_set(&err, OCOP_EAUTH, "unknown token");
	} else if (rc == 0) {
		rc =
		    token_check(st, srv->key, tok, len, &role, &producer, &err);
	}
	if (rc == OCOP_EAUTH) {
		http_resp_error(resp, 401, "bad token: %s", err.msg);
		http_resp_header(resp, "WWW-Authenticate",
				 "Bearer error=\"invalid_token\"");
		return rc;
	}
	if (rc < 0) {
		http_resp_error(resp, http_fail_status(resp, rc),
				"cannot check token: %s", err.msg);
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

/* ---- sending --------------------------------------------------------------
 */

/* src into dst (size bytes) with control characters as '?' */
static void
one_line(char *dst, const char *src, size_t size)
{
	ocop_strlcpy(dst, src, size);
	for (; *dst; dst++)
		if ((unsigned char)*dst < 0x20 || *dst == 0x7f)
			*dst = '?';
}

/*
 * A 500 (a fault of the service's own, or of its environment, that no
 * client can mend) written to the service's log with its path and cause,
 * which the answer may not carry (a page's says only that something went
 * wrong). At most a line a second, so that a fault on every request does
 * not flood the journal: the lines left out are counted into the next.
 * The database failing as a whole is logged by metrics_database, and its
 * answers are 503s.
 */
static void
log_failure(struct conn *c, const struct http_resp *r)
{
	struct server *srv = c->srv;
	double now = ocop_mono();
	char path[256], cause[sizeof(r->cause)];

	/* one line each: a decoded path may hold any byte */
	one_line(path, c->path ? c->path : "", sizeof(path));
	one_line(cause, r->cause[0] ? r->cause : "no cause given",
		 sizeof(cause));
	pthread_mutex_lock(&srv->fail_mu);
	if (srv->fail_logged_at > 0 && now - srv->fail_logged_at < 1.0) {
		srv->fail_unlogged++;
	} else {
		if (srv->fail_unlogged)
			fprintf(stderr,
				"ocop: 500 on %s: %s (and %lu more 500s "
				"not logged since the last line)\n",
				path, cause, srv->fail_unlogged);
		else
			fprintf(stderr, "ocop: 500 on %s: %s\n", path, cause);
		srv->fail_logged_at = now;
		srv->fail_unlogged = 0;
	}
	pthread_mutex_unlock(&srv->fail_mu);
}

static enum MHD_Result
send_resp(struct conn *c, struct http_resp *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t len;
	char *data;

	if (ROUTE_IS_CONSOLE(c->route))
		console_headers(r);
	if (r->fd >= 0) {
		/* libmicrohttpd closes the file once sent */
		mr = MHD_create_response_from_fd(r->fd_len, r->fd);
		if (!mr)
			return MHD_NO;
		r->fd = -1;
	} else if (r->read) {
		/* sent in chunks as it is made; done once it is over */
		mr = MHD_create_response_from_callback(
		    MHD_SIZE_UNKNOWN, 64 * 1024, r->read, r->cls, r->done);
		if (!mr)
			return MHD_NO;
		r->read = NULL;
		r->done = NULL;
		r->cls = NULL;
	} else {
		data = ocop_buf_detach(&r->body, &len);
		mr = MHD_create_response_from_buffer(len, data,
						     MHD_RESPMEM_MUST_FREE);
		if (!mr) {
			free(data);
			return MHD_NO;
		}
	}
	if (r->content_type[0])
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
					r->content_type);
	for (int i = 0; i < r->nheaders; i++)
		MHD_add_response_header(mr, r->headers[i].name,
					r->headers[i].value);
	ret = MHD_queue_response(c->mhd, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	metrics_request(c->srv->metrics, (size_t)(c->route - server_routes),
			r->status);
	if (r->status == 500)
		log_failure(c, r);
	c->state = CONN_DONE;
	return ret;
}

/* ---- scans and lookups: hand to a thread, suspend, resume --------------- */

/* c waits for a job of the writer's or the reader's: suspended first, as
 * the job may be done before its submit returns, and a resume must not
 * come before its suspend */
static void
wait_begin(struct conn *c)
{
	atomic_store(&c->job_state, JOB_PENDING);
	c->state = CONN_WAITING;
	MHD_suspend_connection(c->mhd);
}

/* c's job is done (or was refused): the next call answers */
static void
wait_end(struct conn *c)
{
	atomic_store(&c->job_state, JOB_COMMITTED);
	MHD_resume_connection(c->mhd);
}

static void
job_done(struct scanlog_job *job)
{
	wait_end(job->ctx);
}

/* Queue c's job, c suspended; when the job cannot be queued, the
 * connection is resumed right away and job->rc says why. */
void
server_submit_waiting(struct conn *c)
{
	c->job->done = job_done;
	c->job->ctx = c;
	if (scanlog_submit(c->srv->scanlog, c->job) < 0) {
		c->job->rc = OCOP_EREFUSED;
		wait_end(c);
	}
}

void
server_submit(struct conn *c)
{
	wait_begin(c);
	server_submit_waiting(c);
}

static void
lookup_done(struct lookup_job *job)
{
	struct conn *c = job->ctx;

	/* the route may hand the request on from here, still suspended */
	if (c->pending->then && c->pending->then(c))
		return;
	wait_end(c);
}

int
server_lookup_later(struct conn *c, struct pending *pd)
{
	struct lookup_job *job = &pd->lookup;

	if (!c->srv->lookups)
		return 0;
	job->code = pd->code;
	job->at = pd->now;
	job->rec = &pd->rec;
	job->done = lookup_done;
	job->ctx = c;
	wait_begin(c);
	if (lookups_submit(c->srv->lookups, job) < 0) {
		job->rc = OCOP_EREFUSED;
		wait_end(c);
	}
	return 1;
}

void
server_fill_client(struct conn *c, struct ocop_scan *s)
{
	ocop_strlcpy(s->net, c->net, sizeof(s->net));
	ocop_strlcpy(
	    s->ua,
	    scanlog_ua_family(header(c->mhd, MHD_HTTP_HEADER_USER_AGENT)),
	    sizeof(s->ua));
}

void
server_fail(struct conn *c, struct http_resp *resp, int status,
	    const char *detail, const char *fmt, ...)
{
	struct ocop_error err = {0};
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_resp_cause(resp, status, "%s", msg);
	http_resp_header(resp, "Vary", "Accept, Accept-Language");
	if (c->html) {
		resp->status = status;
		ocop_strlcpy(resp->content_type, "text/html; charset=utf-8",
			     sizeof(resp->content_type));
		resp->body.len = 0;
		if (page_error(server_site(c->srv), c->lang, status, detail,
			       c->self_path[0] ? c->self_path : "/",
			       &resp->body, &err) == 0)
			return;
	}
	http_resp_error(resp, status, "%s", msg);
}

/* The home page's form again with typed and the problem with it: 400 for
 * a code of the wrong shape (SPEC 3). JSON clients get the JSON error. */
static void
negotiate(struct conn *c)
{
	c->want_json = http_accepts(server_header(c, MHD_HTTP_HEADER_ACCEPT),
				    "application/json");
	ocop_strlcpy(c->lang,
		     page_lang(MHD_lookup_connection_value(
				   c->mhd, MHD_GET_ARGUMENT_KIND, "lang"),
			       header(c->mhd, MHD_HTTP_HEADER_ACCEPT_LANGUAGE)),
		     sizeof(c->lang));
}

/* Connections: at most SERVER_CONN_LIMIT open, SERVER_CONN_PER_IP from
 * one address, each closed after SERVER_IDLE_TIMEOUT seconds without a
 * byte. */
#define SERVER_CONN_LIMIT 4000
#define SERVER_CONN_PER_IP 512
#define SERVER_IDLE_TIMEOUT 10

/* ---- dispatch
 * ---------------------------------------------------------------- */

static int
method_is(const char *m, const char *a, const char *b)
{
	return strcmp(m, a) == 0 || (b && strcmp(m, b) == 0);
}

static unsigned
method_bit(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	if (strcmp(m, "OPTIONS") == 0)
		return M_OPTIONS;
	return 1u << 31; /* any other: allowed only by M_ANY */
}

/* The last call: answer, or start a scan and return 1 (suspended). */
static int
dispatch(struct conn *c, const char *method, struct http_resp *resp)
{
	char allow[64];

	if (!(c->route->methods & method_bit(method))) {
		route_allow(c->route->methods, allow, sizeof(allow));
		server_fail(c, resp, 405, NULL,
			    "method %.16s not allowed here (allowed: %s)",
			    method, allow);
		http_resp_header(resp, "Allow", "%s", allow);
		return 0;
	}
	if (ROUTE_IS_CONSOLE(c->route) && console_ready(c, method, resp))
		return 0;
	return c->route->handler(c, method, resp);
}

/* The first call: checks that need only the headers. Returns 1 with resp
 * filled to refuse the request now. */
static int
first_checks(struct conn *c, const char *method, struct http_resp *resp)
{
	const struct route *rule = c->route;
	size_t body_max = rule->body_max ? rule->body_max : SERVER_BODY_MAX;
	const char *cl;
	int retry;

	client_net(c->mhd, c->net);
	if (rule->flags & ROUTE_PAGE) {
		negotiate(c);
		c->html = !c->want_json;
	} else if (rule->flags & ROUTE_BROWSER) {
		/* a browser that opened a wrong address gets a page */
		const char *accept = server_header(c, MHD_HTTP_HEADER_ACCEPT);

		negotiate(c);
		c->html = accept && strcasestr(accept, "text/html") != NULL;
	}
	if (!ratelimit_take(c->srv->rl, c->net, ratelimit_clock(), &retry)) {
		server_fail(c, resp, 429, NULL,
			    "too many requests from %s: at most %u a second",
			    c->net, c->srv->cfg.rate_limit);
		http_resp_header(resp, "Retry-After", "%d", retry);
		return 1;
	}
	if (rule->access == ACCESS_TOKEN &&
	    !method_is(method, "OPTIONS", NULL) &&
	    (!(rule->flags & ROUTE_OR_SESSION) ||
	     header(c->mhd, MHD_HTTP_HEADER_AUTHORIZATION)) &&
	    authorize(c->srv, c->mhd, rule, resp, NULL, NULL) < 0)
		return 1;
	if (ROUTE_IS_CONSOLE(rule) && console_begin(c, method, resp))
		return 1;
	if (method_is(method, "POST", "PUT")) {
		cl = server_header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > body_max) {
			server_fail(c, resp, 413, NULL,
				    "request body of %s bytes: at most %zu", cl,
				    body_max);
			return 1;
		}
		c->state = CONN_BODY;
		ocop_buf_init(&c->body, SERVER_BODY_MAX);
	}
	return 0;
}

static enum MHD_Result
handle_call(struct MHD_Connection *mhd, const char *url, const char *method,
	    const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct conn *c = *con_cls;
	struct http_resp resp;
	enum MHD_Result ret;
	int later;

	if (!c)
		return MHD_NO;
	c->mhd = mhd;
	if (c->state == CONN_NEW) {
		c->path = url;
		c->route = route_find(url, c->arg, c->arg_len);
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
	if (c->state == CONN_BODY && *upload_data_size && c->console) {
		/* a console form, parsed as it arrives */
		if (!c->too_big &&
		    console_body(c, upload_data, *upload_data_size) < 0)
			c->too_big = 1;
		if (c->too_big) {
			c->body.len += *upload_data_size;
			if (c->body.len > DISCARD_MAX)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (c->state == CONN_BODY && *upload_data_size) {
		if (!c->too_big && ocop_buf_add(&c->body, upload_data,
						*upload_data_size) < 0) {
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
		c->route->resume(c, &resp);
		ret = send_resp(c, &resp);
		http_resp_release(&resp);
		return ret;
	}
	if (c->state == CONN_DONE) {
		http_resp_release(&resp);
		return MHD_YES;
	}
	later = dispatch(c, method, &resp);
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
	if (c->console)
		console_end(c);
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
				      "invalid listen address '%s': %s", addr,
				      gai_strerror(rc));
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
server_start(const struct server_config *cfg, struct server **out, char *bound,
	     size_t bound_size, struct ocop_error *err)
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
	if ((rc = parse_listen(
		 cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN, host,
		 sizeof(host), port, sizeof(port), err)) < 0) {
		free(srv);
		return rc;
	}
	ocop_strlcpy(srv->db_path, cfg->db_path, sizeof(srv->db_path));
	pthread_mutex_init(&srv->key_mu, NULL);
	pthread_mutex_init(&srv->st_mu, NULL);
	pthread_mutex_init(&srv->fail_mu, NULL);
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
	for (size_t i = 0; i < server_nroutes && i < ROUTES_MAX; i++)
		srv->metric_names[i] = server_routes[i].metric;
	srv->metrics = metrics_new(srv->metric_names, server_nroutes);
	srv->rl = ratelimit_new(cfg->rate_limit);
	srv->writer_cache = record_cache_new();
	if ((rc = scanlog_start(srv->db_path, srv->metrics, &srv->scanlog,
				err)) < 0)
		goto out_free;
	if (srv->networked && (rc = lookups_start(srv->db_path, srv->metrics,
						  &srv->lookups, err)) < 0)
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
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)SERVER_CONN_PER_IP,
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
	lookups_free(srv->lookups);
	scanlog_free(srv->scanlog);
	record_cache_free(srv->writer_cache);
	ratelimit_free(srv->rl);
	metrics_free(srv->metrics);
	pthread_mutex_destroy(&srv->key_mu);
	pthread_mutex_destroy(&srv->st_mu);
	pthread_mutex_destroy(&srv->fail_mu);
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
	/* every queued lookup is read and every queued scan written, and
	 * their requests resumed (a lookup's scan queued before the writer
	 * stops); those that come later on kept-alive connections get 503 */
	lookups_stop(srv->lookups);
	scanlog_stop(srv->scanlog);
	MHD_stop_daemon(srv->mhd);
	lookups_free(srv->lookups);
	scanlog_free(srv->scanlog);
	record_cache_free(srv->writer_cache);
	for (size_t i = 0; i < srv->nreaders; i++) {
		struct reader *r = srv->readers[i];

		ocop_store_close(r->st);
		if (r->wst)
			ocop_store_close(r->wst);
		record_cache_free(r->cache);
		free(r);
	}
	ratelimit_free(srv->rl);
	metrics_free(srv->metrics);
	sodium_memzero(srv->key, sizeof(srv->key));
	pthread_mutex_destroy(&srv->key_mu);
	pthread_mutex_destroy(&srv->st_mu);
	pthread_mutex_destroy(&srv->fail_mu);
	free(srv);
}
