/*
 * server_int.h - what the route handlers of src/http/ share with the
 * server's core (server.c): the route table's shape, a request's state,
 * the request thread's store, answers and errors, and the hand-off of scans
 * to the scan-log writer and of lookups to the reader. Not for use outside
 * src/http/.
 *
 * A handler runs on a request thread, once per request, after the route's
 * access rule passed and its body (if any) arrived. It fills resp and
 * returns 0, or hands a scan job to the writer (server_submit) or a lookup
 * to the reader (server_lookup_later) and returns 1: the connection is
 * suspended, and the route's resume function answers once the job is
 * done. The thread's store (server_store) is in one read for the whole
 * call.
 */
#ifndef OCOP_SERVER_INT_H
#define OCOP_SERVER_INT_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "http.h"
#include "lookups.h"
#include "metrics.h"
#include "page.h"
#include "ratelimit.h"
#include "record.h"
#include "resolver.h"
#include "scanlog.h"
#include "server.h"
#include "store/store.h"
#include "token.h"

#define MAX_THREADS 16
#define ROUTES_MAX 64 /* entries of the route table, at most */

struct conn;
struct console_ctx;

/* ---- the route table (routes.c) -------------------------------------- */

#define M_GET (1u << 0)
#define M_HEAD (1u << 1)
#define M_POST (1u << 2)
#define M_OPTIONS (1u << 3)
#define M_ANY (~0u) /* the handler answers every method itself */

#define ROLE(r) (1u << (r))

enum route_access {
	ACCESS_PUBLIC = 0,
	ACCESS_TOKEN,	/* Authorization: Bearer, of one of the route's roles */
	ACCESS_SESSION, /* a console session of one of the route's roles */
};

/* flags */
#define ROUTE_NOCASE (1u << 0)	/* the pattern's letters in any case */
#define ROUTE_SLASH (1u << 1)	/* a trailing '/' is the same path */
#define ROUTE_PAGE (1u << 2)	/* answers people: errors are pages */
#define ROUTE_BROWSER (1u << 3) /* errors are pages for browsers */
/* a console route (console.h): its headers, forms and Origin check, the
 * session read when there is one; implied by ACCESS_SESSION */
#define ROUTE_CONSOLE (1u << 4)
/* with ACCESS_TOKEN: a request without Authorization is the handler's to
 * let in by its console session (field.c) */
#define ROUTE_OR_SESSION (1u << 5)

#define ROUTE_ARGS 2

typedef int (*route_handler)(struct conn *c, const char *method,
			     struct http_resp *resp);
typedef void (*route_resume)(struct conn *c, struct http_resp *resp);

/*
 * One route. pattern: an exact path, where '*' stands for one path segment
 * (no '/') and a final '*' for the rest of the path (non-empty); what each
 * '*' matched is c->arg[i]. owns, when set, decides instead of a pattern
 * (the resolver's paths); a route with neither matches every path (the
 * last one). metric: its label in ocop_http_requests_total, which several
 * routes may share.
 */
struct route {
	const char *pattern;
	int (*owns)(const char *path);
	unsigned flags;
	unsigned methods; /* M_* allowed; others get 405 with Allow */
	enum route_access access;
	unsigned roles;	    /* ROLE() bits allowed when not public */
	const char *action; /* in the 403: "a token of role R may not ..." */
	const char *metric;
	size_t body_max; /* a POST body's cap; 0: SERVER_BODY_MAX */
	route_handler handler;
	route_resume resume; /* set when the handler may suspend */
};

/* The table, in the order routes are tried; the last one matches all. */
extern const struct route server_routes[];
extern const size_t server_nroutes;

/* The route for path (never NULL), with what its '*'s matched. */
const struct route *route_find(const char *path, const char **arg,
			       size_t *arg_len);
/* "GET, HEAD" for a method mask, into buf. */
void route_allow(unsigned methods, char *buf, size_t size);

/* ---- the server and one request's state -------------------------------- */

struct reader;

struct server {
	struct server_config cfg;
	char db_path[4096];
	char base_url[256];
	/* ocop init --operator/--contact as read at start (server_site) */
	char operator_name[256];
	char contact[512];
	struct MHD_Daemon *mhd;
	int listen_fd;
	int networked; /* the engine's (store.h) */
	struct scanlog *scanlog;
	/* a networked engine's lookups, read in groups (lookups.h) */
	struct lookups *lookups;
	struct ratelimit *rl;
	struct metrics *metrics;
	const char *metric_names[ROUTES_MAX]; /* by route */
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
	/* the 500s written to the log: at most a line a second, the rest
	 * counted into the next (log_failure) */
	pthread_mutex_t fail_mu;
	double fail_logged_at;
	unsigned long fail_unlogged;
};

enum conn_state {
	CONN_NEW = 0,
	CONN_BODY,    /* receiving a POST body */
	CONN_WAITING, /* suspended until a lookup or a scan is done */
	CONN_DONE,    /* response queued */
};

enum job_state { JOB_NONE = 0, JOB_PENDING, JOB_COMMITTED };

/* A verification waiting for the lookups' reader (networked engines) and,
 * for a consumer scan (GET /L/...), for the writer; on SQLite the writer
 * judges it (label_prepare) in the transaction that stores it. */
struct pending {
	struct lookup_job lookup;
	/* optional: run on the reader's thread once the lookup is read,
	 * the connection still suspended: 1 when it handed the request on
	 * (server_submit_waiting), 0 to resume it */
	int (*then)(struct conn *c);
	struct scanlog_job job;
	struct ocop_scan scan;
	int dup;
	int64_t count, first_at;
	struct ocop_code code;
	int64_t now;
	char method[8]; /* GET or HEAD, for a resume that answers either */
	int lookup_rc;	/* the judging's failure: err says why */
	struct ocop_error err;
	struct ocop_record rec; /* the record being answered */
};

/* One request's state, made by the URI logger before any other call;
 * small, since every request makes one. */
struct conn {
	struct server *srv;
	struct MHD_Connection *mhd;
	enum conn_state state;
	const struct route *route;
	const char *path;	     /* as libmicrohttpd decoded it */
	const char *arg[ROUTE_ARGS]; /* what the pattern's '*'s matched */
	size_t arg_len[ROUTE_ARGS];
	char *query; /* as sent, without '?'; "" when none */
	int bad_uri; /* a '%' without two hex digits, or an encoded NUL */
	char net[RATELIMIT_NET_MAX];
	struct ocop_buf body;
	int too_big;
	struct console_ctx *console; /* console routes (console.c) */
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

/* ---- what handlers call (server.c) ------------------------------------ */

/* The calling thread's store, in a read for the rest of the handler
 * call; NULL with err when it cannot be opened. */
struct ocop_store *server_store(struct server *srv, struct ocop_error *err);
/* The calling thread's handle that may write (account.h, label.h), for
 * the console's changes; never in a read. NULL with err when it cannot
 * be opened. */
struct ocop_store *server_write_store(struct server *srv,
				      struct ocop_error *err);
/* The thread's record cache (valid after server_store). */
struct record_cache *server_cache(void);
/* Who runs the service, as the pages show it (a copy at most 1 s old). */
const struct page_site *server_site(struct server *srv);
/* A request header, or NULL. */
const char *server_header(const struct conn *c, const char *name);
/* A query argument as libmicrohttpd decoded it, or NULL. */
const char *server_query_arg(const struct conn *c, const char *name);
/* http_req's arg callback for handlers that take a struct http_req. */
const char *server_req_arg(const struct http_req *req, const char *name);

/* record_lookup through the thread's cache. */
int server_lookup(struct ocop_store *st, const struct ocop_code *code,
		  int64_t at, struct ocop_record *rec, struct ocop_error *err);

/* A record, or any JSON value, as the answer with status. */
void server_resp_record(struct http_resp *resp, int status,
			const struct ocop_record *rec);
void server_resp_json(struct http_resp *resp, int status, json_t *j);

/*
 * An error in the request's form: a page in the page's language (detail,
 * in that language, may be NULL for the status's own words) when c->html,
 * else the JSON error with the message fmt.
 */
void server_fail(struct conn *c, struct http_resp *resp, int status,
		 const char *detail, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The client's coarse data (network, browser family) into a scan. */
void server_fill_client(struct conn *c, struct ocop_scan *s);
/* Suspend c and queue c->job; the route's resume answers once it is
 * committed (or refused: job->rc says why). */
void server_submit(struct conn *c);
/* server_submit for a connection suspended already (from pd->then). */
void server_submit_waiting(struct conn *c);
/* On a networked engine: suspend c and queue the lookup of pd->code at
 * pd->now into pd->rec, then 1; the route's resume answers once it is
 * read (pd->lookup.rc, err), or once pd->then's job is done. 0 on SQLite,
 * where a request thread reads for itself (server_lookup). */
int server_lookup_later(struct conn *c, struct pending *pd);
/* ---- the console's core (console.c), called by server.c --------------- */

/* Whether route r is a console route. */
#define ROUTE_IS_CONSOLE(r)                                                    \
	(((r)->flags & ROUTE_CONSOLE) || (r)->access == ACCESS_SESSION)

/* The first call: the session, the role, the Origin of a POST, the form's
 * parser. 1 with resp filled to answer now. */
int console_begin(struct conn *c, const char *method, struct http_resp *resp);
/* A piece of a POST body; -1 past the route's cap (413). */
int console_body(struct conn *c, const char *data, size_t size);
/* The last call, before the handler: the form complete, its CSRF token.
 * 1 with resp filled to answer now. */
int console_ready(struct conn *c, const char *method, struct http_resp *resp);
/* The headers of every console answer (SPEC 8). */
void console_headers(struct http_resp *resp);
/* The request is over: free its console state. */
void console_end(struct conn *c);

/* ---- the handlers, by family ------------------------------------------ */

/* consumer.c: the pages people open */
int consumer_home_owns(const char *path);
int consumer_home(struct conn *c, const char *method, struct http_resp *resp);
int consumer_label(struct conn *c, const char *method, struct http_resp *resp);
void consumer_label_resume(struct conn *c, struct http_resp *resp);
int consumer_product(struct conn *c, const char *method,
		     struct http_resp *resp);
int consumer_not_found(struct conn *c, const char *method,
		       struct http_resp *resp);

/* resolver.c: the GS1 resolver's route */
int resolver_route(struct conn *c, const char *method, struct http_resp *resp);
void resolver_route_resume(struct conn *c, struct http_resp *resp);

/* api.c: the JSON API and the operators' endpoints */
int api_label(struct conn *c, const char *method, struct http_resp *resp);
int api_scans(struct conn *c, const char *method, struct http_resp *resp);
/*
 * The items of arr checked and judged as POST /api/v1/scans does, at now,
 * and handed to the scan-log writer: 1 when suspended (c->scans, c->dups
 * and c->batch_job hold them; the route's resume answers), 0 for an empty
 * array, -1 with *bad the malformed items ([{"index","message"}], caller
 * json_decref()s it), or another negative code with err.
 */
int api_scans_start(struct conn *c, json_t *arr, int64_t now, json_t **bad,
		    struct ocop_error *err);
void api_scans_resume(struct conn *c, struct http_resp *resp);
void api_label_resume(struct conn *c, struct http_resp *resp);
int api_report(struct conn *c, const char *method, struct http_resp *resp);
int api_healthz(struct conn *c, const char *method, struct http_resp *resp);
int api_metrics(struct conn *c, const char *method, struct http_resp *resp);

/* console_registry.c, console_reports.c, console_people.c: the office's
 * pages (admins; the reports for inspectors too) */
int console_registry(struct conn *c, const char *method,
		     struct http_resp *resp);
int console_registry_post(struct conn *c, const char *method,
			  struct http_resp *resp);
int console_reports(struct conn *c, const char *method, struct http_resp *resp);
int console_report(struct conn *c, const char *method, struct http_resp *resp);
int console_users(struct conn *c, const char *method, struct http_resp *resp);
int console_users_post(struct conn *c, const char *method,
		       struct http_resp *resp);
int console_tokens(struct conn *c, const char *method, struct http_resp *resp);
int console_tokens_post(struct conn *c, const char *method,
			struct http_resp *resp);
int console_audit(struct conn *c, const char *method, struct http_resp *resp);

/* console.c: signing in and out, setting a password */
int console_login(struct conn *c, const char *method, struct http_resp *resp);
int console_logout(struct conn *c, const char *method, struct http_resp *resp);
int console_setup(struct conn *c, const char *method, struct http_resp *resp);
int console_missing(struct conn *c, const char *method, struct http_resp *resp);

/* console_producer.c: the dashboard, products, issuing, batches */
int console_dashboard(struct conn *c, const char *method,
		      struct http_resp *resp);
int console_product(struct conn *c, const char *method, struct http_resp *resp);
int console_issue(struct conn *c, const char *method, struct http_resp *resp);
int console_batch(struct conn *c, const char *method, struct http_resp *resp);
int console_batch_file(struct conn *c, const char *method,
		       struct http_resp *resp);
int console_batch_void(struct conn *c, const char *method,
		       struct http_resp *resp);

/* field.c: inspectors in the field (SPEC 9) */
/* GET /L/{serial}: for a signed-in inspector or admin, 0 with resp the
 * page with the inspection panel, and no consumer scan stored; for anyone
 * else 1, resp untouched. */
int field_label(struct conn *c, const struct ocop_code *code,
		struct http_resp *resp);
int field_keys(struct conn *c, const char *method, struct http_resp *resp);
int field_snapshot(struct conn *c, const char *method, struct http_resp *resp);
int field_static(struct conn *c, const char *method, struct http_resp *resp);
int field_page(struct conn *c, const char *method, struct http_resp *resp);
int field_inspect(struct conn *c, const char *method, struct http_resp *resp);
void field_inspect_resume(struct conn *c, struct http_resp *resp);
int field_sync(struct conn *c, const char *method, struct http_resp *resp);
/* The place of the last inspection, kept in a cookie: place (at most
 * FIELD_PLACE_MAX bytes) percent-encoded into out (FIELD_PLACE_COOKIE_SIZE
 * bytes), and a cookie's value decoded into out (size bytes): a place
 * the scans API takes, else "". */
#define FIELD_PLACE_MAX 255
#define FIELD_PLACE_COOKIE_SIZE (FIELD_PLACE_MAX * 3 + 1)
void field_place_encode(const char *place, char *out);
void field_place_decode(const char *value, char *out, size_t size);

#endif
